//! Scheduled campaigns (admins only): the templates with their schedules, pause, resume and
//! delete forms, and the create form, which is the campaign form with a schedule in place of
//! the due date. Every action is a plain form post, so it works without JavaScript.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::new::{CampaignFormView, Problems, form_values};
use crate::api::campaigns::list_connected_orgs;
use crate::api::templates::list_campaign_templates;
use crate::model::Viewer;
use crate::model::campaign::CampaignTemplateSummary;
use crate::ui::components::access::{ErrorNote, NoAccess};
use crate::ui::components::form_error::FormErrors;

/// The templates page.
#[component]
pub fn CampaignTemplatesPage() -> impl IntoView {
    let viewer = expect_context::<Viewer>();
    if !viewer.is_admin() {
        return view! { <NoAccess/> }.into_any();
    }
    let (values, problems) = form_values(&["every_months", "starts_on", "review_days"]);
    let notice = use_query_map().with_untracked(|q| {
        if q.get("created").is_some() {
            Some("The template was created.".to_owned())
        } else {
            q.get("changed").map(|what| match what.as_str() {
                "pause" => "The template was paused.".to_owned(),
                "resume" => "The template was resumed.".to_owned(),
                _ => "The template was deleted; the drafts it created stay.".to_owned(),
            })
        }
    });
    let templates = Resource::new(|| (), |_| list_campaign_templates());
    let orgs = Resource::new(|| (), |_| list_connected_orgs());
    view! {
        <h1>"Scheduled campaigns"</h1>
        <p>
            "A template creates a draft campaign on its schedule (quarterly unless you say \
             otherwise) with the scope, settings and reviewer rules below. Each draft waits on "
            <a href="/campaigns">"Campaigns"</a>
            " for an admin to preview and launch it."
        </p>
        {notice.map(|text| view! { <p class="notice" role="status">{text}</p> })}
        <FormErrors endpoints=&["pause_campaign_template", "delete_campaign_template"]/>
        <Suspense fallback=|| view! { <p class="loading">"Loading templates…"</p> }>
            {move || Suspend::new(async move {
                match templates.await {
                    Ok(rows) => view! { <TemplateTable rows/> }.into_any(),
                    Err(error) => view! { <ErrorNote error/> }.into_any(),
                }
            })}
        </Suspense>
        <section aria-labelledby="new-template-heading">
            <h2 id="new-template-heading">"New template"</h2>
            <FormErrors endpoints=&["create_campaign_template"]/>
            <Problems problems heading="The template was not created"/>
            <Suspense fallback=|| view! { <p class="loading">"Loading organizations…"</p> }>
                {move || {
                    let values = values.clone();
                    Suspend::new(async move {
                        match orgs.await {
                            Ok(orgs) => view! { <CampaignFormView orgs values scheduled=true/> }.into_any(),
                            Err(error) => view! { <ErrorNote error/> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </section>
    }
    .into_any()
}

fn every(months: i32) -> String {
    match months {
        1 => "Every month".to_owned(),
        3 => "Quarterly".to_owned(),
        12 => "Yearly".to_owned(),
        n => format!("Every {n} months"),
    }
}

#[component]
fn TemplateTable(rows: Vec<CampaignTemplateSummary>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="empty">"No scheduled campaigns yet."</p> }.into_any();
    }
    let body = rows
        .into_iter()
        .map(|t| {
            let id = t.id.to_string();
            let (action, label) = if t.paused {
                ("resume", "Resume")
            } else {
                ("pause", "Pause")
            };
            let latest = match t.last_campaign {
                Some((campaign, name)) => {
                    view! { <a href=format!("/campaigns/{campaign}")>{name}</a> }.into_any()
                }
                None => view! { "none yet" }.into_any(),
            };
            let status = if t.paused { "Paused" } else { "Active" };
            view! {
                <tr>
                    <th scope="row">{t.name.clone()}</th>
                    <td>{t.org_ids.join(", ")} <br/> <span class="hint">{t.principal_kinds.join(", ")}</span></td>
                    <td>{format!("{} from {}; due {} days after each draft", every(t.every_months), t.starts_on, t.review_days)}</td>
                    <td>{if t.paused { "—".to_owned() } else { t.next_run_on.clone() }}</td>
                    <td>{latest}</td>
                    <td>
                        {status}
                        {t.last_error.map(|e| view! { <br/> <span class="error">{format!("Latest draft refused: {e}")}</span> })}
                    </td>
                    <td>
                        <form method="post" action="/api/pause_campaign_template" class="inline">
                            <input type="hidden" name="template_id" value=id.clone()/>
                            <input type="hidden" name="action" value=action/>
                            <button type="submit">{label} <span class="visually-hidden">{format!(" {}", t.name)}</span></button>
                        </form>
                        <form method="post" action="/api/delete_campaign_template" class="inline">
                            <input type="hidden" name="template_id" value=id/>
                            <button type="submit">"Delete" <span class="visually-hidden">{format!(" {}", t.name)}</span></button>
                        </form>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table>
            <caption>"Campaign templates"</caption>
            <thead>
                <tr>
                    <th scope="col">"Template"</th>
                    <th scope="col">"Scope"</th>
                    <th scope="col">"Schedule"</th>
                    <th scope="col">"Next draft"</th>
                    <th scope="col">"Latest draft"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Actions"</th>
                </tr>
            </thead>
            <tbody>{body}</tbody>
        </table>
    }
    .into_any()
}
