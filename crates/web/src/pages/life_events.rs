//! Life events for the resident: the event's page, the interview one page at a time at a
//! private link (`/plans/{token}/…`), and the personal list of procedures.

use super::drafts::no_store;
use super::{Ctx, form_value};
use crate::AppState;
use crate::body::PageForm;
use crate::error::{PageError, WebError, render};
use crate::views::life_events::{event_page, plan_page};
use crate::views::step::{Questions, Shown, render_questions};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use madoguchi_app::apply::{StepAction, previous_step};
use madoguchi_app::life_events::{InterviewResult, Plan, PlanPart};
use madoguchi_app::timefmt::JST;
use madoguchi_domain::form::FormValues;
use madoguchi_domain::life_event::LifeEvent;
use madoguchi_domain::validate;

/// `GET /life-events/{id}`: what the event covers, and the start button.
pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let event = state.portal.life_event(&id).map_err(|e| ctx.fail(e))?;
    let page = event_page(&state, &ctx, event);
    Ok(render(&page, ctx.tr)?.into_response())
}

/// `POST /life-events/{id}/start`: a new plan at a private link, then the interview.
pub async fn start(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    PageForm(form): PageForm,
) -> Result<Response, WebError> {
    ctx.verify_form(&state, &form)?;
    let (token, first) = state
        .portal
        .start_plan(&id)
        .await
        .map_err(|e| ctx.fail(e))?;
    Ok(Redirect::to(&interview_url(&token, &first)).into_response())
}

fn interview_url(token: &str, step: &str) -> String {
    format!("/plans/{token}/steps/{step}")
}

pub(crate) async fn load<'s>(
    state: &'s AppState,
    ctx: &Ctx,
    token: &str,
) -> Result<(Plan, &'s LifeEvent), WebError> {
    let plan = state.portal.plan(token).await.map_err(|e| ctx.fail(e))?;
    let event = state
        .portal
        .life_event(&plan.row.event_id)
        .map_err(|e| ctx.fail(e))?;
    Ok((plan, event))
}

/// `GET /plans/{token}`: the personal list, or the interview page still unanswered.
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let (plan, event) = load(&state, &ctx, &token).await?;
    if let Some(step) = state.portal.unanswered(event, &plan.interview) {
        return Ok(Redirect::to(&interview_url(&token, step.id.as_str())).into_response());
    }
    let choice = state
        .portal
        .bundle_choice(&plan)
        .await
        .map_err(|e| ctx.fail(e))?;
    let page = plan_page(&state, &ctx, event, &plan, &choice);
    Ok(no_store(render(&page, ctx.tr)?))
}

/// `GET /plans/{token}/steps/{step}`: one interview page, with the answers given so far.
pub async fn show_step(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((token, step_id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let (plan, event) = load(&state, &ctx, &token).await?;
    let step = event
        .interview
        .step(&step_id)
        .ok_or_else(|| ctx.page_error(PageError::NotFound))?;
    if !validate::step_applies(step, &plan.interview) {
        return Ok(Redirect::to(&format!("/plans/{token}")).into_response());
    }
    let values = FormValues::from_answers(step, &plan.interview);
    let shown = Shown {
        values: &values,
        errors: &[],
        notice: None,
    };
    interview_page(&state, &ctx, event, &plan, &step_id, shown, StatusCode::OK)
}

/// `POST /plans/{token}/steps/{step}`: save and move on (to the list after the last page), or
/// the page again with its problems.
pub async fn answer_step(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((token, step_id)): Path<(String, String)>,
    PageForm(form): PageForm,
) -> Result<Response, WebError> {
    ctx.verify_form(&state, &form)?;
    let (plan, event) = load(&state, &ctx, &token).await?;
    let action = StepAction::parse(form_value(&form, "action"));
    let values = FormValues::from_pairs(form);
    let result = state
        .portal
        .answer_plan_page(&plan, PlanPart::Interview, &step_id, action, values)
        .await
        .map_err(|e| ctx.fail(e))?;
    match result {
        InterviewResult::Saved { next: Some(next) } => {
            Ok(Redirect::to(&interview_url(&token, &next)).into_response())
        }
        InterviewResult::Saved { next: None } => {
            Ok(Redirect::to(&format!("/plans/{token}")).into_response())
        }
        InterviewResult::Again {
            values,
            errors,
            notice,
        } => {
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
            interview_page(&state, &ctx, event, &plan, &step_id, shown, status)
        }
    }
}

fn interview_page(
    state: &AppState,
    ctx: &Ctx,
    event: &LifeEvent,
    plan: &Plan,
    step_id: &str,
    shown: Shown<'_>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let step = event
        .interview
        .step(step_id)
        .ok_or_else(|| ctx.page_error(PageError::NotFound))?;
    let back_url = previous_step(&event.interview, &plan.interview, step_id).map_or_else(
        || format!("/life-events/{}", event.id),
        |s| interview_url(&plan.token, s.id.as_str()),
    );
    let questions = Questions {
        procedure: &event.interview,
        stored: &plan.interview,
        step,
        back_url,
        action: interview_url(&plan.token, step_id),
        resume_url: plan_link(state, &plan.token),
        expires: plan.row.expires_at.to_offset(JST).date(),
    };
    let page = render_questions(state, ctx, questions, shown)?;
    Ok((status, no_store(page)).into_response())
}

/// The private link of a plan, as the resident keeps it.
pub(crate) fn plan_link(state: &AppState, token: &str) -> String {
    format!(
        "{}/plans/{token}",
        state.portal.config.public_url.trim_end_matches('/')
    )
}
