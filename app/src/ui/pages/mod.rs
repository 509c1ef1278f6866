//! One module per page.

pub mod audit;
pub mod dashboard;
pub mod people;
pub mod placeholder;
pub mod settings;
pub mod sign_in;
