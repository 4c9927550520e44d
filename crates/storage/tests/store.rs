//! The storage suite: the same tests on SQLite (always) and PostgreSQL (when
//! `MADOGUCHI_TEST_POSTGRES_URL` names a server). What is checked is what the rest of the
//! system relies on: one application per draft or key, unique receipt numbers under
//! concurrency, atomic status changes, and an outbox that loses no job.

use madoguchi_domain::{ApplicationStatus, Procedure, catalog};
use madoguchi_storage::{
    AuditEntry, AuditProblem, CaseChange, InboxFilter, NewApplication, NewDraft, NewJob,
    StorageError, Store, Submitted, Transition,
};
use serde_json::json;
use std::collections::HashSet;
use time::OffsetDateTime;
use uuid::Uuid;

const MUNICIPALITY: &str = "131113";

struct Db {
    store: Store,
    url: String,
    _dir: tempfile::TempDir,
}

async fn db() -> Db {
    let dir = tempfile::tempdir().unwrap();
    let url = match std::env::var("MADOGUCHI_TEST_POSTGRES_URL") {
        Ok(server) => {
            let name = format!("madoguchi_test_{}", Uuid::new_v4().simple());
            let pool = sqlx::PgPool::connect(&server).await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
            format!("{}/{name}", server.rsplit_once('/').unwrap().0)
        }
        Err(_) => format!("sqlite://{}", dir.path().join("t.db").display()),
    };
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    store
        .migrate()
        .await
        .expect("migrations run twice without harm");
    Db {
        store,
        url,
        _dir: dir,
    }
}

fn procedure() -> Procedure {
    let src = r#"id = "p"
title = "手続"
summary = "説明"
category = "c"
eligibility = "どなたでも"
processing_time = "1週間"
department = { id = "d", name = "課" }
[[steps]]
id = "s"
title = "質問"
  [[steps.fields]]
  id = "name"
  type = "text"
  label = "氏名"
"#;
    let files = vec![
        (
            "catalog.toml".to_owned(),
            "[[categories]]\nid = \"c\"\ntitle = \"分類\"\n".to_owned(),
        ),
        ("p.toml".to_owned(), src.to_owned()),
    ];
    catalog::load(&files).unwrap().procedures.remove(0)
}

async fn draft(store: &Store, p: &Procedure) -> Uuid {
    let id = Uuid::now_v7();
    let now = OffsetDateTime::now_utc();
    let hash = Uuid::new_v4().simple().to_string();
    store
        .create_draft(&NewDraft {
            id,
            municipality: MUNICIPALITY,
            token_hash: &hash,
            procedure_id: p.id.as_str(),
            procedure_version: &p.version,
            plan_id: None,
            now,
            expires_at: now + time::Duration::days(1),
        })
        .await
        .unwrap();
    id
}

fn application<'a>(
    p: &'a Procedure,
    answers: &'a serde_json::Value,
    draft_id: Option<Uuid>,
    key: Option<&'a str>,
    hash: Option<&'a str>,
) -> NewApplication<'a> {
    NewApplication {
        id: Uuid::now_v7(),
        municipality: MUNICIPALITY,
        procedure_id: p.id.as_str(),
        procedure_version: &p.version,
        department_id: &p.department.id,
        answers,
        channel: "web",
        draft_id,
        idempotency_key: key,
        request_hash: hash,
        files: Vec::new(),
        applicant_name: "山田 太郎（ヤマダ タロウ）",
        jobs: vec![NewJob::new(
            "mail.submitted",
            json!({ "to": "a@example.jp" }),
        )],
        bundle_id: None,
        life_event_id: None,
        visit_id: None,
        taken_by: None,
        now: OffsetDateTime::now_utc(),
    }
}

#[tokio::test]
async fn definition_versions_are_kept_exactly() {
    let db = db().await;
    let p = procedure();
    db.store
        .record_procedure_version(MUNICIPALITY, &p)
        .await
        .unwrap();
    db.store
        .record_procedure_version(MUNICIPALITY, &p)
        .await
        .unwrap();
    assert_eq!(
        db.store
            .procedure_version(MUNICIPALITY, "p", &p.version)
            .await
            .unwrap(),
        Some(p.clone())
    );
    assert_eq!(
        db.store
            .procedure_version(MUNICIPALITY, "p", "other")
            .await
            .unwrap(),
        None
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_draft_submitted_many_times_at_once_makes_one_application() {
    let db = db().await;
    let p = procedure();
    db.store
        .record_procedure_version(MUNICIPALITY, &p)
        .await
        .unwrap();
    let draft_id = draft(&db.store, &p).await;
    let answers = json!({ "name": "山田" });
    let attempts = (0..8).map(|_| {
        let store = db.store.clone();
        let p = p.clone();
        let answers = answers.clone();
        tokio::spawn(async move {
            store
                .submit(&application(&p, &answers, Some(draft_id), None, None))
                .await
                .unwrap()
        })
    });
    let mut created = 0;
    let mut receipts = HashSet::new();
    for attempt in attempts {
        let outcome = attempt.await.unwrap();
        created += usize::from(matches!(outcome, Submitted::Created(_)));
        receipts.insert(outcome.application().receipt_number.clone());
    }
    assert_eq!(created, 1);
    assert_eq!(
        receipts.len(),
        1,
        "every click sees the same receipt number"
    );
    assert_eq!(
        db.store.pending_jobs().await.unwrap(),
        1,
        "one confirmation mail, not eight"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_applications_get_distinct_sequential_receipt_numbers() {
    let db = db().await;
    let p = procedure();
    db.store
        .record_procedure_version(MUNICIPALITY, &p)
        .await
        .unwrap();
    let answers = json!({ "name": "山田" });
    let tasks: Vec<_> = (0..12)
        .map(|_| {
            let store = db.store.clone();
            let p = p.clone();
            let answers = answers.clone();
            tokio::spawn(async move {
                store
                    .submit(&application(&p, &answers, None, None, None))
                    .await
                    .unwrap()
                    .application()
                    .receipt_number
                    .clone()
            })
        })
        .collect();
    let mut receipts = Vec::new();
    for t in tasks {
        receipts.push(t.await.unwrap());
    }
    let unique: HashSet<_> = receipts.iter().collect();
    assert_eq!(unique.len(), 12);
    let mut sequences: Vec<u64> = receipts
        .iter()
        .map(|r| r[5..r.len() - 1].parse().unwrap())
        .collect();
    sequences.sort_unstable();
    assert_eq!(sequences, (1..=12).collect::<Vec<_>>());
}

#[tokio::test]
async fn an_idempotency_key_names_one_request() {
    let db = db().await;
    let p = procedure();
    db.store
        .record_procedure_version(MUNICIPALITY, &p)
        .await
        .unwrap();
    let answers = json!({ "name": "山田" });
    let first = db
        .store
        .submit(&application(&p, &answers, None, Some("k1"), Some("h1")))
        .await
        .unwrap();
    let again = db
        .store
        .submit(&application(&p, &answers, None, Some("k1"), Some("h1")))
        .await
        .unwrap();
    assert!(matches!(first, Submitted::Created(_)));
    assert!(matches!(again, Submitted::Existing(_)));
    assert_eq!(first.application().id, again.application().id);
    let other = db
        .store
        .submit(&application(&p, &answers, None, Some("k1"), Some("h2")))
        .await;
    assert!(matches!(other, Err(StorageError::IdempotencyMismatch)));
}

#[tokio::test]
async fn status_changes_are_atomic_and_recorded() {
    let db = db().await;
    let p = procedure();
    db.store
        .record_procedure_version(MUNICIPALITY, &p)
        .await
        .unwrap();
    let app = db
        .store
        .submit(&application(&p, &json!({}), None, None, None))
        .await
        .unwrap()
        .application()
        .clone();
    let withdraw = CaseChange::status(
        ApplicationStatus::can_withdraw,
        ApplicationStatus::Withdrawn,
        "withdrawn",
        "resident",
    );
    let now = OffsetDateTime::now_utc();
    assert!(matches!(
        db.store
            .change(MUNICIPALITY, app.id, &withdraw, now)
            .await
            .unwrap(),
        Transition::Done(_)
    ));
    assert!(matches!(
        db.store
            .change(MUNICIPALITY, app.id, &withdraw, now)
            .await
            .unwrap(),
        Transition::NotAllowed(ApplicationStatus::Withdrawn)
    ));
    assert!(
        matches!(
            db.store
                .change("131016", app.id, &withdraw, now)
                .await
                .unwrap(),
            Transition::NotFound
        ),
        "another municipality's application is invisible"
    );
    let events = db.store.events(MUNICIPALITY, app.id).await.unwrap();
    assert_eq!(
        events.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(),
        ["submitted", "withdrawn"]
    );
}

#[tokio::test]
async fn outbox_jobs_are_leased_retried_and_completed() {
    let db = db().await;
    let p = procedure();
    db.store
        .record_procedure_version(MUNICIPALITY, &p)
        .await
        .unwrap();
    db.store
        .submit(&application(&p, &json!({}), None, None, None))
        .await
        .unwrap();
    let now = OffsetDateTime::now_utc() + time::Duration::seconds(1);
    let lease = time::Duration::minutes(5);
    let claimed = db.store.claim_jobs(now, lease, 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert!(
        db.store
            .claim_jobs(now, lease, 10)
            .await
            .unwrap()
            .is_empty(),
        "a leased job is not handed out twice"
    );
    // A worker that dies leaves the job to be claimed again once the lease runs out.
    let after_lease = now + lease + time::Duration::seconds(1);
    let reclaimed = db.store.claim_jobs(after_lease, lease, 10).await.unwrap();
    assert_eq!((reclaimed.len(), reclaimed[0].attempts), (1, 2));
    db.store
        .retry_job(
            reclaimed[0].id,
            "smtp down",
            after_lease + time::Duration::minutes(2),
        )
        .await
        .unwrap();
    assert!(
        db.store
            .claim_jobs(after_lease, lease, 10)
            .await
            .unwrap()
            .is_empty(),
        "not before its retry time"
    );
    let later = db
        .store
        .claim_jobs(after_lease + time::Duration::minutes(3), lease, 10)
        .await
        .unwrap();
    db.store
        .complete_job(later[0].id, after_lease)
        .await
        .unwrap();
    assert_eq!(db.store.pending_jobs().await.unwrap(), 0);
}

fn entry(action: &str) -> AuditEntry<'_> {
    AuditEntry {
        actor: "koseki",
        action,
        application_id: None,
        detail: json!({ "receipt_number": "2026-0000018" }),
        ip: "192.0.2.1",
    }
}

/// The audit log verifies as written, and a changed, a deleted or a removed-last entry is
/// each found.
#[tokio::test]
async fn the_audit_chain_detects_changed_and_deleted_entries() {
    let db = db().await;
    let now = OffsetDateTime::now_utc();
    for action in ["login", "case.read", "case.act", "export"] {
        db.store
            .audit(MUNICIPALITY, &entry(action), now)
            .await
            .unwrap();
    }
    // Another municipality's log is a chain of its own.
    db.store
        .audit("131016", &entry("login"), now)
        .await
        .unwrap();
    let report = db.store.verify_audit(MUNICIPALITY).await.unwrap();
    assert_eq!((report.entries, report.problems.clone()), (4, vec![]));

    sql(
        &db,
        "UPDATE audit_log SET actor = 'someone' WHERE seq = 2 AND municipality_code = '131113'",
    )
    .await;
    let report = db.store.verify_audit(MUNICIPALITY).await.unwrap();
    assert_eq!(report.problems, vec![AuditProblem::Altered { seq: 2 }]);

    sql(
        &db,
        "DELETE FROM audit_log WHERE seq = 3 AND municipality_code = '131113'",
    )
    .await;
    sql(
        &db,
        "DELETE FROM audit_log WHERE seq = 4 AND municipality_code = '131113'",
    )
    .await;
    let report = db.store.verify_audit(MUNICIPALITY).await.unwrap();
    assert!(
        report.problems.contains(&AuditProblem::Truncated {
            written: 4,
            found: 2
        }),
        "{:?}",
        report.problems
    );
    assert!(
        db.store
            .verify_audit("131016")
            .await
            .unwrap()
            .problems
            .is_empty()
    );
}

/// Tampering from outside the application, as someone with database access would.
async fn sql(db: &Db, statement: &'static str) {
    if db.url.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
        sqlx::query(statement).execute(&pool).await.unwrap();
        pool.close().await;
    } else {
        let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
        sqlx::query(statement).execute(&pool).await.unwrap();
        pool.close().await;
    }
}

/// A change limited to one department never touches another's application; every change
/// moves the application to the end of the change feed, in commit order.
#[tokio::test]
async fn changes_respect_the_department_and_feed_the_cursor_in_order() {
    let db = db().await;
    let p = procedure();
    db.store
        .record_procedure_version(MUNICIPALITY, &p)
        .await
        .unwrap();
    let first = db
        .store
        .submit(&application(&p, &json!({}), None, None, None))
        .await
        .unwrap()
        .application()
        .clone();
    let second = db
        .store
        .submit(&application(&p, &json!({}), None, None, None))
        .await
        .unwrap()
        .application()
        .clone();
    let accept = |department| CaseChange {
        department: Some(department),
        ..CaseChange::status(
            |s| s == ApplicationStatus::Submitted,
            ApplicationStatus::Accepted,
            "accepted",
            "koseki",
        )
    };
    let now = OffsetDateTime::now_utc();
    assert!(matches!(
        db.store
            .change(MUNICIPALITY, first.id, &accept("other"), now)
            .await
            .unwrap(),
        Transition::NotFound
    ));
    assert!(matches!(
        db.store
            .change(MUNICIPALITY, first.id, &accept("d"), now)
            .await
            .unwrap(),
        Transition::Done(_)
    ));
    let feed = db
        .store
        .changed_since(MUNICIPALITY, "d", 0, 10)
        .await
        .unwrap();
    let order: Vec<Uuid> = feed.iter().map(|a| a.id).collect();
    assert_eq!(
        order,
        [second.id, first.id],
        "the accepted one changed last"
    );
    let cursor = feed[0].change_seq;
    let rest = db
        .store
        .changed_since(MUNICIPALITY, "d", cursor, 10)
        .await
        .unwrap();
    assert_eq!(rest.iter().map(|a| a.id).collect::<Vec<_>>(), [first.id]);
    assert!(
        db.store
            .changed_since(MUNICIPALITY, "other", 0, 10)
            .await
            .unwrap()
            .is_empty()
    );

    let found = db
        .store
        .inbox(
            MUNICIPALITY,
            &InboxFilter {
                department: Some("d"),
                name: Some("ヤマダ"),
                status: Some(ApplicationStatus::Accepted),
                life_event: None,
                limit: 10,
                ..InboxFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(found.iter().map(|a| a.id).collect::<Vec<_>>(), [first.id]);
    let none = db
        .store
        .inbox(
            MUNICIPALITY,
            &InboxFilter {
                department: Some("other"),
                life_event: None,
                limit: 10,
                ..InboxFilter::default()
            },
        )
        .await
        .unwrap();
    assert!(none.is_empty());
}
