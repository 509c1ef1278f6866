//! Sections whose content arrives with later capabilities; each shows an honest empty state
//! and enforces the same role rule as its future server functions.

use leptos::prelude::*;

use crate::model::{Section, Viewer};
use crate::ui::components::access::NoAccess;

fn gated(section: Section, body: impl IntoView + 'static) -> AnyView {
    let viewer = expect_context::<Viewer>();
    if section.visible_to(&viewer) {
        view! { <h1>{section.label()}</h1> {body} }.into_any()
    } else {
        view! { <NoAccess/> }.into_any()
    }
}

#[component]
pub fn InventoryPage() -> impl IntoView {
    gated(
        Section::Inventory,
        view! { <p class="empty">"No snapshot has been taken yet, so there is no inventory."</p> },
    )
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <h1>"Page not found"</h1>
        <p>"There is no page at this address. Use the navigation above."</p>
    }
}
