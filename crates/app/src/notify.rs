//! The outbox jobs a change calls for: the resident's confirmation or status mail and one
//! signed webhook per endpoint of the department. They are built here and written by storage
//! in the same transaction as the change; `mail` sends them after the commit.

use crate::portal::Portal;
use crate::timefmt::rfc3339;
use crate::webhook;
use madoguchi_domain::ApplicationStatus;
use madoguchi_domain::answers::{Answer, Answers};
use madoguchi_domain::procedure::Procedure;
use madoguchi_domain::validate;
use madoguchi_storage::{ApplicationRow, NewJob};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

/// The outbox job kind that mails a submission's confirmation.
pub const SUBMITTED_MAIL: &str = "mail.submitted";
/// A status change the resident should hear of (accepted, correction requested, …).
pub const STATUS_MAIL: &str = "mail.status";

/// The address the procedure's confirmation mail goes to, if the resident gave one.
fn resident_email(procedure: &Procedure, answers: &Answers) -> Option<String> {
    let field = procedure.notify_email_field.as_ref()?;
    match answers.get(field.as_str()) {
        Some(Answer::Text(to)) => Some(to.clone()),
        _ => None,
    }
}

/// The job that mails the confirmation, when the resident gave an address.
pub(crate) fn confirmation_mail(
    procedure: &Procedure,
    answers: &Answers,
    application_id: Uuid,
) -> Option<NewJob> {
    let to = resident_email(procedure, answers)?;
    Some(NewJob {
        kind: SUBMITTED_MAIL.into(),
        payload: json!({ "application_id": application_id, "to": to }),
        department_id: Some(procedure.department.id.clone()),
        application_id: Some(application_id),
    })
}

impl Portal {
    /// The jobs a status change calls for: the resident's mail (where an address was given)
    /// and one signed webhook per endpoint of the department.
    pub(crate) fn status_jobs(
        &self,
        application: &ApplicationRow,
        procedure: &Procedure,
        to: ApplicationStatus,
        message: Option<&str>,
    ) -> Vec<NewJob> {
        let mut jobs = Vec::new();
        let answers = validate::read_stored(procedure, &application.answers).unwrap_or_default();
        if let Some(email) = resident_email(procedure, &answers) {
            jobs.push(NewJob {
                kind: STATUS_MAIL.into(),
                payload: json!({
                    "application_id": application.id,
                    "to": email,
                    "status": to.as_str(),
                    "message": message,
                }),
                department_id: Some(application.department_id.clone()),
                application_id: Some(application.id),
            });
        }
        for (index, hook) in self
            .config
            .webhooks
            .iter()
            .enumerate()
            .filter(|(_, h)| h.department == application.department_id)
        {
            jobs.push(NewJob {
                kind: webhook::KIND.into(),
                payload: json!({
                    "endpoint": index,
                    "url": hook.url,
                    "event": {
                        "type": "application.status_changed",
                        "id": Uuid::now_v7(),
                        "application_id": application.id,
                        "receipt_number": application.receipt_number,
                        "procedure_id": application.procedure_id,
                        "department_id": application.department_id,
                        "previous_status": application.status.as_str(),
                        "status": to.as_str(),
                        "occurred_at": rfc3339(OffsetDateTime::now_utc()),
                    },
                }),
                department_id: Some(application.department_id.clone()),
                application_id: Some(application.id),
            });
        }
        jobs
    }
}
