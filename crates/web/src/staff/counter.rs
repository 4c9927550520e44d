//! The counter workspace (書かない窓口) under `/staff/counter`: today's visits, starting one,
//! and a visit's screen — identify the resident by the card (through the paired card agent) or
//! by typing, pair a card agent with this session, end the visit. `/counter` leads here, since
//! the staff session's cookie is scoped to `/staff`.

use crate::AppState;
use crate::body::PageForm;
use crate::error::{WebError, render};
use crate::pages::drafts::no_store;
use crate::pages::form_value;
use crate::staff::StaffCtx;
use crate::views::counter::{ShownDay, sheets_page, visit_page, visits_page};
use crate::views::refusal_message;
use crate::views::step::Shown;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use madoguchi_app::AppError;
use madoguchi_app::apply::StepAction;
use madoguchi_app::counter::{Identified, Visit};
use madoguchi_domain::form::FormValues;
use serde::Deserialize;
use uuid::Uuid;

fn to_visit(id: Uuid) -> Response {
    Redirect::to(&format!("/staff/counter/visits/{id}")).into_response()
}

/// The visit's interview: its list sends on to the first page still unanswered.
fn to_plan(id: Uuid) -> Response {
    Redirect::to(&format!("/staff/counter/visits/{id}/plan")).into_response()
}

/// `GET /counter`
pub async fn entry() -> Redirect {
    Redirect::to("/staff/counter")
}

/// The day a visits list is asked for (`?day=2026-12-01`).
#[derive(Deserialize)]
pub struct DayQuery {
    #[serde(default)]
    day: String,
}

/// `GET /staff/counter`: today's visits, or a chosen day's, with their times and forms.
pub async fn visits(
    State(state): State<AppState>,
    staff: StaffCtx,
    Query(q): Query<DayQuery>,
) -> Result<Response, WebError> {
    let typed = q.day.trim();
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let day = (!typed.is_empty())
        .then(|| time::Date::parse(typed, &format))
        .transpose();
    let (day, refused) = match day {
        Ok(day) => (day, false),
        Err(_) => (None, true),
    };
    let rows = state
        .portal
        .visits_on(&staff.staff, day, &staff.ip())
        .await
        .map_err(|e| staff.fail(e))?;
    let shown = ShownDay {
        day: day.filter(|d| *d != madoguchi_app::timefmt::today_jst()),
        typed,
        refused,
    };
    let page = visits_page(&state, &staff, &rows, shown);
    let status = if refused {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, no_store(render(&page, staff.ctx.tr)?)).into_response())
}

/// `POST /staff/counter/visits`: 受付.
pub async fn start(
    State(state): State<AppState>,
    staff: StaffCtx,
    PageForm(form): PageForm,
) -> Result<Response, WebError> {
    staff.ctx.verify_form(&state, &form)?;
    let id = state
        .portal
        .start_visit(&staff.staff, &staff.ip())
        .await
        .map_err(|e| staff.fail(e))?;
    Ok(to_visit(id))
}

async fn load(state: &AppState, staff: &StaffCtx, id: Uuid) -> Result<Visit, WebError> {
    state
        .portal
        .counter_visit(&staff.staff, &staff.token, id, &staff.ip())
        .await
        .map_err(|e| staff.fail(e))
}

fn show_visit(
    state: &AppState,
    staff: &StaffCtx,
    visit: &Visit,
    status: StatusCode,
    shown: Shown<'_>,
    pairing_code: Option<String>,
) -> Result<Response, WebError> {
    let page = visit_page(state, staff, visit, shown, pairing_code);
    Ok((status, no_store(render(&page, staff.ctx.tr)?)).into_response())
}

/// The visit with an empty identity form and, perhaps, a message or a pairing code.
fn show_said(
    state: &AppState,
    staff: &StaffCtx,
    visit: &Visit,
    status: StatusCode,
    notice: Option<String>,
    pairing_code: Option<String>,
) -> Result<Response, WebError> {
    let values = FormValues::default();
    let shown = Shown {
        values: &values,
        errors: &[],
        notice,
    };
    show_visit(state, staff, visit, status, shown, pairing_code)
}

/// `GET /staff/counter/visits/{id}`
pub async fn visit(
    State(state): State<AppState>,
    staff: StaffCtx,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    let visit = load(&state, &staff, id).await?;
    // The form starts from what is recorded, so that staff correct rather than retype.
    let values = visit
        .identity
        .as_ref()
        .map_or_else(FormValues::default, |i| {
            FormValues::from_answers(&state.portal.identity_questions().steps[0], &i.answers)
        });
    let shown = Shown {
        values: &values,
        errors: &[],
        notice: None,
    };
    show_visit(&state, &staff, &visit, StatusCode::OK, shown, None)
}

/// `GET /staff/counter/visits/{id}/card-state`: `{"state"}`, polled by the screen while the
/// agent reads.
pub async fn card_state(
    State(state): State<AppState>,
    staff: StaffCtx,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    let read = state
        .portal
        .card_read_state(&staff.staff, id)
        .await
        .map_err(|e| staff.fail(e))?;
    let body = axum::Json(serde_json::json!({ "state": read }));
    Ok(([(axum::http::header::CACHE_CONTROL, "no-store")], body).into_response())
}

/// `POST /staff/counter/visits/{id}/identity`: the resident's details typed from a document.
pub async fn identify(
    State(state): State<AppState>,
    staff: StaffCtx,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm,
) -> Result<Response, WebError> {
    staff.ctx.verify_form(&state, &form)?;
    let visit = load(&state, &staff, id).await?;
    let action = StepAction::parse(form_value(&form, "action"));
    let values = FormValues::from_pairs(form);
    match state
        .portal
        .identify_typed(&staff.staff, &visit, action, values, &staff.ip())
        .await
    {
        Ok(Identified::Saved) => Ok(to_visit(id)),
        Ok(Identified::Again {
            values,
            errors,
            notice,
        }) => {
            let status = if errors.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let shown = Shown {
                values: &values,
                errors: &errors,
                notice: notice.map(|k| staff.ctx.tr.t(k)),
            };
            show_visit(&state, &staff, &visit, status, shown, None)
        }
        Err(e) => Err(staff.fail(e)),
    }
}

/// `POST /staff/counter/visits/{id}/card`: ask the paired agent to read the card.
pub async fn read_card(
    State(state): State<AppState>,
    staff: StaffCtx,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm,
) -> Result<Response, WebError> {
    staff.ctx.verify_form(&state, &form)?;
    let visit = load(&state, &staff, id).await?;
    match state
        .portal
        .request_card_read(&staff.staff, &staff.token, &visit, &staff.ip())
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/staff/counter/visits/{id}#card")).into_response()),
        Err(e @ AppError::BadRequest(_)) => {
            let notice = refusal_message(staff.ctx.tr, &e);
            show_said(&state, &staff, &visit, StatusCode::CONFLICT, notice, None)
        }
        Err(e) => Err(staff.fail(e)),
    }
}

/// `POST /staff/counter/visits/{id}/interview`: run a life event's interview for the resident,
/// its facts started from who they are; then its first unanswered page.
pub async fn start_interview(
    State(state): State<AppState>,
    staff: StaffCtx,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm,
) -> Result<Response, WebError> {
    staff.ctx.verify_form(&state, &form)?;
    let visit = load(&state, &staff, id).await?;
    match state
        .portal
        .start_visit_plan(
            &staff.staff,
            &visit,
            form_value(&form, "event"),
            &staff.ip(),
        )
        .await
    {
        Ok(()) => Ok(to_plan(id)),
        // An ended visit shows itself as ended.
        Err(AppError::Conflict) => Ok(to_visit(id)),
        Err(e) => Err(staff.fail(e)),
    }
}

/// `POST /staff/counter/visits/{id}/code`: the code a resident brings (typed, or scanned by a
/// reader that types); the visit then runs the plan they prepared at home.
pub async fn take_code(
    State(state): State<AppState>,
    staff: StaffCtx,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm,
) -> Result<Response, WebError> {
    staff.ctx.verify_form(&state, &form)?;
    let visit = load(&state, &staff, id).await?;
    let typed = form_value(&form, "code");
    match state
        .portal
        .take_counter_code(&staff.staff, &visit, typed, &staff.ip())
        .await
    {
        Ok(()) => Ok(to_plan(id)),
        Err(e @ AppError::BadRequest(_)) => {
            let values = FormValues::default();
            let shown = Shown {
                values: &values,
                errors: &[],
                notice: None,
            };
            let mut page = visit_page(&state, &staff, &visit, shown, None);
            page.refuse_code(typed, refusal_message(staff.ctx.tr, &e));
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                no_store(render(&page, staff.ctx.tr)?),
            )
                .into_response())
        }
        Err(e) => Err(staff.fail(e)),
    }
}

/// `GET /staff/counter/visits/{id}/sheets`: a print-ready sheet per application of the visit.
pub async fn sheets(
    State(state): State<AppState>,
    staff: StaffCtx,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    let (visit, sheets) = state
        .portal
        .visit_sheets(&staff.staff, &staff.token, id, &staff.ip())
        .await
        .map_err(|e| staff.fail(e))?;
    let page = sheets_page(&state, &staff, &visit, &sheets);
    Ok(no_store(render(&page, staff.ctx.tr)?))
}

/// `POST /staff/counter/visits/{id}/pairing`: a one-time code for the card agent, shown once.
pub async fn pairing(
    State(state): State<AppState>,
    staff: StaffCtx,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm,
) -> Result<Response, WebError> {
    staff.ctx.verify_form(&state, &form)?;
    let visit = load(&state, &staff, id).await?;
    let code = state
        .portal
        .offer_pairing(&staff.staff, &staff.token, &staff.ip())
        .await
        .map_err(|e| staff.fail(e))?;
    show_said(&state, &staff, &visit, StatusCode::OK, None, Some(code))
}

/// `POST /staff/counter/visits/{id}/end`
pub async fn end(
    State(state): State<AppState>,
    staff: StaffCtx,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm,
) -> Result<Response, WebError> {
    staff.ctx.verify_form(&state, &form)?;
    state
        .portal
        .end_visit(&staff.staff, id, &staff.ip())
        .await
        .map_err(|e| staff.fail(e))?;
    Ok(Redirect::to("/staff/counter").into_response())
}
