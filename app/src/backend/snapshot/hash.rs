//! The content hash of a snapshot: SHA-256 over one normalized line per principal and per
//! entitlement, sorted, so two snapshots that found the same access hash the same whatever
//! order Atlas listed things in.
//!
//! `last_auth` is left out on purpose: it is usage, not access, and changes with every
//! sign-in.
//!
//! [`content_sha256`] is the definition, over rows held in memory. A snapshot computes the
//! same hash with [`ContentHasher`] while its entitlements stream past in key order, without
//! ever holding all of their lines.

use sha2::{Digest, Sha256};

use super::model::{Derived, EntitlementRow, PrincipalRow};

/// Separates fields; it cannot occur in Atlas identifiers or role names.
const FIELD: char = '\u{1f}';

fn opt(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("")
}

fn principal_line(p: &PrincipalRow) -> String {
    let labels = p
        .labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",");
    [
        "P",
        &p.key,
        p.kind.as_str(),
        &p.atlas_id,
        opt(&p.project_id),
        &p.display_name,
        opt(&p.username),
        opt(&p.email),
        opt(&p.auth_type),
        opt(&p.membership_status),
        &labels,
    ]
    .join(&FIELD.to_string())
}

fn entitlement_line(e: &EntitlementRow) -> String {
    [
        "E",
        &e.key,
        &e.principal_key,
        e.grant_path.as_str(),
        e.scope.as_str(),
        &e.org_id,
        opt(&e.project_id),
        &e.cluster_names.join(","),
        opt(&e.database_name),
        opt(&e.collection_name),
        &e.role,
        e.tier.as_str(),
        opt(&e.via_team_id),
        opt(&e.via_mapping_id),
        opt(&e.via_org_role),
        &e.role_actions.join(","),
    ]
    .join(&FIELD.to_string())
}

/// Lowercase hex SHA-256 of the normalized rows.
pub fn content_sha256(derived: &Derived) -> String {
    let mut lines: Vec<String> = derived
        .principals
        .iter()
        .map(principal_line)
        .chain(derived.entitlements.iter().map(entitlement_line))
        .collect();
    lines.sort_unstable();
    let mut hasher = Sha256::new();
    for line in &lines {
        hasher.update(line.as_bytes());
        hasher.update(b"\n");
    }
    hex::encode(hasher.finalize())
}

/// [`content_sha256`] computed incrementally: entitlements one at a time in ascending key
/// order, then the principals.
///
/// Why key order gives the sorted order of lines: every entitlement line sorts before every
/// principal line (`E` < `P`), and a line is `E`, the key, then the other fields, all joined by
/// U+001F. Two lines therefore compare like their keys, except when one key is a prefix of the
/// other (`…/role:GROUP_OWNER` and `…/role:GROUP_OWNER/via:team:…`): then the separator meets
/// a character of the longer key, and the order depends on that character. Keys that extend a
/// first key follow it directly in key order, so the hasher holds such a run (usually one to
/// three rows), sorts it by line, and hashes it once a key arrives that does not extend it.
#[derive(Default)]
pub struct ContentHasher {
    hasher: Sha256,
    /// Consecutive entitlements whose keys all start with the first one's: (key, line).
    run: Vec<(String, String)>,
}

impl ContentHasher {
    /// Adds one entitlement; call in strictly ascending key order.
    pub fn entitlement(&mut self, row: &EntitlementRow) {
        if let Some((first, _)) = self.run.first()
            && !row.key.starts_with(first.as_str())
        {
            self.flush_run();
        }
        self.run.push((row.key.clone(), entitlement_line(row)));
    }

    fn flush_run(&mut self) {
        self.run.sort_unstable_by(|a, b| a.1.cmp(&b.1));
        for (_, line) in self.run.drain(..) {
            self.hasher.update(line.as_bytes());
            self.hasher.update(b"\n");
        }
    }

    /// The hash, once every entitlement was added, with the snapshot's principals.
    pub fn finish(mut self, principals: &[PrincipalRow]) -> String {
        self.flush_run();
        let mut lines: Vec<String> = principals.iter().map(principal_line).collect();
        lines.sort_unstable();
        for line in &lines {
            self.hasher.update(line.as_bytes());
            self.hasher.update(b"\n");
        }
        hex::encode(self.hasher.finalize())
    }
}

/// Lowercase hex SHA-256 over the page hashes in request order: one hash for the whole set.
pub fn pages_sha256<'a>(page_hashes: impl IntoIterator<Item = &'a str>) -> String {
    let mut hasher = Sha256::new();
    for hash in page_hashes {
        hasher.update(hash.as_bytes());
        hasher.update(b"\n");
    }
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::snapshot::model::{GrantPath, PrincipalKind, Scope, Tier};

    fn principal(key: &str) -> PrincipalRow {
        PrincipalRow {
            key: key.to_owned(),
            kind: PrincipalKind::AtlasUser,
            atlas_id: key.to_owned(),
            project_id: None,
            display_name: key.to_owned(),
            username: None,
            email: None,
            auth_type: None,
            membership_status: None,
            last_auth: None,
            labels: vec![],
        }
    }

    fn entitlement(key: &str, tier: Tier) -> EntitlementRow {
        EntitlementRow {
            key: key.to_owned(),
            principal_key: "user:a".to_owned(),
            grant_path: GrantPath::Direct,
            scope: Scope::Org,
            org_id: "o".to_owned(),
            project_id: None,
            cluster_names: vec![],
            database_name: None,
            collection_name: None,
            role: "ORG_MEMBER".to_owned(),
            tier,
            via_team_id: None,
            via_mapping_id: None,
            via_org_role: None,
            role_actions: vec![],
        }
    }

    #[test]
    fn order_does_not_matter_but_content_and_facts_do() {
        let a = Derived {
            projects: vec![],
            principals: vec![principal("user:a"), principal("user:b")],
            entitlements: vec![entitlement("k1", Tier::Read), entitlement("k2", Tier::Read)],
        };
        let mut reordered = a.clone();
        reordered.principals.reverse();
        reordered.entitlements.reverse();
        assert_eq!(content_sha256(&a), content_sha256(&reordered));

        let mut retiered = a.clone();
        retiered.entitlements[0].tier = Tier::Write;
        assert_ne!(content_sha256(&a), content_sha256(&retiered));

        let mut renamed = a.clone();
        renamed.principals[0].display_name = "Someone else".to_owned();
        assert_ne!(content_sha256(&a), content_sha256(&renamed));

        let mut signed_in = a.clone();
        signed_in.principals[0].last_auth = Some(chrono::Utc::now());
        assert_eq!(content_sha256(&a), content_sha256(&signed_in));
    }

    fn streamed(derived: &Derived) -> String {
        let mut entitlements: Vec<&EntitlementRow> = derived.entitlements.iter().collect();
        entitlements.sort_by(|a, b| a.key.cmp(&b.key));
        let mut hasher = ContentHasher::default();
        for row in entitlements {
            hasher.entitlement(row);
        }
        hasher.finish(&derived.principals)
    }

    #[test]
    fn streamed_hash_equals_the_sorted_lines_hash_even_where_keys_extend_each_other() {
        // Keys that extend another, with characters on both sides of the separator after the
        // shared part (`!` and `/` sort above U+001F, the controls below it).
        let keys = [
            "project:p/user:a/role:GROUP_OWNER",
            "project:p/user:a/role:GROUP_OWNER/via:team:t",
            "project:p/user:a/role:GROUP_OWNER\u{1}x",
            "project:p/user:a/role:GROUP_OWNER\u{1f}",
            "project:p/user:a/role:GROUP_OWNER!",
            "project:p/dbuser:admin/app/role:read@db",
            "project:p/dbuser:admin/app/role:read@db.orders",
            "project:p/dbuser:admin/app/role:read@db\u{0}",
            "org:o/user:a/role:ORG_OWNER",
            "project:q/user:a/role:GROUP_READ_ONLY",
        ];
        let mut derived = Derived {
            projects: vec![],
            principals: vec![principal("user:a"), principal("user:b")],
            entitlements: keys
                .iter()
                .enumerate()
                .map(|(i, key)| {
                    let tier = if i % 2 == 0 { Tier::Read } else { Tier::Admin };
                    entitlement(key, tier)
                })
                .collect(),
        };
        assert_eq!(streamed(&derived), content_sha256(&derived));
        derived.entitlements.clear();
        assert_eq!(streamed(&derived), content_sha256(&derived));
        derived.principals.clear();
        assert_eq!(streamed(&derived), content_sha256(&derived));
    }
}
