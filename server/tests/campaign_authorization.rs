//! Who may do what with campaigns and review items, by direct server-function calls through
//! the full router: admins manage, auditors read and change nothing, a reviewer reads and
//! decides only their own items, strangers nothing. Every refusal changes nothing.

mod campaign_world;
mod common;

use app::error::AppError;
use app::model::campaign::{
    BulkOutcome, CampaignDetail, CampaignPreview, CampaignSummary, ReviewItemView, ReviewQueue,
};
use campaign_world::*;
use common::{Browser, demo_config, router};
use sqlx::PgPool;
use uuid::Uuid;

struct Cast {
    admin: Browser,
    reviewer: Browser,
    auditor: Browser,
    anonymous: Browser,
}

async fn cast(pool: &PgPool) -> Cast {
    let router = router(pool, demo_config());
    Cast {
        admin: Browser::signed_in_as(&router, "admin").await,
        reviewer: Browser::signed_in_as(&router, "reviewer").await,
        auditor: Browser::signed_in_as(&router, "auditor").await,
        anonymous: Browser::new(&router),
    }
}

/// The create form as the page posts it.
async fn create_through_form(browser: &mut Browser) -> Result<Uuid, AppError> {
    let due = (chrono::Utc::now().date_naive() + chrono::Days::new(7)).to_string();
    browser
        .call(
            "create_campaign",
            &[
                ("form[name]", "Q4 review"),
                ("form[org_ids]", ORG),
                ("form[kind_atlas_user]", "on"),
                ("form[kind_database_user]", "on"),
                ("form[kind_api_key]", "on"),
                ("form[due_date]", &due),
                ("form[reviewer_rules]", "manager,owner"),
                ("form[comment_required_on_revoke]", "on"),
                ("form[comment_required_on_privileged_approve]", "on"),
                ("form[allow_forwarding]", "on"),
                ("form[undecided_outcome]", "keep"),
                ("form[remediation_mode]", "after_approval"),
                ("form[fallback_reviewers]", "fay@corp.test"),
                ("form[max_snapshot_age_hours]", "72"),
            ],
        )
        .await
}

async fn launched(pool: &PgPool, cast: &mut Cast) -> (Uuid, Standard) {
    import_people(pool).await;
    let (snapshot, keys) = standard_snapshot();
    snapshot.complete(pool, 1).await;
    let campaign = create_through_form(&mut cast.admin)
        .await
        .expect("an admin creates");
    let id = campaign.to_string();
    let preview: CampaignPreview = cast
        .admin
        .call("preview_campaign", &[("campaign_id", &id)])
        .await
        .expect("an admin previews");
    assert_eq!(preview.total_items, 8);
    let created: i64 = cast
        .admin
        .call("launch_campaign", &[("campaign_id", &id)])
        .await
        .expect("an admin launches");
    assert_eq!(created, 8);
    (campaign, keys)
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_reviewer_reads_and_decides_only_their_own_items(pool: PgPool) {
    let mut cast = cast(&pool).await;
    let (campaign, keys) = launched(&pool, &mut cast).await;
    let ritas = item_id(&pool, campaign, &keys.rita).await.to_string();
    let anns = item_id(&pool, campaign, &keys.ann).await.to_string();

    let queue: ReviewQueue = cast
        .reviewer
        .call("list_my_items", &[])
        .await
        .expect("own queue");
    let ids: Vec<String> = queue.items.iter().map(|i| i.id.to_string()).collect();
    assert_eq!(ids, std::slice::from_ref(&ritas));

    let read: Result<ReviewItemView, _> = cast
        .reviewer
        .call("get_my_item", &[("item_id", &anns)])
        .await;
    assert_eq!(read, Err(AppError::Forbidden));
    let before = campaign_rows(&pool).await;
    let decided: Result<(), _> = cast
        .reviewer
        .call(
            "decide_item",
            &[("item_id", &anns), ("decision", "approve")],
        )
        .await;
    assert_eq!(decided, Err(AppError::Forbidden));
    let bulk: Result<BulkOutcome, _> = cast
        .reviewer
        .call(
            "decide_items",
            &[
                ("item_ids[0]", &ritas),
                ("item_ids[1]", &anns),
                ("decision", "approve"),
            ],
        )
        .await;
    assert_eq!(bulk, Err(AppError::Forbidden));
    let forwarded: Result<i64, _> = cast
        .reviewer
        .call(
            "forward_item",
            &[
                ("item_id", &anns),
                ("to_email", "fay@corp.test"),
                ("reason", "x"),
            ],
        )
        .await;
    assert_eq!(forwarded, Err(AppError::Forbidden));
    assert_eq!(campaign_rows(&pool).await, before);

    let () = cast
        .reviewer
        .call(
            "decide_item",
            &[("item_id", &ritas), ("decision", "approve")],
        )
        .await
        .expect("own item");
    let missing_comment: Result<(), _> = cast
        .reviewer
        .call(
            "decide_item",
            &[("item_id", &ritas), ("decision", "revoke")],
        )
        .await;
    assert!(matches!(missing_comment, Err(AppError::Invalid(ref m)) if m.contains("comment")));
    let submitted: i64 = cast
        .reviewer
        .call("submit_reviews", &[("campaign_id", &campaign.to_string())])
        .await
        .expect("own submission");
    assert_eq!(submitted, 1);
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn reviewers_cannot_manage_campaigns(pool: PgPool) {
    let mut cast = cast(&pool).await;
    let (campaign, keys) = launched(&pool, &mut cast).await;
    let id = campaign.to_string();
    let anns = item_id(&pool, campaign, &keys.ann).await.to_string();
    let before = campaign_rows(&pool).await;

    let r = &mut cast.reviewer;
    assert_eq!(
        r.call::<Vec<CampaignSummary>>("list_campaigns", &[]).await,
        Err(AppError::Forbidden)
    );
    assert_eq!(
        r.call::<CampaignDetail>("get_campaign", &[("campaign_id", &id)])
            .await,
        Err(AppError::Forbidden)
    );
    assert_eq!(create_through_form(r).await, Err(AppError::Forbidden));
    assert_eq!(
        r.call::<i64>("launch_campaign", &[("campaign_id", &id)])
            .await,
        Err(AppError::Forbidden)
    );
    assert_eq!(
        r.call::<i64>("close_campaign", &[("campaign_id", &id)])
            .await,
        Err(AppError::Forbidden)
    );
    assert_eq!(
        r.call::<i64>(
            "reassign_items",
            &[
                ("item_ids[0]", &anns),
                ("to_email", "riley.reviewer@demo.attest"),
                ("reason", "mine now")
            ],
        )
        .await,
        Err(AppError::Forbidden)
    );
    assert_eq!(campaign_rows(&pool).await, before);
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn an_auditor_reads_campaigns_and_changes_nothing(pool: PgPool) {
    let mut cast = cast(&pool).await;
    let (campaign, keys) = launched(&pool, &mut cast).await;
    let id = campaign.to_string();
    let anns = item_id(&pool, campaign, &keys.ann).await.to_string();
    let before = campaign_rows(&pool).await;

    let a = &mut cast.auditor;
    let list: Vec<CampaignSummary> = a.call("list_campaigns", &[]).await.expect("reads");
    assert_eq!(list.len(), 1);
    let detail: CampaignDetail = a
        .call("get_campaign", &[("campaign_id", &id)])
        .await
        .expect("reads");
    assert_eq!(detail.snapshots[0].items_created, 8);
    assert_eq!(
        a.call::<()>(
            "decide_item",
            &[("item_id", &anns), ("decision", "approve")]
        )
        .await,
        Err(AppError::Forbidden)
    );
    assert_eq!(
        a.call::<BulkOutcome>(
            "decide_items",
            &[("item_ids[0]", &anns), ("decision", "approve")]
        )
        .await,
        Err(AppError::Forbidden)
    );
    assert_eq!(
        a.call::<i64>("submit_reviews", &[("campaign_id", &id)])
            .await,
        Err(AppError::Forbidden)
    );
    assert_eq!(create_through_form(a).await, Err(AppError::Forbidden));
    assert_eq!(
        a.call::<CampaignPreview>("preview_campaign", &[("campaign_id", &id)])
            .await,
        Err(AppError::Forbidden)
    );
    assert_eq!(
        a.call::<i64>("close_campaign", &[("campaign_id", &id)])
            .await,
        Err(AppError::Forbidden)
    );
    assert_eq!(
        a.call::<String>(
            "sign_off_campaign",
            &[("campaign_id", &id), ("attestation", "ok")]
        )
        .await,
        Err(AppError::Forbidden)
    );
    assert_eq!(campaign_rows(&pool).await, before);

    let anon = &mut cast.anonymous;
    assert_eq!(
        anon.call::<ReviewQueue>("list_my_items", &[]).await,
        Err(AppError::Unauthenticated)
    );
    assert_eq!(
        anon.call::<Vec<CampaignSummary>>("list_campaigns", &[])
            .await,
        Err(AppError::Unauthenticated)
    );
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn an_admin_reassigns_closes_and_signs_off_through_the_api(pool: PgPool) {
    let mut cast = cast(&pool).await;
    let (campaign, keys) = launched(&pool, &mut cast).await;
    let id = campaign.to_string();
    let anns = item_id(&pool, campaign, &keys.ann).await.to_string();
    let ceos = item_id(&pool, campaign, &keys.ceo).await.to_string();

    let moved: i64 = cast
        .admin
        .call(
            "reassign_items",
            &[
                ("item_ids[0]", &anns),
                ("item_ids[1]", &ceos),
                ("to_email", "bob@corp.test"),
                ("reason", "Morgan is away"),
            ],
        )
        .await
        .expect("reassigned");
    assert_eq!(moved, 2);
    let no_reason: Result<i64, _> = cast
        .admin
        .call(
            "reassign_items",
            &[
                ("item_ids[0]", &anns),
                ("to_email", "fay@corp.test"),
                ("reason", ""),
            ],
        )
        .await;
    assert!(matches!(no_reason, Err(AppError::Invalid(ref m)) if m.contains("reason is required")));
    let defaulted: i64 = cast
        .admin
        .call("close_campaign", &[("campaign_id", &id)])
        .await
        .expect("closes");
    assert_eq!(defaulted, 8);
    let hash: String = cast
        .admin
        .call(
            "sign_off_campaign",
            &[
                ("campaign_id", &id),
                ("attestation", "Reviewed and complete."),
            ],
        )
        .await
        .expect("signs off");
    let detail: CampaignDetail = cast
        .admin
        .call("get_campaign", &[("campaign_id", &id)])
        .await
        .expect("reads");
    assert_eq!(detail.summary.status, "signed_off");
    assert_eq!(detail.signoff.map(|s| s.state_sha256), Some(hash));
}
