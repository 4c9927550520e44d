//! The counter's records: visits (one resident at one counter, owned by the staff member who
//! took it), the card agents paired with staff sessions, their one-time pairing codes, and the
//! card reads a visit asks its agent for. Every state change here is one conditional statement
//! (or one transaction of them), so a code is exchanged once and a read completed once.

use crate::life_events::{NewPlan, insert_plan};
use crate::{StorageError, Store, in_tx, on_pool};
use serde_json::Value;
use sqlx::Row;
use sqlx::types::Json;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct VisitRow {
    pub id: Uuid,
    pub staff_id: Uuid,
    pub staff_login: String,
    pub started_at: OffsetDateTime,
    pub ended_at: Option<OffsetDateTime>,
    /// Who the resident is, as the app layer wrote it (a 個人番号 in it sealed).
    pub identity: Option<Value>,
    pub identified_at: Option<OffsetDateTime>,
    /// The life event interview the visit runs, if one was started.
    pub plan_id: Option<Uuid>,
    /// How many applications the visit submitted.
    pub applications: i64,
}

#[derive(Debug, Clone)]
pub struct AgentRow {
    pub id: Uuid,
    pub session_hash: String,
    pub name: String,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct CardReadRow {
    pub id: Uuid,
    pub requested_at: OffsetDateTime,
    pub taken_at: Option<OffsetDateTime>,
    pub completed_at: Option<OffsetDateTime>,
    pub outcome: Option<String>,
    pub tries_left: Option<i64>,
}

const VISIT_COLUMNS: &str = "v.id, v.staff_id, u.login AS staff_login, v.started_at, v.ended_at, v.identity, v.identified_at, v.plan_id, \
     (SELECT COUNT(*) FROM applications a WHERE a.visit_id = v.id) AS applications";

fn visit_row<R>(r: &R) -> Result<VisitRow, sqlx::Error>
where
    R: Row,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
    for<'q> Uuid: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
    for<'q> String: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
    for<'q> OffsetDateTime: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
    for<'q> Json<Value>: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
    for<'q> i64: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
{
    Ok(VisitRow {
        id: r.try_get("id")?,
        staff_id: r.try_get("staff_id")?,
        staff_login: r.try_get("staff_login")?,
        started_at: r.try_get("started_at")?,
        ended_at: r.try_get("ended_at")?,
        identity: r
            .try_get::<Option<Json<Value>>, _>("identity")?
            .map(|j| j.0),
        identified_at: r.try_get("identified_at")?,
        plan_id: r.try_get("plan_id")?,
        applications: r.try_get("applications")?,
    })
}

fn agent_row<R>(r: &R) -> Result<AgentRow, sqlx::Error>
where
    R: Row,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
    for<'q> Uuid: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
    for<'q> String: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
    for<'q> OffsetDateTime: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
{
    Ok(AgentRow {
        id: r.try_get("id")?,
        session_hash: r.try_get("session_hash")?,
        name: r.try_get("name")?,
        created_at: r.try_get("created_at")?,
    })
}

fn card_read_row<R>(r: &R) -> Result<CardReadRow, sqlx::Error>
where
    R: Row,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
    for<'q> Uuid: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
    for<'q> String: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
    for<'q> i64: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
    for<'q> OffsetDateTime: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
{
    Ok(CardReadRow {
        id: r.try_get("id")?,
        requested_at: r.try_get("requested_at")?,
        taken_at: r.try_get("taken_at")?,
        completed_at: r.try_get("completed_at")?,
        outcome: r.try_get("outcome")?,
        tries_left: r.try_get("tries_left")?,
    })
}

impl Store {
    pub async fn start_visit(
        &self,
        municipality: &str,
        id: Uuid,
        staff_id: Uuid,
        now: OffsetDateTime,
    ) -> Result<(), StorageError> {
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO counter_visits (id, municipality_code, staff_id, started_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(municipality)
            .bind(staff_id)
            .bind(now)
            .execute(pool)
            .await
            .map(|_| ())
        })?;
        Ok(())
    }

    /// A visit, if `staff` took it (`None`: any visit, for administrators).
    pub async fn visit(
        &self,
        municipality: &str,
        id: Uuid,
        staff: Option<Uuid>,
    ) -> Result<Option<VisitRow>, StorageError> {
        let sql = format!(
            "SELECT {VISIT_COLUMNS} FROM counter_visits v JOIN staff_users u ON u.id = v.staff_id \
             WHERE v.municipality_code = $1 AND v.id = $2 AND ($3 IS NULL OR v.staff_id = $3)"
        );
        on_pool!(self, |pool| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(municipality)
                .bind(id)
                .bind(staff)
                .fetch_optional(pool)
                .await?;
            Ok(row.as_ref().map(visit_row).transpose()?)
        })
    }

    /// Visits begun from `since` until `until`, newest first: one staff member's, or everyone's.
    /// With `open_too`, any visit still open from before as well (a visit left open last night
    /// must still be ended).
    pub async fn visits_between(
        &self,
        municipality: &str,
        staff: Option<Uuid>,
        (since, until): (OffsetDateTime, OffsetDateTime),
        open_too: bool,
        limit: i64,
    ) -> Result<Vec<VisitRow>, StorageError> {
        let sql = format!(
            "SELECT {VISIT_COLUMNS} FROM counter_visits v JOIN staff_users u ON u.id = v.staff_id \
             WHERE v.municipality_code = $1 AND ($2 IS NULL OR v.staff_id = $2) \
             AND ((v.started_at >= $3 AND v.started_at < $4) OR ($5 AND v.ended_at IS NULL)) \
             ORDER BY v.started_at DESC LIMIT $6"
        );
        on_pool!(self, |pool| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(municipality)
                .bind(staff)
                .bind(since)
                .bind(until)
                .bind(open_too)
                .bind(limit)
                .fetch_all(pool)
                .await?;
            Ok(rows.iter().map(visit_row).collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// Records who the resident is on an open visit of `staff`'s; false when the visit has ended
    /// (or is not theirs).
    pub async fn identify_visit(
        &self,
        municipality: &str,
        id: Uuid,
        staff: Uuid,
        identity: &Value,
        now: OffsetDateTime,
    ) -> Result<bool, StorageError> {
        on_pool!(self, |pool| {
            let done = sqlx::query(
                "UPDATE counter_visits SET identity = $1, identified_at = $2 \
                 WHERE id = $3 AND municipality_code = $4 AND staff_id = $5 AND ended_at IS NULL",
            )
            .bind(Json(identity))
            .bind(now)
            .bind(id)
            .bind(municipality)
            .bind(staff)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Starts the plan an open visit of `staff`'s runs, unless it runs one: the new plan is
    /// written only for the click that gives it to the visit, in one transaction. Returns the
    /// visit's plan (this one, or the one a racing click gave it first); `None` when the visit
    /// has ended (or is not theirs).
    pub async fn start_visit_plan(
        &self,
        municipality: &str,
        visit: Uuid,
        staff: Uuid,
        plan: &NewPlan<'_>,
    ) -> Result<Option<Uuid>, StorageError> {
        let given = in_tx!(self, |tx| {
            let won = sqlx::query(
                "UPDATE counter_visits SET plan_id = $1 \
                 WHERE id = $2 AND municipality_code = $3 AND staff_id = $4 AND ended_at IS NULL AND plan_id IS NULL",
            )
            .bind(plan.id)
            .bind(visit)
            .bind(municipality)
            .bind(staff)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if won {
                insert_plan!(&mut *tx, municipality, plan);
            }
            let row = sqlx::query(
                "SELECT plan_id FROM counter_visits \
                 WHERE id = $1 AND municipality_code = $2 AND staff_id = $3 AND ended_at IS NULL",
            )
            .bind(visit)
            .bind(municipality)
            .bind(staff)
            .fetch_optional(&mut *tx)
            .await?;
            match row {
                Some(r) => r.try_get::<Option<Uuid>, _>("plan_id")?,
                None => None,
            }
        });
        Ok(given)
    }

    /// Issues the code a resident takes to the counter for a plan; an earlier code of the plan
    /// stops working.
    pub async fn issue_counter_code(
        &self,
        municipality: &str,
        plan: Uuid,
        code_hash: &str,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<(), StorageError> {
        in_tx!(self, |tx| {
            sqlx::query("DELETE FROM counter_codes WHERE plan_id = $1")
                .bind(plan)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO counter_codes (code_hash, municipality_code, plan_id, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(code_hash)
            .bind(municipality)
            .bind(plan)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// Takes a resident's code for an open visit of `staff`'s that runs no plan yet: the code is
    /// used once and the visit runs its plan, both or neither. `Ok(None)`: no such code (or it
    /// has expired, or was used); `Err(Conflict)`: the visit has ended or runs a plan already.
    pub async fn take_counter_code(
        &self,
        municipality: &str,
        visit: Uuid,
        staff: Uuid,
        code_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<Uuid>, StorageError> {
        let taken = in_tx!(self, |tx| {
            let claimed = sqlx::query(
                "UPDATE counter_codes SET used_at = $1 \
                 WHERE code_hash = $2 AND municipality_code = $3 AND used_at IS NULL AND expires_at > $1 \
                 RETURNING plan_id",
            )
            .bind(now)
            .bind(code_hash)
            .bind(municipality)
            .fetch_optional(&mut *tx)
            .await?;
            match claimed {
                None => None,
                Some(row) => {
                    let plan: Uuid = row.try_get("plan_id")?;
                    let given = sqlx::query(
                        "UPDATE counter_visits SET plan_id = $1 \
                         WHERE id = $2 AND municipality_code = $3 AND staff_id = $4 AND ended_at IS NULL AND plan_id IS NULL",
                    )
                    .bind(plan)
                    .bind(visit)
                    .bind(municipality)
                    .bind(staff)
                    .execute(&mut *tx)
                    .await?;
                    // Returning here rolls the claim back: the code stays usable.
                    if given.rows_affected() != 1 {
                        return Err(StorageError::Conflict);
                    }
                    Some(plan)
                }
            }
        });
        Ok(taken)
    }

    /// The receipts of the applications a visit submitted, in the order they were made.
    pub async fn visit_applications(
        &self,
        municipality: &str,
        visit: Uuid,
    ) -> Result<Vec<crate::ApplicationRow>, StorageError> {
        let sql = format!(
            "SELECT {} FROM applications WHERE municipality_code = $1 AND visit_id = $2 ORDER BY submitted_at, receipt_number",
            crate::rows::APPLICATION_COLUMNS
        );
        on_pool!(self, |pool| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(municipality)
                .bind(visit)
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|r| Ok(crate::rows::application_row!(r)))
                .collect()
        })
    }

    /// Ends an open visit; false when it had ended already (the second of two clicks).
    pub async fn end_visit(
        &self,
        municipality: &str,
        id: Uuid,
        staff: Uuid,
        now: OffsetDateTime,
    ) -> Result<bool, StorageError> {
        on_pool!(self, |pool| {
            let done = sqlx::query(
                "UPDATE counter_visits SET ended_at = $1 \
                 WHERE id = $2 AND municipality_code = $3 AND staff_id = $4 AND ended_at IS NULL",
            )
            .bind(now)
            .bind(id)
            .bind(municipality)
            .bind(staff)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Offers a one-time code with which an agent pairs with the session; an earlier code of
    /// the session stops working.
    pub async fn create_pairing(
        &self,
        municipality: &str,
        code_hash: &str,
        session_hash: &str,
        expires_at: OffsetDateTime,
    ) -> Result<(), StorageError> {
        in_tx!(self, |tx| {
            sqlx::query("DELETE FROM counter_pairings WHERE session_hash = $1")
                .bind(session_hash)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO counter_pairings (code_hash, municipality_code, session_hash, expires_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(code_hash)
            .bind(municipality)
            .bind(session_hash)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// Exchanges a pairing code for an agent: the code is deleted as it is used, so of two
    /// agents sending it one pairs. `None` for a wrong, used or expired code.
    pub async fn pair_agent(
        &self,
        municipality: &str,
        code_hash: &str,
        agent: &AgentRow,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<String>, StorageError> {
        let session = in_tx!(self, |tx| {
            let session: Option<String> = sqlx::query_scalar(
                "DELETE FROM counter_pairings WHERE code_hash = $1 AND municipality_code = $2 AND expires_at > $3 \
                 RETURNING session_hash",
            )
            .bind(code_hash)
            .bind(municipality)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(session) = &session {
                sqlx::query(
                    "INSERT INTO counter_agents (id, municipality_code, session_hash, name, token_hash, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(agent.id)
                .bind(municipality)
                .bind(session)
                .bind(&agent.name)
                .bind(token_hash)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            session
        });
        Ok(session)
    }

    /// The agent behind a token, while the session it paired with lasts.
    pub async fn agent_by_token(
        &self,
        municipality: &str,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<AgentRow>, StorageError> {
        on_pool!(self, |pool| {
            let row = sqlx::query(
                "SELECT a.id, a.session_hash, a.name, a.created_at FROM counter_agents a \
                 JOIN staff_sessions s ON s.token_hash = a.session_hash \
                 WHERE a.municipality_code = $1 AND a.token_hash = $2 AND s.expires_at > $3",
            )
            .bind(municipality)
            .bind(token_hash)
            .bind(now)
            .fetch_optional(pool)
            .await?;
            Ok(row.as_ref().map(agent_row).transpose()?)
        })
    }

    /// The agents paired with a session, newest first.
    pub async fn session_agents(
        &self,
        municipality: &str,
        session_hash: &str,
    ) -> Result<Vec<AgentRow>, StorageError> {
        on_pool!(self, |pool| {
            let rows = sqlx::query(
                "SELECT id, session_hash, name, created_at FROM counter_agents \
                 WHERE municipality_code = $1 AND session_hash = $2 ORDER BY created_at DESC",
            )
            .bind(municipality)
            .bind(session_hash)
            .fetch_all(pool)
            .await?;
            Ok(rows.iter().map(agent_row).collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// Asks the session's agent to read the card for a visit. A read the session asked for
    /// before and no agent has taken yet is withdrawn: the agent reads for the visit on screen.
    pub async fn request_card_read(
        &self,
        municipality: &str,
        id: Uuid,
        visit: Uuid,
        session_hash: &str,
        now: OffsetDateTime,
    ) -> Result<(), StorageError> {
        in_tx!(self, |tx| {
            sqlx::query(
                "UPDATE card_reads SET completed_at = $1, outcome = 'withdrawn' \
                 WHERE session_hash = $2 AND taken_at IS NULL AND completed_at IS NULL",
            )
            .bind(now)
            .bind(session_hash)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO card_reads (id, municipality_code, visit_id, session_hash, requested_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(municipality)
            .bind(visit)
            .bind(session_hash)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// The read the session's agent should do next, taken so that no second agent does it too.
    /// Reads asked for before `since` are left: the resident has long gone from the reader.
    pub async fn take_card_read(
        &self,
        municipality: &str,
        session_hash: &str,
        since: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<Option<Uuid>, StorageError> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_scalar(
                "UPDATE card_reads SET taken_at = $1 WHERE id = ( \
                   SELECT id FROM card_reads WHERE municipality_code = $2 AND session_hash = $3 \
                   AND taken_at IS NULL AND completed_at IS NULL AND requested_at >= $4 \
                   ORDER BY requested_at LIMIT 1) \
                 AND taken_at IS NULL RETURNING id",
            )
            .bind(now)
            .bind(municipality)
            .bind(session_hash)
            .bind(since)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// Records a read's outcome once, and with it who the resident is when the card was read;
    /// returns the visit, or `None` when the read is not the session's or was completed already.
    #[allow(clippy::too_many_arguments)]
    pub async fn complete_card_read(
        &self,
        municipality: &str,
        id: Uuid,
        session_hash: &str,
        outcome: &str,
        tries_left: Option<i64>,
        identity: Option<&Value>,
        now: OffsetDateTime,
    ) -> Result<Option<Uuid>, StorageError> {
        let visit = in_tx!(self, |tx| {
            let visit: Option<Uuid> = sqlx::query_scalar(
                "UPDATE card_reads SET completed_at = $1, outcome = $2, tries_left = $3 \
                 WHERE id = $4 AND municipality_code = $5 AND session_hash = $6 \
                 AND taken_at IS NOT NULL AND completed_at IS NULL RETURNING visit_id",
            )
            .bind(now)
            .bind(outcome)
            .bind(tries_left)
            .bind(id)
            .bind(municipality)
            .bind(session_hash)
            .fetch_optional(&mut *tx)
            .await?;
            if let (Some(visit), Some(identity)) = (visit, identity) {
                sqlx::query(
                    "UPDATE counter_visits SET identity = $1, identified_at = $2 \
                     WHERE id = $3 AND municipality_code = $4 AND ended_at IS NULL",
                )
                .bind(Json(identity))
                .bind(now)
                .bind(visit)
                .bind(municipality)
                .execute(&mut *tx)
                .await?;
            }
            visit
        });
        Ok(visit)
    }

    /// The visit's latest card read, to show its state.
    pub async fn latest_card_read(
        &self,
        municipality: &str,
        visit: Uuid,
    ) -> Result<Option<CardReadRow>, StorageError> {
        on_pool!(self, |pool| {
            let row = sqlx::query(
                "SELECT id, requested_at, taken_at, completed_at, outcome, tries_left FROM card_reads \
                 WHERE municipality_code = $1 AND visit_id = $2 ORDER BY requested_at DESC LIMIT 1",
            )
            .bind(municipality)
            .bind(visit)
            .fetch_optional(pool)
            .await?;
            Ok(row.as_ref().map(card_read_row).transpose()?)
        })
    }
}
