//! Plain types of review campaigns and review items, shared by the server and the browser.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What an admin fills in to create a campaign (a draft until launched).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignDraft {
    pub name: String,
    pub description: String,
    /// Atlas organization ids in scope; at least one.
    pub org_ids: Vec<String>,
    /// Project ids in scope; empty means every project and the org-level roles.
    pub project_ids: Vec<String>,
    /// Principal kinds in scope (`atlas_user`, `database_user`, `team`, `api_key`,
    /// `service_account`, `idp_group`); at least one.
    pub principal_kinds: Vec<String>,
    /// Tiers to include (`admin`, `write`, `read`); empty means every tier.
    pub tiers: Vec<String>,
    pub only_new_since_last: bool,
    /// `YYYY-MM-DD`, today or later.
    pub due_date: String,
    /// Reviewer rules in the order they are tried (`manager`, `owner`); the fallback
    /// reviewers always come last.
    pub reviewer_rules: Vec<String>,
    pub comment_required_on_revoke: bool,
    pub comment_required_on_privileged_approve: bool,
    pub allow_forwarding: bool,
    /// `keep` or `revoke`: what happens to items still undecided at close.
    pub undecided_outcome: String,
    /// `automatic`, `after_approval` or `manual`.
    pub remediation_mode: String,
    /// Emails of people in the directory, in order of preference.
    pub fallback_reviewers: Vec<String>,
    /// Launch refuses a snapshot older than this many hours.
    pub max_snapshot_age_hours: i32,
}

/// An Atlas organization Attest has snapshots of, and the newest complete snapshot's finish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectedOrg {
    pub id: String,
    pub name: String,
    pub last_complete_snapshot: Option<String>,
}

/// A campaign as the campaign list shows it, with its progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignSummary {
    pub id: Uuid,
    pub name: String,
    pub status: String,
    pub due_date: String,
    pub created_at: String,
    pub items: i64,
    pub decided: i64,
    pub submitted: i64,
    pub revoked: i64,
}

/// One reviewer's progress in one campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewerProgress {
    pub email: String,
    pub name: String,
    pub items: i64,
    pub decided: i64,
    pub submitted: i64,
    pub approved: i64,
    pub revoked: i64,
    /// Share of this reviewer's decisions made in bulk, in percent.
    pub bulk_percent: i64,
    /// The due date has passed and some of this reviewer's items are not submitted.
    pub overdue: bool,
}

/// How a campaign's decisions were made so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionStats {
    /// Current decisions (one per decided item).
    pub decided: i64,
    pub approved: i64,
    pub revoked: i64,
    /// Approved share of the decided items, in percent; `None` before the first decision.
    pub approval_percent: Option<i64>,
    /// Median time a reviewer spent on one decision, from the gaps between their consecutive
    /// single decisions (pauses over 30 minutes are not counted); `None` without enough data.
    pub median_seconds_per_decision: Option<i64>,
    /// Share of the decisions made in bulk, in percent.
    pub bulk_percent: Option<i64>,
}

/// One item of a campaign as an admin sees it (to reassign it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignItemRow {
    pub id: i64,
    pub person: String,
    pub principal: String,
    pub project: Option<String>,
    pub role: String,
    pub tier: String,
    pub reviewer_email: String,
    pub routing_rule: String,
    pub decision: Option<String>,
    pub submitted: bool,
}

/// A page of a campaign's items, filtered by reviewer or text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignItems {
    pub items: Vec<CampaignItemRow>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

/// One org's frozen snapshot and its reconciliation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrozenSnapshot {
    pub org_id: String,
    pub snapshot_id: Uuid,
    pub content_sha256: String,
    pub finished_at: String,
    pub entitlements_in_scope: i64,
    pub items_created: i64,
}

/// Everything the campaign page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignDetail {
    pub summary: CampaignSummary,
    pub description: String,
    pub org_ids: Vec<String>,
    pub project_ids: Vec<String>,
    pub principal_kinds: Vec<String>,
    pub tiers: Vec<String>,
    pub only_new_since_last: bool,
    pub reviewer_rules: Vec<String>,
    pub fallback_reviewers: Vec<String>,
    pub comment_required_on_revoke: bool,
    pub comment_required_on_privileged_approve: bool,
    pub allow_forwarding: bool,
    pub undecided_outcome: String,
    pub remediation_mode: String,
    pub snapshots: Vec<FrozenSnapshot>,
    pub reviewers: Vec<ReviewerProgress>,
    pub stats: DecisionStats,
    /// Set once signed off: who, when, the attestation and the state hash.
    pub signoff: Option<SignOff>,
}

/// The control owner's sign-off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignOff {
    pub attestation: String,
    pub signed_by: String,
    pub signed_at: String,
    pub state_sha256: String,
}

/// A count with a label, for tables of counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelledCount {
    pub label: String,
    pub count: i64,
}

/// An item the routing moved away from its first candidate, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rerouting {
    pub principal: String,
    pub entitlement_key: String,
    pub reviewer: String,
    pub reason: String,
}

/// What launching a draft would create, computed without creating anything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignPreview {
    /// Per org: the snapshot that would be frozen, or why there is none.
    pub snapshots: Vec<String>,
    pub population_by_kind: Vec<LabelledCount>,
    pub items_per_reviewer: Vec<LabelledCount>,
    pub items_by_rule: Vec<LabelledCount>,
    pub orphans_to_fallback: i64,
    /// Self-review reroutings (up to 100) and their total.
    pub self_review_moves: Vec<Rerouting>,
    pub self_review_total: i64,
    pub warnings: Vec<String>,
    /// Reasons the launch would be refused; empty when it may launch.
    pub blockers: Vec<String>,
    pub total_items: i64,
}

/// One item in a reviewer's queue, with the context to decide it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewItemView {
    pub id: i64,
    pub campaign_id: Uuid,
    pub campaign_name: String,
    pub due_date: String,
    pub entitlement_key: String,
    pub person_name: Option<String>,
    pub person_email: Option<String>,
    pub person_title: Option<String>,
    pub person_department: Option<String>,
    pub person_status: Option<String>,
    pub link_method: Option<String>,
    pub principal_kind: String,
    pub principal_name: String,
    pub auth_type: Option<String>,
    pub org_id: String,
    pub project: Option<String>,
    /// Where the grant applies: `org`, `project`, `cluster`, `database` or `collection`.
    pub scope: String,
    pub clusters: Vec<String>,
    pub database_name: Option<String>,
    pub collection_name: Option<String>,
    pub role: String,
    /// A custom role's privilege actions (empty for built-in roles).
    pub role_actions: Vec<String>,
    pub tier: String,
    pub grant_path: String,
    /// The team or org role the grant comes through, if not direct.
    pub via: Option<String>,
    /// This is the Atlas user's only direct org role: revoking it removes them from the org.
    pub only_org_role: bool,
    pub last_used_at: Option<String>,
    pub routing_reason: String,
    pub is_leaver: bool,
    pub is_orphan: bool,
    pub is_privileged: bool,
    pub is_dormant: bool,
    pub is_new: bool,
    pub previous_decision: Option<String>,
    pub previous_decider: Option<String>,
    pub decision: Option<String>,
    pub decision_comment: Option<String>,
    pub submitted: bool,
    pub comment_required_on_revoke: bool,
    pub comment_required_on_privileged_approve: bool,
    pub allow_forwarding: bool,
}

/// Filters for a reviewer's queue; every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueFilter {
    pub campaign: Option<Uuid>,
    /// Text in the person, principal, project or role.
    pub search: Option<String>,
    /// `open` (undecided), `decided` or `submitted`.
    pub state: Option<String>,
    pub tier: Option<String>,
    /// A risk flag: `leaver`, `orphan`, `privileged`, `dormant` or `new`.
    pub flag: Option<String>,
    /// `person` (default), `risk`, `project` or `role`; items stay grouped by person.
    pub sort: Option<String>,
    /// Page number, from 1 (the default).
    pub page: Option<i64>,
}

impl QueueFilter {
    /// The query string of this filter without the page, percent-encoded, for links.
    pub fn to_query(&self) -> String {
        let campaign = self.campaign.map(|c| c.to_string());
        crate::ui::url::query([
            ("campaign", campaign.as_deref()),
            ("q", self.search.as_deref()),
            ("state", self.state.as_deref()),
            ("tier", self.tier.as_deref()),
            ("flag", self.flag.as_deref()),
            ("sort", self.sort.as_deref()),
        ])
    }
}

/// A reviewer's queue: the matching items and the overall progress.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewQueue {
    /// The directory person the signed-in user is, if any.
    pub reviewer: Option<String>,
    pub items: Vec<ReviewItemView>,
    /// The reviewer's progress in each active campaign they have items in.
    pub campaigns: Vec<QueueCampaign>,
    pub total: i64,
    pub decided: i64,
    pub submitted: i64,
    /// More items match beyond this page.
    pub truncated: bool,
    /// This page's number, from 1.
    pub page: i64,
    /// Items per page.
    pub page_size: i64,
}

/// A reviewer's progress in one campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueCampaign {
    pub id: Uuid,
    pub name: String,
    pub due_date: String,
    pub items: i64,
    pub decided: i64,
    pub submitted: i64,
}

/// What a bulk decision did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkOutcome {
    pub decided: i64,
    /// Privileged items left out because the request did not include them explicitly.
    pub skipped_privileged: i64,
}

/// A campaign template's schedule as an admin fills it in: every `every_months` months from
/// `starts_on` (`YYYY-MM-DD`), each draft due `review_days` days after it is created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateSchedule {
    pub every_months: String,
    pub starts_on: String,
    pub review_days: String,
}

/// A campaign template as the templates page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignTemplateSummary {
    pub id: Uuid,
    pub name: String,
    pub org_ids: Vec<String>,
    pub principal_kinds: Vec<String>,
    pub every_months: i32,
    pub starts_on: String,
    pub review_days: i32,
    /// `YYYY-MM-DD` of the next draft.
    pub next_run_on: String,
    pub paused: bool,
    /// The newest draft it created.
    pub last_campaign: Option<(Uuid, String)>,
    /// Why the latest run created no draft.
    pub last_error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::QueueFilter;

    #[test]
    fn a_queue_filter_becomes_the_query_of_its_page_links() {
        assert_eq!(QueueFilter::default().to_query(), "");
        let filter = QueueFilter {
            search: Some("ann & bo".into()),
            tier: Some("write".into()),
            flag: Some(String::new()),
            sort: Some("risk".into()),
            page: Some(4),
            ..QueueFilter::default()
        };
        // Empty fields and the page itself are left out: each link adds its own page.
        assert_eq!(filter.to_query(), "q=ann%20%26%20bo&tier=write&sort=risk");
    }
}
