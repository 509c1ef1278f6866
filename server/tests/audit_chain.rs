//! The audit log against a real database: the chain verifies, tampering and gaps are found by
//! both `verify_chain` and `attest audit verify`, the database refuses changes, and events
//! live and die with the transaction that wrote them.

mod common;

use serde_json::json;
use sqlx::PgPool;

use app::backend::audit::{self, Actor, ChainReport, NewEvent, verify_chain};
use app::backend::auth::DEMO_ISSUER;
use app::backend::auth::roles::grant_role;
use app::backend::auth::users::{SignInClaims, load_viewer, record_sign_in};
use app::model::Role;

use common::{audit_event_count, audit_events_with_action, database_url_of, stored_roles};

/// A test event; `n` makes each one distinct.
fn test_event(n: usize) -> NewEvent {
    NewEvent {
        actor: Actor::System("test"),
        action: "test.happened",
        object_kind: "test",
        object_id: n.to_string(),
        details: json!({"n": n, "nested": {"b": [1, 2], "a": "x"}}),
    }
}

/// Records `count` events, each in its own committed transaction.
async fn record_events(pool: &PgPool, count: usize) {
    for n in 1..=count {
        let mut tx = pool.begin().await.expect("a transaction begins");
        audit::record(&mut tx, test_event(n))
            .await
            .expect("the event is recorded");
        tx.commit().await.expect("the transaction commits");
    }
}

/// Runs `sql` as the table owner with the append-only triggers switched off, the way someone
/// with direct database access could tamper with the log.
async fn tamper(pool: &PgPool, sql: &'static str) {
    let mut tx = pool.begin().await.expect("a transaction begins");
    for statement in [
        "ALTER TABLE audit_event DISABLE TRIGGER USER",
        sql,
        "ALTER TABLE audit_event ENABLE TRIGGER USER",
    ] {
        sqlx::raw_sql(statement)
            .execute(&mut *tx)
            .await
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
    tx.commit().await.expect("the tampering commits");
}

/// Runs `attest audit verify` on the test database; returns whether it succeeded and its output.
async fn run_audit_verify(pool: &PgPool) -> (bool, String) {
    let url = database_url_of(pool).await;
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_attest"))
        .args(["audit", "verify"])
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("the attest binary runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

/// Signs in a demo user and returns their id.
async fn demo_user(pool: &PgPool, subject: &str, roles: &[Role]) -> uuid::Uuid {
    let claims = SignInClaims {
        issuer: DEMO_ISSUER.into(),
        subject: subject.into(),
        email: Some(format!("{subject}@demo.attest")),
        display_name: subject.into(),
    };
    record_sign_in(pool, &claims, roles)
        .await
        .expect("the sign-in is recorded")
}

/// Asserts that the database refuses `sql` on audit_event as an append-only violation.
async fn assert_refused(pool: &PgPool, sql: &'static str) {
    let err = sqlx::raw_sql(sql).execute(pool).await.expect_err(sql);
    let db = err.as_database_error().expect("a database error");
    assert_eq!(db.code().as_deref(), Some("42501"), "{sql}: {db}");
    assert!(db.message().contains("append-only"), "{sql}: {db}");
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn recorded_events_verify_intact(pool: PgPool) {
    record_events(&pool, 5).await;

    assert_eq!(
        verify_chain(&pool).await.expect("the chain is readable"),
        ChainReport::Intact { events: 5 }
    );
    let (ok, stdout) = run_audit_verify(&pool).await;
    assert!(ok, "{stdout}");
    assert!(stdout.contains("intact: 5 events"), "{stdout}");
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn numbers_that_jsonb_rewrites_still_verify(pool: PgPool) {
    let mut tx = pool.begin().await.expect("a transaction begins");
    audit::record(
        &mut tx,
        NewEvent {
            details: json!({
                "rounded_delta": (-0.0001_f64).round(),
                "tiny": 1e-7,
                "huge": 1e300,
                "largest": u64::MAX,
                "smallest": i64::MIN,
            }),
            ..test_event(1)
        },
    )
    .await
    .expect("the event is recorded");
    tx.commit().await.expect("the transaction commits");

    assert_eq!(
        verify_chain(&pool).await.expect("the chain is readable"),
        ChainReport::Intact { events: 1 }
    );
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn an_empty_log_verifies_intact(pool: PgPool) {
    assert_eq!(
        verify_chain(&pool).await.expect("the chain is readable"),
        ChainReport::Intact { events: 0 }
    );
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn an_altered_row_is_reported_by_seq_in_the_library_and_the_binary(pool: PgPool) {
    record_events(&pool, 5).await;

    tamper(
        &pool,
        r#"UPDATE audit_event SET details = '{"n": 99}' WHERE seq = 3"#,
    )
    .await;

    match verify_chain(&pool).await.expect("the chain is readable") {
        ChainReport::Broken {
            verified,
            first_bad,
        } => {
            assert_eq!(first_bad.seq, 3);
            assert_eq!(verified, 2);
            assert!(first_bad.reason.contains("altered"), "{}", first_bad.reason);
        }
        intact => panic!("tampering went unnoticed: {intact:?}"),
    }
    let (ok, stdout) = run_audit_verify(&pool).await;
    assert!(!ok, "audit verify must fail on a broken chain: {stdout}");
    assert!(stdout.contains("BROKEN at event 3"), "{stdout}");
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_deleted_row_is_reported_as_a_gap(pool: PgPool) {
    record_events(&pool, 5).await;

    tamper(&pool, "DELETE FROM audit_event WHERE seq = 2").await;

    match verify_chain(&pool).await.expect("the chain is readable") {
        ChainReport::Broken {
            verified,
            first_bad,
        } => {
            assert_eq!(first_bad.seq, 3);
            assert_eq!(verified, 1);
            assert!(
                first_bad.reason.contains("expected sequence number 2")
                    && first_bad.reason.contains("missing"),
                "{}",
                first_bad.reason
            );
        }
        intact => panic!("the deletion went unnoticed: {intact:?}"),
    }
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn the_database_refuses_update_delete_and_truncate(pool: PgPool) {
    record_events(&pool, 2).await;

    assert_refused(
        &pool,
        "UPDATE audit_event SET actor_label = 'x' WHERE seq = 1",
    )
    .await;
    assert_refused(&pool, "DELETE FROM audit_event WHERE seq = 2").await;
    assert_refused(&pool, "TRUNCATE audit_event").await;

    assert_eq!(audit_event_count(&pool).await, 2);
    assert_eq!(
        verify_chain(&pool).await.expect("the chain is readable"),
        ChainReport::Intact { events: 2 }
    );
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn an_event_in_a_rolled_back_transaction_is_absent(pool: PgPool) {
    record_events(&pool, 1).await;

    let mut tx = pool.begin().await.expect("a transaction begins");
    let seq = audit::record(&mut tx, test_event(2))
        .await
        .expect("the event is recorded");
    assert_eq!(seq, 2);
    tx.rollback().await.expect("the transaction rolls back");

    assert_eq!(audit_event_count(&pool).await, 1);
    record_events(&pool, 1).await;
    assert_eq!(
        verify_chain(&pool).await.expect("the chain is readable"),
        ChainReport::Intact { events: 2 }
    );
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_role_grant_whose_transaction_fails_leaves_no_event(pool: PgPool) {
    let admin_id = demo_user(&pool, "admin", &[Role::Admin]).await;
    let target_id = demo_user(&pool, "target", &[]).await;
    let admin = load_viewer(&pool, admin_id)
        .await
        .expect("the admin loads")
        .expect("the admin exists");
    // Fails every role grant at commit, after the grant and its event were both written.
    sqlx::raw_sql(
        "CREATE FUNCTION fail_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$ \
         BEGIN RAISE EXCEPTION 'refused by the test'; END; $$; \
         CREATE CONSTRAINT TRIGGER user_role_fails_at_commit AFTER INSERT ON user_role \
         DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fail_at_commit();",
    )
    .execute(&pool)
    .await
    .expect("the failing trigger is installed");
    let events_before = audit_event_count(&pool).await;
    let grants_before = audit_events_with_action(&pool, "role.granted").await;

    grant_role(&pool, &admin, target_id, Role::Auditor)
        .await
        .expect_err("the grant's transaction fails");

    assert!(stored_roles(&pool, target_id).await.is_empty());
    assert_eq!(audit_event_count(&pool).await, events_before);
    assert_eq!(
        audit_events_with_action(&pool, "role.granted").await,
        grants_before
    );
    assert_eq!(
        verify_chain(&pool).await.expect("the chain is readable"),
        ChainReport::Intact {
            events: events_before as u64
        }
    );
}
