//! The remediation queue: admins and auditors read it; admins release, retry, cancel, mark
//! changes done by hand, pause, and switch the dry run.

use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::remediation::{CampaignRemediation, RemediationQueue};

/// The queue, with jobs of one status only when `status` is set.
#[server(endpoint = "load_remediation_queue")]
pub async fn load_remediation_queue(
    #[server(default)] status: Option<String>,
) -> Result<RemediationQueue, AppError> {
    use crate::backend::{AppContext, auth, remediation};
    auth::require_reader().await?;
    let ctx = AppContext::current()?;
    let status = status.filter(|s| !s.trim().is_empty());
    Ok(remediation::queue::load(&ctx.pool, status.as_deref()).await?)
}

/// One campaign's remediation counts by status; `None` before any revoke was submitted.
#[server(endpoint = "load_campaign_remediation")]
pub async fn load_campaign_remediation(
    campaign_id: Uuid,
) -> Result<Option<CampaignRemediation>, AppError> {
    use crate::backend::{AppContext, auth, remediation};
    auth::require_reader().await?;
    let ctx = AppContext::current()?;
    Ok(remediation::queue::campaign(&ctx.pool, campaign_id).await?)
}

/// Releases a campaign's held changes; `confirm_share` is the guard-rail checkbox.
#[server(endpoint = "release_remediation")]
pub async fn release_remediation(
    campaign_id: Uuid,
    confirm_share: Option<String>,
) -> Result<i64, AppError> {
    use crate::backend::{AppContext, auth, remediation};
    let viewer = auth::require_admin().await?;
    let ctx = AppContext::current()?;
    let actor = crate::api::campaigns::actor(&viewer);
    Ok(
        remediation::admin::release(&ctx.pool, &actor, campaign_id, confirm_share.is_some())
            .await?,
    )
}

/// Retries, cancels or marks done one job; `action` is `retry`, `cancel` or `done`.
#[server(endpoint = "act_on_remediation_job")]
pub async fn act_on_remediation_job(
    job_id: i64,
    action: String,
    #[server(default)] note: String,
) -> Result<(), AppError> {
    use crate::backend::{AppContext, auth, remediation::admin};
    let viewer = auth::require_admin().await?;
    let ctx = AppContext::current()?;
    let actor = crate::api::campaigns::actor(&viewer);
    match action.as_str() {
        "retry" => admin::retry(&ctx.pool, &actor, job_id).await?,
        "cancel" => admin::cancel(&ctx.pool, &actor, job_id, &note).await?,
        "done" => admin::mark_done(&ctx.pool, &actor, job_id, &note).await?,
        other => {
            return Err(crate::backend::respond::with_status(AppError::Invalid(
                format!("'{other}' is not a queue action; use retry, cancel or done."),
            )));
        }
    }
    Ok(())
}

/// Sets the global switches: the pause (with a reason) and the dry run.
#[server(endpoint = "set_remediation_switches")]
pub async fn set_remediation_switches(
    paused: Option<String>,
    dry_run: Option<String>,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    use crate::backend::{AppContext, auth, remediation::admin};
    let viewer = auth::require_admin().await?;
    let ctx = AppContext::current()?;
    let actor = crate::api::campaigns::actor(&viewer);
    admin::set_paused(&ctx.pool, &actor, paused.is_some(), &reason).await?;
    admin::set_dry_run(&ctx.pool, &actor, dry_run.is_some()).await?;
    Ok(())
}
