//! The difference between two complete snapshots of one org: entitlements added, removed and
//! changed, counted in full and listed a page at a time from the server.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

use crate::api::snapshots::diff_snapshots;
use crate::model::snapshot::DiffPage;
use crate::model::{Section, Viewer};
use crate::ui::components::access::{ErrorNote, NoAccess};

/// `/snapshots/diff?from=ID&to=ID[&only=added|removed|changed][&page=N]`.
#[component]
pub fn SnapshotDiffPage() -> impl IntoView {
    let viewer = expect_context::<Viewer>();
    if !Section::Snapshots.visible_to(&viewer) {
        return view! { <NoAccess/> }.into_any();
    }
    let query = use_query_map();
    let ids = query.with_untracked(|q| {
        let id = |name: &str| q.get(name).and_then(|v| Uuid::parse_str(&v).ok());
        id("from").zip(id("to"))
    });
    let Some((from, to)) = ids else {
        return view! {
            <h1>"Compare snapshots"</h1>
            <p class="error" role="alert">"Choose two snapshots to compare on the Snapshots page (from and to)."</p>
        }
        .into_any();
    };
    let args = Memo::new(move |_| {
        query.with(|q| {
            (
                q.get("only").unwrap_or_default(),
                q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1),
            )
        })
    });
    let diff = Resource::new(
        move || args.get(),
        move |(only, page)| diff_snapshots(from, to, only, page),
    );
    view! {
        <p><a href="/snapshots">"← All snapshots"</a></p>
        <h1>"What changed between two snapshots"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Comparing…"</p> }>
            {move || Suspend::new(async move {
                match diff.await {
                    Ok(data) => view! { <Changes data only=args.get_untracked().0/> }.into_any(),
                    Err(error) => view! { <ErrorNote error/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Changes(data: DiffPage, only: String) -> impl IntoView {
    let (from, to) = (data.from.id, data.to.id);
    let base = format!("/snapshots/diff?from={from}&to={to}");
    let filter = |label: &'static str, value: &'static str, count: i64| {
        let href = if value.is_empty() {
            base.clone()
        } else {
            format!("{base}&only={value}")
        };
        let current = (only == value).then_some("page");
        view! { <li><a href=href aria-current=current>{format!("{label} ({count})")}</a></li> }
    };
    let filters = view! {
        <ul class="filters-list" id="diff-counts">
            {filter("All", "", data.added + data.removed + data.changed)}
            {filter("Added", "added", data.added)}
            {filter("Removed", "removed", data.removed)}
            {filter("Changed", "changed", data.changed)}
        </ul>
    };
    let rows = data
        .rows
        .into_iter()
        .map(|r| {
            let tier = match (r.tier_before, r.tier_after) {
                (Some(a), Some(b)) if a != b => format!("{a} → {b}"),
                (_, Some(b)) => b,
                (Some(a), None) => a,
                (None, None) => String::new(),
            };
            let class = format!("change-{}", r.change);
            view! {
                <tr class=class>
                    <td>{r.change}</td>
                    <th scope="row" class="wrap"><code>{r.key}</code></th>
                    <td class="wrap"><code>{r.principal_key}</code></td>
                    <td>{r.role}</td>
                    <td>{r.project_id.unwrap_or_default()}</td>
                    <td>{tier}</td>
                    <td>{r.fields.join(", ")}</td>
                </tr>
            }
        })
        .collect_view();
    let pages = (data.total + data.page_size - 1) / data.page_size;
    let page = data.page;
    let page_base = if only.is_empty() {
        base.clone()
    } else {
        format!("{base}&only={only}")
    };
    let link = move |p: i64| format!("{page_base}&page={p}");
    view! {
        <p>
            {format!("From {} ({}) to {} ({}), organization {}.",
                data.from.started_at, data.from.status, data.to.started_at, data.to.status, data.to.org_name)}
        </p>
        {filters}
        {if data.total == 0 {
            view! { <p class="empty">"No differences."</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table>
                        <thead>
                            <tr>
                                <th scope="col">"Change"</th><th scope="col">"Entitlement"</th>
                                <th scope="col">"Principal"</th><th scope="col">"Role"</th>
                                <th scope="col">"Project"</th><th scope="col">"Tier"</th>
                                <th scope="col">"Changed fields"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
                <nav aria-label="Pages" class="pager">
                    {(page > 1).then(|| view! { <a href=link(page - 1) rel="prev">"Previous"</a> })}
                    " " {format!("Page {page} of {}", pages.max(1))} " "
                    {(page < pages).then(|| view! { <a href=link(page + 1) rel="next">"Next"</a> })}
                </nav>
            }.into_any()
        }}
    }
}
