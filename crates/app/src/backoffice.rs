//! The department's side: staff log in, work through their inbox, open and act on cases, and
//! hand applications to business systems (exports, the pull API, webhooks).
//!
//! Two rules hold for every function here. A staff member sees only their department's cases:
//! each query takes the actor's scope, and a case of another department is "not found", never
//! "forbidden", so its existence does not leak. And every read of a case and every action is
//! appended to the hash-chained audit log, actions in the same transaction as the change.

use crate::error::AppError;
use crate::portal::{Portal, new_token, open_correction, token_hash};
use crate::webhook;
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use madoguchi_domain::answers::{Answer, Answers, MyNumberAnswer, PersonName};
use madoguchi_domain::case::{Correction, CorrectionError, StaffAction};
use madoguchi_domain::gaiji::{self, CharFlag};
use madoguchi_domain::procedure::Procedure;
use madoguchi_domain::{ApplicationStatus, ReceiptNumber, validate};
use madoguchi_storage::{
    ApplicationRow, AuditEntry, AuditReport, AuditRow, CaseChange, CorrectionChange, DeliveryRow,
    EventRow, InboxFilter, NewJob, NewStaff, StaffRow, TokenRow, Transition,
};
use serde_json::{Value, json};
use std::sync::Arc;
use time::OffsetDateTime;
use uuid::Uuid;

/// A logged-in staff member.
#[derive(Debug, Clone)]
pub struct Staff {
    pub id: Uuid,
    pub login: String,
    pub display_name: String,
    /// `None` for administrators.
    pub department: Option<String>,
    pub admin: bool,
    pub my_number_access: bool,
}

impl Staff {
    fn from_row(row: StaffRow) -> Self {
        Self {
            id: row.id,
            admin: row.role == ROLE_ADMIN,
            login: row.login,
            display_name: row.display_name,
            department: row.department_id,
            my_number_access: row.my_number_access,
        }
    }

    pub fn actor(&self) -> Actor {
        Actor {
            name: self.login.clone(),
            scope: if self.admin {
                None
            } else {
                // A staff account always has a department (`add_staff` insists); should one not,
                // it sees nothing rather than everything.
                Some(self.department.clone().unwrap_or_default())
            },
            my_number_access: self.my_number_access,
        }
    }
}

/// Whoever acts on cases: a staff member, or a business system through its API token.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The login, or `api:{token name}`.
    pub name: String,
    /// The one department whose cases it may see; `None` for administrators.
    pub scope: Option<String>,
    pub my_number_access: bool,
}

pub const ROLE_STAFF: &str = "staff";
pub const ROLE_ADMIN: &str = "admin";

/// A new account, from `madoguchi user add` or an administrator's page.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub login: String,
    pub display_name: String,
    pub department: Option<String>,
    pub admin: bool,
    pub my_number_access: bool,
    pub password: String,
}

/// One line of the inbox.
#[derive(Debug, Clone)]
pub struct Inbox {
    pub cases: Vec<ApplicationRow>,
    pub counts: Vec<(ApplicationStatus, i64)>,
}

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
}

/// A file an export produced, or why it could not be produced.
#[derive(Debug, Clone)]
pub struct ExportFile {
    pub bytes: Vec<u8>,
    pub file_name: String,
    pub content_type: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportEncoding {
    /// UTF-8 with a byte-order mark, which Excel needs to read UTF-8 CSV.
    Utf8Bom,
    /// Windows-31J (Shift_JIS), what many business systems import.
    Cp932,
}

/// A character an export cannot write in the chosen encoding: which application, which
/// column, which character and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmappable {
    pub receipt_number: String,
    pub column: String,
    pub character: char,
    /// 1-based, in characters.
    pub position: usize,
}

impl Unmappable {
    pub fn code_point(&self) -> String {
        format!("U+{:04X}", self.character as u32)
    }
}

#[derive(Debug, Clone)]
pub enum ExportOutcome {
    File(ExportFile),
    /// CP932 was asked for and some values cannot be written in it. Nothing is substituted:
    /// staff see every character and choose (fix the answer, register a 外字, or use UTF-8).
    Unmappable(Vec<Unmappable>),
}

/// A token as it is shown once, at creation.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub id: Uuid,
    pub token: String,
}

const TOKEN_PREFIX: &str = "mdg_";

impl Portal {
    // ---- accounts and sessions ----

    /// Creates an account. Staff belong to one department; administrators to none.
    pub async fn add_staff(&self, account: &NewAccount) -> Result<Uuid, AppError> {
        if account.login.trim().is_empty() || account.login.chars().any(char::is_whitespace) {
            return Err(AppError::BadRequest("staff-error-login"));
        }
        if account.password.chars().count() < 12 {
            return Err(AppError::BadRequest("staff-error-password-short"));
        }
        if !account.admin && account.department.as_deref().is_none_or(str::is_empty) {
            return Err(AppError::BadRequest("staff-error-department"));
        }
        if let Some(department) = &account.department
            && !self.departments().iter().any(|(id, _)| id == department)
        {
            return Err(AppError::BadRequest("staff-error-unknown-department"));
        }
        let hash = hash_password(&account.password).await?;
        let id = Uuid::now_v7();
        let created = self
            .store
            .create_staff(
                self.municipality(),
                &NewStaff {
                    id,
                    login: account.login.trim(),
                    display_name: account.display_name.trim(),
                    department_id: account.department.as_deref().filter(|_| !account.admin),
                    role: if account.admin {
                        ROLE_ADMIN
                    } else {
                        ROLE_STAFF
                    },
                    password_hash: &hash,
                    my_number_access: account.my_number_access,
                    now: OffsetDateTime::now_utc(),
                },
            )
            .await?;
        if created {
            Ok(id)
        } else {
            Err(AppError::BadRequest("staff-error-login-taken"))
        }
    }

    /// The departments of the catalog, by id, with their names.
    pub fn departments(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for p in &self.catalog.procedures {
            if !out.iter().any(|(id, _)| *id == p.department.id) {
                out.push((p.department.id.clone(), p.department.name.ja.clone()));
            }
        }
        out
    }

    /// Checks a password and opens a session; returns the session token (the cookie's value).
    /// A wrong login and a wrong password look the same; repeated failures lock the account.
    pub async fn login(
        &self,
        login: &str,
        password: &str,
        ip: &str,
    ) -> Result<(String, Staff), AppError> {
        let now = OffsetDateTime::now_utc();
        let limits = &self.config.staff;
        let row = self
            .store
            .staff_by_login(self.municipality(), login)
            .await?;
        // What was typed as a login is recorded only when it is one: people sometimes type
        // their password into the login box.
        let actor = if row.is_some() { login } else { "(unknown)" };
        let audit = |action: &'static str, detail: Value| {
            let entry = AuditEntry {
                actor,
                action,
                application_id: None,
                detail,
                ip,
            };
            async move { self.store.audit(self.municipality(), &entry, now).await }
        };
        let Some(row) = row else {
            // Spend the same time as a real check, so that timing does not tell which logins exist.
            let _ = verify_password(password, DUMMY_HASH).await;
            audit("login.failed", json!({ "reason": "unknown_login" })).await?;
            return Err(AppError::LoginFailed);
        };
        if row.locked_until.is_some_and(|until| until > now) {
            audit("login.refused", json!({ "reason": "locked" })).await?;
            return Err(AppError::AccountLocked);
        }
        if !verify_password(password, &row.password_hash).await? {
            let lock = (row.failed_logins + 1 >= limits.max_failed_logins)
                .then(|| now + time::Duration::minutes(limits.lockout_minutes));
            self.store.record_login_failure(row.id, lock).await?;
            audit(
                "login.failed",
                json!({ "reason": "password", "locked": lock.is_some() }),
            )
            .await?;
            return Err(if lock.is_some() {
                AppError::AccountLocked
            } else {
                AppError::LoginFailed
            });
        }
        self.store.reset_login_failures(row.id).await?;
        // A new token on every login: a session id planted before login is never promoted.
        let token = new_token();
        self.store
            .create_session(
                self.municipality(),
                &token_hash(&token),
                row.id,
                now,
                now + time::Duration::hours(limits.session_hours),
            )
            .await?;
        audit("login", json!({})).await?;
        Ok((token, Staff::from_row(row)))
    }

    /// The staff member behind a session cookie.
    pub async fn staff_session(&self, token: &str) -> Result<Staff, AppError> {
        self.store
            .session_staff(
                self.municipality(),
                &token_hash(token),
                OffsetDateTime::now_utc(),
            )
            .await?
            .map(Staff::from_row)
            .ok_or(AppError::LoginRequired)
    }

    pub async fn logout(&self, token: &str) -> Result<(), AppError> {
        self.store.delete_session(&token_hash(token)).await?;
        Ok(())
    }

    // ---- the inbox and the case ----

    pub async fn inbox(&self, actor: &Actor, query: &InboxQuery) -> Result<Inbox, AppError> {
        let jst = time::macros::offset!(+9);
        let start_of = |d: time::Date| {
            d.midnight()
                .assume_offset(jst)
                .to_offset(time::UtcOffset::UTC)
        };
        let search = query
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let receipt = search.and_then(ReceiptNumber::parse);
        let filter = InboxFilter {
            department: actor.scope.as_deref(),
            procedure: query.procedure.as_deref(),
            status: query.status,
            submitted_from: query.from.map(start_of),
            submitted_before: query.to.and_then(|d| d.next_day()).map(start_of),
            receipt: receipt.as_ref().map(ReceiptNumber::as_str),
            name: search.filter(|_| receipt.is_none()),
            limit: 500,
        };
        let cases = self.store.inbox(self.municipality(), &filter).await?;
        let counts = self
            .store
            .status_counts(
                self.municipality(),
                actor.scope.as_deref(),
                query.procedure.as_deref(),
            )
            .await?;
        Ok(Inbox { cases, counts })
    }

    /// A case of the actor's department, or `NotFound`; the read is audited.
    pub async fn open_case(
        &self,
        actor: &Actor,
        receipt: &str,
        ip: &str,
    ) -> Result<CaseFile, AppError> {
        let application = self.case_row(actor, receipt).await?;
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
        Ok(CaseFile {
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

    async fn case_row(&self, actor: &Actor, receipt: &str) -> Result<ApplicationRow, AppError> {
        let receipt = ReceiptNumber::parse(receipt).ok_or(AppError::NotFound)?;
        self.store
            .case_by_receipt(
                self.municipality(),
                actor.scope.as_deref(),
                receipt.as_str(),
            )
            .await?
            .ok_or(AppError::NotFound)
    }

    async fn audit_case(
        &self,
        actor: &Actor,
        action: &str,
        application: &ApplicationRow,
        mut detail: Value,
        ip: &str,
    ) -> Result<(), AppError> {
        detail["receipt_number"] = json!(application.receipt_number);
        self.audit(&actor.name, action, Some(application.id), detail, ip)
            .await
    }

    /// Appends one audit entry on its own (a read, an export, a token or delivery action).
    async fn audit(
        &self,
        actor: &str,
        action: &str,
        application_id: Option<Uuid>,
        detail: Value,
        ip: &str,
    ) -> Result<(), AppError> {
        let entry = AuditEntry {
            actor,
            action,
            application_id,
            detail,
            ip,
        };
        self.store
            .audit(self.municipality(), &entry, OffsetDateTime::now_utc())
            .await?;
        Ok(())
    }

    /// How a 個人番号 is written for `actor`: whole if the actor may see it, masked otherwise.
    fn my_number_writer<'a>(&'a self, actor: &Actor) -> impl Fn(&MyNumberAnswer) -> String + 'a {
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
        let application = self.case_row(actor, receipt).await?;
        let action = input.action;
        if !action.is_allowed_from(application.status) {
            return Err(AppError::NotAllowed(application.status));
        }
        let text = input.text.trim();
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
                        CorrectionError::NoFields
                        | CorrectionError::UnknownField(_)
                        | CorrectionError::NotCorrectable(_) => "case-error-fields",
                        CorrectionError::NoMessage => "case-error-message",
                    })
                })?,
            ),
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
        let mut jobs = Vec::new();
        if let Some(to) = action.target() {
            jobs = self.status_jobs(&application, &procedure, to, note.as_deref());
        }
        let detail = json!({
            "action": action.as_str(),
            "from": application.status.as_str(),
            "fields": correction.as_ref().map(|c| &c.fields),
            "assignee": assignee.as_ref().map(|a| a.login.clone()),
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
            assign: (action == StaffAction::Assign).then(|| assignee.as_ref().map(|a| a.id)),
            department: actor.scope.as_deref(),
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
        match self
            .store
            .change(
                self.municipality(),
                application.id,
                &change,
                OffsetDateTime::now_utc(),
            )
            .await?
        {
            Transition::Done(row) => {
                tracing::info!(receipt = %row.receipt_number, action = action.as_str(), "case action");
                Ok(*row)
            }
            Transition::NotAllowed(status) => Err(AppError::NotAllowed(status)),
            Transition::NotFound => Err(AppError::NotFound),
        }
    }

    /// The outbox jobs a status change calls for: the resident's mail (where an address was
    /// given) and one signed webhook per endpoint of the department.
    pub(crate) fn status_jobs(
        &self,
        application: &ApplicationRow,
        procedure: &Procedure,
        to: ApplicationStatus,
        message: Option<&str>,
    ) -> Vec<NewJob> {
        let mut jobs = Vec::new();
        let answers = validate::read_stored(procedure, &application.answers).unwrap_or_default();
        let email =
            procedure
                .notify_email_field
                .as_ref()
                .and_then(|f| match answers.get(f.as_str()) {
                    Some(Answer::Text(to)) => Some(to.clone()),
                    _ => None,
                });
        if let Some(email) = email {
            jobs.push(NewJob {
                kind: crate::mail::STATUS_MAIL.into(),
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
                        "occurred_at": crate::portal::rfc3339(OffsetDateTime::now_utc()),
                    },
                }),
                department_id: Some(application.department_id.clone()),
                application_id: Some(application.id),
            });
        }
        jobs
    }

    /// A stored attachment of a case, for download; the read is audited.
    pub async fn case_attachment(
        &self,
        actor: &Actor,
        receipt: &str,
        sha256: &str,
        ip: &str,
    ) -> Result<(Vec<u8>, String, String), AppError> {
        let application = self.case_row(actor, receipt).await?;
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
        let application = self.case_row(actor, receipt).await?;
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

    // ---- exports ----

    /// A procedure's applications of the actor's department as CSV or JSON. A 個人番号 is
    /// written whole only for actors allowed to see it. The export is audited.
    pub async fn export(
        &self,
        actor: &Actor,
        procedure_id: &str,
        format: ExportFormat,
        encoding: ExportEncoding,
        ip: &str,
    ) -> Result<ExportOutcome, AppError> {
        let current = self.procedure(procedure_id)?;
        if actor
            .scope
            .as_deref()
            .is_some_and(|d| d != current.department.id)
        {
            return Err(AppError::NotFound);
        }
        let rows = self
            .store
            .applications_of(self.municipality(), actor.scope.as_deref(), procedure_id)
            .await?;
        let mut records = Vec::with_capacity(rows.len());
        for row in &rows {
            let (procedure, answers) = self.read_application(row).await?;
            records.push((row, procedure, answers));
        }
        let reveal = self.my_number_writer(actor);
        let stamp = OffsetDateTime::now_utc().to_offset(time::macros::offset!(+9));
        let base_name = format!(
            "{procedure_id}-{:04}{:02}{:02}",
            stamp.year(),
            u8::from(stamp.month()),
            stamp.day()
        );
        let outcome = match format {
            ExportFormat::Json => {
                let items: Vec<Value> = records
                    .iter()
                    .map(|(row, _, answers)| {
                        json!({
                            "receipt_number": row.receipt_number,
                            "procedure_id": row.procedure_id,
                            "procedure_version": row.procedure_version,
                            "status": row.status.as_str(),
                            "submitted_at": crate::portal::rfc3339(row.submitted_at),
                            "answers": answers.to_json_with(&reveal),
                        })
                    })
                    .collect();
                ExportOutcome::File(ExportFile {
                    bytes: serde_json::to_vec_pretty(&items).unwrap_or_default(),
                    file_name: format!("{base_name}.json"),
                    content_type: "application/json",
                })
            }
            ExportFormat::Csv => csv_export(current, &records, &reveal, encoding, &base_name)?,
        };
        self.audit(&actor.name, "export", None, json!({
                        "procedure_id": procedure_id,
                        "format": match format { ExportFormat::Csv => "csv", ExportFormat::Json => "json" },
                        "encoding": match encoding { ExportEncoding::Utf8Bom => "utf-8", ExportEncoding::Cp932 => "cp932" },
                        "applications": rows.len(),
                        "my_number": actor.my_number_access,
                        "refused_unmappable": matches!(outcome, ExportOutcome::Unmappable(_)),
                    }), ip)
            .await?;
        Ok(outcome)
    }

    // ---- integration: tokens, the change feed, deliveries ----

    /// Issues an API token for a department; the token is shown once and stored hashed.
    pub async fn issue_token(
        &self,
        staff: &Staff,
        department: &str,
        name: &str,
        ip: &str,
    ) -> Result<IssuedToken, AppError> {
        if !staff.admin && staff.department.as_deref() != Some(department) {
            return Err(AppError::Forbidden);
        }
        if name.trim().is_empty() {
            return Err(AppError::BadRequest("token-error-name"));
        }
        if !self.departments().iter().any(|(id, _)| id == department) {
            return Err(AppError::BadRequest("staff-error-unknown-department"));
        }
        let token = format!("{TOKEN_PREFIX}{}", new_token());
        let id = Uuid::now_v7();
        let now = OffsetDateTime::now_utc();
        self.store
            .create_token(
                self.municipality(),
                id,
                department,
                name.trim(),
                &token_hash(&token),
                now,
            )
            .await?;
        self.audit(
            &staff.login,
            "token.issue",
            None,
            json!({ "token_id": id, "department": department, "name": name.trim() }),
            ip,
        )
        .await?;
        Ok(IssuedToken { id, token })
    }

    pub async fn tokens(&self, staff: &Staff) -> Result<Vec<TokenRow>, AppError> {
        Ok(self
            .store
            .tokens(self.municipality(), staff.actor().scope.as_deref())
            .await?)
    }

    pub async fn revoke_token(&self, staff: &Staff, id: Uuid, ip: &str) -> Result<(), AppError> {
        let now = OffsetDateTime::now_utc();
        if !self
            .store
            .revoke_token(self.municipality(), id, staff.actor().scope.as_deref(), now)
            .await?
        {
            return Err(AppError::NotFound);
        }
        self.audit(
            &staff.login,
            "token.revoke",
            None,
            json!({ "token_id": id }),
            ip,
        )
        .await?;
        Ok(())
    }

    /// The business system behind a bearer token.
    pub async fn token_actor(&self, bearer: &str) -> Result<Actor, AppError> {
        if !bearer.starts_with(TOKEN_PREFIX) {
            return Err(AppError::LoginRequired);
        }
        let token = self
            .store
            .use_token(
                self.municipality(),
                &token_hash(bearer),
                OffsetDateTime::now_utc(),
            )
            .await?
            .ok_or(AppError::LoginRequired)?;
        Ok(Actor {
            name: format!("api:{}", token.name),
            scope: Some(token.department_id),
            // Business systems of the department process 個人番号 (that is why they pull).
            my_number_access: true,
        })
    }

    /// Applications of the token's department changed after `cursor`, oldest change first,
    /// with their answers (個人番号 whole); audited as one read per application.
    pub async fn changes(
        &self,
        actor: &Actor,
        cursor: i64,
        limit: i64,
        ip: &str,
    ) -> Result<(Vec<Value>, i64), AppError> {
        let department = actor.scope.as_deref().ok_or(AppError::Forbidden)?;
        let rows = self
            .store
            .changed_since(self.municipality(), department, cursor, limit.clamp(1, 200))
            .await?;
        let mut items = Vec::with_capacity(rows.len());
        let mut next = cursor;
        for row in rows {
            next = next.max(row.change_seq);
            self.audit_case(actor, "api.read", &row, json!({}), ip)
                .await?;
            items.push(self.integration_json(actor, &row).await?);
        }
        Ok((items, next))
    }

    /// One application for a business system, with its history and attachments.
    pub async fn integration_case(
        &self,
        actor: &Actor,
        receipt: &str,
        ip: &str,
    ) -> Result<Value, AppError> {
        let row = self.case_row(actor, receipt).await?;
        self.audit_case(actor, "api.read", &row, json!({}), ip)
            .await?;
        let mut body = self.integration_json(actor, &row).await?;
        let events = self.store.events(self.municipality(), row.id).await?;
        body["history"] = events
            .iter()
            .map(|e| {
                json!({
                    "event": e.kind,
                    "status": e.status.as_str(),
                    "actor": e.actor,
                    "note": e.note,
                    "at": crate::portal::rfc3339(e.created_at),
                })
            })
            .collect();
        Ok(body)
    }

    async fn integration_json(
        &self,
        actor: &Actor,
        row: &ApplicationRow,
    ) -> Result<Value, AppError> {
        let (_, answers) = self.read_application(row).await?;
        let reveal = self.my_number_writer(actor);
        let attachments: Vec<Value> = answers
            .files()
            .iter()
            .map(|f| {
                json!({
                    "id": f.sha256,
                    "name": f.name,
                    "size": f.size,
                    "content_type": f.content_type.mime(),
                    "href": format!("/api/v1/integration/applications/{}/attachments/{}", row.receipt_number, f.sha256),
                })
            })
            .collect();
        Ok(json!({
            "id": row.id,
            "receipt_number": row.receipt_number,
            "procedure_id": row.procedure_id,
            "procedure_version": row.procedure_version,
            "department_id": row.department_id,
            "status": row.status.as_str(),
            "channel": row.channel,
            "submitted_at": crate::portal::rfc3339(row.submitted_at),
            "updated_at": crate::portal::rfc3339(row.updated_at),
            "change_seq": row.change_seq,
            "correction": row.correction,
            "answers": answers.to_json_with(&reveal),
            "attachments": attachments,
        }))
    }

    pub async fn deliveries(&self, staff: &Staff) -> Result<Vec<DeliveryRow>, AppError> {
        Ok(self
            .store
            .deliveries(self.municipality(), staff.actor().scope.as_deref(), 200)
            .await?)
    }

    /// Sends a delivery again (a new attempt record; the failed one stays in the log).
    pub async fn resend_delivery(&self, staff: &Staff, id: Uuid, ip: &str) -> Result<(), AppError> {
        let now = OffsetDateTime::now_utc();
        if !self
            .store
            .resend_delivery(self.municipality(), staff.actor().scope.as_deref(), id, now)
            .await?
        {
            return Err(AppError::NotFound);
        }
        self.audit(
            &staff.login,
            "webhook.resend",
            None,
            json!({ "delivery": id }),
            ip,
        )
        .await?;
        Ok(())
    }

    /// Every account, for administrators.
    pub async fn staff_accounts(&self, staff: &Staff) -> Result<Vec<StaffRow>, AppError> {
        if !staff.admin {
            return Err(AppError::Forbidden);
        }
        Ok(self.store.staff_list(self.municipality(), None).await?)
    }

    pub async fn verify_audit(&self) -> Result<AuditReport, AppError> {
        Ok(self.store.verify_audit(self.municipality()).await?)
    }
}

/// The applicant's name for the inbox's search: the first name question (with its reading),
/// or else the first text question whose id ends in `name`.
pub fn applicant_name(procedure: &Procedure, answers: &Answers) -> String {
    let mut names = procedure
        .fields()
        .filter_map(|(_, f)| answers.get(f.id.as_str()).map(|a| (f, a)));
    let mut fallback = None;
    for (field, answer) in names.by_ref() {
        match answer {
            Answer::Name(name) => return name_with_reading(name),
            Answer::Text(text) if fallback.is_none() && field.id.as_str().ends_with("name") => {
                fallback = Some(text.clone());
            }
            _ => {}
        }
    }
    fallback.unwrap_or_default()
}

fn name_with_reading(name: &PersonName) -> String {
    match name.full_kana() {
        kana if kana.is_empty() => name.full(),
        kana => format!("{}（{kana}）", name.full()),
    }
}

fn csv_export(
    current: &Procedure,
    records: &[(&ApplicationRow, Arc<Procedure>, Answers)],
    reveal: &dyn Fn(&MyNumberAnswer) -> String,
    encoding: ExportEncoding,
    base_name: &str,
) -> Result<ExportOutcome, AppError> {
    use madoguchi_domain::export;
    let columns = export::columns(current);
    let mut table: Vec<Vec<String>> = vec![columns.iter().map(|c| c.column.clone()).collect()];
    for (row, procedure, answers) in records {
        let submitted = crate::portal::jst_minutes(row.submitted_at);
        let meta = export::Meta {
            receipt_number: &row.receipt_number,
            submitted_at: &submitted,
            status: row.status,
            procedure_version: &row.procedure_version,
        };
        table.push(export::row(procedure, &columns, &meta, answers, reveal));
    }
    if encoding == ExportEncoding::Cp932 {
        let problems = unmappable(&table, &columns);
        if !problems.is_empty() {
            return Ok(ExportOutcome::Unmappable(problems));
        }
    }
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for record in &table {
        writer
            .write_record(record)
            .map_err(|e| AppError::Config(format!("csv: {e}")))?;
    }
    let text = String::from_utf8(
        writer
            .into_inner()
            .map_err(|e| AppError::Config(format!("csv: {e}")))?,
    )
    .unwrap_or_default();
    let (bytes, content_type) = match encoding {
        ExportEncoding::Utf8Bom => {
            let mut bytes = "\u{FEFF}".as_bytes().to_vec();
            bytes.extend_from_slice(text.as_bytes());
            (bytes, "text/csv; charset=utf-8")
        }
        ExportEncoding::Cp932 => {
            let (encoded, _, had_errors) = encoding_rs::SHIFT_JIS.encode(&text);
            if had_errors {
                // The table above and encoding_rs disagree on a character: refuse rather than
                // write the numeric character reference encoding_rs substitutes.
                return Ok(ExportOutcome::Unmappable(unmappable_by_encoder(
                    &table, &columns,
                )));
            }
            (encoded.into_owned(), "text/csv; charset=Shift_JIS")
        }
    };
    Ok(ExportOutcome::File(ExportFile {
        bytes,
        file_name: format!("{base_name}.csv"),
        content_type,
    }))
}

/// Every character of the table (header row first) that CP932 cannot hold.
fn unmappable(
    table: &[Vec<String>],
    columns: &[madoguchi_domain::procedure::ExportColumn],
) -> Vec<Unmappable> {
    find_unmappable(table, columns, madoguchi_jp::charset::in_cp932)
}

fn unmappable_by_encoder(
    table: &[Vec<String>],
    columns: &[madoguchi_domain::procedure::ExportColumn],
) -> Vec<Unmappable> {
    find_unmappable(table, columns, |c| {
        let mut buf = [0u8; 4];
        !encoding_rs::SHIFT_JIS.encode(c.encode_utf8(&mut buf)).2
    })
}

fn find_unmappable(
    table: &[Vec<String>],
    columns: &[madoguchi_domain::procedure::ExportColumn],
    writable: impl Fn(char) -> bool,
) -> Vec<Unmappable> {
    let receipt_column = columns.iter().position(|c| c.source == "receipt_number");
    let mut out = Vec::new();
    for (r, record) in table.iter().enumerate() {
        let receipt = match (r, receipt_column) {
            (0, _) => "(見出し)".to_owned(),
            (_, Some(i)) => record[i].clone(),
            (_, None) => format!("{r}行目"),
        };
        for (cell, column) in record.iter().zip(columns) {
            for (i, character) in cell.chars().enumerate() {
                if !writable(character) {
                    out.push(Unmappable {
                        receipt_number: receipt.clone(),
                        column: column.column.clone(),
                        character,
                        position: i + 1,
                    });
                }
            }
        }
    }
    out
}

async fn hash_password(password: &str) -> Result<String, AppError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
    })
    .await
    .map_err(|e| AppError::Config(format!("password hashing: {e}")))?
    .map_err(|e| AppError::Config(format!("password hashing: {e}")))
}

async fn verify_password(password: &str, hash: &str) -> Result<bool, AppError> {
    let password = password.to_owned();
    let hash = hash.to_owned();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok()
    })
    .await
    .map_err(|e| AppError::Config(format!("password check: {e}")))
}

/// An argon2id hash of a random string, checked against when the login does not exist.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$bWFkb2d1Y2hpLWR1bW15$2l9kOk9sW1KQ6kY0n5xXl1sLr5Nw2y0oZ1Gq0f3HkPc";

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_are_hashed_with_argon2id_and_checked() {
        let hash = hash_password("correct horse battery").await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(
            verify_password("correct horse battery", &hash)
                .await
                .unwrap()
        );
        assert!(!verify_password("wrong", &hash).await.unwrap());
        assert!(!verify_password("x", DUMMY_HASH).await.unwrap());
    }
}
