//! Access in plain words: what an Atlas or database role allows, and what revoking a grant
//! will do in Atlas. Reviewers are managers, not Atlas experts; these sentences are what they
//! read before deciding.

use super::campaign::ReviewItemView;

/// What `role` allows, in one sentence. `actions` are a custom role's privilege actions.
pub fn role_in_words(role: &str, actions: &[String]) -> String {
    let known = match role {
        "ORG_OWNER" => {
            "full control of the organization: its settings, billing, members and every project"
        }
        "ORG_MEMBER" => {
            "membership of the organization; sees it and the projects they are added to"
        }
        "ORG_READ_ONLY" => "read-only view of the organization's settings and every project",
        "ORG_BILLING_ADMIN" => "manages the organization's billing and invoices",
        "ORG_BILLING_READ_ONLY" => "reads the organization's billing and invoices",
        "ORG_GROUP_CREATOR" => "creates new projects in the organization",
        "ORG_STREAM_PROCESSING_ADMIN" => "manages stream processing in every project",
        "GROUP_OWNER" => {
            "full control of the project: clusters, database users, network access and data"
        }
        "GROUP_CLUSTER_MANAGER" => "creates, scales and deletes the project's clusters",
        "GROUP_DATA_ACCESS_ADMIN" => {
            "reads and writes all data and manages indexes in the project's clusters"
        }
        "GROUP_DATA_ACCESS_READ_WRITE" => "reads and writes all data in the project's clusters",
        "GROUP_DATA_ACCESS_READ_ONLY" => "reads all data in the project's clusters",
        "GROUP_READ_ONLY" => "read-only view of the project's settings and metrics, not its data",
        "GROUP_SEARCH_INDEX_EDITOR" => "manages Atlas Search indexes in the project",
        "GROUP_STREAM_PROCESSING_OWNER" => "manages stream processing in the project",
        "GROUP_DATABASE_ACCESS_ADMIN" => "manages the project's database users",
        "GROUP_BACKUP_MANAGER" => "manages the project's backups and restores",
        "GROUP_OBSERVABILITY_VIEWER" => "reads the project's monitoring data",
        "atlasAdmin" => "administers every database: all data, users and cluster settings",
        "readWriteAnyDatabase" => "reads and writes every database",
        "readAnyDatabase" => "reads every database",
        "dbAdmin" => "administers the database: indexes, statistics, schema; not user management",
        "dbAdminAnyDatabase" => "administers every database",
        "dbOwner" => "full control of the database: data, indexes and its users",
        "userAdmin" => "creates and changes users and roles of the database",
        "userAdminAnyDatabase" => "creates and changes users and roles of every database",
        "clusterAdmin" => "administers the cluster itself",
        "clusterMonitor" => "reads the cluster's monitoring data",
        "backup" => "takes backups of the cluster",
        "enableSharding" => "shards collections",
        "readWrite" => "reads and writes the data",
        "read" => "reads the data",
        _ => "",
    };
    if !known.is_empty() {
        return capitalized(known);
    }
    if actions.is_empty() {
        return format!("A custom or unrecognised role ({role}); check what it allows in Atlas");
    }
    format!("A custom role allowing: {}", actions.join(", "))
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// What revoking an item does in Atlas, stated before the reviewer submits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokeEffect {
    /// The change Atlas will make, including wider effects Atlas forces.
    pub summary: String,
    /// The access comes from the identity provider (a federation role mapping) and will be
    /// granted again at the next sign-in unless the mapping or group membership changes.
    pub needs_idp_change: bool,
}

/// The effect of revoking `item`.
pub fn revoke_effect(item: &ReviewItemView) -> RevokeEffect {
    let needs_idp_change = item.grant_path == "federation_mapping";
    let place = item
        .project
        .as_deref()
        .map(|p| format!("project {p}"))
        .unwrap_or_else(|| format!("organization {}", item.org_id));
    let summary = match (item.grant_path.as_str(), item.principal_kind.as_str()) {
        ("team", _) => format!(
            "Removes {} from {}: the role {} comes through that team, so the team loses nothing \
             and its other members keep their access.",
            item.principal_name,
            item.via.as_deref().unwrap_or("the team"),
            item.role
        ),
        ("implicit_org_role", _) => format!(
            "This access follows from the org role {}; revoking it removes that org role, and \
             with it this access on every project.",
            item.via.as_deref().unwrap_or("that grants it")
        ),
        (_, "database_user") => format!(
            "Removes the role {} from database user {}; the user keeps its other roles.",
            item.role, item.principal_name
        ),
        (_, "api_key" | "service_account") => format!(
            "Removes the role {} from {} on {}; programs using this credential lose that access.",
            item.role, item.principal_name, place
        ),
        _ if item.only_org_role => format!(
            "{} is {}'s only role in the organization: Atlas will remove them from the \
             organization and from all of its projects.",
            item.role, item.principal_name
        ),
        _ => format!(
            "Removes the role {} from {} on {}.",
            item.role, item.principal_name, place
        ),
    };
    let summary = if needs_idp_change {
        format!(
            "{summary} A federation role mapping grants this access: it comes back at the next \
             sign-in unless the identity provider group or mapping changes."
        )
    } else {
        summary
    };
    RevokeEffect {
        summary,
        needs_idp_change,
    }
}

/// Why a reviewer should consider revoking, for leavers and dormant access.
pub fn recommendation(item: &ReviewItemView) -> Option<&'static str> {
    if item.is_leaver {
        Some("Recommended: revoke. This person has left the company.")
    } else if item.is_dormant {
        Some("Recommended: revoke. This access has not been used for a long time.")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(kind: &str, grant_path: &str, only_org_role: bool) -> ReviewItemView {
        ReviewItemView {
            id: 1,
            campaign_id: uuid::Uuid::nil(),
            campaign_name: "Q4".into(),
            due_date: "2026-12-31".into(),
            entitlement_key: "k".into(),
            person_name: None,
            person_email: None,
            person_title: None,
            person_department: None,
            person_status: None,
            link_method: None,
            principal_kind: kind.into(),
            principal_name: "ann@example.com".into(),
            auth_type: None,
            org_id: "org1".into(),
            project: None,
            scope: "org".into(),
            clusters: vec![],
            database_name: None,
            collection_name: None,
            role: "ORG_MEMBER".into(),
            role_actions: vec![],
            tier: "read".into(),
            grant_path: grant_path.into(),
            via: None,
            only_org_role,
            last_used_at: None,
            routing_reason: String::new(),
            is_leaver: false,
            is_orphan: false,
            is_privileged: false,
            is_dormant: false,
            is_new: false,
            previous_decision: None,
            previous_decider: None,
            decision: None,
            decision_comment: None,
            submitted: false,
            comment_required_on_revoke: true,
            comment_required_on_privileged_approve: true,
            allow_forwarding: true,
        }
    }

    #[test]
    fn revoking_the_only_org_role_says_the_user_leaves_the_org_and_its_projects() {
        let effect = revoke_effect(&item("atlas_user", "direct", true));
        assert!(
            effect
                .summary
                .contains("remove them from the organization and from all")
        );
        assert!(!effect.needs_idp_change);
    }

    #[test]
    fn revoking_one_of_several_org_roles_removes_only_that_role() {
        let effect = revoke_effect(&item("atlas_user", "direct", false));
        assert!(effect.summary.starts_with("Removes the role ORG_MEMBER"));
    }

    #[test]
    fn federation_granted_access_is_flagged_for_the_identity_provider() {
        let effect = revoke_effect(&item("atlas_user", "federation_mapping", false));
        assert!(effect.needs_idp_change);
        assert!(effect.summary.contains("identity provider"));
    }

    #[test]
    fn custom_roles_list_their_actions_and_built_in_roles_read_as_sentences() {
        assert_eq!(
            role_in_words("auditReader", &["FIND".into(), "LIST_COLLECTIONS".into()]),
            "A custom role allowing: FIND, LIST_COLLECTIONS"
        );
        assert!(role_in_words("GROUP_READ_ONLY", &[]).starts_with("Read-only view"));
    }
}
