//! Snapshot retention against real PostgreSQL: old snapshots go, each with its audit event;
//! an org's newest ones and any a campaign froze stay, and the database itself refuses an
//! unaudited deletion.

mod campaign_world;

use app::backend::audit::Actor;
use app::backend::campaign::launch::launch;
use app::backend::snapshot::{RetentionPolicy, SnapshotError, apply_retention, delete_snapshot};
use campaign_world::*;
use sqlx::PgPool;
use uuid::Uuid;

/// Everything past the newest complete snapshot of each org is due.
const KEEP_ONLY_NEWEST: RetentionPolicy = RetentionPolicy {
    keep_days: 0,
    keep_last: 1,
};

async fn exists(pool: &PgPool, id: Uuid) -> bool {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM snapshot WHERE id = $1)")
        .bind(id)
        .fetch_one(pool)
        .await
        .expect("checked")
}

async fn rows_of(pool: &PgPool, id: Uuid) -> i64 {
    sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM principal WHERE snapshot_id = $1) \
              + (SELECT count(*) FROM entitlement WHERE snapshot_id = $1)",
    )
    .bind(id)
    .fetch_one(pool)
    .await
    .expect("counted")
}

async fn deletion_events(pool: &PgPool, id: Uuid) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM audit_event WHERE action = 'snapshot.deleted' AND object_id = $1",
    )
    .bind(id.to_string())
    .fetch_one(pool)
    .await
    .expect("counted")
}

/// A campaign launched on snapshot `used` (3 hours old), then two newer snapshots.
async fn history_with_a_campaign(pool: &PgPool) -> (Uuid, Uuid, Uuid) {
    import_people(pool).await;
    let (first, _) = standard_snapshot();
    let used = first.complete(pool, 3).await;
    let campaign = create(pool, &draft(&["fay@corp.test"])).await;
    launch(pool, &admin(), campaign).await.expect("launches");
    let (second, _) = standard_snapshot();
    let older = second.complete(pool, 2).await;
    let (third, _) = standard_snapshot();
    let newest = third.complete(pool, 1).await;
    (used, older, newest)
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn retention_deletes_old_snapshots_audited_and_keeps_campaign_and_newest(pool: PgPool) {
    let (used, older, newest) = history_with_a_campaign(&pool).await;
    assert!(rows_of(&pool, older).await > 0);

    let report = apply_retention(&pool, KEEP_ONLY_NEWEST, &Actor::System("retention"))
        .await
        .expect("applied");
    assert_eq!(report.deleted, vec![older]);
    assert_eq!(report.kept_for_campaigns, vec![used]);
    assert!(!exists(&pool, older).await);
    assert_eq!(rows_of(&pool, older).await, 0);
    assert_eq!(deletion_events(&pool, older).await, 1);
    assert!(exists(&pool, used).await && exists(&pool, newest).await);
    assert!(rows_of(&pool, used).await > 0);
    assert_eq!(deletion_events(&pool, used).await, 0);

    // The chain still verifies with the deletion in it.
    let chain = app::backend::audit::verify_chain(&pool)
        .await
        .expect("verified");
    assert!(
        matches!(chain, app::backend::audit::ChainReport::Intact { .. }),
        "{chain:?}"
    );
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn deleting_a_campaign_snapshot_is_refused_and_loses_nothing(pool: PgPool) {
    let (used, _, _) = history_with_a_campaign(&pool).await;
    let rows = rows_of(&pool, used).await;
    let refused = delete_snapshot(&pool, used, &admin(), "test").await;
    assert!(
        matches!(refused, Err(SnapshotError::InUse(id)) if id == used),
        "{refused:?}"
    );
    assert!(exists(&pool, used).await);
    assert_eq!(rows_of(&pool, used).await, rows);
    assert_eq!(deletion_events(&pool, used).await, 0);
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn the_database_refuses_deleting_a_complete_snapshot_outside_retention(pool: PgPool) {
    let (_, older, _) = history_with_a_campaign(&pool).await;
    // Without the audited path: no setting, no event.
    let bare = sqlx::query("DELETE FROM entitlement WHERE snapshot_id = $1")
        .bind(older)
        .execute(&pool)
        .await;
    assert!(bare.is_err(), "entitlements of a complete snapshot deleted");
    // The setting alone is not enough: the audit event must be there too.
    let mut tx = pool.begin().await.expect("tx");
    sqlx::query("SELECT set_config('attest.deleting_snapshot', $1, true)")
        .bind(older.to_string())
        .execute(&mut *tx)
        .await
        .expect("set");
    let unaudited = sqlx::query("DELETE FROM snapshot WHERE id = $1")
        .bind(older)
        .execute(&mut *tx)
        .await;
    assert!(
        unaudited.is_err(),
        "a complete snapshot deleted without its audit event"
    );
    drop(tx);
    assert!(exists(&pool, older).await);
}
