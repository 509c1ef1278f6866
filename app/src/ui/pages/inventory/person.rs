//! One person's access: who they are in the directory, every principal linked to them (and
//! how), and every entitlement those principals hold, with when each was last used.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{InventoryNav, SnapshotNote};
use crate::api::inventory::get_person_access;
use crate::model::inventory::{LinkedPrincipal, PersonAccess, kind_label, link_label};
use crate::model::{Section, Viewer};
use crate::ui::components::access::{ErrorNote, NoAccess};
use crate::ui::components::access_table::AccessTable;
use crate::ui::components::pager::Pager;

/// `/inventory/people/:id` (admins and auditors).
#[component]
pub fn PersonAccessPage() -> impl IntoView {
    let viewer = expect_context::<Viewer>();
    if !Section::Inventory.visible_to(&viewer) {
        return view! { <NoAccess/> }.into_any();
    }
    let params = use_params_map();
    let query = use_query_map();
    let key = Memo::new(move |_| {
        let id = params
            .with(|p| p.get("id"))
            .and_then(|id| id.parse::<uuid::Uuid>().ok());
        let page = query.with(|q| {
            q.get("page")
                .and_then(|p| p.parse::<i64>().ok())
                .unwrap_or(1)
        });
        (id, page)
    });
    let data = Resource::new(
        move || key.get(),
        |(id, page)| async move {
            match id {
                Some(id) => get_person_access(id, page).await,
                None => Err(crate::error::AppError::NotFound("That person".into())),
            }
        },
    );
    view! {
        <InventoryNav/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(access) => view! { <PersonView access/> }.into_any(),
                    Err(error) => view! { <h1>"Person"</h1> <ErrorNote error/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn PersonView(access: PersonAccess) -> impl IntoView {
    let PersonAccess {
        person,
        principals,
        entitlements,
    } = access;
    let status = if !person.in_roster {
        "no longer in the roster".to_owned()
    } else {
        person.status.clone()
    };
    let person_id = person.id;
    let link = move |page: i64| format!("/inventory/people/{person_id}?page={page}");
    let rows = entitlements.rows;
    view! {
        <h1>{person.name.clone()} {person.is_leaver.then(|| view! { " " <span class="badge danger">"leaver"</span> })}</h1>
        <dl class="facts">
            <dt>"Email"</dt><dd>{person.email.clone()}</dd>
            <dt>"Status"</dt><dd>{status}</dd>
            <dt>"End date"</dt><dd>{person.end_date.clone().unwrap_or_else(|| "none".into())}</dd>
            <dt>"Department"</dt><dd>{person.department.clone().unwrap_or_default()}</dd>
            <dt>"Title"</dt><dd>{person.title.clone().unwrap_or_default()}</dd>
            <dt>"Manager"</dt><dd>{person.manager_email.clone().unwrap_or_default()}</dd>
        </dl>
        <SnapshotNote snapshots=entitlements.snapshots/>
        <section aria-labelledby="principals-heading">
            <h2 id="principals-heading">"Linked principals"</h2>
            <PrincipalTable principals/>
        </section>
        <section aria-labelledby="access-heading">
            <h2 id="access-heading">"Everything they can reach"</h2>
            <p role="status">{format!("{} entitlements.", entitlements.total)}</p>
            {if rows.is_empty() {
                view! { <p class="empty">"No entitlements in the newest snapshots."</p> }.into_any()
            } else {
                view! { <AccessTable rows/> }.into_any()
            }}
            <Pager page=entitlements.page page_size=entitlements.page_size total=entitlements.total capped=entitlements.total_capped link/>
        </section>
    }
}

#[component]
fn PrincipalTable(principals: Vec<LinkedPrincipal>) -> impl IntoView {
    if principals.is_empty() {
        return view! { <p class="empty">"No principal in the newest snapshots is linked to this person."</p> }.into_any();
    }
    let body = principals
        .into_iter()
        .map(|p| {
            let label = link_label(&p.relation, &p.link_method);
            let how = match (&p.matched_on, &p.mapped_at) {
                (Some(by), Some(at)) => format!("{label} by {by} on {at}"),
                (Some(on), None) => format!("{label} ({on})"),
                _ => label,
            };
            let last_used = match &p.last_used {
                Some(date) => view! {
                    {date.clone()}
                    {p.dormant.then(|| view! { " " <span class="badge warn">"dormant"</span> })}
                }
                .into_any(),
                None => view! { <span class="muted">"no usage data"</span> }.into_any(),
            };
            view! {
                <tr>
                    <th scope="row">{p.name.clone()}<br/><small>{p.username.clone().unwrap_or_default()}</small></th>
                    <td>{kind_label(&p.kind).to_owned()}{p.auth_type.clone().map(|a| format!(" ({a})"))}</td>
                    <td><code>{p.org_id.clone()}</code></td>
                    <td>{how}</td>
                    <td>{last_used}</td>
                    <td class="num">{p.entitlements}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table>
                <thead>
                    <tr>
                        <th scope="col">"Principal"</th>
                        <th scope="col">"Kind"</th>
                        <th scope="col">"Organization"</th>
                        <th scope="col">"Linked by"</th>
                        <th scope="col">"Last used"</th>
                        <th scope="col">"Entitlements"</th>
                    </tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
    .into_any()
}
