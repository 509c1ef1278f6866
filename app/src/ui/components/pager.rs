//! Previous/next links for server-side paging; plain links, so they work without JavaScript.

use leptos::prelude::*;

/// "Previous · Page N of M · Next". `link(n)` builds the address of page `n`. When `capped`,
/// the total is only a lower bound and the last page is unknown.
#[component]
pub fn Pager(
    page: i64,
    page_size: i64,
    total: i64,
    #[prop(default = false)] capped: bool,
    link: impl Fn(i64) -> String + 'static,
) -> impl IntoView {
    let pages = ((total + page_size - 1) / page_size.max(1)).max(1);
    let has_next = capped || page < pages;
    let label = if capped {
        format!("Page {page}")
    } else {
        format!("Page {page} of {pages}")
    };
    view! {
        <nav aria-label="Pages" class="pager">
            {(page > 1).then(|| view! { <a href=link(page - 1) rel="prev">"Previous"</a> " " })}
            {label}
            {has_next.then(|| view! { " " <a href=link(page + 1) rel="next">"Next"</a> })}
        </nav>
    }
}
