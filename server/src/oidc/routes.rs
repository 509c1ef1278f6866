//! `/auth/login` and `/auth/callback`.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, CsrfToken, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PkceCodeVerifier, Scope, SignatureVerificationError, TokenResponse,
};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use tower_sessions::Session;

use app::backend::auth::users::{SignInClaims, record_sign_in};
use app::model::Role;

use super::{Oidc, OidcSetupError, error_chain};
use crate::http::ServerState;
use crate::http::auth_routes::start_session;
use crate::http::error_page::error_page;
use crate::http::viewer::USER_ID;

/// Session key of the pending login (state, nonce, PKCE verifier).
const PENDING: &str = "oidc.pending";
/// A login must come back from the provider within this time.
const PENDING_TTL_SECS: i64 = 600;

#[derive(Debug, Serialize, Deserialize)]
struct PendingLogin {
    state: String,
    nonce: String,
    pkce_verifier: String,
    started_at: i64,
}

/// Starts single sign-on: stores state, nonce and PKCE verifier server-side and redirects to
/// the provider.
pub async fn login(State(state): State<ServerState>, session: Session) -> Response {
    let Some(oidc) = state.oidc.clone() else {
        return error_page(
            StatusCode::NOT_FOUND,
            "Single sign-on is not configured",
            "Set ATTEST_OIDC_ISSUER to enable it.",
        );
    };
    let metadata = match oidc.metadata(false).await {
        Ok(metadata) => metadata,
        Err(err) => {
            tracing::error!(error = %err, "identity provider unavailable");
            return error_page(
                StatusCode::BAD_GATEWAY,
                "Identity provider unavailable",
                "Attest could not reach the identity provider. Try again in a minute.",
            );
        }
    };
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = oidc
        .client(metadata)
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    let pending = PendingLogin {
        state: csrf.secret().clone(),
        nonce: nonce.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
        started_at: chrono::Utc::now().timestamp(),
    };
    if let Err(err) = session.insert(PENDING, pending).await {
        tracing::error!(error = %err, "could not store the pending login");
        return error_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Sign-in failed",
            "The error was logged.",
        );
    }
    Redirect::to(url.as_str()).into_response()
}

#[derive(Debug, Deserialize)]
pub struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// Finishes single sign-on. Any failure is a 400 page that says what went wrong, and no
/// session is created.
pub async fn callback(
    State(state): State<ServerState>,
    session: Session,
    Query(params): Query<CallbackParams>,
) -> Response {
    match finish(&state, &session, params).await {
        Ok(response) => response,
        Err(failure) => {
            tracing::warn!(reason = %failure.log, "sign-in rejected");
            // The user id is bound only on success. A pre-sign-in session is dropped whole; a
            // signed-in user who follows a crafted callback link stays signed in.
            let signed_in = matches!(session.get::<uuid::Uuid>(USER_ID).await, Ok(Some(_)));
            if !signed_in {
                let _ = session.flush().await;
            }
            error_page(StatusCode::BAD_REQUEST, "Sign-in failed", &failure.message)
        }
    }
}

struct Failure {
    message: String,
    log: String,
}

fn reject(message: &str) -> Failure {
    Failure {
        message: message.to_string(),
        log: message.to_string(),
    }
}

async fn finish(
    state: &ServerState,
    session: &Session,
    params: CallbackParams,
) -> Result<Response, Failure> {
    let oidc: &Oidc = state
        .oidc
        .as_deref()
        .ok_or_else(|| reject("Single sign-on is not configured."))?;
    if let Some(error) = params.error {
        let detail = params.error_description.unwrap_or_default();
        return Err(Failure {
            message: format!("The identity provider refused the sign-in: {error} {detail}"),
            log: format!("provider error {error}"),
        });
    }
    // Single use: the pending login is removed before anything else can fail.
    let pending: PendingLogin = session
        .remove(PENDING)
        .await
        .ok()
        .flatten()
        .ok_or_else(|| reject("This sign-in response does not belong to a sign-in started in this browser, or it was already used. Start again."))?;
    if chrono::Utc::now().timestamp() - pending.started_at > PENDING_TTL_SECS {
        return Err(reject(
            "This sign-in took longer than 10 minutes. Start again.",
        ));
    }
    let returned_state = params.state.unwrap_or_default();
    if !bool::from(returned_state.as_bytes().ct_eq(pending.state.as_bytes())) {
        return Err(reject(
            "The sign-in response does not match the request that started it (state mismatch). Start again.",
        ));
    }
    let code = params
        .code
        .ok_or_else(|| reject("The identity provider sent no authorization code."))?;
    let metadata = oidc.metadata(false).await.map_err(unreachable)?;
    let client = oidc.client(metadata);
    let request = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|e| Failure {
            message: "The identity provider has no token endpoint.".into(),
            log: e.to_string(),
        })?;
    let tokens = request
        .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier))
        .request_async(&oidc.http)
        .await
        .map_err(|e| Failure {
            message: "The identity provider did not accept the sign-in code.".into(),
            log: error_chain(&e),
        })?;
    let _ = tokens.access_token(); // Attest keeps no provider tokens; only the identity.
    let id_token = tokens
        .id_token()
        .ok_or_else(|| reject("The identity provider returned no ID token."))?;
    let nonce = Nonce::new(pending.nonce);
    let claims = match id_token.claims(&client.id_token_verifier(), &nonce) {
        // The provider signs with a key it published after we cached its keys; OpenID Connect
        // Core 10.1.1 says to fetch them again on an unfamiliar key id.
        Err(ClaimsVerificationError::SignatureVerification(
            SignatureVerificationError::NoMatchingKey,
        )) => {
            let metadata = oidc.metadata(true).await.map_err(unreachable)?;
            id_token.claims(&oidc.client(metadata).id_token_verifier(), &nonce)
        }
        verified => verified,
    }
    .map_err(|e| Failure {
        message: describe_claims_error(&e),
        log: error_chain(&e),
    })?;

    let email = claims
        .email()
        .filter(|_| claims.email_verified() != Some(false))
        .map(|e| e.as_str().to_lowercase());
    let display_name = claims
        .name()
        .and_then(|n| n.get(None))
        .map(|n| n.as_str().to_owned())
        .or_else(|| claims.preferred_username().map(|u| u.as_str().to_owned()))
        .or_else(|| email.clone())
        .unwrap_or_else(|| claims.subject().as_str().to_owned());
    let sign_in = SignInClaims {
        issuer: claims.issuer().as_str().to_owned(),
        subject: claims.subject().as_str().to_owned(),
        email: email.clone(),
        display_name,
    };
    let initial: &[Role] = match &email {
        Some(email) if oidc.is_bootstrap_admin(email) => &[Role::Admin],
        _ => &[],
    };
    let user_id = record_sign_in(&state.app.pool, &sign_in, initial)
        .await
        .map_err(|e| Failure {
            message: "Signing in failed on the server. The error was logged.".into(),
            log: e.to_string(),
        })?;
    Ok(start_session(session, user_id).await)
}

fn unreachable(err: OidcSetupError) -> Failure {
    Failure {
        message: "Attest could not reach the identity provider.".into(),
        log: err.to_string(),
    }
}

fn describe_claims_error(err: &ClaimsVerificationError) -> String {
    let what = match err {
        ClaimsVerificationError::Expired(_) => "the ID token has expired",
        ClaimsVerificationError::InvalidNonce(_) => {
            "the ID token's nonce does not match this sign-in (possible replay)"
        }
        ClaimsVerificationError::SignatureVerification(_) => {
            "the ID token's signature is not valid for the provider's keys"
        }
        ClaimsVerificationError::InvalidAudience(_) => {
            "the ID token was issued for another application"
        }
        ClaimsVerificationError::InvalidIssuer(_) => "the ID token comes from another issuer",
        _ => "the ID token did not pass validation",
    };
    format!("Sign-in rejected: {what}. Start again.")
}
