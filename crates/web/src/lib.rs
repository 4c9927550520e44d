//! The HTTP surface of madoguchi: the resident portal (server-rendered HTML that works with
//! JavaScript off) and the JSON API under `/api/v1`, described by `/api/openapi.json`.
//!
//! Handlers are thin: they read the request into domain types, call one use case on
//! [`madoguchi_app::Portal`], and render the result. Concerns that apply to every request —
//! the CSRF cookie, security headers, body limits and how bad bodies are answered (`body`), who
//! is asking (`caller`) — are layers and extractors here, not code in handlers; a handler that
//! is rate-limited says so in one call (`Ctx::admit`).

// The OpenAPI document is one `json!` literal, deeper than the default macro recursion limit.
#![recursion_limit = "512"]

mod api;
mod assets;
mod body;
mod caller;
mod csrf;
mod error;
mod lang;
mod pages;
mod staff;
mod views;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use axum::routing::{get, post};
use madoguchi_app::Portal;
use madoguchi_app::limits::IpBlock;
use std::sync::Arc;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;

pub use error::WebError;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    pub portal: Portal,
    /// The reverse proxies whose `X-Forwarded-For` is believed, parsed once.
    pub proxies: Arc<Vec<IpBlock>>,
}

impl AppState {
    pub fn new(portal: Portal) -> Self {
        Self {
            proxies: Arc::new(portal.config.proxies()),
            portal,
        }
    }
}

/// A life event plan's pages, under its address: the interview, the list, and the procedures
/// started together (`pages::life_events::PlanAt` tells the resident's link from a visit's).
fn plan_routes(max_body: usize) -> Router<AppState> {
    Router::new()
        .route("/", get(pages::life_events::list))
        .route(
            "/steps/{step}",
            get(pages::life_events::show_step).post(pages::life_events::answer_step),
        )
        .route("/bundle", post(pages::bundles::choose))
        .route(
            "/facts/steps/{step}",
            get(pages::bundles::show_facts).post(pages::bundles::answer_facts),
        )
        .route(
            "/forms/{procedure}/steps/{step}",
            get(pages::bundles::show_form)
                .post(pages::bundles::answer_form)
                .layer(DefaultBodyLimit::max(max_body * body::DRAIN_FACTOR)),
        )
        .route("/review", get(pages::bundles::review))
        .route("/drop", post(pages::bundles::drop))
        .route("/submit", post(pages::bundles::submit))
        .route("/done", get(pages::bundles::done))
        .route("/counter-code", post(pages::life_events::counter_code))
}

/// The whole application: portal pages, API, assets and health check.
pub fn router(state: AppState) -> Router {
    let max_body = state.portal.config.limits.max_request_bytes();
    let pages = Router::new()
        .route("/", get(pages::home::show))
        .route("/procedures", get(pages::procedures::list))
        .route("/procedures/{id}", get(pages::procedures::show))
        .route("/procedures/{id}/start", post(pages::drafts::start))
        .route("/procedures/{id}/prepare", post(pages::procedures::prepare))
        .route(
            "/procedures/{id}/ineligible/{stop}",
            get(pages::procedures::stopped),
        )
        .route("/life-events/{id}", get(pages::life_events::show))
        .route("/life-events/{id}/start", post(pages::life_events::start))
        .nest("/plans/{token}", plan_routes(max_body))
        .route("/drafts/{token}", get(pages::drafts::resume))
        .route("/drafts/{token}/review", get(pages::drafts::review))
        .route("/drafts/{token}/submit", post(pages::drafts::submit))
        .route("/drafts/{token}/done", get(pages::drafts::done))
        .route(
            "/drafts/{token}/steps/{step}",
            get(pages::drafts::show_step)
                .post(pages::drafts::answer_step)
                .layer(
                    // The page itself enforces `max_request_mb`, reading a little past it so that
                    // the resident is told which file was too large (see `body`).
                    DefaultBodyLimit::max(max_body * body::DRAIN_FACTOR),
                ),
        )
        .route(
            "/status",
            get(pages::status::lookup_form).post(pages::status::lookup),
        )
        .route("/status/withdraw", post(pages::status::withdraw))
        .route(
            "/status/resubmit",
            post(pages::status::resubmit)
                .layer(DefaultBodyLimit::max(max_body * body::DRAIN_FACTOR)),
        )
        .route("/lang", get(lang::switch))
        .route(
            "/staff/login",
            get(staff::accounts::login_form).post(staff::accounts::login),
        )
        .route("/staff/logout", post(staff::accounts::logout))
        .route("/staff", get(staff::inbox::show))
        .route("/staff/cases/{receipt}", get(staff::case::show))
        .route("/staff/cases/{receipt}/actions", post(staff::case::act))
        .route(
            "/staff/cases/{receipt}/my-number",
            post(staff::case::reveal),
        )
        .route(
            "/staff/cases/{receipt}/files/{sha}",
            get(staff::case::attachment),
        )
        // The same interview and bundle pages, run by counter staff for a visit's resident.
        .nest("/staff/counter/visits/{visit}/plan", plan_routes(max_body))
        .route("/counter", get(staff::counter::entry))
        .route("/staff/counter", get(staff::counter::visits))
        .route("/staff/counter/visits", post(staff::counter::start))
        .route("/staff/counter/visits/{visit}", get(staff::counter::visit))
        .route(
            "/staff/counter/visits/{visit}/identity",
            post(staff::counter::identify),
        )
        .route(
            "/staff/counter/visits/{visit}/card",
            post(staff::counter::read_card),
        )
        .route(
            "/staff/counter/visits/{visit}/card-state",
            get(staff::counter::card_state),
        )
        .route(
            "/staff/counter/visits/{visit}/pairing",
            post(staff::counter::pairing),
        )
        .route(
            "/staff/counter/visits/{visit}/interview",
            post(staff::counter::start_interview),
        )
        .route(
            "/staff/counter/visits/{visit}/code",
            post(staff::counter::take_code),
        )
        .route(
            "/staff/counter/visits/{visit}/sheets",
            get(staff::counter::sheets),
        )
        .route(
            "/staff/counter/visits/{visit}/end",
            post(staff::counter::end),
        )
        .route("/staff/export", get(staff::export::form))
        .route("/staff/export/file", get(staff::export::file))
        .route("/staff/integration", get(staff::integration::show))
        .route(
            "/staff/integration/deliveries/{id}/resend",
            post(staff::integration::resend),
        )
        .route(
            "/staff/integration/tokens",
            post(staff::integration::issue_token),
        )
        .route(
            "/staff/integration/tokens/{id}/revoke",
            post(staff::integration::revoke_token),
        )
        .route(
            "/staff/integration/clients",
            post(staff::integration::issue_client),
        )
        .route(
            "/staff/integration/clients/{id}/revoke",
            post(staff::integration::revoke_client),
        )
        .route(
            "/staff/users",
            get(staff::accounts::users).post(staff::accounts::add_user),
        )
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            csrf::ensure_cookie,
        ));
    let app = Router::new()
        .merge(pages)
        .nest("/api", api::router())
        .route("/healthz", get(health))
        .route("/assets/{file}", get(assets::serve))
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(axum::middleware::from_fn(log_request))
        .layer(CatchPanicLayer::custom(panicked));
    with_security_headers(app.with_state(state))
}

/// A handler that panicked: the person gets the apology page (a 500, not a dropped connection)
/// and the log says so; the panic's own message went to standard error through the panic hook.
fn panicked(_: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    tracing::error!("a request handler panicked");
    axum::response::IntoResponse::into_response(WebError::Page(
        error::PageError::Internal,
        madoguchi_app::i18n::Tr::default(),
    ))
}

/// One line per request: method, the route's pattern (never the path itself, which can hold a
/// resume token), status and duration. No query strings, bodies or addresses.
async fn log_request(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or_else(|| "(unmatched)".to_owned(), |p| p.as_str().to_owned());
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    tracing::debug!(%method, route, status = response.status().as_u16(), ms = started.elapsed().as_millis() as u64, "request");
    response
}

async fn health(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> Result<&'static str, WebError> {
    state
        .portal
        .store
        .ping()
        .await
        .map_err(madoguchi_app::AppError::from)?;
    Ok("ok")
}

/// Headers every response carries: no framing, no sniffing, no referrer to other sites (resume
/// links carry a secret in their path), and a policy that allows only this site's own scripts
/// and styles. (`no-referrer` would also blank the `Origin` of our own form posts.)
const SECURITY_HEADERS: [(HeaderName, &str); 4] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "same-origin"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
];

fn with_security_headers(router: Router) -> Router {
    SECURITY_HEADERS
        .into_iter()
        .fold(router, |r, (name, value)| {
            r.layer(SetResponseHeaderLayer::if_not_present(
                name,
                HeaderValue::from_static(value),
            ))
        })
}

/// Serves until Ctrl-C or SIGTERM, then stops the job runner and closes the database.
pub async fn serve(portal: Portal, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let runner = tokio::spawn(madoguchi_app::runner::run(portal.clone(), stopped));
    let app = router(AppState::new(portal.clone()))
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    let _ = stop.send(true);
    let _ = runner.await;
    portal.store.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
