//! The sign-in page: single sign-on, and in demo mode the "act as" choices.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::model::SessionInfo;

/// Shown to anyone not signed in, whatever page they asked for.
#[component]
pub fn SignInPage(info: SessionInfo) -> impl IntoView {
    let query = use_query_map();
    let notice = move || {
        query.with(|q| match q.get("signed_out").as_deref() {
            Some("1") => Some("You have signed out."),
            _ => None,
        })
    };
    view! {
        <main id="main" class="page sign-in">
            <h1>"Sign in to Attest"</h1>
            <p class="lede">"Access reviews for MongoDB Atlas."</p>
            {move || notice().map(|text| view! { <p class="notice" role="status">{text}</p> })}
            {info.sso_enabled.then(|| view! {
                // rel="external": a full page load, so the router does not treat it as a page.
                <p><a class="button primary" href="/auth/login" rel="external">"Sign in with single sign-on"</a></p>
            })}
            {info.demo_mode.then(|| view! { <DemoChoices/> })}
            {(!info.sso_enabled && !info.demo_mode).then(|| view! {
                <p class="error" role="alert">
                    "No sign-in method is configured. Set ATTEST_OIDC_ISSUER, or start with --demo."
                </p>
            })}
        </main>
    }
}

#[component]
fn DemoChoices() -> impl IntoView {
    view! {
        <section class="demo" aria-labelledby="demo-heading">
            <h2 id="demo-heading">"Demo mode"</h2>
            <p>"Act as one of the demo users. Atlas is simulated; nothing leaves this machine."</p>
            <form method="post" action="/auth/demo" class="demo-choices">
                <button type="submit" name="role" value="admin">"Act as an admin"</button>
                <button type="submit" name="role" value="reviewer">"Act as a reviewer"</button>
                <button type="submit" name="role" value="auditor">"Act as an auditor"</button>
            </form>
        </section>
    }
}
