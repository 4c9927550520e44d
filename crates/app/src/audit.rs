//! The audit log as the use cases write and check it: one entry per staff or token read and
//! action (actions are written by storage in the transaction of the change itself), and the
//! verification of the whole chain.

use crate::accounts::Actor;
use crate::error::AppError;
use crate::portal::Portal;
use madoguchi_storage::{ApplicationRow, AuditEntry, AuditReport};
use serde_json::{Value, json};
use time::OffsetDateTime;
use uuid::Uuid;

impl Portal {
    pub(crate) async fn audit_case(
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
    pub(crate) async fn audit(
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

    pub async fn verify_audit(&self) -> Result<AuditReport, AppError> {
        Ok(self.store.verify_audit(self.municipality()).await?)
    }
}
