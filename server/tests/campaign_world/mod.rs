//! A small company and one Atlas org built for campaign tests: a directory imported from a
//! roster, and snapshots written straight into the tables (running, then complete or failed),
//! with named helpers for each kind of principal and grant.
#![allow(
    dead_code,
    reason = "each test binary uses a different subset of these helpers"
)]

use app::backend::audit::Actor;
use app::backend::campaign::create::create_campaign;
use app::backend::directory::{ImportOutcome, import_roster};
use app::backend::identity::refresh_links;
use app::model::campaign::CampaignDraft;
use sqlx::PgPool;
use uuid::Uuid;

/// The org every test snapshot belongs to.
pub const ORG: &str = "0123456789abcdef01234567";
/// The project every grant is in.
pub const PROJECT: &str = "aaaaaaaaaaaaaaaaaaaaaaaa";

/// The company: a CEO; Morgan manages Ann, Bob, Lee (a leaver) and Riley (the demo
/// reviewer); Dana reports to Lee; Fay is the fallback reviewer.
pub const ROSTER: &str = "email,name,manager email,department,title,employment status\n\
    ceo@corp.test,Casey Chief,,Board,CEO,active\n\
    mgr@corp.test,Morgan Manager,ceo@corp.test,Data,Head of Data,active\n\
    ann@corp.test,Ann Analyst,mgr@corp.test,Data,Analyst,active\n\
    bob@corp.test,Bob Builder,mgr@corp.test,Data,Engineer,active\n\
    lee@corp.test,Lee Left,mgr@corp.test,Data,Engineer,leaver\n\
    dana@corp.test,Dana Dev,lee@corp.test,Data,Engineer,active\n\
    fay@corp.test,Fay Fallback,ceo@corp.test,Security,Security lead,active\n\
    riley.reviewer@demo.attest,Riley Reviewer,mgr@corp.test,Data,Team lead,active\n\
    rita@corp.test,Rita Report,riley.reviewer@demo.attest,Data,Analyst,active\n";

/// Imports [`ROSTER`].
pub async fn import_people(pool: &PgPool) {
    match import_roster(pool, Actor::System("test"), "roster.csv", ROSTER.as_bytes())
        .await
        .expect("the roster imports")
    {
        ImportOutcome::Imported(_) => {}
        ImportOutcome::Rejected(errors) => panic!("roster rejected: {errors:?}"),
    }
}

/// A snapshot being assembled.
pub struct Snapshot {
    pub id: Uuid,
    principals: Vec<(
        String,
        &'static str,
        String,
        Option<String>,
        serde_json::Value,
    )>,
    grants: Vec<(String, String, &'static str)>,
}

impl Snapshot {
    pub fn new() -> Snapshot {
        Snapshot {
            id: Uuid::new_v4(),
            principals: Vec::new(),
            grants: Vec::new(),
        }
    }

    /// An Atlas user signing in as `email`; returns its principal key.
    pub fn atlas_user(&mut self, email: &str) -> String {
        let key = format!("user:{email}");
        self.principals.push((
            key.clone(),
            "atlas_user",
            email.into(),
            Some(email.into()),
            serde_json::json!([]),
        ));
        key
    }

    /// A database user, optionally labelled with an owner.
    pub fn database_user(&mut self, username: &str, owner: Option<&str>) -> String {
        let key = format!("dbuser:{PROJECT}/admin/{username}");
        let labels = match owner {
            Some(owner) => serde_json::json!([{ "key": "owner", "value": owner }]),
            None => serde_json::json!([]),
        };
        let email = username.contains('@').then(|| username.to_owned());
        self.principals
            .push((key.clone(), "database_user", username.into(), email, labels));
        key
    }

    /// An API key nobody is linked to.
    pub fn api_key(&mut self, public_key: &str) -> String {
        let key = format!("apikey:{public_key}");
        self.principals.push((
            key.clone(),
            "api_key",
            public_key.into(),
            None,
            serde_json::json!([]),
        ));
        key
    }

    /// Grants `role` at tier `tier` on the project to `principal`.
    pub fn grant(&mut self, principal: &str, role: &str, tier: &'static str) -> &mut Snapshot {
        self.grants.push((principal.into(), role.into(), tier));
        self
    }

    async fn write(&self, pool: &PgPool) {
        sqlx::query(
            "INSERT INTO atlas_org (id, name, base_url) VALUES ($1, 'Test org', 'http://sim') \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(ORG)
        .execute(pool)
        .await
        .expect("org stored");
        sqlx::query(
            "INSERT INTO snapshot (id, org_id, status, started_by_label, atlas_base_url, \
                 credential_id, app_version) \
             VALUES ($1, $2, 'running', 'test', 'http://sim', 'test', 'test')",
        )
        .bind(self.id)
        .bind(ORG)
        .execute(pool)
        .await
        .expect("snapshot started");
        for (key, kind, name, email, labels) in &self.principals {
            let project = (*kind == "database_user").then_some(PROJECT);
            sqlx::query(
                "INSERT INTO principal (snapshot_id, key, kind, atlas_id, project_id, \
                     display_name, username, email, labels) \
                 VALUES ($1, $2, $3, $2, $4, $5, $5, $6, $7)",
            )
            .bind(self.id)
            .bind(key)
            .bind(kind)
            .bind(project)
            .bind(name)
            .bind(email)
            .bind(labels)
            .execute(pool)
            .await
            .expect("principal stored");
        }
        for (principal, role, tier) in &self.grants {
            sqlx::query(
                "INSERT INTO entitlement (snapshot_id, key, principal_key, grant_path, scope, \
                     org_id, project_id, role, tier) \
                 VALUES ($1, $2, $3, 'direct', 'project', $4, $5, $6, $7)",
            )
            .bind(self.id)
            .bind(format!("project:{PROJECT}/{principal}/role:{role}"))
            .bind(principal)
            .bind(ORG)
            .bind(PROJECT)
            .bind(role)
            .bind(tier)
            .execute(pool)
            .await
            .expect("entitlement stored");
        }
    }

    /// Stores the snapshot as complete, finished `hours_ago` hours ago, and links its
    /// principals to people as the snapshot engine does on completion.
    pub async fn complete(&self, pool: &PgPool, hours_ago: i32) -> Uuid {
        self.write(pool).await;
        let mut conn = pool.acquire().await.expect("a connection");
        sqlx::query(
            "UPDATE snapshot SET status = 'complete', \
                 finished_at = now() - make_interval(hours => $2), \
                 content_sha256 = encode(sha256(id::text::bytea), 'hex') WHERE id = $1",
        )
        .bind(self.id)
        .bind(hours_ago)
        .execute(&mut *conn)
        .await
        .expect("snapshot completed");
        refresh_links(&mut conn, self.id)
            .await
            .expect("identity links refreshed");
        self.id
    }

    /// Stores the snapshot as failed with `error`.
    pub async fn fail(&self, pool: &PgPool, error: &str) -> Uuid {
        self.write(pool).await;
        sqlx::query(
            "UPDATE snapshot SET status = 'failed', finished_at = now(), error = $2 WHERE id = $1",
        )
        .bind(self.id)
        .bind(error)
        .execute(pool)
        .await
        .expect("snapshot failed");
        self.id
    }
}

/// Keys of the principals in [`standard_snapshot`].
pub struct Standard {
    pub ann: String,
    pub mgr: String,
    pub ceo: String,
    pub dana: String,
    pub rita: String,
    pub service: String,
    pub ann_db: String,
    pub orphan_key: String,
}

/// The standard snapshot: one grant per principal, Morgan's an admin-tier one.
/// - Ann, Rita, Dana: Atlas users (manager rule; Dana's manager has left);
/// - Morgan: an Atlas user and project owner (privileged);
/// - Casey: an Atlas user without a manager (fallback);
/// - `svc_etl`: a database user owned by Bob (owner rule);
/// - `ann@corp.test`: Ann's own database user, labelled as owned by her manager Morgan;
/// - an API key nobody is linked to (orphan).
pub fn standard_snapshot() -> (Snapshot, Standard) {
    let mut s = Snapshot::new();
    let keys = Standard {
        ann: s.atlas_user("ann@corp.test"),
        mgr: s.atlas_user("mgr@corp.test"),
        ceo: s.atlas_user("CEO@corp.test"),
        dana: s.atlas_user("dana@corp.test"),
        rita: s.atlas_user("rita@corp.test"),
        service: s.database_user("svc_etl", Some("bob@corp.test")),
        ann_db: s.database_user("ann@corp.test", Some("mgr@corp.test")),
        orphan_key: s.api_key("orphankey"),
    };
    s.grant(&keys.ann, "GROUP_READ_ONLY", "read")
        .grant(&keys.mgr, "GROUP_OWNER", "admin")
        .grant(&keys.ceo, "GROUP_READ_ONLY", "read")
        .grant(&keys.dana, "GROUP_DATA_ACCESS_READ_WRITE", "write")
        .grant(&keys.rita, "GROUP_READ_ONLY", "read")
        .grant(&keys.service, "readWrite@sales", "write")
        .grant(&keys.ann_db, "read@sales", "read")
        .grant(&keys.orphan_key, "GROUP_READ_ONLY", "read");
    (s, keys)
}

/// A valid draft over the org, every principal kind, due in a week, with `fallback`.
pub fn draft(fallback: &[&str]) -> CampaignDraft {
    CampaignDraft {
        name: "Q4 access review".into(),
        description: "Quarterly review of the data platform".into(),
        org_ids: vec![ORG.into()],
        project_ids: vec![],
        principal_kinds: ["atlas_user", "database_user", "api_key"]
            .map(String::from)
            .to_vec(),
        tiers: vec![],
        only_new_since_last: false,
        due_date: (chrono::Utc::now().date_naive() + chrono::Days::new(7)).to_string(),
        reviewer_rules: vec!["manager".into(), "owner".into()],
        comment_required_on_revoke: true,
        comment_required_on_privileged_approve: true,
        allow_forwarding: true,
        undecided_outcome: "keep".into(),
        remediation_mode: "after_approval".into(),
        fallback_reviewers: fallback.iter().map(|s| s.to_string()).collect(),
        max_snapshot_age_hours: 72,
    }
}

/// The actor tests act as.
pub fn admin() -> Actor {
    Actor::System("test-admin")
}

/// Creates `draft` as a campaign.
pub async fn create(pool: &PgPool, draft: &CampaignDraft) -> Uuid {
    create_campaign(pool, &admin(), draft, chrono::Utc::now().date_naive())
        .await
        .expect("the draft is valid")
}

/// One item's routing: reviewer email, rule, reason, whether self-review moved it.
pub async fn routing(
    pool: &PgPool,
    campaign: Uuid,
    principal_key: &str,
) -> (String, String, String, bool) {
    sqlx::query_as(
        "SELECT p.email, i.routing_rule, i.routing_reason, i.self_review_rerouted \
         FROM review_item i JOIN person p ON p.id = i.reviewer_person_id \
         WHERE i.campaign_id = $1 AND i.principal_key = $2",
    )
    .bind(campaign)
    .bind(principal_key)
    .fetch_one(pool)
    .await
    .expect("the item exists")
}

/// The id of the item of `principal_key` in `campaign`.
pub async fn item_id(pool: &PgPool, campaign: Uuid, principal_key: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM review_item WHERE campaign_id = $1 AND principal_key = $2")
        .bind(campaign)
        .bind(principal_key)
        .fetch_one(pool)
        .await
        .expect("the item exists")
}

/// The directory id of `email`.
pub async fn person(pool: &PgPool, email: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM person WHERE email = $1")
        .bind(email)
        .fetch_one(pool)
        .await
        .expect("the person exists")
}

/// Row counts of every campaign table, to show a refusal changed nothing.
pub async fn campaign_rows(pool: &PgPool) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in [
        "campaign",
        "campaign_fallback_reviewer",
        "campaign_snapshot",
        "review_item",
        "review_decision",
        "review_reassignment",
        "campaign_signoff",
        "audit_event",
    ] {
        let n: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
                .fetch_one(pool)
                .await
                .expect("table readable");
        counts.push(n);
    }
    counts
}
