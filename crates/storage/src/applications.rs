//! Applications: the one transaction that turns answers into an acknowledged application, and
//! the status changes that follow.
//!
//! Submission is idempotent twice over: a draft can be claimed by one application only (a
//! double click finds the first), and an API idempotency key names one application forever.
//! The receipt number, the first history event and the outbox jobs (confirmation mail) are
//! written in the same transaction as the application, so none exists without the others.

use crate::jobs::{NewJob, insert_job};
use crate::maintenance::{lock_file, write_uses};

/// Appends one history event inside the caller's transaction.
macro_rules! insert_event {
    ($conn:expr, $municipality:expr, $application:expr, $kind:expr, $status:expr, $actor:expr, $note:expr, $now:expr) => {
        sqlx::query("INSERT INTO application_events (id, municipality_code, application_id, kind, status, actor, note, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(Uuid::now_v7())
            .bind($municipality)
            .bind($application)
            .bind($kind)
            .bind($status.as_str())
            .bind($actor)
            .bind($note)
            .bind($now)
            .execute($conn)
            .await?
    };
}
/// Takes the next value of a named counter inside the caller's transaction. The counter row
/// stays locked until commit, so values commit in the order they were taken.
macro_rules! next_counter {
    ($conn:expr, $municipality:expr, $name:expr) => {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO counters (municipality_code, name, value) VALUES ($1, $2, 1) \
             ON CONFLICT (municipality_code, name) DO UPDATE SET value = counters.value + 1 RETURNING value",
        )
        .bind($municipality)
        .bind($name)
        .fetch_one($conn)
        .await?
    };
}
pub(crate) use next_counter;

/// Inserts one application inside the caller's transaction (its receipt number, place in the
/// change feed, first history event, outbox jobs and the files it uses) and evaluates to its row.
macro_rules! insert_application {
    ($tx:expr, $new:expr) => {{
        let tx = $tx;
        let year = $new.now.to_offset(time::macros::offset!(+9)).year();
        let counter = format!("receipt:{year}");
        let sequence = next_counter!(&mut *tx, $new.municipality, &counter);
        let change_seq = next_counter!(&mut *tx, $new.municipality, CHANGE_COUNTER);
        let receipt = ReceiptNumber::new(year, u64::try_from(sequence).unwrap_or_default());
        sqlx::query(
            "INSERT INTO applications (id, municipality_code, receipt_number, procedure_id, procedure_version, department_id, answers, status, channel, idempotency_key, request_hash, submitted_at, updated_at, applicant_name, change_seq, bundle_id, life_event_id, visit_id, taken_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
        )
        .bind($new.id)
        .bind($new.municipality)
        .bind(receipt.as_str())
        .bind($new.procedure_id)
        .bind($new.procedure_version)
        .bind($new.department_id)
        .bind(Json($new.answers))
        .bind(ApplicationStatus::Submitted.as_str())
        .bind($new.channel)
        .bind($new.idempotency_key)
        .bind($new.request_hash)
        .bind($new.now)
        .bind($new.now)
        .bind($new.applicant_name)
        .bind(change_seq)
        .bind($new.bundle_id)
        .bind($new.life_event_id)
        .bind($new.visit_id)
        .bind($new.taken_by)
        .execute(&mut *tx)
        .await?;
        insert_event!(
            &mut *tx,
            $new.municipality,
            $new.id,
            "submitted",
            ApplicationStatus::Submitted,
            "resident",
            None::<&str>,
            $new.now
        );
        for job in &$new.jobs {
            insert_job!(&mut *tx, $new.municipality, job, $new.now);
        }
        write_uses!(&mut *tx, $new.municipality, $new.id, &$new.files);
        // Everything in the row is known here; reading it back would cost a round trip
        // while the write lock is held.
        $crate::ApplicationRow {
            id: $new.id,
            municipality_code: $new.municipality.to_owned(),
            receipt_number: receipt.to_string(),
            procedure_id: $new.procedure_id.to_owned(),
            procedure_version: $new.procedure_version.to_owned(),
            department_id: $new.department_id.to_owned(),
            answers: $new.answers.clone(),
            status: ApplicationStatus::Submitted,
            channel: $new.channel.to_owned(),
            submitted_at: $new.now,
            updated_at: $new.now,
            applicant_name: $new.applicant_name.to_owned(),
            assigned_to: None,
            correction: None,
            change_seq,
            decided_fee: None,
            bundle_id: $new.bundle_id,
            life_event_id: $new.life_event_id.map(str::to_owned),
        }
    }};
}
use crate::audit::{AuditEntry, append_audit};
use crate::rows::{APPLICATION_COLUMNS, AttachmentRow, EventRow, application_row, status};
use crate::{ApplicationRow, StorageError, Store, in_tx, on_pool};
use madoguchi_domain::{ApplicationStatus, ReceiptNumber};
use serde_json::Value;
use sqlx::Row;
use sqlx::types::Json;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct NewApplication<'a> {
    pub id: Uuid,
    pub municipality: &'a str,
    pub procedure_id: &'a str,
    pub procedure_version: &'a str,
    pub department_id: &'a str,
    pub answers: &'a Value,
    /// `web`, `api` or `counter`, for the plan's online-share KPIs.
    pub channel: &'a str,
    pub draft_id: Option<Uuid>,
    pub idempotency_key: Option<&'a str>,
    /// A digest of the request body, so a reused key with another body is refused.
    pub request_hash: Option<&'a str>,
    /// For the back office's search.
    pub applicant_name: &'a str,
    /// The stored files the answers refer to.
    pub files: Vec<String>,
    /// The bundle it is submitted in, and the life event the bundle comes from.
    pub bundle_id: Option<Uuid>,
    pub life_event_id: Option<&'a str>,
    /// The counter visit it was taken at, and the staff member who took it.
    pub visit_id: Option<Uuid>,
    pub taken_by: Option<Uuid>,
    pub jobs: Vec<NewJob>,
    pub now: OffsetDateTime,
}

/// Applications a resident submits together from one life event (one transaction, one
/// access code): from a plan's drafts (`plan_id`) or an API client's request.
#[derive(Debug, Clone)]
pub struct NewBundle<'a> {
    pub id: Uuid,
    pub municipality: &'a str,
    pub event_id: &'a str,
    pub channel: &'a str,
    pub plan_id: Option<Uuid>,
    pub idempotency_key: Option<&'a str>,
    pub request_hash: Option<&'a str>,
    pub applications: Vec<NewApplication<'a>>,
    pub now: OffsetDateTime,
}

/// A submitted bundle and its applications, in the order they were received.
#[derive(Debug, Clone)]
pub struct Bundle {
    pub id: Uuid,
    pub event_id: String,
    pub created_at: OffsetDateTime,
    pub applications: Vec<ApplicationRow>,
}

/// The outcome of a bundle's submission: new, or the one this plan or key already made.
#[derive(Debug, Clone)]
pub struct BundleSubmitted {
    pub created: bool,
    pub bundle: Bundle,
}

/// The counter whose values order every change to an application (the pull API's cursor).
const CHANGE_COUNTER: &str = "change_seq";

/// The outcome of a submission: a new application, or the one this draft or key already made.
#[derive(Debug, Clone)]
pub enum Submitted {
    Created(ApplicationRow),
    Existing(ApplicationRow),
}

impl Submitted {
    pub fn application(&self) -> &ApplicationRow {
        match self {
            Self::Created(a) | Self::Existing(a) => a,
        }
    }
}

/// One step in a case's life, by the resident or by staff: a status change, a correction
/// request, a resubmission, an assignment or a note. Allowed only from some states, applied
/// with its history event, outbox jobs and audit entry in one transaction.
#[derive(Debug, Clone)]
pub struct CaseChange<'a> {
    pub allowed: fn(ApplicationStatus) -> bool,
    /// The new status; `None` keeps the current one (notes, assignment).
    pub to: Option<ApplicationStatus>,
    /// The history event's kind, e.g. `withdrawn`, `correction_requested`, `note`.
    pub event: &'a str,
    /// Who acted: `resident`, or a staff member's login.
    pub actor: &'a str,
    pub note: Option<&'a str>,
    pub correction: CorrectionChange<'a>,
    /// New answers (a resubmission after a correction request).
    pub answers: Option<&'a Value>,
    /// The stored files the new answers refer to, recorded as in use in place of the old.
    pub files: Option<&'a [String]>,
    /// `Some(None)` unassigns.
    pub assign: Option<Option<Uuid>>,
    /// The fee the department decided, in yen.
    pub decided_fee: Option<u64>,
    /// Limits the change to one department's applications (`None` for administrators and
    /// residents, who are checked otherwise).
    pub department: Option<&'a str>,
    /// The status the actor saw when deciding (the case page they acted on); a different
    /// current status is a conflict rather than a silent change of what they acted on.
    pub expected: Option<ApplicationStatus>,
    pub jobs: Vec<NewJob>,
    pub audit: Option<AuditEntry<'a>>,
}

#[derive(Debug, Clone, Copy)]
pub enum CorrectionChange<'a> {
    Keep,
    Set(&'a Value),
    Clear,
}

impl<'a> CaseChange<'a> {
    /// A status change with nothing else.
    pub fn status(
        allowed: fn(ApplicationStatus) -> bool,
        to: ApplicationStatus,
        event: &'a str,
        actor: &'a str,
    ) -> Self {
        Self {
            allowed,
            to: Some(to),
            event,
            actor,
            note: None,
            correction: CorrectionChange::Keep,
            answers: None,
            files: None,
            assign: None,
            decided_fee: None,
            department: None,
            expected: None,
            jobs: Vec::new(),
            audit: None,
        }
    }
}

/// The outcome of a status change.
#[derive(Debug, Clone)]
pub enum Transition {
    Done(Box<ApplicationRow>),
    NotAllowed(ApplicationStatus),
    /// Another change came first (or the status is not the one the actor saw); nothing was
    /// written.
    Conflict,
    NotFound,
}

impl Store {
    pub async fn submit(&self, new: &NewApplication<'_>) -> Result<Submitted, StorageError> {
        match self.submit_once(new).await {
            // Two concurrent requests with one key on PostgreSQL: the loser sees the winner's row.
            Err(StorageError::Database(e))
                if e.as_database_error()
                    .is_some_and(|d| d.is_unique_violation()) =>
            {
                self.submit_once(new).await
            }
            other => other,
        }
    }

    async fn submit_once(&self, new: &NewApplication<'_>) -> Result<Submitted, StorageError> {
        let existing_for_draft = format!(
            "SELECT {} FROM applications a JOIN drafts d ON d.application_id = a.id WHERE d.id = $1",
            prefixed("a.")
        );
        let existing_for_key = format!(
            "SELECT {APPLICATION_COLUMNS}, request_hash FROM applications WHERE municipality_code = $1 AND idempotency_key = $2"
        );
        let outcome = in_tx!(self, |tx| {
            if let Some(draft_id) = new.draft_id {
                let claimed = sqlx::query("UPDATE drafts SET application_id = $1, updated_at = $2 WHERE id = $3 AND municipality_code = $4 AND application_id IS NULL")
                    .bind(new.id)
                    .bind(new.now)
                    .bind(draft_id)
                    .bind(new.municipality)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if claimed == 0 {
                    let row = sqlx::query(sqlx::AssertSqlSafe(existing_for_draft))
                        .bind(draft_id)
                        .fetch_one(&mut *tx)
                        .await?;
                    return Ok(Submitted::Existing(application_row!(row)));
                }
            }
            if let Some(key) = new.idempotency_key {
                let row = sqlx::query(sqlx::AssertSqlSafe(existing_for_key))
                    .bind(new.municipality)
                    .bind(key)
                    .fetch_optional(&mut *tx)
                    .await?;
                if let Some(row) = row {
                    let hash: Option<String> = row.try_get("request_hash")?;
                    if hash.as_deref() != new.request_hash {
                        return Err(StorageError::IdempotencyMismatch);
                    }
                    return Ok(Submitted::Existing(application_row!(row)));
                }
            }
            Submitted::Created(insert_application!(&mut *tx, new))
        });
        Ok(outcome)
    }

    /// Submits a bundle: every application, its draft claimed, in one transaction (all or
    /// none). A plan or an idempotency key names one bundle: a retry gets the first back.
    pub async fn submit_bundle(
        &self,
        new: &NewBundle<'_>,
    ) -> Result<BundleSubmitted, StorageError> {
        match self.submit_bundle_once(new).await {
            // Two concurrent submits of one plan on PostgreSQL: the loser sees the winner's.
            Err(StorageError::Database(e))
                if e.as_database_error()
                    .is_some_and(|d| d.is_unique_violation()) =>
            {
                self.submit_bundle_once(new).await
            }
            other => other,
        }
    }

    async fn submit_bundle_once(
        &self,
        new: &NewBundle<'_>,
    ) -> Result<BundleSubmitted, StorageError> {
        let members = format!(
            "SELECT {APPLICATION_COLUMNS} FROM applications WHERE bundle_id = $1 ORDER BY receipt_number"
        );
        let outcome = in_tx!(self, |tx| {
            let existing = sqlx::query(
                "SELECT id, event_id, created_at, request_hash FROM bundles \
                 WHERE municipality_code = $1 AND (plan_id = $2 OR idempotency_key = $3)",
            )
            .bind(new.municipality)
            .bind(new.plan_id)
            .bind(new.idempotency_key)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(row) = existing {
                let hash: Option<String> = row.try_get("request_hash")?;
                if new.idempotency_key.is_some() && hash.as_deref() != new.request_hash {
                    return Err(StorageError::IdempotencyMismatch);
                }
                let id: Uuid = row.try_get("id")?;
                let rows = sqlx::query(sqlx::AssertSqlSafe(members))
                    .bind(id)
                    .fetch_all(&mut *tx)
                    .await?;
                let applications = rows
                    .iter()
                    .map(|r| Ok(application_row!(r)))
                    .collect::<Result<Vec<_>, StorageError>>()?;
                return Ok(BundleSubmitted {
                    created: false,
                    bundle: Bundle {
                        id,
                        event_id: row.try_get("event_id")?,
                        created_at: row.try_get("created_at")?,
                        applications,
                    },
                });
            }
            sqlx::query(
                "INSERT INTO bundles (id, municipality_code, event_id, channel, plan_id, idempotency_key, request_hash, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(new.id)
            .bind(new.municipality)
            .bind(new.event_id)
            .bind(new.channel)
            .bind(new.plan_id)
            .bind(new.idempotency_key)
            .bind(new.request_hash)
            .bind(new.now)
            .execute(&mut *tx)
            .await?;
            let mut applications = Vec::with_capacity(new.applications.len());
            for application in &new.applications {
                if let Some(draft_id) = application.draft_id {
                    let claimed = sqlx::query("UPDATE drafts SET application_id = $1, updated_at = $2 WHERE id = $3 AND municipality_code = $4 AND application_id IS NULL")
                        .bind(application.id)
                        .bind(new.now)
                        .bind(draft_id)
                        .bind(new.municipality)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    if claimed == 0 {
                        // Returning drops the transaction: every application before it is undone.
                        return Err(StorageError::Conflict);
                    }
                }
                applications.push(insert_application!(&mut *tx, application));
            }
            BundleSubmitted {
                created: true,
                bundle: Bundle {
                    id: new.id,
                    event_id: new.event_id.to_owned(),
                    created_at: new.now,
                    applications,
                },
            }
        });
        Ok(outcome)
    }

    /// A bundle's applications, in the order they were received.
    pub async fn bundle_applications(
        &self,
        municipality: &str,
        bundle_id: Uuid,
    ) -> Result<Vec<ApplicationRow>, StorageError> {
        let sql = format!(
            "SELECT {APPLICATION_COLUMNS} FROM applications WHERE municipality_code = $1 AND bundle_id = $2 ORDER BY receipt_number"
        );
        on_pool!(self, |pool| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(municipality)
                .bind(bundle_id)
                .fetch_all(pool)
                .await?;
            rows.iter().map(|r| Ok(application_row!(r))).collect()
        })
    }

    /// Whether a plan was submitted as a bundle: its id, life event and time, without its
    /// applications.
    async fn plan_bundle_row(
        &self,
        municipality: &str,
        plan_id: Uuid,
    ) -> Result<Option<(Uuid, String, OffsetDateTime)>, StorageError> {
        on_pool!(self, |pool| {
            sqlx::query_as::<_, (Uuid, String, OffsetDateTime)>(
                "SELECT id, event_id, created_at FROM bundles WHERE municipality_code = $1 AND plan_id = $2",
            )
            .bind(municipality)
            .bind(plan_id)
            .fetch_optional(pool)
            .await
        })
        .map_err(Into::into)
    }

    /// Whether a plan was submitted (its bundle exists).
    pub async fn plan_submitted(
        &self,
        municipality: &str,
        plan_id: Uuid,
    ) -> Result<bool, StorageError> {
        Ok(self.plan_bundle_row(municipality, plan_id).await?.is_some())
    }

    /// The bundle a plan was submitted as, if it was.
    pub async fn bundle_of_plan(
        &self,
        municipality: &str,
        plan_id: Uuid,
    ) -> Result<Option<Bundle>, StorageError> {
        let Some((id, event_id, created_at)) = self.plan_bundle_row(municipality, plan_id).await?
        else {
            return Ok(None);
        };
        Ok(Some(Bundle {
            id,
            event_id,
            created_at,
            applications: self.bundle_applications(municipality, id).await?,
        }))
    }

    pub async fn application_by_receipt(
        &self,
        municipality: &str,
        receipt: &ReceiptNumber,
    ) -> Result<Option<ApplicationRow>, StorageError> {
        let sql = format!(
            "SELECT {APPLICATION_COLUMNS} FROM applications WHERE municipality_code = $1 AND receipt_number = $2"
        );
        on_pool!(self, |pool| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(municipality)
                .bind(receipt.as_str())
                .fetch_optional(pool)
                .await?;
            Ok(match row {
                Some(r) => Some(application_row!(r)),
                None => None,
            })
        })
    }

    pub async fn application(
        &self,
        municipality: &str,
        id: Uuid,
    ) -> Result<Option<ApplicationRow>, StorageError> {
        let sql = format!(
            "SELECT {APPLICATION_COLUMNS} FROM applications WHERE municipality_code = $1 AND id = $2"
        );
        on_pool!(self, |pool| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(municipality)
                .bind(id)
                .fetch_optional(pool)
                .await?;
            Ok(match row {
                Some(r) => Some(application_row!(r)),
                None => None,
            })
        })
    }

    /// The application's history, oldest first.
    pub async fn events(
        &self,
        municipality: &str,
        application_id: Uuid,
    ) -> Result<Vec<EventRow>, StorageError> {
        on_pool!(self, |pool| {
            let rows = sqlx::query("SELECT kind, status, actor, note, created_at FROM application_events WHERE municipality_code = $1 AND application_id = $2 ORDER BY created_at, id")
                .bind(municipality)
                .bind(application_id)
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|r| {
                    Ok(EventRow {
                        kind: r.try_get("kind")?,
                        status: status(r.try_get::<&str, _>("status")?)?,
                        actor: r.try_get("actor")?,
                        note: r.try_get("note")?,
                        created_at: r.try_get("created_at")?,
                    })
                })
                .collect()
        })
    }

    /// Applies `change` if `allowed(current status)`, atomically with its event, jobs and audit
    /// entry. The update is a compare-and-set on the status that was checked: of two requests
    /// racing (a withdrawal and a 受理, ten 受理 at once), one changes the case and the others
    /// get [`Transition::Conflict`], on both backends.
    pub async fn change(
        &self,
        municipality: &str,
        id: Uuid,
        change: &CaseChange<'_>,
        now: OffsetDateTime,
    ) -> Result<Transition, StorageError> {
        let select = format!(
            "SELECT {APPLICATION_COLUMNS} FROM applications WHERE municipality_code = $1 AND id = $2 AND ($3 IS NULL OR department_id = $3)"
        );
        let update = format!(
            "UPDATE applications SET status = $1, updated_at = $2, change_seq = $3, \
             correction = CASE WHEN $4 THEN $5 ELSE correction END, \
             answers = COALESCE($6, answers), \
             assigned_to = CASE WHEN $7 THEN $8 ELSE assigned_to END, \
             decided_fee = COALESCE($12, decided_fee) \
             WHERE id = $9 AND municipality_code = $10 AND status = $11 \
             RETURNING {APPLICATION_COLUMNS}"
        );
        let outcome = in_tx!(self, |tx| {
            let row = sqlx::query(sqlx::AssertSqlSafe(select))
                .bind(municipality)
                .bind(id)
                .bind(change.department)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(row) = row else {
                return Ok(Transition::NotFound);
            };
            let current = status(row.try_get::<&str, _>("status")?)?;
            if change.expected.is_some_and(|seen| seen != current) {
                return Ok(Transition::Conflict);
            }
            if !(change.allowed)(current) {
                return Ok(Transition::NotAllowed(current));
            }
            let to = change.to.unwrap_or(current);
            let change_seq = next_counter!(&mut *tx, municipality, CHANGE_COUNTER);
            let (set_correction, correction) = match change.correction {
                CorrectionChange::Keep => (false, None),
                CorrectionChange::Set(v) => (true, Some(Json(v))),
                CorrectionChange::Clear => (true, None),
            };
            let (set_assignee, assignee) = match change.assign {
                None => (false, None),
                Some(a) => (true, a),
            };
            let updated = sqlx::query(sqlx::AssertSqlSafe(update))
                .bind(to.as_str())
                .bind(now)
                .bind(change_seq)
                .bind(set_correction)
                .bind(correction)
                .bind(change.answers.map(Json))
                .bind(set_assignee)
                .bind(assignee)
                .bind(id)
                .bind(municipality)
                .bind(current.as_str())
                .bind(change.decided_fee.and_then(|n| i64::try_from(n).ok()))
                .fetch_optional(&mut *tx)
                .await?;
            // On PostgreSQL a concurrent change that committed first makes the status
            // condition false here; returning drops the transaction, so nothing is written.
            let Some(updated) = updated else {
                return Ok(Transition::Conflict);
            };
            insert_event!(
                &mut *tx,
                municipality,
                id,
                change.event,
                to,
                change.actor,
                change.note,
                now
            );
            if let Some(files) = change.files {
                write_uses!(&mut *tx, municipality, id, files);
            }
            for job in &change.jobs {
                insert_job!(&mut *tx, municipality, job, now);
            }
            if let Some(entry) = &change.audit {
                append_audit!(&mut *tx, municipality, entry, now);
            }
            Transition::Done(Box::new(application_row!(updated)))
        });
        Ok(outcome)
    }

    /// Records an uploaded file before its bytes are written (see `maintenance`): a new
    /// record, or the existing one made recent again, so the clean-up gives it a fresh grace
    /// period.
    pub async fn record_attachment(
        &self,
        municipality: &str,
        sha256: &str,
        size: u64,
        content_type: &str,
        now: OffsetDateTime,
    ) -> Result<(), StorageError> {
        in_tx!(self, |tx| {
            lock_file!(&self.backend, &mut *tx, sha256);
            sqlx::query("INSERT INTO attachments (municipality_code, sha256, size, content_type, created_at) VALUES ($1, $2, $3, $4, $5) \
                         ON CONFLICT (municipality_code, sha256) DO UPDATE SET created_at = $5")
            .bind(municipality)
            .bind(sha256)
            .bind(i64::try_from(size).unwrap_or(i64::MAX))
            .bind(content_type)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    pub async fn attachment(
        &self,
        municipality: &str,
        sha256: &str,
    ) -> Result<Option<AttachmentRow>, StorageError> {
        on_pool!(self, |pool| {
            let row = sqlx::query("SELECT sha256, size, content_type FROM attachments WHERE municipality_code = $1 AND sha256 = $2")
                .bind(municipality)
                .bind(sha256)
                .fetch_optional(pool)
                .await?;
            Ok(match row {
                Some(r) => Some(AttachmentRow {
                    sha256: r.try_get("sha256")?,
                    size: u64::try_from(r.try_get::<i64, _>("size")?).unwrap_or_default(),
                    content_type: r.try_get("content_type")?,
                }),
                None => None,
            })
        })
    }
}

/// `a.id, a.municipality_code, …` for joins.
fn prefixed(prefix: &str) -> String {
    APPLICATION_COLUMNS
        .split(", ")
        .map(|c| format!("{prefix}{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}
