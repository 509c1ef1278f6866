//! Federation: IdP role mappings and post-auth grants, each held by an IdP-group principal,
//! since Atlas re-grants these roles at every SSO sign-in whatever is revoked in Atlas.

use super::entitlement::{Rows, Via, org_roles, project_roles};
use super::inventory::OrgInventory;
use super::model::GrantPath;
use super::principal;

/// Federation role mappings and post-auth grants, each held by an IdP-group principal.
// Limitation: which users belong to an IdP group is known only to the IdP, so a mapping is
// its own principal; a user's direct role that a mapping re-grants is not linked to it here.
pub(super) fn derive_federation(rows: &mut Rows, inventory: &OrgInventory) {
    let Some(federation) = &inventory.federation else {
        return;
    };
    let org_id = inventory.org.id.as_str();
    for mapping in &federation.role_mappings {
        let principal = principal::idp_group(mapping, &federation.settings_id);
        let mapping_id = principal.atlas_id.clone();
        for assignment in &mapping.role_assignments {
            let Some(role) = assignment.role.as_deref() else {
                continue;
            };
            match (&assignment.group_id, &assignment.org_id) {
                (Some(project_id), _) => project_roles(
                    rows,
                    org_id,
                    &principal.key,
                    project_id,
                    &[role.to_owned()],
                    Via {
                        path: GrantPath::FederationMapping,
                        team_id: None,
                        mapping_id: Some(&mapping_id),
                    },
                ),
                (None, Some(role_org)) if role_org != org_id => {}
                (None, _) => org_roles(
                    rows,
                    inventory,
                    &principal.key,
                    &[role.to_owned()],
                    GrantPath::FederationMapping,
                    Some(&mapping_id),
                ),
            }
        }
        rows.principal(principal);
    }
    if !federation.post_auth_role_grants.is_empty() {
        let principal = principal::post_auth_group(&federation.settings_id);
        org_roles(
            rows,
            inventory,
            &principal.key,
            &federation.post_auth_role_grants,
            GrantPath::PostAuthGrant,
            None,
        );
        rows.principal(principal);
    }
}
