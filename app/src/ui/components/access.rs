//! Rendering of access-denied and similar states shared by pages.

use leptos::prelude::*;

use crate::error::AppError;

/// A short, accessible error message for a failed server call.
#[component]
pub fn ErrorNote(error: AppError) -> impl IntoView {
    view! { <p class="error" role="alert">{error.to_string()}</p> }
}

/// Shown on a section the viewer's role does not include.
#[component]
pub fn NoAccess() -> impl IntoView {
    view! {
        <section>
            <h1>"No access"</h1>
            <p>"Your role does not include this section. Ask an Attest admin if you need it."</p>
        </section>
    }
}
