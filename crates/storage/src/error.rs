//! The storage layer's one error type.

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("file store error: {0}")]
    Io(#[from] std::io::Error),
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    #[error("configuration: {0}")]
    Config(String),
    /// The same idempotency key was sent with a different request.
    #[error("idempotency key reused with a different request")]
    IdempotencyMismatch,
    /// What the write depends on changed meanwhile (a draft of a bundle submitted elsewhere).
    #[error("changed by another request meanwhile")]
    Conflict,
}

impl StorageError {
    /// A unique constraint refused the write: what it would add exists already.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, Self::Database(e) if e.as_database_error().is_some_and(|d| d.is_unique_violation()))
    }

    pub(crate) fn corrupt(what: impl std::fmt::Display) -> Self {
        Self::Corrupt(what.to_string())
    }
}
