//! The rows a snapshot stores: principals and entitlements as plain values, and the
//! vocabulary (kinds, grant paths, scopes, tiers) spelled exactly as the database checks it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

/// Who holds access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PrincipalKind {
    AtlasUser,
    DatabaseUser,
    Team,
    ApiKey,
    ServiceAccount,
    /// An identity-provider group named in a federation role mapping (or, for post-auth
    /// grants, everyone who signs in through the IdP). Its members are known only to the IdP.
    IdpGroup,
}

impl PrincipalKind {
    /// The name stored in `principal.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AtlasUser => "atlas_user",
            Self::DatabaseUser => "database_user",
            Self::Team => "team",
            Self::ApiKey => "api_key",
            Self::ServiceAccount => "service_account",
            Self::IdpGroup => "idp_group",
        }
    }
}

/// How a grant reaches its principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantPath {
    /// Assigned to the principal itself.
    Direct,
    /// Held through membership of a team assigned to the project.
    Team,
    /// Implied on every project by an org role (ORG_OWNER, ORG_READ_ONLY, …).
    ImplicitOrgRole,
    /// Granted at each SSO sign-in by a federation role mapping.
    FederationMapping,
    /// Granted at each SSO sign-in to everyone (`postAuthRoleGrants`).
    PostAuthGrant,
}

impl GrantPath {
    /// The name stored in `entitlement.grant_path`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Direct => "direct",
            Self::Team => "team",
            Self::ImplicitOrgRole => "implicit_org_role",
            Self::FederationMapping => "federation_mapping",
            Self::PostAuthGrant => "post_auth_grant",
        }
    }
}

/// What a grant covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Org,
    Project,
    /// Every database of the clusters in `cluster_names` (all of the project's when empty).
    Cluster,
    Database,
    Collection,
}

impl Scope {
    /// The name stored in `entitlement.scope`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Org => "org",
            Self::Project => "project",
            Self::Cluster => "cluster",
            Self::Database => "database",
            Self::Collection => "collection",
        }
    }
}

/// Privilege tier, from the role's meaning: admin can grant access or manage credentials,
/// write can change data or infrastructure, read can only look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Read,
    Write,
    Admin,
}

impl Tier {
    /// The name stored in `entitlement.tier`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::Admin => "admin",
        }
    }
}

/// One principal of a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalRow {
    /// Stable across snapshots: `user:<id>`, `team:<id>`, `dbuser:<groupId>/<authDb>/<name>`,
    /// `apikey:<id>`, `sa:<clientId>`, `idp_group:<mappingId>`.
    pub key: String,
    pub kind: PrincipalKind,
    /// Atlas's own identifier (user id, team id, username, key id, client id, mapping id).
    pub atlas_id: String,
    /// The project a database user belongs to.
    pub project_id: Option<String>,
    pub display_name: String,
    pub username: Option<String>,
    pub email: Option<String>,
    /// `SCRAM`, `AWS_IAM_ROLE`, `X509_CUSTOMER`, `LDAP_USER`, `OIDC_IDP_GROUP`, `SSO`, …
    pub auth_type: Option<String>,
    pub membership_status: Option<String>,
    pub last_auth: Option<DateTime<Utc>>,
    /// Key/value labels, sorted by key then value.
    pub labels: Vec<(String, String)>,
}

/// One grant of a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntitlementRow {
    /// Stable across snapshots; see [`super::entitlement`] for the forms.
    pub key: String,
    pub principal_key: String,
    pub grant_path: GrantPath,
    pub scope: Scope,
    pub org_id: String,
    pub project_id: Option<String>,
    /// Sorted; empty means every cluster of the project.
    pub cluster_names: Vec<String>,
    pub database_name: Option<String>,
    pub collection_name: Option<String>,
    pub role: String,
    pub tier: Tier,
    pub via_team_id: Option<String>,
    pub via_mapping_id: Option<String>,
    pub via_org_role: Option<String>,
    /// A custom role's actions (inherited roles expanded), sorted; empty for built-in roles.
    pub role_actions: Vec<String>,
}

/// A project as the snapshot saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectRow {
    pub project_id: String,
    pub name: String,
    pub cluster_count: Option<i64>,
}

/// Everything derived from one pull, sorted by key and free of duplicates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Derived {
    pub projects: Vec<ProjectRow>,
    pub principals: Vec<PrincipalRow>,
    pub entitlements: Vec<EntitlementRow>,
}

/// Per-kind totals of a derived snapshot, stored as `snapshot.counts`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub projects: usize,
    pub principals: usize,
    pub entitlements: usize,
    pub principals_by_kind: BTreeMap<&'static str, usize>,
    pub entitlements_by_grant_path: BTreeMap<&'static str, usize>,
    pub entitlements_by_tier: BTreeMap<&'static str, usize>,
    pub entitlements_by_project: BTreeMap<String, usize>,
}

impl Derived {
    /// The totals of these rows.
    pub fn counts(&self) -> Counts {
        let mut counts = Counts {
            projects: self.projects.len(),
            ..Counts::default()
        };
        for principal in &self.principals {
            counts.add_principal(principal);
        }
        for entitlement in &self.entitlements {
            counts.add_entitlement(entitlement);
        }
        counts
    }
}

impl Counts {
    /// Counts one more principal.
    pub fn add_principal(&mut self, principal: &PrincipalRow) {
        self.principals += 1;
        *self
            .principals_by_kind
            .entry(principal.kind.as_str())
            .or_default() += 1;
    }

    /// Counts one more entitlement.
    pub fn add_entitlement(&mut self, entitlement: &EntitlementRow) {
        self.entitlements += 1;
        *self
            .entitlements_by_grant_path
            .entry(entitlement.grant_path.as_str())
            .or_default() += 1;
        *self
            .entitlements_by_tier
            .entry(entitlement.tier.as_str())
            .or_default() += 1;
        let project = entitlement.project_id.as_deref().unwrap_or("(org)");
        // Looked up before inserting: most rows count towards a project already seen, and
        // `entry` would allocate the key for every one of them.
        match self.entitlements_by_project.get_mut(project) {
            Some(count) => *count += 1,
            None => {
                self.entitlements_by_project.insert(project.to_owned(), 1);
            }
        }
    }
}
