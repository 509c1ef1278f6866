//! One project's access: who can reach it and how (directly, through a team, through an org
//! role that implies project roles, or through a federation mapping).

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{InventoryNav, SnapshotNote};
use crate::api::inventory::get_project_access;
use crate::model::inventory::ProjectAccess;
use crate::model::{Section, Viewer};
use crate::ui::components::access::{ErrorNote, NoAccess};
use crate::ui::components::access_table::{AccessTable, project_href};
use crate::ui::components::pager::Pager;

/// `/inventory/projects/:org/:project` (admins and auditors).
#[component]
pub fn ProjectAccessPage() -> impl IntoView {
    let viewer = expect_context::<Viewer>();
    if !Section::Inventory.visible_to(&viewer) {
        return view! { <NoAccess/> }.into_any();
    }
    let params = use_params_map();
    let query = use_query_map();
    let key = Memo::new(move |_| {
        let (org, project) = params.with(|p| {
            (
                p.get("org").unwrap_or_default(),
                p.get("project").unwrap_or_default(),
            )
        });
        let page = query.with(|q| {
            q.get("page")
                .and_then(|p| p.parse::<i64>().ok())
                .unwrap_or(1)
        });
        (org, project, page)
    });
    let data = Resource::new(
        move || key.get(),
        |(org, project, page)| get_project_access(org, project, page),
    );
    view! {
        <InventoryNav/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(access) => view! { <ProjectView access/> }.into_any(),
                    Err(error) => view! { <h1>"Project"</h1> <ErrorNote error/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn ProjectView(access: ProjectAccess) -> impl IntoView {
    let ProjectAccess {
        org_id,
        project_id,
        project_name,
        by_grant_path,
        principals,
        entitlements,
    } = access;
    let base = project_href(&org_id, &project_id);
    let link = move |page: i64| format!("{base}?page={page}");
    let paths = by_grant_path
        .into_iter()
        .map(|(path, count)| view! { <li>{path.replace('_', " ")} ": " {count}</li> })
        .collect_view();
    let rows = entitlements.rows;
    view! {
        <h1>"Project " {project_name}</h1>
        <p><code>{project_id.clone()}</code> " in organization " <code>{org_id.clone()}</code></p>
        <SnapshotNote snapshots=entitlements.snapshots/>
        <p role="status">{format!("{principals} principals hold {} entitlements here.", entitlements.total)}</p>
        <h2>"By how access is granted"</h2>
        <ul>{paths}</ul>
        <h2>"Who can reach it"</h2>
        {if rows.is_empty() {
            view! { <p class="empty">"Nobody holds access to this project."</p> }.into_any()
        } else {
            view! { <AccessTable rows/> }.into_any()
        }}
        <Pager page=entitlements.page page_size=entitlements.page_size total=entitlements.total capped=entitlements.total_capped link/>
    }
}
