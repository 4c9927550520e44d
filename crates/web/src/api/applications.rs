//! Creating an application, reading its status and withdrawing it; uploading attachments.

use super::body::{FileBody, JsonBody};
use super::{api_error, tr_for};
use crate::AppState;
use crate::caller::ApiCaller;
use crate::error::{ApiError, WebError};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use madoguchi_app::apply::{Receipt, StatusView};
use madoguchi_app::fees::fee_json;
use madoguchi_app::i18n::Tr;
use madoguchi_app::limits::{Caller, Limit};
use madoguchi_app::timefmt::rfc3339;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateRequest {
    procedure_id: String,
    answers: Value,
}

const MAX_IDEMPOTENCY_KEY: usize = 255;

pub(super) fn bad_request(code: &'static str, message: impl Into<String>) -> WebError {
    WebError::Api(ApiError::new(StatusCode::BAD_REQUEST, code, message))
}

fn receipt_json(r: &Receipt) -> Value {
    json!({
        "id": r.application.id,
        "receipt_number": r.application.receipt_number,
        "access_code": r.access_code,
        "status": r.application.status,
        "procedure_id": r.application.procedure_id,
        "procedure_version": r.application.procedure_version,
        "submitted_at": rfc3339(r.application.submitted_at),
    })
}

/// `POST /api/v1/applications`
pub async fn create(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    parts: Parts,
    JsonBody(body): JsonBody,
) -> Result<Response, WebError> {
    let tr = tr_for(&parts.headers);
    admit(&state, Limit::Submission, &caller, tr).await?;
    let request: CreateRequest = serde_json::from_value(body)
        .map_err(|e| bad_request("invalid_json", format!("request body: {e}")))?;
    let key = idempotency_key(&parts.headers)?;
    let procedure = state.portal.catalog.procedure(&request.procedure_id);
    let receipt = state
        .portal
        .submit_api(&request.procedure_id, &request.answers, key, &caller)
        .await
        .map_err(|e| api_error(e, tr, procedure))?;
    let mut response = (StatusCode::CREATED, Json(receipt_json(&receipt))).into_response();
    if !receipt.created {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(response)
}

/// The `Idempotency-Key` header, if sent.
pub(super) fn idempotency_key(headers: &HeaderMap) -> Result<Option<&str>, WebError> {
    match headers.get("idempotency-key") {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .ok()
            .filter(|k| !k.is_empty() && k.len() <= MAX_IDEMPOTENCY_KEY)
            .map(Some)
            .ok_or_else(|| {
                bad_request(
                    "invalid_idempotency_key",
                    "Idempotency-Key must be 1 to 255 visible ASCII characters",
                )
            }),
    }
}

fn access_code(headers: &HeaderMap) -> Result<&str, WebError> {
    headers
        .get("access-code")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            bad_request(
                "missing_access_code",
                "send the access code in the Access-Code header",
            )
        })
}

fn status_json(view: &StatusView) -> Value {
    json!({
        "id": view.application.id,
        "receipt_number": view.application.receipt_number,
        "status": view.application.status,
        "procedure_id": view.application.procedure_id,
        "procedure_version": view.application.procedure_version,
        "submitted_at": rfc3339(view.application.submitted_at),
        "updated_at": rfc3339(view.application.updated_at),
        "answers": view.answers.to_masked_json(),
        "fee": fee_json(&view.procedure, &view.answers, view.application.decided_fee),
        "history": view.events.iter().map(|e| json!({ "event": e.kind, "status": e.status, "at": rfc3339(e.created_at) })).collect::<Vec<_>>(),
    })
}

/// What both status endpoints check first: the caller's look-up budget and the
/// `Access-Code` header.
async fn guard<'p>(
    state: &AppState,
    caller: &Caller,
    parts: &'p Parts,
) -> Result<&'p str, WebError> {
    admit(state, Limit::StatusLookup, caller, tr_for(&parts.headers)).await?;
    access_code(&parts.headers)
}

/// Counts the request against the caller's budget.
pub(super) async fn admit(
    state: &AppState,
    limit: Limit,
    caller: &Caller,
    tr: Tr,
) -> Result<(), WebError> {
    state
        .portal
        .admit(limit, caller)
        .await
        .map_err(|e| api_error(e, tr, None))
}

/// `GET /api/v1/applications/{receipt}` with `Access-Code`.
pub async fn show(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    parts: Parts,
    Path(receipt): Path<String>,
) -> Result<Json<Value>, WebError> {
    let tr = tr_for(&parts.headers);
    let code = guard(&state, &caller, &parts).await?;
    let view = state
        .portal
        .status(&receipt, code)
        .await
        .map_err(|e| api_error(e, tr, None))?;
    Ok(Json(status_json(&view)))
}

/// `POST /api/v1/applications/{receipt}/withdraw` with `Access-Code`.
pub async fn withdraw(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    parts: Parts,
    Path(receipt): Path<String>,
) -> Result<Json<Value>, WebError> {
    let tr = tr_for(&parts.headers);
    let code = guard(&state, &caller, &parts).await?;
    let view = state
        .portal
        .withdraw(&receipt, code)
        .await
        .map_err(|e| api_error(e, tr, None))?;
    Ok(Json(status_json(&view)))
}

/// `POST /api/v1/attachments`: the raw file as the body; its type is read from its content.
pub async fn upload(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    parts: Parts,
    FileBody(body): FileBody,
) -> Result<Response, WebError> {
    let tr = tr_for(&parts.headers);
    admit(&state, Limit::Upload, &caller, tr).await?;
    let (sha, size, kind) = state
        .portal
        .upload_attachment(&body)
        .await
        .map_err(|e| api_error(e, tr, None))?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "attachment": sha, "size": size, "content_type": kind.mime() })),
    )
        .into_response())
}
