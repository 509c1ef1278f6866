//! `attest snapshot --org ID`: one snapshot of one Atlas organization from the command line,
//! with the Atlas connection taken from `ATLAS_*` environment variables. Progress goes to
//! stderr: a live progress line on a terminal, one plain line per step otherwise (logs, CI).

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

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
    let bar = std::io::stderr()
        .is_terminal()
        .then(|| progress_bar(org_id));
    let progress = |step: &str| match &bar {
        Some(bar) => bar.set_message(step.to_owned()),
        None => eprintln!("snapshot {org_id}: {step}"),
    };
    let request = SnapshotRequest {
        org_id,
        actor: Actor::System("cli"),
        credential_id: &env.credential_id,
    };
    let taken = take_snapshot(&pool, &client, request, &progress).await;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    match taken {
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

/// A spinner with the elapsed time and the current step, redrawn on its own.
fn progress_bar(org_id: &str) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    if let Ok(style) = ProgressStyle::with_template("{spinner} [{elapsed_precise}] {prefix}: {msg}")
    {
        bar.set_style(style);
    }
    bar.set_prefix(format!("snapshot {org_id}"));
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}
