//! Who is behind each principal, as routing needs it: the person who *holds* it (their own
//! access) and the person who *owns* a non-human credential.
//!
//! Limitation: this derives the links itself from a snapshot's principals until the shared
//! identity-link table of the inventory exists; only this file changes when it does. Methods,
//! in order of precedence:
//! - holder `email`: an Atlas user's email is a person's email (case-insensitive);
//! - holder `username_email`: a database user whose username is a person's email;
//! - owner `owner_label`: a database user's `owner` label names a person's email.
//!
//! API keys, service accounts, teams and identity-provider groups have no automatic link, so
//! they are orphans and reach the fallback reviewers until explicit mappings exist.

/// Creates the temporary tables `camp_holder (snapshot_id, principal_key, person_id, method)`
/// and `camp_owner (snapshot_id, principal_key, person_id)` for the snapshots in `$1`,
/// dropped when the transaction ends.
pub const LINK_TABLES: [&str; 2] = [
    "CREATE TEMP TABLE camp_holder ON COMMIT DROP AS \
     SELECT DISTINCT ON (p.snapshot_id, p.key) p.snapshot_id, p.key AS principal_key, \
            per.id AS person_id, \
            CASE WHEN p.kind = 'atlas_user' THEN 'email' ELSE 'username_email' END AS method \
     FROM principal p JOIN person per ON per.email = lower(btrim(p.email)) \
     WHERE p.snapshot_id = ANY($1) AND p.kind IN ('atlas_user', 'database_user') \
     ORDER BY p.snapshot_id, p.key",
    "CREATE TEMP TABLE camp_owner ON COMMIT DROP AS \
     SELECT DISTINCT ON (p.snapshot_id, p.key) p.snapshot_id, p.key AS principal_key, \
            per.id AS person_id \
     FROM principal p \
     CROSS JOIN LATERAL jsonb_array_elements(p.labels) AS label \
     JOIN person per ON per.email = lower(btrim(label->>'value')) \
     WHERE p.snapshot_id = ANY($1) AND p.kind = 'database_user' \
       AND lower(label->>'key') = 'owner' \
     ORDER BY p.snapshot_id, p.key, per.email",
];
