//! The application layer's one error type. Each variant is something a person can be told
//! about; storage failures are kept whole for the log and shown as a generic apology.

use madoguchi_domain::{ApplicationStatus, FieldError};
use madoguchi_storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("this procedure cannot be applied for online")]
    NotOnline,
    #[error("the draft has expired")]
    DraftExpired,
    #[error("invalid answers")]
    Invalid(Vec<FieldError>),
    #[error("the idempotency key was used with a different request")]
    IdempotencyMismatch,
    #[error("not allowed while the application is {0:?}")]
    NotAllowed(ApplicationStatus),
    #[error("storage: {0}")]
    Storage(#[from] StorageError),
    #[error("configuration: {0}")]
    Config(String),
}

impl AppError {
    pub(crate) fn from_storage(e: StorageError) -> Self {
        match e {
            StorageError::IdempotencyMismatch => Self::IdempotencyMismatch,
            other => Self::Storage(other),
        }
    }
}
