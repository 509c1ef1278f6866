//! The simulated Atlas's whole state: every record, the clock, the id generator and the
//! behaviour switches. Handlers lock it once per request; look-ups here return the Atlas error
//! a missing record gets, so handlers stay short.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value};

use super::config::SimConfig;
use super::error::{SimError, SimResult};
use super::model::{
    AccessLog, Actor, ApiKey, CustomRole, DbUser, Event, Federation, Org, OrgUser, Project,
    ServiceAccount, Team,
};
use super::oauth::Tokens;

/// Key of a database user: (project id, authentication database, username).
pub type DbUserKey = (String, String, String);

/// Everything the simulator knows.
#[derive(Debug)]
pub struct World {
    pub orgs: BTreeMap<String, Org>,
    pub projects: BTreeMap<String, Project>,
    pub users: BTreeMap<String, OrgUser>,
    pub teams: BTreeMap<String, Team>,
    pub db_users: BTreeMap<DbUserKey, DbUser>,
    pub custom_roles: BTreeMap<(String, String), CustomRole>,
    pub api_keys: BTreeMap<String, ApiKey>,
    pub service_accounts: BTreeMap<String, ServiceAccount>,
    pub federations: BTreeMap<String, Federation>,
    pub access_logs: Vec<AccessLog>,
    pub events: Vec<Event>,
    pub tokens: Tokens,
    pub config: SimConfig,
    /// Seeded generator for ids and secrets, so a seed always yields the same org.
    rng: StdRng,
    id_prefix: String,
    id_counter: u32,
    clock_offset: Duration,
}

impl World {
    /// An empty world whose ids and secrets derive from `seed`.
    pub fn new(seed: u64) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let id_prefix = format!(
            "{:08x}{:08x}",
            0x6500_0000_u32 | rng.gen_range(0..0xff_ffff),
            rng.r#gen::<u32>()
        );
        Self {
            orgs: BTreeMap::new(),
            projects: BTreeMap::new(),
            users: BTreeMap::new(),
            teams: BTreeMap::new(),
            db_users: BTreeMap::new(),
            custom_roles: BTreeMap::new(),
            api_keys: BTreeMap::new(),
            service_accounts: BTreeMap::new(),
            federations: BTreeMap::new(),
            access_logs: Vec::new(),
            events: Vec::new(),
            tokens: Tokens::default(),
            config: SimConfig::default(),
            rng,
            id_prefix,
            id_counter: 0,
            clock_offset: Duration::zero(),
        }
    }

    /// A fresh 24-hex object id; ids sort in creation order.
    pub fn next_id(&mut self) -> String {
        self.id_counter += 1;
        format!("{}{:08x}", self.id_prefix, self.id_counter)
    }

    /// `len` random lowercase hex characters from the seeded generator.
    pub fn random_hex(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from_digit(self.rng.gen_range(0..16), 16).unwrap_or('0'))
            .collect()
    }

    /// `len` random lowercase letters, the shape of an API key's public key.
    pub fn random_letters(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from(b'a' + self.rng.gen_range(0..26u8)))
            .collect()
    }

    /// The seeded generator, for builders that need more than ids.
    pub fn rng(&mut self) -> &mut StdRng {
        &mut self.rng
    }

    /// The simulated wall clock: real time shifted by whatever tests advanced it by.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.clock_offset
    }

    /// Moves the simulated clock forward (or back, with a negative duration).
    pub fn advance_clock(&mut self, by: Duration) {
        self.clock_offset += by;
    }

    /// Appends an event to the org feed (`group_id` None) or a project feed.
    pub fn record(
        &mut self,
        org_id: &str,
        group_id: Option<&str>,
        event_type: &str,
        actor: Option<Actor>,
        target: Map<String, Value>,
    ) {
        let id = self.next_id();
        let created = self.now();
        self.events.push(Event {
            id,
            created,
            event_type: event_type.to_owned(),
            org_id: org_id.to_owned(),
            group_id: group_id.map(str::to_owned),
            actor,
            target,
        });
    }

    /// The org, or 404.
    pub fn org(&self, id: &str) -> SimResult<&Org> {
        check_id(id, "orgId")?;
        self.orgs
            .get(id)
            .ok_or_else(|| SimError::not_found("ORG_NOT_FOUND", "organization", id))
    }

    /// The project, or 404 `GROUP_NOT_FOUND`.
    pub fn project(&self, id: &str) -> SimResult<&Project> {
        check_id(id, "groupId")?;
        self.projects
            .get(id)
            .ok_or_else(|| SimError::not_found("GROUP_NOT_FOUND", "group", id))
    }

    /// Mutable project, or 404 `GROUP_NOT_FOUND`.
    pub fn project_mut(&mut self, id: &str) -> SimResult<&mut Project> {
        check_id(id, "groupId")?;
        self.projects
            .get_mut(id)
            .ok_or_else(|| SimError::not_found("GROUP_NOT_FOUND", "group", id))
    }

    /// An org user of `org_id`, or 404 with the configured code.
    pub fn org_user(&self, org_id: &str, user_id: &str) -> SimResult<&OrgUser> {
        check_id(user_id, "userId")?;
        self.users
            .get(user_id)
            .filter(|user| user.org_id == org_id)
            .ok_or_else(|| self.user_not_found(user_id))
    }

    /// Mutable org user of `org_id`, or 404.
    pub fn org_user_mut(&mut self, org_id: &str, user_id: &str) -> SimResult<&mut OrgUser> {
        check_id(user_id, "userId")?;
        let missing = self.user_not_found(user_id);
        self.users
            .get_mut(user_id)
            .filter(|user| user.org_id == org_id)
            .ok_or(missing)
    }

    fn user_not_found(&self, user_id: &str) -> SimError {
        SimError::not_found(&self.config.quirks.user_not_found_code, "user", user_id)
    }

    /// A team of `org_id`, or 404.
    pub fn team(&self, org_id: &str, team_id: &str) -> SimResult<&Team> {
        check_id(team_id, "teamId")?;
        self.teams
            .get(team_id)
            .filter(|team| team.org_id == org_id)
            .ok_or_else(|| SimError::not_found("RESOURCE_NOT_FOUND", "team", team_id))
    }

    /// An API key of `org_id`, or 404 `API_KEY_NOT_FOUND`.
    pub fn api_key(&self, org_id: &str, id: &str) -> SimResult<&ApiKey> {
        check_id(id, "apiUserId")?;
        self.api_keys
            .get(id)
            .filter(|key| key.org_id == org_id)
            .ok_or_else(|| SimError::not_found("API_KEY_NOT_FOUND", "API key", id))
    }

    /// Mutable API key of `org_id`, or 404.
    pub fn api_key_mut(&mut self, org_id: &str, id: &str) -> SimResult<&mut ApiKey> {
        check_id(id, "apiUserId")?;
        self.api_keys
            .get_mut(id)
            .filter(|key| key.org_id == org_id)
            .ok_or_else(|| SimError::not_found("API_KEY_NOT_FOUND", "API key", id))
    }

    /// A service account of `org_id`, or 404.
    pub fn service_account(&self, org_id: &str, client_id: &str) -> SimResult<&ServiceAccount> {
        self.service_accounts
            .get(client_id)
            .filter(|account| account.org_id == org_id)
            .ok_or_else(|| SimError::not_found("RESOURCE_NOT_FOUND", "service account", client_id))
    }

    /// Mutable service account of `org_id`, or 404.
    pub fn service_account_mut(
        &mut self,
        org_id: &str,
        client_id: &str,
    ) -> SimResult<&mut ServiceAccount> {
        self.service_accounts
            .get_mut(client_id)
            .filter(|account| account.org_id == org_id)
            .ok_or_else(|| SimError::not_found("RESOURCE_NOT_FOUND", "service account", client_id))
    }

    /// Federation settings by id, or 404.
    pub fn federation(&self, id: &str) -> SimResult<&Federation> {
        self.federations
            .get(id)
            .ok_or_else(|| SimError::not_found("RESOURCE_NOT_FOUND", "federation settings", id))
    }

    /// Ids of the org's projects, in id order.
    pub fn project_ids_of(&self, org_id: &str) -> Vec<String> {
        self.projects
            .values()
            .filter(|project| project.org_id == org_id)
            .map(|project| project.id.clone())
            .collect()
    }
}

/// 400 unless `id` is 24 lowercase hex characters, as the spec's path patterns require.
// Not confirmed which status Atlas gives a malformed id; 400 is the likeliest.
pub fn check_id(id: &str, name: &str) -> SimResult<()> {
    let ok = id.len() == 24
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if ok {
        Ok(())
    } else {
        Err(SimError::new(
            StatusCode::BAD_REQUEST,
            "VALIDATION_ERROR",
            format!("The path parameter {name} is not a valid ID: {id}."),
        )
        .params(vec![Value::from(name), Value::from(id)]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_object_ids_in_creation_order_and_seeded() {
        let mut a = World::new(7);
        let mut b = World::new(7);
        let first = a.next_id();
        let second = a.next_id();
        assert!(check_id(&first, "id").is_ok());
        assert!(first < second);
        assert_eq!(first, b.next_id());
        assert_ne!(first, World::new(8).next_id());
    }

    #[test]
    fn malformed_ids_are_rejected_with_400() {
        let err = check_id("not-an-id", "groupId").err();
        assert_eq!(err.map(|e| e.status), Some(StatusCode::BAD_REQUEST));
        assert!(check_id("ABCDEFABCDEFABCDEFABCDEF", "groupId").is_err());
    }
}
