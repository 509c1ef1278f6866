//! Plain types of the Snapshots pages, shared by the server and the browser.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One snapshot as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotSummary {
    pub id: Uuid,
    pub org_id: String,
    pub org_name: String,
    /// `running`, `complete` or `failed`.
    pub status: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub duration_ms: Option<i64>,
    pub principals: i64,
    pub entitlements: i64,
    pub content_sha256: Option<String>,
    pub started_by: String,
    pub error: Option<String>,
}

/// The Snapshots page: the newest snapshots first, and the orgs they belong to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotList {
    pub snapshots: Vec<SnapshotSummary>,
    /// (org id, org name) of every org Attest has snapshotted.
    pub orgs: Vec<(String, String)>,
}

/// What a running snapshot has done so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotProgressView {
    pub step: String,
    pub requests: i64,
    pub updated_at: String,
}

/// One kind of principal: how many the snapshot stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindCount {
    pub kind: String,
    pub count: i64,
}

/// Atlas's `totalCount` against the items received, summed over one operation's listings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reconciliation {
    pub operation: String,
    pub listings: i64,
    /// Sum of the totals Atlas reported; `None` when it reported none.
    pub reported: Option<i64>,
    pub received: i64,
    /// Listings whose total differed from what was received.
    pub differing: i64,
}

/// One Atlas request of the snapshot's request log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRow {
    pub seq: i32,
    pub operation: String,
    pub method: String,
    pub path: String,
    pub query: String,
    pub api_version: String,
    pub attempt: i32,
    pub status: Option<i32>,
    pub duration_ms: i32,
    pub response_sha256: Option<String>,
}

/// How the snapshot's principals split by recorded usage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageCounts {
    pub active: i64,
    pub dormant: i64,
    pub no_data: i64,
    pub dormant_after_days: i64,
}

/// Everything the snapshot page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotDetail {
    pub summary: SnapshotSummary,
    pub progress: Option<SnapshotProgressView>,
    pub kinds: Vec<KindCount>,
    pub reconciliation: Vec<Reconciliation>,
    pub api_versions: Vec<String>,
    pub pages_sha256: Option<String>,
    pub credential_id: String,
    pub atlas_base_url: String,
    pub app_version: String,
    /// The failing request, as recorded (pretty JSON).
    pub error_request: Option<String>,
    /// One page of the request log.
    pub requests: Vec<RequestRow>,
    pub requests_total: i64,
    pub requests_page: i64,
    pub requests_page_size: i64,
    pub usage: UsageCounts,
    /// The org's previous complete snapshot, to diff against.
    pub previous_complete: Option<Uuid>,
}

/// One changed entitlement between two snapshots.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffRow {
    pub key: String,
    /// `added`, `removed` or `changed`.
    pub change: String,
    pub principal_key: String,
    pub role: String,
    pub project_id: Option<String>,
    pub tier_before: Option<String>,
    pub tier_after: Option<String>,
    pub fields: Vec<String>,
}

/// One page of the difference between two snapshots of an org.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffPage {
    pub from: SnapshotSummary,
    pub to: SnapshotSummary,
    pub added: i64,
    pub removed: i64,
    pub changed: i64,
    /// The rows of this page, sorted by key, of the change kind asked for (all when none).
    pub rows: Vec<DiffRow>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}
