//! The outbox: work that must happen after a commit (sending a confirmation mail), written in
//! the same transaction as the change that calls for it, and claimed by workers with a lease so
//! that a crashed worker's job is retried rather than lost.

use crate::{Backend, StorageError, Store, on_pool};
use serde_json::Value;
use sqlx::Row;
use sqlx::types::Json;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: String,
    pub payload: Value,
    /// For the back office's delivery log: whose and which application's job this is.
    pub department_id: Option<String>,
    pub application_id: Option<Uuid>,
}

impl NewJob {
    pub fn new(kind: impl Into<String>, payload: Value) -> Self {
        Self {
            kind: kind.into(),
            payload,
            department_id: None,
            application_id: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Job {
    pub id: Uuid,
    pub municipality_code: String,
    pub kind: String,
    pub payload: Value,
    pub attempts: i32,
}

/// Inserts a job inside the caller's transaction.
macro_rules! insert_job {
    ($conn:expr, $municipality:expr, $job:expr, $now:expr) => {
        sqlx::query("INSERT INTO jobs (id, municipality_code, kind, payload, run_after, attempts, created_at, department_id, application_id) VALUES ($1, $2, $3, $4, $5, 0, $6, $7, $8)")
            .bind(uuid::Uuid::now_v7())
            .bind($municipality)
            .bind(&$job.kind)
            .bind(sqlx::types::Json(&$job.payload))
            .bind($now)
            .bind($now)
            .bind($job.department_id.as_deref())
            .bind($job.application_id)
            .execute($conn)
            .await?
    };
}
pub(crate) use insert_job;

impl Store {
    /// Leases up to `limit` due jobs for `lease`; each claim counts as an attempt.
    pub async fn claim_jobs(
        &self,
        now: OffsetDateTime,
        lease: Duration,
        limit: i64,
    ) -> Result<Vec<Job>, StorageError> {
        let until = now + lease;
        let rows = match &self.backend {
            // SQLite: text timestamps compare through julianday(); the write lock serialises claims.
            Backend::Sqlite(pool) => {
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let rows = sqlx::query(
                    "UPDATE jobs SET locked_until = $1, attempts = attempts + 1 WHERE id IN (\
                       SELECT id FROM jobs WHERE done_at IS NULL AND julianday(run_after) <= julianday($2) \
                       AND (locked_until IS NULL OR julianday(locked_until) < julianday($2)) ORDER BY run_after LIMIT $3) \
                     RETURNING id, municipality_code, kind, payload, attempts",
                )
                .bind(until)
                .bind(now)
                .bind(limit)
                .fetch_all(&mut *tx)
                .await?;
                let jobs = rows
                    .iter()
                    .map(|r| job_from!(r))
                    .collect::<Result<Vec<_>, StorageError>>()?;
                tx.commit().await?;
                jobs
            }
            Backend::Postgres(pool) => {
                let rows = sqlx::query(
                    "UPDATE jobs SET locked_until = $1, attempts = attempts + 1 WHERE id IN (\
                       SELECT id FROM jobs WHERE done_at IS NULL AND run_after <= $2 \
                       AND (locked_until IS NULL OR locked_until < $2) ORDER BY run_after LIMIT $3 FOR UPDATE SKIP LOCKED) \
                     RETURNING id, municipality_code, kind, payload, attempts",
                )
                .bind(until)
                .bind(now)
                .bind(limit)
                .fetch_all(pool)
                .await?;
                rows.iter()
                    .map(|r| job_from!(r))
                    .collect::<Result<Vec<_>, StorageError>>()?
            }
        };
        Ok(rows)
    }

    /// Marks jobs done, all in one transaction (one commit for a batch of deliveries).
    pub async fn complete_jobs(
        &self,
        ids: &[Uuid],
        now: OffsetDateTime,
    ) -> Result<(), StorageError> {
        if ids.is_empty() {
            return Ok(());
        }
        crate::in_tx!(self, |tx| {
            for id in ids {
                sqlx::query(
                    "UPDATE jobs SET done_at = $1, locked_until = NULL, last_error = NULL WHERE id = $2",
                )
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
        });
        Ok(())
    }

    pub async fn complete_job(&self, id: Uuid, now: OffsetDateTime) -> Result<(), StorageError> {
        on_pool!(self, |pool| sqlx::query(
            "UPDATE jobs SET done_at = $1, locked_until = NULL, last_error = NULL WHERE id = $2"
        )
        .bind(now)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Records a failure and schedules the next try (the caller chooses the backoff).
    pub async fn retry_job(
        &self,
        id: Uuid,
        error: &str,
        run_after: OffsetDateTime,
    ) -> Result<(), StorageError> {
        on_pool!(self, |pool| sqlx::query(
            "UPDATE jobs SET last_error = $1, run_after = $2, locked_until = NULL WHERE id = $3"
        )
        .bind(error)
        .bind(run_after)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Jobs not yet done (for tests and operators).
    pub async fn pending_jobs(&self) -> Result<i64, StorageError> {
        let n = on_pool!(self, |pool| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM jobs WHERE done_at IS NULL"
        )
        .fetch_one(pool)
        .await)?;
        Ok(n)
    }
}

macro_rules! job_from {
    ($r:expr) => {{
        let r = $r;
        Ok::<_, StorageError>(Job {
            id: r.try_get("id")?,
            municipality_code: r.try_get("municipality_code")?,
            kind: r.try_get("kind")?,
            payload: r.try_get::<Json<Value>, _>("payload")?.0,
            attempts: r.try_get("attempts")?,
        })
    }};
}
use job_from;
