//! Reading applications as cases: the department inbox with its filters and counts, the change
//! feed business systems pull, a procedure's applications for export, and the webhook delivery
//! log. Every query takes the department it serves (`None` only for administrators), so that
//! isolation is a property of the SQL, not of each caller.

use crate::jobs::{NewJob, insert_job};
use crate::rows::{APPLICATION_COLUMNS, application_row};
use crate::{ApplicationRow, StorageError, Store, on_pool};
use madoguchi_domain::ApplicationStatus;
use serde_json::Value;
use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

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
        // Timestamps are stored in UTC by this system, so their text compares in time order
        // on SQLite too.
        let sql = format!(
            "SELECT {APPLICATION_COLUMNS} FROM applications WHERE municipality_code = $1 \
             AND ($2 IS NULL OR department_id = $2) AND ($3 IS NULL OR procedure_id = $3) \
             AND ($4 IS NULL OR status = $4) AND ($5 IS NULL OR submitted_at >= $5) \
             AND ($6 IS NULL OR submitted_at < $6) AND ($7 IS NULL OR receipt_number = $7) \
             AND ($8 IS NULL OR applicant_name LIKE $8 ESCAPE '\\') \
             AND ($10 IS NULL OR life_event_id = $10) \
             AND ($11 IS NULL OR (submitted_at, receipt_number) > \
                  ((SELECT c.submitted_at FROM applications c WHERE c.municipality_code = $1 AND c.receipt_number = $11), $11)) \
             ORDER BY submitted_at, receipt_number LIMIT $9"
        );
        let name_pattern = filter.name.map(|n| format!("%{}%", escape_like(n)));
        on_pool!(self, |pool| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(municipality)
                .bind(filter.department)
                .bind(filter.procedure)
                .bind(filter.status.map(ApplicationStatus::as_str))
                .bind(filter.submitted_from)
                .bind(filter.submitted_before)
                .bind(filter.receipt)
                .bind(name_pattern.as_deref())
                .bind(filter.limit)
                .bind(filter.life_event)
                .bind(filter.after)
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
        on_pool!(self, |pool| {
            let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM applications WHERE municipality_code = $1 AND ($2 IS NULL OR department_id = $2) AND ($3 IS NULL OR procedure_id = $3) GROUP BY status")
                .bind(municipality)
                .bind(department)
                .bind(procedure)
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
        let sql = format!(
            "SELECT {APPLICATION_COLUMNS} FROM applications WHERE municipality_code = $1 AND department_id = $2 AND change_seq > $3 ORDER BY change_seq LIMIT $4"
        );
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

    /// Every application of a procedure in the department, oldest first, for export.
    pub async fn applications_of(
        &self,
        municipality: &str,
        department: Option<&str>,
        procedure: &str,
    ) -> Result<Vec<ApplicationRow>, StorageError> {
        let sql = format!(
            "SELECT {APPLICATION_COLUMNS} FROM applications WHERE municipality_code = $1 AND ($2 IS NULL OR department_id = $2) AND procedure_id = $3 ORDER BY submitted_at, receipt_number"
        );
        on_pool!(self, |pool| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(municipality)
                .bind(department)
                .bind(procedure)
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

/// `%` and `_` typed into a name search are letters, not wildcards.
fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
