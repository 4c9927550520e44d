//! One case: the page, the staff actions, the reveal of a 個人番号 and attachment downloads.

use crate::AppState;
use crate::body::PageForm;
use crate::error::{PageError, WebError, render};
use crate::pages::drafts::no_store;
use crate::pages::form_value;
use crate::staff::{StaffCtx, download};
use crate::views::case::case_page;
use crate::views::refusal_message;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use madoguchi_app::AppError;
use madoguchi_app::cases::ActionInput;
use madoguchi_domain::ApplicationStatus;
use madoguchi_domain::case::StaffAction;
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Deserialize, Default)]
pub struct CaseParams {
    #[serde(default)]
    done: String,
}

pub async fn show(
    State(state): State<AppState>,
    staff: StaffCtx,
    Path(receipt): Path<String>,
    Query(params): Query<CaseParams>,
) -> Result<Response, WebError> {
    let notice = StaffAction::parse(&params.done)
        .map(|a| staff.ctx.tr.t(&format!("case-done-{}", a.as_str())));
    case_now(&state, &staff, &receipt, notice, None, StatusCode::OK).await
}

/// The case page as it is now (the read audited), with a notice or what stopped an action.
async fn case_now(
    state: &AppState,
    staff: &StaffCtx,
    receipt: &str,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let file = state
        .portal
        .open_case(&staff.staff.actor(), receipt, &staff.ip())
        .await
        .map_err(|e| staff.fail(e))?;
    let page = case_page(state, staff, &file, notice, error, None);
    Ok((status, no_store(render(&page, staff.ctx.tr)?)).into_response())
}

pub async fn act(
    State(state): State<AppState>,
    staff: StaffCtx,
    Path(receipt): Path<String>,
    PageForm(form): PageForm,
) -> Result<Response, WebError> {
    staff.ctx.verify_form(&state, &form)?;
    let Some(action) = StaffAction::parse(form_value(&form, "action")) else {
        return Err(staff.ctx.page_error(PageError::NotFound));
    };
    let input = ActionInput {
        action,
        text: form_value(&form, "text").to_owned(),
        fields: form
            .iter()
            .filter(|(k, _)| k == "fields")
            .map(|(_, v)| v.clone())
            .collect(),
        assignee: Uuid::parse_str(form_value(&form, "assignee")).ok(),
        amount: form_value(&form, "amount").to_owned(),
        seen: ApplicationStatus::parse(form_value(&form, "seen")),
    };
    let actor = staff.staff.actor();
    match state
        .portal
        .act(&actor, &receipt, &input, &staff.ip())
        .await
    {
        Ok(row) => Ok(Redirect::to(&format!(
            "/staff/cases/{}?done={}",
            row.receipt_number,
            action.as_str()
        ))
        .into_response()),
        Err(e) => match refusal(staff.ctx.tr, &e) {
            Some((message, status)) => {
                case_now(&state, &staff, &receipt, None, Some(message), status).await
            }
            None => Err(staff.fail(e)),
        },
    }
}

/// An action refused for a reason staff can act on, with the words and the status code.
fn refusal(tr: madoguchi_app::i18n::Tr, e: &AppError) -> Option<(String, StatusCode)> {
    match e {
        AppError::BadRequest(_) | AppError::InvalidText { .. } => {
            refusal_message(tr, e).map(|m| (m, StatusCode::UNPROCESSABLE_ENTITY))
        }
        AppError::NotAllowed(_) => Some((
            tr.t("case-error-not-allowed"),
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
        AppError::Conflict => Some((tr.t("case-error-conflict"), StatusCode::CONFLICT)),
        _ => None,
    }
}

/// `POST /staff/cases/{receipt}/my-number`: shows one 個人番号 whole, once, on this page.
pub async fn reveal(
    State(state): State<AppState>,
    staff: StaffCtx,
    Path(receipt): Path<String>,
    PageForm(form): PageForm,
) -> Result<Response, WebError> {
    staff.ctx.verify_form(&state, &form)?;
    let actor = staff.staff.actor();
    let field = form_value(&form, "field");
    let number = state
        .portal
        .reveal_my_number(&actor, &receipt, field, &staff.ip())
        .await;
    let file = state
        .portal
        .open_case(&actor, &receipt, &staff.ip())
        .await
        .map_err(|e| staff.fail(e))?;
    let (revealed, error, status) = match number {
        Ok(n) => {
            let label = file.procedure.field(field).map_or_else(String::new, |f| {
                f.label.get(staff.ctx.tr.lang.code()).to_owned()
            });
            (Some((label, n)), None, StatusCode::OK)
        }
        Err(AppError::Forbidden) => (
            None,
            Some(staff.ctx.tr.t("case-error-my-number")),
            StatusCode::FORBIDDEN,
        ),
        Err(e) => return Err(staff.fail(e)),
    };
    let page = case_page(&state, &staff, &file, None, error, revealed);
    Ok((status, no_store(render(&page, staff.ctx.tr)?)).into_response())
}

/// An attachment, always as a download with its recorded type.
pub async fn attachment(
    State(state): State<AppState>,
    staff: StaffCtx,
    Path((receipt, sha)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let (bytes, name, content_type) = state
        .portal
        .case_attachment(&staff.staff.actor(), &receipt, &sha, &staff.ip())
        .await
        .map_err(|e| staff.fail(e))?;
    Ok(download(bytes, &name, &content_type))
}
