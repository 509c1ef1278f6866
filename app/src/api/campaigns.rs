//! Campaign administration: admins create, preview, launch, reassign, close and sign off;
//! auditors read.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;
use crate::model::campaign::{
    CampaignDetail, CampaignDraft, CampaignItems, CampaignPreview, CampaignSummary, ConnectedOrg,
};

/// The create form as the browser posts it: text fields and checkboxes (a checkbox is present
/// only when ticked). Lists are separated by commas, spaces or new lines.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignForm {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub org_ids: String,
    #[serde(default)]
    pub project_ids: String,
    pub kind_atlas_user: Option<String>,
    pub kind_database_user: Option<String>,
    pub kind_team: Option<String>,
    pub kind_api_key: Option<String>,
    pub kind_service_account: Option<String>,
    pub tier_admin: Option<String>,
    pub tier_write: Option<String>,
    pub tier_read: Option<String>,
    pub only_new_since_last: Option<String>,
    #[serde(default)]
    pub due_date: String,
    /// `manager,owner`, `owner,manager`, `manager`, `owner` or empty (fallback only).
    #[serde(default)]
    pub reviewer_rules: String,
    pub comment_required_on_revoke: Option<String>,
    pub comment_required_on_privileged_approve: Option<String>,
    pub allow_forwarding: Option<String>,
    #[serde(default)]
    pub undecided_outcome: String,
    #[serde(default)]
    pub remediation_mode: String,
    #[serde(default)]
    pub fallback_reviewers: String,
    #[serde(default)]
    pub max_snapshot_age_hours: String,
}

impl CampaignForm {
    /// The draft this form describes. Values are checked by the backend, which names every
    /// problem.
    pub fn to_draft(&self) -> CampaignDraft {
        let list = |text: &str| -> Vec<String> {
            text.split([',', ' ', '\n', '\r', '\t'])
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let ticked = |values: &[(&Option<String>, &str)]| -> Vec<String> {
            values
                .iter()
                .filter(|(v, _)| v.is_some())
                .map(|(_, name)| (*name).to_owned())
                .collect()
        };
        CampaignDraft {
            name: self.name.clone(),
            description: self.description.clone(),
            org_ids: list(&self.org_ids),
            project_ids: list(&self.project_ids),
            principal_kinds: ticked(&[
                (&self.kind_atlas_user, "atlas_user"),
                (&self.kind_database_user, "database_user"),
                (&self.kind_team, "team"),
                (&self.kind_api_key, "api_key"),
                (&self.kind_service_account, "service_account"),
            ]),
            tiers: ticked(&[
                (&self.tier_admin, "admin"),
                (&self.tier_write, "write"),
                (&self.tier_read, "read"),
            ]),
            only_new_since_last: self.only_new_since_last.is_some(),
            due_date: self.due_date.clone(),
            reviewer_rules: list(&self.reviewer_rules),
            comment_required_on_revoke: self.comment_required_on_revoke.is_some(),
            comment_required_on_privileged_approve: self
                .comment_required_on_privileged_approve
                .is_some(),
            allow_forwarding: self.allow_forwarding.is_some(),
            undecided_outcome: self.undecided_outcome.clone(),
            remediation_mode: self.remediation_mode.clone(),
            fallback_reviewers: list(&self.fallback_reviewers),
            max_snapshot_age_hours: self.max_snapshot_age_hours.trim().parse().unwrap_or(72),
        }
    }
}

impl CampaignForm {
    /// The form as a query string, so a refused form comes back with what was typed.
    pub fn to_query(&self) -> String {
        let tick = |v: &Option<String>| v.as_ref().map(|_| "on".to_owned());
        let fields: [(&str, Option<String>); 22] = [
            ("name", Some(self.name.clone())),
            ("description", Some(self.description.clone())),
            ("org_ids", Some(self.org_ids.clone())),
            ("project_ids", Some(self.project_ids.clone())),
            ("kind_atlas_user", tick(&self.kind_atlas_user)),
            ("kind_database_user", tick(&self.kind_database_user)),
            ("kind_team", tick(&self.kind_team)),
            ("kind_api_key", tick(&self.kind_api_key)),
            ("kind_service_account", tick(&self.kind_service_account)),
            ("tier_admin", tick(&self.tier_admin)),
            ("tier_write", tick(&self.tier_write)),
            ("tier_read", tick(&self.tier_read)),
            ("only_new_since_last", tick(&self.only_new_since_last)),
            ("due_date", Some(self.due_date.clone())),
            ("reviewer_rules", Some(self.reviewer_rules.clone())),
            (
                "comment_required_on_revoke",
                tick(&self.comment_required_on_revoke),
            ),
            (
                "comment_required_on_privileged_approve",
                tick(&self.comment_required_on_privileged_approve),
            ),
            ("allow_forwarding", tick(&self.allow_forwarding)),
            ("undecided_outcome", Some(self.undecided_outcome.clone())),
            ("remediation_mode", Some(self.remediation_mode.clone())),
            ("fallback_reviewers", Some(self.fallback_reviewers.clone())),
            (
                "max_snapshot_age_hours",
                Some(self.max_snapshot_age_hours.clone()),
            ),
        ];
        let mut query = vec!["filled=1".to_owned()];
        for (name, value) in fields {
            if let Some(value) = value {
                query.push(format!("{name}={}", crate::ui::url::urlencode(&value)));
            }
        }
        query.join("&")
    }
}

/// Every campaign with its progress. Admins and auditors.
#[server(endpoint = "list_campaigns")]
pub async fn list_campaigns() -> Result<Vec<CampaignSummary>, AppError> {
    use crate::backend::{AppContext, auth, campaign};
    auth::require_reader().await?;
    let ctx = AppContext::current()?;
    Ok(campaign::progress::list_campaigns(&ctx.pool).await?)
}

/// One campaign with settings, snapshots, progress per reviewer and sign-off.
#[server(endpoint = "get_campaign")]
pub async fn get_campaign(campaign_id: Uuid) -> Result<CampaignDetail, AppError> {
    use crate::backend::{AppContext, auth, campaign};
    auth::require_reader().await?;
    let ctx = AppContext::current()?;
    Ok(campaign::progress::campaign_detail(&ctx.pool, campaign_id).await?)
}

/// Creates a draft campaign and goes to its page. Admins only. A refused form goes back to
/// the create page with what was typed and every problem (`problem` in the query string), so
/// nothing typed is lost without JavaScript either.
#[server(endpoint = "create_campaign")]
pub async fn create_campaign(form: CampaignForm) -> Result<Uuid, AppError> {
    use crate::backend::campaign::CampaignError;
    use crate::backend::{AppContext, auth, campaign};
    let viewer = auth::require_admin().await?;
    let ctx = AppContext::current()?;
    let actor = actor(&viewer);
    let today = chrono::Utc::now().date_naive();
    match campaign::create::create_campaign(&ctx.pool, &actor, &form.to_draft(), today).await {
        Ok(id) => {
            leptos_axum::redirect(&format!("/campaigns/{id}"));
            Ok(id)
        }
        Err(CampaignError::Invalid(problems)) => {
            let mut back = format!("/campaigns/new?{}", form.to_query());
            for problem in &problems {
                back.push_str("&problem=");
                back.push_str(&crate::ui::url::urlencode(problem));
            }
            leptos_axum::redirect(&back);
            Err(CampaignError::Invalid(problems).into())
        }
        Err(err) => Err(err.into()),
    }
}

/// The Atlas organizations a campaign can cover. Admins and auditors.
#[server(endpoint = "list_connected_orgs")]
pub async fn list_connected_orgs() -> Result<Vec<ConnectedOrg>, AppError> {
    use crate::backend::{AppContext, auth, campaign};
    auth::require_reader().await?;
    let ctx = AppContext::current()?;
    Ok(campaign::create::connected_orgs(&ctx.pool).await?)
}

/// One page of a campaign's items, by reviewer email and text. Admins and auditors.
#[server(endpoint = "list_campaign_items")]
pub async fn list_campaign_items(
    campaign_id: Uuid,
    #[server(default)] reviewer: String,
    #[server(default)] search: String,
    #[server(default)] page: i64,
) -> Result<CampaignItems, AppError> {
    use crate::backend::{AppContext, auth, campaign};
    auth::require_reader().await?;
    let ctx = AppContext::current()?;
    Ok(campaign::items::campaign_items(
        &ctx.pool,
        campaign_id,
        Some(&reviewer),
        Some(&search),
        page,
    )
    .await?)
}

/// What launching the draft would create. Admins only (it reads every reviewer's items).
#[server(endpoint = "preview_campaign")]
pub async fn preview_campaign(campaign_id: Uuid) -> Result<CampaignPreview, AppError> {
    use crate::backend::{AppContext, auth, campaign};
    auth::require_admin().await?;
    let ctx = AppContext::current()?;
    Ok(campaign::launch::preview(&ctx.pool, campaign_id).await?)
}

/// Launches the draft. Returns the number of items created. Admins only.
#[server(endpoint = "launch_campaign")]
pub async fn launch_campaign(campaign_id: Uuid) -> Result<i64, AppError> {
    use crate::backend::{AppContext, auth, campaign};
    let viewer = auth::require_admin().await?;
    let ctx = AppContext::current()?;
    Ok(campaign::launch::launch(&ctx.pool, &actor(&viewer), campaign_id).await?)
}

/// Moves items to another reviewer with a reason. Admins only.
#[server(endpoint = "reassign_items")]
pub async fn reassign_items(
    #[server(default)] item_ids: Vec<i64>,
    to_email: String,
    reason: String,
) -> Result<i64, AppError> {
    use crate::backend::{AppContext, auth, campaign};
    let viewer = auth::require_admin().await?;
    let ctx = AppContext::current()?;
    let moved =
        campaign::reassign::reassign(&ctx.pool, &actor(&viewer), &item_ids, &to_email, &reason)
            .await?;
    crate::backend::respond::back_with(&[("reassigned", moved.to_string())]);
    Ok(moved)
}

/// Closes the campaign, applying the undecided outcome. Admins only.
#[server(endpoint = "close_campaign")]
pub async fn close_campaign(campaign_id: Uuid) -> Result<i64, AppError> {
    use crate::backend::{AppContext, auth, campaign};
    let viewer = auth::require_admin().await?;
    let ctx = AppContext::current()?;
    let closed = campaign::close::close(&ctx.pool, &actor(&viewer), campaign_id).await?;
    Ok(closed.defaulted)
}

/// Signs off a closed campaign with an attestation. Returns the state hash. Admins only.
#[server(endpoint = "sign_off_campaign")]
pub async fn sign_off_campaign(campaign_id: Uuid, attestation: String) -> Result<String, AppError> {
    use crate::backend::{AppContext, auth, campaign};
    let viewer = auth::require_admin().await?;
    let ctx = AppContext::current()?;
    Ok(campaign::close::sign_off(
        &ctx.pool,
        &actor(&viewer),
        campaign_id,
        &attestation,
        ctx.evidence_key.as_ref(),
    )
    .await?)
}

/// The audit actor for a signed-in user.
#[cfg(feature = "ssr")]
pub(crate) fn actor(viewer: &crate::model::Viewer) -> crate::backend::audit::Actor {
    crate::backend::audit::Actor::User {
        id: viewer.user_id,
        label: viewer.display_name.clone(),
    }
}
