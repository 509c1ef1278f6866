//! Bulk decisions: over the items ticked on the page, or over every undecided item the
//! filters show. Privileged items are never included silently: they are left out unless the
//! reviewer ticks "Include privileged items", and the page says how many were left out.

use leptos::prelude::*;

/// The bulk form (ticked items join it through their `form="bulk"` checkboxes) and the
/// "every undecided item shown" form.
#[component]
pub fn BulkForm(open_ids: Vec<i64>, open_privileged: usize) -> impl IntoView {
    let open = open_ids.len();
    let hidden = open_ids
        .into_iter()
        .map(|id| view! { <input type="hidden" name=format!("item_ids[{id}]") value=id.to_string()/> })
        .collect_view();
    let privileged_note = if open_privileged > 0 {
        format!(
            "{open_privileged} of them are privileged and are left out unless you include them."
        )
    } else {
        String::new()
    };
    view! {
        <section class="bulk" aria-labelledby="bulk-heading">
            <h2 id="bulk-heading">"Decide several at once"</h2>
            <form id="bulk" method="post" action="/api/decide_items" class="bulk-form">
                <p>"Tick the items below with their Select box, then decide them together."</p>
                <label>"Comment for all" <input type="text" name="comment"/></label>
                <label class="check"><input type="checkbox" name="include_privileged" value="on"/> "Include privileged items"</label>
                <button type="submit" name="decision" value="approve">"Approve selected"</button>
                " "
                <button type="submit" name="decision" value="revoke">"Revoke selected"</button>
            </form>
            {(open > 0).then(|| view! {
                <form method="post" action="/api/decide_items" class="bulk-form">
                    {hidden}
                    <input type="hidden" name="decision" value="approve"/>
                    <p>{format!("{open} undecided items match the filters. {privileged_note}")}</p>
                    <label>"Comment for all" <input type="text" name="comment"/></label>
                    <button type="submit">{format!("Approve all {open} shown")}</button>
                </form>
            })}
        </section>
    }
}
