//! API clients: front ends that submit for residents (a LINE bot, a kiosk, a partner's app),
//! each issued a key in the back office and given its own request budget. Keys arrive here
//! hashed.

use crate::{StorageError, Store, on_pool};
use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct ClientRow {
    pub id: Uuid,
    pub name: String,
    pub requests_per_minute: i64,
    pub created_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
    pub last_used_at: Option<OffsetDateTime>,
}

macro_rules! client_row {
    ($r:expr) => {{
        let r = $r;
        Ok::<_, StorageError>(ClientRow {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            requests_per_minute: r.try_get("requests_per_minute")?,
            created_at: r.try_get("created_at")?,
            revoked_at: r.try_get("revoked_at")?,
            last_used_at: r.try_get("last_used_at")?,
        })
    }};
}

const CLIENT_COLUMNS: &str = "id, name, requests_per_minute, created_at, revoked_at, last_used_at";

impl Store {
    pub async fn create_client(
        &self,
        municipality: &str,
        id: Uuid,
        name: &str,
        key_hash: &str,
        requests_per_minute: i64,
        now: OffsetDateTime,
    ) -> Result<(), StorageError> {
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO api_clients (id, municipality_code, name, key_hash, requests_per_minute, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(municipality)
            .bind(name)
            .bind(key_hash)
            .bind(requests_per_minute)
            .bind(now)
            .execute(pool)
            .await
            .map(|_| ())
        })?;
        Ok(())
    }

    /// The client behind a live key; records its use.
    pub async fn use_client(
        &self,
        municipality: &str,
        key_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<ClientRow>, StorageError> {
        let sql = format!(
            "UPDATE api_clients SET last_used_at = $1 WHERE municipality_code = $2 AND key_hash = $3 AND revoked_at IS NULL RETURNING {CLIENT_COLUMNS}"
        );
        on_pool!(self, |pool| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(now)
                .bind(municipality)
                .bind(key_hash)
                .fetch_optional(pool)
                .await?;
            row.map(|r| client_row!(r)).transpose()
        })
    }

    pub async fn clients(&self, municipality: &str) -> Result<Vec<ClientRow>, StorageError> {
        let sql = format!(
            "SELECT {CLIENT_COLUMNS} FROM api_clients WHERE municipality_code = $1 ORDER BY created_at"
        );
        on_pool!(self, |pool| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(municipality)
                .fetch_all(pool)
                .await?;
            rows.iter().map(|r| client_row!(r)).collect()
        })
    }

    /// `false` if there is no such live client.
    pub async fn revoke_client(
        &self,
        municipality: &str,
        id: Uuid,
        now: OffsetDateTime,
    ) -> Result<bool, StorageError> {
        let n = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE api_clients SET revoked_at = $1 WHERE municipality_code = $2 AND id = $3 AND revoked_at IS NULL",
            )
            .bind(now)
            .bind(municipality)
            .bind(id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(n > 0)
    }
}
