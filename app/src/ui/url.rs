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

#[cfg(test)]
mod tests {
    #[test]
    fn reserved_characters_are_encoded() {
        assert_eq!(super::urlencode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
    }
}
