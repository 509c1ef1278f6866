//! My reviews: every item assigned to the signed-in reviewer across active campaigns, grouped
//! by the person whose access it is, with progress, filters, bulk decisions and submitting.
//!
//! Every decision is a plain form post to a server function that redirects back here, so the
//! page works without JavaScript; keyboard shortcuts are an enhancement on top (see
//! [`shortcuts`]).

mod bulk;
mod item;
pub mod shortcuts;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

use crate::api::reviews::list_my_items;
use crate::model::campaign::{QueueCampaign, QueueFilter, ReviewItemView, ReviewQueue};
use crate::model::{Section, Viewer};
use crate::ui::components::access::{ErrorNote, NoAccess};
use crate::ui::components::form_error::FormErrors;
use crate::ui::components::pager::Pager;
use crate::ui::url::page_link;

/// Endpoints whose no-JavaScript errors this page shows.
const ENDPOINTS: &[&str] = &[
    "decide_item",
    "decide_items",
    "submit_reviews",
    "forward_item",
];

/// The reviewer's queue.
#[component]
pub fn MyReviewsPage() -> impl IntoView {
    let viewer = expect_context::<Viewer>();
    if !Section::MyReviews.visible_to(&viewer) {
        return view! { <NoAccess/> }.into_any();
    }
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        query.with(|q| {
            let text = |name: &str| q.get(name).filter(|v| !v.is_empty());
            QueueFilter {
                campaign: text("campaign").and_then(|c| Uuid::parse_str(&c).ok()),
                search: text("q"),
                state: text("state"),
                tier: text("tier"),
                flag: text("flag"),
                sort: text("sort"),
                page: text("page").and_then(|p| p.parse().ok()),
            }
        })
    });
    let queue = Resource::new(move || filter.get(), list_my_items);
    view! {
        <h1>"My reviews"</h1>
        <p>
            "Decide whether each person should keep each access. Decisions can be changed until "
            "you submit; submitting makes them final and revocations go to Atlas."
        </p>
        <FormErrors endpoints=ENDPOINTS/>
        <Outcome/>
        <Suspense fallback=|| view! { <p class="loading">"Loading your items…"</p> }>
            {move || Suspend::new(async move {
                match queue.await {
                    Ok(queue) => view! { <Queue queue filter=filter.get_untracked()/> }.into_any(),
                    Err(error) => view! { <ErrorNote error/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

/// What the last bulk decision or submission did, from the address it redirected to.
#[component]
fn Outcome() -> impl IntoView {
    let query = use_query_map();
    move || {
        query.with(|q| {
            let number = |name: &str| q.get(name).and_then(|v| v.parse::<i64>().ok());
            let mut lines = Vec::new();
            if let Some(decided) = number("bulk_decided") {
                let decision = match q.get("bulk_decision").as_deref() {
                    Some("revoke") => "Revoked",
                    _ => "Approved",
                };
                lines.push(format!("{decision} {decided} items in bulk."));
            }
            if let Some(skipped) = number("bulk_skipped").filter(|s| *s > 0) {
                lines.push(format!(
                    "{skipped} privileged items were left out: decide them one by one, or tick \
                     \"Include privileged items\"."
                ));
            }
            if let Some(submitted) = number("submitted") {
                lines.push(format!(
                    "Submitted {submitted} decisions. They are final; revocations become \
                     remediation work."
                ));
            }
            (!lines.is_empty()).then(|| {
                view! { <p class="notice" role="status">{lines.join(" ")}</p> }
            })
        })
    }
}

#[component]
fn Queue(queue: ReviewQueue, filter: QueueFilter) -> impl IntoView {
    if queue.reviewer.is_none() {
        return view! {
            <p class="empty">
                "Your email is not in the people directory, so nothing is assigned to you. An "
                "admin can import the roster on People."
            </p>
        }
        .into_any();
    }
    if queue.campaigns.is_empty() {
        return view! { <p class="empty">"Nothing to review. Items assigned to you will appear here."</p> }
            .into_any();
    }
    let open_shown: Vec<&ReviewItemView> = queue
        .items
        .iter()
        .filter(|i| i.decision.is_none() && !i.submitted)
        .collect();
    let open_ids: Vec<i64> = open_shown.iter().map(|i| i.id).collect();
    let open_privileged = open_shown.iter().filter(|i| i.is_privileged).count();
    let shown = queue.items.len() as i64;
    view! {
        <Progress campaigns=queue.campaigns.clone() total=queue.total decided=queue.decided submitted=queue.submitted/>
        <Filters filter=filter.clone()/>
        <shortcuts::ShortcutHelp/>
        <bulk::BulkForm open_ids open_privileged/>
        {if queue.items.is_empty() {
            view! { <p class="empty">"No items match these filters."</p> }.into_any()
        } else {
            view! { <Groups items=queue.items/> }.into_any()
        }}
        {(queue.page > 1 || queue.truncated).then(|| pager(&filter, queue.page, queue.page_size, shown, queue.truncated))}
    }
    .into_any()
}

/// Previous and next links over the filtered queue. Only whether a next page exists is known,
/// not how many pages there are, until the last: the filtered items are not counted.
fn pager(filter: &QueueFilter, page: i64, page_size: i64, shown: i64, more: bool) -> impl IntoView {
    let query = filter.to_query();
    let link = move |page: i64| page_link("/reviews", &query, page);
    let seen = (page - 1) * page_size + shown;
    let first = seen - shown + 1;
    let note = if shown == 0 {
        format!("No items on page {page}; the queue ends on an earlier page.")
    } else if more {
        format!("Items {first} to {seen}; more on the next page.")
    } else {
        format!("Items {first} to {seen} of {seen}.")
    };
    view! {
        <p class="notice" role="status">{note}</p>
        <Pager page page_size total=seen capped=more link/>
    }
}

/// Progress per campaign, due dates, and the submit button of each.
#[component]
fn Progress(
    campaigns: Vec<QueueCampaign>,
    total: i64,
    decided: i64,
    submitted: i64,
) -> impl IntoView {
    let rows = campaigns
        .into_iter()
        .map(|c| {
            let ready = c.decided - c.submitted;
            let label = format!("Submit {ready} decisions in {}", c.name);
            view! {
                <tr>
                    <th scope="row"><a href=format!("/reviews?campaign={}", c.id)>{c.name.clone()}</a></th>
                    <td>{c.due_date.clone()}</td>
                    <td class="num">{c.items}</td>
                    <td class="num">{c.decided}</td>
                    <td class="num">{c.submitted}</td>
                    <td class="actions">
                        {(ready > 0).then(|| view! {
                            <form method="post" action="/api/submit_reviews" class="inline">
                                <input type="hidden" name="campaign_id" value=c.id.to_string()/>
                                <button type="submit" class="primary" aria-label=label>
                                    {format!("Submit {ready} decisions")}
                                </button>
                            </form>
                        })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="progress-heading">
            <h2 id="progress-heading">"Progress"</h2>
            <p class="progress-line">
                <progress max=total.max(1) value=decided aria-label="Items decided"></progress>
                " " {format!("{decided} of {total} decided, {submitted} submitted")}
            </p>
            <div class="table-wrap">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">"Campaign"</th><th scope="col">"Due"</th>
                            <th scope="col">"Items"</th><th scope="col">"Decided"</th>
                            <th scope="col">"Submitted"</th><th scope="col">"Submit"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

/// Filters and sorting, as a GET form.
#[component]
fn Filters(filter: QueueFilter) -> impl IntoView {
    let option = |value: &'static str, label: &'static str, current: &Option<String>| {
        let selected = current.as_deref() == Some(value);
        view! { <option value=value selected=selected>{label}</option> }
    };
    view! {
        <form method="get" action="/reviews" class="filters" role="search" aria-label="Filter items">
            {filter.campaign.map(|c| view! { <input type="hidden" name="campaign" value=c.to_string()/> })}
            <label>"Search" <input type="search" name="q" value=filter.search.clone().unwrap_or_default()/></label>
            <label>"State"
                <select name="state">
                    <option value="">"All"</option>
                    {option("open", "Undecided", &filter.state)}
                    {option("decided", "Decided, not submitted", &filter.state)}
                    {option("submitted", "Submitted", &filter.state)}
                </select>
            </label>
            <label>"Tier"
                <select name="tier">
                    <option value="">"All"</option>
                    {option("admin", "Admin", &filter.tier)}
                    {option("write", "Write", &filter.tier)}
                    {option("read", "Read", &filter.tier)}
                </select>
            </label>
            <label>"Risk"
                <select name="flag">
                    <option value="">"Any"</option>
                    {option("leaver", "Leavers", &filter.flag)}
                    {option("dormant", "Dormant", &filter.flag)}
                    {option("orphan", "Orphans", &filter.flag)}
                    {option("privileged", "Privileged", &filter.flag)}
                    {option("new", "New since last campaign", &filter.flag)}
                </select>
            </label>
            <label>"Sort"
                <select name="sort">
                    {option("person", "Person", &filter.sort)}
                    {option("risk", "Riskiest first", &filter.sort)}
                    {option("project", "Project", &filter.sort)}
                    {option("role", "Role", &filter.sort)}
                </select>
            </label>
            <button type="submit">"Apply"</button>
            <a href="/reviews">"Clear"</a>
        </form>
    }
}

/// Items grouped by the person whose access they are, in the order the server sorted them.
#[component]
fn Groups(items: Vec<ReviewItemView>) -> impl IntoView {
    let mut groups: Vec<(String, Vec<ReviewItemView>)> = Vec::new();
    for item in items {
        let who = item
            .person_name
            .clone()
            .unwrap_or_else(|| format!("{} (nobody in the directory)", item.principal_name));
        match groups.last_mut() {
            Some((name, members)) if *name == who => members.push(item),
            _ => groups.push((who, vec![item])),
        }
    }
    groups
        .into_iter()
        .enumerate()
        .map(|(n, (who, members))| {
            let decided = members.iter().filter(|i| i.decision.is_some()).count();
            let heading = format!("group-{n}");
            let labelled_by = heading.clone();
            let count = members.len();
            let cards = members
                .into_iter()
                .map(|item| view! { <item::ItemCard item/> })
                .collect_view();
            view! {
                <section class="person-group" aria-labelledby=labelled_by>
                    <h2 id=heading>{who} " " <span class="group-progress">{format!("{decided} of {count} decided")}</span></h2>
                    {cards}
                </section>
            }
        })
        .collect_view()
}
