//! Checking an application with its receipt number and access code, and withdrawing it.
//! The code travels only in POST bodies, never in a URL that could be logged or shared.

use super::drafts::no_store;
use super::{Ctx, form_value};
use crate::AppState;
use crate::body::{PageForm, read_question_page};
use crate::error::{WebError, render};
use crate::views::Base;
use crate::views::status::{CorrectionShown, status_page};
use askama::Template;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use madoguchi_app::AppError;
use madoguchi_app::apply::{Resubmission, StatusView};
use madoguchi_app::limits::Limit;
use madoguchi_domain::ApplicationStatus;
use madoguchi_domain::form::FormValues;

#[derive(Template)]
#[template(path = "status_lookup.html")]
struct LookupPage {
    base: Base,
    receipt: String,
    access_code: String,
    error: Option<String>,
}

pub async fn lookup_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let page = LookupPage {
        base: ctx.base(&state, ctx.tr.t("status-lookup-title")),
        receipt: String::new(),
        access_code: String::new(),
        error: None,
    };
    Ok(render(&page, ctx.tr)?.into_response())
}

/// The receipt number and access code a status form carries, after the checks every status
/// form shares: its CSRF token and the per-address look-up budget.
async fn read_codes(
    state: &AppState,
    ctx: &Ctx,
    form: &[(String, String)],
) -> Result<(String, String), WebError> {
    ctx.verify_form(state, form)?;
    ctx.admit(state, Limit::StatusLookup).await?;
    Ok((
        form_value(form, "receipt").trim().to_owned(),
        form_value(form, "access_code").trim().to_owned(),
    ))
}

/// The status page, with a notice or a withdrawal problem, under `status`.
fn show(
    state: &AppState,
    ctx: &Ctx,
    view: &StatusView,
    access_code: &str,
    message: Result<Option<String>, String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let (notice, error) = match message {
        Ok(notice) => (notice, None),
        Err(error) => (None, Some(error)),
    };
    let page = status_page(state, ctx, view, access_code, notice, error, None);
    Ok((status, no_store(render(&page, ctx.tr)?)).into_response())
}

/// `POST /status`
pub async fn lookup(
    State(state): State<AppState>,
    ctx: Ctx,
    PageForm(form): PageForm,
) -> Result<Response, WebError> {
    let (receipt, access_code) = read_codes(&state, &ctx, &form).await?;
    match state.portal.status(&receipt, &access_code).await {
        Ok(view) => show(&state, &ctx, &view, &access_code, Ok(None), StatusCode::OK),
        Err(AppError::NotFound) => {
            let mut base = ctx.base(&state, ctx.tr.t("status-lookup-title"));
            base.has_errors = true;
            let page = LookupPage {
                base,
                receipt,
                access_code,
                error: Some(ctx.tr.t("status-not-found")),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page, ctx.tr)?).into_response())
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

/// `POST /status/withdraw`: needs the confirmation box ticked; safe to click twice.
pub async fn withdraw(
    State(state): State<AppState>,
    ctx: Ctx,
    PageForm(form): PageForm,
) -> Result<Response, WebError> {
    let (receipt, access_code) = read_codes(&state, &ctx, &form).await?;
    let current = |state: &AppState| {
        let (portal, receipt, access_code) =
            (state.portal.clone(), receipt.clone(), access_code.clone());
        async move { portal.status(&receipt, &access_code).await }
    };
    if form_value(&form, "confirm") != "yes" {
        let view = current(&state).await.map_err(|e| ctx.fail(e))?;
        let problem = Err(ctx.tr.t("status-withdraw-confirm-required"));
        return show(
            &state,
            &ctx,
            &view,
            &access_code,
            problem,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let withdrawn = Ok(Some(ctx.tr.t("status-withdrawn-notice")));
    let refused = match state.portal.withdraw(&receipt, &access_code).await {
        Ok(view) => return show(&state, &ctx, &view, &access_code, withdrawn, StatusCode::OK),
        Err(e @ (AppError::NotAllowed(_) | AppError::Conflict)) => e,
        Err(e) => return Err(ctx.fail(e)),
    };
    // The page as it is now. Withdrawn already is a second click (or one racing it): done.
    let view = current(&state).await.map_err(|e| ctx.fail(e))?;
    if view.application.status == ApplicationStatus::Withdrawn {
        return show(&state, &ctx, &view, &access_code, withdrawn, StatusCode::OK);
    }
    let key = match refused {
        // The department acted at the same moment.
        AppError::Conflict => "case-error-conflict",
        _ => "status-withdraw-not-allowed",
    };
    show(
        &state,
        &ctx,
        &view,
        &access_code,
        Err(ctx.tr.t(key)),
        StatusCode::CONFLICT,
    )
}

/// `POST /status/resubmit`: the resident's fixed answers to a correction request (multipart
/// when a question asked about takes files).
pub async fn resubmit(
    State(state): State<AppState>,
    ctx: Ctx,
    request: Request,
) -> Result<Response, WebError> {
    let max_request = state.portal.config.limits.max_request_bytes();
    let posted = read_question_page(&state, request, max_request).await;
    if let Some(problem) = posted.problem {
        return Err(WebError::Page(problem.page_error(), ctx.tr));
    }
    let (receipt, access_code) = read_codes(&state, &ctx, &posted.pairs).await?;
    if !posted.uploads.is_empty() {
        ctx.admit(&state, Limit::Upload).await?;
    }
    let values = FormValues::from_pairs(posted.pairs);
    let outcome = match state
        .portal
        .resubmit(&receipt, &access_code, values, posted.uploads)
        .await
    {
        Ok(outcome) => outcome,
        // The department changed the application meanwhile: the page as it is now.
        Err(e @ (AppError::Conflict | AppError::NotAllowed(_))) => {
            let view = state
                .portal
                .status(&receipt, &access_code)
                .await
                .map_err(|e| ctx.fail(e))?;
            let key = match e {
                AppError::Conflict => "case-error-conflict",
                _ => "status-resubmit-not-allowed",
            };
            let problem = Err(ctx.tr.t(key));
            return show(
                &state,
                &ctx,
                &view,
                &access_code,
                problem,
                StatusCode::CONFLICT,
            );
        }
        Err(e) => return Err(ctx.fail(e)),
    };
    match outcome {
        Resubmission::Done(view) => {
            let notice = Ok(Some(ctx.tr.t("status-resubmitted-notice")));
            show(&state, &ctx, &view, &access_code, notice, StatusCode::OK)
        }
        Resubmission::Invalid {
            view,
            errors,
            values,
        } => {
            let shown = CorrectionShown {
                values: &values,
                errors: &errors,
            };
            let page = status_page(&state, &ctx, &view, &access_code, None, None, Some(shown));
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                no_store(render(&page, ctx.tr)?),
            )
                .into_response())
        }
    }
}
