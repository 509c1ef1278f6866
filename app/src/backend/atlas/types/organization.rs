//! Organizations and projects (Atlas calls projects "groups"), version 2023-01-01.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An Atlas organization (`AtlasOrganization`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    /// 24-hex id.
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub is_deleted: Option<bool>,
}

/// A project (`Group`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Project {
    /// 24-hex id, the `groupId` of every project path.
    pub id: String,
    pub name: String,
    pub org_id: String,
    #[serde(default)]
    pub created: Option<DateTime<Utc>>,
    #[serde(default)]
    pub cluster_count: Option<i64>,
    #[serde(default)]
    pub tags: Vec<ResourceTag>,
}

/// A key/value tag on a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceTag {
    pub key: String,
    pub value: String,
}
