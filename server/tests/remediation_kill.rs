//! The worker process killed at random points during a push of 1,200 revocations: two
//! `attest remediate` processes run side by side and are killed (SIGKILL) and restarted again
//! and again until the queue drains. Every job must end verified, and the simulator's
//! state-change counter must show exactly one successful change per revocation.

mod remediation_world;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use app::backend::audit::Actor;
use app::backend::campaign::decide::{decide_many, submit};
use rand::{Rng, SeedableRng};
use remediation_world::{Sim, campaign, single_role_database_users};
use sqlx::PgPool;

const REVOCATIONS: usize = 1200;

async fn database_url_of(pool: &PgPool) -> String {
    let name: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(pool)
        .await
        .expect("current_database() answers");
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL is set");
    let mut url = openidconnect::url::Url::parse(&base).expect("DATABASE_URL is a URL");
    url.set_path(&name);
    url.to_string()
}

/// A worker process, killed when dropped so that a failing test leaves none behind.
struct WorkerProcess(Child);

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_worker(sim: &Sim, database_url: &str) -> WorkerProcess {
    WorkerProcess(
        Command::new(env!("CARGO_BIN_EXE_attest"))
            .args([
                "remediate",
                "--rate-limit",
                "0",
                "--lease-secs",
                "3",
                "--concurrency",
                "32",
                // Paced, so a kill can land while jobs wait for the change rate.
                "--change-rate",
                "50",
                "--change-burst",
                "5",
            ])
            .env("DATABASE_URL", database_url)
            .env("ATLAS_BASE_URL", sim.server.base_url())
            .env("ATLAS_CLIENT_ID", &sim.client_id)
            .env("ATLAS_CLIENT_SECRET", &sim.client_secret)
            .env("ATTEST_LOG_FORMAT", "text")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the attest binary starts"),
    )
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn killing_workers_at_random_loses_nothing_and_changes_atlas_exactly_once(pool: PgPool) {
    // 1,200 single-role database users spread over the org's projects.
    let sim =
        Sim::start(|world, org| single_role_database_users(world, org, "bulk_", REVOCATIONS)).await;
    // Every restart signs in afresh; lift the token endpoint's limits so sign-ins are not what
    // is measured here.
    sim.server
        .state
        .update_config(|c| {
            c.token_requests_per_minute = 1_000_000;
            c.max_active_tokens = 1_000_000;
        })
        .await;
    sim.snapshot(&pool).await;
    let campaign = campaign(&pool, &sim, "automatic", 1.0).await;
    let by_reviewer: Vec<(String, Vec<i64>)> = sqlx::query_as(
        "SELECT p.email, array_agg(i.id) FROM review_item i \
         JOIN person p ON p.id = i.reviewer_person_id \
         WHERE i.campaign_id = $1 AND i.principal_key LIKE 'dbuser:%/admin/bulk_%' \
         GROUP BY p.email",
    )
    .bind(campaign)
    .fetch_all(&pool)
    .await
    .expect("items by reviewer");
    let reviewer = Actor::System("test-reviewer");
    for (email, items) in &by_reviewer {
        decide_many(&pool, &reviewer, Some(email), items, "revoke", "bulk", true)
            .await
            .expect("decided");
        submit(&pool, &reviewer, Some(email), campaign)
            .await
            .expect("submitted");
    }
    let jobs: i64 = sqlx::query_scalar("SELECT count(*) FROM remediation_job")
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(jobs, REVOCATIONS as i64);

    let url = database_url_of(&pool).await;
    let mut rng = rand::rngs::StdRng::seed_from_u64(42);
    let mut workers = [start_worker(&sim, &url), start_worker(&sim, &url)];
    let mut kills = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(300);
    loop {
        tokio::time::sleep(Duration::from_millis(rng.gen_range(50..600))).await;
        let open: i64 =
            sqlx::query_scalar("SELECT count(*) FROM remediation_job WHERE status <> 'verified'")
                .fetch_one(&pool)
                .await
                .expect("count");
        if open == 0 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{open} jobs still open"
        );
        let victim = rng.gen_range(0..workers.len());
        // Dropping the old process kills it (SIGKILL) wherever it was.
        workers[victim] = start_worker(&sim, &url);
        kills += 1;
    }
    drop(workers);
    assert!(kills >= 5, "the workers were killed only {kills} times");

    let changes = sim.server.state.changes().counts();
    assert_eq!(
        changes.len(),
        REVOCATIONS,
        "one distinct change per revocation"
    );
    let repeated: Vec<_> = changes.iter().filter(|(_, n)| **n != 1).collect();
    assert!(
        repeated.is_empty(),
        "changes made more than once: {repeated:?}"
    );
    assert!(
        changes
            .keys()
            .all(|k| k.starts_with("DELETE ") && k.contains("/bulk_"))
    );
    let left = sim
        .server
        .state
        .read()
        .await
        .db_users
        .keys()
        .filter(|(_, _, name)| name.starts_with("bulk_"))
        .count();
    assert_eq!(left, 0);
    let reclaimed: i64 =
        sqlx::query_scalar("SELECT count(*) FROM remediation_job WHERE attempts > 1")
            .fetch_one(&pool)
            .await
            .expect("count");
    eprintln!("{kills} kills; {reclaimed} jobs were claimed more than once");
}
