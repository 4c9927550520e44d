//! The case page as staff read it: answers laid out like the paper form (groups as tables),
//! 外字 candidates, attachments, the actions the status allows, the history and the access log.

use crate::AppState;
use crate::staff::{Choice, StaffCtx};
use crate::views::{Base, human_size, status_class};
use askama::Template;
use madoguchi_app::cases::CaseFile;
use madoguchi_app::fees::{FeeText, fee_text};
use madoguchi_app::timefmt::jst_minutes;
use madoguchi_domain::answers::{Answer, MyNumberAnswer};
use madoguchi_domain::case::{StaffAction, is_internal_event};
use madoguchi_domain::procedure::{Field, FieldKind};
use madoguchi_domain::validate;

#[derive(Debug, Clone)]
struct AnswerView {
    label: String,
    lines: Vec<String>,
    /// A repeating group as a table: column headings and one row per item.
    table_head: Vec<String>,
    table_rows: Vec<Vec<String>>,
    /// A 個人番号 question's id, when the staff member may reveal it.
    reveal_field: Option<String>,
}

#[derive(Debug, Clone)]
struct SectionView {
    title: String,
    answers: Vec<AnswerView>,
}

#[derive(Debug, Clone)]
struct FlagView {
    question: String,
    character: String,
    code_point: String,
    jis0208: String,
    jis0213: String,
    cp932: String,
}

#[derive(Debug, Clone)]
struct FileView {
    name: String,
    size: String,
    href: String,
}

#[derive(Debug, Clone)]
struct EventView {
    when: String,
    what: String,
    who: String,
    note: String,
    internal: bool,
}

#[derive(Debug, Clone)]
struct AccessView {
    when: String,
    who: String,
    what: String,
    ip: String,
}

#[derive(Debug, Clone)]
struct ActionView {
    value: &'static str,
    label: String,
}

#[derive(Template)]
#[template(path = "staff_case.html")]
pub(crate) struct CasePage {
    base: Base,
    receipt: String,
    procedure: String,
    version: String,
    status: String,
    /// The status as the action forms send it back (`seen`), to detect a change in between.
    status_value: &'static str,
    status_class: &'static str,
    submitted: String,
    channel: String,
    assignee: String,
    /// 「引越し」でまとめて申請された, and the bundle's other procedures with their 担当課.
    bundle_title: Option<String>,
    bundle: Vec<(String, String)>,
    notice: Option<String>,
    error: Option<String>,
    revealed: Option<(String, String)>,
    correction_message: Option<String>,
    correction_fields: Vec<String>,
    flags: Vec<FlagView>,
    sections: Vec<SectionView>,
    fee: Option<FeeText>,
    files: Vec<FileView>,
    actions: Vec<ActionView>,
    can_correct: bool,
    correctable: Vec<Choice>,
    can_reject: bool,
    can_assign: bool,
    /// 手数料の決定: offered for a fee the department sets, prefilled with the amount decided.
    can_decide_fee: bool,
    decided_fee: String,
    colleagues: Vec<Choice>,
    events: Vec<EventView>,
    access: Vec<AccessView>,
}

pub(crate) fn case_page(
    state: &AppState,
    staff: &StaffCtx,
    file: &CaseFile,
    notice: Option<String>,
    error: Option<String>,
    revealed: Option<(String, String)>,
) -> CasePage {
    let tr = staff.ctx.tr;
    let lang = tr.lang.code();
    let app = &file.application;
    let procedure = &file.procedure;
    let status = app.status;
    let mut base = staff.base(
        state,
        tr.t_with("case-title", &[("receipt", app.receipt_number.clone())]),
    );
    base.has_errors = error.is_some();
    let may_reveal = staff.staff.my_number_access;
    let sections: Vec<SectionView> = validate::applicable_steps(procedure, &file.answers)
        .into_iter()
        .map(|step| SectionView {
            title: step.title.get(lang).to_owned(),
            answers: step
                .fields
                .iter()
                .filter(|f| f.show_if.as_ref().is_none_or(|c| c.eval(&file.answers)))
                .map(|f| answer_view(tr, f, file.answers.get(f.id.as_str()), may_reveal))
                .collect(),
        })
        .collect();
    let label_of = |id: &str| {
        procedure
            .field(id)
            .map_or_else(|| id.to_owned(), |f| f.label.get(lang).to_owned())
    };
    let yes_no = |b: bool| tr.t(if b { "staff-yes" } else { "staff-no" });
    let button_actions = [
        StaffAction::Accept,
        StaffAction::Approve,
        StaffAction::Complete,
    ];
    CasePage {
        base,
        receipt: app.receipt_number.clone(),
        procedure: procedure.title.get(lang).to_owned(),
        version: procedure.version.chars().take(12).collect(),
        status: tr.t(&format!("app-status-{}", status.as_str())),
        status_value: status.as_str(),
        status_class: status_class(status),
        submitted: jst_minutes(app.submitted_at),
        channel: tr.t(&format!("channel-{}", app.channel)),
        bundle_title: app
            .life_event_id
            .as_deref()
            .and_then(|id| state.portal.catalog.event(id))
            .map(|e| {
                tr.t_with(
                    "case-bundle-title",
                    &[("event", e.title.get(lang).to_owned())],
                )
            }),
        bundle: file
            .bundle
            .iter()
            .map(|p| {
                (
                    p.title.get(lang).to_owned(),
                    p.department.name.get(lang).to_owned(),
                )
            })
            .collect(),
        assignee: file
            .assignee
            .as_ref()
            .map_or_else(|| tr.t("case-unassigned"), |a| a.display_name.clone()),
        notice,
        error,
        revealed,
        correction_message: file.correction.as_ref().map(|c| c.message.clone()),
        correction_fields: file
            .correction
            .as_ref()
            .map(|c| c.fields.iter().map(|f| label_of(f.as_str())).collect())
            .unwrap_or_default(),
        flags: file
            .flags
            .iter()
            .map(|flag| FlagView {
                question: flag_label(procedure, flag, lang),
                character: flag.finding.ch.to_string(),
                code_point: flag.finding.code_point(),
                jis0208: yes_no(flag.finding.in_jis_x_0208),
                jis0213: yes_no(flag.finding.in_jis_x_0213),
                cp932: yes_no(flag.finding.in_cp932),
            })
            .collect(),
        sections,
        fee: fee_text(tr, procedure, &file.answers, app.decided_fee),
        files: file
            .answers
            .files()
            .iter()
            .map(|f| FileView {
                name: f.name.clone(),
                size: human_size(f.size),
                href: format!("/staff/cases/{}/files/{}", app.receipt_number, f.sha256),
            })
            .collect(),
        actions: button_actions
            .into_iter()
            .filter(|a| a.is_allowed_from(status))
            .map(|a| ActionView {
                value: a.as_str(),
                label: tr.t(&format!("case-action-{}", a.as_str())),
            })
            .collect(),
        can_correct: StaffAction::RequestCorrection.is_allowed_from(status),
        correctable: procedure
            .fields()
            .map(|(_, f)| f)
            .filter(|f| file.answers.contains(f.id.as_str()) || f.required)
            .map(|f| Choice {
                value: f.id.to_string(),
                label: f.label.get(lang).to_owned(),
                selected: false,
            })
            .collect(),
        can_reject: StaffAction::Reject.is_allowed_from(status),
        can_assign: StaffAction::Assign.is_allowed_from(status),
        can_decide_fee: procedure.fee.is_decided_by_staff()
            && StaffAction::DecideFee.is_allowed_from(status),
        decided_fee: app.decided_fee.map(|n| n.to_string()).unwrap_or_default(),
        colleagues: file
            .colleagues
            .iter()
            .map(|c| Choice {
                value: c.id.to_string(),
                label: c.display_name.clone(),
                selected: app.assigned_to == Some(c.id),
            })
            .collect(),
        events: file
            .events
            .iter()
            .map(|e| EventView {
                when: jst_minutes(e.created_at),
                what: tr.t(&format!("event-{}", e.kind)),
                who: if e.actor == "resident" {
                    tr.t("case-actor-resident")
                } else {
                    e.actor.clone()
                },
                note: e.note.clone().unwrap_or_default(),
                internal: is_internal_event(&e.kind),
            })
            .collect(),
        access: file
            .access
            .iter()
            .map(|a| AccessView {
                when: jst_minutes(a.at),
                who: a.actor.clone(),
                what: tr.t(&format!("audit-{}", a.action.replace('.', "-"))),
                ip: a.ip.clone(),
            })
            .collect(),
    }
}

fn flag_label(
    procedure: &madoguchi_domain::Procedure,
    flag: &madoguchi_domain::gaiji::CharFlag,
    lang: &str,
) -> String {
    let label = flag
        .path
        .resolve(procedure)
        .map_or_else(|| flag.path.to_string(), |f| f.label.get(lang).to_owned());
    let group = match flag.path.0.first() {
        Some(madoguchi_domain::validate::Segment::Field(id)) => procedure.field(id),
        _ => None,
    };
    match (flag.path.item_index(), group.map(|g| &g.kind)) {
        (Some(i), Some(FieldKind::Group(g))) => {
            format!("{}：{label}", g.label_for(i, lang))
        }
        _ => label,
    }
}

/// One answer as the paper form would show it; groups become tables.
fn answer_view(
    tr: madoguchi_app::i18n::Tr,
    field: &Field,
    answer: Option<&Answer>,
    may_reveal: bool,
) -> AnswerView {
    let lang = tr.lang.code();
    let mut view = AnswerView {
        label: field.label.get(lang).to_owned(),
        lines: Vec::new(),
        table_head: Vec::new(),
        table_rows: Vec::new(),
        reveal_field: None,
    };
    match (answer, &field.kind) {
        (None, _) => view.lines.push(tr.t("review-none")),
        (Some(Answer::Group(items)), FieldKind::Group(group)) => {
            view.table_head = group
                .fields
                .iter()
                .map(|f| f.label.get(lang).to_owned())
                .collect();
            view.table_rows = items
                .iter()
                .map(|item| {
                    group
                        .fields
                        .iter()
                        .map(|f| {
                            item.get(f.id.as_str())
                                .map_or_else(String::new, |a| crate::views::answer_text(tr, f, a))
                        })
                        .collect()
                })
                .collect();
        }
        (Some(a @ Answer::MyNumber(MyNumberAnswer::Sealed(_))), _) => {
            view.lines.push(crate::views::answer_text(tr, field, a));
            view.reveal_field = may_reveal.then(|| field.id.to_string());
        }
        (Some(a), _) => view.lines.push(crate::views::answer_text(tr, field, a)),
    }
    view
}
