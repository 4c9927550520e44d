//! [`Portal`], the state every use case works on: configuration, storage, the catalog and
//! the definition versions applications were filled against, the server key and the sealer
//! of 個人番号, the mailer and the webhook secrets. The use cases themselves live in one module
//! per capability (`apply`, `cases`, `integration`, `accounts`, `export`), each adding methods
//! to `Portal`.

use crate::catalog_source;
use crate::config::Config;
use crate::error::AppError;
use crate::mail::Mailer;
use crate::seal::Sealer;
use crate::secret::Secret;
use crate::webhook::WebhookSecrets;
use madoguchi_domain::answers::Answers;
use madoguchi_domain::application::format_access_code;
use madoguchi_domain::case::Correction;
use madoguchi_domain::catalog::Catalog;
use madoguchi_domain::procedure::Procedure;
use madoguchi_domain::validate;
use madoguchi_jp::postal::{PostalError, PostalIndex};
use madoguchi_storage::files::{BlobStore, LocalFiles};
use madoguchi_storage::{ApplicationRow, CaseChange, Store, Transition};
use serde_json::Value;
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
    /// Signs the audit log's anchors; kept in its own file, apart from the server key.
    pub audit_key: Secret,
    pub sealer: Sealer,
    pub mailer: Arc<Mailer>,
    /// The signing secrets of the configured webhook endpoints, read once at start.
    pub webhooks: Arc<WebhookSecrets>,
    /// Definition versions by (procedure id, version). Versions never change, so an entry is
    /// never stale; the current catalog is loaded at start, older versions on first use.
    definitions: Arc<RwLock<Definitions>>,
    /// Japan Post's data, decompressed on first use (about 14 MB).
    pub(crate) postal: Arc<OnceLock<Result<PostalIndex, PostalError>>>,
    /// Rung when a change that queued outbox jobs commits, so that this instance's runner sends
    /// them at once rather than at its next look (which other instances' changes still wait for).
    pub outbox_wake: Arc<tokio::sync::Notify>,
}

/// Definitions by (procedure id, version).
type Definitions = HashMap<(String, String), Arc<Procedure>>;

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
        let audit_key = Secret::load_or_create(&config.audit_key_path())
            .map_err(|e| AppError::Config(format!("audit key: {e}")))?;
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
            audit_key,
            mailer: Arc::new(mailer),
            webhooks: Arc::new(webhooks),
            definitions: Arc::default(),
            postal: Arc::default(),
            outbox_wake: Arc::default(),
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

    /// Answers as storage may hold them: every 個人番号 sealed. Every draft and application
    /// write goes through here.
    pub(crate) fn storable(&self, answers: &Answers) -> Value {
        let mut sealed = answers.clone();
        sealed.seal_my_numbers(&mut |n| self.sealer.seal(n));
        sealed.to_json()
    }

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

    /// The applications submitted together with `application` (itself included), in the
    /// order they were received; empty when it was submitted alone.
    pub async fn bundle_members(
        &self,
        application: &ApplicationRow,
    ) -> Result<Vec<Member>, AppError> {
        let Some(bundle_id) = application.bundle_id else {
            return Ok(Vec::new());
        };
        let rows = self
            .store
            .bundle_applications(self.municipality(), bundle_id)
            .await?;
        self.members(rows).await
    }

    pub(crate) async fn members(&self, rows: Vec<ApplicationRow>) -> Result<Vec<Member>, AppError> {
        let mut members = Vec::with_capacity(rows.len());
        for application in rows {
            let procedure = self
                .definition(&application.procedure_id, &application.procedure_version)
                .await?;
            members.push(Member {
                application,
                procedure,
            });
        }
        Ok(members)
    }

    /// The code that opens an application's status page: its bundle's, when it was submitted
    /// with others from a life event (one code for all of them).
    pub fn access_code_of(&self, application: &ApplicationRow) -> String {
        self.access_code(application.bundle_id.unwrap_or(application.id))
    }

    /// Applies one step of a case's life through storage's compare-and-set.
    pub(crate) async fn change_case(
        &self,
        id: Uuid,
        change: &CaseChange<'_>,
    ) -> Result<ApplicationRow, AppError> {
        match self
            .store
            .change(self.municipality(), id, change, OffsetDateTime::now_utc())
            .await?
        {
            Transition::Done(row) => {
                self.outbox_wake.notify_one();
                Ok(*row)
            }
            Transition::NotAllowed(status) => Err(AppError::NotAllowed(status)),
            Transition::Conflict => Err(AppError::Conflict),
            Transition::NotFound => Err(AppError::NotFound),
        }
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

/// One application of a bundle, with the definition it was filled against.
#[derive(Debug, Clone)]
pub struct Member {
    pub application: ApplicationRow,
    pub procedure: Arc<Procedure>,
}
