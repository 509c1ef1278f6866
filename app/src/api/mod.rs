//! Server functions: the only API the browser calls.
//!
//! Each one is a public HTTP endpoint. Each checks who is asking and whether they may, calls
//! into the backend, and maps errors to [`crate::error::AppError`]. State-changing functions use
//! POST encodings only; the server rejects cross-site POSTs before they get here.

pub mod audit;
pub mod campaigns;
pub mod evidence;
pub mod inventory;
pub mod people;
pub mod remediation;
pub mod reviews;
pub mod session;
pub mod snapshots;
pub mod templates;
pub mod users;
