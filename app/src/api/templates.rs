//! Campaign templates (scheduled campaigns): admins list, create, pause, resume and delete
//! them. Every function is for admins only; the drafts a template creates are ordinary
//! campaigns, read and launched through [`crate::api::campaigns`].

use leptos::prelude::*;
use uuid::Uuid;

use crate::api::campaigns::CampaignForm;
use crate::error::AppError;
use crate::model::campaign::CampaignTemplateSummary;

/// Every template with its schedule, next draft and latest draft. Admins only.
#[server(endpoint = "list_campaign_templates")]
pub async fn list_campaign_templates() -> Result<Vec<CampaignTemplateSummary>, AppError> {
    use crate::backend::{AppContext, auth, campaign};
    auth::require_admin().await?;
    let ctx = AppContext::current()?;
    Ok(campaign::template::list_templates(&ctx.pool).await?)
}

/// Creates a template from the campaign form's fields and a schedule, then goes back to the
/// templates page. A refused form comes back with what was typed and every problem, as the
/// campaign create form does. Admins only.
#[server(endpoint = "create_campaign_template")]
pub async fn create_campaign_template(
    form: CampaignForm,
    #[server(default)] every_months: String,
    #[server(default)] starts_on: String,
    #[server(default)] review_days: String,
) -> Result<Uuid, AppError> {
    use crate::backend::campaign::CampaignError;
    use crate::backend::{AppContext, auth, campaign};
    use crate::model::campaign::TemplateSchedule;
    use crate::ui::url::urlencode;
    let viewer = auth::require_admin().await?;
    let ctx = AppContext::current()?;
    let actor = crate::api::campaigns::actor(&viewer);
    let schedule = TemplateSchedule {
        every_months: every_months.clone(),
        starts_on: starts_on.clone(),
        review_days: review_days.clone(),
    };
    let today = chrono::Utc::now().date_naive();
    let created =
        campaign::template::create_template(&ctx.pool, &actor, &form.to_draft(), &schedule, today)
            .await;
    match created {
        Ok(id) => {
            leptos_axum::redirect("/campaigns/templates?created=1");
            Ok(id)
        }
        Err(CampaignError::Invalid(problems)) => {
            let mut back = format!(
                "/campaigns/templates?{}&every_months={}&starts_on={}&review_days={}",
                form.to_query(),
                urlencode(&every_months),
                urlencode(&starts_on),
                urlencode(&review_days)
            );
            for problem in &problems {
                back.push_str("&problem=");
                back.push_str(&urlencode(problem));
            }
            leptos_axum::redirect(&back);
            Err(CampaignError::Invalid(problems).into())
        }
        Err(err) => Err(err.into()),
    }
}

/// Pauses (`action` = `pause`) or resumes (`resume`) a template. Admins only.
#[server(endpoint = "pause_campaign_template")]
pub async fn pause_campaign_template(template_id: Uuid, action: String) -> Result<(), AppError> {
    use crate::backend::campaign::CampaignError;
    use crate::backend::{AppContext, auth, campaign};
    let viewer = auth::require_admin().await?;
    let ctx = AppContext::current()?;
    let paused = match action.as_str() {
        "pause" => true,
        "resume" => false,
        other => {
            return Err(CampaignError::invalid(format!(
                "'{other}' is not a template action; use pause or resume."
            ))
            .into());
        }
    };
    let today = chrono::Utc::now().date_naive();
    campaign::template::set_paused(
        &ctx.pool,
        &crate::api::campaigns::actor(&viewer),
        template_id,
        paused,
        today,
    )
    .await?;
    crate::backend::respond::back_with(&[("changed", action)]);
    Ok(())
}

/// Deletes a template; the drafts it created stay. Admins only.
#[server(endpoint = "delete_campaign_template")]
pub async fn delete_campaign_template(template_id: Uuid) -> Result<(), AppError> {
    use crate::backend::{AppContext, auth, campaign};
    let viewer = auth::require_admin().await?;
    let ctx = AppContext::current()?;
    campaign::template::delete_template(
        &ctx.pool,
        &crate::api::campaigns::actor(&viewer),
        template_id,
    )
    .await?;
    crate::backend::respond::back_with(&[("changed", "deleted".to_owned())]);
    Ok(())
}
