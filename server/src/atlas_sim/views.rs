//! JSON shapes of the simulated records, per API version: `OrgUserResponse` and
//! `GroupUserResponse` (2025-02-19), `CloudAppUser` (2023-01-01), and the single-version
//! resources. Handlers pick the view; nothing here reads the request.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::model::{Actor, ApiKey, DbUser, Event, Membership, OrgUser, ServiceAccount};
use super::version::ApiVersion;

/// ISO-8601 UTC with seconds, as Atlas prints timestamps.
pub fn ts(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A versioned JSON answer.
pub fn reply(version: ApiVersion, status: StatusCode, body: Value) -> Response {
    (
        status,
        [(axum::http::header::CONTENT_TYPE, version.content_type())],
        body.to_string(),
    )
        .into_response()
}

/// `200` with a versioned JSON body.
pub fn ok(version: ApiVersion, body: Value) -> Response {
    reply(version, StatusCode::OK, body)
}

/// `204 No Content`, the answer to every delete.
pub fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

/// `[{href, rel: "self"}]` for an item at `path` below the API root.
pub fn self_link(origin: &str, path: &str) -> Value {
    json!([{ "href": format!("{origin}/api/atlas/v2{path}"), "rel": "self" }])
}

/// `orgMembershipStatus` as Atlas reports it at `now`.
pub fn status(user: &OrgUser, now: DateTime<Utc>) -> &'static str {
    match user.membership {
        Membership::Active => "ACTIVE",
        Membership::Rejected => "INVITATION_REJECTED",
        Membership::Pending if user.invitation_expires_at.is_some_and(|e| e <= now) => {
            "INVITATION_EXPIRED"
        }
        Membership::Pending => "PENDING",
    }
}

fn person_fields(user: &OrgUser, now: DateTime<Utc>, out: &mut Map<String, Value>) {
    if user.membership == Membership::Active {
        out.insert("firstName".into(), json!(user.first_name));
        out.insert("lastName".into(), json!(user.last_name));
        out.insert("country".into(), json!(user.country));
        out.insert("createdAt".into(), json!(ts(user.created_at)));
        if let Some(mobile) = &user.mobile_number {
            out.insert("mobileNumber".into(), json!(mobile));
        }
        if let Some(last) = user.last_auth {
            out.insert("lastAuth".into(), json!(ts(last)));
        }
    } else {
        if let Some(at) = user.invitation_created_at {
            out.insert("invitationCreatedAt".into(), json!(ts(at)));
        }
        if let Some(at) = user.invitation_expires_at {
            out.insert("invitationExpiresAt".into(), json!(ts(at)));
        }
        out.insert(
            "inviterUsername".into(),
            json!(user.inviter_username.clone().unwrap_or_default()),
        );
    }
    out.insert("orgMembershipStatus".into(), json!(status(user, now)));
}

/// `OrgUserResponse` (2025-02-19).
pub fn org_user(user: &OrgUser, now: DateTime<Utc>) -> Value {
    let assignments: Vec<Value> = user
        .group_roles
        .iter()
        .map(|(group_id, roles)| json!({ "groupId": group_id, "groupRoles": roles }))
        .collect();
    let mut out = Map::new();
    out.insert("id".into(), json!(user.id));
    out.insert("username".into(), json!(user.username));
    out.insert(
        "roles".into(),
        json!({ "orgRoles": user.org_roles, "groupRoleAssignments": assignments }),
    );
    out.insert("teamIds".into(), json!(user.team_ids));
    person_fields(user, now, &mut out);
    Value::Object(out)
}

/// `GroupUserResponse` (2025-02-19): `roles` is the flat list of project roles given.
pub fn group_user(user: &OrgUser, roles: &[String], now: DateTime<Utc>) -> Value {
    let mut out = Map::new();
    out.insert("id".into(), json!(user.id));
    out.insert("username".into(), json!(user.username));
    out.insert("roles".into(), json!(roles));
    person_fields(user, now, &mut out);
    Value::Object(out)
}

/// `CloudAppUser` (2023-01-01): one flat role list of `{orgId|groupId, roleName}`.
pub fn cloud_app_user(user: &OrgUser, origin: &str) -> Value {
    let mut roles: Vec<Value> = user
        .org_roles
        .iter()
        .map(|r| json!({ "orgId": user.org_id, "roleName": r }))
        .collect();
    for (group_id, group_roles) in &user.group_roles {
        roles.extend(
            group_roles
                .iter()
                .map(|r| json!({ "groupId": group_id, "roleName": r })),
        );
    }
    let mut out = json!({
        "id": user.id,
        "username": user.username,
        "emailAddress": user.username,
        "firstName": user.first_name,
        "lastName": user.last_name,
        "country": user.country,
        "createdAt": ts(user.created_at),
        "roles": roles,
        "teamIds": user.team_ids,
        "links": self_link(origin, &format!("/users/{}", user.id)),
    });
    if let Some(mobile) = &user.mobile_number {
        out["mobileNumber"] = json!(mobile);
    }
    if let Some(last) = user.last_auth {
        out["lastAuth"] = json!(ts(last));
    }
    out
}

/// `CloudDatabaseUser`; the password is never returned, nor `groupId`, which the spec marks
/// write-only (the project is in the path).
pub fn db_user(user: &DbUser, origin: &str) -> Value {
    let mut out = json!({
        "databaseName": user.database_name,
        "username": user.username,
        "roles": user.roles,
        "scopes": user.scopes,
        "labels": user.labels,
        "ldapAuthType": user.ldap_auth_type,
        "awsIAMType": user.aws_iam_type,
        "x509Type": user.x509_type,
        "oidcAuthType": user.oidc_auth_type,
        "links": self_link(origin, &format!(
            "/groups/{}/databaseUsers/{}/{}",
            user.group_id,
            user.database_name,
            path_escape(&user.username)
        )),
    });
    if let Some(description) = &user.description {
        out["description"] = json!(description);
    }
    if let Some(at) = user.delete_after_date {
        out["deleteAfterDate"] = json!(ts(at));
    }
    out
}

/// Percent-encodes everything but unreserved characters, as Go's `url.PathEscape` roughly does.
pub fn path_escape(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `ApiKeyUserDetails` with the private key masked.
pub fn api_key(key: &ApiKey, origin: &str) -> Value {
    let mut roles: Vec<Value> = key
        .org_roles
        .iter()
        .map(|r| json!({ "orgId": key.org_id, "roleName": r }))
        .collect();
    for (group_id, group_roles) in &key.group_roles {
        roles.extend(
            group_roles
                .iter()
                .map(|r| json!({ "groupId": group_id, "roleName": r })),
        );
    }
    let tail: String = key
        .private_key
        .chars()
        .rev()
        .take(12)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    json!({
        "id": key.id,
        "desc": key.desc,
        "publicKey": key.public_key,
        "privateKey": format!("********-****-****-{tail}"),
        "roles": roles,
        "links": self_link(origin, &format!("/orgs/{}/apiKeys/{}", key.org_id, key.id)),
    })
}

/// `OrgServiceAccount` (org roles) or `GroupServiceAccount` (that project's roles).
pub fn service_account(account: &ServiceAccount, group_id: Option<&str>) -> Value {
    let roles = match group_id {
        Some(group) => account.group_roles.get(group).cloned().unwrap_or_default(),
        None => account.org_roles.clone(),
    };
    let secrets: Vec<Value> = account
        .secrets
        .iter()
        .map(|s| {
            let mut secret = json!({
                "id": s.id,
                "createdAt": ts(s.created_at),
                "expiresAt": ts(s.expires_at),
                "maskedSecretValue": format!("mdb_sa_sk_...{}", &s.value[s.value.len().saturating_sub(4)..]),
            });
            if let Some(used) = s.last_used_at {
                secret["lastUsedAt"] = json!(ts(used));
            }
            secret
        })
        .collect();
    json!({
        "clientId": account.client_id,
        "name": account.name,
        "description": account.description,
        "createdAt": ts(account.created_at),
        "roles": roles,
        "secrets": secrets,
    })
}

/// An org or project event.
pub fn event(event: &Event, origin: &str) -> Value {
    let mut out = Map::new();
    out.insert("id".into(), json!(event.id));
    out.insert("created".into(), json!(ts(event.created)));
    out.insert("eventTypeName".into(), json!(event.event_type));
    out.insert("orgId".into(), json!(event.org_id));
    out.insert("isGlobalAdmin".into(), json!(false));
    let path = match &event.group_id {
        Some(group) => {
            out.insert("groupId".into(), json!(group));
            format!("/groups/{group}/events/{}", event.id)
        }
        None => format!("/orgs/{}/events/{}", event.org_id, event.id),
    };
    match &event.actor {
        Some(Actor::User { id, username }) => {
            out.insert("userId".into(), json!(id));
            out.insert("username".into(), json!(username));
        }
        Some(Actor::ApiKey { id, public_key }) => {
            out.insert("apiKeyId".into(), json!(id));
            out.insert("publicKey".into(), json!(public_key));
        }
        Some(Actor::ServiceAccount { client_id }) => {
            out.insert("username".into(), json!(client_id));
        }
        None => {}
    }
    for (k, v) in &event.target {
        out.insert(k.clone(), v.clone());
    }
    out.insert("links".into(), self_link(origin, &path));
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_escape_encodes_slashes_and_dn_characters() {
        assert_eq!(
            path_escape("arn:aws:iam::1:role/x"),
            "arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fx"
        );
        assert_eq!(path_escape("CN=a b,O=c"), "CN%3Da%20b%2CO%3Dc");
    }
}
