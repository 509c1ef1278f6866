//! Remediation benchmark: 10,000 submitted revocations pushed to the simulator by the real
//! workers with a rate limit set on the endpoint that carries them out, reporting the achieved
//! rate of changes over the allowed rate (target at least 0.9) and proving that none was lost
//! or made twice.
//!
//! The simulator's demo org gets 10,000 extra single-role database users; a real snapshot,
//! the demo roster and an automatic campaign over the org follow, and every extra user's item
//! is revoked in bulk and submitted (which creates the jobs, as in production). The simulator
//! then allows PER_SECOND database-user deletions a second (a token bucket of 10) while reads
//! stay unlimited, and WORKERS workers (each keeping 32 jobs in flight) run until the queue
//! drains. The workers share one client, as the jobs of one `attest remediate` process do:
//! reads unpaced, changes paced to 0.95 × PER_SECOND with a burst of 5, half the bucket.
//!
//! `cargo run --release -p server --example remediation_bench [-- PER_SECOND [WORKERS]]`
//! (`make bench-remediation`; 50 a second and 2 workers by default) with `DATABASE_URL`
//! pointing at a server where it may create and drop `attest_bench_remediation`.

use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use anyhow::Context;
use app::backend::atlas::{ChangeRate, Credentials};
use app::backend::audit::Actor;
use app::backend::campaign::create::create_campaign;
use app::backend::campaign::decide::{decide_many, submit};
use app::backend::campaign::launch::launch;
use app::backend::directory::{ImportOutcome, import_roster};
use app::backend::remediation::{Worker, WorkerSettings};
use app::backend::snapshot::{SnapshotRequest, SnapshotStatus, take_snapshot};
use app::model::campaign::CampaignDraft;
use attest_server::atlas_sim::seed::DemoOrg;
use attest_server::atlas_sim::{RateLimitRule, SimState, spawn};
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgConnection, PgPool};

const DB: &str = "attest_bench_remediation";
const REVOCATIONS: usize = 10_000;
/// The simulator's bucket: deletions that may arrive back to back.
const BUCKET: u32 = 10;
/// The workers' change rate as a share of the allowed rate: just below it, so the bucket
/// never runs dry however the requests bunch up on the way.
const PACE: f64 = 0.95;
/// Changes the workers send back to back at most: half the bucket.
const BURST: u32 = 5;
/// Jobs each worker keeps in flight.
const CONCURRENCY: usize = 32;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let per_second: u32 = match std::env::args().nth(1) {
        Some(arg) => arg
            .parse()
            .with_context(|| format!("PER_SECOND must be a whole number, not {arg:?}"))?,
        None => 50,
    };
    anyhow::ensure!(per_second > 0, "PER_SECOND must be at least 1");
    let workers: usize = match std::env::args().nth(2) {
        Some(arg) => arg
            .parse()
            .with_context(|| format!("WORKERS must be a whole number, not {arg:?}"))?,
        None => 2,
    };
    anyhow::ensure!(workers > 0, "WORKERS must be at least 1");
    let url = std::env::var("DATABASE_URL").context("DATABASE_URL must be set")?;
    let pool = fresh_database(&url, workers).await?;

    let started = Instant::now();
    let mut demo = DemoOrg::build(5);
    let org_id = demo.credentials.org_id.clone();
    add_database_users(&mut demo.world, &org_id)?;
    let state = SimState::new(demo.world);
    let server = spawn(state.clone(), "127.0.0.1:0").await?;
    let credentials = Credentials::ServiceAccount {
        client_id: demo.credentials.client_id.clone(),
        client_secret: demo.credentials.client_secret.clone().into(),
    };
    let client = attest_server::remediation::worker_client(
        &server.base_url(),
        credentials.clone(),
        0,
        None,
    )?;
    let outcome = take_snapshot(
        &pool,
        &client,
        SnapshotRequest {
            org_id: &org_id,
            actor: Actor::System("bench"),
            credential_id: &demo.credentials.client_id,
        },
        &|_: &str| {},
    )
    .await?;
    anyhow::ensure!(
        matches!(outcome.status, SnapshotStatus::Complete),
        "the snapshot did not complete: {:?}",
        outcome.status
    );
    let roster = attest_server::demo::roster_csv(&demo.people);
    match import_roster(
        &pool,
        Actor::System("bench"),
        "roster.csv",
        roster.as_bytes(),
    )
    .await?
    {
        ImportOutcome::Imported(_) => {}
        ImportOutcome::Rejected(errors) => anyhow::bail!("roster rejected: {errors:?}"),
    }
    // The share guard rail would pause a campaign revoking this much; it is opened here.
    sqlx::query("UPDATE remediation_control SET max_revoke_share = 1")
        .execute(&pool)
        .await?;
    let fallback: Vec<String> = demo
        .people
        .iter()
        .filter(|p| !p.leaver && p.end_date.is_none())
        .take(2)
        .map(|p| p.email.clone())
        .collect();
    let campaign = create_campaign(
        &pool,
        &Actor::System("bench"),
        &draft(&org_id, fallback),
        chrono::Utc::now().date_naive(),
    )
    .await?;
    launch(&pool, &Actor::System("bench"), campaign).await?;
    let by_reviewer: Vec<(String, Vec<i64>)> = sqlx::query_as(
        "SELECT p.email, array_agg(i.id) FROM review_item i \
         JOIN person p ON p.id = i.reviewer_person_id \
         WHERE i.campaign_id = $1 AND i.principal_key LIKE 'dbuser:%/admin/bench\\_%' \
         GROUP BY p.email",
    )
    .bind(campaign)
    .fetch_all(&pool)
    .await?;
    let reviewer = Actor::System("bench-reviewer");
    for (email, items) in &by_reviewer {
        decide_many(
            &pool,
            &reviewer,
            Some(email),
            items,
            "revoke",
            "no longer needed",
            true,
        )
        .await?;
        submit(&pool, &reviewer, Some(email), campaign).await?;
    }
    let jobs: i64 = sqlx::query_scalar("SELECT count(*) FROM remediation_job")
        .fetch_one(&pool)
        .await?;
    anyhow::ensure!(
        jobs == REVOCATIONS as i64,
        "{jobs} jobs were created for {REVOCATIONS} revocations"
    );
    println!(
        "loaded in {:.1} s: {jobs} pending jobs",
        started.elapsed().as_secs_f64()
    );

    state.rate_limits().set(vec![RateLimitRule {
        method: Some("DELETE".into()),
        ..RateLimitRule::per_second(
            "databaseUsers-delete",
            &["/api/atlas/v2/groups/*/databaseUsers/*"],
            BUCKET,
            per_second,
        )
    }]);
    let change_rate = ChangeRate::new(
        PACE * f64::from(per_second),
        NonZeroU32::new(BURST).context("the burst is not zero")?,
    )
    .context("PER_SECOND is too large")?;
    let shared = attest_server::remediation::worker_client(
        &server.base_url(),
        credentials.clone(),
        0,
        Some(change_rate),
    )?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let started = Instant::now();
    let mut running = Vec::with_capacity(workers);
    for n in 0..workers {
        let worker = Worker {
            pool: pool.clone(),
            client: shared.clone(),
            settings: WorkerSettings {
                name: format!("bench-{n}"),
                concurrency: CONCURRENCY,
                lease: Duration::from_secs(60),
                idle_poll: Duration::from_millis(50),
                applying_poll: Duration::from_millis(100),
            },
        };
        let mut stopped = stopped.clone();
        running.push(tokio::spawn(worker.run_until(async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        })));
    }
    let deadline = Instant::now() + Duration::from_secs(1800);
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let busy: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM remediation_job WHERE status IN ('pending', 'running', 'done')",
        )
        .fetch_one(&pool)
        .await?;
        if busy == 0 {
            break;
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "{busy} jobs still open after 30 minutes"
        );
    }
    let elapsed = started.elapsed();
    let _ = stop.send(true);
    for worker in running {
        worker.await?;
    }

    let changes = state.changes().counts();
    let made: u64 = changes.values().sum();
    let achieved = made as f64 / elapsed.as_secs_f64();
    let stats = state.rate_limits().stats();
    println!(
        "pushed {made} changes in {:.1} s with {workers} workers ({CONCURRENCY} jobs in flight \
         each, changes paced to {:.1} a second, burst {BURST}): {achieved:.1} a second, {:.3} \
         of the allowed {per_second} (target 0.9); the simulator allowed {} deletions and \
         refused {}",
        elapsed.as_secs_f64(),
        change_rate.per_second(),
        achieved / f64::from(per_second),
        stats.first().map_or(0, |s| s.allowed),
        stats.first().map_or(0, |s| s.refused),
    );

    // Nothing lost, nothing twice.
    let statuses: Vec<(String, i64)> = sqlx::query_as(
        "SELECT status, count(*) FROM remediation_job GROUP BY status ORDER BY status",
    )
    .fetch_all(&pool)
    .await?;
    let attempts: (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE attempts > 1), coalesce(max(attempts), 0)::bigint \
         FROM remediation_job",
    )
    .fetch_one(&pool)
    .await?;
    let verified_events: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT count(DISTINCT object_id), count(*) FROM audit_event \
         WHERE action = 'remediation.verified'",
    )
    .fetch_all(&pool)
    .await?;
    let repeated = changes.values().filter(|n| **n != 1).count();
    let left = state
        .read()
        .await
        .db_users
        .keys()
        .filter(|(_, _, name)| name.starts_with("bench_"))
        .count();
    println!(
        "jobs by status: {statuses:?}; {} jobs took more than one attempt (at most {}); \
         verified audit events (distinct jobs, total): {verified_events:?}",
        attempts.0, attempts.1
    );
    println!(
        "simulator: {} distinct changes, {repeated} made more than once, {left} of the \
         {REVOCATIONS} users left",
        changes.len()
    );
    let all_verified = statuses == [("verified".to_owned(), REVOCATIONS as i64)];
    let once = changes.len() == REVOCATIONS
        && repeated == 0
        && left == 0
        && changes
            .keys()
            .all(|k| k.starts_with("DELETE ") && k.contains("/bench_"));
    println!(
        "lost or duplicated: {}",
        if all_verified && once {
            "none"
        } else {
            "SOME (see above)"
        }
    );
    server.stop();
    anyhow::ensure!(all_verified && once, "revocations were lost or duplicated");
    Ok(())
}

/// [`REVOCATIONS`] database users with one role each, spread over the org's projects.
fn add_database_users(
    world: &mut attest_server::atlas_sim::World,
    org_id: &str,
) -> anyhow::Result<()> {
    let projects = world.project_ids_of(org_id);
    anyhow::ensure!(!projects.is_empty(), "the demo org has no projects");
    let template = world
        .db_users
        .values()
        .find(|u| !u.roles.is_empty())
        .cloned()
        .context("the demo org has no database user with a role")?;
    for n in 0..REVOCATIONS {
        let mut user = template.clone();
        user.group_id = projects[n % projects.len()].clone();
        user.database_name = "admin".into();
        user.username = format!("bench_{n:05}");
        user.scopes.clear();
        user.labels.clear();
        user.roles.truncate(1);
        user.roles[0].role_name = "read".into();
        user.roles[0].database_name = "sales".into();
        user.roles[0].collection_name = None;
        world.db_users.insert(
            (user.group_id.clone(), "admin".into(), user.username.clone()),
            user,
        );
    }
    Ok(())
}

/// Drops and creates [`DB`] next to the database `url` names, and migrates it.
async fn fresh_database(url: &str, workers: usize) -> anyhow::Result<PgPool> {
    let mut admin = PgConnection::connect(url).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {DB}")))
        .execute(&mut admin)
        .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {DB}")))
        .execute(&mut admin)
        .await?;
    let base = url.rsplit_once('/').map_or(url, |(base, _)| base);
    let pool = PgPoolOptions::new()
        .max_connections(workers as u32 * 8 + 2)
        .connect(&format!("{base}/{DB}"))
        .await?;
    app::backend::db::MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// An automatic campaign over every principal kind of `org_id`, without required comments.
fn draft(org_id: &str, fallback: Vec<String>) -> CampaignDraft {
    CampaignDraft {
        name: "Remediation benchmark".into(),
        description: String::new(),
        org_ids: vec![org_id.into()],
        project_ids: vec![],
        principal_kinds: [
            "atlas_user",
            "database_user",
            "team",
            "api_key",
            "service_account",
        ]
        .map(String::from)
        .to_vec(),
        tiers: vec![],
        only_new_since_last: false,
        due_date: (chrono::Utc::now().date_naive() + chrono::Days::new(7)).to_string(),
        reviewer_rules: vec!["manager".into(), "owner".into()],
        comment_required_on_revoke: false,
        comment_required_on_privileged_approve: false,
        allow_forwarding: true,
        undecided_outcome: "keep".into(),
        remediation_mode: "automatic".into(),
        fallback_reviewers: fallback,
        max_snapshot_age_hours: 72,
    }
}
