//! Configuration: typed, with defaults that run a ward on one machine with no setup.
//!
//! Precedence: built-in defaults, then the TOML file given with `--config`, then environment
//! variables and command-line flags (both read by the CLI, which overrides fields here).
//! Unknown keys in the file are errors, so a misspelt setting is never silently ignored.

use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Folder for the SQLite database, attachments, outgoing mail and the secret key.
    pub data_dir: PathBuf,
    pub bind: String,
    /// A catalog folder to serve instead of the bundled one.
    pub catalog_dir: Option<PathBuf>,
    /// `postgres://…` or `sqlite://…`; default: SQLite in the data folder.
    pub database_url: Option<String>,
    /// The address residents reach the portal at; used in mails, and `https://` turns on
    /// secure cookies.
    pub public_url: String,
    pub secret_file: Option<PathBuf>,
    /// The key that signs the audit log's anchors; keep it away from the database (default:
    /// `audit.key` in the data folder, created on first start).
    pub audit_key_file: Option<PathBuf>,
    /// The append-only file the anchors are written to (default: `audit-anchors.jsonl` in the
    /// data folder). With several instances, put it on storage they share.
    pub audit_anchor_file: Option<PathBuf>,
    /// Reverse proxies (addresses or CIDR blocks) whose `X-Forwarded-For` is believed: the
    /// client address is then the last one before them.
    pub trusted_proxies: Vec<String>,
    pub municipality: Municipality,
    pub mail: MailConfig,
    pub limits: Limits,
    pub staff: StaffConfig,
    /// Business systems told of every status change of their department's applications.
    pub webhooks: Vec<WebhookConfig>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StaffConfig {
    /// Hours a back-office session lasts.
    pub session_hours: i64,
    /// Wrong passwords in a row before an account is locked, and for how many minutes.
    pub max_failed_logins: i32,
    pub lockout_minutes: i64,
    /// Login attempts per client address per minute.
    pub logins_per_minute: u32,
}

impl Default for StaffConfig {
    fn default() -> Self {
        Self {
            session_hours: 10,
            max_failed_logins: 5,
            lockout_minutes: 15,
            logins_per_minute: 10,
        }
    }
}

/// One webhook endpoint: a signed (HMAC-SHA256) POST for every status change.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// The department whose applications it hears about.
    pub department: String,
    pub url: String,
    /// A file holding the signing secret (secrets are never written in the config file).
    pub secret_file: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Municipality {
    /// 全国地方公共団体コード, 6 digits with the check digit.
    pub code: String,
    pub name: String,
    pub name_en: String,
    /// A general inquiry line shown in the footer.
    pub phone: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailConfig {
    pub from: String,
    /// Without SMTP, mail is written as `.eml` files to `data_dir/mail`.
    pub smtp: Option<SmtpConfig>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    pub username: Option<String>,
    /// A file holding the password (secrets are never written in the config file itself).
    pub password_file: Option<PathBuf>,
    /// `starttls` (default), `tls`, or `none` (only for a relay on the same host).
    #[serde(default = "default_tls")]
    pub tls: String,
}

fn default_smtp_port() -> u16 {
    587
}

fn default_tls() -> String {
    "starttls".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Submissions per client address per minute (web and API together).
    pub submissions_per_minute: u32,
    /// Status look-ups per client address per minute (guards access codes against guessing).
    pub status_lookups_per_minute: u32,
    /// Days a draft stays resumable after its last change.
    pub draft_days: i64,
    /// Largest request body, in MiB (uploads included).
    pub max_request_mb: usize,
    /// Uploads per client address per minute (question pages with files and the API).
    pub uploads_per_minute: u32,
    /// An API client's budget per minute for each kind of request, unless set when issued.
    pub client_requests_per_minute: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("data"),
            bind: "127.0.0.1:8080".into(),
            catalog_dir: None,
            database_url: None,
            public_url: "http://127.0.0.1:8080".into(),
            secret_file: None,
            audit_key_file: None,
            audit_anchor_file: None,
            trusted_proxies: Vec::new(),
            municipality: Municipality::default(),
            mail: MailConfig::default(),
            limits: Limits::default(),
            staff: StaffConfig::default(),
            webhooks: Vec::new(),
        }
    }
}

impl Default for Municipality {
    fn default() -> Self {
        Self {
            code: "131113".into(),
            name: "大田区".into(),
            name_en: "Ota City".into(),
            phone: "03-5744-1111".into(),
        }
    }
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            from: "madoguchi <no-reply@madoguchi.invalid>".into(),
            smtp: None,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            submissions_per_minute: 10,
            status_lookups_per_minute: 20,
            draft_days: 30,
            max_request_mb: 25,
            uploads_per_minute: 30,
            client_requests_per_minute: 600,
        }
    }
}

impl Limits {
    /// `max_request_mb` in bytes.
    pub fn max_request_bytes(&self) -> usize {
        self.max_request_mb * 1024 * 1024
    }
}

impl Config {
    pub fn from_file(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("madoguchi.db").display()))
    }

    pub fn secret_path(&self) -> PathBuf {
        self.secret_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("secret.key"))
    }

    pub fn audit_key_path(&self) -> PathBuf {
        self.audit_key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("audit.key"))
    }

    pub fn audit_anchor_path(&self) -> PathBuf {
        self.audit_anchor_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("audit-anchors.jsonl"))
    }

    /// The trusted proxies, parsed (checked by `validate`).
    pub fn proxies(&self) -> Vec<crate::limits::IpBlock> {
        self.trusted_proxies
            .iter()
            .filter_map(|p| crate::limits::IpBlock::parse(p))
            .collect()
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// Checks what can be checked before starting.
    pub fn validate(&self) -> Result<(), String> {
        if !is_valid_local_gov_code(&self.municipality.code) {
            return Err(format!(
                "municipality.code \"{}\" is not a 6-digit 全国地方公共団体コード with a valid check digit",
                self.municipality.code
            ));
        }
        if let Some(hook) = self
            .webhooks
            .iter()
            .find(|w| !(w.url.starts_with("https://") || w.url.starts_with("http://")))
        {
            return Err(format!(
                "webhook url \"{}\" is not an http(s) URL",
                hook.url
            ));
        }
        if self.limits.submissions_per_minute == 0
            || self.limits.status_lookups_per_minute == 0
            || self.limits.uploads_per_minute == 0
            || self.limits.client_requests_per_minute == 0
            || self.staff.logins_per_minute == 0
        {
            return Err("limits must be at least 1 per minute".into());
        }
        if let Some(bad) = self
            .trusted_proxies
            .iter()
            .find(|p| crate::limits::IpBlock::parse(p).is_none())
        {
            return Err(format!(
                "trusted_proxies: \"{bad}\" is not an address or a CIDR block (10.0.0.0/8, ::1)"
            ));
        }
        Ok(())
    }
}

/// JIS X 0402: six digits, the last a check digit over the first five (weights 6..2, mod 11).
pub fn is_valid_local_gov_code(code: &str) -> bool {
    let digits: Vec<u32> = code.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() != 6 || code.len() != 6 {
        return false;
    }
    let sum: u32 = digits[..5]
        .iter()
        .zip([6, 5, 4, 3, 2])
        .map(|(d, w)| d * w)
        .sum();
    (11 - sum % 11) % 10 == digits[5]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_government_codes_carry_a_check_digit() {
        assert!(is_valid_local_gov_code("131113")); // 大田区
        assert!(is_valid_local_gov_code("131016")); // 千代田区
        assert!(!is_valid_local_gov_code("131114"));
        assert!(!is_valid_local_gov_code("13111"));
    }

    #[test]
    fn unknown_keys_in_the_file_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.toml");
        std::fs::write(
            &path,
            "bind = \"0.0.0.0:80\"\n[municipality]\ncode = \"131016\"\nnmae = \"千代田区\"\n",
        )
        .unwrap();
        let err = Config::from_file(&path).unwrap_err();
        assert!(err.contains("nmae"), "{err}");
    }
}
