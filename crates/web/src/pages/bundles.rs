//! Starting a life event's online procedures together (ワンスオンリー), at the plan's private
//! link: choose them on the list, answer the shared facts once (`/plans/{token}/facts/…`), then
//! each procedure's remaining questions (`/plans/{token}/forms/{procedure}/…`), check everything
//! on one page, submit once, and see every 受付番号 with the one access code.

use super::drafts::{StepQuery, no_store};
use super::life_events::{load, plan_link};
use super::{Ctx, form_value};
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
use madoguchi_app::life_events::Plan;
use madoguchi_app::limits::Limit;
use madoguchi_app::timefmt::JST;
use madoguchi_domain::form::FormValues;
use madoguchi_domain::life_event::LifeEvent;

/// A bundle page's address.
pub(crate) fn place_url(token: &str, place: &Place) -> String {
    match place {
        Place::Facts(step) => format!("/plans/{token}/facts/steps/{step}"),
        Place::Form { procedure, step } => format!("/plans/{token}/forms/{procedure}/steps/{step}"),
        Place::Review => format!("/plans/{token}/review"),
    }
}

fn go(token: &str, place: &Place) -> Response {
    Redirect::to(&place_url(token, place)).into_response()
}

fn to_list(token: &str) -> Response {
    Redirect::to(&format!("/plans/{token}")).into_response()
}

fn to_done(token: &str) -> Response {
    Redirect::to(&format!("/plans/{token}/done")).into_response()
}

/// Where a refusal of a bundle page sends the resident: the list when nothing is chosen, the
/// receipts once submitted.
fn redirect_for(token: &str, e: &AppError) -> Option<Response> {
    match e {
        AppError::BadRequest("bundle-empty") => Some(to_list(token)),
        AppError::NotAllowed(_) => Some(to_done(token)),
        _ => None,
    }
}

/// `POST /plans/{token}/bundle`: start (or change) the bundle with the procedures ticked.
pub async fn choose(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    PageForm(form): PageForm,
) -> Result<Response, WebError> {
    ctx.verify_form(&state, &form)?;
    let (plan, event) = load(&state, &ctx, &token).await?;
    let chosen: Vec<String> = form
        .iter()
        .filter(|(k, _)| k == "procedure")
        .map(|(_, v)| v.clone())
        .collect();
    match state.portal.choose_bundle(&plan, &chosen).await {
        Ok(()) => Ok(go(&token, &first_place(event))),
        Err(AppError::Invalid(errors)) => {
            let choice = state
                .portal
                .bundle_choice(&plan)
                .await
                .map_err(|e| ctx.fail(e))?;
            let mut page = plan_page(&state, &ctx, event, &plan, &choice);
            page.refuse(&ctx, &errors);
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                no_store(render(&page, ctx.tr)?),
            )
                .into_response())
        }
        Err(e) => redirect_for(&token, &e).ok_or_else(|| ctx.fail(e)),
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
    ctx: Ctx,
    Path((token, step)): Path<(String, String)>,
    Query(q): Query<StepQuery>,
) -> Result<Response, WebError> {
    show(state, ctx, token, Place::Facts(step), q).await
}

/// `GET /plans/{token}/forms/{procedure}/steps/{step}`
pub async fn show_form(
    state: State<AppState>,
    ctx: Ctx,
    Path((token, procedure, step)): Path<(String, String, String)>,
    Query(q): Query<StepQuery>,
) -> Result<Response, WebError> {
    show(state, ctx, token, Place::Form { procedure, step }, q).await
}

async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    token: String,
    place: Place,
    q: StepQuery,
) -> Result<Response, WebError> {
    let (plan, event) = load(&state, &ctx, &token).await?;
    let page = match state.portal.bundle_page(&plan, event, &place).await {
        Ok(page) => page,
        Err(e) => return redirect_for(&token, &e).ok_or_else(|| ctx.fail(e)),
    };
    let values = match &page {
        BundlePage::Go(next) => return Ok(go(&token, next)),
        BundlePage::Show { form, step, .. } => {
            let stored = form.as_ref().map_or(&plan.facts, |f| &f.draft.answers);
            FormValues::from_answers(step, stored)
        }
    };
    let shown = Shown {
        values: &values,
        errors: &[],
        notice: None,
    };
    bundle_page(
        &state,
        &ctx,
        event,
        &plan,
        &page,
        &place,
        &q,
        shown,
        StatusCode::OK,
    )
}

/// `POST /plans/{token}/facts/steps/{step}`
pub async fn answer_facts(
    state: State<AppState>,
    ctx: Ctx,
    Path((token, step)): Path<(String, String)>,
    Query(q): Query<StepQuery>,
    request: Request,
) -> Result<Response, WebError> {
    answer(state, ctx, token, Place::Facts(step), q, request).await
}

/// `POST /plans/{token}/forms/{procedure}/steps/{step}`
pub async fn answer_form(
    state: State<AppState>,
    ctx: Ctx,
    Path((token, procedure, step)): Path<(String, String, String)>,
    Query(q): Query<StepQuery>,
    request: Request,
) -> Result<Response, WebError> {
    answer(
        state,
        ctx,
        token,
        Place::Form { procedure, step },
        q,
        request,
    )
    .await
}

async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    token: String,
    place: Place,
    q: StepQuery,
    request: Request,
) -> Result<Response, WebError> {
    let max_request = state.portal.config.limits.max_request_bytes();
    let posted = read_question_page(&state, request, max_request).await;
    if let Some(problem) = posted.problem {
        return Err(ctx.page_error(problem.page_error()));
    }
    ctx.verify_form(&state, &posted.pairs)?;
    if !posted.uploads.is_empty() {
        ctx.admit(&state, Limit::Upload).await?;
    }
    let (plan, event) = load(&state, &ctx, &token).await?;
    let action = StepAction::parse(form_value(&posted.pairs, "action"));
    let values = FormValues::from_pairs(posted.pairs);
    let result = state
        .portal
        .answer_bundle_page(&plan, event, &place, action, values, posted.uploads)
        .await;
    let (page, values, errors, notice) = match result {
        Ok(BundleStep::Next(_)) if q.to_review() => return Ok(go(&token, &Place::Review)),
        Ok(BundleStep::Next(next)) => return Ok(go(&token, &next)),
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
        Err(e) => return redirect_for(&token, &e).ok_or_else(|| ctx.fail(e)),
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
    bundle_page(&state, &ctx, event, &plan, &page, &place, &q, shown, status)
}

#[expect(
    clippy::too_many_arguments,
    reason = "the page's parts, each named where it is called"
)]
fn bundle_page(
    state: &AppState,
    ctx: &Ctx,
    event: &LifeEvent,
    plan: &Plan,
    page: &BundlePage<'_>,
    place: &Place,
    q: &StepQuery,
    shown: Shown<'_>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let BundlePage::Show { form, step, back } = page else {
        return Ok(go(&plan.token, &Place::Review));
    };
    let (procedure, stored) = match form {
        Some(f) => (f.procedure(), &f.draft.answers),
        None => (&event.facts, &plan.facts),
    };
    let return_to = if q.to_review() { "?return=review" } else { "" };
    let back_url = match (q.to_review(), back) {
        (true, _) => place_url(&plan.token, &Place::Review),
        (false, Some(back)) => place_url(&plan.token, back),
        (false, None) => format!("/plans/{}", plan.token),
    };
    let questions = Questions {
        procedure,
        stored,
        step,
        back_url,
        action: format!("{}{return_to}", place_url(&plan.token, place)),
        resume_url: plan_link(state, &plan.token),
        expires: plan.row.expires_at.to_offset(JST).date(),
    };
    let html = render_questions(state, ctx, questions, shown)?;
    Ok((status, no_store(html)).into_response())
}

/// `GET /plans/{token}/review`: every procedure's answers on one page, and the one submit.
pub async fn review(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let (plan, event) = load(&state, &ctx, &token).await?;
    let forms = match state.portal.bundle_review(&plan, event).await {
        Ok(Ok(forms)) => forms,
        Ok(Err(place)) => return Ok(go(&token, &place)),
        Err(e) => return redirect_for(&token, &e).ok_or_else(|| ctx.fail(e)),
    };
    let page = review_page(&state, &ctx, event, &plan, &forms);
    Ok(no_store(render(&page, ctx.tr)?))
}

/// `POST /plans/{token}/drop`: leave one procedure out of the bundle before submitting.
pub async fn drop(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    PageForm(form): PageForm,
) -> Result<Response, WebError> {
    ctx.verify_form(&state, &form)?;
    let (plan, _) = load(&state, &ctx, &token).await?;
    match state
        .portal
        .drop_from_bundle(&plan, form_value(&form, "procedure"))
        .await
    {
        Ok(()) => Ok(go(&token, &Place::Review)),
        Err(e) => redirect_for(&token, &e).ok_or_else(|| ctx.fail(e)),
    }
}

/// `POST /plans/{token}/submit`: one application per procedure, all in one transaction, however
/// many times it is clicked.
pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    PageForm(form): PageForm,
) -> Result<Response, WebError> {
    ctx.verify_form(&state, &form)?;
    ctx.admit(&state, Limit::Submission).await?;
    let (plan, _) = load(&state, &ctx, &token).await?;
    match state.portal.submit_bundle(&plan).await {
        Ok(BundleSubmit::Done(_)) => Ok(to_done(&token)),
        Ok(BundleSubmit::Incomplete(place)) => Ok(go(&token, &place)),
        Err(e) => redirect_for(&token, &e).ok_or_else(|| ctx.fail(e)),
    }
}

/// `GET /plans/{token}/done`: every 受付番号 with its 担当課 and status, and the one access code.
pub async fn done(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let (plan, event) = load(&state, &ctx, &token).await?;
    let Some(view) = state
        .portal
        .plan_bundle(&plan)
        .await
        .map_err(|e| ctx.fail(e))?
    else {
        return Ok(go(&token, &Place::Review));
    };
    let page = done_page(&state, &ctx, event, &view);
    Ok(no_store(render(&page, ctx.tr)?))
}
