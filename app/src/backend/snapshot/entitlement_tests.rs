//! Derivation, one grant path at a time, on inventories built by small named helpers.

use std::collections::BTreeMap;

use super::*;
use crate::backend::atlas::types::{
    ApiKey, ApiKeyRole, CustomDbRole, DatabaseUser, DatabaseUserLabel, DatabaseUserRole,
    DatabaseUserScope, FederatedRoleAssignment, GroupRoleAssignment, OrgServiceAccount, OrgUser,
    OrgUserRoles, Organization, PrivilegeAction, Project, ProjectTeam, RoleMapping,
    ServiceAccountProject, Team,
};
use crate::backend::snapshot::inventory::Federation;
use crate::backend::snapshot::model::{PrincipalKind, Tier};

const ORG: &str = "0000000000000000000000aa";
const P1: &str = "0000000000000000000000p1";
const P2: &str = "0000000000000000000000p2";

fn empty_org() -> OrgInventory {
    OrgInventory {
        org: Organization {
            id: ORG.to_owned(),
            name: "Org".to_owned(),
            is_deleted: None,
        },
        projects: [P1, P2]
            .iter()
            .map(|id| Project {
                id: (*id).to_owned(),
                name: format!("project {id}"),
                org_id: ORG.to_owned(),
                created: None,
                cluster_count: Some(1),
                tags: vec![],
            })
            .collect(),
        users: vec![],
        teams: vec![],
        team_members: BTreeMap::new(),
        project_teams: BTreeMap::new(),
        database_users: BTreeMap::new(),
        custom_roles: BTreeMap::new(),
        api_keys: vec![],
        service_accounts: vec![],
        service_account_projects: BTreeMap::new(),
        federation: None,
    }
}

fn user(
    id: &str,
    status: MembershipStatus,
    org_roles: &[&str],
    projects: &[(&str, &[&str])],
) -> OrgUser {
    OrgUser {
        id: id.to_owned(),
        username: format!("{id}@example.com"),
        org_membership_status: status,
        roles: OrgUserRoles {
            org_roles: org_roles.iter().map(|r| (*r).to_owned()).collect(),
            group_role_assignments: projects
                .iter()
                .map(|(group, roles)| GroupRoleAssignment {
                    group_id: (*group).to_owned(),
                    group_roles: roles.iter().map(|r| (*r).to_owned()).collect(),
                })
                .collect(),
        },
        team_ids: vec![],
        first_name: Some("Ana".to_owned()),
        last_name: Some(id.to_owned()),
        created_at: None,
        last_auth: None,
        invitation_created_at: None,
        invitation_expires_at: None,
        inviter_username: None,
    }
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| (*v).to_owned()).collect()
}

fn find<'a>(derived: &'a Derived, key: &str) -> &'a EntitlementRow {
    derived
        .entitlements
        .iter()
        .find(|e| e.key == key)
        .unwrap_or_else(|| panic!("no entitlement {key}; have {:#?}", keys(derived)))
}

fn keys(derived: &Derived) -> Vec<&str> {
    derived
        .entitlements
        .iter()
        .map(|e| e.key.as_str())
        .collect()
}

#[test]
fn direct_org_and_project_roles_become_entitlements_with_stable_keys() {
    let mut org = empty_org();
    org.users.push(user(
        "u1",
        MembershipStatus::Active,
        &["ORG_MEMBER"],
        &[(P1, &["GROUP_OWNER"])],
    ));
    let derived = derive(&org);
    let owner = find(&derived, &format!("project:{P1}/user:u1/role:GROUP_OWNER"));
    assert_eq!(owner.grant_path, GrantPath::Direct);
    assert_eq!(owner.scope, Scope::Project);
    assert_eq!(owner.tier, Tier::Admin);
    let member = find(&derived, &format!("org:{ORG}/user:u1/role:ORG_MEMBER"));
    assert_eq!((member.scope, member.tier), (Scope::Org, Tier::Read));
    assert_eq!(derived.entitlements.len(), 2);
    assert_eq!(
        derived.principals[0].email.as_deref(),
        Some("u1@example.com")
    );
    assert_eq!(derived.principals[0].display_name, "Ana u1");
}

#[test]
fn expired_invitations_are_principals_without_entitlements_and_pending_ones_count() {
    let mut org = empty_org();
    org.users.push(user(
        "gone",
        MembershipStatus::InvitationExpired,
        &["ORG_OWNER"],
        &[],
    ));
    org.users.push(user(
        "soon",
        MembershipStatus::Pending,
        &["ORG_MEMBER"],
        &[],
    ));
    let derived = derive(&org);
    assert_eq!(derived.principals.len(), 2);
    assert_eq!(
        keys(&derived),
        [format!("org:{ORG}/user:soon/role:ORG_MEMBER")]
    );
}

#[test]
fn team_roles_reach_each_member_via_the_team_and_the_team_itself() {
    let mut org = empty_org();
    let member = user("u2", MembershipStatus::Active, &["ORG_MEMBER"], &[]);
    org.users.push(member.clone());
    org.teams.push(Team {
        id: "t1".to_owned(),
        name: "Payments".to_owned(),
    });
    org.team_members.insert("t1".to_owned(), vec![member]);
    org.project_teams.insert(
        P2.to_owned(),
        vec![ProjectTeam {
            team_id: "t1".to_owned(),
            role_names: strings(&["GROUP_DATA_ACCESS_READ_WRITE"]),
        }],
    );
    let derived = derive(&org);
    let via_team = find(
        &derived,
        &format!("project:{P2}/user:u2/role:GROUP_DATA_ACCESS_READ_WRITE/via:team:t1"),
    );
    assert_eq!(via_team.grant_path, GrantPath::Team);
    assert_eq!(via_team.via_team_id.as_deref(), Some("t1"));
    assert_eq!(via_team.tier, Tier::Write);
    let team_grant = find(
        &derived,
        &format!("project:{P2}/team:t1/role:GROUP_DATA_ACCESS_READ_WRITE"),
    );
    assert_eq!(team_grant.grant_path, GrantPath::Direct);
    let team = derived
        .principals
        .iter()
        .find(|p| p.key == "team:t1")
        .expect("team principal");
    assert_eq!(
        (team.kind, team.display_name.as_str()),
        (PrincipalKind::Team, "Payments")
    );
}

#[test]
fn org_owner_and_read_only_imply_roles_on_every_project() {
    let mut org = empty_org();
    org.users
        .push(user("boss", MembershipStatus::Active, &["ORG_OWNER"], &[]));
    org.users.push(user(
        "auditor",
        MembershipStatus::Active,
        &["ORG_READ_ONLY"],
        &[],
    ));
    let derived = derive(&org);
    for project in [P1, P2] {
        let owner = find(
            &derived,
            &format!("project:{project}/user:boss/role:GROUP_OWNER/via:org_role:ORG_OWNER"),
        );
        assert_eq!(owner.grant_path, GrantPath::ImplicitOrgRole);
        assert_eq!(owner.via_org_role.as_deref(), Some("ORG_OWNER"));
        assert_eq!(owner.tier, Tier::Admin);
        let reader = find(
            &derived,
            &format!(
                "project:{project}/user:auditor/role:GROUP_READ_ONLY/via:org_role:ORG_READ_ONLY"
            ),
        );
        assert_eq!(reader.tier, Tier::Read);
    }
    assert_eq!(derived.entitlements.len(), 6);
}

#[test]
fn federation_mappings_and_post_auth_grants_are_held_by_idp_groups() {
    let mut org = empty_org();
    org.federation = Some(Federation {
        settings_id: "fs1".to_owned(),
        role_mappings: vec![RoleMapping {
            id: Some("m1".to_owned()),
            external_group_name: "payments-devs".to_owned(),
            role_assignments: vec![
                FederatedRoleAssignment {
                    org_id: Some(ORG.to_owned()),
                    group_id: None,
                    role: Some("ORG_MEMBER".to_owned()),
                },
                FederatedRoleAssignment {
                    org_id: None,
                    group_id: Some(P1.to_owned()),
                    role: Some("GROUP_DATA_ACCESS_READ_WRITE".to_owned()),
                },
            ],
        }],
        post_auth_role_grants: strings(&["ORG_MEMBER"]),
    });
    let derived = derive(&org);
    let mapped = find(
        &derived,
        &format!("project:{P1}/idp_group:m1/role:GROUP_DATA_ACCESS_READ_WRITE"),
    );
    assert_eq!(mapped.grant_path, GrantPath::FederationMapping);
    assert_eq!(mapped.via_mapping_id.as_deref(), Some("m1"));
    let org_level = find(&derived, &format!("org:{ORG}/idp_group:m1/role:ORG_MEMBER"));
    assert_eq!(org_level.grant_path, GrantPath::FederationMapping);
    let post_auth = find(
        &derived,
        &format!("org:{ORG}/idp_group:post_auth:fs1/role:ORG_MEMBER"),
    );
    assert_eq!(post_auth.grant_path, GrantPath::PostAuthGrant);
    let group = derived
        .principals
        .iter()
        .find(|p| p.key == "idp_group:m1")
        .expect("idp group");
    assert_eq!(group.kind, PrincipalKind::IdpGroup);
    assert_eq!(group.username.as_deref(), Some("payments-devs"));
}

fn db_user(name: &str, roles: &[(&str, &str, Option<&str>)], clusters: &[&str]) -> DatabaseUser {
    DatabaseUser {
        username: name.to_owned(),
        database_name: "admin".to_owned(),
        group_id: None,
        roles: roles
            .iter()
            .map(|(role, db, collection)| DatabaseUserRole {
                role_name: (*role).to_owned(),
                database_name: (*db).to_owned(),
                collection_name: collection.map(str::to_owned),
            })
            .collect(),
        scopes: clusters
            .iter()
            .map(|c| DatabaseUserScope {
                name: (*c).to_owned(),
                kind: "CLUSTER".to_owned(),
            })
            .collect(),
        labels: vec![DatabaseUserLabel {
            key: "owner".to_owned(),
            value: "ana@example.com".to_owned(),
        }],
        ldap_auth_type: Some("NONE".to_owned()),
        aws_iam_type: Some("NONE".to_owned()),
        x509_type: Some("NONE".to_owned()),
        oidc_auth_type: Some("NONE".to_owned()),
        delete_after_date: None,
        description: None,
    }
}

#[test]
fn database_users_get_one_entitlement_per_role_with_scope_and_clusters() {
    let mut org = empty_org();
    org.database_users.insert(
        P1.to_owned(),
        vec![db_user(
            "app",
            &[
                ("readWrite", "sales", Some("orders")),
                ("read", "sales", None),
                ("atlasAdmin", "admin", None),
            ],
            &["Cluster1", "Cluster0"],
        )],
    );
    let derived = derive(&org);
    let coll = find(
        &derived,
        &format!("project:{P1}/dbuser:admin/app/role:readWrite@sales.orders"),
    );
    assert_eq!((coll.scope, coll.tier), (Scope::Collection, Tier::Write));
    assert_eq!(coll.cluster_names, ["Cluster0", "Cluster1"]);
    assert_eq!(coll.collection_name.as_deref(), Some("orders"));
    let db = find(
        &derived,
        &format!("project:{P1}/dbuser:admin/app/role:read@sales"),
    );
    assert_eq!((db.scope, db.tier), (Scope::Database, Tier::Read));
    let admin = find(
        &derived,
        &format!("project:{P1}/dbuser:admin/app/role:atlasAdmin@admin"),
    );
    assert_eq!((admin.scope, admin.tier), (Scope::Cluster, Tier::Admin));
    let principal = &derived.principals[0];
    assert_eq!(principal.key, format!("dbuser:{P1}/admin/app"));
    assert_eq!(principal.auth_type.as_deref(), Some("SCRAM"));
    assert_eq!(
        principal.labels,
        [("owner".to_owned(), "ana@example.com".to_owned())]
    );
}

#[test]
fn custom_database_roles_are_tiered_from_their_actions() {
    let mut org = empty_org();
    org.custom_roles.insert(
        P1.to_owned(),
        vec![CustomDbRole {
            role_name: "orders-cleaner".to_owned(),
            actions: vec![PrivilegeAction {
                action: "REMOVE".to_owned(),
                resources: vec![],
            }],
            inherited_roles: vec![],
        }],
    );
    org.database_users.insert(
        P1.to_owned(),
        vec![db_user(
            "cleaner",
            &[("orders-cleaner", "admin", None)],
            &[],
        )],
    );
    let derived = derive(&org);
    let row = find(
        &derived,
        &format!("project:{P1}/dbuser:admin/cleaner/role:orders-cleaner@admin"),
    );
    assert_eq!(row.tier, Tier::Write);
    assert_eq!(row.role_actions, ["REMOVE"]);
    assert!(
        row.cluster_names.is_empty(),
        "no scopes means every cluster"
    );
}

#[test]
fn api_keys_and_service_accounts_hold_org_and_project_roles() {
    let mut org = empty_org();
    org.api_keys.push(ApiKey {
        id: "k1".to_owned(),
        public_key: Some("abcdefgh".to_owned()),
        desc: Some("CI deploys".to_owned()),
        roles: vec![
            ApiKeyRole {
                org_id: Some(ORG.to_owned()),
                group_id: None,
                role_name: "ORG_MEMBER".to_owned(),
            },
            ApiKeyRole {
                org_id: None,
                group_id: Some(P2.to_owned()),
                role_name: "GROUP_CLUSTER_MANAGER".to_owned(),
            },
        ],
    });
    org.service_accounts.push(OrgServiceAccount {
        client_id: "mdb_sa_id_1".to_owned(),
        name: Some("exporter".to_owned()),
        description: None,
        created_at: None,
        roles: strings(&["ORG_READ_ONLY"]),
        secrets: vec![],
    });
    org.service_account_projects.insert(
        "mdb_sa_id_1".to_owned(),
        vec![ServiceAccountProject {
            group_id: P1.to_owned(),
            roles: strings(&["GROUP_DATA_ACCESS_READ_ONLY"]),
        }],
    );
    let derived = derive(&org);
    find(&derived, &format!("org:{ORG}/apikey:k1/role:ORG_MEMBER"));
    let key_project = find(
        &derived,
        &format!("project:{P2}/apikey:k1/role:GROUP_CLUSTER_MANAGER"),
    );
    assert_eq!(key_project.tier, Tier::Write);
    find(
        &derived,
        &format!("org:{ORG}/sa:mdb_sa_id_1/role:ORG_READ_ONLY"),
    );
    find(
        &derived,
        &format!("project:{P1}/sa:mdb_sa_id_1/role:GROUP_DATA_ACCESS_READ_ONLY"),
    );
    find(
        &derived,
        &format!("project:{P2}/sa:mdb_sa_id_1/role:GROUP_READ_ONLY/via:org_role:ORG_READ_ONLY"),
    );
    let kinds: Vec<_> = derived.principals.iter().map(|p| p.kind).collect();
    assert_eq!(
        kinds,
        [PrincipalKind::ApiKey, PrincipalKind::ServiceAccount]
    );
}

#[test]
fn derivation_is_deterministic_and_sorted() {
    let mut org = empty_org();
    org.users.push(user(
        "b",
        MembershipStatus::Active,
        &["ORG_OWNER"],
        &[(P1, &["GROUP_OWNER"])],
    ));
    org.users
        .push(user("a", MembershipStatus::Active, &["ORG_MEMBER"], &[]));
    let first = derive(&org);
    org.users.reverse();
    let second = derive(&org);
    assert_eq!(first, second);
    let sorted = {
        let mut k = keys(&first);
        k.sort_unstable();
        k
    };
    assert_eq!(keys(&first), sorted);
}

#[test]
fn parts_in_order_give_exactly_the_whole_derivation() {
    let mut org = empty_org();
    org.users.push(user(
        "owner",
        MembershipStatus::Active,
        &["ORG_OWNER"],
        &[(P1, &["GROUP_OWNER"])],
    ));
    // A project the listing does not name still lands in exactly one part.
    org.users.push(user(
        "stray",
        MembershipStatus::Active,
        &["ORG_MEMBER"],
        &[("0000000000000000000000p0", &["GROUP_READ_ONLY"])],
    ));
    org.database_users.insert(
        P1.to_owned(),
        vec![db_user("app", &[("readWrite", "sales", None)], &[])],
    );
    org.database_users.insert(
        P2.to_owned(),
        vec![db_user(
            "etl",
            &[("read", "sales", Some("orders"))],
            &["c1"],
        )],
    );
    let whole = derive(&org);
    for projects_per_part in [1, 2, 5] {
        let parts = parts(&org, projects_per_part);
        assert_eq!(parts.first(), Some(&Part::Org));
        let streamed: Vec<EntitlementRow> = parts
            .iter()
            .flat_map(|part| derive_part(&org, part))
            .collect();
        assert_eq!(streamed, whole.entitlements, "{projects_per_part} per part");
    }
    let principals = derive_principals(&org);
    assert_eq!(principals.principals, whole.principals);
    assert_eq!(principals.projects, whole.projects);
    assert!(principals.entitlements.is_empty());
}
