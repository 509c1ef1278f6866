//! HTTP Digest (RFC 7616, MD5, `qop="auth"`) for programmatic API keys: username = public key,
//! password = private key.
// Limitation: nonces are not tracked (any nonce is accepted, none is ever stale), the `uri`
// field is not compared with the request line, and only MD5 is offered.

use axum::http::Method;
use md5::{Digest, Md5};

use super::world::World;

/// Realm of the challenge; Atlas's real value is not confirmed.
pub const REALM: &str = "MMS Public API";

/// The `WWW-Authenticate` value sent with every 401.
pub fn challenge() -> String {
    format!(
        r#"Digest realm="{REALM}", domain="", nonce="{}", algorithm=MD5, qop="auth", stale=false"#,
        nonce()
    )
}

fn nonce() -> String {
    let stamp = chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default();
    hex::encode(Md5::digest(format!("attest-sim-{stamp}").as_bytes()))
}

/// The API key id whose credentials produced this `Authorization: Digest …` value.
pub fn verify(world: &World, method: &Method, authorization: &str) -> Option<String> {
    let fields = parse(authorization.strip_prefix("Digest ")?);
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let username = get("username")?;
    let key = world.api_keys.values().find(|k| k.public_key == username)?;
    let ha1 = md5_hex(&format!("{username}:{}:{}", get("realm")?, key.private_key));
    let ha2 = md5_hex(&format!("{}:{}", method.as_str(), get("uri")?));
    let nonce = get("nonce")?;
    let expected = match get("qop") {
        Some(qop) => md5_hex(&format!(
            "{ha1}:{nonce}:{}:{}:{qop}:{ha2}",
            get("nc")?,
            get("cnonce")?
        )),
        None => md5_hex(&format!("{ha1}:{nonce}:{ha2}")),
    };
    (expected == get("response")?).then(|| key.id.clone())
}

fn md5_hex(text: &str) -> String {
    hex::encode(Md5::digest(text.as_bytes()))
}

/// `key=value` pairs of a Digest header; quoted values may contain commas.
fn parse(input: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = input.trim();
    while !rest.is_empty() {
        let Some(eq) = rest.find('=') else { break };
        let key = rest[..eq].trim().trim_start_matches(',').trim().to_owned();
        rest = rest[eq + 1..].trim_start();
        let value;
        if let Some(quoted) = rest.strip_prefix('"') {
            let end = quoted.find('"').unwrap_or(quoted.len());
            value = quoted[..end].to_owned();
            rest = quoted.get(end + 1..).unwrap_or("");
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            value = rest[..end].trim().to_owned();
            rest = &rest[end..];
        }
        rest = rest.trim_start().trim_start_matches(',').trim_start();
        out.push((key, value));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_quoted_values_with_commas() {
        let fields = parse(r#"username="abc", uri="/x?a=1,2", qop=auth, nc=00000001"#);
        assert_eq!(fields[0], ("username".to_owned(), "abc".to_owned()));
        assert_eq!(fields[1], ("uri".to_owned(), "/x?a=1,2".to_owned()));
        assert_eq!(fields[2], ("qop".to_owned(), "auth".to_owned()));
        assert_eq!(fields[3], ("nc".to_owned(), "00000001".to_owned()));
    }

    #[test]
    fn rfc_2617_example_response_matches() {
        // The worked example of RFC 2617 §3.5.
        let ha1 = md5_hex("Mufasa:testrealm@host.com:Circle Of Life");
        let ha2 = md5_hex("GET:/dir/index.html");
        let response = md5_hex(&format!(
            "{ha1}:dcd98b7102dd2f0e8b11d0f600bfb0c093:00000001:0a4f113b:auth:{ha2}"
        ));
        assert_eq!(response, "6629fae49393a05397450978507c4ef1");
    }
}
