//! `GET /staff`: the department's inbox with its filters and counts per status.

use crate::AppState;
use crate::error::{WebError, render};
use crate::pages::drafts::no_store;
use crate::staff::{Choice, StaffCtx, department_name, procedure_choices};
use crate::views::{Base, refusal_message, status_class};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use madoguchi_app::AppError;
use madoguchi_app::cases::InboxQuery;
use madoguchi_app::timefmt::jst_minutes;
use madoguchi_domain::ApplicationStatus;
use serde::Deserialize;

#[derive(Debug, Clone)]
struct InboxRow {
    receipt: String,
    procedure: String,
    /// The life event it was submitted with, if it came in a bundle.
    event: Option<String>,
    applicant: String,
    submitted: String,
    days: i64,
    status: String,
    status_class: &'static str,
}

#[derive(Debug, Clone)]
struct CountView {
    label: String,
    count: i64,
    href: String,
}

#[derive(Template)]
#[template(path = "staff_inbox.html")]
struct InboxPage {
    base: Base,
    staff_name: String,
    department: String,
    procedures: Vec<Choice>,
    events: Vec<Choice>,
    statuses: Vec<Choice>,
    from: String,
    to: String,
    search: String,
    search_error: Option<String>,
    counts: Vec<CountView>,
    rows: Vec<InboxRow>,
    /// The filters as sent, for the next page's form to send again.
    event: String,
    status: String,
    procedure: String,
    /// The cursor of the next page, when there is one; whether this is a later page.
    next: Option<String>,
    later_page: bool,
}

#[derive(Debug, Deserialize, Default)]
pub struct InboxParams {
    #[serde(default)]
    procedure: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    event: String,
    /// The page after this receipt number.
    #[serde(default)]
    after: String,
}

pub async fn show(
    State(state): State<AppState>,
    staff: StaffCtx,
    Query(params): Query<InboxParams>,
) -> Result<Response, WebError> {
    // Counter staff have no inbox: their start page is the counter's.
    if staff.staff.counter {
        return Ok(axum::response::IntoResponse::into_response(
            axum::response::Redirect::to("/staff/counter"),
        ));
    }
    let tr = staff.ctx.tr;
    let actor = staff.staff.actor();
    let date = |s: &str| {
        time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()
    };
    let query = InboxQuery {
        procedure: Some(params.procedure.clone()).filter(|p| !p.is_empty()),
        status: ApplicationStatus::parse(&params.status),
        from: date(&params.from),
        to: date(&params.to),
        search: Some(params.q.clone()).filter(|q| !q.trim().is_empty()),
        life_event: Some(params.event.clone()).filter(|e| !e.is_empty()),
        after: Some(params.after.clone()).filter(|a| !a.is_empty()),
    };
    // A search the text rule refuses: the message beside the box, and the inbox unfiltered.
    let (inbox, search_error) = match state.portal.inbox(&actor, &query, &staff.ip()).await {
        Ok(inbox) => (inbox, None),
        Err(e @ AppError::InvalidText { .. }) => {
            let message = refusal_message(tr, &e);
            let unfiltered = InboxQuery {
                search: None,
                ..query
            };
            let inbox = state
                .portal
                .inbox(&actor, &unfiltered, &staff.ip())
                .await
                .map_err(|e| staff.fail(e))?;
            (inbox, message)
        }
        Err(e) => return Err(staff.fail(e)),
    };
    let lang = tr.lang.code();
    let now = time::OffsetDateTime::now_utc();
    let procedures = procedure_choices(&state, &staff, &params.procedure);
    let title_of = |id: &str| {
        state
            .portal
            .catalog
            .procedure(id)
            .map_or_else(|| id.to_owned(), |p| p.title.get(lang).to_owned())
    };
    let page = InboxPage {
        base: staff.base(&state, tr.t("staff-inbox-title")),
        staff_name: staff.staff.display_name.clone(),
        department: department_name(&state, staff.staff.department.as_deref(), tr),
        procedures,
        events: state
            .portal
            .catalog
            .events
            .iter()
            .map(|e| Choice {
                value: e.id.clone(),
                label: e.title.get(lang).to_owned(),
                selected: params.event == e.id,
            })
            .collect(),
        statuses: ApplicationStatus::ALL
            .iter()
            .map(|s| Choice {
                value: s.as_str().to_owned(),
                label: tr.t(&format!("app-status-{}", s.as_str())),
                selected: params.status == s.as_str(),
            })
            .collect(),
        from: params.from.clone(),
        to: params.to.clone(),
        search: params.q.clone(),
        event: params.event.clone(),
        status: params.status.clone(),
        procedure: params.procedure.clone(),
        next: inbox.next.clone(),
        later_page: !params.after.is_empty(),
        search_error,
        counts: ApplicationStatus::ALL
            .iter()
            .map(|s| CountView {
                label: tr.t(&format!("app-status-{}", s.as_str())),
                count: inbox
                    .counts
                    .iter()
                    .find(|(c, _)| c == s)
                    .map_or(0, |(_, n)| *n),
                href: format!("/staff?status={}", s.as_str()),
            })
            .collect(),
        rows: inbox
            .cases
            .iter()
            .map(|c| InboxRow {
                receipt: c.receipt_number.clone(),
                procedure: title_of(&c.procedure_id),
                event: c
                    .life_event_id
                    .as_deref()
                    .and_then(|id| state.portal.catalog.event(id))
                    .map(|e| e.title.get(lang).to_owned()),
                applicant: c.applicant_name.clone(),
                submitted: jst_minutes(c.submitted_at),
                days: (now - c.submitted_at).whole_days(),
                status: tr.t(&format!("app-status-{}", c.status.as_str())),
                status_class: status_class(c.status),
            })
            .collect(),
    };
    Ok(no_store(render(&page, tr)?))
}
