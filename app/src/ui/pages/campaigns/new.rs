//! The create form. Without JavaScript a refused form comes back to this page with what was
//! typed in the address (see `create_campaign`), so it is read from the query string here.
//! The server function takes one argument, `form`, so every field is posted as `form[...]`.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::campaigns::list_connected_orgs;
use crate::model::Viewer;
use crate::model::campaign::ConnectedOrg;
use crate::ui::components::access::{ErrorNote, NoAccess};
use crate::ui::components::form_error::FormErrors;

/// The values the form starts with: what was typed (after a refusal) or the defaults.
#[derive(Clone)]
pub(super) struct Values {
    filled: bool,
    fields: std::collections::HashMap<String, String>,
}

impl Values {
    pub(super) fn text(&self, name: &str, default: &str) -> String {
        match self.fields.get(name) {
            Some(value) => value.clone(),
            None if self.filled => String::new(),
            None => default.to_owned(),
        }
    }

    /// A checkbox: as posted after a refusal, else its default.
    fn ticked(&self, name: &str, default: bool) -> bool {
        if self.filled {
            self.fields.contains_key(name)
        } else {
            default
        }
    }
}

/// Creates a draft campaign (admins only).
#[component]
pub fn NewCampaignPage() -> impl IntoView {
    let viewer = expect_context::<Viewer>();
    if !viewer.is_admin() {
        return view! { <NoAccess/> }.into_any();
    }
    let (values, problems) = form_values(&[]);
    let orgs = Resource::new(|| (), |_| list_connected_orgs());
    view! {
        <h1>"New campaign"</h1>
        <p>"Creates a draft. You see a preview of who reviews what before you launch it."</p>
        <FormErrors endpoints=&["create_campaign"]/>
        <Problems problems heading="The campaign was not created"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading organizations…"</p> }>
            {move || {
                let values = values.clone();
                Suspend::new(async move {
                    match orgs.await {
                        Ok(orgs) => view! { <CampaignFormView orgs values scheduled=false/> }.into_any(),
                        Err(error) => view! { <ErrorNote error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

/// What a refused form posted (from the query string, see `create_campaign`), with the
/// `extra` fields of a form that adds its own, and the problems.
pub(super) fn form_values(extra: &[&'static str]) -> (Values, Vec<String>) {
    let query = use_query_map();
    query.with_untracked(|q| {
        let fields = [
            "name",
            "description",
            "org_ids",
            "project_ids",
            "kind_atlas_user",
            "kind_database_user",
            "kind_team",
            "kind_api_key",
            "kind_service_account",
            "tier_admin",
            "tier_write",
            "tier_read",
            "only_new_since_last",
            "due_date",
            "reviewer_rules",
            "comment_required_on_revoke",
            "comment_required_on_privileged_approve",
            "allow_forwarding",
            "undecided_outcome",
            "remediation_mode",
            "fallback_reviewers",
            "max_snapshot_age_hours",
        ]
        .into_iter()
        .chain(extra.iter().copied())
        .filter_map(|name| q.get(name).map(|v| (name.to_owned(), v)))
        .collect();
        let values = Values {
            filled: q.get("filled").is_some(),
            fields,
        };
        (values, q.get_all("problem").unwrap_or_default())
    })
}

/// The problems a refused form came back with, if any.
#[component]
pub(super) fn Problems(problems: Vec<String>, heading: &'static str) -> impl IntoView {
    (!problems.is_empty()).then(|| {
        view! {
            <div class="error-summary" role="alert" aria-labelledby="problems-heading">
                <h2 id="problems-heading">{heading}</h2>
                <ul>{problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
            </div>
        }
    })
}

/// The campaign fields. With `scheduled`, the form creates a template instead: the due date
/// becomes a review period and a schedule is asked for.
#[component]
pub(super) fn CampaignFormView(
    orgs: Vec<ConnectedOrg>,
    values: Values,
    scheduled: bool,
) -> impl IntoView {
    let all_orgs = orgs
        .iter()
        .map(|o| o.id.clone())
        .collect::<Vec<_>>()
        .join(" ");
    let due_default = (chrono::Utc::now().date_naive() + chrono::Days::new(14)).to_string();
    let today = chrono::Utc::now().date_naive().to_string();
    let org_list = if orgs.is_empty() {
        view! { <p class="error">"No Atlas organization is connected yet: take a snapshot first."</p> }.into_any()
    } else {
        let items = orgs
            .into_iter()
            .map(|o| {
                let last = o
                    .last_complete_snapshot
                    .map(|t| format!("newest complete snapshot {t}"))
                    .unwrap_or_else(|| "no complete snapshot yet".into());
                view! { <li><code>{o.id}</code> " " {o.name} " (" {last} ")"</li> }
            })
            .collect_view();
        view! { <ul class="hint">{items}</ul> }.into_any()
    };
    let check = |name: &'static str, label: &'static str, default: bool| {
        view! {
            <label class="check">
                <input type="checkbox" name=format!("form[{name}]") value="on" checked=values.ticked(name, default)/>
                " " {label}
            </label>
        }
    };
    let choice = |name: &'static str, value: &'static str, label: &'static str, default: &str| {
        let chosen = values.text(name, default) == value;
        view! {
            <label class="check"><input type="radio" name=format!("form[{name}]") value=value checked=chosen/> " " {label}</label>
        }
    };
    view! {
        <form method="post" action=if scheduled { "/api/create_campaign_template" } else { "/api/create_campaign" } class="campaign-form">
            <label for="name">{if scheduled { "Template name (each draft is named after it, with its date)" } else { "Name" }}</label>
            <input id="name" name="form[name]" required value=values.text("name", "")/>
            <label for="description">"Description"</label>
            <textarea id="description" name="form[description]" rows="2">{values.text("description", "")}</textarea>

            <fieldset>
                <legend>"Scope"</legend>
                <label for="org_ids">"Organization ids (separated by spaces or commas)"</label>
                <input id="org_ids" name="form[org_ids]" value=values.text("org_ids", &all_orgs)/>
                {org_list}
                <label for="project_ids">"Project ids (empty: every project and the org-level roles)"</label>
                <input id="project_ids" name="form[project_ids]" value=values.text("project_ids", "")/>
                <p class="hint">"Principal kinds"</p>
                {check("kind_atlas_user", "Atlas users", true)}
                {check("kind_database_user", "Database users", true)}
                {check("kind_team", "Teams", false)}
                {check("kind_api_key", "API keys", true)}
                {check("kind_service_account", "Service accounts", true)}
            </fieldset>

            <fieldset>
                <legend>"Filters"</legend>
                <p class="hint">"Tiers (none ticked: every tier)"</p>
                {check("tier_admin", "Admin", false)}
                {check("tier_write", "Write", false)}
                {check("tier_read", "Read", false)}
                {check("only_new_since_last", "Only access that is new since the last campaign", false)}
            </fieldset>

            <fieldset>
                <legend>"Reviewers"</legend>
                {if scheduled {
                    view! {
                        <label for="review_days">"Each draft is due this many days after it is created"</label>
                        <input id="review_days" name="review_days" inputmode="numeric" required value=values.text("review_days", "14")/>
                    }.into_any()
                } else {
                    view! {
                        <label for="due_date">"Due date"</label>
                        <input id="due_date" name="form[due_date]" type="date" required value=values.text("due_date", &due_default)/>
                    }.into_any()
                }}
                <label for="reviewer_rules">"Reviewer rules, in order (manager, owner; empty: fallback only)"</label>
                <input id="reviewer_rules" name="form[reviewer_rules]" value=values.text("reviewer_rules", "manager,owner")/>
                <label for="fallback_reviewers">"Fallback reviewers: emails of people in the directory, in order"</label>
                <input id="fallback_reviewers" name="form[fallback_reviewers]" value=values.text("fallback_reviewers", "")/>
                {check("allow_forwarding", "Reviewers may forward an item to someone else, with a reason", true)}
            </fieldset>

            <fieldset>
                <legend>"Decisions"</legend>
                {check("comment_required_on_revoke", "A comment is required to revoke", true)}
                {check("comment_required_on_privileged_approve", "A comment is required to approve privileged access", true)}
                <p class="hint">"Items still undecided at close"</p>
                {choice("undecided_outcome", "keep", "Keep the access (recorded as undecided, kept)", "keep")}
                {choice("undecided_outcome", "revoke", "Revoke the access", "keep")}
                <p class="hint">"Remediation of revocations"</p>
                {choice("remediation_mode", "automatic", "Automatic: pushed to Atlas on submit", "after_approval")}
                {choice("remediation_mode", "after_approval", "After an admin approves them", "after_approval")}
                {choice("remediation_mode", "manual", "Manual: done by hand and recorded", "after_approval")}
                <label for="max_snapshot_age_hours">"Refuse to launch on a snapshot older than (hours)"</label>
                <input id="max_snapshot_age_hours" name="form[max_snapshot_age_hours]" inputmode="numeric" value=values.text("max_snapshot_age_hours", "72")/>
            </fieldset>
            {scheduled.then(|| view! {
                <fieldset>
                    <legend>"Schedule"</legend>
                    <label for="every_months">"Create a draft every this many months (3: quarterly)"</label>
                    <input id="every_months" name="every_months" inputmode="numeric" required value=values.text("every_months", "3")/>
                    <label for="starts_on">"First draft on"</label>
                    <input id="starts_on" name="starts_on" type="date" required value=values.text("starts_on", &today)/>
                </fieldset>
            })}
            <button type="submit" class="primary">{if scheduled { "Create template" } else { "Create draft" }}</button>
        </form>
    }
}
