//! `GET /api/v1/postal-codes/{code}`: address look-up for front ends.

use crate::AppState;
use crate::error::{ApiError, WebError};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use madoguchi_app::Portal;
use madoguchi_jp::postal::{PostalError, normalize_code};
use serde_json::{Value, json};

pub async fn show(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<Value>, WebError> {
    let areas = state.portal.postal_areas(&code).map_err(|e| {
        let (status, code) = match e {
            PostalError::Shape => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_postal_code"),
            PostalError::Unknown(_) => (StatusCode::NOT_FOUND, "unknown_postal_code"),
            PostalError::Data(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        };
        WebError::Api(ApiError::new(status, code, e.to_string()))
    })?;
    let areas: Vec<Value> = areas.iter().map(Portal::postal_area_json).collect();
    Ok(Json(
        json!({ "postal_code": normalize_code(&code).unwrap_or_default(), "areas": areas }),
    ))
}
