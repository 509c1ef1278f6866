//! Giving server-function errors their proper HTTP status.
//!
//! Leptos answers every server-function error with 500. Refusals are not server faults, so
//! the places that decide them set the status too: 401, 403, 404, 409 or 400. Monitoring then
//! counts a refused request as a refusal, not as an outage.
//!
//! A plain HTML form post (no JavaScript) is different: Leptos answers it with a redirect back
//! to the page, carrying the error in the address, and the browser follows a redirect only
//! when the status says so. Such requests keep the redirect; the refusal is still logged where
//! it is decided.

use crate::error::AppError;

/// Sets the current response's status from `error` (when answering a request) and returns it.
pub fn with_status(error: AppError) -> AppError {
    let status = match &error {
        AppError::Unauthenticated => axum::http::StatusCode::UNAUTHORIZED,
        AppError::Forbidden => axum::http::StatusCode::FORBIDDEN,
        AppError::NotFound(_) => axum::http::StatusCode::NOT_FOUND,
        AppError::Conflict(_) => axum::http::StatusCode::CONFLICT,
        AppError::Invalid(_) => axum::http::StatusCode::BAD_REQUEST,
        AppError::Internal | AppError::Transport(_) => {
            axum::http::StatusCode::INTERNAL_SERVER_ERROR
        }
    };
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
        && !is_form_post()
    {
        response.set_status(status);
    }
    error
}

/// Whether the current request is a plain HTML form post, which is answered with a redirect
/// (a browser sends `Accept: text/html` for a form, a server-function client does not).
pub fn is_form_post() -> bool {
    leptos::prelude::use_context::<axum::http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(axum::http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    })
}

/// After a plain form post, goes back to the page the form was on (its path and query from
/// `Referer`) with `params` replacing any earlier values of the same names, so the page can
/// say what happened. Does nothing for a server-function client, which gets the return value.
pub fn back_with(params: &[(&str, String)]) {
    if !is_form_post() {
        return;
    }
    let Some(referer) =
        leptos::prelude::use_context::<axum::http::request::Parts>().and_then(|parts| {
            parts
                .headers
                .get(axum::http::header::REFERER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| url::Url::parse(v).ok())
        })
    else {
        return;
    };
    let kept: Vec<(String, String)> = referer
        .query_pairs()
        .filter(|(k, _)| k != "__err" && k != "__path" && !params.iter().any(|(name, _)| name == k))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut target = url::Url::parse("http://attest.invalid/").expect("a constant, valid URL");
    target.set_path(referer.path());
    target
        .query_pairs_mut()
        .extend_pairs(kept)
        .extend_pairs(params.iter().map(|(k, v)| (*k, v.as_str())));
    let path = match target.query() {
        Some(query) => format!("{}?{query}", target.path()),
        None => target.path().to_owned(),
    };
    leptos_axum::redirect(&path);
}
