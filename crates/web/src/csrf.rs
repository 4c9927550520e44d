//! CSRF protection that works without JavaScript: a random cookie (HttpOnly, SameSite=Lax)
//! and, in every form, a token that is the server's HMAC of that cookie. A forged form can
//! neither read the cookie nor compute the token; a request from another site is also refused
//! by its `Origin`/`Sec-Fetch-Site` headers where the browser sends them.

use crate::AppState;
use crate::error::{PageError, WebError};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use data_encoding::BASE32_NOPAD;
use madoguchi_app::i18n::Tr;

pub const COOKIE: &str = "mdg_csrf";
pub const FIELD: &str = "_csrf";

/// The browser's CSRF cookie value, put in the request by [`ensure_cookie`].
#[derive(Debug, Clone)]
pub struct CsrfCookie(pub String);

/// Gives every browser a CSRF cookie on its first request.
pub async fn ensure_cookie(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let existing = cookie(request.headers(), COOKIE)
        .filter(|v| v.len() == 26 && v.bytes().all(|b| b.is_ascii_alphanumeric()));
    let fresh = existing.is_none();
    let value = existing.unwrap_or_else(new_cookie_value);
    request.extensions_mut().insert(CsrfCookie(value.clone()));
    let mut response = next.run(request).await;
    if fresh {
        let secure = if state.portal.config.secure_cookies() {
            "; Secure"
        } else {
            ""
        };
        if let Ok(v) = HeaderValue::from_str(&format!(
            "{COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax{secure}"
        )) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

fn new_cookie_value() -> String {
    BASE32_NOPAD.encode(uuid::Uuid::new_v4().as_bytes())
}

/// The token a form carries for this cookie.
pub fn form_token(state: &AppState, cookie: &CsrfCookie) -> String {
    BASE32_NOPAD.encode(&state.portal.secret.mac(&[b"csrf", cookie.0.as_bytes()]))
}

/// Refuses a state-changing request that did not come from one of our own forms.
pub fn verify(
    state: &AppState,
    headers: &HeaderMap,
    cookie: &CsrfCookie,
    submitted: &str,
    tr: Tr,
) -> Result<(), WebError> {
    let expected = form_token(state, cookie);
    let token_ok = bool::from(subtle::ConstantTimeEq::ct_eq(
        expected.as_bytes(),
        submitted.as_bytes(),
    ));
    if token_ok && same_origin(headers) {
        Ok(())
    } else {
        Err(WebError::Page(PageError::Csrf, tr))
    }
}

fn same_origin(headers: &HeaderMap) -> bool {
    if headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|s| s == "cross-site")
    {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    origin
        .split_once("://")
        .is_some_and(|(_, rest)| rest == host)
}

/// A cookie's value from the request headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}
