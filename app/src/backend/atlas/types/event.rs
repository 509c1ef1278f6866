//! Org and project events, version 2023-01-01: Atlas's audit trail of access changes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One event. The actor is a person (`user_id`, `username`) or an API key (`api_key_id`,
/// `public_key`); the target depends on the family. Everything else Atlas sends is in `other`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub id: String,
    pub created: DateTime<Utc>,
    /// Open string: Atlas adds event types often.
    pub event_type_name: String,
    #[serde(default)]
    pub org_id: Option<String>,
    #[serde(default)]
    pub group_id: Option<String>,
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub api_key_id: Option<String>,
    #[serde(default)]
    pub public_key: Option<String>,
    #[serde(default)]
    pub remote_address: Option<String>,
    /// A MongoDB employee acted.
    #[serde(default)]
    pub is_global_admin: Option<bool>,
    #[serde(default)]
    pub target_username: Option<String>,
    #[serde(default)]
    pub target_public_key: Option<String>,
    #[serde(default)]
    pub team_id: Option<String>,
    #[serde(default)]
    pub db_user_username: Option<String>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// Filters of an event listing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventQuery {
    /// Only these event types; empty for all.
    pub event_types: Vec<String>,
    pub min_date: Option<DateTime<Utc>>,
    pub max_date: Option<DateTime<Utc>>,
    /// Ask Atlas to include each event's raw document.
    pub include_raw: bool,
}
