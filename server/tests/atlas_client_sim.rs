//! The Atlas client against the Atlas simulator (not hand-written local servers): listings over
//! many pages, a 429 storm from the simulator's token bucket and 503s, 500s and 429s from fault
//! rules survived without a page lost or read twice, a token that expires mid-run, API-key digest auth, 500s
//! retried, and a 4xx that is not retried surfaced with its `errorCode`.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::backend::atlas::{
    AtlasClient, AtlasConfig, Credentials, ErrorKind, RequestRecord, RetryPolicy,
};
use attest_server::atlas_sim::seed::{DemoCredentials, OrgSize};
use attest_server::atlas_sim::{FaultAction, FaultRule, RateLimitRule, SimServer, SimState, spawn};

/// What the request log saw: (operation, page, status) per attempt.
type Seen = Arc<Mutex<Vec<(String, Option<u32>, Option<u16>)>>>;

struct Sim {
    server: SimServer,
    creds: DemoCredentials,
}

async fn start() -> Sim {
    let demo = OrgSize::Demo.build(11);
    let creds = demo.credentials.clone();
    let server = spawn(SimState::new(demo.world), "127.0.0.1:0")
        .await
        .expect("bind a local port");
    Sim { server, creds }
}

impl Sim {
    fn client(
        &self,
        credentials: Credentials,
        items_per_page: u32,
        attempts: u32,
    ) -> (AtlasClient, Seen) {
        let mut config = AtlasConfig::new(credentials).with_base_url(self.server.base_url());
        config.rate_limit = None;
        config.items_per_page = items_per_page;
        config.retry = RetryPolicy {
            max_attempts: attempts,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(40),
            max_retry_after: Duration::from_secs(3),
        };
        let seen: Seen = Arc::default();
        let log = Arc::clone(&seen);
        let client = AtlasClient::new(config)
            .expect("a valid client configuration")
            .with_request_log(Arc::new(move |r: &RequestRecord| {
                log.lock()
                    .expect("log lock")
                    .push((r.operation.to_owned(), r.page, r.status));
            }));
        (client, seen)
    }

    fn service_account(&self) -> Credentials {
        Credentials::ServiceAccount {
            client_id: self.creds.client_id.clone(),
            client_secret: self.creds.client_secret.clone().into(),
        }
    }

    async fn org_user_count(&self) -> usize {
        let world = self.server.state.read().await;
        world
            .users
            .values()
            .filter(|u| u.org_id == self.creds.org_id)
            .count()
    }
}

fn statuses(seen: &Seen, operation: &str) -> Vec<Option<u16>> {
    seen.lock()
        .expect("log lock")
        .iter()
        .filter(|(op, _, _)| op == operation)
        .map(|(_, _, status)| *status)
        .collect()
}

/// Pages answered 200, in request order.
fn pages_ok(seen: &Seen, operation: &str) -> Vec<u32> {
    seen.lock()
        .expect("log lock")
        .iter()
        .filter(|(op, _, status)| op == operation && *status == Some(200))
        .filter_map(|(_, page, _)| *page)
        .collect()
}

#[tokio::test]
async fn listings_span_many_pages_and_every_item_arrives_once() {
    let sim = start().await;
    let (client, seen) = sim.client(sim.service_account(), 4, 2);
    let users = client
        .list_org_users(&sim.creds.org_id)
        .await
        .expect("org users");
    let expected = sim.org_user_count().await;
    let ids: BTreeSet<&str> = users.items.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(users.items.len(), expected);
    assert_eq!(ids.len(), expected, "no user read twice");
    assert_eq!(users.reported_total, Some(expected as u64));
    let pages = pages_ok(&seen, "listOrgUsers");
    assert_eq!(pages, (1..=users.pages).collect::<Vec<_>>());
    assert!(users.pages > 5, "{} pages", users.pages);

    let project = client
        .list_projects(&sim.creds.org_id)
        .await
        .expect("projects")
        .items
        .into_iter()
        .next()
        .expect("a project");
    let db_users = client
        .list_database_users(&project.id)
        .await
        .expect("database users");
    let world = sim.server.state.read().await;
    let in_world = world
        .db_users
        .keys()
        .filter(|(group, _, _)| *group == project.id)
        .count();
    assert_eq!(db_users.items.len(), in_world);
    assert!(db_users.pages > 1);
}

#[tokio::test]
async fn a_token_bucket_429_storm_loses_and_repeats_no_page() {
    let sim = start().await;
    // Two requests back to back, then twenty a second; every second refusal has no
    // Retry-After, so the client must fall back on its own backoff.
    sim.server.state.rate_limits().set(vec![
        RateLimitRule::per_second("orgUsers", &["/api/atlas/v2/orgs/*/users"], 2, 20)
            .omit_retry_after_every(2),
    ]);
    let (client, seen) = sim.client(sim.service_account(), 5, 30);
    let users = client
        .list_org_users(&sim.creds.org_id)
        .await
        .expect("the listing survives the storm");
    let expected = sim.org_user_count().await;
    let ids: BTreeSet<&str> = users.items.iter().map(|u| u.id.as_str()).collect();
    assert_eq!((users.items.len(), ids.len()), (expected, expected));
    let refused = statuses(&seen, "listOrgUsers")
        .iter()
        .filter(|s| **s == Some(429))
        .count();
    assert!(refused >= 2, "the bucket refused {refused} requests");
    assert_eq!(
        pages_ok(&seen, "listOrgUsers"),
        (1..=users.pages).collect::<Vec<_>>(),
        "each page read exactly once"
    );
    let stats = sim.server.state.rate_limits().stats();
    assert_eq!(stats[0].refused as usize, refused);
}

#[tokio::test]
async fn injected_503s_429s_and_500s_on_listing_pages_are_retried() {
    let sim = start().await;
    let path = format!("/api/atlas/v2/orgs/{}/users", sim.creds.org_id);
    let faults = sim.server.state.faults();
    // Every second request 503 without Retry-After, the third 500, the fifth 429 with one.
    let mut unavailable = FaultRule::new(
        &path,
        FaultAction::Unavailable {
            retry_after_secs: None,
        },
    );
    unavailable.every = Some(2);
    faults.add(unavailable);
    faults.add(FaultRule::new(&path, FaultAction::ServerError).nth(3));
    faults.add(
        FaultRule::new(
            &path,
            FaultAction::RateLimited {
                retry_after_secs: Some(1),
            },
        )
        .nth(5),
    );
    let (client, seen) = sim.client(sim.service_account(), 6, 6);
    let users = client
        .list_org_users(&sim.creds.org_id)
        .await
        .expect("retried to the end");
    let expected = sim.org_user_count().await;
    let ids: BTreeSet<&str> = users.items.iter().map(|u| u.id.as_str()).collect();
    assert_eq!((users.items.len(), ids.len()), (expected, expected));
    let all = statuses(&seen, "listOrgUsers");
    for status in [429, 500, 503] {
        assert!(all.contains(&Some(status)), "{status} in {all:?}");
    }
    assert_eq!(
        pages_ok(&seen, "listOrgUsers"),
        (1..=users.pages).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn a_token_that_expires_mid_run_is_replaced() {
    let sim = start().await;
    let (client, seen) = sim.client(sim.service_account(), 500, 3);
    client.get_org(&sim.creds.org_id).await.expect("first call");
    // The simulator's clock passes the token's expiry; the client's cache still holds it.
    sim.server
        .state
        .advance_clock(chrono::Duration::hours(2))
        .await;
    client
        .list_projects(&sim.creds.org_id)
        .await
        .expect("a fresh token is fetched");
    assert_eq!(statuses(&seen, "getOrgGroups"), vec![Some(401), Some(200)]);
}

#[tokio::test]
async fn api_keys_authenticate_with_digest_and_a_wrong_key_is_refused() {
    let sim = start().await;
    let (client, _) = sim.client(
        Credentials::ApiKey {
            public_key: sim.creds.api_public_key.clone(),
            private_key: sim.creds.api_private_key.clone().into(),
        },
        500,
        2,
    );
    let projects = client
        .list_projects(&sim.creds.org_id)
        .await
        .expect("digest-authenticated listing");
    assert!(!projects.items.is_empty());
    let (wrong, _) = sim.client(
        Credentials::ApiKey {
            public_key: sim.creds.api_public_key.clone(),
            private_key: "00000000-0000-0000-0000-000000000000".to_owned().into(),
        },
        500,
        2,
    );
    let err = wrong
        .list_projects(&sim.creds.org_id)
        .await
        .expect_err("a wrong private key");
    assert_eq!(err.kind(), ErrorKind::Unauthorized);
}

#[tokio::test]
async fn a_missing_database_user_is_not_retried_and_carries_its_error_code() {
    let sim = start().await;
    let (client, seen) = sim.client(sim.service_account(), 500, 5);
    let project = client
        .list_projects(&sim.creds.org_id)
        .await
        .expect("projects")
        .items
        .into_iter()
        .next()
        .expect("a project");
    let err = client
        .delete_database_user(&project.id, "admin", "nobody-by-this-name")
        .await
        .expect_err("no such user");
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.error_code(), Some("USERNAME_NOT_FOUND"));
    assert_eq!(err.status(), Some(404));
    assert_eq!(statuses(&seen, "deleteGroupDatabaseUser"), vec![Some(404)]);
}
