//! Helpers shared by the integration tests: configurations, a router on a test database, a
//! cookie-keeping stand-in for one browser, and small readers of the tables the tests check.
//!
//! Every test binary compiles this module but uses only part of it.
#![allow(
    dead_code,
    reason = "each test binary uses a different subset of these helpers"
)]

pub mod access;
pub mod issuer;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use openidconnect::url::Url;
use openidconnect::url::form_urlencoded;
use serde::de::DeserializeOwned;
use sqlx::PgPool;
use tower::ServiceExt;
use uuid::Uuid;

use app::error::AppError;
use app::model::SessionInfo;
use attest_server::config::{ServeArgs, ServeConfig};
use attest_server::email::EmailArgs;
use attest_server::evidence::EvidenceArgs;
use attest_server::remediation::ChangeRateArgs;
use attest_server::snapshots::config::ScheduleArgs;

/// The public URL every test configuration uses; same-origin requests come from here.
pub const PUBLIC_URL: &str = "http://127.0.0.1:3000";
/// Name of the session cookie over plain http.
pub const SESSION_COOKIE: &str = "attest_sid";
/// Largest response body the tests read.
const BODY_LIMIT: usize = 4 * 1024 * 1024;

fn base_args() -> ServeArgs {
    ServeArgs {
        bind: "127.0.0.1:3000".into(),
        public_url: PUBLIC_URL.into(),
        oidc_issuer: None,
        oidc_client_id: None,
        oidc_client_secret: None,
        admin_emails: vec![],
        demo: true,
        site_root: "target/site".into(),
        schedule: ScheduleArgs::default(),
        email: EmailArgs::default(),
        evidence: EvidenceArgs::default(),
        change_rate: ChangeRateArgs::default(),
    }
}

/// Demo mode without single sign-on: "act as" sign-in is available.
pub fn demo_config() -> ServeConfig {
    ServeConfig::from_args(base_args()).expect("the demo configuration is valid")
}

/// Single sign-on with `issuer` and demo mode off.
pub fn sso_config(issuer: &str) -> ServeConfig {
    ServeConfig::from_args(ServeArgs {
        oidc_issuer: Some(issuer.into()),
        oidc_client_id: Some(issuer::CLIENT_ID.into()),
        oidc_client_secret: Some(issuer::CLIENT_SECRET.into()),
        demo: false,
        ..base_args()
    })
    .expect("the single sign-on configuration is valid")
}

/// The complete application router on `pool`, as `attest serve` builds it.
pub fn router(pool: &PgPool, config: ServeConfig) -> Router {
    let state = attest_server::serve::state(pool.clone(), config).expect("server state builds");
    attest_server::http::build_router(state)
}

/// A response with its body read as text.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    /// The value of header `name`, or "" when absent.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The redirect target.
    pub fn location(&self) -> &str {
        self.header(header::LOCATION.as_str())
    }

    /// The session cookie this response sets (`Some("")` when it removes it).
    pub fn session_cookie_set(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .filter_map(|pair| pair.strip_prefix(SESSION_COOKIE)?.strip_prefix('='))
            .map(str::to_owned)
            .next_back()
    }
}

/// One browser talking to the router: it keeps the session cookie between requests and sends
/// state-changing requests as Attest's own pages would (`Sec-Fetch-Site: same-origin`).
#[derive(Clone)]
pub struct Browser {
    router: Router,
    /// The session cookie's value, if the browser holds one.
    pub session: Option<String>,
}

impl Browser {
    /// A browser with no cookies.
    pub fn new(router: &Router) -> Browser {
        Browser {
            router: router.clone(),
            session: None,
        }
    }

    /// A browser signed in through demo sign-in as `role` (admin, reviewer or auditor).
    pub async fn signed_in_as(router: &Router, role: &str) -> Browser {
        let mut browser = Browser::new(router);
        let reply = browser.demo_sign_in(role).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        assert_eq!(reply.location(), "/");
        browser
    }

    /// Posts the demo sign-in form for `role`.
    pub async fn demo_sign_in(&mut self, role: &str) -> Reply {
        self.post_form("/auth/demo", &[("role", role)]).await
    }

    /// GET `path`.
    pub async fn get(&mut self, path: &str) -> Reply {
        let request = request(Method::GET, path)
            .body(Body::empty())
            .expect("valid request");
        self.send(request).await
    }

    /// POSTs `fields` as a form from Attest's own pages.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        self.post_form_with(path, fields, &[("sec-fetch-site", "same-origin")])
            .await
    }

    /// POSTs `fields` as a form with exactly the provenance headers given.
    pub async fn post_form_with(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut builder = request(Method::POST, path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        self.send(
            builder
                .body(Body::from(form(fields)))
                .expect("valid request"),
        )
        .await
    }

    /// Calls server function `name` the way the hydrated app does and decodes its answer.
    pub async fn call<T: DeserializeOwned>(
        &mut self,
        name: &str,
        fields: &[(&str, &str)],
    ) -> Result<T, AppError> {
        let reply = self.post_form(&format!("/api/{name}"), fields).await;
        match reply.status {
            StatusCode::OK => Ok(serde_json::from_str(&reply.body)
                .unwrap_or_else(|e| panic!("{name}: unexpected answer {}: {e}", reply.body))),
            status if status.is_client_error() || status.is_server_error() => {
                let error: AppError = serde_json::from_str(&reply.body)
                    .unwrap_or_else(|e| panic!("{name}: not an AppError {}: {e}", reply.body));
                // Every refusal carries its own status, so monitoring can tell it from a fault.
                let expected = match &error {
                    AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
                    AppError::Forbidden => StatusCode::FORBIDDEN,
                    AppError::NotFound(_) => StatusCode::NOT_FOUND,
                    AppError::Conflict(_) => StatusCode::CONFLICT,
                    AppError::Invalid(_) => StatusCode::BAD_REQUEST,
                    AppError::Internal | AppError::Transport(_) => {
                        StatusCode::INTERNAL_SERVER_ERROR
                    }
                };
                assert_eq!(status, expected, "{name}: status for {error:?}");
                Err(error)
            }
            other => panic!("{name}: unexpected status {other}: {}", reply.body),
        }
    }

    /// Who the server thinks this browser is.
    pub async fn session_info(&mut self) -> SessionInfo {
        self.call("session_info", &[])
            .await
            .expect("session_info answers everyone")
    }

    async fn send(&mut self, mut request: Request<Body>) -> Reply {
        if let Some(session) = &self.session {
            let cookie = format!("{SESSION_COOKIE}={session}");
            request.headers_mut().insert(
                header::COOKIE,
                cookie
                    .parse()
                    .expect("a session id is a valid header value"),
            );
        }
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router is infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), BODY_LIMIT)
            .await
            .expect("the body is readable");
        let reply = Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        };
        if let Some(value) = reply.session_cookie_set() {
            self.session = Some(value).filter(|v| !v.is_empty());
        }
        reply
    }
}

fn request(method: Method, path: &str) -> axum::http::request::Builder {
    Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "127.0.0.1:3000")
}

/// `fields` as `application/x-www-form-urlencoded`.
pub fn form(fields: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish()
}

/// The id of the demo user for `role`, once they have signed in.
pub async fn demo_user_id(pool: &PgPool, role: &str) -> Uuid {
    let (id,): (Uuid,) = sqlx::query_as("SELECT id FROM app_user WHERE subject = $1")
        .bind(format!("demo-{role}"))
        .fetch_one(pool)
        .await
        .expect("the demo user exists");
    id
}

/// The roles stored for `user_id`, sorted.
pub async fn stored_roles(pool: &PgPool, user_id: Uuid) -> Vec<String> {
    sqlx::query_scalar("SELECT role FROM user_role WHERE user_id = $1 ORDER BY role")
        .bind(user_id)
        .fetch_all(pool)
        .await
        .expect("user_role is readable")
}

/// How many users exist.
pub async fn user_count(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM app_user")
        .fetch_one(pool)
        .await
        .expect("app_user is readable")
}

/// How many audit events exist.
pub async fn audit_event_count(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_event")
        .fetch_one(pool)
        .await
        .expect("audit_event is readable")
}

/// How many audit events with `action` exist.
pub async fn audit_events_with_action(pool: &PgPool, action: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_event WHERE action = $1")
        .bind(action)
        .fetch_one(pool)
        .await
        .expect("audit_event is readable")
}

/// A `DATABASE_URL` for the database `pool` is connected to: the server from the environment
/// with the test database's name.
pub async fn database_url_of(pool: &PgPool) -> String {
    let name: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(pool)
        .await
        .expect("current_database() answers");
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL is set for #[sqlx::test]");
    let mut url = Url::parse(&base).expect("DATABASE_URL is a URL");
    url.set_path(&name);
    url.to_string()
}
