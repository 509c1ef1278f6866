//! Atlas (cloud) users in the 2025-02-19 model: org users with `orgRoles` and
//! `groupRoleAssignments`, project users with plain role strings, pending invitations as
//! users with a membership status.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a user stands with the organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MembershipStatus {
    Pending,
    Active,
    InvitationExpired,
    InvitationRejected,
    /// A status this version of Attest does not know yet.
    #[serde(other)]
    Unknown,
}

impl MembershipStatus {
    /// Every status Atlas can filter on. Without a filter Atlas lists only ACTIVE and PENDING.
    pub const ALL: [Self; 4] = [
        Self::Active,
        Self::Pending,
        Self::InvitationExpired,
        Self::InvitationRejected,
    ];

    /// The wire name, e.g. `INVITATION_EXPIRED`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Active => "ACTIVE",
            Self::InvitationExpired => "INVITATION_EXPIRED",
            Self::InvitationRejected => "INVITATION_REJECTED",
            Self::Unknown => "UNKNOWN",
        }
    }
}

/// An organization member or invitee (`OrgUserResponse`), also used for team members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgUser {
    /// 24-hex id, stable across invitation and activation.
    pub id: String,
    /// The sign-in email address, as Atlas stores it.
    pub username: String,
    pub org_membership_status: MembershipStatus,
    pub roles: OrgUserRoles,
    #[serde(default)]
    pub team_ids: Vec<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// Last sign-in, for dormancy; active users only.
    #[serde(default)]
    pub last_auth: Option<DateTime<Utc>>,
    #[serde(default)]
    pub invitation_created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub invitation_expires_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub inviter_username: Option<String>,
}

/// An org user's roles: org roles plus direct project roles.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgUserRoles {
    #[serde(default)]
    pub org_roles: Vec<String>,
    #[serde(default)]
    pub group_role_assignments: Vec<GroupRoleAssignment>,
}

/// Direct roles in one project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupRoleAssignment {
    pub group_id: String,
    #[serde(default)]
    pub group_roles: Vec<String>,
}

/// A project member or invitee (`GroupUserResponse`); `roles` are project role names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectUser {
    pub id: String,
    pub username: String,
    pub org_membership_status: MembershipStatus,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub last_auth: Option<DateTime<Utc>>,
    #[serde(default)]
    pub invitation_created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub invitation_expires_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub inviter_username: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_org_user_parses_with_invitation_fields() {
        let user: OrgUser = serde_json::from_str(
            r#"{"id":"6a1b2c3d4e5f60718293a4b5","username":"ana@example.com",
                "orgMembershipStatus":"PENDING",
                "roles":{"orgRoles":["ORG_MEMBER"],
                         "groupRoleAssignments":[{"groupId":"5f1a2b3c4d5e6f7a8b9c0d1e",
                                                  "groupRoles":["GROUP_READ_ONLY"]}]},
                "teamIds":[],"invitationCreatedAt":"2026-01-05T10:00:00Z",
                "invitationExpiresAt":"2026-02-04T10:00:00Z","inviterUsername":"ops@example.com"}"#,
        )
        .expect("a pending user");
        assert_eq!(user.org_membership_status, MembershipStatus::Pending);
        assert_eq!(
            user.roles.group_role_assignments[0].group_roles,
            ["GROUP_READ_ONLY"]
        );
        assert!(user.last_auth.is_none());
    }

    #[test]
    fn unknown_status_and_role_names_do_not_fail() {
        let user: ProjectUser = serde_json::from_str(
            r#"{"id":"6a1b2c3d4e5f60718293a4b5","username":"bo@example.com",
                "orgMembershipStatus":"SUSPENDED","roles":["GROUP_SOMETHING_NEW"]}"#,
        )
        .expect("a project user");
        assert_eq!(user.org_membership_status, MembershipStatus::Unknown);
        assert_eq!(user.roles, ["GROUP_SOMETHING_NEW"]);
    }
}
