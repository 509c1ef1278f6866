//! A reviewer's own items: the queue, deciding, bulk deciding, forwarding and submitting.
//! Every function works only on items assigned to the signed-in user's directory person; an
//! auditor (without admin) is refused every change.

use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::campaign::{BulkOutcome, QueueFilter, ReviewItemView, ReviewQueue};

/// The signed-in user, refused when they are an auditor who may change nothing.
#[cfg(feature = "ssr")]
async fn require_decider() -> Result<crate::model::Viewer, AppError> {
    use crate::model::Role;
    let viewer = crate::backend::auth::require_viewer().await?;
    if viewer.has(Role::Auditor) && !viewer.is_admin() {
        tracing::warn!(user.id = %viewer.user_id, "auditor attempted a review change");
        return Err(crate::backend::respond::with_status(AppError::Forbidden));
    }
    Ok(viewer)
}

/// The caller's open items across active campaigns, filtered.
#[server(endpoint = "list_my_items")]
pub async fn list_my_items(
    #[server(default)] filter: QueueFilter,
) -> Result<ReviewQueue, AppError> {
    use crate::backend::{AppContext, auth, campaign};
    let viewer = auth::require_viewer().await?;
    let ctx = AppContext::current()?;
    Ok(campaign::queue::my_queue(&ctx.pool, viewer.email.as_deref(), &filter).await?)
}

/// One of the caller's items; anyone else's is refused.
#[server(endpoint = "get_my_item")]
pub async fn get_my_item(item_id: i64) -> Result<ReviewItemView, AppError> {
    use crate::backend::{AppContext, auth, campaign};
    let viewer = auth::require_viewer().await?;
    let ctx = AppContext::current()?;
    Ok(campaign::queue::my_item(&ctx.pool, viewer.email.as_deref(), item_id).await?)
}

/// Approves or revokes one of the caller's items, with a comment where the campaign needs it.
#[server(endpoint = "decide_item")]
pub async fn decide_item(
    item_id: i64,
    decision: String,
    #[server(default)] comment: String,
) -> Result<(), AppError> {
    use crate::backend::{AppContext, campaign};
    let viewer = require_decider().await?;
    let ctx = AppContext::current()?;
    let actor = super::campaigns::actor(&viewer);
    campaign::decide::decide(
        &ctx.pool,
        &actor,
        viewer.email.as_deref(),
        item_id,
        &decision,
        &comment,
    )
    .await?;
    Ok(())
}

/// One decision over a selection of the caller's items. Privileged items are left out unless
/// `include_privileged` is ticked.
#[server(endpoint = "decide_items")]
pub async fn decide_items(
    #[server(default)] item_ids: Vec<i64>,
    decision: String,
    #[server(default)] comment: String,
    #[server(default)] include_privileged: Option<String>,
) -> Result<BulkOutcome, AppError> {
    use crate::backend::{AppContext, campaign};
    let viewer = require_decider().await?;
    let ctx = AppContext::current()?;
    let actor = super::campaigns::actor(&viewer);
    let outcome = campaign::decide::decide_many(
        &ctx.pool,
        &actor,
        viewer.email.as_deref(),
        &item_ids,
        &decision,
        &comment,
        include_privileged.is_some(),
    )
    .await?;
    crate::backend::respond::back_with(&[
        ("bulk_decided", outcome.decided.to_string()),
        ("bulk_skipped", outcome.skipped_privileged.to_string()),
        ("bulk_decision", decision),
        ("submitted", String::new()),
    ]);
    Ok(outcome)
}

/// Submits the caller's decided items of one campaign; they become final.
#[server(endpoint = "submit_reviews")]
pub async fn submit_reviews(campaign_id: Uuid) -> Result<i64, AppError> {
    use crate::backend::{AppContext, campaign};
    let viewer = require_decider().await?;
    let ctx = AppContext::current()?;
    let actor = super::campaigns::actor(&viewer);
    let submitted =
        campaign::decide::submit(&ctx.pool, &actor, viewer.email.as_deref(), campaign_id).await?;
    crate::backend::respond::back_with(&[
        ("submitted", submitted.to_string()),
        ("bulk_decided", String::new()),
        ("bulk_skipped", String::new()),
    ]);
    Ok(submitted)
}

/// Forwards one of the caller's items to another person, where the campaign allows it.
#[server(endpoint = "forward_item")]
pub async fn forward_item(item_id: i64, to_email: String, reason: String) -> Result<i64, AppError> {
    use crate::backend::{AppContext, campaign};
    let viewer = require_decider().await?;
    let ctx = AppContext::current()?;
    let actor = super::campaigns::actor(&viewer);
    Ok(campaign::reassign::forward(
        &ctx.pool,
        &actor,
        viewer.email.as_deref(),
        item_id,
        &to_email,
        &reason,
    )
    .await?)
}
