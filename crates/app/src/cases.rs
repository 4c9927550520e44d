//! Case work in the back office: the department's inbox, a case laid out like its paper
//! form, the staff actions (受理・補正依頼・承認・却下・完了, assignment, notes), attachments and the
//! reveal of a 個人番号.
//!
//! Two rules hold for every function here. A staff member sees only their department's cases:
//! each query takes the actor's scope, and a case of another department is "not found", never
//! "forbidden", so its existence does not leak. And every read of a case and every action is
//! appended to the hash-chained audit log, actions in the same transaction as the change.

use crate::accounts::Actor;
use crate::error::{AppError, plain_text};
use crate::portal::{Portal, open_correction};
use crate::timefmt::JST;
use madoguchi_domain::answers::{Answer, Answers, MyNumberAnswer};
use madoguchi_domain::case::{Correction, CorrectionError, StaffAction};
use madoguchi_domain::gaiji::{self, CharFlag};
use madoguchi_domain::input::Lines;
use madoguchi_domain::procedure::Procedure;
use madoguchi_domain::{ApplicationStatus, ReceiptNumber};
use madoguchi_storage::{
    ApplicationRow, AuditEntry, AuditRow, CaseChange, CorrectionChange, EventRow, InboxFilter,
    StaffRow,
};
use serde_json::json;
use std::sync::Arc;
use uuid::Uuid;

/// The amount staff decided for a fee the department sets: only such a fee can be decided,
/// and only a whole number of yen.
fn decided_fee(procedure: &Procedure, typed: &str) -> Result<u64, AppError> {
    if !procedure.fee.is_decided_by_staff() {
        return Err(AppError::BadRequest("case-error-fee-not-decided"));
    }
    madoguchi_domain::input::read_yen(typed).ok_or(AppError::BadRequest("case-error-fee-amount"))
}

/// One line of the inbox.
#[derive(Debug, Clone)]
pub struct Inbox {
    pub cases: Vec<ApplicationRow>,
    pub counts: Vec<(ApplicationStatus, i64)>,
    /// The cursor of the next page (the last receipt shown), when there are more.
    pub next: Option<String>,
}

/// How many cases an inbox page shows.
pub const INBOX_PAGE: usize = 50;

/// The inbox's filters as people give them.
#[derive(Debug, Clone, Default)]
pub struct InboxQuery {
    pub procedure: Option<String>,
    pub status: Option<ApplicationStatus>,
    /// Submitted on or after this day (JST).
    pub from: Option<time::Date>,
    /// Submitted on or before this day (JST).
    pub to: Option<time::Date>,
    /// A receipt number or part of the applicant's name.
    pub search: Option<String>,
    /// Only applications submitted together from this life event.
    pub life_event: Option<String>,
    /// The page after this receipt number.
    pub after: Option<String>,
}

/// Everything the case page shows.
#[derive(Debug, Clone)]
pub struct CaseFile {
    pub application: ApplicationRow,
    pub procedure: Arc<Procedure>,
    pub answers: Answers,
    pub events: Vec<EventRow>,
    pub flags: Vec<CharFlag>,
    pub correction: Option<Correction>,
    pub assignee: Option<StaffRow>,
    pub colleagues: Vec<StaffRow>,
    pub access: Vec<AuditRow>,
    /// The other applications of its bundle, by procedure (and so 担当課) only: their contents
    /// stay with their departments.
    pub bundle: Vec<Arc<Procedure>>,
}

/// What a staff member asks for on the case page.
#[derive(Debug, Clone)]
pub struct ActionInput {
    pub action: StaffAction,
    /// The correction message, the rejection reason or the note.
    pub text: String,
    /// The questions a correction request names.
    pub fields: Vec<String>,
    pub assignee: Option<Uuid>,
    /// The decided fee as typed (`3,000`, `３０００円`), for 手数料の決定.
    pub amount: String,
    /// The status shown on the page the action was taken on; another one now is a conflict.
    pub seen: Option<ApplicationStatus>,
}

impl Portal {
    pub async fn inbox(
        &self,
        actor: &Actor,
        query: &InboxQuery,
        ip: &str,
    ) -> Result<Inbox, AppError> {
        let start_of = |d: time::Date| {
            d.midnight()
                .assume_offset(JST)
                .to_offset(time::UtcOffset::UTC)
        };
        let search = match &query.search {
            Some(s) => plain_text("staff-filter-search", s, Lines::One)?,
            None => None,
        };
        let receipt = search.and_then(ReceiptNumber::parse);
        let after = query.after.as_deref().and_then(ReceiptNumber::parse);
        // Only the catalog's procedures can be filtered by; anything else filters nothing.
        let procedure = query
            .procedure
            .as_deref()
            .filter(|p| self.catalog.procedure(p).is_some());
        let life_event = query
            .life_event
            .as_deref()
            .filter(|e| self.catalog.event(e).is_some());
        let filter = InboxFilter {
            life_event,
            department: actor.scope.as_deref(),
            procedure,
            status: query.status,
            submitted_from: query.from.map(start_of),
            submitted_before: query.to.and_then(|d| d.next_day()).map(start_of),
            receipt: receipt.as_ref().map(ReceiptNumber::as_str),
            name: search.filter(|_| receipt.is_none()),
            after: after.as_ref().map(ReceiptNumber::as_str),
            // One more than a page, to know whether there is a next one.
            limit: i64::try_from(INBOX_PAGE + 1).unwrap_or(i64::MAX),
        };
        let mut cases = self.store.inbox(self.municipality(), &filter).await?;
        let next = (cases.len() > INBOX_PAGE).then(|| {
            cases.truncate(INBOX_PAGE);
            cases
                .last()
                .map(|c| c.receipt_number.clone())
                .unwrap_or_default()
        });
        let counts = self
            .store
            .status_counts(self.municipality(), actor.scope.as_deref(), procedure)
            .await?;
        // The inbox lists names: which list was seen is audited (the search words are not,
        // being a name themselves).
        self.audit(
            &actor.name,
            "inbox.read",
            None,
            json!({
                "procedure": procedure,
                "life_event": life_event,
                "status": query.status.map(ApplicationStatus::as_str),
                "from": query.from.map(|d| d.to_string()),
                "to": query.to.map(|d| d.to_string()),
                "searched": search.is_some(),
                "after": after.as_ref().map(ReceiptNumber::as_str),
                "shown": cases.len(),
            }),
            ip,
        )
        .await?;
        Ok(Inbox {
            cases,
            counts,
            next,
        })
    }

    /// A case of the actor's department, or `NotFound`; the read is audited.
    pub async fn open_case(
        &self,
        actor: &Actor,
        receipt: &str,
        ip: &str,
    ) -> Result<CaseFile, AppError> {
        let application = self.case_row(actor, receipt, ip).await?;
        self.audit_case(actor, "case.read", &application, json!({}), ip)
            .await?;
        let (procedure, answers) = self.read_application(&application).await?;
        let events = self
            .store
            .events(self.municipality(), application.id)
            .await?;
        let correction = open_correction(&application);
        let assignee = match application.assigned_to {
            Some(id) => self.store.staff_by_id(self.municipality(), id).await?,
            None => None,
        };
        let colleagues = self
            .store
            .staff_list(self.municipality(), Some(&application.department_id))
            .await?;
        let access = self
            .store
            .audit_for_application(self.municipality(), application.id)
            .await?;
        let bundle = self
            .bundle_members(&application)
            .await?
            .into_iter()
            .filter(|m| m.application.id != application.id)
            .map(|m| m.procedure)
            .collect();
        Ok(CaseFile {
            bundle,
            flags: gaiji::flags(&answers),
            application,
            procedure,
            answers,
            events,
            correction,
            assignee,
            colleagues,
            access,
        })
    }

    /// A case of the actor's department. Another department's case is `NotFound` like one
    /// that does not exist, but the attempt is audited: reaching for other departments' cases
    /// is what the log is for.
    pub(crate) async fn case_row(
        &self,
        actor: &Actor,
        receipt: &str,
        ip: &str,
    ) -> Result<ApplicationRow, AppError> {
        let receipt = ReceiptNumber::parse(receipt).ok_or(AppError::NotFound)?;
        let scope = actor.scope.as_deref();
        if let Some(row) = self
            .store
            .case_by_receipt(self.municipality(), scope, receipt.as_str())
            .await?
        {
            return Ok(row);
        }
        if scope.is_some()
            && let Some(elsewhere) = self
                .store
                .case_by_receipt(self.municipality(), None, receipt.as_str())
                .await?
        {
            self.audit_case(actor, "case.refused", &elsewhere, json!({}), ip)
                .await?;
        }
        Err(AppError::NotFound)
    }

    /// How a 個人番号 is written for `actor`: whole if the actor may see it, masked otherwise.
    pub(crate) fn my_number_writer<'a>(
        &'a self,
        actor: &Actor,
    ) -> impl Fn(&MyNumberAnswer) -> String + 'a {
        let allowed = actor.my_number_access;
        move |n: &MyNumberAnswer| match n {
            MyNumberAnswer::Sealed(s) if allowed => self
                .sealer
                .open(s)
                .map(|n| n.expose().to_owned())
                .unwrap_or_else(|_| n.masked()),
            _ => n.masked(),
        }
    }

    /// Takes an action on a case. The status change, its history event, the resident's mail,
    /// the webhooks and the audit entry commit together or not at all.
    pub async fn act(
        &self,
        actor: &Actor,
        receipt: &str,
        input: &ActionInput,
        ip: &str,
    ) -> Result<ApplicationRow, AppError> {
        let application = self.case_row(actor, receipt, ip).await?;
        let action = input.action;
        if input.seen.is_some_and(|seen| seen != application.status) {
            return Err(AppError::Conflict);
        }
        if !action.is_allowed_from(application.status) {
            return Err(AppError::NotAllowed(application.status));
        }
        let text = plain_text("case-text-label", &input.text, Lines::Many)?.unwrap_or_default();
        if action.needs_text() && text.is_empty() {
            return Err(AppError::BadRequest(match action {
                StaffAction::RequestCorrection => "case-error-message",
                StaffAction::Reject => "case-error-reason",
                _ => "case-error-note",
            }));
        }
        let procedure = self
            .definition(&application.procedure_id, &application.procedure_version)
            .await?;
        let correction = match action {
            StaffAction::RequestCorrection => Some(
                Correction::new(&procedure, &input.fields, text).map_err(|e| {
                    AppError::BadRequest(match e {
                        CorrectionError::NoFields | CorrectionError::UnknownField(_) => {
                            "case-error-fields"
                        }
                        CorrectionError::NoMessage => "case-error-message",
                    })
                })?,
            ),
            _ => None,
        };
        let decided_fee = match action {
            StaffAction::DecideFee => Some(decided_fee(&procedure, &input.amount)?),
            _ => None,
        };
        let correction_json = correction.as_ref().map(|c| json!(c));
        let assignee = match action {
            StaffAction::Assign => match input.assignee {
                None => None,
                Some(id) => {
                    let colleague = self
                        .store
                        .staff_by_id(self.municipality(), id)
                        .await?
                        .filter(|s| s.department_id.as_deref() == Some(&application.department_id))
                        .ok_or(AppError::BadRequest("case-error-assignee"))?;
                    Some(colleague)
                }
            },
            _ => None,
        };
        let note = match action {
            StaffAction::Assign => Some(
                assignee
                    .as_ref()
                    .map_or_else(String::new, |a| a.display_name.clone()),
            ),
            _ => (!text.is_empty()).then(|| text.to_owned()),
        };
        let jobs = match (action.target(), decided_fee) {
            (Some(to), _) => self.status_jobs(&application, &procedure, to, note.as_deref()),
            (None, Some(amount)) => {
                self.fee_jobs(&application, &procedure, amount, note.as_deref())
            }
            (None, None) => Vec::new(),
        };
        let detail = json!({
            "action": action.as_str(),
            "from": application.status.as_str(),
            "fields": correction.as_ref().map(|c| &c.fields),
            "assignee": assignee.as_ref().map(|a| a.login.clone()),
            "fee": decided_fee,
        });
        let change = CaseChange {
            allowed: action.allowed(),
            to: action.target(),
            event: action.event(),
            actor: &actor.name,
            note: note.as_deref(),
            correction: match (&correction_json, action.target()) {
                (Some(c), _) => CorrectionChange::Set(c),
                (None, Some(_)) => CorrectionChange::Clear,
                (None, None) => CorrectionChange::Keep,
            },
            answers: None,
            files: None,
            assign: (action == StaffAction::Assign).then(|| assignee.as_ref().map(|a| a.id)),
            decided_fee,
            department: actor.scope.as_deref(),
            expected: Some(application.status),
            jobs,
            audit: Some(AuditEntry {
                actor: &actor.name,
                action: "case.act",
                application_id: Some(application.id),
                detail: {
                    let mut d = detail;
                    d["receipt_number"] = json!(application.receipt_number);
                    d
                },
                ip,
            }),
        };
        let row = self.change_case(application.id, &change).await?;
        tracing::info!(receipt = %row.receipt_number, action = action.as_str(), "case action");
        Ok(row)
    }

    /// A stored attachment of a case, for download; the read is audited.
    pub async fn case_attachment(
        &self,
        actor: &Actor,
        receipt: &str,
        sha256: &str,
        ip: &str,
    ) -> Result<(Vec<u8>, String, String), AppError> {
        let application = self.case_row(actor, receipt, ip).await?;
        let (_, answers) = self.read_application(&application).await?;
        let file = answers
            .files()
            .into_iter()
            .find(|f| f.sha256 == sha256)
            .cloned()
            .ok_or(AppError::NotFound)?;
        self.audit_case(
            actor,
            "attachment.read",
            &application,
            json!({ "attachment": sha256 }),
            ip,
        )
        .await?;
        let bytes = self
            .files
            .get(&file.sha256)
            .await
            .map_err(|e| AppError::Storage(e.into()))?
            .ok_or(AppError::NotFound)?;
        Ok((bytes, file.name, file.content_type.mime().to_owned()))
    }

    /// A whole 個人番号, for staff allowed to see them; every reveal is audited.
    pub async fn reveal_my_number(
        &self,
        actor: &Actor,
        receipt: &str,
        field: &str,
        ip: &str,
    ) -> Result<String, AppError> {
        let application = self.case_row(actor, receipt, ip).await?;
        if !actor.my_number_access {
            self.audit_case(
                actor,
                "my_number.refused",
                &application,
                json!({ "field": field }),
                ip,
            )
            .await?;
            return Err(AppError::Forbidden);
        }
        let (_, answers) = self.read_application(&application).await?;
        let Some(Answer::MyNumber(MyNumberAnswer::Sealed(sealed))) = answers.get(field) else {
            return Err(AppError::NotFound);
        };
        let number = self.sealer.open(sealed).map_err(|e| {
            AppError::Storage(madoguchi_storage::StorageError::Corrupt(e.to_string()))
        })?;
        self.audit_case(
            actor,
            "my_number.read",
            &application,
            json!({ "field": field }),
            ip,
        )
        .await?;
        Ok(number.expose().to_owned())
    }
}
