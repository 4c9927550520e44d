//! The reader's language: Japanese unless they chose English (a cookie set by `/lang`).

use crate::csrf::cookie;
use axum::extract::Query;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use madoguchi_app::i18n::{Lang, Tr};
use serde::Deserialize;

const COOKIE: &str = "lang";

pub fn from_headers(headers: &HeaderMap) -> Tr {
    Tr::new(
        cookie(headers, COOKIE)
            .and_then(|c| Lang::from_code(&c))
            .unwrap_or_default(),
    )
}

#[derive(Deserialize)]
pub struct Switch {
    to: String,
    #[serde(default)]
    back: String,
}

/// `GET /lang?to=en&back=/procedures`: remembers the choice and returns to the page.
pub async fn switch(Query(q): Query<Switch>) -> Response {
    let lang = Lang::from_code(&q.to).unwrap_or_default();
    // Only a local path (never an open redirect), and one a Location header can carry.
    let local = q.back.starts_with('/') && !q.back.starts_with("//") && !q.back.contains('\\');
    let back = if local && q.back.bytes().all(|b| b.is_ascii_graphic()) {
        q.back
    } else {
        "/".into()
    };
    let mut response = Redirect::to(&back).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    )) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}
