//! The HTML document, the router and the signed-in layout.

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::api::session::get_session_info;
use crate::model::SessionInfo;
use crate::ui::components::nav::NavBar;
use crate::ui::pages;

/// The whole HTML document, rendered on the server for every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    provide_request_nonce();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Makes the nonce that the server put into this request's CSP header available to the
/// hydration scripts, so they run under a CSP that allows no other inline script.
fn provide_request_nonce() {
    #[cfg(feature = "ssr")]
    {
        use crate::backend::security::CspNonce;
        if let Some(nonce) = use_context::<axum::http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<CspNonce>().cloned())
        {
            provide_context(leptos::nonce::Nonce::from_value(nonce.0));
        }
    }
}

/// The application: loads who is signed in, then routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let session = Resource::new_blocking(|| (), |_| get_session_info());
    view! {
        <Stylesheet id="attest" href="/pkg/attest.css"/>
        <Title text="Attest"/>
        <Router>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match session.await {
                        Ok(info) => view! { <Layout info/> }.into_any(),
                        Err(err) => view! {
                            <main class="page"><p class="error" role="alert">{err.to_string()}</p></main>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </Router>
    }
}

/// Navigation and the routed page; anyone not signed in sees the sign-in page.
#[component]
fn Layout(info: SessionInfo) -> impl IntoView {
    let Some(viewer) = info.viewer.clone() else {
        return view! { <pages::sign_in::SignInPage info/> }.into_any();
    };
    provide_context(viewer.clone());
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <NavBar viewer/>
        <main id="main" class="page" tabindex="-1">
            <Routes fallback=|| view! { <pages::placeholder::NotFound/> }>
                <Route path=path!("/") view=pages::dashboard::DashboardPage/>
                <Route path=path!("/sign-in") view=pages::dashboard::DashboardPage/>
                <Route path=path!("/reviews") view=pages::placeholder::MyReviewsPage/>
                <Route path=path!("/campaigns") view=pages::placeholder::CampaignsPage/>
                <Route path=path!("/inventory") view=pages::placeholder::InventoryPage/>
                <Route path=path!("/people") view=pages::people::PeoplePage/>
                <Route path=path!("/audit") view=pages::audit::AuditPage/>
                <Route path=path!("/settings") view=pages::settings::SettingsPage/>
            </Routes>
        </main>
    }
    .into_any()
}
