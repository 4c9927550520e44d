//! Life event plans: a resident's interview answers and shared facts, found by the hash of the
//! private link, kept until the link expires.

use crate::{StorageError, Store, on_pool};
use serde_json::Value;
use sqlx::Row;
use sqlx::types::Json;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct PlanRow {
    pub id: Uuid,
    pub event_id: String,
    pub interview: Value,
    pub facts: Value,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

const PLAN_COLUMNS: &str = "id, event_id, interview, facts, created_at, updated_at, expires_at";

fn plan_row<R>(r: &R) -> Result<PlanRow, sqlx::Error>
where
    R: Row,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
    for<'q> Uuid: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
    for<'q> String: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
    for<'q> OffsetDateTime: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
    for<'q> Json<Value>: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
{
    Ok(PlanRow {
        id: r.try_get("id")?,
        event_id: r.try_get("event_id")?,
        interview: r.try_get::<Json<Value>, _>("interview")?.0,
        facts: r.try_get::<Json<Value>, _>("facts")?.0,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        expires_at: r.try_get("expires_at")?,
    })
}

/// A new plan: a life event's interview and facts as they start, behind a token's hash.
#[derive(Debug, Clone)]
pub struct NewPlan<'a> {
    pub id: Uuid,
    /// A counter visit's plan has a token made and forgotten: it is reached through the visit.
    pub token_hash: &'a str,
    pub event_id: &'a str,
    pub interview: &'a Value,
    pub facts: &'a Value,
    pub now: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// Inserts a plan (a resident's at their link, or the one a counter visit starts).
macro_rules! insert_plan {
    ($executor:expr, $municipality:expr, $plan:expr) => {
        sqlx::query(
            "INSERT INTO life_event_plans (id, municipality_code, token_hash, event_id, interview, facts, created_at, updated_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)",
        )
        .bind($plan.id)
        .bind($municipality)
        .bind($plan.token_hash)
        .bind($plan.event_id)
        .bind(Json($plan.interview))
        .bind(Json($plan.facts))
        .bind($plan.now)
        .bind($plan.expires_at)
        .execute($executor)
        .await?
    };
}
pub(crate) use insert_plan;

/// A plan's drafts live as long as the plan: the resident reaches them only through its link.
macro_rules! keep_drafts {
    ($tx:expr, $municipality:expr, $plan:expr, $expires_at:expr) => {
        sqlx::query(
            "UPDATE drafts SET expires_at = $1 WHERE plan_id = $2 AND municipality_code = $3 AND application_id IS NULL",
        )
        .bind($expires_at)
        .bind($plan)
        .bind($municipality)
        .execute($tx)
        .await?;
    };
}

impl Store {
    pub async fn create_plan(
        &self,
        municipality: &str,
        plan: &NewPlan<'_>,
    ) -> Result<(), StorageError> {
        on_pool!(self, |pool| {
            insert_plan!(pool, municipality, plan);
            Ok::<(), sqlx::Error>(())
        })?;
        Ok(())
    }

    /// The plan behind a private link (until the sweep deletes it after its date).
    pub async fn plan_by_token_hash(
        &self,
        municipality: &str,
        token_hash: &str,
    ) -> Result<Option<PlanRow>, StorageError> {
        let sql = format!(
            "SELECT {PLAN_COLUMNS} FROM life_event_plans WHERE municipality_code = $1 AND token_hash = $2"
        );
        on_pool!(self, |pool| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(municipality)
                .bind(token_hash)
                .fetch_optional(pool)
                .await?;
            Ok(row.as_ref().map(plan_row).transpose()?)
        })
    }

    /// A plan by its id: the one a counter visit runs, reached only through the visit.
    pub async fn plan_by_id(
        &self,
        municipality: &str,
        id: Uuid,
    ) -> Result<Option<PlanRow>, StorageError> {
        let sql = format!(
            "SELECT {PLAN_COLUMNS} FROM life_event_plans WHERE municipality_code = $1 AND id = $2"
        );
        on_pool!(self, |pool| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(municipality)
                .bind(id)
                .fetch_optional(pool)
                .await?;
            Ok(row.as_ref().map(plan_row).transpose()?)
        })
    }

    /// Replaces the interview's answers and the facts, and keeps the link alive until
    /// `expires_at`, with the drafts of its bundle.
    pub async fn save_plan(
        &self,
        municipality: &str,
        id: Uuid,
        interview: &Value,
        facts: &Value,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<(), StorageError> {
        crate::in_tx!(self, |tx| {
            sqlx::query(
                "UPDATE life_event_plans SET interview = $1, facts = $2, updated_at = $3, expires_at = $4 \
                 WHERE id = $5 AND municipality_code = $6",
            )
            .bind(Json(interview))
            .bind(Json(facts))
            .bind(now)
            .bind(expires_at)
            .bind(id)
            .bind(municipality)
            .execute(&mut *tx)
            .await?;
            keep_drafts!(&mut *tx, municipality, id, expires_at);
        });
        Ok(())
    }

    /// Keeps a plan's link and its bundle's drafts alive until `expires_at` (after a page of
    /// one of its drafts is saved).
    pub async fn keep_plan(
        &self,
        municipality: &str,
        id: Uuid,
        expires_at: OffsetDateTime,
    ) -> Result<(), StorageError> {
        crate::in_tx!(self, |tx| {
            sqlx::query(
                "UPDATE life_event_plans SET expires_at = $1 WHERE id = $2 AND municipality_code = $3",
            )
            .bind(expires_at)
            .bind(id)
            .bind(municipality)
            .execute(&mut *tx)
            .await?;
            keep_drafts!(&mut *tx, municipality, id, expires_at);
        });
        Ok(())
    }
}
