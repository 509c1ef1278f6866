//! Running remediation workers: inside `attest serve` / `attest demo`, and on their own as
//! `attest remediate` (several processes or replicas may run at once; jobs are claimed with
//! `FOR UPDATE SKIP LOCKED`, so none is pushed twice).
//!
//! Every job of a process shares one Atlas client, so the change rate set here is the whole
//! process's budget for POST, PATCH and DELETE requests. Replicas do not coordinate: each
//! needs its own share of the org's budget.

use std::num::NonZeroU32;
use std::process::ExitCode;
use std::time::Duration;

use app::backend::atlas::{
    AtlasClient, AtlasConfig, AtlasError, ChangeRate, Credentials, RateLimit, RetryPolicy,
};
use app::backend::remediation::{Worker, WorkerSettings};
use clap::Args;
use sqlx::PgPool;

/// Requests per second a worker allows itself against Atlas unless told otherwise.
pub const DEFAULT_PER_SECOND: u32 = 10;

/// Changes per second a process allows itself unless told otherwise.
// Limitation: Atlas publishes no default budgets for its change endpoints; two a second is a
// guess that stays inside the budgets seen in practice. Read the org's own from
// `GET /rateLimits` and set it.
pub const DEFAULT_CHANGE_RATE: f64 = 2.0;

/// Changes that may go out back to back unless told otherwise.
pub const DEFAULT_CHANGE_BURST: u32 = 2;

/// How fast the remediation workers of this process change Atlas.
#[derive(Debug, Clone, Args)]
pub struct ChangeRateArgs {
    /// Atlas changes (POST, PATCH, DELETE) per second this process allows itself, shared by
    /// all its jobs; fractions are allowed, 0 paces changes like reads. With several
    /// replicas, give each the org's budget divided by the number of replicas.
    #[arg(
        long,
        env = "ATTEST_REMEDIATION_CHANGE_RATE",
        default_value_t = DEFAULT_CHANGE_RATE
    )]
    pub change_rate: f64,
    /// Changes that may go out back to back after a quiet period; keep it well below the
    /// bucket capacity Atlas reports for the endpoint.
    #[arg(
        long,
        env = "ATTEST_REMEDIATION_CHANGE_BURST",
        default_value_t = DEFAULT_CHANGE_BURST
    )]
    pub change_burst: u32,
}

impl Default for ChangeRateArgs {
    /// The same values as the command-line defaults.
    fn default() -> Self {
        Self {
            change_rate: DEFAULT_CHANGE_RATE,
            change_burst: DEFAULT_CHANGE_BURST,
        }
    }
}

impl ChangeRateArgs {
    /// The change rate, or `None` for 0 (changes paced like reads); the error is one line
    /// naming the variable.
    pub fn validate(&self) -> Result<Option<ChangeRate>, String> {
        if self.change_rate == 0.0 {
            return Ok(None);
        }
        let burst = NonZeroU32::new(self.change_burst).ok_or_else(|| {
            "ATTEST_REMEDIATION_CHANGE_BURST (--change-burst): must be at least 1".to_owned()
        })?;
        ChangeRate::new(self.change_rate, burst)
            .map(Some)
            .ok_or_else(|| {
                format!(
                    "ATTEST_REMEDIATION_CHANGE_RATE (--change-rate): '{}' is not a number of \
                 changes per second between 0 and {}",
                    self.change_rate,
                    ChangeRate::MAX_PER_SECOND
                )
            })
    }
}

/// An Atlas client for workers: few in-call retries and short waits, because the durable
/// queue reschedules the job itself (honouring `Retry-After`) and a worker must finish well
/// within its lease. `per_second` paces all requests (0 sends as fast as Atlas answers);
/// `change_rate`, when given, paces the state-changing ones further.
pub fn worker_client(
    base_url: &str,
    credentials: Credentials,
    per_second: u32,
    change_rate: Option<ChangeRate>,
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
    config.change_rate = change_rate;
    AtlasClient::new(config)
}

/// Starts a worker in the background of the serving process.
pub fn spawn(pool: PgPool, client: AtlasClient, change_rate: Option<ChangeRate>) {
    let settings = WorkerSettings {
        name: format!("serve-{}", std::process::id()),
        ..WorkerSettings::default()
    };
    warn_if_lease_is_short(&settings, change_rate);
    let worker = Worker {
        pool,
        client,
        settings,
    };
    tokio::spawn(worker.run_until(std::future::pending()));
}

/// `attest remediate`: one worker in the foreground until Ctrl-C or SIGTERM.
pub async fn run_cli(
    database_url: &str,
    concurrency: usize,
    per_second: u32,
    change_rate: &ChangeRateArgs,
    lease: Duration,
) -> ExitCode {
    let change_rate = match change_rate.validate() {
        Ok(rate) => rate,
        Err(message) => return crate::cli::fail(&message),
    };
    let env = match crate::cli::atlas_env_from_process() {
        Ok(env) => env,
        Err(message) => return crate::cli::fail(&message),
    };
    let client = match worker_client(&env.base_url, env.credentials, per_second, change_rate) {
        Ok(client) => client,
        Err(err) => return crate::cli::fail(&format!("ATLAS_BASE_URL: {err}")),
    };
    let pool = match crate::database::connect(database_url).await {
        Ok(pool) => pool,
        Err(err) => return crate::cli::fail(&format!("{err:#}")),
    };
    let settings = WorkerSettings {
        name: format!("remediate-{}", std::process::id()),
        concurrency: concurrency.max(1),
        lease,
        ..WorkerSettings::default()
    };
    warn_if_lease_is_short(&settings, change_rate);
    let worker = Worker {
        pool,
        client,
        settings,
    };
    worker.run_until(crate::serve::shutdown_signal()).await;
    ExitCode::SUCCESS
}

/// A job may wait for the change rate behind every other job in flight; if that can take
/// half its lease, another worker may take it over meanwhile. That is safe (the pre-read and
/// the fencing token see to it) but wasteful, so it is worth a warning at start.
fn warn_if_lease_is_short(settings: &WorkerSettings, change_rate: Option<ChangeRate>) {
    let Some(rate) = change_rate else {
        return;
    };
    let wait_secs = settings.concurrency as f64 / rate.per_second();
    if wait_secs > settings.lease.as_secs_f64() / 2.0 {
        tracing::warn!(
            worker = %settings.name,
            concurrency = settings.concurrency,
            change_rate = rate.per_second(),
            lease_secs = settings.lease.as_secs(),
            "a job may wait more than half its lease for the change rate: lower the \
             concurrency or lengthen the lease"
        );
    }
}
