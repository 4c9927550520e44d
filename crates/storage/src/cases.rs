//! Reading applications as cases: the department inbox with its filters and counts, the change
//! feed business systems pull, a procedure's applications for export, and the webhook delivery
//! log. Every query takes the department it serves (`None` only for administrators), so that
//! isolation is a property of the SQL, not of each caller.

use crate::jobs::{NewJob, insert_job};
use crate::rows::{APPLICATION_COLUMNS, application_row};
use crate::{ApplicationRow, Backend, StorageError, Store, on_pool};
use madoguchi_domain::ApplicationStatus;
use serde_json::Value;
use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

/// A value bound to a query built by [`Conditions`].
enum Arg<'a> {
    Text(std::borrow::Cow<'a, str>),
    Time(OffsetDateTime),
    Int(i64),
    #[cfg(test)]
    Uuid(Uuid),
}

/// A `WHERE` clause of only the filters given, each bound to its own `$n`: a query with
/// `($2 IS NULL OR col = $2)` has one plan for every combination, which PostgreSQL's generic
/// plans and SQLite cannot serve from an index; this one has a plan per filter set.
struct Conditions<'a> {
    sql: String,
    args: Vec<Arg<'a>>,
    /// SQLite's planner, not PostgreSQL's, needs [`Conditions::check_opt`]'s hint.
    sqlite: bool,
}

impl<'a> Conditions<'a> {
    /// Always scoped to the municipality (`$1`).
    fn new(municipality: &'a str, backend: &Backend) -> Self {
        Self {
            sql: "municipality_code = $1".to_owned(),
            args: vec![Arg::Text(municipality.into())],
            sqlite: matches!(backend, Backend::Sqlite(_)),
        }
    }

    /// Binds a value; its placeholder number.
    fn bind(&mut self, arg: Arg<'a>) -> usize {
        self.args.push(arg);
        self.args.len()
    }

    /// ` AND {left} $n`, e.g. `and("submitted_at >=", …)`.
    fn and(&mut self, left: &str, arg: Arg<'a>) {
        self.and_sql(left, arg, "");
    }

    fn and_sql(&mut self, left: &str, arg: Arg<'a>, right: &str) {
        let n = self.bind(arg);
        self.sql.push_str(&format!(" AND {left} ${n}{right}"));
    }

    /// `column = $n` as a check on rows another index finds: the department, once a procedure
    /// (one department's) narrows further. SQLite's planner otherwise walks the department's
    /// whole year in order to filter a month of one procedure out of it, so there the column
    /// is hidden from it (`|| ''` is the same text, no longer the indexed column); PostgreSQL's
    /// estimates choose well, and would misjudge the expression's selectivity.
    fn check_opt(&mut self, column: &str, value: Option<&'a str>) {
        if let Some(value) = value {
            let left = if self.sqlite {
                format!("{column} || '' =")
            } else {
                format!("{column} =")
            };
            self.and(&left, Arg::Text(value.into()));
        }
    }

    fn eq_opt(&mut self, column: &str, value: Option<&'a str>) {
        if let Some(value) = value {
            self.and(&format!("{column} ="), Arg::Text(value.into()));
        }
    }
}

/// Binds every argument of `$w` to `$query`, in order; a macro, because the query's type is
/// the backend's (the body of [`on_pool!`] is compiled once per backend).
macro_rules! bind_all {
    ($w:expr, $query:expr) => {{
        let mut q = $query;
        for arg in &$w.args {
            q = match arg {
                Arg::Text(s) => q.bind(s.as_ref()),
                Arg::Time(t) => q.bind(*t),
                Arg::Int(i) => q.bind(*i),
                #[cfg(test)]
                Arg::Uuid(u) => q.bind(*u),
            };
        }
        q
    }};
}

/// The inbox's filters. Everything optional narrows; nothing widens past `department`.
#[derive(Debug, Clone, Default)]
pub struct InboxFilter<'a> {
    pub department: Option<&'a str>,
    pub procedure: Option<&'a str>,
    pub status: Option<ApplicationStatus>,
    pub submitted_from: Option<OffsetDateTime>,
    pub submitted_before: Option<OffsetDateTime>,
    /// A receipt number (exact) or part of the applicant's name.
    pub receipt: Option<&'a str>,
    pub name: Option<&'a str>,
    /// Only applications of bundles from this life event.
    pub life_event: Option<&'a str>,
    /// The page after this receipt number, in the inbox's order: a cursor that holds while new
    /// applications arrive (they come after every one already there).
    pub after: Option<&'a str>,
    pub limit: i64,
}

/// One webhook delivery (an outbox job of kind `webhook`).
#[derive(Debug, Clone)]
pub struct DeliveryRow {
    pub id: Uuid,
    pub application_id: Option<Uuid>,
    pub payload: Value,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub done_at: Option<OffsetDateTime>,
    pub run_after: OffsetDateTime,
    pub created_at: OffsetDateTime,
}

impl Store {
    /// Oldest first: the case that has waited longest is at the top; a page at a time.
    pub async fn inbox(
        &self,
        municipality: &str,
        filter: &InboxFilter<'_>,
    ) -> Result<Vec<ApplicationRow>, StorageError> {
        let (sql, w) = inbox_query(&self.backend, municipality, filter);
        on_pool!(self, |pool| {
            let rows = bind_all!(w, sqlx::query(sqlx::AssertSqlSafe(sql.clone())))
                .fetch_all(pool)
                .await?;
            rows.iter().map(|r| Ok(application_row!(r))).collect()
        })
    }

    /// How many applications are in each status (of a procedure, if given).
    pub async fn status_counts(
        &self,
        municipality: &str,
        department: Option<&str>,
        procedure: Option<&str>,
    ) -> Result<Vec<(ApplicationStatus, i64)>, StorageError> {
        let (sql, w) = counts_query(&self.backend, municipality, department, procedure);
        on_pool!(self, |pool| {
            let rows = bind_all!(w, sqlx::query(sqlx::AssertSqlSafe(sql.clone())))
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|r| {
                    Ok((
                        crate::rows::status(r.try_get::<&str, _>("status")?)?,
                        r.try_get::<i64, _>("n")?,
                    ))
                })
                .collect()
        })
    }

    /// A case of the department (any, with `None`) by receipt number.
    pub async fn case_by_receipt(
        &self,
        municipality: &str,
        department: Option<&str>,
        receipt: &str,
    ) -> Result<Option<ApplicationRow>, StorageError> {
        let sql = format!(
            "SELECT {APPLICATION_COLUMNS} FROM applications WHERE municipality_code = $1 AND receipt_number = $2 AND ($3 IS NULL OR department_id = $3)"
        );
        on_pool!(self, |pool| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(municipality)
                .bind(receipt)
                .bind(department)
                .fetch_optional(pool)
                .await?;
            row.map(|r| Ok(application_row!(r))).transpose()
        })
    }

    /// Applications changed after `cursor`, in the order they changed.
    pub async fn changed_since(
        &self,
        municipality: &str,
        department: &str,
        cursor: i64,
        limit: i64,
    ) -> Result<Vec<ApplicationRow>, StorageError> {
        let sql = change_feed_sql();
        on_pool!(self, |pool| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(municipality)
                .bind(department)
                .bind(cursor)
                .bind(limit)
                .fetch_all(pool)
                .await?;
            rows.iter().map(|r| Ok(application_row!(r))).collect()
        })
    }

    /// A page of a procedure's applications in the department, oldest first, after `after`
    /// (the last page's final submission time and receipt number): an export reads a year a
    /// page at a time, so its memory does not grow with the year.
    pub async fn applications_of(
        &self,
        municipality: &str,
        department: Option<&str>,
        procedure: &str,
        after: Option<(OffsetDateTime, &str)>,
        limit: i64,
    ) -> Result<Vec<ApplicationRow>, StorageError> {
        let (sql, w) = export_query(
            &self.backend,
            municipality,
            department,
            procedure,
            after,
            limit,
        );
        on_pool!(self, |pool| {
            let rows = bind_all!(w, sqlx::query(sqlx::AssertSqlSafe(sql.clone())))
                .fetch_all(pool)
                .await?;
            rows.iter().map(|r| Ok(application_row!(r))).collect()
        })
    }

    /// Webhook deliveries of the department, newest first.
    pub async fn deliveries(
        &self,
        municipality: &str,
        department: Option<&str>,
        limit: i64,
    ) -> Result<Vec<DeliveryRow>, StorageError> {
        on_pool!(self, |pool| {
            let rows = sqlx::query("SELECT id, application_id, payload, attempts, last_error, done_at, run_after, created_at FROM jobs WHERE municipality_code = $1 AND kind = 'webhook' AND ($2 IS NULL OR department_id = $2) ORDER BY created_at DESC, id DESC LIMIT $3")
                .bind(municipality)
                .bind(department)
                .bind(limit)
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|r| {
                    Ok(DeliveryRow {
                        id: r.try_get("id")?,
                        application_id: r.try_get("application_id")?,
                        payload: r.try_get::<sqlx::types::Json<Value>, _>("payload")?.0,
                        attempts: r.try_get("attempts")?,
                        last_error: r.try_get("last_error")?,
                        done_at: r.try_get("done_at")?,
                        run_after: r.try_get("run_after")?,
                        created_at: r.try_get("created_at")?,
                    })
                })
                .collect()
        })
    }

    /// Queues a delivery again as a new job (the old one keeps its record); `false` if the
    /// department has no such delivery.
    pub async fn resend_delivery(
        &self,
        municipality: &str,
        department: Option<&str>,
        id: Uuid,
        now: OffsetDateTime,
    ) -> Result<bool, StorageError> {
        let done = crate::in_tx!(self, |tx| {
            let row = sqlx::query("SELECT payload, department_id, application_id FROM jobs WHERE municipality_code = $1 AND id = $2 AND kind = 'webhook' AND ($3 IS NULL OR department_id = $3)")
                .bind(municipality)
                .bind(id)
                .bind(department)
                .fetch_optional(&mut *tx)
                .await?;
            match row {
                None => false,
                Some(r) => {
                    let job = NewJob {
                        kind: "webhook".into(),
                        payload: r.try_get::<sqlx::types::Json<Value>, _>("payload")?.0,
                        department_id: r.try_get("department_id")?,
                        application_id: r.try_get("application_id")?,
                    };
                    insert_job!(&mut *tx, municipality, job, now);
                    true
                }
            }
        });
        Ok(done)
    }
}

/// The inbox page's query: only the filters given, in the inbox's order.
fn inbox_query<'a>(
    backend: &Backend,
    municipality: &'a str,
    filter: &InboxFilter<'a>,
) -> (String, Conditions<'a>) {
    let mut w = Conditions::new(municipality, backend);
    if filter.procedure.is_some() {
        w.eq_opt("procedure_id", filter.procedure);
        w.check_opt("department_id", filter.department);
        w.check_opt("status", filter.status.map(ApplicationStatus::as_str));
    } else {
        w.eq_opt("department_id", filter.department);
        w.eq_opt("status", filter.status.map(ApplicationStatus::as_str));
    }
    if let Some(from) = filter.submitted_from {
        w.and("submitted_at >=", Arg::Time(from));
    }
    if let Some(before) = filter.submitted_before {
        w.and("submitted_at <", Arg::Time(before));
    }
    w.eq_opt("receipt_number", filter.receipt);
    if let Some(name) = filter.name {
        let pattern = format!("%{}%", escape_like(name));
        w.and_sql(
            "applicant_name LIKE",
            Arg::Text(pattern.into()),
            " ESCAPE '\\'",
        );
    }
    w.eq_opt("life_event_id", filter.life_event);
    if let Some(after) = filter.after {
        // The cursor's own time, read by the index on receipt numbers. The first term is
        // the index range; the second steps past the cursor within its instant.
        let at = format!(
            "(SELECT c.submitted_at FROM applications c WHERE c.municipality_code = $1 AND c.receipt_number = ${})",
            w.bind(Arg::Text(after.into()))
        );
        w.sql.push_str(&format!(" AND submitted_at >= {at}"));
        let receipt = w.bind(Arg::Text(after.into()));
        w.sql.push_str(&format!(
            " AND (submitted_at > {at} OR receipt_number > ${receipt})"
        ));
    }
    let limit = w.bind(Arg::Int(filter.limit));
    let sql = format!(
        "SELECT {APPLICATION_COLUMNS} FROM applications WHERE {} ORDER BY submitted_at, receipt_number LIMIT ${limit}",
        w.sql
    );
    (sql, w)
}

fn counts_query<'a>(
    backend: &Backend,
    municipality: &'a str,
    department: Option<&'a str>,
    procedure: Option<&'a str>,
) -> (String, Conditions<'a>) {
    let mut w = Conditions::new(municipality, backend);
    if procedure.is_some() {
        w.eq_opt("procedure_id", procedure);
        w.check_opt("department_id", department);
    } else {
        w.eq_opt("department_id", department);
    }
    let sql = format!(
        "SELECT status, COUNT(*) AS n FROM applications WHERE {} GROUP BY status",
        w.sql
    );
    (sql, w)
}

fn export_query<'a>(
    backend: &Backend,
    municipality: &'a str,
    department: Option<&'a str>,
    procedure: &'a str,
    after: Option<(OffsetDateTime, &'a str)>,
    limit: i64,
) -> (String, Conditions<'a>) {
    let mut w = Conditions::new(municipality, backend);
    w.and("procedure_id =", Arg::Text(procedure.into()));
    w.check_opt("department_id", department);
    if let Some((at, receipt)) = after {
        let at_placeholder = w.bind(Arg::Time(at));
        let receipt_placeholder = w.bind(Arg::Text(receipt.into()));
        w.sql.push_str(&format!(
            " AND submitted_at >= ${at_placeholder} AND (submitted_at > ${at_placeholder} OR receipt_number > ${receipt_placeholder})"
        ));
    }
    let limit = w.bind(Arg::Int(limit));
    let sql = format!(
        "SELECT {APPLICATION_COLUMNS} FROM applications WHERE {} ORDER BY submitted_at, receipt_number LIMIT ${limit}",
        w.sql
    );
    (sql, w)
}

fn change_feed_sql() -> String {
    format!(
        "SELECT {APPLICATION_COLUMNS} FROM applications WHERE municipality_code = $1 AND department_id = $2 AND change_seq > $3 ORDER BY change_seq LIMIT $4"
    )
}

/// `%` and `_` typed into a name search are letters, not wildcards.
fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

#[cfg(test)]
mod plans {
    //! The inbox, export and change-feed queries are served by their indexes in order, on both
    //! backends: each plan names the index and has no sort (a sort would read the whole
    //! department's year for every page).
    use super::*;

    async fn store() -> (Store, tempfile::TempDir) {
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
        (store, dir)
    }

    /// A few thousand applications over three departments, seven procedures and the statuses, and the
    /// planners' statistics of them (as `PRAGMA optimize` and autovacuum keep them).
    async fn fill(store: &Store) -> Result<(), StorageError> {
        let m = "131113";
        let departments = [
            ("kosekijumin", "juminhyo-yuso"),
            ("kosekijumin", "tennyu-todoke"),
            ("kosekijumin", "tenkyo-todoke"),
            ("kosekijumin", "tenshutsu-yoyaku"),
            ("kosodate-shien", "jido-teate-nintei"),
            ("kosodate-shien", "hoiku-moshikomi"),
            ("seiso", "sodai-gomi"),
        ];
        let statuses = [
            "submitted",
            "accepted",
            "completed",
            "completed",
            "rejected",
        ];
        let start = OffsetDateTime::now_utc() - time::Duration::days(365);
        crate::in_tx!(store, |tx| {
            for (_, procedure) in departments {
                sqlx::query("INSERT INTO procedure_versions (municipality_code, procedure_id, version, definition, first_seen_at) VALUES ($1, $2, '1', '{}', $3)")
                    .bind(m)
                    .bind(procedure)
                    .bind(start)
                    .execute(&mut *tx)
                    .await?;
            }
            for i in 0..3000_i64 {
                let (department, procedure) = departments[(i % 7) as usize];
                let at = start + time::Duration::minutes(i * 175);
                sqlx::query("INSERT INTO applications (id, municipality_code, receipt_number, procedure_id, procedure_version, department_id, answers, status, channel, submitted_at, updated_at, applicant_name, change_seq) VALUES ($1, $2, $3, $4, '1', $5, $6, $7, 'web', $8, $8, $9, $10)")
                    .bind(Uuid::now_v7())
                    .bind(m)
                    .bind(format!("R7-{i:06}"))
                    .bind(procedure)
                    .bind(department)
                    .bind(sqlx::types::Json(serde_json::json!({})))
                    .bind(statuses[(i % 5) as usize])
                    .bind(at)
                    .bind(format!("区民 {i}"))
                    .bind(i + 1)
                    .execute(&mut *tx)
                    .await?;
            }
        });
        match &store.backend {
            Backend::Sqlite(pool) => sqlx::query("ANALYZE").execute(pool).await.map(|_| ())?,
            Backend::Postgres(pool) => sqlx::query("VACUUM ANALYZE applications")
                .execute(pool)
                .await
                .map(|_| ())?,
        }
        Ok(())
    }

    /// The plan of `sql` as the backend explains it, one line per node.
    async fn plan(store: &Store, sql: &str, w: &Conditions<'_>) -> String {
        match &store.backend {
            Backend::Sqlite(pool) => {
                let explain = format!("EXPLAIN QUERY PLAN {sql}");
                let rows = bind_all!(w, sqlx::query(sqlx::AssertSqlSafe(explain)))
                    .fetch_all(pool)
                    .await
                    .unwrap();
                rows.iter()
                    .map(|r| r.get::<String, _>("detail"))
                    .collect::<Vec<_>>()
                    .join("\n")
            }
            Backend::Postgres(pool) => {
                let explain = format!("EXPLAIN {sql}");
                let rows = bind_all!(w, sqlx::query(sqlx::AssertSqlSafe(explain)))
                    .fetch_all(pool)
                    .await
                    .unwrap();
                rows.iter()
                    .map(|r| r.get::<String, _>(0))
                    .collect::<Vec<_>>()
                    .join("\n")
            }
        }
    }

    /// Read through one of `indexes` in the query's order.
    fn assert_served_by(plan: &str, indexes: &[&str]) {
        assert!(
            indexes.iter().any(|index| plan.contains(index)),
            "expected one of {indexes:?}:\n{plan}"
        );
        for sort in ["TEMP B-TREE", "Sort"] {
            assert!(!plan.contains(sort), "a sort for every page:\n{plan}");
        }
    }

    #[tokio::test]
    async fn every_inbox_export_and_feed_query_reads_its_index_in_order() {
        let (store, _dir) = store().await;
        fill(&store).await.unwrap();
        let now = OffsetDateTime::now_utc();
        let m = "131113";
        let department = InboxFilter {
            department: Some("kosekijumin"),
            limit: 51,
            ..InboxFilter::default()
        };
        let cases = [
            (department.clone(), &["applications_by_department"][..]),
            (
                InboxFilter {
                    after: Some("R7-000123"),
                    ..department.clone()
                },
                &["applications_by_department"][..],
            ),
            (
                InboxFilter {
                    status: Some(ApplicationStatus::Submitted),
                    after: Some("R7-000123"),
                    ..department.clone()
                },
                &["applications_by_department_status"][..],
            ),
            (
                InboxFilter {
                    procedure: Some("juminhyo-yuso"),
                    ..department.clone()
                },
                &["applications_by_procedure"][..],
            ),
            (
                InboxFilter {
                    procedure: Some("juminhyo-yuso"),
                    status: Some(ApplicationStatus::Completed),
                    submitted_from: Some(now - time::Duration::days(30)),
                    ..department.clone()
                },
                &["applications_by_procedure"][..],
            ),
            (
                InboxFilter {
                    life_event: Some("hikkoshi"),
                    ..department.clone()
                },
                &["applications_by_life_event"][..],
            ),
            (
                InboxFilter {
                    department: None,
                    submitted_from: Some(now - time::Duration::days(30)),
                    ..department.clone()
                },
                &["applications_by_submission"][..],
            ),
        ];
        for (filter, index) in &cases {
            let (sql, w) = inbox_query(&store.backend, m, filter);
            assert_served_by(&plan(&store, &sql, &w).await, index);
        }

        let (sql, w) = export_query(
            &store.backend,
            m,
            Some("kosekijumin"),
            "juminhyo-yuso",
            Some((now - time::Duration::days(180), "R7-001500")),
            // As a page of 500 is to a procedure's year of tens of thousands.
            20,
        );
        assert_served_by(
            &plan(&store, &sql, &w).await,
            &["applications_by_procedure"],
        );

        let mut w = Conditions::new(m, &store.backend);
        w.bind(Arg::Text("kosekijumin".into()));
        w.bind(Arg::Int(0));
        w.bind(Arg::Int(100));
        let feed = plan(&store, &change_feed_sql(), &w).await;
        assert_served_by(&feed, &["applications_by_change"]);

        // Every submission with a file replaces its uses by owner: on SQLite, before any
        // statistics exist, too.
        if store.backend_name() == "sqlite" {
            let (fresh, _dir) = self::store().await;
            let w = Conditions {
                sql: String::new(),
                args: vec![Arg::Uuid(Uuid::nil())],
                sqlite: true,
            };
            let uses = plan(&fresh, crate::maintenance::DELETE_USES_OF_OWNER, &w).await;
            assert!(uses.contains("attachment_uses_by_owner"), "{uses}");
        }

        // A department of a seventh of the year (a large one's counts read much of the table,
        // which PostgreSQL rightly reads whole).
        let (sql, w) = counts_query(&store.backend, m, Some("seiso"), None);
        let counts = plan(&store, &sql, &w).await;
        assert!(
            counts.contains("applications_by_department_status"),
            "{counts}"
        );
        let (sql, w) = counts_query(
            &store.backend,
            m,
            Some("kosekijumin"),
            Some("juminhyo-yuso"),
        );
        let counts = plan(&store, &sql, &w).await;
        assert!(counts.contains("applications_by_procedure"), "{counts}");
    }
}
