//! Who is calling: a bearer token from a service account, or an API key through HTTP Digest.
//! The middleware answers 401 with Atlas's error body and a Digest challenge; handlers then ask
//! the `Caller` whether its own roles allow the call (403 otherwise). Roles are read live, so
//! a role removed mid-run takes effect on the next request.

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::digest;
use super::error::SimError;
use super::model::{Actor, GroupRoles};
use super::state::SimState;
use super::world::World;

/// The authenticated principal of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// A service account, by client id.
    ServiceAccount(String),
    /// A programmatic API key, by its id (`apiUserId`).
    ApiKey(String),
}

/// Middleware on every `/api/atlas/v2` route.
pub async fn require_caller(
    State(state): State<SimState>,
    mut request: Request,
    next: Next,
) -> Response {
    let authorization = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let caller = {
        let world = state.read().await;
        let now = world.now();
        match authorization.as_deref() {
            Some(value) if value.starts_with("Bearer ") => world
                .tokens
                .client_of(value.trim_start_matches("Bearer ").trim(), now)
                .filter(|client| world.service_accounts.contains_key(*client))
                .map(|client| Caller::ServiceAccount(client.to_owned())),
            Some(value) if value.starts_with("Digest ") => {
                digest::verify(&world, request.method(), value).map(Caller::ApiKey)
            }
            _ => None,
        }
    };
    let Some(caller) = caller else {
        let world = state.read().await;
        return unauthorized(&world).into_response();
    };
    request.extensions_mut().insert(caller);
    next.run(request).await
}

fn unauthorized(world: &World) -> SimError {
    let mut err = SimError::new(
        StatusCode::UNAUTHORIZED,
        "USER_UNAUTHORIZED",
        "You are not authorized for this resource.",
    )
    .header(header::WWW_AUTHENTICATE, digest::challenge());
    if world.config.omit_401_error_code {
        err.code = None;
    }
    err
}

const ORG_OWNER: &str = "ORG_OWNER";
const ORG_READ_ONLY: &str = "ORG_READ_ONLY";
const GROUP_OWNER: &str = "GROUP_OWNER";

// Limitation: the role checks are a coarse reading of the spec's x-rolesRequirements: reads
// need any org role (org paths) or any project role / ORG_OWNER / ORG_READ_ONLY (project
// paths); writes need ORG_OWNER, GROUP_OWNER or the few project roles a handler names.
impl Caller {
    fn roles<'w>(&self, world: &'w World) -> Option<(&'w str, &'w [String], &'w GroupRoles)> {
        match self {
            Caller::ServiceAccount(id) => world
                .service_accounts
                .get(id)
                .map(|a| (a.org_id.as_str(), a.org_roles.as_slice(), &a.group_roles)),
            Caller::ApiKey(id) => world
                .api_keys
                .get(id)
                .map(|k| (k.org_id.as_str(), k.org_roles.as_slice(), &k.group_roles)),
        }
    }

    /// The org the credential belongs to.
    pub fn org_id(&self, world: &World) -> Option<String> {
        self.roles(world).map(|(org, _, _)| org.to_owned())
    }

    /// Any role in the org.
    pub fn read_org(&self, world: &World, org_id: &str) -> Result<(), SimError> {
        match self.roles(world) {
            Some((org, roles, _)) if org == org_id && !roles.is_empty() => Ok(()),
            _ => Err(SimError::forbidden()),
        }
    }

    /// Organization Owner.
    pub fn own_org(&self, world: &World, org_id: &str) -> Result<(), SimError> {
        match self.roles(world) {
            Some((org, roles, _)) if org == org_id && roles.iter().any(|r| r == ORG_OWNER) => {
                Ok(())
            }
            _ => Err(SimError::forbidden()),
        }
    }

    /// Read access to a project: any project role, or an org-wide owner or read-only role.
    pub fn read_group(&self, world: &World, group_id: &str) -> Result<(), SimError> {
        let org_id = world.project(group_id)?.org_id.clone();
        match self.roles(world) {
            Some((org, roles, groups)) if org == org_id => {
                let org_wide = roles.iter().any(|r| r == ORG_OWNER || r == ORG_READ_ONLY);
                let direct = groups.get(group_id).is_some_and(|r| !r.is_empty());
                if org_wide || direct {
                    Ok(())
                } else {
                    Err(SimError::forbidden())
                }
            }
            _ => Err(SimError::forbidden()),
        }
    }

    /// Write access to a project: ORG_OWNER, GROUP_OWNER or one of `also`.
    pub fn write_group(
        &self,
        world: &World,
        group_id: &str,
        also: &[&str],
    ) -> Result<(), SimError> {
        let org_id = world.project(group_id)?.org_id.clone();
        match self.roles(world) {
            Some((org, roles, groups)) if org == org_id => {
                let owner = roles.iter().any(|r| r == ORG_OWNER);
                let project = groups.get(group_id).is_some_and(|held| {
                    held.iter()
                        .any(|r| r == GROUP_OWNER || also.contains(&r.as_str()))
                });
                if owner || project {
                    Ok(())
                } else {
                    Err(SimError::forbidden())
                }
            }
            _ => Err(SimError::forbidden()),
        }
    }

    /// The caller as a name: a client id or an API key's public key.
    pub fn name(&self, world: &World) -> String {
        match self {
            Caller::ServiceAccount(id) => id.clone(),
            Caller::ApiKey(id) => world
                .api_keys
                .get(id)
                .map(|k| k.public_key.clone())
                .unwrap_or_default(),
        }
    }

    /// How events record this caller.
    pub fn actor(&self, world: &World) -> Actor {
        match self {
            Caller::ServiceAccount(id) => Actor::ServiceAccount {
                client_id: id.clone(),
            },
            Caller::ApiKey(id) => Actor::ApiKey {
                id: id.clone(),
                public_key: world
                    .api_keys
                    .get(id)
                    .map(|k| k.public_key.clone())
                    .unwrap_or_default(),
            },
        }
    }
}
