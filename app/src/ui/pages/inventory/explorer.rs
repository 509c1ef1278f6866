//! The inventory explorer: search and filter every entitlement of the newest snapshots, page
//! through them on the server, and download the current view as CSV.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{InventoryNav, SnapshotNote};
use crate::api::inventory::search_inventory;
use crate::model::inventory::{InventoryFilter, InventoryPage, PRINCIPAL_KINDS, TIERS};
use crate::model::{Section, Viewer};
use crate::ui::components::access::{ErrorNote, NoAccess};
use crate::ui::components::access_table::AccessTable;
use crate::ui::components::pager::Pager;
use crate::ui::url::page_link;

/// The explorer (admins and auditors).
#[component]
pub fn InventoryPage() -> impl IntoView {
    let viewer = expect_context::<Viewer>();
    if !Section::Inventory.visible_to(&viewer) {
        return view! { <NoAccess/> }.into_any();
    }
    let query = use_query_map();
    let filter =
        Memo::new(move |_| query.with(|q| InventoryFilter::from_query(|name| q.get(name))));
    let results = Resource::new(move || filter.get(), search_inventory);
    let current = filter.get_untracked();
    view! {
        <h1>"Inventory"</h1>
        <InventoryNav/>
        <FilterForm filter=current.clone()/>
        <p>
            <a href=format!("/inventory/export.csv?{}", current.to_query()) download="">
                "Download this view as CSV"
            </a>
        </p>
        <Suspense fallback=|| view! { <p class="loading">"Searching…"</p> }>
            {move || Suspend::new(async move {
                match results.await {
                    Ok(data) => view! { <Results data filter=filter.get_untracked()/> }.into_any(),
                    Err(error) => view! { <ErrorNote error/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn FilterForm(filter: InventoryFilter) -> impl IntoView {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let tier = text(&filter.tier);
    let kind = text(&filter.kind);
    let tiers = TIERS
        .into_iter()
        .map(|t| view! { <option value=t selected=tier == t>{t}</option> })
        .collect_view();
    let kinds = PRINCIPAL_KINDS
        .into_iter()
        .map(|(k, label)| view! { <option value=k selected=kind == k>{label}</option> })
        .collect_view();
    view! {
        <form method="get" action="/inventory" class="filters" role="search" aria-label="Filter the inventory">
            <label>"Person" <input type="search" name="person" value=text(&filter.person)/></label>
            <label>"Username" <input type="search" name="username" value=text(&filter.username)/></label>
            <label>"Project" <input type="search" name="project" value=text(&filter.project)/></label>
            <label>"Role" <input type="search" name="role" value=text(&filter.role)/></label>
            <label>"Tier"
                <select name="tier">
                    <option value="" selected=tier.is_empty()>"any"</option>
                    {tiers}
                </select>
            </label>
            <label>"Kind"
                <select name="kind">
                    <option value="" selected=kind.is_empty()>"any"</option>
                    {kinds}
                </select>
            </label>
            <fieldset class="flags">
                <legend>"Only"</legend>
                <label class="check"><input type="checkbox" name="orphan" value="1" checked=filter.orphan == Some(true)/>" orphans"</label>
                <label class="check"><input type="checkbox" name="leaver" value="1" checked=filter.leaver == Some(true)/>" leavers"</label>
                <label class="check"><input type="checkbox" name="dormant" value="1" checked=filter.dormant == Some(true)/>" dormant"</label>
            </fieldset>
            <button type="submit" class="primary">"Search"</button>
            <a href="/inventory">"Clear"</a>
        </form>
    }
}

#[component]
fn Results(data: InventoryPage, filter: InventoryFilter) -> impl IntoView {
    let query = filter.to_query();
    let link = move |page: i64| page_link("/inventory", &query, page);
    let count = if data.total_capped {
        format!("{}+ entitlements match", data.total)
    } else {
        format!("{} entitlements match", data.total)
    };
    let rows = data.rows;
    view! {
        <SnapshotNote snapshots=data.snapshots/>
        <p role="status">{count} " (dormant: unused for " {data.dormant_days} " days or more)."</p>
        {if rows.is_empty() {
            view! { <p class="empty">"Nothing matches these filters."</p> }.into_any()
        } else {
            view! { <AccessTable rows/> }.into_any()
        }}
        <Pager page=data.page page_size=data.page_size total=data.total capped=data.total_capped link/>
    }
}
