//! Previewing and launching a draft campaign.
//!
//! Both pick each org's latest finished snapshot and refuse a failed or stale one with the
//! reason. The preview computes the whole population and routing and rolls it back; the launch
//! does the same work in one transaction, copies it into `review_item` with one
//! `INSERT … SELECT`, reconciles the entitlements in scope against the items created per
//! snapshot, records the frozen snapshots and their content hashes, and commits, or changes
//! nothing.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::route::{self, ITEM_ROUTE, Population};
use super::{CampaignError, lock_status};
use crate::backend::audit::{self, Actor, NewEvent};
use crate::backend::notification::outbox::queue_assignments;
use crate::model::campaign::{CampaignPreview, LabelledCount, Rerouting};

/// The snapshot an org's population is frozen from.
#[derive(Debug, Clone)]
struct Chosen {
    org_id: String,
    snapshot_id: Uuid,
    content_sha256: String,
    finished_at: DateTime<Utc>,
}

/// The campaign's scope resolved to snapshots, or the reasons it cannot be.
async fn resolve(
    conn: &mut PgConnection,
    campaign_id: Uuid,
) -> Result<(Population, Vec<Chosen>, Vec<String>), CampaignError> {
    type Settings = (
        Vec<String>,
        Vec<String>,
        Vec<String>,
        Vec<String>,
        bool,
        Vec<String>,
        i32,
        i32,
    );
    let (orgs, projects, kinds, tiers, only_new, rules, max_age, dormant): Settings =
        sqlx::query_as(
            "SELECT org_ids, project_ids, principal_kinds, tiers, only_new_since_last, \
                    reviewer_rules, max_snapshot_age_hours, dormant_after_days \
             FROM campaign WHERE id = $1",
        )
        .bind(campaign_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(CampaignError::NoCampaign(campaign_id))?;
    type Latest = (
        String,
        Uuid,
        String,
        Option<String>,
        DateTime<Utc>,
        Option<String>,
        f64,
    );
    let latest: Vec<Latest> = sqlx::query_as(
        "SELECT DISTINCT ON (org_id) org_id, id, status, content_sha256, finished_at, error, \
                extract(epoch FROM now() - finished_at)::float8 / 3600 \
         FROM snapshot WHERE org_id = ANY($1) AND status <> 'running' \
         ORDER BY org_id, finished_at DESC",
    )
    .bind(&orgs)
    .fetch_all(&mut *conn)
    .await?;
    let mut chosen = Vec::new();
    let mut blockers = Vec::new();
    for org in &orgs {
        match latest.iter().find(|l| &l.0 == org) {
            None => blockers.push(format!(
                "Organization {org} has no finished snapshot; take a snapshot first."
            )),
            Some((_, id, status, _, finished, error, _)) if status != "complete" => {
                blockers.push(format!(
                    "The latest snapshot of organization {org} ({id}, finished {}) failed: {}; \
                     take a new snapshot before launching.",
                    finished.format("%Y-%m-%d %H:%M UTC"),
                    error.as_deref().unwrap_or("no reason recorded")
                ))
            }
            Some((_, id, _, _, finished, _, age)) if *age > f64::from(max_age) => {
                blockers.push(format!(
                    "The latest snapshot of organization {org} ({id}) finished {} UTC, {age:.0} \
                     hours ago, more than this campaign's limit of {max_age} hours; take a new \
                     snapshot before launching.",
                    finished.format("%Y-%m-%d %H:%M")
                ))
            }
            Some((_, id, _, hash, finished, _, _)) => chosen.push(Chosen {
                org_id: org.clone(),
                snapshot_id: *id,
                content_sha256: hash.clone().unwrap_or_default(),
                finished_at: *finished,
            }),
        }
    }
    let previous: Option<Uuid> = sqlx::query_scalar(
        "SELECT id FROM campaign WHERE id <> $1 AND status <> 'draft' AND org_ids && $2 \
         ORDER BY launched_at DESC LIMIT 1",
    )
    .bind(campaign_id)
    .bind(&orgs)
    .fetch_optional(&mut *conn)
    .await?;
    let population = Population {
        campaign_id,
        snapshot_ids: chosen.iter().map(|c| c.snapshot_id).collect(),
        principal_kinds: kinds,
        project_ids: projects,
        tiers,
        only_new_since_last: only_new,
        previous_campaign: previous,
        dormant_after_days: dormant,
        reviewer_rules: rules,
    };
    Ok((population, chosen, blockers))
}

/// What launching `campaign_id` now would create. Changes nothing.
pub async fn preview(pool: &PgPool, campaign_id: Uuid) -> Result<CampaignPreview, CampaignError> {
    let mut tx = pool.begin().await?;
    let (population, chosen, blockers) = resolve(&mut tx, campaign_id).await?;
    let mut preview = CampaignPreview {
        snapshots: chosen
            .iter()
            .map(|c| {
                format!(
                    "Organization {}: snapshot {} finished {} (content SHA-256 {})",
                    c.org_id,
                    c.snapshot_id,
                    c.finished_at.format("%Y-%m-%d %H:%M UTC"),
                    c.content_sha256
                )
            })
            .collect(),
        blockers,
        ..CampaignPreview::default()
    };
    if !preview.blockers.is_empty() {
        return Ok(preview);
    }
    route::build(&mut tx, &population).await?;
    preview.population_by_kind = counts(
        &mut tx,
        "SELECT principal_kind, count(*) FROM camp_pop GROUP BY 1 ORDER BY 1".to_owned(),
    )
    .await?;
    preview.items_per_reviewer = counts(
        &mut tx,
        format!(
            "SELECT coalesce(format('%s <%s>', p.name, p.email), '(nobody)'), count(*) \
             FROM {ITEM_ROUTE} LEFT JOIN person p ON p.id = r.reviewer_person_id \
             GROUP BY 1 ORDER BY 2 DESC, 1"
        ),
    )
    .await?;
    preview.items_by_rule = counts(
        &mut tx,
        format!("SELECT r.routing_rule, count(*) FROM {ITEM_ROUTE} GROUP BY 1 ORDER BY 1"),
    )
    .await?;
    preview.total_items = preview.population_by_kind.iter().map(|c| c.count).sum();
    let (orphans, leavers, privileged, dormant, self_total): (i64, i64, i64, i64, i64) =
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT count(*) FILTER (WHERE pop.is_orphan AND r.reviewer_person_id IS NOT NULL), \
                    count(*) FILTER (WHERE pop.is_leaver), \
                    count(*) FILTER (WHERE pop.is_privileged), \
                    count(*) FILTER (WHERE pop.is_dormant), \
                    count(*) FILTER (WHERE r.self_review_rerouted) \
             FROM {ITEM_ROUTE}"
        )))
        .fetch_one(&mut *tx)
        .await?;
    preview.orphans_to_fallback = orphans;
    preview.self_review_total = self_total;
    let moves: Vec<(String, String, Option<String>, String)> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT pop.principal_name, pop.entitlement_key, \
                    format('%s <%s>', p.name, p.email), r.routing_reason \
             FROM {ITEM_ROUTE} LEFT JOIN person p ON p.id = r.reviewer_person_id \
             WHERE r.self_review_rerouted ORDER BY pop.entitlement_key LIMIT 100"
        )))
        .fetch_all(&mut *tx)
        .await?;
    preview.self_review_moves = moves
        .into_iter()
        .map(|(principal, entitlement_key, reviewer, reason)| Rerouting {
            principal,
            entitlement_key,
            reviewer: reviewer.unwrap_or_else(|| "(nobody)".into()),
            reason,
        })
        .collect();
    preview.blockers = population_blockers(&mut tx).await?;
    if leavers > 0 {
        preview.warnings.push(format!(
            "{leavers} items belong to leavers; reviewers see them flagged with a recommendation \
             to revoke."
        ));
    }
    if orphans > 0 {
        preview.warnings.push(format!(
            "{orphans} items have nobody linked to their principal (orphans) and go to the \
             fallback reviewers."
        ));
    }
    if privileged > 0 {
        preview.warnings.push(format!(
            "{privileged} items are privileged (admin tier); they are never bulk-approved \
             silently."
        ));
    }
    if dormant > 0 {
        preview.warnings.push(format!(
            "{dormant} items have not been used recently (dormant)."
        ));
    }
    if population.only_new_since_last && population.previous_campaign.is_none() {
        preview.warnings.push(
            "No earlier campaign covers these organizations, so 'only new since the last \
             campaign' includes everything."
                .into(),
        );
    }
    tx.rollback().await?;
    Ok(preview)
}

/// Reasons the routed population cannot be launched: nothing in scope, or items nobody may
/// review.
async fn population_blockers(conn: &mut PgConnection) -> Result<Vec<String>, sqlx::Error> {
    let (total, unroutable, example): (i64, i64, Option<String>) =
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT count(*), count(*) FILTER (WHERE r.reviewer_person_id IS NULL), \
                    min(pop.principal_name) FILTER (WHERE r.reviewer_person_id IS NULL) \
             FROM {ITEM_ROUTE}"
        )))
        .fetch_one(conn)
        .await?;
    let mut blockers = Vec::new();
    if total == 0 {
        blockers.push(
            "The scope matches no entitlements in the chosen snapshots, so there is nothing to \
             review; widen the scope."
                .to_owned(),
        );
    }
    if unroutable > 0 {
        blockers.push(format!(
            "{unroutable} items (for example those of {}) have no eligible reviewer: no rule \
             applies and no fallback reviewer may take them; add a fallback reviewer who does \
             not hold this access.",
            example.unwrap_or_default()
        ));
    }
    Ok(blockers)
}

async fn counts(conn: &mut PgConnection, sql: String) -> Result<Vec<LabelledCount>, sqlx::Error> {
    let rows: Vec<(String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(label, count)| LabelledCount { label, count })
        .collect())
}

/// Launches draft `campaign_id`: freezes the population and routes it, in one transaction.
/// Returns the number of items created.
pub async fn launch(pool: &PgPool, actor: &Actor, campaign_id: Uuid) -> Result<i64, CampaignError> {
    let started = std::time::Instant::now();
    let mut tx = pool.begin().await?;
    let status = lock_status(&mut tx, campaign_id).await?;
    if status != "draft" {
        return Err(CampaignError::Conflict(format!(
            "This campaign is {status}; only a draft can be launched."
        )));
    }
    let mut phases = Phases::start();
    let (population, chosen, mut blockers) = resolve(&mut tx, campaign_id).await?;
    phases.mark("resolve");
    if blockers.is_empty() {
        route::build(&mut tx, &population).await?;
        phases.mark("route");
        blockers = population_blockers(&mut tx).await?;
    }
    if !blockers.is_empty() {
        return Err(CampaignError::Conflict(format!(
            "The campaign was not launched. {}",
            blockers.join(" ")
        )));
    }
    let in_scope = route::count_in_scope(&mut tx, &population).await?;
    phases.mark("check");
    let created: Vec<(Uuid, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "WITH ins AS ( \
           INSERT INTO review_item (campaign_id, snapshot_id, entitlement_id, entitlement_key, \
               org_id, project_id, project_name, scope, cluster_names, database_name, \
               collection_name, role, tier, grant_path, via_team_id, via_mapping_id, \
               via_org_role, role_actions, principal_key, principal_kind, principal_name, \
               principal_username, auth_type, last_used_at, subject_person_id, owner_person_id, \
               link_method, person_name, person_email, person_title, person_department, \
               person_status, reviewer_person_id, routing_rule, routing_reason, \
               self_review_rerouted, is_leaver, is_orphan, is_privileged, is_dormant, is_new, \
               previous_decision, previous_decider) \
           SELECT $1, pop.snapshot_id, pop.entitlement_id, pop.entitlement_key, pop.org_id, \
               pop.project_id, pop.project_name, pop.scope, pop.cluster_names, \
               pop.database_name, pop.collection_name, pop.role, pop.tier, pop.grant_path, \
               pop.via_team_id, pop.via_mapping_id, pop.via_org_role, pop.role_actions, \
               pop.principal_key, pop.principal_kind, pop.principal_name, \
               pop.principal_username, pop.auth_type, pop.last_used_at, \
               pop.subject_person_id, pop.owner_person_id, pop.link_method, pop.person_name, \
               pop.person_email, pop.person_title, pop.person_department, pop.person_status, \
               r.reviewer_person_id, r.routing_rule, r.routing_reason, r.self_review_rerouted, \
               pop.is_leaver, pop.is_orphan, pop.is_privileged, pop.is_dormant, pop.is_new, \
               pop.previous_decision, pop.previous_decider \
           FROM {ITEM_ROUTE} \
           RETURNING snapshot_id) \
         SELECT snapshot_id, count(*) FROM ins GROUP BY snapshot_id"
    )))
    .bind(campaign_id)
    .fetch_all(&mut *tx)
    .await?;
    phases.mark("insert");
    let mut reconciliation = Vec::new();
    for snapshot in &chosen {
        let count_of = |rows: &[(Uuid, i64)]| {
            rows.iter()
                .find(|(id, _)| *id == snapshot.snapshot_id)
                .map_or(0, |(_, n)| *n)
        };
        let (scope_count, item_count) = (count_of(&in_scope), count_of(&created));
        if scope_count != item_count {
            tracing::error!(campaign.id = %campaign_id, snapshot.id = %snapshot.snapshot_id,
                in_scope = scope_count, items = item_count, "campaign reconciliation failed");
            return Err(CampaignError::Conflict(format!(
                "The campaign was not launched: organization {} has {scope_count} entitlements \
                 in scope but {item_count} review items would be created.",
                snapshot.org_id
            )));
        }
        sqlx::query(
            "INSERT INTO campaign_snapshot (campaign_id, org_id, snapshot_id, content_sha256, \
                 snapshot_finished_at, entitlements_in_scope, items_created) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(campaign_id)
        .bind(&snapshot.org_id)
        .bind(snapshot.snapshot_id)
        .bind(&snapshot.content_sha256)
        .bind(snapshot.finished_at)
        .bind(scope_count)
        .bind(item_count)
        .execute(&mut *tx)
        .await?;
        reconciliation.push(serde_json::json!({
            "org_id": snapshot.org_id,
            "snapshot_id": snapshot.snapshot_id,
            "content_sha256": snapshot.content_sha256,
            "entitlements_in_scope": scope_count,
            "items_created": item_count,
        }));
    }
    let total: i64 = created.iter().map(|(_, n)| n).sum();
    sqlx::query(
        "UPDATE campaign SET status = 'active', launched_at = now(), launched_by = $2, \
             previous_campaign_id = $3 WHERE id = $1",
    )
    .bind(campaign_id)
    .bind(actor.user_id())
    .bind(population.previous_campaign)
    .execute(&mut *tx)
    .await?;
    // Each reviewer's assignment email is queued with the launch, so it is sent if and only
    // if the launch commits.
    let emails_queued = queue_assignments(&mut tx, campaign_id).await?;
    phases.mark("emails");
    audit::record(
        &mut tx,
        NewEvent {
            actor: actor.clone(),
            action: "campaign.launched",
            object_kind: "campaign",
            object_id: campaign_id.to_string(),
            details: serde_json::json!({
                "items": total,
                "snapshots": reconciliation,
                "previous_campaign": population.previous_campaign,
                "emails_queued": emails_queued,
            }),
        },
    )
    .await?;
    tx.commit().await?;
    phases.mark("commit");
    tracing::info!(campaign.id = %campaign_id, items = total,
        duration_ms = started.elapsed().as_millis() as u64, phases = %phases,
        "campaign launched");
    Ok(total)
}

/// Milliseconds spent in each named step of a launch, for the log line that reports it: a slow
/// launch of a large population says where its time went.
struct Phases {
    last: std::time::Instant,
    spent: Vec<(&'static str, u128)>,
}

impl Phases {
    fn start() -> Self {
        Self {
            last: std::time::Instant::now(),
            spent: Vec::new(),
        }
    }

    /// Ends the step called `name`, which began at the previous mark.
    fn mark(&mut self, name: &'static str) {
        let now = std::time::Instant::now();
        self.spent.push((name, (now - self.last).as_millis()));
        self.last = now;
    }
}

impl std::fmt::Display for Phases {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, (name, ms)) in self.spent.iter().enumerate() {
            let sep = if i == 0 { "" } else { " " };
            write!(f, "{sep}{name}={ms}ms")?;
        }
        Ok(())
    }
}
