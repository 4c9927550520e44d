//! Filling in an application: one page per step, the check-your-answers page, submission and
//! the confirmation. A draft lives at a private URL (`/drafts/{token}/…`): bookmarking any of
//! its pages is how a resident comes back later, with no account.

use super::{Ctx, form_value};
use crate::AppState;
use crate::body::{BodyProblem, PageForm, QuestionPage, read_question_page};
use crate::error::{PageError, WebError, render};
use crate::views::step::{Shown, render_step, step_url};
use crate::views::{AnswerSection, Base, answer_sections};
use askama::Template;
use axum::extract::{Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use madoguchi_app::AppError;
use madoguchi_app::apply::{self, Draft, StepAction, StepResult};
use madoguchi_app::fees::{FeeText, fee_text};
use madoguchi_app::limits::Limit;
use madoguchi_domain::form::{self, FormValues};
use madoguchi_domain::validate;
use serde::Deserialize;

/// `POST /procedures/{id}/start`: a new draft, then its first question.
pub async fn start(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    PageForm(form): PageForm,
) -> Result<Response, WebError> {
    ctx.verify_form(&state, &form)?;
    let (token, first) = state
        .portal
        .start_draft(&id)
        .await
        .map_err(|e| ctx.fail(e))?;
    Ok(Redirect::to(&step_url(&token, &first, false)).into_response())
}

async fn load(state: &AppState, ctx: &Ctx, token: &str) -> Result<Draft, WebError> {
    state.portal.draft(token).await.map_err(|e| ctx.fail(e))
}

/// `GET /drafts/{token}`: back to where the resident left off.
pub async fn resume(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let draft = load(&state, &ctx, &token).await?;
    if draft.row.application_id.is_some() {
        return Ok(Redirect::to(&format!("/drafts/{token}/done")).into_response());
    }
    Ok(Redirect::to(&first_incomplete(&draft)).into_response())
}

/// The first step still needing an answer, or the check page when none does.
fn first_incomplete(draft: &Draft) -> String {
    match apply::first_incomplete(draft) {
        Some(step) => step_url(&draft.token, step.id.as_str(), false),
        None => format!("/drafts/{}/review", draft.token),
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct StepQuery {
    #[serde(default)]
    r#return: String,
}

impl StepQuery {
    /// Whether the page was opened from the check page (its 「変更」 links), to return there.
    pub(crate) fn to_review(&self) -> bool {
        self.r#return == "review"
    }
}

/// `GET /drafts/{token}/steps/{step}`
pub async fn show_step(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((token, step_id)): Path<(String, String)>,
    Query(q): Query<StepQuery>,
) -> Result<Response, WebError> {
    let draft = load(&state, &ctx, &token).await?;
    if draft.row.application_id.is_some() {
        return Ok(Redirect::to(&format!("/drafts/{token}/done")).into_response());
    }
    let step = draft
        .procedure
        .step(&step_id)
        .ok_or_else(|| ctx.page_error(PageError::NotFound))?;
    if !validate::step_applies(step, &draft.answers) {
        return Ok(Redirect::to(&first_incomplete(&draft)).into_response());
    }
    let values = FormValues::from_answers(step, &draft.answers);
    Ok(no_store(render_step(
        &state,
        &ctx,
        &draft,
        &step_id,
        q.to_review(),
        Shown {
            values: &values,
            errors: &[],
            notice: None,
        },
    )?))
}

/// `POST /drafts/{token}/steps/{step}`: save and move on, or show the page again with messages.
pub async fn answer_step(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((token, step_id)): Path<(String, String)>,
    Query(q): Query<StepQuery>,
    request: Request,
) -> Result<Response, WebError> {
    let max_request = state.portal.config.limits.max_request_bytes();
    let posted = read_question_page(&state, request, max_request).await;
    if let Some(problem) = posted.problem {
        return refused_step(
            &state,
            &ctx,
            &token,
            &step_id,
            q.to_review(),
            posted,
            problem,
        )
        .await;
    }
    ctx.verify_form(&state, &posted.pairs)?;
    if !posted.uploads.is_empty() {
        ctx.admit(&state, Limit::Upload).await?;
    }
    let draft = load(&state, &ctx, &token).await?;
    if draft.row.application_id.is_some() {
        return Ok(Redirect::to(&format!("/drafts/{token}/done")).into_response());
    }
    let action = StepAction::parse(form_value(&posted.pairs, "action"));
    let values = FormValues::from_pairs(posted.pairs);
    let result = state
        .portal
        .post_step(&draft, &step_id, action, values, posted.uploads)
        .await
        .map_err(|e| ctx.fail(e))?;
    show_outcome(&state, &ctx, draft, &step_id, q.to_review(), result)
}

/// Where a posted question page leads: the next step (or the check page), or the page again
/// with its problems or notice.
fn show_outcome(
    state: &AppState,
    ctx: &Ctx,
    draft: Draft,
    step_id: &str,
    to_review: bool,
    result: StepResult,
) -> Result<Response, WebError> {
    let (draft, values, errors, notice, status) = match result {
        StepResult::Saved { draft, next } => {
            let target = match (to_review, next) {
                (true, _) | (false, None) => first_incomplete(&draft),
                (false, Some(next)) => step_url(&draft.token, &next, false),
            };
            return Ok(Redirect::to(&target).into_response());
        }
        StepResult::Invalid {
            draft,
            errors,
            values,
        } => (
            *draft,
            values,
            errors,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        StepResult::Again {
            values,
            errors,
            notice,
        } => (draft, values, errors, notice, StatusCode::OK),
        StepResult::Stopped { stop_id } => {
            let target = format!("/procedures/{}/ineligible/{stop_id}", draft.procedure.id);
            return Ok(Redirect::to(&target).into_response());
        }
    };
    let shown = Shown {
        values: &values,
        errors: &errors,
        notice: notice.map(|key| ctx.tr.t(key)),
    };
    let page = render_step(state, ctx, &draft, step_id, to_review, shown)?;
    Ok((status, no_store(page)).into_response())
}

/// A question page whose body could not be read whole: the page again, with what did arrive
/// and a message at the file that was too large or unreadable (or at the first question).
/// Nothing is saved.
async fn refused_step(
    state: &AppState,
    ctx: &Ctx,
    token: &str,
    step_id: &str,
    to_review: bool,
    posted: QuestionPage,
    problem: BodyProblem,
) -> Result<Response, WebError> {
    if problem == BodyProblem::UnsupportedType {
        return Err(ctx.page_error(problem.page_error()));
    }
    let draft = load(state, ctx, token).await?;
    let max_request = state.portal.config.limits.max_request_bytes();
    let step = draft
        .procedure
        .step(step_id)
        .ok_or_else(|| ctx.page_error(PageError::NotFound))?;
    let error = form::unreadable_post(
        step,
        posted.failed_part.as_deref(),
        problem == BodyProblem::TooLarge,
        max_request as u64,
    );
    let values = FormValues::from_pairs(posted.pairs);
    let shown = Shown {
        values: &values,
        errors: std::slice::from_ref(&error),
        notice: None,
    };
    let page = render_step(state, ctx, &draft, step_id, to_review, shown)?;
    Ok((problem.status(), no_store(page)).into_response())
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    base: Base,
    procedure_title: String,
    sections: Vec<AnswerSection>,
    fee: Option<FeeText>,
    action: String,
    back_url: String,
}

/// `GET /drafts/{token}/review`: check your answers.
pub async fn review(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let draft = load(&state, &ctx, &token).await?;
    if draft.row.application_id.is_some() {
        return Ok(Redirect::to(&format!("/drafts/{token}/done")).into_response());
    }
    let target = first_incomplete(&draft);
    if !target.ends_with("/review") {
        return Ok(Redirect::to(&target).into_response());
    }
    let p = &draft.procedure;
    let lang = ctx.tr.lang.code();
    let last = validate::applicable_steps(p, &draft.answers)
        .last()
        .map(|s| s.id.to_string())
        .unwrap_or_default();
    let page = ReviewPage {
        base: ctx.base(
            &state,
            format!("{} - {}", ctx.tr.t("review-title"), p.title.get(lang)),
        ),
        procedure_title: p.title.get(lang).to_owned(),
        sections: answer_sections(ctx.tr, p, &draft.answers, Some(&format!("/drafts/{token}"))),
        fee: fee_text(ctx.tr, p, &draft.answers, None),
        action: format!("/drafts/{token}/submit"),
        back_url: step_url(&token, &last, false),
    };
    Ok(no_store(render(&page, ctx.tr)?))
}

/// `POST /drafts/{token}/submit`: one application, however many times it is clicked.
pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    PageForm(form): PageForm,
) -> Result<Response, WebError> {
    ctx.verify_form(&state, &form)?;
    ctx.admit(&state, Limit::Submission).await?;
    let draft = load(&state, &ctx, &token).await?;
    match state.portal.submit_draft(&draft).await {
        Ok(_) => Ok(Redirect::to(&format!("/drafts/{token}/done")).into_response()),
        Err(AppError::Invalid(_)) => Ok(Redirect::to(&first_incomplete(&draft)).into_response()),
        Err(e) => Err(ctx.fail(e)),
    }
}

#[derive(Template)]
#[template(path = "done.html")]
struct DonePage {
    base: Base,
    procedure_title: String,
    receipt: String,
    access_code: String,
    next: String,
    contact: String,
    fee: Option<FeeText>,
    mail_sent: bool,
}

/// `GET /drafts/{token}/done`: the receipt number and access code.
pub async fn done(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let draft = load(&state, &ctx, &token).await?;
    let Some(receipt) = state
        .portal
        .submitted(&draft)
        .await
        .map_err(|e| ctx.fail(e))?
    else {
        return Ok(Redirect::to(&format!("/drafts/{token}/review")).into_response());
    };
    let p = &draft.procedure;
    let lang = ctx.tr.lang.code();
    let department = p.department.name.get(lang).to_owned();
    let phone = p
        .department
        .phone
        .clone()
        .unwrap_or_else(|| state.portal.config.municipality.phone.clone());
    let page = DonePage {
        base: ctx.base(
            &state,
            format!("{} - {}", ctx.tr.t("done-title"), p.title.get(lang)),
        ),
        procedure_title: p.title.get(lang).to_owned(),
        receipt: receipt.application.receipt_number,
        access_code: receipt.access_code,
        next: ctx.tr.t_with(
            "done-next-body",
            &[
                ("department", department.clone()),
                ("time", p.processing_time.get(lang).to_owned()),
            ],
        ),
        contact: ctx.tr.t_with(
            "done-contact",
            &[("department", department), ("phone", phone)],
        ),
        fee: fee_text(ctx.tr, p, &draft.answers, None),
        mail_sent: p
            .notify_email_field
            .as_ref()
            .is_some_and(|f| draft.answers.contains(f.as_str())),
    };
    Ok(no_store(render(&page, ctx.tr)?))
}

/// Pages holding a resident's answers or codes are never kept by shared caches or the
/// browser's back-forward cache on a shared computer.
pub fn no_store(page: Html<String>) -> Response {
    ([(header::CACHE_CONTROL, "no-store")], page).into_response()
}
