//! How the long-running worker keeps jobs moving: a new job is claimed as each one finishes,
//! so a job Atlas holds up delays only itself; changes are paced to the client's change rate,
//! so the org's bucket never runs dry; and a worker asked to stop finishes what it holds and
//! claims nothing more.

mod remediation_world;

use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use app::backend::atlas::ChangeRate;
use app::backend::remediation::Worker;
use attest_server::atlas_sim::{FaultAction, FaultRule, RateLimitRule};
use remediation_world::{Sim, campaign, revoke_where, single_role_database_users, worker};
use sqlx::PgPool;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A simulator with `count` extra single-role database users named `pace_…`, snapshotted,
/// with every one of them revoked and submitted; returns it with the number of jobs.
async fn revoked_database_users(pool: &PgPool, count: usize) -> Sim {
    let sim = Sim::start(|world, org| single_role_database_users(world, org, "pace_", count)).await;
    sim.snapshot(pool).await;
    let campaign = campaign(pool, &sim, "automatic", 1.0).await;
    let items = revoke_where(pool, campaign, |k| k.contains("/dbuser:admin/pace_")).await;
    assert_eq!(items.len(), count);
    sim
}

/// A worker over `sim` whose client paces changes to `per_second`, with `burst`.
fn paced_worker(
    pool: &PgPool,
    sim: &Sim,
    per_second: f64,
    burst: u32,
    concurrency: usize,
) -> Worker {
    let rate = ChangeRate::new(per_second, NonZeroU32::new(burst).expect("not zero"))
        .expect("a valid rate");
    let mut w = worker(pool, sim, "paced");
    w.client = attest_server::remediation::worker_client(
        &sim.server.base_url(),
        sim.credentials(),
        0,
        Some(rate),
    )
    .expect("a valid client");
    w.settings.concurrency = concurrency;
    w
}

/// Starts `worker` in the background; send `true` on the returned channel to stop it.
fn start(worker: Worker) -> (watch::Sender<bool>, JoinHandle<()>) {
    let (stop, mut stopped) = watch::channel(false);
    let handle = tokio::spawn(worker.run_until(async move {
        let _ = stopped.wait_for(|stop| *stop).await;
    }));
    (stop, handle)
}

/// Waits until no job is pending, running or awaiting verification.
async fn drained(pool: &PgPool, limit: Duration) {
    let deadline = Instant::now() + limit;
    loop {
        let open: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM remediation_job WHERE status IN ('pending', 'running', 'done')",
        )
        .fetch_one(pool)
        .await
        .expect("count");
        if open == 0 {
            return;
        }
        assert!(Instant::now() < deadline, "{open} jobs still open");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn stop(stop: watch::Sender<bool>, handle: JoinHandle<()>) {
    stop.send(true).expect("the worker is listening");
    tokio::time::timeout(Duration::from_secs(60), handle)
        .await
        .expect("the worker stops when asked")
        .expect("the worker did not panic");
}

async fn statuses(pool: &PgPool) -> Vec<(String, i64)> {
    sqlx::query_as("SELECT status, count(*) FROM remediation_job GROUP BY status ORDER BY status")
        .fetch_all(pool)
        .await
        .expect("statuses")
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_job_held_up_by_atlas_does_not_hold_back_the_others(pool: PgPool) {
    let sim = revoked_database_users(&pool, 12).await;
    // The first job claimed gets a deletion that takes six seconds to answer.
    let first: String = sqlx::query_scalar(
        "SELECT entitlement_key FROM remediation_job ORDER BY run_at, id LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .expect("a job");
    let start_at = first.find("pace_").expect("a pace_ user");
    let slow_user = &first[start_at..start_at + "pace_00000".len()];
    sim.server.state.faults().add(
        FaultRule::new(
            &format!("/api/atlas/v2/groups/*/databaseUsers/admin/{slow_user}"),
            FaultAction::Delay { ms: 6_000 },
        )
        .method("DELETE")
        .times(1),
    );

    let mut w = worker(&pool, &sim, "w");
    w.settings.concurrency = 2;
    let (signal, handle) = start(w);
    drained(&pool, Duration::from_secs(120)).await;
    stop(signal, handle).await;

    assert_eq!(statuses(&pool).await, [("verified".to_owned(), 12)]);
    // With two slots, the other eleven went through the second one while the first waited.
    let slow_last: bool = sqlx::query_scalar(
        "SELECT bool_and(verified_at < (SELECT verified_at FROM remediation_job \
                                        WHERE entitlement_key = $1)) \
         FROM remediation_job WHERE entitlement_key <> $1",
    )
    .bind(&first)
    .fetch_one(&pool)
    .await
    .expect("verified times");
    assert!(slow_last, "the held-up job kept the others waiting");
    assert_eq!(sim.server.state.changes().total(), 12);
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn changes_are_paced_to_the_change_rate_so_the_bucket_never_runs_dry(pool: PgPool) {
    let sim = revoked_database_users(&pool, 20).await;
    // Atlas allows 50 deletions a second from a bucket of 5; the client sends 5 a second, one
    // at a time, so even requests bunched up on a busy machine find a token.
    sim.server.state.rate_limits().set(vec![RateLimitRule {
        method: Some("DELETE".into()),
        ..RateLimitRule::per_second(
            "databaseUsers-delete",
            &["/api/atlas/v2/groups/*/databaseUsers/*"],
            5,
            50,
        )
    }]);

    let started = Instant::now();
    let (signal, handle) = start(paced_worker(&pool, &sim, 5.0, 1, 8));
    drained(&pool, Duration::from_secs(120)).await;
    let elapsed = started.elapsed();
    stop(signal, handle).await;

    assert_eq!(statuses(&pool).await, [("verified".to_owned(), 20)]);
    let stats = sim.server.state.rate_limits().stats();
    assert_eq!((stats[0].allowed, stats[0].refused), (20, 0), "{stats:?}");
    // Twenty changes, one every 200 ms after the first: the pace is a floor, however fast
    // the rest of the machine is.
    assert!(elapsed >= Duration::from_millis(3_700), "{elapsed:?}");
    assert_eq!(sim.server.state.changes().total(), 20);
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_worker_asked_to_stop_finishes_the_jobs_it_holds_and_claims_no_more(pool: PgPool) {
    let sim = revoked_database_users(&pool, 40).await;
    // Two changes a second with four jobs in flight: the queue is far from empty at the stop.
    let (signal, handle) = start(paced_worker(&pool, &sim, 2.0, 1, 4));
    let deadline = Instant::now() + Duration::from_secs(60);
    while sim.server.state.changes().total() == 0 {
        assert!(Instant::now() < deadline, "no change was made");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop(signal, handle).await;

    let (running, claimed, untouched): (i64, i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE status = 'running'), \
                count(*) FILTER (WHERE attempts > 0), \
                count(*) FILTER (WHERE status = 'pending' AND attempts = 0) \
         FROM remediation_job",
    )
    .fetch_one(&pool)
    .await
    .expect("counts");
    assert_eq!(running, 0, "a claimed job was left under its lease");
    assert!(untouched > 0, "the worker went on claiming");
    // Every claim was completed: one attempt row per claim.
    let completed: i64 =
        sqlx::query_scalar("SELECT count(DISTINCT job_id) FROM remediation_attempt")
            .fetch_one(&pool)
            .await
            .expect("attempts");
    assert_eq!(completed, claimed);
    let changed = sim.server.state.changes().total();
    let done: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM remediation_job WHERE status IN ('done', 'verified')",
    )
    .fetch_one(&pool)
    .await
    .expect("count");
    assert_eq!(i64::try_from(changed).expect("small"), done);
}
