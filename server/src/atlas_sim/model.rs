//! The simulated Atlas's records: plain data, no behaviour beyond small derived facts. The
//! shapes follow what Atlas stores, not what one API version renders; `views` renders them.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

/// Project roles keyed by project (group) id.
pub type GroupRoles = BTreeMap<String, Vec<String>>;

/// An organization.
#[derive(Debug, Clone)]
pub struct Org {
    pub id: String,
    pub name: String,
}

/// A project (Atlas calls it a group).
#[derive(Debug, Clone)]
pub struct Project {
    pub id: String,
    pub org_id: String,
    pub name: String,
    pub created: DateTime<Utc>,
    /// Cluster names; each cluster's single host is `<name>-shard-00-00.<project>.mongodb.net`.
    pub clusters: Vec<String>,
    /// Teams assigned to this project, with their project roles.
    pub teams: BTreeMap<String, Vec<String>>,
    /// When database users last changed; clusters report PENDING until the change applies.
    pub db_users_changed_at: Option<DateTime<Utc>>,
}

/// Where an org user stands with the org.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Membership {
    Active,
    /// Invited and not yet accepted; shown as `INVITATION_EXPIRED` once past its expiry.
    Pending,
    Rejected,
}

/// One Atlas (cloud) user in one org.
// Limitation: a person belongs to one org only; Atlas lets one login join several orgs.
#[derive(Debug, Clone)]
pub struct OrgUser {
    pub id: String,
    pub org_id: String,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub country: String,
    pub mobile_number: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_auth: Option<DateTime<Utc>>,
    pub membership: Membership,
    pub invitation_created_at: Option<DateTime<Utc>>,
    pub invitation_expires_at: Option<DateTime<Utc>>,
    pub inviter_username: Option<String>,
    pub org_roles: Vec<String>,
    pub group_roles: GroupRoles,
    pub team_ids: BTreeSet<String>,
}

/// A team of org users.
#[derive(Debug, Clone)]
pub struct Team {
    pub id: String,
    pub org_id: String,
    pub name: String,
}

/// One role of a database user.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DbRole {
    pub role_name: String,
    pub database_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection_name: Option<String>,
}

/// A cluster, data lake or stream workspace a database user is limited to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DbScope {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
}

/// A key/value label on a database user; Attest reads the `owner` label.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Label {
    pub key: String,
    pub value: String,
}

/// A database user, identified by (project, authentication database, username).
#[derive(Debug, Clone)]
pub struct DbUser {
    pub group_id: String,
    /// The authentication database: `admin` or `$external`.
    pub database_name: String,
    pub username: String,
    pub roles: Vec<DbRole>,
    pub scopes: Vec<DbScope>,
    pub labels: Vec<Label>,
    pub ldap_auth_type: String,
    pub aws_iam_type: String,
    pub x509_type: String,
    pub oidc_auth_type: String,
    pub description: Option<String>,
    pub delete_after_date: Option<DateTime<Utc>>,
}

/// A custom database role of a project.
#[derive(Debug, Clone)]
pub struct CustomRole {
    pub group_id: String,
    pub role_name: String,
    /// Kept as the JSON Atlas accepts (`[{action, resources[]}]`), since it is only echoed.
    pub actions: serde_json::Value,
    pub inherited_roles: serde_json::Value,
}

/// A programmatic API key of an org.
#[derive(Debug, Clone)]
pub struct ApiKey {
    pub id: String,
    pub org_id: String,
    pub public_key: String,
    pub private_key: String,
    pub desc: String,
    pub org_roles: Vec<String>,
    pub group_roles: GroupRoles,
}

/// One client secret of a service account.
#[derive(Debug, Clone)]
pub struct Secret {
    pub id: String,
    pub value: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// An org service account and its project assignments.
#[derive(Debug, Clone)]
pub struct ServiceAccount {
    pub client_id: String,
    pub org_id: String,
    pub name: String,
    pub description: String,
    pub created_at: DateTime<Utc>,
    pub org_roles: Vec<String>,
    pub group_roles: GroupRoles,
    pub secrets: Vec<Secret>,
}

/// One federation role mapping: an IdP group that grants Atlas roles at each SSO login.
#[derive(Debug, Clone)]
pub struct RoleMapping {
    pub id: String,
    pub external_group_name: String,
    /// `[{orgId|groupId, role}]`, echoed as sent.
    pub role_assignments: serde_json::Value,
}

/// Federation settings with one connected org.
// Limitation: one connected org per federation; Atlas allows several orgs per federation.
#[derive(Debug, Clone)]
pub struct Federation {
    pub id: String,
    pub org_id: String,
    pub federated_domains: Vec<String>,
    pub identity_provider_id: String,
    pub domain_restriction_enabled: bool,
    pub domain_allow_list: Vec<String>,
    pub post_auth_role_grants: Vec<String>,
    pub role_mappings: Vec<RoleMapping>,
}

/// One authentication attempt against a cluster.
#[derive(Debug, Clone)]
pub struct AccessLog {
    pub group_id: String,
    pub cluster_name: String,
    pub hostname: String,
    pub username: String,
    pub auth_source: String,
    pub auth_result: bool,
    pub ip_address: String,
    pub at: DateTime<Utc>,
}

/// Who performed an audited change.
#[derive(Debug, Clone)]
pub enum Actor {
    User {
        id: String,
        username: String,
    },
    ApiKey {
        id: String,
        public_key: String,
    },
    /// Limitation: how Atlas records a service-account actor is not confirmed; the simulator
    /// puts the client id in `username`.
    ServiceAccount {
        client_id: String,
    },
}

/// One entry of the org or project activity feed.
#[derive(Debug, Clone)]
pub struct Event {
    pub id: String,
    pub created: DateTime<Utc>,
    pub event_type: String,
    pub org_id: String,
    pub group_id: Option<String>,
    pub actor: Option<Actor>,
    /// Family-specific target fields such as `targetUsername` or `dbUserUsername`.
    pub target: serde_json::Map<String, serde_json::Value>,
}
