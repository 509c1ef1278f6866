//! The population of a campaign and the routing of each item to a reviewer, computed
//! set-based into temporary tables that live until the transaction ends: the preview reads
//! them and rolls back, the launch copies them into `review_item` and commits.
//!
//! Rules, in the campaign's order (the fallback reviewers always last):
//! - `manager`: a principal held by a person goes to that person's manager;
//! - `owner`: a non-human credential goes to its owner, who attests it is still needed;
//! - `fallback`: anything else (orphans, people without a manager) goes to the first
//!   eligible fallback reviewer.
//!
//! Nobody reviews their own access, judged by person: a candidate who holds the principal,
//! or (under any rule but `owner`) owns it, or who has left, is passed over and the item moves
//! up the candidate's manager chain, then to the fallback reviewers. Each item records the
//! rule that chose its reviewer and a reason naming who was passed over and why.

use sqlx::PgConnection;
use uuid::Uuid;

use super::identity::LINK_TABLES;

/// What a campaign covers, resolved to frozen snapshots.
#[derive(Debug, Clone)]
pub struct Population {
    pub campaign_id: Uuid,
    pub snapshot_ids: Vec<Uuid>,
    pub principal_kinds: Vec<String>,
    pub project_ids: Vec<String>,
    pub tiers: Vec<String>,
    pub only_new_since_last: bool,
    /// The campaign whose items are the baseline for "new since last campaign".
    pub previous_campaign: Option<Uuid>,
    pub dormant_after_days: i32,
    pub reviewer_rules: Vec<String>,
}

/// The scope filter shared by the population and its independent count. Binds: $1 snapshot
/// ids, $2 principal kinds, $3 project ids, $4 tiers, $5 only new, $6 previous campaign.
const IN_SCOPE: &str = "e.snapshot_id = ANY($1) AND p.kind = ANY($2) \
     AND (cardinality($3::text[]) = 0 OR e.project_id = ANY($3)) \
     AND (cardinality($4::text[]) = 0 OR e.tier = ANY($4))";

/// Entitlements in scope per snapshot, counted without the joins the population uses, so
/// the launch can reconcile one against the other.
pub async fn count_in_scope(
    conn: &mut PgConnection,
    population: &Population,
) -> Result<Vec<(Uuid, i64)>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT e.snapshot_id, count(*) FROM entitlement e \
         JOIN principal p ON p.snapshot_id = e.snapshot_id AND p.key = e.principal_key \
         WHERE {IN_SCOPE} AND (NOT $5 OR $6::uuid IS NULL OR NOT EXISTS ( \
             SELECT 1 FROM review_item prev \
             WHERE prev.campaign_id = $6 AND prev.entitlement_key = e.key)) \
         GROUP BY e.snapshot_id"
    )))
    .bind(&population.snapshot_ids)
    .bind(&population.principal_kinds)
    .bind(&population.project_ids)
    .bind(&population.tiers)
    .bind(population.only_new_since_last)
    .bind(population.previous_campaign)
    .fetch_all(conn)
    .await
}

/// Creates `camp_pop` (one row per entitlement in scope, with everything an item copies) and
/// `camp_route` (its reviewer, rule, reason and whether self-review moved it).
pub async fn build(conn: &mut PgConnection, population: &Population) -> Result<(), sqlx::Error> {
    // The planner cannot estimate the recursive manager chains, so these statements look far
    // costlier than they are and PostgreSQL compiles them with JIT, which took longer (about
    // a second on the `large` population) than running them. Scoped to the caller's
    // transaction, which the temporary tables need anyway.
    sqlx::query("SET LOCAL jit = off")
        .execute(&mut *conn)
        .await?;
    // A launch joins and copies the whole population, and the insert's statement triggers
    // read back every inserted item; with the default few megabytes of working memory each
    // of those spilled to temporary files (200 MB for the `large` org). Launches are rare and
    // admin-only, so they may use more for the length of their transaction.
    sqlx::query("SET LOCAL work_mem = '256MB'")
        .execute(&mut *conn)
        .await?;
    // The temporary tables have no statistics, so the planner misjudges joins over them (it
    // expected two rows where the whole population comes back) and sorted the population
    // twice for merge joins: in the routing statement (0.8 s against 0.5 s hashed, for the
    // `large` org) and in the launch's insert (0.8 s against 0.3 s).
    sqlx::query("SET LOCAL enable_mergejoin = off")
        .execute(&mut *conn)
        .await?;
    for statement in LINK_TABLES {
        sqlx::query(statement)
            .bind(&population.snapshot_ids)
            .execute(&mut *conn)
            .await?;
    }
    // Temporary tables get no statistics of their own. Without them the planner took the
    // link tables for large and hashed the whole population twice to probe it with them
    // (1.6 s against 1.1 s for the `large` org); analysing their few thousand rows is cheap.
    sqlx::query("ANALYZE camp_holder, camp_owner")
        .execute(&mut *conn)
        .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE TEMP TABLE camp_pop ON COMMIT DROP AS \
         SELECT e.id AS entitlement_id, e.snapshot_id, e.key AS entitlement_key, e.org_id, \
                e.project_id, sp.name AS project_name, e.scope, e.cluster_names, \
                e.database_name, e.collection_name, e.role, e.tier, e.grant_path, \
                e.via_team_id, e.via_mapping_id, e.via_org_role, e.role_actions, \
                p.key AS principal_key, p.kind AS principal_kind, \
                p.display_name AS principal_name, p.username AS principal_username, \
                p.auth_type, greatest(p.last_auth, pu.last_used_at) AS last_used_at, \
                h.person_id AS subject_person_id, o.person_id AS owner_person_id, \
                nullif(concat_ws('+', h.method, \
                    CASE o.method WHEN 'explicit_mapping' THEN 'owner_mapping' \
                                  ELSE o.method END), '') AS link_method, \
                per.name AS person_name, per.email AS person_email, per.title AS person_title, \
                per.department AS person_department, \
                CASE WHEN per.id IS NULL THEN NULL WHEN {LEAVER} THEN 'leaver' \
                     ELSE 'active' END AS person_status, \
                coalesce({LEAVER}, false) AS is_leaver, \
                (h.person_id IS NULL AND o.person_id IS NULL) AS is_orphan, \
                (e.tier = 'admin') AS is_privileged, \
                coalesce(greatest(p.last_auth, pu.last_used_at) \
                         < now() - make_interval(days => $7), false) AS is_dormant, \
                ($6::uuid IS NOT NULL AND prev.id IS NULL) AS is_new, \
                prev.decision AS previous_decision, prev.decided_by_label AS previous_decider \
         FROM entitlement e \
         JOIN principal p ON p.snapshot_id = e.snapshot_id AND p.key = e.principal_key \
         LEFT JOIN principal_usage pu ON pu.org_id = e.org_id AND pu.principal_key = p.key \
         LEFT JOIN snapshot_project sp \
                ON sp.snapshot_id = e.snapshot_id AND sp.project_id = e.project_id \
         LEFT JOIN camp_holder h ON h.snapshot_id = e.snapshot_id AND h.principal_key = p.key \
         LEFT JOIN camp_owner o ON o.snapshot_id = e.snapshot_id AND o.principal_key = p.key \
         LEFT JOIN person per ON per.id = coalesce(h.person_id, o.person_id) \
         LEFT JOIN review_item prev ON prev.campaign_id = $6 AND prev.entitlement_key = e.key \
         WHERE {IN_SCOPE} AND (NOT $5 OR $6::uuid IS NULL OR prev.id IS NULL)",
        LEAVER = "(per.status = 'leaver' OR per.end_date <= current_date OR NOT per.in_roster)",
    )))
    .bind(&population.snapshot_ids)
    .bind(&population.principal_kinds)
    .bind(&population.project_ids)
    .bind(&population.tiers)
    .bind(population.only_new_since_last)
    .bind(population.previous_campaign)
    .bind(population.dormant_after_days)
    .execute(&mut *conn)
    .await?;
    sqlx::query(ROUTE)
        .bind(population.campaign_id)
        .bind(&population.reviewer_rules)
        .execute(&mut *conn)
        .await?;
    // One row per pair: cheap to analyse, and the joins of every item to it need the count.
    sqlx::query("ANALYZE camp_route")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// `camp_pop pop` joined to its routing decision `camp_route r`, for a FROM clause. The pair
/// may hold NULLs (an orphan has neither), so both sides compare through a value no person
/// has, which keeps the join a hash join.
pub const ITEM_ROUTE: &str = "camp_pop pop JOIN camp_route r \
    ON coalesce(r.subject_person_id, '00000000-0000-0000-0000-000000000000') \
       = coalesce(pop.subject_person_id, '00000000-0000-0000-0000-000000000000') \
   AND coalesce(r.owner_person_id, '00000000-0000-0000-0000-000000000000') \
       = coalesce(pop.owner_person_id, '00000000-0000-0000-0000-000000000000')";

/// Routing over `camp_pop`, into `camp_route`: one row per distinct (subject, owner) pair of
/// the population, which is all that routing depends on (19,832 pairs for 356,938 items of
/// the `large` org); [`ITEM_ROUTE`] joins each item to its pair. Binds: $1 campaign id (its
/// fallback reviewers), $2 rule order.
/// Candidates are resolved once per pair, not per item, and
/// the nearest eligible person up each chain is found with one join of all targets against
/// the chain: a per-target lookup would rescan the whole recursive chain for every target,
/// which took minutes on a 10,000-person directory.
const ROUTE: &str = "CREATE TEMP TABLE camp_route ON COMMIT DROP AS \
WITH RECURSIVE pairs AS ( \
    SELECT DISTINCT subject_person_id AS subject, owner_person_id AS owner FROM camp_pop \
), picked AS ( \
    SELECT pr.subject, pr.owner, s.manager_id AS manager, \
           CASE WHEN s.manager_id IS NOT NULL \
                     AND array_position($2::text[], 'manager') IS NOT NULL \
                     AND (pr.owner IS NULL \
                          OR coalesce(array_position($2::text[], 'owner') \
                                      > array_position($2::text[], 'manager'), true)) \
                THEN 'manager' \
                WHEN pr.owner IS NOT NULL \
                     AND array_position($2::text[], 'owner') IS NOT NULL THEN 'owner' \
                ELSE 'fallback' END AS rule \
    FROM pairs pr LEFT JOIN person s ON s.id = pr.subject \
), targets AS ( \
    SELECT row_number() OVER () AS n, subject, owner, rule, \
           CASE rule WHEN 'manager' THEN manager WHEN 'owner' THEN owner END AS start \
    FROM picked \
), chain AS ( \
    SELECT s.start AS start_id, s.start AS person_id, 0 AS depth, ARRAY[s.start] AS path \
    FROM (SELECT DISTINCT start FROM targets WHERE start IS NOT NULL) s \
    UNION ALL \
    SELECT c.start_id, p.manager_id, c.depth + 1, c.path || p.manager_id \
    FROM chain c JOIN person p ON p.id = c.person_id \
    WHERE p.manager_id IS NOT NULL AND NOT p.manager_id = ANY(c.path) \
), eligible AS ( \
    SELECT id FROM person \
    WHERE status = 'active' AND in_roster AND coalesce(end_date > current_date, true) \
), fallbacks AS ( \
    SELECT f.person_id, f.position FROM campaign_fallback_reviewer f \
    JOIN eligible el ON el.id = f.person_id WHERE f.campaign_id = $1 \
), up AS ( \
    SELECT DISTINCT ON (t.n) t.n, c.person_id \
    FROM targets t JOIN chain c ON c.start_id = t.start \
    JOIN eligible el ON el.id = c.person_id \
    WHERE c.person_id IS DISTINCT FROM t.subject \
      AND (t.rule = 'owner' OR c.person_id IS DISTINCT FROM t.owner) \
    ORDER BY t.n, c.depth \
), resolved AS ( \
    SELECT t.*, up.person_id AS chain_reviewer, fb.person_id AS fallback_reviewer, \
           first_fb.person_id AS first_fallback \
    FROM targets t \
    LEFT JOIN up ON up.n = t.n \
    LEFT JOIN LATERAL ( \
        SELECT f.person_id FROM fallbacks f \
        WHERE f.person_id IS DISTINCT FROM t.subject AND f.person_id IS DISTINCT FROM t.owner \
        ORDER BY f.position LIMIT 1) fb ON true \
    LEFT JOIN ( \
        SELECT f.person_id FROM fallbacks f ORDER BY f.position LIMIT 1) first_fb ON true \
), decided AS MATERIALIZED ( \
    SELECT r.rule, r.start, r.subject, r.owner, \
           coalesce(r.chain_reviewer, r.fallback_reviewer) AS reviewer, \
           CASE WHEN r.chain_reviewer IS NOT NULL THEN r.rule ELSE 'fallback' END AS final_rule, \
           coalesce(r.start = r.subject OR (r.rule <> 'owner' AND r.start = r.owner), false) \
             OR (r.chain_reviewer IS NULL AND coalesce(r.first_fallback = r.subject \
                 OR r.first_fallback = r.owner, false)) AS self_moved, \
           CASE r.rule \
             WHEN 'manager' THEN format('Manager of %s <%s>', sj.name, sj.email) \
             WHEN 'owner' THEN format('Owner of this credential: %s <%s>', st.name, st.email) \
             ELSE CASE WHEN r.subject IS NULL AND r.owner IS NULL \
                         THEN 'Orphan: nobody in the directory is linked to this principal' \
                       WHEN r.subject IS NOT NULL \
                         THEN format('%s <%s> has no manager in the directory', \
                                     sj.name, sj.email) \
                       ELSE 'No reviewer rule applies' END \
           END \
           || CASE WHEN r.start IS NOT NULL AND r.chain_reviewer IS DISTINCT FROM r.start THEN \
                format('; %s <%s> %s', st.name, st.email, \
                  CASE WHEN r.start = r.subject THEN 'would be reviewing their own access' \
                       WHEN r.rule <> 'owner' AND r.start = r.owner \
                         THEN 'owns this credential, which makes it their own access' \
                       ELSE 'has left and cannot review' END) \
                || CASE WHEN r.chain_reviewer IS NOT NULL \
                     THEN format(', so it moved up the manager chain to %s <%s>', \
                                 rv.name, rv.email) \
                     ELSE ' and nobody above them can review it' END \
              ELSE '' END \
           || CASE WHEN r.chain_reviewer IS NOT NULL THEN '' \
                   WHEN r.fallback_reviewer IS NULL THEN '; no fallback reviewer can take it' \
                   ELSE format('; fallback reviewer %s <%s>', rv.name, rv.email) \
                     || CASE WHEN r.first_fallback IS DISTINCT FROM r.fallback_reviewer \
                          THEN ' (the first fallback reviewer holds or owns this access)' \
                          ELSE '' END \
              END AS reason \
    FROM resolved r \
    LEFT JOIN person sj ON sj.id = r.subject \
    LEFT JOIN person st ON st.id = r.start \
    LEFT JOIN person rv ON rv.id = coalesce(r.chain_reviewer, r.fallback_reviewer) \
) \
SELECT d.subject AS subject_person_id, d.owner AS owner_person_id, \
       d.reviewer AS reviewer_person_id, d.final_rule AS routing_rule, \
       d.reason AS routing_reason, d.self_moved AS self_review_rerouted \
FROM decided d";
