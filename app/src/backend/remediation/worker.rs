//! The remediation worker: keeps up to `concurrency` jobs in flight, claiming a new one as
//! each finishes, runs each against Atlas and completes it under its lease. Safe to kill at
//! any point: a job claimed by a dead worker is claimed again once its lease runs out, and its
//! pre-read finds the change already made. Any number of workers may run in any number of
//! processes against one database.
//!
//! Jobs are claimed one free slot at a time rather than in batches, so a job held up by Atlas
//! (a 429, clusters still applying) delays only itself. How fast changes reach Atlas is the
//! client's business: its change rate paces them across every job of the process.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;
use tokio::task::{JoinError, JoinSet};
use tokio::time::Instant;

use super::RemediationError;
use super::classify::{Disposition, dispose};
use super::execute::{Mode, Outcome, execute};
use super::lease::{Claimed, Transition, claim, finish};
use crate::backend::atlas::AtlasClient;

/// How a worker paces itself.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// Names the worker in leases, attempts and logs (e.g. host and process id).
    pub name: String,
    /// Jobs in flight at once; a new one is claimed as each finishes.
    pub concurrency: usize,
    /// How long a claim lasts before another worker may take the job over. Longer than the
    /// slowest run, including the Atlas client's own retries and the wait for the change
    /// rate (up to `concurrency` ÷ change rate seconds when every job waits to change).
    pub lease: Duration,
    /// Wait before looking for due jobs again after finding fewer than there were free slots.
    pub idle_poll: Duration,
    /// Wait before asking clusters again whether a database-user change has been applied.
    pub applying_poll: Duration,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            name: format!("worker-{}", std::process::id()),
            concurrency: 16,
            lease: Duration::from_secs(180),
            idle_poll: Duration::from_secs(2),
            applying_poll: Duration::from_secs(5),
        }
    }
}

/// A worker over one database and one Atlas credential.
#[derive(Debug, Clone)]
pub struct Worker {
    pub pool: PgPool,
    pub client: AtlasClient,
    pub settings: WorkerSettings,
}

impl Worker {
    /// Runs until `shutdown` resolves. Once asked to stop it claims nothing more and finishes
    /// the jobs it holds (their changes may already be on the wire), then returns.
    pub async fn run_until(self, shutdown: impl Future<Output = ()>) {
        let worker = Arc::new(self);
        let name = worker.settings.name.clone();
        let concurrency = worker.settings.concurrency.max(1);
        tracing::info!(worker = %name, concurrency, "remediation worker started");
        tokio::pin!(shutdown);
        let mut running: JoinSet<JobResult> = JoinSet::new();
        // When to look for due jobs next: at once while claims come back full, a poll later
        // once the queue had fewer due jobs than there were free slots.
        let mut look_at = Instant::now();
        loop {
            while let Some(joined) = running.try_join_next() {
                report(&name, joined);
            }
            let free = concurrency.saturating_sub(running.len());
            if free > 0 && Instant::now() >= look_at {
                if futures_util::FutureExt::now_or_never(&mut shutdown).is_some() {
                    break;
                }
                look_at = Instant::now();
                match worker.claim(free).await {
                    Ok(jobs) => {
                        if jobs.len() < free {
                            look_at += worker.settings.idle_poll;
                        }
                        for job in jobs {
                            let worker = Arc::clone(&worker);
                            running.spawn(async move { (job.id, worker.run_job(&job).await) });
                        }
                    }
                    Err(err) => {
                        tracing::error!(error = %err, worker = %name, "claiming remediation jobs failed");
                        look_at += worker.settings.idle_poll;
                    }
                }
                continue;
            }
            tokio::select! {
                biased;
                () = &mut shutdown => break,
                Some(joined) = running.join_next(), if !running.is_empty() => report(&name, joined),
                () = tokio::time::sleep_until(look_at), if free > 0 => {}
            }
        }
        if !running.is_empty() {
            tracing::info!(worker = %name, in_flight = running.len(), "remediation worker stopping; finishing the jobs it holds");
        }
        while let Some(joined) = running.join_next().await {
            report(&name, joined);
        }
        tracing::info!(worker = %name, "remediation worker stopped");
    }

    /// Claims up to `concurrency` due jobs, runs them together and returns how many ran.
    /// For one pass and for tests; a long-running worker uses [`Worker::run_until`].
    pub async fn run_once(&self) -> Result<usize, RemediationError> {
        let jobs = self.claim(self.settings.concurrency.max(1)).await?;
        let runs = jobs.iter().map(|job| self.run_job(job));
        let results = futures_util::future::join_all(runs).await;
        for result in results {
            result?;
        }
        Ok(jobs.len())
    }

    async fn claim(&self, slots: usize) -> Result<Vec<Claimed>, sqlx::Error> {
        let limit = i64::try_from(slots).unwrap_or(i64::MAX);
        claim(&self.pool, &self.settings.name, limit, self.settings.lease).await
    }

    async fn run_job(&self, job: &Claimed) -> Result<(), RemediationError> {
        let transition = match &job.unreadable {
            Some(problem) => {
                let mut t = Transition::to("needs_manual", "remediation.needs_manual");
                t.reason = Some(problem.clone());
                t
            }
            None => {
                let mode = Mode {
                    dry_run: job.dry_run,
                    read_only: job.manual,
                };
                let run = execute(&self.client, &job.org_id, &job.operation, mode).await;
                let mut t = self.transition(job, run.outcome);
                t.request = run.request;
                t.response = run.response;
                t
            }
        };
        let status = transition.status;
        if finish(&self.pool, &self.settings.name, job, transition).await? {
            tracing::debug!(
                remediation.job_id = job.id,
                status,
                attempt = job.attempts,
                "remediation job ran"
            );
        }
        Ok(())
    }

    fn transition(&self, job: &Claimed, outcome: Outcome) -> Transition {
        match outcome {
            Outcome::Verified { effect } => {
                let mut t = Transition::to("verified", "remediation.verified");
                t.effect = Some(effect);
                t
            }
            Outcome::Applying { effect } => {
                let mut t = Transition::to("done", "remediation.applied");
                t.effect = Some(effect);
                t.reason = Some("Changed in Atlas; waiting for the clusters to apply it.".into());
                t.run_after = self.settings.applying_poll;
                t
            }
            Outcome::NeedsManual { reason } => {
                let mut t = Transition::to("needs_manual", "remediation.needs_manual");
                t.error_class = Some("refused");
                t.reason = Some(reason);
                t
            }
            Outcome::StillPresentManual => {
                let mut t = Transition::to("needs_manual", "remediation.still_present");
                t.reason = Some(
                    "Atlas still shows this access: make the change in Atlas, then mark it \
                     done again."
                        .into(),
                );
                t
            }
            Outcome::DryRun { effect } => {
                let mut t = Transition::to("dry_run", "remediation.dry_run");
                t.effect = Some(format!("would have {effect}"));
                t.reason = Some("Dry run: computed and logged, nothing was sent.".into());
                t
            }
            Outcome::StillPresent { effect } => {
                let mut t = self.retry_or_dead(job, "other", None);
                t.reason = Some(format!(
                    "Atlas accepted the change ({effect}) but still shows the access"
                ));
                t
            }
            Outcome::Failed(err) => {
                let mut rng = rand::thread_rng();
                match dispose(&err, job.failures, &mut rng) {
                    Disposition::Retry {
                        class,
                        after,
                        counts,
                    } => {
                        let mut t = Transition::to("pending", "remediation.retry_scheduled");
                        t.error_class = Some(class);
                        t.run_after = after;
                        t.failure = counts;
                        t.reason = Some(err.to_string());
                        t
                    }
                    Disposition::Stop { class } => {
                        let message = format!(
                            "Atlas refused Attest's credential ({err}). Remediation is paused: \
                             give the service account the roles it needs, then resume."
                        );
                        tracing::error!(remediation.job_id = job.id, error = %err, "Atlas refused the credential; remediation paused");
                        let mut t = Transition::to("pending", "remediation.stopped");
                        t.error_class = Some(class);
                        t.reason = Some(message.clone());
                        t.pause = Some(message.clone());
                        t.alert = Some(("credential_refused", message));
                        t
                    }
                    Disposition::DeadLetter { class } => {
                        self.dead_letter(job, class, err.to_string())
                    }
                }
            }
        }
    }

    fn retry_or_dead(
        &self,
        job: &Claimed,
        class: &'static str,
        reason: Option<String>,
    ) -> Transition {
        if job.failures + 1 >= super::classify::MAX_FAILURES {
            return self.dead_letter(job, class, reason.unwrap_or_default());
        }
        let mut t = Transition::to("pending", "remediation.retry_scheduled");
        t.error_class = Some(class);
        t.failure = true;
        t.run_after = super::classify::backoff(job.failures, &mut rand::thread_rng());
        t.reason = reason;
        t
    }

    fn dead_letter(&self, job: &Claimed, class: &'static str, reason: String) -> Transition {
        let message = format!(
            "Remediation job {} failed {} times and was dead-lettered: {reason}",
            job.id,
            job.failures + 1
        );
        tracing::error!(remediation.job_id = job.id, reason = %reason, "remediation job dead-lettered");
        let mut t = Transition::to("failed", "remediation.dead_lettered");
        t.error_class = Some(class);
        t.failure = true;
        t.reason = Some(reason);
        t.alert = Some(("dead_letter", message));
        t
    }
}

/// What a job's task hands back: the job and whether it could be completed.
type JobResult = (i64, Result<(), RemediationError>);

/// Logs a job that could not be completed. Nothing else is needed: the job stays `running`
/// under its lease and is claimed again once the lease runs out.
fn report(worker: &str, joined: Result<JobResult, JoinError>) {
    match joined {
        Ok((_, Ok(()))) => {}
        Ok((job_id, Err(err))) => tracing::error!(
            worker,
            remediation.job_id = job_id,
            error = %err,
            "remediation job could not be completed; it is claimed again when its lease runs out"
        ),
        Err(err) => tracing::error!(
            worker,
            error = %err,
            "remediation job task ended abnormally; its job is claimed again when its lease runs out"
        ),
    }
}
