//! Identity links: which person is behind each principal of a snapshot.
//!
//! Links are derived, never typed in: [`links`] rebuilds a snapshot's links with one
//! set-based statement per method whenever an input changes (a snapshot completes, a roster
//! import lands, a mapping changes). The only hand-made input is an admin's explicit mapping
//! ([`mapping`]), keyed by org and the principal's stable key so it carries across snapshots.
//! [`settings`] holds the owner-label key and the dormancy threshold. Callers authorize first;
//! nothing here decides who may map.
//!
//! A principal has at most two links, one per relation:
//!
//! - **holder**: the access is the person's own. Precedence: `explicit_mapping`, then `email`
//!   (an Atlas user whose sign-in email is a person's email, case-insensitive), then
//!   `username_email` (a database user whose username is a person's email).
//! - **owner**: the person answers for a shared or non-human credential. Precedence:
//!   `explicit_mapping`, then `owner_label` (a database user with a label whose key is the
//!   configured owner key, default `owner`, and whose value is a person's email).
//!
//! The person *behind* a principal is its holder, else its owner: that is who the inventory
//! shows and whose leaving makes the access a leaver's. Campaign routing reads both relations
//! (nobody reviews access they hold or own). API keys and service accounts have no inference
//! and are linked by an explicit owner mapping only; teams and IdP groups are never linked,
//! their members are principals of their own. A linkable principal with neither link is an
//! orphan.

pub mod links;
pub mod mapping;
pub mod settings;

pub use links::{LinkCounts, latest_complete_snapshots, refresh_latest_links, refresh_links};
pub use mapping::{MappingRequest, list_mappings, map_principal, unmap_principal};
pub use settings::{InventorySettings, load_settings, update_settings};

/// Principal kinds that stand for one holder and can therefore be linked to a person.
pub const LINKABLE_KINDS: [&str; 4] = ["atlas_user", "database_user", "api_key", "service_account"];

/// How a person stands to a principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// The access is the person's own.
    Holder,
    /// The person answers for a shared or non-human credential.
    Owner,
}

impl Relation {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Holder => "holder",
            Relation::Owner => "owner",
        }
    }

    /// Parses a stored or submitted name.
    pub fn parse(value: &str) -> Option<Relation> {
        match value.trim() {
            "holder" => Some(Relation::Holder),
            "owner" => Some(Relation::Owner),
            _ => None,
        }
    }

    /// The relations a principal of `kind` may have by explicit mapping: an Atlas user is
    /// always someone's own, an API key or a service account always somebody's responsibility,
    /// a database user either.
    pub fn allowed_for(kind: &str) -> &'static [Relation] {
        match kind {
            "atlas_user" => &[Relation::Holder],
            "api_key" | "service_account" => &[Relation::Owner],
            "database_user" => &[Relation::Holder, Relation::Owner],
            _ => &[],
        }
    }
}

/// Errors of identity links and mappings; the messages name what is wrong and where.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("audit log: {0}")]
    Audit(#[from] crate::backend::audit::AuditError),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
}

impl From<IdentityError> for crate::error::AppError {
    fn from(err: IdentityError) -> Self {
        use crate::backend::respond::with_status;
        use crate::error::AppError;
        match err {
            IdentityError::Invalid(msg) => with_status(AppError::Invalid(msg)),
            IdentityError::NotFound(what) => with_status(AppError::NotFound(what)),
            IdentityError::Conflict(msg) => with_status(AppError::Conflict(msg)),
            IdentityError::Audit(err) => err.into(),
            IdentityError::Database(err) => crate::backend::db::internal("identity", err),
        }
    }
}
