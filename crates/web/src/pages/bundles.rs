//! Starting a life event's procedures together (ワンスオンリー), at the plan's private link or at
//! the counter visit that runs it (`PlanAt`): choose them on the list, answer the shared facts
//! once (`…/facts/…`), then each procedure's remaining questions (`…/forms/{procedure}/…`),
//! check everything on one page, submit once, and see every 受付番号 (the resident with the one
//! access code; counter staff on the visit's screen).

use super::drafts::{StepQuery, no_store};
use super::form_value;
use super::life_events::{PlanAt, StepParam};
use crate::AppState;
use crate::body::{PageForm, read_question_page};
use crate::error::{WebError, render};
use crate::views::bundles::{done_page, review_page};
use crate::views::life_events::plan_page;
use crate::views::step::{Questions, Shown, render_questions};
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use madoguchi_app::AppError;
use madoguchi_app::apply::StepAction;
use madoguchi_app::bundles::{BundlePage, BundleStep, BundleSubmit, Place};
use madoguchi_app::limits::Limit;
use madoguchi_app::timefmt::JST;
use madoguchi_domain::form::FormValues;
use madoguchi_domain::life_event::LifeEvent;
use serde::Deserialize;

/// A bundle page's address under the plan's.
pub(crate) fn place_url(at: &PlanAt, place: &Place) -> String {
    match place {
        Place::Facts(step) => at.url(&format!("facts/steps/{step}")),
        Place::Form { procedure, step } => at.url(&format!("forms/{procedure}/steps/{step}")),
        Place::Review => at.url("review"),
    }
}

fn go(at: &PlanAt, place: &Place) -> Response {
    Redirect::to(&place_url(at, place)).into_response()
}

fn to_list(at: &PlanAt) -> Response {
    Redirect::to(&at.url("")).into_response()
}

/// The receipts: the resident's page of them, or the visit's screen at the counter.
fn to_done(at: &PlanAt) -> Response {
    match at.visit {
        Some(visit) => Redirect::to(&format!("/staff/counter/visits/{visit}")).into_response(),
        None => Redirect::to(&at.url("done")).into_response(),
    }
}

/// Where a refusal of a bundle page sends the resident: the list when nothing is chosen, the
/// receipts once submitted.
fn redirect_for(at: &PlanAt, e: &AppError) -> Option<Response> {
    match e {
        AppError::BadRequest("bundle-empty") => Some(to_list(at)),
        AppError::NotAllowed(_) => Some(to_done(at)),
        _ => None,
    }
}

/// The procedure and step of a bundle form's address.
#[derive(Deserialize)]
pub(crate) struct FormParams {
    procedure: String,
    step: String,
}

/// `POST /plans/{token}/bundle`: start (or change) the bundle with the procedures ticked.
pub async fn choose(
    State(state): State<AppState>,
    at: PlanAt,
    PageForm(form): PageForm,
) -> Result<Response, WebError> {
    at.ctx.verify_form(&state, &form)?;
    let event = at.event(&state)?;
    let chosen: Vec<String> = form
        .iter()
        .filter(|(k, _)| k == "procedure")
        .map(|(_, v)| v.clone())
        .collect();
    match state.portal.choose_bundle(&at.plan, &chosen).await {
        Ok(()) => Ok(go(&at, &first_place(event))),
        Err(AppError::Invalid(errors)) => {
            let choice = state
                .portal
                .bundle_choice(&at.plan)
                .await
                .map_err(|e| at.ctx.fail(e))?;
            let mut page = plan_page(&state, &at, event, &choice);
            page.refuse(&at.ctx, &errors);
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                no_store(render(&page, at.ctx.tr)?),
            )
                .into_response())
        }
        Err(e) => redirect_for(&at, &e).ok_or_else(|| at.ctx.fail(e)),
    }
}

/// The bundle's first page: the facts, or the check page (which sends on to what is missing).
fn first_place(event: &LifeEvent) -> Place {
    event
        .facts
        .steps
        .first()
        .map_or(Place::Review, |s| Place::Facts(s.id.to_string()))
}

/// `GET /plans/{token}/facts/steps/{step}`
pub async fn show_facts(
    state: State<AppState>,
    at: PlanAt,
    Path(StepParam { step }): Path<StepParam>,
    Query(q): Query<StepQuery>,
) -> Result<Response, WebError> {
    show(state, at, Place::Facts(step), q).await
}

/// `GET /plans/{token}/forms/{procedure}/steps/{step}`
pub async fn show_form(
    state: State<AppState>,
    at: PlanAt,
    Path(FormParams { procedure, step }): Path<FormParams>,
    Query(q): Query<StepQuery>,
) -> Result<Response, WebError> {
    show(state, at, Place::Form { procedure, step }, q).await
}

async fn show(
    State(state): State<AppState>,
    at: PlanAt,
    place: Place,
    q: StepQuery,
) -> Result<Response, WebError> {
    let event = at.event(&state)?;
    let page = match state.portal.bundle_page(&at.plan, event, &place).await {
        Ok(page) => page,
        Err(e) => return redirect_for(&at, &e).ok_or_else(|| at.ctx.fail(e)),
    };
    let values = match &page {
        BundlePage::Go(next) => return Ok(go(&at, next)),
        BundlePage::Show { form, step, .. } => {
            let stored = form.as_ref().map_or(&at.plan.facts, |f| &f.draft.answers);
            FormValues::from_answers(step, stored)
        }
    };
    let shown = Shown {
        values: &values,
        errors: &[],
        notice: None,
    };
    bundle_page(&state, &at, event, &page, &place, &q, shown, StatusCode::OK)
}

/// `POST /plans/{token}/facts/steps/{step}`
pub async fn answer_facts(
    state: State<AppState>,
    at: PlanAt,
    Path(StepParam { step }): Path<StepParam>,
    Query(q): Query<StepQuery>,
    request: Request,
) -> Result<Response, WebError> {
    answer(state, at, Place::Facts(step), q, request).await
}

/// `POST /plans/{token}/forms/{procedure}/steps/{step}`
pub async fn answer_form(
    state: State<AppState>,
    at: PlanAt,
    Path(FormParams { procedure, step }): Path<FormParams>,
    Query(q): Query<StepQuery>,
    request: Request,
) -> Result<Response, WebError> {
    answer(state, at, Place::Form { procedure, step }, q, request).await
}

async fn answer(
    State(state): State<AppState>,
    at: PlanAt,
    place: Place,
    q: StepQuery,
    request: Request,
) -> Result<Response, WebError> {
    let ctx = &at.ctx;
    let max_request = state.portal.config.limits.max_request_bytes();
    let posted = read_question_page(&state, request, max_request).await;
    if let Some(problem) = posted.problem {
        return Err(ctx.page_error(problem.page_error()));
    }
    ctx.verify_form(&state, &posted.pairs)?;
    if !posted.uploads.is_empty() {
        ctx.admit(&state, Limit::Upload).await?;
    }
    let event = at.event(&state)?;
    let action = StepAction::parse(form_value(&posted.pairs, "action"));
    let values = FormValues::from_pairs(posted.pairs);
    let result = state
        .portal
        .answer_bundle_page(&at.plan, event, &place, action, values, posted.uploads)
        .await;
    let (page, values, errors, notice) = match result {
        Ok(BundleStep::Next(_)) if q.to_review() => return Ok(go(&at, &Place::Review)),
        Ok(BundleStep::Next(next)) => return Ok(go(&at, &next)),
        Ok(BundleStep::Stopped { procedure, stop }) => {
            let target = format!("/procedures/{procedure}/ineligible/{stop}");
            return Ok(Redirect::to(&target).into_response());
        }
        Ok(BundleStep::Again {
            page,
            values,
            errors,
            notice,
        }) => (page, values, errors, notice),
        Err(e) => return redirect_for(&at, &e).ok_or_else(|| ctx.fail(e)),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let shown = Shown {
        values: &values,
        errors: &errors,
        notice: notice.map(|key| ctx.tr.t(key)),
    };
    bundle_page(&state, &at, event, &page, &place, &q, shown, status)
}

#[expect(
    clippy::too_many_arguments,
    reason = "the page's parts, each named where it is called"
)]
fn bundle_page(
    state: &AppState,
    at: &PlanAt,
    event: &LifeEvent,
    page: &BundlePage<'_>,
    place: &Place,
    q: &StepQuery,
    shown: Shown<'_>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let BundlePage::Show { form, step, back } = page else {
        return Ok(go(at, &Place::Review));
    };
    let (procedure, stored) = match form {
        Some(f) => (f.procedure(), &f.draft.answers),
        None => (&event.facts, &at.plan.facts),
    };
    let return_to = if q.to_review() { "?return=review" } else { "" };
    let back_url = match (q.to_review(), back) {
        (true, _) => place_url(at, &Place::Review),
        (false, Some(back)) => place_url(at, back),
        (false, None) => at.url(""),
    };
    let questions = Questions {
        procedure,
        stored,
        step,
        back_url,
        action: format!("{}{return_to}", place_url(at, place)),
        resume_url: at.link.clone(),
        expires: at.plan.row.expires_at.to_offset(JST).date(),
    };
    let html = render_questions(state, &at.ctx, questions, shown)?;
    Ok((status, no_store(html)).into_response())
}

/// `GET /plans/{token}/review`: every procedure's answers on one page, and the one submit.
pub async fn review(State(state): State<AppState>, at: PlanAt) -> Result<Response, WebError> {
    let event = at.event(&state)?;
    let forms = match state.portal.bundle_review(&at.plan, event).await {
        Ok(Ok(forms)) => forms,
        Ok(Err(place)) => return Ok(go(&at, &place)),
        Err(e) => return redirect_for(&at, &e).ok_or_else(|| at.ctx.fail(e)),
    };
    let page = review_page(&state, &at, event, &forms);
    Ok(no_store(render(&page, at.ctx.tr)?))
}

/// `POST /plans/{token}/drop`: leave one procedure out of the bundle before submitting.
pub async fn drop(
    State(state): State<AppState>,
    at: PlanAt,
    PageForm(form): PageForm,
) -> Result<Response, WebError> {
    at.ctx.verify_form(&state, &form)?;
    match state
        .portal
        .drop_from_bundle(&at.plan, form_value(&form, "procedure"))
        .await
    {
        Ok(()) => Ok(go(&at, &Place::Review)),
        Err(e) => redirect_for(&at, &e).ok_or_else(|| at.ctx.fail(e)),
    }
}

/// `POST /plans/{token}/submit`: one application per procedure, all in one transaction, however
/// many times it is clicked.
pub async fn submit(
    State(state): State<AppState>,
    at: PlanAt,
    PageForm(form): PageForm,
) -> Result<Response, WebError> {
    at.ctx.verify_form(&state, &form)?;
    at.ctx.admit(&state, Limit::Submission).await?;
    match state.portal.submit_bundle(&at.plan).await {
        Ok(BundleSubmit::Done(_)) => Ok(to_done(&at)),
        Ok(BundleSubmit::Incomplete(place)) => Ok(go(&at, &place)),
        Err(e) => redirect_for(&at, &e).ok_or_else(|| at.ctx.fail(e)),
    }
}

/// `GET /plans/{token}/done`: every 受付番号 with its 担当課 and status, and the one access code.
pub async fn done(State(state): State<AppState>, at: PlanAt) -> Result<Response, WebError> {
    if at.visit.is_some() {
        return Ok(to_done(&at));
    }
    let event = at.event(&state)?;
    let Some(view) = state
        .portal
        .plan_bundle(&at.plan)
        .await
        .map_err(|e| at.ctx.fail(e))?
    else {
        return Ok(go(&at, &Place::Review));
    };
    let page = done_page(&state, &at.ctx, event, &view);
    Ok(no_store(render(&page, at.ctx.tr)?))
}
