//! The typed Atlas calls, one file per resource, each an `impl AtlasClient` block.
//!
//! Every call names its spec `operationId` and the exact API version the spec lists for it.
//! Reads used by snapshots return whole listings ([`Listing`](super::Listing)); revocations
//! return what Atlas returns and leave idempotency (pre-read, 404 handling, re-read) to the
//! remediation code.

mod access_history;
mod api_keys;
mod clusters;
mod custom_roles;
mod database_users;
mod events;
mod federation;
mod organizations;
mod project_users;
mod service_accounts;
mod teams;
mod users;

use super::path::Query;
use super::types::MembershipStatus;

/// Asks for users in every membership status; without it Atlas hides expired and rejected
/// invitations.
fn all_membership_statuses() -> Query {
    let mut query = Query::new();
    for status in MembershipStatus::ALL {
        query.push("orgMembershipStatuses", status.as_str());
    }
    query
}
