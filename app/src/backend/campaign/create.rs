//! Creating a draft campaign: every field is checked first and all problems are reported
//! together; nothing is stored unless all of them pass.

use chrono::NaiveDate;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::CampaignError;
use crate::backend::audit::{self, Actor, NewEvent};
use crate::model::campaign::{CampaignDraft, ConnectedOrg};

/// Principal kinds a campaign may cover.
pub const PRINCIPAL_KINDS: [&str; 6] = [
    "atlas_user",
    "database_user",
    "team",
    "api_key",
    "service_account",
    "idp_group",
];
const TIERS: [&str; 3] = ["admin", "write", "read"];
const RULES: [&str; 2] = ["manager", "owner"];

/// Validates `draft` against the directory and the connected orgs and stores it as a draft
/// campaign. `today` is the date due dates are compared with.
pub async fn create_campaign(
    pool: &PgPool,
    actor: &Actor,
    draft: &CampaignDraft,
    today: NaiveDate,
) -> Result<Uuid, CampaignError> {
    let mut tx = pool.begin().await?;
    let id = create_campaign_in(&mut tx, actor, draft, today).await?;
    tx.commit().await?;
    tracing::info!(campaign.id = %id, campaign.name = draft.name.trim(), "campaign draft created");
    Ok(id)
}

/// [`create_campaign`] inside the caller's transaction, for work that must create the draft
/// together with its own records (a scheduled campaign) or only check it (a template).
pub async fn create_campaign_in(
    conn: &mut PgConnection,
    actor: &Actor,
    draft: &CampaignDraft,
    today: NaiveDate,
) -> Result<Uuid, CampaignError> {
    let mut problems = Vec::new();
    let name = draft.name.trim();
    if name.is_empty() {
        problems.push("The name is empty: give the campaign a name.".to_owned());
    }
    let org_ids = cleaned(&draft.org_ids);
    if org_ids.is_empty() {
        problems.push("The scope is empty: choose at least one Atlas organization.".to_owned());
    }
    let kinds = cleaned(&draft.principal_kinds);
    if kinds.is_empty() {
        problems.push(
            "The scope is empty: choose at least one kind of principal (Atlas users, database \
             users, teams, API keys, service accounts)."
                .to_owned(),
        );
    }
    unknown_values(&kinds, &PRINCIPAL_KINDS, "principal kind", &mut problems);
    let tiers = cleaned(&draft.tiers);
    unknown_values(&tiers, &TIERS, "tier", &mut problems);
    let rules = cleaned(&draft.reviewer_rules);
    unknown_values(&rules, &RULES, "reviewer rule", &mut problems);
    if !matches!(draft.undecided_outcome.as_str(), "keep" | "revoke") {
        problems.push(format!(
            "'{}' is not an outcome for undecided items; use keep or revoke.",
            draft.undecided_outcome
        ));
    }
    if !matches!(
        draft.remediation_mode.as_str(),
        "automatic" | "after_approval" | "manual"
    ) {
        problems.push(format!(
            "'{}' is not a remediation mode; use automatic, after_approval or manual.",
            draft.remediation_mode
        ));
    }
    if draft.max_snapshot_age_hours <= 0 {
        problems.push("The maximum snapshot age must be at least one hour.".to_owned());
    }
    let due_date = match NaiveDate::parse_from_str(draft.due_date.trim(), "%Y-%m-%d") {
        Ok(date) if date < today => {
            problems.push(format!(
                "The due date {date} is in the past; choose {today} or later."
            ));
            None
        }
        Ok(date) => Some(date),
        Err(_) => {
            problems.push(format!(
                "The due date '{}' is not a date; use YYYY-MM-DD.",
                draft.due_date
            ));
            None
        }
    };

    let known_orgs: Vec<String> = sqlx::query_scalar("SELECT id FROM atlas_org WHERE id = ANY($1)")
        .bind(&org_ids)
        .fetch_all(&mut *conn)
        .await?;
    for org in org_ids.iter().filter(|o| !known_orgs.contains(o)) {
        problems.push(format!(
            "Organization {org} is not connected to Attest; take a snapshot of it first."
        ));
    }
    let fallback = cleaned(&draft.fallback_reviewers)
        .into_iter()
        .map(|e| e.to_lowercase())
        .collect::<Vec<_>>();
    let people: Vec<(String, Uuid, bool)> = sqlx::query_as(
        "SELECT email, id, (status = 'active' AND in_roster \
                AND coalesce(end_date > current_date, true)) \
         FROM person WHERE email = ANY($1)",
    )
    .bind(&fallback)
    .fetch_all(&mut *conn)
    .await?;
    let mut fallback_ids = Vec::new();
    for email in &fallback {
        match people.iter().find(|(e, _, _)| e == email) {
            None => problems.push(format!(
                "Fallback reviewer {email} is not in the people directory; import them or \
                 choose someone who is."
            )),
            Some((_, _, false)) => problems.push(format!(
                "Fallback reviewer {email} is a leaver and cannot review."
            )),
            Some((_, id, true)) if !fallback_ids.contains(id) => fallback_ids.push(*id),
            Some(_) => {}
        }
    }
    let Some(due_date) = due_date.filter(|_| problems.is_empty()) else {
        return Err(CampaignError::Invalid(problems));
    };

    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO campaign (id, name, description, org_ids, project_ids, principal_kinds, \
             tiers, only_new_since_last, due_date, reviewer_rules, comment_required_on_revoke, \
             comment_required_on_privileged_approve, allow_forwarding, undecided_outcome, \
             remediation_mode, max_snapshot_age_hours, created_by, created_by_label) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
    )
    .bind(id)
    .bind(name)
    .bind(draft.description.trim())
    .bind(&org_ids)
    .bind(cleaned(&draft.project_ids))
    .bind(&kinds)
    .bind(&tiers)
    .bind(draft.only_new_since_last)
    .bind(due_date)
    .bind(&rules)
    .bind(draft.comment_required_on_revoke)
    .bind(draft.comment_required_on_privileged_approve)
    .bind(draft.allow_forwarding)
    .bind(&draft.undecided_outcome)
    .bind(&draft.remediation_mode)
    .bind(draft.max_snapshot_age_hours)
    .bind(actor.user_id())
    .bind(actor.label())
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO campaign_fallback_reviewer (campaign_id, position, person_id) \
         SELECT $1, ord::int, person_id FROM unnest($2::uuid[]) WITH ORDINALITY AS f(person_id, ord)",
    )
    .bind(id)
    .bind(&fallback_ids)
    .execute(&mut *conn)
    .await?;
    audit::record(
        &mut *conn,
        NewEvent {
            actor: actor.clone(),
            action: "campaign.created",
            object_kind: "campaign",
            object_id: id.to_string(),
            details: serde_json::json!({
                "name": name,
                "org_ids": org_ids,
                "principal_kinds": kinds,
                "due_date": due_date.to_string(),
                "fallback_reviewers": fallback,
            }),
        },
    )
    .await?;
    Ok(id)
}

/// The connected Atlas organizations, by name, with their newest complete snapshot.
pub async fn connected_orgs(pool: &PgPool) -> Result<Vec<ConnectedOrg>, CampaignError> {
    let rows: Vec<(String, String, Option<chrono::DateTime<chrono::Utc>>)> = sqlx::query_as(
        "SELECT o.id, o.name, (SELECT max(s.finished_at) FROM snapshot s \
                               WHERE s.org_id = o.id AND s.status = 'complete') \
         FROM atlas_org o ORDER BY o.name, o.id",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, finished)| ConnectedOrg {
            id,
            name,
            last_complete_snapshot: finished.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()),
        })
        .collect())
}

/// Trimmed, non-empty values in their order, without repeats.
fn cleaned(values: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for value in values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
        if !out.iter().any(|o| o == value) {
            out.push(value.to_owned());
        }
    }
    out
}

fn unknown_values(values: &[String], allowed: &[&str], what: &str, problems: &mut Vec<String>) {
    for value in values.iter().filter(|v| !allowed.contains(&v.as_str())) {
        problems.push(format!(
            "'{value}' is not a {what}; use one of {}.",
            allowed.join(", ")
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::cleaned;

    #[test]
    fn cleaning_trims_drops_blanks_and_repeats_and_keeps_order() {
        let values = [" b ", "", "a", "b", "  "].map(String::from);
        assert_eq!(cleaned(&values), ["b", "a"]);
    }
}
