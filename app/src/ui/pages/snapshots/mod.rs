//! The Snapshots pages: the list with "take a snapshot now" ([`SnapshotsPage`]), one
//! snapshot with its evidence and live progress ([`detail`]), and the diff between two
//! snapshots of an org ([`diff`]). Server-rendered; the one form posts to
//! `/snapshots/take` and works without JavaScript.

pub mod detail;
pub mod diff;

use leptos::prelude::*;

use crate::api::snapshots::list_snapshots;
use crate::model::snapshot::{SnapshotList, SnapshotSummary};
use crate::model::{Section, Viewer};
use crate::ui::components::access::{ErrorNote, NoAccess};

pub use detail::SnapshotPage;
pub use diff::SnapshotDiffPage;

/// A status as a badge: running, complete or failed.
#[component]
pub fn StatusBadge(status: String) -> impl IntoView {
    let class = match status.as_str() {
        "complete" => "badge ok",
        "failed" => "badge danger",
        _ => "badge warn",
    };
    view! { <span class=class>{status}</span> }
}

/// The first 12 characters of a hash, with the whole hash as its title.
pub fn short_hash(hash: Option<String>) -> impl IntoView {
    hash.map(|h| {
        let short = h.chars().take(12).collect::<String>();
        view! { <code title=h>{short}</code> }
    })
}

/// Milliseconds as seconds with one decimal.
pub fn seconds(ms: Option<i64>) -> String {
    ms.map(|ms| format!("{:.1} s", ms as f64 / 1000.0))
        .unwrap_or_default()
}

/// Lists snapshots (admins and auditors); admins can take one now.
#[component]
pub fn SnapshotsPage() -> impl IntoView {
    let viewer = expect_context::<Viewer>();
    if !Section::Snapshots.visible_to(&viewer) {
        return view! { <NoAccess/> }.into_any();
    }
    let list = Resource::new(|| (), |_| list_snapshots());
    let is_admin = viewer.is_admin();
    view! {
        <h1>"Snapshots"</h1>
        <p>
            "Each snapshot is one complete read of an Atlas organization: who can reach what, "
            "with the requests that read it. A snapshot is complete or failed, never partial."
        </p>
        <Suspense fallback=|| view! { <p class="loading">"Loading snapshots…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(data) => view! { <Listing data is_admin/> }.into_any(),
                    Err(error) => view! { <ErrorNote error/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn TakeForm(orgs: Vec<(String, String)>) -> impl IntoView {
    let choice = (orgs.len() > 1).then(|| {
        let options = orgs
            .into_iter()
            .map(
                |(id, name)| view! { <option value=id.clone()>{format!("{name} ({id})")}</option> },
            )
            .collect_view();
        view! { <label>"Organization " <select name="org_id">{options}</select></label> }
    });
    view! {
        <form method="post" action="/snapshots/take" class="filters">
            {choice}
            <button type="submit" class="primary">"Take a snapshot now"</button>
        </form>
    }
}

#[component]
fn Listing(data: SnapshotList, is_admin: bool) -> impl IntoView {
    let take = is_admin.then(|| view! { <TakeForm orgs=data.orgs.clone()/> });
    if data.snapshots.is_empty() {
        return view! { {take} <p class="empty">"No snapshot has been taken yet."</p> }.into_any();
    }
    let compare = view! { <CompareForm snapshots=data.snapshots.clone()/> };
    let rows = data.snapshots.into_iter().map(row).collect_view();
    view! {
        {take}
        {compare}
        <div class="table-wrap">
            <table>
                <thead>
                    <tr>
                        <th scope="col">"Started"</th><th scope="col">"Organization"</th>
                        <th scope="col">"Status"</th><th scope="col">"Principals"</th>
                        <th scope="col">"Entitlements"</th><th scope="col">"Duration"</th>
                        <th scope="col">"Content SHA-256"</th><th scope="col">"Started by"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Choose any two complete snapshots to compare (a plain GET form).
#[component]
fn CompareForm(snapshots: Vec<SnapshotSummary>) -> impl IntoView {
    let complete: Vec<SnapshotSummary> = snapshots
        .into_iter()
        .filter(|s| s.status == "complete")
        .collect();
    if complete.len() < 2 {
        return ().into_any();
    }
    let options = move |selected: usize| {
        complete
            .iter()
            .enumerate()
            .map(|(i, s)| {
                view! {
                    <option value=s.id.to_string() selected=i == selected>
                        {format!("{} · {}", s.started_at, s.org_name)}
                    </option>
                }
            })
            .collect_view()
    };
    view! {
        <form method="get" action="/snapshots/diff" class="filters">
            <label>"From " <select name="from">{options(1)}</select></label>
            <label>"To " <select name="to">{options(0)}</select></label>
            <button type="submit">"Compare"</button>
        </form>
    }
    .into_any()
}

fn row(s: SnapshotSummary) -> impl IntoView {
    let href = format!("/snapshots/{}", s.id);
    view! {
        <tr>
            <th scope="row"><a href=href>{s.started_at}</a></th>
            <td>{s.org_name}</td>
            <td><StatusBadge status=s.status/></td>
            <td class="num">{s.principals}</td>
            <td class="num">{s.entitlements}</td>
            <td class="num">{seconds(s.duration_ms)}</td>
            <td>{short_hash(s.content_sha256)}</td>
            <td>{s.started_by}</td>
        </tr>
    }
}
