//! `attest snapshot --org ID`: one snapshot of one Atlas organization from the command line,
//! with the Atlas connection taken from `ATLAS_*` environment variables and one progress line
//! per step on stderr.

use std::process::ExitCode;

use app::backend::atlas::{AtlasClient, AtlasConfig};
use app::backend::audit::Actor;
use app::backend::snapshot::{SnapshotRequest, SnapshotStatus, take_snapshot};

use crate::snapshots::source::atlas_env;

/// Runs one snapshot and prints its verdict; exit code 1 when the snapshot failed.
pub async fn run(database_url: &str, org_id: &str) -> ExitCode {
    let env = match atlas_env(|name| std::env::var(name).ok()) {
        Ok(env) => env,
        Err(message) => return super::fail(&message),
    };
    let client = match AtlasClient::new(
        AtlasConfig::new(env.credentials).with_base_url(env.base_url.clone()),
    ) {
        Ok(client) => client,
        Err(err) => return super::fail(&format!("ATLAS_BASE_URL: {err}")),
    };
    let pool = match crate::database::connect(database_url).await {
        Ok(pool) => pool,
        Err(err) => return super::fail(&format!("{err:#}")),
    };
    let progress = |step: &str| eprintln!("snapshot {org_id}: {step}");
    let request = SnapshotRequest {
        org_id,
        actor: Actor::System("cli"),
        credential_id: &env.credential_id,
    };
    match take_snapshot(&pool, &client, request, &progress).await {
        Ok(outcome) => match outcome.status {
            SnapshotStatus::Complete => {
                println!(
                    "snapshot {} complete: {} principals, {} entitlements, {} requests in {} ms \
                     (content sha256 {})",
                    outcome.id,
                    outcome.counts.principals,
                    outcome.counts.entitlements,
                    outcome.requests,
                    outcome.duration_ms,
                    outcome.content_sha256.as_deref().unwrap_or("-"),
                );
                ExitCode::SUCCESS
            }
            SnapshotStatus::Failed { error } => {
                println!("snapshot {} failed: {error}", outcome.id);
                ExitCode::FAILURE
            }
        },
        Err(err) => super::fail(&format!("snapshot not taken: {err}")),
    }
}
