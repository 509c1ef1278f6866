//! One job against Atlas, with no database in sight: read the entitlement back, make the
//! change only if it is still there, and read again to confirm it is gone. A change that
//! Atlas answers with 404 (or a refusal that may mean "already done") counts as success only
//! once a read confirms absence. Every HTTP attempt is captured for the evidence.

use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{Value, json};

use super::mask::masked;
use super::operation::Operation;
use super::probe::{self, Found, Plan};
use crate::backend::atlas::{AtlasClient, AtlasError, ErrorKind, RequestRecord};

/// How a job may act.
#[derive(Debug, Clone, Copy, Default)]
pub struct Mode {
    /// Compute and record the request, send nothing.
    pub dry_run: bool,
    /// Never change Atlas (manual mode): only read.
    pub read_only: bool,
}

/// Where one run of a job ended.
#[derive(Debug)]
pub enum Outcome {
    /// A read confirms the entitlement is gone; `effect` says what Attest did to get there.
    Verified { effect: String },
    /// The change was made and read back as gone, but clusters are still applying it.
    Applying { effect: String },
    /// Atlas refused by one of its rules, or a guard rail stopped the change; Atlas's own words.
    NeedsManual { reason: String },
    /// A manual job whose read still shows the access.
    StillPresentManual,
    /// Dry run: what would have been sent.
    DryRun { effect: String },
    /// The call or a read failed; classified by the caller.
    Failed(AtlasError),
    /// The change was answered with success but the entitlement is still there.
    StillPresent { effect: String },
}

/// The outcome plus the evidence: the change request (masked) and Atlas's last answer.
#[derive(Debug)]
pub struct Execution {
    pub outcome: Outcome,
    pub request: Option<Value>,
    pub response: Option<Value>,
}

/// Captures every HTTP attempt of one job.
#[derive(Default)]
struct Capture(Mutex<Vec<RequestRecord>>);

impl crate::backend::atlas::RequestLog for Capture {
    fn record(&self, record: &RequestRecord) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(record.clone());
    }
}

/// Runs `operation` in org `org_id` once.
pub async fn execute(
    client: &AtlasClient,
    org_id: &str,
    operation: &Operation,
    mode: Mode,
) -> Execution {
    let capture = Arc::new(Capture::default());
    let client = client.with_request_log(capture.clone());
    let mut request = None;
    let outcome = run(&client, org_id, operation, mode, &mut request).await;
    let records = capture.0.lock().unwrap_or_else(PoisonError::into_inner);
    let change = records
        .iter()
        .rev()
        .find(|r| r.method != "GET")
        .or(records.last());
    let response = change.map(|r| {
        let body = serde_json::from_slice::<Value>(&r.response_body)
            .map(|v| masked(&v))
            .unwrap_or_else(|_| {
                Value::String(
                    String::from_utf8_lossy(&r.response_body)
                        .chars()
                        .take(500)
                        .collect(),
                )
            });
        json!({
            "operation": r.operation, "method": r.method, "path": r.path,
            "status": r.status, "attempt": r.attempt, "body": body,
        })
    });
    Execution {
        outcome,
        request,
        response,
    }
}

async fn run(
    client: &AtlasClient,
    org_id: &str,
    operation: &Operation,
    mode: Mode,
    request: &mut Option<Value>,
) -> Outcome {
    let plan = match probe::read(client, org_id, operation).await {
        Ok(Found::Absent) => {
            return confirmed(
                client,
                org_id,
                operation,
                "already absent; confirmed by reading Atlas".into(),
            )
            .await;
        }
        Ok(Found::Present(plan)) => plan,
        Err(err) => return Outcome::Failed(err),
    };
    if mode.read_only {
        return Outcome::StillPresentManual;
    }
    *request = Some(json!({ "change": plan.effect(), "body": plan.body().map(|b| masked(&b)) }));
    if plan.touches_owner() {
        match probe::active_owner_count(client, org_id).await {
            Ok(owners) if owners <= 1 => {
                return Outcome::NeedsManual {
                    reason: "Guard rail: this would remove the organization's last owner. \
                             Make someone else an owner first, then retry."
                        .into(),
                };
            }
            Ok(_) => {}
            Err(err) => return Outcome::Failed(err),
        }
    }
    if mode.dry_run {
        tracing::info!(atlas.org_id = org_id, operation = operation.name(), change = %plan.effect(), "dry run: change not sent");
        return Outcome::DryRun {
            effect: plan.effect(),
        };
    }
    let effect = plan.effect();
    if let Err(err) = plan.send(client, org_id).await {
        return after_refusal(client, org_id, operation, err).await;
    }
    match probe::read(client, org_id, operation).await {
        Ok(Found::Absent) => applied(client, &plan, effect).await,
        Ok(Found::Present(_)) => Outcome::StillPresent { effect },
        Err(err) => Outcome::Failed(err),
    }
}

/// A failed change: Atlas's rules need a person; a 404, 400 or 409 may mean someone else
/// already removed it, which only a read can tell.
async fn after_refusal(
    client: &AtlasClient,
    org_id: &str,
    operation: &Operation,
    err: AtlasError,
) -> Outcome {
    if err.kind().is_refusal() {
        let words = err
            .api_error()
            .and_then(|a| a.detail.clone())
            .unwrap_or_else(|| err.to_string());
        return Outcome::NeedsManual {
            reason: format!("Atlas refused: {words}"),
        };
    }
    if matches!(
        err.kind(),
        ErrorKind::NotFound | ErrorKind::BadRequest | ErrorKind::Conflict
    ) {
        return match probe::read(client, org_id, operation).await {
            Ok(Found::Absent) => Outcome::Verified {
                effect: format!(
                    "already gone (Atlas answered {}); confirmed by reading Atlas",
                    err.status().unwrap_or(0)
                ),
            },
            _ => Outcome::Failed(err),
        };
    }
    Outcome::Failed(err)
}

/// Absent on read: for database users, also wait until every cluster has applied the change.
async fn confirmed(
    client: &AtlasClient,
    _org_id: &str,
    operation: &Operation,
    effect: String,
) -> Outcome {
    if let Operation::DatabaseUserRole { project_id, .. } = operation {
        return clusters_applied(client, project_id, None, effect).await;
    }
    Outcome::Verified { effect }
}

async fn applied(client: &AtlasClient, plan: &Plan, effect: String) -> Outcome {
    match plan {
        Plan::DeleteDatabaseUser { user, project_id }
        | Plan::NarrowDatabaseUser {
            user, project_id, ..
        } => clusters_applied(client, project_id, Some(user), effect).await,
        _ => Outcome::Verified { effect },
    }
}

async fn clusters_applied(
    client: &AtlasClient,
    project_id: &str,
    user: Option<&crate::backend::atlas::types::DatabaseUser>,
    effect: String,
) -> Outcome {
    let clusters = match user {
        Some(user) => probe::clusters_of(client, project_id, user).await,
        None => client
            .list_clusters(project_id)
            .await
            .map(|l| l.items.into_iter().map(|c| c.name).collect()),
    };
    let clusters = match clusters {
        Ok(clusters) => clusters,
        Err(err) => return Outcome::Failed(err),
    };
    for cluster in clusters {
        match client.cluster_change_status(project_id, &cluster).await {
            Ok(status) if status.is_applied() => {}
            Ok(_) => return Outcome::Applying { effect },
            Err(err) => return Outcome::Failed(err),
        }
    }
    Outcome::Verified { effect }
}
