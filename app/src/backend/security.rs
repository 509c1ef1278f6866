//! Per-request security values shared between the server's middleware and page rendering.

/// The CSP nonce of the current request. The server's header middleware generates it, puts it
/// in the request's extensions and into the `Content-Security-Policy` header; the shell hands it
/// to the hydration scripts.
#[derive(Debug, Clone)]
pub struct CspNonce(pub String);
