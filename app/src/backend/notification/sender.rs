//! The sender loop: sweeps for reminders and escalations, claims due emails, sends each over
//! SMTP with no transaction open, and records sent, retried or failed.
//!
//! Any number of senders may run (one per `attest serve` replica): rows are claimed with
//! `FOR UPDATE SKIP LOCKED` and a lease, and an outcome is recorded only under the claim that
//! made the attempt. A sender killed after the SMTP server accepted an email but before it
//! recorded so sends that email again when the lease runs out; SMTP offers no way to ask
//! whether a message was already delivered, so this is at-least-once, never lost.

use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use sqlx::PgPool;

use super::NotificationError;
use super::message::render;
use super::outbox::{self, ClaimedEmail};
use super::smtp::Mailer;
use super::sweep::sweep;

/// How the sender paces itself.
#[derive(Debug, Clone)]
pub struct SenderSettings {
    /// The absolute address of My reviews, linked from every email.
    pub reviews_url: String,
    /// Reminders go out once the due date is at most this many days away.
    pub remind_days_before: u32,
    /// Emails claimed per round.
    pub batch: i64,
    /// How long a claimed email is reserved for this sender.
    pub lease: Duration,
    /// Attempts before an email is marked failed.
    pub max_attempts: i32,
    /// Time between rounds.
    pub tick: Duration,
    /// Time between sweeps for reminders and escalations.
    pub sweep_every: Duration,
}

impl SenderSettings {
    /// Defaults for everything but the link: 3 days' notice, 20 emails a round, a 2-minute
    /// lease, 10 attempts, a round every 15 seconds and a sweep every 10 minutes.
    pub fn new(reviews_url: String) -> SenderSettings {
        SenderSettings {
            reviews_url,
            remind_days_before: 3,
            batch: 20,
            lease: Duration::from_secs(120),
            max_attempts: 10,
            tick: Duration::from_secs(15),
            sweep_every: Duration::from_secs(600),
        }
    }
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    /// Failed this time and queued for another attempt.
    pub retrying: usize,
    /// Failed for the last time.
    pub failed: usize,
    /// Dropped because their campaign is no longer running.
    pub skipped: usize,
}

/// The wait before the attempt after `attempt` failed ones: 30 s doubling to at most an hour.
pub fn retry_delay(attempt: i32) -> Duration {
    let doublings = attempt.saturating_sub(1).clamp(0, 7) as u32;
    Duration::from_secs(30 * 2u64.pow(doublings)).min(Duration::from_secs(3600))
}

/// Sends the outbox through one SMTP server.
#[derive(Debug, Clone)]
pub struct Sender {
    pub pool: PgPool,
    pub mailer: Mailer,
    pub settings: SenderSettings,
}

impl Sender {
    /// Queues the reminders and escalations due on `today`.
    pub async fn sweep(&self, today: NaiveDate) -> Result<super::sweep::Swept, NotificationError> {
        Ok(sweep(&self.pool, today, self.settings.remind_days_before).await?)
    }

    /// Claims and sends one batch of due emails.
    pub async fn send_due(&self) -> Result<Round, NotificationError> {
        let claimed = outbox::claim(&self.pool, self.settings.batch, self.settings.lease).await?;
        let mut round = Round::default();
        for email in &claimed {
            self.send_one(email, &mut round).await?;
        }
        Ok(round)
    }

    async fn send_one(
        &self,
        email: &ClaimedEmail,
        round: &mut Round,
    ) -> Result<(), NotificationError> {
        if email.kind.needs_active_campaign() && email.campaign_status != "active" {
            let reason = format!(
                "not sent: the campaign is {} and this {} email is about a running campaign",
                email.campaign_status,
                email.kind.as_str()
            );
            if outbox::record_skipped(&self.pool, email, &reason).await? {
                round.skipped += 1;
            }
            return Ok(());
        }
        let message = match render(email, &self.settings.reviews_url) {
            Ok(message) => message,
            Err(err) => {
                // A template that cannot render will not render on a later attempt either.
                let err = NotificationError::Build {
                    outbox_id: email.id,
                    reason: err.to_string(),
                };
                tracing::error!(email.id = email.id, error = %err, "campaign email failed");
                if outbox::record_failure(&self.pool, email, &err.to_string(), None).await? {
                    round.failed += 1;
                }
                return Ok(());
            }
        };
        let started = Instant::now();
        match self
            .mailer
            .send(&email.recipient_name, &email.recipient_email, &message)
            .await
        {
            Ok(()) => {
                if outbox::record_sent(&self.pool, email, &message.subject).await? {
                    round.sent += 1;
                    tracing::info!(email.id = email.id, email.kind = email.kind.as_str(),
                        campaign.id = %email.campaign_id, duration_ms = started.elapsed().as_millis() as u64,
                        "campaign email sent");
                }
            }
            Err(reason) => {
                let retry = (email.attempt < self.settings.max_attempts)
                    .then(|| retry_delay(email.attempt));
                if outbox::record_failure(&self.pool, email, &reason, retry).await? {
                    match retry {
                        Some(wait) => {
                            round.retrying += 1;
                            tracing::warn!(email.id = email.id, attempt = email.attempt,
                                retry_in_secs = wait.as_secs(), error = %reason,
                                "campaign email not sent; will retry");
                        }
                        None => {
                            round.failed += 1;
                            tracing::error!(email.id = email.id, attempt = email.attempt,
                                error = %reason, "campaign email failed for the last time");
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Sweeps and sends for as long as the process lives.
    pub async fn run_forever(self) {
        tracing::info!(
            smtp.server = self.mailer.server(),
            "campaign email sender started"
        );
        let mut last_sweep: Option<Instant> = None;
        loop {
            if last_sweep.is_none_or(|at| at.elapsed() >= self.settings.sweep_every) {
                match self.sweep(Utc::now().date_naive()).await {
                    Ok(_) => last_sweep = Some(Instant::now()),
                    Err(err) => {
                        tracing::warn!(error = %err, "email sweep failed; retrying next round")
                    }
                }
            }
            if let Err(err) = self.send_due().await {
                tracing::warn!(error = %err, "sending campaign email failed; retrying next round");
            }
            tokio::time::sleep(self.settings.tick).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::retry_delay;
    use std::time::Duration;

    #[test]
    fn retries_back_off_to_an_hour() {
        assert_eq!(retry_delay(1), Duration::from_secs(30));
        assert_eq!(retry_delay(2), Duration::from_secs(60));
        assert_eq!(retry_delay(8), Duration::from_secs(3600));
        assert_eq!(retry_delay(40), Duration::from_secs(3600));
    }
}
