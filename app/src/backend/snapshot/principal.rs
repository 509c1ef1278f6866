//! Principal rows from the client's types, and the stable keys that name them.

use super::model::{PrincipalKind, PrincipalRow};
use crate::backend::atlas::types::{ApiKey, DatabaseUser, OrgServiceAccount, OrgUser, RoleMapping};

/// `user:<userId>`.
pub fn atlas_user_key(user_id: &str) -> String {
    format!("user:{user_id}")
}

/// `team:<teamId>`.
pub fn team_key(team_id: &str) -> String {
    format!("team:{team_id}")
}

/// `dbuser:<groupId>/<authDb>/<username>`: database users are unique per project and
/// authentication database.
pub fn database_user_key(project_id: &str, auth_database: &str, username: &str) -> String {
    format!("dbuser:{project_id}/{auth_database}/{username}")
}

fn row(key: String, kind: PrincipalKind, atlas_id: &str, display_name: String) -> PrincipalRow {
    PrincipalRow {
        key,
        kind,
        atlas_id: atlas_id.to_owned(),
        project_id: None,
        display_name,
        username: None,
        email: None,
        auth_type: None,
        membership_status: None,
        last_auth: None,
        labels: Vec::new(),
    }
}

/// An Atlas (cloud) user in any membership status; the username is the sign-in email.
pub fn atlas_user(user: &OrgUser) -> PrincipalRow {
    let name = [user.first_name.as_deref(), user.last_name.as_deref()]
        .into_iter()
        .flatten()
        .filter(|part| !part.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let display = if name.is_empty() {
        user.username.clone()
    } else {
        name
    };
    PrincipalRow {
        username: Some(user.username.clone()),
        email: Some(user.username.clone()),
        membership_status: Some(user.org_membership_status.as_str().to_owned()),
        last_auth: user.last_auth,
        ..row(
            atlas_user_key(&user.id),
            PrincipalKind::AtlasUser,
            &user.id,
            display,
        )
    }
}

/// A team; its members hold team-derived entitlements of their own.
pub fn team(team_id: &str, name: &str) -> PrincipalRow {
    row(
        team_key(team_id),
        PrincipalKind::Team,
        team_id,
        name.to_owned(),
    )
}

/// A programmatic API key, named by its description (or public key).
pub fn api_key(key: &ApiKey) -> PrincipalRow {
    let display = key
        .desc
        .clone()
        .filter(|d| !d.trim().is_empty())
        .or_else(|| key.public_key.clone())
        .unwrap_or_else(|| key.id.clone());
    PrincipalRow {
        username: key.public_key.clone(),
        auth_type: Some("API_KEY".to_owned()),
        ..row(
            format!("apikey:{}", key.id),
            PrincipalKind::ApiKey,
            &key.id,
            display,
        )
    }
}

/// A service account; its last use is the latest use of any of its secrets.
pub fn service_account(account: &OrgServiceAccount) -> PrincipalRow {
    let display = account
        .name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| account.client_id.clone());
    PrincipalRow {
        username: Some(account.client_id.clone()),
        auth_type: Some("OAUTH_CLIENT_CREDENTIALS".to_owned()),
        last_auth: account.secrets.iter().filter_map(|s| s.last_used_at).max(),
        ..row(
            format!("sa:{}", account.client_id),
            PrincipalKind::ServiceAccount,
            &account.client_id,
            display,
        )
    }
}

/// The IdP group of a federation role mapping. A mapping without an id (not expected from
/// Atlas) is keyed by its group name within the federation.
pub fn idp_group(mapping: &RoleMapping, settings_id: &str) -> PrincipalRow {
    let id = mapping
        .id
        .clone()
        .unwrap_or_else(|| format!("{settings_id}:{}", mapping.external_group_name));
    PrincipalRow {
        username: Some(mapping.external_group_name.clone()),
        auth_type: Some("FEDERATED".to_owned()),
        ..row(
            format!("idp_group:{id}"),
            PrincipalKind::IdpGroup,
            &id,
            format!("IdP group {}", mapping.external_group_name),
        )
    }
}

/// Everyone who signs in through the federation's identity provider.
pub fn post_auth_group(settings_id: &str) -> PrincipalRow {
    PrincipalRow {
        auth_type: Some("FEDERATED".to_owned()),
        ..row(
            format!("idp_group:post_auth:{settings_id}"),
            PrincipalKind::IdpGroup,
            settings_id,
            "Everyone signing in through the identity provider".to_owned(),
        )
    }
}

/// How a database user authenticates, from whichever of the four type fields is set.
pub fn database_auth_type(user: &DatabaseUser) -> String {
    let set = |value: &Option<String>| value.as_deref().filter(|v| *v != "NONE").map(str::to_owned);
    if let Some(kind) = set(&user.x509_type) {
        format!("X509_{kind}")
    } else if let Some(kind) = set(&user.aws_iam_type) {
        format!("AWS_IAM_{kind}")
    } else if let Some(kind) = set(&user.ldap_auth_type) {
        format!("LDAP_{kind}")
    } else if let Some(kind) = set(&user.oidc_auth_type) {
        format!("OIDC_{kind}")
    } else {
        "SCRAM".to_owned()
    }
}

/// One `@` with text on both sides and none of the separators of ARNs, DNs or OIDC names.
fn looks_like_email(name: &str) -> bool {
    let mut parts = name.split('@');
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some(local), Some(domain), None) if !local.is_empty() && domain.contains('.')
    ) && !name.contains(['/', '=', ',', ' ', ':'])
}

/// A database user of one project.
pub fn database_user(project_id: &str, user: &DatabaseUser) -> PrincipalRow {
    let mut labels: Vec<(String, String)> = user
        .labels
        .iter()
        .map(|l| (l.key.clone(), l.value.clone()))
        .collect();
    labels.sort();
    PrincipalRow {
        project_id: Some(project_id.to_owned()),
        username: Some(user.username.clone()),
        // A username that is an email is the best hint at its owner.
        email: looks_like_email(&user.username).then(|| user.username.clone()),
        auth_type: Some(database_auth_type(user)),
        labels,
        ..row(
            database_user_key(project_id, &user.database_name, &user.username),
            PrincipalKind::DatabaseUser,
            &user.username,
            user.username.clone(),
        )
    }
}
