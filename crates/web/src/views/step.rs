//! A question page: the step's questions with what was typed (or stored), the problems next
//! to each, the error summary, progress, the back link and the private resume link.

use crate::AppState;
use crate::error::{PageError, WebError, render};
use crate::pages::Ctx;
use crate::views::{Base, FieldBuilder, FieldView, SummaryItem, anchor, problem_message};
use askama::Template;
use axum::response::Html;
use madoguchi_app::apply::{Draft, previous_step};
use madoguchi_app::i18n::japanese_date;
use madoguchi_app::timefmt::JST;
use madoguchi_domain::Answers;
use madoguchi_domain::form::FormValues;
use madoguchi_domain::procedure::{Procedure, Step};
use madoguchi_domain::validate::{self, FieldError, FieldPath};

#[derive(Template)]
#[template(path = "step.html")]
struct StepPage {
    base: Base,
    procedure_title: String,
    step_title: String,
    help: Option<String>,
    progress: String,
    back_url: String,
    action: String,
    multipart: bool,
    fields: Vec<FieldView>,
    summary: Vec<SummaryItem>,
    resume_title: String,
    resume_body: String,
    /// The private link to come back by; none at the counter.
    resume_url: Option<String>,
    /// Said after 「住所を検索」 filled in the address.
    notice: Option<String>,
}

/// What a question page shows besides its questions: the values in its controls, the problems
/// found, and a notice (after 「住所を検索」).
pub(crate) struct Shown<'a> {
    pub values: &'a FormValues,
    pub errors: &'a [FieldError],
    pub notice: Option<String>,
}

/// A page of questions of any question set (a draft's procedure, a life event's interview):
/// where it sits, where its back link and form go, and its private link.
pub(crate) struct Questions<'a> {
    pub procedure: &'a Procedure,
    pub stored: &'a Answers,
    pub step: &'a Step,
    pub back_url: String,
    pub action: String,
    pub resume_url: Option<String>,
    pub expires: time::Date,
}

pub(crate) fn render_step(
    state: &AppState,
    ctx: &Ctx,
    draft: &Draft,
    step_id: &str,
    to_review: bool,
    shown: Shown<'_>,
) -> Result<Html<String>, WebError> {
    let procedure = &draft.procedure;
    let step = procedure
        .step(step_id)
        .ok_or_else(|| ctx.page_error(PageError::NotFound))?;
    let back_url = if to_review {
        format!("/drafts/{}/review", draft.token)
    } else {
        previous_step(procedure, &draft.answers, step_id).map_or_else(
            || format!("/procedures/{}", procedure.id),
            |s| step_url(&draft.token, s.id.as_str(), false),
        )
    };
    let questions = Questions {
        procedure,
        stored: &draft.answers,
        step,
        back_url,
        action: step_url(&draft.token, step_id, to_review),
        resume_url: Some(format!(
            "{}/drafts/{}",
            state.portal.config.public_url.trim_end_matches('/'),
            draft.token
        )),
        expires: draft.row.expires_at.to_offset(JST).date(),
    };
    render_questions(state, ctx, questions, shown)
}

pub(crate) fn render_questions(
    state: &AppState,
    ctx: &Ctx,
    questions: Questions<'_>,
    shown: Shown<'_>,
) -> Result<Html<String>, WebError> {
    let Shown {
        values,
        errors,
        notice,
    } = shown;
    let Questions {
        procedure,
        stored,
        step,
        ..
    } = questions;
    let lang = ctx.tr.lang.code();
    let builder = FieldBuilder {
        tr: ctx.tr,
        values,
        stored,
        errors,
        procedure,
        files_on_page: false,
    };
    let fields = step
        .fields
        .iter()
        .map(|f| builder.build(f, &FieldPath::field(f.id.as_str())))
        .collect();
    let applicable = validate::applicable_steps(procedure, stored);
    let position = applicable
        .iter()
        .position(|s| s.id == step.id)
        .map_or(1, |i| i + 1);
    let step_title = step.title.get(lang).to_owned();
    let procedure_title = procedure.title.get(lang).to_owned();
    let mut base = ctx.base(state, format!("{step_title} - {procedure_title}"));
    base.has_errors = !errors.is_empty();
    let page = StepPage {
        base,
        procedure_title,
        step_title,
        help: step.help.as_ref().map(|h| h.get(lang).to_owned()),
        progress: ctx.tr.t_with(
            "step-progress",
            &[
                ("current", position.to_string()),
                ("total", applicable.len().max(position).to_string()),
            ],
        ),
        back_url: questions.back_url,
        action: questions.action,
        multipart: Procedure::step_has_files(step),
        fields,
        summary: errors
            .iter()
            .map(|e| SummaryItem {
                href: anchor(procedure, e),
                message: problem_message(ctx.tr, procedure, e),
            })
            .collect(),
        resume_title: ctx.tr.t("resume-title"),
        resume_body: ctx
            .tr
            .t_with("resume-body", &[("date", japanese_date(questions.expires))]),
        notice,
        resume_url: questions.resume_url,
    };
    render(&page, ctx.tr)
}

/// A question page's address; from the check page's 「変更」 links it returns there.
pub(crate) fn step_url(token: &str, step: &str, to_review: bool) -> String {
    let suffix = if to_review { "?return=review" } else { "" };
    format!("/drafts/{token}/steps/{step}{suffix}")
}
