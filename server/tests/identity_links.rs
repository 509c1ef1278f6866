//! Identity links against a real database: each link method on the kind it applies to, the
//! precedence between them, explicit mappings that carry across snapshots and are audited,
//! validation that names what is wrong, and relinking when the roster or settings change.

mod common;

use app::backend::identity::{
    IdentityError, MappingRequest, Relation, map_principal, unmap_principal, update_settings,
};
use app::backend::snapshot::{PrincipalKind, Tier};
use sqlx::PgPool;

use common::access::{
    ORG, admin, atlas_user, complete_snapshot, database_user, grant, link_of, principal, roster,
};
use common::audit_events_with_action;

const PEOPLE: [&str; 4] = [
    "ann.lee@example.com,Ann Lee,active,",
    "bo.kim@example.com,Bo Kim,active,",
    "cy.ng@example.com,Cy Ng,active,",
    "di.ox@example.com,Di Ox,active,",
];

fn request<'a>(key: &'a str, email: &'a str) -> MappingRequest<'a> {
    MappingRequest {
        org_id: ORG,
        principal_key: key,
        person_email: email,
        relation: None,
    }
}

fn link(email: &str, method: &str) -> Option<(String, String)> {
    Some((email.into(), method.into()))
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn each_method_links_the_principals_it_applies_to_and_the_rest_are_orphans(pool: PgPool) {
    roster(&pool, &PEOPLE).await;
    let ann = atlas_user("u1", "Ann.Lee@Example.COM");
    let labelled = database_user("svc-orders", &[("Owner", " BO.KIM@example.com ")]);
    let email_named = database_user("cy.ng@example.com", &[]);
    let both = database_user("di.ox@example.com", &[("owner", "ann.lee@example.com")]);
    let unlabelled = database_user("etl", &[("team", "data")]);
    let key = principal("apikey:k1", PrincipalKind::ApiKey, "ci key");
    let team = principal("team:t1", PrincipalKind::Team, "platform");
    let stranger = atlas_user("u2", "someone@elsewhere.example");
    let all = vec![
        ann.clone(),
        labelled.clone(),
        email_named.clone(),
        both.clone(),
        unlabelled.clone(),
        key.clone(),
        team.clone(),
        stranger.clone(),
    ];
    let grants = all
        .iter()
        .map(|p| grant(p, "GROUP_READ_ONLY", Tier::Read))
        .collect();
    let snapshot = complete_snapshot(&pool, all, grants).await;

    let holder = |key: String| {
        let pool = pool.clone();
        async move { link_of(&pool, snapshot, &key, "holder").await }
    };
    let owner = |key: String| {
        let pool = pool.clone();
        async move { link_of(&pool, snapshot, &key, "owner").await }
    };
    assert_eq!(
        holder(ann.key.clone()).await,
        link("ann.lee@example.com", "email")
    );
    assert_eq!(owner(ann.key).await, None);
    assert_eq!(holder(labelled.key.clone()).await, None);
    assert_eq!(
        owner(labelled.key).await,
        link("bo.kim@example.com", "owner_label")
    );
    assert_eq!(
        holder(email_named.key).await,
        link("cy.ng@example.com", "username_email")
    );
    // A personal database user labelled with someone else as its owner has both.
    assert_eq!(
        holder(both.key.clone()).await,
        link("di.ox@example.com", "username_email")
    );
    assert_eq!(
        owner(both.key).await,
        link("ann.lee@example.com", "owner_label")
    );
    for orphan in [unlabelled.key, key.key, team.key, stranger.key] {
        assert_eq!(holder(orphan.clone()).await, None, "{orphan} has no holder");
        assert_eq!(owner(orphan.clone()).await, None, "{orphan} has no owner");
    }
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn an_explicit_mapping_overrides_inference_carries_across_snapshots_and_is_audited(
    pool: PgPool,
) {
    roster(&pool, &PEOPLE).await;
    let labelled = database_user("svc-orders", &[("owner", "bo.kim@example.com")]);
    let key = principal("sa:client-1", PrincipalKind::ServiceAccount, "deployer");
    let rows = vec![labelled.clone(), key.clone()];
    let grants = rows
        .iter()
        .map(|p| grant(p, "GROUP_OWNER", Tier::Admin))
        .collect();
    let first = complete_snapshot(&pool, rows.clone(), grants).await;

    let owned_by_cy = MappingRequest {
        relation: Some(Relation::Owner),
        ..request(&labelled.key, " Cy.Ng@example.com ")
    };
    assert!(
        map_principal(&pool, admin(), owned_by_cy)
            .await
            .expect("mapping is valid")
    );
    // A service account's usual relation is owner.
    map_principal(&pool, admin(), request(&key.key, "di.ox@example.com"))
        .await
        .expect("mapping is valid");
    assert_eq!(
        link_of(&pool, first, &labelled.key, "owner").await,
        link("cy.ng@example.com", "explicit_mapping")
    );
    assert_eq!(link_of(&pool, first, &labelled.key, "holder").await, None);
    assert_eq!(
        link_of(&pool, first, &key.key, "owner").await,
        link("di.ox@example.com", "explicit_mapping")
    );
    // Mapping again to the same person changes nothing and writes no second event.
    assert!(
        !map_principal(&pool, admin(), request(&key.key, "di.ox@example.com"))
            .await
            .expect("idempotent")
    );
    assert_eq!(audit_events_with_action(&pool, "identity.mapped").await, 2);

    let grants = rows
        .iter()
        .map(|p| grant(p, "GROUP_OWNER", Tier::Admin))
        .collect();
    let second = complete_snapshot(&pool, rows, grants).await;
    assert_eq!(
        link_of(&pool, second, &key.key, "owner").await,
        link("di.ox@example.com", "explicit_mapping"),
        "a mapping is keyed by org and stable principal key"
    );

    assert!(matches!(
        unmap_principal(&pool, admin(), ORG, &labelled.key, Relation::Holder).await,
        Err(IdentityError::NotFound(_))
    ));
    unmap_principal(&pool, admin(), ORG, &labelled.key, Relation::Owner)
        .await
        .expect("the mapping exists");
    assert_eq!(
        link_of(&pool, second, &labelled.key, "owner").await,
        link("bo.kim@example.com", "owner_label"),
        "without the mapping, inference applies again"
    );
    assert_eq!(
        audit_events_with_action(&pool, "identity.unmapped").await,
        1
    );
    assert!(matches!(
        unmap_principal(&pool, admin(), ORG, &labelled.key, Relation::Owner).await,
        Err(IdentityError::NotFound(_))
    ));
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_bad_mapping_is_refused_with_what_is_wrong_and_changes_nothing(pool: PgPool) {
    roster(&pool, &PEOPLE).await;
    let db = database_user("etl", &[]);
    let team = principal("team:t1", PrincipalKind::Team, "platform");
    let user = atlas_user("u9", "someone@elsewhere.example");
    let rows = vec![db.clone(), team.clone(), user.clone()];
    let grants = rows
        .iter()
        .map(|p| grant(p, "GROUP_READ_ONLY", Tier::Read))
        .collect();
    complete_snapshot(&pool, rows, grants).await;

    let refused = |result: Result<bool, IdentityError>| match result {
        Err(IdentityError::Invalid(msg)) | Err(IdentityError::Conflict(msg)) => msg,
        other => panic!("expected a refusal, got {other:?}"),
    };
    let msg = refused(map_principal(&pool, admin(), request(&db.key, "nobody@example.com")).await);
    assert!(
        msg.starts_with("Person:") && msg.contains("nobody@example.com"),
        "{msg}"
    );
    let msg = refused(map_principal(&pool, admin(), request(&db.key, "  ")).await);
    assert!(msg.starts_with("Person:"), "{msg}");
    let msg = refused(
        map_principal(
            &pool,
            admin(),
            request("dbuser:x/admin/gone", "ann.lee@example.com"),
        )
        .await,
    );
    assert!(
        msg.starts_with("Principal:") && msg.contains("dbuser:x/admin/gone"),
        "{msg}"
    );
    let msg =
        refused(map_principal(&pool, admin(), request(&team.key, "ann.lee@example.com")).await);
    assert!(msg.contains("team"), "{msg}");
    let msg = refused(
        map_principal(
            &pool,
            admin(),
            MappingRequest {
                org_id: "ffffffffffffffffffffffff",
                principal_key: &db.key,
                person_email: "ann.lee@example.com",
                relation: None,
            },
        )
        .await,
    );
    assert!(msg.starts_with("Organization:"), "{msg}");
    // An Atlas user is always someone's own access, never an owned credential.
    let as_owner = MappingRequest {
        relation: Some(Relation::Owner),
        ..request(&user.key, "ann.lee@example.com")
    };
    let msg = refused(map_principal(&pool, admin(), as_owner).await);
    assert!(
        msg.starts_with("Relation:") && msg.contains("only have holder"),
        "{msg}"
    );
    assert_eq!(audit_events_with_action(&pool, "identity.mapped").await, 0);

    map_principal(&pool, admin(), request(&db.key, "ann.lee@example.com"))
        .await
        .expect("valid");
    let msg = refused(map_principal(&pool, admin(), request(&db.key, "bo.kim@example.com")).await);
    assert!(
        msg.contains("already has ann.lee@example.com as its holder"),
        "{msg}"
    );
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_roster_import_and_a_new_owner_label_key_relink_the_newest_snapshot(pool: PgPool) {
    roster(&pool, &PEOPLE[..1]).await;
    let bo = atlas_user("u2", "bo.kim@example.com");
    let labelled = database_user("svc", &[("app-owner", "ann.lee@example.com")]);
    let rows = vec![bo.clone(), labelled.clone()];
    let grants = rows
        .iter()
        .map(|p| grant(p, "GROUP_READ_ONLY", Tier::Read))
        .collect();
    let snapshot = complete_snapshot(&pool, rows, grants).await;
    assert_eq!(link_of(&pool, snapshot, &bo.key, "holder").await, None);
    assert_eq!(link_of(&pool, snapshot, &labelled.key, "owner").await, None);

    roster(&pool, &PEOPLE).await;
    assert_eq!(
        link_of(&pool, snapshot, &bo.key, "holder").await,
        link("bo.kim@example.com", "email")
    );

    update_settings(&pool, admin(), "App-Owner", 30)
        .await
        .expect("valid settings");
    assert_eq!(
        link_of(&pool, snapshot, &labelled.key, "owner").await,
        link("ann.lee@example.com", "owner_label")
    );
    assert_eq!(
        audit_events_with_action(&pool, "inventory.settings_changed").await,
        1
    );
    assert!(matches!(
        update_settings(&pool, admin(), "", 30).await,
        Err(IdentityError::Invalid(msg)) if msg.starts_with("Owner label key")
    ));
    assert!(matches!(
        update_settings(&pool, admin(), "owner", 0).await,
        Err(IdentityError::Invalid(msg)) if msg.starts_with("Dormant after")
    ));
}
