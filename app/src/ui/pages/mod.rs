//! One module per page.

pub mod audit;
pub mod campaigns;
pub mod dashboard;
pub mod evidence;
pub mod inventory;
pub mod people;
pub mod placeholder;
pub mod remediation;
pub mod reviews;
pub mod settings;
pub mod sign_in;
pub mod snapshots;
