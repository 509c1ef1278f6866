//! The people directory's roster import against a real PostgreSQL: all-or-nothing, diffs
//! between imports, history, and a 50,000-person roster.

use app::backend::audit::{Actor, ChainReport, verify_chain};
use app::backend::directory::{ImportOutcome, ImportSummary, import_roster, list_imports};
use sqlx::PgPool;

const ROSTER: &str = "email,name,manager email,department,title,employment status,end date,employee id\n\
    ceo@corp.com,Cleo Chief,,Exec,CEO,active,,E1\n\
    cto@corp.com,Theo Tech,ceo@corp.com,Eng,CTO,active,,E2\n\
    dev@corp.com,Dee Dev,cto@corp.com,Eng,Engineer,active,,E3\n";

fn admin() -> Actor {
    Actor::System("test")
}

/// Imports `csv` and expects it to be accepted.
async fn imported(pool: &PgPool, csv: &str) -> ImportSummary {
    match import_roster(pool, admin(), "roster.csv", csv.as_bytes())
        .await
        .expect("import runs")
    {
        ImportOutcome::Imported(summary) => summary,
        ImportOutcome::Rejected(errors) => panic!("roster rejected: {errors:?}"),
    }
}

async fn count(pool: &PgPool, sql: &'static str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql)
        .fetch_one(pool)
        .await
        .expect("count query");
    n
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_valid_roster_creates_people_with_their_managers(pool: PgPool) {
    let summary = imported(&pool, ROSTER).await;
    assert_eq!(
        (
            summary.people,
            summary.added,
            summary.changed,
            summary.removed
        ),
        (3, 3, 0, 0)
    );
    let (manager,): (String,) = sqlx::query_as(
        "SELECT m.email FROM person p JOIN person m ON m.id = p.manager_id WHERE p.email = 'dev@corp.com'",
    )
    .fetch_one(&pool)
    .await
    .expect("dev has a manager");
    assert_eq!(manager, "cto@corp.com");
    assert_eq!(summary.file_sha256.len(), 64);
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_second_import_records_added_changed_and_removed_people(pool: PgPool) {
    imported(&pool, ROSTER).await;
    let next = "email,name,manager email,department,title,employment status,end date,employee id\n\
        ceo@corp.com,Cleo Chief,,Exec,CEO,active,,E1\n\
        dev@corp.com,Dee Dev,ceo@corp.com,Eng,Engineer,leaver,2026-11-30,E3\n\
        new@corp.com,Nia New,ceo@corp.com,Sales,Rep,active,,E4\n";
    let summary = imported(&pool, next).await;
    assert_eq!((summary.added, summary.changed, summary.removed), (1, 1, 1));
    let (changes,): (serde_json::Value,) =
        sqlx::query_as("SELECT changes FROM directory_import WHERE id = $1")
            .bind(summary.id)
            .fetch_one(&pool)
            .await
            .expect("import row");
    assert_eq!(
        changes,
        serde_json::json!([
            {"email": "cto@corp.com", "change": "removed", "fields": []},
            {"email": "dev@corp.com", "change": "changed",
             "fields": ["manager email", "employment status", "end date"]},
            {"email": "new@corp.com", "change": "added", "fields": []},
        ])
    );
    // The removed person is kept, out of the roster, so history that refers to them survives.
    let (in_roster,): (bool,) =
        sqlx::query_as("SELECT in_roster FROM person WHERE email = 'cto@corp.com'")
            .fetch_one(&pool)
            .await
            .expect("cto kept");
    assert!(!in_roster);
    let history = list_imports(&pool, 10).await.expect("history");
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].id, summary.id, "newest first");
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn reimporting_the_same_file_changes_nothing_but_is_recorded(pool: PgPool) {
    let first = imported(&pool, ROSTER).await;
    let second = imported(&pool, ROSTER).await;
    assert_eq!((second.added, second.changed, second.removed), (0, 0, 0));
    assert_eq!(first.file_sha256, second.file_sha256);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM directory_import").await,
        2
    );
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_rejected_roster_changes_nothing_already_stored(pool: PgPool) {
    imported(&pool, ROSTER).await;
    let people_before: Vec<(String, String)> =
        sqlx::query_as("SELECT email, name FROM person ORDER BY email")
            .fetch_all(&pool)
            .await
            .expect("people");
    let events_before = count(&pool, "SELECT count(*) FROM audit_event").await;
    let bad = "email,name,manager email\n\
        ceo@corp.com,Renamed Chief,\n\
        broken-email,X,\n\
        a@corp.com,A,ghost@corp.com\n";
    let outcome = import_roster(&pool, admin(), "bad.csv", bad.as_bytes())
        .await
        .expect("import runs");
    let ImportOutcome::Rejected(errors) = outcome else {
        panic!("a roster with errors must be rejected");
    };
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        vec![
            "row 3, column email: 'broken-email' is not an email address",
            "row 4, column manager email: unknown manager: ghost@corp.com is not in this roster",
        ]
    );
    let people_after: Vec<(String, String)> =
        sqlx::query_as("SELECT email, name FROM person ORDER BY email")
            .fetch_all(&pool)
            .await
            .expect("people");
    assert_eq!(people_before, people_after);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM directory_import").await,
        1
    );
    assert_eq!(
        count(&pool, "SELECT count(*) FROM audit_event").await,
        events_before
    );
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn each_import_writes_one_audit_event_and_the_chain_holds(pool: PgPool) {
    imported(&pool, ROSTER).await;
    let (action, details): (String, serde_json::Value) =
        sqlx::query_as("SELECT action, details FROM audit_event ORDER BY seq DESC LIMIT 1")
            .fetch_one(&pool)
            .await
            .expect("event");
    assert_eq!(action, "directory.imported");
    assert_eq!(details["people"], 3);
    assert!(matches!(
        verify_chain(&pool).await.expect("verify"),
        ChainReport::Intact { events: 1 }
    ));
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn a_50000_person_roster_imports_in_one_pass(pool: PgPool) {
    let mut csv = String::from("email,name,manager email,department\n");
    csv.push_str("p0@corp.com,P0,,Exec\n");
    for i in 1..50_000 {
        // A wide tree: everyone reports to someone earlier in the file.
        csv.push_str(&format!(
            "p{i}@corp.com,Person {i},p{}@corp.com,Dept {}\n",
            (i - 1) / 10,
            i % 40
        ));
    }
    let summary = imported(&pool, &csv).await;
    assert_eq!(summary.people, 50_000);
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM person WHERE manager_id IS NOT NULL"
        )
        .await,
        49_999
    );
}

#[sqlx::test(migrator = "app::backend::db::MIGRATOR")]
async fn search_lists_people_and_marks_leavers(pool: PgPool) {
    use app::backend::directory::people::search_people;
    let roster = "email,name,employment status,end date\n\
        stay@corp.com,Stella Stay,active,\n\
        gone@corp.com,Gordon Gone,leaver,\n\
        ending@corp.com,Enzo Ending,active,2000-01-31\n";
    imported(&pool, roster).await;
    let page = search_people(&pool, "", 1).await.expect("search");
    assert_eq!(page.total, 3);
    let leaver = |email: &str| {
        page.people
            .iter()
            .find(|p| p.email == email)
            .map(|p| p.is_leaver)
            .expect("listed")
    };
    assert!(!leaver("stay@corp.com"));
    assert!(leaver("gone@corp.com"));
    assert!(
        leaver("ending@corp.com"),
        "an end date in the past makes a leaver"
    );
    let found = search_people(&pool, "gordon", 1).await.expect("search");
    assert_eq!(found.people.len(), 1);
    // A person dropped from the next roster is kept and counts as a leaver.
    imported(&pool, "email,name\nstay@corp.com,Stella Stay\n").await;
    let after = search_people(&pool, "gone@", 1).await.expect("search");
    assert!(after.people[0].is_leaver && !after.people[0].in_roster);
}
