//! The resident portal's pages. Every page is complete HTML from the server; forms post back
//! and redirect (303) on success, so the browser's back button and reload never resubmit.

pub mod bundles;
pub mod drafts;
pub mod home;
pub mod life_events;
pub mod procedures;
pub mod status;

use crate::AppState;
use crate::caller::page_caller;
use crate::csrf::{self, CsrfCookie};
use crate::error::{PageError, WebError};
use crate::views::{Base, lang_switch_url};
use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use madoguchi_app::i18n::Tr;
use madoguchi_app::limits::{Caller, Limit};

/// What every page handler needs from the request: the reader's language, the CSRF cookie,
/// the path (for the language switch) and who is asking (for rate limits and the audit log).
#[derive(Debug, Clone)]
pub struct Ctx {
    pub tr: Tr,
    pub csrf: CsrfCookie,
    pub path: String,
    pub headers: HeaderMap,
    pub caller: Caller,
    /// Set on a back-office page: the staff member's menu instead of the portal's.
    pub chrome: Option<StaffChrome>,
}

/// What a back-office page's header shows of who is logged in.
#[derive(Debug, Clone, Copy)]
pub struct StaffChrome {
    pub admin: bool,
    pub counter: bool,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let tr = crate::lang::from_headers(&parts.headers);
        let csrf = parts
            .extensions
            .get::<CsrfCookie>()
            .cloned()
            .ok_or(WebError::Page(PageError::Csrf, tr))?;
        Ok(Self {
            tr,
            csrf,
            path: parts
                .uri
                .path_and_query()
                .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned()),
            headers: parts.headers.clone(),
            caller: page_caller(parts, state),
            chrome: None,
        })
    }
}

impl Ctx {
    pub fn base(&self, state: &AppState, title: String) -> Base {
        let m = &state.portal.config.municipality;
        let ward = self.ward(state);
        let mut base = Base {
            tr: self.tr,
            lang: self.tr.lang.code(),
            title,
            site_name: self.tr.t_with("site-name", &[("ward", ward)]),
            phone: self
                .tr
                .t_with("footer-contact", &[("phone", m.phone.clone())]),
            csrf: csrf::form_token(state, &self.csrf),
            has_errors: false,
            lang_switch_url: lang_switch_url(self.tr, &self.path),
            lang_switch_lang: if self.tr.lang.code() == "en" {
                "ja"
            } else {
                "en"
            },
            admin: false,
            counter: false,
            staff: false,
        };
        if let Some(chrome) = self.chrome {
            base.site_name = self.tr.t("staff-site-name");
            base.admin = chrome.admin;
            base.counter = chrome.counter;
            base.staff = true;
        }
        base
    }

    pub fn ward(&self, state: &AppState) -> String {
        let m = &state.portal.config.municipality;
        if self.tr.lang.code() == "en" {
            m.name_en.clone()
        } else {
            m.name.clone()
        }
    }

    /// Refuses a posted form that does not carry this browser's CSRF token.
    pub fn verify_form(&self, state: &AppState, form: &[(String, String)]) -> Result<(), WebError> {
        let submitted = form_value(form, csrf::FIELD);
        csrf::verify(state, &self.headers, &self.csrf, submitted, self.tr)
    }

    /// The client address, as the audit log records it.
    pub fn ip(&self) -> String {
        self.caller.address.to_string()
    }

    /// Counts this request against `limit`; the "too many requests" page when over.
    pub async fn admit(&self, state: &AppState, limit: Limit) -> Result<(), WebError> {
        state
            .portal
            .admit(limit, &self.caller)
            .await
            .map_err(|e| self.fail(e))
    }

    pub fn page_error(&self, kind: PageError) -> WebError {
        WebError::Page(kind, self.tr)
    }

    /// Maps a use-case failure to the page a person sees, in their language.
    pub fn fail(&self, e: madoguchi_app::AppError) -> WebError {
        WebError::Page(PageError::from_app(&e), self.tr)
    }
}

/// Any path that matches no route.
pub async fn not_found(headers: HeaderMap) -> WebError {
    WebError::Page(PageError::NotFound, crate::lang::from_headers(&headers))
}

/// The first value of a form control.
pub fn form_value<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}
