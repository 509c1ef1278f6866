//! Revocations end to end: a reviewer's submitted revoke becomes a job in the same
//! transaction, the worker pushes exactly that change to the Atlas simulator, reads Atlas back
//! and marks it verified; errors are survived or sorted; a later snapshot reopens access that
//! came back.

mod remediation_world;

use std::time::Duration;

use attest_server::atlas_sim::{FaultAction, FaultRule, World};
use remediation_world::{Sim, campaign, drain, job_of, revoke_where, worker};
use sqlx::PgPool;

const ARN: &str = "arn:aws:iam::123456789012:role/etl-runner";
const DN: &str = "CN=etl-batch,OU=Data,O=Northwind,C=US";

/// The first active, non-owner user of the org, given two roles in `project`.
fn two_project_roles(world: &mut World, org: &str, project: &str) -> String {
    let user = world
        .users
        .values_mut()
        .find(|u| {
            u.org_id == org
                && format!("{:?}", u.membership) == "Active"
                && !u.org_roles.iter().any(|r| r == "ORG_OWNER")
        })
        .expect("an active member");
    user.group_roles.insert(
        project.to_owned(),
        vec![
            "GROUP_READ_ONLY".into(),
            "GROUP_DATA_ACCESS_READ_ONLY".into(),
        ],
    );
    user.id.clone()
}

/// Adds database users to `project`: an AWS IAM role (ARN with `/`) with one role, an X.509
/// user (a DN) with two roles, and a SCRAM user with one role.
fn database_users(world: &mut World, project: &str) {
    let template = world
        .db_users
        .values()
        .next()
        .cloned()
        .expect("the demo org has database users");
    let mut add = |db: &str, name: &str, roles: &[(&str, &str)]| {
        let mut user = template.clone();
        user.group_id = project.to_owned();
        user.database_name = db.to_owned();
        user.username = name.to_owned();
        user.scopes.clear();
        user.labels.clear();
        user.roles = roles
            .iter()
            .map(|(role, on)| {
                let mut r = template.roles[0].clone();
                r.role_name = (*role).to_owned();
                r.database_name = (*on).to_owned();
                r.collection_name = None;
                r
            })
            .collect();
        world
            .db_users
            .insert((project.to_owned(), db.to_owned(), name.to_owned()), user);
    };
    add("$external", ARN, &[("readWrite", "sales")]);
    add(
        "$external",
        DN,
        &[("read", "sales"), ("readWrite", "reports")],
    );
    add("admin", "svc_loader", &[("readWrite", "sales")]);
}

async fn start(world_change: impl FnOnce(&mut World, &str)) -> Sim {
    Sim::start(world_change).await
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn revoking_one_of_two_project_roles_leaves_the_other(pool: PgPool) {
    let mut user_id = String::new();
    let mut project = String::new();
    let sim = start(|world, org| {
        project = world.project_ids_of(org)[0].clone();
        user_id = two_project_roles(world, org, &project);
    })
    .await;
    sim.snapshot(&pool).await;
    let campaign = campaign(&pool, &sim, "automatic", 1.0).await;
    let key = format!("project:{project}/user:{user_id}/role:GROUP_READ_ONLY");
    let items = revoke_where(&pool, campaign, |k| k == key).await;
    let (status, ..) = job_of(&pool, items[0]).await;
    assert_eq!(status, "pending", "automatic mode pushes at once");

    drain(&pool, &worker(&pool, &sim, "w1"), Duration::from_secs(60)).await;

    let (status, effect, _) = job_of(&pool, items[0]).await;
    assert_eq!(status, "verified");
    assert_eq!(
        effect.as_deref(),
        Some("removed project role GROUP_READ_ONLY")
    );
    let world = sim.server.state.read().await;
    let user = world.users.get(&user_id).expect("still in the org");
    assert_eq!(
        user.group_roles.get(&project).cloned().unwrap_or_default(),
        vec!["GROUP_DATA_ACCESS_READ_ONLY".to_owned()]
    );
    let changes = sim.server.state.changes().counts();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert!(
        changes.keys().all(|k| k.contains(":removeRole")),
        "{changes:?}"
    );
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn database_users_with_arn_and_dn_names_are_escaped_and_a_last_role_deletes_the_user(
    pool: PgPool,
) {
    let mut project = String::new();
    let sim = start(|world, org| {
        project = world.project_ids_of(org)[0].clone();
        database_users(world, &project);
    })
    .await;
    sim.snapshot(&pool).await;
    let campaign = campaign(&pool, &sim, "automatic", 1.0).await;
    let arn_key = format!("project:{project}/dbuser:$external/{ARN}/role:readWrite@sales");
    let dn_key = format!("project:{project}/dbuser:$external/{DN}/role:read@sales");
    let items = revoke_where(&pool, campaign, |k| k == arn_key || k == dn_key).await;
    drain(&pool, &worker(&pool, &sim, "w1"), Duration::from_secs(60)).await;

    for item in &items {
        let (status, effect, reason) = job_of(&pool, *item).await;
        assert_eq!(status, "verified", "{effect:?} {reason:?}");
    }
    let world = sim.server.state.read().await;
    let arn = (project.clone(), "$external".to_owned(), ARN.to_owned());
    assert!(
        !world.db_users.contains_key(&arn),
        "the ARN user's last role went, so the user did"
    );
    let dn = world
        .db_users
        .get(&(project.clone(), "$external".to_owned(), DN.to_owned()))
        .expect("the DN user keeps its other role");
    let roles: Vec<String> = dn
        .roles
        .iter()
        .map(|r| format!("{}@{}", r.role_name, r.database_name))
        .collect();
    assert_eq!(roles, ["readWrite@reports"]);
    let changes = sim.server.state.changes().counts();
    assert!(
        changes.contains_key(&format!(
            "DELETE /api/atlas/v2/groups/{project}/databaseUsers/%24external/arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fetl-runner "
        )),
        "{changes:?}"
    );
    assert!(
        changes.keys().any(|k| k.starts_with(&format!(
            "PATCH /api/atlas/v2/groups/{project}/databaseUsers/%24external/CN%3Detl-batch%2COU%3DData%2CO%3DNorthwind%2CC%3DUS"
        ))),
        "{changes:?}"
    );
    assert_eq!(sim.server.state.changes().total(), 2);
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_429_storm_and_500s_are_survived_without_a_second_change(pool: PgPool) {
    let mut user_id = String::new();
    let mut project = String::new();
    let sim = start(|world, org| {
        project = world.project_ids_of(org)[0].clone();
        user_id = two_project_roles(world, org, &project);
    })
    .await;
    sim.snapshot(&pool).await;
    let campaign = campaign(&pool, &sim, "automatic", 1.0).await;
    let key = format!("project:{project}/user:{user_id}/role:GROUP_READ_ONLY");
    let items = revoke_where(&pool, campaign, |k| k == key).await;
    let faults = sim.server.state.faults();
    faults.add(
        FaultRule::new(
            "/api/atlas/v2/groups/*",
            FaultAction::RateLimited {
                retry_after_secs: Some(0),
            },
        )
        .times(12),
    );
    faults.add(FaultRule::new("/api/atlas/v2/groups/*", FaultAction::ServerError).times(3));

    drain(&pool, &worker(&pool, &sim, "w1"), Duration::from_secs(60)).await;

    let (status, ..) = job_of(&pool, items[0]).await;
    assert_eq!(status, "verified");
    let (attempts, classes): (i64, Vec<Option<String>>) = sqlx::query_as(
        "SELECT count(*), array_agg(DISTINCT r.response->>'status') FROM remediation_attempt r \
         JOIN remediation_job j ON j.id = r.job_id WHERE j.review_item_id = $1",
    )
    .bind(items[0])
    .fetch_one(&pool)
    .await
    .expect("attempts");
    assert!(
        attempts > 1,
        "the storm forced retries: {attempts} {classes:?}"
    );
    assert_eq!(
        sim.server.state.changes().total(),
        1,
        "the role was removed exactly once"
    );
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn an_out_of_band_regrant_is_reopened_by_the_next_snapshot(pool: PgPool) {
    let mut user_id = String::new();
    let mut project = String::new();
    let sim = start(|world, org| {
        project = world.project_ids_of(org)[0].clone();
        user_id = two_project_roles(world, org, &project);
    })
    .await;
    sim.snapshot(&pool).await;
    let campaign = campaign(&pool, &sim, "automatic", 1.0).await;
    let key = format!("project:{project}/user:{user_id}/role:GROUP_READ_ONLY");
    let items = revoke_where(&pool, campaign, |k| k == key).await;
    drain(&pool, &worker(&pool, &sim, "w1"), Duration::from_secs(60)).await;
    assert_eq!(job_of(&pool, items[0]).await.0, "verified");

    // Someone grants the role again behind Attest's back.
    sim.server
        .state
        .write()
        .await
        .users
        .get_mut(&user_id)
        .expect("the user")
        .group_roles
        .entry(project.clone())
        .or_default()
        .push("GROUP_READ_ONLY".into());
    sim.snapshot(&pool).await;

    let (status, _, reason) = job_of(&pool, items[0]).await;
    assert_eq!(status, "reopened");
    assert!(reason.unwrap_or_default().contains("back"));
    let alerts: i64 =
        sqlx::query_scalar("SELECT count(*) FROM remediation_alert WHERE kind = 'reappeared'")
            .fetch_one(&pool)
            .await
            .expect("alerts");
    assert_eq!(alerts, 1);
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn after_approval_holds_jobs_until_an_admin_releases_them(pool: PgPool) {
    let mut user_id = String::new();
    let mut project = String::new();
    let sim = start(|world, org| {
        project = world.project_ids_of(org)[0].clone();
        user_id = two_project_roles(world, org, &project);
    })
    .await;
    sim.snapshot(&pool).await;
    let campaign = campaign(&pool, &sim, "after_approval", 1.0).await;
    let key = format!("project:{project}/user:{user_id}/role:GROUP_READ_ONLY");
    let items = revoke_where(&pool, campaign, |k| k == key).await;
    let w = worker(&pool, &sim, "w1");
    assert_eq!(
        w.run_once().await.expect("a batch"),
        0,
        "nothing is due before release"
    );
    assert_eq!(job_of(&pool, items[0]).await.0, "awaiting_approval");
    app::backend::remediation::admin::release(
        &pool,
        &app::backend::audit::Actor::System("test-admin"),
        campaign,
        false,
    )
    .await
    .expect("released");
    drain(&pool, &w, Duration::from_secs(60)).await;
    assert_eq!(job_of(&pool, items[0]).await.0, "verified");
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn more_than_the_allowed_share_pauses_until_confirmed(pool: PgPool) {
    let sim = start(|_, _| {}).await;
    sim.snapshot(&pool).await;
    let campaign = campaign(&pool, &sim, "automatic", 0.0001).await;
    let items = revoke_where(&pool, campaign, |k| k.contains("/dbuser:")).await;
    assert_eq!(job_of(&pool, items[0]).await.0, "awaiting_approval");
    let admin = app::backend::audit::Actor::System("test-admin");
    let refused = app::backend::remediation::admin::release(&pool, &admin, campaign, false).await;
    assert!(
        refused.is_err(),
        "release without confirming the share is refused"
    );
    app::backend::remediation::admin::release(&pool, &admin, campaign, true)
        .await
        .expect("released with confirmation");
    assert_eq!(job_of(&pool, items[0]).await.0, "pending");
}
