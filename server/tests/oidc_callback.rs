//! Single sign-on against a test issuer: a good ID token signs in, and every bad callback is a
//! 400 page naming the reason that leaves nobody signed in.

mod common;

use axum::http::StatusCode;
use openidconnect::url::Url;
use sqlx::PgPool;

use common::issuer::{SignedWith, TestIssuer, TokenSpec};
use common::{Browser, Reply, audit_events_with_action, router, sso_config, user_count};

/// A browser that has started single sign-on, and what the issuer was asked for.
struct PendingLogin {
    browser: Browser,
    state: String,
    nonce: String,
}

/// Starts the issuer and Attest configured with it.
async fn attest_with_test_issuer(pool: &PgPool) -> (TestIssuer, axum::Router) {
    let issuer = TestIssuer::start().await;
    let router = router(pool, sso_config(&issuer.url));
    (issuer, router)
}

/// `GET /auth/login`, checking the redirect to the issuer and reading its state and nonce.
async fn start_login(router: &axum::Router, issuer: &TestIssuer) -> PendingLogin {
    let mut browser = Browser::new(router);
    let reply = browser.get("/auth/login").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let authorize = Url::parse(reply.location()).expect("the redirect is a URL");
    assert_eq!(
        authorize.as_str().split('?').next(),
        Some(format!("{}/authorize", issuer.url).as_str())
    );
    let param = |name: &str| {
        authorize
            .query_pairs()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
            .unwrap_or_else(|| panic!("the authorize URL has no {name}: {authorize}"))
    };
    assert_eq!(param("client_id"), common::issuer::CLIENT_ID);
    assert_eq!(param("code_challenge_method"), "S256");
    assert!(
        browser.session.is_some(),
        "the pending login needs a session"
    );
    PendingLogin {
        state: param("state"),
        nonce: param("nonce"),
        browser,
    }
}

/// `GET /auth/callback` with `code=c` and `state`.
async fn callback(browser: &mut Browser, state: &str) -> Reply {
    let query = common::form(&[("code", "c"), ("state", state)]);
    browser.get(&format!("/auth/callback?{query}")).await
}

/// Runs a whole login in which the issuer answers with the token `spec` describes; `spec` is
/// handed the nonce Attest sent.
async fn login_with_token(pool: &PgPool, spec: impl FnOnce(&str) -> TokenSpec) -> (Browser, Reply) {
    let (issuer, router) = attest_with_test_issuer(pool).await;
    let mut login = start_login(&router, &issuer).await;
    issuer.answer_next_exchange_with(issuer.mint(&spec(&login.nonce)));
    let reply = callback(&mut login.browser, &login.state).await;
    (login.browser, reply)
}

/// Asserts a refused sign-in: a 400 page containing `reason`, and nobody signed in.
async fn assert_refused(pool: &PgPool, browser: &mut Browser, reply: &Reply, reason: &str) {
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert!(reply.header("content-type").starts_with("text/html"));
    assert!(reply.body.contains("Sign-in failed"), "{}", reply.body);
    assert!(reply.body.contains(reason), "{}", reply.body);
    assert!(
        reply.session_cookie_set().is_none_or(|v| v.is_empty()),
        "a refused callback must not hand out a session"
    );
    assert_eq!(browser.session_info().await.viewer, None);
    assert_eq!(user_count(pool).await, 0);
    assert_eq!(audit_events_with_action(pool, "user.signed_in").await, 0);
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_valid_id_token_signs_in_with_a_new_session_id(pool: PgPool) {
    let (issuer, router) = attest_with_test_issuer(&pool).await;
    let mut login = start_login(&router, &issuer).await;
    let pending_session = login.browser.session.clone();
    issuer.answer_next_exchange_with(issuer.mint(&TokenSpec::valid(&login.nonce)));

    let reply = callback(&mut login.browser, &login.state).await;

    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(reply.location(), "/");
    assert!(login.browser.session.is_some());
    assert_ne!(login.browser.session, pending_session);
    let info = login.browser.session_info().await;
    assert!(info.sso_enabled);
    let viewer = info.viewer.expect("signed in");
    assert_eq!(viewer.display_name, common::issuer::NAME);
    assert_eq!(viewer.email.as_deref(), Some("sam.signin@example.com"));
    let (issuer_url, subject): (String, String) =
        sqlx::query_as("SELECT issuer, subject FROM app_user")
            .fetch_one(&pool)
            .await
            .expect("one user");
    assert_eq!(
        (issuer_url, subject),
        (issuer.url.clone(), common::issuer::SUBJECT.into())
    );
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_token_signed_with_a_newly_rotated_key_signs_in(pool: PgPool) {
    let (issuer, router) = attest_with_test_issuer(&pool).await;
    // Starting the login makes Attest discover the provider and cache its current keys.
    let mut login = start_login(&router, &issuer).await;
    issuer.rotate_key();
    issuer.answer_next_exchange_with(issuer.mint(&TokenSpec::valid(&login.nonce)));

    let reply = callback(&mut login.browser, &login.state).await;

    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert!(login.browser.session_info().await.viewer.is_some());
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_callback_with_the_wrong_state_is_refused(pool: PgPool) {
    let (issuer, router) = attest_with_test_issuer(&pool).await;
    let mut login = start_login(&router, &issuer).await;
    issuer.answer_next_exchange_with(issuer.mint(&TokenSpec::valid(&login.nonce)));

    let reply = callback(&mut login.browser, "not-the-state").await;

    assert_refused(&pool, &mut login.browser, &reply, "state mismatch").await;
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn an_id_token_with_the_wrong_nonce_is_refused(pool: PgPool) {
    let (mut browser, reply) =
        login_with_token(&pool, |_| TokenSpec::valid("another-login's-nonce")).await;

    assert_refused(&pool, &mut browser, &reply, "nonce does not match").await;
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn an_expired_id_token_is_refused(pool: PgPool) {
    let (mut browser, reply) = login_with_token(&pool, |nonce| TokenSpec {
        expires_in_secs: -3600,
        ..TokenSpec::valid(nonce)
    })
    .await;

    assert_refused(&pool, &mut browser, &reply, "has expired").await;
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn an_id_token_signed_with_an_unpublished_key_is_refused(pool: PgPool) {
    let (mut browser, reply) = login_with_token(&pool, |nonce| TokenSpec {
        key: SignedWith::UnpublishedKey,
        ..TokenSpec::valid(nonce)
    })
    .await;

    assert_refused(&pool, &mut browser, &reply, "signature is not valid").await;
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn an_unsigned_id_token_is_refused(pool: PgPool) {
    let (mut browser, reply) = login_with_token(&pool, |nonce| TokenSpec {
        key: SignedWith::Nothing,
        ..TokenSpec::valid(nonce)
    })
    .await;

    assert_refused(&pool, &mut browser, &reply, "signature is not valid").await;
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn an_id_token_for_another_client_is_refused(pool: PgPool) {
    let (mut browser, reply) = login_with_token(&pool, |nonce| TokenSpec {
        audience: "some-other-client".into(),
        ..TokenSpec::valid(nonce)
    })
    .await;

    assert_refused(
        &pool,
        &mut browser,
        &reply,
        "issued for another application",
    )
    .await;
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_callback_without_a_pending_login_is_refused(pool: PgPool) {
    let (issuer, router) = attest_with_test_issuer(&pool).await;
    let login = start_login(&router, &issuer).await;
    issuer.answer_next_exchange_with(issuer.mint(&TokenSpec::valid(&login.nonce)));
    let mut other_browser = Browser::new(&router);

    let reply = callback(&mut other_browser, &login.state).await;

    assert_refused(
        &pool,
        &mut other_browser,
        &reply,
        "does not belong to a sign-in started in this browser",
    )
    .await;
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_callback_cannot_be_replayed(pool: PgPool) {
    let (issuer, router) = attest_with_test_issuer(&pool).await;
    let mut login = start_login(&router, &issuer).await;
    let pending = login.browser.clone();
    issuer.answer_next_exchange_with(issuer.mint(&TokenSpec::valid(&login.nonce)));
    let first = callback(&mut login.browser, &login.state).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    issuer.answer_next_exchange_with(issuer.mint(&TokenSpec::valid(&login.nonce)));

    let mut replay = pending;
    let reply = callback(&mut replay, &login.state).await;

    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert!(reply.body.contains("already used"), "{}", reply.body);
    assert_eq!(replay.session_info().await.viewer, None);
    assert_eq!(audit_events_with_action(&pool, "user.signed_in").await, 1);
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_provider_error_is_refused(pool: PgPool) {
    let (issuer, router) = attest_with_test_issuer(&pool).await;
    let mut login = start_login(&router, &issuer).await;
    let query = common::form(&[
        ("error", "access_denied"),
        ("error_description", "The user declined."),
        ("state", &login.state),
    ]);

    let reply = login.browser.get(&format!("/auth/callback?{query}")).await;

    assert_refused(&pool, &mut login.browser, &reply, "access_denied").await;
}
