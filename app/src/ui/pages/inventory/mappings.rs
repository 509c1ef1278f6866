//! Orphans and explicit mappings: admins map a principal with no person to one (or remove a
//! mapping); auditors see the same lists without the forms. The forms are plain posts that
//! come back to this page, so they work without JavaScript.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::InventoryNav;
use crate::api::inventory::{MapPrincipal, UnmapPrincipal, list_identity_mappings, list_orphans};
use crate::model::inventory::{MappingRow, OrphanPage, kind_label};
use crate::model::{Section, Viewer};
use crate::ui::components::access::{ErrorNote, NoAccess};
use crate::ui::components::form_error::url_error;
use crate::ui::components::pager::Pager;
use crate::ui::url::urlencode;

/// `/inventory/mappings` (admins change, auditors read).
#[component]
pub fn MappingsPage() -> impl IntoView {
    let viewer = expect_context::<Viewer>();
    if !Section::Inventory.visible_to(&viewer) {
        return view! { <NoAccess/> }.into_any();
    }
    let admin = viewer.is_admin();
    let map = ServerAction::<MapPrincipal>::new();
    let unmap = ServerAction::<UnmapPrincipal>::new();
    let map_error = url_error("map_principal");
    let unmap_error = url_error("unmap_principal");
    let query = use_query_map();
    let search = Memo::new(move |_| query.with(|q| q.get("q").unwrap_or_default()));
    let page = Memo::new(move |_| {
        query.with(|q| {
            q.get("page")
                .and_then(|p| p.parse::<i64>().ok())
                .unwrap_or(1)
        })
    });
    let changes = move || (map.version().get(), unmap.version().get());
    let mappings = Resource::new(changes, |_| list_identity_mappings());
    let orphans = Resource::new(
        move || (search.get(), page.get(), changes()),
        |(s, p, _)| list_orphans(s, p),
    );
    let error = move || {
        map.value()
            .get()
            .and_then(Result::err)
            .or_else(|| unmap.value().get().and_then(Result::err))
            .or_else(|| map_error.get())
            .or_else(|| unmap_error.get())
    };
    view! {
        <h1>"Orphans and mappings"</h1>
        <InventoryNav/>
        <p>
            "A person either holds a principal (the access is their own) or owns it (they "
            "answer for a shared or non-human credential). Attest finds holders by email (Atlas "
            "users) and by an email username (database users), owners by the owner label of "
            "database users, and takes the explicit mappings below over anything it finds. "
            "API keys and service accounts have owners by explicit mapping only. A principal "
            "linked to nobody is an orphan."
        </p>
        {move || error().map(|error| view! { <ErrorNote error/> })}
        {admin.then(|| view! { <MapAnyForm map/> })}
        <section aria-labelledby="mappings-heading">
            <h2 id="mappings-heading">"Explicit mappings"</h2>
            <Suspense fallback=|| view! { <p class="loading">"Loading mappings…"</p> }>
                {move || Suspend::new(async move {
                    match mappings.await {
                        Ok(rows) => view! { <MappingTable rows admin unmap/> }.into_any(),
                        Err(error) => view! { <ErrorNote error/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
        <section aria-labelledby="orphans-heading">
            <h2 id="orphans-heading">"Orphans"</h2>
            <form method="get" action="/inventory/mappings" class="filters" role="search">
                <label>"Search orphans" <input type="search" name="q" value=search.get_untracked()/></label>
                <button type="submit">"Search"</button>
            </form>
            <Suspense fallback=|| view! { <p class="loading">"Loading orphans…"</p> }>
                {move || Suspend::new(async move {
                    match orphans.await {
                        Ok(data) => view! { <OrphanTable data admin map search=search.get_untracked()/> }.into_any(),
                        Err(error) => view! { <ErrorNote error/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
    .into_any()
}

#[component]
fn MappingTable(
    rows: Vec<MappingRow>,
    admin: bool,
    unmap: ServerAction<UnmapPrincipal>,
) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="empty">"No explicit mappings yet."</p> }.into_any();
    }
    let body = rows
        .into_iter()
        .map(|m| {
            let principal = m.principal_name.clone().unwrap_or_else(|| m.principal_key.clone());
            let remove_label = format!(
                "Remove {} as {} of {principal}",
                m.person_email, m.relation
            );
            view! {
                <tr>
                    <th scope="row">
                        {principal}
                        <br/>
                        <small>
                            {m.kind.as_deref().map(kind_label).unwrap_or("not in the newest snapshot").to_owned()}
                            " · " <code>{m.principal_key.clone()}</code>
                        </small>
                    </th>
                    <td><a href=format!("/inventory/people/{}", m.person_id)>{m.person_name.clone()}</a><br/><small>{m.person_email.clone()}</small></td>
                    <td>{relation_label(&m.relation)}</td>
                    <td>{m.mapped_by.clone()}</td>
                    <td>{m.mapped_at.clone()}</td>
                    {admin.then(|| view! {
                        <td class="actions">
                            <ActionForm action=unmap attr:class="inline">
                                <input type="hidden" name="org_id" value=m.org_id.clone()/>
                                <input type="hidden" name="principal_key" value=m.principal_key.clone()/>
                                <input type="hidden" name="relation" value=m.relation.clone()/>
                                <button type="submit" aria-label=remove_label>"Remove"</button>
                            </ActionForm>
                        </td>
                    })}
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="mappings">
                <thead>
                    <tr>
                        <th scope="col">"Principal"</th>
                        <th scope="col">"Person"</th>
                        <th scope="col">"Relation"</th>
                        <th scope="col">"Mapped by"</th>
                        <th scope="col">"When"</th>
                        {admin.then(|| view! { <th scope="col">"Change"</th> })}
                    </tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn OrphanTable(
    data: OrphanPage,
    admin: bool,
    map: ServerAction<MapPrincipal>,
    search: String,
) -> impl IntoView {
    if data.orphans.is_empty() {
        return view! { <p class="empty">"No orphans match."</p> }.into_any();
    }
    let link = move |page: i64| format!("/inventory/mappings?q={}&page={page}", urlencode(&search));
    let body = data
        .orphans
        .into_iter()
        .map(|o| {
            let input_label = format!("Email of the person behind {}", o.name);
            let relation_label = format!("How that person stands to {}", o.name);
            let either = o.kind == "database_user";
            view! {
                <tr>
                    <th scope="row">{o.name.clone()}<br/><small><code>{o.principal_key.clone()}</code></small></th>
                    <td>{kind_label(&o.kind).to_owned()}</td>
                    <td><code>{o.org_id.clone()}</code></td>
                    <td class="num">{o.entitlements}</td>
                    <td>{o.last_used.clone().unwrap_or_else(|| "no usage data".into())}</td>
                    {admin.then(|| view! {
                        <td class="actions">
                            <ActionForm action=map attr:class="inline map-form">
                                <input type="hidden" name="org_id" value=o.org_id.clone()/>
                                <input type="hidden" name="principal_key" value=o.principal_key.clone()/>
                                <input type="email" name="person_email" required placeholder="person@example.com" aria-label=input_label/>
                                " "
                                {either.then(|| view! { <RelationSelect label=relation_label/> })}
                                " "
                                <button type="submit">"Map"</button>
                            </ActionForm>
                        </td>
                    })}
                </tr>
            }
        })
        .collect_view();
    view! {
        <p role="status">{format!("{} orphans", data.total)}</p>
        <div class="table-wrap">
            <table class="orphans">
                <thead>
                    <tr>
                        <th scope="col">"Principal"</th>
                        <th scope="col">"Kind"</th>
                        <th scope="col">"Organization"</th>
                        <th scope="col">"Entitlements"</th>
                        <th scope="col">"Last used"</th>
                        {admin.then(|| view! { <th scope="col">"Map to a person"</th> })}
                    </tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        </div>
        <Pager page=data.page page_size=data.page_size total=data.total link/>
    }
    .into_any()
}

/// How a relation reads in a table.
fn relation_label(relation: &str) -> &'static str {
    match relation {
        "holder" => "holds it",
        "owner" => "owns it",
        _ => "unknown",
    }
}

/// The choice between holding and owning, for principals that allow both.
#[component]
fn RelationSelect(label: String) -> impl IntoView {
    view! {
        <select name="relation" aria-label=label>
            <option value="holder">"holds it (their own access)"</option>
            <option value="owner">"owns it (a service credential)"</option>
        </select>
    }
}

/// Maps any principal of the newest snapshot by its key, for example to correct a link that
/// inference got wrong; the relation defaults to the kind's usual one.
#[component]
fn MapAnyForm(map: ServerAction<MapPrincipal>) -> impl IntoView {
    view! {
        <section aria-labelledby="map-any-heading">
            <h2 id="map-any-heading">"Map a principal"</h2>
            <ActionForm action=map attr:class="filters map-form">
                <label>"Organization id" <input type="text" name="org_id" required/></label>
                <label>"Principal key" <input type="text" name="principal_key" required placeholder="apikey:…"/></label>
                <label>"Person's email" <input type="email" name="person_email" required/></label>
                <label>
                    "Relation"
                    <select name="relation">
                        <option value="">"usual for its kind"</option>
                        <option value="holder">"holds it (their own access)"</option>
                        <option value="owner">"owns it (a service credential)"</option>
                    </select>
                </label>
                <button type="submit">"Map"</button>
            </ActionForm>
        </section>
    }
}
