//! Persistence: one [`Store`] over SQLite (the embedded default) or PostgreSQL (selected by
//! URL), and [`files::LocalFiles`], the content-addressed attachment store.
//!
//! This is the only crate that writes SQL. Each query is written once, with `$n` placeholders
//! in ascending order of first use (SQLite numbers named parameters by first appearance), and
//! run on either backend through [`on_pool!`]/[`in_tx!`], which expand the same code once per
//! backend type. Migrations are plain SQL files per backend, embedded in the binary and applied
//! in order on start.

mod applications;
mod audit;
mod cases;
mod clients;
mod counter;
mod drafts;
mod error;
pub mod files;
mod jobs;
mod life_events;
mod limits;
mod maintenance;
mod migrate;
mod procedures;
mod rows;
mod staff;

pub use applications::{
    Bundle, BundleSubmitted, CaseChange, CorrectionChange, NewApplication, NewBundle, Submitted,
    Transition,
};
pub use audit::{AuditEntry, AuditProblem, AuditReport, AuditRow};
pub use cases::{DeliveryRow, InboxFilter};
pub use clients::ClientRow;
pub use counter::{AgentRow, CardReadRow, VisitRow};
pub use drafts::{NewDraft, StopCount};
pub use error::StorageError;
pub use jobs::{Job, NewJob};
pub use life_events::{NewPlan, PlanRow};
pub use maintenance::Swept;
pub use rows::{ApplicationRow, AttachmentRow, DraftRow, EventRow};
pub use staff::{NewStaff, StaffRow, TokenRow};

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

/// The database behind the store.
#[derive(Debug, Clone)]
pub(crate) enum Backend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Handle to the database; cheap to clone (it holds a pool).
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) backend: Backend,
}

/// Runs `$body` with `$pool` bound to the backend's pool; the body is compiled once per backend.
macro_rules! on_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.backend {
            $crate::Backend::Sqlite($pool) => $body,
            $crate::Backend::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Runs `$body` in a transaction bound to `$tx` and commits when it returns `Ok`. SQLite
/// transactions take the write lock at once (`BEGIN IMMEDIATE`), so that two writers wait for
/// each other instead of failing when a read is followed by a write.
macro_rules! in_tx {
    ($store:expr, |$tx:ident| $body:expr) => {
        match &$store.backend {
            $crate::Backend::Sqlite(pool) => {
                let mut $tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
            $crate::Backend::Postgres(pool) => {
                let mut $tx = pool.begin().await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
        }
    };
}
pub(crate) use in_tx;

impl Store {
    /// Opens (creating if needed) the database at `url`: `sqlite://path` or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Self, StorageError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            Ok(Self {
                backend: Backend::Postgres(pool),
            })
        } else if let Some(path) = url.strip_prefix("sqlite://") {
            Self::open_sqlite(Path::new(path)).await
        } else {
            Err(StorageError::Config(format!(
                "unsupported database URL scheme (use sqlite:// or postgres://): {}",
                redact_url(url)
            )))
        }
    }

    /// Opens a SQLite database file in WAL mode with full fsync on commit: a receipt number is
    /// shown only after its commit, and must survive a power cut.
    pub async fn open_sqlite(path: &Path) -> Result<Self, StorageError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        Ok(Self {
            backend: Backend::Sqlite(pool),
        })
    }

    /// Applies the migrations this binary carries that the database has not seen.
    pub async fn migrate(&self) -> Result<(), StorageError> {
        migrate::run(self).await
    }

    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Checks that the database answers (for `/healthz`).
    pub async fn ping(&self) -> Result<(), StorageError> {
        on_pool!(self, |pool| sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    pub async fn close(&self) {
        on_pool!(self, |pool| pool.close().await);
    }
}

/// A database URL without its password, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}://{user}:***@{}", &url[..scheme_end], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_password() {
        assert_eq!(
            redact_url("postgres://app:secret@db:5432/m"),
            "postgres://app:***@db:5432/m"
        );
        assert_eq!(
            redact_url("sqlite://data/madoguchi.db"),
            "sqlite://data/madoguchi.db"
        );
    }
}
