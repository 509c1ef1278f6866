//! Atlas's error body, `{"detail","error","errorCode","parameters","reason"}`, and the errors the
//! simulator answers with. Errors go out as plain `application/json`, never versioned, as the
//! spec declares for every error response.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// One Atlas error answer: status, `errorCode`, human `detail` and the `parameters` array.
#[derive(Debug, Clone)]
pub struct SimError {
    /// HTTP status, also repeated as `error` in the body.
    pub status: StatusCode,
    /// Atlas `errorCode`; `None` leaves the field out (seen on some real 401 answers).
    pub code: Option<String>,
    /// Human-readable `detail`.
    pub detail: String,
    /// The `parameters` array; Atlas mixes strings and numbers.
    pub parameters: Vec<Value>,
    /// Extra headers such as `Retry-After` or `WWW-Authenticate`.
    pub headers: Vec<(header::HeaderName, String)>,
}

/// Result type of every simulator handler.
pub type SimResult<T> = Result<T, SimError>;

impl SimError {
    /// An error with a status, code and detail and no parameters.
    pub fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Self {
        Self {
            status,
            code: Some(code.to_owned()),
            detail: detail.into(),
            parameters: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// Adds the `parameters` array.
    pub fn params(mut self, parameters: Vec<Value>) -> Self {
        self.parameters = parameters;
        self
    }

    /// Adds a response header.
    pub fn header(mut self, name: header::HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// 400 `VALIDATION_ERROR`, the spec's generic validation failure.
    pub fn validation(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "VALIDATION_ERROR", detail)
    }

    /// 404 with a specific code and the missing identifier as the only parameter.
    pub fn not_found(code: &str, what: &str, id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            code,
            format!("No {what} with ID {id} exists."),
        )
        .params(vec![json!(id)])
    }

    /// 409 for a duplicate or conflicting resource.
    pub fn conflict(code: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, detail)
    }

    /// 403 when the caller's own roles do not allow the call.
    // The code is the one Terraform tolerates on team removal; whether Atlas uses it for
    // every role refusal is not confirmed.
    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "USER_UNAUTHORIZED",
            "Current user is not authorized to perform this action.",
        )
    }

    /// 500 `UNEXPECTED_ERROR`.
    pub fn unexpected() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "UNEXPECTED_ERROR",
            "Unexpected error.",
        )
    }

    /// The JSON body Atlas sends with this error.
    pub fn body(&self) -> Value {
        let mut body = json!({
            "detail": self.detail,
            "error": self.status.as_u16(),
            "parameters": self.parameters,
            "reason": self.status.canonical_reason().unwrap_or("Error"),
        });
        if let (Some(code), Some(map)) = (&self.code, body.as_object_mut()) {
            map.insert("errorCode".to_owned(), json!(code));
        }
        body
    }
}

impl IntoResponse for SimError {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.body().to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        for (name, value) in &self.headers {
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.insert(name.clone(), value);
            }
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_carries_every_atlas_field() {
        let body = SimError::not_found("GROUP_NOT_FOUND", "group", "abc").body();
        assert_eq!(body["error"], 404);
        assert_eq!(body["errorCode"], "GROUP_NOT_FOUND");
        assert_eq!(body["reason"], "Not Found");
        assert_eq!(body["parameters"], json!(["abc"]));
        assert!(body["detail"].as_str().is_some_and(|d| d.contains("abc")));
    }

    #[test]
    fn missing_code_leaves_the_field_out() {
        let mut err = SimError::forbidden();
        err.code = None;
        assert!(err.body().get("errorCode").is_none());
    }
}
