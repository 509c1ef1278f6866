//! Org and project events, newest first, filtered by `eventType` (repeatable),
//! `excludedEventType` (projects), and `minDate` / `maxDate`.

use axum::extract::Path;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::Call;
use crate::atlas_sim::error::{SimError, SimResult};
use crate::atlas_sim::model::Event;
use crate::atlas_sim::views;

fn date(call: &Call, name: &str) -> SimResult<Option<DateTime<Utc>>> {
    call.q
        .get(name)
        .map(|v| {
            DateTime::parse_from_rfc3339(v)
                .map(|d| d.with_timezone(&Utc))
                .map_err(|_| SimError::validation(format!("Invalid date {v} for {name}.")))
        })
        .transpose()
}

fn listing(call: &Call, events: Vec<&Event>) -> SimResult<Vec<Value>> {
    let types = call.q.all("eventType");
    let excluded = call.q.all("excludedEventType");
    let (min, max) = (date(call, "minDate")?, date(call, "maxDate")?);
    let mut kept: Vec<&Event> = events
        .into_iter()
        .filter(|e| types.is_empty() || types.contains(&e.event_type))
        .filter(|e| !excluded.contains(&e.event_type))
        .filter(|e| min.is_none_or(|m| e.created >= m) && max.is_none_or(|m| e.created <= m))
        .collect();
    kept.reverse();
    Ok(kept
        .into_iter()
        .map(|e| views::event(e, call.q.origin()))
        .collect())
}

/// `GET /orgs/{orgId}/events`.
pub async fn list_org(call: Call, Path(org_id): Path<String>) -> SimResult<Response> {
    let world = call.state.read().await;
    world.org(&org_id)?;
    call.caller.read_org(&world, &org_id)?;
    let events = world
        .events
        .iter()
        .filter(|e| e.org_id == org_id && e.group_id.is_none())
        .collect();
    let items = listing(&call, events)?;
    call.page(&world, items)
}

/// `GET /orgs/{orgId}/events/{eventId}`.
pub async fn get_org(
    call: Call,
    Path((org_id, event_id)): Path<(String, String)>,
) -> SimResult<Response> {
    let world = call.state.read().await;
    world.org(&org_id)?;
    call.caller.read_org(&world, &org_id)?;
    let event = world
        .events
        .iter()
        .find(|e| e.id == event_id && e.org_id == org_id && e.group_id.is_none())
        .ok_or_else(|| SimError::not_found("RESOURCE_NOT_FOUND", "event", &event_id))?;
    Ok(views::ok(
        call.version,
        views::event(event, call.q.origin()),
    ))
}

/// `GET /groups/{groupId}/events`.
pub async fn list_group(call: Call, Path(group_id): Path<String>) -> SimResult<Response> {
    let world = call.state.read().await;
    call.caller.read_group(&world, &group_id)?;
    let events = world
        .events
        .iter()
        .filter(|e| e.group_id.as_deref() == Some(group_id.as_str()))
        .collect();
    let items = listing(&call, events)?;
    call.page(&world, items)
}

/// `GET /groups/{groupId}/events/{eventId}`.
pub async fn get_group(
    call: Call,
    Path((group_id, event_id)): Path<(String, String)>,
) -> SimResult<Response> {
    let world = call.state.read().await;
    call.caller.read_group(&world, &group_id)?;
    let event = world
        .events
        .iter()
        .find(|e| e.id == event_id && e.group_id.as_deref() == Some(group_id.as_str()))
        .ok_or_else(|| SimError::not_found("RESOURCE_NOT_FOUND", "event", &event_id))?;
    Ok(views::ok(
        call.version,
        views::event(event, call.q.origin()),
    ))
}
