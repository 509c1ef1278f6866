//! The Atlas client's own HTTP behaviour, against tiny local servers started per test: waiting
//! out 429 and 503, paging, typed errors for bad bodies, token refresh and digest challenges.
//! The full Atlas simulator is exercised elsewhere; these servers answer only what each test
//! needs and record what the client sent.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::backend::atlas::{
    AtlasClient, AtlasConfig, Credentials, ErrorKind, RequestRecord, RetryPolicy,
};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use digest_auth::{AuthContext, AuthorizationHeader, HttpMethod};

const ORG_ID: &str = "5f1a2b3c4d5e6f7a8b9c0d1e";
const PROJECT_ID: &str = "6a1b2c3d4e5f60718293a4b5";
const CLIENT_ID: &str = "mdb_sa_id_0123456789abcdef01234567";
const CLIENT_SECRET: &str = "mdb_sa_sk_not-a-real-secret";
const PUBLIC_KEY: &str = "abcdefgh";
const PRIVATE_KEY: &str = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";

/// One request as the test server saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: Method,
    /// Path and query exactly as sent, still percent-encoded.
    target: String,
    headers: HeaderMap,
    body: Bytes,
}

impl Seen {
    fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

type Handler = dyn Fn(&Seen, usize) -> Response + Send + Sync;

/// Shared state of a test server: what it saw, and how it answers the n-th request.
#[derive(Clone)]
struct Server {
    seen: Arc<Mutex<Vec<Seen>>>,
    answer: Arc<Handler>,
}

impl Server {
    fn requests(&self) -> Vec<Seen> {
        self.seen.lock().expect("not poisoned").clone()
    }
}

async fn record_and_answer(
    State(server): State<Server>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let target = uri
        .path_and_query()
        .map(|pq| pq.as_str().to_owned())
        .unwrap_or_default();
    let seen = Seen {
        method,
        target,
        headers,
        body,
    };
    let index = {
        let mut all = server.seen.lock().expect("not poisoned");
        all.push(seen.clone());
        all.len() - 1
    };
    (server.answer)(&seen, index)
}

/// Starts a server on a free loopback port; every request goes to `answer`.
async fn serve(
    answer: impl Fn(&Seen, usize) -> Response + Send + Sync + 'static,
) -> (String, Server) {
    let server = Server {
        seen: Arc::new(Mutex::new(Vec::new())),
        answer: Arc::new(answer),
    };
    let router = Router::new()
        .fallback(record_and_answer)
        .with_state(server.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free loopback port");
    let address = listener.local_addr().expect("a bound address");
    tokio::spawn(async move {
        axum::serve(listener, router)
            .await
            .expect("the test server runs");
    });
    (format!("http://{address}"), server)
}

fn json(status: StatusCode, version: &str, body: &str) -> Response {
    let content_type = if status.is_success() {
        format!("application/vnd.atlas.{version}+json")
    } else {
        "application/json".to_owned()
    };
    (
        status,
        [(header::CONTENT_TYPE, content_type)],
        body.to_owned(),
    )
        .into_response()
}

fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
        max_retry_after: Duration::from_secs(5),
    }
}

fn api_key_client(base_url: &str) -> AtlasClient {
    client_with(base_url, api_key(), 500)
}

fn api_key() -> Credentials {
    Credentials::ApiKey {
        public_key: PUBLIC_KEY.into(),
        private_key: PRIVATE_KEY.to_owned().into(),
    }
}

fn service_account() -> Credentials {
    Credentials::ServiceAccount {
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.to_owned().into(),
    }
}

fn client_with(base_url: &str, credentials: Credentials, items_per_page: u32) -> AtlasClient {
    let mut config = AtlasConfig::new(credentials).with_base_url(base_url);
    config.retry = quick_retries();
    config.rate_limit = None;
    config.items_per_page = items_per_page;
    config.request_timeout = Duration::from_secs(5);
    AtlasClient::new(config).expect("a valid configuration")
}

fn org_user(n: usize) -> String {
    format!(
        r#"{{"id":"{n:024x}","username":"user{n}@example.com","orgMembershipStatus":"ACTIVE",
            "roles":{{"orgRoles":["ORG_MEMBER"],"groupRoleAssignments":[]}},"teamIds":[],
            "firstName":"U","lastName":"{n}","createdAt":"2025-01-01T00:00:00Z"}}"#
    )
}

fn user_page(range: std::ops::Range<usize>, total: usize) -> String {
    let items: Vec<String> = range.map(org_user).collect();
    format!(
        r#"{{"links":[],"results":[{}],"totalCount":{total}}}"#,
        items.join(",")
    )
}

fn org_body() -> String {
    format!(r#"{{"id":"{ORG_ID}","name":"Acme","isDeleted":false,"links":[]}}"#)
}

#[tokio::test]
async fn rate_limited_call_waits_for_retry_after_then_succeeds() {
    let (base, server) = serve(|_, n| {
        if n == 0 {
            let mut response = json(
                StatusCode::TOO_MANY_REQUESTS,
                "",
                r#"{"error":429,"errorCode":"RATE_LIMITED_TOKEN_BUCKET","reason":"Too Many Requests",
                    "parameters":["api/atlas/v2/orgs",1,10,5,60]}"#,
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            response
        } else {
            json(StatusCode::OK, "2023-01-01", &org_body())
        }
    })
    .await;
    let records: Arc<Mutex<Vec<RequestRecord>>> = Arc::default();
    let sink = Arc::clone(&records);
    let client = api_key_client(&base).with_request_log(Arc::new(move |r: &RequestRecord| {
        sink.lock().expect("not poisoned").push(r.clone());
    }));

    let started = Instant::now();
    let org = client.get_org(ORG_ID).await.expect("the retry succeeds");

    assert_eq!(org.name, "Acme");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was not honoured"
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[1].header(header::ACCEPT),
        "application/vnd.atlas.2023-01-01+json"
    );
    let records = records.lock().expect("not poisoned");
    let statuses: Vec<_> = records.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [Some(429), Some(200)]);
    assert_eq!(records[1].operation, "getOrg");
    assert_eq!(records[1].path, format!("/api/atlas/v2/orgs/{ORG_ID}"));
    assert_eq!(records[1].api_version.date(), "2023-01-01");
    assert_eq!(records[1].attempt, 2);
    assert_eq!(
        records[1].response_sha256.as_deref(),
        Some(
            hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
                org_body().as_bytes()
            ))
            .as_str()
        )
    );
}

#[tokio::test]
async fn service_unavailable_without_retry_after_is_retried_with_backoff() {
    let (base, server) = serve(|_, n| {
        if n < 2 {
            json(StatusCode::SERVICE_UNAVAILABLE, "", "upstream unavailable")
        } else {
            json(StatusCode::OK, "2025-02-19", &user_page(0..3, 3))
        }
    })
    .await;

    let users = api_key_client(&base)
        .list_org_users(ORG_ID)
        .await
        .expect("the third attempt succeeds");

    assert_eq!(users.items.len(), 3);
    assert_eq!(users.pages, 1, "a short page ends the listing");
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    let last = &requests[2];
    assert_eq!(
        last.header(header::ACCEPT),
        "application/vnd.atlas.2025-02-19+json"
    );
    assert_eq!(
        last.target,
        format!(
            "/api/atlas/v2/orgs/{ORG_ID}/users?orgMembershipStatuses=ACTIVE\
             &orgMembershipStatuses=PENDING&orgMembershipStatuses=INVITATION_EXPIRED\
             &orgMembershipStatuses=INVITATION_REJECTED&pageNum=1&itemsPerPage=500"
        )
    );
}

#[tokio::test]
async fn server_errors_give_up_after_the_attempt_budget() {
    let (base, server) =
        serve(|_, _| json(StatusCode::BAD_GATEWAY, "", "<html>bad gateway</html>")).await;

    let err = api_key_client(&base)
        .get_org(ORG_ID)
        .await
        .expect_err("every attempt fails");

    assert_eq!(err.kind(), ErrorKind::ServerError);
    assert_eq!(err.status(), Some(502));
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn listing_reads_until_a_short_page_and_keeps_total_count() {
    let (base, server) = serve(|seen, _| {
        let body = if seen.target.contains("pageNum=1&") {
            user_page(0..2, 7)
        } else if seen.target.contains("pageNum=2&") {
            user_page(2..4, 7)
        } else {
            user_page(4..5, 7)
        };
        json(StatusCode::OK, "2025-02-19", &body)
    })
    .await;

    let users = client_with(&base, api_key(), 2)
        .list_org_users(ORG_ID)
        .await
        .expect("three pages");

    assert_eq!(users.items.len(), 5);
    assert_eq!(users.pages, 3);
    assert_eq!(users.reported_total, Some(7));
    assert!(users.total_differs());
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn garbled_page_is_a_typed_error_naming_endpoint_and_page() {
    let (base, _server) = serve(|seen, _| {
        if seen.target.contains("pageNum=1&") {
            json(StatusCode::OK, "2025-02-19", &user_page(0..2, 4))
        } else {
            json(
                StatusCode::OK,
                "2025-02-19",
                r#"{"results":[{"id":"x","username":}"#,
            )
        }
    })
    .await;

    let err = client_with(&base, api_key(), 2)
        .list_org_users(ORG_ID)
        .await
        .expect_err("page 2 is garbled");

    assert_eq!(err.kind(), ErrorKind::InvalidBody);
    let call = err.call().expect("the failing call is named");
    assert_eq!(call.operation, "listOrgUsers");
    assert_eq!(call.page, Some(2));
    let message = err.to_string();
    assert!(message.contains("listOrgUsers"), "{message}");
    assert!(message.contains("page 2"), "{message}");
}

#[tokio::test]
async fn page_cut_short_is_reported_as_truncated() {
    let (base, _server) = serve(|_, _| {
        json(
            StatusCode::OK,
            "2023-01-01",
            r#"{"results":[{"username":"app","databaseName":"admin","roles":[]"#,
        )
    })
    .await;

    let err = api_key_client(&base)
        .list_database_users(PROJECT_ID)
        .await
        .expect_err("the body ends early");

    assert_eq!(err.kind(), ErrorKind::TruncatedPage);
    assert!(err.to_string().contains("listGroupDatabaseUsers"), "{err}");
    assert!(err.to_string().contains("page 1"), "{err}");
}

#[tokio::test]
async fn database_user_delete_escapes_the_username_and_surfaces_the_error_code() {
    let (base, server) = serve(|_, _| {
        json(
            StatusCode::NOT_FOUND,
            "",
            r#"{"error":404,"errorCode":"USERNAME_NOT_FOUND","reason":"Not Found",
                "detail":"No user with username arn:aws:iam::123456789012:role/reader exists.",
                "parameters":["arn:aws:iam::123456789012:role/reader"]}"#,
        )
    })
    .await;

    let err = api_key_client(&base)
        .delete_database_user(
            PROJECT_ID,
            "$external",
            "arn:aws:iam::123456789012:role/reader",
        )
        .await
        .expect_err("Atlas answers 404");

    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.error_code(), Some("USERNAME_NOT_FOUND"));
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "a 404 is not retried");
    assert_eq!(requests[0].method, Method::DELETE);
    assert_eq!(
        requests[0].target,
        format!(
            "/api/atlas/v2/groups/{PROJECT_ID}/databaseUsers/%24external/\
             arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Freader"
        )
    );
}

#[tokio::test]
async fn role_removal_is_not_retried_after_a_server_error() {
    let (base, server) = serve(|_, _| {
        json(
            StatusCode::INTERNAL_SERVER_ERROR,
            "",
            r#"{"error":500,"errorCode":"UNEXPECTED_ERROR","detail":"Unexpected error."}"#,
        )
    })
    .await;

    let err = api_key_client(&base)
        .remove_org_user_role(ORG_ID, "6b1b2c3d4e5f60718293a4b5", "ORG_BILLING_ADMIN")
        .await
        .expect_err("Atlas fails");

    assert_eq!(err.kind(), ErrorKind::ServerError);
    assert_eq!(err.error_code(), Some("UNEXPECTED_ERROR"));
    let requests = server.requests();
    assert_eq!(
        requests.len(),
        1,
        "a POST that may have reached Atlas is not repeated"
    );
    let sent = &requests[0];
    assert_eq!(
        sent.target,
        format!("/api/atlas/v2/orgs/{ORG_ID}/users/6b1b2c3d4e5f60718293a4b5:removeRole")
    );
    assert_eq!(
        sent.header(header::CONTENT_TYPE),
        "application/vnd.atlas.2025-02-19+json"
    );
    assert_eq!(&sent.body[..], br#"{"orgRole":"ORG_BILLING_ADMIN"}"#);
}

#[tokio::test]
async fn last_team_member_refusal_is_its_own_kind() {
    let (base, _server) = serve(|_, _| {
        json(
            StatusCode::BAD_REQUEST,
            "",
            r#"{"error":400,"errorCode":"CANNOT_REMOVE_LAST_USER_FROM_TEAM",
                "detail":"Cannot remove the last user from a team."}"#,
        )
    })
    .await;

    let err = api_key_client(&base)
        .remove_team_member(ORG_ID, PROJECT_ID, "6b1b2c3d4e5f60718293a4b5")
        .await
        .expect_err("Atlas refuses");

    assert_eq!(err.kind(), ErrorKind::LastTeamMember);
    assert!(err.kind().is_refusal());
}

#[tokio::test]
async fn custom_roles_arrive_as_a_bare_array() {
    let (base, server) = serve(|_, _| {
        json(
            StatusCode::OK,
            "2023-01-01",
            r#"[{"roleName":"orders-reader","actions":[{"action":"FIND",
                "resources":[{"cluster":false,"db":"sales","collection":"orders"}]}],
                "inheritedRoles":[]}]"#,
        )
    })
    .await;

    let roles = api_key_client(&base)
        .list_custom_db_roles(PROJECT_ID)
        .await
        .expect("a bare array");

    assert_eq!(roles.len(), 1);
    assert_eq!(roles[0].actions[0].action, "FIND");
    let requests = server.requests();
    assert_eq!(
        requests[0].target,
        format!("/api/atlas/v2/groups/{PROJECT_ID}/customDBRoles/roles"),
        "no paging parameters on this endpoint"
    );
}

/// Issues `t1`, `t2`, … with the given lifetime; answers API calls with the org.
fn token_server(
    lifetime_s: u64,
    first_token_rate_limited: bool,
) -> impl Fn(&Seen, usize) -> Response + Send + Sync + 'static {
    let issued = Arc::new(Mutex::new(0u32));
    move |seen, _| {
        if seen.target == "/api/oauth/token" {
            let mut issued = issued.lock().expect("not poisoned");
            if first_token_rate_limited && *issued == 0 {
                *issued += 1;
                let mut response = json(
                    StatusCode::TOO_MANY_REQUESTS,
                    "",
                    r#"{"error":429,"errorCode":"RATE_LIMITED","reason":"Too Many Requests",
                        "detail":"Resource /api/oauth/token is limited to 10 requests every 1 minutes.",
                        "parameters":["/api/oauth/token",10,1]}"#,
                );
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
                return response;
            }
            *issued += 1;
            let n = if first_token_rate_limited {
                *issued - 1
            } else {
                *issued
            };
            let body = format!(
                r#"{{"access_token":"t{n}","token_type":"Bearer","expires_in":{lifetime_s}}}"#
            );
            return (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                body,
            )
                .into_response();
        }
        json(StatusCode::OK, "2023-01-01", &org_body())
    }
}

fn bearer_tokens_used(requests: &[Seen]) -> Vec<String> {
    requests
        .iter()
        .filter(|r| r.target.starts_with("/api/atlas/v2"))
        .map(|r| r.header(header::AUTHORIZATION).to_owned())
        .collect()
}

#[tokio::test]
async fn service_account_token_is_cached_and_refreshed_before_expiry() {
    let (base, server) = serve(token_server(1, false)).await;
    let client = client_with(&base, service_account(), 500);

    client.get_org(ORG_ID).await.expect("first call");
    client.get_org(ORG_ID).await.expect("cached token");
    tokio::time::sleep(Duration::from_millis(900)).await;
    client.get_org(ORG_ID).await.expect("refreshed token");

    let requests = server.requests();
    let token_requests: Vec<&Seen> = requests
        .iter()
        .filter(|r| r.target == "/api/oauth/token")
        .collect();
    assert_eq!(token_requests.len(), 2, "one token, then one refresh");
    let token_request = token_requests[0];
    assert_eq!(token_request.method, Method::POST);
    assert!(
        token_request
            .header(header::AUTHORIZATION)
            .starts_with("Basic ")
    );
    assert_eq!(&token_request.body[..], b"grant_type=client_credentials");
    assert_eq!(
        bearer_tokens_used(&requests),
        ["Bearer t1", "Bearer t1", "Bearer t2"]
    );
}

#[tokio::test]
async fn token_endpoint_rate_limit_is_waited_out() {
    let (base, server) = serve(token_server(3600, true)).await;
    let client = client_with(&base, service_account(), 500);

    let started = Instant::now();
    client
        .get_org(ORG_ID)
        .await
        .expect("the second token request succeeds");

    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(bearer_tokens_used(&server.requests()), ["Bearer t1"]);
}

#[tokio::test]
async fn refused_token_is_replaced_once() {
    let tokens = token_server(3600, false);
    let (base, server) = serve(move |seen, n| {
        if seen.header(header::AUTHORIZATION) == "Bearer t1" {
            return json(
                StatusCode::UNAUTHORIZED,
                "",
                r#"{"error":401,"reason":"Unauthorized","detail":"You are not authorized for this resource."}"#,
            );
        }
        tokens(seen, n)
    })
    .await;
    let client = client_with(&base, service_account(), 500);

    client
        .get_org(ORG_ID)
        .await
        .expect("the second token works");

    assert_eq!(
        bearer_tokens_used(&server.requests()),
        ["Bearer t1", "Bearer t2"]
    );
}

const REALM: &str = "MMS Public API";
const NONCE: &str = "dcd98b7102dd2f0e8b11d0f600bfb0c093";

/// Whether `value` is a correct digest answer for `seen`, checked with the same crate the
/// client uses but from the server's side: recompute the response from the password.
fn digest_is_valid(seen: &Seen, value: &str) -> bool {
    let Ok(answer) = AuthorizationHeader::parse(value) else {
        return false;
    };
    if answer.username != PUBLIC_KEY || answer.nonce != NONCE || answer.uri != seen.target {
        return false;
    }
    let mut expected = answer.clone();
    let context = AuthContext::new_with_method(
        PUBLIC_KEY,
        PRIVATE_KEY,
        answer.uri.as_str(),
        Option::<&[u8]>::None,
        HttpMethod(seen.method.as_str().to_owned().into()),
    );
    expected.digest(&context);
    expected.response == answer.response
}

#[tokio::test]
async fn digest_challenge_is_answered_and_its_nonce_reused() {
    let (base, server) = serve(|seen, _| {
        let authorization = seen.header(header::AUTHORIZATION);
        if authorization.is_empty() || !digest_is_valid(seen, authorization) {
            let challenge = format!(r#"Digest realm="{REALM}", nonce="{NONCE}", qop="auth""#);
            let mut response = json(
                StatusCode::UNAUTHORIZED,
                "",
                r#"{"error":401,"errorCode":"UNAUTHORIZED","reason":"Unauthorized"}"#,
            );
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_str(&challenge).expect("a valid header"),
            );
            return response;
        }
        json(StatusCode::OK, "2023-01-01", &org_body())
    })
    .await;
    let client = api_key_client(&base);

    client.get_org(ORG_ID).await.expect("answered challenge");
    client.get_org(ORG_ID).await.expect("reused nonce");

    let requests = server.requests();
    assert_eq!(
        requests.len(),
        3,
        "one challenge, then two authorized requests"
    );
    assert!(requests[0].header(header::AUTHORIZATION).is_empty());
    assert!(
        requests[1]
            .header(header::AUTHORIZATION)
            .contains("nc=00000001")
    );
    assert!(
        requests[2]
            .header(header::AUTHORIZATION)
            .contains("nc=00000002")
    );
}

#[tokio::test]
async fn wrong_api_key_is_unauthorized_after_one_challenge() {
    let (base, server) = serve(|_, _| {
        let mut response = json(
            StatusCode::UNAUTHORIZED,
            "",
            r#"{"error":401,"errorCode":"UNAUTHORIZED","reason":"Unauthorized"}"#,
        );
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(r#"Digest realm="MMS Public API", nonce="abc", qop="auth""#),
        );
        response
    })
    .await;

    let err = api_key_client(&base)
        .get_org(ORG_ID)
        .await
        .expect_err("the key is refused");

    assert_eq!(err.kind(), ErrorKind::Unauthorized);
    assert_eq!(server.requests().len(), 2);
}
