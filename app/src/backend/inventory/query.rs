//! One SQL statement over the entitlements of the newest complete snapshots, filtered as the
//! explorer asks. Every value is bound; only fixed fragments are pushed as SQL text.
//!
//! At the `large` org's scale (357,000 entitlements) testing each entitlement against a
//! contains-filter or a join is what made a search slow, so [`Narrowed::lookup`] first finds
//! the few principals, projects and roles a filter can match, and the statement then reads
//! entitlements by those through its indexes; orphans, leavers and dormant principals are read
//! from the per-principal flags ([`super::flags`]). A page is found as entitlement ids first and
//! only its rows are joined to everything shown ([`page_query`]). BENCHMARKS.md has the
//! numbers.

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

/// Which tables a statement joins to entitlement `e`. The row statements join all of them;
/// a count or a page of ids joins only what its filter reads, because PostgreSQL keeps the
/// two identity-link joins even when nothing reads them and they are most of a count's cost.
#[derive(Debug, Clone, Copy)]
struct Joins {
    /// `f`, the principal's flags ([`super::flags`]).
    flags: bool,
    /// `p`, the principal.
    principal: bool,
    /// `lh`, `lo` and `pe`: the identity links and the person.
    person: bool,
    /// `sp`, the project.
    project: bool,
    /// `t`, the team a grant came through.
    team: bool,
    /// `u`, the kept usage.
    usage: bool,
}

impl Joins {
    /// Everything the rows show, and the flags when the conditions read them.
    fn all(narrowed: &Narrowed) -> Joins {
        Joins {
            flags: narrowed.flags,
            principal: true,
            person: true,
            project: true,
            team: true,
            usage: true,
        }
    }

    /// The joins the conditions of [`push_from_where`] read for `filter`: the orphan, leaver
    /// and dormant conditions read the flags when `narrowed` has them, and otherwise the
    /// links, the person and the usage they are derived from.
    fn for_filter(filter: &ValidFilter, narrowed: &Narrowed) -> Joins {
        let by_flags = filter.orphan || filter.leaver || filter.dormant;
        let (orphan, leaver, dormant) = if narrowed.flags {
            (false, false, false)
        } else {
            (filter.orphan, filter.leaver, filter.dormant)
        };
        Joins {
            flags: narrowed.flags && by_flags,
            principal: filter.username.is_some() || filter.kind.is_some() || orphan || dormant,
            person: filter.person.is_some() || orphan || leaver,
            project: filter.project.is_some(),
            team: false,
            usage: dormant,
        }
    }

    fn push(self, qb: &mut QueryBuilder<Postgres>) {
        if self.flags {
            // Every principal of a snapshot with flags has its row (one statement writes them).
            qb.push(
                " JOIN principal_flag f ON f.snapshot_id = e.snapshot_id \
                                       AND f.principal_key = e.principal_key ",
            );
        }
        // LEFT JOIN everywhere: the principal always matches (a foreign key), the rest may not.
        if self.principal {
            qb.push(
                " LEFT JOIN principal p ON p.snapshot_id = e.snapshot_id \
                                       AND p.key = e.principal_key ",
            );
        }
        if self.person {
            qb.push(
                " LEFT JOIN identity_link lh ON lh.snapshot_id = e.snapshot_id \
                                            AND lh.principal_key = e.principal_key \
                                            AND lh.relation = 'holder' \
                  LEFT JOIN identity_link lo ON lo.snapshot_id = e.snapshot_id \
                                            AND lo.principal_key = e.principal_key \
                                            AND lo.relation = 'owner' \
                  LEFT JOIN person pe ON pe.id = coalesce(lh.person_id, lo.person_id) ",
            );
        }
        if self.project {
            qb.push(
                " LEFT JOIN snapshot_project sp ON sp.snapshot_id = e.snapshot_id \
                                               AND sp.project_id = e.project_id ",
            );
        }
        if self.team {
            qb.push(
                " LEFT JOIN principal t ON t.snapshot_id = e.snapshot_id \
                                       AND t.key = 'team:' || e.via_team_id ",
            );
        }
        if self.usage {
            qb.push(usage::join("e.org_id", "e.principal_key"));
        }
    }
}

/// The order of the explorer and the export: principals together, entitlements in key order.
const ORDER: &str = " ORDER BY e.principal_key, e.key, e.snapshot_id";

/// Most principals, projects or roles a filter is narrowed to before the main statement; a
/// filter that matches more is broad enough that walking the entitlements in order finds a
/// page quickly, so it is left to its plain condition.
const NARROW_LIMIT: i64 = 2_000;

/// What the selective filters match, looked up first in the small tables (people,
/// principals, projects, the snapshot's distinct roles) so that the entitlement statement can
/// use the entitlement indexes instead of testing every row of the snapshot with `ILIKE` or a
/// join. The original conditions stay in that statement, so the rows are exactly those of the
/// filter; a lookup only ever returns a superset. The orphan, leaver and dormant conditions
/// are the exception: where the scope has its principal flags ([`super::flags`]), they read
/// those instead of the links, people and usage the flags are derived from (same rules, one
/// join instead of four).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Narrowed {
    /// Whether every snapshot of the scope has its principal flags ([`super::flags`]), so the
    /// orphan, leaver and dormant conditions read them; `false` reads the links, people and
    /// usage themselves (the plain statement).
    pub flags: bool,
    /// Principal keys that the person, username, leaver and dormant filters can match; `None`
    /// when none is set or every one that is set matches too many.
    pub principal_keys: Option<Vec<String>>,
    /// Project ids the project filter can match; `None` when it is not set or too broad.
    pub project_ids: Option<Vec<String>>,
    /// Roles the role filter can match; `None` when it is not set or a snapshot has too many
    /// distinct roles to list.
    pub roles: Option<Vec<String>>,
}

impl Narrowed {
    /// Looks up the principals, projects and roles that `filter` can match in `scope`.
    pub async fn lookup(
        conn: &mut sqlx::PgConnection,
        filter: &ValidFilter,
        scope: &Scope,
    ) -> Result<Narrowed, InventoryError> {
        let mut narrowed = Narrowed {
            flags: super::flags::have_flags(&mut *conn, &scope.snapshots).await?,
            ..Narrowed::default()
        };
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        // The planner prices ILIKE like `=` and so prefers reading every row of these tables
        // to their trigram indexes, which are several times faster for a contains search.
        sqlx::query("SET LOCAL enable_seqscan = off")
            .execute(&mut *tx)
            .await?;
        if let Some(person) = &filter.person {
            let found: Vec<String> = sqlx::query_scalar(
                "SELECT DISTINCT l.principal_key FROM person pe \
                 JOIN identity_link l ON l.person_id = pe.id AND l.snapshot_id = ANY($1) \
                 WHERE pe.name ILIKE $2 OR pe.email ILIKE $2 LIMIT $3",
            )
            .bind(&scope.snapshots)
            .bind(crate::backend::db::contains_pattern(person))
            .bind(NARROW_LIMIT + 1)
            .fetch_all(&mut *tx)
            .await?;
            narrowed.principal_keys = narrow(narrowed.principal_keys, found);
        }
        if let Some(username) = &filter.username {
            let found: Vec<String> = sqlx::query_scalar(
                "SELECT DISTINCT key FROM principal WHERE snapshot_id = ANY($1) \
                 AND (username ILIKE $2 OR display_name ILIKE $2) LIMIT $3",
            )
            .bind(&scope.snapshots)
            .bind(crate::backend::db::contains_pattern(username))
            .bind(NARROW_LIMIT + 1)
            .fetch_all(&mut *tx)
            .await?;
            narrowed.principal_keys = narrow(narrowed.principal_keys, found);
        }
        if let Some(project) = &filter.project {
            let mut found: Vec<String> = sqlx::query_scalar(
                "SELECT DISTINCT project_id FROM snapshot_project WHERE snapshot_id = ANY($1) \
                 AND name ILIKE $2 LIMIT $3",
            )
            .bind(&scope.snapshots)
            .bind(crate::backend::db::contains_pattern(project))
            .bind(NARROW_LIMIT + 1)
            .fetch_all(&mut *tx)
            .await?;
            if found.len() as i64 <= NARROW_LIMIT {
                // The filter also matches a project id exactly.
                found.push(project.clone());
                narrowed.project_ids = Some(found);
            }
        }
        tx.commit().await?;
        if filter.leaver && narrowed.flags {
            let found: Vec<String> = sqlx::query_scalar(
                "SELECT principal_key FROM principal_flag \
                 WHERE snapshot_id = ANY($1) AND person_id IS NOT NULL AND marked_leaver \
                 UNION \
                 SELECT principal_key FROM principal_flag \
                 WHERE snapshot_id = ANY($1) AND person_id IS NOT NULL \
                   AND end_date <= current_date \
                 LIMIT $2",
            )
            .bind(&scope.snapshots)
            .bind(NARROW_LIMIT + 1)
            .fetch_all(&mut *conn)
            .await?;
            narrowed.principal_keys = narrow(narrowed.principal_keys, found);
        } else if filter.leaver {
            let found: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT DISTINCT l.principal_key FROM identity_link l \
                 JOIN person pe ON pe.id = l.person_id \
                 WHERE l.snapshot_id = ANY($1) AND {IS_LEAVER} LIMIT $2"
            )))
            .bind(&scope.snapshots)
            .bind(NARROW_LIMIT + 1)
            .fetch_all(&mut *conn)
            .await?;
            narrowed.principal_keys = narrow(narrowed.principal_keys, found);
        }
        if filter.dormant {
            let sql = if narrowed.flags {
                "SELECT DISTINCT principal_key FROM principal_flag WHERE snapshot_id = ANY($1) \
                 AND last_used < now() - make_interval(days => $2) LIMIT $3"
                    .to_owned()
            } else {
                // A snapshot holds one org's pull, so its entitlements' org is the snapshot's.
                format!(
                    "SELECT DISTINCT p.key FROM principal p JOIN snapshot s ON s.id = p.snapshot_id \
                     {} WHERE p.snapshot_id = ANY($1) \
                     AND {} < now() - make_interval(days => $2) LIMIT $3",
                    usage::join("s.org_id", "p.key"),
                    usage::LAST_USED
                )
            };
            let found: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .bind(&scope.snapshots)
                .bind(scope.dormant_days)
                .bind(NARROW_LIMIT + 1)
                .fetch_all(&mut *conn)
                .await?;
            narrowed.principal_keys = narrow(narrowed.principal_keys, found);
        }
        if let Some(role) = &filter.role {
            narrowed.roles = matching_roles(&mut *conn, scope, role).await?;
        }
        Ok(narrowed)
    }
}

/// The distinct roles of `scope`'s snapshots that contain `role`, read from the
/// `entitlement_role` index one role at a time (a handful of index probes per role instead of
/// a pass over every entitlement); `None` when a snapshot has more than [`NARROW_LIMIT`].
async fn matching_roles(
    conn: &mut sqlx::PgConnection,
    scope: &Scope,
    role: &str,
) -> Result<Option<Vec<String>>, InventoryError> {
    let mut matching = Vec::new();
    for snapshot in &scope.snapshots {
        let roles: Vec<(String, bool)> = sqlx::query_as(
            "WITH RECURSIVE r (role, n) AS ( \
                 SELECT (SELECT min(role) FROM entitlement WHERE snapshot_id = $1), 1 \
                 UNION ALL \
                 SELECT (SELECT min(role) FROM entitlement \
                         WHERE snapshot_id = $1 AND role > r.role), r.n + 1 \
                 FROM r WHERE r.role IS NOT NULL AND r.n <= $3) \
             SELECT role, role ILIKE $2 FROM r WHERE role IS NOT NULL",
        )
        .bind(snapshot)
        .bind(crate::backend::db::contains_pattern(role))
        .bind(NARROW_LIMIT)
        .fetch_all(&mut *conn)
        .await?;
        if roles.len() as i64 > NARROW_LIMIT {
            return Ok(None);
        }
        matching.extend(roles.into_iter().filter(|(_, hit)| *hit).map(|(r, _)| r));
    }
    matching.sort();
    matching.dedup();
    Ok(Some(matching))
}

/// Keys both filters allow so far: `found` is dropped when it is too broad to narrow by, and
/// intersected with what an earlier filter found.
fn narrow(so_far: Option<Vec<String>>, found: Vec<String>) -> Option<Vec<String>> {
    if found.len() as i64 > NARROW_LIMIT {
        return so_far;
    }
    match so_far {
        None => Some(found),
        Some(earlier) => {
            let found: std::collections::HashSet<String> = found.into_iter().collect();
            Some(earlier.into_iter().filter(|k| found.contains(k)).collect())
        }
    }
}

/// `FROM … WHERE …` for `filter` over `scope`, narrowed by `narrowed`. Pushes binds for every
/// value.
pub fn push_from_where(
    qb: &mut QueryBuilder<Postgres>,
    filter: &ValidFilter,
    scope: &Scope,
    narrowed: &Narrowed,
) {
    push_from_where_joining(qb, filter, scope, narrowed, Joins::all(narrowed));
}

/// [`push_from_where`] with only `joins`, which must include every table the filter reads.
fn push_from_where_joining(
    qb: &mut QueryBuilder<Postgres>,
    filter: &ValidFilter,
    scope: &Scope,
    narrowed: &Narrowed,
    joins: Joins,
) {
    qb.push(" FROM entitlement e ");
    joins.push(qb);
    // One snapshot is the common case; `=` lets the planner walk the index in order.
    if let [only] = scope.snapshots.as_slice() {
        qb.push(" WHERE e.snapshot_id = ").push_bind(*only);
    } else {
        qb.push(" WHERE e.snapshot_id = ANY(")
            .push_bind(scope.snapshots.clone())
            .push(")");
    }
    if let Some(keys) = &narrowed.principal_keys {
        // A join on the keys, not `= ANY(…)`: with `= ANY` the planner walks the whole
        // snapshot in the page's order testing every row against the list (an index scan
        // with an array does not keep that order), where looking up each key and sorting the
        // few rows found is far cheaper.
        qb.push(" AND e.principal_key IN (SELECT unnest(")
            .push_bind(keys.clone())
            .push("::text[]))");
    }
    if let Some(roles) = &narrowed.roles {
        qb.push(" AND e.role = ANY(")
            .push_bind(roles.clone())
            .push(")");
    }
    if let Some(ids) = &narrowed.project_ids {
        qb.push(" AND e.project_id = ANY(")
            .push_bind(ids.clone())
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
    if narrowed.flags {
        // The same rules as below, read from the flags derived with them.
        if filter.orphan {
            qb.push(" AND f.orphan");
        }
        if filter.leaver {
            qb.push(
                " AND f.person_id IS NOT NULL \
                  AND (f.marked_leaver OR coalesce(f.end_date <= current_date, false))",
            );
        }
        if filter.dormant {
            qb.push(" AND f.last_used < now() - make_interval(days => ")
                .push_bind(scope.dormant_days)
                .push(")");
        }
    } else {
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
pub fn rows_query(
    filter: &ValidFilter,
    scope: &Scope,
    narrowed: &Narrowed,
) -> QueryBuilder<Postgres> {
    let mut qb = QueryBuilder::new(select_list());
    push_from_where(&mut qb, filter, scope, narrowed);
    qb.push(ORDER);
    qb
}

/// One page of [`rows_query`]: the page's entitlement ids are found first, with only the
/// joins the filter needs, and only those `limit` rows are joined to everything the explorer
/// shows, so skipping `offset` rows does not build `offset` full rows.
pub fn page_query(
    filter: &ValidFilter,
    scope: &Scope,
    narrowed: &Narrowed,
    limit: i64,
    offset: i64,
) -> QueryBuilder<Postgres> {
    let mut qb = QueryBuilder::new(select_list());
    qb.push(" FROM (SELECT e.id AS page_id");
    push_from_where_joining(
        &mut qb,
        filter,
        scope,
        narrowed,
        Joins::for_filter(filter, narrowed),
    );
    qb.push(ORDER)
        .push(" LIMIT ")
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset);
    qb.push(") AS page JOIN entitlement e ON e.id = page.page_id ");
    Joins {
        flags: false,
        ..Joins::all(narrowed)
    }
    .push(&mut qb);
    qb.push(ORDER);
    qb
}

/// Counts matching rows, stopping at `cap` so a broad filter stays cheap.
pub async fn count_capped(
    db: impl PgExecutor<'_>,
    filter: &ValidFilter,
    scope: &Scope,
    narrowed: &Narrowed,
    cap: i64,
) -> Result<i64, InventoryError> {
    let mut qb = QueryBuilder::new("SELECT count(*) FROM (SELECT 1");
    push_from_where_joining(
        &mut qb,
        filter,
        scope,
        narrowed,
        Joins::for_filter(filter, narrowed),
    );
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
    fn narrowing_intersects_filters_and_ignores_a_broad_one() {
        let keys = |names: &[&str]| names.iter().map(|k| (*k).to_owned()).collect::<Vec<_>>();
        let first = narrow(None, keys(&["a", "b", "c"]));
        assert_eq!(first, Some(keys(&["a", "b", "c"])));
        assert_eq!(
            narrow(first.clone(), keys(&["c", "a", "z"])),
            Some(keys(&["a", "c"]))
        );
        let broad: Vec<String> = (0..=NARROW_LIMIT).map(|i| i.to_string()).collect();
        assert_eq!(narrow(first.clone(), broad.clone()), first);
        assert_eq!(narrow(None, broad), None);
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
