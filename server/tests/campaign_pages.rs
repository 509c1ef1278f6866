//! The campaign and review pages without JavaScript, through the full router: plain form posts
//! come back to the page they were sent from with what happened (or what was refused and
//! why) in the address, and the pages render it. Also the queries behind the dashboard and
//! the queue's filters.

mod campaign_world;
mod common;

use app::backend::audit::Actor;
use app::backend::campaign::CampaignError;
use app::backend::campaign::decide::decide;
use app::backend::campaign::launch::launch;
use app::backend::campaign::queue::{my_queue, my_queue_paged};
use app::error::AppError;
use app::model::campaign::{CampaignDetail, CampaignItems, QueueFilter};
use campaign_world::*;
use common::{Browser, Reply, demo_config, router};
use sqlx::PgPool;
use uuid::Uuid;

const HOST: &str = "http://127.0.0.1:3000";

/// Posts `fields` to `path` as a browser without JavaScript does from page `from`.
async fn post_from_page(
    browser: &mut Browser,
    from: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> Reply {
    let referer = format!("{HOST}{from}");
    browser
        .post_form_with(
            path,
            fields,
            &[
                ("sec-fetch-site", "same-origin"),
                ("accept", "text/html,application/xhtml+xml"),
                ("referer", &referer),
            ],
        )
        .await
}

/// The path and query of a redirect target, absolute or not.
fn target(reply: &Reply) -> String {
    assert_eq!(
        reply.status.as_u16(),
        302,
        "a form post redirects: {}",
        reply.body
    );
    reply.location().trim_start_matches(HOST).to_owned()
}

async fn launched(pool: &PgPool) -> (Uuid, Standard) {
    import_people(pool).await;
    let (snapshot, keys) = standard_snapshot();
    snapshot.complete(pool, 1).await;
    let campaign = create(pool, &draft(&["fay@corp.test"])).await;
    launch(pool, &admin(), campaign).await.expect("launches");
    (campaign, keys)
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_refused_create_form_comes_back_with_every_problem_and_what_was_typed(pool: PgPool) {
    import_people(&pool).await;
    let mut admin = Browser::signed_in_as(&router(&pool, demo_config()), "admin").await;
    let before = campaign_rows(&pool).await;

    let reply = post_from_page(
        &mut admin,
        "/campaigns/new",
        "/api/create_campaign",
        &[
            ("form[name]", "Q4 review"),
            ("form[org_ids]", ORG),
            ("form[kind_atlas_user]", "on"),
            ("form[due_date]", "2020-01-01"),
            ("form[fallback_reviewers]", "nobody@corp.test"),
            ("form[undecided_outcome]", "keep"),
            ("form[remediation_mode]", "manual"),
        ],
    )
    .await;
    let back = target(&reply);
    assert!(
        back.starts_with("/campaigns/new?filled=1&name=Q4%20review"),
        "{back}"
    );
    assert_eq!(campaign_rows(&pool).await, before, "nothing half-created");

    let page = admin.get(&back).await;
    assert!(
        page.body.contains("The campaign was not created"),
        "{}",
        page.body
    );
    assert!(page.body.contains("The due date 2020-01-01 is in the past"));
    assert!(
        page.body
            .contains("nobody@corp.test is not in the people directory")
    );
    assert!(
        page.body.contains(r#"value="Q4 review""#),
        "the name is kept"
    );
    assert!(
        page.body.contains(r#"name="form[kind_team]" value="on">"#),
        "an unticked kind stays unticked"
    );
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_reviewer_decides_in_bulk_and_submits_with_plain_forms(pool: PgPool) {
    let (campaign, keys) = launched(&pool).await;
    let mut reviewer = Browser::signed_in_as(&router(&pool, demo_config()), "reviewer").await;
    let ritas = item_id(&pool, campaign, &keys.rita).await.to_string();

    let queue = reviewer.get("/reviews").await;
    assert!(queue.body.contains("Rita Report"), "{}", queue.body);
    assert!(queue.body.contains("If revoked: "));
    assert!(queue.body.contains("Comment (required to revoke)"));

    let refused = post_from_page(
        &mut reviewer,
        "/reviews?sort=risk",
        "/api/decide_item",
        &[("item_id", &ritas), ("decision", "revoke"), ("comment", "")],
    )
    .await;
    let back = target(&refused);
    assert!(
        back.contains("sort=risk") && back.contains("__err="),
        "{back}"
    );
    let page = reviewer.get(&back).await;
    assert!(
        page.body.contains("A comment is required to revoke"),
        "{}",
        page.body
    );

    let field = format!("item_ids[{ritas}]");
    let bulk = post_from_page(
        &mut reviewer,
        "/reviews",
        "/api/decide_items",
        &[(&field, &ritas), ("decision", "approve")],
    )
    .await;
    let back = target(&bulk);
    assert!(back.contains("bulk_decided=1&bulk_skipped=0"), "{back}");
    assert!(
        reviewer
            .get(&back)
            .await
            .body
            .contains("Approved 1 items in bulk.")
    );

    let id = campaign.to_string();
    let submitted = post_from_page(
        &mut reviewer,
        "/reviews",
        "/api/submit_reviews",
        &[("campaign_id", &id)],
    )
    .await;
    let back = target(&submitted);
    assert!(back.contains("submitted=1"), "{back}");
    let page = reviewer.get(&back).await;
    assert!(
        page.body.contains("Submitted 1 decisions."),
        "{}",
        page.body
    );
    assert!(page.body.contains("Submitted: approve"));
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn the_dashboard_counts_decisions_and_lists_items_by_reviewer(pool: PgPool) {
    let (campaign, keys) = launched(&pool).await;
    let router = router(&pool, demo_config());
    let mut reviewer = Browser::signed_in_as(&router, "reviewer").await;
    let mut auditor = Browser::signed_in_as(&router, "auditor").await;
    let ritas = item_id(&pool, campaign, &keys.rita).await.to_string();
    let id = campaign.to_string();

    let field = format!("item_ids[{ritas}]");
    reviewer
        .call::<serde_json::Value>(
            "decide_items",
            &[
                (&field, &ritas),
                ("decision", "revoke"),
                ("comment", "Moved on"),
            ],
        )
        .await
        .expect("decides");

    let detail: CampaignDetail = auditor
        .call("get_campaign", &[("campaign_id", &id)])
        .await
        .expect("an auditor reads");
    assert_eq!(
        (
            detail.stats.decided,
            detail.stats.revoked,
            detail.stats.approval_percent
        ),
        (1, 1, Some(0))
    );
    assert_eq!(detail.stats.bulk_percent, Some(100));
    assert!(detail.reviewers.iter().all(|r| !r.overdue), "not yet due");

    let items: CampaignItems = auditor
        .call(
            "list_campaign_items",
            &[
                ("campaign_id", &id),
                ("reviewer", "RILEY.reviewer@demo.attest"),
            ],
        )
        .await
        .expect("an auditor lists");
    assert_eq!(items.total, 1);
    assert_eq!(items.items[0].decision.as_deref(), Some("revoke"));
    let refused: Result<CampaignItems, AppError> = reviewer
        .call("list_campaign_items", &[("campaign_id", &id)])
        .await;
    assert_eq!(refused, Err(AppError::Forbidden));
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn the_queue_filters_by_tier_and_risk_and_names_a_bad_sort(pool: PgPool) {
    let (_campaign, _keys) = launched(&pool).await;
    let morgan = Some("mgr@corp.test");
    let all = my_queue(&pool, morgan, &QueueFilter::default())
        .await
        .unwrap();
    assert_eq!(all.campaigns.len(), 1);
    assert_eq!(all.campaigns[0].items, all.total);

    let write = QueueFilter {
        tier: Some("write".into()),
        sort: Some("risk".into()),
        ..QueueFilter::default()
    };
    let write = my_queue(&pool, morgan, &write).await.unwrap();
    assert!(!write.items.is_empty());
    assert!(write.items.iter().all(|i| i.tier == "write"));

    let privileged = QueueFilter {
        flag: Some("privileged".into()),
        ..QueueFilter::default()
    };
    let privileged = my_queue(&pool, morgan, &privileged).await.unwrap();
    assert!(privileged.items.iter().all(|i| i.is_privileged));
    assert!(privileged.items.len() < all.items.len());

    let bad = QueueFilter {
        sort: Some("mood".into()),
        ..QueueFilter::default()
    };
    let refused = my_queue(&pool, morgan, &bad).await;
    assert!(matches!(refused, Err(CampaignError::Invalid(ref m)) if m[0].contains("'mood'")));
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn the_queue_pages_through_every_item_once_in_order(pool: PgPool) {
    let (_campaign, _keys) = launched(&pool).await;
    let morgan = Some("mgr@corp.test");
    let whole = my_queue(&pool, morgan, &QueueFilter::default())
        .await
        .unwrap();
    assert!(!whole.truncated);
    assert!(
        whole.items.len() >= 2,
        "the world gives Morgan several items"
    );
    let expected: Vec<i64> = whole.items.iter().map(|i| i.id).collect();

    let mut seen = Vec::new();
    for page in 1.. {
        let filter = QueueFilter {
            page: Some(page),
            ..QueueFilter::default()
        };
        let queue = my_queue_paged(&pool, morgan, &filter, 1).await.unwrap();
        assert_eq!((queue.page, queue.page_size), (page, 1));
        assert!(queue.items.len() <= 1);
        seen.extend(queue.items.iter().map(|i| i.id));
        if !queue.truncated {
            break;
        }
        assert_eq!(queue.items.len(), 1, "a page before the last is full");
    }
    assert_eq!(
        seen, expected,
        "pages join up to the whole queue, in its order"
    );
    // The totals are the reviewer's, whatever the page.
    let last = QueueFilter {
        page: Some(99),
        ..QueueFilter::default()
    };
    let beyond = my_queue_paged(&pool, morgan, &last, 1).await.unwrap();
    assert!(beyond.items.is_empty() && !beyond.truncated);
    assert_eq!(beyond.total, whole.total);

    let zero = QueueFilter {
        page: Some(0),
        ..QueueFilter::default()
    };
    let refused = my_queue(&pool, morgan, &zero).await;
    assert!(matches!(refused, Err(CampaignError::Invalid(ref m)) if m[0].contains("Page 0")));
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn the_queue_filters_by_words_state_and_campaign(pool: PgPool) {
    let (campaign, _keys) = launched(&pool).await;
    let morgan = Some("mgr@corp.test");
    let all = my_queue(&pool, morgan, &QueueFilter::default())
        .await
        .unwrap();
    let queue = |filter: QueueFilter| {
        let pool = pool.clone();
        async move { my_queue(&pool, morgan, &filter).await.unwrap() }
    };

    // Words match case-insensitively, in the person, principal, project or role.
    let term = all.items[0].principal_name.to_uppercase();
    let found = queue(QueueFilter {
        search: Some(term.clone()),
        ..QueueFilter::default()
    })
    .await;
    assert!(!found.items.is_empty());
    assert!(found.items.len() <= all.items.len());
    let lower = term.to_lowercase();
    assert!(found.items.iter().all(|i| {
        [
            i.person_name.clone().unwrap_or_default(),
            i.principal_name.clone(),
            i.project.clone().unwrap_or_default(),
            i.role.clone(),
        ]
        .iter()
        .any(|text| text.to_lowercase().contains(&lower))
    }));
    // LIKE's wildcards are plain characters in a search.
    let wildcard = queue(QueueFilter {
        search: Some("%_%".into()),
        ..QueueFilter::default()
    })
    .await;
    assert!(wildcard.items.is_empty());

    // One decided item moves from "open" to "decided", then to "submitted".
    let item = all.items[0].id;
    decide(&pool, &Actor::System("morgan"), morgan, item, "approve", "")
        .await
        .unwrap();
    let state = |state: &str| QueueFilter {
        state: Some(state.into()),
        ..QueueFilter::default()
    };
    let open = queue(state("open")).await;
    assert_eq!(open.items.len(), all.items.len() - 1);
    assert!(open.items.iter().all(|i| i.id != item));
    let decided = queue(state("decided")).await;
    assert_eq!(
        decided.items.iter().map(|i| i.id).collect::<Vec<_>>(),
        [item]
    );
    assert!(queue(state("submitted")).await.items.is_empty());
    let refused = my_queue(&pool, morgan, &state("maybe")).await;
    assert!(matches!(refused, Err(CampaignError::Invalid(ref m)) if m[0].contains("'maybe'")));

    // A campaign filter keeps that campaign's items, and an unknown campaign has none.
    let mine = queue(QueueFilter {
        campaign: Some(campaign),
        ..QueueFilter::default()
    })
    .await;
    assert_eq!(mine.items.len(), all.items.len());
    let other = queue(QueueFilter {
        campaign: Some(Uuid::new_v4()),
        ..QueueFilter::default()
    })
    .await;
    assert!(other.items.is_empty());
    assert_eq!(other.total, 0);
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn the_reviews_page_says_where_a_page_lies_and_refuses_page_zero(pool: PgPool) {
    let (_campaign, _keys) = launched(&pool).await;
    let mut reviewer = Browser::signed_in_as(&router(&pool, demo_config()), "reviewer").await;

    // The whole queue fits on the first page: no pager.
    let first = reviewer.get("/reviews").await;
    assert!(first.body.contains("Rita Report"), "{}", first.body);
    assert!(!first.body.contains(r#"aria-label="Pages""#));

    // Past the end: said so, with a way back and the filters kept.
    let beyond = reviewer.get("/reviews?tier=write&page=3").await;
    assert!(
        beyond
            .body
            .contains("No items on page 3; the queue ends on an earlier page."),
        "{}",
        beyond.body
    );
    assert!(
        beyond
            .body
            .contains(r#"href="/reviews?tier=write&amp;page=2""#)
    );
    assert!(!beyond.body.contains(r#"rel="next""#));

    let zero = reviewer.get("/reviews?page=0").await;
    assert!(
        zero.body
            .contains("Page 0 is not a page number; pages start at 1."),
        "{}",
        zero.body
    );
}
