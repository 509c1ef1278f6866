//! Scheduled campaigns against real PostgreSQL: a due template creates exactly one draft even
//! when two schedulers run at once, a template that is not due (or is paused or deleted)
//! creates none, and bad input is refused with messages naming the field, storing nothing.

mod campaign_world;
mod common;

use app::backend::campaign::CampaignError;
use app::backend::campaign::schedule::{run_due, try_lead};
use app::backend::campaign::template::{
    create_template, delete_template, list_templates, set_paused,
};
use app::model::campaign::{CampaignDraft, TemplateSchedule};
use campaign_world::*;
use chrono::{Days, Months, NaiveDate, Utc};
use common::audit_events_with_action;
use sqlx::PgPool;
use uuid::Uuid;

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn quarterly_from(start: NaiveDate) -> TemplateSchedule {
    TemplateSchedule {
        every_months: "3".into(),
        starts_on: start.to_string(),
        review_days: "14".into(),
    }
}

fn template_draft() -> CampaignDraft {
    CampaignDraft {
        name: "Quarterly data platform review".into(),
        ..draft(&["fay@corp.test"])
    }
}

async fn world(pool: &PgPool) {
    import_people(pool).await;
    let (snapshot, _) = standard_snapshot();
    snapshot.complete(pool, 1).await;
}

async fn template(pool: &PgPool, start: NaiveDate) -> Uuid {
    create_template(
        pool,
        &admin(),
        &template_draft(),
        &quarterly_from(start),
        today(),
    )
    .await
    .expect("the template is valid")
}

async fn drafts(pool: &PgPool) -> Vec<(String, String, NaiveDate)> {
    sqlx::query_as("SELECT name, status, due_date FROM campaign ORDER BY created_at")
        .fetch_all(pool)
        .await
        .expect("campaigns are readable")
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_due_template_creates_one_draft_even_when_two_schedulers_run(pool: PgPool) {
    world(&pool).await;
    let id = template(&pool, today()).await;

    let (a, b) = tokio::join!(run_due(&pool, today()), run_due(&pool, today()));
    let created = a.expect("runs").created.len() + b.expect("runs").created.len();
    assert_eq!(created, 1);
    let all = drafts(&pool).await;
    assert_eq!(
        all,
        [(
            format!("Quarterly data platform review {}", today()),
            "draft".to_owned(),
            today() + Days::new(14)
        )]
    );
    let runs: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM campaign_template_run WHERE template_id = $1 AND campaign_id IS NOT NULL",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .expect("runs are readable");
    assert_eq!(runs, 1);
    assert_eq!(
        audit_events_with_action(&pool, "campaign_template.ran").await,
        1
    );

    // The next draft is a quarter later; running again today creates nothing.
    let listed = list_templates(&pool).await.expect("lists");
    assert_eq!(
        listed[0].next_run_on,
        (today() + Months::new(3)).to_string()
    );
    assert!(listed[0].last_campaign.is_some());
    assert!(
        run_due(&pool, today())
            .await
            .expect("runs")
            .created
            .is_empty()
    );
    assert_eq!(drafts(&pool).await.len(), 1);

    // A quarter on, the next one.
    let later = today() + Months::new(3);
    assert_eq!(run_due(&pool, later).await.expect("runs").created.len(), 1);
    assert_eq!(drafts(&pool).await.len(), 2);
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn only_one_process_leads_the_campaign_schedule(pool: PgPool) {
    let first = try_lead(&pool).await.expect("the lock answers");
    assert!(first.is_some());
    assert!(try_lead(&pool).await.expect("the lock answers").is_none());
    drop(first);
    // The lock is released with the leader's connection.
    let mut again = None;
    for _ in 0..50 {
        again = try_lead(&pool).await.expect("the lock answers");
        if again.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(again.is_some());
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_template_that_is_not_due_paused_or_deleted_creates_no_draft(pool: PgPool) {
    world(&pool).await;
    let start = today() + Days::new(10);
    let later = template(&pool, start).await;
    assert!(
        run_due(&pool, today())
            .await
            .expect("runs")
            .created
            .is_empty()
    );
    assert!(drafts(&pool).await.is_empty());

    set_paused(&pool, &admin(), later, true, today())
        .await
        .expect("pauses");
    assert!(
        run_due(&pool, start)
            .await
            .expect("runs")
            .created
            .is_empty()
    );
    assert!(list_templates(&pool).await.expect("lists")[0].paused);
    set_paused(&pool, &admin(), later, false, today())
        .await
        .expect("resumes");
    assert_eq!(run_due(&pool, start).await.expect("runs").created.len(), 1);

    let gone = template(&pool, today()).await;
    delete_template(&pool, &admin(), gone)
        .await
        .expect("deletes");
    assert!(
        run_due(&pool, today())
            .await
            .expect("runs")
            .created
            .is_empty()
    );
    assert_eq!(list_templates(&pool).await.expect("lists").len(), 1);
    assert_eq!(drafts(&pool).await.len(), 1);
    assert_eq!(
        audit_events_with_action(&pool, "campaign_template.paused").await,
        1
    );
    assert_eq!(
        audit_events_with_action(&pool, "campaign_template.deleted").await,
        1
    );
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn bad_templates_are_refused_naming_the_field_and_store_nothing(pool: PgPool) {
    world(&pool).await;
    let before = audit_events_with_action(&pool, "campaign.created").await;

    let empty_scope = CampaignDraft {
        org_ids: vec![],
        principal_kinds: vec![],
        ..template_draft()
    };
    let err = create_template(
        &pool,
        &admin(),
        &empty_scope,
        &quarterly_from(today()),
        today(),
    )
    .await
    .expect_err("refused");
    let CampaignError::Invalid(problems) = err else {
        panic!("not a bad-input refusal: {err:?}");
    };
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("The scope is empty: choose at least one Atlas organization")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("The scope is empty: choose at least one kind")),
        "{problems:?}"
    );

    let bad_schedule = TemplateSchedule {
        every_months: "every quarter".into(),
        starts_on: "2027-13-01".into(),
        review_days: "14".into(),
    };
    let err = create_template(&pool, &admin(), &template_draft(), &bad_schedule, today())
        .await
        .expect_err("refused");
    let CampaignError::Invalid(problems) = err else {
        panic!("not a bad-input refusal: {err:?}");
    };
    assert_eq!(
        problems,
        [
            "The schedule is not valid: 'every every quarter months' must be a whole number of \
             months from 1 to 24 (3 is quarterly).",
            "The schedule's start date '2027-13-01' is not a date; use YYYY-MM-DD.",
        ]
    );

    let unnamed = CampaignDraft {
        name: " ".into(),
        ..template_draft()
    };
    let err = create_template(&pool, &admin(), &unnamed, &quarterly_from(today()), today())
        .await
        .expect_err("refused");
    assert!(err.to_string().starts_with("The name is empty"), "{err}");

    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM campaign_template")
        .fetch_one(&pool)
        .await
        .expect("templates are readable");
    assert_eq!(stored, 0);
    assert!(
        drafts(&pool).await.is_empty(),
        "the trial drafts were rolled back"
    );
    assert_eq!(
        audit_events_with_action(&pool, "campaign.created").await,
        before
    );
}
