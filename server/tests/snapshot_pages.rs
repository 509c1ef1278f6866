//! The Snapshots pages rendered by the real router (no JavaScript): the list with its form,
//! a running snapshot's self-refreshing progress page, a complete one's evidence, the diff
//! with server paging, and who may see them.

mod atlas_world;
mod common;

use app::backend::audit::Actor;
use app::backend::snapshot::{SnapshotRequest, start_snapshot};
use app::model::snapshot::DiffPage;
use atlas_world::{Sim, snapshot, start_sim};
use axum::http::StatusCode;
use common::{Browser, demo_config, router};
use sqlx::PgPool;

/// Gives a user outside the last project a role there, so the next snapshot has an addition.
async fn grant_out_of_band(sim: &Sim) {
    let mut world = sim.server.state.write().await;
    let project = world.project_ids_of(&sim.org_id).pop().expect("a project");
    let user = world
        .users
        .values_mut()
        .find(|u| u.org_id == sim.org_id && !u.group_roles.contains_key(&project))
        .expect("a user outside the last project");
    user.group_roles
        .insert(project, vec!["GROUP_READ_ONLY".to_owned()]);
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn the_list_shows_snapshots_and_only_admins_get_the_form(pool: PgPool) {
    let sim = start_sim(11).await;
    let outcome = snapshot(&pool, &sim).await;
    let app = router(&pool, demo_config());

    let mut admin = Browser::signed_in_as(&app, "admin").await;
    let page = admin.get("/snapshots").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!("/snapshots/{}", outcome.id)));
    assert!(page.body.contains("action=\"/snapshots/take\""));
    assert!(page.body.contains(&outcome.counts.entitlements.to_string()));

    let mut auditor = Browser::signed_in_as(&app, "auditor").await;
    let page = auditor.get("/snapshots").await;
    assert!(page.body.contains(&format!("/snapshots/{}", outcome.id)));
    assert!(!page.body.contains("action=\"/snapshots/take\""));

    let mut reviewer = Browser::signed_in_as(&app, "reviewer").await;
    let page = reviewer.get("/snapshots").await;
    assert!(!page.body.contains(&outcome.id.to_string()));
    assert!(page.body.contains("No access"));
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_running_snapshot_page_refreshes_itself_and_a_complete_one_does_not(pool: PgPool) {
    let sim = start_sim(11).await;
    let done = snapshot(&pool, &sim).await;
    let running = start_snapshot(
        &pool,
        &sim.client,
        SnapshotRequest {
            org_id: &sim.org_id,
            actor: Actor::System("test"),
            credential_id: &sim.client_id,
        },
    )
    .await
    .expect("started");
    let app = router(&pool, demo_config());
    let mut admin = Browser::signed_in_as(&app, "admin").await;

    let page = admin.get(&format!("/snapshots/{}", running.id)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("http-equiv=\"refresh\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("running"));

    let page = admin.get(&format!("/snapshots/{}", done.id)).await;
    assert!(!page.body.contains("http-equiv=\"refresh\""));
    assert!(page.body.contains("listOrgUsers"), "reconciliation shown");
    assert!(page.body.contains("Request log"));
    assert!(page.body.contains("2025-02-19"), "API versions shown");
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn the_diff_is_paged_on_the_server_and_filtered_by_change(pool: PgPool) {
    let sim = start_sim(11).await;
    let before = snapshot(&pool, &sim).await;
    grant_out_of_band(&sim).await;
    let after = snapshot(&pool, &sim).await;
    let app = router(&pool, demo_config());
    let mut auditor = Browser::signed_in_as(&app, "auditor").await;

    let page = auditor
        .get(&format!(
            "/snapshots/diff?from={}&to={}&only=added",
            before.id, after.id
        ))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("GROUP_READ_ONLY"), "{}", page.body);
    assert!(page.body.contains("Added (1)"));

    // Reversed, the addition is a removal; the whole diff of a snapshot against an empty one
    // is not needed: paging is checked on the server function directly.
    let diff: DiffPage = auditor
        .call(
            "diff_snapshots",
            &[
                ("from", &after.id.to_string()),
                ("to", &before.id.to_string()),
                ("only", ""),
                ("page", "1"),
            ],
        )
        .await
        .expect("a diff page");
    assert_eq!((diff.added, diff.removed, diff.changed), (0, 1, 0));
    assert_eq!(diff.rows.len(), 1);
    assert_eq!(diff.rows[0].change, "removed");

    let empty: DiffPage = auditor
        .call(
            "diff_snapshots",
            &[
                ("from", &after.id.to_string()),
                ("to", &before.id.to_string()),
                ("only", ""),
                ("page", "2"),
            ],
        )
        .await
        .expect("a diff page");
    assert!(empty.rows.is_empty());
    assert_eq!(empty.total, 1);

    let mut reviewer = Browser::signed_in_as(&app, "reviewer").await;
    let refused: Result<DiffPage, _> = reviewer
        .call(
            "diff_snapshots",
            &[
                ("from", &after.id.to_string()),
                ("to", &before.id.to_string()),
                ("only", ""),
                ("page", "1"),
            ],
        )
        .await;
    assert!(refused.is_err());
}
