//! Plain types of the remediation queue, shared by the server and the browser.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The global switches.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RemediationControl {
    pub paused: bool,
    pub paused_reason: Option<String>,
    pub dry_run: bool,
    /// Share of a campaign's population that may be revoked without confirmation, 0–1.
    pub max_revoke_share: f64,
}

/// One job as the queue shows it; request and response have secrets masked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobRow {
    pub id: i64,
    pub campaign_id: Uuid,
    pub campaign_name: String,
    pub review_item_id: i64,
    pub principal_name: String,
    pub entitlement_key: String,
    pub operation: String,
    /// What the change does, in words.
    pub change: String,
    pub idp_group: Option<String>,
    pub status: String,
    pub status_reason: Option<String>,
    pub error_class: Option<String>,
    pub attempts: i32,
    pub effect: Option<String>,
    pub manual_note: Option<String>,
    pub last_request: Option<String>,
    pub last_response: Option<String>,
    pub updated_at: String,
}

/// Jobs per status for one campaign (the dashboard counts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignRemediation {
    pub campaign_id: Uuid,
    pub campaign_name: String,
    pub mode: String,
    pub counts: Vec<(String, i64)>,
    /// Jobs waiting for an admin's release.
    pub held: i64,
    /// Whether releasing needs the share confirmation.
    pub needs_share_confirmation: bool,
}

/// An open alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertRow {
    pub id: i64,
    pub kind: String,
    pub message: String,
    pub created_at: String,
}

/// Everything the queue page shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RemediationQueue {
    pub control: RemediationControl,
    pub campaigns: Vec<CampaignRemediation>,
    pub alerts: Vec<AlertRow>,
    pub jobs: Vec<JobRow>,
}
