//! Leavers who still hold access: a panel on the dashboard and a page listing everything each
//! of them can still reach.

use leptos::prelude::*;

use super::InventoryNav;
use crate::api::inventory::{list_leaver_access, list_leavers};
use crate::model::inventory::{LeaverAccess, LeaverList, LeaverRow};
use crate::model::{Section, Viewer};
use crate::ui::components::access::{ErrorNote, NoAccess};
use crate::ui::components::access_table::{AccessTable, person_href};

/// How many leavers the dashboard panel names.
const PANEL_SIZE: i64 = 5;

/// The dashboard's leaver panel (admins and auditors only; renders nothing for others).
#[component]
pub fn LeaverPanel() -> impl IntoView {
    let viewer = expect_context::<Viewer>();
    if !viewer.can_read_everything() {
        return ().into_any();
    }
    let leavers = Resource::new(|| (), |_| list_leavers(PANEL_SIZE));
    view! {
        <section aria-labelledby="leavers-heading" class="panel">
            <h2 id="leavers-heading">"Leavers with access"</h2>
            <Suspense fallback=|| view! { <p class="loading">"Loading leavers…"</p> }>
                {move || Suspend::new(async move {
                    match leavers.await {
                        Ok(list) => view! { <PanelBody list/> }.into_any(),
                        Err(error) => view! { <ErrorNote error/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
    .into_any()
}

#[component]
fn PanelBody(list: LeaverList) -> impl IntoView {
    if !list.has_snapshot {
        return view! { <p class="empty">"No complete snapshot yet: take one to find leavers with access."</p> }.into_any();
    }
    if list.total == 0 {
        return view! { <p class="empty">"No leaver holds access in the newest snapshots."</p> }
            .into_any();
    }
    let shown = list.leavers.len() as i64;
    view! {
        <p class="alert-count">
            <strong class="leaver-count">{list.total}</strong>
            {if list.total == 1 { " leaver still holds access." } else { " leavers still hold access." }}
        </p>
        <LeaverTable rows=list.leavers/>
        <p>
            <a href="/inventory/leavers">
                {if list.total > shown { format!("See all {} leavers with access", list.total) } else { "See everything they can reach".to_owned() }}
            </a>
        </p>
    }
    .into_any()
}

#[component]
fn LeaverTable(rows: Vec<LeaverRow>) -> impl IntoView {
    let body = rows
        .into_iter()
        .map(|l| {
            view! {
                <tr>
                    <th scope="row"><a href=person_href(&l.person_id)>{l.name}</a><br/><small>{l.email}</small></th>
                    <td>{l.reason}</td>
                    <td class="num">{l.principals}</td>
                    <td class="num">{l.entitlements}</td>
                    <td class="num">{l.admin_entitlements}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="leavers">
                <thead>
                    <tr>
                        <th scope="col">"Person"</th>
                        <th scope="col">"Why a leaver"</th>
                        <th scope="col">"Principals"</th>
                        <th scope="col">"Entitlements"</th>
                        <th scope="col">"Admin tier"</th>
                    </tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}

/// Every leaver with access and what each can still reach (admins and auditors).
#[component]
pub fn LeaversPage() -> impl IntoView {
    let viewer = expect_context::<Viewer>();
    if !Section::Inventory.visible_to(&viewer) {
        return view! { <NoAccess/> }.into_any();
    }
    let data = Resource::new(|| (), |_| list_leaver_access());
    view! {
        <h1>"Leavers with access"</h1>
        <InventoryNav/>
        <p>
            "People whose status is leaver, whose end date has passed, or who are no longer in the "
            "roster, yet are linked to a principal that holds access in the newest snapshot."
        </p>
        <Suspense fallback=|| view! { <p class="loading">"Loading leavers…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((list, access)) => view! { <LeaverSections list access/> }.into_any(),
                    Err(error) => view! { <ErrorNote error/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn LeaverSections(list: LeaverList, access: Vec<LeaverAccess>) -> impl IntoView {
    if access.is_empty() {
        return view! { <PanelBody list/> }.into_any();
    }
    let summary = list.leavers.clone();
    let sections = access
        .into_iter()
        .map(|item| {
            let LeaverAccess { leaver, access } = item;
            let more = (access.total > access.rows.len() as i64).then(|| {
                view! {
                    <p><a href=person_href(&leaver.person_id)>
                        {format!("See all {} entitlements of {}", access.total, leaver.name)}
                    </a></p>
                }
            });
            let heading_id = format!("leaver-{}", leaver.person_id);
            view! {
                <section aria-labelledby=heading_id.clone() class="leaver">
                    <h2 id=heading_id.clone()>
                        <a href=person_href(&leaver.person_id)>{leaver.name.clone()}</a>
                        " " <small>{leaver.email.clone()} " · " {leaver.reason.clone()}</small>
                    </h2>
                    <AccessTable rows=access.rows/>
                    {more}
                </section>
            }
        })
        .collect_view();
    view! {
        <p role="status">{format!("{} leavers still hold access.", list.total)}</p>
        <LeaverTable rows=summary/>
        {sections}
    }
    .into_any()
}
