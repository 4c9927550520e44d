//! Finding a procedure (search, category, life event) and reading about it before starting.

use super::Ctx;
use crate::AppState;
use crate::body::PageForm;
use crate::error::{WebError, render};
use crate::views::{Base, fee_summary};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use madoguchi_domain::Procedure;
use madoguchi_domain::catalog::Topic;
use madoguchi_domain::procedure::Availability;
use serde::Deserialize;

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    life_event: String,
}

#[derive(Debug, Clone)]
pub struct ProcedureSummary {
    pub title: String,
    pub summary: String,
    pub url: String,
    pub online: bool,
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    base: Base,
    heading: String,
    lead: String,
    query: String,
    procedures: Vec<ProcedureSummary>,
    count_text: String,
}

fn summary(ctx: &Ctx, p: &Procedure) -> ProcedureSummary {
    let lang = ctx.tr.lang.code();
    ProcedureSummary {
        title: p.title.get(lang).to_owned(),
        summary: p.summary.get(lang).to_owned(),
        url: format!("/procedures/{}", p.id),
        online: p.is_online(),
    }
}

/// A topic page lists the procedures the topic names; its heading and lead are the topic's.
fn topic_page<'c>(
    lang: &str,
    topic: &Topic,
    found: Vec<&'c Procedure>,
) -> (String, String, Vec<&'c Procedure>) {
    let lead = topic
        .description
        .as_ref()
        .map(|d| d.get(lang).to_owned())
        .unwrap_or_default();
    (topic.title.get(lang).to_owned(), lead, found)
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, WebError> {
    let catalog = &state.portal.catalog;
    let lang = ctx.tr.lang.code();
    let (heading, lead, found): (String, String, Vec<&Procedure>) =
        if let Some(topic) = catalog.category(&q.category) {
            topic_page(
                lang,
                topic,
                catalog
                    .procedures
                    .iter()
                    .filter(|p| p.category == topic.id)
                    .collect(),
            )
        } else if let Some(topic) = catalog.life_event(&q.life_event) {
            topic_page(
                lang,
                topic,
                catalog
                    .procedures
                    .iter()
                    .filter(|p| p.life_events.contains(&topic.id))
                    .collect(),
            )
        } else if !q.q.trim().is_empty() {
            (
                ctx.tr
                    .t_with("results-title", &[("query", q.q.trim().to_owned())]),
                String::new(),
                state.portal.search(&q.q),
            )
        } else {
            (
                ctx.tr.t("all-procedures"),
                String::new(),
                catalog.procedures.iter().collect(),
            )
        };
    let count_text = if found.is_empty() {
        ctx.tr.t("results-none")
    } else {
        ctx.tr
            .t_with("results-count", &[("count", found.len().to_string())])
    };
    let page = ListPage {
        base: ctx.base(&state, heading.clone()),
        heading,
        lead,
        query: q.q,
        procedures: found.into_iter().map(|p| summary(&ctx, p)).collect(),
        count_text,
    };
    render(&page, ctx.tr)
}

#[derive(Template)]
#[template(path = "procedure.html")]
struct ProcedurePage {
    base: Base,
    id: String,
    title: String,
    summary: String,
    eligibility: String,
    processing_time: String,
    attachments: Vec<(String, String)>,
    fee: String,
    fee_note: String,
    department: String,
    phone: String,
    hours: String,
    place: String,
    counter_only_reason: Option<String>,
    /// Done only at the counter, but with a form a resident can fill in beforehand.
    preparable: bool,
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let p = state.portal.procedure(&id).map_err(|e| ctx.fail(e))?;
    let lang = ctx.tr.lang.code();
    let text = |l: &Option<madoguchi_domain::Localized>| {
        l.as_ref()
            .map(|t| t.get(lang).to_owned())
            .unwrap_or_default()
    };
    let title = p.title.get(lang).to_owned();
    let page = ProcedurePage {
        base: ctx.base(&state, title.clone()),
        id: p.id.to_string(),
        title,
        summary: p.summary.get(lang).to_owned(),
        eligibility: p.eligibility.get(lang).to_owned(),
        processing_time: p.processing_time.get(lang).to_owned(),
        attachments: p
            .attachments
            .iter()
            .map(|a| (a.title.get(lang).to_owned(), text(&a.description)))
            .collect(),
        fee: fee_summary(ctx.tr, p),
        fee_note: text(&p.fee.note),
        department: p.department.name.get(lang).to_owned(),
        phone: p.department.phone.clone().unwrap_or_default(),
        hours: text(&p.department.hours),
        place: text(&p.department.place),
        counter_only_reason: match &p.availability {
            Availability::Online => None,
            Availability::CounterOnly { reason } => Some(reason.get(lang).to_owned()),
        },
        preparable: !p.is_online() && p.has_form(),
    };
    render(&page, ctx.tr)
}

/// `POST /procedures/{id}/prepare`: a procedure done only at the counter, filled in at home
/// (its plan's pages), to take there as a code.
pub async fn prepare(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    PageForm(form): PageForm,
) -> Result<Response, WebError> {
    ctx.verify_form(&state, &form)?;
    let token = state
        .portal
        .prepare_for_counter(&id)
        .await
        .map_err(|e| ctx.fail(e))?;
    // The check page sends on to the first page still to fill in.
    Ok(Redirect::to(&format!("/plans/{token}/review")).into_response())
}

#[derive(Template)]
#[template(path = "stopped.html")]
struct StoppedPage {
    base: Base,
    procedure_title: String,
    message: String,
    link: Option<(String, String)>,
    department: String,
    phone: String,
    restart_url: String,
}

/// `GET /procedures/{id}/ineligible/{stop}`: where a form ended at an eligibility stop, why,
/// and where to go instead. Nothing of what was typed is kept, so nothing of it is shown.
pub async fn stopped(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, stop_id)): Path<(String, String)>,
) -> Result<Html<String>, WebError> {
    let p = state.portal.procedure(&id).map_err(|e| ctx.fail(e))?;
    let stop = p
        .stops
        .iter()
        .find(|s| s.id == stop_id)
        .ok_or_else(|| ctx.fail(madoguchi_app::AppError::NotFound))?;
    let lang = ctx.tr.lang.code();
    let title = p.title.get(lang).to_owned();
    let page = StoppedPage {
        base: ctx.base(&state, format!("{} - {title}", ctx.tr.t("stopped-title"))),
        procedure_title: title,
        message: stop.message.get(lang).to_owned(),
        link: stop
            .link
            .as_ref()
            .map(|l| (l.label.get(lang).to_owned(), l.url.clone())),
        department: p.department.name.get(lang).to_owned(),
        phone: p.department.phone.clone().unwrap_or_default(),
        restart_url: format!("/procedures/{}", p.id),
    };
    render(&page, ctx.tr)
}
