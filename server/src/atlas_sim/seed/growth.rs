//! The demo org's second generation pass: the Security and Mobile departments, which joined
//! Northwind Cloud in the last eight weeks, with their six projects, Atlas users, teams,
//! database users, access history and join events.
//!
//! It runs after the first pass (`build.rs`) and draws from a generator of its own, so every
//! record, id, secret and random draw of the first pass stays exactly what it was; only the id
//! counter carries on from where the first pass stopped (so ids the simulator hands out at run
//! time come later than they used to). It touches no first-pass record: the
//! new people hold roles on the new projects only, the new teams sit on the new projects, and
//! the new database users are owned by new people (or by nobody). The department heads report
//! to the CTO, and no new manager has more than four direct reports, so the first pass's
//! busiest manager (the demo reviewer) stays the busiest.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use super::build::{DOMAIN, DemoPerson, access_logs_of, db_user, owner, record_joins, role};
use super::names::{COUNTRIES, LAST_NAMES, MORE_DEPARTMENTS, MORE_FIRST_NAMES, MORE_PROJECTS};
use crate::atlas_sim::model::{DbRole, DbScope, DbUser, Membership, OrgUser, Project, Team};
use crate::atlas_sim::world::World;

/// Added to the seed for this pass's generator, so it never replays the first pass's draws.
const STREAM: u64 = 0x5ec0_0d0a_7e57;

/// People per new department: a head, [`LEADS`] team leads and fifteen engineers.
const PER_DEPARTMENT: usize = 20;
const LEADS: usize = 4;

/// People this pass adds to the roster.
pub(super) const PEOPLE: usize = PER_DEPARTMENT * MORE_DEPARTMENTS.len();

/// Positions (department, place in it) of the people with a special standing.
const LEAVERS: [(usize, usize); 2] = [(0, 11), (1, 6)];
const ON_NOTICE: (usize, usize) = (1, 8);
const CONTRACTOR: (usize, usize) = (0, 19);
const NO_ACCOUNT: (usize, usize) = (0, 7);
const PENDING: [(usize, usize); 2] = [(0, 18), (1, 19)];

/// Appends the second pass to `w`. `people` is the first pass's roster, whose first entry is
/// the CTO; the new people are pushed after it.
pub(super) fn grow(
    w: &mut World,
    seed: u64,
    org_id: &str,
    people: &mut Vec<DemoPerson>,
    anchor: DateTime<Utc>,
) {
    let mut rng = StdRng::seed_from_u64(seed.wrapping_add(STREAM));
    let projects = add_projects(w, org_id, anchor);
    let first_new = people.len();
    add_people(&mut rng, people, anchor);
    let joined = add_users(
        w,
        &mut rng,
        org_id,
        &projects,
        &mut people[first_new..],
        anchor,
    );
    add_teams(w, org_id, &projects, &people[first_new..]);
    let added = add_db_users(w, &mut rng, &projects, &people[first_new..], anchor);
    for u in &added {
        if let Some(project) = w.projects.get(&u.group_id).cloned() {
            let logs = access_logs_of(&mut rng, u, &project, anchor);
            w.access_logs.extend(logs);
        }
    }
    record_joins(w, org_id, anchor, joined);
}

fn add_projects(w: &mut World, org_id: &str, anchor: DateTime<Utc>) -> Vec<String> {
    let mut ids = Vec::new();
    for (i, (name, clusters)) in MORE_PROJECTS.iter().enumerate() {
        let id = w.next_id();
        w.projects.insert(
            id.clone(),
            Project {
                id: id.clone(),
                org_id: org_id.to_owned(),
                name: (*name).to_owned(),
                created: anchor - Duration::days(58 - 2 * i as i64),
                clusters: clusters.iter().map(|c| (*c).to_owned()).collect(),
                teams: Default::default(),
                db_users_changed_at: None,
            },
        );
        ids.push(id);
    }
    ids
}

/// Where newcomer `n` stands: its department and its place in it (0 is the head).
fn position(n: usize) -> (usize, usize) {
    (n / PER_DEPARTMENT, n % PER_DEPARTMENT)
}

fn add_people(rng: &mut StdRng, people: &mut Vec<DemoPerson>, anchor: DateTime<Utc>) {
    let cto = people.first().map(|p| p.email.clone());
    let mut firsts: Vec<&str> = MORE_FIRST_NAMES.to_vec();
    firsts.shuffle(rng);
    for n in 0..PEOPLE {
        let (d, k) = position(n);
        let head = people.len() - k;
        let first = firsts[n % firsts.len()];
        let last = LAST_NAMES[rng.gen_range(0..LAST_NAMES.len())];
        // The head reports to the CTO, the leads to the head, and the engineers to the leads
        // in turn (four, four, four and three each).
        let manager = match k {
            0 => cto.clone(),
            1..=LEADS => Some(people[head].email.clone()),
            _ => Some(people[head + 1 + (k - LEADS - 1) % LEADS].email.clone()),
        };
        let leaver = LEAVERS.contains(&(d, k));
        let end_date = if leaver {
            Some((anchor - Duration::days(4 + 8 * d as i64)).date_naive())
        } else if (d, k) == ON_NOTICE {
            Some((anchor + Duration::days(21)).date_naive())
        } else {
            None
        };
        people.push(DemoPerson {
            email: format!("{}.{}@{DOMAIN}", first.to_lowercase(), last.to_lowercase()),
            first_name: first.to_owned(),
            last_name: last.to_owned(),
            department: MORE_DEPARTMENTS[d].0.to_owned(),
            manager,
            leaver,
            end_date,
            contractor: (d, k) == CONTRACTOR,
            atlas_user_id: None,
        });
    }
}

/// Creates the newcomers' Atlas users plus two agency accounts no roster lists, and returns
/// who joined the org when, for the event history.
fn add_users(
    w: &mut World,
    rng: &mut StdRng,
    org_id: &str,
    projects: &[String],
    newcomers: &mut [DemoPerson],
    anchor: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, String, String)> {
    let mut joined = Vec::new();
    for (n, person) in newcomers.iter_mut().enumerate() {
        let (d, k) = position(n);
        if (d, k) == NO_ACCOUNT {
            continue;
        }
        let id = w.next_id();
        let homes = MORE_DEPARTMENTS[d].1.map(|p| projects[p].clone());
        let membership = if PENDING.contains(&(d, k)) {
            Membership::Pending
        } else {
            Membership::Active
        };
        let active = membership == Membership::Active;
        // Joined between eight weeks and a week ago, after everyone of the first pass, so the
        // org's join events stay in date order.
        let created = anchor - Duration::hours(24 * 56 - 30 * n as i64);
        let last_auth = match person.end_date.filter(|_| person.leaver) {
            Some(end) => end
                .and_hms_opt(17, 0, 0)
                .map(|t| t.and_utc())
                .unwrap_or(created),
            None => anchor - Duration::hours(rng.gen_range(1..72)),
        };
        let mut group_roles = BTreeMap::new();
        match k {
            0 => {
                group_roles.insert(homes[0].clone(), vec!["GROUP_OWNER".to_owned()]);
                for home in &homes[1..] {
                    group_roles.insert(home.clone(), vec!["GROUP_READ_ONLY".to_owned()]);
                }
            }
            1..=LEADS => {
                group_roles.insert(
                    homes[(k - 1) % 3].clone(),
                    vec!["GROUP_CLUSTER_MANAGER".to_owned()],
                );
                group_roles.insert(
                    homes[k % 3].clone(),
                    vec!["GROUP_DATA_ACCESS_READ_ONLY".to_owned()],
                );
            }
            _ => {
                let role = [
                    "GROUP_READ_ONLY",
                    "GROUP_DATA_ACCESS_READ_WRITE",
                    "GROUP_DATA_ACCESS_READ_ONLY",
                    "GROUP_DATA_ACCESS_ADMIN",
                    "GROUP_SEARCH_INDEX_EDITOR",
                ][rng.gen_range(0..5)];
                group_roles.insert(homes[k % 3].clone(), vec![role.to_owned()]);
                if rng.gen_range(0..4) == 0 {
                    group_roles.insert(
                        homes[(k + 1) % 3].clone(),
                        vec!["GROUP_READ_ONLY".to_owned()],
                    );
                }
            }
        }
        let org_roles = match (d, k) {
            (0, 0) => vec!["ORG_READ_ONLY".to_owned()],
            (1, 0) => vec!["ORG_GROUP_CREATOR".to_owned(), "ORG_MEMBER".to_owned()],
            _ => vec!["ORG_MEMBER".to_owned()],
        };
        let invited = anchor - Duration::days(4);
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
                country: COUNTRIES[rng.gen_range(0..COUNTRIES.len())].to_owned(),
                mobile_number: (rng.gen_range(0..3) == 0)
                    .then(|| format!("+4917{:08}", rng.gen_range(10_000_000..100_000_000))),
                created_at: created,
                last_auth: active.then_some(last_auth),
                membership,
                invitation_created_at: (!active).then_some(invited),
                invitation_expires_at: (!active).then_some(invited + Duration::days(30)),
                inviter_username: (!active).then(|| format!("admin@{DOMAIN}")),
                org_roles,
                group_roles,
                team_ids: BTreeSet::new(),
            },
        );
        if active {
            joined.push((created, id.clone(), person.email.clone()));
        }
        person.atlas_user_id = Some(id);
    }
    // Outside agencies working for the new departments: nobody's directory lists them.
    for (username, first, last, project, role) in [
        (
            "pentest@redteam.example",
            "Robin",
            "Pentester",
            1,
            "GROUP_READ_ONLY",
        ),
        (
            "dev@appstudio.example",
            "Alex",
            "Studio",
            4,
            "GROUP_DATA_ACCESS_READ_WRITE",
        ),
    ] {
        let id = w.next_id();
        let created = anchor - Duration::days(5);
        w.users.insert(
            id.clone(),
            OrgUser {
                id: id.clone(),
                org_id: org_id.to_owned(),
                username: username.to_owned(),
                first_name: first.to_owned(),
                last_name: last.to_owned(),
                country: "GB".to_owned(),
                mobile_number: None,
                created_at: created,
                last_auth: Some(anchor - Duration::hours(rng.gen_range(1..48))),
                membership: Membership::Active,
                invitation_created_at: None,
                invitation_expires_at: None,
                inviter_username: None,
                org_roles: vec!["ORG_MEMBER".to_owned()],
                group_roles: [(projects[project].clone(), vec![role.to_owned()])]
                    .into_iter()
                    .collect(),
                team_ids: BTreeSet::new(),
            },
        );
        joined.push((created, id, username.to_owned()));
    }
    joined
}

fn add_teams(w: &mut World, org_id: &str, projects: &[String], newcomers: &[DemoPerson]) {
    // Members by place in their department; the Security team keeps its leaver (place 11).
    let plan: [(&str, usize, &[usize], usize, &str); 2] = [
        (
            "security-responders",
            0,
            &[5, 9, 11, 13],
            1,
            "GROUP_READ_ONLY",
        ),
        (
            "mobile-devs",
            1,
            &[5, 7, 10, 12, 15],
            3,
            "GROUP_DATA_ACCESS_READ_WRITE",
        ),
    ];
    for (name, department, members, project, role) in plan {
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
            if let Some(user) = newcomers[department * PER_DEPARTMENT + m]
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

/// Adds the new projects' database users and returns them, for their access history.
fn add_db_users(
    w: &mut World,
    rng: &mut StdRng,
    projects: &[String],
    newcomers: &[DemoPerson],
    anchor: DateTime<Utc>,
) -> Vec<DbUser> {
    let mut users = Vec::new();
    for (pi, group) in projects.iter().enumerate() {
        let (name, clusters) = MORE_PROJECTS[pi];
        let d = MORE_DEPARTMENTS
            .iter()
            .position(|(_, homes, _)| homes.contains(&pi))
            .unwrap_or_default();
        let department = &newcomers[d * PER_DEPARTMENT..(d + 1) * PER_DEPARTMENT];
        let leaver = department.iter().find(|p| p.leaver);
        let apps = MORE_DEPARTMENTS[d].2;
        for (ai, app) in apps.iter().enumerate() {
            let mut u = db_user(
                group,
                "admin",
                format!("{app}-{name}"),
                vec![role(
                    if rng.gen_bool(0.4) {
                        "readWrite"
                    } else {
                        "read"
                    },
                    "app",
                )],
            );
            // One orphan and one leaver's user per project; the rest belong to someone in the
            // department that runs the project.
            let orphan = ai == (pi * 3) % apps.len();
            let left_behind = ai == (pi * 3 + 5) % apps.len();
            if left_behind && let Some(leaver) = leaver {
                u.labels = owner(&leaver.email);
            } else if !orphan {
                let someone = &department[rng.gen_range(0..department.len())];
                u.labels = owner(&someone.email);
            }
            if rng.gen_bool(0.3) {
                u.scopes = vec![DbScope {
                    name: clusters[0].to_owned(),
                    kind: "CLUSTER".to_owned(),
                }];
            }
            users.push(u);
        }
        // Three engineers with their own logins, by place in the department.
        let slot = MORE_DEPARTMENTS[d]
            .1
            .iter()
            .position(|&p| p == pi)
            .unwrap_or(0);
        for j in 0..3 {
            let person = &department[5 + slot * 5 + j];
            let mut human = db_user(
                group,
                "admin",
                person.email.split('@').next().unwrap_or("dev").to_owned(),
                vec![role(
                    if j == 0 {
                        "readWriteAnyDatabase"
                    } else {
                        "readAnyDatabase"
                    },
                    "admin",
                )],
            );
            human.labels = owner(&person.email);
            users.push(human);
        }
        let mut x509 = db_user(
            group,
            "$external",
            format!("CN={name}-svc,OU=Services,O=Northwind Cloud"),
            vec![role("readWrite", "app")],
        );
        x509.x509_type = "CUSTOMER".to_owned();
        users.push(x509);
        let mut iam = db_user(
            group,
            "$external",
            format!("arn:aws:iam::123456789012:role/{name}-worker"),
            vec![role("readWrite", "jobs")],
        );
        iam.aws_iam_type = "ROLE".to_owned();
        iam.labels = owner(&department[0].email);
        users.push(iam);
        let mut ldap = db_user(
            group,
            "$external",
            format!("CN={name}-admins,OU=Groups,DC=northwind,DC=example"),
            vec![role("dbAdminAnyDatabase", "admin")],
        );
        ldap.ldap_auth_type = "GROUP".to_owned();
        users.push(ldap);
        let mut oidc = db_user(
            group,
            "admin",
            format!("0oa9z8y7x6w5v4u3t2s1/{name}-readers"),
            vec![role("readAnyDatabase", "admin")],
        );
        oidc.oidc_auth_type = "IDP_GROUP".to_owned();
        users.push(oidc);
    }
    let mut temp = db_user(
        &projects[4],
        "admin",
        "temp-crash-triage".to_owned(),
        vec![DbRole {
            role_name: "read".to_owned(),
            database_name: "app".to_owned(),
            collection_name: Some("crashes".to_owned()),
        }],
    );
    temp.labels = owner(&newcomers[PER_DEPARTMENT + 1].email);
    temp.delete_after_date = Some(anchor + Duration::days(3));
    users.push(temp);
    for u in &users {
        w.db_users.insert(
            (
                u.group_id.clone(),
                u.database_name.clone(),
                u.username.clone(),
            ),
            u.clone(),
        );
    }
    users
}

#[cfg(test)]
mod tests {
    use super::super::build::DemoOrg;
    use super::*;
    use chrono::TimeZone;

    const FIRST_PASS_PEOPLE: usize = 40;

    /// Database users the pass adds: per project ten application users, three people, an
    /// X.509 service, an AWS IAM role, an LDAP group and an OIDC group; plus one temporary
    /// export.
    const DATABASE_USERS: usize = MORE_PROJECTS.len() * (10 + 3 + 4) + 1;

    fn anchor() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0)
            .single()
            .unwrap_or_default()
    }

    fn reports(people: &[DemoPerson], email: &str) -> usize {
        people
            .iter()
            .filter(|p| p.manager.as_deref() == Some(email))
            .count()
    }

    #[test]
    fn the_demo_org_has_its_specified_size() {
        for seed in [1, 5, 7, 11, 42] {
            let demo = DemoOrg::build_at(seed, anchor());
            let w = &demo.world;
            assert_eq!(w.projects.len(), 12, "seed {seed}");
            assert_eq!(demo.people.len(), 80, "seed {seed}");
            assert_eq!(w.users.len(), 78, "seed {seed}");
            assert_eq!(w.db_users.len(), 150, "seed {seed}");
            let emails: BTreeSet<&str> = demo.people.iter().map(|p| p.email.as_str()).collect();
            assert_eq!(
                emails.len(),
                demo.people.len(),
                "unique emails, seed {seed}"
            );
            let usernames: BTreeSet<&str> = w.users.values().map(|u| u.username.as_str()).collect();
            assert_eq!(
                usernames.len(),
                w.users.len(),
                "unique usernames, seed {seed}"
            );
        }
    }

    #[test]
    fn new_managers_stay_below_the_busiest_first_pass_manager() {
        for seed in [1, 5, 7, 11, 42] {
            let demo = DemoOrg::build_at(seed, anchor());
            let (first, new) = demo.people.split_at(FIRST_PASS_PEOPLE);
            let busiest = first[1..]
                .iter()
                .map(|p| reports(first, &p.email))
                .max()
                .unwrap_or_default();
            for p in new {
                assert!(
                    reports(&demo.people, &p.email) < busiest,
                    "{} manages too many, seed {seed}",
                    p.email
                );
                let manager = p.manager.as_deref().expect("everyone new has a manager");
                assert!(
                    demo.people.iter().any(|q| q.email == manager),
                    "{manager} is in the roster"
                );
            }
            // Nobody of the first pass but the CTO gains a report.
            for p in &first[1..] {
                assert_eq!(reports(&demo.people, &p.email), reports(first, &p.email));
            }
            let heads: Vec<_> = new
                .iter()
                .filter(|p| p.manager.as_deref() == Some(first[0].email.as_str()))
                .map(|p| p.department.as_str())
                .collect();
            assert_eq!(heads, ["Security", "Mobile"], "seed {seed}");
        }
    }

    #[test]
    fn new_records_belong_to_new_people_and_projects() {
        let demo = DemoOrg::build_at(7, anchor());
        let w = &demo.world;
        let (first, new) = demo.people.split_at(FIRST_PASS_PEOPLE);
        let new_projects: BTreeSet<&str> = w
            .projects
            .values()
            .filter(|p| MORE_PROJECTS.iter().any(|(name, _)| *name == p.name))
            .map(|p| p.id.as_str())
            .collect();
        assert_eq!(new_projects.len(), MORE_PROJECTS.len());
        let new_db_users: Vec<&DbUser> = w
            .db_users
            .values()
            .filter(|u| new_projects.contains(u.group_id.as_str()))
            .collect();
        assert_eq!(new_db_users.len(), DATABASE_USERS);
        for u in &new_db_users {
            for label in &u.labels {
                assert!(
                    new.iter().any(|p| p.email == label.value),
                    "{} is owned by {}, not a newcomer",
                    u.username,
                    label.value
                );
            }
        }
        let orphans = new_db_users.iter().filter(|u| u.labels.is_empty()).count();
        assert!(orphans >= 6, "{orphans} orphans");
        for (kind, found) in [
            ("x509", new_db_users.iter().any(|u| u.x509_type != "NONE")),
            ("aws", new_db_users.iter().any(|u| u.aws_iam_type != "NONE")),
            (
                "ldap",
                new_db_users.iter().any(|u| u.ldap_auth_type != "NONE"),
            ),
            (
                "oidc",
                new_db_users.iter().any(|u| u.oidc_auth_type != "NONE"),
            ),
            (
                "scram",
                new_db_users.iter().any(|u| {
                    [
                        &u.x509_type,
                        &u.aws_iam_type,
                        &u.ldap_auth_type,
                        &u.oidc_auth_type,
                    ]
                    .iter()
                    .all(|t| *t == "NONE")
                }),
            ),
        ] {
            assert!(found, "a new {kind} database user");
        }
        // Leavers of the second pass still hold Atlas and database access.
        for leaver in new.iter().filter(|p| p.leaver) {
            let id = leaver.atlas_user_id.as_deref().expect("an Atlas account");
            assert!(
                !w.users[id].group_roles.is_empty(),
                "{} holds roles",
                leaver.email
            );
            assert!(
                new_db_users
                    .iter()
                    .any(|u| u.labels.iter().any(|l| l.value == leaver.email)),
                "{} owns a database user",
                leaver.email
            );
        }
        // First-pass people hold nothing new.
        for p in first {
            if let Some(user) = p.atlas_user_id.as_deref().map(|id| &w.users[id]) {
                assert!(
                    user.group_roles
                        .keys()
                        .all(|g| !new_projects.contains(g.as_str())),
                    "{} gained a new project",
                    p.email
                );
            }
        }
        // Every new database user has its access history.
        for u in &new_db_users {
            assert!(
                w.access_logs
                    .iter()
                    .any(|l| l.username == u.username && l.group_id == u.group_id)
            );
        }
    }

    #[test]
    fn join_events_stay_in_date_order() {
        let demo = DemoOrg::build_at(7, anchor());
        let joins: Vec<_> = demo
            .world
            .events
            .iter()
            .filter(|e| e.event_type == "JOINED_ORG")
            .map(|e| e.created)
            .collect();
        assert_eq!(
            joins.len(),
            demo.world
                .users
                .values()
                .filter(|u| u.membership == Membership::Active)
                .count()
        );
        assert!(joins.windows(2).all(|w| w[0] <= w[1]), "{joins:?}");
    }
}
