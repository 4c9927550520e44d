//! API clients: the front ends that apply for residents through the JSON API — a LINE bot, a
//! kiosk, a partner's app. Administrators issue each a key in the back office (shown once,
//! stored hashed); with it, the front end gets a budget of its own instead of sharing one
//! address's, and its idempotency keys are its own.

use crate::accounts::Staff;
use crate::error::{AppError, plain_text};
use crate::portal::Portal;
use crate::tokens::{new_token, token_hash};
use madoguchi_domain::input::Lines;
use madoguchi_storage::ClientRow;
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

/// A front end, as a request that carried its key knows it.
#[derive(Debug, Clone)]
pub struct ApiClient {
    pub id: Uuid,
    pub name: String,
    pub requests_per_minute: i64,
}

/// A key as it is shown once, at creation.
#[derive(Debug, Clone)]
pub struct IssuedClient {
    pub id: Uuid,
    pub key: String,
}

/// Client keys start so, and business systems' tokens with `mdg_`: neither is taken for the
/// other.
pub const CLIENT_KEY_PREFIX: &str = "mdc_";

impl Portal {
    /// Issues a key for a front end; administrators only.
    pub async fn issue_client(
        &self,
        staff: &Staff,
        name: &str,
        requests_per_minute: Option<u32>,
        ip: &str,
    ) -> Result<IssuedClient, AppError> {
        if !staff.admin {
            return Err(AppError::Forbidden);
        }
        let Some(name) = plain_text("client-name", name, Lines::One)? else {
            return Err(AppError::BadRequest("client-error-name"));
        };
        let budget = requests_per_minute.unwrap_or(self.config.limits.client_requests_per_minute);
        if budget == 0 {
            return Err(AppError::BadRequest("client-error-budget"));
        }
        let key = format!("{CLIENT_KEY_PREFIX}{}", new_token());
        let id = Uuid::now_v7();
        self.store
            .create_client(
                self.municipality(),
                id,
                name,
                &token_hash(&key),
                i64::from(budget),
                OffsetDateTime::now_utc(),
            )
            .await?;
        self.audit(
            &staff.login,
            "client.issue",
            None,
            json!({ "client_id": id, "name": name, "requests_per_minute": budget }),
            ip,
        )
        .await?;
        Ok(IssuedClient { id, key })
    }

    pub async fn clients(&self, staff: &Staff) -> Result<Vec<ClientRow>, AppError> {
        if !staff.admin {
            return Err(AppError::Forbidden);
        }
        Ok(self.store.clients(self.municipality()).await?)
    }

    pub async fn revoke_client(&self, staff: &Staff, id: Uuid, ip: &str) -> Result<(), AppError> {
        if !staff.admin {
            return Err(AppError::Forbidden);
        }
        let now = OffsetDateTime::now_utc();
        if !self
            .store
            .revoke_client(self.municipality(), id, now)
            .await?
        {
            return Err(AppError::NotFound);
        }
        self.audit(
            &staff.login,
            "client.revoke",
            None,
            json!({ "client_id": id }),
            ip,
        )
        .await
    }

    /// The front end behind a key; a key that is not one (revoked, mistyped) is refused rather
    /// than treated as no key, so a misconfigured bot notices.
    pub async fn api_client(&self, key: &str) -> Result<ApiClient, AppError> {
        if !key.starts_with(CLIENT_KEY_PREFIX) {
            return Err(AppError::LoginRequired);
        }
        let row = self
            .store
            .use_client(
                self.municipality(),
                &token_hash(key),
                OffsetDateTime::now_utc(),
            )
            .await?
            .ok_or(AppError::LoginRequired)?;
        Ok(ApiClient {
            id: row.id,
            name: row.name,
            requests_per_minute: row.requests_per_minute,
        })
    }
}
