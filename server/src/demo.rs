//! Demo mode's world: the Atlas simulator serving the seeded "Northwind Cloud" org in-process,
//! and a people directory imported from the same company's roster, so a newcomer sees
//! realistic data without connecting anything.

use std::fmt::Write as _;

use anyhow::Context;
use app::backend::atlas::{AtlasClient, AtlasConfig, Credentials};
use app::backend::audit::Actor;
use app::backend::directory::{ImportOutcome, import_roster};
use sqlx::PgPool;

use crate::atlas_sim::seed::{DemoOrg, DemoPerson};
use crate::atlas_sim::{SimServer, SimState, spawn};
use crate::snapshots::source::AtlasSource;

/// Seed of the demo org; fixed so every demo shows the same company.
pub const DEMO_SEED: u64 = 7;

/// The running demo world.
#[derive(Debug)]
pub struct DemoEnvironment {
    pub simulator: SimServer,
    pub org_id: String,
    pub client_id: String,
    pub client_secret: String,
    /// The person "Act as a reviewer" signs in as: the manager with the most direct reports.
    pub reviewer: Option<DemoPerson>,
}

/// Starts the simulator on a free loopback port and imports the demo roster when the directory
/// is still empty (a restart keeps whatever the demo user changed).
pub async fn start(pool: &PgPool) -> anyhow::Result<DemoEnvironment> {
    let demo = DemoOrg::build(DEMO_SEED);
    let people = demo.people.clone();
    let credentials = demo.credentials.clone();
    let simulator = spawn(SimState::new(demo.world), "127.0.0.1:0")
        .await
        .context("cannot start the demo Atlas simulator")?;
    let (directory_people,): (i64,) = sqlx::query_as("SELECT count(*) FROM person")
        .fetch_one(pool)
        .await
        .context("cannot read the people directory")?;
    if directory_people == 0 {
        let roster = roster_csv(&people);
        match import_roster(
            pool,
            Actor::System("demo"),
            "northwind-roster.csv",
            roster.as_bytes(),
        )
        .await
        .context("cannot import the demo roster")?
        {
            ImportOutcome::Imported(summary) => {
                tracing::info!(people = summary.people, "demo roster imported");
            }
            ImportOutcome::Rejected(errors) => {
                anyhow::bail!("the demo roster was rejected: {}", errors[0]);
            }
        }
    }
    tracing::info!(sim.addr = %simulator.addr, atlas.org_id = %credentials.org_id, "demo Atlas simulator running");
    Ok(DemoEnvironment {
        simulator,
        org_id: credentials.org_id,
        client_id: credentials.client_id,
        client_secret: credentials.client_secret,
        reviewer: busiest_manager(&people).cloned(),
    })
}

impl DemoEnvironment {
    /// The simulated org as the Atlas connection snapshots are taken through.
    pub fn atlas_source(&self) -> anyhow::Result<AtlasSource> {
        let config = AtlasConfig::new(Credentials::ServiceAccount {
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone().into(),
        })
        .with_base_url(self.simulator.base_url());
        let client = AtlasClient::new(config).context("cannot configure the demo Atlas client")?;
        Ok(AtlasSource {
            client,
            credential_id: self.client_id.clone(),
            org_ids: vec![self.org_id.clone()],
        })
    }
}

/// A seeded company's roster as CSV, in the documented column layout. Contractors carry the
/// title `Contractor`; leavers and people on notice carry their end date.
pub fn roster_csv(people: &[DemoPerson]) -> String {
    let mut csv =
        String::from("email,name,manager email,department,title,employment status,end date\n");
    for person in people {
        let _ = writeln!(
            csv,
            "{},{},{},{},{},{},{}",
            quote(&person.email),
            quote(&format!("{} {}", person.first_name, person.last_name)),
            quote(person.manager.as_deref().unwrap_or("")),
            quote(&person.department),
            if person.contractor { "Contractor" } else { "" },
            if person.leaver { "leaver" } else { "active" },
            person
                .end_date
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
        );
    }
    csv
}

/// Quotes a CSV field when it needs it. The demo company has a person named `@SUM(1)`;
/// quoting keeps such names intact on the way in (neutralising them is the exports' job).
fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

fn busiest_manager(people: &[DemoPerson]) -> Option<&DemoPerson> {
    people
        .iter()
        .filter(|p| p.manager.is_some() && !p.leaver)
        .max_by_key(|p| {
            let reports = people
                .iter()
                .filter(|q| q.manager.as_deref() == Some(&p.email))
                .count();
            // Ties go to the earliest person, so the choice is stable.
            (reports, std::cmp::Reverse(p.email.clone()))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::backend::directory::parse_roster;

    #[test]
    fn the_demo_roster_is_a_valid_roster_of_every_demo_person() {
        let demo = DemoOrg::build(DEMO_SEED);
        let parsed = parse_roster(roster_csv(&demo.people).as_bytes()).expect("valid roster");
        assert_eq!(parsed.len(), demo.people.len());
        assert_eq!(
            parsed.len(),
            80,
            "the original forty and the newer departments"
        );
        assert_eq!(
            parsed
                .iter()
                .filter(|p| p.status.as_str() == "leaver")
                .count(),
            5
        );
        let roster = roster_csv(&demo.people);
        assert!(roster.contains(",Security,") && roster.contains(",Mobile,"));
    }

    #[test]
    fn the_large_roster_is_a_valid_roster_with_leavers_and_contractors() {
        let large = crate::atlas_sim::seed::OrgSize::Large.build(DEMO_SEED);
        let parsed = parse_roster(roster_csv(&large.people).as_bytes()).expect("valid roster");
        assert_eq!(parsed.len(), large.people.len());
        assert!(parsed.iter().any(|p| p.status.as_str() == "leaver"));
        assert!(roster_csv(&large.people).contains(",Contractor,"));
    }

    #[test]
    fn the_demo_reviewer_is_the_original_companys_busiest_manager() {
        for seed in [1, 5, DEMO_SEED, 11, 42] {
            let demo = DemoOrg::build(seed);
            let original = &demo.people[..40];
            assert_eq!(
                busiest_manager(&demo.people).map(|p| &p.email),
                busiest_manager(original).map(|p| &p.email),
                "seed {seed}"
            );
        }
    }

    /// The browser tests walk through these people; the demo must keep them as they are.
    #[test]
    fn the_people_the_browser_tests_rely_on_are_in_place() {
        let demo = DemoOrg::build(DEMO_SEED);
        let w = &demo.world;
        let person = |email: &str| {
            demo.people
                .iter()
                .find(|p| p.email == email)
                .unwrap_or_else(|| panic!("{email} is in the demo"))
        };
        let elif = person("elif.weber@northwind.example");
        assert_eq!(busiest_manager(&demo.people), Some(elif));
        let ilja = person("ilja.varga@northwind.example");
        assert_eq!(ilja.manager.as_deref(), Some(elif.email.as_str()));
        let staging = w
            .projects
            .values()
            .find(|p| p.name == "payments-staging")
            .expect("payments-staging");
        let ilja_user = &w.users[ilja.atlas_user_id.as_deref().expect("Ilja's account")];
        assert_eq!(
            ilja_user.group_roles.get(&staging.id),
            Some(&vec!["GROUP_READ_ONLY".to_owned()])
        );
        // The fallback reviewers hold and own nothing of what the newer departments brought.
        let newer: Vec<&str> = w
            .projects
            .values()
            .filter(|p| p.created > staging.created + chrono::Duration::days(365))
            .map(|p| p.id.as_str())
            .collect();
        assert_eq!(newer.len(), 6);
        for email in [
            "kofi.varga@northwind.example",
            "hana.gallagher@northwind.example",
        ] {
            let fallback = person(email);
            let user = &w.users[fallback.atlas_user_id.as_deref().expect("an account")];
            assert!(
                user.group_roles
                    .keys()
                    .all(|g| !newer.contains(&g.as_str()))
            );
            assert!(
                w.db_users
                    .values()
                    .filter(|u| newer.contains(&u.group_id.as_str()))
                    .all(|u| u.labels.iter().all(|l| l.value != email)),
                "{email} owns a newer database user"
            );
        }
    }

    #[test]
    fn the_demo_reviewer_manages_someone() {
        let demo = DemoOrg::build(DEMO_SEED);
        let reviewer = busiest_manager(&demo.people).expect("a manager");
        assert!(
            demo.people
                .iter()
                .any(|p| p.manager.as_deref() == Some(&reviewer.email))
        );
    }
}
