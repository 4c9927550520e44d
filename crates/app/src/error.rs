//! The application layer's one error type. Each variant is something a person can be told
//! about; storage failures are kept whole for the log and shown as a generic apology.

use madoguchi_domain::input::{Lines, typed};
use madoguchi_domain::{ApplicationStatus, FieldError, Problem};
use madoguchi_storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("this procedure cannot be applied for online")]
    NotOnline,
    #[error("the draft has expired")]
    DraftExpired,
    /// A life event plan's private link past its date.
    #[error("the plan has expired")]
    PlanExpired,
    #[error("invalid answers")]
    Invalid(Vec<FieldError>),
    #[error("the idempotency key was used with a different request")]
    IdempotencyMismatch,
    #[error("not allowed while the application is {0:?}")]
    NotAllowed(ApplicationStatus),
    /// Over a per-minute budget (see `limits`).
    #[error("too many requests")]
    RateLimited,
    /// Another change to the same application came first; nothing was changed.
    #[error("the application was changed by another action")]
    Conflict,
    #[error("storage: {0}")]
    Storage(#[from] StorageError),
    #[error("configuration: {0}")]
    Config(String),
    /// Not logged in, or the session has ended.
    #[error("login required")]
    LoginRequired,
    #[error("wrong login or password")]
    LoginFailed,
    #[error("the account is locked for a while after repeated failures")]
    AccountLocked,
    /// Logged in, but this is not for this account (an administrator's page, a whole 個人番号).
    #[error("not permitted")]
    Forbidden,
    /// A request that cannot be carried out as asked; the key names the message for people.
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    /// Text outside an answer (a note, a search, a token's name) that the text rule refuses;
    /// `field` is the message key of what it was typed into.
    #[error("{field}: {}", problem.code())]
    InvalidText {
        field: &'static str,
        problem: Problem,
    },
}

impl AppError {
    pub(crate) fn from_storage(e: StorageError) -> Self {
        match e {
            StorageError::IdempotencyMismatch => Self::IdempotencyMismatch,
            StorageError::Conflict => Self::Conflict,
            other => Self::Storage(other),
        }
    }
}

/// Text typed outside an answer, under the same text rule as answers: without surrounding
/// spaces, `None` when blank. `field` is the message key of the box it was typed into.
pub(crate) fn plain_text<'a>(
    field: &'static str,
    text: &'a str,
    lines: Lines,
) -> Result<Option<&'a str>, AppError> {
    typed(text, lines).map_err(|problem| AppError::InvalidText { field, problem })
}
