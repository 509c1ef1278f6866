//! Seeded organizations. `DemoOrg::build(seed)` makes "Northwind Cloud", a company of about
//! 40 people: department managers, active users, pending and expired invitations, leavers who
//! still hold Atlas and database access, teams on projects, database users of every auth type
//! (with `owner` labels, some pointing at nobody), custom roles, API keys, service accounts,
//! federation role mappings, access history and a history of events. The same seed always
//! yields the same org, ids and secrets included.
//!
//! Limitation: only the `demo` size exists; the `large` org (1,000 projects) is not built yet.

mod build;
mod names;

pub use build::{DemoCredentials, DemoOrg, DemoPerson};
