//! Campaign pages for admins (and auditors, who read): the list, the create form, and one
//! campaign's page with its preview, launch, dashboard, reassignment, close and sign-off.
//! Every action is a plain form post to a server function, so it works without JavaScript.

mod dashboard;
mod detail;
mod manage;
mod new;
mod preview;
mod templates;

pub use detail::CampaignPage;
pub use new::NewCampaignPage;
pub use templates::CampaignTemplatesPage;

use leptos::prelude::*;

use crate::api::campaigns::list_campaigns;
use crate::model::campaign::CampaignSummary;
use crate::model::{Section, Viewer};
use crate::ui::components::access::{ErrorNote, NoAccess};

/// A status in words.
pub(crate) fn status_words(status: &str) -> &str {
    match status {
        "draft" => "Draft",
        "active" => "Active",
        "closed" => "Closed",
        "signed_off" => "Signed off",
        other => other,
    }
}

/// Every campaign with its status, progress and due date.
#[component]
pub fn CampaignsPage() -> impl IntoView {
    let viewer = expect_context::<Viewer>();
    if !Section::Campaigns.visible_to(&viewer) {
        return view! { <NoAccess/> }.into_any();
    }
    let campaigns = Resource::new(|| (), |_| list_campaigns());
    view! {
        <h1>"Campaigns"</h1>
        <p>"Each campaign reviews the access in one frozen snapshot per organization."</p>
        {viewer.is_admin().then(|| view! {
            <p>
                <a class="button primary" href="/campaigns/new">"New campaign"</a>
                " "
                <a class="button" href="/campaigns/templates">"Scheduled campaigns"</a>
            </p>
        })}
        <Suspense fallback=|| view! { <p class="loading">"Loading campaigns…"</p> }>
            {move || Suspend::new(async move {
                match campaigns.await {
                    Ok(rows) => view! { <CampaignTable rows/> }.into_any(),
                    Err(error) => view! { <ErrorNote error/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn CampaignTable(rows: Vec<CampaignSummary>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="empty">"No campaigns yet."</p> }.into_any();
    }
    let body = rows
        .into_iter()
        .map(|c| {
            let percent = (100 * c.decided).checked_div(c.items).unwrap_or(0);
            view! {
                <tr>
                    <th scope="row"><a href=format!("/campaigns/{}", c.id)>{c.name}</a></th>
                    <td>{status_words(&c.status).to_owned()}</td>
                    <td>{c.due_date}</td>
                    <td class="num">{c.items}</td>
                    <td class="num">{format!("{} ({percent} %)", c.decided)}</td>
                    <td class="num">{c.submitted}</td>
                    <td class="num">{c.revoked}</td>
                    <td>{c.created_at}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th><th scope="col">"Status"</th><th scope="col">"Due"</th>
                        <th scope="col">"Items"</th><th scope="col">"Decided"</th>
                        <th scope="col">"Submitted"</th><th scope="col">"Revoked"</th>
                        <th scope="col">"Created"</th>
                    </tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
    .into_any()
}
