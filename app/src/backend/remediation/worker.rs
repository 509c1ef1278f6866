//! The remediation worker: claim a batch, run each job against Atlas concurrently, complete
//! each under its lease. Safe to kill at any point: a job claimed by a dead worker is claimed
//! again once its lease runs out, and its pre-read finds the change already made. Any number
//! of workers may run in any number of processes against one database.

use std::future::Future;
use std::time::Duration;

use sqlx::PgPool;

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
    /// Jobs claimed (and run concurrently) at once.
    pub batch: i64,
    /// How long a claim lasts before another worker may take the job over. Longer than the
    /// slowest run, including the Atlas client's own retries.
    pub lease: Duration,
    /// Wait between polls when nothing is due.
    pub idle_poll: Duration,
    /// Wait before asking clusters again whether a database-user change has been applied.
    pub applying_poll: Duration,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            name: format!("worker-{}", std::process::id()),
            batch: 16,
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
    /// Runs until `shutdown` resolves; a batch in flight is finished first.
    pub async fn run_until(self, shutdown: impl Future<Output = ()>) {
        tracing::info!(worker = %self.settings.name, "remediation worker started");
        tokio::pin!(shutdown);
        loop {
            // Checked between batches too, so a busy worker still stops when asked.
            if futures_util::FutureExt::now_or_never(&mut shutdown).is_some() {
                break;
            }
            let ran = match self.run_once().await {
                Ok(ran) => ran,
                Err(err) => {
                    tracing::error!(error = %err, worker = %self.settings.name, "remediation batch failed");
                    0
                }
            };
            if ran > 0 {
                continue;
            }
            tokio::select! {
                () = &mut shutdown => break,
                () = tokio::time::sleep(self.settings.idle_poll) => {}
            }
        }
        tracing::info!(worker = %self.settings.name, "remediation worker stopped");
    }

    /// Claims one batch and runs it; returns how many jobs were run.
    pub async fn run_once(&self) -> Result<usize, RemediationError> {
        let jobs = claim(
            &self.pool,
            &self.settings.name,
            self.settings.batch,
            self.settings.lease,
        )
        .await?;
        if jobs.is_empty() {
            return Ok(0);
        }
        let dry_run: bool = sqlx::query_scalar("SELECT dry_run FROM remediation_control")
            .fetch_one(&self.pool)
            .await?;
        let runs = jobs.iter().map(|job| self.run_job(job, dry_run));
        let results = futures_util::future::join_all(runs).await;
        for result in results {
            result?;
        }
        Ok(jobs.len())
    }

    async fn run_job(&self, job: &Claimed, dry_run: bool) -> Result<(), RemediationError> {
        let transition = match &job.unreadable {
            Some(problem) => {
                let mut t = Transition::to("needs_manual", "remediation.needs_manual");
                t.reason = Some(problem.clone());
                t
            }
            None => {
                let mode = Mode {
                    dry_run,
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
