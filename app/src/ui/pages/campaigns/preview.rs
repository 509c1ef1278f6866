//! A draft's preview — what launching would create — and the launch button.

use leptos::prelude::*;
use uuid::Uuid;

use crate::api::campaigns::preview_campaign;
use crate::model::campaign::{CampaignPreview, LabelledCount};
use crate::ui::components::access::ErrorNote;

/// Computes the preview on every page load (it changes nothing) and offers the launch.
#[component]
pub fn Preview(id: Uuid) -> impl IntoView {
    let preview = Resource::new(move || (), move |_| preview_campaign(id));
    view! {
        <section aria-labelledby="preview-heading">
            <h2 id="preview-heading">"Preview"</h2>
            <Suspense fallback=|| view! { <p class="loading">"Computing the preview…"</p> }>
                {move || Suspend::new(async move {
                    match preview.await {
                        Ok(preview) => view! { <PreviewBody id preview/> }.into_any(),
                        Err(error) => view! { <ErrorNote error/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

fn counts(caption: &'static str, first: &'static str, rows: Vec<LabelledCount>) -> impl IntoView {
    let body = rows
        .into_iter()
        .map(|c| view! { <tr><th scope="row">{c.label}</th><td class="num">{c.count}</td></tr> })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table>
                <caption>{caption}</caption>
                <thead><tr><th scope="col">{first}</th><th scope="col">"Items"</th></tr></thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}

#[component]
fn PreviewBody(id: Uuid, preview: CampaignPreview) -> impl IntoView {
    let snapshots = preview
        .snapshots
        .iter()
        .map(|s| view! { <li>{s.clone()}</li> })
        .collect_view();
    let blocked = !preview.blockers.is_empty();
    let blockers = preview
        .blockers
        .iter()
        .map(|b| view! { <li>{b.clone()}</li> })
        .collect_view();
    let warnings = preview
        .warnings
        .iter()
        .map(|w| view! { <li>{w.clone()}</li> })
        .collect_view();
    let moves = preview
        .self_review_moves
        .iter()
        .map(|m| {
            view! {
                <tr>
                    <th scope="row">{m.principal.clone()}</th>
                    <td><code>{m.entitlement_key.clone()}</code></td>
                    <td>{m.reviewer.clone()}</td>
                    <td>{m.reason.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <ul>{snapshots}</ul>
        {blocked.then(|| view! {
            <div class="error-summary" role="alert">
                <h3>"Launch is not possible"</h3>
                <ul>{blockers}</ul>
            </div>
        })}
        <p class="preview-total">{format!("{} items would be created; {} orphans go to the fallback reviewers.", preview.total_items, preview.orphans_to_fallback)}</p>
        {counts("Population per principal kind", "Kind", preview.population_by_kind)}
        {counts("Items per reviewer", "Reviewer", preview.items_per_reviewer)}
        {counts("Items per routing rule", "Rule", preview.items_by_rule)}
        <h3>{format!("Self-review reassignments ({})", preview.self_review_total)}</h3>
        {if preview.self_review_moves.is_empty() {
            view! { <p class="empty">"Nobody would review their own access."</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table>
                        <thead><tr><th scope="col">"Principal"</th><th scope="col">"Entitlement"</th><th scope="col">"Goes to"</th><th scope="col">"Reason"</th></tr></thead>
                        <tbody>{moves}</tbody>
                    </table>
                </div>
            }.into_any()
        }}
        <h3>"Warnings"</h3>
        {if preview.warnings.is_empty() {
            view! { <p class="empty">"None."</p> }.into_any()
        } else {
            view! { <ul class="warnings">{warnings}</ul> }.into_any()
        }}
        <form method="post" action="/api/launch_campaign">
            <input type="hidden" name="campaign_id" value=id.to_string()/>
            <button type="submit" class="primary" disabled=blocked>"Launch campaign"</button>
        </form>
    }
}
