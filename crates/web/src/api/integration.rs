//! The pull API for business systems, after the national model (ぴったりサービス's
//! 電子申請等情報受取等API): with a department's bearer token, list applications changed since
//! a cursor, fetch one with its history and attachments, and write a processing status back.
//! Everything a token reads or does is audited as `api:{token name}`.

use super::body::JsonBody;
use super::{api_error, tr_for};
use crate::AppState;
use crate::error::{ApiError, WebError};
use crate::staff::download;
use axum::Json;
use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use madoguchi_app::accounts::Actor;
use madoguchi_app::cases::ActionInput;
use madoguchi_app::i18n::Tr;
use madoguchi_domain::case::StaffAction;
use serde::Deserialize;
use serde_json::json;

/// A request with a valid bearer token.
#[derive(Debug, Clone)]
pub struct TokenCtx {
    actor: Actor,
    tr: Tr,
    ip: String,
}

impl FromRequestParts<AppState> for TokenCtx {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let tr = tr_for(&parts.headers);
        let actor = state
            .portal
            .token_actor(super::bearer(&parts.headers))
            .await
            .map_err(|e| api_error(e, tr, None))?;
        Ok(Self {
            actor,
            tr,
            ip: crate::caller::page_caller(parts, state).address.to_string(),
        })
    }
}

/// The change feed's page: where to start and how many, as the document states them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Page {
    cursor: i64,
    limit: i64,
}

const MAX_CURSOR: i64 = 9_007_199_254_740_991;

fn invalid_query(message: &str) -> WebError {
    WebError::Api(ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_query",
        message,
    ))
}

/// `cursor` (0 or more) and `limit` (1 to 200), each once at most; anything else is a 400.
fn read_page(pairs: &[(String, String)]) -> Result<Page, WebError> {
    let mut page = Page {
        cursor: 0,
        limit: 50,
    };
    let mut seen = Vec::new();
    for (key, value) in pairs {
        if seen.contains(key) {
            return Err(invalid_query(&format!("{key} is given twice")));
        }
        seen.push(key.clone());
        let number = value.parse::<i64>().ok();
        match key.as_str() {
            "cursor" => {
                page.cursor = number
                    .filter(|n| (0..=MAX_CURSOR).contains(n))
                    .ok_or_else(|| invalid_query("cursor is a whole number, 0 or more"))?
            }
            "limit" => {
                page.limit = number
                    .filter(|n| (1..=200).contains(n))
                    .ok_or_else(|| invalid_query("limit is a whole number from 1 to 200"))?
            }
            _ => {}
        }
    }
    Ok(page)
}

/// `GET /api/v1/integration/applications?cursor=N`
pub async fn changes(
    State(state): State<AppState>,
    ctx: TokenCtx,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, WebError> {
    let Ok(Query(pairs)) = query else {
        return Err(invalid_query("the query string could not be read"));
    };
    let page = read_page(&pairs)?;
    let (items, next) = state
        .portal
        .changes(&ctx.actor, page.cursor, page.limit, &ctx.ip)
        .await
        .map_err(|e| api_error(e, ctx.tr, None))?;
    Ok(Json(json!({ "items": items, "next_cursor": next })).into_response())
}

/// `GET /api/v1/integration/applications/{receipt}`
pub async fn show(
    State(state): State<AppState>,
    ctx: TokenCtx,
    Path(receipt): Path<String>,
) -> Result<Response, WebError> {
    let body = state
        .portal
        .integration_case(&ctx.actor, &receipt, &ctx.ip)
        .await
        .map_err(|e| api_error(e, ctx.tr, None))?;
    Ok(Json(body).into_response())
}

/// `GET /api/v1/integration/applications/{receipt}/attachments/{id}`
pub async fn attachment(
    State(state): State<AppState>,
    ctx: TokenCtx,
    Path((receipt, sha)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let (bytes, name, content_type) = state
        .portal
        .case_attachment(&ctx.actor, &receipt, &sha, &ctx.ip)
        .await
        .map_err(|e| api_error(e, ctx.tr, None))?;
    Ok(download(bytes, &name, &content_type))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusRequest {
    action: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    fields: Vec<String>,
    /// Yen, for `decide_fee`.
    #[serde(default)]
    amount: Option<u64>,
}

/// `POST /api/v1/integration/applications/{receipt}/status`: the business system's processing
/// result, taken as the same action staff would take.
pub async fn write_status(
    State(state): State<AppState>,
    ctx: TokenCtx,
    Path(receipt): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, WebError> {
    let request: StatusRequest = serde_json::from_value(body).map_err(|e| {
        WebError::Api(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            format!("request body: {e}"),
        ))
    })?;
    let action = StaffAction::parse(&request.action)
        .filter(|a| *a != StaffAction::Assign)
        .ok_or_else(|| {
            WebError::Api(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_action",
                "action is one of accept, request_correction, approve, reject, complete, note, decide_fee",
            ))
        })?;
    let input = ActionInput {
        action,
        text: request.message,
        fields: request.fields,
        amount: request.amount.map(|n| n.to_string()).unwrap_or_default(),
        assignee: None,
        seen: None,
    };
    let row = state
        .portal
        .act(&ctx.actor, &receipt, &input, &ctx.ip)
        .await
        .map_err(|e| api_error(e, ctx.tr, None))?;
    Ok(Json(json!({
        "receipt_number": row.receipt_number,
        "status": row.status.as_str(),
        "change_seq": row.change_seq,
    }))
    .into_response())
}
