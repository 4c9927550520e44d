//! A life event's page (what it covers) and the resident's personal list: by 担当課, each
//! procedure online or at the counter (with why, what to bring, where and when), its deadline
//! in both calendars, and what may apply.

use crate::AppState;
use crate::pages::Ctx;
use crate::pages::life_events::PlanAt;
use crate::views::Base;
use askama::Template;
use madoguchi_app::bundles::BundleChoice;
use madoguchi_app::life_events::Listed;
use madoguchi_app::timefmt::JST;
use madoguchi_domain::life_event::{Applies, LifeEvent};
use madoguchi_domain::procedure::Availability;
use madoguchi_domain::validate::FieldError;

#[derive(Template)]
#[template(path = "life_event.html")]
pub(crate) struct EventPage {
    base: Base,
    id: String,
    title: String,
    description: String,
    /// Every procedure the event can include, by title.
    covers: Vec<String>,
}

pub(crate) fn event_page(state: &AppState, ctx: &Ctx, event: &LifeEvent) -> EventPage {
    let lang = ctx.tr.lang.code();
    let title = event.title.get(lang).to_owned();
    EventPage {
        base: ctx.base(state, title.clone()),
        id: event.id.clone(),
        title,
        description: event.description.get(lang).to_owned(),
        covers: event
            .procedures
            .iter()
            .filter_map(|i| state.portal.catalog.procedure(i.procedure.as_str()))
            .map(|p| p.title.get(lang).to_owned())
            .collect(),
    }
}

#[derive(Debug, Clone)]
struct ProcedureLine {
    title: String,
    url: String,
    online: bool,
    maybe: bool,
    counter_reason: String,
    deadline: String,
    deadline_rule: String,
    bring: Vec<String>,
}

#[derive(Debug, Clone)]
struct DepartmentBlock {
    name: String,
    place: String,
    hours: String,
    phone: String,
    procedures: Vec<ProcedureLine>,
}

#[derive(Template)]
#[template(path = "plan.html")]
pub(crate) struct PlanPage {
    base: Base,
    title: String,
    change_url: String,
    /// The private link to keep; none at the counter.
    link: Option<String>,
    keep_until: String,
    count: String,
    departments: Vec<DepartmentBlock>,
    /// The online procedures that apply, offered to start together.
    choices: Vec<BundleOption>,
    /// Said next to the choices when none was ticked.
    choice_error: Option<String>,
    /// The receipts' page, once the bundle is submitted.
    done_url: Option<String>,
    bundle_action: String,
    /// Where a resident asks for the code to take the plan to the counter (not at the counter).
    counter_code_action: Option<String>,
    voice: Voice,
}

/// Who the list speaks to: the resident, or counter staff about the resident in front of them.
struct Voice {
    count: &'static str,
    choose_title: &'static str,
    choose_lead: &'static str,
}

const RESIDENT_VOICE: Voice = Voice {
    count: "plan-count",
    choose_title: "bundle-choose-title",
    choose_lead: "bundle-choose-lead",
};

const COUNTER_VOICE: Voice = Voice {
    count: "counter-plan-count",
    choose_title: "counter-bundle-choose-title",
    choose_lead: "counter-bundle-choose-lead",
};

#[derive(Debug, Clone)]
struct BundleOption {
    id: String,
    title: String,
    department: String,
    checked: bool,
}

impl PlanPage {
    /// The list again after a choice that ticked nothing.
    pub(crate) fn refuse(&mut self, ctx: &Ctx, errors: &[FieldError]) {
        self.choice_error = (!errors.is_empty()).then(|| ctx.tr.t("bundle-choose-none"));
        self.base.has_errors = self.choice_error.is_some();
        for c in &mut self.choices {
            c.checked = false;
        }
    }
}

pub(crate) fn plan_page(
    state: &AppState,
    at: &PlanAt,
    event: &LifeEvent,
    choice: &BundleChoice,
) -> PlanPage {
    let (ctx, plan) = (&at.ctx, &at.plan);
    let tr = ctx.tr;
    let lang = tr.lang.code();
    let voice = if at.visit.is_some() {
        COUNTER_VOICE
    } else {
        RESIDENT_VOICE
    };
    let title = tr.t_with("plan-title", &[("event", event.title.get(lang).to_owned())]);
    let groups = state.portal.plan_list(event, &plan.interview);
    let total: usize = groups.iter().map(|g| g.procedures.len()).sum();
    let line = |l: &Listed<'_>| {
        let p = l.procedure;
        ProcedureLine {
            title: p.title.get(lang).to_owned(),
            url: format!("/procedures/{}", p.id),
            online: p.is_online(),
            maybe: l.applies == Applies::Maybe,
            counter_reason: match &p.availability {
                Availability::CounterOnly { reason } => reason.get(lang).to_owned(),
                Availability::Online => String::new(),
            },
            deadline: l
                .deadline
                .map(|d| tr.t_with("plan-deadline", &[("date", tr.date_both(d))]))
                .unwrap_or_default(),
            deadline_rule: l
                .deadline_text
                .map(|t| t.get(lang).to_owned())
                .unwrap_or_default(),
            bring: p
                .attachments
                .iter()
                .map(|a| a.title.get(lang).to_owned())
                .collect(),
        }
    };
    let choices = state
        .portal
        .bundle_candidates(event, &plan.interview, plan.for_counter())
        .into_iter()
        .map(|p| BundleOption {
            id: p.id.to_string(),
            title: p.title.get(lang).to_owned(),
            department: p.department.name.get(lang).to_owned(),
            checked: choice.chosen.is_empty() || choice.chosen.iter().any(|c| c == p.id.as_str()),
        })
        .collect();
    PlanPage {
        choices,
        choice_error: None,
        done_url: choice.submitted.then(|| at.url("done")),
        bundle_action: at.url("bundle"),
        counter_code_action: (at.visit.is_none() && !choice.submitted)
            .then(|| at.url("counter-code")),
        base: ctx.base(state, title.clone()),
        title,
        change_url: event
            .interview
            .steps
            .first()
            .map(|s| at.url(&format!("steps/{}", s.id)))
            .unwrap_or_default(),
        link: at.link.clone(),
        keep_until: tr.t_with(
            "plan-link-body",
            &[(
                "date",
                madoguchi_app::i18n::japanese_date(plan.row.expires_at.to_offset(JST).date()),
            )],
        ),
        count: tr.t_with(voice.count, &[("count", total.to_string())]),
        voice,
        departments: groups
            .iter()
            .map(|g| DepartmentBlock {
                name: g.department.name.get(lang).to_owned(),
                place: g
                    .department
                    .place
                    .as_ref()
                    .map(|p| p.get(lang).to_owned())
                    .unwrap_or_default(),
                hours: g
                    .department
                    .hours
                    .as_ref()
                    .map(|h| h.get(lang).to_owned())
                    .unwrap_or_default(),
                phone: g.department.phone.clone().unwrap_or_default(),
                procedures: g.procedures.iter().map(line).collect(),
            })
            .collect(),
    }
}

/// The code a resident takes to the counter, with its QR code and how long it works.
#[derive(Template)]
#[template(path = "plan_code.html")]
pub(crate) struct CodePage {
    base: Base,
    code: String,
    /// The QR code as inline SVG (drawn here from the code's modules; nothing in it is typed).
    qr: String,
    valid_until: String,
    back_url: String,
}

pub(crate) fn code_page(state: &AppState, at: &PlanAt, code: String) -> CodePage {
    let tr = at.ctx.tr;
    CodePage {
        base: at.ctx.base(state, tr.t("plan-code-title")),
        qr: qr_svg(&code),
        code,
        valid_until: tr.t_with(
            "plan-code-valid",
            &[(
                "date",
                madoguchi_app::i18n::japanese_date(at.plan.row.expires_at.to_offset(JST).date()),
            )],
        ),
        back_url: at.url(""),
    }
}

/// A QR code of `text` as SVG: one square per dark module, four modules of quiet zone. A
/// scanner at the counter reads it and types the code.
fn qr_svg(text: &str) -> String {
    let Ok(code) = qrcode::QrCode::new(text.as_bytes()) else {
        return String::new();
    };
    let width = code.width();
    let size = width + 8;
    let mut path = String::new();
    for (i, color) in code.to_colors().iter().enumerate() {
        if *color == qrcode::Color::Dark {
            let (x, y) = (i % width + 4, i / width + 4);
            path.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
    }
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="240" height="240" aria-hidden="true" focusable="false"><rect width="{size}" height="{size}" fill="#fff"/><path d="{path}" fill="#000"/></svg>"##
    )
}
