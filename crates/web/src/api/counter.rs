//! The card agent's API (`madoguchi-card-agent` on a counter PC): pair with a one-time code
//! from the counter screen, then ask for the reads the paired session wants and report each
//! outcome. Pairing is counted as a login (eight digits are few); the agent's token lives as
//! long as the staff session it paired with.

use super::applications::{admit, bad_request};
use super::body::JsonBody;
use super::{api_error, bearer, tr_for};
use crate::AppState;
use crate::caller::ApiCaller;
use crate::error::WebError;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use madoguchi_app::counter::CardReport;
use madoguchi_app::limits::Limit;
use serde_json::{Value, json};
use uuid::Uuid;

fn string_field<'a>(body: &'a Value, key: &str) -> Result<Option<&'a str>, WebError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(bad_request(
            "invalid_json",
            format!("request body: `{key}` must be a string"),
        )),
    }
}

/// `POST /api/v1/counter/agents`: `{"pairing_code", "name"}` → `{"token"}`.
pub async fn pair(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    parts: Parts,
    JsonBody(body): JsonBody,
) -> Result<Response, WebError> {
    let tr = tr_for(&parts.headers);
    admit(&state, Limit::Login, &caller, tr).await?;
    let object = body
        .as_object()
        .ok_or_else(|| bad_request("invalid_json", "request body: expected an object"))?;
    if let Some(unknown) = object
        .keys()
        .find(|k| !matches!(k.as_str(), "pairing_code" | "name"))
    {
        return Err(bad_request(
            "invalid_json",
            format!("request body: unknown field `{unknown}`"),
        ));
    }
    let code = string_field(&body, "pairing_code")?
        .ok_or_else(|| bad_request("invalid_json", "request body: `pairing_code` is required"))?;
    let name = string_field(&body, "name")?.unwrap_or_default();
    let token = state
        .portal
        .pair_agent(code, name, &caller.address.to_string())
        .await
        .map_err(|e| api_error(e, tr, None))?;
    Ok((StatusCode::CREATED, Json(json!({ "token": token }))).into_response())
}

/// `GET /api/v1/counter/agent/requests`: the read to do now (`{"id"}`), or 204.
pub async fn next(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    let tr = tr_for(&headers);
    match state
        .portal
        .agent_next_read(bearer(&headers))
        .await
        .map_err(|e| api_error(e, tr, None))?
    {
        Some(id) => Ok(Json(json!({ "id": id })).into_response()),
        None => Ok(StatusCode::NO_CONTENT.into_response()),
    }
}

/// `POST /api/v1/counter/agent/requests/{id}`: the read's outcome, with the card's files when
/// it was read.
pub async fn report(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    parts: Parts,
    Path(id): Path<Uuid>,
    JsonBody(body): JsonBody,
) -> Result<Response, WebError> {
    let tr = tr_for(&parts.headers);
    let report = CardReport::from_json(&body)
        .ok_or_else(|| bad_request("invalid_json", "request body: not a card read outcome"))?;
    state
        .portal
        .agent_report(
            bearer(&parts.headers),
            id,
            &report,
            &caller.address.to_string(),
        )
        .await
        .map_err(|e| api_error(e, tr, None))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
