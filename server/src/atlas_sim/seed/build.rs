//! The demo org builder; see the module above for what it contains. This is its first pass,
//! the original six projects and forty people; `growth.rs` appends the rest after it. Its
//! record helpers are shared with the `large` builder and the second pass.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use rand::Rng;
use rand::seq::SliceRandom;
use serde_json::{Map, Value, json};

use super::growth;
use super::names::{APP_USERS, COUNTRIES, DEPARTMENTS, FIRST_NAMES, LAST_NAMES, PROJECTS};
use crate::atlas_sim::model::{
    AccessLog, Actor, ApiKey, CustomRole, DbRole, DbScope, DbUser, Event, Federation, Label,
    Membership, Org, OrgUser, Project, RoleMapping, Secret, ServiceAccount, Team,
};
use crate::atlas_sim::world::World;

/// One person of the demo company, as a people directory would list them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoPerson {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub department: String,
    /// Manager's email; none for the CTO at the top.
    pub manager: Option<String>,
    /// Left the company but still holds Atlas access.
    pub leaver: bool,
    /// Last working day, for leavers and for people on notice (a future date).
    pub end_date: Option<NaiveDate>,
    /// Works through an agency; the roster lists them with the title `Contractor`.
    pub contractor: bool,
    /// Atlas user id, when the person has an Atlas account.
    pub atlas_user_id: Option<String>,
}

/// Credentials of the org-owner service account Attest connects with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoCredentials {
    pub org_id: String,
    pub client_id: String,
    pub client_secret: String,
    /// An org-owner API key, for Digest tests.
    pub api_public_key: String,
    pub api_private_key: String,
}

/// A seeded world plus what a test or the demo needs to know about it.
#[derive(Debug)]
pub struct DemoOrg {
    pub world: World,
    pub people: Vec<DemoPerson>,
    pub credentials: DemoCredentials,
}

/// People of the first pass; the second adds `growth::PEOPLE` more.
const PEOPLE: usize = 40;
pub(super) const DOMAIN: &str = "northwind.example";

impl DemoOrg {
    /// The demo org for `seed`, dated relative to the start of the current UTC day.
    pub fn build(seed: u64) -> Self {
        let today = Utc::now()
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default();
        Self::build_at(seed, Utc.from_utc_datetime(&today))
    }

    /// The demo org for `seed` with every date relative to `anchor`: fully deterministic.
    pub fn build_at(seed: u64, anchor: DateTime<Utc>) -> Self {
        let mut w = World::new(seed);
        let offset = anchor - Utc::now();
        w.advance_clock(offset);
        let org_id = w.next_id();
        w.orgs.insert(
            org_id.clone(),
            Org {
                id: org_id.clone(),
                name: "Northwind Cloud".to_owned(),
            },
        );
        let projects = add_projects(&mut w, &org_id, anchor);
        let mut people = add_people(&mut w, &org_id, &projects, anchor);
        add_teams(&mut w, &org_id, &projects, &people);
        add_db_users(&mut w, &projects, &people);
        add_custom_roles(&mut w, &projects);
        let credentials = add_machines(&mut w, &org_id, &projects, anchor);
        add_federation(&mut w, &org_id, &projects);
        add_access_logs(&mut w, anchor);
        add_history(&mut w, &org_id, anchor);
        // Everything above is the original company and must stay exactly as it is; the second
        // pass only appends (see `growth.rs`).
        growth::grow(&mut w, seed, &org_id, &mut people, anchor);
        // The clock runs in real time again from the anchor's point of view.
        w.advance_clock(-offset);
        Self {
            world: w,
            people,
            credentials,
        }
    }
}

fn add_projects(w: &mut World, org_id: &str, anchor: DateTime<Utc>) -> Vec<String> {
    let mut ids = Vec::new();
    for (i, (name, clusters)) in PROJECTS.iter().enumerate() {
        let id = w.next_id();
        w.projects.insert(
            id.clone(),
            Project {
                id: id.clone(),
                org_id: org_id.to_owned(),
                name: (*name).to_owned(),
                created: anchor - Duration::days(900 - 60 * i as i64),
                clusters: clusters.iter().map(|c| (*c).to_owned()).collect(),
                teams: Default::default(),
                db_users_changed_at: None,
            },
        );
        ids.push(id);
    }
    ids
}

fn add_people(
    w: &mut World,
    org_id: &str,
    projects: &[String],
    anchor: DateTime<Utc>,
) -> Vec<DemoPerson> {
    let mut firsts: Vec<&str> = FIRST_NAMES.to_vec();
    firsts.shuffle(w.rng());
    let mut people = Vec::new();
    for i in 0..PEOPLE {
        let (first, last) = if i == 17 {
            ("@SUM(1)".to_owned(), "Mallory".to_owned())
        } else {
            let last = LAST_NAMES[w.rng().gen_range(0..LAST_NAMES.len())];
            (firsts[i % firsts.len()].to_owned(), last.to_owned())
        };
        let email = if i == 17 {
            format!("sum1.mallory@{DOMAIN}")
        } else {
            format!("{}.{}@{DOMAIN}", first.to_lowercase(), last.to_lowercase())
        };
        // Person 0 is the CTO; 1..=6 manage one department each and report to the CTO.
        let department = if i == 0 {
            "Engineering"
        } else {
            DEPARTMENTS[(i - 1) % DEPARTMENTS.len()]
        };
        let manager = match i {
            0 => None,
            1..=6 => Some(
                people
                    .first()
                    .map(|p: &DemoPerson| p.email.clone())
                    .unwrap_or_default(),
            ),
            _ => Some(people[1 + (i - 1) % DEPARTMENTS.len()].email.clone()),
        };
        let leaver = matches!(i, 23 | 31 | 38);
        people.push(DemoPerson {
            email,
            first_name: first,
            last_name: last,
            department: department.to_owned(),
            manager,
            leaver,
            end_date: leaver.then(|| (anchor - Duration::days(20 + i as i64)).date_naive()),
            contractor: false,
            atlas_user_id: None,
        });
    }
    for (i, person) in people.iter_mut().enumerate() {
        // Four people never got an Atlas account.
        if matches!(i, 12 | 26 | 33 | 39) {
            continue;
        }
        let id = w.next_id();
        let membership = match i {
            8 | 19 | 29 => Membership::Pending,
            36 | 37 => Membership::Pending,
            35 => Membership::Rejected,
            _ => Membership::Active,
        };
        // 36 and 37 were invited long ago and their invitations have expired.
        let invited = if matches!(i, 36 | 37) {
            anchor - Duration::days(75)
        } else {
            anchor - Duration::days(3 + i as i64)
        };
        let org_roles = match i {
            0 | 1 => vec!["ORG_OWNER".to_owned()],
            2 => vec!["ORG_READ_ONLY".to_owned()],
            6 => vec!["ORG_BILLING_ADMIN".to_owned(), "ORG_MEMBER".to_owned()],
            23 => vec!["ORG_OWNER".to_owned()],
            _ => vec!["ORG_MEMBER".to_owned()],
        };
        let mut group_roles = std::collections::BTreeMap::new();
        let home = i % projects.len();
        let role = [
            "GROUP_READ_ONLY",
            "GROUP_DATA_ACCESS_READ_WRITE",
            "GROUP_DATA_ACCESS_READ_ONLY",
            "GROUP_CLUSTER_MANAGER",
            "GROUP_OWNER",
        ][i % 5];
        if i > 2 {
            group_roles.insert(projects[home].clone(), vec![role.to_owned()]);
            if i % 3 == 0 {
                group_roles.insert(
                    projects[(home + 1) % projects.len()].clone(),
                    vec![
                        "GROUP_READ_ONLY".to_owned(),
                        "GROUP_DATABASE_ACCESS_ADMIN".to_owned(),
                    ],
                );
            }
        }
        let active = membership == Membership::Active;
        w.users.insert(
            id.clone(),
            OrgUser {
                id: id.clone(),
                org_id: org_id.to_owned(),
                username: person.email.clone(),
                first_name: if active {
                    person.first_name.clone()
                } else {
                    String::new()
                },
                last_name: if active {
                    person.last_name.clone()
                } else {
                    String::new()
                },
                country: COUNTRIES[i % COUNTRIES.len()].to_owned(),
                mobile_number: (i % 4 == 0).then(|| format!("+4915{:08}", 10_000_000 + i * 7919)),
                created_at: anchor - Duration::days(400 - 9 * i as i64),
                last_auth: active.then(|| {
                    anchor
                        - Duration::hours(if person.leaver {
                            24 * 120
                        } else {
                            3 + i as i64
                        })
                }),
                membership,
                invitation_created_at: (!active).then_some(invited),
                invitation_expires_at: (!active).then_some(invited + Duration::days(30)),
                inviter_username: (!active).then(|| format!("admin@{DOMAIN}")),
                org_roles,
                group_roles,
                team_ids: BTreeSet::new(),
            },
        );
        person.atlas_user_id = Some(id);
    }
    // A contractor who is not in the people directory at all, with production access.
    let id = w.next_id();
    w.users.insert(
        id.clone(),
        OrgUser {
            id,
            org_id: org_id.to_owned(),
            username: "contractor.ops@agency.example".to_owned(),
            first_name: "Casey".to_owned(),
            last_name: "Contractor".to_owned(),
            country: "PL".to_owned(),
            mobile_number: None,
            created_at: anchor - Duration::days(200),
            last_auth: Some(anchor - Duration::days(2)),
            membership: Membership::Active,
            invitation_created_at: None,
            invitation_expires_at: None,
            inviter_username: None,
            org_roles: vec!["ORG_MEMBER".to_owned()],
            group_roles: [(projects[0].clone(), vec!["GROUP_OWNER".to_owned()])]
                .into_iter()
                .collect(),
            team_ids: BTreeSet::new(),
        },
    );
    people
}

fn add_teams(w: &mut World, org_id: &str, projects: &[String], people: &[DemoPerson]) {
    let plan: [(&str, &[usize], usize, &str); 4] = [
        (
            "platform-oncall",
            &[3, 9, 15, 21, 31],
            0,
            "GROUP_CLUSTER_MANAGER",
        ),
        (
            "data-engineering",
            &[2, 8, 14, 20],
            2,
            "GROUP_DATA_ACCESS_READ_WRITE",
        ),
        (
            "payments-devs",
            &[4, 10, 16, 22, 38],
            1,
            "GROUP_DATA_ACCESS_ADMIN",
        ),
        ("support-readers", &[5, 11, 17], 3, "GROUP_READ_ONLY"),
    ];
    for (name, members, project, role) in plan {
        let id = w.next_id();
        w.teams.insert(
            id.clone(),
            Team {
                id: id.clone(),
                org_id: org_id.to_owned(),
                name: name.to_owned(),
            },
        );
        for &m in members {
            if let Some(user) = people[m]
                .atlas_user_id
                .as_ref()
                .and_then(|uid| w.users.get_mut(uid))
            {
                user.team_ids.insert(id.clone());
            }
        }
        if let Some(p) = w.projects.get_mut(&projects[project]) {
            p.teams.insert(id, vec![role.to_owned()]);
        }
    }
}

pub(super) fn role(name: &str, db: &str) -> DbRole {
    DbRole {
        role_name: name.to_owned(),
        database_name: db.to_owned(),
        collection_name: None,
    }
}

pub(super) fn db_user(group_id: &str, db: &str, username: String, roles: Vec<DbRole>) -> DbUser {
    DbUser {
        group_id: group_id.to_owned(),
        database_name: db.to_owned(),
        username,
        roles,
        scopes: Vec::new(),
        labels: Vec::new(),
        ldap_auth_type: "NONE".to_owned(),
        aws_iam_type: "NONE".to_owned(),
        x509_type: "NONE".to_owned(),
        oidc_auth_type: "NONE".to_owned(),
        description: None,
        delete_after_date: None,
    }
}

pub(super) fn owner(email: &str) -> Vec<Label> {
    vec![Label {
        key: "owner".to_owned(),
        value: email.to_owned(),
    }]
}

fn add_db_users(w: &mut World, projects: &[String], people: &[DemoPerson]) {
    let mut users = Vec::new();
    for (pi, group) in projects.iter().enumerate() {
        let clusters = w
            .projects
            .get(group)
            .map(|p| p.clusters.clone())
            .unwrap_or_default();
        for (ai, app) in APP_USERS
            .iter()
            .enumerate()
            .filter(|(ai, _)| (ai + pi) % 2 == 0)
        {
            let mut u = db_user(
                group,
                "admin",
                format!("{app}-{}", PROJECTS[pi].0),
                vec![role(if ai % 3 == 0 { "readWrite" } else { "read" }, "app")],
            );
            // Every third app user has an owner label pointing at someone; the rest are orphans
            // or belong to leavers.
            if ai % 3 != 2 {
                u.labels = owner(&people[(pi * 7 + ai * 5) % people.len()].email);
            }
            if let Some(cluster) = clusters.first().filter(|_| ai % 2 == 1) {
                u.scopes = vec![DbScope {
                    name: cluster.clone(),
                    kind: "CLUSTER".to_owned(),
                }];
            }
            users.push(u);
        }
        let person = &people[(pi * 5 + 3) % people.len()];
        let mut human = db_user(
            group,
            "admin",
            person.email.split('@').next().unwrap_or("dev").to_owned(),
            vec![role("readWriteAnyDatabase", "admin")],
        );
        human.labels = owner(&person.email);
        users.push(human);
        let mut x509 = db_user(
            group,
            "$external",
            format!("CN={}-svc,OU=Services,O=Northwind Cloud", PROJECTS[pi].0),
            vec![role("read", "metrics")],
        );
        x509.x509_type = "CUSTOMER".to_owned();
        users.push(x509);
        let mut iam = db_user(
            group,
            "$external",
            format!("arn:aws:iam::123456789012:role/{}-lambda", PROJECTS[pi].0),
            vec![role("readWrite", "events")],
        );
        iam.aws_iam_type = "ROLE".to_owned();
        users.push(iam);
        if pi % 2 == 0 {
            let mut ldap = db_user(
                group,
                "$external",
                "CN=dba,OU=Groups,DC=northwind,DC=example".to_owned(),
                vec![role("dbAdminAnyDatabase", "admin")],
            );
            ldap.ldap_auth_type = "GROUP".to_owned();
            users.push(ldap);
            let mut oidc = db_user(
                group,
                "admin",
                "0oa1b2c3d4e5f6g7h8i9/atlas-analysts".to_owned(),
                vec![role("readAnyDatabase", "admin")],
            );
            oidc.oidc_auth_type = "IDP_GROUP".to_owned();
            users.push(oidc);
        }
    }
    let prod = &projects[0];
    let mut admin = db_user(
        prod,
        "admin",
        "break-glass-admin".to_owned(),
        vec![role("atlasAdmin", "admin")],
    );
    admin.description = Some("Emergency access, nobody owns it".to_owned());
    users.push(admin);
    let mut hostile = db_user(
        prod,
        "admin",
        "=HYPERLINK(\"http://x\")".to_owned(),
        vec![role("read", "app")],
    );
    hostile.labels = owner("=cmd|' /C calc'!A0");
    users.push(hostile);
    let mut leaver = db_user(
        prod,
        "admin",
        "leaver-debug".to_owned(),
        vec![role("readWrite", "payments")],
    );
    leaver.labels = owner(&people[23].email);
    users.push(leaver);
    let mut temp = db_user(
        &projects[2],
        "admin",
        "temp-export".to_owned(),
        vec![DbRole {
            role_name: "read".to_owned(),
            database_name: "warehouse".to_owned(),
            collection_name: Some("invoices".to_owned()),
        }],
    );
    temp.delete_after_date = Some(w.now() + Duration::days(5));
    users.push(temp);
    for u in users {
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

fn add_custom_roles(w: &mut World, projects: &[String]) {
    let roles = [
        (
            "ordersReader",
            json!([{ "action": "FIND", "resources": [{ "cluster": false, "db": "sales", "collection": "orders" }] }]),
        ),
        (
            "opsCleanup",
            json!([{ "action": "DROP_COLLECTION", "resources": [{ "cluster": false, "db": "scratch", "collection": "" }] }, { "action": "REMOVE", "resources": [{ "cluster": false, "db": "scratch", "collection": "" }] }]),
        ),
    ];
    for (name, actions) in roles {
        w.custom_roles.insert(
            (projects[0].clone(), name.to_owned()),
            CustomRole {
                group_id: projects[0].clone(),
                role_name: name.to_owned(),
                actions,
                inherited_roles: json!([{ "db": "admin", "role": "read" }]),
            },
        );
    }
    let mut analyst = db_user(
        &projects[0],
        "admin",
        "orders-analyst".to_owned(),
        vec![role("ordersReader", "admin")],
    );
    analyst.labels = owner("nobody@northwind.example");
    w.db_users.insert(
        (
            projects[0].clone(),
            "admin".to_owned(),
            "orders-analyst".to_owned(),
        ),
        analyst,
    );
}

fn add_machines(
    w: &mut World,
    org_id: &str,
    projects: &[String],
    anchor: DateTime<Utc>,
) -> DemoCredentials {
    let mut first_key = None;
    for (desc, org_roles, group) in [
        ("legacy-terraform", "ORG_OWNER", None),
        ("ci-deploy", "ORG_MEMBER", Some((0, "GROUP_OWNER"))),
        ("grafana-monitoring", "ORG_READ_ONLY", None),
    ] {
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
        let group_roles = group
            .map(|(p, r): (usize, &str)| (projects[p].clone(), vec![r.to_owned()]))
            .into_iter()
            .collect();
        first_key.get_or_insert((public_key.clone(), private_key.clone()));
        w.api_keys.insert(
            id.clone(),
            ApiKey {
                id,
                org_id: org_id.to_owned(),
                public_key,
                private_key,
                desc: desc.to_owned(),
                org_roles: vec![org_roles.to_owned()],
                group_roles,
            },
        );
    }
    let mut attest = None;
    for (name, org_role, group) in [
        ("attest", "ORG_OWNER", None),
        (
            "github-actions",
            "ORG_MEMBER",
            Some((1, "GROUP_CLUSTER_MANAGER")),
        ),
        (
            "backup-bot",
            "ORG_MEMBER",
            Some((0, "GROUP_BACKUP_MANAGER")),
        ),
    ] {
        let client_id = format!("mdb_sa_id_{}", w.random_hex(24));
        let secret = Secret {
            id: w.next_id(),
            value: format!("mdb_sa_sk_{}", w.random_hex(40)),
            created_at: anchor - Duration::days(30),
            expires_at: anchor + Duration::days(335),
            last_used_at: None,
        };
        attest.get_or_insert((client_id.clone(), secret.value.clone()));
        let group_roles = group
            .map(|(p, r): (usize, &str)| (projects[p].clone(), vec![r.to_owned()]))
            .into_iter()
            .collect();
        w.service_accounts.insert(
            client_id.clone(),
            ServiceAccount {
                client_id,
                org_id: org_id.to_owned(),
                name: name.to_owned(),
                description: format!("{name} automation"),
                created_at: anchor - Duration::days(30),
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

fn add_federation(w: &mut World, org_id: &str, projects: &[String]) {
    let id = w.next_id();
    let admins = RoleMapping {
        id: w.next_id(),
        external_group_name: "atlas-admins".to_owned(),
        role_assignments: json!([{ "orgId": org_id, "role": "ORG_OWNER" }]),
    };
    let payments = RoleMapping {
        id: w.next_id(),
        external_group_name: "payments-devs".to_owned(),
        role_assignments: json!([{ "orgId": org_id, "role": "ORG_MEMBER" }, { "groupId": projects[0], "role": "GROUP_DATA_ACCESS_READ_WRITE" }]),
    };
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
            role_mappings: vec![admins, payments],
        },
    );
}

fn add_access_logs(w: &mut World, anchor: DateTime<Utc>) {
    let users: Vec<DbUser> = w.db_users.values().cloned().collect();
    for u in users {
        let Some(project) = w.projects.get(&u.group_id).cloned() else {
            continue;
        };
        let logs = access_logs_of(w.rng(), &u, &project, anchor);
        w.access_logs.extend(logs);
    }
}

/// Three sign-ins of `u` to the clusters of `project` within the month before `anchor`, one in
/// ten of them failed.
pub(super) fn access_logs_of(
    rng: &mut impl Rng,
    u: &DbUser,
    project: &Project,
    anchor: DateTime<Utc>,
) -> Vec<AccessLog> {
    let mut logs = Vec::new();
    for k in 0..3 {
        let cluster = &project.clusters[k % project.clusters.len()];
        let hours = rng.gen_range(1..24 * 30);
        let ok = rng.gen_range(0..10) > 0;
        let ip = format!(
            "10.{}.{}.{}",
            rng.gen_range(0..255),
            rng.gen_range(0..255),
            rng.gen_range(1..255)
        );
        logs.push(AccessLog {
            group_id: u.group_id.clone(),
            cluster_name: cluster.clone(),
            hostname: format!("{cluster}-shard-00-00.{}.mongodb.net", project.name),
            username: u.username.clone(),
            auth_source: u.database_name.clone(),
            auth_result: ok,
            ip_address: ip,
            at: anchor - Duration::hours(hours),
        });
    }
    logs
}

pub(super) fn add_history(w: &mut World, org_id: &str, anchor: DateTime<Utc>) {
    let joined: Vec<(DateTime<Utc>, String, String)> = w
        .users
        .values()
        .filter(|u| u.membership == Membership::Active)
        .map(|u| (u.created_at, u.id.clone(), u.username.clone()))
        .collect();
    record_joins(w, org_id, anchor, joined);
}

/// Appends a `JOINED_ORG` event for each `(when, user id, username)`, oldest first.
pub(super) fn record_joins(
    w: &mut World,
    org_id: &str,
    anchor: DateTime<Utc>,
    mut joined: Vec<(DateTime<Utc>, String, String)>,
) {
    joined.sort();
    for (at, user_id, username) in joined {
        let id = w.next_id();
        let mut target = Map::new();
        target.insert("targetUsername".to_owned(), Value::from(username.clone()));
        w.events.push(Event {
            id,
            created: at.min(anchor),
            event_type: "JOINED_ORG".to_owned(),
            org_id: org_id.to_owned(),
            group_id: None,
            actor: Some(Actor::User {
                id: user_id,
                username,
            }),
            target,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anchor() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0)
            .single()
            .unwrap_or_default()
    }

    /// One line per record of `demo`: kind, key, name and a digest of the whole record, so a
    /// changed field anywhere shows up as a missing line naming the record it belongs to.
    fn fingerprint(demo: &DemoOrg) -> BTreeSet<String> {
        use sha2::{Digest, Sha256};
        fn line(kind: &str, key: &str, name: &str, record: &impl std::fmt::Debug) -> String {
            let digest = hex::encode(Sha256::digest(format!("{record:?}")));
            format!("{kind}\t{key}\t{name}\t{}", &digest[..16])
        }
        let w = &demo.world;
        let mut lines = BTreeSet::new();
        lines.insert(line("credentials", "", "", &demo.credentials));
        for o in w.orgs.values() {
            lines.insert(line("org", &o.id, &o.name, o));
        }
        for p in w.projects.values() {
            lines.insert(line("project", &p.id, &p.name, p));
        }
        for (i, p) in demo.people.iter().enumerate() {
            lines.insert(line("person", &format!("{i:03}"), &p.email, p));
        }
        for u in w.users.values() {
            lines.insert(line("user", &u.id, &u.username, u));
        }
        for t in w.teams.values() {
            lines.insert(line("team", &t.id, &t.name, t));
        }
        for ((group, db, name), u) in &w.db_users {
            // The temporary user's expiry follows the real clock, not the anchor.
            let mut u = u.clone();
            u.delete_after_date = None;
            lines.insert(line("db_user", &format!("{group}/{db}"), name, &u));
        }
        for ((group, name), r) in &w.custom_roles {
            lines.insert(line("custom_role", group, name, r));
        }
        for k in w.api_keys.values() {
            lines.insert(line("api_key", &k.id, &k.desc, k));
        }
        for a in w.service_accounts.values() {
            lines.insert(line("service_account", &a.client_id, &a.name, a));
        }
        for f in w.federations.values() {
            lines.insert(line("federation", &f.id, "", f));
        }
        for (i, l) in w.access_logs.iter().enumerate() {
            lines.insert(line("access_log", &format!("{i:04}"), &l.username, l));
        }
        for e in &w.events {
            lines.insert(line("event", &e.id, &e.event_type, e));
        }
        lines
    }

    /// The seed-7 demo org as it was before the second generation pass was added, one
    /// [`fingerprint`] line per record. Everything in it must stay exactly as it is: browser
    /// and server tests rely on specific demo people, roles and reviewers.
    const DEMO_7_FINGERPRINT: &str = include_str!("demo_fingerprint.txt");

    #[test]
    fn the_original_demo_org_is_unchanged() {
        let mut demo = DemoOrg::build_at(7, anchor());
        let mut now = fingerprint(&demo);
        // The world's own generator must be where it was, so whatever the simulator draws at
        // run time (new secrets, new keys) comes out as before.
        let draw: u64 = demo.world.rng().r#gen();
        now.insert(format!("rng\t{draw:016x}"));
        let missing: Vec<&str> = DEMO_7_FINGERPRINT
            .lines()
            .filter(|l| !now.contains(*l))
            .collect();
        assert!(
            missing.is_empty(),
            "changed or gone since the fingerprint was taken:\n{}",
            missing.join("\n")
        );
    }

    #[test]
    fn same_seed_same_org() {
        let a = DemoOrg::build_at(42, anchor());
        let b = DemoOrg::build_at(42, anchor());
        assert_eq!(a.credentials, b.credentials);
        assert_eq!(a.people, b.people);
        assert_eq!(
            a.world.db_users.keys().collect::<Vec<_>>(),
            b.world.db_users.keys().collect::<Vec<_>>()
        );
        assert_ne!(a.credentials, DemoOrg::build_at(43, anchor()).credentials);
    }

    #[test]
    fn demo_org_has_what_reviews_need() {
        let demo = DemoOrg::build_at(1, anchor());
        let w = &demo.world;
        assert_eq!(demo.people.len(), PEOPLE + growth::PEOPLE);
        assert!(demo.people.iter().any(|p| p.first_name == "@SUM(1)"));
        assert!(
            w.db_users
                .values()
                .any(|u| u.username == "=HYPERLINK(\"http://x\")")
        );
        assert!(
            w.db_users.values().any(|u| u.labels.is_empty()),
            "orphan database users"
        );
        for auth in ["x509", "aws", "ldap", "oidc"] {
            let found = w.db_users.values().any(|u| match auth {
                "x509" => u.x509_type != "NONE",
                "aws" => u.aws_iam_type != "NONE",
                "ldap" => u.ldap_auth_type != "NONE",
                _ => u.oidc_auth_type != "NONE",
            });
            assert!(found, "{auth} database user");
        }
        let leavers_with_access = demo
            .people
            .iter()
            .filter(|p| p.leaver && p.atlas_user_id.is_some())
            .count();
        assert!(leavers_with_access >= 2);
        let statuses: BTreeSet<_> = w
            .users
            .values()
            .map(|u| crate::atlas_sim::views::status(u, anchor()))
            .collect();
        assert!(
            statuses.contains("PENDING")
                && statuses.contains("INVITATION_EXPIRED")
                && statuses.contains("ACTIVE")
        );
    }
}
