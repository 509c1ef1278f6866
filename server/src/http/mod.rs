//! The HTTP surface: the router and one middleware per concern.

pub mod auth_routes;
pub mod campaign_report;
pub mod csrf;
pub mod error_page;
pub mod evidence_routes;
pub mod headers;
pub mod health;
pub mod inventory_export;
pub mod metrics;
pub mod request_log;
pub mod roster_upload;
pub mod router;
pub mod snapshot_routes;
pub mod viewer;

pub use router::{ServerState, build_router};
