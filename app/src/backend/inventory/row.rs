//! One inventory row as the query returns it, and how it reads: what a grant covers, through
//! what it reaches its principal, whether the principal is dormant.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::backend::identity::LINKABLE_KINDS;
use crate::model::inventory::InventoryRow;

/// One row as the query returns it.
#[derive(Debug, sqlx::FromRow)]
pub struct RowRecord {
    org_id: String,
    entitlement_key: String,
    principal_key: String,
    kind: String,
    principal_name: String,
    username: Option<String>,
    person_id: Option<Uuid>,
    person_name: Option<String>,
    person_email: Option<String>,
    link_relation: Option<String>,
    link_method: Option<String>,
    is_leaver: bool,
    project_id: Option<String>,
    project_name: Option<String>,
    scope: String,
    cluster_names: Vec<String>,
    database_name: Option<String>,
    collection_name: Option<String>,
    role: String,
    tier: String,
    grant_path: String,
    via_team_id: Option<String>,
    via_team_name: Option<String>,
    via_org_role: Option<String>,
    last_used: Option<DateTime<Utc>>,
}

/// What a grant covers, in words.
fn resource(record: &RowRecord) -> String {
    let clusters = if record.cluster_names.is_empty() {
        "all clusters".to_owned()
    } else {
        format!("clusters {}", record.cluster_names.join(", "))
    };
    let db = record.database_name.as_deref().unwrap_or("");
    match record.scope.as_str() {
        "org" => "organization".to_owned(),
        "project" => "project".to_owned(),
        "cluster" => clusters,
        "database" => format!("database {db} on {clusters}"),
        "collection" => format!(
            "collection {db}.{} on {clusters}",
            record.collection_name.as_deref().unwrap_or("")
        ),
        other => other.to_owned(),
    }
}

/// Through what the grant reaches its principal, in words.
fn granted_via(record: &RowRecord) -> Option<String> {
    match record.grant_path.as_str() {
        "team" => Some(format!(
            "team {}",
            record
                .via_team_name
                .as_deref()
                .or(record.via_team_id.as_deref())
                .unwrap_or("?")
        )),
        "implicit_org_role" => record
            .via_org_role
            .as_ref()
            .map(|role| format!("org role {role}")),
        "federation_mapping" => Some(format!(
            "IdP group mapping {}",
            record.username.as_deref().unwrap_or("?")
        )),
        "post_auth_grant" => Some("every SSO sign-in".to_owned()),
        _ => None,
    }
}

impl RowRecord {
    /// The view row, with dormancy judged against `dormant_days`.
    pub fn into_row(self, dormant_days: i32) -> InventoryRow {
        let resource = resource(&self);
        let granted_via = granted_via(&self);
        let dormant = is_dormant(self.last_used, dormant_days);
        let linkable = LINKABLE_KINDS.contains(&self.kind.as_str());
        InventoryRow {
            org_id: self.org_id,
            entitlement_key: self.entitlement_key,
            principal_key: self.principal_key,
            principal_kind: self.kind,
            principal_name: self.principal_name,
            username: self.username,
            person_id: self.person_id,
            person_name: self.person_name,
            person_email: self.person_email,
            link_relation: self.link_relation,
            link_method: self.link_method,
            is_leaver: self.is_leaver,
            linkable,
            project_id: self.project_id,
            project_name: self.project_name,
            resource,
            role: self.role,
            tier: self.tier,
            grant_path: self.grant_path,
            granted_via,
            last_used: self.last_used.map(|t| t.format("%Y-%m-%d").to_string()),
            dormant,
        }
    }
}

/// Unused for more than `days` days. No usage data is not dormant: it is unknown.
pub fn is_dormant(last_used: Option<DateTime<Utc>>, days: i32) -> bool {
    last_used.is_some_and(|t| t < Utc::now() - chrono::Duration::days(i64::from(days)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_usage_data_is_not_dormant() {
        assert!(!is_dormant(None, 90));
        assert!(is_dormant(
            Some(Utc::now() - chrono::Duration::days(91)),
            90
        ));
        assert!(!is_dormant(
            Some(Utc::now() - chrono::Duration::days(89)),
            90
        ));
    }
}
