//! The back office: pages for department staff under `/staff`, one module per capability
//! (`accounts`, `inbox`, `case`, `export`, `integration`).
//!
//! Every page but the login form needs a session (a random token in an HttpOnly, SameSite
//! cookie, stored hashed); without one the browser is sent to the login page. Handlers only
//! read the request and call [`madoguchi_app::Portal`]; department isolation and auditing are
//! the application layer's, so no page can forget them.

pub mod accounts;
pub mod case;
pub mod counter;
pub mod export;
pub mod inbox;
pub mod integration;

use crate::AppState;
use crate::csrf::cookie;
use crate::error::WebError;
use crate::pages::{Ctx, StaffChrome};
use crate::views::Base;
use axum::body::Body;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use madoguchi_app::AppError;
use madoguchi_app::accounts::Staff;
use madoguchi_domain::answers::clean_file_name;
use madoguchi_domain::procedure::FileType;

pub const SESSION_COOKIE: &str = "mdg_staff";

/// A page request from a logged-in staff member.
#[derive(Debug, Clone)]
pub struct StaffCtx {
    pub ctx: Ctx,
    pub staff: Staff,
    pub token: String,
}

impl FromRequestParts<AppState> for StaffCtx {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let mut ctx = Ctx::from_request_parts(parts, state).await?;
        let token = cookie(&parts.headers, SESSION_COOKIE).unwrap_or_default();
        match state.portal.staff_session(&token).await {
            Ok(staff) => {
                ctx.chrome = Some(StaffChrome {
                    admin: staff.admin,
                    counter: staff.counter,
                });
                Ok(Self { ctx, staff, token })
            }
            Err(AppError::LoginRequired) => Err(WebError::Redirect("/staff/login".into())),
            Err(e) => Err(ctx.fail(e)),
        }
    }
}

impl StaffCtx {
    pub(crate) fn base(&self, state: &AppState, title: String) -> Base {
        self.ctx.base(state, title)
    }

    pub(crate) fn ip(&self) -> String {
        self.ctx.ip()
    }

    pub(crate) fn fail(&self, e: AppError) -> WebError {
        self.ctx.fail(e)
    }
}

pub(crate) fn session_cookie(state: &AppState, value: &str, max_age: Option<i64>) -> HeaderValue {
    let secure = if state.portal.config.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    let age = max_age.map_or_else(String::new, |s| format!("; Max-Age={s}"));
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/staff; HttpOnly; SameSite=Strict{secure}{age}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[derive(Debug, Clone)]
pub(crate) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub(crate) fn department_name(
    state: &AppState,
    department: Option<&str>,
    tr: madoguchi_app::i18n::Tr,
) -> String {
    match department {
        None => tr.t("staff-all-departments"),
        Some(id) => state
            .portal
            .departments()
            .into_iter()
            .find(|(d, _)| d == id)
            .map_or_else(|| id.to_owned(), |(_, name)| name),
    }
}

/// The procedures of the staff member's department (all, for administrators), to choose from.
pub(crate) fn procedure_choices(state: &AppState, staff: &StaffCtx, selected: &str) -> Vec<Choice> {
    let scope = staff.staff.actor().scope;
    let lang = staff.ctx.tr.lang.code();
    state
        .portal
        .catalog
        .procedures
        .iter()
        .filter(|p| scope.as_deref().is_none_or(|d| d == p.department.id))
        .map(|p| Choice {
            value: p.id.to_string(),
            label: p.title.get(lang).to_owned(),
            selected: p.id.as_str() == selected,
        })
        .collect()
}

/// A file response that browsers save rather than open, with its name in RFC 6266 form.
pub fn download(body: impl Into<Body>, name: &str, content_type: &str) -> Response {
    // Names stored before they were cut to length are cut here, before they reach a header.
    let kind = FileType::from_mime(content_type).unwrap_or(FileType::Pdf);
    let name = &clean_file_name(name, kind);
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    let mut response = Response::new(body.into());
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
