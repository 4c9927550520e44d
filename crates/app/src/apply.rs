//! Applying: the resident's use cases on every channel. Start a draft, answer a step (with
//! uploads), submit it (or submit answers through the API in one call), then check the status,
//! fix what the department asked to correct, or withdraw.

use crate::error::AppError;
use crate::limits::Caller;
use crate::notify::confirmation_mail;
use crate::portal::{Member, Portal, open_correction, stored_answers};
use crate::timefmt::today_jst;
use crate::tokens::{TOKEN_LEN, new_token, token_hash};
use data_encoding::HEXLOWER;
use madoguchi_domain::answers::{Answer, Answers, FileRef, clean_file_name};
use madoguchi_domain::application::normalize_access_code;
use madoguchi_domain::attachment::{self, FileProblem};
use madoguchi_domain::case::{Correction, can_resubmit, is_internal_event};
use madoguchi_domain::form::{self, FormValues, GroupChange, Over, StoredFiles};
use madoguchi_domain::procedure::{Field, FieldKind, FileType, Procedure, Step, Stop};
use madoguchi_domain::validate::{self, FieldError, FieldPath, Problem, Segment};
use madoguchi_domain::{ApplicationStatus, ReceiptNumber};
use madoguchi_storage::files::sha256_hex;
use madoguchi_storage::{
    ApplicationRow, CaseChange, CorrectionChange, DraftRow, EventRow, NewApplication, NewDraft,
    StopCount, Submitted,
};
use serde_json::Value;
use std::sync::Arc;
use time::OffsetDateTime;
use uuid::Uuid;

/// A draft with the definition it is being filled against.
#[derive(Debug, Clone)]
pub struct Draft {
    pub token: String,
    pub row: DraftRow,
    pub procedure: Arc<Procedure>,
    pub answers: Answers,
}

/// A file a resident sent with a question page.
#[derive(Debug, Clone)]
pub struct Upload {
    pub field: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// What happens after a question page is posted.
#[derive(Debug)]
pub enum StepResult {
    /// Saved (`draft` holds the new answers); go to `next`, or to the check page when `None`.
    Saved {
        draft: Box<Draft>,
        next: Option<String>,
    },
    /// Not saved (except uploaded files, which `draft` now holds): show the page again with
    /// these problems.
    Invalid {
        draft: Box<Draft>,
        errors: Vec<FieldError>,
        values: FormValues,
    },
    /// The answers reached an eligibility stop: the draft is gone and nothing typed is kept;
    /// show the stop's explanation.
    Stopped { stop_id: String },
    /// Nothing saved: show the page again with these values, after an address look-up (with
    /// a notice, the message key of what was done) or a change to a repeating group.
    Again {
        values: FormValues,
        errors: Vec<FieldError>,
        notice: Option<&'static str>,
    },
}

/// What the button a resident pressed on a question page asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepAction {
    /// 「次へ」: save the page and move on.
    Save,
    /// 「住所を検索」 beside a postal-code question.
    LookupAddress(String),
    /// 「追加」 or 「削除」 on a repeating group.
    Group(GroupChange),
}

impl StepAction {
    /// Reads the `action` button's value (`lookup:postal`, `add:children`, …).
    pub fn parse(button: &str) -> Self {
        if let Some(field) = button.strip_prefix("lookup:") {
            return Self::LookupAddress(field.to_owned());
        }
        GroupChange::parse(button).map_or(Self::Save, Self::Group)
    }
}

/// An acknowledged application and the code its owner uses to see it.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub application: ApplicationRow,
    pub access_code: String,
    pub created: bool,
}

/// What a resident sees on the status page.
#[derive(Debug, Clone)]
pub struct StatusView {
    pub application: ApplicationRow,
    pub procedure: Arc<Procedure>,
    pub answers: Answers,
    /// The history the resident may see (internal notes and assignments left out).
    pub events: Vec<EventRow>,
    /// What the department asked to fix, while a correction is open.
    pub correction: Option<Correction>,
    /// The applications submitted with it from a life event (itself included); empty when
    /// it was submitted alone.
    pub bundle: Vec<Member>,
}

/// The outcome of a resident's corrected answers.
#[derive(Debug, Clone)]
pub enum Resubmission {
    Done(Box<StatusView>),
    /// Something is still wrong: the page shows these next to the fields, with what was typed.
    Invalid {
        view: Box<StatusView>,
        errors: Vec<FieldError>,
        values: FormValues,
    },
}

impl Portal {
    // ---- drafts ----

    /// Starts a draft and returns its private token (the resume link's secret).
    pub async fn start_draft(&self, procedure_id: &str) -> Result<(String, String), AppError> {
        let procedure = self.procedure(procedure_id)?;
        if !procedure.is_online() {
            return Err(AppError::NotOnline);
        }
        let token = new_token();
        let now = OffsetDateTime::now_utc();
        self.store
            .create_draft(&NewDraft {
                id: Uuid::now_v7(),
                municipality: self.municipality(),
                token_hash: &token_hash(&token),
                procedure_id: procedure.id.as_str(),
                procedure_version: &procedure.version,
                plan_id: None,
                now,
                expires_at: now + time::Duration::days(self.config.limits.draft_days),
            })
            .await?;
        let first = procedure
            .steps
            .first()
            .map(|s| s.id.to_string())
            .ok_or(AppError::NotOnline)?;
        Ok((token, first))
    }

    /// The draft behind a resume link, with the exact definition it was started on.
    pub async fn draft(&self, token: &str) -> Result<Draft, AppError> {
        if token.len() != TOKEN_LEN {
            return Err(AppError::NotFound);
        }
        let row = self
            .store
            .draft_by_token_hash(self.municipality(), &token_hash(token))
            .await?
            .ok_or(AppError::NotFound)?;
        if row.application_id.is_none() && row.expires_at < OffsetDateTime::now_utc() {
            return Err(AppError::DraftExpired);
        }
        let procedure = self
            .definition(&row.procedure_id, &row.procedure_version)
            .await?;
        let answers = stored_answers(&procedure, &row.answers)?;
        Ok(Draft {
            token: token.to_owned(),
            row,
            procedure,
            answers,
        })
    }

    /// Handles a posted question page: saves it (uploaded files are kept even when other
    /// answers on the page need fixing, so the resident never sends the same file twice), or
    /// looks up an address, or adds or removes an item of a repeating group.
    pub async fn post_step(
        &self,
        draft: &Draft,
        step_id: &str,
        action: StepAction,
        values: FormValues,
        uploads: Vec<Upload>,
    ) -> Result<StepResult, AppError> {
        let step = draft.procedure.step(step_id).ok_or(AppError::NotFound)?;
        self.post_page(draft, step, action, values, uploads).await
    }

    /// Handles a posted page showing `step`'s questions (all of them, or those a bundle still
    /// asks).
    pub(crate) async fn post_page(
        &self,
        draft: &Draft,
        step: &Step,
        action: StepAction,
        mut values: FormValues,
        uploads: Vec<Upload>,
    ) -> Result<StepResult, AppError> {
        let procedure = &draft.procedure;
        if draft.row.application_id.is_some() {
            return Err(AppError::NotAllowed(ApplicationStatus::Submitted));
        }
        // Files chosen before a button that only changes the page (an address look-up, another
        // item) are taken all the same: the resident never chooses a file twice.
        let mut stored = draft.answers.clone();
        let questions: Vec<&Field> = step.fields.iter().collect();
        let upload_errors = self
            .take_uploads(&questions, Some(&mut stored), &mut values, uploads)
            .await?;
        if !matches!(action, StepAction::Save) && stored != draft.answers {
            self.save(draft, &stored, OffsetDateTime::now_utc()).await?;
        }
        let again =
            |values: FormValues, mut errors: Vec<FieldError>, notice: Option<&'static str>| {
                errors.extend(upload_errors.iter().cloned());
                Ok(StepResult::Again {
                    values,
                    errors,
                    notice,
                })
            };
        match action {
            StepAction::Save => {
                self.save_step(draft, step, values, stored, upload_errors)
                    .await
            }
            StepAction::LookupAddress(field) => {
                match self.fill_address(procedure, &field, &mut values) {
                    Ok(()) => again(values, Vec::new(), Some("postal-filled")),
                    Err(error) => again(values, vec![error], None),
                }
            }
            StepAction::Group(change) => {
                change.apply(procedure, &mut values);
                again(values, Vec::new(), None)
            }
        }
    }

    /// Checks and stores the files posted with a page. A step's own file question adds the
    /// file to the stored answers (`Some`); a question of a group item, or any question of a
    /// page that carries its files (`None`: the correction form), keeps it on the page as a
    /// `kept` control, where it moves with its item. Returns the files refused, where sent.
    async fn take_uploads(
        &self,
        questions: &[&Field],
        mut stored: Option<&mut Answers>,
        values: &mut FormValues,
        uploads: Vec<Upload>,
    ) -> Result<Vec<FieldError>, AppError> {
        let mut refused = Vec::new();
        for upload in uploads {
            let path = FieldPath::from_control(&upload.field);
            let Some(kind @ FieldKind::File { max_files, .. }) = file_question(questions, &path)
            else {
                refused.push(FieldError::new(path, Problem::UnknownField));
                continue;
            };
            // A question that takes one file takes the new one in place of the old, as does
            // one whose files the resident asked to remove while choosing new ones.
            let remove = format!("{}.remove", path.form_name());
            let replace = *max_files == 1 || values.get(&remove) == "1";
            if replace {
                values.set(remove, Vec::new());
            }
            let file = match self.accept_upload(kind, &upload).await? {
                Ok(file) => file,
                Err(problem) => {
                    refused.push(FieldError::new(path, problem));
                    continue;
                }
            };
            match stored.as_deref_mut() {
                Some(answers) if path.item_index().is_none() => {
                    add_file(answers, &upload.field, file, replace);
                }
                _ => {
                    let kept = format!("{}.kept", path.form_name());
                    if replace {
                        values.set(kept, vec![form::kept_value(&file)]);
                    } else {
                        values.push(kept, form::kept_value(&file));
                    }
                }
            }
        }
        Ok(refused)
    }

    /// The files the page's items keep, as the store recorded them; a file it does not hold is
    /// left out (and its question is unanswered).
    async fn kept_files(&self, values: &FormValues) -> Result<StoredFiles, AppError> {
        let mut files = StoredFiles::default();
        let shas: std::collections::BTreeSet<String> = values.kept_files().into_iter().collect();
        for sha256 in shas {
            if let Some(file) = self.stored_file(sha256, "").await? {
                files.insert(file);
            }
        }
        Ok(files)
    }

    /// A file as the store recorded it (size, type by content), under the name given.
    async fn stored_file(&self, sha256: String, name: &str) -> Result<Option<FileRef>, AppError> {
        let Some(row) = self.store.attachment(self.municipality(), &sha256).await? else {
            return Ok(None);
        };
        let content_type = FileType::from_mime(&row.content_type).unwrap_or(FileType::Pdf);
        Ok(Some(FileRef {
            name: clean_file_name(name, content_type),
            size: row.size,
            content_type,
            sha256,
        }))
    }

    async fn save_step(
        &self,
        draft: &Draft,
        step: &Step,
        values: FormValues,
        stored: Answers,
        upload_errors: Vec<FieldError>,
    ) -> Result<StepResult, AppError> {
        let procedure = &draft.procedure;
        let now = OffsetDateTime::now_utc();
        let kept = self.kept_files(&values).await?;
        let over = Over {
            answers: &stored,
            files: &kept,
        };
        let outcome = form::apply_step(procedure, step, &values, over, today_jst());
        // A rejected upload already explains its question; do not add "required" on top.
        let upload_paths: Vec<FieldPath> = upload_errors.iter().map(|e| e.path.clone()).collect();
        let mut errors = upload_errors;
        errors.extend(
            outcome
                .errors
                .into_iter()
                .filter(|e| !upload_paths.contains(&e.path)),
        );
        if errors.is_empty() {
            errors = self.residence_problems(procedure, &outcome.answers, Some(step));
        }
        if errors.is_empty()
            && let Some(stop) = validate::stop_for(procedure, &outcome.answers)
        {
            self.end_at_stop(procedure, stop, Some(draft.row.id))
                .await?;
            return Ok(StepResult::Stopped {
                stop_id: stop.id.clone(),
            });
        }
        if errors.is_empty() {
            self.save(draft, &outcome.answers, now).await?;
            let next =
                next_step(procedure, &outcome.answers, step.id.as_str()).map(|s| s.id.to_string());
            let draft = Box::new(Draft {
                answers: outcome.answers,
                ..draft.clone()
            });
            return Ok(StepResult::Saved { draft, next });
        }
        if stored != draft.answers {
            self.save(draft, &stored, now).await?;
        }
        let draft = Box::new(Draft {
            answers: stored,
            ..draft.clone()
        });
        Ok(StepResult::Invalid {
            draft,
            errors,
            values,
        })
    }

    /// Ends the form at a stop: the draft (if any) is deleted and the stop counted.
    async fn end_at_stop(
        &self,
        procedure: &Procedure,
        stop: &Stop,
        draft_id: Option<Uuid>,
    ) -> Result<(), AppError> {
        let day = madoguchi_domain::answers::format_date(today_jst());
        let count = StopCount {
            procedure_id: procedure.id.as_str(),
            stop_id: &stop.id,
            day: &day,
        };
        match draft_id {
            Some(id) => {
                self.store
                    .end_draft_at_stop(self.municipality(), id, &count)
                    .await?;
            }
            None => {
                self.store
                    .count_stop_without_draft(self.municipality(), &count)
                    .await?
            }
        }
        Ok(())
    }

    async fn save(
        &self,
        draft: &Draft,
        answers: &Answers,
        now: OffsetDateTime,
    ) -> Result<(), AppError> {
        let files = file_ids(answers);
        let saved = self
            .store
            .save_draft_answers(
                self.municipality(),
                draft.row.id,
                &self.storable(answers),
                &files,
                now,
                now + time::Duration::days(self.config.limits.draft_days),
            )
            .await?;
        if saved {
            Ok(())
        } else {
            Err(AppError::NotAllowed(ApplicationStatus::Submitted))
        }
    }

    /// Checks a file by its content and size against its question, and stores it.
    async fn accept_upload(
        &self,
        question: &FieldKind,
        upload: &Upload,
    ) -> Result<Result<FileRef, Problem>, AppError> {
        let FieldKind::File {
            accept, max_bytes, ..
        } = question
        else {
            return Ok(Err(Problem::UnknownField));
        };
        if upload.bytes.len() as u64 > *max_bytes {
            return Ok(Err(Problem::FileTooLarge {
                max_bytes: *max_bytes,
            }));
        }
        let kind = match judge_file(&upload.bytes, accept) {
            Ok(kind) => kind,
            Err(problem) => return Ok(Err(problem)),
        };
        self.store_file(&upload.bytes, kind)
            .await
            .map(|(sha256, size)| {
                Ok(FileRef {
                    sha256,
                    name: clean_file_name(&upload.file_name, kind),
                    size,
                    content_type: kind,
                })
            })
    }

    /// Records the file, then writes its bytes: the clean-up job deletes a file only while no
    /// record names it, so a record written first keeps the file it is about to receive.
    async fn store_file(&self, bytes: &[u8], kind: FileType) -> Result<(String, u64), AppError> {
        let sha = sha256_hex(bytes);
        let size = bytes.len() as u64;
        self.store
            .record_attachment(
                self.municipality(),
                &sha,
                size,
                kind.mime(),
                OffsetDateTime::now_utc(),
            )
            .await?;
        self.files
            .put(bytes)
            .await
            .map_err(|e| AppError::Storage(e.into()))?;
        Ok((sha, size))
    }

    /// Stores a file sent through the API, recognised by its content.
    pub async fn upload_attachment(
        &self,
        bytes: &[u8],
    ) -> Result<(String, u64, FileType), AppError> {
        let kind = judge_file(bytes, &FileType::ALL).map_err(|problem| {
            AppError::Invalid(vec![FieldError::new(FieldPath::field("file"), problem)])
        })?;
        let (sha, size) = self.store_file(bytes, kind).await?;
        Ok((sha, size, kind))
    }

    // ---- submission ----

    /// The application a submitted draft became, with its access code (for the confirmation
    /// page, which a resident may reload or bookmark); `None` while the draft is open.
    pub async fn submitted(&self, draft: &Draft) -> Result<Option<Receipt>, AppError> {
        let Some(id) = draft.row.application_id else {
            return Ok(None);
        };
        let application = self
            .store
            .application(self.municipality(), id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(Some(Receipt {
            access_code: self.access_code_of(&application),
            application,
            created: false,
        }))
    }

    /// Submits a completed draft. A second call (double click, retry) returns the first
    /// application. Missing answers send the resident back to the first step that needs them.
    pub async fn submit_draft(&self, draft: &Draft) -> Result<Receipt, AppError> {
        if draft.row.application_id.is_none() {
            let mut errors = validate::check(&draft.procedure, &draft.answers, None, today_jst());
            if errors.is_empty() {
                errors = self.residence_problems(&draft.procedure, &draft.answers, None);
            }
            if !errors.is_empty() {
                return Err(AppError::Invalid(errors));
            }
        }
        let application_id = draft.row.application_id.unwrap_or_else(Uuid::now_v7);
        self.submit(
            &draft.procedure,
            &draft.answers,
            application_id,
            "web",
            Some(draft.row.id),
            None,
            None,
        )
        .await
    }

    /// Submits answers sent through the API. The same idempotency key always names the same
    /// application; reused with a different body, it is refused.
    pub async fn submit_api(
        &self,
        procedure_id: &str,
        answers: &Value,
        idempotency_key: Option<&str>,
        caller: &Caller,
    ) -> Result<Receipt, AppError> {
        let procedure = self.procedure(procedure_id)?;
        if !procedure.is_online() {
            return Err(AppError::NotOnline);
        }
        let mut parsed = match validate::parse_json(procedure, answers, today_jst()) {
            Ok(parsed) => parsed,
            Err(errors) => {
                let reached = errors.iter().find_map(|e| match &e.problem {
                    Problem::Ineligible { stop, .. } => {
                        procedure.stops.iter().find(|s| &s.id == stop)
                    }
                    _ => None,
                });
                if let Some(stop) = reached {
                    self.end_at_stop(procedure, stop, None).await?;
                }
                return Err(AppError::Invalid(errors));
            }
        };
        let outside = self.residence_problems(procedure, &parsed, None);
        if !outside.is_empty() {
            return Err(AppError::Invalid(outside));
        }
        self.resolve_attachments(procedure, &mut parsed).await?;
        let (scoped_key, request_hash) =
            self.idempotency(idempotency_key, procedure_id, answers, caller);
        self.submit(
            procedure,
            &parsed,
            Uuid::now_v7(),
            "api",
            None,
            scoped_key.as_deref(),
            request_hash.as_deref(),
        )
        .await
    }

    /// An API request's idempotency key, scoped to its caller, and the digest of its body (what
    /// it asks for, `what`, and the JSON sent); both keyed hashes.
    pub(crate) fn idempotency(
        &self,
        key: Option<&str>,
        what: &str,
        body: &Value,
        caller: &Caller,
    ) -> (Option<String>, Option<String>) {
        // Keyed, because the body may hold a 個人番号 and a plain hash of 12 digits is guessable.
        let request_hash = key.map(|_| {
            HEXLOWER.encode(&self.secret.mac(&[
                b"idempotency",
                what.as_bytes(),
                body.to_string().as_bytes(),
            ]))
        });
        // A key names an application only for the caller that sent it, and is kept as a keyed
        // hash: another client reusing a key (and body) gets nothing of the first's.
        let scoped_key = key.map(|key| {
            HEXLOWER.encode(&self.secret.mac(&[
                b"idempotency-key",
                caller.scope().as_bytes(),
                key.as_bytes(),
            ]))
        });
        (scoped_key, request_hash)
    }

    /// Replaces the size and type an API client claimed for each file with what was stored,
    /// and refuses files that were never uploaded; files of group items too.
    pub(crate) async fn resolve_attachments(
        &self,
        procedure: &Procedure,
        answers: &mut Answers,
    ) -> Result<(), AppError> {
        let mut errors = Vec::new();
        let root = FieldPath::default();
        self.resolve_in(answers, &root, &mut errors).await?;
        let groups: Vec<String> = answers
            .iter()
            .filter(|(_, a)| matches!(a, Answer::Group(_)))
            .map(|(k, _)| k.clone())
            .collect();
        for id in groups {
            let Some(Answer::Group(mut items)) = answers.get(&id).cloned() else {
                continue;
            };
            for (index, item) in items.iter_mut().enumerate() {
                let at = FieldPath::field(&id).child(Segment::Item(index));
                self.resolve_in(item, &at, &mut errors).await?;
            }
            answers.insert(id, Answer::Group(items));
        }
        if errors.is_empty() {
            errors = validate::check(procedure, answers, None, today_jst());
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(errors))
        }
    }

    /// Resolves the file answers of `answers` (the application's, or one group item's at `at`).
    async fn resolve_in(
        &self,
        answers: &mut Answers,
        at: &FieldPath,
        errors: &mut Vec<FieldError>,
    ) -> Result<(), AppError> {
        let files: Vec<(String, Vec<FileRef>)> = answers
            .iter()
            .filter_map(|(k, a)| match a {
                Answer::Files(f) => Some((k.clone(), f.clone())),
                _ => None,
            })
            .collect();
        for (key, files) in files {
            let path = at.child(Segment::Field(key.clone()));
            let resolved = self.resolve_files(files, &path, errors).await?;
            answers.insert(key, Answer::Files(resolved));
        }
        Ok(())
    }

    /// The files as the store recorded them; one it does not hold is refused at `path`.
    async fn resolve_files(
        &self,
        files: Vec<FileRef>,
        path: &FieldPath,
        errors: &mut Vec<FieldError>,
    ) -> Result<Vec<FileRef>, AppError> {
        let mut resolved = Vec::with_capacity(files.len());
        for file in files {
            match self.stored_file(file.sha256, &file.name).await? {
                Some(stored) => resolved.push(stored),
                None => errors.push(FieldError::new(path.clone(), Problem::UnknownAttachment)),
            }
        }
        Ok(resolved)
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "one call site per channel, each naming every part"
    )]
    async fn submit(
        &self,
        procedure: &Procedure,
        answers: &Answers,
        application_id: Uuid,
        channel: &str,
        draft_id: Option<Uuid>,
        idempotency_key: Option<&str>,
        request_hash: Option<&str>,
    ) -> Result<Receipt, AppError> {
        let prepared = self.prepare(procedure, answers, application_id, draft_id);
        let submitted = self
            .store
            .submit(&NewApplication {
                idempotency_key,
                request_hash,
                ..prepared.new_application(self.municipality(), channel, OffsetDateTime::now_utc())
            })
            .await
            .map_err(AppError::from_storage)?;
        let created = matches!(submitted, Submitted::Created(_));
        if created {
            self.outbox_wake.notify_one();
        }
        let application = submitted.application().clone();
        if created {
            tracing::info!(procedure = %procedure.id, receipt = %application.receipt_number, channel, "application submitted");
        }
        Ok(Receipt {
            access_code: self.access_code_of(&application),
            application,
            created,
        })
    }

    /// An application ready to be written: its answers as storage holds them (every 個人番号
    /// sealed), the applicant's name, the files it uses and its confirmation mail.
    pub(crate) fn prepare<'p>(
        &self,
        procedure: &'p Procedure,
        answers: &Answers,
        id: Uuid,
        draft_id: Option<Uuid>,
    ) -> Prepared<'p> {
        Prepared {
            procedure,
            id,
            draft_id,
            answers: self.storable(answers),
            applicant_name: answers.applicant_name(procedure),
            files: file_ids(answers),
            jobs: confirmation_mail(procedure, answers, id)
                .into_iter()
                .collect(),
        }
    }

    // ---- after submission ----

    /// The application behind a receipt number and access code. A wrong code and an unknown
    /// number give the same answer, so neither can be probed.
    pub async fn status(&self, receipt: &str, access_code: &str) -> Result<StatusView, AppError> {
        let receipt = ReceiptNumber::parse(receipt).ok_or(AppError::NotFound)?;
        let application = self
            .store
            .application_by_receipt(self.municipality(), &receipt)
            .await?
            .ok_or(AppError::NotFound)?;
        let expected = normalize_access_code(&self.access_code_of(&application));
        let given = normalize_access_code(access_code);
        if !bool::from(subtle::ConstantTimeEq::ct_eq(
            expected.as_bytes(),
            given.as_bytes(),
        )) {
            return Err(AppError::NotFound);
        }
        self.status_view(application).await
    }

    pub async fn status_view(&self, application: ApplicationRow) -> Result<StatusView, AppError> {
        let (procedure, answers) = self.read_application(&application).await?;
        let events = self
            .store
            .events(self.municipality(), application.id)
            .await?
            .into_iter()
            .filter(|e| !is_internal_event(&e.kind))
            .collect();
        let correction = open_correction(&application);
        let bundle = self.bundle_members(&application).await?;
        Ok(StatusView {
            application,
            procedure,
            answers,
            events,
            correction,
            bundle,
        })
    }

    /// The resident's corrected answers: only the questions the department named are read,
    /// the rest stays as submitted, and the whole application is checked again before it goes
    /// back to the department.
    pub async fn resubmit(
        &self,
        receipt: &str,
        access_code: &str,
        mut values: FormValues,
        uploads: Vec<Upload>,
    ) -> Result<Resubmission, AppError> {
        let view = self.status(receipt, access_code).await?;
        if !can_resubmit(view.application.status) {
            return Err(AppError::NotAllowed(view.application.status));
        }
        let Some(correction) = view.correction.clone() else {
            return Err(AppError::NotAllowed(view.application.status));
        };
        let fields: Vec<&Field> = view
            .procedure
            .fields()
            .map(|(_, f)| f)
            .filter(|f| correction.asks_for(f.id.as_str()))
            .collect();
        // A document asked for again (本人確認書類の再提出) comes with the page, which carries
        // the files of every question asked about: nothing is stored until the resubmission.
        let mut answers = view.answers.clone();
        for field in &fields {
            if matches!(field.kind, FieldKind::File { .. }) {
                answers.remove(field.id.as_str());
            }
        }
        let upload_errors = self
            .take_uploads(&fields, None, &mut values, uploads)
            .await?;
        let kept = self.kept_files(&values).await?;
        let stored = Over {
            answers: &answers,
            files: &kept,
        };
        let outcome = form::apply_correction(
            &view.procedure,
            fields.into_iter(),
            &values,
            stored,
            today_jst(),
        );
        let asked = |e: &FieldError| match e.path.0.first() {
            Some(Segment::Field(id)) => correction.asks_for(id),
            _ => true,
        };
        let upload_paths: Vec<FieldPath> = upload_errors.iter().map(|e| e.path.clone()).collect();
        let mut errors: Vec<FieldError> = upload_errors;
        errors.extend(
            outcome
                .errors
                .into_iter()
                .filter(|e| !upload_paths.contains(&e.path))
                // An answer not asked about was accepted when submitted: a rule counted from today
                // (a deadline since passed) must not block the fix of another one. What a changed
                // answer makes newly needed, or no longer applicable, still counts.
                .filter(|e| {
                    asked(e)
                        || matches!(
                            e.problem,
                            Problem::Required
                                | Problem::NotApplicable
                                | Problem::TooFewItems { .. }
                        )
                }),
        );
        if errors.is_empty() {
            errors = self
                .residence_problems(&view.procedure, &outcome.answers, None)
                .into_iter()
                .filter(asked)
                .collect();
        }
        if !errors.is_empty() {
            return Ok(Resubmission::Invalid {
                view: Box::new(view),
                errors,
                values,
            });
        }
        let answers_json = self.storable(&outcome.answers);
        let files = file_ids(&outcome.answers);
        let to = ApplicationStatus::Resubmitted;
        let jobs = self.status_jobs(&view.application, &view.procedure, to, None);
        let change = CaseChange {
            answers: Some(&answers_json),
            files: Some(&files),
            correction: CorrectionChange::Clear,
            jobs,
            ..CaseChange::status(can_resubmit, to, "resubmitted", "resident")
        };
        let application = self.change_case(view.application.id, &change).await?;
        tracing::info!(receipt = %application.receipt_number, "application resubmitted");
        Ok(Resubmission::Done(Box::new(
            self.status_view(application).await?,
        )))
    }

    /// Withdraws an application the department has not yet accepted.
    pub async fn withdraw(&self, receipt: &str, access_code: &str) -> Result<StatusView, AppError> {
        let view = self.status(receipt, access_code).await?;
        if view
            .procedure
            .last_day_to_withdraw(&view.answers)
            .is_some_and(|last| today_jst() > last)
        {
            return Err(AppError::NotAllowed(view.application.status));
        }
        let to = ApplicationStatus::Withdrawn;
        let change = CaseChange {
            jobs: self.status_jobs(&view.application, &view.procedure, to, None),
            correction: CorrectionChange::Clear,
            ..CaseChange::status(ApplicationStatus::can_withdraw, to, "withdrawn", "resident")
        };
        let application = self.change_case(view.application.id, &change).await?;
        tracing::info!(receipt = %application.receipt_number, "application withdrawn");
        self.status_view(application).await
    }
}

/// An application prepared for storage (see `Portal::prepare`).
#[derive(Debug, Clone)]
pub(crate) struct Prepared<'p> {
    pub procedure: &'p Procedure,
    pub id: Uuid,
    pub draft_id: Option<Uuid>,
    pub answers: Value,
    pub applicant_name: String,
    pub files: Vec<String>,
    pub jobs: Vec<madoguchi_storage::NewJob>,
}

impl Prepared<'_> {
    pub(crate) fn new_application<'a>(
        &'a self,
        municipality: &'a str,
        channel: &'a str,
        now: OffsetDateTime,
    ) -> NewApplication<'a> {
        NewApplication {
            id: self.id,
            municipality,
            procedure_id: self.procedure.id.as_str(),
            procedure_version: &self.procedure.version,
            department_id: &self.procedure.department.id,
            answers: &self.answers,
            channel,
            draft_id: self.draft_id,
            idempotency_key: None,
            request_hash: None,
            applicant_name: &self.applicant_name,
            files: self.files.clone(),
            jobs: self.jobs.clone(),
            bundle_id: None,
            life_event_id: None,
            visit_id: None,
            taken_by: None,
            now,
        }
    }
}

/// What a file is, by its structure, if it is one of the accepted types.
fn judge_file(bytes: &[u8], accept: &[FileType]) -> Result<FileType, Problem> {
    match attachment::inspect(bytes) {
        Ok(kind) if accept.contains(&kind) => Ok(kind),
        Err(FileProblem::Damaged(kind)) if accept.contains(&kind) => {
            Err(Problem::FileDamaged { kind })
        }
        _ => Err(Problem::FileType {
            accepted: accept.to_vec(),
        }),
    }
}

/// The first step of a draft that still needs an answer, or `None` when it is ready to check
/// and submit.
pub fn first_incomplete(draft: &Draft) -> Option<&Step> {
    let errors = validate::check(&draft.procedure, &draft.answers, None, today_jst());
    errors.first().and_then(|e| step_of(&draft.procedure, e))
}

/// The step after `current` that applies to these answers.
pub fn next_step<'p>(
    procedure: &'p Procedure,
    answers: &Answers,
    current: &str,
) -> Option<&'p Step> {
    let index = procedure.step_index(current)?;
    procedure.steps[index + 1..]
        .iter()
        .find(|s| validate::step_applies(s, answers))
}

/// The step before `current` that applies (the back link).
pub fn previous_step<'p>(
    procedure: &'p Procedure,
    answers: &Answers,
    current: &str,
) -> Option<&'p Step> {
    let index = procedure.step_index(current)?;
    procedure.steps[..index]
        .iter()
        .rev()
        .find(|s| validate::step_applies(s, answers))
}

/// The step holding the first problem (where to send a resident whose answers are incomplete).
pub fn step_of<'p>(procedure: &'p Procedure, error: &FieldError) -> Option<&'p Step> {
    let first = match error.path.0.first()? {
        validate::Segment::Field(id) => id,
        validate::Segment::Item(_) => return None,
    };
    procedure
        .steps
        .iter()
        .find(|s| s.fields.iter().any(|f| f.id.as_str() == first))
}

/// The file question a posted file was sent to, among the page's questions: one of them, or a
/// question of an item of one of their groups (`children.1.certificate`, within its items).
fn file_question<'f>(questions: &[&'f Field], path: &FieldPath) -> Option<&'f FieldKind> {
    let (top, rest) = path.0.split_first()?;
    let Segment::Field(id) = top else {
        return None;
    };
    let field = questions.iter().find(|f| f.id.as_str() == id)?;
    let kind = match (rest, &field.kind) {
        ([], kind) => kind,
        ([Segment::Item(i), Segment::Field(inner)], FieldKind::Group(group))
            if *i < group.max_items =>
        {
            &group.field(inner)?.kind
        }
        _ => return None,
    };
    matches!(kind, FieldKind::File { .. }).then_some(kind)
}

/// The stored files the answers refer to, for the record of which files are in use.
fn file_ids(answers: &Answers) -> Vec<String> {
    answers.files().iter().map(|f| f.sha256.clone()).collect()
}

fn add_file(answers: &mut Answers, field: &str, file: FileRef, replace: bool) {
    let mut files = match answers.get(field) {
        Some(Answer::Files(existing)) if !replace => existing.clone(),
        _ => Vec::new(),
    };
    if !files.iter().any(|f| f.sha256 == file.sha256) {
        files.push(file);
    }
    answers.insert(field, Answer::Files(files));
}
