//! Database users (`CloudDatabaseUser`), version 2023-01-01: a separate plane of credentials
//! that no identity provider sees.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One database user of a project, identified by (`database_name`, `username`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DatabaseUser {
    /// SCRAM name, AWS IAM ARN, X.509 or LDAP distinguished name, or `<idpId>/<name>` for OIDC.
    pub username: String,
    /// The authentication database: `admin` or `$external` — not the database roles apply to.
    pub database_name: String,
    /// Write-only in the spec; take the project from the request path instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    #[serde(default)]
    pub roles: Vec<DatabaseUserRole>,
    /// Empty means every cluster, data lake and stream workspace of the project.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<DatabaseUserScope>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<DatabaseUserLabel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ldap_auth_type: Option<String>,
    #[serde(
        default,
        rename = "awsIAMType",
        skip_serializing_if = "Option::is_none"
    )]
    pub aws_iam_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x509_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oidc_auth_type: Option<String>,
    /// Set on temporary users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_after_date: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// One role of a database user, on a database or a collection.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DatabaseUserRole {
    /// A built-in role (`readWrite`, `atlasAdmin`, …) or a custom role name.
    pub role_name: String,
    pub database_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection_name: Option<String>,
}

/// A cluster, data lake or stream workspace a database user is limited to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatabaseUserScope {
    pub name: String,
    /// `CLUSTER`, `DATA_LAKE` or `STREAM`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// A free-form label; Attest reads the owner of a database user from one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatabaseUserLabel {
    pub key: String,
    pub value: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iam_user_parses_and_serializes_with_spec_names() {
        let user: DatabaseUser = serde_json::from_str(
            r#"{"username":"arn:aws:iam::123456789012:role/reader","databaseName":"$external",
                "groupId":"5f1a2b3c4d5e6f7a8b9c0d1e","awsIAMType":"ROLE",
                "roles":[{"roleName":"read","databaseName":"sales","collectionName":"orders"}],
                "scopes":[{"name":"Cluster0","type":"CLUSTER"}],
                "labels":[{"key":"owner","value":"ana@example.com"}]}"#,
        )
        .expect("a database user");
        assert_eq!(user.aws_iam_type.as_deref(), Some("ROLE"));
        assert_eq!(user.scopes[0].kind, "CLUSTER");
        let json = serde_json::to_value(&user).expect("serializable");
        assert_eq!(json["awsIAMType"], "ROLE");
        assert_eq!(json["roles"][0]["collectionName"], "orders");
        assert!(json.get("x509Type").is_none());
    }
}
