//! The audit log: every staff read of a case and every action, append-only and hash-chained.
//!
//! Entry `n`'s hash is SHA-256 over entry `n-1`'s hash and entry `n`'s own fields, so altering
//! an entry breaks its hash and deleting one breaks the chain at the next; a counter row (taken
//! under its lock, like receipt numbers) also records how many entries were written, so deleting
//! the newest entries is caught too. Entries are appended inside the transaction of the action
//! they record: an action without its entry never commits.

use crate::{StorageError, Store, on_pool};
use data_encoding::HEXLOWER;
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

pub(crate) const AUDIT_COUNTER: &str = "audit";
/// The "previous hash" of the first entry.
pub(crate) const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, by whom, from where. `detail` holds ids and codes, never answers.
#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub application_id: Option<Uuid>,
    pub detail: Value,
    pub ip: &'a str,
}

/// One stored entry.
#[derive(Debug, Clone)]
pub struct AuditRow {
    pub seq: i64,
    pub at: OffsetDateTime,
    pub actor: String,
    pub action: String,
    pub application_id: Option<Uuid>,
    pub detail: Value,
    pub ip: String,
    pub prev_hash: String,
    pub hash: String,
}

/// What `madoguchi audit verify` reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditReport {
    pub entries: i64,
    /// How many entries the counter says were written.
    pub written: i64,
    pub problems: Vec<AuditProblem>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditProblem {
    /// The entry's fields no longer match its hash: it was changed.
    Altered { seq: i64 },
    /// Entries are missing before `seq` (or the chain does not link there).
    Missing { before: i64 },
    /// The newest entries are gone: `written` were written, `found` remain.
    Truncated { written: i64, found: i64 },
}

/// Times are kept to the microsecond, the precision PostgreSQL stores, so that the hash of a
/// re-read entry is the hash that was written.
pub(crate) fn audit_time(now: OffsetDateTime) -> OffsetDateTime {
    now.replace_nanosecond(now.microsecond() * 1000)
        .unwrap_or(now)
}

#[expect(clippy::too_many_arguments, reason = "every hashed field, named")]
pub(crate) fn entry_hash(
    prev_hash: &str,
    seq: i64,
    municipality: &str,
    at: OffsetDateTime,
    actor: &str,
    action: &str,
    application_id: Option<Uuid>,
    detail: &Value,
    ip: &str,
) -> String {
    let mut hasher = Sha256::new();
    let fields = [
        prev_hash.to_owned(),
        seq.to_string(),
        municipality.to_owned(),
        at.unix_timestamp_nanos().to_string(),
        actor.to_owned(),
        action.to_owned(),
        application_id.map(|id| id.to_string()).unwrap_or_default(),
        // serde_json's maps are sorted, so this is canonical however the backend stored it.
        detail.to_string(),
        ip.to_owned(),
    ];
    for field in fields {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    HEXLOWER.encode(&hasher.finalize())
}

/// Appends an entry inside the caller's transaction.
macro_rules! append_audit {
    ($conn:expr, $municipality:expr, $entry:expr, $now:expr) => {{
        let entry: &$crate::audit::AuditEntry<'_> = $entry;
        let at = $crate::audit::audit_time($now);
        let conn = $conn;
        let seq = $crate::applications::next_counter!(&mut *conn, $municipality, $crate::audit::AUDIT_COUNTER);
        let prev_hash: String = if seq == 1 {
            $crate::audit::GENESIS.to_owned()
        } else {
            sqlx::query_scalar::<_, String>(
                "SELECT hash FROM audit_log WHERE municipality_code = $1 AND seq = $2",
            )
            .bind($municipality)
            .bind(seq - 1)
            .fetch_optional(&mut *conn)
            .await?
            .unwrap_or_else(|| $crate::audit::GENESIS.to_owned())
        };
        let hash = $crate::audit::entry_hash(
            &prev_hash,
            seq,
            $municipality,
            at,
            entry.actor,
            entry.action,
            entry.application_id,
            &entry.detail,
            entry.ip,
        );
        sqlx::query("INSERT INTO audit_log (seq, municipality_code, at, actor, action, application_id, detail, ip, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
            .bind(seq)
            .bind($municipality)
            .bind(at)
            .bind(entry.actor)
            .bind(entry.action)
            .bind(entry.application_id)
            .bind(sqlx::types::Json(&entry.detail))
            .bind(entry.ip)
            .bind(&prev_hash)
            .bind(&hash)
            .execute(&mut *conn)
            .await?;
    }};
}
pub(crate) use append_audit;

impl Store {
    /// Appends one entry on its own (a read, a login, an export).
    pub async fn audit(
        &self,
        municipality: &str,
        entry: &AuditEntry<'_>,
        now: OffsetDateTime,
    ) -> Result<(), StorageError> {
        crate::in_tx!(self, |tx| {
            append_audit!(&mut *tx, municipality, entry, now);
        });
        Ok(())
    }

    /// Appends several entries in one transaction, in order (a page of the change feed: one
    /// read per application, one commit for the page).
    pub async fn audit_all(
        &self,
        municipality: &str,
        entries: &[AuditEntry<'_>],
        now: OffsetDateTime,
    ) -> Result<(), StorageError> {
        if entries.is_empty() {
            return Ok(());
        }
        crate::in_tx!(self, |tx| {
            for entry in entries {
                append_audit!(&mut *tx, municipality, entry, now);
            }
        });
        Ok(())
    }

    /// Entries about one application, oldest first (the case page's access record).
    pub async fn audit_for_application(
        &self,
        municipality: &str,
        application_id: Uuid,
    ) -> Result<Vec<AuditRow>, StorageError> {
        on_pool!(self, |pool| {
            let rows = sqlx::query("SELECT seq, at, actor, action, application_id, detail, ip, prev_hash, hash FROM audit_log WHERE municipality_code = $1 AND application_id = $2 ORDER BY seq")
                .bind(municipality)
                .bind(application_id)
                .fetch_all(pool)
                .await?;
            rows.iter().map(|r| audit_row!(r)).collect()
        })
    }

    /// How many entries were written (the counter) and the hash of the newest one: what an
    /// anchor records.
    pub async fn audit_head(
        &self,
        municipality: &str,
    ) -> Result<Option<(i64, String)>, StorageError> {
        on_pool!(self, |pool| {
            let row = sqlx::query("SELECT seq, hash FROM audit_log WHERE municipality_code = $1 ORDER BY seq DESC LIMIT 1")
                .bind(municipality)
                .fetch_optional(pool)
                .await?;
            row.map(|r| Ok::<_, StorageError>((r.try_get("seq")?, r.try_get("hash")?)))
                .transpose()
        })
    }

    /// The stored hash of entry `seq`, if there is one.
    pub async fn audit_hash_at(
        &self,
        municipality: &str,
        seq: i64,
    ) -> Result<Option<String>, StorageError> {
        let hash = on_pool!(self, |pool| {
            sqlx::query_scalar::<_, String>(
                "SELECT hash FROM audit_log WHERE municipality_code = $1 AND seq = $2",
            )
            .bind(municipality)
            .bind(seq)
            .fetch_optional(pool)
            .await
        })?;
        Ok(hash)
    }

    /// Recomputes the whole chain.
    pub async fn verify_audit(&self, municipality: &str) -> Result<AuditReport, StorageError> {
        let (rows, written) = on_pool!(self, |pool| {
            let rows = sqlx::query("SELECT seq, at, actor, action, application_id, detail, ip, prev_hash, hash FROM audit_log WHERE municipality_code = $1 ORDER BY seq")
                .bind(municipality)
                .fetch_all(pool)
                .await?;
            let written: Option<i64> = sqlx::query_scalar(
                "SELECT value FROM counters WHERE municipality_code = $1 AND name = $2",
            )
            .bind(municipality)
            .bind(AUDIT_COUNTER)
            .fetch_optional(pool)
            .await?;
            let rows: Result<Vec<AuditRow>, StorageError> =
                rows.iter().map(|r| audit_row!(r)).collect();
            Ok::<_, StorageError>((rows?, written.unwrap_or(0)))
        })?;
        Ok(check_chain(municipality, &rows, written))
    }
}

fn check_chain(municipality: &str, rows: &[AuditRow], written: i64) -> AuditReport {
    let mut problems = Vec::new();
    let mut expected_prev = GENESIS.to_owned();
    let mut expected_seq = 1;
    for row in rows {
        if row.seq != expected_seq || row.prev_hash != expected_prev {
            problems.push(AuditProblem::Missing { before: row.seq });
        }
        let hash = entry_hash(
            &row.prev_hash,
            row.seq,
            municipality,
            row.at,
            &row.actor,
            &row.action,
            row.application_id,
            &row.detail,
            &row.ip,
        );
        if hash != row.hash {
            problems.push(AuditProblem::Altered { seq: row.seq });
        }
        expected_prev = row.hash.clone();
        expected_seq = row.seq + 1;
    }
    let found = rows.last().map_or(0, |r| r.seq);
    if written > found {
        problems.push(AuditProblem::Truncated { written, found });
    }
    AuditReport {
        entries: rows.len() as i64,
        written,
        problems,
    }
}

macro_rules! audit_row {
    ($r:expr) => {{
        let r = $r;
        Ok::<_, StorageError>(AuditRow {
            seq: r.try_get("seq")?,
            at: r.try_get("at")?,
            actor: r.try_get("actor")?,
            action: r.try_get("action")?,
            application_id: r.try_get("application_id")?,
            detail: r.try_get::<sqlx::types::Json<Value>, _>("detail")?.0,
            ip: r.try_get("ip")?,
            prev_hash: r.try_get("prev_hash")?,
            hash: r.try_get("hash")?,
        })
    }};
}
use audit_row;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn chain(n: i64) -> Vec<AuditRow> {
        let mut rows = Vec::new();
        let mut prev = GENESIS.to_owned();
        for seq in 1..=n {
            let at = audit_time(OffsetDateTime::UNIX_EPOCH + time::Duration::seconds(seq));
            let detail = json!({ "n": seq });
            let hash = entry_hash(&prev, seq, "131113", at, "a", "read", None, &detail, "::1");
            rows.push(AuditRow {
                seq,
                at,
                actor: "a".into(),
                action: "read".into(),
                application_id: None,
                detail,
                ip: "::1".into(),
                prev_hash: prev.clone(),
                hash: hash.clone(),
            });
            prev = hash;
        }
        rows
    }

    #[test]
    fn an_intact_chain_verifies() {
        let rows = chain(3);
        assert_eq!(check_chain("131113", &rows, 3).problems, vec![]);
    }

    #[test]
    fn a_changed_a_deleted_and_a_truncated_entry_are_each_found() {
        let mut changed = chain(3);
        changed[1].actor = "someone else".into();
        assert_eq!(
            check_chain("131113", &changed, 3).problems,
            vec![AuditProblem::Altered { seq: 2 }]
        );
        let mut deleted = chain(3);
        deleted.remove(1);
        assert_eq!(
            check_chain("131113", &deleted, 3).problems,
            vec![AuditProblem::Missing { before: 3 }]
        );
        let truncated = chain(2);
        assert_eq!(
            check_chain("131113", &truncated, 3).problems,
            vec![AuditProblem::Truncated {
                written: 3,
                found: 2
            }]
        );
    }
}
