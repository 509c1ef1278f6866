//! Organization users (2025-02-19 model): listing in every membership status, re-reading one,
//! and the org-level revocations.

use serde::Serialize;

use super::all_membership_statuses;
use crate::backend::atlas::client::AtlasClient;
use crate::backend::atlas::error::AtlasError;
use crate::backend::atlas::pagination::Listing;
use crate::backend::atlas::path::ApiPath;
use crate::backend::atlas::transport::Endpoint;
use crate::backend::atlas::types::OrgUser;
use crate::backend::atlas::version::ApiVersion::V2025_02_19;

const LIST_ORG_USERS: Endpoint = Endpoint::get("listOrgUsers", V2025_02_19);
const GET_ORG_USER: Endpoint = Endpoint::get("getOrgUser", V2025_02_19);
const REMOVE_ORG_USER_ROLE: Endpoint = Endpoint::action("removeOrgUserRole", V2025_02_19);
const REMOVE_ORG_USER: Endpoint = Endpoint::delete("removeOrgUser", V2025_02_19);

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OrgRoleBody<'a> {
    org_role: &'a str,
}

impl AtlasClient {
    /// Every org user: active, pending, and expired or rejected invitations.
    pub async fn list_org_users(&self, org_id: &str) -> Result<Listing<OrgUser>, AtlasError> {
        let path = ApiPath::v2().lit("orgs").arg(org_id)?.lit("users");
        self.list_all(&LIST_ORG_USERS, &path, all_membership_statuses())
            .await
    }

    /// One org user in any membership status (for re-reads around a revocation).
    pub async fn get_org_user(&self, org_id: &str, user_id: &str) -> Result<OrgUser, AtlasError> {
        let path = ApiPath::v2()
            .lit("orgs")
            .arg(org_id)?
            .lit("users")
            .arg(user_id)?;
        self.get(&GET_ORG_USER, &path, all_membership_statuses())
            .await
    }

    /// Removes one org role (`:removeRole`). Atlas refuses to remove a user's last role; then
    /// the user must leave the organization instead.
    pub async fn remove_org_user_role(
        &self,
        org_id: &str,
        user_id: &str,
        org_role: &str,
    ) -> Result<OrgUser, AtlasError> {
        let path = ApiPath::v2()
            .lit("orgs")
            .arg(org_id)?
            .lit("users")
            .action(user_id, "removeRole")?;
        self.send_json(&REMOVE_ORG_USER_ROLE, &path, &OrgRoleBody { org_role })
            .await
    }

    /// Removes a user (active or pending) from the organization. A 404 means "already gone"
    /// only once a re-read confirms it.
    pub async fn remove_org_user(&self, org_id: &str, user_id: &str) -> Result<(), AtlasError> {
        let path = ApiPath::v2()
            .lit("orgs")
            .arg(org_id)?
            .lit("users")
            .arg(user_id)?;
        self.send_empty(&REMOVE_ORG_USER, &path).await
    }
}
