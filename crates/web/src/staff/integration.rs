//! システム連携: webhook deliveries (with resend) and the department's API tokens.

use crate::AppState;
use crate::body::PageForm;
use crate::error::{WebError, render};
use crate::pages::drafts::no_store;
use crate::pages::form_value;
use crate::staff::{Choice, StaffCtx, department_name};
use crate::views::{Base, refusal_message};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use madoguchi_app::AppError;
use madoguchi_app::timefmt::jst_minutes;
use uuid::Uuid;

#[derive(Debug, Clone)]
struct DeliveryView {
    id: String,
    when: String,
    receipt: String,
    url: String,
    status: String,
    failed: bool,
    attempts: i32,
    error: String,
}

#[derive(Debug, Clone)]
struct TokenView {
    id: String,
    name: String,
    department: String,
    created: String,
    last_used: String,
    revoked: bool,
}

#[derive(Debug, Clone)]
struct ClientView {
    id: String,
    name: String,
    budget: i64,
    created: String,
    last_used: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "staff_integration.html")]
struct IntegrationPage {
    base: Base,
    notice: Option<String>,
    new_token: Option<String>,
    new_client_key: Option<String>,
    clients: Vec<ClientView>,
    default_budget: u32,
    deliveries: Vec<DeliveryView>,
    tokens: Vec<TokenView>,
    departments: Vec<Choice>,
}

/// What the page says after an action: a message, or a token or client key shown once.
#[derive(Debug, Default)]
struct Said {
    notice: Option<String>,
    new_token: Option<String>,
    new_client_key: Option<String>,
}

async fn integration_page(
    state: &AppState,
    staff: &StaffCtx,
    said: Said,
) -> Result<Response, WebError> {
    let tr = staff.ctx.tr;
    let deliveries = state
        .portal
        .deliveries(&staff.staff)
        .await
        .map_err(|e| staff.fail(e))?;
    let tokens = state
        .portal
        .tokens(&staff.staff)
        .await
        .map_err(|e| staff.fail(e))?;
    let clients = if staff.staff.admin {
        state
            .portal
            .clients(&staff.staff)
            .await
            .map_err(|e| staff.fail(e))?
    } else {
        Vec::new()
    };
    let scope = staff.staff.actor().scope;
    let page = IntegrationPage {
        base: staff.base(state, tr.t("integration-title")),
        notice: said.notice,
        new_token: said.new_token,
        new_client_key: said.new_client_key,
        clients: clients
            .iter()
            .map(|c| ClientView {
                id: c.id.to_string(),
                name: c.name.clone(),
                budget: c.requests_per_minute,
                created: jst_minutes(c.created_at),
                last_used: c.last_used_at.map(jst_minutes).unwrap_or_default(),
                revoked: c.revoked_at.is_some(),
            })
            .collect(),
        default_budget: state.portal.config.limits.client_requests_per_minute,
        deliveries: deliveries
            .iter()
            .map(|d| DeliveryView {
                id: d.id.to_string(),
                when: jst_minutes(d.created_at),
                receipt: d.payload["event"]["receipt_number"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                url: d.payload["url"].as_str().unwrap_or_default().to_owned(),
                status: tr.t(match (d.done_at, &d.last_error) {
                    (Some(_), _) => "delivery-done",
                    (None, Some(_)) => "delivery-failing",
                    (None, None) => "delivery-pending",
                }),
                failed: d.done_at.is_none() && d.last_error.is_some(),
                attempts: d.attempts,
                error: d.last_error.clone().unwrap_or_default(),
            })
            .collect(),
        tokens: tokens
            .iter()
            .map(|t| TokenView {
                id: t.id.to_string(),
                name: t.name.clone(),
                department: department_name(state, Some(&t.department_id), tr),
                created: jst_minutes(t.created_at),
                last_used: t.last_used_at.map(jst_minutes).unwrap_or_default(),
                revoked: t.revoked_at.is_some(),
            })
            .collect(),
        departments: state
            .portal
            .departments()
            .into_iter()
            .filter(|(id, _)| scope.as_deref().is_none_or(|d| d == id))
            .map(|(value, label)| Choice {
                value,
                label,
                selected: false,
            })
            .collect(),
    };
    Ok(no_store(render(&page, tr)?))
}

pub async fn show(State(state): State<AppState>, staff: StaffCtx) -> Result<Response, WebError> {
    integration_page(&state, &staff, Said::default()).await
}

pub async fn resend(
    State(state): State<AppState>,
    staff: StaffCtx,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm,
) -> Result<Response, WebError> {
    staff.ctx.verify_form(&state, &form)?;
    state
        .portal
        .resend_delivery(&staff.staff, id, &staff.ip())
        .await
        .map_err(|e| staff.fail(e))?;
    Ok(Redirect::to("/staff/integration").into_response())
}

pub async fn issue_token(
    State(state): State<AppState>,
    staff: StaffCtx,
    PageForm(form): PageForm,
) -> Result<Response, WebError> {
    staff.ctx.verify_form(&state, &form)?;
    let said = match state
        .portal
        .issue_token(
            &staff.staff,
            form_value(&form, "department"),
            form_value(&form, "name"),
            &staff.ip(),
        )
        .await
    {
        Ok(issued) => Said {
            new_token: Some(issued.token),
            ..Said::default()
        },
        Err(e) => refused(&staff, e)?,
    };
    integration_page(&state, &staff, said).await
}

/// What the page says when an issue was refused as asked (no name, text the rule refuses);
/// any other failure is the request's.
fn refused(staff: &StaffCtx, e: AppError) -> Result<Said, WebError> {
    match refusal_message(staff.ctx.tr, &e) {
        Some(notice) => Ok(Said {
            notice: Some(notice),
            ..Said::default()
        }),
        None => Err(staff.fail(e)),
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    staff: StaffCtx,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm,
) -> Result<Response, WebError> {
    staff.ctx.verify_form(&state, &form)?;
    state
        .portal
        .revoke_token(&staff.staff, id, &staff.ip())
        .await
        .map_err(|e| staff.fail(e))?;
    Ok(Redirect::to("/staff/integration").into_response())
}

/// `POST /staff/integration/clients`: a key for a front end (administrators).
pub async fn issue_client(
    State(state): State<AppState>,
    staff: StaffCtx,
    PageForm(form): PageForm,
) -> Result<Response, WebError> {
    staff.ctx.verify_form(&state, &form)?;
    let budget = form_value(&form, "requests_per_minute").trim();
    let budget = match budget.parse::<u32>() {
        Ok(n) => Some(n),
        Err(_) if budget.is_empty() => None,
        Err(_) => Some(0),
    };
    let said = match state
        .portal
        .issue_client(&staff.staff, form_value(&form, "name"), budget, &staff.ip())
        .await
    {
        Ok(issued) => Said {
            new_client_key: Some(issued.key),
            ..Said::default()
        },
        Err(e) => refused(&staff, e)?,
    };
    integration_page(&state, &staff, said).await
}

/// `POST /staff/integration/clients/{id}/revoke`
pub async fn revoke_client(
    State(state): State<AppState>,
    staff: StaffCtx,
    Path(id): Path<Uuid>,
    PageForm(form): PageForm,
) -> Result<Response, WebError> {
    staff.ctx.verify_form(&state, &form)?;
    state
        .portal
        .revoke_client(&staff.staff, id, &staff.ip())
        .await
        .map_err(|e| staff.fail(e))?;
    Ok(Redirect::to("/staff/integration").into_response())
}
