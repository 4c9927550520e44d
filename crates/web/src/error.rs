//! The web layer's one error type, and how each kind of failure is shown: an HTML page in
//! plain Japanese for people, or `{"errors": [...]}` with a stable code for API clients.

use crate::views::Base;
use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use madoguchi_app::AppError;
use madoguchi_app::i18n::Tr;
use serde_json::json;

#[derive(Debug)]
pub enum WebError {
    /// A page for a person.
    Page(PageError, Tr),
    /// A JSON answer for an API client.
    Api(ApiError),
    /// Elsewhere first (the login page, for a back-office page without a session).
    Redirect(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageError {
    NotFound,
    DraftExpired,
    /// A life event plan's private link past its date.
    PlanExpired,
    NotOnline,
    Csrf,
    RateLimited,
    /// A body over `max_request_mb`.
    TooLarge,
    /// A body that cannot be read as what it claims to be.
    BadRequest,
    /// A form post that is not a form.
    UnsupportedType,
    /// The action is not possible in the application's current state.
    NotAllowed,
    /// Another change to the same application came first.
    Conflict,
    Internal,
}

/// API failures: an HTTP status, a stable code, and the field problems where there are some.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub errors: Vec<serde_json::Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            errors: Vec::new(),
        }
    }
}

impl From<AppError> for WebError {
    fn from(e: AppError) -> Self {
        Self::Page(PageError::from_app(&e), Tr::default())
    }
}

impl PageError {
    pub fn from_app(e: &AppError) -> Self {
        match e {
            AppError::NotFound => Self::NotFound,
            AppError::DraftExpired => Self::DraftExpired,
            AppError::PlanExpired => Self::PlanExpired,
            AppError::NotOnline => Self::NotOnline,
            // Another department's case, or a page for administrators: as if it did not exist.
            AppError::Forbidden => Self::NotFound,
            AppError::NotAllowed(_) => Self::NotAllowed,
            AppError::BadRequest(_) | AppError::InvalidText { .. } => Self::BadRequest,
            AppError::Conflict => Self::Conflict,
            AppError::RateLimited => Self::RateLimited,
            other => {
                tracing::error!(error = %other, "request failed");
                Self::Internal
            }
        }
    }

    fn status(self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::DraftExpired | Self::PlanExpired => StatusCode::GONE,
            Self::NotOnline => StatusCode::CONFLICT,
            Self::Csrf => StatusCode::FORBIDDEN,
            Self::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::BadRequest => StatusCode::BAD_REQUEST,
            Self::UnsupportedType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::NotAllowed | Self::Conflict => StatusCode::CONFLICT,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn keys(self) -> (&'static str, &'static str) {
        match self {
            Self::NotFound => ("page-not-found-title", "page-not-found-body"),
            Self::DraftExpired => ("draft-expired-title", "draft-expired-body"),
            Self::PlanExpired => ("plan-expired-title", "plan-expired-body"),
            Self::NotOnline => ("not-online-title", "page-not-found-body"),
            Self::Csrf => ("csrf-title", "csrf-body"),
            Self::RateLimited => ("rate-limited-title", "rate-limited-body"),
            Self::TooLarge => ("too-large-title", "too-large-body"),
            Self::BadRequest => ("bad-request-title", "bad-request-body"),
            Self::UnsupportedType => ("unsupported-type-title", "unsupported-type-body"),
            Self::NotAllowed => ("not-allowed-title", "not-allowed-body"),
            Self::Conflict => ("conflict-title", "conflict-body"),
            Self::Internal => ("server-error-title", "server-error-body"),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    base: Base,
    body: String,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            Self::Page(kind, tr) => {
                let (title, body) = kind.keys();
                let page = ErrorPage {
                    base: Base::plain(tr, tr.t(title)),
                    body: tr.t(body),
                };
                match page.render() {
                    Ok(html) => (kind.status(), Html(html)).into_response(),
                    Err(_) => (kind.status(), tr.t(title)).into_response(),
                }
            }
            Self::Redirect(to) => axum::response::Redirect::to(&to).into_response(),
            Self::Api(e) => {
                let mut body = json!({ "code": e.code, "message": e.message });
                if !e.errors.is_empty() {
                    body["errors"] = serde_json::Value::Array(e.errors);
                }
                (e.status, Json(body)).into_response()
            }
        }
    }
}

/// Rendering failures are bugs; they are logged and shown as the generic error page.
pub fn render(template: &impl Template, tr: Tr) -> Result<Html<String>, WebError> {
    template.render().map(Html).map_err(|e| {
        tracing::error!(error = %e, "template failed");
        WebError::Page(PageError::Internal, tr)
    })
}
