//! Inventory search benchmark: loads a synthetic org into a fresh database (set-based SQL),
//! links it, then times `inventory::search` for every explorer filter and prints p50/p95.
//!
//! `cargo run -p server --example inventory_search_bench` with `DATABASE_URL` pointing at a
//! server where it may create and drop the database `attest_bench_inventory`. Times are server
//! time inside the process (query and row mapping), without HTTP or rendering.
//!
//! Limitation: the `large` simulator seed does not exist yet, so the population is generated
//! here with the same shape (1,000 projects, Atlas users, database users, API keys, teams)
//! instead of being pulled through a snapshot.

use std::time::{Duration, Instant};

use app::backend::audit::Actor;
use app::backend::directory::{ImportOutcome, import_roster};
use app::backend::identity::refresh_links;
use app::backend::inventory::search;
use app::model::inventory::InventoryFilter;
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgConnection};

const DB: &str = "attest_bench_inventory";
const ORG: &str = "0000000000000000000000aa";
const PEOPLE: usize = 5_000;
const PROJECTS: i32 = 1_000;
const RUNS: usize = 20;

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
    let pool = PgPoolOptions::new()
        .max_connections(4)
        .connect(&format!("{base}/{DB}"))
        .await?;
    app::backend::db::MIGRATOR.run(&pool).await?;

    let started = Instant::now();
    load(&pool).await?;
    println!("loaded in {:.1} s", started.elapsed().as_secs_f64());
    let counts: (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM principal), (SELECT count(*) FROM entitlement), \
                (SELECT count(*) FROM identity_link)",
    )
    .fetch_one(&pool)
    .await?;
    println!(
        "principals {}, entitlements {}, identity links {}",
        counts.0, counts.1, counts.2
    );

    let cases: Vec<(&str, InventoryFilter)> = vec![
        ("no filter, page 1", InventoryFilter::default()),
        ("no filter, page 200", filter(|f| f.page = Some(200))),
        (
            "person name",
            filter(|f| f.person = Some("person 4242".into())),
        ),
        ("username", filter(|f| f.username = Some("svc_77".into()))),
        (
            "project name",
            filter(|f| f.project = Some("project 0512".into())),
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
                f.project = Some("project 0007".into());
                f.tier = Some("write".into());
                f.dormant = Some(true);
            }),
        ),
    ];
    let mut all = Vec::new();
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
    pool.close().await;
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE {DB}")))
        .execute(&mut admin)
        .await?;
    Ok(())
}

fn filter(set: impl FnOnce(&mut InventoryFilter)) -> InventoryFilter {
    let mut f = InventoryFilter::default();
    set(&mut f);
    f
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(times: &mut [Duration], p: usize) -> Duration {
    times.sort();
    let idx = (times.len() * p).div_ceil(100).saturating_sub(1);
    times[idx.min(times.len() - 1)]
}

/// The roster (every 50th person a leaver), then one complete snapshot: per person an Atlas
/// user with project roles, three database users (one named by email, one labelled with an
/// owner, one nobody's), API keys without owners and teams; usage for most principals.
async fn load(pool: &sqlx::PgPool) -> anyhow::Result<()> {
    let mut csv = String::from("email,name,employment status\n");
    for i in 0..PEOPLE {
        let status = if i % 50 == 0 { "leaver" } else { "active" };
        csv.push_str(&format!("person{i}@corp.example,Person {i:04},{status}\n"));
    }
    match import_roster(pool, Actor::System("bench"), "roster.csv", csv.as_bytes()).await? {
        ImportOutcome::Imported(_) => {}
        ImportOutcome::Rejected(errors) => anyhow::bail!("roster rejected: {errors:?}"),
    }
    let snapshot = uuid::Uuid::new_v4();
    let statements = [
        "INSERT INTO snapshot (id, org_id, status, started_by_label, atlas_base_url, \
             credential_id, app_version) VALUES ($1, $2, 'running', 'bench', 'http://sim', \
             'bench', 'bench')",
        "INSERT INTO snapshot_project (snapshot_id, project_id, name) \
         SELECT $1, lpad(to_hex(n), 24, '0'), 'project ' || lpad(n::text, 4, '0') \
         FROM generate_series(1, $3::int) n",
        // Atlas users: one per person.
        "INSERT INTO principal (snapshot_id, key, kind, atlas_id, display_name, username, \
             email, last_auth) \
         SELECT $1, 'user:' || n, 'atlas_user', 'u' || n, 'Person ' || lpad(n::text, 4, '0'), \
                'person' || n || '@corp.example', 'person' || n || '@corp.example', \
                now() - make_interval(days => (n * 7) % 200) \
         FROM generate_series(0, $4::int - 1) n",
        // Database users: three per person, in the person's home project.
        "INSERT INTO principal (snapshot_id, key, kind, atlas_id, project_id, display_name, \
             username, labels) \
         SELECT $1, 'dbuser:' || lpad(to_hex(1 + n % $3::int), 24, '0') || '/admin/' || name, \
                'database_user', name, lpad(to_hex(1 + n % $3::int), 24, '0'), name, name, \
                CASE WHEN v = 1 THEN jsonb_build_array(jsonb_build_object('key', 'owner', \
                     'value', 'person' || n || '@corp.example')) ELSE '[]'::jsonb END \
         FROM generate_series(0, $4::int - 1) n, generate_series(0, 2) v, \
              LATERAL (SELECT CASE v WHEN 0 THEN 'person' || n || '@corp.example' \
                                     WHEN 1 THEN 'svc_' || n ELSE 'etl_' || n END AS name) x",
        // API keys and teams.
        "INSERT INTO principal (snapshot_id, key, kind, atlas_id, display_name) \
         SELECT $1, 'apikey:k' || n, 'api_key', 'k' || n, 'key ' || n \
         FROM generate_series(1, 500) n",
        "INSERT INTO principal (snapshot_id, key, kind, atlas_id, display_name) \
         SELECT $1, 'team:t' || n, 'team', 't' || n, 'team ' || n \
         FROM generate_series(1, 200) n",
        // Atlas users: ten project roles each; database users: four database roles each.
        "INSERT INTO entitlement (snapshot_id, key, principal_key, grant_path, scope, org_id, \
             project_id, role, tier) \
         SELECT $1, 'project:' || pid || '/user:' || n || '/' || r, 'user:' || n, 'direct', \
                'project', $2, pid, r, \
                CASE r WHEN 'GROUP_OWNER' THEN 'admin' \
                       WHEN 'GROUP_DATA_ACCESS_READ_WRITE' THEN 'write' ELSE 'read' END \
         FROM generate_series(0, $4::int - 1) n, generate_series(0, 9) k, \
              LATERAL (SELECT lpad(to_hex(1 + (n * 13 + k * 97) % $3::int), 24, '0') AS pid, \
                       (ARRAY['GROUP_READ_ONLY', 'GROUP_DATA_ACCESS_READ_ONLY', \
                              'GROUP_DATA_ACCESS_READ_WRITE', 'GROUP_OWNER'])[1 + (n + k) % 4] \
                       AS r) x",
        "INSERT INTO entitlement (snapshot_id, key, principal_key, grant_path, scope, org_id, \
             project_id, role, tier, database_name) \
         SELECT $1, p.key || '/' || r || '@db' || k, p.key, 'direct', 'database', $2, \
                p.project_id, r || '@db' || k, \
                CASE r WHEN 'dbAdmin' THEN 'admin' WHEN 'readWrite' THEN 'write' ELSE 'read' END, \
                'db' || k \
         FROM principal p, generate_series(0, 3) k, \
              LATERAL (SELECT (ARRAY['read', 'readWrite', 'dbAdmin'])[1 + k % 3] AS r) x \
         WHERE p.snapshot_id = $1 AND p.kind = 'database_user'",
        "INSERT INTO entitlement (snapshot_id, key, principal_key, grant_path, scope, org_id, \
             role, tier) \
         SELECT $1, 'org:' || p.key, p.key, 'direct', 'org', $2, 'ORG_READ_ONLY', 'read' \
         FROM principal p WHERE p.snapshot_id = $1 AND p.kind IN ('api_key', 'team')",
        "INSERT INTO principal_usage (org_id, principal_key, last_used_at, source, observed_at) \
         SELECT $2, key, now() - make_interval(days => length(key) * 9 % 300), \
                'db_access_history', now() \
         FROM principal WHERE snapshot_id = $1 AND kind = 'database_user'",
        "UPDATE snapshot SET status = 'complete', finished_at = now(), \
             content_sha256 = encode(sha256(id::text::bytea), 'hex') WHERE id = $1",
    ];
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO atlas_org (id, name, base_url) VALUES ($1, 'Bench org', 'http://sim')",
    )
    .bind(ORG)
    .execute(&mut *tx)
    .await?;
    for statement in statements {
        // The org and the sizes are this file's constants, spliced so that every statement
        // binds only the snapshot id.
        let sql = statement
            .replace("$2", &format!("'{ORG}'"))
            .replace("$3::int", &PROJECTS.to_string())
            .replace("$4::int", &PEOPLE.to_string());
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(snapshot)
            .execute(&mut *tx)
            .await?;
    }
    refresh_links(&mut tx, snapshot).await?;
    tx.commit().await?;
    sqlx::query("ANALYZE").execute(pool).await?;
    Ok(())
}
