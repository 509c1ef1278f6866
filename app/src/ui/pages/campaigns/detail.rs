//! One campaign's page: its settings, and what its status allows — the preview and launch of
//! a draft, the dashboard, reassignment and close of an active campaign, the sign-off of a
//! closed one.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

use super::{dashboard, manage, preview, status_words};
use crate::api::campaigns::get_campaign;
use crate::model::campaign::CampaignDetail;
use crate::model::{Section, Viewer};
use crate::ui::components::access::{ErrorNote, NoAccess};
use crate::ui::components::form_error::FormErrors;

const ENDPOINTS: &[&str] = &[
    "launch_campaign",
    "reassign_items",
    "close_campaign",
    "sign_off_campaign",
];

/// `/campaigns/:id`.
#[component]
pub fn CampaignPage() -> impl IntoView {
    let viewer = expect_context::<Viewer>();
    if !Section::Campaigns.visible_to(&viewer) {
        return view! { <NoAccess/> }.into_any();
    }
    let params = use_params_map();
    let query = use_query_map();
    let id = params.with_untracked(|p| p.get("id").and_then(|id| Uuid::parse_str(&id).ok()));
    let Some(id) = id else {
        return view! { <h1>"Campaign"</h1><p class="error" role="alert">"That is not a campaign address."</p> }
            .into_any();
    };
    let detail = Resource::new(move || (), move |_| get_campaign(id));
    let is_admin = viewer.is_admin();
    view! {
        <p><a href="/campaigns">"All campaigns"</a></p>
        <FormErrors endpoints=ENDPOINTS/>
        {move || query.with(|q| q.get("reassigned").map(|n| view! {
            <p class="notice" role="status">{format!("Reassigned {n} items.")}</p>
        }))}
        <Suspense fallback=|| view! { <p class="loading">"Loading the campaign…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => view! { <Campaign detail is_admin/> }.into_any(),
                    Err(error) => view! { <h1>"Campaign"</h1><ErrorNote error/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Campaign(detail: CampaignDetail, is_admin: bool) -> impl IntoView {
    let id = detail.summary.id;
    let status = detail.summary.status.clone();
    let by_status = match status.as_str() {
        "draft" if is_admin => view! { <preview::Preview id/> }.into_any(),
        "draft" => view! { <p>"This campaign is a draft; an admin previews and launches it."</p> }.into_any(),
        "active" => view! {
            <dashboard::Dashboard detail=detail.clone()/>
            {is_admin.then(|| view! {
                <manage::Reassign id/>
                <manage::CloseForm id outcome=detail.undecided_outcome.clone()/>
            })}
        }
        .into_any(),
        "closed" => view! {
            <dashboard::Dashboard detail=detail.clone()/>
            {is_admin.then(|| view! { <manage::SignOffForm id name=detail.summary.name.clone()/> })}
        }
        .into_any(),
        _ => view! { <dashboard::Dashboard detail=detail.clone()/> <manage::SignedOff detail=detail.clone()/> }
            .into_any(),
    };
    view! {
        <h1>{detail.summary.name.clone()}</h1>
        <p class="campaign-status">
            <strong>{status_words(&status).to_owned()}</strong>
            {format!(" · due {} · created {}", detail.summary.due_date, detail.summary.created_at)}
        </p>
        {(!detail.description.is_empty()).then(|| view! { <p>{detail.description.clone()}</p> })}
        <Settings detail=detail.clone()/>
        {(status != "draft").then(|| view! {
            <crate::ui::pages::remediation::CampaignRemediationSummary campaign_id=id/>
        })}
        {by_status}
    }
}

/// What the campaign covers and how it decides, as set at creation.
#[component]
fn Settings(detail: CampaignDetail) -> impl IntoView {
    let list = |values: &[String], empty: &str| {
        if values.is_empty() {
            empty.to_owned()
        } else {
            values.join(", ")
        }
    };
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    let snapshots = detail
        .snapshots
        .iter()
        .map(|s| {
            view! {
                <li>
                    {format!("Organization {}: snapshot {} of {}, ", s.org_id, s.snapshot_id, s.finished_at)}
                    {format!("{} entitlements in scope = {} items created; content SHA-256 ", s.entitlements_in_scope, s.items_created)}
                    <code>{s.content_sha256.clone()}</code>
                </li>
            }
        })
        .collect_view();
    view! {
        <details class="settings">
            <summary>"Settings and frozen snapshots"</summary>
            <dl class="facts">
                <dt>"Organizations"</dt><dd>{list(&detail.org_ids, "none")}</dd>
                <dt>"Projects"</dt><dd>{list(&detail.project_ids, "every project")}</dd>
                <dt>"Principal kinds"</dt><dd>{list(&detail.principal_kinds, "none")}</dd>
                <dt>"Tiers"</dt><dd>{list(&detail.tiers, "every tier")}</dd>
                <dt>"Only new since last campaign"</dt><dd>{yes_no(detail.only_new_since_last)}</dd>
                <dt>"Reviewer rules"</dt><dd>{list(&detail.reviewer_rules, "fallback only")}</dd>
                <dt>"Fallback reviewers"</dt><dd>{list(&detail.fallback_reviewers, "none")}</dd>
                <dt>"Comment required to revoke"</dt><dd>{yes_no(detail.comment_required_on_revoke)}</dd>
                <dt>"Comment required to approve privileged access"</dt><dd>{yes_no(detail.comment_required_on_privileged_approve)}</dd>
                <dt>"Forwarding allowed"</dt><dd>{yes_no(detail.allow_forwarding)}</dd>
                <dt>"Undecided at close"</dt><dd>{detail.undecided_outcome.clone()}</dd>
                <dt>"Remediation"</dt><dd>{detail.remediation_mode.replace('_', " ")}</dd>
            </dl>
            {(!detail.snapshots.is_empty()).then(|| view! { <ul>{snapshots}</ul> })}
        </details>
    }
}
