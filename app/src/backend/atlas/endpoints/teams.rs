//! Teams, their members, their project roles, and removing a member or a project assignment.

use serde::Serialize;

use super::all_membership_statuses;
use crate::backend::atlas::client::AtlasClient;
use crate::backend::atlas::error::AtlasError;
use crate::backend::atlas::pagination::Listing;
use crate::backend::atlas::path::{ApiPath, Query};
use crate::backend::atlas::transport::Endpoint;
use crate::backend::atlas::types::{OrgUser, ProjectTeam, Team};
use crate::backend::atlas::version::ApiVersion::{V2023_01_01, V2025_02_19};

const LIST_TEAMS: Endpoint = Endpoint::get("listOrgTeams", V2023_01_01);
const LIST_TEAM_MEMBERS: Endpoint = Endpoint::get("listOrgTeamUsers", V2025_02_19);
const LIST_PROJECT_TEAMS: Endpoint = Endpoint::get("listGroupTeams", V2023_01_01);
const REMOVE_TEAM_MEMBER: Endpoint = Endpoint::action("removeOrgTeamUser", V2025_02_19);
const REMOVE_PROJECT_TEAM: Endpoint = Endpoint::delete("removeGroupTeam", V2023_01_01);

#[derive(Serialize)]
struct UserIdBody<'a> {
    id: &'a str,
}

impl AtlasClient {
    /// Every team of an organization.
    pub async fn list_teams(&self, org_id: &str) -> Result<Listing<Team>, AtlasError> {
        let path = ApiPath::v2().lit("orgs").arg(org_id)?.lit("teams");
        self.list_all(&LIST_TEAMS, &path, Query::new()).await
    }

    /// Every member of a team, in every membership status. Atlas reports no `totalCount` here.
    pub async fn list_team_members(
        &self,
        org_id: &str,
        team_id: &str,
    ) -> Result<Listing<OrgUser>, AtlasError> {
        let path = ApiPath::v2()
            .lit("orgs")
            .arg(org_id)?
            .lit("teams")
            .arg(team_id)?
            .lit("users");
        self.list_all(&LIST_TEAM_MEMBERS, &path, all_membership_statuses())
            .await
    }

    /// The teams assigned to a project, with their project roles.
    pub async fn list_project_teams(
        &self,
        project_id: &str,
    ) -> Result<Listing<ProjectTeam>, AtlasError> {
        let path = ApiPath::v2().lit("groups").arg(project_id)?.lit("teams");
        self.list_all(&LIST_PROJECT_TEAMS, &path, Query::new())
            .await
    }

    /// Removes a user from a team (`:removeUser`). Atlas refuses to empty a team
    /// ([`ErrorKind::LastTeamMember`](crate::backend::atlas::ErrorKind::LastTeamMember)).
    pub async fn remove_team_member(
        &self,
        org_id: &str,
        team_id: &str,
        user_id: &str,
    ) -> Result<OrgUser, AtlasError> {
        let path = ApiPath::v2()
            .lit("orgs")
            .arg(org_id)?
            .lit("teams")
            .action(team_id, "removeUser")?;
        self.send_json(&REMOVE_TEAM_MEMBER, &path, &UserIdBody { id: user_id })
            .await
    }

    /// Takes a team off a project, removing the project roles its members got through it.
    pub async fn remove_project_team(
        &self,
        project_id: &str,
        team_id: &str,
    ) -> Result<(), AtlasError> {
        let path = ApiPath::v2()
            .lit("groups")
            .arg(project_id)?
            .lit("teams")
            .arg(team_id)?;
        self.send_empty(&REMOVE_PROJECT_TEAM, &path).await
    }
}
