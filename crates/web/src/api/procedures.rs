//! `GET /api/v1/procedures` and `GET /api/v1/procedures/{id}`.

use super::{api_error, tr_for};
use crate::AppState;
use crate::error::WebError;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use madoguchi_domain::Procedure;
use madoguchi_domain::procedure::Availability;
use madoguchi_domain::schema::answers_schema;
use serde_json::{Value, json};

fn summary(p: &Procedure) -> Value {
    json!({
        "id": p.id,
        "version": p.version,
        "title": p.title,
        "summary": p.summary,
        "category": p.category,
        "life_events": p.life_events,
        "online": p.is_online(),
        "counter_only_reason": match &p.availability {
            Availability::Online => Value::Null,
            Availability::CounterOnly { reason } => json!(reason),
        },
        "department": { "id": p.department.id, "name": p.department.name, "phone": p.department.phone },
        "fee": p.fee,
        "identity_level": p.identity_level,
    })
}

pub async fn list(State(state): State<AppState>) -> Json<Value> {
    let catalog = &state.portal.catalog;
    let topics = |ts: &[madoguchi_domain::catalog::Topic]| {
        ts.iter()
            .map(|t| json!({ "id": t.id, "title": t.title }))
            .collect::<Vec<_>>()
    };
    Json(json!({
        "procedures": catalog.procedures.iter().map(summary).collect::<Vec<_>>(),
        "categories": topics(&catalog.categories),
        "life_events": topics(&catalog.life_events),
    }))
}

pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, WebError> {
    let p = state
        .portal
        .procedure(&id)
        .map_err(|e| api_error(e, tr_for(&headers), None))?;
    let mut body = summary(p);
    body["eligibility"] = json!(p.eligibility);
    body["processing_time"] = json!(p.processing_time);
    body["attachments"] = json!(p.attachments);
    body["steps"] = json!(p.steps);
    body["answers_schema"] = answers_schema(p);
    Ok(Json(body))
}
