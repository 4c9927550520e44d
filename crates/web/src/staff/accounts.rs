//! Signing in and out of the back office, and the administrators' page of accounts.

use crate::AppState;
use crate::body::PageForm;
use crate::error::{PageError, WebError, render};
use crate::pages::drafts::no_store;
use crate::pages::{Ctx, form_value};
use crate::staff::{Choice, StaffCtx, department_name, session_cookie};
use crate::views::{Base, refusal_message};
use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use madoguchi_app::AppError;
use madoguchi_app::accounts::NewAccount;
use madoguchi_app::limits::Limit;

#[derive(Template)]
#[template(path = "staff_login.html")]
struct LoginPage {
    base: Base,
    login: String,
    error: Option<String>,
}

fn login_page(state: &AppState, ctx: &Ctx, login: String, error: Option<String>) -> LoginPage {
    let mut base = ctx.base(state, ctx.tr.t("staff-login-title"));
    base.site_name = ctx.tr.t("staff-site-name");
    base.has_errors = error.is_some();
    LoginPage { base, login, error }
}

pub async fn login_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let page = login_page(&state, &ctx, String::new(), None);
    Ok(no_store(render(&page, ctx.tr)?))
}

pub async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    PageForm(form): PageForm,
) -> Result<Response, WebError> {
    ctx.verify_form(&state, &form)?;
    ctx.admit(&state, Limit::Login).await?;
    let login = form_value(&form, "login").trim().to_owned();
    let password = form_value(&form, "password");
    match state.portal.login(&login, password, &ctx.ip()).await {
        Ok((token, _)) => {
            let hours = state.portal.config.staff.session_hours;
            let mut response = Redirect::to("/staff").into_response();
            response.headers_mut().append(
                header::SET_COOKIE,
                session_cookie(&state, &token, Some(hours * 3600)),
            );
            Ok(response)
        }
        Err(e @ (AppError::LoginFailed | AppError::AccountLocked)) => {
            let message = ctx.tr.t(match e {
                AppError::AccountLocked => "staff-login-locked",
                _ => "staff-login-failed",
            });
            let page = login_page(&state, &ctx, login, Some(message));
            Ok((StatusCode::UNAUTHORIZED, no_store(render(&page, ctx.tr)?)).into_response())
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

pub async fn logout(
    State(state): State<AppState>,
    staff: StaffCtx,
    PageForm(form): PageForm,
) -> Result<Response, WebError> {
    staff.ctx.verify_form(&state, &form)?;
    state
        .portal
        .logout(&staff.staff, &staff.token, &staff.ip())
        .await
        .map_err(|e| staff.fail(e))?;
    let mut response = Redirect::to("/staff/login").into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, session_cookie(&state, "", Some(0)));
    Ok(response)
}

// ---- accounts (administrators) ----

#[derive(Debug, Clone)]
struct AccountView {
    login: String,
    name: String,
    department: String,
    admin: bool,
    my_number: bool,
}

#[derive(Template)]
#[template(path = "staff_users.html")]
struct UsersPage {
    base: Base,
    notice: Option<String>,
    error: Option<String>,
    accounts: Vec<AccountView>,
    departments: Vec<Choice>,
}

async fn users_page(
    state: &AppState,
    staff: &StaffCtx,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let tr = staff.ctx.tr;
    let accounts = state
        .portal
        .staff_accounts(&staff.staff)
        .await
        .map_err(|e| staff.fail(e))?;
    let mut base = staff.base(state, tr.t("users-title"));
    base.has_errors = error.is_some();
    let page = UsersPage {
        base,
        notice,
        error,
        accounts: accounts
            .iter()
            .map(|a| AccountView {
                login: a.login.clone(),
                name: a.display_name.clone(),
                department: department_name(state, a.department_id.as_deref(), tr),
                admin: a.role == madoguchi_app::accounts::ROLE_ADMIN,
                my_number: a.my_number_access,
            })
            .collect(),
        departments: state
            .portal
            .departments()
            .into_iter()
            .map(|(value, label)| Choice {
                value,
                label,
                selected: false,
            })
            .collect(),
    };
    Ok((status, no_store(render(&page, tr)?)).into_response())
}

pub async fn users(State(state): State<AppState>, staff: StaffCtx) -> Result<Response, WebError> {
    users_page(&state, &staff, None, None, StatusCode::OK).await
}

pub async fn add_user(
    State(state): State<AppState>,
    staff: StaffCtx,
    PageForm(form): PageForm,
) -> Result<Response, WebError> {
    staff.ctx.verify_form(&state, &form)?;
    if !staff.staff.admin {
        return Err(staff.ctx.page_error(PageError::NotFound));
    }
    let admin = form_value(&form, "role") == "admin";
    let counter = form_value(&form, "role") == "counter";
    let account = NewAccount {
        login: form_value(&form, "login").to_owned(),
        display_name: form_value(&form, "name").to_owned(),
        department: Some(form_value(&form, "department").to_owned())
            .filter(|d| !d.is_empty() && !admin && !counter),
        admin,
        counter,
        my_number_access: form_value(&form, "my_number") == "yes",
        password: form_value(&form, "password").to_owned(),
    };
    match state.portal.add_staff(&account).await {
        Ok(_) => {
            let notice = staff
                .ctx
                .tr
                .t_with("users-added", &[("login", account.login.clone())]);
            users_page(&state, &staff, Some(notice), None, StatusCode::OK).await
        }
        Err(e) => match refusal_message(staff.ctx.tr, &e) {
            Some(error) => {
                let status = StatusCode::UNPROCESSABLE_ENTITY;
                users_page(&state, &staff, None, Some(error), status).await
            }
            None => Err(staff.fail(e)),
        },
    }
}
