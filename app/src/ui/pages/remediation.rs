//! The remediation queue (admins act, auditors read): global switches, alerts, each
//! campaign's changes by status with the release form, and every job with its Atlas request
//! and response. Every form is a plain POST that works without JavaScript.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::remediation::{
    ActOnRemediationJob, ReleaseRemediation, SetRemediationSwitches, load_remediation_queue,
};
use crate::model::remediation::{CampaignRemediation, JobRow, RemediationQueue};
use crate::model::{Role, Section, Viewer};
use crate::ui::components::access::{ErrorNote, NoAccess};

/// Statuses an admin can filter on, in the order a job moves through them.
const STATUSES: &[&str] = &[
    "awaiting_approval",
    "pending",
    "running",
    "done",
    "awaiting_snapshot",
    "verified",
    "needs_manual",
    "failed",
    "reopened",
    "dry_run",
    "cancelled",
];

/// The queue page.
#[component]
pub fn RemediationPage() -> impl IntoView {
    let viewer = expect_context::<Viewer>();
    if !Section::Remediation.visible_to(&viewer) {
        return view! { <NoAccess/> }.into_any();
    }
    let admin = viewer.has(Role::Admin);
    let query = use_query_map();
    let status = Memo::new(move |_| query.with(|q| q.get("status").filter(|s| !s.is_empty())));
    let act = ServerAction::<ActOnRemediationJob>::new();
    let release = ServerAction::<ReleaseRemediation>::new();
    let switches = ServerAction::<SetRemediationSwitches>::new();
    let queue = Resource::new(
        move || {
            (
                status.get(),
                act.version().get(),
                release.version().get(),
                switches.version().get(),
            )
        },
        |(status, ..)| load_remediation_queue(status),
    );
    let error = move || {
        act.value()
            .get()
            .and_then(Result::err)
            .or_else(|| release.value().get().and_then(|r| r.err()))
            .or_else(|| switches.value().get().and_then(Result::err))
            .map(|error| view! { <ErrorNote error/> })
    };
    view! {
        <h1>"Remediation"</h1>
        <p>"Every submitted revoke is an Atlas change: pushed, read back, and watched by later snapshots."</p>
        {error}
        <Suspense fallback=|| view! { <p class="loading">"Loading the queue…"</p> }>
            {move || Suspend::new(async move {
                match queue.await {
                    Ok(queue) => view! { <Queue queue admin act release switches current=status.get_untracked()/> }.into_any(),
                    Err(error) => view! { <ErrorNote error/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Queue(
    queue: RemediationQueue,
    admin: bool,
    act: ServerAction<ActOnRemediationJob>,
    release: ServerAction<ReleaseRemediation>,
    switches: ServerAction<SetRemediationSwitches>,
    current: Option<String>,
) -> impl IntoView {
    let control = queue.control.clone();
    let state = if control.paused {
        format!(
            "Paused: {}",
            control
                .paused_reason
                .clone()
                .unwrap_or_else(|| "by an admin".into())
        )
    } else {
        "Running".to_owned()
    };
    let alerts = queue.alerts.iter().map(|a| view! {
        <li><strong>{a.kind.clone()}</strong> " (" {a.created_at.clone()} "): " {a.message.clone()}</li>
    }).collect_view();
    let options = STATUSES
        .iter()
        .map(|s| {
            let selected = current.as_deref() == Some(*s);
            view! { <option value=*s selected=selected>{*s}</option> }
        })
        .collect_view();
    view! {
        <section aria-labelledby="switches-heading">
            <h2 id="switches-heading">"Workers"</h2>
            <p class="status">{state} {if control.dry_run { " · dry run: nothing is sent to Atlas" } else { "" }}
                " · changes revoking more than " {format!("{:.0} %", control.max_revoke_share * 100.0)}
                " of a campaign's population wait for confirmation"</p>
            {admin.then(|| view! {
                <ActionForm action=switches attr:class="inline">
                    <label><input type="checkbox" name="paused" value="on" checked=control.paused/> " Paused"</label>
                    <label>" Reason " <input type="text" name="reason" value=control.paused_reason.clone().unwrap_or_default()/></label>
                    <label><input type="checkbox" name="dry_run" value="on" checked=control.dry_run/> " Dry run"</label>
                    <button type="submit">"Save switches"</button>
                </ActionForm>
            })}
        </section>
        {(!queue.alerts.is_empty()).then(|| view! {
            <section aria-labelledby="alerts-heading">
                <h2 id="alerts-heading">"Alerts"</h2>
                <ul class="alerts">{alerts}</ul>
            </section>
        })}
        <section aria-labelledby="campaigns-heading">
            <h2 id="campaigns-heading">"By campaign"</h2>
            <CampaignCounts campaigns=queue.campaigns admin release/>
        </section>
        <section aria-labelledby="jobs-heading">
            <h2 id="jobs-heading">"Jobs"</h2>
            <form method="get" action="/remediation" class="filters" aria-label="Filter jobs">
                <label>"Status " <select name="status"><option value="">"any"</option>{options}</select></label>
                <button type="submit">"Filter"</button>
            </form>
            <JobTable jobs=queue.jobs admin act/>
        </section>
    }
}

#[component]
fn CampaignCounts(
    campaigns: Vec<CampaignRemediation>,
    admin: bool,
    release: ServerAction<ReleaseRemediation>,
) -> impl IntoView {
    if campaigns.is_empty() {
        return view! { <p class="empty">"No revokes have been submitted yet."</p> }.into_any();
    }
    let rows = campaigns
        .into_iter()
        .map(|c| {
            let counts = c
                .counts
                .iter()
                .map(|(s, n)| format!("{s}: {n}"))
                .collect::<Vec<_>>()
                .join(" · ");
            let form = (admin && c.held > 0).then(|| view! {
            <ActionForm action=release attr:class="inline">
                <input type="hidden" name="campaign_id" value=c.campaign_id.to_string()/>
                {c.needs_share_confirmation.then(|| view! {
                    <label><input type="checkbox" name="confirm_share" value="on"/>
                        " I confirm this campaign may revoke more than the allowed share"</label>
                })}
                <button type="submit">{format!("Release {} change(s)", c.held)}</button>
            </ActionForm>
        });
            view! {
                <tr>
                    <th scope="row">{c.campaign_name}</th>
                    <td>{c.mode}</td>
                    <td>{counts}</td>
                    <td class="actions">{form}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table>
                <thead><tr>
                    <th scope="col">"Campaign"</th><th scope="col">"Mode"</th>
                    <th scope="col">"Jobs by status"</th><th scope="col">"Release"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn JobTable(
    jobs: Vec<JobRow>,
    admin: bool,
    act: ServerAction<ActOnRemediationJob>,
) -> impl IntoView {
    if jobs.is_empty() {
        return view! { <p class="empty">"No jobs match."</p> }.into_any();
    }
    let rows = jobs.into_iter().map(|job| {
        let id = job.id.to_string();
        let actions = admin.then(|| {
            let id2 = id.clone();
            let id3 = id.clone();
            view! {
                <ActionForm action=act attr:class="inline">
                    <input type="hidden" name="job_id" value=id.clone()/>
                    <input type="hidden" name="action" value="retry"/>
                    <button type="submit" aria-label=format!("Retry job {id}")>"Retry"</button>
                </ActionForm>
                <ActionForm action=act attr:class="inline">
                    <input type="hidden" name="job_id" value=id2.clone()/>
                    <input type="hidden" name="action" value="done"/>
                    <label>"Note " <input type="text" name="note" required=true/></label>
                    <button type="submit" aria-label=format!("Mark job {id2} done by hand")>"Mark done"</button>
                </ActionForm>
                <ActionForm action=act attr:class="inline">
                    <input type="hidden" name="job_id" value=id3.clone()/>
                    <input type="hidden" name="action" value="cancel"/>
                    <label>"Note " <input type="text" name="note" required=true/></label>
                    <button type="submit" aria-label=format!("Cancel job {id3}")>"Cancel"</button>
                </ActionForm>
            }
        });
        let status = job.status.clone();
        view! {
            <tr data-job=job.id data-status=status>
                <td class="num">{job.id}</td>
                <th scope="row">{job.principal_name}<br/><code>{job.entitlement_key}</code></th>
                <td>{job.change}{job.idp_group.map(|g| view! { <br/>"Identity-provider group: " <strong>{g}</strong> })}</td>
                <td><span class="status">{job.status}</span>
                    {job.status_reason.map(|r| view! { <br/>{r} })}
                    {job.effect.map(|e| view! { <br/>"Done: " {e} })}
                    {job.manual_note.map(|n| view! { <br/>"Note: " {n} })}</td>
                <td class="num">{job.attempts}</td>
                <td>
                    <details>
                        <summary>"Atlas request and response"</summary>
                        <p>"Request: " <code>{job.last_request.unwrap_or_else(|| "none".into())}</code></p>
                        <p>"Response: " <code>{job.last_response.unwrap_or_else(|| "none".into())}</code></p>
                    </details>
                    {job.updated_at}
                </td>
                <td class="actions">{actions}</td>
            </tr>
        }
    }).collect_view();
    view! {
        <div class="table-wrap">
            <table>
                <caption class="visually-hidden">"Remediation jobs"</caption>
                <thead><tr>
                    <th scope="col">"#"</th><th scope="col">"Access"</th><th scope="col">"Change"</th>
                    <th scope="col">"Status"</th><th scope="col">"Attempts"</th>
                    <th scope="col">"Evidence"</th><th scope="col">"Actions"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }.into_any()
}

/// A campaign's remediation at a glance, for its dashboard: jobs by status and a link to the
/// queue. Nothing is shown before a revoke is submitted.
#[component]
pub fn CampaignRemediationSummary(campaign_id: uuid::Uuid) -> impl IntoView {
    let counts = Resource::new(
        move || campaign_id,
        crate::api::remediation::load_campaign_remediation,
    );
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match counts.await {
                    Ok(Some(c)) => {
                        let line = c.counts.iter().map(|(s, n)| format!("{s}: {n}")).collect::<Vec<_>>().join(" · ");
                        view! {
                            <section aria-labelledby="remediation-heading">
                                <h2 id="remediation-heading">"Remediation"</h2>
                                <p class="remediation-counts">{format!("Mode {} · ", c.mode)} {line}</p>
                                <p><a href="/remediation">"Open the remediation queue"</a></p>
                            </section>
                        }.into_any()
                    }
                    Ok(None) => ().into_any(),
                    Err(error) => view! { <ErrorNote error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
