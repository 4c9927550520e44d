//! Definition snapshots: every version of a procedure an application or draft was filled
//! against stays readable, whatever the catalog folder holds today.

use crate::{StorageError, Store, on_pool};
use madoguchi_domain::Procedure;
use sqlx::Row;
use sqlx::types::Json;
use time::OffsetDateTime;

impl Store {
    /// Records a definition version (a no-op when it is already recorded).
    pub async fn record_procedure_version(
        &self,
        municipality: &str,
        procedure: &Procedure,
    ) -> Result<(), StorageError> {
        let definition = serde_json::to_value(procedure).map_err(StorageError::corrupt)?;
        on_pool!(self, |pool| {
            sqlx::query(
            "INSERT INTO procedure_versions (municipality_code, procedure_id, version, definition, first_seen_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING"
        )
        .bind(municipality)
        .bind(procedure.id.as_str())
        .bind(&procedure.version)
        .bind(Json(&definition))
        .bind(OffsetDateTime::now_utc())
        .execute(pool)
        .await.map(|_| ())
        })?;
        Ok(())
    }

    /// The definition exactly as it was at `version`.
    pub async fn procedure_version(
        &self,
        municipality: &str,
        procedure_id: &str,
        version: &str,
    ) -> Result<Option<Procedure>, StorageError> {
        let row = on_pool!(self, |pool| {
            sqlx::query(
            "SELECT definition FROM procedure_versions WHERE municipality_code = $1 AND procedure_id = $2 AND version = $3"
        )
        .bind(municipality)
        .bind(procedure_id)
        .bind(version)
        .fetch_optional(pool)
        .await
        .and_then(|row| row.map(|r| r.try_get::<Json<serde_json::Value>, _>("definition")).transpose())
        })?;
        row.map(|Json(v)| serde_json::from_value(v).map_err(StorageError::corrupt))
            .transpose()
    }
}
