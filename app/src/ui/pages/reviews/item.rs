//! One review item with everything a reviewer needs to decide it, and its decision form.

use leptos::prelude::*;

use crate::model::access_words::{recommendation, revoke_effect, role_in_words};
use crate::model::campaign::ReviewItemView;

/// The principal kind in words, with the database user's authentication.
fn principal_kind(item: &ReviewItemView) -> String {
    let kind = match item.principal_kind.as_str() {
        "atlas_user" => "Atlas user",
        "database_user" => "Database user",
        "team" => "Team",
        "api_key" => "API key",
        "service_account" => "Service account",
        "idp_group" => "Identity provider group",
        other => other,
    };
    match &item.auth_type {
        Some(auth) if item.principal_kind == "database_user" => format!("{kind} ({auth})"),
        _ => kind.to_owned(),
    }
}

/// How the grant is held, in words.
fn grant_words(item: &ReviewItemView) -> String {
    let how = match item.grant_path.as_str() {
        "direct" => "Granted directly",
        "team" => "Through team membership",
        "implicit_org_role" => "Implied by an org role",
        "federation_mapping" => "By a federation role mapping (identity provider group)",
        "post_auth_grant" => "Granted at sign-in by the identity provider",
        other => other,
    };
    match &item.via {
        Some(via) => format!("{how}: {via}"),
        None => how.to_owned(),
    }
}

/// Where the grant applies.
fn resource_words(item: &ReviewItemView) -> String {
    let mut parts = vec![format!("organization {}", item.org_id)];
    if let Some(project) = &item.project {
        parts.push(format!("project {project}"));
    }
    if !item.clusters.is_empty() {
        parts.push(format!("clusters {}", item.clusters.join(", ")));
    } else if item.project.is_some() && item.principal_kind == "database_user" {
        parts.push("every cluster".to_owned());
    }
    if let Some(db) = &item.database_name {
        parts.push(format!("database {db}"));
    }
    if let Some(coll) = &item.collection_name {
        parts.push(format!("collection {coll}"));
    }
    parts.join(" › ")
}

fn person_words(item: &ReviewItemView) -> String {
    let Some(name) = &item.person_name else {
        return "Nobody in the directory (orphan): no person is known to hold this.".to_owned();
    };
    let details: Vec<&str> = [
        item.person_title.as_deref(),
        item.person_department.as_deref(),
        item.person_status.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let linked = item
        .link_method
        .as_deref()
        .map(|m| format!(" (linked by {m})"))
        .unwrap_or_default();
    if details.is_empty() {
        format!("{name}{linked}")
    } else {
        format!("{name}, {}{linked}", details.join(", "))
    }
}

/// One item: its context, what a revoke does, and the decision form.
#[component]
pub fn ItemCard(item: ReviewItemView) -> impl IntoView {
    let id = item.id;
    let title_id = format!("item-{id}-title");
    let labelled_by = title_id.clone();
    let comment_id = format!("comment-{id}");
    let flags = [
        (item.is_leaver, "leaver", "danger"),
        (item.is_orphan, "orphan", "danger"),
        (item.is_dormant, "dormant", "warn"),
        (item.is_privileged, "privileged", "warn"),
        (item.is_new, "new since last campaign", "info"),
    ]
    .into_iter()
    .filter(|(on, _, _)| *on)
    .map(|(_, label, class)| view! { <span class=format!("badge {class}")>{label}</span> " " })
    .collect_view();
    let effect = revoke_effect(&item);
    let comment_rule = match (
        item.comment_required_on_revoke,
        item.comment_required_on_privileged_approve && item.is_privileged,
    ) {
        (true, true) => "Comment (required to revoke or approve)",
        (true, false) => "Comment (required to revoke)",
        (false, true) => "Comment (required to approve)",
        (false, false) => "Comment (optional)",
    };
    let previous = match (&item.previous_decision, &item.previous_decider) {
        (Some(d), Some(by)) => format!("{d} by {by}"),
        (Some(d), None) => d.clone(),
        _ => "None: not in the previous campaign".to_owned(),
    };
    let state = match (&item.decision, item.submitted) {
        (Some(d), true) => format!("Submitted: {d}"),
        (Some(d), false) => format!("Decided: {d} (not submitted)"),
        (None, _) => "Undecided".to_owned(),
    };
    let decided_class = item.decision.clone().unwrap_or_else(|| "open".into());
    let label = format!("{} — {}", item.role, item.principal_name);
    view! {
        <article
            class=format!("item decision-{decided_class}")
            id=format!("item-{id}")
            data-item-id=id.to_string()
            tabindex="-1"
            aria-labelledby=labelled_by
        >
            <header class="item-head">
                {(!item.submitted).then(|| view! {
                    <label class="select">
                        <input type="checkbox" form="bulk" name=format!("item_ids[{id}]") value=id.to_string()/>
                        <span class="visually-hidden">{format!("Select {label}")}</span>
                    </label>
                })}
                <h3 id=title_id>{label.clone()}</h3>
                <p class="item-state">{state}</p>
            </header>
            <p class="flags">{flags}</p>
            {recommendation(&item).map(|text| view! { <p class="recommend">{text}</p> })}
            <dl class="facts">
                <dt>"Person"</dt><dd>{person_words(&item)}</dd>
                <dt>"Principal"</dt><dd>{principal_kind(&item)} " " <code>{item.principal_name.clone()}</code></dd>
                <dt>"Resource"</dt><dd>{resource_words(&item)}</dd>
                <dt>"Role"</dt><dd><code>{item.role.clone()}</code> ": " {role_in_words(&item.role, &item.role_actions)} {format!(" ({} tier)", item.tier)}</dd>
                <dt>"How granted"</dt><dd>{grant_words(&item)}</dd>
                <dt>"Last used"</dt><dd>{item.last_used_at.clone().unwrap_or_else(|| "No usage recorded".into())}</dd>
                <dt>"New since last campaign"</dt><dd>{if item.is_new { "Yes" } else { "No" }}</dd>
                <dt>"Previous decision"</dt><dd>{previous}</dd>
                <dt>"Why you"</dt><dd>{item.routing_reason.clone()}</dd>
                <dt>"Campaign"</dt><dd>{format!("{}, due {}", item.campaign_name, item.due_date)}</dd>
            </dl>
            <p class="effect"><strong>"If revoked: "</strong>{effect.summary}</p>
            {effect.needs_idp_change.then(|| view! {
                <p class="idp-flag"><span class="badge warn">"needs identity provider change"</span></p>
            })}
            {item.decision_comment.clone().filter(|c| !c.is_empty()).map(|c| view! {
                <p class="item-comment">"Comment: " {c}</p>
            })}
            {(!item.submitted).then(|| view! {
                <form method="post" action="/api/decide_item" class="decide">
                    <input type="hidden" name="item_id" value=id.to_string()/>
                    <label for=comment_id.clone()>{comment_rule}</label>
                    <textarea id=comment_id name="comment" rows="2">{item.decision_comment.clone().unwrap_or_default()}</textarea>
                    <div class="decide-buttons">
                        <button type="submit" name="decision" value="approve" class="approve" data-shortcut="a">"Approve"</button>
                        <button type="submit" name="decision" value="revoke" class="revoke" data-shortcut="r">"Revoke"</button>
                    </div>
                </form>
            })}
            {(!item.submitted && item.allow_forwarding).then(|| view! { <ForwardForm id/> })}
        </article>
    }
}

/// Sends the item to someone better placed to judge it, with a reason.
#[component]
fn ForwardForm(id: i64) -> impl IntoView {
    view! {
        <details class="forward">
            <summary>"Forward to someone else"</summary>
            <form method="post" action="/api/forward_item" class="filters">
                <input type="hidden" name="item_id" value=id.to_string()/>
                <label>"Their email" <input type="email" name="to_email" required/></label>
                <label>"Reason" <input type="text" name="reason" required/></label>
                <button type="submit">"Forward"</button>
            </form>
        </details>
    }
}
