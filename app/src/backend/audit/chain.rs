//! The chain's arithmetic: canonical content of an event and the link hash.
//!
//! The canonical content is a JSON array with object keys sorted at every depth, written
//! without whitespace. It is computed from the stored columns, so anyone holding an export of
//! the table can recompute every hash without Attest.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The `prev_hash` of the first event: 32 zero bytes.
pub const GENESIS_HASH: [u8; 32] = [0; 32];

/// The fields of an event that the chain covers.
#[expect(
    clippy::too_many_arguments,
    reason = "one argument per covered column keeps the hashed content explicit"
)]
pub fn canonical_content(
    seq: i64,
    occurred_at: DateTime<Utc>,
    actor_id: Option<Uuid>,
    actor_label: &str,
    action: &str,
    object_kind: &str,
    object_id: &str,
    details: &Value,
) -> Vec<u8> {
    let array = Value::Array(vec![
        Value::from(seq),
        Value::from(occurred_at.to_rfc3339_opts(SecondsFormat::Micros, true)),
        actor_id.map_or(Value::Null, |id| Value::from(id.to_string())),
        Value::from(actor_label),
        Value::from(action),
        Value::from(object_kind),
        Value::from(object_id),
        details.clone(),
    ]);
    let mut out = Vec::with_capacity(256);
    write_canonical(&array, &mut out);
    out
}

/// SHA-256 over the previous event's hash followed by this event's canonical content.
pub fn link_hash(prev_hash: &[u8], canonical: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash);
    hasher.update(canonical);
    hasher.finalize().into()
}

/// Writes `value` as compact JSON with object keys in byte order, whatever order the map
/// holds them in (JSONB returns keys in its own order).
fn write_canonical(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push(b'{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_scalar(&Value::String(key.clone()), out);
                out.push(b':');
                write_canonical(item, out);
            }
            out.push(b'}');
        }
        scalar => write_scalar(scalar, out),
    }
}

fn write_scalar(value: &Value, out: &mut Vec<u8>) {
    // JSONB keeps numbers as PostgreSQL numeric, which has no negative zero: -0.0 is read back
    // as 0.0. Hash it as it will be read, or its event could never verify.
    if value
        .as_f64()
        .is_some_and(|n| n == 0.0 && n.is_sign_negative())
    {
        out.extend_from_slice(b"0.0");
        return;
    }
    // Serializing a scalar JSON value cannot fail: there is no map key to reject.
    let text = serde_json::to_string(value).expect("scalar JSON serializes");
    out.extend_from_slice(text.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-03T10:00:00.123456Z")
            .expect("valid timestamp")
            .with_timezone(&Utc)
    }

    #[test]
    fn key_order_does_not_change_the_canonical_content() {
        let a = json!({"b": 1, "a": {"z": true, "y": [1, 2]}});
        let b = json!({"a": {"y": [1, 2], "z": true}, "b": 1});
        let ca = canonical_content(1, at(), None, "x", "act", "k", "id", &a);
        let cb = canonical_content(1, at(), None, "x", "act", "k", "id", &b);
        assert_eq!(ca, cb);
        let text = String::from_utf8(ca).expect("utf-8");
        assert!(
            text.contains(r#"{"a":{"y":[1,2],"z":true},"b":1}"#),
            "{text}"
        );
        assert!(text.contains("2026-12-03T10:00:00.123456Z"), "{text}");
    }

    #[test]
    fn negative_zero_is_written_as_jsonb_returns_it() {
        let negative = canonical_content(1, at(), None, "x", "a", "k", "id", &json!([-0.0]));
        let positive = canonical_content(1, at(), None, "x", "a", "k", "id", &json!([0.0]));
        assert_eq!(negative, positive);
    }

    #[test]
    fn every_covered_field_changes_the_hash() {
        let details = json!({"role": "admin"});
        let base = canonical_content(
            7,
            at(),
            None,
            "alice",
            "role.granted",
            "user",
            "u1",
            &details,
        );
        let variants = [
            canonical_content(
                8,
                at(),
                None,
                "alice",
                "role.granted",
                "user",
                "u1",
                &details,
            ),
            canonical_content(7, at(), None, "bob", "role.granted", "user", "u1", &details),
            canonical_content(
                7,
                at(),
                None,
                "alice",
                "role.revoked",
                "user",
                "u1",
                &details,
            ),
            canonical_content(
                7,
                at(),
                None,
                "alice",
                "role.granted",
                "user",
                "u2",
                &details,
            ),
            canonical_content(
                7,
                at(),
                None,
                "alice",
                "role.granted",
                "user",
                "u1",
                &json!({}),
            ),
        ];
        let base_hash = link_hash(&GENESIS_HASH, &base);
        for variant in variants {
            assert_ne!(link_hash(&GENESIS_HASH, &variant), base_hash);
        }
        assert_ne!(link_hash(&[1; 32], &base), base_hash);
    }
}
