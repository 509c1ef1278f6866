//! The remediation test world: the simulator's demo org (with extra principals added per
//! test), a snapshot of it, the demo company's directory, and an automatic campaign over it,
//! so a test revokes chosen entitlements through the real submit and runs the real worker.
#![allow(
    dead_code,
    reason = "each test binary uses a different subset of these helpers"
)]

use std::time::Duration;

use app::backend::atlas::{AtlasClient, Credentials};
use app::backend::audit::Actor;
use app::backend::campaign::create::create_campaign;
use app::backend::campaign::decide::{decide, submit};
use app::backend::campaign::launch::launch;
use app::backend::directory::{ImportOutcome, import_roster};
use app::backend::remediation::{Worker, WorkerSettings};
use app::backend::snapshot::{SnapshotRequest, SnapshotStatus, take_snapshot};
use app::model::campaign::CampaignDraft;
use attest_server::atlas_sim::seed::DemoOrg;
use attest_server::atlas_sim::{SimServer, SimState, World, spawn};
use sqlx::PgPool;
use uuid::Uuid;

/// A running simulator with the credentials to reach it.
pub struct Sim {
    pub server: SimServer,
    pub org_id: String,
    pub client_id: String,
    pub client_secret: String,
    pub people: Vec<attest_server::atlas_sim::seed::DemoPerson>,
}

impl Sim {
    /// The demo org after `change` has edited its world.
    pub async fn start(change: impl FnOnce(&mut World, &str)) -> Sim {
        let mut demo = DemoOrg::build(5);
        let org_id = demo.credentials.org_id.clone();
        change(&mut demo.world, &org_id);
        let server = spawn(SimState::new(demo.world), "127.0.0.1:0")
            .await
            .expect("bind a local port");
        Sim {
            server,
            org_id,
            client_id: demo.credentials.client_id.clone(),
            client_secret: demo.credentials.client_secret.clone(),
            people: demo.people,
        }
    }

    /// A worker-style client without client-side pacing.
    pub fn client(&self) -> AtlasClient {
        attest_server::remediation::worker_client(
            &self.server.base_url(),
            self.credentials(),
            0,
            None,
        )
        .expect("a valid client")
    }

    pub fn credentials(&self) -> Credentials {
        Credentials::ServiceAccount {
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone().into(),
        }
    }

    /// Takes a complete snapshot of the org.
    pub async fn snapshot(&self, pool: &PgPool) -> Uuid {
        let outcome = take_snapshot(
            pool,
            &self.client(),
            SnapshotRequest {
                org_id: &self.org_id,
                actor: Actor::System("test"),
                credential_id: &self.client_id,
            },
            &|_: &str| {},
        )
        .await
        .expect("the snapshot is recorded");
        assert!(
            matches!(outcome.status, SnapshotStatus::Complete),
            "{:?}",
            outcome.status
        );
        outcome.id
    }

    /// The first project of the org.
    pub async fn project(&self) -> String {
        self.server.state.read().await.project_ids_of(&self.org_id)[0].clone()
    }
}

/// Adds `count` database users named `<prefix>00000`, `<prefix>00001`, … with one role each
/// (`read@sales` on `admin`), spread over the org's projects: each one revoked is one DELETE.
pub fn single_role_database_users(world: &mut World, org: &str, prefix: &str, count: usize) {
    let projects = world.project_ids_of(org);
    let template = world
        .db_users
        .values()
        .find(|u| !u.roles.is_empty())
        .cloned()
        .expect("the demo org has a database user with a role");
    for n in 0..count {
        let mut user = template.clone();
        user.group_id = projects[n % projects.len()].clone();
        user.database_name = "admin".into();
        user.username = format!("{prefix}{n:05}");
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
}

/// Imports the demo company's roster and launches a campaign in `mode` over every principal
/// kind of the org; the share guard rail is opened unless `max_share` says otherwise.
pub async fn campaign(pool: &PgPool, sim: &Sim, mode: &str, max_share: f64) -> Uuid {
    let roster = attest_server::demo::roster_csv(&sim.people);
    match import_roster(pool, Actor::System("test"), "roster.csv", roster.as_bytes())
        .await
        .expect("the roster imports")
    {
        ImportOutcome::Imported(_) => {}
        ImportOutcome::Rejected(errors) => panic!("roster rejected: {errors:?}"),
    }
    sqlx::query("UPDATE remediation_control SET max_revoke_share = $1::float8::numeric")
        .bind(max_share)
        .execute(pool)
        .await
        .expect("share set");
    let fallback: Vec<String> = sim
        .people
        .iter()
        .filter(|p| !p.leaver)
        .take(2)
        .map(|p| p.email.clone())
        .collect();
    let draft = CampaignDraft {
        name: "Remediation test".into(),
        description: String::new(),
        org_ids: vec![sim.org_id.clone()],
        project_ids: vec![],
        principal_kinds: [
            "atlas_user",
            "database_user",
            "team",
            "api_key",
            "service_account",
            "idp_group",
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
        remediation_mode: mode.into(),
        fallback_reviewers: fallback,
        max_snapshot_age_hours: 72,
    };
    let id = create_campaign(
        pool,
        &Actor::System("test"),
        &draft,
        chrono::Utc::now().date_naive(),
    )
    .await
    .expect("a valid draft");
    launch(pool, &Actor::System("test"), id)
        .await
        .expect("the campaign launches");
    id
}

/// Revokes, as each item's reviewer, the items whose entitlement key satisfies `pick`, and
/// submits; returns the review item ids.
pub async fn revoke_where(pool: &PgPool, campaign: Uuid, pick: impl Fn(&str) -> bool) -> Vec<i64> {
    let items: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT i.id, i.entitlement_key, p.email FROM review_item i \
         JOIN person p ON p.id = i.reviewer_person_id WHERE i.campaign_id = $1 ORDER BY i.id",
    )
    .bind(campaign)
    .fetch_all(pool)
    .await
    .expect("items");
    let chosen: Vec<(i64, String, String)> =
        items.into_iter().filter(|(_, key, _)| pick(key)).collect();
    assert!(!chosen.is_empty(), "no review item matched");
    let mut reviewers: Vec<String> = Vec::new();
    for (id, _, email) in &chosen {
        decide(
            pool,
            &Actor::System("test-reviewer"),
            Some(email),
            *id,
            "revoke",
            "not needed",
        )
        .await
        .expect("the reviewer decides");
        if !reviewers.contains(email) {
            reviewers.push(email.clone());
        }
    }
    for email in reviewers {
        submit(
            pool,
            &Actor::System("test-reviewer"),
            Some(&email),
            campaign,
        )
        .await
        .expect("the reviewer submits");
    }
    chosen.into_iter().map(|(id, _, _)| id).collect()
}

/// A worker over `pool` and the simulator, polling fast.
pub fn worker(pool: &PgPool, sim: &Sim, name: &str) -> Worker {
    Worker {
        pool: pool.clone(),
        client: sim.client(),
        settings: WorkerSettings {
            name: name.into(),
            concurrency: 16,
            lease: Duration::from_secs(30),
            idle_poll: Duration::from_millis(50),
            applying_poll: Duration::from_millis(100),
        },
    }
}

/// Runs `worker` until no job is pending, running or awaiting verification. `limit` only
/// guards against a hang: on a loaded machine a database-user change can wait several seconds
/// for the clusters, so callers give it a generous one.
pub async fn drain(pool: &PgPool, worker: &Worker, limit: Duration) {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let ran = worker.run_once().await.expect("a batch runs");
        if ran == 0 {
            let busy: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM remediation_job WHERE status IN ('pending', 'running', 'done')",
            )
            .fetch_one(pool)
            .await
            .expect("count");
            if busy == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the queue did not drain in time"
        );
    }
}

/// The status, effect and reason of the job of review item `item`.
pub async fn job_of(pool: &PgPool, item: i64) -> (String, Option<String>, Option<String>) {
    sqlx::query_as(
        "SELECT status, effect, status_reason FROM remediation_job WHERE review_item_id = $1",
    )
    .bind(item)
    .fetch_one(pool)
    .await
    .expect("the item has a job")
}
