//! The status page a resident sees with the receipt number and access code: the status and
//! its history, the answers as submitted, the withdrawal form, and — while the department asks
//! for a correction — the flagged questions ready to fix.

use crate::AppState;
use crate::pages::Ctx;
use crate::views::bundles::{ReceiptLine, receipt_lines};
use crate::views::{
    AnswerSection, Base, FieldBuilder, FieldView, SummaryItem, anchor, answer_sections,
    problem_message, status_class,
};
use askama::Template;
use madoguchi_app::apply::StatusView;
use madoguchi_app::fees::{FeeText, fee_text};
use madoguchi_app::timefmt::JST;
use madoguchi_domain::form::FormValues;
use madoguchi_domain::validate::{FieldError, FieldPath};

#[derive(Debug, Clone)]
struct HistoryRow {
    when: String,
    what: String,
}

#[derive(Template)]
#[template(path = "status.html")]
pub(crate) struct StatusPage {
    base: Base,
    procedure_title: String,
    receipt: String,
    access_code: String,
    status_text: String,
    status_class: &'static str,
    history: Vec<HistoryRow>,
    sections: Vec<AnswerSection>,
    fee: Option<FeeText>,
    can_withdraw: bool,
    /// Why withdrawing is no longer possible online, when a cut-off has passed.
    withdraw_closed: Option<String>,
    notice: Option<String>,
    withdraw_error: Option<String>,
    /// The department's correction request and the questions it names, ready to fix.
    correction_message: Option<String>,
    fields: Vec<FieldView>,
    /// The correction form sends files (a question of an item asked about takes them).
    multipart: bool,
    summary: Vec<SummaryItem>,
    /// The applications submitted together with this one from a life event.
    lines: Vec<ReceiptLine>,
}

/// What the correction form shows: the submitted answers at first, what was typed after an
/// error.
pub(crate) struct CorrectionShown<'a> {
    pub values: &'a FormValues,
    pub errors: &'a [FieldError],
}

pub(crate) fn status_page(
    state: &AppState,
    ctx: &Ctx,
    view: &StatusView,
    access_code: &str,
    notice: Option<String>,
    withdraw_error: Option<String>,
    correction: Option<CorrectionShown<'_>>,
) -> StatusPage {
    let lang = ctx.tr.lang.code();
    let status = view.application.status;
    let mut base = ctx.base(state, ctx.tr.t("status-title"));
    let stored_values = correction_values(view);
    let shown = correction.or_else(|| {
        view.correction.as_ref().map(|_| CorrectionShown {
            values: &stored_values,
            errors: &[],
        })
    });
    let errors = shown.as_ref().map_or(&[][..], |s| s.errors);
    let withdraw_closed = closed_for_withdrawal(ctx, view);
    base.has_errors = withdraw_error.is_some() || !errors.is_empty();
    let fields = match (&view.correction, &shown) {
        (Some(correction), Some(shown)) => {
            let builder = FieldBuilder {
                tr: ctx.tr,
                values: shown.values,
                stored: &view.answers,
                files_on_page: true,
                errors: shown.errors,
                procedure: &view.procedure,
            };
            view.procedure
                .fields()
                .map(|(_, f)| f)
                .filter(|f| correction.asks_for(f.id.as_str()))
                .map(|f| {
                    let mut field = builder.build(f, &FieldPath::field(f.id.as_str()));
                    // Fix the items as they are; adding or removing items is for a new application.
                    field.can_add = false;
                    field.items.iter_mut().for_each(|i| i.can_remove = false);
                    field
                })
                .collect()
        }
        _ => Vec::new(),
    };
    let multipart = fields.iter().any(|f| {
        f.kind == "file"
            || f.items
                .iter()
                .any(|i| i.fields.iter().any(|q| q.kind == "file"))
    });
    StatusPage {
        lines: receipt_lines(ctx, &view.bundle),
        multipart,
        base,
        procedure_title: view.procedure.title.get(lang).to_owned(),
        receipt: view.application.receipt_number.clone(),
        access_code: access_code.to_owned(),
        status_text: ctx.tr.t(&format!("app-status-{}", status.as_str())),
        status_class: status_class(status),
        history: view
            .events
            .iter()
            .map(|e| HistoryRow {
                when: e
                    .created_at
                    .to_offset(JST)
                    .format(time::macros::format_description!(
                        "[year]年[month padding:none]月[day padding:none]日 [hour]:[minute]"
                    ))
                    .unwrap_or_default(),
                what: match (e.kind.as_str(), &e.note) {
                    // The department's reason is the resident's to read.
                    ("rejected" | "correction_requested" | "fee_decided", Some(note)) => {
                        format!("{}：{note}", ctx.tr.t(&format!("event-{}", e.kind)))
                    }
                    _ => ctx.tr.t(&format!("event-{}", e.kind)),
                },
            })
            .collect(),
        sections: answer_sections(ctx.tr, &view.procedure, &view.answers, None),
        fee: fee_text(
            ctx.tr,
            &view.procedure,
            &view.answers,
            view.application.decided_fee,
        ),
        can_withdraw: status.can_withdraw() && withdraw_closed.is_none(),
        withdraw_closed,
        notice,
        withdraw_error,
        correction_message: view.correction.as_ref().map(|c| c.message.clone()),
        fields,
        summary: errors
            .iter()
            .map(|e| SummaryItem {
                href: anchor(&view.procedure, e),
                message: problem_message(ctx.tr, &view.procedure, e),
            })
            .collect(),
    }
}

/// 「取下げの受付は終了しました」 once the procedure's cut-off has passed, for an application that
/// could otherwise still be withdrawn.
pub(crate) fn closed_for_withdrawal(ctx: &Ctx, view: &StatusView) -> Option<String> {
    let last = view.procedure.last_day_to_withdraw(&view.answers)?;
    (view.application.status.can_withdraw() && madoguchi_app::timefmt::today_jst() > last).then(
        || {
            ctx.tr.t_with(
                "status-withdraw-closed",
                &[
                    ("date", ctx.tr.date_both(last)),
                    (
                        "department",
                        view.procedure
                            .department
                            .name
                            .get(ctx.tr.lang.code())
                            .to_owned(),
                    ),
                ],
            )
        },
    )
}

/// The submitted answers to the questions a correction names, as form values.
fn correction_values(view: &StatusView) -> FormValues {
    let Some(correction) = &view.correction else {
        return FormValues::default();
    };
    let step = madoguchi_domain::procedure::Step {
        id: madoguchi_domain::ids::StepId::parse("correction").expect("a valid id"),
        title: Default::default(),
        help: None,
        show_if: None,
        fields: view
            .procedure
            .fields()
            .map(|(_, f)| f.clone())
            .filter(|f| correction.asks_for(f.id.as_str()))
            .collect(),
    };
    FormValues::carrying_files(&step, &view.answers)
}
