//! Hand-off to business systems: department API tokens, the pull API's change feed and one
//! case with its history, and the webhook delivery log with resend. Everything a token reads
//! or does is audited as `api:{token name}`.

use crate::accounts::{Actor, Staff};
use crate::error::{AppError, plain_text};
use crate::portal::Portal;
use crate::timefmt::rfc3339;
use crate::tokens::{new_token, token_hash};
use madoguchi_domain::input::Lines;
use madoguchi_storage::{ApplicationRow, AuditEntry, DeliveryRow, TokenRow};
use serde_json::{Value, json};
use time::OffsetDateTime;
use uuid::Uuid;

/// A token as it is shown once, at creation.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub id: Uuid,
    pub token: String,
}

const TOKEN_PREFIX: &str = "mdg_";

impl Portal {
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
        let Some(name) = plain_text("token-name", name, Lines::One)? else {
            return Err(AppError::BadRequest("token-error-name"));
        };
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
                name,
                &token_hash(&token),
                now,
            )
            .await?;
        self.audit(
            &staff.login,
            "token.issue",
            None,
            json!({ "token_id": id, "department": department, "name": name }),
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
        for row in &rows {
            next = next.max(row.change_seq);
            items.push(self.integration_json(actor, row).await?);
        }
        // Audited before the page is answered, in one commit for the page.
        let entries: Vec<AuditEntry<'_>> = rows
            .iter()
            .map(|row| AuditEntry {
                actor: &actor.name,
                action: "api.read",
                application_id: Some(row.id),
                detail: json!({ "receipt_number": row.receipt_number }),
                ip,
            })
            .collect();
        self.store
            .audit_all(self.municipality(), &entries, OffsetDateTime::now_utc())
            .await?;
        Ok((items, next))
    }

    /// One application for a business system, with its history and attachments.
    pub async fn integration_case(
        &self,
        actor: &Actor,
        receipt: &str,
        ip: &str,
    ) -> Result<Value, AppError> {
        let row = self.case_row(actor, receipt, ip).await?;
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
                    "at": rfc3339(e.created_at),
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
        let (procedure, answers) = self.read_application(row).await?;
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
            "submitted_at": rfc3339(row.submitted_at),
            "updated_at": rfc3339(row.updated_at),
            "change_seq": row.change_seq,
            "bundle_id": row.bundle_id,
            "life_event_id": row.life_event_id,
            "correction": row.correction,
            "answers": answers.to_json_with(&reveal),
            "fee": crate::fees::fee_json(&procedure, &answers, row.decided_fee),
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
}
