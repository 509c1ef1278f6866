//! Snapshots end to end: the Atlas simulator's demo org pulled through the real client into a
//! fresh PostgreSQL database, with failures injected mid-pull, grants made behind Attest's
//! back, and the database's refusal to change a complete snapshot.

use std::collections::BTreeMap;
use std::time::Duration;

use app::backend::atlas::{AtlasClient, AtlasConfig, Credentials, RetryPolicy};
use app::backend::audit::Actor;
use app::backend::snapshot::hash::content_sha256;
use app::backend::snapshot::lock::OrgLock;
use app::backend::snapshot::pull::pull_org;
use app::backend::snapshot::{
    Change, SnapshotError, SnapshotOutcome, SnapshotRequest, SnapshotStatus, derive,
    diff_snapshots, take_snapshot,
};
use attest_server::atlas_sim::seed::DemoOrg;
use attest_server::atlas_sim::{FaultAction, FaultRule, SimServer, SimState, spawn};
use sqlx::PgPool;
use uuid::Uuid;

struct Sim {
    server: SimServer,
    client: AtlasClient,
    org_id: String,
    client_id: String,
}

async fn start_sim() -> Sim {
    let demo = DemoOrg::build(11);
    let creds = demo.credentials.clone();
    let server = spawn(SimState::new(demo.world), "127.0.0.1:0")
        .await
        .expect("bind a local port");
    let mut config = AtlasConfig::new(Credentials::ServiceAccount {
        client_id: creds.client_id.clone(),
        client_secret: creds.client_secret.clone().into(),
    })
    .with_base_url(server.base_url());
    config.rate_limit = None;
    config.retry = RetryPolicy {
        max_attempts: 2,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        max_retry_after: Duration::from_secs(1),
    };
    let client = AtlasClient::new(config).expect("a valid client configuration");
    Sim {
        server,
        client,
        org_id: creds.org_id,
        client_id: creds.client_id,
    }
}

/// The simulator keeps its membership type to itself; its `Debug` name is enough here.
fn is_active(membership: &impl std::fmt::Debug) -> bool {
    format!("{membership:?}") == "Active"
}

async fn snapshot(pool: &PgPool, sim: &Sim) -> SnapshotOutcome {
    take_snapshot(
        pool,
        &sim.client,
        SnapshotRequest {
            org_id: &sim.org_id,
            actor: Actor::System("test"),
            credential_id: &sim.client_id,
        },
        &|_: &str| {},
    )
    .await
    .expect("the snapshot is recorded")
}

async fn count(pool: &PgPool, sql: &'static str, id: Uuid) -> i64 {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(pool)
        .await
        .expect("count query")
}

async fn kinds(pool: &PgPool, id: Uuid) -> BTreeMap<String, i64> {
    sqlx::query_as::<_, (String, i64)>(
        "SELECT kind, count(*) FROM principal WHERE snapshot_id = $1 GROUP BY kind",
    )
    .bind(id)
    .fetch_all(pool)
    .await
    .expect("kind counts")
    .into_iter()
    .collect()
}

/// The simulator's own counts of each principal kind in the org.
async fn simulator_kinds(sim: &Sim) -> BTreeMap<String, i64> {
    let world = sim.server.state.read().await;
    let org = sim.org_id.as_str();
    let projects = world.project_ids_of(org);
    let n = |c: usize| i64::try_from(c).expect("small");
    let federation = world.federations.values().find(|f| f.org_id == org);
    let idp_groups = federation.map_or(0, |f| {
        f.role_mappings.len() + usize::from(!f.post_auth_role_grants.is_empty())
    });
    let mut expected = BTreeMap::new();
    expected.insert(
        "atlas_user".to_owned(),
        n(world.users.values().filter(|u| u.org_id == org).count()),
    );
    expected.insert(
        "team".to_owned(),
        n(world.teams.values().filter(|t| t.org_id == org).count()),
    );
    expected.insert(
        "database_user".to_owned(),
        n(world
            .db_users
            .values()
            .filter(|u| projects.contains(&u.group_id))
            .count()),
    );
    expected.insert(
        "api_key".to_owned(),
        n(world.api_keys.values().filter(|k| k.org_id == org).count()),
    );
    expected.insert(
        "service_account".to_owned(),
        n(world
            .service_accounts
            .values()
            .filter(|a| a.org_id == org)
            .count()),
    );
    expected.insert("idp_group".to_owned(), n(idp_groups));
    expected.retain(|_, v| *v > 0);
    expected
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn snapshot_of_the_demo_org_matches_the_simulator(pool: PgPool) {
    let sim = start_sim().await;
    let outcome = snapshot(&pool, &sim).await;
    assert_eq!(outcome.status, SnapshotStatus::Complete);
    assert_eq!(kinds(&pool, outcome.id).await, simulator_kinds(&sim).await);
    assert_eq!(outcome.totals_differing, 0);

    let db_roles = {
        let world = sim.server.state.read().await;
        let projects = world.project_ids_of(&sim.org_id);
        world
            .db_users
            .values()
            .filter(|u| projects.contains(&u.group_id))
            .map(|u| u.roles.len())
            .sum::<usize>()
    };
    let stored_db_roles = count(
        &pool,
        "SELECT count(*) FROM entitlement WHERE snapshot_id = $1 AND key LIKE '%/dbuser:%'",
        outcome.id,
    )
    .await;
    assert_eq!(stored_db_roles, i64::try_from(db_roles).expect("small"));

    let (status, content, requests, pages, reconciled): (String, Option<String>, i64, i64, i64) =
        sqlx::query_as(
            "SELECT status, content_sha256, \
             (SELECT count(*) FROM snapshot_request WHERE snapshot_id = s.id), \
             (SELECT count(*) FROM snapshot_page WHERE snapshot_id = s.id), \
             jsonb_array_length(reconciliation)::bigint FROM snapshot s WHERE id = $1",
        )
        .bind(outcome.id)
        .fetch_one(&pool)
        .await
        .expect("the snapshot row");
    assert_eq!(status, "complete");
    assert_eq!(content, outcome.content_sha256);
    assert!(
        requests > 10 && pages > 10,
        "{requests} requests, {pages} pages"
    );
    assert!(reconciled > 5);
    let audit: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_event WHERE object_id = $1 ORDER BY seq")
            .bind(outcome.id.to_string())
            .fetch_all(&pool)
            .await
            .expect("audit events");
    assert_eq!(audit, ["snapshot.started", "snapshot.completed"]);
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn every_grant_path_yields_its_entitlement(pool: PgPool) {
    let sim = start_sim().await;
    {
        // The demo defines `opsCleanup` (DROP_COLLECTION, REMOVE) without giving it to anyone.
        let mut world = sim.server.state.write().await;
        let analyst = world
            .db_users
            .values_mut()
            .find(|u| u.roles.iter().any(|r| r.role_name == "ordersReader"))
            .expect("the demo's orders analyst");
        let mut cleanup = analyst.roles[0].clone();
        cleanup.role_name = "opsCleanup".to_owned();
        analyst.roles.push(cleanup);
    }
    let outcome = snapshot(&pool, &sim).await;
    let paths: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT grant_path FROM entitlement WHERE snapshot_id = $1 ORDER BY 1",
    )
    .bind(outcome.id)
    .fetch_all(&pool)
    .await
    .expect("grant paths");
    assert_eq!(
        paths,
        [
            "direct",
            "federation_mapping",
            "implicit_org_role",
            "post_auth_grant",
            "team"
        ]
    );

    let (owners, projects) = {
        let world = sim.server.state.read().await;
        let owners: Vec<String> = world
            .users
            .values()
            .filter(|u| u.org_id == sim.org_id && u.org_roles.iter().any(|r| r == "ORG_OWNER"))
            .filter(|u| is_active(&u.membership))
            .map(|u| u.id.clone())
            .collect();
        (owners, world.project_ids_of(&sim.org_id))
    };
    assert!(!owners.is_empty());
    for owner in &owners {
        for project in &projects {
            let key =
                format!("project:{project}/user:{owner}/role:GROUP_OWNER/via:org_role:ORG_OWNER");
            let tier: Option<String> = sqlx::query_scalar(
                "SELECT tier FROM entitlement WHERE snapshot_id = $1 AND key = $2",
            )
            .bind(outcome.id)
            .bind(&key)
            .fetch_optional(&pool)
            .await
            .expect("lookup");
            assert_eq!(tier.as_deref(), Some("admin"), "{key}");
        }
    }

    let team_rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT role, tier FROM entitlement WHERE snapshot_id = $1 AND grant_path = 'team' \
         AND via_team_id IS NOT NULL",
    )
    .bind(outcome.id)
    .fetch_all(&pool)
    .await
    .expect("team rows");
    assert!(
        team_rows
            .iter()
            .any(|(role, tier)| role == "GROUP_CLUSTER_MANAGER" && tier == "write")
    );

    let mapped: i64 = count(
        &pool,
        "SELECT count(*) FROM entitlement e JOIN principal p \
         ON p.snapshot_id = e.snapshot_id AND p.key = e.principal_key \
         WHERE e.snapshot_id = $1 AND e.grant_path = 'federation_mapping' \
         AND p.kind = 'idp_group' AND e.via_mapping_id IS NOT NULL",
        outcome.id,
    )
    .await;
    assert!(mapped >= 2);

    let custom: Vec<(String, String)> = sqlx::query_as(
        "SELECT role, tier FROM entitlement WHERE snapshot_id = $1 \
         AND role IN ('opsCleanup', 'ordersReader') ORDER BY role",
    )
    .bind(outcome.id)
    .fetch_all(&pool)
    .await
    .expect("custom roles");
    assert!(
        custom.contains(&("opsCleanup".to_owned(), "write".to_owned())),
        "{custom:?}"
    );
    assert!(
        custom.contains(&("ordersReader".to_owned(), "read".to_owned())),
        "{custom:?}"
    );
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn failure_mid_pull_leaves_a_failed_snapshot_and_no_complete_one(pool: PgPool) {
    let sim = start_sim().await;
    sim.server
        .state
        .faults()
        .add(FaultRule::new("/api/atlas/v2/groups/*/databaseUsers", FaultAction::Garble).nth(2));
    let outcome = snapshot(&pool, &sim).await;
    let SnapshotStatus::Failed { error } = &outcome.status else {
        panic!("expected a failed snapshot, got {:?}", outcome.status);
    };
    assert!(error.contains("listGroupDatabaseUsers"), "{error}");

    let (complete, failed): (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE status = 'complete'), \
                count(*) FILTER (WHERE status = 'failed') FROM snapshot",
    )
    .fetch_one(&pool)
    .await
    .expect("status counts");
    assert_eq!((complete, failed), (0, 1));
    let rows = count(
        &pool,
        "SELECT (SELECT count(*) FROM principal WHERE snapshot_id = $1) + \
                (SELECT count(*) FROM entitlement WHERE snapshot_id = $1)",
        outcome.id,
    )
    .await;
    assert_eq!(
        rows, 0,
        "a failed snapshot holds no principals or entitlements"
    );
    let (path, seq_status): (Option<String>, Option<i32>) = sqlx::query_as(
        "SELECT s.error_request->>'path', r.status FROM snapshot s \
         LEFT JOIN snapshot_request r ON r.snapshot_id = s.id \
         AND r.seq = (s.error_request->>'request_seq')::int WHERE s.id = $1",
    )
    .bind(outcome.id)
    .fetch_one(&pool)
    .await
    .expect("the failing request");
    assert!(path.is_some_and(|p| p.ends_with("/databaseUsers")));
    assert_eq!(
        seq_status,
        Some(200),
        "a garbled body arrives with status 200"
    );
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn out_of_band_grant_appears_in_the_next_diff(pool: PgPool) {
    let sim = start_sim().await;
    let before = snapshot(&pool, &sim).await;
    let (user_id, project_id) = {
        let mut world = sim.server.state.write().await;
        let project = world.project_ids_of(&sim.org_id).pop().expect("a project");
        let user = world
            .users
            .values_mut()
            .find(|u| {
                u.org_id == sim.org_id
                    && is_active(&u.membership)
                    && !u.group_roles.contains_key(&project)
            })
            .expect("an active user outside the last project");
        user.group_roles
            .insert(project.clone(), vec!["GROUP_CLUSTER_MANAGER".to_owned()]);
        let user_id = user.id.clone();
        // A custom role gains a write action, and an API key is deleted.
        let reader = world
            .custom_roles
            .values_mut()
            .find(|r| r.role_name == "ordersReader")
            .expect("the demo's ordersReader role");
        reader.actions = serde_json::json!([
            { "action": "FIND", "resources": [{ "db": "sales", "collection": "orders" }] },
            { "action": "UPDATE", "resources": [{ "db": "sales", "collection": "orders" }] },
        ]);
        let key_id = world
            .api_keys
            .values()
            .find(|k| k.org_id == sim.org_id)
            .map(|k| k.id.clone())
            .expect("an API key");
        world.api_keys.remove(&key_id);
        (user_id, project)
    };
    let after = snapshot(&pool, &sim).await;
    assert_eq!(after.status, SnapshotStatus::Complete);
    assert_ne!(before.content_sha256, after.content_sha256);

    let diff = diff_snapshots(&pool, before.id, after.id)
        .await
        .expect("a diff");
    let key = format!("project:{project_id}/user:{user_id}/role:GROUP_CLUSTER_MANAGER");
    let added: Vec<_> = diff
        .changes
        .iter()
        .filter(|c| c.change == Change::Added)
        .collect();
    assert_eq!(added.len(), 1, "{added:#?}");
    assert_eq!(added[0].key, key);
    assert_eq!(added[0].tier_after.as_deref(), Some("write"));
    let changed: Vec<_> = diff
        .changes
        .iter()
        .filter(|c| c.change == Change::Changed)
        .collect();
    assert!(!changed.is_empty());
    for change in &changed {
        assert_eq!(change.role, "ordersReader");
        assert_eq!(change.tier_before.as_deref(), Some("read"));
        assert_eq!(change.tier_after.as_deref(), Some("write"));
        assert_eq!(change.fields, ["tier", "role_actions"]);
    }
    assert!(diff.count(Change::Removed) > 0);
    assert!(
        diff.changes
            .iter()
            .filter(|c| c.change == Change::Removed)
            .all(|c| c.principal_key.starts_with("apikey:"))
    );

    let unchanged = diff_snapshots(&pool, after.id, after.id)
        .await
        .expect("a diff");
    assert!(unchanged.changes.is_empty());
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_complete_snapshot_cannot_be_changed(pool: PgPool) {
    let sim = start_sim().await;
    let outcome = snapshot(&pool, &sim).await;
    for sql in [
        "UPDATE entitlement SET tier = 'read' WHERE snapshot_id = $1",
        "DELETE FROM principal WHERE snapshot_id = $1",
        "UPDATE snapshot SET content_sha256 = 'x' WHERE id = $1",
        "DELETE FROM snapshot WHERE id = $1",
    ] {
        let refused = sqlx::query(sql).bind(outcome.id).execute(&pool).await;
        assert!(refused.is_err(), "{sql} must be refused");
    }
    let added = sqlx::query(
        "INSERT INTO principal (snapshot_id, key, kind, atlas_id, display_name) \
         VALUES ($1, 'user:intruder', 'atlas_user', 'intruder', 'Intruder')",
    )
    .bind(outcome.id)
    .execute(&pool)
    .await;
    assert!(
        added.is_err(),
        "rows cannot be added to a complete snapshot"
    );
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_second_snapshot_of_a_locked_org_is_refused(pool: PgPool) {
    let sim = start_sim().await;
    let held = OrgLock::try_acquire(&pool, &sim.org_id)
        .await
        .expect("database")
        .expect("the lock is free");
    let refused = take_snapshot(
        &pool,
        &sim.client,
        SnapshotRequest {
            org_id: &sim.org_id,
            actor: Actor::System("test"),
            credential_id: &sim.client_id,
        },
        &|_: &str| {},
    )
    .await;
    assert!(matches!(refused, Err(SnapshotError::AlreadyRunning(_))));
    held.release().await.expect("released");
    assert_eq!(snapshot(&pool, &sim).await.status, SnapshotStatus::Complete);
}

/// The snapshot derives, hashes and writes database users' entitlements project by project;
/// what it stores and the hash it records must be exactly what deriving the whole pull in
/// memory gives, awkward characters included.
#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn streamed_snapshot_stores_and_hashes_what_the_whole_derivation_gives(pool: PgPool) {
    let sim = start_sim().await;
    {
        // COPY's text format escapes tabs and backslashes; array literals quote and escape.
        let mut world = sim.server.state.write().await;
        let user = world
            .db_users
            .values_mut()
            .find(|u| !u.scopes.is_empty())
            .expect("the demo has a database user limited to clusters");
        user.username = "odd\tname \"quoted\" back\\slash".to_owned();
        user.scopes[0].name = "cluster \"one\", \\ {x}".to_owned();
    }
    let outcome = snapshot(&pool, &sim).await;
    assert_eq!(outcome.status, SnapshotStatus::Complete);

    let pulled = pull_org(&sim.client, &sim.org_id, &|_: &str| {})
        .await
        .expect("the simulator answers");
    let derived = derive(&pulled.inventory);
    assert_eq!(
        outcome.content_sha256.as_deref(),
        Some(content_sha256(&derived).as_str())
    );
    assert_eq!(outcome.counts, derived.counts());

    type Stored = (
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        Vec<String>,
        Option<String>,
        Option<String>,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Vec<String>,
    );
    let stored: Vec<Stored> = sqlx::query_as(
        "SELECT key, principal_key, grant_path, scope, org_id, project_id, cluster_names, \
         database_name, collection_name, role, tier, via_team_id, via_mapping_id, via_org_role, \
         role_actions FROM entitlement WHERE snapshot_id = $1 ORDER BY key COLLATE \"C\"",
    )
    .bind(outcome.id)
    .fetch_all(&pool)
    .await
    .expect("the stored entitlements");
    // Compared as pairs of shorter tuples: the standard library compares and prints tuples of
    // up to twelve.
    type Compared = (
        (
            String,
            String,
            String,
            String,
            String,
            Option<String>,
            Vec<String>,
        ),
        (
            Option<String>,
            Option<String>,
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            Vec<String>,
        ),
    );
    let stored: Vec<Compared> = stored
        .into_iter()
        .map(|(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o)| {
            ((a, b, c, d, e, f, g), (h, i, j, k, l, m, n, o))
        })
        .collect();
    let expected: Vec<Compared> = derived
        .entitlements
        .iter()
        .map(|e| {
            (
                (
                    e.key.clone(),
                    e.principal_key.clone(),
                    e.grant_path.as_str().to_owned(),
                    e.scope.as_str().to_owned(),
                    e.org_id.clone(),
                    e.project_id.clone(),
                    e.cluster_names.clone(),
                ),
                (
                    e.database_name.clone(),
                    e.collection_name.clone(),
                    e.role.clone(),
                    e.tier.as_str().to_owned(),
                    e.via_team_id.clone(),
                    e.via_mapping_id.clone(),
                    e.via_org_role.clone(),
                    e.role_actions.clone(),
                ),
            )
        })
        .collect();
    assert_eq!(stored, expected);
    assert!(
        stored.iter().any(|row| row.0.0.contains("odd\tname")),
        "the awkward username is stored as it is"
    );
}
