//! A bundle's check page (the shared facts once, then each procedure's own answers, with its
//! fee and a way to leave it out) and its receipts (every 受付番号, 担当課 and status, with the
//! one access code).

use crate::AppState;
use crate::pages::Ctx;
use crate::pages::life_events::PlanAt;
use crate::views::{AnswerSection, Base, answer_sections, status_class};
use askama::Template;
use madoguchi_app::bundles::{BundleForm, BundleView};
use madoguchi_app::fees::{FeeText, fee_text};
use madoguchi_app::portal::Member;
use madoguchi_domain::life_event::LifeEvent;

#[derive(Debug, Clone)]
pub(crate) struct ReviewedForm {
    id: String,
    title: String,
    department: String,
    sections: Vec<AnswerSection>,
    fee: Option<FeeText>,
}

#[derive(Template)]
#[template(path = "bundle_review.html")]
pub(crate) struct ReviewPage {
    base: Base,
    event_title: String,
    back_url: String,
    facts: Vec<AnswerSection>,
    forms: Vec<ReviewedForm>,
    submit_label: String,
    drop_action: String,
    action: String,
    /// Prepared at home with a procedure done only at the counter: no submit, the code instead.
    counter_code_action: Option<String>,
}

pub(crate) fn review_page(
    state: &AppState,
    at: &PlanAt,
    event: &LifeEvent,
    forms: &[BundleForm<'_>],
) -> ReviewPage {
    let (ctx, plan) = (&at.ctx, &at.plan);
    let tr = ctx.tr;
    let lang = tr.lang.code();
    let reviewed = forms
        .iter()
        .map(|f| {
            let p = f.procedure();
            // What the facts gave is shown once, with the facts.
            let own = f.filled.asked(p);
            ReviewedForm {
                id: p.id.to_string(),
                title: p.title.get(lang).to_owned(),
                department: p.department.name.get(lang).to_owned(),
                sections: answer_sections(
                    tr,
                    &own,
                    &f.draft.answers,
                    Some(&at.url(&format!("forms/{}", p.id))),
                )
                .into_iter()
                .filter(|s| !s.rows.is_empty())
                .collect(),
                fee: fee_text(tr, p, &f.draft.answers, None),
            }
        })
        .collect::<Vec<_>>();
    let title = tr.t("bundle-review-title");
    ReviewPage {
        base: ctx.base(state, format!("{title} - {}", event.title.get(lang))),
        event_title: event.title.get(lang).to_owned(),
        back_url: at.url(""),
        facts: answer_sections(tr, &event.facts, &plan.facts, Some(&at.url("facts"))),
        submit_label: tr.t_with("bundle-submit", &[("count", reviewed.len().to_string())]),
        forms: reviewed,
        drop_action: at.url("drop"),
        action: at.url("submit"),
        counter_code_action: (at.visit.is_none()
            && forms.iter().any(|f| !f.procedure().is_online()))
        .then(|| at.url("counter-code")),
    }
}

#[derive(Debug, Clone)]
pub(crate) struct ReceiptLine {
    pub title: String,
    pub receipt: String,
    pub department: String,
    pub phone: String,
    pub status_text: String,
    pub status_class: &'static str,
}

/// The applications of a bundle as lines of a table (the receipts page and the status page).
pub(crate) fn receipt_lines(ctx: &Ctx, members: &[Member]) -> Vec<ReceiptLine> {
    let lang = ctx.tr.lang.code();
    members
        .iter()
        .map(|m| ReceiptLine {
            title: m.procedure.title.get(lang).to_owned(),
            receipt: m.application.receipt_number.clone(),
            department: m.procedure.department.name.get(lang).to_owned(),
            phone: m.procedure.department.phone.clone().unwrap_or_default(),
            status_text: ctx
                .tr
                .t(&format!("app-status-{}", m.application.status.as_str())),
            status_class: status_class(m.application.status),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "bundle_done.html")]
pub(crate) struct DonePage {
    base: Base,
    event_title: String,
    access_code: String,
    lines: Vec<ReceiptLine>,
    mail_sent: bool,
}

pub(crate) fn done_page(
    state: &AppState,
    ctx: &Ctx,
    event: &LifeEvent,
    view: &BundleView,
) -> DonePage {
    let lang = ctx.tr.lang.code();
    DonePage {
        base: ctx.base(state, ctx.tr.t("bundle-done-title")),
        event_title: event.title.get(lang).to_owned(),
        access_code: view.access_code.clone(),
        lines: receipt_lines(ctx, &view.members),
        mail_sent: view.members.iter().any(|m| {
            m.procedure.notify_email_field.as_ref().is_some_and(|f| {
                m.application
                    .answers
                    .get(f.as_str())
                    .is_some_and(|v| !v.is_null())
            })
        }),
    }
}
