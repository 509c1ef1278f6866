//! A stand-in OpenID Connect provider for the sign-in tests.
//!
//! This is a test fixture that deliberately mints bad tokens: expired ones, ones for another
//! client or carrying a nonce of the test's choosing, unsigned ones, and ones signed with a key
//! it does not publish. It serves discovery, its JWKS and a token endpoint on 127.0.0.1; the
//! token endpoint answers the next code exchange with whatever ID token the test handed it,
//! and checks nothing else. It can rotate its signing key, as real providers do.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rsa::RsaPrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::task::JoinHandle;

/// The client id Attest is registered with at the test issuer.
pub const CLIENT_ID: &str = "attest-test-client";
/// The matching client secret.
pub const CLIENT_SECRET: &str = "attest-test-secret";
/// The key the issuer publishes at first.
const FIRST_KEY: &str = include_str!("../fixtures/issuer_key.pem");
/// A key the issuer publishes only after a rotation.
const SECOND_KEY: &str = include_str!("../fixtures/other_key.pem");

/// Which private key signs a token.
#[derive(Debug, Clone, Copy)]
pub enum SignedWith {
    /// The key in the issuer's JWKS right now.
    PublishedKey,
    /// The other key under the published key's id: a forgery.
    UnpublishedKey,
    /// No signature at all (`alg: none`).
    Nothing,
}

/// What goes into a minted ID token.
#[derive(Debug, Clone)]
pub struct TokenSpec {
    pub nonce: String,
    /// Seconds from now until expiry; negative for a token that has already expired.
    pub expires_in_secs: i64,
    pub audience: String,
    pub key: SignedWith,
}

impl TokenSpec {
    /// A token that Attest should accept for a login that sent `nonce`.
    pub fn valid(nonce: &str) -> TokenSpec {
        TokenSpec {
            nonce: nonce.to_owned(),
            expires_in_secs: 300,
            audience: CLIENT_ID.to_owned(),
            key: SignedWith::PublishedKey,
        }
    }
}

/// The subject every minted token names.
pub const SUBJECT: &str = "test-subject-1";
/// The display name every minted token carries.
pub const NAME: &str = "Sam Signin";

/// A running test issuer; it stops when dropped.
pub struct TestIssuer {
    /// The issuer URL, exactly as its discovery document states it.
    pub url: String,
    state: IssuerState,
    server: JoinHandle<()>,
}

#[derive(Clone)]
struct IssuerState {
    url: String,
    next_id_token: Arc<Mutex<Option<String>>>,
    /// Whether the second key has replaced the first.
    rotated: Arc<AtomicBool>,
}

impl IssuerState {
    /// The published key's id and PEM, then the other key's PEM.
    fn keys(&self) -> (&'static str, &'static str, &'static str) {
        if self.rotated.load(Ordering::SeqCst) {
            ("test-issuer-key-2", SECOND_KEY, FIRST_KEY)
        } else {
            ("test-issuer-key-1", FIRST_KEY, SECOND_KEY)
        }
    }
}

impl TestIssuer {
    /// Starts the issuer on a free port of 127.0.0.1.
    pub async fn start() -> TestIssuer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free loopback port");
        let url = format!(
            "http://{}",
            listener
                .local_addr()
                .expect("a bound listener has an address")
        );
        let state = IssuerState {
            url: url.clone(),
            next_id_token: Arc::new(Mutex::new(None)),
            rotated: Arc::new(AtomicBool::new(false)),
        };
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/token", post(token))
            .with_state(state.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .expect("the test issuer serves");
        });
        TestIssuer { url, state, server }
    }

    /// An ID token from this issuer, as `spec` says.
    pub fn mint(&self, spec: &TokenSpec) -> String {
        let now = chrono::Utc::now().timestamp();
        let expires_at = now + spec.expires_in_secs;
        let alg = match spec.key {
            SignedWith::Nothing => "none",
            SignedWith::PublishedKey | SignedWith::UnpublishedKey => "RS256",
        };
        let (key_id, published, unpublished) = self.state.keys();
        let header = json!({"alg": alg, "typ": "JWT", "kid": key_id});
        let claims = json!({
            "iss": self.url,
            "sub": SUBJECT,
            "aud": spec.audience,
            "iat": now.min(expires_at) - 60,
            "exp": expires_at,
            "nonce": spec.nonce,
            "name": NAME,
            "email": "sam.signin@example.com",
            "email_verified": true,
        });
        let signing_input = format!("{}.{}", encode_json(&header), encode_json(&claims));
        let pem = match spec.key {
            SignedWith::PublishedKey => published,
            SignedWith::UnpublishedKey => unpublished,
            SignedWith::Nothing => return format!("{signing_input}."),
        };
        let signature = SigningKey::<Sha256>::new(private_key(pem)).sign(signing_input.as_bytes());
        format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.to_bytes())
        )
    }

    /// Replaces the published key with a new one under a new key id.
    pub fn rotate_key(&self) {
        self.state.rotated.store(true, Ordering::SeqCst);
    }

    /// Makes the next code exchange return `id_token`.
    pub fn answer_next_exchange_with(&self, id_token: String) {
        *self
            .state
            .next_id_token
            .lock()
            .expect("no test thread panicked holding the lock") = Some(id_token);
    }
}

impl Drop for TestIssuer {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn private_key(pem: &str) -> RsaPrivateKey {
    RsaPrivateKey::from_pkcs8_pem(pem).expect("the fixture is a PKCS#8 RSA key")
}

fn encode_json(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

async fn discovery(State(state): State<IssuerState>) -> Json<Value> {
    let url = &state.url;
    Json(json!({
        "issuer": url,
        "authorization_endpoint": format!("{url}/authorize"),
        "token_endpoint": format!("{url}/token"),
        "jwks_uri": format!("{url}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    }))
}

async fn jwks(State(state): State<IssuerState>) -> Json<Value> {
    let (key_id, published, _) = state.keys();
    let public = private_key(published).to_public_key();
    Json(json!({
        "keys": [{
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": key_id,
            "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
            "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()),
        }]
    }))
}

async fn token(State(state): State<IssuerState>) -> Response {
    let id_token = state
        .next_id_token
        .lock()
        .expect("no test thread panicked holding the lock")
        .take();
    match id_token {
        Some(id_token) => Json(json!({
            "access_token": "test-access-token",
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token,
        }))
        .into_response(),
        None => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant"})),
        )
            .into_response(),
    }
}
