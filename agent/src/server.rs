//! The agent's side of the server's counter API: pairing with a one-time code, asking for the
//! next read the paired session wants, and handing back its outcome. Everything goes to the
//! server's own origin (HTTPS in production) with the agent's bearer token; nothing is kept.

use crate::card::{CardFiles, ReadFailure};
use serde_json::{Value, json};
use std::time::Duration;

#[derive(Debug)]
pub struct Server {
    base: String,
    agent: ureq::Agent,
}

/// What went wrong talking to the server, in words for the person at the counter PC.
#[derive(Debug)]
pub enum ServerError {
    /// The pairing code was wrong, used or expired, or the session it paired with has ended.
    Unpaired,
    Http(String),
}

impl std::fmt::Display for ServerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServerError::Unpaired => f.write_str(
                "ペアリングが無効です。窓口の画面で新しいペアリングコードを表示し、もう一度 pair を実行してください。",
            ),
            ServerError::Http(e) => write!(f, "サーバーに接続できません: {e}"),
        }
    }
}

impl From<ureq::Error> for ServerError {
    fn from(error: ureq::Error) -> Self {
        match error {
            ureq::Error::StatusCode(401) => ServerError::Unpaired,
            other => ServerError::Http(other.to_string()),
        }
    }
}

impl Server {
    pub fn new(base: &str) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        Self {
            base: base.trim_end_matches('/').to_owned(),
            agent,
        }
    }

    /// Exchanges a one-time pairing code for the agent's token.
    pub fn pair(&self, code: &str, name: &str) -> Result<String, ServerError> {
        let body: Value = self
            .agent
            .post(format!("{}/api/v1/counter/agents", self.base))
            .send_json(json!({ "pairing_code": code, "name": name }))
            .map_err(|e| match e {
                // A wrong, used or expired code.
                ureq::Error::StatusCode(404) => ServerError::Unpaired,
                other => other.into(),
            })?
            .body_mut()
            .read_json()?;
        body["token"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| ServerError::Http("no token in the answer".into()))
    }

    /// The id of the read the paired session is waiting for, if any.
    pub fn next_request(&self, token: &str) -> Result<Option<String>, ServerError> {
        let mut response = self
            .agent
            .get(format!("{}/api/v1/counter/agent/requests", self.base))
            .header("Authorization", &format!("Bearer {token}"))
            .call()?;
        if response.status() == 204 {
            return Ok(None);
        }
        let body: Value = response.body_mut().read_json()?;
        Ok(body["id"].as_str().map(str::to_owned))
    }

    /// Hands over what a read gave: the files, or why there are none.
    pub fn report(
        &self,
        token: &str,
        request: &str,
        result: &Result<CardFiles, ReadFailure>,
    ) -> Result<(), ServerError> {
        let b64 = |bytes: &[u8]| data_encoding::BASE64.encode(bytes);
        let body = match result {
            Ok(files) => json!({
                "outcome": "read",
                "my_number": b64(&files.my_number),
                "attributes": b64(&files.attributes),
            }),
            Err(ReadFailure::WrongPin { tries_left }) => {
                json!({ "outcome": "wrong_pin", "tries_left": tries_left })
            }
            Err(failure) => json!({ "outcome": failure.outcome() }),
        };
        self.agent
            .post(format!(
                "{}/api/v1/counter/agent/requests/{request}",
                self.base
            ))
            .header("Authorization", &format!("Bearer {token}"))
            .send_json(body)?;
        Ok(())
    }
}
