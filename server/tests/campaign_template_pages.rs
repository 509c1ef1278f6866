//! Scheduled campaigns through the full router: only admins may list, create, pause or delete
//! templates (by direct server-function calls, not just hidden buttons); a refused form posted
//! without JavaScript comes back with what was typed and every problem; the page lists what
//! was created.

mod campaign_world;
mod common;

use app::error::AppError;
use app::model::campaign::CampaignTemplateSummary;
use campaign_world::*;
use common::{Browser, Reply, demo_config, router};
use sqlx::PgPool;
use uuid::Uuid;

const HOST: &str = "http://127.0.0.1:3000";

fn template_fields(start: &str) -> Vec<(&'static str, String)> {
    [
        ("form[name]", "Quarterly data review"),
        ("form[org_ids]", ORG),
        ("form[kind_atlas_user]", "on"),
        ("form[kind_database_user]", "on"),
        ("form[reviewer_rules]", "manager,owner"),
        ("form[comment_required_on_revoke]", "on"),
        ("form[undecided_outcome]", "keep"),
        ("form[remediation_mode]", "after_approval"),
        ("form[fallback_reviewers]", "fay@corp.test"),
        ("form[max_snapshot_age_hours]", "72"),
        ("every_months", "3"),
        ("review_days", "14"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .chain([("starts_on", start.to_owned())])
    .collect()
}

fn pairs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

async fn world(pool: &PgPool) {
    import_people(pool).await;
    let (snapshot, _) = standard_snapshot();
    snapshot.complete(pool, 1).await;
}

async fn template_count(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM campaign_template WHERE deleted_at IS NULL")
        .fetch_one(pool)
        .await
        .expect("templates are readable")
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn only_admins_may_list_create_pause_or_delete_templates(pool: PgPool) {
    world(&pool).await;
    let router = router(&pool, demo_config());
    let mut admin = Browser::signed_in_as(&router, "admin").await;
    let today = chrono::Utc::now().date_naive().to_string();
    let fields = template_fields(&today);

    for role in ["reviewer", "auditor"] {
        let mut other = Browser::signed_in_as(&router, role).await;
        let listed: Result<Vec<CampaignTemplateSummary>, AppError> =
            other.call("list_campaign_templates", &[]).await;
        assert_eq!(listed, Err(AppError::Forbidden), "{role} lists");
        let created: Result<Uuid, AppError> = other
            .call("create_campaign_template", &pairs(&fields))
            .await;
        assert_eq!(created, Err(AppError::Forbidden), "{role} creates");
    }
    let mut anonymous = Browser::new(&router);
    let listed: Result<Vec<CampaignTemplateSummary>, AppError> =
        anonymous.call("list_campaign_templates", &[]).await;
    assert_eq!(listed, Err(AppError::Unauthenticated));
    assert_eq!(template_count(&pool).await, 0);

    let id: Uuid = admin
        .call("create_campaign_template", &pairs(&fields))
        .await
        .expect("an admin creates a template");
    let listed: Vec<CampaignTemplateSummary> = admin
        .call("list_campaign_templates", &[])
        .await
        .expect("an admin lists");
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (
            listed[0].id,
            listed[0].every_months,
            listed[0].next_run_on.as_str()
        ),
        (id, 3, today.as_str())
    );

    let id_text = id.to_string();
    for role in ["reviewer", "auditor"] {
        let mut other = Browser::signed_in_as(&router, role).await;
        let paused: Result<(), AppError> = other
            .call(
                "pause_campaign_template",
                &[("template_id", &id_text), ("action", "pause")],
            )
            .await;
        assert_eq!(paused, Err(AppError::Forbidden), "{role} pauses");
        let deleted: Result<(), AppError> = other
            .call("delete_campaign_template", &[("template_id", &id_text)])
            .await;
        assert_eq!(deleted, Err(AppError::Forbidden), "{role} deletes");
    }
    assert!(!listed[0].paused);
    assert_eq!(template_count(&pool).await, 1);

    let paused: Result<(), AppError> = admin
        .call(
            "pause_campaign_template",
            &[("template_id", &id_text), ("action", "pause")],
        )
        .await;
    assert_eq!(paused, Ok(()));
    let listed: Vec<CampaignTemplateSummary> = admin
        .call("list_campaign_templates", &[])
        .await
        .expect("an admin lists");
    assert!(listed[0].paused);

    let page = admin.get("/campaigns/templates").await;
    assert_eq!(page.status.as_u16(), 200);
    assert!(page.body.contains("Quarterly data review"), "{}", page.body);
    assert!(page.body.contains("Quarterly from"), "{}", page.body);
    assert!(
        page.body.contains(">Resume"),
        "a paused template offers Resume"
    );

    let deleted: Result<(), AppError> = admin
        .call("delete_campaign_template", &[("template_id", &id_text)])
        .await;
    assert_eq!(deleted, Ok(()));
    assert_eq!(template_count(&pool).await, 0);
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_refused_template_form_comes_back_with_the_problems_naming_each_field(pool: PgPool) {
    world(&pool).await;
    let mut admin = Browser::signed_in_as(&router(&pool, demo_config()), "admin").await;
    let mut fields = template_fields("someday");
    fields.retain(|(k, _)| *k != "form[org_ids]");
    fields.push(("form[org_ids]", String::new()));

    let referer = format!("{HOST}/campaigns/templates");
    let reply: Reply = admin
        .post_form_with(
            "/api/create_campaign_template",
            &pairs(&fields),
            &[
                ("sec-fetch-site", "same-origin"),
                ("accept", "text/html,application/xhtml+xml"),
                ("referer", &referer),
            ],
        )
        .await;
    assert_eq!(reply.status.as_u16(), 302, "{}", reply.body);
    let back = reply.location().trim_start_matches(HOST).to_owned();
    assert!(back.starts_with("/campaigns/templates?filled=1"), "{back}");
    assert!(
        back.contains("starts_on=someday"),
        "what was typed comes back: {back}"
    );
    assert_eq!(template_count(&pool).await, 0);

    let page = admin.get(&back).await;
    assert_eq!(page.status.as_u16(), 200);
    assert!(
        page.body.contains("The template was not created"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("The scope is empty: choose at least one Atlas organization."),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("The schedule&#x27;s start date &#x27;someday&#x27; is not a date")
            || page
                .body
                .contains("The schedule's start date 'someday' is not a date"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(r#"value="someday""#),
        "the typed date is kept"
    );
}
