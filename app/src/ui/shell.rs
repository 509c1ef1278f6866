//! The HTML document, the router and the signed-in layout.

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Outlet, ParentRoute, Route, Router, Routes};
use leptos_router::{SsrMode, path};

use crate::api::session::get_session_info;
use crate::error::AppError;
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
                <HydrationScripts options islands=true/>
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

/// The application: the router, with every page inside the signed-in layout.
///
/// The `<Routes>` must be reachable without awaiting anything: the server discovers the route
/// list by rendering this component once at start-up, and a route it does not see is not
/// served (the page would only exist after a client-side navigation).
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Loaded once per page load; navigating between sections keeps it.
    let session = Resource::new_blocking(|| (), |_| get_session_info());
    provide_context(session);
    view! {
        <Stylesheet id="attest" href="/pkg/attest.css"/>
        <Title text="Attest"/>
        <Router>
            <Routes fallback=|| view! { <Layout><pages::placeholder::NotFound/></Layout> }>
                // In-order rendering sends every page complete, so it works without JavaScript.
                <ParentRoute
                    path=path!("")
                    view=|| view! { <Layout><Outlet/></Layout> }
                    ssr=SsrMode::InOrder
                >
                    <Route path=path!("/") view=pages::dashboard::DashboardPage/>
                    <Route path=path!("/sign-in") view=pages::dashboard::DashboardPage/>
                    <Route path=path!("/reviews") view=pages::reviews::MyReviewsPage/>
                    <Route path=path!("/campaigns") view=pages::campaigns::CampaignsPage/>
                    <Route path=path!("/campaigns/new") view=pages::campaigns::NewCampaignPage/>
                    <Route path=path!("/campaigns/templates") view=pages::campaigns::CampaignTemplatesPage/>
                    <Route path=path!("/campaigns/:id") view=pages::campaigns::CampaignPage/>
                    <Route path=path!("/inventory") view=pages::inventory::explorer::InventoryPage/>
                    <Route path=path!("/inventory/leavers") view=pages::inventory::leavers::LeaversPage/>
                    <Route path=path!("/inventory/mappings") view=pages::inventory::mappings::MappingsPage/>
                    <Route path=path!("/inventory/people/:id") view=pages::inventory::person::PersonAccessPage/>
                    <Route path=path!("/inventory/projects/:org/:project") view=pages::inventory::project::ProjectAccessPage/>
                    <Route path=path!("/snapshots") view=pages::snapshots::SnapshotsPage/>
                    <Route path=path!("/snapshots/diff") view=pages::snapshots::SnapshotDiffPage/>
                    <Route path=path!("/snapshots/:id") view=pages::snapshots::SnapshotPage/>
                    <Route path=path!("/people") view=pages::people::PeoplePage/>
                    <Route path=path!("/audit") view=pages::audit::AuditPage/>
                    <Route path=path!("/evidence") view=pages::evidence::EvidencePage/>
                    <Route path=path!("/remediation") view=pages::remediation::RemediationPage/>
                    <Route path=path!("/settings") view=pages::settings::SettingsPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// Navigation around the page; anyone not signed in sees the sign-in page instead.
#[component]
fn Layout(children: ChildrenFn) -> impl IntoView {
    let session = expect_context::<Resource<Result<SessionInfo, AppError>>>();
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match session.await {
                        Ok(info) => signed_in(info, children).into_any(),
                        Err(err) => view! {
                            <main class="page"><p class="error" role="alert">{err.to_string()}</p></main>
                        }
                        .into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// The navigation bar and `page` for a signed-in viewer, or the sign-in page.
fn signed_in(info: SessionInfo, page: ChildrenFn) -> impl IntoView {
    let Some(viewer) = info.viewer.clone() else {
        return view! { <pages::sign_in::SignInPage info/> }.into_any();
    };
    provide_context(viewer.clone());
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <NavBar viewer/>
        <main id="main" class="page" tabindex="-1">{page()}</main>
    }
    .into_any()
}
