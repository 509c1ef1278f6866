//! Building links with query strings.

/// Percent-encodes a query value (everything but RFC 3986 unreserved characters).
pub fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The query string of `fields`, percent-encoded: `name=value` for each value that is present
/// and not empty, joined with `&`.
pub fn query<'a>(fields: impl IntoIterator<Item = (&'a str, Option<&'a str>)>) -> String {
    fields
        .into_iter()
        .filter_map(|(name, value)| {
            let value = value.filter(|v| !v.is_empty())?;
            Some(format!("{name}={}", urlencode(value)))
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The address of page `page` of `path` under the filter query `query` (which may be empty).
pub fn page_link(path: &str, query: &str, page: i64) -> String {
    if query.is_empty() {
        format!("{path}?page={page}")
    } else {
        format!("{path}?{query}&page={page}")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn reserved_characters_are_encoded() {
        assert_eq!(super::urlencode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
    }

    #[test]
    fn a_query_keeps_present_values_and_a_page_link_adds_the_page() {
        let query = super::query([("q", Some("a b")), ("tier", None), ("flag", Some(""))]);
        assert_eq!(query, "q=a%20b");
        assert_eq!(super::page_link("/x", &query, 2), "/x?q=a%20b&page=2");
        assert_eq!(super::page_link("/x", "", 3), "/x?page=3");
    }
}
