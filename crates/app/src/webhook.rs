//! Webhooks: a signed POST to each endpoint of the department for every status change.
//!
//! Deliveries are outbox jobs written in the same transaction as the change, so a crash never
//! drops one; the outbox retries with backoff until the endpoint answers 2xx. The body is the
//! event as JSON; `Madoguchi-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
//! "<t>.<body>")>` lets the receiver check it came from us and is fresh.

use crate::config::WebhookConfig;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;
use std::time::Duration;

pub const KIND: &str = "webhook";
pub const SIGNATURE_HEADER: &str = "Madoguchi-Signature";

/// `t=…,v1=…` for a body sent at `timestamp`.
pub fn signature(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    format!(
        "t={timestamp},v1={}",
        data_encoding::HEXLOWER.encode(&digest)
    )
}

/// Each endpoint's signing secret by URL, read from its file when the server starts (a missing
/// file is a configuration error then, not a failed delivery later). Never printed.
pub struct WebhookSecrets(Vec<(String, Vec<u8>)>);

impl std::fmt::Debug for WebhookSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WebhookSecrets({} endpoints)", self.0.len())
    }
}

impl WebhookSecrets {
    pub fn load(hooks: &[WebhookConfig]) -> Result<Self, String> {
        hooks
            .iter()
            .map(|hook| {
                std::fs::read_to_string(&hook.secret_file)
                    .map(|s| (hook.url.clone(), s.trim().as_bytes().to_vec()))
                    .map_err(|e| format!("webhook secret {}: {e}", hook.secret_file.display()))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }

    pub fn for_url(&self, url: &str) -> Option<&[u8]> {
        self.0
            .iter()
            .find(|(u, _)| u == url)
            .map(|(_, secret)| secret.as_slice())
    }
}

/// Delivers one event; `Err` with a short reason (status code or transport error) to retry.
pub async fn deliver(url: &str, secret: &[u8], event: &Value) -> Result<(), String> {
    let body = serde_json::to_vec(event).map_err(|e| e.to_string())?;
    let timestamp = time::OffsetDateTime::now_utc().unix_timestamp();
    let signature = signature(secret, timestamp, &body);
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(10)))
            .http_status_as_error(false)
            .build()
            .into();
        let response = agent
            .post(&url)
            .header("Content-Type", "application/json")
            .header(SIGNATURE_HEADER, &signature)
            .send(&body[..])
            .map_err(|e| format!("transport: {e}"))?;
        let status = response.status().as_u16();
        if (200..300).contains(&status) {
            Ok(())
        } else {
            Err(format!("HTTP {status}"))
        }
    })
    .await
    .map_err(|e| format!("delivery task: {e}"))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_covers_time_and_body() {
        let a = signature(b"secret", 1_700_000_000, b"{}");
        assert!(a.starts_with("t=1700000000,v1="));
        assert_eq!(a.len(), "t=1700000000,v1=".len() + 64);
        assert_ne!(a, signature(b"secret", 1_700_000_001, b"{}"));
        assert_ne!(a, signature(b"secret", 1_700_000_000, b"{ }"));
        assert_ne!(a, signature(b"other", 1_700_000_000, b"{}"));
    }
}
