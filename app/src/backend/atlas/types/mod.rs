//! Typed views of the Atlas resources Attest reads and changes, in the versions the client
//! requests.
//!
//! Role names, event types and auth types are open strings: Atlas adds new ones regularly and
//! a snapshot must not fail on a name it has not seen. Fields Attest does not use are dropped
//! here; the raw pages stay available through the request log.

mod access_history;
mod api_key;
mod cluster;
mod custom_role;
mod database_user;
mod event;
mod federation;
mod organization;
mod service_account;
mod team;
mod user;

pub use access_history::{AccessHistoryQuery, AccessLogEntry, AccessLogs};
pub use api_key::{ApiKey, ApiKeyRole, OrgApiKeyUpdate, ProjectApiKeyUpdate};
pub use cluster::{Cluster, ClusterChangeStatus};
pub use custom_role::{CustomDbRole, InheritedRole, PrivilegeAction, PrivilegeResource};
pub use database_user::{DatabaseUser, DatabaseUserLabel, DatabaseUserRole, DatabaseUserScope};
pub use event::{Event, EventQuery};
pub use federation::{
    ConnectedOrgConfig, FederatedRoleAssignment, FederationSettings, RoleMapping,
};
pub use organization::{Organization, Project, ResourceTag};
pub use service_account::{
    OrgServiceAccount, ProjectServiceAccount, ServiceAccountProject, ServiceAccountSecret,
};
pub use team::{ProjectTeam, Team};
pub use user::{GroupRoleAssignment, MembershipStatus, OrgUser, OrgUserRoles, ProjectUser};
