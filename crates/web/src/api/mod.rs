//! The JSON API under `/api/v1`: what LINE bots and other front ends build on. Every error is
//! `{"code", "message", "errors"?}` with a stable `code`; field problems list
//! `{"field", "code", "message"}`. Messages are Japanese unless `Accept-Language` asks for English.

mod applications;
pub mod body;
mod counter;
mod integration;
mod life_events;
mod openapi;
mod postal;
mod procedures;

use crate::AppState;
use crate::error::{ApiError, WebError};
use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use madoguchi_app::AppError;
use madoguchi_app::i18n::{Lang, Tr};
use madoguchi_domain::Procedure;
use madoguchi_domain::validate::FieldError;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi::document))
        .route("/v1/procedures", get(procedures::list))
        .route("/v1/procedures/{id}", get(procedures::show))
        .route("/v1/life-events", get(life_events::list))
        .route("/v1/life-events/{id}", get(life_events::show))
        .route("/v1/life-events/{id}/list", post(life_events::plan_list))
        .route(
            "/v1/life-events/{id}/bundles",
            post(life_events::create_bundle),
        )
        .route("/v1/applications", post(applications::create))
        .route("/v1/applications/{receipt}", get(applications::show))
        .route(
            "/v1/applications/{receipt}/withdraw",
            post(applications::withdraw),
        )
        .route("/v1/attachments", post(applications::upload))
        .route("/v1/postal-codes/{code}", get(postal::show))
        .route("/v1/counter/agents", post(counter::pair))
        .route("/v1/counter/agent/requests", get(counter::next))
        .route("/v1/counter/agent/requests/{id}", post(counter::report))
        .route("/v1/integration/applications", get(integration::changes))
        .route(
            "/v1/integration/applications/{receipt}",
            get(integration::show),
        )
        .route(
            "/v1/integration/applications/{receipt}/attachments/{id}",
            get(integration::attachment),
        )
        .route(
            "/v1/integration/applications/{receipt}/status",
            post(integration::write_status),
        )
        .fallback(|| async {
            WebError::Api(ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "no such endpoint",
            ))
        })
        .layer(axum::middleware::map_response(json_errors))
}

/// Every error the API gives is JSON, including those the framework answers by itself (a
/// path that is not UTF-8, a method the route does not take): the status stays, the body
/// becomes `{"code", "message"}`.
async fn json_errors(response: Response) -> Response {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let status = response.status();
    if is_json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let code = match status {
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    };
    let message = status.canonical_reason().unwrap_or("error").to_owned();
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    let mut json = WebError::Api(ApiError::new(status, code, message)).into_response();
    for (name, value) in parts
        .headers
        .iter()
        .filter(|(n, _)| *n != header::CONTENT_TYPE)
    {
        json.headers_mut().insert(name.clone(), value.clone());
    }
    json
}

/// English when the client prefers it, Japanese otherwise.
pub fn tr_for(headers: &HeaderMap) -> Tr {
    let prefers_en = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .is_some_and(|first| first.trim().to_ascii_lowercase().starts_with("en"));
    Tr::new(if prefers_en { Lang::En } else { Lang::Ja })
}

/// One field problem as the API reports it. A problem with the answers object as a whole (not
/// an object at all) is reported at `answers`.
fn field_error_json(tr: Tr, procedure: Option<&Procedure>, fe: &FieldError) -> serde_json::Value {
    if fe.path.0.is_empty() {
        return json!({ "field": "answers", "code": fe.problem.code(), "message": tr.t("error-answers-object") });
    }
    let message = match procedure {
        Some(p) => crate::views::problem_message(tr, p, fe),
        None => tr.problem(None, fe),
    };
    json!({ "field": fe.path.to_string(), "code": fe.problem.code(), "message": message })
}

/// The request field a text problem outside the answers was found in.
fn api_field_name(field: &str) -> &str {
    match field {
        "case-text-label" => "message",
        "token-name" => "name",
        other => other,
    }
}

/// A use-case failure as the API reports it.
/// The bearer token of a request (`Authorization: Bearer …`), empty when there is none.
pub(crate) fn bearer(headers: &HeaderMap) -> &str {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .trim()
}

pub fn api_error(e: AppError, tr: Tr, procedure: Option<&Procedure>) -> WebError {
    let (status, code) = match &e {
        AppError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
        AppError::NotOnline => (StatusCode::CONFLICT, "not_online"),
        AppError::DraftExpired => (StatusCode::GONE, "draft_expired"),
        AppError::PlanExpired => (StatusCode::GONE, "plan_expired"),
        AppError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_answers"),
        AppError::IdempotencyMismatch => {
            (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused")
        }
        AppError::NotAllowed(_) => (StatusCode::CONFLICT, "not_allowed"),
        AppError::Conflict => (StatusCode::CONFLICT, "conflict"),
        AppError::RateLimited => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
        AppError::LoginRequired | AppError::LoginFailed | AppError::AccountLocked => {
            (StatusCode::UNAUTHORIZED, "unauthorized")
        }
        AppError::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
        AppError::BadRequest(_) => (StatusCode::UNPROCESSABLE_ENTITY, "bad_request"),
        AppError::InvalidText { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_text"),
        AppError::Storage(_) | AppError::Config(_) => {
            tracing::error!(error = %e, "api request failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal")
        }
    };
    let message = match code {
        "not_found" => tr.t("page-not-found-title"),
        "not_online" => tr.t("not-online-title"),
        "invalid_answers" => tr.t("error-summary-title"),
        "idempotency_key_reused" => {
            "Idempotency-Key was already used with a different request".into()
        }
        "not_allowed" => tr.t("status-withdraw-not-allowed"),
        "conflict" => tr.t("case-error-conflict"),
        "rate_limited" => tr.t("rate-limited-title"),
        "draft_expired" => tr.t("draft-expired-title"),
        "plan_expired" => tr.t("plan-expired-title"),
        "unauthorized" => tr.t("api-unauthorized"),
        "forbidden" => tr.t("api-forbidden"),
        "bad_request" => match &e {
            AppError::BadRequest(key) => tr.t(key),
            _ => String::new(),
        },
        "invalid_text" => tr.t("error-summary-title"),
        _ => tr.t("server-error-title"),
    };
    let mut error = ApiError::new(status, code, message);
    match e {
        AppError::Invalid(errors) => {
            error.errors = errors
                .iter()
                .map(|fe| field_error_json(tr, procedure, fe))
                .collect();
        }
        AppError::InvalidText { field, problem } => {
            error.errors = vec![json!({
                "field": api_field_name(field),
                "code": problem.code(),
                "message": crate::views::text_problem_message(tr, field, &problem),
            })];
        }
        _ => {}
    }
    WebError::Api(error)
}
