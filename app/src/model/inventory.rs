//! View models of the inventory explorer, the leavers list, the person and project pages and
//! the identity mappings. Plain data, compiled for both the server and the browser.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Filters of the inventory explorer. Every field is optional; the page's query string carries
/// them, so a filtered view is a link that can be shared and works without JavaScript.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryFilter {
    /// Part of a linked person's name or email.
    pub person: Option<String>,
    /// Part of a principal's username or display name.
    pub username: Option<String>,
    /// A project id, or part of a project's name.
    pub project: Option<String>,
    /// Part of a role name, e.g. `GROUP_OWNER` or `readWrite`.
    pub role: Option<String>,
    /// `admin`, `write` or `read`.
    pub tier: Option<String>,
    /// A principal kind, e.g. `atlas_user` or `database_user`.
    pub kind: Option<String>,
    /// Only principals linked to no person.
    pub orphan: Option<bool>,
    /// Only principals linked to a leaver.
    pub leaver: Option<bool>,
    /// Only principals unused for the configured number of days.
    pub dormant: Option<bool>,
    /// Exactly this organization (project pages).
    pub org_id: Option<String>,
    /// Exactly this project id (project pages).
    pub project_id: Option<String>,
    /// Exactly this person (person and leaver pages).
    pub person_id: Option<Uuid>,
    /// 1-based page number.
    pub page: Option<i64>,
}

/// The principal kinds a filter may name, with their labels.
pub const PRINCIPAL_KINDS: [(&str, &str); 6] = [
    ("atlas_user", "Atlas user"),
    ("database_user", "Database user"),
    ("team", "Team"),
    ("api_key", "API key"),
    ("service_account", "Service account"),
    ("idp_group", "IdP group"),
];

/// The privilege tiers, highest first.
pub const TIERS: [&str; 3] = ["admin", "write", "read"];

/// The label of a principal kind (the stored name when unknown).
pub fn kind_label(kind: &str) -> &str {
    PRINCIPAL_KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(kind, |(_, label)| label)
}

/// How an identity link was made, in words.
pub fn link_method_label(method: &str) -> &str {
    match method {
        "explicit_mapping" => "explicit mapping",
        "email" => "email match",
        "owner_label" => "owner label",
        "username_email" => "username is an email",
        other => other,
    }
}

/// How a person stands to a principal and how that was found, in words.
pub fn link_label(relation: &str, method: &str) -> String {
    match relation {
        "owner" => format!("owner, by {}", link_method_label(method)),
        _ => link_method_label(method).to_owned(),
    }
}

/// One entitlement as the explorer lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryRow {
    pub org_id: String,
    pub entitlement_key: String,
    pub principal_key: String,
    pub principal_kind: String,
    pub principal_name: String,
    pub username: Option<String>,
    pub person_id: Option<Uuid>,
    pub person_name: Option<String>,
    pub person_email: Option<String>,
    /// How the person shown stands to the principal: `holder`, else `owner`; `None` for an
    /// orphan (or a team or IdP group).
    pub link_relation: Option<String>,
    /// How that link was made.
    pub link_method: Option<String>,
    pub is_leaver: bool,
    /// Whether the principal can be linked to a person at all (not a team or IdP group).
    pub linkable: bool,
    pub project_id: Option<String>,
    pub project_name: Option<String>,
    /// What the grant covers: the org, a project, clusters, a database or a collection.
    pub resource: String,
    pub role: String,
    pub tier: String,
    pub grant_path: String,
    /// Through what: a team's name, an org role, a federation mapping.
    pub granted_via: Option<String>,
    /// `YYYY-MM-DD`; `None` when Atlas has no usage data for the principal.
    pub last_used: Option<String>,
    pub dormant: bool,
}

/// The snapshot an inventory view reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotRef {
    pub id: Uuid,
    pub org_id: String,
    pub org_name: String,
    pub finished_at: String,
}

/// One page of inventory rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryPage {
    pub rows: Vec<InventoryRow>,
    /// Matching rows, counted up to a cap (see `total_capped`).
    pub total: i64,
    /// The count stopped at the cap: there are at least `total` rows.
    pub total_capped: bool,
    pub page: i64,
    pub page_size: i64,
    /// The newest complete snapshot of each org; empty when none exists yet.
    pub snapshots: Vec<SnapshotRef>,
    pub dormant_days: i32,
}

/// A person who has left (or is past their end date) and still holds access.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaverRow {
    pub person_id: Uuid,
    pub name: String,
    pub email: String,
    /// Why they count as a leaver: status, end date, or gone from the roster.
    pub reason: String,
    pub principals: i64,
    pub entitlements: i64,
    pub admin_entitlements: i64,
}

/// Leavers with access: how many, and the first ones by entitlements held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaverList {
    pub total: i64,
    pub leavers: Vec<LeaverRow>,
    /// Whether any complete snapshot exists to judge by.
    pub has_snapshot: bool,
}

/// A principal linked to a person, with how and when it was last used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedPrincipal {
    pub org_id: String,
    pub principal_key: String,
    pub kind: String,
    pub name: String,
    pub username: Option<String>,
    pub auth_type: Option<String>,
    /// `holder` (their own access) or `owner` (a credential they answer for).
    pub relation: String,
    pub link_method: String,
    /// The email, label value or username that matched; for mappings, who mapped it.
    pub matched_on: Option<String>,
    /// For explicit mappings: when it was made.
    pub mapped_at: Option<String>,
    pub last_used: Option<String>,
    pub dormant: bool,
    pub entitlements: i64,
}

/// A directory person, as the person page shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonSummary {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub department: Option<String>,
    pub title: Option<String>,
    pub manager_email: Option<String>,
    pub status: String,
    pub end_date: Option<String>,
    pub in_roster: bool,
    pub is_leaver: bool,
}

/// Everything one person can reach, across Atlas and the databases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonAccess {
    pub person: PersonSummary,
    pub principals: Vec<LinkedPrincipal>,
    pub entitlements: InventoryPage,
}

/// Who can reach one project, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectAccess {
    pub org_id: String,
    pub project_id: String,
    pub project_name: String,
    /// Entitlements on the project per grant path, e.g. `("team", 12)`.
    pub by_grant_path: Vec<(String, i64)>,
    /// Distinct principals that can reach the project.
    pub principals: i64,
    pub entitlements: InventoryPage,
}

/// An explicit mapping of a principal to a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappingRow {
    pub org_id: String,
    pub principal_key: String,
    /// `holder` or `owner`.
    pub relation: String,
    /// The principal's name in the newest snapshot; `None` when it is no longer there.
    pub principal_name: Option<String>,
    pub kind: Option<String>,
    pub person_id: Uuid,
    pub person_email: String,
    pub person_name: String,
    pub mapped_by: String,
    pub mapped_at: String,
}

/// A linkable principal with no person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrphanRow {
    pub org_id: String,
    pub principal_key: String,
    pub kind: String,
    pub name: String,
    pub username: Option<String>,
    pub entitlements: i64,
    pub last_used: Option<String>,
}

/// One page of orphans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrphanPage {
    pub orphans: Vec<OrphanRow>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

/// A leaver and the entitlements they still hold (the first page of them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaverAccess {
    pub leaver: LeaverRow,
    pub access: InventoryPage,
}

impl InventoryFilter {
    /// Reads the explorer's query string (`person`, `username`, `project`, `role`, `tier`,
    /// `kind`, `orphan`, `leaver`, `dormant`, `page`) through `get`. A flag is set by any
    /// value but empty, `0`, `no` or `false`, so a ticked checkbox (`on`) sets it. A page that
    /// is not a number is passed on as 0, which the server refuses by name.
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> InventoryFilter {
        let flag = |name: &str| {
            get(name)
                .filter(|v| !matches!(v.trim(), "" | "0" | "no" | "false"))
                .map(|_| true)
        };
        let text = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        InventoryFilter {
            person: text("person"),
            username: text("username"),
            project: text("project"),
            role: text("role"),
            tier: text("tier"),
            kind: text("kind"),
            orphan: flag("orphan"),
            leaver: flag("leaver"),
            dormant: flag("dormant"),
            org_id: None,
            project_id: None,
            person_id: None,
            page: text("page").map(|p| p.trim().parse().unwrap_or(0)),
        }
    }

    /// The query string of this filter without the page, percent-encoded, for links.
    pub fn to_query(&self) -> String {
        let on = |flag: Option<bool>| (flag == Some(true)).then_some("1");
        crate::ui::url::query([
            ("person", self.person.as_deref()),
            ("username", self.username.as_deref()),
            ("project", self.project.as_deref()),
            ("role", self.role.as_deref()),
            ("tier", self.tier.as_deref()),
            ("kind", self.kind.as_deref()),
            ("orphan", on(self.orphan)),
            ("leaver", on(self.leaver)),
            ("dormant", on(self.dormant)),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_survives_its_query_string() {
        let filter = InventoryFilter {
            person: Some("Ann & Bo".into()),
            tier: Some("admin".into()),
            orphan: Some(true),
            ..Default::default()
        };
        let query = filter.to_query();
        assert_eq!(query, "person=Ann%20%26%20Bo&tier=admin&orphan=1");
        let pairs: Vec<(String, String)> = query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.replace("%20", " ").replace("%26", "&")))
            .collect();
        let back = InventoryFilter::from_query(|name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        });
        assert_eq!(back, filter);
    }

    #[test]
    fn an_unticked_or_false_flag_is_no_filter() {
        let back = InventoryFilter::from_query(|name| (name == "leaver").then(|| "0".to_owned()));
        assert_eq!(back.leaver, None);
        let back = InventoryFilter::from_query(|name| (name == "leaver").then(|| "on".to_owned()));
        assert_eq!(back.leaver, Some(true));
    }
}
