//! Evidence CSV benchmark: a campaign of 1,000,000 review items, each with one decision, loaded
//! into a fresh database with set-based SQL; then `decisions.csv` downloaded over real HTTP
//! from the real router (signed in as an auditor), against PostgreSQL's own
//! `COPY (…) TO STDOUT WITH CSV` of the same rows. Prints rows, bytes, seconds, MB/s and the
//! process's peak resident memory during each run.
//!
//! `cargo run --release -p server --example evidence_csv_bench` (`make bench-evidence`) with
//! `DATABASE_URL` pointing at a server where it may create and drop `attest_bench_evidence`.
//! The client runs in the same process as the server and throws the bytes away, so the peak
//! memory is the server's plus a small client.

use std::time::Instant;

use app::backend::audit::Actor;
use app::backend::directory::{ImportOutcome, import_roster};
use app::backend::evidence::files::DECISIONS;
use attest_server::config::{ServeArgs, ServeConfig};
use attest_server::evidence::EvidenceArgs;
use attest_server::snapshots::config::ScheduleArgs;
use futures_util::TryStreamExt;
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgConnection};
use uuid::Uuid;

const DB: &str = "attest_bench_evidence";
const ORG: &str = "0000000000000000000000bb";
const PRINCIPALS: i32 = 10_000;
const GRANTS_EACH: i32 = 100;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = std::env::var("DATABASE_URL")?;
    let mut admin = PgConnection::connect(&url).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {DB}")))
        .execute(&mut admin)
        .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {DB}")))
        .execute(&mut admin)
        .await?;
    let base = url.rsplit_once('/').map_or(url.as_str(), |(base, _)| base);
    let db_url = format!("{base}/{DB}");
    let pool = PgPoolOptions::new()
        .max_connections(4)
        .connect(&db_url)
        .await?;
    app::backend::db::MIGRATOR.run(&pool).await?;

    let started = Instant::now();
    let campaign = load(&pool).await?;
    println!("loaded in {:.1} s", started.elapsed().as_secs_f64());
    let decisions: i64 = sqlx::query_scalar("SELECT count(*) FROM review_decision")
        .fetch_one(&pool)
        .await?;
    println!("review decisions: {decisions}");

    // PostgreSQL's own CSV of the same statement, the campaign id written in (COPY takes no
    // parameters; the id is ours).
    let copy = format!(
        "COPY ({}) TO STDOUT WITH CSV HEADER",
        DECISIONS.sql.replace("$1", &format!("'{campaign}'::uuid"))
    );
    let mut conn = PgConnection::connect(&db_url).await?;
    reset_peak();
    let started = Instant::now();
    let mut bytes = 0_usize;
    let mut stream = conn.copy_out_raw(&copy).await?;
    while let Some(chunk) = stream.try_next().await? {
        bytes += chunk.len();
    }
    drop(stream);
    report(
        "COPY TO STDOUT WITH CSV",
        bytes,
        started.elapsed().as_secs_f64(),
    );

    // Attest's download over HTTP.
    let config = ServeConfig::from_args(ServeArgs {
        bind: "127.0.0.1:3000".into(),
        public_url: "http://127.0.0.1:3000".into(),
        oidc_issuer: None,
        oidc_client_id: None,
        oidc_client_secret: None,
        admin_emails: vec![],
        demo: true,
        site_root: "target/site".into(),
        schedule: ScheduleArgs::default(),
        evidence: EvidenceArgs::default(),
        email: attest_server::email::EmailArgs::default(),
        change_rate: attest_server::remediation::ChangeRateArgs::default(),
    })
    .map_err(anyhow::Error::msg)?;
    let router =
        attest_server::http::build_router(attest_server::serve::state(pool.clone(), config)?);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, router).await });
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let signed_in = client
        .post(format!("http://{addr}/auth/demo"))
        .header("sec-fetch-site", "same-origin")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("role=auditor")
        .send()
        .await?;
    let cookie = signed_in
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.split(';').next().filter(|c| c.starts_with("attest_sid=")))
        .ok_or_else(|| anyhow::anyhow!("demo sign-in set no session cookie"))?
        .to_owned();
    reset_peak();
    let started = Instant::now();
    let mut response = client
        .get(format!(
            "http://{addr}/evidence/campaigns/{campaign}/files/decisions.csv"
        ))
        .header("cookie", cookie)
        .send()
        .await?
        .error_for_status()?;
    let mut bytes = 0_usize;
    let mut lines = 0_usize;
    while let Some(chunk) = response.chunk().await? {
        bytes += chunk.len();
        lines += chunk.iter().filter(|b| **b == b'\n').count();
    }
    report(
        "GET /evidence/campaigns/{id}/files/decisions.csv",
        bytes,
        started.elapsed().as_secs_f64(),
    );
    println!("  lines received (header included): {lines}");
    Ok(())
}

/// Loads one reviewer, a complete snapshot of PRINCIPALS × GRANTS_EACH entitlements, and an
/// active campaign with one item and one decision per entitlement; returns the campaign id.
async fn load(pool: &sqlx::PgPool) -> anyhow::Result<Uuid> {
    let roster = "email,name,employment status\nreviewer@corp.example,Rey Viewer,active\n";
    match import_roster(
        pool,
        Actor::System("bench"),
        "roster.csv",
        roster.as_bytes(),
    )
    .await?
    {
        ImportOutcome::Imported(_) => {}
        ImportOutcome::Rejected(errors) => anyhow::bail!("roster rejected: {errors:?}"),
    }
    let snapshot = Uuid::new_v4();
    let campaign = Uuid::new_v4();
    let statements = [
        "INSERT INTO atlas_org (id, name, base_url) VALUES ($2, 'Bench org', 'http://sim')",
        "INSERT INTO snapshot (id, org_id, status, started_by_label, atlas_base_url, \
             credential_id, app_version) VALUES ($1, $2, 'running', 'bench', 'http://sim', \
             'bench', 'bench')",
        "INSERT INTO principal (snapshot_id, key, kind, atlas_id, display_name, username, email) \
         SELECT $1, 'user:' || n, 'atlas_user', 'u' || n, 'Person ' || n, \
                'person' || n || '@corp.example', 'person' || n || '@corp.example' \
         FROM generate_series(1, $4::int) n",
        "INSERT INTO entitlement (snapshot_id, key, principal_key, grant_path, scope, org_id, \
             project_id, role, tier) \
         SELECT $1, 'project:' || lpad(to_hex(k), 24, '0') || '/user:' || n || '/role:GROUP_READ_ONLY', \
                'user:' || n, 'direct', 'project', $2, lpad(to_hex(k), 24, '0'), \
                'GROUP_READ_ONLY', 'read' \
         FROM generate_series(1, $4::int) n, generate_series(1, $5::int) k",
        "UPDATE snapshot SET status = 'complete', finished_at = now(), content_sha256 = 'bench' \
         WHERE id = $1",
        "INSERT INTO campaign (id, name, org_ids, principal_kinds, due_date, created_by_label) \
         VALUES ($3, 'Bench campaign', ARRAY[$2], ARRAY['atlas_user'], current_date + 7, 'bench')",
        "INSERT INTO review_item (campaign_id, snapshot_id, entitlement_id, entitlement_key, \
             org_id, project_id, scope, cluster_names, role, tier, grant_path, role_actions, \
             principal_key, principal_kind, principal_name, principal_username, \
             reviewer_person_id, routing_rule, routing_reason, is_leaver, is_orphan, \
             is_privileged, is_dormant, is_new, decision, decision_comment, decision_source, \
             decided_by_person_id, decided_by_label, decided_at) \
         SELECT $3, e.snapshot_id, e.id, e.key, e.org_id, e.project_id, e.scope, \
                e.cluster_names, e.role, e.tier, e.grant_path, e.role_actions, \
                e.principal_key, 'atlas_user', 'Person ' || e.principal_key, e.principal_key, \
                r.id, 'fallback', 'bench reviewer', false, true, false, false, false, \
                'approve', 'still needed', 'bulk', r.id, 'Rey Viewer', now() \
         FROM entitlement e, person r WHERE e.snapshot_id = $1 AND r.email = 'reviewer@corp.example'",
        "INSERT INTO review_decision (item_id, decision, comment, source, decided_by_person_id, \
             decided_by_label) \
         SELECT i.id, 'approve', 'still needed', 'bulk', i.decided_by_person_id, 'Rey Viewer' \
         FROM review_item i WHERE i.campaign_id = $3",
        "UPDATE campaign SET status = 'active', launched_at = now() WHERE id = $3",
    ];
    for statement in statements {
        sqlx::query(statement)
            .bind(snapshot)
            .bind(ORG)
            .bind(campaign)
            .bind(PRINCIPALS)
            .bind(GRANTS_EACH)
            .execute(pool)
            .await?;
    }
    sqlx::query("ANALYZE").execute(pool).await?;
    Ok(campaign)
}

/// Resets the peak resident set size of this process (Linux: `5` to `clear_refs`).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The peak resident set size since the last reset, in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn report(what: &str, bytes: usize, seconds: f64) {
    let mb = bytes as f64 / 1_000_000.0;
    println!(
        "{what}: {bytes} bytes in {seconds:.2} s = {:.1} MB/s; peak RSS {} MiB",
        mb / seconds,
        peak_rss_mib().map_or("unknown".to_owned(), |m| format!("{m:.0}"))
    );
}
