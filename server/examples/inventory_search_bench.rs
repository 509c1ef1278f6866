//! Inventory search benchmark: the simulator's `large` org pulled through a real snapshot
//! into a fresh database, with its roster imported and its database access history harvested
//! first, then `inventory::search` timed for every explorer filter, printing p50/p95.
//!
//! `cargo run --release -p server --example inventory_search_bench` (`make bench-inventory`;
//! the server ships as a release build) with `DATABASE_URL` pointing at a server where it may
//! create and drop the database `attest_bench_inventory`; `-- --keep` leaves it in place
//! afterwards. Times are server time inside the process (query and row mapping), without HTTP
//! or rendering. The search terms are read from the loaded data (a person, a
//! project, a database user), so they match whatever the seed builds.

use std::time::{Duration, Instant};

use anyhow::Context;
use app::backend::atlas::{AtlasClient, AtlasConfig, Credentials, RetryPolicy};
use app::backend::audit::Actor;
use app::backend::directory::{ImportOutcome, import_roster};
use app::backend::inventory::search;
use app::backend::snapshot::{
    SnapshotRequest, SnapshotStatus, harvest_access_history, take_snapshot,
};
use app::model::inventory::InventoryFilter;
use attest_server::atlas_sim::seed::OrgSize;
use attest_server::atlas_sim::{SimState, spawn};
use attest_server::demo::roster_csv;
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgConnection};

const DB: &str = "attest_bench_inventory";
const SEED: u64 = 2026;
const RUNS: usize = 20;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = std::env::var("DATABASE_URL").context("DATABASE_URL must name the server")?;
    let mut admin = PgConnection::connect(&url).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {DB}")))
        .execute(&mut admin)
        .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {DB}")))
        .execute(&mut admin)
        .await?;
    let base = url.rsplit_once('/').map_or(url.as_str(), |(base, _)| base);
    let pool = PgPoolOptions::new()
        .max_connections(4)
        .connect(&format!("{base}/{DB}"))
        .await?;
    app::backend::db::MIGRATOR.run(&pool).await?;

    let started = Instant::now();
    load(&pool).await?;
    println!("loaded in {:.1} s", started.elapsed().as_secs_f64());
    let counts: (i64, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM person), (SELECT count(*) FROM principal), \
                (SELECT count(*) FROM entitlement), (SELECT count(*) FROM identity_link), \
                (SELECT count(*) FROM principal_usage)",
    )
    .fetch_one(&pool)
    .await?;
    println!(
        "people {}, principals {}, entitlements {}, identity links {}, usage rows {}",
        counts.0, counts.1, counts.2, counts.3, counts.4
    );

    // Search terms taken from the data, so that each one matches something.
    let person: String = sqlx::query_scalar("SELECT name FROM person ORDER BY email OFFSET 4242")
        .fetch_one(&pool)
        .await?;
    let project: String =
        sqlx::query_scalar("SELECT name FROM snapshot_project ORDER BY name OFFSET 512")
            .fetch_one(&pool)
            .await?;
    let other_project: String =
        sqlx::query_scalar("SELECT name FROM snapshot_project ORDER BY name OFFSET 7")
            .fetch_one(&pool)
            .await?;
    let username: String = sqlx::query_scalar(
        "SELECT username FROM principal WHERE kind = 'database_user' ORDER BY key OFFSET 7777",
    )
    .fetch_one(&pool)
    .await?;
    println!(
        "terms: person {person:?}, project {project:?} and {other_project:?}, username {username:?}"
    );

    let cases: Vec<(&str, InventoryFilter)> = vec![
        ("no filter, page 1", InventoryFilter::default()),
        ("no filter, page 200", filter(|f| f.page = Some(200))),
        ("person name", filter(|f| f.person = Some(person.clone()))),
        ("username", filter(|f| f.username = Some(username.clone()))),
        (
            "project name",
            filter(|f| f.project = Some(project.clone())),
        ),
        ("role", filter(|f| f.role = Some("GROUP_OWNER".into()))),
        ("tier admin", filter(|f| f.tier = Some("admin".into()))),
        ("kind api key", filter(|f| f.kind = Some("api_key".into()))),
        ("orphans", filter(|f| f.orphan = Some(true))),
        ("leavers", filter(|f| f.leaver = Some(true))),
        ("dormant", filter(|f| f.dormant = Some(true))),
        (
            "write tier in a project, dormant",
            filter(|f| {
                f.project = Some(other_project.clone());
                f.tier = Some("write".into());
                f.dormant = Some(true);
            }),
        ),
    ];
    let mut all = Vec::new();
    println!("load average before: {}", load_average());
    println!("| filter | rows | p50 ms | p95 ms |");
    println!("|---|---|---|---|");
    for (name, case) in &cases {
        let mut times = Vec::with_capacity(RUNS);
        let mut total = 0;
        for _ in 0..RUNS {
            let t = Instant::now();
            total = search(&pool, case, 50).await?.total;
            times.push(t.elapsed());
        }
        println!(
            "| {name} | {total} | {:.1} | {:.1} |",
            ms(percentile(&mut times.clone(), 50)),
            ms(percentile(&mut times.clone(), 95))
        );
        all.extend(times);
    }
    println!(
        "all {} searches: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        all.len(),
        ms(percentile(&mut all.clone(), 50)),
        ms(percentile(&mut all.clone(), 95)),
        ms(percentile(&mut all, 100))
    );
    println!("load average after: {}", load_average());
    pool.close().await;
    if std::env::args().any(|arg| arg == "--keep") {
        println!("kept the database {DB} (--keep)");
    } else {
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE {DB}")))
            .execute(&mut admin)
            .await?;
    }
    Ok(())
}

fn filter(set: impl FnOnce(&mut InventoryFilter)) -> InventoryFilter {
    let mut f = InventoryFilter::default();
    set(&mut f);
    f
}

/// The machine's load average (Linux), which BENCHMARKS.md records with every run: the
/// machine is shared, and a busy one stretches every time.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(times: &mut [Duration], p: usize) -> Duration {
    times.sort();
    let idx = (times.len() * p).div_ceil(100).saturating_sub(1);
    times[idx.min(times.len() - 1)]
}

/// The roster, then one complete snapshot of the `large` org through the real client, then its
/// database access history, as a deployment would have them.
async fn load(pool: &sqlx::PgPool) -> anyhow::Result<()> {
    let org = OrgSize::Large.build(SEED);
    let roster = roster_csv(&org.people);
    match import_roster(
        pool,
        Actor::System("bench"),
        "roster.csv",
        roster.as_bytes(),
    )
    .await?
    {
        ImportOutcome::Imported(summary) => println!("roster: {} people", summary.people),
        ImportOutcome::Rejected(errors) => anyhow::bail!("roster rejected: {errors:?}"),
    }
    let credentials = org.credentials.clone();
    let server = spawn(SimState::new(org.world), "127.0.0.1:0").await?;
    let mut config = AtlasConfig::new(Credentials::ServiceAccount {
        client_id: credentials.client_id.clone(),
        client_secret: credentials.client_secret.clone().into(),
    })
    .with_base_url(server.base_url());
    config.rate_limit = None;
    config.retry = RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(50),
        max_delay: Duration::from_secs(1),
        max_retry_after: Duration::from_secs(5),
    };
    let client = AtlasClient::new(config)?;
    let started = Instant::now();
    let outcome = take_snapshot(
        pool,
        &client,
        SnapshotRequest {
            org_id: &credentials.org_id,
            actor: Actor::System("bench"),
            credential_id: &credentials.client_id,
        },
        &|_: &str| {},
    )
    .await?;
    if let SnapshotStatus::Failed { error } = &outcome.status {
        anyhow::bail!("the snapshot failed: {error}");
    }
    println!(
        "snapshot: {} principals, {} entitlements in {:.1} s",
        outcome.counts.principals,
        outcome.counts.entitlements,
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let harvest = harvest_access_history(pool, &client, &credentials.org_id).await?;
    println!(
        "access history: {} clusters read, {} unavailable, in {:.1} s",
        harvest.clusters_read,
        harvest.unavailable,
        started.elapsed().as_secs_f64()
    );
    server.stop();
    sqlx::query("ANALYZE").execute(pool).await?;
    Ok(())
}
