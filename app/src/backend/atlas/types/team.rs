//! Teams and their project roles, version 2023-01-01. Team members are [`super::OrgUser`]s.

use serde::{Deserialize, Serialize};

/// An organization team (`TeamResponse`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    pub id: String,
    pub name: String,
}

/// A team's roles in one project (`TeamRole`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectTeam {
    pub team_id: String,
    #[serde(default)]
    pub role_names: Vec<String>,
}
