//! Building Atlas request paths and query strings, with every caller-supplied segment escaped.
//!
//! This is the only place that turns identifiers into URL text. Identifiers are escaped as
//! whole path segments, so a database username such as an AWS IAM ARN (`arn:…:role/x`) or an
//! X.509 distinguished name stays one segment.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::error::AtlasError;

/// Every v2 path starts with this prefix.
pub(crate) const API_PREFIX: &str = "/api/atlas/v2";

/// Everything but RFC 3986 unreserved characters is escaped, which is stricter than needed
/// and always decodes back to the same text on the server.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Escapes one path segment.
///
/// Refuses the empty string, `.` and `..`: URL normalization would drop or collapse them (even
/// when percent-encoded), so the request would reach a different resource.
pub fn escape_segment(value: &str) -> Result<String, AtlasError> {
    if value.is_empty() || value == "." || value == ".." {
        return Err(AtlasError::invalid_argument(format!(
            "{value:?} cannot be used as an Atlas path segment"
        )));
    }
    Ok(utf8_percent_encode(value, SEGMENT).to_string())
}

/// An absolute Atlas path (starting with `/api/atlas/v2`), built segment by segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiPath(String);

impl ApiPath {
    /// The v2 root, `/api/atlas/v2`.
    pub(crate) fn v2() -> Self {
        Self(API_PREFIX.to_owned())
    }

    /// Appends a fixed segment written in the code, such as `groups`.
    pub(crate) fn lit(mut self, segment: &'static str) -> Self {
        self.0.push('/');
        self.0.push_str(segment);
        self
    }

    /// Appends an identifier, escaped.
    pub(crate) fn arg(mut self, value: &str) -> Result<Self, AtlasError> {
        let escaped = escape_segment(value)?;
        self.0.push('/');
        self.0.push_str(&escaped);
        Ok(self)
    }

    /// Appends an identifier followed by a custom method, e.g. `{userId}:removeRole`.
    pub(crate) fn action(mut self, value: &str, method: &'static str) -> Result<Self, AtlasError> {
        let escaped = escape_segment(value)?;
        self.0.push('/');
        self.0.push_str(&escaped);
        self.0.push(':');
        self.0.push_str(method);
        Ok(self)
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

/// Query parameters in the order they were added; repeated keys are allowed, as Atlas expects
/// for array parameters such as `orgMembershipStatuses`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Query(Vec<(&'static str, String)>);

impl Query {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    pub(crate) fn push(&mut self, key: &'static str, value: impl Into<String>) -> &mut Self {
        self.0.push((key, value.into()));
        self
    }

    pub(crate) fn push_opt(
        &mut self,
        key: &'static str,
        value: Option<impl Into<String>>,
    ) -> &mut Self {
        if let Some(value) = value {
            self.push(key, value);
        }
        self
    }

    /// The form-encoded query without the leading `?`; empty when there are no parameters.
    pub(crate) fn encode(&self) -> String {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for (key, value) in &self.0 {
            out.append_pair(key, value);
        }
        out.finish()
    }

    /// A copy with paging parameters appended.
    pub(crate) fn with_page(&self, page_num: u32, items_per_page: u32) -> Self {
        let mut query = self.clone();
        query.push("pageNum", page_num.to_string());
        query.push("itemsPerPage", items_per_page.to_string());
        query
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iam_arn_username_is_one_escaped_segment() {
        let path = ApiPath::v2()
            .lit("groups")
            .arg("5f1a2b3c4d5e6f7a8b9c0d1e")
            .and_then(|p| p.lit("databaseUsers").arg("$external"))
            .and_then(|p| p.arg("arn:aws:iam::123456789012:role/reader"))
            .expect("valid segments");
        assert_eq!(
            path.as_str(),
            "/api/atlas/v2/groups/5f1a2b3c4d5e6f7a8b9c0d1e/databaseUsers/%24external/\
             arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Freader"
        );
    }

    #[test]
    fn distinguished_name_and_oidc_names_escape_reserved_characters() {
        assert_eq!(
            escape_segment("CN=Jane Doe,OU=Ops").expect("valid"),
            "CN%3DJane%20Doe%2COU%3DOps"
        );
        assert_eq!(
            escape_segment("0oa1idp/engineering").expect("valid"),
            "0oa1idp%2Fengineering"
        );
        assert_eq!(escape_segment("a%2Fb").expect("valid"), "a%252Fb");
        assert_eq!(
            escape_segment("sales-app_1.x~").expect("valid"),
            "sales-app_1.x~"
        );
        assert_eq!(escape_segment("jürgen").expect("valid"), "j%C3%BCrgen");
    }

    #[test]
    fn dot_segments_and_empty_values_are_refused() {
        for value in ["", ".", ".."] {
            assert!(escape_segment(value).is_err(), "{value:?} must be refused");
        }
        assert!(escape_segment("...").is_ok());
    }

    #[test]
    fn custom_method_keeps_its_colon() {
        let path = ApiPath::v2()
            .lit("orgs")
            .arg("aaaaaaaaaaaaaaaaaaaaaaaa")
            .and_then(|p| {
                p.lit("users")
                    .action("bbbbbbbbbbbbbbbbbbbbbbbb", "removeRole")
            })
            .expect("valid segments");
        assert!(
            path.as_str()
                .ends_with("/users/bbbbbbbbbbbbbbbbbbbbbbbb:removeRole")
        );
    }

    #[test]
    fn query_repeats_array_parameters_in_order() {
        let mut query = Query::new();
        query
            .push("orgMembershipStatuses", "ACTIVE")
            .push("orgMembershipStatuses", "PENDING")
            .push_opt("username", None::<String>);
        assert_eq!(
            query.with_page(2, 500).encode(),
            "orgMembershipStatuses=ACTIVE&orgMembershipStatuses=PENDING&pageNum=2&itemsPerPage=500"
        );
        assert_eq!(Query::new().encode(), "");
    }
}
