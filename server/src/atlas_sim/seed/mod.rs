//! Seeded organizations, chosen by [`OrgSize`]. The same seed always yields the same org, ids
//! and secrets included, plus the people directory (roster) of the same company.
//!
//! - `demo`: `DemoOrg::build(seed)` makes "Northwind Cloud", a company of 80 people in eight
//!   departments with 12 projects, 78 Atlas users and 150 database users: department heads and
//!   team leads, active users, pending and expired invitations, five leavers who still hold
//!   Atlas and database access, someone on notice, agency accounts no roster lists, teams on
//!   projects, database users of every auth type (with `owner` labels, some pointing at
//!   nobody), custom roles, API keys, service accounts, federation role mappings, access
//!   history and a history of events. It is built in two passes (`build.rs`, then
//!   `growth.rs` for the Security and Mobile departments); the second only appends, so the
//!   first pass's people, ids and secrets are what they always were.
//! - `large`: "Globex Data", 1,000 projects, 10,000 Atlas users, 50,000 database users,
//!   300 API keys and 150 service accounts, for benchmarks and scale tests (`large.rs`).

mod build;
mod growth;
mod large;
mod names;

use chrono::{DateTime, TimeZone, Utc};

pub use build::{DemoCredentials, DemoOrg, DemoPerson};
pub use large::{LARGE_ATLAS_USERS, LARGE_DATABASE_USERS, LARGE_PEOPLE, LARGE_PROJECTS};

/// Which seeded organization to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum OrgSize {
    /// "Northwind Cloud": 12 projects, 80 people, 150 database users; what demo mode shows.
    #[default]
    Demo,
    /// "Globex Data": 1,000 projects, 10,000 Atlas users, 50,000 database users.
    Large,
}

impl OrgSize {
    /// The org of this size for `seed`, dated relative to the start of the current UTC day.
    pub fn build(self, seed: u64) -> DemoOrg {
        let today = Utc::now()
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default();
        self.build_at(seed, Utc.from_utc_datetime(&today))
    }

    /// The org of this size for `seed` with every date relative to `anchor`.
    pub fn build_at(self, seed: u64, anchor: DateTime<Utc>) -> DemoOrg {
        match self {
            OrgSize::Demo => DemoOrg::build_at(seed, anchor),
            OrgSize::Large => large::build_large(seed, anchor),
        }
    }
}
