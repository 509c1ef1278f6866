//! One snapshot run from lock to verdict: lock the org, record a running snapshot, pull, then
//! store everything and mark it complete in one transaction, or mark it failed with the error
//! and the request that caused it. Each state change writes its audit event in the same
//! transaction.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use super::hash::{ContentHasher, pages_sha256};
use super::inventory::OrgInventory;
use super::lock::OrgLock;
use super::model::{Counts, Derived};
use super::progress::LiveProgress;
use super::pull::{Progress, Pulled, pull_org};
use super::recorder::{LoggedRequest, Recorder};
use super::store::{self, Completion, NewSnapshot};
use super::{SnapshotError, entitlement, stream, usage};
use crate::backend::atlas::{AtlasClient, AtlasError};
use crate::backend::audit::{self, Actor, NewEvent};

/// What to snapshot, and on whose behalf.
#[derive(Debug, Clone)]
pub struct SnapshotRequest<'a> {
    /// The Atlas organization id (24 hex characters).
    pub org_id: &'a str,
    /// Who started it: a user, or `Actor::System("cli")`, `Actor::System("scheduler")`.
    pub actor: Actor,
    /// The service-account client id or API public key in use; never a secret.
    pub credential_id: &'a str,
}

/// How a snapshot ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotStatus {
    Complete,
    Failed { error: String },
}

/// The result of a run.
#[derive(Debug, Clone)]
pub struct SnapshotOutcome {
    pub id: Uuid,
    pub status: SnapshotStatus,
    /// What was stored; empty for a failed snapshot.
    pub counts: Counts,
    /// Listings whose Atlas `totalCount` differed from the items received.
    pub totals_differing: usize,
    pub content_sha256: Option<String>,
    pub requests: usize,
    pub duration_ms: u64,
}

fn actor_parts(actor: &Actor) -> (Option<Uuid>, String) {
    match actor {
        Actor::User { id, label } => (Some(*id), label.clone()),
        Actor::System(name) => (None, format!("system:{name}")),
    }
}

fn is_org_id(id: &str) -> bool {
    id.len() == 24 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Takes a snapshot of one org: [`start_snapshot`], then [`StartedSnapshot::run`]. A failed
/// pull is recorded as a failed snapshot and returned as `Ok` with [`SnapshotStatus::Failed`];
/// `Err` means the snapshot could not even be recorded (or another one of the org is running).
pub async fn take_snapshot(
    pool: &PgPool,
    client: &AtlasClient,
    request: SnapshotRequest<'_>,
    progress: Progress<'_>,
) -> Result<SnapshotOutcome, SnapshotError> {
    start_snapshot(pool, client, request)
        .await?
        .run(pool, client, progress)
        .await
}

/// A snapshot recorded as `running` whose org lock is held; [`StartedSnapshot::run`] pulls it.
/// Dropping it without running leaves a running row that the org's next snapshot marks
/// abandoned.
#[derive(Debug)]
pub struct StartedSnapshot {
    /// The new snapshot's id, known before the pull starts (the UI redirects to it).
    pub id: Uuid,
    org_id: String,
    actor: Actor,
    lock: OrgLock,
    started: Instant,
}

/// Takes the org's lock and records a running snapshot (and its audit event); marks any
/// snapshot of the org left running by a process that died as failed.
pub async fn start_snapshot(
    pool: &PgPool,
    client: &AtlasClient,
    request: SnapshotRequest<'_>,
) -> Result<StartedSnapshot, SnapshotError> {
    let org_id = request.org_id;
    if !is_org_id(org_id) {
        return Err(SnapshotError::InvalidOrgId(org_id.to_owned()));
    }
    let Some(lock) = OrgLock::try_acquire(pool, org_id).await? else {
        return Err(SnapshotError::AlreadyRunning(org_id.to_owned()));
    };
    let started = Instant::now();
    let id = Uuid::new_v4();
    let (started_by, started_by_label) = actor_parts(&request.actor);

    let mut tx = pool.begin().await?;
    for abandoned in store::fail_abandoned(&mut tx, org_id).await? {
        audit::record(
            &mut tx,
            event(
                &request.actor,
                "snapshot.failed",
                abandoned,
                json!({
                    "org_id": org_id, "error": "abandoned: the process taking it stopped",
                }),
            ),
        )
        .await?;
    }
    store::insert_running(
        &mut tx,
        &NewSnapshot {
            id,
            org_id,
            base_url: client.origin(),
            credential_id: request.credential_id,
            started_by,
            started_by_label: &started_by_label,
        },
    )
    .await?;
    audit::record(
        &mut tx,
        event(
            &request.actor,
            "snapshot.started",
            id,
            json!({
                "org_id": org_id, "atlas_base_url": client.origin(),
                "credential_id": request.credential_id,
            }),
        ),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(snapshot.id = %id, atlas.org_id = org_id, "snapshot started");
    Ok(StartedSnapshot {
        id,
        org_id: org_id.to_owned(),
        actor: request.actor,
        lock,
        started,
    })
}

/// A snapshot run that can be handed to `tokio::spawn`.
pub type BackgroundRun =
    Pin<Box<dyn Future<Output = Result<SnapshotOutcome, SnapshotError>> + Send>>;

impl StartedSnapshot {
    /// [`StartedSnapshot::run`] as an owned, sendable future with no progress callback: the
    /// live progress table is where a background run reports.
    pub fn run_in_background(self, pool: PgPool, client: AtlasClient) -> BackgroundRun {
        Box::pin(async move { self.run(&pool, &client, &|_: &str| {}).await })
    }

    /// Pulls the org, stores the result and ends the snapshot complete or failed, reporting
    /// each step to `progress` and to the live progress table. On completion the principals'
    /// `lastAuth` is recorded as usage.
    pub async fn run(
        self,
        pool: &PgPool,
        client: &AtlasClient,
        progress: Progress<'_>,
    ) -> Result<SnapshotOutcome, SnapshotError> {
        let StartedSnapshot {
            id,
            org_id,
            actor,
            lock,
            started,
        } = self;
        let org_id = org_id.as_str();
        let recorder = Arc::new(Recorder::default());
        let live = LiveProgress::start(pool, id, recorder.clone());
        let report = |step: &str| {
            live.step(step);
            progress(step);
        };
        let logged = client.with_request_log(recorder.clone());
        let pulled = pull_org(&logged, org_id, &report).await;
        let records = recorder.take();
        let elapsed = || u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);

        let outcome = match pulled {
            Ok(pulled) => {
                let Pulled { inventory, totals } = pulled;
                report("deriving principals");
                let derived = entitlement::derive_principals(&inventory);
                let differing = totals.iter().filter(|t| t.outcome == "differs").count();
                report(&format!(
                    "storing {} principals, then their entitlements part by part",
                    derived.principals.len()
                ));
                let stored = complete(
                    pool,
                    &actor,
                    id,
                    org_id,
                    inventory,
                    derived,
                    &records,
                    &json!(totals),
                )
                .await;
                match stored {
                    Ok((counts, hash)) => SnapshotOutcome {
                        id,
                        status: SnapshotStatus::Complete,
                        counts,
                        totals_differing: differing,
                        content_sha256: Some(hash),
                        requests: records.len(),
                        duration_ms: elapsed(),
                    },
                    Err(err) => {
                        let message = format!("storing the snapshot failed: {err}");
                        fail(pool, &actor, id, org_id, &message, None, &records).await?;
                        failed_outcome(id, message, records.len(), elapsed())
                    }
                }
            }
            Err(err) => {
                let request_json = error_request(&err, &records);
                let message = err.to_string();
                fail(
                    pool,
                    &actor,
                    id,
                    org_id,
                    &message,
                    Some(&request_json),
                    &records,
                )
                .await?;
                failed_outcome(id, message, records.len(), elapsed())
            }
        };
        let final_step = match &outcome.status {
            SnapshotStatus::Complete => "complete",
            SnapshotStatus::Failed { .. } => "failed",
        };
        live.finish(final_step, records.len(), &json!(outcome.counts))
            .await;
        match &outcome.status {
            SnapshotStatus::Complete => tracing::info!(
                snapshot.id = %id, atlas.org_id = org_id,
                principals = outcome.counts.principals, entitlements = outcome.counts.entitlements,
                requests = outcome.requests, totals_differing = outcome.totals_differing,
                duration_ms = outcome.duration_ms, "snapshot complete"
            ),
            SnapshotStatus::Failed { error } => tracing::warn!(
                snapshot.id = %id, atlas.org_id = org_id, error = %error,
                requests = outcome.requests, duration_ms = outcome.duration_ms, "snapshot failed"
            ),
        }
        if matches!(outcome.status, SnapshotStatus::Complete) {
            // Closing the loop: revoked entitlements that came back are reopened with an alert.
            if let Err(err) = crate::backend::remediation::recheck::recheck_snapshot(pool, id).await
            {
                tracing::error!(snapshot.id = %id, error = %err, "re-checking revoked entitlements failed");
            }
        }
        if let Err(err) = lock.release().await {
            tracing::warn!(atlas.org_id = org_id, error = %err, "releasing the snapshot lock failed; its connection was closed");
        }
        Ok(outcome)
    }
}

fn failed_outcome(id: Uuid, error: String, requests: usize, duration_ms: u64) -> SnapshotOutcome {
    SnapshotOutcome {
        id,
        status: SnapshotStatus::Failed { error },
        counts: Counts::default(),
        totals_differing: 0,
        content_sha256: None,
        requests,
        duration_ms,
    }
}

fn event(actor: &Actor, action: &'static str, id: Uuid, details: Value) -> NewEvent {
    NewEvent {
        actor: actor.clone(),
        action,
        object_kind: "snapshot",
        object_id: id.to_string(),
        details,
    }
}

/// The distinct API version dates the records used, sorted.
fn api_versions(records: &[LoggedRequest]) -> Vec<String> {
    let mut versions: Vec<String> = records
        .iter()
        .map(|r| r.record.api_version.date().to_owned())
        .collect();
    versions.sort();
    versions.dedup();
    versions
}

/// The Atlas request behind a pull failure, with its place in the request log.
fn error_request(err: &AtlasError, records: &[LoggedRequest]) -> Value {
    #[derive(Serialize)]
    struct FailedRequest<'a> {
        operation: Option<&'a str>,
        method: Option<&'a str>,
        path: Option<&'a str>,
        page: Option<u32>,
        status: Option<u16>,
        error_code: Option<&'a str>,
        request_seq: Option<usize>,
    }
    let call = err.call();
    let request_seq = call.and_then(|call| {
        records
            .iter()
            .rposition(|r| r.record.path == call.path && r.record.page == call.page)
            .map(|index| index + 1)
    });
    json!(FailedRequest {
        operation: call.map(|c| c.operation),
        method: call.map(|c| c.method),
        path: call.map(|c| c.path.as_str()),
        page: call.and_then(|c| c.page),
        status: err.status(),
        error_code: err.error_code(),
        request_seq,
    })
}

/// Stores everything and marks the snapshot complete, all in one transaction; returns what
/// was stored and its content hash. `derived` holds the projects and principals; the
/// entitlements are derived from `inventory` while they are written, and the inventory is
/// dropped as soon as the last one is, before usage and identity links are written.
#[expect(
    clippy::too_many_arguments,
    reason = "one call site, every argument distinct"
)]
async fn complete(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    org_id: &str,
    inventory: OrgInventory,
    derived: Derived,
    records: &[LoggedRequest],
    reconciliation: &Value,
) -> Result<(Counts, String), SnapshotError> {
    // Projects and principals only: the entitlements are counted as they stream.
    let mut counts = derived.counts();
    let mut tx = pool.begin().await?;
    let page_hashes = store::insert_requests(&mut tx, id, records).await?;
    store::insert_projects_and_principals(&mut tx, id, &derived).await?;
    let mut hasher = ContentHasher::default();
    stream::write_entitlements(&mut tx, id, &inventory, &mut hasher, &mut counts).await?;
    let org_name = inventory.org.name.clone();
    drop(inventory);
    let hash = hasher.finish(&derived.principals);
    drop(derived);

    let (principals, entitlements) = store::stored_counts(&mut tx, id).await?;
    if usize::try_from(principals) != Ok(counts.principals)
        || usize::try_from(entitlements) != Ok(counts.entitlements)
    {
        return Err(SnapshotError::CountMismatch {
            derived: (counts.principals, counts.entitlements),
            stored: (principals, entitlements),
        });
    }
    let pages = pages_sha256(page_hashes.iter().map(String::as_str));
    let versions = api_versions(records);
    let counts_json = json!(counts);
    store::mark_complete(
        &mut tx,
        id,
        &Completion {
            counts: &counts_json,
            reconciliation,
            api_versions: &versions,
            content_sha256: &hash,
            pages_sha256: &pages,
        },
    )
    .await?;
    store::update_org_name(&mut tx, org_id, &org_name).await?;
    usage::record_last_auth(&mut tx, id).await?;
    // Linked in the same transaction: a complete snapshot is never seen without its links.
    let links = crate::backend::identity::refresh_links(&mut tx, id).await?;
    audit::record(
        &mut tx,
        event(
            actor,
            "snapshot.completed",
            id,
            json!({
                "org_id": org_id, "principals": counts.principals,
                "entitlements": counts.entitlements, "requests": records.len(),
                "content_sha256": hash, "pages_sha256": pages, "api_versions": versions,
                "identity_links": links,
            }),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok((counts, hash))
}

/// Stores the request log and marks the snapshot failed, in one transaction.
async fn fail(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    org_id: &str,
    message: &str,
    request: Option<&Value>,
    records: &[LoggedRequest],
) -> Result<(), SnapshotError> {
    let mut tx = pool.begin().await?;
    let page_hashes = store::insert_requests(&mut tx, id, records).await?;
    let pages = pages_sha256(page_hashes.iter().map(String::as_str));
    let versions = api_versions(records);
    store::mark_failed(&mut tx, id, message, request, &versions, Some(&pages)).await?;
    audit::record(
        &mut tx,
        event(
            actor,
            "snapshot.failed",
            id,
            json!({
                "org_id": org_id, "error": message, "request": request,
            }),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
