//! The one error type of the Atlas client.
//!
//! Callers match on [`AtlasError::kind`]; the error also names the call (operation, method,
//! path and page) and keeps Atlas's own error body when there was one. Nothing in the client
//! panics on what Atlas sends.

use std::fmt;
use std::time::Duration;

use super::api_error::{ApiErrorBody, classify};

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What went wrong, in terms a caller can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// 404: the resource (or its parent) does not exist. On a delete, confirm by re-reading.
    NotFound,
    /// 429 after the retries allowed, or a `Retry-After` longer than the client will wait.
    RateLimited,
    /// 401: the credentials were refused, even after a fresh token or digest challenge.
    Unauthorized,
    /// 403: the credential lacks the role, or the caller's address is not on the access list.
    Forbidden,
    /// Atlas refused to remove a user's last role.
    LastRole,
    /// Atlas refused to remove a team's last member (`CANNOT_REMOVE_LAST_USER_FROM_TEAM`).
    LastTeamMember,
    /// Atlas refused to remove or demote the organization's last owner.
    LastOrgOwner,
    /// 410: the requested API version is past its sunset date (`VERSION_GONE`).
    VersionGone,
    /// 406: Atlas does not serve the requested version of this endpoint.
    NotAcceptable,
    /// 409: the change conflicts with the current state.
    Conflict,
    /// 400: Atlas rejected the request as invalid.
    BadRequest,
    /// 5xx after the retries allowed (or at once, for a call that is not idempotent).
    ServerError,
    /// A status the client does not expect from Atlas, such as a redirect.
    UnexpectedStatus,
    /// A success response whose body does not match the expected shape.
    InvalidBody,
    /// A response body that ended early.
    TruncatedPage,
    /// The connection failed or was dropped.
    Connection,
    /// No response within the request timeout.
    Timeout,
    /// The service-account token endpoint refused to issue a token.
    TokenRefused,
    /// A value Attest passed cannot form a valid request (e.g. an empty identifier).
    InvalidArgument,
    /// The client configuration is unusable.
    Config,
}

impl ErrorKind {
    /// Whether the failure is Atlas refusing a revocation to protect an invariant.
    pub fn is_refusal(self) -> bool {
        matches!(
            self,
            Self::LastRole | Self::LastTeamMember | Self::LastOrgOwner
        )
    }
}

/// Which call failed: the spec's operation id, the method, the path, and the page if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallSite {
    /// The spec's `operationId`, e.g. `listOrgUsers`.
    pub operation: &'static str,
    /// The HTTP method.
    pub method: &'static str,
    /// The escaped path, starting with `/api/atlas/v2` or `/api/oauth`.
    pub path: String,
    /// The page number, for paginated listings.
    pub page: Option<u32>,
}

impl fmt::Display for CallSite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({} {}", self.operation, self.method, self.path)?;
        if let Some(page) = self.page {
            write!(f, ", page {page}")?;
        }
        f.write_str(")")
    }
}

/// An Atlas client failure. Match on [`kind`](Self::kind).
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct AtlasError(Box<Inner>);

#[derive(Debug, thiserror::Error)]
struct Inner {
    kind: ErrorKind,
    call: Option<CallSite>,
    status: Option<u16>,
    api: Option<ApiErrorBody>,
    retry_after: Option<Duration>,
    message: String,
    #[source]
    source: Option<BoxError>,
}

impl fmt::Display for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.call {
            Some(call) => write!(f, "Atlas call {call} failed: {}", self.message),
            None => write!(f, "Atlas client: {}", self.message),
        }
    }
}

impl AtlasError {
    fn new(kind: ErrorKind, call: Option<CallSite>, message: String) -> Self {
        Self(Box::new(Inner {
            kind,
            call,
            status: None,
            api: None,
            retry_after: None,
            message,
            source: None,
        }))
    }

    fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.0.source = Some(source.into());
        self
    }

    /// An error status from Atlas, classified from the status and the body's `errorCode`.
    pub(crate) fn from_status(
        call: CallSite,
        status: u16,
        body: &[u8],
        retry_after: Option<Duration>,
    ) -> Self {
        let api = ApiErrorBody::parse(body);
        let kind = classify(status, api.as_ref().and_then(|a| a.error_code.as_deref()));
        let message = match &api {
            Some(api) => format!(
                "Atlas answered {status} {}: {}",
                api.error_code.as_deref().unwrap_or("(no errorCode)"),
                api.detail.as_deref().unwrap_or("(no detail)")
            ),
            None => format!(
                "Atlas answered {status} with a body that is not an Atlas error: {}",
                excerpt(body)
            ),
        };
        let mut err = Self::new(kind, Some(call), message);
        err.0.status = Some(status);
        err.0.api = api;
        err.0.retry_after = retry_after;
        err
    }

    /// A success response whose body does not have the expected shape.
    pub(crate) fn invalid_body(
        call: CallSite,
        source: serde_path_to_error::Error<serde_json::Error>,
    ) -> Self {
        let kind = if source.inner().is_eof() {
            ErrorKind::TruncatedPage
        } else {
            ErrorKind::InvalidBody
        };
        let message = match kind {
            ErrorKind::TruncatedPage => format!("the response body ends early: {source}"),
            _ => format!("the response body does not parse: {source}"),
        };
        Self::new(kind, Some(call), message).with_source(source)
    }

    /// A listing that never reaches an empty or short page.
    pub(crate) fn endless_listing(call: CallSite, max_pages: u32) -> Self {
        Self::new(
            ErrorKind::InvalidBody,
            Some(call),
            format!("more than {max_pages} full pages; Atlas seems to ignore pageNum"),
        )
    }

    /// A response body whose transfer broke off.
    pub(crate) fn truncated(call: CallSite, source: reqwest::Error) -> Self {
        Self::new(
            ErrorKind::TruncatedPage,
            Some(call),
            "the response body could not be read to its end".to_owned(),
        )
        .with_source(source)
    }

    /// A failure before any response arrived.
    pub(crate) fn transport(call: CallSite, source: reqwest::Error) -> Self {
        let (kind, message) = if source.is_timeout() {
            (ErrorKind::Timeout, "no response within the request timeout")
        } else {
            (ErrorKind::Connection, "the connection failed")
        };
        Self::new(kind, Some(call), message.to_owned()).with_source(source)
    }

    /// The token endpoint did not issue a token.
    pub(crate) fn token(
        call: CallSite,
        kind: ErrorKind,
        status: Option<u16>,
        message: String,
    ) -> Self {
        let mut err = Self::new(kind, Some(call), message);
        err.0.status = status;
        err
    }

    /// Records how long Atlas asked the caller to wait.
    pub(crate) fn with_retry_after(mut self, wait: Duration) -> Self {
        self.0.retry_after = Some(wait);
        self
    }

    /// A value that cannot be turned into a request.
    pub(crate) fn invalid_argument(message: String) -> Self {
        Self::new(ErrorKind::InvalidArgument, None, message)
    }

    /// An unusable configuration.
    pub(crate) fn config(message: String) -> Self {
        Self::new(ErrorKind::Config, None, message)
    }

    /// Attaches the call to an error raised before the call was known.
    pub(crate) fn at(mut self, call: &CallSite) -> Self {
        if self.0.call.is_none() {
            self.0.call = Some(call.clone());
        }
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The call that failed, when the failure belongs to one.
    pub fn call(&self) -> Option<&CallSite> {
        self.0.call.as_ref()
    }

    /// The HTTP status Atlas answered with, if it answered.
    pub fn status(&self) -> Option<u16> {
        self.0.status
    }

    /// Atlas's parsed error body, if it sent one.
    pub fn api_error(&self) -> Option<&ApiErrorBody> {
        self.0.api.as_ref()
    }

    /// Atlas's `errorCode`, e.g. `USERNAME_NOT_FOUND`.
    pub fn error_code(&self) -> Option<&str> {
        self.0.api.as_ref()?.error_code.as_deref()
    }

    /// How long Atlas asked the caller to wait, for rate limits and 503s.
    pub fn retry_after(&self) -> Option<Duration> {
        self.0.retry_after
    }
}

/// The start of a body for an error message, with control characters removed.
fn excerpt(body: &[u8]) -> String {
    const MAX: usize = 200;
    let text = String::from_utf8_lossy(body);
    let mut out: String = text.chars().filter(|c| !c.is_control()).take(MAX).collect();
    if text.chars().count() > MAX {
        out.push('…');
    }
    if out.is_empty() {
        out.push_str("(empty)");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(page: Option<u32>) -> CallSite {
        CallSite {
            operation: "listOrgUsers",
            method: "GET",
            path: "/api/atlas/v2/orgs/aaaaaaaaaaaaaaaaaaaaaaaa/users".to_owned(),
            page,
        }
    }

    #[test]
    fn status_error_keeps_code_and_names_the_call() {
        let err = AtlasError::from_status(
            call(Some(3)),
            404,
            br#"{"error":404,"errorCode":"RESOURCE_NOT_FOUND","detail":"Cannot find resource."}"#,
            None,
        );
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert_eq!(err.error_code(), Some("RESOURCE_NOT_FOUND"));
        assert_eq!(err.status(), Some(404));
        let text = err.to_string();
        assert!(text.contains("listOrgUsers"), "{text}");
        assert!(text.contains("page 3"), "{text}");
        assert!(text.contains("RESOURCE_NOT_FOUND"), "{text}");
    }

    #[test]
    fn unparseable_error_body_is_classified_by_status_and_quoted() {
        let err = AtlasError::from_status(call(None), 502, b"<html>\nBad Gateway</html>", None);
        assert_eq!(err.kind(), ErrorKind::ServerError);
        assert!(err.api_error().is_none());
        assert!(err.to_string().contains("<html>Bad Gateway</html>"));
    }

    fn parse(body: &[u8]) -> serde_path_to_error::Error<serde_json::Error> {
        let mut de = serde_json::Deserializer::from_slice(body);
        serde_path_to_error::deserialize::<_, serde_json::Value>(&mut de).expect_err("bad body")
    }

    #[test]
    fn garbled_success_body_is_invalid_and_cut_body_is_truncated() {
        let garbled = parse(b"{\"results\": [1,}");
        assert_eq!(
            AtlasError::invalid_body(call(Some(2)), garbled).kind(),
            ErrorKind::InvalidBody
        );
        let cut = parse(b"{\"results\": [1, 2");
        let err = AtlasError::invalid_body(call(Some(2)), cut);
        assert_eq!(err.kind(), ErrorKind::TruncatedPage);
        assert!(err.to_string().contains("page 2"));
    }

    #[test]
    fn excerpt_is_bounded() {
        let long = vec![b'x'; 1000];
        assert_eq!(excerpt(&long).chars().count(), 201);
        assert_eq!(excerpt(b""), "(empty)");
    }
}
