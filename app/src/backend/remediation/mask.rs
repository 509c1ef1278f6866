//! Masking secrets in the Atlas requests and responses kept as evidence: any field whose name
//! suggests a credential is replaced, at any depth.

use serde_json::Value;

const SECRET_FIELDS: &[&str] = &["password", "privatekey", "secret", "token", "clientsecret"];

fn is_secret(field: &str) -> bool {
    let lower = field.to_ascii_lowercase();
    SECRET_FIELDS.iter().any(|s| lower.contains(s))
}

/// A copy of `value` with every credential-like field replaced by `"********"`.
pub fn masked(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if is_secret(k) && !v.is_null() {
                        Value::String("********".into())
                    } else {
                        masked(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(masked).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn secrets_are_masked_at_any_depth_and_the_rest_kept() {
        let v = json!({"username": "u", "password": "p", "secrets": [{"secret": "s", "id": 1}],
                       "nested": {"privateKey": "k", "roles": ["r"]}});
        let m = super::masked(&v);
        assert_eq!(m["username"], "u");
        assert_eq!(m["password"], "********");
        assert_eq!(m["secrets"], "********");
        assert_eq!(m["nested"]["privateKey"], "********");
        assert_eq!(m["nested"]["roles"], json!(["r"]));
    }
}
