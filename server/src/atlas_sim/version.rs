//! Versioned media types. Every Atlas operation lists the dates it serves; the request's
//! `Accept: application/vnd.atlas.<date>+json` must name one of them exactly, a sunset one is
//! gone (410 `VERSION_GONE`), anything else is 406. The table below is copied from the spec's
//! `x-xgen-version` / `x-sunset` for each operation the simulator serves.

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde_json::json;

use super::error::SimError;
use super::routes::BASE;
use super::state::SimState;

const V2023: (&str, Option<&str>) = ("2023-01-01", None);
const V2023_SUNSET: (&str, Option<&str>) = ("2023-01-01", Some("2027-07-01"));
const V2024: (&str, Option<&str>) = ("2024-08-05", None);
const V2025: (&str, Option<&str>) = ("2025-02-19", None);

type Versions = &'static [(&'static str, Option<&'static str>)];

/// (method, route template below `/api/atlas/v2`, versions with their sunset date).
/// Action routes (`…/{userId}:addRole`) share the template of their resource, and every
/// action on one template has the same versions.
const TABLE: &[(&str, &str, Versions)] = &[
    ("POST", "/orgs/{orgId}/users", &[V2025]),
    ("GET", "/orgs/{orgId}/users", &[V2023_SUNSET, V2025]),
    ("GET", "/orgs/{orgId}/users/{userId}", &[V2025]),
    ("PATCH", "/orgs/{orgId}/users/{userId}", &[V2025]),
    ("POST", "/orgs/{orgId}/users/{userId}", &[V2025]),
    (
        "DELETE",
        "/orgs/{orgId}/users/{userId}",
        &[V2023_SUNSET, V2025],
    ),
    ("GET", "/groups/{groupId}/users", &[V2023_SUNSET, V2025]),
    ("POST", "/groups/{groupId}/users", &[V2025]),
    ("GET", "/groups/{groupId}/users/{userId}", &[V2025]),
    ("POST", "/groups/{groupId}/users/{userId}", &[V2025]),
    (
        "DELETE",
        "/groups/{groupId}/users/{userId}",
        &[V2023_SUNSET, V2025],
    ),
    (
        "GET",
        "/orgs/{orgId}/teams/{teamId}/users",
        &[V2023_SUNSET, V2025],
    ),
    ("POST", "/orgs/{orgId}/teams/{teamId}", &[V2025]),
    ("*", "/orgs/{orgId}/serviceAccounts", &[V2024]),
    ("*", "/orgs/{orgId}/serviceAccounts/{clientId}", &[V2024]),
    (
        "*",
        "/orgs/{orgId}/serviceAccounts/{clientId}/groups",
        &[V2024],
    ),
    ("*", "/groups/{groupId}/serviceAccounts", &[V2024]),
    (
        "*",
        "/groups/{groupId}/serviceAccounts/{clientId}",
        &[V2024],
    ),
];

/// The version a request was answered in, e.g. `2025-02-19`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiVersion(pub &'static str);

impl ApiVersion {
    /// True for the 2025-02-19 user model.
    pub fn is_2025(self) -> bool {
        self.0 == V2025.0
    }

    /// The versioned content type of answers in this version.
    pub fn content_type(self) -> String {
        format!("application/vnd.atlas.{}+json", self.0)
    }
}

/// The versions an operation serves; unlisted operations serve 2023-01-01 only.
pub fn versions_of(method: &Method, template: &str) -> Versions {
    TABLE
        .iter()
        .find(|(m, t, _)| (*m == "*" || *m == method.as_str()) && *t == template)
        .map_or(&[V2023], |(_, _, versions)| versions)
}

/// The date named by an `Accept` header, if it names an Atlas media type.
pub fn requested_date(headers: &HeaderMap) -> Option<String> {
    let accept = headers.get(header::ACCEPT)?.to_str().ok()?;
    accept.split(',').find_map(|part| {
        let media = part.split(';').next()?.trim();
        let date = media
            .strip_prefix("application/vnd.atlas.")?
            .strip_suffix("+json")?;
        Some(date.to_owned())
    })
}

/// Chooses the version for one request, or the 406 / 410 Atlas answers with.
pub fn negotiate(
    method: &Method,
    template: &str,
    headers: &HeaderMap,
    today: NaiveDate,
) -> Result<ApiVersion, SimError> {
    let path = format!("api/atlas/v2{template}");
    let Some(date) = requested_date(headers) else {
        return Err(not_acceptable(
            "no Atlas version in the Accept header",
            &path,
        ));
    };
    let versions = versions_of(method, template);
    let Some((version, sunset)) = versions.iter().find(|(v, _)| *v == date) else {
        return Err(not_acceptable(
            &format!("version {date} is not served"),
            &path,
        ));
    };
    let gone = sunset
        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .is_some_and(|sunset| today >= sunset);
    if gone {
        return Err(SimError::new(
            StatusCode::GONE,
            "VERSION_GONE",
            format!("Version {version} of {path} is no longer available."),
        )
        .params(vec![json!(version), json!(path)]));
    }
    Ok(ApiVersion(version))
}

// Not confirmed: the 406 body and code; the placeholder makes a dependency on it visible.
fn not_acceptable(why: &str, path: &str) -> SimError {
    SimError::new(
        StatusCode::NOT_ACCEPTABLE,
        "SIM_NOT_ACCEPTABLE",
        format!("Invalid Accept header for {path}: {why}."),
    )
    .params(vec![json!(path)])
}

/// Middleware: rejects unusable versions and hands the chosen one to the handler.
pub async fn require_version(
    State(state): State<SimState>,
    matched: Option<MatchedPath>,
    mut request: Request,
    next: Next,
) -> Response {
    let template = matched
        .as_ref()
        .map(|m| m.as_str().trim_start_matches(BASE).to_owned())
        .unwrap_or_default();
    let today = state.now().await.date_naive();
    match negotiate(request.method(), &template, request.headers(), today) {
        Ok(version) => {
            request.extensions_mut().insert(version);
            next.run(request).await
        }
        Err(err) => err.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_str(value).unwrap_or(HeaderValue::from_static("")),
        );
        headers
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn exact_date_is_served() {
        let v = negotiate(
            &Method::GET,
            "/orgs/{orgId}/users",
            &accept("application/vnd.atlas.2025-02-19+json"),
            day("2026-01-01"),
        );
        assert_eq!(v.ok(), Some(ApiVersion("2025-02-19")));
    }

    #[test]
    fn missing_or_unknown_date_is_406() {
        for header in ["application/json", "application/vnd.atlas.2024-01-01+json"] {
            let err = negotiate(&Method::GET, "/orgs", &accept(header), day("2026-01-01")).err();
            assert_eq!(err.map(|e| e.status), Some(StatusCode::NOT_ACCEPTABLE));
        }
    }

    #[test]
    fn sunset_version_is_gone_after_its_date() {
        let headers = accept("application/vnd.atlas.2023-01-01+json");
        let template = "/groups/{groupId}/users";
        assert!(negotiate(&Method::GET, template, &headers, day("2027-06-30")).is_ok());
        let err = negotiate(&Method::GET, template, &headers, day("2027-07-01")).err();
        assert_eq!(err.as_ref().map(|e| e.status), Some(StatusCode::GONE));
        assert_eq!(err.and_then(|e| e.code), Some("VERSION_GONE".to_owned()));
    }
}
