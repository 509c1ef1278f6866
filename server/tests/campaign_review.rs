//! Reviewing a launched campaign against real PostgreSQL: decisions with their comment rules
//! and history, bulk decisions that never silently include privileged items, submission,
//! reassignment and forwarding, closing with the undecided outcome, and sign-off.

mod campaign_world;

use app::backend::audit::Actor;
use app::backend::campaign::CampaignError;
use app::backend::campaign::close::{close, sign_off};
use app::backend::campaign::decide::{decide, decide_many, submit};
use app::backend::campaign::launch::launch;
use app::backend::campaign::queue::{my_item, my_queue};
use app::backend::campaign::reassign::{forward, reassign};
use app::model::campaign::QueueFilter;
use campaign_world::*;
use sqlx::PgPool;
use uuid::Uuid;

const MORGAN: Option<&str> = Some("mgr@corp.test");

fn morgan() -> Actor {
    Actor::System("morgan")
}

async fn launched(pool: &PgPool) -> (Uuid, Standard) {
    import_people(pool).await;
    let (snapshot, keys) = standard_snapshot();
    snapshot.complete(pool, 1).await;
    let campaign = create(pool, &draft(&["fay@corp.test"])).await;
    launch(pool, &admin(), campaign).await.expect("launches");
    (campaign, keys)
}

async fn history(pool: &PgPool, item: i64) -> Vec<(String, Option<String>, String)> {
    sqlx::query_as(
        "SELECT decision, comment, source FROM review_decision WHERE item_id = $1 ORDER BY id",
    )
    .bind(item)
    .fetch_all(pool)
    .await
    .unwrap()
}

async fn current(pool: &PgPool, item: i64) -> (Option<String>, bool) {
    sqlx::query_as("SELECT decision, submitted_at IS NOT NULL FROM review_item WHERE id = $1")
        .bind(item)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_reviewer_sees_only_their_own_queue(pool: PgPool) {
    let (campaign, keys) = launched(&pool).await;

    let queue = my_queue(&pool, MORGAN, &QueueFilter::default())
        .await
        .unwrap();
    let mut principals: Vec<&str> = queue
        .items
        .iter()
        .map(|i| i.principal_name.as_str())
        .collect();
    principals.sort_unstable();
    assert_eq!(principals, ["ann@corp.test", "dana@corp.test"]);
    assert_eq!((queue.total, queue.decided), (2, 0));
    let ann = &queue.items[0];
    assert_eq!(ann.person_title.as_deref(), Some("Analyst"));
    assert_eq!(ann.link_method.as_deref(), Some("email"));

    // Bob's item is not Morgan's: refused whether reading or deciding.
    let bobs = item_id(&pool, campaign, &keys.service).await;
    assert!(matches!(
        my_item(&pool, MORGAN, bobs).await,
        Err(CampaignError::Forbidden(_))
    ));
    let refused = decide(&pool, &morgan(), MORGAN, bobs, "approve", "").await;
    assert!(matches!(refused, Err(CampaignError::Forbidden(_))));
    assert_eq!(current(&pool, bobs).await, (None, false));
    // Someone outside the directory has no queue and decides nothing.
    let stranger = my_queue(&pool, Some("x@else.test"), &QueueFilter::default())
        .await
        .unwrap();
    assert!(stranger.items.is_empty() && stranger.reviewer.is_none());
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn changed_then_submitted_decisions_keep_their_history(pool: PgPool) {
    let (campaign, keys) = launched(&pool).await;
    let item = item_id(&pool, campaign, &keys.ann).await;

    decide(&pool, &morgan(), MORGAN, item, "approve", "")
        .await
        .expect("approve");
    decide(&pool, &morgan(), MORGAN, item, "revoke", "Moved to sales")
        .await
        .expect("revoke");
    assert_eq!(current(&pool, item).await, (Some("revoke".into()), false));
    let submitted = submit(&pool, &morgan(), MORGAN, campaign)
        .await
        .expect("submits");
    assert_eq!(submitted, 1);

    assert_eq!(current(&pool, item).await, (Some("revoke".into()), true));
    assert_eq!(
        history(&pool, item).await,
        [
            ("approve".into(), None, "reviewer".into()),
            (
                "revoke".into(),
                Some("Moved to sales".into()),
                "reviewer".into()
            ),
        ]
    );
    let refused = decide(&pool, &morgan(), MORGAN, item, "approve", "").await;
    assert!(matches!(refused, Err(CampaignError::Conflict(ref m)) if m.contains("final")));
    let updated = sqlx::query("UPDATE review_item SET decision = 'approve' WHERE id = $1")
        .bind(item)
        .execute(&pool)
        .await;
    assert!(
        updated
            .expect_err("the database keeps it final")
            .to_string()
            .contains("final")
    );
    let events: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_event WHERE action IN ('review.decided', 'review.submitted')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(events, 3);
    let nothing_left = submit(&pool, &morgan(), MORGAN, campaign).await;
    assert!(matches!(nothing_left, Err(CampaignError::Invalid(_))));
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn comments_are_required_where_the_campaign_says(pool: PgPool) {
    let (campaign, keys) = launched(&pool).await;
    let ann = item_id(&pool, campaign, &keys.ann).await;
    let casey = Some("ceo@corp.test");
    let morgans_owner_role = item_id(&pool, campaign, &keys.mgr).await;

    let refused = decide(&pool, &morgan(), MORGAN, ann, "revoke", "  ").await;
    assert!(
        matches!(refused, Err(CampaignError::Invalid(ref m)) if m[0].contains("comment is required to revoke"))
    );
    let refused = decide(&pool, &admin(), casey, morgans_owner_role, "approve", "").await;
    assert!(
        matches!(refused, Err(CampaignError::Invalid(ref m)) if m[0].contains("is privileged"))
    );
    let refused = decide(&pool, &morgan(), MORGAN, ann, "maybe", "").await;
    assert!(matches!(refused, Err(CampaignError::Invalid(ref m)) if m[0].contains("'maybe'")));
    assert!(history(&pool, ann).await.is_empty());
    decide(
        &pool,
        &admin(),
        casey,
        morgans_owner_role,
        "approve",
        "Runs the platform",
    )
    .await
    .expect("with a comment");
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn bulk_approve_leaves_privileged_items_out_unless_included(pool: PgPool) {
    let (campaign, keys) = launched(&pool).await;
    let casey = Some("ceo@corp.test");
    let items = [
        item_id(&pool, campaign, &keys.mgr).await,
        item_id(&pool, campaign, &keys.ann_db).await,
    ];

    let outcome = decide_many(&pool, &admin(), casey, &items, "approve", "", false)
        .await
        .unwrap();
    assert_eq!((outcome.decided, outcome.skipped_privileged), (1, 1));
    assert_eq!(current(&pool, items[0]).await, (None, false));
    assert_eq!(history(&pool, items[1]).await[0].2, "bulk");

    let refused = decide_many(&pool, &admin(), casey, &items, "approve", "", true).await;
    assert!(matches!(refused, Err(CampaignError::Invalid(_))));
    let outcome = decide_many(
        &pool,
        &admin(),
        casey,
        &items,
        "approve",
        "Still needed",
        true,
    )
    .await
    .unwrap();
    assert_eq!((outcome.decided, outcome.skipped_privileged), (2, 0));

    // One item that is not Casey's spoils the whole request.
    let anns = item_id(&pool, campaign, &keys.ann).await;
    let refused = decide_many(
        &pool,
        &admin(),
        casey,
        &[items[1], anns],
        "revoke",
        "x",
        false,
    )
    .await;
    assert!(matches!(refused, Err(CampaignError::Forbidden(_))));
    assert_eq!(current(&pool, anns).await, (None, false));
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn reassignment_needs_a_reason_and_never_lands_on_the_subject(pool: PgPool) {
    let (campaign, keys) = launched(&pool).await;
    let ann = item_id(&pool, campaign, &keys.ann).await;
    decide(&pool, &morgan(), MORGAN, ann, "approve", "")
        .await
        .unwrap();
    let before = campaign_rows(&pool).await;

    let refused = reassign(&pool, &admin(), &[ann], "fay@corp.test", " ").await;
    assert!(
        matches!(refused, Err(CampaignError::Invalid(ref m)) if m[0].contains("reason is required"))
    );
    let refused = reassign(&pool, &admin(), &[ann], "ann@corp.test", "audit").await;
    assert!(
        matches!(refused, Err(CampaignError::Invalid(ref m)) if m[0].contains("their own access"))
    );
    let refused = reassign(&pool, &admin(), &[ann], "who@corp.test", "audit").await;
    assert!(
        matches!(refused, Err(CampaignError::Invalid(ref m)) if m[0].contains("not in the people directory"))
    );
    assert_eq!(campaign_rows(&pool).await, before);

    reassign(
        &pool,
        &admin(),
        &[ann],
        "fay@corp.test",
        "Morgan is on leave",
    )
    .await
    .unwrap();
    let (reviewer, rule, reason, _) = routing(&pool, campaign, &keys.ann).await;
    assert_eq!(
        (reviewer.as_str(), rule.as_str()),
        ("fay@corp.test", "reassigned")
    );
    assert!(reason.ends_with("Morgan is on leave"), "{reason}");
    // Morgan's pending decision was cleared, and the history says so.
    assert_eq!(current(&pool, ann).await, (None, false));
    let cleared: Option<String> =
        sqlx::query_scalar("SELECT cleared_decision FROM review_reassignment WHERE item_id = $1")
            .bind(ann)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(cleared.as_deref(), Some("approve"));

    // Fay forwards it to Bob; Morgan can no longer forward what is not theirs.
    forward(
        &pool,
        &admin(),
        Some("fay@corp.test"),
        ann,
        "bob@corp.test",
        "Bob knows",
    )
    .await
    .unwrap();
    let refused = forward(&pool, &morgan(), MORGAN, ann, "fay@corp.test", "back").await;
    assert!(matches!(refused, Err(CampaignError::Forbidden(_))));
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn closing_applies_the_undecided_outcome_and_sign_off_records_the_state(pool: PgPool) {
    let (campaign, keys) = launched(&pool).await;
    let ann = item_id(&pool, campaign, &keys.ann).await;
    decide(&pool, &morgan(), MORGAN, ann, "revoke", "Not needed")
        .await
        .unwrap();

    let refused = sign_off(&pool, &admin(), campaign, "I attest", None).await;
    assert!(matches!(refused, Err(CampaignError::Conflict(_))));
    let closed = close(&pool, &admin(), campaign).await.unwrap();
    assert_eq!((closed.defaulted, closed.submitted_at_close), (7, 1));

    let dana = item_id(&pool, campaign, &keys.dana).await;
    assert_eq!(current(&pool, dana).await, (Some("approve".into()), true));
    assert_eq!(history(&pool, dana).await[0].2, "close_default");
    assert_eq!(current(&pool, ann).await, (Some("revoke".into()), true));
    let refused = decide(&pool, &morgan(), MORGAN, ann, "approve", "").await;
    assert!(matches!(refused, Err(CampaignError::Conflict(ref m)) if m.contains("closed")));

    let refused = sign_off(&pool, &admin(), campaign, "   ", None).await;
    assert!(matches!(refused, Err(CampaignError::Invalid(_))));
    let hash = sign_off(
        &pool,
        &admin(),
        campaign,
        "I attest this review is complete.",
        None,
    )
    .await
    .unwrap();
    assert_eq!(hash.len(), 64);
    let stored: (String, String) = sqlx::query_as(
        "SELECT s.state_sha256, c.status FROM campaign_signoff s JOIN campaign c \
         ON c.id = s.campaign_id WHERE s.campaign_id = $1",
    )
    .bind(campaign)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(stored, (hash, "signed_off".into()));
    // Without a signing key the sign-off goes ahead, with no checkpoint.
    let checkpoints: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_checkpoint")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(checkpoints, 0);
    assert!(matches!(
        close(&pool, &admin(), campaign).await,
        Err(CampaignError::Conflict(_))
    ));
}

/// Asserts the progress counters the database keeps equal a count of the items themselves.
async fn assert_progress_counts_the_items(pool: &PgPool, after: &str) {
    type Counts = (Uuid, Uuid, i64, i64, i64);
    let kept: Vec<Counts> = sqlx::query_as(
        "SELECT campaign_id, reviewer_person_id, items, decided, submitted \
         FROM review_progress WHERE items > 0 ORDER BY 1, 2",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let counted: Vec<Counts> = sqlx::query_as(
        "SELECT campaign_id, reviewer_person_id, count(*), count(decision), count(submitted_at) \
         FROM review_item GROUP BY 1, 2 ORDER BY 1, 2",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(kept, counted, "after {after}");
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn progress_counters_follow_decisions_submission_reassignment_and_close(pool: PgPool) {
    let (campaign, keys) = launched(&pool).await;
    assert_progress_counts_the_items(&pool, "launch").await;
    let ann = item_id(&pool, campaign, &keys.ann).await;
    let dana = item_id(&pool, campaign, &keys.dana).await;

    decide(&pool, &morgan(), MORGAN, ann, "approve", "")
        .await
        .unwrap();
    assert_progress_counts_the_items(&pool, "a decision").await;
    decide_many(
        &pool,
        &morgan(),
        MORGAN,
        &[ann, dana],
        "revoke",
        "gone",
        false,
    )
    .await
    .unwrap();
    assert_progress_counts_the_items(&pool, "a bulk decision").await;
    let queue = my_queue(&pool, MORGAN, &QueueFilter::default())
        .await
        .unwrap();
    assert_eq!((queue.total, queue.decided, queue.submitted), (2, 2, 0));

    reassign(
        &pool,
        &admin(),
        &[dana],
        "fay@corp.test",
        "Morgan is on leave",
    )
    .await
    .unwrap();
    assert_progress_counts_the_items(&pool, "a reassignment").await;
    submit(&pool, &morgan(), MORGAN, campaign).await.unwrap();
    assert_progress_counts_the_items(&pool, "a submission").await;
    let queue = my_queue(&pool, MORGAN, &QueueFilter::default())
        .await
        .unwrap();
    assert_eq!((queue.total, queue.decided, queue.submitted), (1, 1, 1));

    close(&pool, &admin(), campaign).await.unwrap();
    assert_progress_counts_the_items(&pool, "the close").await;
}
