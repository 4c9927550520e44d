//! Request bodies, read once at the edge, so that a bad body is a clear 4xx for the person or
//! program that sent it, never a 5xx: a form of the wrong type is 415, one over
//! `max_request_mb` 413, one that cannot be read 400.
//!
//! [`PageForm`] reads the urlencoded forms of pages; [`read_question_page`] reads a question
//! page, urlencoded or multipart, keeping whatever arrived before a problem so that the page
//! can be shown again with it; the API's JSON bodies are read by `api::json`.

use crate::AppState;
use crate::error::{PageError, WebError};
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum_extra::extract::Form;
use madoguchi_app::apply::Upload;

/// What is wrong with a request body as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyProblem {
    /// Larger than the configured limit (413).
    TooLarge,
    /// Not readable as what it claims to be (400).
    Malformed,
    /// Not a form at all (415).
    UnsupportedType,
}

impl BodyProblem {
    pub fn status(self) -> StatusCode {
        match self {
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Malformed => StatusCode::BAD_REQUEST,
            Self::UnsupportedType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        }
    }

    fn from_status(status: StatusCode) -> Self {
        match status {
            StatusCode::PAYLOAD_TOO_LARGE => Self::TooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::UnsupportedType,
            _ => Self::Malformed,
        }
    }

    pub fn page_error(self) -> PageError {
        match self {
            Self::TooLarge => PageError::TooLarge,
            Self::Malformed => PageError::BadRequest,
            Self::UnsupportedType => PageError::UnsupportedType,
        }
    }
}

/// The controls of a posted page form, as `(name, value)` pairs in order.
#[derive(Debug)]
pub struct PageForm(pub Vec<(String, String)>);

impl FromRequest<AppState> for PageForm {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let tr = crate::lang::from_headers(request.headers());
        match Form::<Vec<(String, String)>>::from_request(request, state).await {
            Ok(Form(pairs)) => Ok(Self(pairs)),
            Err(rejection) => {
                let problem = BodyProblem::from_status(rejection.into_response().status());
                Err(WebError::Page(problem.page_error(), tr))
            }
        }
    }
}

/// What a posted question page carried. With a `problem`, `pairs` and `uploads` hold what
/// arrived before it, and `failed_part` names the control being read when it happened.
#[derive(Debug, Default)]
pub struct QuestionPage {
    pub pairs: Vec<(String, String)>,
    pub uploads: Vec<Upload>,
    pub problem: Option<BodyProblem>,
    pub failed_part: Option<String>,
}

fn content_type(headers: &HeaderMap) -> &str {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// How far past `max_request_mb` a question page's body is still read (and discarded), so that
/// the fields after an oversized file still arrive and the browser, having sent everything,
/// shows the page that explains it. Beyond this the connection is simply refused.
pub const DRAIN_FACTOR: usize = 4;

/// Reads a question page: urlencoded, or multipart when the page asks for files. A multipart
/// body over `max_request_bytes` keeps its other fields and names the part that overflowed.
pub async fn read_question_page(
    state: &AppState,
    request: Request,
    max_request_bytes: usize,
) -> QuestionPage {
    let kind = content_type(request.headers()).to_ascii_lowercase();
    if kind.starts_with("application/x-www-form-urlencoded") {
        // Read (up to the route's transport limit) and measured, so the browser that sent it
        // gets the page that explains.
        let (parts, body) = request.into_parts();
        let bytes = match Bytes::from_request(Request::from_parts(parts.clone(), body), state).await
        {
            Ok(bytes) if bytes.len() <= max_request_bytes => bytes,
            Ok(_) => {
                return QuestionPage {
                    problem: Some(BodyProblem::TooLarge),
                    ..QuestionPage::default()
                };
            }
            Err(rejection) => {
                return QuestionPage {
                    problem: Some(BodyProblem::from_status(rejection.into_response().status())),
                    ..QuestionPage::default()
                };
            }
        };
        let request = Request::from_parts(parts, Body::from(bytes));
        return match Form::<Vec<(String, String)>>::from_request(request, state).await {
            Ok(Form(pairs)) => QuestionPage {
                pairs,
                ..QuestionPage::default()
            },
            Err(rejection) => QuestionPage {
                problem: Some(BodyProblem::from_status(rejection.into_response().status())),
                ..QuestionPage::default()
            },
        };
    }
    if !kind.starts_with("multipart/form-data") {
        return QuestionPage {
            problem: Some(BodyProblem::UnsupportedType),
            ..QuestionPage::default()
        };
    }
    let mut page = QuestionPage::default();
    let mut multipart = match Multipart::from_request(request, state).await {
        Ok(m) => m,
        Err(rejection) => {
            page.problem = Some(BodyProblem::from_status(rejection.into_response().status()));
            return page;
        }
    };
    if let Err((problem, part)) = read_parts(&mut multipart, &mut page, max_request_bytes).await {
        page.problem = page.problem.or(Some(problem));
        page.failed_part = page.failed_part.take().or(part);
    }
    page
}

async fn read_parts(
    multipart: &mut Multipart,
    page: &mut QuestionPage,
    max_request_bytes: usize,
) -> Result<(), (BodyProblem, Option<String>)> {
    let fail = |e: axum::extract::multipart::MultipartError, part: Option<String>| {
        (BodyProblem::from_status(e.status()), part)
    };
    // Bytes of the parts kept so far: a part that would take it past the limit is read to its
    // end and dropped, so the (small) fields after an oversized file still count.
    let mut kept = 0usize;
    while let Some(mut part) = multipart.next_field().await.map_err(|e| fail(e, None))? {
        let name = part.name().unwrap_or_default().to_owned();
        let file_name = part.file_name().map(str::to_owned);
        let mut bytes = Vec::new();
        let mut over = false;
        while let Some(chunk) = part
            .chunk()
            .await
            .map_err(|e| fail(e, Some(name.clone())))?
        {
            over = over || kept + bytes.len() + chunk.len() > max_request_bytes;
            if !over {
                bytes.extend_from_slice(&chunk);
            }
        }
        if over {
            if page.problem.is_none() {
                page.problem = Some(BodyProblem::TooLarge);
                page.failed_part = Some(name);
            }
            continue;
        }
        kept += bytes.len();
        match file_name {
            // Browsers send an empty part for a file input left empty.
            Some(file_name) if !bytes.is_empty() => {
                if let Some(field) = name.strip_prefix("f.") {
                    page.uploads.push(Upload {
                        field: field.to_owned(),
                        file_name,
                        bytes,
                    });
                }
            }
            Some(_) => {}
            None => match String::from_utf8(bytes) {
                Ok(text) => page.pairs.push((name, text)),
                Err(_) => return Err((BodyProblem::Malformed, Some(name))),
            },
        }
    }
    Ok(())
}
