//! One snapshot: status and live progress while it runs (the page refreshes itself with
//! `<meta http-equiv="refresh">`, so it works without JavaScript), then per-kind counts,
//! Atlas's totals reconciled, API versions, usage, the request log, and for a failed one the
//! error and the request that caused it.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

use super::{StatusBadge, seconds, short_hash};
use crate::api::snapshots::get_snapshot;
use crate::model::snapshot::SnapshotDetail;
use crate::model::{Section, Viewer};
use crate::ui::components::access::{ErrorNote, NoAccess};

/// Seconds between reloads of a running snapshot's page.
const REFRESH_SECONDS: u32 = 2;

/// The page of one snapshot.
#[component]
pub fn SnapshotPage() -> impl IntoView {
    let viewer = expect_context::<Viewer>();
    if !Section::Snapshots.visible_to(&viewer) {
        return view! { <NoAccess/> }.into_any();
    }
    let params = use_params_map();
    let query = use_query_map();
    let id = params.with_untracked(|p| p.get("id").and_then(|id| Uuid::parse_str(&id).ok()));
    let Some(id) = id else {
        return view! { <h1>"Snapshot"</h1><p class="error" role="alert">"That is not a snapshot address."</p> }
            .into_any();
    };
    let page =
        Memo::new(move |_| query.with(|q| q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1)));
    let detail = Resource::new(move || page.get(), move |p| get_snapshot(id, p));
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading the snapshot…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(data) => view! { <Detail data/> }.into_any(),
                    Err(error) => view! { <h1>"Snapshot"</h1><ErrorNote error/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Detail(data: SnapshotDetail) -> impl IntoView {
    let s = data.summary.clone();
    let running = s.status == "running";
    let diff_link = data.previous_complete.filter(|_| s.status == "complete").map(|prev| {
        view! { <p><a href=format!("/snapshots/diff?from={prev}&to={}", s.id)>"What changed since the previous snapshot"</a></p> }
    });
    view! {
        <p><a href="/snapshots">"← All snapshots"</a></p>
        <h1>{format!("Snapshot of {}", s.org_name)}</h1>
        {running.then(|| view! { <meta http-equiv="refresh" content=REFRESH_SECONDS.to_string()/> })}
        <dl class="facts">
            <dt>"Status"</dt><dd id="snapshot-status"><StatusBadge status=s.status.clone()/></dd>
            <dt>"Organization"</dt><dd>{format!("{} ({})", s.org_name, s.org_id)}</dd>
            <dt>"Started"</dt><dd>{format!("{} by {}", s.started_at, s.started_by)}</dd>
            <dt>"Finished"</dt><dd>{s.finished_at.clone().unwrap_or_else(|| "not yet".into())}</dd>
            <dt>"Duration"</dt><dd>{seconds(s.duration_ms)}</dd>
            <dt>"Principals, entitlements"</dt><dd>{format!("{}, {}", s.principals, s.entitlements)}</dd>
            <dt>"Content SHA-256"</dt><dd>{short_hash(s.content_sha256.clone())}</dd>
            <dt>"Pages SHA-256"</dt><dd>{short_hash(data.pages_sha256.clone())}</dd>
            <dt>"Atlas API versions"</dt><dd>{data.api_versions.join(", ")}</dd>
            <dt>"Read from"</dt><dd>{format!("{} as {}", data.atlas_base_url, data.credential_id)}</dd>
            <dt>"Attest version"</dt><dd>{data.app_version.clone()}</dd>
        </dl>
        {data.progress.clone().map(|p| view! {
            <section aria-labelledby="progress-heading">
                <h2 id="progress-heading">"Progress"</h2>
                <p role="status">{format!("{}: {} Atlas requests so far (updated {})", p.step, p.requests, p.updated_at)}</p>
                {running.then(|| view! { <p>"This page refreshes itself until the snapshot ends."</p> })}
            </section>
        })}
        {s.error.clone().map(|error| view! {
            <section aria-labelledby="error-heading">
                <h2 id="error-heading">"Why it failed"</h2>
                <p class="error" role="alert">{error}</p>
                {data.error_request.clone().map(|r| view! { <h3>"The failing request"</h3><pre>{r}</pre> })}
            </section>
        })}
        {diff_link}
        <Counts data=data.clone()/>
        <Requests data/>
    }
}

#[component]
fn Counts(data: SnapshotDetail) -> impl IntoView {
    if data.kinds.is_empty() && data.reconciliation.is_empty() {
        return ().into_any();
    }
    let kinds = data
        .kinds
        .into_iter()
        .map(|k| view! { <tr><th scope="row">{k.kind}</th><td class="num">{k.count}</td></tr> })
        .collect_view();
    let totals = data
        .reconciliation
        .into_iter()
        .map(|r| {
            let verdict = match (r.reported, r.differing) {
                (None, _) => "Atlas reports no total".to_string(),
                (Some(_), 0) => "matches".to_string(),
                (Some(_), n) => format!("differs in {n} listing(s)"),
            };
            view! {
                <tr>
                    <th scope="row"><code>{r.operation}</code></th>
                    <td class="num">{r.listings}</td>
                    <td class="num">{r.reported.map(|n| n.to_string()).unwrap_or_else(|| "-".into())}</td>
                    <td class="num">{r.received}</td>
                    <td>{verdict}</td>
                </tr>
            }
        })
        .collect_view();
    let u = data.usage;
    view! {
        <section aria-labelledby="counts-heading">
            <h2 id="counts-heading">"Counts"</h2>
            <div class="table-wrap">
                <table>
                    <thead><tr><th scope="col">"Principal kind"</th><th scope="col">"Stored"</th></tr></thead>
                    <tbody>{kinds}</tbody>
                </table>
            </div>
            <h3>"Reconciliation with Atlas's totalCount"</h3>
            <div class="table-wrap">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">"Listing"</th><th scope="col">"Listings read"</th>
                            <th scope="col">"Atlas total"</th><th scope="col">"Received"</th>
                            <th scope="col">"Result"</th>
                        </tr>
                    </thead>
                    <tbody>{totals}</tbody>
                </table>
            </div>
            <h3>"Usage"</h3>
            <p>{format!(
                "{} principals used in the last {} days, {} dormant (unused longer), {} with no usage data from Atlas.",
                u.active, u.dormant_after_days, u.dormant, u.no_data
            )}</p>
        </section>
    }
    .into_any()
}

#[component]
fn Requests(data: SnapshotDetail) -> impl IntoView {
    if data.requests_total == 0 {
        return view! { <p class="empty">"No Atlas request recorded yet."</p> }.into_any();
    }
    let id = data.summary.id;
    let pages = (data.requests_total + data.requests_page_size - 1) / data.requests_page_size;
    let page = data.requests_page;
    let rows = data
        .requests
        .into_iter()
        .map(|r| {
            let target = if r.query.is_empty() { r.path } else { format!("{}?{}", r.path, r.query) };
            view! {
                <tr>
                    <td class="num">{r.seq}</td>
                    <td><code>{r.operation}</code></td>
                    <td>{r.method}</td>
                    <td class="wrap"><code>{target}</code></td>
                    <td>{r.api_version}</td>
                    <td class="num">{r.attempt}</td>
                    <td class="num">{r.status.map(|s| s.to_string()).unwrap_or_else(|| "no answer".into())}</td>
                    <td class="num">{r.duration_ms}</td>
                    <td>{short_hash(r.response_sha256)}</td>
                </tr>
            }
        })
        .collect_view();
    let link = move |p: i64| format!("/snapshots/{id}?page={p}");
    view! {
        <section aria-labelledby="requests-heading">
            <h2 id="requests-heading">{format!("Request log ({} requests)", data.requests_total)}</h2>
            <div class="table-wrap">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">"#"</th><th scope="col">"Operation"</th><th scope="col">"Method"</th>
                            <th scope="col">"Path"</th><th scope="col">"API version"</th><th scope="col">"Attempt"</th>
                            <th scope="col">"Status"</th><th scope="col">"ms"</th><th scope="col">"Body SHA-256"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <nav aria-label="Request log pages" class="pager">
                {(page > 1).then(|| view! { <a href=link(page - 1) rel="prev">"Previous"</a> })}
                " " {format!("Page {page} of {}", pages.max(1))} " "
                {(page < pages).then(|| view! { <a href=link(page + 1) rel="next">"Next"</a> })}
            </nav>
        </section>
    }
    .into_any()
}
