//! Plain types shared by the server and the browser: who is signed in, what they may see.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub mod access_words;
pub mod campaign;
pub mod evidence;
pub mod inventory;
pub mod remediation;
pub mod snapshot;

/// A role granted inside Attest. Reviewer is not a stored role: anyone with assigned
/// review items reviews them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    /// Connects orgs, imports people, runs campaigns, manages roles.
    Admin,
    /// Reads everything, changes nothing.
    Auditor,
}

impl Role {
    /// The name stored in the database and shown in the UI.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Auditor => "auditor",
        }
    }

    /// Parses a stored or submitted role name.
    pub fn parse(name: &str) -> Option<Role> {
        match name {
            "admin" => Some(Role::Admin),
            "auditor" => Some(Role::Auditor),
            _ => None,
        }
    }
}

/// The signed-in user as the UI and the authorization checks see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub user_id: Uuid,
    pub display_name: String,
    pub email: Option<String>,
    pub roles: Vec<Role>,
}

impl Viewer {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn is_admin(&self) -> bool {
        self.has(Role::Admin)
    }

    /// Admins and auditors may read every campaign, the inventory and the audit log.
    pub fn can_read_everything(&self) -> bool {
        self.is_admin() || self.has(Role::Auditor)
    }

    /// The sections this user's navigation shows, in order.
    pub fn sections(&self) -> Vec<Section> {
        Section::ALL
            .into_iter()
            .filter(|section| section.visible_to(self))
            .collect()
    }
}

/// A top-level section of the app shell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Section {
    Dashboard,
    MyReviews,
    Campaigns,
    Inventory,
    Snapshots,
    People,
    Remediation,
    Audit,
    Evidence,
    Settings,
}

impl Section {
    pub const ALL: [Section; 10] = [
        Section::Dashboard,
        Section::MyReviews,
        Section::Campaigns,
        Section::Inventory,
        Section::Snapshots,
        Section::People,
        Section::Remediation,
        Section::Audit,
        Section::Evidence,
        Section::Settings,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Section::Dashboard => "Dashboard",
            Section::MyReviews => "My reviews",
            Section::Campaigns => "Campaigns",
            Section::Inventory => "Inventory",
            Section::Snapshots => "Snapshots",
            Section::People => "People",
            Section::Remediation => "Remediation",
            Section::Audit => "Audit",
            Section::Evidence => "Evidence",
            Section::Settings => "Settings",
        }
    }

    pub fn path(self) -> &'static str {
        match self {
            Section::Dashboard => "/",
            Section::MyReviews => "/reviews",
            Section::Campaigns => "/campaigns",
            Section::Inventory => "/inventory",
            Section::Snapshots => "/snapshots",
            Section::People => "/people",
            Section::Remediation => "/remediation",
            Section::Audit => "/audit",
            Section::Evidence => "/evidence",
            Section::Settings => "/settings",
        }
    }

    /// Whether `viewer` may open this section. The server checks the same rule again in
    /// every server function; this only decides what the navigation shows.
    pub fn visible_to(self, viewer: &Viewer) -> bool {
        match self {
            Section::Dashboard => true,
            // A pure auditor reviews nothing; everyone else may have items assigned.
            Section::MyReviews => viewer.is_admin() || !viewer.has(Role::Auditor),
            Section::Campaigns
            | Section::Inventory
            | Section::Snapshots
            | Section::People
            | Section::Remediation
            | Section::Audit
            | Section::Evidence => viewer.can_read_everything(),
            Section::Settings => viewer.is_admin(),
        }
    }
}

/// What the shell needs to know before rendering anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub viewer: Option<Viewer>,
    /// Demo mode: sign-in offers "act as" buttons and Atlas is simulated.
    pub demo_mode: bool,
    /// Whether an OIDC identity provider is configured.
    pub sso_enabled: bool,
}

/// A user as listed on the admin's user page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: Uuid,
    pub display_name: String,
    pub email: Option<String>,
    pub issuer: String,
    pub roles: Vec<Role>,
    pub last_sign_in: Option<String>,
}

/// One audit event as shown on the audit page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEventRow {
    pub seq: i64,
    pub occurred_at: String,
    pub actor: String,
    pub action: String,
    pub object_kind: String,
    pub object_id: String,
    pub details: String,
}

/// Filters for the audit page; every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub object: Option<String>,
    /// Inclusive lower bound, `YYYY-MM-DD` or RFC 3339.
    pub from: Option<String>,
    /// Exclusive upper bound, `YYYY-MM-DD` or RFC 3339.
    pub until: Option<String>,
    /// Show events with a sequence number below this one (paging backwards in time).
    pub before_seq: Option<i64>,
}

/// A page of audit events, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub events: Vec<AuditEventRow>,
    /// Pass as `before_seq` to fetch the next (older) page.
    pub next_before_seq: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viewer(roles: &[Role]) -> Viewer {
        Viewer {
            user_id: Uuid::nil(),
            display_name: "Test".into(),
            email: None,
            roles: roles.to_vec(),
        }
    }

    #[test]
    fn admin_sees_every_section() {
        assert_eq!(viewer(&[Role::Admin]).sections(), Section::ALL.to_vec());
    }

    #[test]
    fn auditor_sees_read_only_sections_and_no_review_queue() {
        assert_eq!(
            viewer(&[Role::Auditor]).sections(),
            vec![
                Section::Dashboard,
                Section::Campaigns,
                Section::Inventory,
                Section::Snapshots,
                Section::People,
                Section::Remediation,
                Section::Audit,
                Section::Evidence
            ]
        );
    }

    #[test]
    fn reviewer_sees_only_dashboard_and_own_reviews() {
        assert_eq!(
            viewer(&[]).sections(),
            vec![Section::Dashboard, Section::MyReviews]
        );
    }

    #[test]
    fn role_names_round_trip() {
        for role in [Role::Admin, Role::Auditor] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}

/// A person in the directory, as the People page lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRow {
    pub email: String,
    pub name: String,
    pub manager_email: Option<String>,
    pub department: Option<String>,
    pub title: Option<String>,
    pub status: String,
    pub end_date: Option<String>,
    pub in_roster: bool,
    /// Status leaver, end date passed, or no longer in the roster.
    pub is_leaver: bool,
}

/// One page of people matching a search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeoplePage {
    pub people: Vec<PersonRow>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

/// One roster import, as listed on the People page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRow {
    pub id: Uuid,
    pub file_name: String,
    pub file_sha256: String,
    pub people: i32,
    pub added: i32,
    pub changed: i32,
    pub removed: i32,
    pub imported_by: String,
    pub imported_at: String,
}

/// A person's change recorded by an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportChangeRow {
    pub email: String,
    pub change: String,
    pub fields: Vec<String>,
}

/// The directory's state for the People page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryOverview {
    pub imports: Vec<ImportRow>,
    /// The changes the newest import made (at most the first 200).
    pub latest_changes: Vec<ImportChangeRow>,
    pub latest_changes_total: i64,
}
