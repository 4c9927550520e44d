//! The resident-facing use cases: start a draft, answer a step, review, submit (web or API),
//! check status and withdraw. Each function is one thing a resident does.

use crate::catalog_source;
use crate::config::Config;
use crate::error::AppError;
use crate::mail::{Mailer, SUBMITTED_MAIL};
use crate::seal::Sealer;
use crate::secret::Secret;
use crate::webhook::WebhookSecrets;
use data_encoding::{BASE32_NOPAD, HEXLOWER};
use madoguchi_domain::answers::{Answer, Answers, FileRef};
use madoguchi_domain::application::{format_access_code, normalize_access_code};
use madoguchi_domain::case::{Correction, can_resubmit, is_internal_event};
use madoguchi_domain::catalog::Catalog;
use madoguchi_domain::form::{self, FormValues};
use madoguchi_domain::procedure::{FieldKind, FileType, Procedure, Step};
use madoguchi_domain::validate::{self, FieldError, FieldPath, Problem};
use madoguchi_domain::{ApplicationStatus, ReceiptNumber};
use madoguchi_jp::postal::{PostalArea, PostalError, PostalIndex};
use madoguchi_storage::files::{BlobStore, LocalFiles};
use madoguchi_storage::{
    ApplicationRow, CaseChange, CorrectionChange, DraftRow, EventRow, NewApplication, NewDraft,
    NewJob, Store, Submitted, Transition,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};
use time::OffsetDateTime;
use uuid::Uuid;

/// Everything the use cases need; cheap to clone into every request.
#[derive(Debug, Clone)]
pub struct Portal {
    pub config: Arc<Config>,
    pub store: Store,
    pub files: Arc<dyn BlobStore>,
    pub catalog: Arc<Catalog>,
    pub secret: Secret,
    pub sealer: Sealer,
    pub mailer: Arc<Mailer>,
    /// The signing secrets of the configured webhook endpoints, read once at start.
    pub webhooks: Arc<WebhookSecrets>,
    /// Definition versions by (procedure id, version). Versions never change, so an entry is
    /// never stale; the current catalog is loaded at start, older versions on first use.
    definitions: Arc<RwLock<Definitions>>,
    /// Japan Post's data, decompressed on first use (about 14 MB).
    postal: Arc<OnceLock<Result<PostalIndex, PostalError>>>,
}

/// Definitions by (procedure id, version).
type Definitions = HashMap<(String, String), Arc<Procedure>>;

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
    /// Saved; go to this step, or to the check page when `None`.
    Next(Option<String>),
    /// Not saved (except uploaded files): show the page again with these problems.
    Invalid {
        errors: Vec<FieldError>,
        values: FormValues,
    },
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
    /// Opens storage, runs migrations, loads the catalog and records its definition versions.
    pub async fn start(config: Config) -> Result<Self, AppError> {
        config.validate().map_err(AppError::Config)?;
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|e| AppError::Config(format!("{}: {e}", config.data_dir.display())))?;
        let catalog = match &config.catalog_dir {
            Some(dir) => catalog_source::from_dir(dir),
            None => catalog_source::bundled(),
        }
        .map_err(|errors| {
            AppError::Config(
                errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n"),
            )
        })?;
        let store = Store::connect(&config.database_url()).await?;
        store.migrate().await?;
        let secret = Secret::load_or_create(&config.secret_path())
            .map_err(|e| AppError::Config(format!("secret key: {e}")))?;
        let mailer = Mailer::from_config(&config).map_err(AppError::Config)?;
        let webhooks = WebhookSecrets::load(&config.webhooks).map_err(AppError::Config)?;
        let files = LocalFiles::new(config.data_dir.join("attachments"));
        let portal = Self {
            config: Arc::new(config),
            store,
            files: Arc::new(files),
            catalog: Arc::new(catalog),
            sealer: Sealer::new(&secret),
            secret,
            mailer: Arc::new(mailer),
            webhooks: Arc::new(webhooks),
            definitions: Arc::default(),
            postal: Arc::default(),
        };
        for procedure in &portal.catalog.procedures {
            portal
                .store
                .record_procedure_version(portal.municipality(), procedure)
                .await?;
            portal.cache_definition(Arc::new(procedure.clone()));
        }
        Ok(portal)
    }

    fn cache_definition(&self, procedure: Arc<Procedure>) {
        let key = (procedure.id.to_string(), procedure.version.clone());
        self.definitions
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(key, procedure);
    }

    /// The definition exactly as it was at `version`.
    pub(crate) async fn definition(
        &self,
        procedure_id: &str,
        version: &str,
    ) -> Result<Arc<Procedure>, AppError> {
        let key = (procedure_id.to_owned(), version.to_owned());
        if let Some(found) = self
            .definitions
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&key)
        {
            return Ok(found.clone());
        }
        let procedure = Arc::new(
            self.store
                .procedure_version(self.municipality(), procedure_id, version)
                .await?
                .ok_or(AppError::NotFound)?,
        );
        self.cache_definition(procedure.clone());
        Ok(procedure)
    }

    pub fn municipality(&self) -> &str {
        &self.config.municipality.code
    }

    /// A published procedure, by id.
    pub fn procedure(&self, id: &str) -> Result<&Procedure, AppError> {
        self.catalog.procedure(id).ok_or(AppError::NotFound)
    }

    /// Procedures matching a keyword search (title, keywords, summary, department).
    pub fn search(&self, query: &str) -> Vec<&Procedure> {
        let needle = normalize_for_search(query);
        if needle.is_empty() {
            return Vec::new();
        }
        let terms: Vec<&str> = needle.split(' ').filter(|t| !t.is_empty()).collect();
        self.catalog
            .procedures
            .iter()
            .filter(|p| {
                let haystack = normalize_for_search(&format!(
                    "{} {} {} {} {}",
                    p.title.ja,
                    p.title.en.as_deref().unwrap_or_default(),
                    p.keywords.join(" "),
                    p.summary.ja,
                    p.department.name.ja
                ));
                terms.iter().all(|t| haystack.contains(t))
            })
            .collect()
    }

    /// The areas a postal code names (for address look-up in forms and front ends).
    pub fn postal_areas(&self, code: &str) -> Result<Vec<PostalArea<'_>>, PostalError> {
        let index = self.postal.get_or_init(PostalIndex::bundled);
        match index {
            Ok(index) => index.lookup(code),
            Err(e) => Err(e.clone()),
        }
    }

    /// 「住所を検索」: fills the address question tied to a postal-code question from the
    /// postal data, keeping everything else typed on the page.
    pub fn fill_address(
        &self,
        procedure: &Procedure,
        postal_field: &str,
        values: &mut FormValues,
    ) -> Result<(), FieldError> {
        let path = FieldPath::field(postal_field);
        let Some(FieldKind::PostalCode {
            address_field: Some(target),
        }) = procedure.field(postal_field).map(|f| &f.kind)
        else {
            return Err(FieldError::new(path, Problem::UnknownField));
        };
        let areas = self
            .postal_areas(values.get(&path.form_name()))
            .map_err(|e| {
                let problem = match e {
                    PostalError::Unknown(_) => Problem::UnknownPostalCode,
                    _ => Problem::InvalidPostalCode,
                };
                FieldError::new(path.clone(), problem)
            })?;
        if let Some(area) = areas.first() {
            values.set(
                FieldPath::field(target.as_str()).form_name(),
                vec![area.address()],
            );
        }
        Ok(())
    }

    /// A postal area as the API and the `jp postal` command print it.
    pub fn postal_area_json(area: &PostalArea<'_>) -> Value {
        json!({
            "local_gov_code": area.local_gov_code(),
            "prefecture": area.prefecture,
            "city": area.city,
            "town": area.town,
            "prefecture_kana": area.prefecture_kana,
            "city_kana": area.city_kana,
            "town_kana": area.town_kana,
            "note": area.note,
        })
    }

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

    /// Saves one question page. Uploaded files are kept even when other answers on the page
    /// need fixing, so the resident never sends the same file twice.
    pub async fn answer_step(
        &self,
        draft: &Draft,
        step_id: &str,
        values: FormValues,
        uploads: Vec<Upload>,
    ) -> Result<StepResult, AppError> {
        let procedure = &draft.procedure;
        let step = procedure.step(step_id).ok_or(AppError::NotFound)?;
        if draft.row.application_id.is_some() {
            return Err(AppError::NotAllowed(ApplicationStatus::Submitted));
        }
        let mut stored = draft.answers.clone();
        let mut upload_errors = Vec::new();
        for upload in uploads {
            match self.accept_upload(step, &upload).await? {
                Ok(file) => add_file(&mut stored, &upload.field, file),
                Err(problem) => {
                    upload_errors.push(FieldError::new(FieldPath::field(&upload.field), problem))
                }
            }
        }
        let now = OffsetDateTime::now_utc();
        let outcome = form::apply_step(procedure, step, &values, &stored);
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
            self.save(draft, &outcome.answers, now).await?;
            let next = next_step(procedure, &outcome.answers, step_id).map(|s| s.id.to_string());
            Ok(StepResult::Next(next))
        } else {
            if stored != draft.answers {
                self.save(draft, &stored, now).await?;
            }
            Ok(StepResult::Invalid { errors, values })
        }
    }

    async fn save(
        &self,
        draft: &Draft,
        answers: &Answers,
        now: OffsetDateTime,
    ) -> Result<(), AppError> {
        let saved = self
            .store
            .save_draft_answers(
                self.municipality(),
                draft.row.id,
                &self.storable(answers),
                now,
            )
            .await?;
        if saved {
            Ok(())
        } else {
            Err(AppError::NotAllowed(ApplicationStatus::Submitted))
        }
    }

    /// Checks a file by its content and size, and stores it.
    async fn accept_upload(
        &self,
        step: &Step,
        upload: &Upload,
    ) -> Result<Result<FileRef, Problem>, AppError> {
        let Some(FieldKind::File {
            accept, max_bytes, ..
        }) = step
            .fields
            .iter()
            .find(|f| f.id.as_str() == upload.field)
            .map(|f| &f.kind)
        else {
            return Ok(Err(Problem::UnknownField));
        };
        let Some(kind) = FileType::sniff(&upload.bytes).filter(|k| accept.contains(k)) else {
            return Ok(Err(Problem::FileType {
                accepted: accept.clone(),
            }));
        };
        if upload.bytes.len() as u64 > *max_bytes {
            return Ok(Err(Problem::FileTooLarge {
                max_bytes: *max_bytes,
            }));
        }
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

    async fn store_file(&self, bytes: &[u8], kind: FileType) -> Result<(String, u64), AppError> {
        let sha = self
            .files
            .put(bytes)
            .await
            .map_err(|e| AppError::Storage(e.into()))?;
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
        Ok((sha, size))
    }

    /// Stores a file sent through the API, recognised by its content.
    pub async fn upload_attachment(
        &self,
        bytes: &[u8],
    ) -> Result<(String, u64, FileType), AppError> {
        let kind = FileType::sniff(bytes).ok_or_else(|| {
            AppError::Invalid(vec![FieldError::new(
                FieldPath::field("file"),
                Problem::FileType {
                    accepted: FileType::ALL.to_vec(),
                },
            )])
        })?;
        let (sha, size) = self.store_file(bytes, kind).await?;
        Ok((sha, size, kind))
    }

    // ---- submission ----

    /// Submits a completed draft. A second call (double click, retry) returns the first
    /// application. Missing answers send the resident back to the first step that needs them.
    pub async fn submit_draft(&self, draft: &Draft) -> Result<Receipt, AppError> {
        if draft.row.application_id.is_none() {
            let errors = validate::check(&draft.procedure, &draft.answers, None);
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
    ) -> Result<Receipt, AppError> {
        let procedure = self.procedure(procedure_id)?;
        if !procedure.is_online() {
            return Err(AppError::NotOnline);
        }
        let mut parsed = validate::parse_json(procedure, answers).map_err(AppError::Invalid)?;
        self.resolve_attachments(procedure, &mut parsed).await?;
        // Keyed, because the body may hold a 個人番号 and a plain hash of 12 digits is guessable.
        let request_hash = idempotency_key.map(|_| {
            HEXLOWER.encode(&self.secret.mac(&[
                b"idempotency",
                procedure_id.as_bytes(),
                answers.to_string().as_bytes(),
            ]))
        });
        self.submit(
            procedure,
            &parsed,
            Uuid::now_v7(),
            "api",
            None,
            idempotency_key,
            request_hash.as_deref(),
        )
        .await
    }

    /// Replaces the size and type an API client claimed for each file with what was stored,
    /// and refuses files that were never uploaded.
    async fn resolve_attachments(
        &self,
        procedure: &Procedure,
        answers: &mut Answers,
    ) -> Result<(), AppError> {
        let mut errors = Vec::new();
        let ids: Vec<String> = answers.iter().map(|(k, _)| k.clone()).collect();
        for id in ids {
            let Some(Answer::Files(files)) = answers.get(&id).cloned() else {
                continue;
            };
            let mut resolved = Vec::with_capacity(files.len());
            for file in files {
                match self
                    .store
                    .attachment(self.municipality(), &file.sha256)
                    .await?
                {
                    Some(row) => resolved.push(FileRef {
                        size: row.size,
                        content_type: FileType::from_mime(&row.content_type)
                            .unwrap_or(FileType::Pdf),
                        ..file
                    }),
                    None => errors.push(FieldError::new(
                        FieldPath::field(&id),
                        Problem::UnknownAttachment,
                    )),
                }
            }
            answers.insert(id, Answer::Files(resolved));
        }
        if errors.is_empty() {
            errors = validate::check(procedure, answers, None);
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(errors))
        }
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
        let jobs = confirmation_mail(procedure, answers, application_id)
            .into_iter()
            .collect();
        let answers_json = self.storable(answers);
        let applicant_name = crate::backoffice::applicant_name(procedure, answers);
        let submitted = self
            .store
            .submit(&NewApplication {
                id: application_id,
                municipality: self.municipality(),
                procedure_id: procedure.id.as_str(),
                procedure_version: &procedure.version,
                department_id: &procedure.department.id,
                answers: &answers_json,
                channel,
                draft_id,
                idempotency_key,
                request_hash,
                applicant_name: &applicant_name,
                jobs,
                now: OffsetDateTime::now_utc(),
            })
            .await
            .map_err(AppError::from_storage)?;
        let created = matches!(submitted, Submitted::Created(_));
        let application = submitted.application().clone();
        if created {
            tracing::info!(procedure = %procedure.id, receipt = %application.receipt_number, channel, "application submitted");
        }
        Ok(Receipt {
            access_code: self.access_code(application.id),
            application,
            created,
        })
    }

    /// Answers as storage may hold them: every 個人番号 sealed. Every draft and application
    /// write goes through here.
    fn storable(&self, answers: &Answers) -> Value {
        let mut sealed = answers.clone();
        sealed.seal_my_numbers(&mut |n| self.sealer.seal(n));
        sealed.to_json()
    }

    // ---- after submission ----

    /// The access code of an application: derived from its id with the server key, so it is
    /// stored nowhere and can be shown again to whoever holds the draft link.
    pub fn access_code(&self, application_id: Uuid) -> String {
        let mac = self
            .secret
            .mac(&[b"access-code", application_id.as_bytes()]);
        let mut material = [0u8; 10];
        material.copy_from_slice(&mac[..10]);
        format_access_code(&material)
    }

    /// The application behind a receipt number and access code. A wrong code and an unknown
    /// number give the same answer, so neither can be probed.
    pub async fn status(&self, receipt: &str, access_code: &str) -> Result<StatusView, AppError> {
        let receipt = ReceiptNumber::parse(receipt).ok_or(AppError::NotFound)?;
        let application = self
            .store
            .application_by_receipt(self.municipality(), &receipt)
            .await?
            .ok_or(AppError::NotFound)?;
        let expected = normalize_access_code(&self.access_code(application.id));
        let given = normalize_access_code(access_code);
        if !bool::from(subtle::ConstantTimeEq::ct_eq(
            expected.as_bytes(),
            given.as_bytes(),
        )) {
            return Err(AppError::NotFound);
        }
        self.status_view(application).await
    }

    /// An application's definition (as it was filled against) and its answers.
    pub(crate) async fn read_application(
        &self,
        application: &ApplicationRow,
    ) -> Result<(Arc<Procedure>, Answers), AppError> {
        let procedure = self
            .definition(&application.procedure_id, &application.procedure_version)
            .await?;
        let answers = stored_answers(&procedure, &application.answers)?;
        Ok((procedure, answers))
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
        Ok(StatusView {
            application,
            procedure,
            answers,
            events,
            correction,
        })
    }

    /// The resident's corrected answers: only the questions the department named are read,
    /// the rest stays as submitted, and the whole application is checked again before it goes
    /// back to the department.
    pub async fn resubmit(
        &self,
        receipt: &str,
        access_code: &str,
        values: FormValues,
    ) -> Result<Resubmission, AppError> {
        let view = self.status(receipt, access_code).await?;
        if !can_resubmit(view.application.status) {
            return Err(AppError::NotAllowed(view.application.status));
        }
        let Some(correction) = view.correction.clone() else {
            return Err(AppError::NotAllowed(view.application.status));
        };
        let fields = view
            .procedure
            .fields()
            .map(|(_, f)| f)
            .filter(|f| correction.asks_for(f.id.as_str()));
        let outcome = form::apply_correction(&view.procedure, fields, &values, &view.answers);
        if !outcome.errors.is_empty() {
            return Ok(Resubmission::Invalid {
                view: Box::new(view),
                errors: outcome.errors,
                values,
            });
        }
        let answers_json = self.storable(&outcome.answers);
        let to = ApplicationStatus::Resubmitted;
        let jobs = self.status_jobs(&view.application, &view.procedure, to, None);
        let change = CaseChange {
            answers: Some(&answers_json),
            correction: CorrectionChange::Clear,
            jobs,
            ..CaseChange::status(can_resubmit, to, "resubmitted", "resident")
        };
        match self
            .store
            .change(
                self.municipality(),
                view.application.id,
                &change,
                OffsetDateTime::now_utc(),
            )
            .await?
        {
            Transition::Done(application) => {
                tracing::info!(receipt = %application.receipt_number, "application resubmitted");
                Ok(Resubmission::Done(Box::new(
                    self.status_view(*application).await?,
                )))
            }
            Transition::NotAllowed(status) => Err(AppError::NotAllowed(status)),
            Transition::NotFound => Err(AppError::NotFound),
        }
    }

    /// Withdraws an application the department has not yet accepted.
    pub async fn withdraw(&self, receipt: &str, access_code: &str) -> Result<StatusView, AppError> {
        let view = self.status(receipt, access_code).await?;
        let to = ApplicationStatus::Withdrawn;
        let change = CaseChange {
            jobs: self.status_jobs(&view.application, &view.procedure, to, None),
            correction: CorrectionChange::Clear,
            ..CaseChange::status(ApplicationStatus::can_withdraw, to, "withdrawn", "resident")
        };
        let outcome = self
            .store
            .change(
                self.municipality(),
                view.application.id,
                &change,
                OffsetDateTime::now_utc(),
            )
            .await?;
        match outcome {
            Transition::Done(application) => {
                tracing::info!(receipt = %application.receipt_number, "application withdrawn");
                self.status_view(*application).await
            }
            Transition::NotAllowed(status) => Err(AppError::NotAllowed(status)),
            Transition::NotFound => Err(AppError::NotFound),
        }
    }
}

/// Answers as storage holds them, read with their definition; a problem means a corrupt row.
pub(crate) fn stored_answers(procedure: &Procedure, value: &Value) -> Result<Answers, AppError> {
    validate::read_stored(procedure, value).map_err(|e| {
        AppError::Storage(madoguchi_storage::StorageError::Corrupt(format!(
            "stored answers: {e:?}"
        )))
    })
}

/// The correction request an application carries while one is open.
pub(crate) fn open_correction(application: &ApplicationRow) -> Option<Correction> {
    application
        .correction
        .as_ref()
        .and_then(|c| serde_json::from_value(c.clone()).ok())
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

fn add_file(answers: &mut Answers, field: &str, file: FileRef) {
    let mut files = match answers.get(field) {
        Some(Answer::Files(existing)) => existing.clone(),
        _ => Vec::new(),
    };
    if !files.iter().any(|f| f.sha256 == file.sha256) {
        files.push(file);
    }
    answers.insert(field, Answer::Files(files));
}

/// The name shown for an uploaded file: the resident's own, without any folder part, with the
/// extension its content proved.
fn clean_file_name(name: &str, kind: FileType) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    let base: String = base.chars().filter(|c| !c.is_control()).take(100).collect();
    if base.is_empty() {
        format!("file.{}", kind.label().to_lowercase())
    } else {
        base
    }
}

/// The outbox job that mails the confirmation, when the resident gave an address.
fn confirmation_mail(
    procedure: &Procedure,
    answers: &Answers,
    application_id: Uuid,
) -> Option<NewJob> {
    let field = procedure.notify_email_field.as_ref()?;
    let Some(Answer::Text(to)) = answers.get(field.as_str()) else {
        return None;
    };
    Some(NewJob {
        kind: SUBMITTED_MAIL.into(),
        payload: json!({ "application_id": application_id, "to": to }),
        department_id: Some(procedure.department.id.clone()),
        application_id: Some(application_id),
    })
}

const TOKEN_LEN: usize = 26;

/// 128 random bits, as 26 lower-case base32 characters: the secret of a resume link or a
/// session.
pub(crate) fn new_token() -> String {
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(Uuid::new_v4().as_bytes());
    // UUID v4 fixes 6 bits; mix in a second one so the token carries a full 128 random bits.
    for (b, x) in bytes.iter_mut().zip(Uuid::new_v4().as_bytes()) {
        *b ^= x.rotate_left(3);
    }
    BASE32_NOPAD.encode(&bytes).to_lowercase()
}

/// Drafts, sessions and API tokens are found by the hash of their token, so the database
/// never holds a usable link or credential.
pub(crate) fn token_hash(token: &str) -> String {
    HEXLOWER.encode(&Sha256::digest(token.as_bytes()))
}

/// `2026-04-01T00:00:00Z`, the API's form of a time.
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// `2026-04-01 09:00` in Japan time, as exports and staff screens show it.
pub fn jst_minutes(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::macros::offset!(+9));
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// Folds width and case and turns katakana into hiragana, so that 「じゅうみんひょう」 finds
/// 住民票's keywords and 「ＰＤＦ」 finds "pdf".
pub fn normalize_for_search(s: &str) -> String {
    madoguchi_domain::text::fold_width(s)
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'ァ'..='ヶ' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
            c if c.is_whitespace() => ' ',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_url_safe() {
        let a = new_token();
        assert_eq!(a.len(), TOKEN_LEN);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        );
        assert_ne!(a, new_token());
    }

    #[test]
    fn search_normalisation_folds_kana_and_width() {
        assert_eq!(normalize_for_search("ジュウミンヒョウ"), "じゅうみんひょう");
        assert_eq!(normalize_for_search("ＰＤＦ　住民票"), "pdf 住民票");
    }

    #[test]
    fn uploaded_file_names_lose_their_folders() {
        assert_eq!(
            clean_file_name("C:\\Users\\taro\\免許証.jpg", FileType::Jpeg),
            "免許証.jpg"
        );
        assert_eq!(clean_file_name("../../etc/passwd", FileType::Pdf), "passwd");
        assert_eq!(clean_file_name("", FileType::Png), "file.png");
    }
}
