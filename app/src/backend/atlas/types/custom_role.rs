//! Custom database roles (`UserCustomDBRole`), version 2023-01-01.

use serde::{Deserialize, Serialize};

/// A project's custom database role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomDbRole {
    pub role_name: String,
    #[serde(default)]
    pub actions: Vec<PrivilegeAction>,
    #[serde(default)]
    pub inherited_roles: Vec<InheritedRole>,
}

/// One privilege action and where it applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivilegeAction {
    /// E.g. `FIND`, `INSERT`, `DROP_DATABASE`; kept open.
    pub action: String,
    #[serde(default)]
    pub resources: Vec<PrivilegeResource>,
}

/// A namespace (or the cluster) a privilege covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivilegeResource {
    #[serde(default)]
    pub cluster: Option<bool>,
    #[serde(default)]
    pub db: Option<String>,
    #[serde(default)]
    pub collection: Option<String>,
}

/// A role this role inherits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InheritedRole {
    pub db: String,
    pub role: String,
}
