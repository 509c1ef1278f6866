//! Who is behind each principal, as routing needs it: the person who *holds* it (their own
//! access) and the person who *owns* a non-human credential. Both are read from the identity
//! links materialized for every complete snapshot ([`crate::backend::identity`]), so a
//! campaign sees exactly the people the inventory shows, explicit mappings included.
//!
//! Limitation: links are refreshed for the newest complete snapshot of each org only; a
//! campaign over an older snapshot routes by the links that snapshot had when it was newest.

/// Creates the temporary tables `camp_holder (snapshot_id, principal_key, person_id, method)`
/// and `camp_owner (snapshot_id, principal_key, person_id, method)` for the snapshots in `$1`,
/// dropped when the transaction ends.
pub const LINK_TABLES: [&str; 2] = [
    "CREATE TEMP TABLE camp_holder ON COMMIT DROP AS \
     SELECT snapshot_id, principal_key, person_id, method FROM identity_link \
     WHERE snapshot_id = ANY($1) AND relation = 'holder'",
    "CREATE TEMP TABLE camp_owner ON COMMIT DROP AS \
     SELECT snapshot_id, principal_key, person_id, method FROM identity_link \
     WHERE snapshot_id = ANY($1) AND relation = 'owner'",
];
