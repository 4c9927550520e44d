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
use serde_json::{Value, json};
use time::OffsetDateTime;
use uuid::Uuid;

/// The outbox job kind that mails a submission's confirmation.
pub const SUBMITTED_MAIL: &str = "mail.submitted";
/// A status change the resident should hear of (accepted, correction requested, …).
pub const STATUS_MAIL: &str = "mail.status";
/// The fee the department decided (手数料の決定).
pub const FEE_MAIL: &str = "mail.fee";

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
        let mail = json!({ "status": to.as_str(), "message": message });
        let event = json!({
            "type": "application.status_changed",
            "previous_status": application.status.as_str(),
            "status": to.as_str(),
        });
        self.resident_jobs(application, procedure, STATUS_MAIL, mail, event)
    }

    /// The jobs a fee decision (手数料の決定) calls for: the resident's mail with the amount and
    /// the department's words, and a webhook so that payment and business systems hear of it.
    pub(crate) fn fee_jobs(
        &self,
        application: &ApplicationRow,
        procedure: &Procedure,
        amount: u64,
        message: Option<&str>,
    ) -> Vec<NewJob> {
        let mail = json!({ "amount": amount, "message": message });
        let event = json!({
            "type": "application.fee_decided",
            "status": application.status.as_str(),
            "fee": amount,
        });
        self.resident_jobs(application, procedure, FEE_MAIL, mail, event)
    }

    /// A mail of `kind` to the resident (where an address was given) and one webhook event per
    /// endpoint of the department, each completed with what identifies the application.
    fn resident_jobs(
        &self,
        application: &ApplicationRow,
        procedure: &Procedure,
        kind: &str,
        mut mail: Value,
        event: Value,
    ) -> Vec<NewJob> {
        let mut jobs = Vec::new();
        let answers = validate::read_stored(procedure, &application.answers).unwrap_or_default();
        if let Some(email) = resident_email(procedure, &answers) {
            mail["application_id"] = json!(application.id);
            mail["to"] = json!(email);
            jobs.push(NewJob {
                kind: kind.into(),
                payload: mail,
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
            let mut event = event.clone();
            event["id"] = json!(Uuid::now_v7());
            event["application_id"] = json!(application.id);
            event["receipt_number"] = json!(application.receipt_number);
            event["procedure_id"] = json!(application.procedure_id);
            event["department_id"] = json!(application.department_id);
            event["occurred_at"] = json!(rfc3339(OffsetDateTime::now_utc()));
            jobs.push(NewJob {
                kind: webhook::KIND.into(),
                payload: json!({ "endpoint": index, "url": hook.url, "event": event }),
                department_id: Some(application.department_id.clone()),
                application_id: Some(application.id),
            });
        }
        jobs
    }
}
