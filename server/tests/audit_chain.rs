//! The audit log against a real database: the chain verifies, tampering and gaps are found by
//! both `verify_chain` and `attest audit verify`, the database refuses changes, and events
//! live and die with the transaction that wrote them. Signed checkpoints written by
//! `attest audit checkpoint` catch what the chain alone cannot: its newest events removed.

mod common;

use serde_json::json;
use sqlx::PgPool;

use app::backend::audit::{
    self, Actor, ChainReport, CheckpointReport, NewEvent, verify_chain, verify_checkpoints,
};
use app::backend::auth::DEMO_ISSUER;
use app::backend::auth::roles::grant_role;
use app::backend::auth::users::{SignInClaims, load_viewer, record_sign_in};
use app::backend::evidence::EvidenceKey;
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
    tamper_with(pool, "audit_event", sql).await;
}

/// [`tamper`] on `table`.
async fn tamper_with(pool: &PgPool, table: &str, sql: &str) {
    let mut tx = pool.begin().await.expect("a transaction begins");
    for statement in [
        format!("ALTER TABLE {table} DISABLE TRIGGER USER"),
        sql.to_owned(),
        format!("ALTER TABLE {table} ENABLE TRIGGER USER"),
    ] {
        sqlx::raw_sql(sqlx::AssertSqlSafe(statement.clone()))
            .execute(&mut *tx)
            .await
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
    tx.commit().await.expect("the tampering commits");
}

/// Runs `attest audit verify` on the test database; returns whether it succeeded and its output.
async fn run_audit_verify(pool: &PgPool) -> (bool, String) {
    run_attest(pool, &["audit", "verify"], None).await
}

/// Runs `attest ARGS` on the test database, with `seed` as the evidence signing key; returns
/// whether it succeeded and its output (stdout, then stderr).
async fn run_attest(pool: &PgPool, args: &[&str], seed: Option<&str>) -> (bool, String) {
    let url = database_url_of(pool).await;
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_attest"));
    command
        .args(args)
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .env_remove("ATTEST_EVIDENCE_SIGNING_KEY")
        .env_remove("ATTEST_EVIDENCE_SIGNING_KEY_FILE");
    if let Some(seed) = seed {
        command.env("ATTEST_EVIDENCE_SIGNING_KEY", seed);
    }
    let output = command.output().expect("the attest binary runs");
    (
        output.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
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

/// Asserts that the database refuses `sql` as an append-only violation.
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

/// Runs `attest audit checkpoint` with a new key; returns the key's seed and the output.
async fn checkpoint_by_cli(pool: &PgPool) -> (String, String) {
    let seed = EvidenceKey::generate_seed();
    let (ok, out) = run_attest(
        pool,
        &["audit", "checkpoint", "--reason", "nightly"],
        Some(&seed),
    )
    .await;
    assert!(ok, "{out}");
    (seed, out)
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn attest_audit_checkpoint_signs_the_head_and_prints_its_seq_and_hash(pool: PgPool) {
    record_events(&pool, 5).await;

    let (seed, out) = checkpoint_by_cli(&pool).await;

    // The checkpoint is of its own `audit.checkpointed` event, the sixth.
    let (seq, hash): (i64, Vec<u8>) =
        sqlx::query_as("SELECT seq, hash FROM audit_event WHERE action = 'audit.checkpointed'")
            .fetch_one(&pool)
            .await
            .expect("the checkpoint's event");
    assert_eq!(seq, 6);
    assert!(
        out.contains(&format!("seq=6 hash={}", hex::encode(&hash))),
        "{out}"
    );
    let reason: String = sqlx::query_scalar("SELECT reason FROM audit_checkpoint")
        .fetch_one(&pool)
        .await
        .expect("one checkpoint");
    assert_eq!(reason, "nightly");
    let public_key = EvidenceKey::from_base64_seed(&seed)
        .expect("the seed")
        .public_key_base64();
    assert_eq!(
        verify_checkpoints(&pool, Some(&public_key))
            .await
            .expect("the checkpoints are readable"),
        CheckpointReport::Intact { checkpoints: 1 }
    );
    let (ok, stdout) = run_audit_verify(&pool).await;
    assert!(ok, "{stdout}");
    assert!(
        stdout.contains("intact: 6 events") && stdout.contains("1 signed checkpoints verified"),
        "{stdout}"
    );
    let (ok, stdout) = run_attest(
        &pool,
        &["audit", "verify", "--public-key", &public_key],
        None,
    )
    .await;
    assert!(ok, "{stdout}");
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn attest_audit_checkpoint_without_a_key_names_the_variable_and_writes_nothing(pool: PgPool) {
    record_events(&pool, 1).await;

    let (ok, out) = run_attest(&pool, &["audit", "checkpoint"], None).await;

    assert!(!ok, "{out}");
    assert!(out.contains("ATTEST_EVIDENCE_SIGNING_KEY_FILE"), "{out}");
    let checkpoints: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_checkpoint")
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(checkpoints, 0);
    assert_eq!(audit_event_count(&pool).await, 1);
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn removing_the_newest_events_after_a_checkpoint_fails_verify_naming_the_checkpoint(
    pool: PgPool,
) {
    record_events(&pool, 5).await;
    checkpoint_by_cli(&pool).await;

    // The newest rows, the checkpoint's event among them, removed by the table owner: what is
    // left is still a perfectly linked chain.
    tamper(&pool, "DELETE FROM audit_event WHERE seq >= 5").await;

    assert_eq!(
        verify_chain(&pool).await.expect("the chain is readable"),
        ChainReport::Intact { events: 4 }
    );
    match verify_checkpoints(&pool, None)
        .await
        .expect("the checkpoints are readable")
    {
        CheckpointReport::Broken {
            verified,
            first_bad,
        } => {
            assert_eq!((verified, first_bad.seq), (0, 6));
            assert!(
                first_bad.reason.contains("event 6 is missing"),
                "{first_bad:?}"
            );
        }
        intact => panic!("the removal went unnoticed: {intact:?}"),
    }
    let (ok, stdout) = run_audit_verify(&pool).await;
    assert!(!ok, "audit verify must fail: {stdout}");
    assert!(stdout.contains("audit chain intact: 4 events"), "{stdout}");
    assert!(
        stdout.contains("audit checkpoint 1 (event 6, signed ")
            && stdout.contains("does NOT match"),
        "{stdout}"
    );
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_rewritten_event_or_a_forged_checkpoint_signature_is_reported(pool: PgPool) {
    record_events(&pool, 3).await;
    checkpoint_by_cli(&pool).await;
    record_events(&pool, 1).await;

    // The whole log rewritten from event 4 on with consistent hashes is out of reach of a
    // test; a checkpointed event whose hash no longer matches stands for it.
    tamper(
        &pool,
        "UPDATE audit_event SET hash = sha256(hash) WHERE seq = 4",
    )
    .await;
    match verify_checkpoints(&pool, None)
        .await
        .expect("the checkpoints are readable")
    {
        CheckpointReport::Broken { first_bad, .. } => {
            assert!(
                first_bad.reason.contains("the log was rewritten"),
                "{first_bad:?}"
            );
        }
        intact => panic!("the rewrite went unnoticed: {intact:?}"),
    }

    tamper_with(
        &pool,
        "audit_checkpoint",
        "UPDATE audit_checkpoint SET signed_at = signed_at + interval '1 second'",
    )
    .await;
    match verify_checkpoints(&pool, None)
        .await
        .expect("the checkpoints are readable")
    {
        CheckpointReport::Broken { first_bad, .. } => {
            assert!(
                first_bad.reason.contains("its signature does not verify"),
                "{first_bad:?}"
            );
        }
        intact => panic!("the forged checkpoint went unnoticed: {intact:?}"),
    }
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn the_database_refuses_changes_to_checkpoints(pool: PgPool) {
    record_events(&pool, 1).await;
    checkpoint_by_cli(&pool).await;

    assert_refused(&pool, "UPDATE audit_checkpoint SET reason = 'x'").await;
    assert_refused(&pool, "DELETE FROM audit_checkpoint").await;
    assert_refused(&pool, "TRUNCATE audit_checkpoint").await;

    assert_eq!(
        verify_checkpoints(&pool, None)
            .await
            .expect("the checkpoints are readable"),
        CheckpointReport::Intact { checkpoints: 1 }
    );
}
