//! One SQL statement over the entitlements of the newest complete snapshots, filtered as the
//! explorer asks. Every value is bound; only fixed fragments are pushed as SQL text.

use sqlx::{PgExecutor, Postgres, QueryBuilder};
use uuid::Uuid;

use super::InventoryError;
use super::usage;
use crate::backend::identity::{LINKABLE_KINDS, latest_complete_snapshots, load_settings};
use crate::model::inventory::{InventoryFilter, PRINCIPAL_KINDS, TIERS};

/// Longest text accepted in a search field.
const MAX_TEXT: usize = 200;

/// A filter whose values have been checked, trimmed, and emptied to `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidFilter {
    pub person: Option<String>,
    pub username: Option<String>,
    pub project: Option<String>,
    pub role: Option<String>,
    pub tier: Option<String>,
    pub kind: Option<String>,
    pub orphan: bool,
    pub leaver: bool,
    pub dormant: bool,
    pub org_id: Option<String>,
    pub project_id: Option<String>,
    pub person_id: Option<Uuid>,
    pub page: i64,
}

fn text(field: &str, value: &Option<String>) -> Result<Option<String>, InventoryError> {
    let Some(value) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if value.chars().count() > MAX_TEXT {
        return Err(InventoryError::Invalid(format!(
            "{field}: enter at most {MAX_TEXT} characters."
        )));
    }
    Ok(Some(value.to_owned()))
}

impl ValidFilter {
    /// Checks `filter`; an error names the field and what it accepts.
    pub fn new(filter: &InventoryFilter) -> Result<ValidFilter, InventoryError> {
        let tier = text("Tier", &filter.tier)?.map(|t| t.to_lowercase());
        if let Some(tier) = &tier
            && !TIERS.contains(&tier.as_str())
        {
            return Err(InventoryError::Invalid(format!(
                "Tier: {tier:?} is not a tier; use admin, write or read."
            )));
        }
        let kind = text("Kind", &filter.kind)?;
        if let Some(kind) = &kind
            && !PRINCIPAL_KINDS.iter().any(|(k, _)| k == kind)
        {
            let known: Vec<&str> = PRINCIPAL_KINDS.iter().map(|(k, _)| *k).collect();
            return Err(InventoryError::Invalid(format!(
                "Kind: {kind:?} is not a principal kind; use one of {}.",
                known.join(", ")
            )));
        }
        let page = filter.page.unwrap_or(1);
        if page < 1 {
            return Err(InventoryError::Invalid(format!(
                "Page: {page} is not a page number; pages start at 1."
            )));
        }
        Ok(ValidFilter {
            person: text("Person", &filter.person)?,
            username: text("Username", &filter.username)?,
            project: text("Project", &filter.project)?,
            role: text("Role", &filter.role)?,
            tier,
            kind,
            orphan: filter.orphan.unwrap_or(false),
            leaver: filter.leaver.unwrap_or(false),
            dormant: filter.dormant.unwrap_or(false),
            org_id: text("Organization", &filter.org_id)?,
            project_id: text("Project id", &filter.project_id)?,
            person_id: filter.person_id,
            page,
        })
    }
}

/// What a query reads: which snapshots, and when a principal is dormant.
#[derive(Debug, Clone)]
pub struct Scope {
    pub snapshots: Vec<Uuid>,
    pub dormant_days: i32,
}

impl Scope {
    /// The newest complete snapshot of every org, and the current settings.
    pub async fn current(conn: &mut sqlx::PgConnection) -> Result<Scope, InventoryError> {
        let snapshots = latest_complete_snapshots(&mut *conn, None)
            .await?
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        let dormant_days = load_settings(&mut *conn).await?.dormant_days;
        Ok(Scope {
            snapshots,
            dormant_days,
        })
    }
}

/// Whether person `pe` is a leaver: status leaver, end date passed, or gone from the roster
/// (the directory's own rule). NULL-safe: false when there is no person.
pub const IS_LEAVER: &str = "coalesce(pe.status = 'leaver' OR pe.end_date <= current_date \
                             OR NOT pe.in_roster, false)";

/// The columns of [`super::row::RowRecord`].
fn select_list() -> String {
    let last_used = usage::LAST_USED;
    format!(
        "SELECT e.org_id, e.key AS entitlement_key, e.principal_key, p.kind, \
                p.display_name AS principal_name, p.username, pe.id AS person_id, \
                pe.name AS person_name, pe.email AS person_email, \
                CASE WHEN lh.person_id IS NOT NULL THEN 'holder' \
                     WHEN lo.person_id IS NOT NULL THEN 'owner' END AS link_relation, \
                coalesce(lh.method, lo.method) AS link_method, \
                {IS_LEAVER} AS is_leaver, e.project_id, sp.name AS project_name, e.scope, \
                e.cluster_names, e.database_name, e.collection_name, e.role, e.tier, \
                e.grant_path, e.via_team_id, t.display_name AS via_team_name, e.via_org_role, \
                {last_used} AS last_used "
    )
}

/// `FROM … WHERE …` for `filter` over `scope`. Pushes binds for every value.
pub fn push_from_where(qb: &mut QueryBuilder<Postgres>, filter: &ValidFilter, scope: &Scope) {
    qb.push(
        " FROM entitlement e \
          JOIN principal p ON p.snapshot_id = e.snapshot_id AND p.key = e.principal_key \
          LEFT JOIN identity_link lh ON lh.snapshot_id = e.snapshot_id \
                                    AND lh.principal_key = e.principal_key \
                                    AND lh.relation = 'holder' \
          LEFT JOIN identity_link lo ON lo.snapshot_id = e.snapshot_id \
                                    AND lo.principal_key = e.principal_key \
                                    AND lo.relation = 'owner' \
          LEFT JOIN person pe ON pe.id = coalesce(lh.person_id, lo.person_id) \
          LEFT JOIN snapshot_project sp ON sp.snapshot_id = e.snapshot_id \
                                       AND sp.project_id = e.project_id \
          LEFT JOIN principal t ON t.snapshot_id = e.snapshot_id \
                               AND t.key = 'team:' || e.via_team_id ",
    );
    qb.push(usage::join("e.org_id", "e.principal_key"));
    // One snapshot is the common case; `=` lets the planner walk the index in order.
    if let [only] = scope.snapshots.as_slice() {
        qb.push(" WHERE e.snapshot_id = ").push_bind(*only);
    } else {
        qb.push(" WHERE e.snapshot_id = ANY(")
            .push_bind(scope.snapshots.clone())
            .push(")");
    }
    if let Some(person) = &filter.person {
        let pattern = crate::backend::db::contains_pattern(person);
        qb.push(" AND (pe.name ILIKE ")
            .push_bind(pattern.clone())
            .push(" OR pe.email ILIKE ")
            .push_bind(pattern)
            .push(")");
    }
    if let Some(username) = &filter.username {
        let pattern = crate::backend::db::contains_pattern(username);
        qb.push(" AND (p.username ILIKE ")
            .push_bind(pattern.clone())
            .push(" OR p.display_name ILIKE ")
            .push_bind(pattern)
            .push(")");
    }
    if let Some(project) = &filter.project {
        qb.push(" AND (e.project_id = ")
            .push_bind(project.clone())
            .push(" OR sp.name ILIKE ")
            .push_bind(crate::backend::db::contains_pattern(project))
            .push(")");
    }
    if let Some(role) = &filter.role {
        qb.push(" AND e.role ILIKE ")
            .push_bind(crate::backend::db::contains_pattern(role));
    }
    if let Some(tier) = &filter.tier {
        qb.push(" AND e.tier = ").push_bind(tier.clone());
    }
    if let Some(kind) = &filter.kind {
        qb.push(" AND p.kind = ").push_bind(kind.clone());
    }
    if filter.orphan {
        qb.push(" AND pe.id IS NULL AND p.kind = ANY(")
            .push_bind(LINKABLE_KINDS.map(str::to_owned).to_vec())
            .push(")");
    }
    if filter.leaver {
        qb.push(" AND pe.id IS NOT NULL AND ").push(IS_LEAVER);
    }
    if filter.dormant {
        qb.push(format_args!(
            " AND {} < now() - make_interval(days => ",
            usage::LAST_USED
        ))
        .push_bind(scope.dormant_days)
        .push(")");
    }
    if let Some(org_id) = &filter.org_id {
        qb.push(" AND e.org_id = ").push_bind(org_id.clone());
    }
    if let Some(project_id) = &filter.project_id {
        qb.push(" AND e.project_id = ")
            .push_bind(project_id.clone());
    }
    // A person's access: every principal they hold or own.
    if let Some(person_id) = filter.person_id {
        qb.push(
            " AND EXISTS (SELECT 1 FROM identity_link x WHERE x.snapshot_id = e.snapshot_id \
              AND x.principal_key = e.principal_key AND x.person_id = ",
        )
        .push_bind(person_id)
        .push(")");
    }
}

/// The full row query (without paging): principals together, entitlements in key order.
pub fn rows_query(filter: &ValidFilter, scope: &Scope) -> QueryBuilder<Postgres> {
    let mut qb = QueryBuilder::new(select_list());
    push_from_where(&mut qb, filter, scope);
    qb.push(" ORDER BY e.principal_key, e.key, e.snapshot_id");
    qb
}

/// Counts matching rows, stopping at `cap` so a broad filter stays cheap.
pub async fn count_capped(
    db: impl PgExecutor<'_>,
    filter: &ValidFilter,
    scope: &Scope,
    cap: i64,
) -> Result<i64, InventoryError> {
    let mut qb = QueryBuilder::new("SELECT count(*) FROM (SELECT 1");
    push_from_where(&mut qb, filter, scope);
    qb.push(" LIMIT ").push_bind(cap).push(") AS capped");
    Ok(qb.build_query_scalar::<i64>().fetch_one(db).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_tier_is_refused_by_name() {
        let filter = InventoryFilter {
            tier: Some("root".into()),
            ..Default::default()
        };
        let err = ValidFilter::new(&filter).expect_err("root is not a tier");
        assert!(err.to_string().starts_with("Tier: \"root\""), "{err}");
    }

    #[test]
    fn blank_fields_are_no_filter_and_text_is_trimmed() {
        let filter = InventoryFilter {
            person: Some("   ".into()),
            role: Some(" GROUP_OWNER ".into()),
            tier: Some("Admin".into()),
            ..Default::default()
        };
        let valid = ValidFilter::new(&filter).expect("valid");
        assert_eq!(valid.person, None);
        assert_eq!(valid.role.as_deref(), Some("GROUP_OWNER"));
        assert_eq!(valid.tier.as_deref(), Some("admin"));
        assert_eq!(valid.page, 1);
    }

    #[test]
    fn page_zero_is_refused() {
        let filter = InventoryFilter {
            page: Some(0),
            ..Default::default()
        };
        assert!(ValidFilter::new(&filter).is_err());
    }
}
