//! Snapshot operations against the Atlas simulator and real PostgreSQL: usage kept beyond
//! Atlas's retention, live progress, the leader-only schedule and its lock exclusion, and
//! "take a snapshot now" from a plain form.

mod atlas_world;
mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use app::backend::snapshot::schedule::{Leadership, Schedule, Scheduler};
use app::backend::snapshot::usage::{UsageSummary, usage_summary};
use app::backend::snapshot::{SnapshotStatus, harvest_access_history};
use atlas_world::{Sim, snapshot, start_sim};
use attest_server::snapshots::source::AtlasSource;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use common::{Browser, demo_config};
use sqlx::PgPool;
use uuid::Uuid;

fn scheduler(pool: &PgPool, sim: &Sim) -> Scheduler {
    Scheduler::new(
        pool.clone(),
        sim.client.clone(),
        sim.client_id.clone(),
        vec![sim.org_id.clone()],
        Schedule {
            usage_every: None,
            retention: None,
            ..Schedule::default()
        },
    )
}

async fn usage_rows(pool: &PgPool, source: &str) -> HashMap<String, DateTime<Utc>> {
    sqlx::query_as::<_, (String, DateTime<Utc>)>(
        "SELECT principal_key, last_used_at FROM principal_usage WHERE source = $1",
    )
    .bind(source)
    .fetch_all(pool)
    .await
    .expect("usage rows")
    .into_iter()
    .collect()
}

async fn snapshot_count(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM snapshot")
        .fetch_one(pool)
        .await
        .expect("count")
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn last_auth_of_every_principal_is_kept_as_usage(pool: PgPool) {
    let sim = start_sim(11).await;
    let outcome = snapshot(&pool, &sim).await;
    assert_eq!(outcome.status, SnapshotStatus::Complete);
    let with_last_auth: Vec<(String, DateTime<Utc>)> = sqlx::query_as(
        "SELECT key, last_auth FROM principal WHERE snapshot_id = $1 AND last_auth IS NOT NULL",
    )
    .bind(outcome.id)
    .fetch_all(&pool)
    .await
    .expect("principals");
    assert!(!with_last_auth.is_empty(), "the demo org reports lastAuth");
    let usage = usage_rows(&pool, "atlas_last_auth").await;
    assert_eq!(usage.len(), with_last_auth.len());
    for (key, at) in with_last_auth {
        assert_eq!(usage.get(&key), Some(&at), "{key}");
    }
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn access_history_is_harvested_and_outlives_atlas_retention(pool: PgPool) {
    let sim = start_sim(11).await;
    snapshot(&pool, &sim).await;
    // The newest successful authentication per database user, as the simulator holds it.
    let expected: HashMap<String, i64> = {
        let world = sim.server.state.read().await;
        let mut newest = HashMap::new();
        for log in world.access_logs.iter().filter(|l| l.auth_result) {
            let key = format!(
                "dbuser:{}/{}/{}",
                log.group_id, log.auth_source, log.username
            );
            let seen = newest.entry(key).or_insert(0);
            *seen = log.at.timestamp().max(*seen);
        }
        newest
    };
    assert!(!expected.is_empty(), "the demo org has access history");

    let report = harvest_access_history(&pool, &sim.client, &sim.org_id)
        .await
        .expect("harvested");
    assert!(report.clusters_read > 0);
    assert_eq!(
        usize::try_from(report.principals_recorded).expect("small"),
        expected.len()
    );
    let harvested = usage_rows(&pool, "db_access_history").await;
    assert_eq!(harvested.len(), expected.len());
    for (key, at) in &expected {
        assert_eq!(
            harvested.get(key).map(DateTime::timestamp),
            Some(*at),
            "{key}"
        );
    }

    // The inventory's principal flags carry the harvested use (the dormant filter reads them).
    let stale: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM principal p \
         LEFT JOIN principal_flag f ON f.snapshot_id = p.snapshot_id \
                                   AND f.principal_key = p.key \
         LEFT JOIN principal_usage u ON u.principal_key = p.key \
         WHERE f.principal_key IS NULL \
            OR f.last_used IS DISTINCT FROM greatest(p.last_auth, u.last_used_at)",
    )
    .fetch_one(&pool)
    .await
    .expect("flags are readable");
    assert_eq!(stale, 0, "every flag has the principal's newest use");

    // Atlas forgets its history; a later harvest finds nothing and keeps what was known.
    sim.server.state.write().await.access_logs.clear();
    let later = harvest_access_history(&pool, &sim.client, &sim.org_id)
        .await
        .expect("harvested");
    assert_eq!(later.principals_recorded, 0);
    assert_eq!(usage_rows(&pool, "db_access_history").await, harvested);
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn usage_summary_separates_active_dormant_and_no_data(pool: PgPool) {
    let sim = start_sim(11).await;
    let outcome = snapshot(&pool, &sim).await;
    let before = usage_summary(&pool, outcome.id, 90).await.expect("summary");
    harvest_access_history(&pool, &sim.client, &sim.org_id)
        .await
        .expect("harvested");
    let after = usage_summary(&pool, outcome.id, 90).await.expect("summary");
    let acting: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM principal WHERE snapshot_id = $1 \
         AND kind NOT IN ('team', 'idp_group')",
    )
    .bind(outcome.id)
    .fetch_one(&pool)
    .await
    .expect("count");
    for UsageSummary {
        active,
        dormant,
        no_data,
    } in [before, after]
    {
        assert_eq!(active + dormant + no_data, acting);
    }
    // Harvesting turned database users without data into users with data.
    assert!(after.no_data < before.no_data, "{before:?} -> {after:?}");
    // Everything in a fresh short window: dormant needs a use older than the window.
    let strict = usage_summary(&pool, outcome.id, 0).await.expect("summary");
    assert_eq!(strict.active, 0);
    assert_eq!(strict.dormant, after.active + after.dormant);
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_run_leaves_its_final_progress(pool: PgPool) {
    let sim = start_sim(11).await;
    let outcome = snapshot(&pool, &sim).await;
    let (step, pages, items): (String, i32, serde_json::Value) = sqlx::query_as(
        "SELECT step, pages_fetched, items FROM snapshot_progress WHERE snapshot_id = $1",
    )
    .bind(outcome.id)
    .fetch_one(&pool)
    .await
    .expect("a progress row");
    assert_eq!(step, "complete");
    assert_eq!(usize::try_from(pages).expect("positive"), outcome.requests);
    assert_eq!(
        items["entitlements"].as_u64(),
        Some(outcome.counts.entitlements as u64)
    );
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn only_one_process_leads_the_schedule(pool: PgPool) {
    let first = Leadership::try_acquire(&pool)
        .await
        .expect("checked")
        .expect("the first process leads");
    assert!(
        Leadership::try_acquire(&pool)
            .await
            .expect("checked")
            .is_none(),
        "a second leader while the first holds the lock"
    );
    drop(first);
    // The lock goes with the closed connection; the server notices within moments.
    let mut next = None;
    for _ in 0..50 {
        next = Leadership::try_acquire(&pool).await.expect("checked");
        if next.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(next.is_some(), "leadership passes on when the leader goes");
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn the_schedule_takes_a_due_snapshot_and_leaves_a_fresh_org_alone(pool: PgPool) {
    let sim = start_sim(11).await;
    let mut schedule = scheduler(&pool, &sim);
    let first = schedule.run_due().await.expect("ran");
    assert_eq!(first.snapshots_taken, vec![sim.org_id.clone()]);
    let second = schedule.run_due().await.expect("ran");
    assert!(second.snapshots_taken.is_empty());
    assert_eq!(snapshot_count(&pool).await, 1);
    let by: String = sqlx::query_scalar("SELECT started_by_label FROM snapshot")
        .fetch_one(&pool)
        .await
        .expect("label");
    assert_eq!(by, "system:scheduler");
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn two_replicas_due_at_once_take_one_snapshot(pool: PgPool) {
    let sim = start_sim(11).await;
    let (mut a, mut b) = (scheduler(&pool, &sim), scheduler(&pool, &sim));
    let (ra, rb) = tokio::join!(a.run_due(), b.run_due());
    let taken = ra.expect("ran").snapshots_taken.len() + rb.expect("ran").snapshots_taken.len();
    assert_eq!(taken, 1);
    assert_eq!(snapshot_count(&pool).await, 1);
}

async fn wait_until_finished(pool: &PgPool, id: Uuid) -> String {
    for _ in 0..200 {
        let status: String = sqlx::query_scalar("SELECT status FROM snapshot WHERE id = $1")
            .bind(id)
            .fetch_one(pool)
            .await
            .expect("the snapshot exists");
        if status != "running" {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("snapshot {id} did not finish");
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn an_admin_takes_a_snapshot_from_the_form_and_lands_on_its_page(pool: PgPool) {
    let sim = start_sim(11).await;
    let mut state = attest_server::serve::state(pool.clone(), demo_config()).expect("state");
    state.atlas = Some(Arc::new(AtlasSource {
        client: sim.client.clone(),
        credential_id: sim.client_id.clone(),
        org_ids: vec![sim.org_id.clone()],
    }));
    let router = attest_server::http::build_router(state);

    let mut reviewer = Browser::signed_in_as(&router, "reviewer").await;
    let refused = reviewer.post_form("/snapshots/take", &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(snapshot_count(&pool).await, 0);

    let mut admin = Browser::signed_in_as(&router, "admin").await;
    let unknown = admin
        .post_form("/snapshots/take", &[("org_id", "ffffffffffffffffffffffff")])
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);

    let taken = admin
        .post_form("/snapshots/take", &[("org_id", &sim.org_id)])
        .await;
    assert_eq!(taken.status, StatusCode::SEE_OTHER, "{}", taken.body);
    let id: Uuid = taken
        .location()
        .strip_prefix("/snapshots/")
        .and_then(|id| id.parse().ok())
        .expect("redirected to the snapshot's page");
    assert_eq!(wait_until_finished(&pool, id).await, "complete");
    let by: String = sqlx::query_scalar("SELECT started_by_label FROM snapshot WHERE id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .expect("label");
    assert!(!by.starts_with("system:"), "{by}");
}
