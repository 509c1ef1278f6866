//! The top navigation bar, showing only the sections the viewer may open.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::model::Viewer;

/// Site header with the role-based navigation and the sign-out button.
#[component]
pub fn NavBar(viewer: Viewer) -> impl IntoView {
    let links = viewer
        .sections()
        .into_iter()
        .map(|section| {
            view! { <li><A href=section.path()>{section.label()}</A></li> }
        })
        .collect_view();
    let roles = if viewer.roles.is_empty() {
        "reviewer".to_string()
    } else {
        viewer
            .roles
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    view! {
        <header class="topbar">
            <a class="brand" href="/">"Attest"</a>
            <nav aria-label="Main">
                <ul class="nav-links">{links}</ul>
            </nav>
            <div class="whoami">
                <span class="user-name">{viewer.display_name.clone()}</span>
                <span class="user-roles">" (" {roles} ")"</span>
                <form method="post" action="/auth/logout" class="inline">
                    <button type="submit" class="link-button">"Sign out"</button>
                </form>
            </div>
        </header>
    }
}
