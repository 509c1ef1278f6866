//! Small, named builders of snapshot content for the identity-link and inventory tests: a
//! hand-made org whose principals, grants and people say exactly what a test needs.

use app::backend::audit::Actor;
use app::backend::directory::{ImportOutcome, import_roster};
use app::backend::snapshot::model::ProjectRow;
use app::backend::snapshot::store::{self, Completion, NewSnapshot};
use app::backend::snapshot::{
    Derived, EntitlementRow, GrantPath, PrincipalKind, PrincipalRow, Scope, Tier,
};
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

/// The org every hand-made snapshot belongs to.
pub const ORG: &str = "0123456789abcdef01234567";
/// Its one project.
pub const PROJECT: &str = "aaaaaaaaaaaaaaaaaaaaaaaa";
/// The project's name.
pub const PROJECT_NAME: &str = "payments-prod";

/// A principal of `kind` with key `key`, named `name`.
pub fn principal(key: &str, kind: PrincipalKind, name: &str) -> PrincipalRow {
    PrincipalRow {
        key: key.to_owned(),
        kind,
        atlas_id: key.split(':').nth(1).unwrap_or(key).to_owned(),
        project_id: None,
        display_name: name.to_owned(),
        username: Some(name.to_owned()),
        email: None,
        auth_type: None,
        membership_status: None,
        last_auth: None,
        labels: Vec::new(),
    }
}

/// An Atlas user signing in as `email`.
pub fn atlas_user(id: &str, email: &str) -> PrincipalRow {
    PrincipalRow {
        email: Some(email.to_owned()),
        ..principal(&format!("user:{id}"), PrincipalKind::AtlasUser, email)
    }
}

/// A database user of the project, with `labels`.
pub fn database_user(username: &str, labels: &[(&str, &str)]) -> PrincipalRow {
    PrincipalRow {
        project_id: Some(PROJECT.to_owned()),
        auth_type: Some("SCRAM".to_owned()),
        labels: labels
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        ..principal(
            &format!("dbuser:{PROJECT}/admin/{username}"),
            PrincipalKind::DatabaseUser,
            username,
        )
    }
}

/// `p` last used at `at`.
pub fn used_at(p: PrincipalRow, at: DateTime<Utc>) -> PrincipalRow {
    PrincipalRow {
        last_auth: Some(at),
        ..p
    }
}

/// A direct project role of `principal`.
pub fn grant(principal: &PrincipalRow, role: &str, tier: Tier) -> EntitlementRow {
    EntitlementRow {
        key: format!("project:{PROJECT}/{}/role:{role}", principal.key),
        principal_key: principal.key.clone(),
        grant_path: GrantPath::Direct,
        scope: Scope::Project,
        org_id: ORG.to_owned(),
        project_id: Some(PROJECT.to_owned()),
        cluster_names: Vec::new(),
        database_name: None,
        collection_name: None,
        role: role.to_owned(),
        tier,
        via_team_id: None,
        via_mapping_id: None,
        via_org_role: None,
        role_actions: Vec::new(),
    }
}

/// Stores `principals` and `grants` as a complete snapshot of [`ORG`], the way a pull does
/// (links made in the completing transaction), and returns its id.
pub async fn complete_snapshot(
    pool: &PgPool,
    principals: Vec<PrincipalRow>,
    grants: Vec<EntitlementRow>,
) -> Uuid {
    let id = Uuid::new_v4();
    let mut derived = Derived {
        projects: vec![ProjectRow {
            project_id: PROJECT.to_owned(),
            name: PROJECT_NAME.to_owned(),
            cluster_count: Some(1),
        }],
        principals,
        entitlements: grants,
    };
    derived.principals.sort_by(|a, b| a.key.cmp(&b.key));
    derived.entitlements.sort_by(|a, b| a.key.cmp(&b.key));
    let mut tx = pool.begin().await.expect("begin");
    store::insert_running(
        &mut tx,
        &NewSnapshot {
            id,
            org_id: ORG,
            base_url: "http://atlas.test",
            credential_id: "test",
            started_by: None,
            started_by_label: "system:test",
        },
    )
    .await
    .expect("snapshot starts");
    store::insert_rows(&mut tx, id, &derived)
        .await
        .expect("rows stored");
    store::mark_complete(
        &mut tx,
        id,
        &Completion {
            counts: &serde_json::json!({}),
            reconciliation: &serde_json::json!([]),
            api_versions: &[],
            content_sha256: "test",
            pages_sha256: "test",
        },
    )
    .await
    .expect("snapshot completes");
    app::backend::identity::refresh_links(&mut tx, id)
        .await
        .expect("links refresh");
    tx.commit().await.expect("commit");
    id
}

/// Imports `rows` (CSV lines after the header `email,name,employment status,end date`).
pub async fn roster(pool: &PgPool, rows: &[&str]) {
    let csv = format!(
        "email,name,employment status,end date\n{}\n",
        rows.join("\n")
    );
    match import_roster(pool, Actor::System("test"), "roster.csv", csv.as_bytes())
        .await
        .expect("import runs")
    {
        ImportOutcome::Imported(_) => {}
        ImportOutcome::Rejected(errors) => panic!("roster rejected: {errors:?}"),
    }
}

/// The `relation` link (holder or owner) of `principal_key` in `snapshot`: (person email,
/// method), if linked.
pub async fn link_of(
    pool: &PgPool,
    snapshot: Uuid,
    principal_key: &str,
    relation: &str,
) -> Option<(String, String)> {
    sqlx::query_as(
        "SELECT pe.email, l.method FROM identity_link l JOIN person pe ON pe.id = l.person_id \
         WHERE l.snapshot_id = $1 AND l.principal_key = $2 AND l.relation = $3",
    )
    .bind(snapshot)
    .bind(principal_key)
    .bind(relation)
    .fetch_optional(pool)
    .await
    .expect("identity_link is readable")
}

/// The id of the person with `email`.
pub async fn person_id(pool: &PgPool, email: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM person WHERE email = $1")
        .bind(email)
        .fetch_one(pool)
        .await
        .expect("the person exists")
}

/// The actor of backend-level changes in a test (no Attest user needed).
pub fn admin() -> Actor {
    Actor::System("test-admin")
}
