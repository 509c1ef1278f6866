//! Admin actions on a running or closed campaign: reassigning items with a reason, closing,
//! and signing off with an attestation.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

use crate::api::campaigns::list_campaign_items;
use crate::model::campaign::{CampaignDetail, CampaignItems};
use crate::ui::components::access::ErrorNote;
use crate::ui::url::urlencode;

/// Items of the campaign, filtered by reviewer or text, with a reassign form over the ticked
/// ones.
#[component]
pub fn Reassign(id: Uuid) -> impl IntoView {
    let query = use_query_map();
    let (reviewer, search, page) = query.with_untracked(|q| {
        (
            q.get("reviewer").unwrap_or_default(),
            q.get("q").unwrap_or_default(),
            q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1),
        )
    });
    let items = {
        let (reviewer, search) = (reviewer.clone(), search.clone());
        Resource::new(
            move || (),
            move |_| list_campaign_items(id, reviewer.clone(), search.clone(), page),
        )
    };
    view! {
        <section aria-labelledby="reassign-heading">
            <h2 id="reassign-heading">"Reassign items"</h2>
            <form method="get" action=format!("/campaigns/{id}") class="filters" role="search" aria-label="Find items">
                <label>"Reviewer email" <input type="search" name="reviewer" value=reviewer.clone()/></label>
                <label>"Search" <input type="search" name="q" value=search.clone()/></label>
                <button type="submit">"Find"</button>
            </form>
            <Suspense fallback=|| view! { <p class="loading">"Loading items…"</p> }>
                {move || {
                    let (reviewer, search) = (reviewer.clone(), search.clone());
                    Suspend::new(async move {
                        match items.await {
                            Ok(items) => view! { <ItemsForm id items reviewer search/> }.into_any(),
                            Err(error) => view! { <ErrorNote error/> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn ItemsForm(id: Uuid, items: CampaignItems, reviewer: String, search: String) -> impl IntoView {
    if items.items.is_empty() {
        return view! { <p class="empty">"No items match."</p> }.into_any();
    }
    let pages = (items.total + items.page_size - 1) / items.page_size;
    let link = move |page: i64| {
        format!(
            "/campaigns/{id}?reviewer={}&q={}&page={page}",
            urlencode(&reviewer),
            urlencode(&search)
        )
    };
    let rows = items
        .items
        .into_iter()
        .map(|i| {
            let label = format!("Select {} {} for {}", i.principal, i.role, i.person);
            view! {
                <tr>
                    <td>
                        {(!i.submitted).then(|| view! {
                            <input type="checkbox" name=format!("item_ids[{}]", i.id) value=i.id.to_string() aria-label=label/>
                        })}
                    </td>
                    <th scope="row">{i.person}</th>
                    <td>{i.principal}</td>
                    <td>{i.project.unwrap_or_default()}</td>
                    <td><code>{i.role}</code> " (" {i.tier} ")"</td>
                    <td>{i.reviewer_email}</td>
                    <td>{i.routing_rule}</td>
                    <td>{match (i.decision, i.submitted) {
                        (Some(d), true) => format!("{d}, submitted"),
                        (Some(d), false) => d,
                        (None, _) => "undecided".into(),
                    }}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <form method="post" action="/api/reassign_items" class="reassign">
            <p>{format!("{} items match. Tick the ones to move; submitted items cannot move.", items.total)}</p>
            <div class="table-wrap">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">"Select"</th><th scope="col">"Person"</th>
                            <th scope="col">"Principal"</th><th scope="col">"Project"</th>
                            <th scope="col">"Role"</th><th scope="col">"Reviewer"</th>
                            <th scope="col">"Rule"</th><th scope="col">"Decision"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <div class="filters">
                <label>"New reviewer's email" <input type="email" name="to_email" required/></label>
                <label>"Reason (required)" <input type="text" name="reason" required/></label>
                <button type="submit" class="primary">"Reassign selected"</button>
            </div>
        </form>
        <nav aria-label="Pages" class="pager">
            {(items.page > 1).then(|| view! { <a href=link(items.page - 1) rel="prev">"Previous"</a> })}
            " " {format!("Page {} of {}", items.page, pages.max(1))} " "
            {(items.page < pages).then(|| view! { <a href=link(items.page + 1) rel="next">"Next"</a> })}
        </nav>
    }
    .into_any()
}

/// Closes the campaign; undecided items get the configured outcome.
#[component]
pub fn CloseForm(id: Uuid, outcome: String) -> impl IntoView {
    let what = if outcome == "revoke" {
        "revoked"
    } else {
        "kept"
    };
    view! {
        <section aria-labelledby="close-heading">
            <h2 id="close-heading">"Close the campaign"</h2>
            <p>{format!("Closing ends reviewing. Items still undecided are {what}, recorded as the campaign's outcome for undecided items; decided items are submitted.")}</p>
            <form method="post" action="/api/close_campaign">
                <input type="hidden" name="campaign_id" value=id.to_string()/>
                <button type="submit">"Close campaign"</button>
            </form>
        </section>
    }
}

/// The control owner's sign-off of a closed campaign.
#[component]
pub fn SignOffForm(id: Uuid, name: String) -> impl IntoView {
    let text = format!(
        "I have reviewed the results of the access review \"{name}\". Every entitlement in \
         scope was decided by an appropriate reviewer or given the recorded outcome for \
         undecided items, and revocations are tracked to completion."
    );
    view! {
        <section aria-labelledby="signoff-heading">
            <h2 id="signoff-heading">"Sign off"</h2>
            <p>"The attestation is stored with your name, the time, and a hash of the campaign's items and decisions."</p>
            <form method="post" action="/api/sign_off_campaign">
                <input type="hidden" name="campaign_id" value=id.to_string()/>
                <label for="attestation">"Attestation"</label>
                <textarea id="attestation" name="attestation" rows="4" required>{text}</textarea>
                <button type="submit" class="primary">"Sign off"</button>
            </form>
        </section>
    }
}

/// The stored sign-off.
#[component]
pub fn SignedOff(detail: CampaignDetail) -> impl IntoView {
    detail.signoff.map(|s| {
        view! {
            <section aria-labelledby="signedoff-heading">
                <h2 id="signedoff-heading">"Signed off"</h2>
                <blockquote class="attestation">{s.attestation}</blockquote>
                <p>{format!("Signed by {} on {}. State SHA-256 ", s.signed_by, s.signed_at)} <code>{s.state_sha256}</code></p>
            </section>
        }
    })
}
