//! Database access history (`MongoDBAccessLogsList`), version 2023-01-01: authentication
//! attempts against a cluster or process, used for dormancy.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The access-history answer; capped by `nLogs`, not paginated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessLogs {
    #[serde(default)]
    pub access_logs: Vec<AccessLogEntry>,
}

/// One authentication attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessLogEntry {
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub auth_source: Option<String>,
    #[serde(default)]
    pub auth_result: Option<bool>,
    #[serde(default)]
    pub failure_reason: Option<String>,
    #[serde(default)]
    pub ip_address: Option<String>,
    #[serde(default)]
    pub hostname: Option<String>,
    #[serde(default)]
    pub group_id: Option<String>,
    #[serde(default)]
    pub log_line: Option<String>,
    /// Kept raw: Atlas sends a free-form string here, not ISO-8601.
    #[serde(default)]
    pub timestamp: Option<String>,
}

/// Filters of an access-history request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessHistoryQuery {
    /// Window start; Atlas requires `end` too when this is set.
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    /// At most 20,000 (Atlas's default).
    pub n_logs: Option<u32>,
    /// Only successful (`true`) or failed (`false`) attempts.
    pub auth_result: Option<bool>,
    pub ip_address: Option<String>,
}
