//! Creating, previewing and launching campaigns against real PostgreSQL: routing per rule,
//! self-review judged by person, reconciliation, refusals on bad input and bad snapshots, and
//! the database's own refusal of self-review.

mod campaign_world;

use app::backend::campaign::CampaignError;
use app::backend::campaign::create::create_campaign;
use app::backend::campaign::launch::{launch, preview};
use campaign_world::*;
use sqlx::PgPool;

async fn launched(pool: &PgPool, fallback: &[&str]) -> (uuid::Uuid, Standard) {
    import_people(pool).await;
    let (snapshot, keys) = standard_snapshot();
    snapshot.complete(pool, 1).await;
    let campaign = create(pool, &draft(fallback)).await;
    launch(pool, &admin(), campaign).await.expect("launches");
    (campaign, keys)
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn each_rule_routes_to_the_right_reviewer_and_says_why(pool: PgPool) {
    let (campaign, keys) = launched(&pool, &["fay@corp.test"]).await;

    let (reviewer, rule, reason, moved) = routing(&pool, campaign, &keys.ann).await;
    assert_eq!(
        (reviewer.as_str(), rule.as_str(), moved),
        ("mgr@corp.test", "manager", false)
    );
    assert_eq!(reason, "Manager of Ann Analyst <ann@corp.test>");

    let (reviewer, rule, reason, _) = routing(&pool, campaign, &keys.service).await;
    assert_eq!(
        (reviewer.as_str(), rule.as_str()),
        ("bob@corp.test", "owner")
    );
    assert!(
        reason.starts_with("Owner of this credential: Bob Builder"),
        "{reason}"
    );

    let (reviewer, rule, reason, _) = routing(&pool, campaign, &keys.orphan_key).await;
    assert_eq!(
        (reviewer.as_str(), rule.as_str()),
        ("fay@corp.test", "fallback")
    );
    assert!(
        reason.starts_with("Orphan: nobody in the directory"),
        "{reason}"
    );

    // Judged by person: the Atlas user's email differs in case from the directory's.
    let (reviewer, rule, reason, _) = routing(&pool, campaign, &keys.ceo).await;
    assert_eq!(
        (reviewer.as_str(), rule.as_str()),
        ("fay@corp.test", "fallback")
    );
    assert!(
        reason.contains("Casey Chief <ceo@corp.test> has no manager"),
        "{reason}"
    );

    // Dana's manager has left: the item moves up to the leaver's manager.
    let (reviewer, rule, reason, moved) = routing(&pool, campaign, &keys.dana).await;
    assert_eq!(
        (reviewer.as_str(), rule.as_str(), moved),
        ("mgr@corp.test", "manager", false)
    );
    assert!(
        reason.contains("Lee Left <lee@corp.test> has left"),
        "{reason}"
    );

    let flags: (bool, bool, bool) = sqlx::query_as(
        "SELECT bool_or(is_orphan), bool_or(is_privileged AND principal_key = $2), \
                bool_or(is_leaver) FROM review_item WHERE campaign_id = $1",
    )
    .bind(campaign)
    .bind(&keys.mgr)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(flags, (true, true, false));
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_manager_who_owns_the_database_user_does_not_review_it(pool: PgPool) {
    let (campaign, keys) = launched(&pool, &["fay@corp.test"]).await;

    // Ann's own database user is labelled as owned by Morgan, Ann's manager: Morgan controls
    // it, so the item moves up to Morgan's manager.
    let (reviewer, rule, reason, moved) = routing(&pool, campaign, &keys.ann_db).await;
    assert_eq!(
        (reviewer.as_str(), rule.as_str(), moved),
        ("ceo@corp.test", "manager", true)
    );
    assert!(
        reason.contains("Morgan Manager <mgr@corp.test> owns this credential")
            && reason.contains("moved up the manager chain to Casey Chief"),
        "{reason}"
    );
    // Morgan's own Atlas user goes to Morgan's manager, never to Morgan.
    let (reviewer, ..) = routing(&pool, campaign, &keys.mgr).await;
    assert_eq!(reviewer, "ceo@corp.test");
    let own: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM review_item WHERE campaign_id = $1 \
         AND reviewer_person_id = subject_person_id",
    )
    .bind(campaign)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(own, 0);
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_fallback_reviewer_is_passed_over_for_their_own_access(pool: PgPool) {
    let (campaign, keys) = launched(&pool, &["ceo@corp.test", "fay@corp.test"]).await;

    let (reviewer, rule, reason, moved) = routing(&pool, campaign, &keys.ceo).await;
    assert_eq!(
        (reviewer.as_str(), rule.as_str(), moved),
        ("fay@corp.test", "fallback", true)
    );
    assert!(
        reason.contains("first fallback reviewer holds or owns"),
        "{reason}"
    );
    // The orphan still goes to the first fallback reviewer.
    let (reviewer, ..) = routing(&pool, campaign, &keys.orphan_key).await;
    assert_eq!(reviewer, "ceo@corp.test");
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn the_owner_rule_first_sends_a_self_owned_credential_up_the_chain(pool: PgPool) {
    import_people(&pool).await;
    let mut snapshot = Snapshot::new();
    let own = snapshot.database_user("mgr@corp.test", Some("mgr@corp.test"));
    snapshot.grant(&own, "readWrite@sales", "write");
    snapshot.complete(&pool, 1).await;
    let mut owner_first = draft(&["fay@corp.test"]);
    owner_first.reviewer_rules = vec!["owner".into(), "manager".into()];
    let campaign = create(&pool, &owner_first).await;
    launch(&pool, &admin(), campaign).await.expect("launches");

    let (reviewer, rule, reason, moved) = routing(&pool, campaign, &own).await;
    assert_eq!(
        (reviewer.as_str(), rule.as_str(), moved),
        ("ceo@corp.test", "owner", true)
    );
    assert!(
        reason.contains("would be reviewing their own access"),
        "{reason}"
    );
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn the_database_refuses_self_review_and_self_decision(pool: PgPool) {
    let (campaign, keys) = launched(&pool, &["fay@corp.test"]).await;
    let item = item_id(&pool, campaign, &keys.ann).await;
    let ann = person(&pool, "ann@corp.test").await;

    let routed = sqlx::query("UPDATE review_item SET reviewer_person_id = $2 WHERE id = $1")
        .bind(item)
        .bind(ann)
        .execute(&pool)
        .await;
    let err = routed.expect_err("self-review refused");
    assert_eq!(
        err.as_database_error().and_then(|e| e.constraint()),
        Some("review_item_no_self_review")
    );
    let decided = sqlx::query(
        "INSERT INTO review_decision (item_id, decision, source, decided_by_person_id, \
             decided_by_label) VALUES ($1, 'approve', 'reviewer', $2, 'Ann')",
    )
    .bind(item)
    .bind(ann)
    .execute(&pool)
    .await;
    assert!(
        decided
            .expect_err("self-decision refused")
            .to_string()
            .contains("their own access")
    );
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn launch_reconciles_entitlements_in_scope_with_items_created(pool: PgPool) {
    import_people(&pool).await;
    let (snapshot, _) = standard_snapshot();
    let snapshot_id = snapshot.complete(&pool, 1).await;
    let mut humans_only = draft(&["fay@corp.test"]);
    humans_only.principal_kinds = vec!["atlas_user".into(), "database_user".into()];
    let campaign = create(&pool, &humans_only).await;

    let created = launch(&pool, &admin(), campaign).await.expect("launches");

    let in_scope: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM entitlement e JOIN principal p \
           ON p.snapshot_id = e.snapshot_id AND p.key = e.principal_key \
         WHERE e.snapshot_id = $1 AND p.kind IN ('atlas_user', 'database_user')",
    )
    .bind(snapshot_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((created, in_scope), (7, 7));
    let recorded: (uuid::Uuid, String, i64, i64, String) = sqlx::query_as(
        "SELECT cs.snapshot_id, cs.content_sha256, cs.entitlements_in_scope, cs.items_created, \
                s.content_sha256 \
         FROM campaign_snapshot cs JOIN snapshot s ON s.id = cs.snapshot_id \
         WHERE cs.campaign_id = $1",
    )
    .bind(campaign)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(recorded.0, snapshot_id);
    assert_eq!(recorded.1, recorded.4);
    assert_eq!((recorded.2, recorded.3), (7, 7));
    let status: String = sqlx::query_scalar("SELECT status FROM campaign WHERE id = $1")
        .bind(campaign)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(status, "active");
    // A second launch is refused and adds nothing.
    let again = launch(&pool, &admin(), campaign).await;
    assert!(matches!(again, Err(CampaignError::Conflict(ref m)) if m.contains("active")));
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn preview_shows_the_population_and_creates_nothing(pool: PgPool) {
    import_people(&pool).await;
    let (snapshot, _) = standard_snapshot();
    snapshot.complete(&pool, 1).await;
    let campaign = create(&pool, &draft(&["fay@corp.test"])).await;
    let before = campaign_rows(&pool).await;

    let shown = preview(&pool, campaign).await.expect("previews");

    assert_eq!(campaign_rows(&pool).await, before);
    assert!(shown.blockers.is_empty(), "{:?}", shown.blockers);
    assert_eq!(shown.total_items, 8);
    let kinds: Vec<(&str, i64)> = shown
        .population_by_kind
        .iter()
        .map(|c| (c.label.as_str(), c.count))
        .collect();
    assert_eq!(
        kinds,
        [("api_key", 1), ("atlas_user", 5), ("database_user", 2)]
    );
    assert_eq!(shown.orphans_to_fallback, 1);
    assert_eq!(shown.self_review_total, 1);
    assert!(
        shown.self_review_moves[0]
            .reason
            .contains("owns this credential")
    );
    let fay = shown
        .items_per_reviewer
        .iter()
        .find(|c| c.label.contains("fay@corp.test"))
        .expect("Fay reviews something");
    assert_eq!(fay.count, 2);
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn launch_is_refused_on_a_failed_snapshot_with_the_reason(pool: PgPool) {
    import_people(&pool).await;
    let (old, _) = standard_snapshot();
    old.complete(&pool, 2).await;
    Snapshot::new()
        .fail(&pool, "Atlas answered 500 on page 3 of database users")
        .await;
    let campaign = create(&pool, &draft(&["fay@corp.test"])).await;
    let before = campaign_rows(&pool).await;

    let refused = launch(&pool, &admin(), campaign).await;

    let Err(CampaignError::Conflict(message)) = refused else {
        panic!("expected a refusal: {refused:?}");
    };
    assert!(
        message.contains("failed: Atlas answered 500 on page 3"),
        "{message}"
    );
    assert_eq!(campaign_rows(&pool).await, before);
    let shown = preview(&pool, campaign).await.expect("previews");
    assert!(shown.blockers[0].contains("failed"), "{:?}", shown.blockers);
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn launch_is_refused_on_a_stale_snapshot_with_its_age(pool: PgPool) {
    import_people(&pool).await;
    let (old, _) = standard_snapshot();
    old.complete(&pool, 100).await;
    let campaign = create(&pool, &draft(&["fay@corp.test"])).await;
    let before = campaign_rows(&pool).await;

    let refused = launch(&pool, &admin(), campaign).await;

    let Err(CampaignError::Conflict(message)) = refused else {
        panic!("expected a refusal: {refused:?}");
    };
    assert!(
        message.contains("100 hours ago") && message.contains("limit of 72"),
        "{message}"
    );
    assert_eq!(campaign_rows(&pool).await, before);
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn launch_is_refused_when_an_item_has_no_eligible_reviewer(pool: PgPool) {
    import_people(&pool).await;
    let (snapshot, _) = standard_snapshot();
    snapshot.complete(&pool, 1).await;
    // Casey is the only fallback and cannot review Casey's own access.
    let campaign = create(&pool, &draft(&["ceo@corp.test"])).await;
    let before = campaign_rows(&pool).await;

    let refused = launch(&pool, &admin(), campaign).await;

    let Err(CampaignError::Conflict(message)) = refused else {
        panic!("expected a refusal: {refused:?}");
    };
    assert!(
        message.contains("1 items (for example those of CEO@corp.test)"),
        "{message}"
    );
    assert_eq!(campaign_rows(&pool).await, before);
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn bad_input_is_refused_with_what_and_why_and_nothing_is_created(pool: PgPool) {
    import_people(&pool).await;
    let (snapshot, _) = standard_snapshot();
    snapshot.complete(&pool, 1).await;
    let before = campaign_rows(&pool).await;
    let today = chrono::Utc::now().date_naive();

    type Spoil = Box<dyn Fn(&mut app::model::campaign::CampaignDraft)>;
    let cases: Vec<(Spoil, &str)> = vec![
        (
            Box::new(|d| d.org_ids.clear()),
            "The scope is empty: choose at least one Atlas organization.",
        ),
        (
            Box::new(|d| d.principal_kinds.clear()),
            "choose at least one kind of principal",
        ),
        (
            Box::new(|d| d.due_date = "2020-01-31".into()),
            "The due date 2020-01-31 is in the past",
        ),
        (
            Box::new(|d| d.due_date = "next week".into()),
            "is not a date; use YYYY-MM-DD",
        ),
        (
            Box::new(|d| d.fallback_reviewers = vec!["nobody@corp.test".into()]),
            "Fallback reviewer nobody@corp.test is not in the people directory",
        ),
        (
            Box::new(|d| d.fallback_reviewers = vec!["lee@corp.test".into()]),
            "Fallback reviewer lee@corp.test is a leaver",
        ),
        (
            Box::new(|d| d.org_ids = vec!["ffffffffffffffffffffffff".into()]),
            "is not connected",
        ),
        (Box::new(|d| d.name = "  ".into()), "The name is empty"),
        (
            Box::new(|d| d.undecided_outcome = "maybe".into()),
            "'maybe' is not an outcome",
        ),
    ];
    for (spoil, expected) in cases {
        let mut bad = draft(&["fay@corp.test"]);
        spoil(&mut bad);
        let refused = create_campaign(&pool, &admin(), &bad, today).await;
        let Err(CampaignError::Invalid(problems)) = refused else {
            panic!("expected {expected:?}, got {refused:?}");
        };
        assert!(
            problems.iter().any(|p| p.contains(expected)),
            "{expected:?} in {problems:?}"
        );
    }
    assert_eq!(campaign_rows(&pool).await, before);
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn the_database_keeps_what_review_items_name(pool: PgPool) {
    let (campaign, keys) = launched(&pool, &["fay@corp.test"]).await;
    let item = item_id(&pool, campaign, &keys.ann).await;
    let nobody = uuid::Uuid::new_v4();

    // A reviewer or decider who is not in the directory is refused.
    let routed = sqlx::query("UPDATE review_item SET reviewer_person_id = $2 WHERE id = $1")
        .bind(item)
        .bind(nobody)
        .execute(&pool)
        .await;
    assert!(
        routed
            .expect_err("unknown reviewer refused")
            .to_string()
            .contains("not in the directory")
    );
    let decided = sqlx::query(
        "UPDATE review_item SET decision = 'approve', decided_at = now(), \
             decided_by_person_id = $2 WHERE id = $1",
    )
    .bind(item)
    .bind(nobody)
    .execute(&pool)
    .await;
    assert!(decided.is_err(), "unknown decider accepted");
    // Items of a campaign that does not exist are refused like those of a launched one.
    let orphaned = sqlx::query(
        "INSERT INTO review_item (campaign_id, snapshot_id, entitlement_id, entitlement_key, \
             org_id, scope, cluster_names, role, tier, grant_path, role_actions, principal_key, \
             principal_kind, principal_name, reviewer_person_id, routing_rule, routing_reason, \
             is_leaver, is_orphan, is_privileged, is_dormant, is_new) \
         SELECT $1, snapshot_id, entitlement_id, entitlement_key, org_id, scope, cluster_names, \
             role, tier, grant_path, role_actions, principal_key, principal_kind, \
             principal_name, reviewer_person_id, routing_rule, routing_reason, is_leaver, \
             is_orphan, is_privileged, is_dormant, is_new \
         FROM review_item WHERE id = $2",
    )
    .bind(nobody)
    .bind(item)
    .execute(&pool)
    .await;
    assert!(
        orphaned
            .expect_err("items of no campaign refused")
            .to_string()
            .contains("only while a campaign is launched")
    );

    // People are never deleted, and a frozen snapshot's entitlements stay even inside
    // retention's audited deletion.
    let fay = person(&pool, "fay@corp.test").await;
    let deleted = sqlx::query("DELETE FROM person WHERE id = $1")
        .bind(fay)
        .execute(&pool)
        .await;
    assert!(
        deleted
            .expect_err("person kept")
            .to_string()
            .contains("cannot be deleted")
    );
    let snapshot: uuid::Uuid =
        sqlx::query_scalar("SELECT snapshot_id FROM review_item WHERE id = $1")
            .bind(item)
            .fetch_one(&pool)
            .await
            .unwrap();
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("SELECT set_config('attest.deleting_snapshot', $1, true)")
        .bind(snapshot.to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    let removed = sqlx::query("DELETE FROM entitlement WHERE snapshot_id = $1")
        .bind(snapshot)
        .execute(&mut *tx)
        .await;
    assert!(
        removed
            .expect_err("frozen entitlements kept")
            .to_string()
            .contains("a campaign froze")
    );
}
