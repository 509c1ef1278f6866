//! Behaviour switches of the simulator: the statuses and error codes the Atlas documentation
//! does not confirm (README §11), and the shape options for paging and auth. Tests change them
//! through `/__sim/config` or `SimState::update_config`.

use serde::{Deserialize, Serialize};

/// Every switch, with the defaults the Atlas reference recommends.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SimConfig {
    /// Statuses and codes of refusals Atlas does not document.
    pub quirks: Quirks,
    /// Send `next` / `previous` links on paginated answers (only `self` when false).
    pub page_links: bool,
    /// Added to every `totalCount`, because Atlas calls the count approximate.
    pub total_count_skew: i64,
    /// Leave `errorCode` out of 401 bodies, as one real log shows.
    pub omit_401_error_code: bool,
    /// Token-endpoint requests allowed per client per minute.
    pub token_requests_per_minute: u32,
    /// Active tokens allowed per service account before `access_denied`.
    pub max_active_tokens: usize,
    /// Lifetime of an issued access token, in seconds.
    pub token_lifetime_secs: i64,
    /// Seconds a database-user change stays PENDING on the project's clusters.
    pub db_user_apply_secs: i64,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            quirks: Quirks::default(),
            page_links: true,
            total_count_skew: 0,
            omit_401_error_code: false,
            token_requests_per_minute: 10,
            max_active_tokens: 100,
            token_lifetime_secs: 3600,
            db_user_apply_secs: 0,
        }
    }
}

/// Not-confirmed refusals: placeholder codes start with `SIM_` so that a client depending on
/// them fails loudly once it meets the real Atlas.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Quirks {
    pub last_owner_status: u16,
    pub last_owner_code: String,
    pub last_org_role_status: u16,
    pub last_group_role_status: u16,
    pub last_role_code: String,
    pub role_not_held_status: u16,
    pub role_not_held_code: String,
    pub user_not_found_code: String,
    pub duplicate_db_user_code: String,
    pub last_team_member_status: u16,
    pub team_assigned_status: u16,
    pub user_not_in_org_status: u16,
    pub api_key_already_in_group_status: u16,
}

impl Default for Quirks {
    fn default() -> Self {
        Self {
            last_owner_status: 400,
            last_owner_code: "SIM_LAST_ORG_OWNER".to_owned(),
            last_org_role_status: 400,
            last_group_role_status: 409,
            last_role_code: "SIM_LAST_ROLE".to_owned(),
            role_not_held_status: 400,
            role_not_held_code: "SIM_ROLE_NOT_HELD".to_owned(),
            user_not_found_code: "RESOURCE_NOT_FOUND".to_owned(),
            duplicate_db_user_code: "SIM_DUPLICATE_DATABASE_USER".to_owned(),
            last_team_member_status: 400,
            team_assigned_status: 400,
            user_not_in_org_status: 400,
            api_key_already_in_group_status: 409,
        }
    }
}
