//! Snapshot benchmark: the simulator's `large` org snapshotted end to end (the real Atlas
//! client, `app::backend::snapshot::take_snapshot`, a fresh database), then the write of its
//! entitlements timed against a bare `COPY` of the same rows.
//!
//! `cargo run -p server --example snapshot_bench` (`make bench-snapshot`) with `DATABASE_URL`
//! pointing at a server where it may create and drop the database `attest_bench_snapshot`.
//!
//! The simulator runs in this process; the snapshot runs in a child process (this same
//! program, started with `--snapshot`), so the child's peak resident memory (`VmHWM`) is the
//! snapshot's alone and not the simulator's. The child then pulls the org once more and writes
//! its entitlements four ways, each in its own transaction, commit included: the snapshot's
//! own streamed write (`stream::write_entitlements`: the rows derived, hashed and encoded
//! part by part, a hundred projects at a time, and sent through one `COPY`), the earlier `INSERT … SELECT FROM
//! UNNEST` of all rows (`store::insert_entitlements`), a `COPY` of rows encoded beforehand
//! into `entitlement` (same indexes, constraints and triggers) and the same `COPY` into a
//! table of the same columns with no index or constraint at all.

use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::Context;
use app::backend::atlas::{AtlasClient, AtlasConfig, Credentials, RetryPolicy};
use app::backend::audit::Actor;
use app::backend::snapshot::copy::{COPY_ENTITLEMENTS, ENTITLEMENT_COLUMNS, encode_entitlement};
use app::backend::snapshot::hash::ContentHasher;
use app::backend::snapshot::model::Counts;
use app::backend::snapshot::pull::pull_org;
use app::backend::snapshot::store::{self, NewSnapshot};
use app::backend::snapshot::{SnapshotRequest, SnapshotStatus, derive, stream, take_snapshot};
use attest_server::atlas_sim::seed::OrgSize;
use attest_server::atlas_sim::{SimState, spawn};
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgConnection, PgPool};
use uuid::Uuid;

const DB: &str = "attest_bench_snapshot";
const SEED: u64 = 2026;
/// Environment handed to the child: the simulator and the credentials of its org.
const ENV_BASE_URL: &str = "ATTEST_BENCH_SIM_URL";
const ENV_ORG: &str = "ATTEST_BENCH_ORG_ID";
const ENV_CLIENT_ID: &str = "ATTEST_BENCH_CLIENT_ID";
const ENV_CLIENT_SECRET: &str = "ATTEST_BENCH_CLIENT_SECRET";
/// Orgs that hold the snapshots the write comparison fills.
const UNNEST_ORG: &str = "00000000000000000000b001";
const COPY_ORG: &str = "00000000000000000000b002";
const STREAM_ORG: &str = "00000000000000000000b003";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = std::env::var("DATABASE_URL").context("DATABASE_URL must name the server")?;
    let base = url.rsplit_once('/').map_or(url.as_str(), |(base, _)| base);
    let bench_url = format!("{base}/{DB}");
    if std::env::args().nth(1).as_deref() == Some("--snapshot") {
        return child(&bench_url).await;
    }

    let mut admin = PgConnection::connect(&url).await?;
    for statement in [
        format!("DROP DATABASE IF EXISTS {DB}"),
        format!("CREATE DATABASE {DB}"),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(statement))
            .execute(&mut admin)
            .await?;
    }
    {
        let pool = PgPool::connect(&bench_url).await?;
        app::backend::db::MIGRATOR.run(&pool).await?;
        pool.close().await;
    }

    let started = Instant::now();
    let org = OrgSize::Large.build(SEED);
    println!(
        "large org (seed {SEED}) built in {:.2} s: {} projects, {} Atlas users, {} database \
         users, {} teams, {} API keys, {} service accounts",
        started.elapsed().as_secs_f64(),
        org.world.projects.len(),
        org.world.users.len(),
        org.world.db_users.len(),
        org.world.teams.len(),
        org.world.api_keys.len(),
        org.world.service_accounts.len(),
    );
    let credentials = org.credentials.clone();
    let server = spawn(SimState::new(org.world), "127.0.0.1:0").await?;

    let exe = std::env::current_exe().context("cannot find this program to run the snapshot")?;
    let status = Command::new(exe)
        .arg("--snapshot")
        .env(ENV_BASE_URL, server.base_url())
        .env(ENV_ORG, &credentials.org_id)
        .env(ENV_CLIENT_ID, &credentials.client_id)
        .env(ENV_CLIENT_SECRET, &credentials.client_secret)
        .status()
        .context("cannot start the snapshot process")?;
    println!("simulator process peak memory {}", peak_memory());
    server.stop();
    anyhow::ensure!(status.success(), "the snapshot process failed: {status}");

    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE {DB}")))
        .execute(&mut admin)
        .await?;
    Ok(())
}

fn env(name: &str) -> anyhow::Result<String> {
    std::env::var(name).with_context(|| format!("{name} must be set by the parent process"))
}

/// The snapshot, its peak memory, then the entitlement write against COPY.
async fn child(bench_url: &str) -> anyhow::Result<()> {
    let org_id = env(ENV_ORG)?;
    let client_id = env(ENV_CLIENT_ID)?;
    let mut config = AtlasConfig::new(Credentials::ServiceAccount {
        client_id: client_id.clone(),
        client_secret: env(ENV_CLIENT_SECRET)?.into(),
    })
    .with_base_url(env(ENV_BASE_URL)?);
    config.rate_limit = None;
    config.retry = RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(50),
        max_delay: Duration::from_secs(1),
        max_retry_after: Duration::from_secs(5),
    };
    let client = AtlasClient::new(config)?;
    let pool = PgPoolOptions::new()
        .max_connections(4)
        .connect(bench_url)
        .await?;
    println!(
        "snapshot process memory before the snapshot {}",
        peak_memory()
    );

    // Each progress step with the moment it began and the peak memory so far, to split the run
    // into pull, derive and store.
    let steps: Mutex<Vec<(String, Instant, String)>> = Mutex::new(Vec::new());
    let record = |step: &str| {
        if let Ok(mut steps) = steps.lock() {
            steps.push((step.to_owned(), Instant::now(), peak_memory()));
        }
    };
    let started = Instant::now();
    let outcome = take_snapshot(
        &pool,
        &client,
        SnapshotRequest {
            org_id: &org_id,
            actor: Actor::System("bench"),
            credential_id: &client_id,
        },
        &record,
    )
    .await?;
    let elapsed = started.elapsed();
    let peak = peak_memory();
    if let SnapshotStatus::Failed { error } = &outcome.status {
        anyhow::bail!("the snapshot failed: {error}");
    }
    let steps = steps.into_inner().unwrap_or_default();
    let at = |prefix: &str| steps.iter().find(|(step, _, _)| step.starts_with(prefix));
    let (deriving, storing) = (at("deriving"), at("storing"));
    println!(
        "snapshot complete in {:.2} s: {} requests, {} principals, {} entitlements; \
         peak memory of the snapshot process {peak}",
        elapsed.as_secs_f64(),
        outcome.requests,
        outcome.counts.principals,
        outcome.counts.entitlements,
    );
    if let (Some((_, deriving, after_pull)), Some((_, storing, after_derive))) = (deriving, storing)
    {
        println!(
            "  pull {:.2} s (peak memory at its end {after_pull}), derive and hash {:.2} s \
             (peak at its end {after_derive}), store (rows, request log, pages, usage, \
             identity links, audit) {:.2} s",
            (*deriving - started).as_secs_f64(),
            (*storing - *deriving).as_secs_f64(),
            (started + elapsed - *storing).as_secs_f64(),
        );
    }
    let (pages, raw, gzipped): (i64, i64, i64) = sqlx::query_as(
        "SELECT count(*), coalesce(sum(size_bytes), 0)::bigint, \
                coalesce(sum(length(body_gzip)), 0)::bigint FROM snapshot_page",
    )
    .fetch_one(&pool)
    .await?;
    println!(
        "  raw pages kept: {pages}, {:.1} MB as received, {:.1} MB gzip-compressed",
        raw as f64 / 1e6,
        gzipped as f64 / 1e6
    );

    // The same rows again, for the write comparison.
    let pulled = pull_org(&client, &org_id, &|_: &str| {}).await?;
    let derived = derive(&pulled.inventory);
    let rows = &derived.entitlements;

    // Each under an org of its own: an org has at most one running snapshot.
    let stream_id = running_snapshot(&pool, &client, STREAM_ORG, &client_id).await?;
    let unnest_id = running_snapshot(&pool, &client, UNNEST_ORG, &client_id).await?;
    let copy_id = running_snapshot(&pool, &client, COPY_ORG, &client_id).await?;
    for id in [stream_id, unnest_id, copy_id] {
        let mut tx = pool.begin().await?;
        store::insert_projects_and_principals(&mut tx, id, &derived).await?;
        tx.commit().await?;
    }
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE TABLE bench_entitlement_copy AS SELECT {ENTITLEMENT_COLUMNS} FROM entitlement \
         WITH NO DATA"
    )))
    .execute(&pool)
    .await?;

    // The snapshot's own write: every entitlement derived, hashed, encoded and sent part by
    // part inside the timed write, as a snapshot does.
    let t = Instant::now();
    let mut tx = pool.begin().await?;
    let mut hasher = ContentHasher::default();
    let mut counts = Counts::default();
    stream::write_entitlements(
        &mut tx,
        stream_id,
        &pulled.inventory,
        &mut hasher,
        &mut counts,
    )
    .await?;
    tx.commit().await?;
    let streamed = t.elapsed();
    drop(pulled);

    let t = Instant::now();
    let mut tx = pool.begin().await?;
    store::insert_entitlements(&mut tx, unnest_id, rows).await?;
    tx.commit().await?;
    let unnest = t.elapsed();

    let t = Instant::now();
    let mut copy_text = String::with_capacity(rows.len() * 300);
    for row in rows {
        encode_entitlement(&mut copy_text, copy_id, row);
    }
    let encode = t.elapsed();
    let into_entitlement = copy(&pool, COPY_ENTITLEMENTS, &copy_text).await?;
    let bare_statement = format!("COPY bench_entitlement_copy ({ENTITLEMENT_COLUMNS}) FROM STDIN");
    let bare = copy(&pool, &bare_statement, &copy_text).await?;

    println!(
        "entitlement write of {} rows ({:.1} MB as COPY text, encoded in {:.2} s):",
        rows.len(),
        copy_text.len() as f64 / 1e6,
        encode.as_secs_f64()
    );
    println!(
        "  snapshot write (stream::write_entitlements, COPY in pieces, rows derived and \
         hashed on the way) {:.2} s, {} rows",
        streamed.as_secs_f64(),
        counts.entitlements
    );
    println!(
        "  earlier write (store::insert_entitlements, UNNEST) {:.2} s",
        unnest.as_secs_f64()
    );
    println!(
        "  COPY into entitlement (same indexes, constraints, triggers) {:.2} s",
        into_entitlement.as_secs_f64()
    );
    println!(
        "  bare COPY into a table without indexes {:.2} s",
        bare.as_secs_f64()
    );
    println!(
        "  snapshot write over COPY into entitlement {:.2}x (target at most 2x); over bare COPY \
         {:.2}x",
        streamed.as_secs_f64() / into_entitlement.as_secs_f64(),
        streamed.as_secs_f64() / bare.as_secs_f64()
    );
    pool.close().await;
    Ok(())
}

/// A running snapshot of `org_id` to write rows into.
async fn running_snapshot(
    pool: &PgPool,
    client: &AtlasClient,
    org_id: &str,
    credential_id: &str,
) -> anyhow::Result<Uuid> {
    let id = Uuid::new_v4();
    let mut conn = pool.acquire().await?;
    store::insert_running(
        &mut conn,
        &NewSnapshot {
            id,
            org_id,
            base_url: client.origin(),
            credential_id,
            started_by: None,
            started_by_label: "bench",
        },
    )
    .await?;
    Ok(id)
}

/// `statement` (a `COPY … FROM STDIN`) fed `text` in one transaction, timed with its commit.
async fn copy(pool: &PgPool, statement: &str, text: &str) -> anyhow::Result<Duration> {
    let t = Instant::now();
    let mut tx = pool.begin().await?;
    let mut sink = tx.copy_in_raw(statement).await?;
    sink.send(text.as_bytes()).await?;
    sink.finish().await?;
    tx.commit().await?;
    Ok(t.elapsed())
}

/// This process's peak resident memory, from `/proc` where there is one.
fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmHWM:"))
                .map(|line| line.trim_start_matches("VmHWM:").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned())
}
