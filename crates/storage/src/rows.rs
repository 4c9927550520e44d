//! What the store hands back: plain rows, decoded the same way on both backends.

use madoguchi_domain::ApplicationStatus;
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct DraftRow {
    pub id: Uuid,
    pub procedure_id: String,
    pub procedure_version: String,
    pub answers: Value,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    /// Set once the draft has been submitted; the draft is then read-only.
    pub application_id: Option<Uuid>,
}

#[derive(Debug, Clone)]
pub struct ApplicationRow {
    pub id: Uuid,
    pub municipality_code: String,
    pub receipt_number: String,
    pub procedure_id: String,
    pub procedure_version: String,
    pub department_id: String,
    pub answers: Value,
    pub status: ApplicationStatus,
    pub channel: String,
    pub submitted_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// For the back office's search: the applicant's name as the answers give it.
    pub applicant_name: String,
    pub assigned_to: Option<Uuid>,
    /// The open correction request (`{"fields": [...], "message": "..."}`), if any.
    pub correction: Option<Value>,
    /// Position in the change feed (the pull API's cursor).
    pub change_seq: i64,
    /// The fee the department decided, in yen (手数料の決定), where the procedure says so.
    pub decided_fee: Option<u64>,
    /// The bundle it was submitted in, with the life event the bundle came from.
    pub bundle_id: Option<Uuid>,
    pub life_event_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct EventRow {
    pub kind: String,
    pub status: ApplicationStatus,
    pub actor: String,
    pub note: Option<String>,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct AttachmentRow {
    pub sha256: String,
    pub size: u64,
    pub content_type: String,
}

/// Decodes a status column; an unknown value means the row was written by something else.
pub(crate) fn status(s: &str) -> Result<ApplicationStatus, crate::StorageError> {
    ApplicationStatus::parse(s)
        .ok_or_else(|| crate::StorageError::corrupt(format!("unknown application status {s:?}")))
}

macro_rules! draft_row {
    ($r:expr) => {{
        use sqlx::Row;
        let r = $r;
        $crate::rows::DraftRow {
            id: r.try_get("id")?,
            procedure_id: r.try_get("procedure_id")?,
            procedure_version: r.try_get("procedure_version")?,
            answers: r
                .try_get::<sqlx::types::Json<serde_json::Value>, _>("answers")?
                .0,
            created_at: r.try_get("created_at")?,
            updated_at: r.try_get("updated_at")?,
            expires_at: r.try_get("expires_at")?,
            application_id: r.try_get("application_id")?,
        }
    }};
}
pub(crate) use draft_row;

macro_rules! application_row {
    ($r:expr) => {{
        use sqlx::Row;
        let r = $r;
        $crate::rows::ApplicationRow {
            id: r.try_get("id")?,
            municipality_code: r.try_get("municipality_code")?,
            receipt_number: r.try_get("receipt_number")?,
            procedure_id: r.try_get("procedure_id")?,
            procedure_version: r.try_get("procedure_version")?,
            department_id: r.try_get("department_id")?,
            answers: r
                .try_get::<sqlx::types::Json<serde_json::Value>, _>("answers")?
                .0,
            status: $crate::rows::status(r.try_get::<&str, _>("status")?)?,
            channel: r.try_get("channel")?,
            submitted_at: r.try_get("submitted_at")?,
            updated_at: r.try_get("updated_at")?,
            applicant_name: r.try_get("applicant_name")?,
            assigned_to: r.try_get("assigned_to")?,
            correction: r
                .try_get::<Option<sqlx::types::Json<serde_json::Value>>, _>("correction")?
                .map(|j| j.0),
            change_seq: r.try_get("change_seq")?,
            decided_fee: r
                .try_get::<Option<i64>, _>("decided_fee")?
                .and_then(|n| u64::try_from(n).ok()),
            bundle_id: r.try_get("bundle_id")?,
            life_event_id: r.try_get("life_event_id")?,
        }
    }};
}
pub(crate) use application_row;

pub(crate) const APPLICATION_COLUMNS: &str = "id, municipality_code, receipt_number, procedure_id, procedure_version, department_id, answers, status, channel, submitted_at, updated_at, applicant_name, assigned_to, correction, change_seq, decided_fee, bundle_id, life_event_id";
