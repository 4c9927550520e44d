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
    pub now: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

const DRAFT_COLUMNS: &str = "id, procedure_id, procedure_version, answers, created_at, updated_at, expires_at, application_id";

impl Store {
    pub async fn create_draft(&self, d: &NewDraft<'_>) -> Result<(), StorageError> {
        on_pool!(self, |pool| {
            sqlx::query(
            "INSERT INTO drafts (id, municipality_code, token_hash, procedure_id, procedure_version, answers, created_at, updated_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
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
}
