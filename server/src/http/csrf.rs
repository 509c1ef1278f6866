//! Cross-site request refusal for every state-changing request.
//!
//! Leptos server functions accept plain form posts, so they need this protection from us. A
//! request that is not GET, HEAD or OPTIONS passes only when the browser says it is
//! same-origin (`Sec-Fetch-Site`), or, for clients that do not send Fetch Metadata, when its
//! `Origin` (or failing that its `Referer`) is exactly Attest's public origin.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error_page::error_page;
use super::router::ServerState;

pub async fn reject_cross_site(
    State(state): State<ServerState>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    match verdict(request.headers(), &state.config.origin()) {
        Ok(()) => next.run(request).await,
        Err(reason) => {
            tracing::warn!(
                http.method = %request.method(),
                http.path = request.uri().path(),
                reason,
                "cross-site request refused"
            );
            error_page(
                StatusCode::FORBIDDEN,
                "Request refused",
                "This request came from another site, so Attest refused it. If you clicked a \
                 button in Attest, reload the page and try again.",
            )
            .into_response()
        }
    }
}

/// `Ok` when the request provably comes from Attest's own pages.
fn verdict(headers: &HeaderMap, origin: &str) -> Result<(), &'static str> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return match site {
            "same-origin" | "none" => Ok(()),
            _ => Err("Sec-Fetch-Site is not same-origin"),
        };
    }
    if let Some(sent) = text(header::ORIGIN.as_str()) {
        return if sent == origin {
            Ok(())
        } else {
            Err("Origin differs from the public URL")
        };
    }
    if let Some(referer) = text(header::REFERER.as_str()) {
        let same = referer == origin
            || referer
                .strip_prefix(origin)
                .is_some_and(|rest| rest.starts_with('/'));
        return if same {
            Ok(())
        } else {
            Err("Referer differs from the public URL")
        };
    }
    Err("no Sec-Fetch-Site, Origin or Referer header")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    const ORIGIN: &str = "https://attest.example.com";

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn same_origin_fetch_metadata_passes() {
        assert!(verdict(&headers(&[("sec-fetch-site", "same-origin")]), ORIGIN).is_ok());
    }

    #[test]
    fn cross_site_and_same_site_fetch_metadata_are_refused() {
        for site in ["cross-site", "same-site"] {
            let map = headers(&[("sec-fetch-site", site), ("origin", ORIGIN)]);
            assert!(verdict(&map, ORIGIN).is_err(), "{site}");
        }
    }

    #[test]
    fn origin_must_match_exactly() {
        assert!(verdict(&headers(&[("origin", ORIGIN)]), ORIGIN).is_ok());
        assert!(
            verdict(
                &headers(&[("origin", "https://attest.example.com.evil.io")]),
                ORIGIN
            )
            .is_err()
        );
        assert!(verdict(&headers(&[("origin", "null")]), ORIGIN).is_err());
    }

    #[test]
    fn referer_is_a_fallback_and_must_be_on_the_origin() {
        assert!(
            verdict(
                &headers(&[("referer", "https://attest.example.com/settings")]),
                ORIGIN
            )
            .is_ok()
        );
        assert!(
            verdict(
                &headers(&[("referer", "https://attest.example.com.evil.io/")]),
                ORIGIN
            )
            .is_err()
        );
    }

    #[test]
    fn a_request_with_no_provenance_is_refused() {
        assert!(verdict(&HeaderMap::new(), ORIGIN).is_err());
    }
}
