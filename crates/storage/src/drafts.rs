//! Drafts: answers in progress, found by the hash of the resident's private resume link.

use crate::maintenance::write_uses;
use crate::rows::draft_row;
use crate::{StorageError, Store, on_pool};
use serde_json::Value;
use sqlx::types::Json;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct NewDraft<'a> {
    pub id: Uuid,
    pub municipality: &'a str,
    pub token_hash: &'a str,
    pub procedure_id: &'a str,
    pub procedure_version: &'a str,
    /// The life event plan whose bundle the draft belongs to.
    pub plan_id: Option<Uuid>,
    pub now: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// A stop reached: which procedure, which stop, on which day in Japan (`YYYY-MM-DD`).
#[derive(Debug, Clone, Copy)]
pub struct StopCount<'a> {
    pub procedure_id: &'a str,
    pub stop_id: &'a str,
    pub day: &'a str,
}

macro_rules! count_stop {
    ($tx:expr, $municipality:expr, $stop:expr) => {
        sqlx::query(
            "INSERT INTO eligibility_stops (municipality_code, procedure_id, stop_id, day, count) \
             VALUES ($1, $2, $3, $4, 1) ON CONFLICT (municipality_code, procedure_id, stop_id, day) \
             DO UPDATE SET count = eligibility_stops.count + 1",
        )
        .bind($municipality)
        .bind($stop.procedure_id)
        .bind($stop.stop_id)
        .bind($stop.day)
        .execute($tx)
        .await?;
    };
}

const DRAFT_COLUMNS: &str = "id, procedure_id, procedure_version, answers, created_at, updated_at, expires_at, application_id";

impl Store {
    pub async fn create_draft(&self, d: &NewDraft<'_>) -> Result<(), StorageError> {
        on_pool!(self, |pool| {
            sqlx::query(
            "INSERT INTO drafts (id, municipality_code, token_hash, procedure_id, procedure_version, answers, created_at, updated_at, expires_at, plan_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        )
        .bind(d.id)
        .bind(d.municipality)
        .bind(d.token_hash)
        .bind(d.procedure_id)
        .bind(d.procedure_version)
        .bind(Json(serde_json::json!({})))
        .bind(d.now)
        .bind(d.now)
        .bind(d.expires_at)
        .bind(d.plan_id)
        .execute(pool)
        .await.map(|_| ())
        })?;
        Ok(())
    }

    pub async fn draft_by_token_hash(
        &self,
        municipality: &str,
        token_hash: &str,
    ) -> Result<Option<crate::DraftRow>, StorageError> {
        let sql = format!(
            "SELECT {DRAFT_COLUMNS} FROM drafts WHERE municipality_code = $1 AND token_hash = $2"
        );
        on_pool!(self, |pool| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(municipality)
                .bind(token_hash)
                .fetch_optional(pool)
                .await?;
            Ok(match row {
                Some(r) => Some(draft_row!(r)),
                None => None,
            })
        })
    }

    /// The drafts of a plan's bundle, in the order they were chosen.
    pub async fn plan_drafts(
        &self,
        municipality: &str,
        plan_id: Uuid,
    ) -> Result<Vec<crate::DraftRow>, StorageError> {
        let sql = format!(
            "SELECT {DRAFT_COLUMNS} FROM drafts WHERE municipality_code = $1 AND plan_id = $2 ORDER BY created_at, id"
        );
        on_pool!(self, |pool| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(municipality)
                .bind(plan_id)
                .fetch_all(pool)
                .await?;
            let mut drafts = Vec::with_capacity(rows.len());
            for r in rows {
                drafts.push(draft_row!(r));
            }
            Ok(drafts)
        })
    }

    /// Drops a procedure from a plan's bundle before it is submitted: its draft and the record
    /// of the files it used. `false` if there was none (or it was submitted).
    pub async fn drop_plan_draft(
        &self,
        municipality: &str,
        plan_id: Uuid,
        draft_id: Uuid,
    ) -> Result<bool, StorageError> {
        let dropped = crate::in_tx!(self, |tx| {
            let dropped = sqlx::query(
                "DELETE FROM drafts WHERE id = $1 AND plan_id = $2 AND municipality_code = $3 AND application_id IS NULL",
            )
            .bind(draft_id)
            .bind(plan_id)
            .bind(municipality)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if dropped == 1 {
                sqlx::query("DELETE FROM attachment_uses WHERE owner_id = $1")
                    .bind(draft_id)
                    .execute(&mut *tx)
                    .await?;
            }
            dropped
        });
        Ok(dropped == 1)
    }

    /// Replaces a draft's answers and the files they use, and keeps the resume link alive
    /// until `expires_at`; `false` if it was submitted meanwhile (it is then frozen).
    pub async fn save_draft_answers(
        &self,
        municipality: &str,
        id: Uuid,
        answers: &Value,
        files: &[String],
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<bool, StorageError> {
        let done = crate::in_tx!(self, |tx| {
            let done = sqlx::query(
                "UPDATE drafts SET answers = $1, updated_at = $2, expires_at = $3 WHERE id = $4 AND municipality_code = $5 AND application_id IS NULL",
            )
            .bind(Json(answers))
            .bind(now)
            .bind(expires_at)
            .bind(id)
            .bind(municipality)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done == 1 {
                write_uses!(&mut *tx, municipality, id, files);
            }
            done
        });
        Ok(done == 1)
    }

    /// Ends a draft at an eligibility stop: its answers and the record of its files are
    /// deleted, and the stop is counted for the day. `false` if it was submitted or ended
    /// meanwhile (then nothing is counted twice).
    pub async fn end_draft_at_stop(
        &self,
        municipality: &str,
        id: Uuid,
        stop: &StopCount<'_>,
    ) -> Result<bool, StorageError> {
        let ended = crate::in_tx!(self, |tx| {
            sqlx::query("DELETE FROM attachment_uses WHERE owner_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let ended = sqlx::query(
                "DELETE FROM drafts WHERE id = $1 AND municipality_code = $2 AND application_id IS NULL",
            )
            .bind(id)
            .bind(municipality)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if ended == 1 {
                count_stop!(&mut *tx, municipality, stop);
            }
            ended
        });
        Ok(ended == 1)
    }

    /// Counts a stop reached without a draft (an API client's answers).
    pub async fn count_stop_without_draft(
        &self,
        municipality: &str,
        stop: &StopCount<'_>,
    ) -> Result<(), StorageError> {
        crate::in_tx!(self, |tx| {
            count_stop!(&mut *tx, municipality, stop);
        });
        Ok(())
    }

    /// How often each stop was reached: (procedure id, stop id, count).
    pub async fn stop_counts(
        &self,
        municipality: &str,
    ) -> Result<Vec<(String, String, i64)>, StorageError> {
        on_pool!(self, |pool| {
            sqlx::query_as::<_, (String, String, i64)>(
                "SELECT procedure_id, stop_id, CAST(SUM(count) AS BIGINT) FROM eligibility_stops \
                 WHERE municipality_code = $1 GROUP BY procedure_id, stop_id",
            )
            .bind(municipality)
            .fetch_all(pool)
            .await
        })
        .map_err(Into::into)
    }
}
