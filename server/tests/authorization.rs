//! Who may call what, over real HTTP through the full router: server functions per role,
//! refusals that change nothing, cross-site refusal, sessions, and the always-on endpoints.
//! The last-admin rule is also raced directly against the database.

mod common;

use axum::http::StatusCode;
use sqlx::PgPool;

use app::backend::auth::AuthError;
use app::backend::auth::roles::revoke_role;
use app::backend::auth::users::load_viewer;
use app::error::AppError;
use app::model::{AuditPage, Role, UserRow, Viewer};

use common::{
    Browser, audit_event_count, audit_events_with_action, demo_config, demo_user_id, router,
    sso_config, stored_roles, user_count,
};

/// An address where nothing listens: single sign-on is configured but never reached.
const UNREACHABLE_ISSUER: &str = "http://127.0.0.1:9";

/// Admin, reviewer and auditor browsers, signed in on a demo-mode router.
struct Cast {
    admin: Browser,
    reviewer: Browser,
    auditor: Browser,
    anonymous: Browser,
}

async fn cast(pool: &PgPool) -> Cast {
    let router = router(pool, demo_config());
    Cast {
        admin: Browser::signed_in_as(&router, "admin").await,
        reviewer: Browser::signed_in_as(&router, "reviewer").await,
        auditor: Browser::signed_in_as(&router, "auditor").await,
        anonymous: Browser::new(&router),
    }
}

/// Calls `change_role` as `browser`.
async fn change_role(
    browser: &mut Browser,
    user_id: uuid::Uuid,
    role: &str,
    grant: bool,
) -> Result<(), AppError> {
    let user_id = user_id.to_string();
    let grant = grant.to_string();
    browser
        .call(
            "change_role",
            &[("user_id", &user_id), ("role", role), ("grant", &grant)],
        )
        .await
}

/// Calls `list_audit_events` as `browser`, filtered by action when `action` is not empty.
async fn list_audit_events(browser: &mut Browser, action: &str) -> Result<AuditPage, AppError> {
    browser
        .call("list_audit_events", &[("filter[action]", action)])
        .await
}

/// The viewer for `user_id`, as the session middleware would load it.
async fn viewer(pool: &PgPool, user_id: uuid::Uuid) -> Viewer {
    load_viewer(pool, user_id)
        .await
        .expect("the user loads")
        .expect("the user exists")
}

/// Every user's stored roles, in a stable order, to compare before and after a refusal.
async fn all_roles(pool: &PgPool) -> Vec<(uuid::Uuid, String)> {
    sqlx::query_as("SELECT user_id, role FROM user_role ORDER BY user_id, role")
        .fetch_all(pool)
        .await
        .expect("user_role is readable")
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn session_info_answers_everyone(pool: PgPool) {
    let mut cast = cast(&pool).await;

    let anonymous = cast.anonymous.session_info().await;
    assert_eq!(anonymous.viewer, None);
    assert!(anonymous.demo_mode);
    assert!(!anonymous.sso_enabled);
    for (browser, name, roles) in [
        (&mut cast.admin, "Avery Admin", vec![Role::Admin]),
        (&mut cast.reviewer, "Riley Reviewer", vec![]),
        (&mut cast.auditor, "Ada Auditor", vec![Role::Auditor]),
    ] {
        let viewer = browser.session_info().await.viewer.expect("signed in");
        assert_eq!(viewer.display_name, name);
        assert_eq!(viewer.roles, roles);
    }
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn only_admins_list_users(pool: PgPool) {
    let mut cast = cast(&pool).await;

    let users: Vec<UserRow> = cast.admin.call("list_users", &[]).await.expect("allowed");
    let mut names: Vec<_> = users.iter().map(|u| u.display_name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["Ada Auditor", "Avery Admin", "Riley Reviewer"]);

    let refused = cast.reviewer.call::<Vec<UserRow>>("list_users", &[]).await;
    assert_eq!(refused, Err(AppError::Forbidden));
    let refused = cast.auditor.call::<Vec<UserRow>>("list_users", &[]).await;
    assert_eq!(refused, Err(AppError::Forbidden));
    let refused = cast.anonymous.call::<Vec<UserRow>>("list_users", &[]).await;
    assert_eq!(refused, Err(AppError::Unauthenticated));
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn an_admin_grants_and_removes_roles_and_each_change_is_audited(pool: PgPool) {
    let mut cast = cast(&pool).await;
    let reviewer_id = demo_user_id(&pool, "reviewer").await;

    change_role(&mut cast.admin, reviewer_id, "auditor", true)
        .await
        .expect("an admin may grant");
    assert_eq!(stored_roles(&pool, reviewer_id).await, ["auditor"]);
    let viewer = cast
        .reviewer
        .session_info()
        .await
        .viewer
        .expect("signed in");
    assert_eq!(viewer.roles, [Role::Auditor]);

    change_role(&mut cast.admin, reviewer_id, "auditor", false)
        .await
        .expect("an admin may remove");
    assert!(stored_roles(&pool, reviewer_id).await.is_empty());

    let page = list_audit_events(&mut cast.admin, "role.revoked")
        .await
        .expect("an admin reads the log");
    let [revoked] = page.events.as_slice() else {
        panic!("expected one role.revoked event: {:?}", page.events);
    };
    assert_eq!(revoked.actor, "Avery Admin");
    assert_eq!(revoked.object_id, reviewer_id.to_string());
    assert_eq!(audit_events_with_action(&pool, "role.granted").await, 3);
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn an_unknown_role_is_invalid_and_changes_nothing(pool: PgPool) {
    let mut cast = cast(&pool).await;
    let reviewer_id = demo_user_id(&pool, "reviewer").await;
    let events = audit_event_count(&pool).await;

    let refused = change_role(&mut cast.admin, reviewer_id, "root", true).await;

    assert!(matches!(refused, Err(AppError::Invalid(ref m)) if m.contains("'root'")));
    assert!(stored_roles(&pool, reviewer_id).await.is_empty());
    assert_eq!(audit_event_count(&pool).await, events);
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn reviewers_auditors_and_strangers_cannot_change_roles(pool: PgPool) {
    let cast = cast(&pool).await;
    let admin_id = demo_user_id(&pool, "admin").await;
    let reviewer_id = demo_user_id(&pool, "reviewer").await;
    let auditor_id = demo_user_id(&pool, "auditor").await;
    let roles = all_roles(&pool).await;
    let events = audit_event_count(&pool).await;

    let attempts = [
        (&cast.reviewer, reviewer_id, true, AppError::Forbidden),
        (&cast.auditor, auditor_id, true, AppError::Forbidden),
        (&cast.auditor, admin_id, false, AppError::Forbidden),
        (
            &cast.anonymous,
            reviewer_id,
            true,
            AppError::Unauthenticated,
        ),
    ];
    for (browser, user_id, grant, expected) in attempts {
        let refused = change_role(&mut browser.clone(), user_id, "admin", grant).await;
        assert_eq!(refused, Err(expected));
    }

    assert_eq!(all_roles(&pool).await, roles);
    assert_eq!(audit_event_count(&pool).await, events);
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn admins_and_auditors_read_the_audit_log_and_nobody_else(pool: PgPool) {
    let mut cast = cast(&pool).await;

    for browser in [&mut cast.admin, &mut cast.auditor] {
        let page = list_audit_events(browser, "").await.expect("allowed");
        assert_eq!(page.events.len() as i64, audit_event_count(&pool).await);
        let signed_in = list_audit_events(browser, "user.signed_in")
            .await
            .expect("allowed");
        assert_eq!(signed_in.events.len(), 3);
        assert!(
            signed_in
                .events
                .iter()
                .all(|e| e.action == "user.signed_in")
        );
    }

    assert_eq!(
        list_audit_events(&mut cast.reviewer, "").await,
        Err(AppError::Forbidden)
    );
    assert_eq!(
        list_audit_events(&mut cast.anonymous, "").await,
        Err(AppError::Unauthenticated)
    );
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn the_last_admin_cannot_be_removed(pool: PgPool) {
    let mut cast = cast(&pool).await;
    let admin_id = demo_user_id(&pool, "admin").await;
    let auditor_id = demo_user_id(&pool, "auditor").await;

    let refused = change_role(&mut cast.admin, admin_id, "admin", false).await;

    assert!(
        matches!(refused, Err(AppError::Conflict(ref m)) if m.contains("last admin")),
        "{refused:?}"
    );
    assert_eq!(stored_roles(&pool, admin_id).await, ["admin"]);
    assert_eq!(audit_events_with_action(&pool, "role.revoked").await, 0);

    // With a second admin, stepping down is allowed.
    change_role(&mut cast.admin, auditor_id, "admin", true)
        .await
        .expect("an admin may grant admin");
    change_role(&mut cast.admin, admin_id, "admin", false)
        .await
        .expect("no longer the last admin");
    assert!(stored_roles(&pool, admin_id).await.is_empty());
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn two_admins_removing_each_other_at_once_leave_one_admin(pool: PgPool) {
    let mut cast = cast(&pool).await;
    let admin_id = demo_user_id(&pool, "admin").await;
    let auditor_id = demo_user_id(&pool, "auditor").await;
    change_role(&mut cast.admin, auditor_id, "admin", true)
        .await
        .expect("an admin may grant admin");
    // Both are authorized before either removal runs, so only the database can stop the second.
    let first = viewer(&pool, admin_id).await;
    let second = viewer(&pool, auditor_id).await;

    let (a, b) = tokio::join!(
        revoke_role(&pool, &first, auditor_id, Role::Admin),
        revoke_role(&pool, &second, admin_id, Role::Admin),
    );

    let outcomes = [a, b];
    let removed = outcomes.iter().filter(|o| matches!(o, Ok(true))).count();
    assert_eq!(removed, 1, "{outcomes:?}");
    assert!(
        outcomes
            .iter()
            .any(|o| matches!(o, Err(AuthError::LastAdmin(_)))),
        "{outcomes:?}"
    );
    let admins: i64 = sqlx::query_scalar("SELECT count(*) FROM user_role WHERE role = 'admin'")
        .fetch_one(&pool)
        .await
        .expect("user_role is readable");
    assert_eq!(admins, 1);
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn demo_sign_in_is_not_found_outside_demo_mode(pool: PgPool) {
    let router = router(&pool, sso_config(UNREACHABLE_ISSUER));
    let mut browser = Browser::new(&router);

    let reply = browser.demo_sign_in("admin").await;

    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(user_count(&pool).await, 0);
    assert_eq!(browser.session_info().await.viewer, None);
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_post_from_another_origin_is_refused_and_changes_nothing(pool: PgPool) {
    let mut cast = cast(&pool).await;
    let reviewer_id = demo_user_id(&pool, "reviewer").await;
    let events = audit_event_count(&pool).await;
    let users = user_count(&pool).await;
    let evil = [("origin", "https://evil.example")];

    let user_id = reviewer_id.to_string();
    let change = [
        ("user_id", user_id.as_str()),
        ("role", "admin"),
        ("grant", "true"),
    ];
    let reply = cast
        .admin
        .post_form_with("/api/change_role", &change, &evil)
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(reply.body.contains("Request refused"), "{}", reply.body);

    let mut stranger = Browser::new(&router(&pool, demo_config()));
    let reply = stranger
        .post_form_with("/auth/demo", &[("role", "admin")], &evil)
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(stranger.session, None);

    assert!(stored_roles(&pool, reviewer_id).await.is_empty());
    assert_eq!(audit_event_count(&pool).await, events);
    assert_eq!(user_count(&pool).await, users);
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_cross_site_fetch_is_refused_even_with_a_matching_origin(pool: PgPool) {
    let mut cast = cast(&pool).await;
    let reviewer_id = demo_user_id(&pool, "reviewer").await;
    let user_id = reviewer_id.to_string();

    let reply = cast
        .admin
        .post_form_with(
            "/api/change_role",
            &[("user_id", &user_id), ("role", "admin"), ("grant", "true")],
            &[
                ("sec-fetch-site", "cross-site"),
                ("origin", common::PUBLIC_URL),
            ],
        )
        .await;

    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(stored_roles(&pool, reviewer_id).await.is_empty());
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn health_and_metrics_answer_without_sign_in(pool: PgPool) {
    let mut browser = Browser::new(&router(&pool, demo_config()));

    let health = browser.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.body, "ok\n");

    let metrics = browser.get("/metrics").await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert!(
        metrics.body.contains("attest_http_requests"),
        "{}",
        metrics.body
    );
    assert!(
        metrics.body.contains(r#"route="/healthz""#),
        "{}",
        metrics.body
    );
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn pages_carry_the_security_headers_and_the_scripts_carry_the_nonce(pool: PgPool) {
    let mut browser = Browser::new(&router(&pool, demo_config()));

    let page = browser.get("/").await;

    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csp = page.header("content-security-policy");
    assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("the CSP names a nonce");
    assert!(nonce.len() >= 16, "{nonce}");
    assert!(
        page.body.contains(&format!("nonce=\"{nonce}\"")),
        "the page's scripts do not carry the CSP nonce"
    );
    assert_eq!(page.header("x-content-type-options"), "nosniff");
    assert_eq!(page.header("referrer-policy"), "same-origin");
    assert_eq!(page.header("cache-control"), "no-store");

    let again = browser.get("/").await;
    assert_ne!(again.header("content-security-policy"), csp);
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn signing_in_replaces_the_session_id(pool: PgPool) {
    let router = router(&pool, demo_config());
    let mut browser = Browser::signed_in_as(&router, "reviewer").await;
    let before = browser.clone();

    browser.demo_sign_in("admin").await;

    assert!(browser.session.is_some());
    assert_ne!(browser.session, before.session);
    let viewer = browser.session_info().await.viewer.expect("signed in");
    assert_eq!(viewer.display_name, "Avery Admin");
    let mut old = before;
    assert_eq!(old.session_info().await.viewer, None);
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn signing_out_ends_the_session(pool: PgPool) {
    let router = router(&pool, demo_config());
    let mut browser = Browser::signed_in_as(&router, "admin").await;
    let mut replay = browser.clone();

    let reply = browser.post_form("/auth/logout", &[]).await;

    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), "/?signed_out=1");
    assert_eq!(browser.session, None);
    assert_eq!(browser.session_info().await.viewer, None);
    assert_eq!(replay.session_info().await.viewer, None);
    assert_eq!(audit_events_with_action(&pool, "user.signed_out").await, 1);
}
