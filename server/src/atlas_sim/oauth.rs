//! The service-account token endpoints outside `/api/atlas/v2`: `POST /api/oauth/token`
//! (client credentials in HTTP Basic, form `grant_type=client_credentials`) and
//! `POST /api/oauth/revoke`. Errors here follow OAuth 2.0 (`{"error": "invalid_client"}`),
//! except the rate limit, which Atlas answers with its own error body.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::error::SimError;
use super::state::SimState;
use super::world::World;

/// Issued access tokens and recent token requests per client.
#[derive(Debug, Default)]
pub struct Tokens {
    issued: HashMap<String, Issued>,
    requests: HashMap<String, Vec<DateTime<Utc>>>,
}

#[derive(Debug, Clone)]
struct Issued {
    client_id: String,
    expires_at: DateTime<Utc>,
}

impl Tokens {
    /// The service account a live token belongs to.
    pub fn client_of(&self, token: &str, now: DateTime<Utc>) -> Option<&str> {
        self.issued
            .get(token)
            .filter(|issued| issued.expires_at > now)
            .map(|issued| issued.client_id.as_str())
    }

    fn active_for(&self, client_id: &str, now: DateTime<Utc>) -> usize {
        self.issued
            .values()
            .filter(|i| i.client_id == client_id && i.expires_at > now)
            .count()
    }
}

/// `POST /api/oauth/token`.
pub async fn token(State(state): State<SimState>, headers: HeaderMap, body: Bytes) -> Response {
    let mut world = state.write().await;
    match issue(&mut world, &headers, &body) {
        Ok(response) => response,
        Err(response) => response,
    }
}

/// The token answer, or the refusal as a ready response.
#[expect(
    clippy::result_large_err,
    reason = "both arms are responses, returned at once"
)]
fn issue(world: &mut World, headers: &HeaderMap, body: &[u8]) -> Result<Response, Response> {
    let Some((client_id, secret)) = basic_credentials(headers) else {
        return Err(oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed.",
        ));
    };
    let form: HashMap<String, String> = form_urlencoded::parse(body).into_owned().collect();
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return Err(oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "Only client_credentials is supported.",
        ));
    }
    let now = world.now();
    let limit = world.config.token_requests_per_minute;
    let recent = world.tokens.requests.entry(client_id.clone()).or_default();
    recent.retain(|at| *at > now - Duration::minutes(1));
    if recent.len() >= limit as usize {
        let path = "/api/oauth/token";
        return Err(SimError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "RATE_LIMITED",
            format!("Resource {path} is limited to {limit} requests every 1 minutes."),
        )
        .params(vec![json!(path), json!(limit), json!(1)])
        .header(header::RETRY_AFTER, "60")
        .into_response());
    }
    recent.push(now);
    let valid = world
        .service_accounts
        .get_mut(&client_id)
        .and_then(|account| {
            account
                .secrets
                .iter_mut()
                .find(|s| s.value == secret && s.expires_at > now)
        });
    let Some(used) = valid else {
        return Err(oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed.",
        ));
    };
    used.last_used_at = Some(now);
    if world.tokens.active_for(&client_id, now) >= world.config.max_active_tokens {
        return Err(oauth_error(
            StatusCode::FORBIDDEN,
            "access_denied",
            "Access Token limit reached for this service account.",
        ));
    }
    let lifetime = world.config.token_lifetime_secs;
    let token = format!("sim_at_{}", world.random_hex(48));
    world.tokens.issued.insert(
        token.clone(),
        Issued {
            client_id,
            expires_at: now + Duration::seconds(lifetime),
        },
    );
    Ok(json_response(
        StatusCode::OK,
        json!({ "access_token": token, "expires_in": lifetime, "token_type": "Bearer" }),
    ))
}

/// `POST /api/oauth/revoke`: drops a token of the authenticated client; 200 either way.
pub async fn revoke(State(state): State<SimState>, headers: HeaderMap, body: Bytes) -> Response {
    let mut world = state.write().await;
    let Some((client_id, secret)) = basic_credentials(&headers) else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed.",
        );
    };
    let now = world.now();
    let known = world.service_accounts.get(&client_id).is_some_and(|a| {
        a.secrets
            .iter()
            .any(|s| s.value == secret && s.expires_at > now)
    });
    if !known {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed.",
        );
    }
    let form: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
    if let Some(token) = form.get("token")
        && world
            .tokens
            .issued
            .get(token)
            .is_some_and(|i| i.client_id == client_id)
    {
        world.tokens.issued.remove(token);
    }
    StatusCode::OK.into_response()
}

/// Client id and secret from `Authorization: Basic …`.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    json_response(
        status,
        json!({ "error": error, "error_description": description }),
    )
}

fn json_response(status: StatusCode, body: serde_json::Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn basic_credentials_are_decoded() {
        let mut headers = HeaderMap::new();
        let encoded = base64::engine::general_purpose::STANDARD.encode("mdb_sa_id_1:s3cret");
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Basic {encoded}"))
                .unwrap_or(HeaderValue::from_static("")),
        );
        assert_eq!(
            basic_credentials(&headers),
            Some(("mdb_sa_id_1".to_owned(), "s3cret".to_owned()))
        );
    }

    #[test]
    fn expired_tokens_belong_to_nobody() {
        let now = Utc::now();
        let mut tokens = Tokens::default();
        tokens.issued.insert(
            "t".to_owned(),
            Issued {
                client_id: "c".to_owned(),
                expires_at: now + Duration::seconds(5),
            },
        );
        assert_eq!(tokens.client_of("t", now), Some("c"));
        assert_eq!(tokens.client_of("t", now + Duration::seconds(6)), None);
    }
}
