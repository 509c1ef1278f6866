//! The remediation queue through the web app: the page renders server-side with the job, its
//! change and status; admins release, retry and mark done (a note is required); auditors and
//! reviewers change nothing.

mod campaign_world;
mod common;

use app::backend::audit::Actor;
use app::backend::campaign::decide::{decide, submit};
use app::backend::campaign::launch::launch;
use app::error::AppError;
use campaign_world::*;
use common::{Browser, demo_config, router};
use sqlx::PgPool;
use uuid::Uuid;

/// A launched campaign (after approval) whose orphan API key grant Fay revoked and submitted.
async fn submitted_revoke(pool: &PgPool) -> (Uuid, i64) {
    import_people(pool).await;
    let (snapshot, keys) = standard_snapshot();
    snapshot.complete(pool, 1).await;
    let campaign = create(pool, &draft(&["fay@corp.test"])).await;
    launch(pool, &admin(), campaign).await.expect("launched");
    let item = item_id(pool, campaign, &keys.orphan_key).await;
    let fay = Actor::System("fay");
    decide(
        pool,
        &fay,
        Some("fay@corp.test"),
        item,
        "revoke",
        "nobody owns it",
    )
    .await
    .expect("decided");
    submit(pool, &fay, Some("fay@corp.test"), campaign)
        .await
        .expect("submitted");
    let job: i64 = sqlx::query_scalar("SELECT id FROM remediation_job WHERE review_item_id = $1")
        .bind(item)
        .fetch_one(pool)
        .await
        .expect("the submit created the job");
    (campaign, job)
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn the_queue_page_shows_the_job_and_admins_release_it(pool: PgPool) {
    let (campaign, job) = submitted_revoke(&pool).await;
    let router = router(&pool, demo_config());
    let mut admin = Browser::signed_in_as(&router, "admin").await;
    let page = admin.get("/remediation").await;
    assert!(page.body.contains("<h1>Remediation"), "{}", page.body);
    assert!(
        page.body.contains(&format!("data-job=\"{job}\"")),
        "the job is listed"
    );
    assert!(page.body.contains("awaiting_approval"));
    assert!(
        page.body
            .contains("Remove project role GROUP_READ_ONLY from API key")
    );
    assert!(page.body.contains("Release 1 change(s)"));

    let dashboard = admin.get(&format!("/campaigns/{campaign}")).await;
    assert!(
        dashboard.body.contains("awaiting_approval: 1"),
        "the campaign dashboard counts its remediation"
    );

    let released: i64 = admin
        .call(
            "release_remediation",
            &[("campaign_id", &campaign.to_string())],
        )
        .await
        .expect("an admin releases");
    assert_eq!(released, 1);
    let status: String = sqlx::query_scalar("SELECT status FROM remediation_job WHERE id = $1")
        .bind(job)
        .fetch_one(&pool)
        .await
        .expect("status");
    assert_eq!(status, "pending");
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn marking_done_needs_a_note_and_only_admins_act(pool: PgPool) {
    let (_, job) = submitted_revoke(&pool).await;
    let router = router(&pool, demo_config());
    let id = job.to_string();
    let mut auditor = Browser::signed_in_as(&router, "auditor").await;
    let refused: Result<(), AppError> = auditor
        .call(
            "act_on_remediation_job",
            &[("job_id", &id), ("action", "done"), ("note", "x")],
        )
        .await;
    assert_eq!(refused, Err(AppError::Forbidden));
    let page = auditor.get("/remediation").await;
    assert!(
        page.body.contains(&format!("data-job=\"{job}\"")),
        "auditors read the queue"
    );
    assert!(!page.body.contains("Mark done"), "but get no forms");

    let mut admin = Browser::signed_in_as(&router, "admin").await;
    let no_note: Result<(), AppError> = admin
        .call(
            "act_on_remediation_job",
            &[("job_id", &id), ("action", "done"), ("note", " ")],
        )
        .await;
    assert!(
        matches!(no_note, Err(AppError::Invalid(ref m)) if m.contains("note")),
        "{no_note:?}"
    );
    admin
        .call::<()>(
            "act_on_remediation_job",
            &[
                ("job_id", &id),
                ("action", "done"),
                ("note", "removed by hand, ticket OPS-1"),
            ],
        )
        .await
        .expect("marked done");
    let (status, note): (String, Option<String>) =
        sqlx::query_as("SELECT status, manual_note FROM remediation_job WHERE id = $1")
            .bind(job)
            .fetch_one(&pool)
            .await
            .expect("job");
    assert_eq!(
        status, "done",
        "verification by reading Atlas still follows"
    );
    assert_eq!(note.as_deref(), Some("removed by hand, ticket OPS-1"));
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_event WHERE action = 'remediation.marked_done'",
    )
    .fetch_one(&pool)
    .await
    .expect("count");
    assert_eq!(audited, 1);
}
