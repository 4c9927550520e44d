//! Filling in an application: one page per step, the check-your-answers page, submission and
//! the confirmation. A draft lives at a private URL (`/drafts/{token}/…`): bookmarking any of
//! its pages is how a resident comes back later, with no account.

use super::{Ctx, form_value};
use crate::AppState;
use crate::error::{PageError, WebError, render};
use crate::views::{
    AnswerSection, Base, FieldBuilder, FieldView, SummaryItem, anchor, answer_sections,
    problem_message, yen,
};
use askama::Template;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use madoguchi_app::AppError;
use madoguchi_app::apply::{Draft, StepResult, Upload, previous_step, step_of};
use madoguchi_app::i18n::japanese_date;
use madoguchi_domain::form::FormValues;
use madoguchi_domain::procedure::Procedure;
use madoguchi_domain::validate::{self, FieldError, FieldPath};
use serde::Deserialize;

fn step_url(token: &str, step: &str, to_review: bool) -> String {
    let suffix = if to_review { "?return=review" } else { "" };
    format!("/drafts/{token}/steps/{step}{suffix}")
}

/// `POST /procedures/{id}/start`: a new draft, then its first question.
pub async fn start(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    ctx.verify_form(&state, &form)?;
    let (token, first) = state
        .portal
        .start_draft(&id)
        .await
        .map_err(|e| ctx.fail(e))?;
    Ok(Redirect::to(&step_url(&token, &first, false)).into_response())
}

async fn load(state: &AppState, ctx: &Ctx, token: &str) -> Result<Draft, WebError> {
    state.portal.draft(token).await.map_err(|e| ctx.fail(e))
}

/// `GET /drafts/{token}`: back to where the resident left off.
pub async fn resume(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let draft = load(&state, &ctx, &token).await?;
    if draft.row.application_id.is_some() {
        return Ok(Redirect::to(&format!("/drafts/{token}/done")).into_response());
    }
    Ok(Redirect::to(&first_incomplete(&draft)).into_response())
}

/// The first step still needing an answer, or the check page when none does.
fn first_incomplete(draft: &Draft) -> String {
    let errors = validate::check(&draft.procedure, &draft.answers, None);
    match errors.first().and_then(|e| step_of(&draft.procedure, e)) {
        Some(step) => step_url(&draft.token, step.id.as_str(), false),
        None => format!("/drafts/{}/review", draft.token),
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct StepQuery {
    #[serde(default)]
    r#return: String,
}

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
    resume_url: String,
    /// Said after 「住所を検索」 filled in the address.
    notice: Option<String>,
}

/// What a question page shows besides its questions: the values in its controls, the problems
/// found, and a notice (after 「住所を検索」).
struct Shown<'a> {
    values: &'a FormValues,
    errors: &'a [FieldError],
    notice: Option<String>,
}

fn render_step(
    state: &AppState,
    ctx: &Ctx,
    draft: &Draft,
    step_id: &str,
    to_review: bool,
    shown: Shown<'_>,
) -> Result<Html<String>, WebError> {
    let Shown {
        values,
        errors,
        notice,
    } = shown;
    let procedure = &draft.procedure;
    let step = procedure
        .step(step_id)
        .ok_or_else(|| ctx.page_error(PageError::NotFound))?;
    let lang = ctx.tr.lang.code();
    let builder = FieldBuilder {
        tr: ctx.tr,
        values,
        stored: &draft.answers,
        errors,
        procedure,
    };
    let fields = step
        .fields
        .iter()
        .map(|f| builder.build(f, &FieldPath::field(f.id.as_str())))
        .collect();
    let applicable = validate::applicable_steps(procedure, &draft.answers);
    let position = applicable
        .iter()
        .position(|s| s.id == step.id)
        .map_or(1, |i| i + 1);
    let back_url = if to_review {
        format!("/drafts/{}/review", draft.token)
    } else {
        previous_step(procedure, &draft.answers, step_id).map_or_else(
            || format!("/procedures/{}", procedure.id),
            |s| step_url(&draft.token, s.id.as_str(), false),
        )
    };
    let step_title = step.title.get(lang).to_owned();
    let procedure_title = procedure.title.get(lang).to_owned();
    let mut base = ctx.base(state, format!("{step_title} - {procedure_title}"));
    base.has_errors = !errors.is_empty();
    let expires = draft
        .row
        .expires_at
        .to_offset(time::macros::offset!(+9))
        .date();
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
        back_url,
        action: step_url(&draft.token, step_id, to_review),
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
            .t_with("resume-body", &[("date", japanese_date(expires))]),
        notice,
        resume_url: format!(
            "{}/drafts/{}",
            state.portal.config.public_url.trim_end_matches('/'),
            draft.token
        ),
    };
    render(&page, ctx.tr)
}

/// `GET /drafts/{token}/steps/{step}`
pub async fn show_step(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((token, step_id)): Path<(String, String)>,
    Query(q): Query<StepQuery>,
) -> Result<Response, WebError> {
    let draft = load(&state, &ctx, &token).await?;
    if draft.row.application_id.is_some() {
        return Ok(Redirect::to(&format!("/drafts/{token}/done")).into_response());
    }
    let step = draft
        .procedure
        .step(&step_id)
        .ok_or_else(|| ctx.page_error(PageError::NotFound))?;
    if !validate::step_applies(step, &draft.answers) {
        return Ok(Redirect::to(&first_incomplete(&draft)).into_response());
    }
    let values = FormValues::from_answers(step, &draft.answers);
    Ok(no_store(render_step(
        &state,
        &ctx,
        &draft,
        &step_id,
        q.r#return == "review",
        Shown {
            values: &values,
            errors: &[],
            notice: None,
        },
    )?))
}

/// What a posted question page carried.
struct Posted {
    pairs: Vec<(String, String)>,
    uploads: Vec<Upload>,
}

/// Reads a question page's body, urlencoded or (with file questions) multipart.
async fn read_posted(state: &AppState, ctx: &Ctx, request: Request) -> Result<Posted, WebError> {
    let is_multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !is_multipart {
        let Form(pairs) = Form::<Vec<(String, String)>>::from_request(request, state)
            .await
            .map_err(|_| ctx.page_error(PageError::NotFound))?;
        return Ok(Posted {
            pairs,
            uploads: Vec::new(),
        });
    }
    let mut multipart = Multipart::from_request(request, state)
        .await
        .map_err(|_| ctx.page_error(PageError::NotFound))?;
    let mut posted = Posted {
        pairs: Vec::new(),
        uploads: Vec::new(),
    };
    while let Some(part) = multipart
        .next_field()
        .await
        .map_err(|_| ctx.page_error(PageError::Internal))?
    {
        let name = part.name().unwrap_or_default().to_owned();
        match part.file_name().map(str::to_owned) {
            Some(file_name) => {
                let bytes = part
                    .bytes()
                    .await
                    .map_err(|_| ctx.page_error(PageError::Internal))?;
                // Browsers send an empty part for a file input left empty.
                if !bytes.is_empty()
                    && let Some(field) = name.strip_prefix("f.")
                {
                    posted.uploads.push(Upload {
                        field: field.to_owned(),
                        file_name,
                        bytes: bytes.to_vec(),
                    });
                }
            }
            None => {
                let text = part
                    .text()
                    .await
                    .map_err(|_| ctx.page_error(PageError::Internal))?;
                posted.pairs.push((name, text));
            }
        }
    }
    Ok(posted)
}

/// `POST /drafts/{token}/steps/{step}`: save and move on, or show the page again with messages.
pub async fn answer_step(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((token, step_id)): Path<(String, String)>,
    Query(q): Query<StepQuery>,
    request: Request,
) -> Result<Response, WebError> {
    let posted = read_posted(&state, &ctx, request).await?;
    ctx.verify_form(&state, &posted.pairs)?;
    let draft = load(&state, &ctx, &token).await?;
    if draft.row.application_id.is_some() {
        return Ok(Redirect::to(&format!("/drafts/{token}/done")).into_response());
    }
    let to_review = q.r#return == "review";
    let action = form_value(&posted.pairs, "action").to_owned();
    let mut values = FormValues::from_pairs(posted.pairs);
    if let Some(field) = action.strip_prefix("lookup:") {
        let (errors, notice) = match state
            .portal
            .fill_address(&draft.procedure, field, &mut values)
        {
            Ok(()) => (Vec::new(), Some(ctx.tr.t("postal-filled"))),
            Err(error) => (vec![error], None),
        };
        return Ok(no_store(render_step(
            &state,
            &ctx,
            &draft,
            &step_id,
            to_review,
            Shown {
                values: &values,
                errors: &errors,
                notice,
            },
        )?));
    }
    if let Some(group_action) = GroupAction::parse(&action) {
        group_action.apply(&draft, &mut values);
        return Ok(no_store(render_step(
            &state,
            &ctx,
            &draft,
            &step_id,
            to_review,
            Shown {
                values: &values,
                errors: &[],
                notice: None,
            },
        )?));
    }
    match state
        .portal
        .answer_step(&draft, &step_id, values, posted.uploads)
        .await
        .map_err(|e| ctx.fail(e))?
    {
        StepResult::Invalid { errors, values } => {
            let draft = load(&state, &ctx, &token).await?;
            let mut response = no_store(render_step(
                &state,
                &ctx,
                &draft,
                &step_id,
                to_review,
                Shown {
                    values: &values,
                    errors: &errors,
                    notice: None,
                },
            )?);
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        StepResult::Next(next) => {
            let draft = load(&state, &ctx, &token).await?;
            let target = match (to_review, next) {
                (true, _) | (false, None) => first_incomplete(&draft),
                (false, Some(next)) => step_url(&token, &next, false),
            };
            Ok(Redirect::to(&target).into_response())
        }
    }
}

/// "Add another" and "remove" on a repeating group: the page is shown again with one item
/// more or less, keeping everything typed.
enum GroupAction {
    Add(String),
    Remove(String, usize),
}

impl GroupAction {
    fn parse(action: &str) -> Option<Self> {
        let mut parts = action.split(':');
        match (parts.next()?, parts.next(), parts.next()) {
            ("add", Some(group), None) => Some(Self::Add(group.to_owned())),
            ("remove", Some(group), Some(i)) => {
                Some(Self::Remove(group.to_owned(), i.parse().ok()?))
            }
            _ => None,
        }
    }

    fn apply(&self, draft: &Draft, values: &mut FormValues) {
        let (group_id, remove) = match self {
            Self::Add(g) => (g, None),
            Self::Remove(g, i) => (g, Some(*i)),
        };
        let Some(madoguchi_domain::FieldKind::Group(group)) =
            draft.procedure.field(group_id).map(|f| &f.kind)
        else {
            return;
        };
        let path = FieldPath::field(group_id);
        let count = values.item_count(&path).unwrap_or(group.min_items.max(1));
        match remove {
            None if count < group.max_items => values.add_item(&path, count),
            Some(i) if count > group.min_items.max(1) && i < count => {
                values.remove_item(&path, i, count)
            }
            _ => {}
        }
    }
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    base: Base,
    procedure_title: String,
    sections: Vec<AnswerSection>,
    fee_total: Option<String>,
    fee_note: String,
    action: String,
    back_url: String,
}

/// `GET /drafts/{token}/review`: check your answers.
pub async fn review(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let draft = load(&state, &ctx, &token).await?;
    if draft.row.application_id.is_some() {
        return Ok(Redirect::to(&format!("/drafts/{token}/done")).into_response());
    }
    let target = first_incomplete(&draft);
    if !target.ends_with("/review") {
        return Ok(Redirect::to(&target).into_response());
    }
    let p = &draft.procedure;
    let lang = ctx.tr.lang.code();
    let fee_total = fee_total(p, &draft.answers);
    let last = validate::applicable_steps(p, &draft.answers)
        .last()
        .map(|s| s.id.to_string())
        .unwrap_or_default();
    let page = ReviewPage {
        base: ctx.base(
            &state,
            format!("{} - {}", ctx.tr.t("review-title"), p.title.get(lang)),
        ),
        procedure_title: p.title.get(lang).to_owned(),
        sections: answer_sections(ctx.tr, p, &draft.answers, Some(&format!("/drafts/{token}"))),
        fee_total,
        fee_note: p
            .fee
            .note
            .as_ref()
            .map(|n| n.get(lang).to_owned())
            .unwrap_or_default(),
        action: format!("/drafts/{token}/submit"),
        back_url: step_url(&token, &last, false),
    };
    Ok(no_store(render(&page, ctx.tr)?))
}

/// `POST /drafts/{token}/submit`: one application, however many times it is clicked.
pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    ctx.verify_form(&state, &form)?;
    if !state.submissions.allow(ctx.ip) {
        return Err(ctx.page_error(PageError::RateLimited));
    }
    let draft = load(&state, &ctx, &token).await?;
    match state.portal.submit_draft(&draft).await {
        Ok(_) => Ok(Redirect::to(&format!("/drafts/{token}/done")).into_response()),
        Err(AppError::Invalid(_)) => Ok(Redirect::to(&first_incomplete(&draft)).into_response()),
        Err(e) => Err(ctx.fail(e)),
    }
}

#[derive(Template)]
#[template(path = "done.html")]
struct DonePage {
    base: Base,
    procedure_title: String,
    receipt: String,
    access_code: String,
    next: String,
    contact: String,
    fee_total: Option<String>,
    fee_note: String,
    mail_sent: bool,
}

/// `GET /drafts/{token}/done`: the receipt number and access code.
pub async fn done(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let draft = load(&state, &ctx, &token).await?;
    let Some(application_id) = draft.row.application_id else {
        return Ok(Redirect::to(&format!("/drafts/{token}/review")).into_response());
    };
    let application = state
        .portal
        .store
        .application(state.portal.municipality(), application_id)
        .await
        .map_err(|e| ctx.fail(e.into()))?
        .ok_or_else(|| ctx.page_error(PageError::NotFound))?;
    let p = &draft.procedure;
    let lang = ctx.tr.lang.code();
    let department = p.department.name.get(lang).to_owned();
    let phone = p
        .department
        .phone
        .clone()
        .unwrap_or_else(|| state.portal.config.municipality.phone.clone());
    let page = DonePage {
        base: ctx.base(
            &state,
            format!("{} - {}", ctx.tr.t("done-title"), p.title.get(lang)),
        ),
        procedure_title: p.title.get(lang).to_owned(),
        receipt: application.receipt_number.clone(),
        access_code: state.portal.access_code(application.id),
        next: ctx.tr.t_with(
            "done-next-body",
            &[
                ("department", department.clone()),
                ("time", p.processing_time.get(lang).to_owned()),
            ],
        ),
        contact: ctx.tr.t_with(
            "done-contact",
            &[("department", department), ("phone", phone)],
        ),
        fee_total: fee_total(p, &draft.answers),
        fee_note: p
            .fee
            .note
            .as_ref()
            .map(|n| n.get(lang).to_owned())
            .unwrap_or_default(),
        mail_sent: p
            .notify_email_field
            .as_ref()
            .is_some_and(|f| draft.answers.contains(f.as_str())),
    };
    Ok(no_store(render(&page, ctx.tr)?))
}

/// The fee due for these answers, `3,000円`; `None` when free or not yet known.
fn fee_total(p: &Procedure, answers: &madoguchi_domain::Answers) -> Option<String> {
    if p.fee.is_free() {
        return None;
    }
    p.fee
        .amount_due(p, answers)
        .map(|a| format!("{}円", yen(a)))
}

/// Pages holding a resident's answers or codes are never kept by shared caches or the
/// browser's back-forward cache on a shared computer.
pub fn no_store(page: Html<String>) -> Response {
    ([(header::CACHE_CONTROL, "no-store")], page).into_response()
}
