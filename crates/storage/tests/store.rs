//! The storage suite: the same tests on SQLite (always) and PostgreSQL (when
//! `MADOGUCHI_TEST_POSTGRES_URL` names a server). What is checked is what the rest of the
//! system relies on: one application per draft or key, unique receipt numbers under
//! concurrency, atomic status changes, and an outbox that loses no job.

use madoguchi_domain::{ApplicationStatus, Procedure, catalog};
use madoguchi_storage::{
    NewApplication, NewDraft, NewJob, StatusChange, StorageError, Store, Submitted, Transition,
};
use serde_json::json;
use std::collections::HashSet;
use time::OffsetDateTime;
use uuid::Uuid;

const MUNICIPALITY: &str = "131113";

struct Db {
    store: Store,
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
    Db { store, _dir: dir }
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
        jobs: vec![NewJob {
            kind: "mail.submitted".into(),
            payload: json!({ "to": "a@example.jp" }),
        }],
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
    let withdraw = StatusChange {
        allowed: ApplicationStatus::can_withdraw,
        to: ApplicationStatus::Withdrawn,
        event: "withdrawn",
        actor: "resident",
    };
    let now = OffsetDateTime::now_utc();
    assert!(matches!(
        db.store
            .transition(MUNICIPALITY, app.id, &withdraw, now)
            .await
            .unwrap(),
        Transition::Done(_)
    ));
    assert!(matches!(
        db.store
            .transition(MUNICIPALITY, app.id, &withdraw, now)
            .await
            .unwrap(),
        Transition::NotAllowed(ApplicationStatus::Withdrawn)
    ));
    assert!(
        matches!(
            db.store
                .transition("131016", app.id, &withdraw, now)
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
