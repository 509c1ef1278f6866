//! When a principal was last used: the later of Atlas's `lastAuth` as the snapshot recorded it
//! and the newest sighting kept in `principal_usage` (which outlives Atlas's short retention
//! and includes database access history). NULL means Atlas has no usage data for it.

/// A join of the kept usage of principal `key` in org `org` as `u`. Both arguments are fixed
/// column expressions, never user input.
pub fn join(org: &str, key: &str) -> String {
    format!(" LEFT JOIN principal_usage u ON u.org_id = {org} AND u.principal_key = {key} ")
}

/// The last use of principal `p` joined with [`join`] (GREATEST ignores NULLs).
pub const LAST_USED: &str = "GREATEST(p.last_auth, u.last_used_at)";
