//! The audit log as the use cases write and check it: one entry per staff or token read and
//! action (actions are written by storage in the transaction of the change itself), and the
//! verification of the whole chain.
//!
//! The chain alone resists a careless edit, not someone who knows the scheme: with write
//! access to the database they could change an entry, recompute every hash after it and lower
//! the counter. So the head of the chain — how many entries, the newest hash — is anchored
//! outside the database at intervals: signed (HMAC) with a key that lives in its own file,
//! appended to an append-only file and written to the server log. Verification holds the
//! database to every anchor and says which entries came after the last one (not yet anchored).

use crate::accounts::Actor;
use crate::error::AppError;
use crate::portal::Portal;
use crate::timefmt::rfc3339;
use data_encoding::HEXLOWER;
use madoguchi_storage::{ApplicationRow, AuditEntry, AuditReport};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;
use uuid::Uuid;

/// The head of one municipality's chain at a moment, signed with the audit key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    pub municipality: String,
    /// The newest entry's number (entries 1..=seq existed then).
    pub seq: i64,
    /// That entry's hash.
    pub hash: String,
    pub at: String,
    pub mac: String,
}

/// What verification found, besides the chain's own problems.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnchorProblem {
    /// A line of an anchor file that is not an anchor.
    Unreadable { file: PathBuf, line: usize },
    /// An anchor whose signature is wrong: written by someone without the audit key.
    Forged { file: PathBuf, line: usize },
    /// The entry an anchor names is gone or has another hash: entries up to it were changed
    /// and the chain recomputed.
    Rewritten { seq: i64 },
    /// Fewer entries were written than an anchor saw: the counter was lowered.
    CounterLowered { anchored: i64, written: i64 },
}

/// The chain and its anchors, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCheck {
    pub chain: AuditReport,
    /// Anchors of this municipality found and checked.
    pub anchors: usize,
    pub problems: Vec<AnchorProblem>,
    /// The newest entry a valid anchor covers; entries after it are not anchored yet.
    pub last_anchored: Option<i64>,
}

impl AuditCheck {
    pub fn is_intact(&self) -> bool {
        self.chain.problems.is_empty() && self.problems.is_empty()
    }
}

impl Portal {
    /// Appends one audit entry about a case.
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

    /// Signs the chain's head, appends it to the anchor file and logs it. `None` while the
    /// log is empty.
    pub async fn anchor_audit(&self) -> Result<Option<Anchor>, AppError> {
        let Some((seq, hash)) = self.store.audit_head(self.municipality()).await? else {
            return Ok(None);
        };
        let mut anchor = Anchor {
            municipality: self.municipality().to_owned(),
            seq,
            hash,
            at: rfc3339(OffsetDateTime::now_utc()),
            mac: String::new(),
        };
        anchor.mac = self.anchor_mac(&anchor);
        let line = serde_json::to_string(&anchor).unwrap_or_default();
        let path = self.config.audit_anchor_path();
        tokio::task::spawn_blocking(move || append_line(&path, &line))
            .await
            .map_err(|e| AppError::Config(format!("audit anchor: {e}")))?
            .map_err(|e| AppError::Config(format!("audit anchor file: {e}")))?;
        tracing::info!(
            municipality = %anchor.municipality,
            seq = anchor.seq,
            hash = %anchor.hash,
            mac = %anchor.mac,
            "audit anchor"
        );
        Ok(Some(anchor))
    }

    fn anchor_mac(&self, anchor: &Anchor) -> String {
        HEXLOWER.encode(&self.audit_key.mac(&[
            b"audit-anchor",
            anchor.municipality.as_bytes(),
            anchor.seq.to_string().as_bytes(),
            anchor.hash.as_bytes(),
            anchor.at.as_bytes(),
        ]))
    }

    /// Recomputes the chain and holds it to every anchor in `anchor_files` (the configured
    /// file when none is given).
    pub async fn verify_audit(&self, anchor_files: &[PathBuf]) -> Result<AuditCheck, AppError> {
        let chain = self.store.verify_audit(self.municipality()).await?;
        let files = if anchor_files.is_empty() {
            vec![self.config.audit_anchor_path()]
        } else {
            anchor_files.to_vec()
        };
        let mut problems = Vec::new();
        let mut anchors = Vec::new();
        for file in files {
            let text = match std::fs::read_to_string(&file) {
                Ok(text) => text,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(AppError::Config(format!("{}: {e}", file.display()))),
            };
            for (i, line) in text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
            {
                let at = || (file.clone(), i + 1);
                match serde_json::from_str::<Anchor>(line) {
                    Err(_) => {
                        let (file, line) = at();
                        problems.push(AnchorProblem::Unreadable { file, line });
                    }
                    Ok(a) if a.municipality != self.municipality() => {}
                    Ok(a) if self.anchor_mac(&a) != a.mac => {
                        let (file, line) = at();
                        problems.push(AnchorProblem::Forged { file, line });
                    }
                    Ok(a) => anchors.push(a),
                }
            }
        }
        // Each hash covers the one before it, so an anchor that still matches vouches for every
        // entry up to it (the chain check covers the links): only the newest anchor needs a
        // look-up, and older ones only while newer ones do not match.
        anchors.sort_by_key(|a| std::cmp::Reverse(a.seq));
        anchors.dedup_by_key(|a| a.seq);
        let mut last_anchored = None;
        for anchor in &anchors {
            let stored = self
                .store
                .audit_hash_at(self.municipality(), anchor.seq)
                .await?;
            if stored.as_deref() == Some(anchor.hash.as_str()) {
                last_anchored = Some(anchor.seq);
                break;
            }
            problems.push(AnchorProblem::Rewritten { seq: anchor.seq });
        }
        if let Some(newest) = anchors.first().filter(|a| chain.written < a.seq) {
            problems.push(AnchorProblem::CounterLowered {
                anchored: newest.seq,
                written: chain.written,
            });
        }
        Ok(AuditCheck {
            chain,
            anchors: anchors.len(),
            problems,
            last_anchored,
        })
    }
}

/// Appends one line and flushes it to disk before returning.
fn append_line(path: &Path, line: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(line.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_data()
}
