//! Housekeeping that runs on a schedule: periodic jobs claimed by one instance at a time, and
//! the clean-up of what expires — drafts nobody submitted and the files only they used, files
//! uploaded through the API and never submitted, staff sessions, rate-limit counters.
//!
//! Files are content-addressed and may be shared by several drafts, applications and even
//! municipalities, so a file is deleted only when no record names it any more, and under a
//! lock that the upload path takes too: an upload of the same bytes at the same moment either
//! records itself first (and the file stays) or finds the file gone and writes it again.

use crate::files::BlobStore;
use crate::{StorageError, Store, on_pool};
use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

/// What one clean-up pass removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    pub drafts: u64,
    pub attachments: u64,
    pub files: u64,
    pub sessions: u64,
    pub counters: u64,
}

/// How many unused attachments one pass looks at; the next pass takes the rest.
const ATTACHMENT_BATCH: i64 = 500;

impl Store {
    /// Claims a periodic job if it is due: moves its next run to `next` and returns `true`,
    /// in one statement, so that of several instances exactly one runs it.
    pub async fn claim_schedule(
        &self,
        name: &str,
        now: OffsetDateTime,
        next: OffsetDateTime,
    ) -> Result<bool, StorageError> {
        let claimed = on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO schedules (name, next_run_at) VALUES ($1, $2) \
                 ON CONFLICT (name) DO UPDATE SET next_run_at = $2 \
                 WHERE schedules.next_run_at <= $3 RETURNING name",
            )
            .bind(name)
            .bind(next)
            .bind(now)
            .fetch_optional(pool)
            .await
            .map(|row| row.is_some())
        })?;
        Ok(claimed)
    }

    /// Drafts never submitted whose resume link has expired, with the record of the files
    /// they used, and life event plans whose private link has expired, with their counter codes.
    pub async fn purge_expired_drafts(&self, now: OffsetDateTime) -> Result<u64, StorageError> {
        let n = crate::in_tx!(self, |tx| {
            sqlx::query(
                "DELETE FROM attachment_uses WHERE owner_id IN \
                 (SELECT id FROM drafts WHERE application_id IS NULL AND expires_at < $1)",
            )
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM counter_codes WHERE expires_at < $1")
                .bind(now)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM life_event_plans WHERE expires_at < $1")
                .bind(now)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM drafts WHERE application_id IS NULL AND expires_at < $1")
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        });
        Ok(n)
    }

    /// Keeps the query planner's statistics current, so that a year of applications is read
    /// through the indexes its pages need (see `cases`). SQLite analyses the tables that have
    /// changed enough (`PRAGMA optimize`, every table considered); PostgreSQL's autovacuum does
    /// this itself.
    pub async fn refresh_statistics(&self) -> Result<(), StorageError> {
        if let crate::Backend::Sqlite(pool) = &self.backend {
            sqlx::query("PRAGMA optimize=0x10002").execute(pool).await?;
        }
        Ok(())
    }

    pub async fn purge_expired_sessions(&self, now: OffsetDateTime) -> Result<u64, StorageError> {
        let n = on_pool!(self, |pool| {
            sqlx::query("DELETE FROM staff_sessions WHERE expires_at < $1")
                .bind(now)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        Ok(n)
    }

    pub async fn purge_rate_counters(&self, before: OffsetDateTime) -> Result<u64, StorageError> {
        let n = on_pool!(self, |pool| {
            sqlx::query("DELETE FROM rate_counters WHERE window_start < $1")
                .bind(before)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        Ok(n)
    }

    /// Attachments no draft or application uses and that were recorded before `before`
    /// (a grace period for API uploads that are about to be submitted); each file is deleted
    /// from `files` once no municipality records it. Returns (records, files) removed.
    pub async fn purge_unused_attachments(
        &self,
        before: OffsetDateTime,
        files: &dyn BlobStore,
    ) -> Result<(u64, u64), StorageError> {
        let candidates: Vec<(String, String)> = on_pool!(self, |pool| {
            let rows = sqlx::query(
                "SELECT municipality_code, sha256 FROM attachments a WHERE created_at < $1 \
                 AND NOT EXISTS (SELECT 1 FROM attachment_uses u WHERE u.municipality_code = a.municipality_code AND u.sha256 = a.sha256) \
                 LIMIT $2",
            )
            .bind(before)
            .bind(ATTACHMENT_BATCH)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| Ok((r.try_get("municipality_code")?, r.try_get("sha256")?)))
                .collect::<Result<Vec<_>, StorageError>>()
        })?;
        let (mut records, mut deleted) = (0, 0);
        for (municipality, sha) in candidates {
            let (record, file) = self
                .purge_attachment(&municipality, &sha, before, files)
                .await?;
            records += record;
            deleted += file;
        }
        Ok((records, deleted))
    }

    /// One attachment, checked again under the file's lock.
    async fn purge_attachment(
        &self,
        municipality: &str,
        sha: &str,
        before: OffsetDateTime,
        files: &dyn BlobStore,
    ) -> Result<(u64, u64), StorageError> {
        let removed = crate::in_tx!(self, |tx| {
            lock_file!(&self.backend, &mut *tx, sha);
            let removed = sqlx::query(
                "DELETE FROM attachments WHERE municipality_code = $1 AND sha256 = $2 AND created_at < $3 \
                 AND NOT EXISTS (SELECT 1 FROM attachment_uses u WHERE u.municipality_code = $1 AND u.sha256 = $2)",
            )
            .bind(municipality)
            .bind(sha)
            .bind(before)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            let remaining: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM attachments WHERE sha256 = $1")
                    .bind(sha)
                    .fetch_one(&mut *tx)
                    .await?;
            // Deleted while the lock is held: an upload of the same bytes waits for it.
            let file = if removed > 0 && remaining == 0 {
                u64::from(files.delete(sha).await?)
            } else {
                0
            };
            (removed, file)
        });
        Ok(removed)
    }

    /// Records which stored files an owner (a draft or an application) uses, replacing what
    /// it used before.
    pub async fn set_attachment_uses(
        &self,
        municipality: &str,
        owner: Uuid,
        sha256s: &[String],
    ) -> Result<(), StorageError> {
        crate::in_tx!(self, |tx| {
            write_uses!(&mut *tx, municipality, owner, sha256s);
        });
        Ok(())
    }
}

/// Run on every submission with a file, so served by `attachment_uses_by_owner`
/// (`cases::plans`). By the owner alone, a UUID no other municipality's row has: with the
/// municipality too, SQLite read the primary key's every use of the municipality instead.
pub(crate) const DELETE_USES_OF_OWNER: &str = "DELETE FROM attachment_uses WHERE owner_id = $1";

/// Replaces an owner's attachment uses inside the caller's transaction.
macro_rules! write_uses {
    ($conn:expr, $municipality:expr, $owner:expr, $sha256s:expr) => {{
        let conn = $conn;
        sqlx::query($crate::maintenance::DELETE_USES_OF_OWNER)
            .bind($owner)
            .execute(&mut *conn)
            .await?;
        for sha in $sha256s {
            sqlx::query("INSERT INTO attachment_uses (municipality_code, sha256, owner_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind($municipality)
                .bind(sha)
                .bind($owner)
                .execute(&mut *conn)
                .await?;
        }
    }};
}
pub(crate) use write_uses;

/// Takes the lock that keeps a file's deletion and a new record of it apart: a PostgreSQL
/// advisory lock on the hash for the transaction; on SQLite the write lock that every
/// transaction (`BEGIN IMMEDIATE`) already holds.
macro_rules! lock_file {
    ($backend:expr, $conn:expr, $sha:expr) => {{
        if let $crate::Backend::Postgres(_) = $backend {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind($sha)
                .execute($conn)
                .await?;
        }
    }};
}
pub(crate) use lock_file;
