//! The `large` org builder: "Globex Data", 1,000 projects, 10,000 Atlas users, 50,000
//! database users, API keys and service accounts across the projects, for benchmarks and
//! scale tests. Everything is derived from a person's or project's index with a little seeded
//! randomness, in one pass per record kind, so it builds in well under a second and holds
//! nothing but the world itself.
//!
//! Shape: twenty departments of fifty projects each; a CTO, twenty department heads and five
//! hundred team leads above everyone else; every person in one team, and every team on five of
//! its department's projects; 244 leavers (still holding access), 423 contractors, people
//! with a notice date, pending and expired invitations, 304 people with no Atlas account and
//! 54 agency accounts that no roster lists.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use serde_json::json;

use super::build::{DemoCredentials, DemoOrg, DemoPerson, add_history, db_user, owner, role};
use super::names::{
    APP_USERS, COUNTRIES, ENVIRONMENTS, FIRST_NAMES, LARGE_DEPARTMENTS, LAST_NAMES, WORKLOADS,
};
use crate::atlas_sim::model::{
    AccessLog, ApiKey, CustomRole, DbRole, DbScope, Federation, Membership, Org, OrgUser, Project,
    RoleMapping, Secret, ServiceAccount, Team,
};
use crate::atlas_sim::world::World;

/// Projects of the `large` org.
pub const LARGE_PROJECTS: usize = 1_000;
/// Atlas users of the `large` org, invitations included.
pub const LARGE_ATLAS_USERS: usize = 10_000;
/// Database users of the `large` org.
pub const LARGE_DATABASE_USERS: usize = 50_000;
/// People in the `large` org's roster.
pub const LARGE_PEOPLE: usize = 10_250;

const DOMAIN: &str = "globex.example";
const PROJECTS_PER_DEPARTMENT: usize = LARGE_PROJECTS / 20;
const DB_USERS_PER_PROJECT: usize = LARGE_DATABASE_USERS / LARGE_PROJECTS;
const HEADS: usize = 20;
const LEADS: usize = 500;
/// Index of the first person who is neither the CTO, a head nor a lead.
const FIRST_STAFF: usize = 1 + HEADS + LEADS;
const TEAMS_PER_DEPARTMENT: usize = 10;
const API_KEYS: usize = 300;
const SERVICE_ACCOUNTS: usize = 150;

const PROJECT_ROLES: [&str; 5] = [
    "GROUP_READ_ONLY",
    "GROUP_DATA_ACCESS_READ_WRITE",
    "GROUP_DATA_ACCESS_READ_ONLY",
    "GROUP_CLUSTER_MANAGER",
    "GROUP_DATA_ACCESS_ADMIN",
];

/// The `large` org for `seed`, every date relative to `anchor`.
pub(super) fn build_large(seed: u64, anchor: DateTime<Utc>) -> DemoOrg {
    let mut w = World::new(seed);
    let offset = anchor - Utc::now();
    w.advance_clock(offset);
    let org_id = w.next_id();
    w.orgs.insert(
        org_id.clone(),
        Org {
            id: org_id.clone(),
            name: "Globex Data".to_owned(),
        },
    );
    let projects = add_projects(&mut w, &org_id, anchor);
    let mut people = roster(anchor);
    let by_department = add_users(&mut w, &org_id, &projects, &mut people, anchor);
    add_teams(&mut w, &org_id, &projects, &people);
    add_db_users(&mut w, &projects, &people, &by_department, anchor);
    add_custom_roles(&mut w, &projects);
    let credentials = add_machines(&mut w, &org_id, &projects, anchor);
    add_federation(&mut w, &org_id, &projects);
    add_history(&mut w, &org_id, anchor);
    w.advance_clock(-offset);
    DemoOrg {
        world: w,
        people,
        credentials,
    }
}

fn department_of_project(p: usize) -> usize {
    p / PROJECTS_PER_DEPARTMENT
}

fn add_projects(w: &mut World, org_id: &str, anchor: DateTime<Utc>) -> Vec<String> {
    let mut ids = Vec::with_capacity(LARGE_PROJECTS);
    for p in 0..LARGE_PROJECTS {
        let department = LARGE_DEPARTMENTS[department_of_project(p)].to_lowercase();
        let local = p % PROJECTS_PER_DEPARTMENT;
        let workload = WORKLOADS[local / ENVIRONMENTS.len()];
        let env = ENVIRONMENTS[local % ENVIRONMENTS.len()];
        let name = format!("{department}-{workload}-{env}");
        let clusters = if env == "prod" {
            vec![format!("{workload}-main"), format!("{workload}-analytics")]
        } else {
            vec![format!("{workload}-{env}")]
        };
        let id = w.next_id();
        w.projects.insert(
            id.clone(),
            Project {
                id: id.clone(),
                org_id: org_id.to_owned(),
                name,
                created: anchor - Duration::days(1_500 - (p as i64)),
                clusters,
                teams: BTreeMap::new(),
                db_users_changed_at: None,
            },
        );
        ids.push(id);
    }
    ids
}

/// Department of person `i`: the CTO sits in Engineering, heads and leads in their own.
fn department_of_person(i: usize) -> usize {
    match i {
        0 => 0,
        1..=HEADS => i - 1,
        _ if i < FIRST_STAFF => (i - 1 - HEADS) % HEADS,
        _ => i % HEADS,
    }
}

/// The roster: names and emails unique by construction, managers always listed before their
/// reports and never leavers, so the hierarchy has no cycles and no dangling manager.
fn roster(anchor: DateTime<Utc>) -> Vec<DemoPerson> {
    let mut people: Vec<DemoPerson> = Vec::with_capacity(LARGE_PEOPLE);
    for i in 0..LARGE_PEOPLE {
        // (i % 40, i / 40 % 25) runs through all 1,000 name pairs in every block of 1,000.
        let first = FIRST_NAMES[i % FIRST_NAMES.len()];
        let last = LAST_NAMES[(i / FIRST_NAMES.len()) % LAST_NAMES.len()];
        let block = i / (FIRST_NAMES.len() * LAST_NAMES.len());
        let suffix = if block == 0 {
            String::new()
        } else {
            block.to_string()
        };
        let email = format!(
            "{}.{}{suffix}@{DOMAIN}",
            first.to_lowercase(),
            last.to_lowercase()
        );
        let department = department_of_person(i);
        let manager = match i {
            0 => None,
            1..=HEADS => Some(0),
            _ if i < FIRST_STAFF => Some(1 + department),
            // Leads of department d are FIRST_STAFF - LEADS + d + 20k for k in 0..25.
            _ => Some(1 + HEADS + department + HEADS * ((i / HEADS) % (LEADS / HEADS))),
        };
        let staff = i >= FIRST_STAFF;
        let leaver = staff && i % 40 == 3;
        let on_notice = staff && i % 211 == 5;
        let end_date = if leaver {
            Some((anchor - Duration::days(5 + (i % 180) as i64)).date_naive())
        } else if on_notice {
            Some((anchor + Duration::days(14 + (i % 30) as i64)).date_naive())
        } else {
            None
        };
        people.push(DemoPerson {
            email,
            first_name: first.to_owned(),
            last_name: last.to_owned(),
            department: LARGE_DEPARTMENTS[department].to_owned(),
            manager: manager.map(|m: usize| people[m].email.clone()),
            leaver,
            end_date,
            contractor: staff && i % 23 == 11,
            atlas_user_id: None,
        });
    }
    people
}

/// Whether roster person `i` never got an Atlas account.
fn without_atlas(i: usize) -> bool {
    i >= FIRST_STAFF && i % 32 == 7
}

/// Adds the Atlas users: every roster person with an account, then agency accounts until there
/// are exactly [`LARGE_ATLAS_USERS`]. Returns, per department, the roster indexes with accounts.
fn add_users(
    w: &mut World,
    org_id: &str,
    projects: &[String],
    people: &mut [DemoPerson],
    anchor: DateTime<Utc>,
) -> Vec<Vec<usize>> {
    let mut by_department = vec![Vec::new(); HEADS];
    let mut count = 0;
    for (i, person) in people.iter_mut().enumerate() {
        if without_atlas(i) {
            continue;
        }
        let department = department_of_person(i);
        let id = w.next_id();
        let mut user = org_user(w, &id, org_id, &person.email, i, anchor);
        user.first_name = person.first_name.clone();
        user.last_name = person.last_name.clone();
        if person.leaver {
            user.last_auth = Some(anchor - Duration::days(60 + (i % 200) as i64));
        }
        user.org_roles = match i {
            0..=4 => vec!["ORG_OWNER".to_owned()],
            _ if i % 50 == 1 => vec!["ORG_READ_ONLY".to_owned()],
            _ if i % 331 == 7 => vec!["ORG_BILLING_ADMIN".to_owned(), "ORG_MEMBER".to_owned()],
            _ => vec!["ORG_MEMBER".to_owned()],
        };
        let base = department * PROJECTS_PER_DEPARTMENT;
        let home = &projects[base + (i * 7) % PROJECTS_PER_DEPARTMENT];
        let role = if (1 + HEADS..FIRST_STAFF).contains(&i) {
            "GROUP_OWNER"
        } else {
            PROJECT_ROLES[i % PROJECT_ROLES.len()]
        };
        user.group_roles.insert(home.clone(), vec![role.to_owned()]);
        if i.is_multiple_of(3) {
            let second = &projects[base + (i * 13 + 1) % PROJECTS_PER_DEPARTMENT];
            user.group_roles
                .entry(second.clone())
                .or_default()
                .push("GROUP_READ_ONLY".to_owned());
        }
        if !matches!(user.membership, Membership::Active) {
            user.first_name.clear();
            user.last_name.clear();
            user.last_auth = None;
        }
        w.users.insert(id.clone(), user);
        person.atlas_user_id = Some(id);
        by_department[department].push(i);
        count += 1;
    }
    // Agency accounts nobody's roster lists, each with a project role somewhere.
    for n in 0..LARGE_ATLAS_USERS.saturating_sub(count) {
        let id = w.next_id();
        let username = format!("ops{n:03}@agency.example");
        let mut user = org_user(w, &id, org_id, &username, n * 31 + 1, anchor);
        user.first_name = "Agency".to_owned();
        user.last_name = format!("Operator {n}");
        user.membership = Membership::Active;
        user.invitation_created_at = None;
        user.invitation_expires_at = None;
        user.inviter_username = None;
        user.last_auth = Some(anchor - Duration::hours(5 + n as i64));
        user.org_roles = vec!["ORG_MEMBER".to_owned()];
        user.group_roles.insert(
            projects[(n * 97) % LARGE_PROJECTS].clone(),
            vec!["GROUP_CLUSTER_MANAGER".to_owned()],
        );
        w.users.insert(id, user);
    }
    by_department
}

/// An org user with the membership and dates that index `i` gives; roles are left empty.
fn org_user(
    w: &mut World,
    id: &str,
    org_id: &str,
    username: &str,
    i: usize,
    anchor: DateTime<Utc>,
) -> OrgUser {
    // Pending invitations: most recent, some long expired, a few rejected.
    let (membership, invited) = match i {
        _ if i % 97 == 13 => (
            Membership::Pending,
            anchor - Duration::days(2 + (i % 9) as i64),
        ),
        _ if i % 193 == 29 => (Membership::Pending, anchor - Duration::days(60)),
        _ if i % 997 == 101 => (Membership::Rejected, anchor - Duration::days(20)),
        _ => (Membership::Active, anchor),
    };
    let active = membership == Membership::Active;
    let hours: i64 = w.rng().gen_range(1..24 * 45);
    OrgUser {
        id: id.to_owned(),
        org_id: org_id.to_owned(),
        username: username.to_owned(),
        first_name: String::new(),
        last_name: String::new(),
        country: COUNTRIES[i % COUNTRIES.len()].to_owned(),
        mobile_number: i
            .is_multiple_of(6)
            .then(|| format!("+4915{:08}", 10_000_000 + i)),
        created_at: anchor - Duration::days(30 + (i % 1_200) as i64),
        last_auth: active.then(|| anchor - Duration::hours(hours)),
        membership,
        invitation_created_at: (!active).then_some(invited),
        invitation_expires_at: (!active).then_some(invited + Duration::days(30)),
        inviter_username: (!active).then(|| format!("admin@{DOMAIN}")),
        org_roles: Vec::new(),
        group_roles: BTreeMap::new(),
        team_ids: BTreeSet::new(),
    }
}

/// Ten teams per department. Every lead and staff member with an account joins the team of
/// their lead's group; each team holds one role on five of its department's projects.
fn add_teams(w: &mut World, org_id: &str, projects: &[String], people: &[DemoPerson]) {
    let mut team_ids = Vec::with_capacity(HEADS * TEAMS_PER_DEPARTMENT);
    for t in 0..HEADS * TEAMS_PER_DEPARTMENT {
        let department = t % HEADS;
        let squad = t / HEADS;
        let id = w.next_id();
        w.teams.insert(
            id.clone(),
            Team {
                id: id.clone(),
                org_id: org_id.to_owned(),
                name: format!(
                    "{}-squad-{squad:02}",
                    LARGE_DEPARTMENTS[department].to_lowercase()
                ),
            },
        );
        let base = department * PROJECTS_PER_DEPARTMENT + squad * 5;
        for (m, project) in projects[base..base + 5].iter().enumerate() {
            if let Some(p) = w.projects.get_mut(project) {
                p.teams.insert(
                    id.clone(),
                    vec![PROJECT_ROLES[(squad + m) % PROJECT_ROLES.len()].to_owned()],
                );
            }
        }
        team_ids.push(id);
    }
    for (i, person) in people.iter().enumerate().skip(1 + HEADS) {
        let Some(user) = person
            .atlas_user_id
            .as_ref()
            .and_then(|uid| w.users.get_mut(uid))
        else {
            continue;
        };
        let department = department_of_person(i);
        let squad = if i < FIRST_STAFF {
            (i - 1 - HEADS) / HEADS
        } else {
            (i / HEADS) % (LEADS / HEADS)
        } % TEAMS_PER_DEPARTMENT;
        user.team_ids
            .insert(team_ids[department + HEADS * squad].clone());
    }
}

/// Fifty database users per project: application users (most with an `owner` label, some
/// orphaned), people's own users, and every external auth type.
fn add_db_users(
    w: &mut World,
    projects: &[String],
    people: &[DemoPerson],
    by_department: &[Vec<usize>],
    anchor: DateTime<Utc>,
) {
    for (p, group) in projects.iter().enumerate() {
        let (clusters, project_name) = match w.projects.get(group) {
            Some(project) => (project.clusters.clone(), project.name.clone()),
            None => continue,
        };
        let staff = &by_department[department_of_project(p)];
        let person = |k: usize| &people[staff[(p * 31 + k * 17) % staff.len()]];
        let mut users = Vec::with_capacity(DB_USERS_PER_PROJECT);
        for k in 0..35 {
            let app = APP_USERS[k % APP_USERS.len()];
            let access = if k.is_multiple_of(4) {
                "readWrite"
            } else {
                "read"
            };
            let mut u = db_user(
                group,
                "admin",
                format!("{app}-{k:02}"),
                vec![role(access, APP_USERS[(k + 1) % APP_USERS.len()])],
            );
            // One in seven has no owner label: an orphan for the review to route.
            if k % 7 != 6 {
                u.labels = owner(&person(k).email);
            }
            if k % 3 == 1 {
                u.scopes = vec![DbScope {
                    name: clusters[k % clusters.len()].clone(),
                    kind: "CLUSTER".to_owned(),
                }];
            }
            if k == 34 && p.is_multiple_of(10) {
                u.delete_after_date = Some(anchor + Duration::days(3 + (p % 20) as i64));
            }
            users.push(u);
        }
        for k in 35..39 {
            let holder = person(k);
            let local = holder.email.split('@').next().unwrap_or("dev");
            let powerful = if k == 35 {
                "readWriteAnyDatabase"
            } else {
                "readAnyDatabase"
            };
            let mut u = db_user(
                group,
                "admin",
                local.to_owned(),
                vec![role(powerful, "admin")],
            );
            u.labels = owner(&holder.email);
            users.push(u);
        }
        for k in 39usize..43 {
            let mut u = db_user(
                group,
                "$external",
                format!("CN={project_name}-svc{k},OU=Services,O=Globex Data"),
                vec![role("read", "metrics")],
            );
            u.x509_type = if k.is_multiple_of(2) {
                "CUSTOMER"
            } else {
                "MANAGED"
            }
            .to_owned();
            users.push(u);
        }
        for k in 43..46 {
            let kind = if k == 45 { "USER" } else { "ROLE" };
            let mut u = db_user(
                group,
                "$external",
                format!(
                    "arn:aws:iam::{:012}:{}/{project_name}-{k}",
                    100_000_000_000u64 + p as u64,
                    kind.to_lowercase()
                ),
                vec![role("readWrite", "events")],
            );
            u.aws_iam_type = kind.to_owned();
            users.push(u);
        }
        for (k, kind) in [(46, "GROUP"), (47, "USER")] {
            let mut u = db_user(
                group,
                "$external",
                format!("CN={project_name}-{k},OU=Groups,DC=globex,DC=example"),
                vec![role("dbAdminAnyDatabase", "admin")],
            );
            u.ldap_auth_type = kind.to_owned();
            users.push(u);
        }
        for (k, kind) in [(48, "IDP_GROUP"), (49, "USER")] {
            let mut u = db_user(
                group,
                "admin",
                format!("0oa{p:06}idp/{project_name}-{k}"),
                vec![DbRole {
                    role_name: "read".to_owned(),
                    database_name: "reports".to_owned(),
                    collection_name: Some(format!("daily{k}")),
                }],
            );
            u.oidc_auth_type = kind.to_owned();
            users.push(u);
        }
        for (n, u) in users.into_iter().enumerate() {
            // Access history for one user in ten keeps the world small; enough to show usage.
            if n.is_multiple_of(10) {
                let cluster = &clusters[n % clusters.len()];
                let hours = w.rng().gen_range(1..24 * 30);
                w.access_logs.push(AccessLog {
                    group_id: group.clone(),
                    cluster_name: cluster.clone(),
                    hostname: format!("{cluster}-shard-00-00.{project_name}.mongodb.net"),
                    username: u.username.clone(),
                    auth_source: u.database_name.clone(),
                    auth_result: n % 30 != 0,
                    ip_address: format!("10.{}.{}.{}", p / 250, p % 250, 1 + n),
                    at: anchor - Duration::hours(hours),
                });
            }
            w.db_users.insert(
                (
                    u.group_id.clone(),
                    u.database_name.clone(),
                    u.username.clone(),
                ),
                u,
            );
        }
    }
}

/// One custom role on every tenth project, used by that project's first application user.
fn add_custom_roles(w: &mut World, projects: &[String]) {
    for (p, group) in projects.iter().enumerate().step_by(10) {
        let name = format!("ordersReader{p}");
        w.custom_roles.insert(
            (group.clone(), name.clone()),
            CustomRole {
                group_id: group.clone(),
                role_name: name.clone(),
                actions: json!([{ "action": "FIND", "resources": [{ "cluster": false, "db": "sales", "collection": "orders" }] }]),
                inherited_roles: json!([{ "db": "admin", "role": "read" }]),
            },
        );
        let key = (
            group.clone(),
            "admin".to_owned(),
            "orders-api-00".to_owned(),
        );
        if let Some(user) = w.db_users.get_mut(&key) {
            user.roles.push(role(&name, "admin"));
        }
    }
}

/// API keys and service accounts spread over the projects. The first API key and the `attest`
/// service account are Organization Owners: the credentials a client connects with.
fn add_machines(
    w: &mut World,
    org_id: &str,
    projects: &[String],
    anchor: DateTime<Utc>,
) -> DemoCredentials {
    let mut first_key = None;
    for k in 0..API_KEYS {
        let id = w.next_id();
        let public_key = w.random_letters(8);
        let private_key = format!(
            "{}-{}-{}-{}-{}",
            w.random_hex(8),
            w.random_hex(4),
            w.random_hex(4),
            w.random_hex(4),
            w.random_hex(12)
        );
        first_key.get_or_insert((public_key.clone(), private_key.clone()));
        let org_role = match k {
            _ if k.is_multiple_of(50) => "ORG_OWNER",
            _ if k % 10 == 1 => "ORG_READ_ONLY",
            _ => "ORG_MEMBER",
        };
        let group_roles = (0..k % 4)
            .map(|m| {
                (
                    projects[(k * 37 + m * 211) % LARGE_PROJECTS].clone(),
                    vec![
                        ["GROUP_OWNER", "GROUP_READ_ONLY", "GROUP_CLUSTER_MANAGER"][m % 3]
                            .to_owned(),
                    ],
                )
            })
            .collect();
        w.api_keys.insert(
            id.clone(),
            ApiKey {
                id,
                org_id: org_id.to_owned(),
                public_key,
                private_key,
                desc: format!("automation-{k:03}"),
                org_roles: vec![org_role.to_owned()],
                group_roles,
            },
        );
    }
    let mut attest = None;
    for s in 0..SERVICE_ACCOUNTS {
        let name = if s == 0 {
            "attest".to_owned()
        } else {
            format!("pipeline-{s:03}")
        };
        let client_id = format!("mdb_sa_id_{}", w.random_hex(24));
        let secret = Secret {
            id: w.next_id(),
            value: format!("mdb_sa_sk_{}", w.random_hex(40)),
            created_at: anchor - Duration::days(30),
            expires_at: anchor + Duration::days(335),
            last_used_at: None,
        };
        attest.get_or_insert((client_id.clone(), secret.value.clone()));
        let org_role = if s == 0 { "ORG_OWNER" } else { "ORG_MEMBER" };
        let group_roles = if s == 0 {
            BTreeMap::new()
        } else {
            (0..1 + s % 4)
                .map(|m| {
                    (
                        projects[(s * 53 + m * 101) % LARGE_PROJECTS].clone(),
                        vec![PROJECT_ROLES[(s + m) % PROJECT_ROLES.len()].to_owned()],
                    )
                })
                .collect()
        };
        w.service_accounts.insert(
            client_id.clone(),
            ServiceAccount {
                client_id,
                org_id: org_id.to_owned(),
                name: name.clone(),
                description: format!("{name} automation"),
                created_at: anchor - Duration::days(30 + s as i64),
                org_roles: vec![org_role.to_owned()],
                group_roles,
                secrets: vec![secret],
            },
        );
    }
    let (client_id, client_secret) = attest.unwrap_or_default();
    let (api_public_key, api_private_key) = first_key.unwrap_or_default();
    DemoCredentials {
        org_id: org_id.to_owned(),
        client_id,
        client_secret,
        api_public_key,
        api_private_key,
    }
}

/// One identity-provider group per department granting read access to its production
/// projects, plus an admins group.
fn add_federation(w: &mut World, org_id: &str, projects: &[String]) {
    let id = w.next_id();
    let mut mappings = vec![RoleMapping {
        id: w.next_id(),
        external_group_name: "atlas-admins".to_owned(),
        role_assignments: json!([{ "orgId": org_id, "role": "ORG_OWNER" }]),
    }];
    for (d, department) in LARGE_DEPARTMENTS.iter().enumerate() {
        let prod = &projects[d * PROJECTS_PER_DEPARTMENT];
        mappings.push(RoleMapping {
            id: w.next_id(),
            external_group_name: format!("{}-engineers", department.to_lowercase()),
            role_assignments: json!([{ "orgId": org_id, "role": "ORG_MEMBER" }, { "groupId": prod, "role": "GROUP_READ_ONLY" }]),
        });
    }
    let idp = w.random_hex(20);
    w.federations.insert(
        id.clone(),
        Federation {
            id,
            org_id: org_id.to_owned(),
            federated_domains: vec![DOMAIN.to_owned()],
            identity_provider_id: idp,
            domain_restriction_enabled: true,
            domain_allow_list: vec![DOMAIN.to_owned()],
            post_auth_role_grants: vec!["ORG_MEMBER".to_owned()],
            role_mappings: mappings,
        },
    );
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use chrono::TimeZone;

    use super::*;

    fn anchor() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 4, 0, 0, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn large_org_has_the_promised_sizes_and_is_deterministic() {
        let a = build_large(3, anchor());
        let w = &a.world;
        assert_eq!(w.projects.len(), LARGE_PROJECTS);
        assert_eq!(w.users.len(), LARGE_ATLAS_USERS);
        assert_eq!(w.db_users.len(), LARGE_DATABASE_USERS);
        assert_eq!(a.people.len(), LARGE_PEOPLE);
        assert_eq!(w.api_keys.len(), API_KEYS);
        assert_eq!(w.service_accounts.len(), SERVICE_ACCOUNTS);
        let b = build_large(3, anchor());
        assert_eq!(a.credentials, b.credentials);
        assert_eq!(a.people, b.people);
        assert!(w.db_users.keys().eq(b.world.db_users.keys()));
        assert_ne!(a.credentials, build_large(4, anchor()).credentials);
    }

    #[test]
    fn large_roster_is_consistent_and_varied() {
        let org = build_large(3, anchor());
        let emails: HashSet<&str> = org.people.iter().map(|p| p.email.as_str()).collect();
        assert_eq!(emails.len(), org.people.len(), "emails are unique");
        for p in &org.people {
            if let Some(manager) = &p.manager {
                assert!(
                    emails.contains(manager.as_str()),
                    "{} has a listed manager",
                    p.email
                );
                let boss = org.people.iter().find(|q| &q.email == manager);
                assert!(
                    boss.is_some_and(|b| !b.leaver),
                    "{}'s manager has not left",
                    p.email
                );
            }
        }
        let leavers = org.people.iter().filter(|p| p.leaver).count();
        assert!(leavers > 100 && leavers < 1_000, "{leavers} leavers");
        assert!(org.people.iter().any(|p| p.contractor));
        assert!(org.people.iter().any(|p| !p.leaver && p.end_date.is_some()));
        let without = org
            .people
            .iter()
            .filter(|p| p.atlas_user_id.is_none())
            .count();
        assert!(without >= 300, "{without} people without Atlas access");
        let outside = org
            .world
            .users
            .values()
            .filter(|u| !emails.contains(u.username.as_str()))
            .count();
        assert!(outside > 0, "accounts no roster lists");
    }

    #[test]
    fn every_team_is_on_projects_and_has_members() {
        let org = build_large(3, anchor());
        let w = &org.world;
        for team in w.teams.values() {
            let members = w
                .users
                .values()
                .filter(|u| u.team_ids.contains(&team.id))
                .count();
            assert!(members > 0, "{} has members", team.name);
            assert!(w.projects.values().any(|p| p.teams.contains_key(&team.id)));
        }
        let orphans = w.db_users.values().filter(|u| u.labels.is_empty()).count();
        assert!(orphans > 0);
    }
}
