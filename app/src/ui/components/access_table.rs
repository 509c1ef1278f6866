//! The table of entitlements shared by the inventory explorer and the leaver, person and
//! project pages: who holds what, through which path, and when it was last used.

use leptos::prelude::*;

use crate::model::inventory::{InventoryRow, kind_label, link_label};
use crate::ui::url::urlencode;

/// The address of the person page.
pub fn person_href(person_id: &uuid::Uuid) -> String {
    format!("/inventory/people/{person_id}")
}

/// The address of a project page.
pub fn project_href(org_id: &str, project_id: &str) -> String {
    format!(
        "/inventory/projects/{}/{}",
        urlencode(org_id),
        urlencode(project_id)
    )
}

/// One row per entitlement.
#[component]
pub fn AccessTable(
    rows: Vec<InventoryRow>,
    #[prop(optional)] caption: Option<String>,
) -> impl IntoView {
    let body = rows.into_iter().map(access_row).collect_view();
    view! {
        <div class="table-wrap">
            <table class="access">
                {caption.map(|c| view! { <caption>{c}</caption> })}
                <thead>
                    <tr>
                        <th scope="col">"Principal"</th>
                        <th scope="col">"Person"</th>
                        <th scope="col">"Project"</th>
                        <th scope="col">"Resource"</th>
                        <th scope="col">"Role"</th>
                        <th scope="col">"Tier"</th>
                        <th scope="col">"Granted"</th>
                        <th scope="col">"Last used"</th>
                    </tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}

fn access_row(row: InventoryRow) -> impl IntoView {
    let person = match (row.person_id, row.person_name.clone()) {
        (Some(id), Some(name)) => view! {
            <a href=person_href(&id)>{name}</a>
            {row.is_leaver.then(|| view! { " " <span class="badge danger">"leaver"</span> })}
            <br/>
            <small>{match (&row.link_relation, &row.link_method) {
                (Some(relation), Some(method)) => link_label(relation, method),
                _ => String::new(),
            }}</small>
        }
        .into_any(),
        _ if row.linkable => view! { <span class="badge warn">"orphan"</span> }.into_any(),
        _ => view! { <span class="muted">"—"</span> }.into_any(),
    };
    let project = match (&row.project_id, &row.project_name) {
        (Some(id), name) => {
            let label = name.clone().unwrap_or_else(|| id.clone());
            view! { <a href=project_href(&row.org_id, id)>{label}</a> }.into_any()
        }
        (None, _) => view! { <span class="muted">"organization"</span> }.into_any(),
    };
    let granted = match &row.granted_via {
        Some(via) => format!("{} ({via})", row.grant_path.replace('_', " ")),
        None => row.grant_path.replace('_', " "),
    };
    let last_used = match &row.last_used {
        Some(date) => view! {
            {date.clone()}
            {row.dormant.then(|| view! { " " <span class="badge warn">"dormant"</span> })}
        }
        .into_any(),
        None => view! { <span class="muted">"no usage data"</span> }.into_any(),
    };
    view! {
        <tr class:leaver=row.is_leaver>
            <th scope="row">
                {row.principal_name.clone()}
                <br/>
                <small>
                    {kind_label(&row.principal_kind).to_owned()}
                    {row.username.clone().filter(|u| *u != row.principal_name).map(|u| format!(" · {u}"))}
                </small>
            </th>
            <td>{person}</td>
            <td>{project}</td>
            <td>{row.resource.clone()}</td>
            <td><code>{row.role.clone()}</code></td>
            <td><span class=format!("tier tier-{}", row.tier)>{row.tier.clone()}</span></td>
            <td>{granted}</td>
            <td>{last_used}</td>
        </tr>
    }
}
