//! Running remediation workers: inside `attest serve` / `attest demo`, and on their own as
//! `attest remediate` (several processes or replicas may run at once; jobs are claimed with
//! `FOR UPDATE SKIP LOCKED`, so none is pushed twice).

use std::num::NonZeroU32;
use std::process::ExitCode;
use std::time::Duration;

use app::backend::atlas::{
    AtlasClient, AtlasConfig, AtlasError, Credentials, RateLimit, RetryPolicy,
};
use app::backend::remediation::{Worker, WorkerSettings};
use sqlx::PgPool;

/// Requests per second a worker allows itself against Atlas unless told otherwise.
pub const DEFAULT_PER_SECOND: u32 = 10;

/// An Atlas client for workers: few in-call retries and short waits, because the durable
/// queue reschedules the job itself (honouring `Retry-After`) and a worker must finish well
/// within its lease. `per_second` paces requests; 0 sends as fast as Atlas answers.
pub fn worker_client(
    base_url: &str,
    credentials: Credentials,
    per_second: u32,
) -> Result<AtlasClient, AtlasError> {
    let mut config = AtlasConfig::new(credentials).with_base_url(base_url);
    config.retry = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(250),
        max_delay: Duration::from_secs(5),
        max_retry_after: Duration::from_secs(10),
    };
    config.request_timeout = Duration::from_secs(30);
    config.rate_limit = NonZeroU32::new(per_second).map(RateLimit::per_second);
    AtlasClient::new(config)
}

/// Starts a worker in the background of the serving process.
pub fn spawn(pool: PgPool, client: AtlasClient) {
    let worker = Worker {
        pool,
        client,
        settings: WorkerSettings {
            name: format!("serve-{}", std::process::id()),
            ..WorkerSettings::default()
        },
    };
    tokio::spawn(worker.run_until(std::future::pending()));
}

/// `attest remediate`: one worker in the foreground until Ctrl-C or SIGTERM.
pub async fn run_cli(database_url: &str, batch: i64, per_second: u32, lease: Duration) -> ExitCode {
    let env = match crate::cli::atlas_env_from_process() {
        Ok(env) => env,
        Err(message) => return crate::cli::fail(&message),
    };
    let client = match worker_client(&env.base_url, env.credentials, per_second) {
        Ok(client) => client,
        Err(err) => return crate::cli::fail(&format!("ATLAS_BASE_URL: {err}")),
    };
    let pool = match crate::database::connect(database_url).await {
        Ok(pool) => pool,
        Err(err) => return crate::cli::fail(&format!("{err:#}")),
    };
    let worker = Worker {
        pool,
        client,
        settings: WorkerSettings {
            name: format!("remediate-{}", std::process::id()),
            batch: batch.max(1),
            lease,
            ..WorkerSettings::default()
        },
    };
    worker.run_until(crate::serve::shutdown_signal()).await;
    ExitCode::SUCCESS
}
