//! Live progress of a running snapshot, written to `snapshot_progress` so any replica can
//! show it: the current step and how many Atlas requests were made so far.
//!
//! The pull reports steps through a plain callback; a background task writes the newest
//! state at most a few times a second, so a fast pull does not turn into a stream of writes.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde_json::Value;
use sqlx::PgPool;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use uuid::Uuid;

use super::recorder::Recorder;

/// How often the newest state is written while the snapshot runs.
const FLUSH_EVERY: Duration = Duration::from_millis(400);

/// What a running snapshot shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct State {
    step: String,
    pages: usize,
}

/// Feeds `snapshot_progress` for one snapshot until [`LiveProgress::finish`].
pub struct LiveProgress {
    pool: PgPool,
    snapshot_id: Uuid,
    step: Arc<Mutex<String>>,
    stop: watch::Sender<bool>,
    writer: JoinHandle<()>,
}

impl LiveProgress {
    /// Starts writing progress for `snapshot_id`, counting requests through `recorder`.
    pub fn start(pool: &PgPool, snapshot_id: Uuid, recorder: Arc<Recorder>) -> Self {
        let step = Arc::new(Mutex::new("starting".to_owned()));
        let (stop, mut stopped) = watch::channel(false);
        let writer = tokio::spawn({
            let pool = pool.clone();
            let step = step.clone();
            async move {
                let mut written = State::default();
                loop {
                    let now = State {
                        step: step.lock().unwrap_or_else(PoisonError::into_inner).clone(),
                        pages: recorder.len(),
                    };
                    if now != written {
                        match write(&pool, snapshot_id, &now.step, now.pages, None).await {
                            Ok(()) => written = now,
                            Err(err) => {
                                tracing::debug!(snapshot.id = %snapshot_id, error = %err, "progress not written")
                            }
                        }
                    }
                    tokio::select! {
                        _ = stopped.changed() => break,
                        () = tokio::time::sleep(FLUSH_EVERY) => {}
                    }
                }
            }
        });
        Self {
            pool: pool.clone(),
            snapshot_id,
            step,
            stop,
            writer,
        }
    }

    /// Notes the step the pull is on; written by the background task.
    pub fn step(&self, step: &str) {
        step.clone_into(&mut self.step.lock().unwrap_or_else(PoisonError::into_inner));
    }

    /// Stops the background writer and records the final state.
    pub async fn finish(self, step: &str, pages: usize, items: &Value) {
        let _ = self.stop.send(true);
        let _ = self.writer.await;
        if let Err(err) = write(&self.pool, self.snapshot_id, step, pages, Some(items)).await {
            tracing::warn!(snapshot.id = %self.snapshot_id, error = %err, "final snapshot progress not written");
        }
    }
}

async fn write(
    pool: &PgPool,
    snapshot_id: Uuid,
    step: &str,
    pages: usize,
    items: Option<&Value>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO snapshot_progress (snapshot_id, step, pages_fetched, items, updated_at) \
         VALUES ($1, $2, $3, coalesce($4, '{}'::jsonb), now()) \
         ON CONFLICT (snapshot_id) DO UPDATE SET step = EXCLUDED.step, \
         pages_fetched = EXCLUDED.pages_fetched, \
         items = coalesce($4, snapshot_progress.items), updated_at = now()",
    )
    .bind(snapshot_id)
    .bind(step)
    .bind(i32::try_from(pages).unwrap_or(i32::MAX))
    .bind(items)
    .execute(pool)
    .await?;
    Ok(())
}
