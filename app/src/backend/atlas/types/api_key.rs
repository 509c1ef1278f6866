//! Programmatic API keys (`ApiKeyUserDetails`) and their role updates, version 2023-01-01.

use serde::{Deserialize, Serialize};

/// An API key. Listed at org level it carries all its org and project roles; at project level,
/// those of that project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiKey {
    /// 24-hex id, the `apiUserId` of key paths.
    pub id: String,
    /// Eight characters; identifies the key in events.
    #[serde(default)]
    pub public_key: Option<String>,
    #[serde(default)]
    pub desc: Option<String>,
    #[serde(default)]
    pub roles: Vec<ApiKeyRole>,
}

/// One role of an API key, at org level (`org_id`) or project level (`group_id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyRole {
    #[serde(default)]
    pub org_id: Option<String>,
    #[serde(default)]
    pub group_id: Option<String>,
    pub role_name: String,
}

/// Body of `PATCH /orgs/{orgId}/apiKeys/{apiUserId}`: at least one field; `roles`, when sent,
/// replaces the key's org roles and must not be empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OrgApiKeyUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub desc: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
}

/// Body of `PATCH /groups/{groupId}/apiKeys/{apiUserId}`: the roles sent become the key's
/// roles in that project; roles left out are removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProjectApiKeyUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub desc: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
}
