//! The counter's screens: today's visits with their durations, and one visit — who the resident
//! is (from the card or typed), the card reader's state, and the identity questions.

use crate::AppState;
use crate::staff::StaffCtx;
use crate::views::bundles::{ReceiptLine, receipt_lines};
use crate::views::step::Shown;
use crate::views::{
    AnswerSection, Base, FieldBuilder, FieldView, SummaryItem, anchor, answer_sections,
    problem_message,
};
use askama::Template;
use madoguchi_app::counter::{IdentitySource, Sheet, Visit, read_state, visit_times};
use madoguchi_app::i18n::japanese_date;
use madoguchi_app::timefmt::JST;
use madoguchi_app::timefmt::jst_minutes;
use madoguchi_domain::Answers;
use madoguchi_domain::answers::Answer;
use madoguchi_domain::validate::FieldPath;
use madoguchi_storage::{CardReadRow, VisitRow};
use time::OffsetDateTime;

#[derive(Debug, Clone)]
pub(crate) struct VisitLine {
    id: String,
    staff: String,
    started: String,
    duration: String,
    resident: String,
    open: bool,
    forms: i64,
}

#[derive(Template)]
#[template(path = "counter_visits.html")]
pub(crate) struct VisitsPage {
    base: Base,
    /// An administrator sees every counter's visits, with who took each.
    all_counters: bool,
    summary: String,
    /// Applications per visit, once a visit submitted one.
    forms: Option<String>,
    visits: Vec<VisitLine>,
    /// The day shown, in words, and as the day box holds it (with why it was refused).
    heading: String,
    empty: String,
    day_value: String,
    day_error: Option<String>,
}

/// The day a visits list shows: today, or a day chosen (as typed, and whether it was refused).
pub(crate) struct ShownDay<'a> {
    pub day: Option<time::Date>,
    pub typed: &'a str,
    pub refused: bool,
}

pub(crate) fn visits_page(
    state: &AppState,
    staff: &StaffCtx,
    rows: &[VisitRow],
    shown: ShownDay<'_>,
) -> VisitsPage {
    let tr = staff.ctx.tr;
    let now = OffsetDateTime::now_utc();
    let times = visit_times(rows);
    let day = shown
        .day
        .map_or_else(|| tr.t("counter-today"), japanese_date);
    let summary = match times.median_minutes {
        Some(median) => tr.t_with(
            "counter-summary",
            &[
                ("day", day.clone()),
                ("visits", times.visits.to_string()),
                ("ended", times.ended.to_string()),
                ("median", median.to_string()),
            ],
        ),
        None => tr.t_with(
            "counter-summary-none-ended",
            &[("day", day.clone()), ("visits", times.visits.to_string())],
        ),
    };
    let mut base = staff.base(state, tr.t("counter-title"));
    base.has_errors = shown.refused;
    VisitsPage {
        heading: tr.t_with("counter-day-heading", &[("day", day.clone())]),
        empty: tr.t_with("counter-none-today", &[("day", day)]),
        day_value: shown.typed.to_owned(),
        day_error: shown.refused.then(|| tr.t("counter-day-invalid")),
        base,
        all_counters: staff.staff.admin,
        summary,
        forms: times.forms_per_visit_tenths().map(|tenths| {
            tr.t_with(
                "counter-forms-summary",
                &[
                    ("forms", times.forms.to_string()),
                    ("per", format!("{}.{}", tenths / 10, tenths % 10)),
                ],
            )
        }),
        visits: rows
            .iter()
            .map(|v| VisitLine {
                id: v.id.to_string(),
                staff: v.staff_login.clone(),
                started: jst_minutes(v.started_at),
                duration: minutes(tr, v.ended_at.unwrap_or(now) - v.started_at),
                resident: v
                    .identity
                    .as_ref()
                    .and_then(|i| {
                        let name = &i["answers"]["name"];
                        Some(format!(
                            "{} {}",
                            name["family"].as_str()?,
                            name["given"].as_str()?
                        ))
                    })
                    .unwrap_or_else(|| tr.t("counter-unidentified")),
                open: v.ended_at.is_none(),
                forms: v.applications,
            })
            .collect(),
    }
}

fn minutes(tr: madoguchi_app::i18n::Tr, d: time::Duration) -> String {
    tr.t_with(
        "counter-minutes",
        &[("minutes", d.whole_minutes().max(0).to_string())],
    )
}

/// The card reader's state as the screen says it.
#[derive(Debug, Clone)]
pub(crate) struct CardState {
    /// As `/card-state` names it, for the screen's script to tell when it changes.
    state: String,
    message: String,
    /// Waiting for the agent: the page offers (and, with JavaScript, does) a refresh.
    waiting: bool,
    warn: bool,
}

#[derive(Template)]
#[template(path = "counter_visit.html")]
pub(crate) struct VisitPage {
    base: Base,
    id: String,
    open: bool,
    started: String,
    ended: Option<String>,
    identity: Option<AnswerSection>,
    identity_source: String,
    card: Option<CardState>,
    agents: Vec<String>,
    pairing_code: Option<String>,
    /// The address the agent is paired against.
    server: String,
    fields: Vec<FieldView>,
    summary: Vec<SummaryItem>,
    notice: Option<String>,
    /// The life events whose interview can be run, to choose from.
    events: Vec<(String, String)>,
    /// The interview the visit runs, by its event's title.
    interview: Option<String>,
    /// What the visit submitted.
    lines: Vec<ReceiptLine>,
    /// A resident's code as typed, and why it was refused.
    code: String,
    code_error: Option<String>,
}

impl VisitPage {
    /// The page again after a resident's code was refused: the code kept, the reason beside it.
    pub(crate) fn refuse_code(&mut self, typed: &str, message: Option<String>) {
        self.code = typed.to_owned();
        self.base.has_errors = message.is_some();
        self.code_error = message;
    }
}

pub(crate) fn visit_page(
    state: &AppState,
    staff: &StaffCtx,
    visit: &Visit,
    shown: Shown<'_>,
    pairing_code: Option<String>,
) -> VisitPage {
    let tr = staff.ctx.tr;
    let questions = state.portal.identity_questions();
    let stored = visit
        .identity
        .as_ref()
        .map(|i| i.answers.clone())
        .unwrap_or_default();
    let builder = FieldBuilder {
        tr,
        values: shown.values,
        stored: &stored,
        errors: shown.errors,
        procedure: questions,
        files_on_page: false,
    };
    let fields = questions.steps[0]
        .fields
        .iter()
        .filter(|f| f.id.as_str() != "my_number" || !has_number(&stored))
        .map(|f| builder.build(f, &FieldPath::field(f.id.as_str())))
        .collect();
    let mut base = staff.base(state, tr.t("counter-visit-title"));
    base.has_errors = !shown.errors.is_empty();
    VisitPage {
        base,
        id: visit.row.id.to_string(),
        open: visit.is_open(),
        started: jst_minutes(visit.row.started_at),
        ended: visit.row.ended_at.map(jst_minutes),
        identity: visit.identity.as_ref().map(|i| {
            let mut sections = answer_sections(tr, questions, &i.answers, None);
            sections.remove(0)
        }),
        identity_source: visit
            .identity
            .as_ref()
            .map(|i| {
                tr.t(match i.source {
                    IdentitySource::Card => "counter-source-card",
                    IdentitySource::Typed => "counter-source-typed",
                })
            })
            .unwrap_or_default(),
        card: visit.card_read.as_ref().and_then(|r| card_state(tr, r)),
        agents: visit.agents.iter().map(|a| a.name.clone()).collect(),
        pairing_code,
        server: state
            .portal
            .config
            .public_url
            .trim_end_matches('/')
            .to_owned(),
        fields,
        summary: shown
            .errors
            .iter()
            .map(|e| SummaryItem {
                href: anchor(questions, e),
                message: problem_message(tr, questions, e),
            })
            .collect(),
        notice: shown.notice,
        // The counter's own event (procedures chosen directly) first: it fits every visit.
        events: state
            .portal
            .catalog
            .counter_event
            .iter()
            .chain(&state.portal.catalog.events)
            .map(|e| (e.id.clone(), e.title.get(tr.lang.code()).to_owned()))
            .collect(),
        interview: visit
            .event_id
            .as_deref()
            .and_then(|id| state.portal.life_event(id).ok())
            .map(|e| e.title.get(tr.lang.code()).to_owned()),
        lines: receipt_lines(&staff.ctx, &visit.applications),
        code: String::new(),
        code_error: None,
    }
}

/// A number read from the card is not typed over: the typed form leaves it out.
fn has_number(answers: &Answers) -> bool {
    matches!(answers.get("my_number"), Some(Answer::MyNumber(_)))
}

fn card_state(tr: madoguchi_app::i18n::Tr, read: &CardReadRow) -> Option<CardState> {
    let untaken_too_long = OffsetDateTime::now_utc() - read.requested_at
        > time::Duration::minutes(madoguchi_app::counter::READ_WAIT_MINUTES);
    let (key, waiting, warn) = match (read.taken_at, read.outcome.as_deref()) {
        (_, Some("withdrawn")) => return None,
        (None, None) if untaken_too_long => ("counter-card-not_taken", false, true),
        (None, None) => ("counter-card-requested", true, false),
        (Some(_), None) => ("counter-card-reading", true, false),
        (_, Some("read")) => ("counter-card-done", false, false),
        (_, Some("wrong_pin")) => {
            let left = read.tries_left.unwrap_or_default().to_string();
            return Some(CardState {
                state: "wrong_pin".into(),
                message: tr.t_with("counter-card-wrong_pin", &[("tries", left)]),
                waiting: false,
                warn: true,
            });
        }
        (_, Some("blocked")) => ("counter-card-blocked", false, true),
        (_, Some("card_removed")) => ("counter-card-card_removed", false, true),
        (_, Some("no_card")) => ("counter-card-no_card", false, true),
        (_, Some("not_my_number_card")) => ("counter-card-not_my_number_card", false, true),
        (_, Some("pin_format")) => ("counter-card-pin_format", false, true),
        (_, Some("unreadable")) => ("counter-card-unreadable", false, true),
        (_, Some(_)) => ("counter-card-reader_error", false, true),
    };
    Some(CardState {
        state: read_state(read).to_owned(),
        message: tr.t(key),
        waiting,
        warn,
    })
}

/// One application laid out for print: the ward, the 受付番号, every answer, and the 署名欄.
#[derive(Debug, Clone)]
pub(crate) struct SheetView {
    title: String,
    receipt: String,
    department: String,
    date: String,
    sections: Vec<AnswerSection>,
}

#[derive(Template)]
#[template(path = "counter_sheets.html")]
pub(crate) struct SheetsPage {
    base: Base,
    id: String,
    ward: String,
    sheets: Vec<SheetView>,
}

pub(crate) fn sheets_page(
    state: &AppState,
    staff: &StaffCtx,
    visit: &Visit,
    sheets: &[Sheet],
) -> SheetsPage {
    let tr = staff.ctx.tr;
    let lang = tr.lang.code();
    SheetsPage {
        base: staff.base(state, tr.t("counter-sheets-title")),
        id: visit.row.id.to_string(),
        ward: staff.ctx.ward(state),
        sheets: sheets
            .iter()
            .map(|s| {
                let p = &s.member.procedure;
                let a = &s.member.application;
                SheetView {
                    title: p.title.get(lang).to_owned(),
                    receipt: a.receipt_number.clone(),
                    department: p.department.name.get(lang).to_owned(),
                    date: japanese_date(a.submitted_at.to_offset(JST).date()),
                    sections: answer_sections(tr, p, &s.answers, None)
                        .into_iter()
                        .filter(|s| !s.rows.is_empty())
                        .collect(),
                }
            })
            .collect(),
    }
}
