//! Life events: the event's page, the interview one page at a time, and the personal list of
//! procedures — for the resident at a private link (`/plans/{token}/…`) and, with the same
//! handlers, for counter staff running the interview of a visit
//! (`/staff/counter/visits/{visit}/plan/…`).

use super::drafts::no_store;
use super::{Ctx, form_value};
use crate::AppState;
use crate::body::PageForm;
use crate::error::{PageError, WebError, render};
use crate::staff::StaffCtx;
use crate::views::life_events::{code_page, event_page, plan_page};
use crate::views::step::{Questions, Shown, render_questions};
use axum::extract::{FromRequestParts, Path, RawPathParams, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use madoguchi_app::AppError;
use madoguchi_app::apply::{StepAction, previous_step};
use madoguchi_app::life_events::{InterviewResult, Plan, PlanPart};
use madoguchi_app::timefmt::JST;
use madoguchi_domain::form::FormValues;
use madoguchi_domain::life_event::LifeEvent;
use madoguchi_domain::validate;
use serde::Deserialize;
use uuid::Uuid;

/// A plan's page as reached: at the resident's private link, or at the counter visit that runs
/// it. The handlers of both are the same; only the addresses and the page's chrome differ.
pub(crate) struct PlanAt {
    /// The request's context; at the counter, with the staff member's menu.
    pub ctx: Ctx,
    pub plan: Plan,
    /// The address of the plan's list: every page of the plan is under it.
    pub base: String,
    /// The private link the resident keeps; none at the counter.
    pub link: Option<String>,
    /// The counter visit that runs the plan.
    pub visit: Option<Uuid>,
}

impl PlanAt {
    /// The address of a page of the plan, `rest` after the list's (`"review"`, `"steps/x"`).
    pub fn url(&self, rest: &str) -> String {
        if rest.is_empty() {
            self.base.clone()
        } else {
            format!("{}/{rest}", self.base)
        }
    }

    pub fn event<'s>(&self, state: &'s AppState) -> Result<&'s LifeEvent, WebError> {
        state
            .portal
            .life_event(&self.plan.row.event_id)
            .map_err(|e| self.ctx.fail(e))
    }
}

impl FromRequestParts<AppState> for PlanAt {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| {
                WebError::Page(
                    PageError::NotFound,
                    crate::lang::from_headers(&parts.headers),
                )
            })?;
        let param = |name: &str| {
            params
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_owned())
        };
        if let Some(visit) = param("visit") {
            let staff = StaffCtx::from_request_parts(parts, state).await?;
            return at_counter(state, staff, &visit).await;
        }
        let ctx = Ctx::from_request_parts(parts, state).await?;
        let token = param("token").unwrap_or_default();
        let plan = state.portal.plan(&token).await.map_err(|e| ctx.fail(e))?;
        Ok(Self {
            link: Some(plan_link(state, &token)),
            base: format!("/plans/{token}"),
            visit: None,
            ctx,
            plan,
        })
    }
}

/// The plan a counter visit runs, for the staff member who took the visit; a visit that has
/// ended (or runs no interview) sends them back to it.
async fn at_counter(state: &AppState, staff: StaffCtx, visit: &str) -> Result<PlanAt, WebError> {
    let id = Uuid::parse_str(visit).map_err(|_| staff.ctx.page_error(PageError::NotFound))?;
    match state.portal.visit_plan(&staff.staff, id, &staff.ip()).await {
        Ok(plan) => Ok(PlanAt {
            plan,
            base: format!("/staff/counter/visits/{id}/plan"),
            link: None,
            visit: Some(id),
            ctx: staff.ctx,
        }),
        Err(AppError::Conflict) => Err(WebError::Redirect(format!("/staff/counter/visits/{id}"))),
        Err(e) => Err(staff.fail(e)),
    }
}

/// The step of an interview or bundle address.
#[derive(Deserialize)]
pub(crate) struct StepParam {
    pub step: String,
}

/// `GET /life-events/{id}`: what the event covers, and the start button.
pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let event = state
        .portal
        .public_life_event(&id)
        .map_err(|e| ctx.fail(e))?;
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

/// `GET /plans/{token}`: the personal list, or the interview page still unanswered.
pub async fn list(State(state): State<AppState>, at: PlanAt) -> Result<Response, WebError> {
    let event = at.event(&state)?;
    if let Some(step) = state.portal.unanswered(event, &at.plan.interview) {
        return Ok(Redirect::to(&at.url(&format!("steps/{}", step.id))).into_response());
    }
    let choice = state
        .portal
        .bundle_choice(&at.plan)
        .await
        .map_err(|e| at.ctx.fail(e))?;
    let page = plan_page(&state, &at, event, &choice);
    Ok(no_store(render(&page, at.ctx.tr)?))
}

/// `GET /plans/{token}/steps/{step}`: one interview page, with the answers given so far.
pub async fn show_step(
    State(state): State<AppState>,
    at: PlanAt,
    Path(StepParam { step: step_id }): Path<StepParam>,
) -> Result<Response, WebError> {
    let event = at.event(&state)?;
    let step = event
        .interview
        .step(&step_id)
        .ok_or_else(|| at.ctx.page_error(PageError::NotFound))?;
    if !validate::step_applies(step, &at.plan.interview) {
        return Ok(Redirect::to(&at.url("")).into_response());
    }
    let values = FormValues::from_answers(step, &at.plan.interview);
    let shown = Shown {
        values: &values,
        errors: &[],
        notice: None,
    };
    interview_page(&state, &at, event, &step_id, shown, StatusCode::OK)
}

/// `POST /plans/{token}/steps/{step}`: save and move on (to the list after the last page), or
/// the page again with its problems.
pub async fn answer_step(
    State(state): State<AppState>,
    at: PlanAt,
    Path(StepParam { step: step_id }): Path<StepParam>,
    PageForm(form): PageForm,
) -> Result<Response, WebError> {
    at.ctx.verify_form(&state, &form)?;
    let event = at.event(&state)?;
    let action = StepAction::parse(form_value(&form, "action"));
    let values = FormValues::from_pairs(form);
    let result = state
        .portal
        .answer_plan_page(&at.plan, PlanPart::Interview, &step_id, action, values)
        .await
        .map_err(|e| at.ctx.fail(e))?;
    match result {
        InterviewResult::Saved { next: Some(next) } => {
            Ok(Redirect::to(&at.url(&format!("steps/{next}"))).into_response())
        }
        InterviewResult::Saved { next: None } => Ok(Redirect::to(&at.url("")).into_response()),
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
                notice: notice.map(|key| at.ctx.tr.t(key)),
            };
            interview_page(&state, &at, event, &step_id, shown, status)
        }
    }
}

/// `POST /plans/{token}/counter-code`: the code to take the plan to the counter, shown once.
pub async fn counter_code(
    State(state): State<AppState>,
    at: PlanAt,
    PageForm(form): PageForm,
) -> Result<Response, WebError> {
    at.ctx.verify_form(&state, &form)?;
    let code = state
        .portal
        .issue_counter_code(&at.plan)
        .await
        .map_err(|e| at.ctx.fail(e))?;
    let page = code_page(&state, &at, code);
    Ok(no_store(render(&page, at.ctx.tr)?))
}

fn interview_page(
    state: &AppState,
    at: &PlanAt,
    event: &LifeEvent,
    step_id: &str,
    shown: Shown<'_>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let step = event
        .interview
        .step(step_id)
        .ok_or_else(|| at.ctx.page_error(PageError::NotFound))?;
    let back_url = previous_step(&event.interview, &at.plan.interview, step_id).map_or_else(
        || match at.visit {
            Some(visit) => format!("/staff/counter/visits/{visit}"),
            None => format!("/life-events/{}", event.id),
        },
        |s| at.url(&format!("steps/{}", s.id)),
    );
    let questions = Questions {
        procedure: &event.interview,
        stored: &at.plan.interview,
        step,
        back_url,
        action: at.url(&format!("steps/{step_id}")),
        resume_url: at.link.clone(),
        expires: at.plan.row.expires_at.to_offset(JST).date(),
    };
    let page = render_questions(state, &at.ctx, questions, shown)?;
    Ok((status, no_store(page)).into_response())
}

/// The private link of a plan, as the resident keeps it.
pub(crate) fn plan_link(state: &AppState, token: &str) -> String {
    format!(
        "{}/plans/{token}",
        state.portal.config.public_url.trim_end_matches('/')
    )
}
