//! Errors of form posts made without JavaScript.
//!
//! A server function posted by a plain form answers with a redirect back to the page, with
//! the error in the query string (`__path`, `__err`). This reads it back so the page can show
//! it; with JavaScript the action's own value carries the error instead.

use leptos::prelude::*;
use leptos::server_fn::error::ServerFnUrlError;
use leptos_router::hooks::use_query_map;

use crate::error::AppError;

/// The error a no-JavaScript post to server function `endpoint` (e.g. `map_principal`) left
/// in the page's address, if any.
pub fn url_error(endpoint: &'static str) -> Memo<Option<AppError>> {
    let query = use_query_map();
    Memo::new(move |_| {
        query.with(|q| {
            let path = q.get("__path")?;
            if !path.trim_end_matches('/').ends_with(endpoint) {
                return None;
            }
            q.get("__err")
                .map(|err| ServerFnUrlError::<AppError>::decode_err(&err))
        })
    })
}

/// The errors no-JavaScript posts to any of `endpoints` left in the page's address.
#[component]
pub fn FormErrors(endpoints: &'static [&'static str]) -> impl IntoView {
    let errors = endpoints.iter().map(|e| url_error(e)).collect::<Vec<_>>();
    move || {
        errors
            .iter()
            .filter_map(|e| e.get())
            .map(|error| view! { <p class="error" role="alert">{error.to_string()}</p> })
            .collect_view()
    }
}
