//! The inventory explorer against a real database: every filter, server-side paging, leavers
//! with access, the person and project pages, the CSV export (formula-safe, readers only) and
//! who may call what, through the full router.

mod common;

use app::backend::identity::{MappingRequest, map_principal};
use app::backend::inventory::query::{Narrowed, Scope, ValidFilter, page_query, rows_query};
use app::backend::inventory::row::RowRecord;
use app::backend::inventory::{leavers_with_access, person_access, project_access, search};
use app::backend::snapshot::{PrincipalKind, Tier};
use app::error::AppError;
use app::model::inventory::{InventoryFilter, InventoryPage, MappingRow};
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use sqlx::PgPool;

use common::access::{
    ORG, PROJECT, PROJECT_NAME, admin, atlas_user, complete_snapshot, database_user, grant,
    person_id, principal, roster, used_at,
};
use common::{Browser, audit_events_with_action, demo_config, router};

/// A small org: an active admin, a leaver with two principals, someone past their end date,
/// a dormant database user, an orphan key with a hostile name, and a team.
async fn small_org(pool: &PgPool) {
    roster(
        pool,
        &[
            "ann.lee@example.com,Ann Lee,active,",
            "lee.ver@example.com,Lee Ver,leaver,",
            "end.ed@example.com,End Ed,active,2020-01-31",
            "idle.one@example.com,Idle One,active,",
        ],
    )
    .await;
    let now = Utc::now();
    let ann = used_at(
        atlas_user("u1", "ann.lee@example.com"),
        now - Duration::days(2),
    );
    let leaver = atlas_user("u2", "lee.ver@example.com");
    let leaver_db = database_user("lee-debug", &[("owner", "lee.ver@example.com")]);
    let ended = atlas_user("u3", "end.ed@example.com");
    let idle = used_at(
        database_user("idle.one@example.com", &[]),
        now - Duration::days(400),
    );
    let hostile = principal(
        "apikey:k1",
        PrincipalKind::ApiKey,
        "=HYPERLINK(\"http://x\")",
    );
    let team = principal("team:t1", PrincipalKind::Team, "platform");
    let grants = vec![
        grant(&ann, "GROUP_OWNER", Tier::Admin),
        grant(&leaver, "GROUP_OWNER", Tier::Admin),
        grant(&leaver, "GROUP_DATA_ACCESS_READ_WRITE", Tier::Write),
        grant(&leaver_db, "readWrite@sales", Tier::Write),
        grant(&ended, "GROUP_READ_ONLY", Tier::Read),
        grant(&idle, "read@sales", Tier::Read),
        grant(&hostile, "GROUP_READ_ONLY", Tier::Read),
        grant(&team, "GROUP_READ_ONLY", Tier::Read),
    ];
    complete_snapshot(
        pool,
        vec![ann, leaver, leaver_db, ended, idle, hostile, team],
        grants,
    )
    .await;
}

/// The distinct principal names of the first page of `filter`, sorted.
async fn names(pool: &PgPool, filter: InventoryFilter) -> Vec<String> {
    let page = search(pool, &filter, 50).await.expect("search runs");
    let mut names: Vec<String> = page.rows.into_iter().map(|r| r.principal_name).collect();
    names.sort();
    names.dedup();
    names
}

fn filter() -> InventoryFilter {
    InventoryFilter::default()
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn every_filter_narrows_the_inventory_to_what_it_names(pool: PgPool) {
    small_org(&pool).await;
    let all = search(&pool, &filter(), 50).await.expect("search");
    assert_eq!(all.total, 8);
    assert_eq!(all.snapshots.len(), 1);
    assert!(!all.total_capped);

    let cases: Vec<(InventoryFilter, Vec<&str>)> = vec![
        (
            InventoryFilter {
                person: Some("lee ver".into()),
                ..filter()
            },
            vec!["lee-debug", "lee.ver@example.com"],
        ),
        (
            InventoryFilter {
                username: Some("DEBUG".into()),
                ..filter()
            },
            vec!["lee-debug"],
        ),
        (
            InventoryFilter {
                role: Some("readwrite".into()),
                ..filter()
            },
            vec!["lee-debug"],
        ),
        (
            InventoryFilter {
                tier: Some("admin".into()),
                ..filter()
            },
            vec!["ann.lee@example.com", "lee.ver@example.com"],
        ),
        (
            InventoryFilter {
                kind: Some("team".into()),
                ..filter()
            },
            vec!["platform"],
        ),
        (
            InventoryFilter {
                kind: Some("database_user".into()),
                tier: Some("read".into()),
                ..filter()
            },
            vec!["idle.one@example.com"],
        ),
        (
            InventoryFilter {
                project: Some("billing".into()),
                ..filter()
            },
            vec![],
        ),
        // Teams are not orphans: their members are linked one by one.
        (
            InventoryFilter {
                orphan: Some(true),
                ..filter()
            },
            vec!["=HYPERLINK(\"http://x\")"],
        ),
        // Status leaver, and an end date in the past.
        (
            InventoryFilter {
                leaver: Some(true),
                ..filter()
            },
            vec!["end.ed@example.com", "lee-debug", "lee.ver@example.com"],
        ),
        // Used 400 days ago; no usage data is not dormant, and 2 days ago is not.
        (
            InventoryFilter {
                dormant: Some(true),
                ..filter()
            },
            vec!["idle.one@example.com"],
        ),
    ];
    for (filter, expected) in cases {
        assert_eq!(names(&pool, filter.clone()).await, expected, "{filter:?}");
    }
    for by_project in [PROJECT, "PAYMENTS"] {
        let f = InventoryFilter {
            project: Some(by_project.into()),
            ..filter()
        };
        assert_eq!(search(&pool, &f, 50).await.expect("search").total, 8);
    }
    let dormant = search(
        &pool,
        &InventoryFilter {
            dormant: Some(true),
            ..filter()
        },
        50,
    )
    .await
    .expect("search");
    assert!(
        dormant
            .rows
            .iter()
            .all(|r| r.dormant && r.last_used.is_some())
    );
    let unknown = search(
        &pool,
        &InventoryFilter {
            kind: Some("team".into()),
            ..filter()
        },
        50,
    )
    .await
    .expect("search");
    assert_eq!(unknown.rows[0].last_used, None, "a team has no usage data");
}

/// Every row of `qb`, in order, as its debug form (every column).
async fn all_rows(
    conn: &mut sqlx::PgConnection,
    mut qb: sqlx::QueryBuilder<sqlx::Postgres>,
) -> Vec<String> {
    let rows: Vec<RowRecord> = qb
        .build_query_as()
        .fetch_all(&mut *conn)
        .await
        .expect("rows query runs");
    rows.iter().map(|r| format!("{r:?}")).collect()
}

/// `filter()` changed by `set`.
fn with(set: fn(&mut InventoryFilter)) -> InventoryFilter {
    let mut f = filter();
    set(&mut f);
    f
}

/// Asserts that for every filter of `cases` the narrowed statement (flags, looked-up keys,
/// projects and roles), whole and page by page, returns exactly the rows of the plain one,
/// which reads the links, people and usage themselves. Returns whether the lookups had flags.
async fn assert_same_rows_as_plain(
    conn: &mut sqlx::PgConnection,
    cases: &[InventoryFilter],
) -> bool {
    let scope = Scope::current(&mut *conn).await.expect("scope");
    let mut flags = true;
    for case in cases {
        let valid = ValidFilter::new(case).expect("a valid filter");
        let narrowed = Narrowed::lookup(&mut *conn, &valid, &scope)
            .await
            .expect("lookup runs");
        flags &= narrowed.flags;
        let plain = all_rows(&mut *conn, rows_query(&valid, &scope, &Narrowed::default())).await;
        let fast = all_rows(&mut *conn, rows_query(&valid, &scope, &narrowed)).await;
        assert_eq!(fast, plain, "narrowed {case:?}");
        let mut paged = Vec::new();
        for offset in (0..12).step_by(3) {
            let page = page_query(&valid, &scope, &narrowed, 3, offset);
            paged.extend(all_rows(&mut *conn, page).await);
        }
        assert_eq!(paged, plain, "paged {case:?}");
    }
    flags
}

/// The filters that read principal flags, alone and with others.
fn flag_cases() -> Vec<InventoryFilter> {
    vec![
        with(|f| f.orphan = Some(true)),
        with(|f| {
            f.orphan = Some(true);
            f.kind = Some("api_key".into());
        }),
        with(|f| f.leaver = Some(true)),
        with(|f| f.dormant = Some(true)),
        with(|f| {
            f.leaver = Some(true);
            f.dormant = Some(true);
        }),
        with(|f| {
            f.leaver = Some(true);
            f.tier = Some("admin".into());
        }),
        with(|f| {
            f.dormant = Some(true);
            f.username = Some("idle".into());
        }),
        with(|f| {
            f.orphan = Some(true);
            f.leaver = Some(true);
        }),
    ]
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn narrowed_and_paged_statements_return_exactly_the_rows_of_the_plain_one(pool: PgPool) {
    small_org(&pool).await;
    let mut conn = pool.acquire().await.expect("a connection");
    let scope = Scope::current(&mut conn).await.expect("scope");
    let text = with;
    let mut cases = vec![
        filter(),
        text(|f| f.person = Some("lee ver".into())),
        text(|f| f.person = Some("EXAMPLE.COM".into())),
        text(|f| f.person = Some("nobody".into())),
        text(|f| f.username = Some("lee".into())),
        text(|f| {
            f.person = Some("lee".into());
            f.username = Some("debug".into());
        }),
        text(|f| f.project = Some(PROJECT.into())),
        text(|f| f.project = Some("pay".into())),
        text(|f| f.project = Some("billing".into())),
        text(|f| {
            f.person = Some("ann".into());
            f.project = Some("payments".into());
            f.tier = Some("admin".into());
        }),
        text(|f| f.role = Some("readwrite".into())),
        text(|f| f.role = Some("GROUP_".into())),
        text(|f| f.role = Some("root".into())),
        text(|f| f.leaver = Some(true)),
        text(|f| f.dormant = Some(true)),
        text(|f| {
            f.leaver = Some(true);
            f.person = Some("lee".into());
            f.role = Some("owner".into());
        }),
    ];
    cases.extend(flag_cases());
    assert!(
        assert_same_rows_as_plain(&mut conn, &cases).await,
        "a snapshot completes with its principal flags"
    );

    // The lookup does narrow: the leaver's two principals, the one project, the matching role.
    let person = ValidFilter::new(&text(|f| f.person = Some("lee ver".into()))).expect("valid");
    let narrowed = Narrowed::lookup(&mut conn, &person, &scope)
        .await
        .expect("lookup runs");
    let mut keys = narrowed.principal_keys.expect("narrowed to principals");
    keys.sort();
    assert_eq!(keys.len(), 2, "{keys:?}");
    let project = ValidFilter::new(&text(|f| f.project = Some("PAYMENTS".into()))).expect("valid");
    let narrowed = Narrowed::lookup(&mut conn, &project, &scope)
        .await
        .expect("lookup runs");
    assert_eq!(
        narrowed.project_ids,
        Some(vec![PROJECT.to_owned(), "PAYMENTS".to_owned()])
    );
    let role = ValidFilter::new(&text(|f| f.role = Some("readwrite".into()))).expect("valid");
    let narrowed = Narrowed::lookup(&mut conn, &role, &scope)
        .await
        .expect("lookup runs");
    assert_eq!(narrowed.roles, Some(vec!["readWrite@sales".to_owned()]));
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn principal_flags_follow_roster_imports_and_mappings(pool: PgPool) {
    small_org(&pool).await;
    let mut conn = pool.acquire().await.expect("a connection");
    // Ann leaves, Idle One's end date passes, Lee Ver is gone from the roster.
    roster(
        &pool,
        &[
            "ann.lee@example.com,Ann Lee,leaver,",
            "end.ed@example.com,End Ed,active,2020-01-31",
            "idle.one@example.com,Idle One,active,2021-06-30",
        ],
    )
    .await;
    assert!(assert_same_rows_as_plain(&mut conn, &flag_cases()).await);
    let leavers = names(&pool, with(|f| f.leaver = Some(true))).await;
    assert_eq!(
        leavers,
        [
            "ann.lee@example.com",
            "end.ed@example.com",
            "idle.one@example.com",
            "lee-debug",
            "lee.ver@example.com"
        ]
    );

    // The orphan key mapped to Ann is no orphan any more, and it is a leaver's.
    map_principal(
        &pool,
        admin(),
        MappingRequest {
            org_id: ORG,
            principal_key: "apikey:k1",
            person_email: "ann.lee@example.com",
            relation: None,
        },
    )
    .await
    .expect("mapped");
    assert!(assert_same_rows_as_plain(&mut conn, &flag_cases()).await);
    assert!(
        names(&pool, with(|f| f.orphan = Some(true)))
            .await
            .is_empty()
    );
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_snapshot_without_principal_flags_is_searched_through_its_links(pool: PgPool) {
    small_org(&pool).await;
    // As if an older version, still running next to this one, had completed the snapshot.
    sqlx::query("DELETE FROM principal_flag")
        .execute(&pool)
        .await
        .expect("flags deleted");
    let mut conn = pool.acquire().await.expect("a connection");
    assert!(!assert_same_rows_as_plain(&mut conn, &flag_cases()).await);
    assert_eq!(
        names(&pool, with(|f| f.dormant = Some(true))).await,
        ["idle.one@example.com"]
    );
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn pages_are_cut_on_the_server_and_a_bad_filter_is_named(pool: PgPool) {
    roster(&pool, &["ann.lee@example.com,Ann Lee,active,"]).await;
    let users: Vec<_> = (0..120)
        .map(|i| database_user(&format!("app-{i:03}"), &[]))
        .collect();
    let grants = users
        .iter()
        .map(|u| grant(u, "read@sales", Tier::Read))
        .collect();
    complete_snapshot(&pool, users, grants).await;

    let page = |n: i64| InventoryFilter {
        page: Some(n),
        ..filter()
    };
    let first = search(&pool, &page(1), 50).await.expect("page 1");
    let third = search(&pool, &page(3), 50).await.expect("page 3");
    let beyond = search(&pool, &page(4), 50).await.expect("page 4");
    assert_eq!((first.total, first.rows.len()), (120, 50));
    assert_eq!(first.rows[0].principal_name, "app-000");
    assert_eq!(third.rows.len(), 20);
    assert_eq!(third.rows[0].principal_name, "app-100");
    assert!(beyond.rows.is_empty());

    for (bad, field) in [
        (
            InventoryFilter {
                page: Some(0),
                ..filter()
            },
            "Page:",
        ),
        (
            InventoryFilter {
                tier: Some("root".into()),
                ..filter()
            },
            "Tier:",
        ),
        (
            InventoryFilter {
                kind: Some("robot".into()),
                ..filter()
            },
            "Kind:",
        ),
    ] {
        let err = search(&pool, &bad, 50).await.expect_err("refused");
        assert!(err.to_string().starts_with(field), "{err}");
    }
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn leavers_with_access_are_counted_and_show_everything_they_reach(pool: PgPool) {
    small_org(&pool).await;
    let list = leavers_with_access(&pool, 10).await.expect("leavers");
    assert!(list.has_snapshot);
    assert_eq!(list.total, 2);
    let first = &list.leavers[0];
    assert_eq!(first.email, "lee.ver@example.com");
    assert_eq!(
        (
            first.principals,
            first.entitlements,
            first.admin_entitlements
        ),
        (2, 3, 1)
    );
    assert_eq!(first.reason, "status leaver");
    assert_eq!(list.leavers[1].reason, "end date 2020-01-31");

    let lee = person_id(&pool, "lee.ver@example.com").await;
    let access = person_access(&pool, lee, 1).await.expect("person page");
    assert!(access.person.is_leaver);
    let mut methods: Vec<(String, String)> = access
        .principals
        .iter()
        .map(|p| (p.kind.clone(), p.link_method.clone()))
        .collect();
    methods.sort();
    assert_eq!(
        methods,
        [("atlas_user", "email"), ("database_user", "owner_label")]
            .map(|(k, m)| (k.to_owned(), m.to_owned()))
    );
    assert_eq!(access.entitlements.total, 3);
    assert!(access.entitlements.rows.iter().all(|r| r.is_leaver));

    let project = project_access(&pool, ORG, PROJECT, 1)
        .await
        .expect("project page");
    assert_eq!(project.project_name, PROJECT_NAME);
    assert_eq!(project.principals, 7);
    assert_eq!(project.by_grant_path, vec![("direct".to_owned(), 8)]);
    assert!(
        project_access(&pool, ORG, "bbbbbbbbbbbbbbbbbbbbbbbb", 1)
            .await
            .is_err()
    );
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn no_snapshot_means_an_empty_inventory_and_no_leavers(pool: PgPool) {
    roster(&pool, &["lee.ver@example.com,Lee Ver,leaver,"]).await;
    let page = search(&pool, &filter(), 50).await.expect("search");
    assert!(page.rows.is_empty() && page.snapshots.is_empty());
    let list = leavers_with_access(&pool, 5).await.expect("leavers");
    assert!(!list.has_snapshot);
    assert_eq!(list.total, 0);
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn the_csv_export_is_filtered_formula_safe_and_for_readers_only(pool: PgPool) {
    small_org(&pool).await;
    let router = router(&pool, demo_config());
    let mut admin = Browser::signed_in_as(&router, "admin").await;
    let mut auditor = Browser::signed_in_as(&router, "auditor").await;
    let mut reviewer = Browser::signed_in_as(&router, "reviewer").await;
    let mut anonymous = Browser::new(&router);

    let reply = admin.get("/inventory/export.csv").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.header("content-type").starts_with("text/csv"));
    assert!(
        reply
            .header("content-disposition")
            .starts_with("attachment")
    );
    let lines: Vec<&str> = reply.body.lines().collect();
    assert_eq!(lines.len(), 9, "a header and one line per entitlement");
    assert!(lines[0].starts_with("organization,principal,kind,"));
    assert!(
        reply.body.contains("\"'=HYPERLINK(\"\"http://x\"\")\""),
        "the formula is neutralised: {}",
        lines[1]
    );
    assert!(
        !reply
            .body
            .lines()
            .any(|l| l.starts_with('=') || l.contains(",="))
    );

    let reply = auditor
        .get("/inventory/export.csv?leaver=1&tier=admin")
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let lines: Vec<&str> = reply.body.lines().collect();
    assert_eq!(lines.len(), 2, "{}", reply.body);
    assert!(lines[1].contains("lee.ver@example.com") && lines[1].contains(",yes,"));

    assert_eq!(reply.status, StatusCode::OK);
    let reply = admin.get("/inventory/export.csv?tier=root").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.body.contains("Tier:"));
    assert_eq!(
        reviewer.get("/inventory/export.csv").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        anonymous.get("/inventory/export.csv").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn reviewers_cannot_read_the_inventory_and_auditors_cannot_change_mappings(pool: PgPool) {
    small_org(&pool).await;
    let router = router(&pool, demo_config());
    let mut admin = Browser::signed_in_as(&router, "admin").await;
    let mut auditor = Browser::signed_in_as(&router, "auditor").await;
    let mut reviewer = Browser::signed_in_as(&router, "reviewer").await;

    let denied: Result<InventoryPage, AppError> = reviewer.call("search_inventory", &[]).await;
    assert_eq!(denied, Err(AppError::Forbidden));
    let denied: Result<serde_json::Value, AppError> =
        reviewer.call("list_leavers", &[("limit", "5")]).await;
    assert_eq!(denied, Err(AppError::Forbidden));
    let read: InventoryPage = auditor
        .call("search_inventory", &[("filter[kind]", "team")])
        .await
        .expect("auditors read the inventory");
    assert_eq!(read.total, 1);

    let key = "apikey:k1";
    let form = [
        ("org_id", ORG),
        ("principal_key", key),
        ("person_email", "ann.lee@example.com"),
    ];
    let refused: Result<(), AppError> = auditor.call("map_principal", &form).await;
    assert_eq!(refused, Err(AppError::Forbidden));
    let refused: Result<(), AppError> = reviewer.call("map_principal", &form).await;
    assert_eq!(refused, Err(AppError::Forbidden));
    assert_eq!(audit_events_with_action(&pool, "identity.mapped").await, 0);

    let unknown = [
        ("org_id", ORG),
        ("principal_key", key),
        ("person_email", "x@example.com"),
    ];
    let invalid: Result<(), AppError> = admin.call("map_principal", &unknown).await;
    assert!(matches!(invalid, Err(AppError::Invalid(msg)) if msg.starts_with("Person:")));

    let () = admin
        .call("map_principal", &form)
        .await
        .expect("admins map");
    let mappings: Vec<MappingRow> = auditor
        .call("list_identity_mappings", &[])
        .await
        .expect("auditors see mappings");
    assert_eq!(mappings.len(), 1);
    assert_eq!(mappings[0].person_email, "ann.lee@example.com");
    assert_eq!(
        mappings[0].relation, "owner",
        "an API key is owned, not held"
    );
    let refused: Result<(), AppError> = auditor
        .call(
            "unmap_principal",
            &[
                ("org_id", ORG),
                ("principal_key", key),
                ("relation", "owner"),
            ],
        )
        .await;
    assert_eq!(refused, Err(AppError::Forbidden));
    let () = admin
        .call(
            "unmap_principal",
            &[
                ("org_id", ORG),
                ("principal_key", key),
                ("relation", "owner"),
            ],
        )
        .await
        .expect("admins unmap");
    assert_eq!(
        audit_events_with_action(&pool, "identity.unmapped").await,
        1
    );
}
