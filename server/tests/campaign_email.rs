//! Campaign email end to end: launching and closing queue one email per reviewer in the same
//! transaction, the sweep queues reminders and escalations once each however often it runs,
//! and the sender delivers them through a real SMTP server (aiosmtpd) or, when that server is
//! down or refuses, keeps them queued for another attempt.

mod campaign_world;
mod common;
mod smtp_sink;

use std::collections::BTreeMap;
use std::time::Duration;

use app::backend::campaign::close::close;
use app::backend::campaign::launch::launch;
use app::backend::notification::{Sender, SenderSettings};
use campaign_world::*;
use chrono::{Days, NaiveDate};
use common::audit_events_with_action;
use smtp_sink::{SmtpSink, free_port, mailer};
use sqlx::PgPool;
use uuid::Uuid;

const REVIEWS_URL: &str = "https://attest.corp.test/reviews";

async fn launched(pool: &PgPool) -> Uuid {
    import_people(pool).await;
    let (snapshot, _) = standard_snapshot();
    snapshot.complete(pool, 1).await;
    let campaign = create(pool, &draft(&["fay@corp.test"])).await;
    launch(pool, &admin(), campaign).await.expect("launches");
    campaign
}

fn sender(pool: &PgPool, port: u16) -> Sender {
    Sender {
        pool: pool.clone(),
        mailer: mailer(port),
        settings: SenderSettings {
            lease: Duration::from_secs(60),
            ..SenderSettings::new(REVIEWS_URL.into())
        },
    }
}

/// Each reviewer's email and item count, from the review items themselves.
async fn items_per_reviewer(pool: &PgPool, campaign: Uuid) -> BTreeMap<String, i64> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT p.email, count(*) FROM review_item i JOIN person p ON p.id = i.reviewer_person_id \
         WHERE i.campaign_id = $1 GROUP BY p.email",
    )
    .bind(campaign)
    .fetch_all(pool)
    .await
    .expect("review items are readable");
    rows.into_iter().collect()
}

async fn outbox_statuses(pool: &PgPool, kind: &str) -> Vec<(String, String, i32)> {
    sqlx::query_as(
        "SELECT recipient_email, status, attempts FROM email_outbox WHERE kind = $1 \
         ORDER BY recipient_email",
    )
    .bind(kind)
    .fetch_all(pool)
    .await
    .expect("the outbox is readable")
}

async fn due_date(pool: &PgPool, campaign: Uuid) -> NaiveDate {
    sqlx::query_scalar("SELECT due_date FROM campaign WHERE id = $1")
        .bind(campaign)
        .fetch_one(pool)
        .await
        .expect("the campaign exists")
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn every_reviewer_receives_their_assignment_with_the_count_due_date_and_link(pool: PgPool) {
    let campaign = launched(&pool).await;
    let expected = items_per_reviewer(&pool, campaign).await;
    assert!(
        expected.len() >= 3,
        "the world has several reviewers: {expected:?}"
    );
    let due = due_date(&pool, campaign).await;

    let port = free_port();
    let sink = SmtpSink::accepting(port);
    let round = sender(&pool, port).send_due().await.expect("a round runs");
    assert_eq!(round.sent, expected.len());

    let received = sink.received();
    assert_eq!(received.len(), expected.len(), "{received:#?}");
    for (message, (email, count)) in received.iter().zip(&expected) {
        assert_eq!(message.rcpt_tos, vec![email.clone()]);
        assert_eq!(message.mail_from, "attest@corp.test");
        let items = if *count == 1 { "item" } else { "items" };
        assert_eq!(
            message.subject,
            format!("Access review \"Q4 access review\": {count} {items} to review by {due}")
        );
        assert!(
            message.body.contains(&format!("{count} entitlement")),
            "{}",
            message.body
        );
        assert!(
            message.body.contains(&format!("Due date: {due}")),
            "{}",
            message.body
        );
        assert!(message.body.contains(REVIEWS_URL), "{}", message.body);
    }
    let morgan = received
        .iter()
        .find(|m| m.rcpt_tos == ["mgr@corp.test"])
        .expect("Morgan reviews her reports' access");
    assert!(morgan.to.contains("Morgan Manager"), "{}", morgan.to);
    assert!(
        morgan.body.starts_with("Hello Morgan Manager,"),
        "{}",
        morgan.body
    );

    let statuses = outbox_statuses(&pool, "assignment").await;
    assert!(
        statuses
            .iter()
            .all(|(_, status, attempts)| status == "sent" && *attempts == 1)
    );
    assert_eq!(
        audit_events_with_action(&pool, "email.sent").await,
        expected.len() as i64
    );
    // Nothing is left to send: a second round sends nothing again.
    let again = sender(&pool, port).send_due().await.expect("a round runs");
    assert_eq!(again.sent, 0);
    assert_eq!(sink.received().len(), expected.len());
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_down_smtp_server_leaves_every_email_queued_for_another_attempt(pool: PgPool) {
    let campaign = launched(&pool).await;
    let reviewers = items_per_reviewer(&pool, campaign).await.len();
    let port = free_port();

    let round = sender(&pool, port).send_due().await.expect("a round runs");
    assert_eq!(
        (round.sent, round.retrying, round.failed),
        (0, reviewers, 0)
    );
    let (pending, future, with_error): (i64, i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE status = 'pending' AND attempts = 1), \
                count(*) FILTER (WHERE next_attempt_at > now() + interval '20 seconds'), \
                count(*) FILTER (WHERE last_error LIKE 'SMTP server 127.0.0.1:%') \
         FROM email_outbox",
    )
    .fetch_one(&pool)
    .await
    .expect("the outbox is readable");
    assert_eq!(
        (pending, future, with_error),
        (reviewers as i64, reviewers as i64, reviewers as i64)
    );
    assert_eq!(audit_events_with_action(&pool, "email.sent").await, 0);
    // Backed off: an immediate second round does not try again.
    let early = sender(&pool, port).send_due().await.expect("a round runs");
    assert_eq!(early, Default::default());

    // The server comes back and the backoff has passed: every email goes out, once.
    let sink = SmtpSink::accepting(port);
    sqlx::query("UPDATE email_outbox SET next_attempt_at = now()")
        .execute(&pool)
        .await
        .expect("the backoff can be skipped");
    let round = sender(&pool, port).send_due().await.expect("a round runs");
    assert_eq!(round.sent, reviewers);
    assert_eq!(sink.received().len(), reviewers);
    let statuses = outbox_statuses(&pool, "assignment").await;
    assert!(
        statuses
            .iter()
            .all(|(_, status, attempts)| status == "sent" && *attempts == 2)
    );
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_refusing_smtp_server_leaves_the_email_queued_and_the_last_attempt_marks_it_failed(
    pool: PgPool,
) {
    let campaign = launched(&pool).await;
    let reviewers = items_per_reviewer(&pool, campaign).await.len();
    let port = free_port();
    let _refusing = SmtpSink::refusing(port);

    let round = sender(&pool, port).send_due().await.expect("a round runs");
    assert_eq!(round.retrying, reviewers);
    let errors: Vec<String> =
        sqlx::query_scalar("SELECT last_error FROM email_outbox WHERE status = 'pending'")
            .fetch_all(&pool)
            .await
            .expect("the outbox is readable");
    assert_eq!(errors.len(), reviewers);
    assert!(errors.iter().all(|e| e.contains("451")), "{errors:?}");

    // On the last allowed attempt the email is marked failed, with its audit event.
    let mut last = sender(&pool, port);
    last.settings.max_attempts = 2;
    sqlx::query("UPDATE email_outbox SET next_attempt_at = now()")
        .execute(&pool)
        .await
        .expect("the backoff can be skipped");
    let round = last.send_due().await.expect("a round runs");
    assert_eq!((round.failed, round.retrying), (reviewers, 0));
    assert_eq!(
        audit_events_with_action(&pool, "email.failed").await,
        reviewers as i64
    );
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn reminders_and_escalations_are_queued_once_per_reviewer_however_often_swept(pool: PgPool) {
    let campaign = launched(&pool).await;
    let reviewers = items_per_reviewer(&pool, campaign).await;
    let due = due_date(&pool, campaign).await;
    let port = free_port();
    let sink = SmtpSink::accepting(port);
    let sender = sender(&pool, port);
    sender.send_due().await.expect("assignments go out");

    // A week before the due date is too early for a reminder (3 days' notice).
    let early = sender.sweep(due - Days::new(7)).await.expect("sweeps");
    assert_eq!((early.reminders, early.escalations), (0, 0));

    // Two replicas sweeping at the same moment queue each reminder once.
    let soon = due - Days::new(2);
    let (a, b) = tokio::join!(sender.sweep(soon), sender.sweep(soon));
    let queued = a.expect("sweeps").reminders + b.expect("sweeps").reminders;
    assert_eq!(queued, reviewers.len() as u64);
    assert_eq!(sender.sweep(soon).await.expect("sweeps").reminders, 0);

    // After the due date, each late reviewer's manager is told, once.
    let late = due + Days::new(1);
    let swept = sender.sweep(late).await.expect("sweeps");
    assert!(swept.escalations > 0);
    assert_eq!(sender.sweep(late).await.expect("sweeps").escalations, 0);
    sender.send_due().await.expect("a round runs");

    let received = sink.received();
    let escalation = received
        .iter()
        .find(|m| {
            m.subject
                .starts_with("Overdue access review: Morgan Manager")
        })
        .expect("Morgan's manager hears that she is late");
    assert_eq!(escalation.rcpt_tos, ["ceo@corp.test"]);
    let morgan_items = reviewers["mgr@corp.test"];
    assert!(
        escalation
            .body
            .contains(&format!("{morgan_items} of {morgan_items} entitlement")),
        "{}",
        escalation.body
    );
    let reminder = received
        .iter()
        .find(|m| m.rcpt_tos == ["mgr@corp.test"] && m.subject.starts_with("Reminder:"))
        .expect("Morgan is reminded");
    assert!(
        reminder.body.contains(&format!("due on {due}")),
        "{}",
        reminder.body
    );
    assert!(reminder.body.contains(REVIEWS_URL));
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn closing_tells_every_reviewer_and_drops_reminders_that_were_not_sent_yet(pool: PgPool) {
    let campaign = launched(&pool).await;
    let reviewers = items_per_reviewer(&pool, campaign).await;
    let due = due_date(&pool, campaign).await;
    let port = free_port();
    let sink = SmtpSink::accepting(port);
    let sender = sender(&pool, port);
    sender.send_due().await.expect("assignments go out");
    sender
        .sweep(due - Days::new(1))
        .await
        .expect("reminders are queued");

    close(&pool, &admin(), campaign).await.expect("closes");
    let round = sender.send_due().await.expect("a round runs");
    assert_eq!(round.sent, reviewers.len(), "one closing note each");
    assert_eq!(
        round.skipped,
        reviewers.len(),
        "the queued reminders are dropped"
    );

    let closing: Vec<_> = sink
        .received()
        .into_iter()
        .filter(|m| m.subject == "Access review \"Q4 access review\" is closed")
        .collect();
    assert_eq!(closing.len(), reviewers.len());
    let morgan = closing
        .iter()
        .find(|m| m.rcpt_tos == ["mgr@corp.test"])
        .expect("Morgan hears of the close");
    let count = reviewers["mgr@corp.test"];
    assert!(
        morgan
            .body
            .contains(&format!("{count} of them had no decision")),
        "{}",
        morgan.body
    );
    assert!(
        sink.received()
            .iter()
            .all(|m| !m.subject.starts_with("Reminder:")),
        "no reminder after the close"
    );
    assert_eq!(
        audit_events_with_action(&pool, "email.skipped").await,
        reviewers.len() as i64
    );
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_refused_launch_queues_no_email(pool: PgPool) {
    import_people(&pool).await;
    let (snapshot, _) = standard_snapshot();
    snapshot.complete(&pool, 1).await;
    // Without a fallback reviewer the orphan API key has nobody to go to: launch is refused.
    let campaign = create(&pool, &draft(&[])).await;
    launch(&pool, &admin(), campaign)
        .await
        .expect_err("refused: an item has no reviewer");
    let queued: i64 = sqlx::query_scalar("SELECT count(*) FROM email_outbox")
        .fetch_one(&pool)
        .await
        .expect("the outbox is readable");
    assert_eq!(
        queued, 0,
        "the assignments went with the rolled-back launch"
    );
}
