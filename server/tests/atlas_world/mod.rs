//! The Atlas simulator's demo org behind a real Atlas client, for tests that take snapshots.
#![allow(
    dead_code,
    reason = "each test binary uses a different subset of these helpers"
)]

use std::time::Duration;

use app::backend::atlas::{AtlasClient, AtlasConfig, Credentials, RetryPolicy};
use app::backend::audit::Actor;
use app::backend::snapshot::{SnapshotOutcome, SnapshotRequest, take_snapshot};
use attest_server::atlas_sim::seed::DemoOrg;
use attest_server::atlas_sim::{SimServer, SimState, spawn};
use sqlx::PgPool;

/// A running simulator with a client signed in as its demo service account.
pub struct Sim {
    pub server: SimServer,
    pub client: AtlasClient,
    pub org_id: String,
    pub client_id: String,
}

/// Starts the simulator with the demo org of `seed`.
pub async fn start_sim(seed: u64) -> Sim {
    let demo = DemoOrg::build(seed);
    let creds = demo.credentials.clone();
    let server = spawn(SimState::new(demo.world), "127.0.0.1:0")
        .await
        .expect("bind a local port");
    let mut config = AtlasConfig::new(Credentials::ServiceAccount {
        client_id: creds.client_id.clone(),
        client_secret: creds.client_secret.clone().into(),
    })
    .with_base_url(server.base_url());
    config.rate_limit = None;
    config.retry = RetryPolicy {
        max_attempts: 2,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        max_retry_after: Duration::from_secs(1),
    };
    let client = AtlasClient::new(config).expect("a valid client configuration");
    Sim {
        server,
        client,
        org_id: creds.org_id,
        client_id: creds.client_id,
    }
}

/// Takes one snapshot of the simulator's org as the test system actor.
pub async fn snapshot(pool: &PgPool, sim: &Sim) -> SnapshotOutcome {
    take_snapshot(
        pool,
        &sim.client,
        SnapshotRequest {
            org_id: &sim.org_id,
            actor: Actor::System("test"),
            credential_id: &sim.client_id,
        },
        &|_: &str| {},
    )
    .await
    .expect("the snapshot is recorded")
}
