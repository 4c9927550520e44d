//! Who sent a request: the client's address — through the reverse proxies the configuration
//! trusts, the last address before them in `X-Forwarded-For` — and, on the resident API, the
//! front end whose key (`Authorization: Bearer mdc_…`) came with it. Rate limits and
//! idempotency keys are kept per caller.

use crate::AppState;
use crate::api::tr_for;
use crate::error::WebError;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use madoguchi_app::clients::CLIENT_KEY_PREFIX;
use madoguchi_app::limits::{Caller, client_address};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// The peer address; requests without one (in-process tests) share one budget.
fn peer(parts: &Parts) -> IpAddr {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip())
}

/// The caller of a page request (a browser: no client key).
pub fn page_caller(parts: &Parts, state: &AppState) -> Caller {
    let forwarded_for = parts
        .headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok());
    let (address, forwarded) = client_address(peer(parts), forwarded_for, &state.proxies);
    Caller {
        address,
        forwarded,
        client: None,
    }
}

/// The caller of a resident API request, with its front end when it sent a client key. A key
/// that is no key (revoked, mistyped) is a 401, so a misconfigured front end notices.
#[derive(Debug, Clone)]
pub struct ApiCaller(pub Caller);

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let mut caller = page_caller(parts, state);
        let key = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|k| k.starts_with(CLIENT_KEY_PREFIX));
        if let Some(key) = key {
            let client = state
                .portal
                .api_client(key)
                .await
                .map_err(|e| crate::api::api_error(e, tr_for(&parts.headers), None))?;
            caller.client = Some(client);
        }
        Ok(Self(caller))
    }
}
