//! Database access history: `{accessLogs: [...]}` per cluster or host, newest first, filtered
//! by `start` / `end` (epoch milliseconds, both or neither), `authResult`, `ipAddress`, and
//! capped by `nLogs` (default and maximum 20000).

use axum::extract::Path;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::Call;
use crate::atlas_sim::error::{SimError, SimResult};
use crate::atlas_sim::model::AccessLog;
use crate::atlas_sim::views;

const MAX_LOGS: i64 = 20_000;
const MIN_START_MS: i64 = 1_199_145_600_000;

/// The legacy timestamp form the v1 client's fixtures show, e.g. `Sun Jul 25 9:14:42 UTC 2019`.
// Not confirmed that the v2 API still uses it; Attest keeps the raw string.
fn legacy_time(at: DateTime<Utc>) -> String {
    at.format("%a %b %e %-H:%M:%S UTC %Y")
        .to_string()
        .replace("  ", " ")
}

fn view(log: &AccessLog) -> Value {
    let line = format!(
        "{{\"t\":{{\"$date\":\"{}\"}},\"msg\":\"{}\",\"attr\":{{\"user\":\"{}\",\"db\":\"{}\",\"remote\":\"{}\"}}}}",
        views::ts(log.at),
        if log.auth_result {
            "Authentication succeeded"
        } else {
            "Authentication failed"
        },
        log.username,
        log.auth_source,
        log.ip_address
    );
    let mut out = json!({
        "username": log.username,
        "authSource": log.auth_source,
        "authResult": log.auth_result,
        "ipAddress": log.ip_address,
        "hostname": log.hostname,
        "groupId": log.group_id,
        "logLine": line,
        "timestamp": legacy_time(log.at),
    });
    // The spec's `failureReason` is a plain string: left out on success, never null.
    if !log.auth_result {
        out["failureReason"] =
            json!("AuthenticationFailed: SCRAM authentication failed, storedKey mismatch");
    }
    out
}

async fn history(
    call: Call,
    group_id: String,
    keep: impl Fn(&AccessLog) -> bool,
) -> SimResult<Response> {
    let world = call.state.read().await;
    call.caller.read_group(&world, &group_id)?;
    let start = call.q.number("start")?;
    let end = call.q.number("end")?;
    if start.is_some() != end.is_some() || start.is_some_and(|s| s < MIN_START_MS) {
        return Err(SimError::validation(
            "start and end must be given together, in epoch milliseconds after 2008-01-01.",
        ));
    }
    let n_logs = call.q.number("nLogs")?.unwrap_or(MAX_LOGS);
    if !(0..=MAX_LOGS).contains(&n_logs) {
        return Err(SimError::validation("nLogs must be between 0 and 20000."));
    }
    let auth_result = match call.q.get("authResult") {
        None => None,
        Some(_) => Some(call.q.flag("authResult", true)?),
    };
    let ip = call.q.get("ipAddress");
    let mut logs: Vec<&AccessLog> = world
        .access_logs
        .iter()
        .filter(|l| l.group_id == group_id && keep(l))
        .filter(|l| start.is_none_or(|s| l.at.timestamp_millis() >= s))
        .filter(|l| end.is_none_or(|e| l.at.timestamp_millis() <= e))
        .filter(|l| auth_result.is_none_or(|r| l.auth_result == r))
        .filter(|l| ip.is_none_or(|ip| l.ip_address == ip))
        .collect();
    logs.sort_by_key(|l| std::cmp::Reverse(l.at));
    let access_logs: Vec<Value> = logs.into_iter().take(n_logs as usize).map(view).collect();
    Ok(views::ok(
        call.version,
        json!({ "accessLogs": access_logs }),
    ))
}

/// `GET /groups/{groupId}/dbAccessHistory/clusters/{clusterName}`.
pub async fn by_cluster(
    call: Call,
    Path((group_id, cluster)): Path<(String, String)>,
) -> SimResult<Response> {
    history(call, group_id, move |l| l.cluster_name == cluster).await
}

/// `GET /groups/{groupId}/dbAccessHistory/processes/{hostname}`.
pub async fn by_host(
    call: Call,
    Path((group_id, host)): Path<(String, String)>,
) -> SimResult<Response> {
    history(call, group_id, move |l| l.hostname == host).await
}
