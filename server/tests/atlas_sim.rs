//! The Atlas simulator over real HTTP: token exchange, versioned media types, pagination,
//! Atlas error bodies, refusals, removals seen by later reads, injected faults and token-bucket
//! rate limits.

use attest_server::atlas_sim::seed::DemoOrg;
use attest_server::atlas_sim::{FaultAction, FaultRule, SimServer, SimState, spawn};
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};

const V2023: &str = "application/vnd.atlas.2023-01-01+json";
const V2025: &str = "application/vnd.atlas.2025-02-19+json";

struct Sim {
    server: SimServer,
    http: Client,
    token: String,
    org_id: String,
    client: (String, String),
}

async fn start() -> Sim {
    let demo = DemoOrg::build(7);
    let creds = demo.credentials.clone();
    let server = spawn(SimState::new(demo.world), "127.0.0.1:0")
        .await
        .expect("bind a local port");
    let http = Client::new();
    let response = http
        .post(format!("{}/api/oauth/token", server.base_url()))
        .basic_auth(&creds.client_id, Some(&creds.client_secret))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .expect("token request");
    assert_eq!(response.status(), StatusCode::OK);
    let body = json_of(response).await;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    let token = body["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned();
    let client = (creds.client_id, creds.client_secret);
    Sim {
        server,
        http,
        token,
        org_id: creds.org_id,
        client,
    }
}

async fn json_of(response: Response) -> Value {
    let text = response.text().await.expect("body");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

impl Sim {
    fn url(&self, path: &str) -> String {
        format!("{}/api/atlas/v2{path}", self.server.base_url())
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        accept: &str,
        body: Option<Value>,
    ) -> Response {
        let mut request = self
            .http
            .request(method, self.url(path))
            .bearer_auth(&self.token)
            .header("Accept", accept);
        if let Some(body) = body {
            request = request
                .header("Content-Type", accept)
                .body(body.to_string());
        }
        request.send().await.expect("request")
    }

    async fn get(&self, path: &str, accept: &str) -> Response {
        self.send(reqwest::Method::GET, path, accept, None).await
    }

    async fn new_token(&mut self) {
        let response = self
            .http
            .post(format!("{}/api/oauth/token", self.server.base_url()))
            .basic_auth(&self.client.0, Some(&self.client.1))
            .body("grant_type=client_credentials")
            .send()
            .await
            .expect("token request");
        self.token = json_of(response).await["access_token"]
            .as_str()
            .expect("token")
            .to_owned();
    }

    async fn first_project(&self) -> String {
        let body = json_of(
            self.get(&format!("/orgs/{}/groups", self.org_id), V2023)
                .await,
        )
        .await;
        body["results"][0]["id"]
            .as_str()
            .expect("a project")
            .to_owned()
    }
}

fn assert_atlas_error(body: &Value, status: u16, code: &str) {
    assert_eq!(body["error"], status, "{body}");
    assert_eq!(body["errorCode"], code, "{body}");
    assert!(
        body["detail"].is_string() && body["reason"].is_string() && body["parameters"].is_array(),
        "{body}"
    );
}

#[tokio::test]
async fn pagination_walk_reaches_every_database_user_once_and_matches_total_count() {
    let sim = start().await;
    let group = sim.first_project().await;
    let mut seen = Vec::new();
    let mut total = None;
    for page in 1.. {
        let response = sim
            .get(
                &format!("/groups/{group}/databaseUsers?itemsPerPage=3&pageNum={page}"),
                V2023,
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], V2023);
        let body = json_of(response).await;
        total = body["totalCount"].as_u64();
        let results = body["results"].as_array().expect("results").clone();
        let rels: Vec<&str> = body["links"]
            .as_array()
            .expect("links")
            .iter()
            .filter_map(|l| l["rel"].as_str())
            .collect();
        assert!(rels.contains(&"self"));
        if results.is_empty() {
            assert!(!rels.contains(&"next"));
            break;
        }
        seen.extend(
            results
                .iter()
                .map(|u| format!("{}/{}", u["databaseName"], u["username"])),
        );
    }
    let unique: std::collections::BTreeSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no duplicates across pages");
    assert_eq!(Some(seen.len() as u64), total);
    assert!(seen.len() > 3, "more than one page");

    let body = json_of(
        sim.get(
            &format!("/groups/{group}/databaseUsers?includeCount=false"),
            V2023,
        )
        .await,
    )
    .await;
    assert!(body.get("totalCount").is_none());
    let response = sim
        .get(
            &format!("/groups/{group}/databaseUsers?itemsPerPage=501"),
            V2023,
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_atlas_error(&json_of(response).await, 400, "VALIDATION_ERROR");
}

#[tokio::test]
async fn media_type_must_name_one_of_the_endpoints_versions() {
    let mut sim = start().await;
    let path = format!("/orgs/{}/users", sim.org_id);
    for accept in ["application/json", "application/vnd.atlas.2024-08-05+json"] {
        let response = sim.get(&path, accept).await;
        assert_eq!(response.status(), StatusCode::NOT_ACCEPTABLE, "{accept}");
        assert_eq!(response.headers()["content-type"], "application/json");
        let body = json_of(response).await;
        assert_eq!(body["error"], 406);
    }
    let old = json_of(sim.get(&path, V2023).await).await;
    assert!(
        old["results"][0]["roles"].is_array(),
        "2023-01-01 has a flat role list"
    );
    let new = json_of(sim.get(&path, V2025).await).await;
    assert!(
        new["results"][0]["roles"]["orgRoles"].is_array(),
        "2025-02-19 has orgRoles"
    );

    // 2023-01-01 of this endpoint sunsets on 2027-07-01; move the clock just past it.
    let sunset = chrono::NaiveDate::from_ymd_opt(2027, 7, 2)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("date")
        .and_utc();
    let now = sim.server.state.now().await;
    sim.server
        .state
        .advance_clock((sunset - now).max(chrono::Duration::zero()))
        .await;
    sim.new_token().await;
    let gone = sim.get(&path, V2023).await;
    assert_eq!(gone.status(), StatusCode::GONE);
    assert_atlas_error(&json_of(gone).await, 410, "VERSION_GONE");
}

#[tokio::test]
async fn missing_or_bad_credentials_get_401_with_an_atlas_body() {
    let sim = start().await;
    let url = sim.url(&format!("/orgs/{}", sim.org_id));
    let anonymous = sim
        .http
        .get(&url)
        .header("Accept", V2023)
        .send()
        .await
        .expect("request");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert!(
        anonymous.headers()["www-authenticate"]
            .to_str()
            .unwrap_or("")
            .starts_with("Digest ")
    );
    assert_atlas_error(&json_of(anonymous).await, 401, "USER_UNAUTHORIZED");
    let forged = sim
        .http
        .get(&url)
        .bearer_auth("not-a-token")
        .header("Accept", V2023)
        .send()
        .await
        .expect("request");
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);

    let bad_secret = sim
        .http
        .post(format!("{}/api/oauth/token", sim.server.base_url()))
        .basic_auth("mdb_sa_id_000000000000000000000000", Some("wrong"))
        .body("grant_type=client_credentials")
        .send()
        .await
        .expect("request");
    assert_eq!(bad_secret.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(json_of(bad_secret).await["error"], "invalid_client");

    sim.server
        .state
        .advance_clock(chrono::Duration::seconds(3601))
        .await;
    let expired = sim.get(&format!("/orgs/{}", sim.org_id), V2023).await;
    assert_eq!(expired.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_last_org_owner_cannot_be_removed_or_demoted() {
    let sim = start().await;
    let users = json_of(
        sim.get(
            &format!("/orgs/{}/users?itemsPerPage=500", sim.org_id),
            V2025,
        )
        .await,
    )
    .await;
    let owners: Vec<String> = users["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|u| {
            u["orgMembershipStatus"] == "ACTIVE"
                && u["roles"]["orgRoles"]
                    .as_array()
                    .is_some_and(|r| r.contains(&json!("ORG_OWNER")))
        })
        .filter_map(|u| u["id"].as_str().map(str::to_owned))
        .collect();
    assert!(owners.len() >= 2);
    let (last, others) = owners.split_last().expect("owners");
    for id in others {
        let removed = sim
            .send(
                reqwest::Method::DELETE,
                &format!("/orgs/{}/users/{id}", sim.org_id),
                V2025,
                None,
            )
            .await;
        assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    }
    let refused = sim
        .send(
            reqwest::Method::DELETE,
            &format!("/orgs/{}/users/{last}", sim.org_id),
            V2025,
            None,
        )
        .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert_atlas_error(&json_of(refused).await, 400, "SIM_LAST_ORG_OWNER");
    let demote = sim
        .send(
            reqwest::Method::POST,
            &format!("/orgs/{}/users/{last}:removeRole", sim.org_id),
            V2025,
            Some(json!({ "orgRole": "ORG_OWNER" })),
        )
        .await;
    assert_eq!(demote.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn removed_project_user_and_database_user_are_gone_on_reread() {
    let sim = start().await;
    let group = sim.first_project().await;
    let members = json_of(sim.get(&format!("/groups/{group}/users"), V2025).await).await;
    let user_id = members["results"][0]["id"]
        .as_str()
        .expect("a member")
        .to_owned();
    let path = format!("/groups/{group}/users/{user_id}");
    assert_eq!(sim.get(&path, V2025).await.status(), StatusCode::OK);
    let removed = sim.send(reqwest::Method::DELETE, &path, V2025, None).await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    assert_eq!(sim.get(&path, V2025).await.status(), StatusCode::NOT_FOUND);
    let again = sim.send(reqwest::Method::DELETE, &path, V2025, None).await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    let events = json_of(
        sim.get(
            &format!("/groups/{group}/events?eventType=REMOVED_FROM_GROUP"),
            V2023,
        )
        .await,
    )
    .await;
    assert_eq!(events["results"].as_array().map(Vec::len), Some(1));

    // A username with a slash, percent-encoded in the path as the SDK does.
    let iam = "arn:aws:iam::123456789012:role/payments-prod-lambda";
    let escaped = iam.replace(':', "%3A").replace('/', "%2F");
    let db_path = format!("/groups/{group}/databaseUsers/$external/{escaped}");
    assert_eq!(sim.get(&db_path, V2023).await.status(), StatusCode::OK);
    assert_eq!(
        sim.send(reqwest::Method::DELETE, &db_path, V2023, None)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let missing = sim.get(&db_path, V2023).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_atlas_error(&json_of(missing).await, 404, "USERNAME_NOT_FOUND");
}

#[tokio::test]
async fn removing_the_last_project_role_is_refused_with_409() {
    let sim = start().await;
    let group = sim.first_project().await;
    let members = json_of(sim.get(&format!("/groups/{group}/users"), V2025).await).await;
    let single = members["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|u| u["roles"].as_array().is_some_and(|r| r.len() == 1))
        .expect("a member with one role")
        .clone();
    let path = format!(
        "/groups/{group}/users/{}:removeRole",
        single["id"].as_str().unwrap_or_default()
    );
    let refused = sim
        .send(
            reqwest::Method::POST,
            &path,
            V2025,
            Some(json!({ "groupRole": single["roles"][0] })),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let added = sim
        .send(
            reqwest::Method::POST,
            &path.replace(":removeRole", ":addRole"),
            V2025,
            Some(json!({ "groupRole": "GROUP_SEARCH_INDEX_EDITOR" })),
        )
        .await;
    assert_eq!(added.status(), StatusCode::OK);
    let removed = sim
        .send(
            reqwest::Method::POST,
            &path,
            V2025,
            Some(json!({ "groupRole": single["roles"][0] })),
        )
        .await;
    assert_eq!(removed.status(), StatusCode::OK);
    assert_eq!(
        json_of(removed).await["roles"],
        json!(["GROUP_SEARCH_INDEX_EDITOR"])
    );
}

#[tokio::test]
async fn injected_429_carries_retry_after_or_not_and_nth_request_fails() {
    let sim = start().await;
    let path = format!("/orgs/{}/groups", sim.org_id);
    sim.server.state.faults().add(
        FaultRule::new(
            "/api/atlas/v2/orgs/*/groups",
            FaultAction::RateLimited {
                retry_after_secs: Some(7),
            },
        )
        .times(1),
    );
    let limited = sim.get(&path, V2023).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.headers()["retry-after"], "7");
    assert_atlas_error(&json_of(limited).await, 429, "RATE_LIMITED_TOKEN_BUCKET");
    assert_eq!(
        sim.get(&path, V2023).await.status(),
        StatusCode::OK,
        "fires once"
    );

    sim.server.state.faults().clear();
    sim.server.state.faults().add(
        FaultRule::new(
            "*/groups",
            FaultAction::RateLimited {
                retry_after_secs: None,
            },
        )
        .times(1),
    );
    let bare = sim.get(&path, V2023).await;
    assert_eq!(bare.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(bare.headers().get("retry-after").is_none());

    sim.server.state.faults().clear();
    sim.server.state.faults().add(
        FaultRule::new(
            "*/groups",
            FaultAction::Unavailable {
                retry_after_secs: Some(1),
            },
        )
        .nth(2),
    );
    assert_eq!(sim.get(&path, V2023).await.status(), StatusCode::OK);
    assert_eq!(
        sim.get(&path, V2023).await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(sim.get(&path, V2023).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn truncated_and_dropped_bodies_do_not_parse() {
    let sim = start().await;
    let path = format!("/orgs/{}/groups", sim.org_id);
    sim.server
        .state
        .faults()
        .add(FaultRule::new("*/groups", FaultAction::Truncate).times(1));
    let truncated = sim.get(&path, V2023).await;
    assert_eq!(truncated.status(), StatusCode::OK);
    let text = truncated.text().await.expect("a complete, short body");
    assert!(serde_json::from_str::<Value>(&text).is_err());

    sim.server
        .state
        .faults()
        .add(FaultRule::new("*/groups", FaultAction::Drop).times(1));
    let attempt = sim
        .http
        .get(sim.url(&path))
        .bearer_auth(&sim.token)
        .header("Accept", V2023)
        .send()
        .await;
    // The connection breaks mid-body; the client sees it on the headers or on the body.
    let broken = match attempt {
        Err(_) => true,
        Ok(response) => response
            .text()
            .await
            .map_or(true, |t| serde_json::from_str::<Value>(&t).is_err()),
    };
    assert!(broken);
}

#[tokio::test]
async fn faults_can_be_set_over_http() {
    let sim = start().await;
    let admin = format!("{}/__sim/faults", sim.server.base_url());
    let rule = json!({ "path": "*/teams", "action": { "kind": "serverError" }, "times": 1 });
    let added = sim
        .http
        .post(&admin)
        .header("Content-Type", "application/json")
        .body(rule.to_string())
        .send()
        .await
        .expect("request");
    assert_eq!(added.status(), StatusCode::OK);
    let failed = sim.get(&format!("/orgs/{}/teams", sim.org_id), V2023).await;
    assert_eq!(failed.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_atlas_error(&json_of(failed).await, 500, "UNEXPECTED_ERROR");
    assert_eq!(
        sim.get(&format!("/orgs/{}/teams", sim.org_id), V2023)
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn token_bucket_refuses_with_atlas_body_per_project_and_is_set_over_http() {
    let sim = start().await;
    let project = sim.first_project().await;
    // One request per project per minute; every second refusal leaves Retry-After out.
    let rules = json!([{
        "name": "databaseUsers",
        "paths": ["/api/atlas/v2/groups/*/databaseUsers"],
        "capacity": 1,
        "refill": 1,
        "perSecs": 60,
        "perResource": true,
        "omitRetryAfterEvery": 2
    }]);
    let admin = format!("{}/__sim/rate-limits", sim.server.base_url());
    let set = sim
        .http
        .put(&admin)
        .header("Content-Type", "application/json")
        .body(rules.to_string())
        .send()
        .await
        .expect("request");
    assert_eq!(set.status(), StatusCode::NO_CONTENT);
    let path = format!("/groups/{project}/databaseUsers");
    assert_eq!(sim.get(&path, V2023).await.status(), StatusCode::OK);
    let refused = sim.get(&path, V2023).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.headers()["retry-after"], "60");
    let body = json_of(refused).await;
    assert_atlas_error(&body, 429, "RATE_LIMITED_TOKEN_BUCKET");
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("Request capacity: 1. Refill rate: 1 per 60 seconds.")),
        "{body}"
    );
    let bare = sim.get(&path, V2023).await;
    assert_eq!(bare.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(bare.headers().get("retry-after").is_none());
    // Other endpoint sets are not limited.
    assert_eq!(
        sim.get(&format!("/groups/{project}/teams"), V2023)
            .await
            .status(),
        StatusCode::OK
    );
    let listed = json_of(sim.http.get(&admin).send().await.expect("request")).await;
    assert_eq!(listed["stats"][0]["allowed"], 1, "{listed}");
    assert_eq!(listed["stats"][0]["refused"], 2, "{listed}");
    let cleared = sim.http.delete(&admin).send().await.expect("request");
    assert_eq!(cleared.status(), StatusCode::NO_CONTENT);
    assert_eq!(sim.get(&path, V2023).await.status(), StatusCode::OK);
}
