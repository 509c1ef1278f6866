//! The landing page after sign-in.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::model::{Section, Viewer};
use crate::ui::pages::inventory::leavers::LeaverPanel;

/// A summary of what the viewer can do, with links to their sections.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let viewer = expect_context::<Viewer>();
    let sections = viewer
        .sections()
        .into_iter()
        .filter(|s| *s != Section::Dashboard)
        .map(|s| view! { <li><A href=s.path()>{s.label()}</A></li> })
        .collect_view();
    view! {
        <h1>"Dashboard"</h1>
        <p>"Welcome, " {viewer.display_name.clone()} "."</p>
        <section aria-labelledby="next-heading">
            <h2 id="next-heading">"Where to go"</h2>
            <ul class="link-list">{sections}</ul>
        </section>
        <LeaverPanel/>
        <section aria-labelledby="campaigns-heading">
            <h2 id="campaigns-heading">"Campaigns"</h2>
            <p class="empty">"No review campaigns yet. Campaign progress will appear here."</p>
        </section>
    }
}
