//! Each kind of Atlas change against the simulator, and the paths that need a person: org
//! roles, team membership, API keys and service accounts at org and project level, the last
//! org owner, federation-granted access, a refused credential, dry run and manual mode.

mod remediation_world;

use std::time::Duration;

use app::backend::audit::Actor;
use app::backend::remediation::admin;
use attest_server::atlas_sim::World;
use remediation_world::{Sim, campaign, drain, job_of, revoke_where, worker};
use sqlx::PgPool;

fn admin_actor() -> Actor {
    Actor::System("test-admin")
}

async fn count(pool: &PgPool, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(pool)
        .await
        .expect("count")
}

/// Ids of the user holding `role` among org roles, first by id.
fn user_with_org_role(world: &World, org: &str, role: &str) -> String {
    world
        .users
        .values()
        .find(|u| u.org_id == org && u.org_roles.iter().any(|r| r == role))
        .map(|u| u.id.clone())
        .expect("a user with the role")
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn an_org_role_goes_alone_and_a_last_org_role_removes_the_user_from_the_org(pool: PgPool) {
    let sim = Sim::start(|_, _| {}).await;
    let (billing, member) = {
        let world = sim.server.state.read().await;
        let billing = user_with_org_role(&world, &sim.org_id, "ORG_BILLING_ADMIN");
        let member = world
            .users
            .values()
            .find(|u| {
                u.org_id == sim.org_id && u.org_roles == ["ORG_MEMBER"] && u.team_ids.is_empty()
            })
            .map(|u| u.id.clone())
            .expect("a plain member");
        (billing, member)
    };
    sim.snapshot(&pool).await;
    let campaign = campaign(&pool, &sim, "automatic", 1.0).await;
    let org = sim.org_id.clone();
    let items = revoke_where(&pool, campaign, |k| {
        k == format!("org:{org}/user:{billing}/role:ORG_BILLING_ADMIN")
            || k == format!("org:{org}/user:{member}/role:ORG_MEMBER")
    })
    .await;
    drain(&pool, &worker(&pool, &sim, "w"), Duration::from_secs(60)).await;
    let mut effects = Vec::new();
    for item in items {
        let (status, effect, reason) = job_of(&pool, item).await;
        assert_eq!(status, "verified", "{reason:?}");
        effects.push(effect.unwrap_or_default());
    }
    effects.sort();
    assert_eq!(
        effects,
        [
            "removed org role ORG_BILLING_ADMIN",
            "removed the user from the org (the revoked role was their last)"
        ]
    );
    let world = sim.server.state.read().await;
    assert_eq!(world.users[&billing].org_roles, ["ORG_MEMBER"]);
    assert!(!world.users.contains_key(&member));
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_team_grant_is_revoked_by_removing_the_user_from_the_team(pool: PgPool) {
    let sim = Sim::start(|_, _| {}).await;
    let (team, user) = {
        let world = sim.server.state.read().await;
        let member_count = |t: &str| {
            world
                .users
                .values()
                .filter(|u| u.team_ids.contains(t))
                .count()
        };
        let team = world
            .projects
            .values()
            .flat_map(|p| p.teams.keys())
            .find(|t| member_count(t) >= 2)
            .cloned()
            .expect("a team on a project with two members");
        let user = world
            .users
            .values()
            .find(|u| u.team_ids.contains(&team))
            .map(|u| u.id.clone())
            .expect("a member");
        (team, user)
    };
    sim.snapshot(&pool).await;
    let campaign = campaign(&pool, &sim, "automatic", 1.0).await;
    let suffix = format!("/via:team:{team}");
    let prefix = format!("/user:{user}/role:");
    let items = revoke_where(&pool, campaign, |k| {
        k.ends_with(&suffix) && k.contains(&prefix)
    })
    .await;
    drain(&pool, &worker(&pool, &sim, "w"), Duration::from_secs(60)).await;
    for item in items {
        assert_eq!(job_of(&pool, item).await.0, "verified");
    }
    let world = sim.server.state.read().await;
    assert!(!world.users[&user].team_ids.contains(&team));
    let changes = sim.server.state.changes().counts();
    assert_eq!(
        changes.len(),
        1,
        "one removal however many projects the team grants: {changes:?}"
    );
    assert!(changes.keys().all(|k| k.contains(":removeUser")));
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn api_keys_and_service_accounts_leave_projects_or_are_deleted(pool: PgPool) {
    let sim = Sim::start(|_, _| {}).await;
    let (ci_key, grafana_key, github_sa, backup_sa, projects) = {
        let world = sim.server.state.read().await;
        let key = |desc: &str| {
            world
                .api_keys
                .values()
                .find(|k| k.desc == desc)
                .map(|k| k.id.clone())
                .expect("key")
        };
        let sa = |name: &str| {
            world
                .service_accounts
                .values()
                .find(|a| a.name == name)
                .map(|a| a.client_id.clone())
                .expect("service account")
        };
        (
            key("ci-deploy"),
            key("grafana-monitoring"),
            sa("github-actions"),
            sa("backup-bot"),
            world.project_ids_of(&sim.org_id),
        )
    };
    sim.snapshot(&pool).await;
    let campaign = campaign(&pool, &sim, "automatic", 1.0).await;
    let org = sim.org_id.clone();
    let wanted = [
        format!("project:{}/apikey:{ci_key}/role:GROUP_OWNER", projects[0]),
        format!("org:{org}/apikey:{grafana_key}/role:ORG_READ_ONLY"),
        format!(
            "project:{}/sa:{github_sa}/role:GROUP_CLUSTER_MANAGER",
            projects[1]
        ),
        format!("org:{org}/sa:{backup_sa}/role:ORG_MEMBER"),
    ];
    let items = revoke_where(&pool, campaign, |k| wanted.iter().any(|w| w == k)).await;
    assert_eq!(items.len(), 4);
    drain(&pool, &worker(&pool, &sim, "w"), Duration::from_secs(60)).await;
    for item in items {
        let (status, effect, reason) = job_of(&pool, item).await;
        assert_eq!(status, "verified", "{effect:?} {reason:?}");
    }
    let world = sim.server.state.read().await;
    assert!(
        world.api_keys[&ci_key]
            .group_roles
            .get(&projects[0])
            .is_none_or(|r| r.is_empty())
    );
    assert!(
        !world.api_keys.contains_key(&grafana_key),
        "its last org role went, so did the key"
    );
    assert!(
        world.service_accounts[&github_sa]
            .group_roles
            .get(&projects[1])
            .is_none_or(|r| r.is_empty())
    );
    assert!(!world.service_accounts.contains_key(&backup_sa));
    assert_eq!(sim.server.state.changes().total(), 4);
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn the_last_org_owner_is_never_removed(pool: PgPool) {
    let mut owner = String::new();
    let sim = Sim::start(|world, org| {
        let mut owners = world
            .users
            .values_mut()
            .filter(|u| u.org_id == org && u.org_roles.iter().any(|r| r == "ORG_OWNER"));
        owner = owners.next().expect("an owner").id.clone();
        for other in owners {
            other.org_roles = vec!["ORG_MEMBER".into()];
        }
    })
    .await;
    sim.snapshot(&pool).await;
    let campaign = campaign(&pool, &sim, "automatic", 1.0).await;
    let key = format!("org:{}/user:{owner}/role:ORG_OWNER", sim.org_id);
    let items = revoke_where(&pool, campaign, |k| k == key).await;
    drain(&pool, &worker(&pool, &sim, "w"), Duration::from_secs(60)).await;
    let (status, _, reason) = job_of(&pool, items[0]).await;
    assert_eq!(status, "needs_manual");
    assert!(reason.unwrap_or_default().contains("last owner"));
    assert_eq!(sim.server.state.changes().total(), 0, "nothing was sent");
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn federation_access_names_the_group_and_is_verified_by_the_next_snapshot(pool: PgPool) {
    let sim = Sim::start(|_, _| {}).await;
    sim.snapshot(&pool).await;
    let campaign = campaign(&pool, &sim, "automatic", 1.0).await;
    let mapping: String = sqlx::query_scalar(
        "SELECT principal_key FROM review_item WHERE campaign_id = $1 \
         AND grant_path = 'federation_mapping' ORDER BY id LIMIT 1",
    )
    .bind(campaign)
    .fetch_one(&pool)
    .await
    .expect("a federation grant");
    let items = revoke_where(&pool, campaign, |k| k.contains(&format!("/{mapping}/"))).await;
    let job: (i64, String, Option<String>) = sqlx::query_as(
        "SELECT id, status, idp_group FROM remediation_job WHERE review_item_id = $1",
    )
    .bind(items[0])
    .fetch_one(&pool)
    .await
    .expect("job");
    assert_eq!(job.1, "needs_manual");
    let group = job.2.expect("the IdP group is named");
    assert!(!group.is_empty());
    let refused = admin::mark_done(&pool, &admin_actor(), job.0, "").await;
    assert!(refused.is_err(), "a note is required");
    for item in &items {
        let (id,): (i64,) =
            sqlx::query_as("SELECT id FROM remediation_job WHERE review_item_id = $1")
                .bind(item)
                .fetch_one(&pool)
                .await
                .expect("job");
        admin::mark_done(
            &pool,
            &admin_actor(),
            id,
            "removed the mapping in the IdP, CHG-7",
        )
        .await
        .expect("marked done");
    }
    assert_eq!(job_of(&pool, items[0]).await.0, "awaiting_snapshot");
    // The change happens at the identity provider: the mapping goes away.
    let mapping_id = mapping.rsplit(':').next().expect("an id").to_owned();
    for federation in sim.server.state.write().await.federations.values_mut() {
        federation.role_mappings.retain(|m| m.id != mapping_id);
    }
    sim.snapshot(&pool).await;
    for item in items {
        assert_eq!(job_of(&pool, item).await.0, "verified");
    }
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_refused_credential_stops_every_worker_and_alerts_the_admin(pool: PgPool) {
    let sim = Sim::start(|_, _| {}).await;
    sim.snapshot(&pool).await;
    let campaign = campaign(&pool, &sim, "automatic", 1.0).await;
    // Each refused sign-in counts against the token endpoint's per-minute limit; lift it so
    // the good worker is not held back by the bad one's attempts.
    sim.server
        .state
        .update_config(|c| c.token_requests_per_minute = 10_000)
        .await;
    let first: String = sqlx::query_scalar(
        "SELECT entitlement_key FROM review_item WHERE campaign_id = $1 \
         AND principal_kind = 'database_user' ORDER BY id LIMIT 1",
    )
    .bind(campaign)
    .fetch_one(&pool)
    .await
    .expect("a database-user grant");
    let items = revoke_where(&pool, campaign, |k| k == first).await;
    let mut bad = worker(&pool, &sim, "w");
    bad.client = attest_server::remediation::worker_client(
        &sim.server.base_url(),
        app::backend::atlas::Credentials::ServiceAccount {
            client_id: sim.client_id.clone(),
            client_secret: "mdb_sa_sk_wrong".to_owned().into(),
        },
        0,
        None,
    )
    .expect("client");
    bad.run_once().await.expect("a batch");
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM remediation_control WHERE paused"
        )
        .await,
        1
    );
    let alerts = count(
        &pool,
        "SELECT count(*) FROM remediation_alert WHERE kind = 'credential_refused'",
    )
    .await;
    assert!(alerts >= 1, "the admin is alerted");
    assert_eq!(
        worker(&pool, &sim, "good")
            .run_once()
            .await
            .expect("a batch"),
        0,
        "paused"
    );
    assert_eq!(
        job_of(&pool, items[0]).await.0,
        "pending",
        "nothing is lost"
    );
    admin::set_paused(&pool, &admin_actor(), false, "")
        .await
        .expect("resumed");
    drain(&pool, &worker(&pool, &sim, "good"), Duration::from_secs(90)).await;
    assert_eq!(job_of(&pool, items[0]).await.0, "verified");
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn dry_run_computes_and_records_without_sending(pool: PgPool) {
    let sim = Sim::start(|_, _| {}).await;
    sim.snapshot(&pool).await;
    let campaign = campaign(&pool, &sim, "automatic", 1.0).await;
    admin::set_dry_run(&pool, &admin_actor(), true)
        .await
        .expect("dry run on");
    let items = revoke_where(&pool, campaign, |k| k.contains("/dbuser:")).await;
    worker(&pool, &sim, "w").run_once().await.expect("a batch");
    let (status, effect, _) = job_of(&pool, items[0]).await;
    assert_eq!(status, "dry_run");
    assert!(effect.unwrap_or_default().starts_with("would have "));
    assert_eq!(sim.server.state.changes().total(), 0);
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn manual_mode_never_changes_atlas_and_verifies_what_the_admin_did(pool: PgPool) {
    let sim = Sim::start(|_, _| {}).await;
    sim.snapshot(&pool).await;
    let campaign = campaign(&pool, &sim, "manual", 1.0).await;
    let chosen: String = sqlx::query_scalar(
        "SELECT entitlement_key FROM review_item WHERE campaign_id = $1 \
         AND principal_kind = 'database_user' ORDER BY id LIMIT 1",
    )
    .bind(campaign)
    .fetch_one(&pool)
    .await
    .expect("a database-user grant");
    let items = revoke_where(&pool, campaign, |k| k == chosen).await;
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM remediation_job WHERE review_item_id = $1")
        .bind(items[0])
        .fetch_one(&pool)
        .await
        .expect("job");
    assert_eq!(job_of(&pool, items[0]).await.0, "needs_manual");
    admin::mark_done(&pool, &admin_actor(), id, "done, honest")
        .await
        .expect("marked");
    drain(&pool, &worker(&pool, &sim, "w"), Duration::from_secs(60)).await;
    let (status, _, reason) = job_of(&pool, items[0]).await;
    assert_eq!(
        status, "needs_manual",
        "Atlas still shows it, so the claim is refused"
    );
    assert!(reason.unwrap_or_default().contains("still shows"));
    // The admin really removes the user in Atlas.
    {
        let mut world = sim.server.state.write().await;
        let key = world
            .db_users
            .keys()
            // The same username can exist in several projects: match the project too.
            .find(|(group, db, name)| {
                chosen.starts_with(&format!("project:{group}/dbuser:{db}/{name}/role:"))
            })
            .cloned()
            .expect("the database user");
        world.db_users.remove(&key);
    }
    admin::mark_done(&pool, &admin_actor(), id, "deleted the user in Atlas")
        .await
        .expect("marked");
    drain(&pool, &worker(&pool, &sim, "w"), Duration::from_secs(60)).await;
    assert_eq!(job_of(&pool, items[0]).await.0, "verified");
    assert_eq!(
        sim.server.state.changes().total(),
        0,
        "Attest itself changed nothing"
    );
}
