//! The People page: the directory, its import history, and the roster upload form.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::people::{get_directory_overview, search_people};
use crate::model::{DirectoryOverview, PeoplePage as Page, Section, Viewer};
use crate::ui::components::access::{ErrorNote, NoAccess};
use crate::ui::url::urlencode;

/// Lists people (admins and auditors); admins can upload a roster.
#[component]
pub fn PeoplePage() -> impl IntoView {
    let viewer = expect_context::<Viewer>();
    if !Section::People.visible_to(&viewer) {
        return view! { <NoAccess/> }.into_any();
    }
    let query = use_query_map();
    let search = Memo::new(move |_| query.with(|q| q.get("q").unwrap_or_default()));
    let page =
        Memo::new(move |_| query.with(|q| q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1)));
    let imported = move || query.with(|q| q.get("imported").is_some());
    let people = Resource::new(
        move || (search.get(), page.get()),
        |(s, p)| search_people(s, p),
    );
    let overview = Resource::new(|| (), |_| get_directory_overview());
    view! {
        <h1>"People"</h1>
        <p>"The people directory: who is behind each Atlas principal, and who manages them."</p>
        {move || imported().then(|| view! { <p class="notice" role="status">"Roster imported."</p> })}
        {viewer.is_admin().then(|| view! { <ImportForm/> })}
        <Suspense fallback=|| view! { <p class="loading">"Loading imports…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(data) => view! { <Imports data/> }.into_any(),
                    Err(error) => view! { <ErrorNote error/> }.into_any(),
                }
            })}
        </Suspense>
        <section aria-labelledby="people-heading">
            <h2 id="people-heading">"Directory"</h2>
            <form method="get" action="/people" class="filters" role="search">
                <label>"Search people" <input type="search" name="q" value=search.get_untracked()/></label>
                <button type="submit">"Search"</button>
            </form>
            <Suspense fallback=|| view! { <p class="loading">"Loading people…"</p> }>
                {move || Suspend::new(async move {
                    match people.await {
                        Ok(data) => view! { <PeopleTable data search=search.get_untracked()/> }.into_any(),
                        Err(error) => view! { <ErrorNote error/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
    .into_any()
}

#[component]
fn ImportForm() -> impl IntoView {
    view! {
        <section aria-labelledby="import-heading">
            <h2 id="import-heading">"Import a roster"</h2>
            <p>
                "A CSV file (UTF-8, comma or semicolon) with the columns email, name, manager email, "
                "department, title, employment status (active or leaver), end date (YYYY-MM-DD) and "
                "employee id; email and name are required. The whole file is checked first: if any "
                "row has a problem, nothing is imported and every problem is listed."
            </p>
            <form method="post" action="/people/import" enctype="multipart/form-data" class="filters">
                <label>"Roster file" <input type="file" name="roster" accept=".csv,text/csv" required/></label>
                <button type="submit" class="primary">"Import"</button>
            </form>
        </section>
    }
}

#[component]
fn Imports(data: DirectoryOverview) -> impl IntoView {
    if data.imports.is_empty() {
        return view! { <p class="empty">"No roster has been imported yet."</p> }.into_any();
    }
    let history = data
        .imports
        .into_iter()
        .map(|i| {
            view! {
                <tr>
                    <td>{i.imported_at}</td>
                    <td>{i.file_name}</td>
                    <td>{i.imported_by}</td>
                    <td class="num">{i.people}</td>
                    <td class="num">{i.added}</td>
                    <td class="num">{i.changed}</td>
                    <td class="num">{i.removed}</td>
                    <td><code title=i.file_sha256.clone()>{i.file_sha256[..12.min(i.file_sha256.len())].to_string()}</code></td>
                </tr>
            }
        })
        .collect_view();
    let shown = data.latest_changes.len() as i64;
    let total = data.latest_changes_total;
    let changes = data
        .latest_changes
        .into_iter()
        .map(|c| view! { <li><strong>{c.change}</strong> " " {c.email} {(!c.fields.is_empty()).then(|| format!(" ({})", c.fields.join(", ")))}</li> })
        .collect_view();
    view! {
        <section aria-labelledby="history-heading">
            <h2 id="history-heading">"Imports"</h2>
            <div class="table-wrap">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">"When"</th><th scope="col">"File"</th><th scope="col">"By"</th>
                            <th scope="col">"People"</th><th scope="col">"Added"</th><th scope="col">"Changed"</th>
                            <th scope="col">"Removed"</th><th scope="col">"SHA-256"</th>
                        </tr>
                    </thead>
                    <tbody>{history}</tbody>
                </table>
            </div>
            <h3>"Changes in the newest import"</h3>
            {if total == 0 {
                view! { <p class="empty">"No changes since the previous import."</p> }.into_any()
            } else {
                view! {
                    <ul class="changes">{changes}</ul>
                    {(total > shown).then(|| view! { <p>{format!("… and {} more.", total - shown)}</p> })}
                }.into_any()
            }}
        </section>
    }
    .into_any()
}

#[component]
fn PeopleTable(data: Page, search: String) -> impl IntoView {
    if data.people.is_empty() {
        return view! { <p class="empty">"No people match."</p> }.into_any();
    }
    let pages = (data.total + data.page_size - 1) / data.page_size;
    let link = move |page: i64| format!("/people?q={}&page={page}", urlencode(&search));
    let rows = data
        .people
        .into_iter()
        .map(|p| {
            let status = if !p.in_roster {
                "not in roster".to_string()
            } else {
                p.status.clone()
            };
            view! {
                <tr class:leaver=p.is_leaver>
                    <th scope="row">{p.name}</th>
                    <td>{p.email}</td>
                    <td>{p.title.unwrap_or_default()}</td>
                    <td>{p.department.unwrap_or_default()}</td>
                    <td>{p.manager_email.unwrap_or_default()}</td>
                    <td>{status} {p.is_leaver.then(|| view! { " " <span class="badge danger">"leaver"</span> })}</td>
                    <td>{p.end_date.unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p>{format!("{} people", data.total)}</p>
        <div class="table-wrap">
            <table>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Title"</th>
                        <th scope="col">"Department"</th><th scope="col">"Manager"</th>
                        <th scope="col">"Status"</th><th scope="col">"End date"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <nav aria-label="Pages" class="pager">
            {(data.page > 1).then(|| view! { <a href=link(data.page - 1) rel="prev">"Previous"</a> })}
            " " {format!("Page {} of {}", data.page, pages.max(1))} " "
            {(data.page < pages).then(|| view! { <a href=link(data.page + 1) rel="next">"Next"</a> })}
        </nav>
    }
    .into_any()
}
