//! Service accounts, version 2024-08-05. Secrets are listed by their metadata only; the clear
//! secret exists only in a create response, which Attest never requests.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An organization's service account (`OrgServiceAccount`); `roles` are org roles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgServiceAccount {
    /// `mdb_sa_id_` followed by 24 hex characters.
    pub client_id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub secrets: Vec<ServiceAccountSecret>,
}

/// A service account as listed on a project (`GroupServiceAccount`); `roles` are project roles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectServiceAccount {
    pub client_id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub roles: Vec<String>,
}

/// One project assignment of a service account (`ServiceAccountGroup`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceAccountProject {
    pub group_id: String,
    #[serde(default)]
    pub roles: Vec<String>,
}

/// Metadata of one service-account secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceAccountSecret {
    pub id: String,
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub last_used_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub masked_secret_value: Option<String>,
}
