//! Checking an application with its receipt number and access code, and withdrawing it.
//! The code travels only in POST bodies, never in a URL that could be logged or shared.

use super::drafts::no_store;
use super::{Ctx, form_value};
use crate::AppState;
use crate::error::{PageError, WebError, render};
use crate::views::{
    AnswerSection, Base, FieldBuilder, FieldView, SummaryItem, anchor, answer_sections,
    problem_message, status_class,
};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use madoguchi_app::AppError;
use madoguchi_app::apply::{Resubmission, StatusView};
use madoguchi_domain::ApplicationStatus;
use madoguchi_domain::form::FormValues;
use madoguchi_domain::validate::{FieldError, FieldPath};

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
    /// The department's correction request and the questions it names, ready to fix.
    correction_message: Option<String>,
    fields: Vec<FieldView>,
    summary: Vec<SummaryItem>,
}

/// What the correction form shows: the submitted answers at first, what was typed after an
/// error.
struct CorrectionShown<'a> {
    values: &'a FormValues,
    errors: &'a [FieldError],
}

fn status_page(
    state: &AppState,
    ctx: &Ctx,
    view: &StatusView,
    access_code: &str,
    notice: Option<String>,
    withdraw_error: Option<String>,
    correction: Option<CorrectionShown<'_>>,
) -> StatusPage {
    let lang = ctx.tr.lang.code();
    let status = view.application.status;
    let mut base = ctx.base(state, ctx.tr.t("status-title"));
    let stored_values = correction_values(view);
    let shown = correction.or_else(|| {
        view.correction.as_ref().map(|_| CorrectionShown {
            values: &stored_values,
            errors: &[],
        })
    });
    let errors = shown.as_ref().map_or(&[][..], |s| s.errors);
    base.has_errors = withdraw_error.is_some() || !errors.is_empty();
    let fields = match (&view.correction, &shown) {
        (Some(correction), Some(shown)) => {
            let builder = FieldBuilder {
                tr: ctx.tr,
                values: shown.values,
                stored: &view.answers,
                errors: shown.errors,
                procedure: &view.procedure,
            };
            view.procedure
                .fields()
                .map(|(_, f)| f)
                .filter(|f| correction.asks_for(f.id.as_str()))
                .map(|f| {
                    let mut field = builder.build(f, &FieldPath::field(f.id.as_str()));
                    // Fix the items as they are; adding or removing items is for a new application.
                    field.can_add = false;
                    field.items.iter_mut().for_each(|i| i.can_remove = false);
                    field
                })
                .collect()
        }
        _ => Vec::new(),
    };
    StatusPage {
        base,
        procedure_title: view.procedure.title.get(lang).to_owned(),
        receipt: view.application.receipt_number.clone(),
        access_code: access_code.to_owned(),
        status_text: ctx.tr.t(&format!("app-status-{}", status.as_str())),
        status_class: status_class(status),
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
                what: match (e.kind.as_str(), &e.note) {
                    // The department's reason is the resident's to read.
                    ("rejected" | "correction_requested", Some(note)) => {
                        format!("{}：{note}", ctx.tr.t(&format!("event-{}", e.kind)))
                    }
                    _ => ctx.tr.t(&format!("event-{}", e.kind)),
                },
            })
            .collect(),
        sections: answer_sections(ctx.tr, &view.procedure, &view.answers, None),
        can_withdraw: status.can_withdraw(),
        notice,
        withdraw_error,
        correction_message: view.correction.as_ref().map(|c| c.message.clone()),
        fields,
        summary: errors
            .iter()
            .map(|e| SummaryItem {
                href: anchor(&view.procedure, e),
                message: problem_message(ctx.tr, &view.procedure, e),
            })
            .collect(),
    }
}

/// The submitted answers to the questions a correction names, as form values.
fn correction_values(view: &StatusView) -> FormValues {
    let Some(correction) = &view.correction else {
        return FormValues::default();
    };
    let step = madoguchi_domain::procedure::Step {
        id: madoguchi_domain::ids::StepId::parse("correction").expect("a valid id"),
        title: Default::default(),
        help: None,
        show_if: None,
        fields: view
            .procedure
            .fields()
            .map(|(_, f)| f.clone())
            .filter(|f| correction.asks_for(f.id.as_str()))
            .collect(),
    };
    FormValues::from_answers(&step, &view.answers)
}

/// The receipt number and access code a status form carries, after the checks every status
/// form shares: its CSRF token and the per-address look-up budget.
fn read_codes(
    state: &AppState,
    ctx: &Ctx,
    form: &[(String, String)],
) -> Result<(String, String), WebError> {
    ctx.verify_form(state, form)?;
    if !state.lookups.allow(ctx.ip) {
        return Err(ctx.page_error(PageError::RateLimited));
    }
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
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (receipt, access_code) = read_codes(&state, &ctx, &form)?;
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
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (receipt, access_code) = read_codes(&state, &ctx, &form)?;
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
    match state.portal.withdraw(&receipt, &access_code).await {
        Ok(view) => show(&state, &ctx, &view, &access_code, withdrawn, StatusCode::OK),
        // A second click: the first one already withdrew it.
        Err(AppError::NotAllowed(ApplicationStatus::Withdrawn)) => {
            let view = current(&state).await.map_err(|e| ctx.fail(e))?;
            show(&state, &ctx, &view, &access_code, withdrawn, StatusCode::OK)
        }
        Err(AppError::NotAllowed(_)) => {
            let view = current(&state).await.map_err(|e| ctx.fail(e))?;
            let problem = Err(ctx.tr.t("status-withdraw-not-allowed"));
            show(
                &state,
                &ctx,
                &view,
                &access_code,
                problem,
                StatusCode::CONFLICT,
            )
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

/// `POST /status/resubmit`: the resident's fixed answers to a correction request.
pub async fn resubmit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (receipt, access_code) = read_codes(&state, &ctx, &form)?;
    let values = FormValues::from_pairs(form.iter().cloned());
    match state
        .portal
        .resubmit(&receipt, &access_code, values)
        .await
        .map_err(|e| ctx.fail(e))?
    {
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
