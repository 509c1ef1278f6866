//! Federated authentication: settings, connected org configs and IdP role mappings, version
//! 2023-01-01. Role mappings re-grant roles at every SSO sign-in, so a revocation made only in
//! Atlas does not last while a mapping grants the role again.

use serde::{Deserialize, Serialize};

/// An organization's federation settings (`OrgFederationSettings`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FederationSettings {
    /// The `federationSettingsId` of federation paths.
    pub id: String,
    #[serde(default)]
    pub federated_domains: Vec<String>,
    #[serde(default)]
    pub has_role_mappings: Option<bool>,
    #[serde(default)]
    pub identity_provider_id: Option<String>,
    #[serde(default)]
    pub identity_provider_status: Option<String>,
}

/// One organization connected to federation settings (`ConnectedOrgConfig`). Array order is
/// not stable between reads; compare as sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectedOrgConfig {
    pub org_id: String,
    #[serde(default)]
    pub domain_restriction_enabled: Option<bool>,
    #[serde(default)]
    pub domain_allow_list: Vec<String>,
    #[serde(default)]
    pub identity_provider_id: Option<String>,
    #[serde(default)]
    pub data_access_identity_provider_ids: Vec<String>,
    /// Org roles every user receives after signing in through the IdP.
    #[serde(default)]
    pub post_auth_role_grants: Vec<String>,
    #[serde(default)]
    pub role_mappings: Vec<RoleMapping>,
    #[serde(default)]
    pub instant_user_provisioning_disabled: Option<bool>,
}

/// An IdP group mapped to Atlas roles (`AuthFederationRoleMapping`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleMapping {
    #[serde(default)]
    pub id: Option<String>,
    pub external_group_name: String,
    #[serde(default)]
    pub role_assignments: Vec<FederatedRoleAssignment>,
}

/// One role a mapping grants, in the org (`org_id`) or a project (`group_id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FederatedRoleAssignment {
    #[serde(default)]
    pub org_id: Option<String>,
    #[serde(default)]
    pub group_id: Option<String>,
    #[serde(default)]
    pub role: Option<String>,
}
