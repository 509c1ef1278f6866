//! The audit log page: filters in the URL (a plain GET form), keyset paging backwards in time.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::audit::list_audit_events;
use crate::model::{AuditFilter, AuditPage as Page, Section, Viewer};
use crate::ui::components::access::{ErrorNote, NoAccess};
use crate::ui::url::urlencode;

/// Lists audit events for admins and auditors.
#[component]
pub fn AuditPage() -> impl IntoView {
    let viewer = expect_context::<Viewer>();
    if !Section::Audit.visible_to(&viewer) {
        return view! { <NoAccess/> }.into_any();
    }
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        query.with(|q| {
            let text = |key: &str| q.get(key).filter(|v| !v.trim().is_empty());
            AuditFilter {
                actor: text("actor"),
                action: text("action"),
                object: text("object"),
                from: text("from"),
                until: text("until"),
                before_seq: q.get("before_seq").and_then(|v| v.parse().ok()),
            }
        })
    });
    let events = Resource::new(move || filter.get(), list_audit_events);
    view! {
        <h1>"Audit log"</h1>
        <p>"Every change in Attest, append-only and hash-chained. Newest first."</p>
        <FilterForm filter=filter.get_untracked()/>
        <Suspense fallback=|| view! { <p class="loading">"Loading events…"</p> }>
            {move || Suspend::new(async move {
                match events.await {
                    Ok(page) => view! { <EventTable page filter=filter.get_untracked()/> }.into_any(),
                    Err(error) => view! { <ErrorNote error/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn FilterForm(filter: AuditFilter) -> impl IntoView {
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    view! {
        <form method="get" action="/audit" class="filters" aria-label="Filter audit events">
            <label>"Actor" <input type="search" name="actor" value=value(&filter.actor)/></label>
            <label>"Action" <input type="search" name="action" value=value(&filter.action)/></label>
            <label>"Object" <input type="search" name="object" value=value(&filter.object)/></label>
            <label>"From" <input type="date" name="from" value=value(&filter.from)/></label>
            <label>"Until" <input type="date" name="until" value=value(&filter.until)/></label>
            <button type="submit">"Filter"</button>
            <a href="/audit">"Clear"</a>
        </form>
    }
}

#[component]
fn EventTable(page: Page, filter: AuditFilter) -> impl IntoView {
    if page.events.is_empty() {
        return view! { <p class="empty">"No events match these filters."</p> }.into_any();
    }
    let next = page.next_before_seq.map(|seq| {
        let mut params = vec![format!("before_seq={seq}")];
        for (key, v) in [
            ("actor", &filter.actor),
            ("action", &filter.action),
            ("object", &filter.object),
            ("from", &filter.from),
            ("until", &filter.until),
        ] {
            if let Some(v) = v {
                params.push(format!("{key}={}", urlencode(v)));
            }
        }
        format!("/audit?{}", params.join("&"))
    });
    let rows = page
        .events
        .into_iter()
        .map(|e| {
            view! {
                <tr>
                    <td class="num">{e.seq}</td>
                    <td>{e.occurred_at}</td>
                    <td>{e.actor}</td>
                    <td><code>{e.action}</code></td>
                    <td>{e.object_kind} ":" {e.object_id}</td>
                    <td class="details"><code>{e.details}</code></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table>
                <caption class="visually-hidden">"Audit events"</caption>
                <thead>
                    <tr>
                        <th scope="col">"#"</th>
                        <th scope="col">"When"</th>
                        <th scope="col">"Actor"</th>
                        <th scope="col">"Action"</th>
                        <th scope="col">"Object"</th>
                        <th scope="col">"Details"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {next.map(|href| view! { <p><a href=href rel="next">"Older events"</a></p> })}
    }
    .into_any()
}
