//! Life events for LINE and other front ends: the events with their interview and facts (as
//! answers schemas), the personal list for interview answers, and a bundle submitted in one
//! call (one application per procedure, one transaction, one access code).

use super::applications::{admit, bad_request, idempotency_key};
use super::body::JsonBody;
use super::{api_error, tr_for};
use crate::AppState;
use crate::caller::ApiCaller;
use crate::error::WebError;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use madoguchi_app::bundles::{ApiBundle, BundleRequest, BundleView};
use madoguchi_app::life_events::DepartmentList;
use madoguchi_app::limits::Limit;
use madoguchi_app::timefmt::rfc3339;
use madoguchi_domain::life_event::{Applies, LifeEvent};
use madoguchi_domain::procedure::Availability;
use madoguchi_domain::schema::answers_schema;
use serde_json::{Value, json};

fn summary(event: &LifeEvent) -> Value {
    json!({
        "id": event.id,
        "title": event.title,
        "description": event.description,
        "procedures": event.procedures.iter().map(|i| i.procedure.as_str()).collect::<Vec<_>>(),
    })
}

/// `GET /api/v1/life-events`
pub async fn list(State(state): State<AppState>) -> Json<Value> {
    let events: Vec<Value> = state.portal.catalog.events.iter().map(summary).collect();
    Json(json!({ "life_events": events }))
}

/// `GET /api/v1/life-events/{id}`: the interview and the facts, page by page and as schemas.
pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, WebError> {
    let event = state
        .portal
        .public_life_event(&id)
        .map_err(|e| api_error(e, tr_for(&headers), None))?;
    let mut body = summary(event);
    body["interview"] = json!(event.interview.steps);
    body["interview_schema"] = answers_schema(&event.interview);
    body["facts"] = json!(event.facts.steps);
    body["facts_schema"] = answers_schema(&event.facts);
    Ok(Json(body))
}

fn list_json(groups: &[DepartmentList<'_>]) -> Value {
    let departments: Vec<Value> = groups
        .iter()
        .map(|g| {
            json!({
                "id": g.department.id,
                "name": g.department.name,
                "place": g.department.place,
                "hours": g.department.hours,
                "phone": g.department.phone,
                "procedures": g.procedures.iter().map(|l| json!({
                    "procedure_id": l.procedure.id,
                    "title": l.procedure.title,
                    "online": l.procedure.is_online(),
                    "applies": match l.applies { Applies::Yes => "yes", Applies::Maybe => "maybe" },
                    "deadline": l.deadline.map(|d| d.to_string()),
                    "deadline_rule": l.deadline_text,
                    "counter_only_reason": match &l.procedure.availability {
                        Availability::Online => Value::Null,
                        Availability::CounterOnly { reason } => json!(reason),
                    },
                    "attachments": l.procedure.attachments,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({ "departments": departments })
}

/// `POST /api/v1/life-events/{id}/list` with `{"interview": {…}}`: what applies, by 担当課.
pub async fn plan_list(
    State(state): State<AppState>,
    parts: Parts,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, WebError> {
    let tr = tr_for(&parts.headers);
    let event = state
        .portal
        .public_life_event(&id)
        .map_err(|e| api_error(e, tr, None))?;
    let interview = body.get("interview").unwrap_or(&Value::Null);
    match state.portal.api_plan_list(event, interview) {
        Ok(groups) => Ok(Json(list_json(&groups))),
        Err(errors) => Err(part_error(
            api_error(
                madoguchi_app::AppError::Invalid(errors),
                tr,
                Some(&event.interview),
            ),
            "interview",
        )),
    }
}

/// `POST /api/v1/life-events/{id}/bundles` with `{"interview", "facts", "procedures": {id:
/// answers}}` and an optional `Idempotency-Key`.
pub async fn create_bundle(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    parts: Parts,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, WebError> {
    let tr = tr_for(&parts.headers);
    admit(&state, Limit::Submission, &caller, tr).await?;
    let key = idempotency_key(&parts.headers)?;
    let object = body
        .as_object()
        .ok_or_else(|| bad_request("invalid_json", "request body: expected an object"))?;
    if let Some(unknown) = object
        .keys()
        .find(|k| !matches!(k.as_str(), "interview" | "facts" | "procedures"))
    {
        return Err(bad_request(
            "invalid_json",
            format!("request body: unknown field `{unknown}`"),
        ));
    }
    let empty = serde_json::Map::new();
    let procedures = match object.get("procedures") {
        None => &empty,
        Some(Value::Object(p)) => p,
        Some(_) => {
            return Err(bad_request(
                "invalid_json",
                "request body: procedures must be an object of answers by procedure id",
            ));
        }
    };
    let request = BundleRequest {
        interview: object.get("interview").unwrap_or(&Value::Null),
        facts: object.get("facts").unwrap_or(&Value::Null),
        procedures,
        body: &body,
    };
    let outcome = state
        .portal
        .submit_bundle_api(&id, &request, key, &caller)
        .await
        .map_err(|e| api_error(e, tr, None))?;
    match outcome {
        ApiBundle::Done { view, created } => {
            let mut response = (StatusCode::CREATED, Json(bundle_json(&view))).into_response();
            if !created {
                response
                    .headers_mut()
                    .insert("idempotent-replayed", HeaderValue::from_static("true"));
            }
            Ok(response)
        }
        ApiBundle::Invalid { part, errors } => {
            let event = state.portal.catalog.event(&id);
            let questions = match part.as_str() {
                "interview" => event.map(|e| &e.interview),
                "facts" => event.map(|e| &e.facts),
                procedure => state.portal.catalog.procedure(procedure),
            };
            let at = match part.as_str() {
                "interview" | "facts" => part.clone(),
                procedure => format!("procedures.{procedure}"),
            };
            let error = api_error(madoguchi_app::AppError::Invalid(errors), tr, questions);
            Err(part_error(error, &at))
        }
    }
}

/// Names each field problem by where it was sent (`facts.phone`, `procedures.sodai-gomi.place`).
fn part_error(error: WebError, at: &str) -> WebError {
    match error {
        WebError::Api(mut api) => {
            for e in &mut api.errors {
                if let Some(field) = e.get("field").and_then(Value::as_str) {
                    e["field"] = json!(format!("{at}.{field}"));
                }
            }
            WebError::Api(api)
        }
        other => other,
    }
}

fn bundle_json(view: &BundleView) -> Value {
    json!({
        "bundle_id": view.bundle.id,
        "life_event_id": view.bundle.event_id,
        "access_code": view.access_code,
        "submitted_at": rfc3339(view.bundle.created_at),
        "applications": view.members.iter().map(|m| json!({
            "id": m.application.id,
            "receipt_number": m.application.receipt_number,
            "procedure_id": m.application.procedure_id,
            "department_id": m.application.department_id,
            "status": m.application.status,
        })).collect::<Vec<_>>(),
    })
}
