//! Checking an application with its receipt number and access code, and withdrawing it.
//! The code travels only in POST bodies, never in a URL that could be logged or shared.

use super::drafts::no_store;
use super::{Ctx, form_value};
use crate::AppState;
use crate::error::{PageError, WebError, render};
use crate::views::{AnswerSection, Base, answer_sections};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use madoguchi_app::AppError;
use madoguchi_app::portal::StatusView;
use madoguchi_domain::ApplicationStatus;

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

#[derive(Debug, Clone)]
struct HistoryRow {
    when: String,
    what: String,
}

#[derive(Template)]
#[template(path = "status.html")]
struct StatusPage {
    base: Base,
    procedure_title: String,
    receipt: String,
    access_code: String,
    status_text: String,
    status_class: &'static str,
    history: Vec<HistoryRow>,
    sections: Vec<AnswerSection>,
    can_withdraw: bool,
    notice: Option<String>,
    withdraw_error: Option<String>,
}

fn status_page(
    state: &AppState,
    ctx: &Ctx,
    view: &StatusView,
    access_code: &str,
    notice: Option<String>,
    withdraw_error: Option<String>,
) -> StatusPage {
    let lang = ctx.tr.lang.code();
    let status = view.application.status;
    let mut base = ctx.base(state, ctx.tr.t("status-title"));
    base.has_errors = withdraw_error.is_some();
    StatusPage {
        base,
        procedure_title: view.procedure.title.get(lang).to_owned(),
        receipt: view.application.receipt_number.clone(),
        access_code: access_code.to_owned(),
        status_text: ctx.tr.t(&format!("app-status-{}", status.as_str())),
        status_class: match status {
            ApplicationStatus::Rejected | ApplicationStatus::Withdrawn => "tag tag-grey",
            ApplicationStatus::CorrectionRequested => "tag tag-warn",
            ApplicationStatus::Approved | ApplicationStatus::Completed => "tag tag-done",
            _ => "tag",
        },
        history: view
            .events
            .iter()
            .map(|e| HistoryRow {
                when: e
                    .created_at
                    .to_offset(time::macros::offset!(+9))
                    .format(time::macros::format_description!(
                        "[year]年[month padding:none]月[day padding:none]日 [hour]:[minute]"
                    ))
                    .unwrap_or_default(),
                what: ctx.tr.t(&format!("event-{}", e.kind)),
            })
            .collect(),
        sections: answer_sections(ctx.tr, &view.procedure, &view.answers, None),
        can_withdraw: status.can_withdraw(),
        notice,
        withdraw_error,
    }
}

/// `POST /status`
pub async fn lookup(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    ctx.verify_csrf(&state, form_value(&form, crate::csrf::FIELD))?;
    if !state.lookups.allow(ctx.ip) {
        return Err(ctx.page_error(PageError::RateLimited));
    }
    let receipt = form_value(&form, "receipt").trim().to_owned();
    let access_code = form_value(&form, "access_code").trim().to_owned();
    match state.portal.status(&receipt, &access_code).await {
        Ok(view) => Ok(no_store(render(
            &status_page(&state, &ctx, &view, &access_code, None, None),
            ctx.tr,
        )?)),
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
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    ctx.verify_csrf(&state, form_value(&form, crate::csrf::FIELD))?;
    if !state.lookups.allow(ctx.ip) {
        return Err(ctx.page_error(PageError::RateLimited));
    }
    let receipt = form_value(&form, "receipt").trim().to_owned();
    let access_code = form_value(&form, "access_code").trim().to_owned();
    if form_value(&form, "confirm") != "yes" {
        let view = state
            .portal
            .status(&receipt, &access_code)
            .await
            .map_err(|e| ctx.fail(e))?;
        let page = status_page(
            &state,
            &ctx,
            &view,
            &access_code,
            None,
            Some(ctx.tr.t("status-withdraw-confirm-required")),
        );
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            no_store(render(&page, ctx.tr)?),
        )
            .into_response());
    }
    match state.portal.withdraw(&receipt, &access_code).await {
        Ok(view) => Ok(no_store(render(
            &status_page(
                &state,
                &ctx,
                &view,
                &access_code,
                Some(ctx.tr.t("status-withdrawn-notice")),
                None,
            ),
            ctx.tr,
        )?)),
        Err(AppError::NotAllowed(ApplicationStatus::Withdrawn)) => {
            let view = state
                .portal
                .status(&receipt, &access_code)
                .await
                .map_err(|e| ctx.fail(e))?;
            Ok(no_store(render(
                &status_page(
                    &state,
                    &ctx,
                    &view,
                    &access_code,
                    Some(ctx.tr.t("status-withdrawn-notice")),
                    None,
                ),
                ctx.tr,
            )?))
        }
        Err(AppError::NotAllowed(_)) => {
            let view = state
                .portal
                .status(&receipt, &access_code)
                .await
                .map_err(|e| ctx.fail(e))?;
            let page = status_page(
                &state,
                &ctx,
                &view,
                &access_code,
                None,
                Some(ctx.tr.t("status-withdraw-not-allowed")),
            );
            Ok((StatusCode::CONFLICT, no_store(render(&page, ctx.tr)?)).into_response())
        }
        Err(e) => Err(ctx.fail(e)),
    }
}
