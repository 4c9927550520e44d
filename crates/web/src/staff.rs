//! The back office: pages for department staff under `/staff`.
//!
//! Every page but the login form needs a session (a random token in an HttpOnly, SameSite
//! cookie, stored hashed); without one the browser is sent to the login page. Handlers only
//! read the request and call [`madoguchi_app::Portal`]; department isolation and auditing are
//! the application layer's, so no page can forget them.

use crate::AppState;
use crate::csrf::cookie;
use crate::error::{PageError, WebError, render};
use crate::pages::drafts::no_store;
use crate::pages::{Ctx, form_value};
use crate::views::{Base, human_size, status_class};
use askama::Template;
use axum::body::Body;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use madoguchi_app::AppError;
use madoguchi_app::backoffice::{
    ActionInput, CaseFile, ExportEncoding, ExportFormat, ExportOutcome, InboxQuery, NewAccount,
    Staff, Unmappable,
};
use madoguchi_app::portal::jst_minutes;
use madoguchi_domain::ApplicationStatus;
use madoguchi_domain::answers::{Answer, MyNumberAnswer};
use madoguchi_domain::case::{StaffAction, is_internal_event};
use madoguchi_domain::procedure::{Field, FieldKind};
use madoguchi_domain::validate;
use serde::Deserialize;
use uuid::Uuid;

pub const SESSION_COOKIE: &str = "mdg_staff";

/// A page request from a logged-in staff member.
#[derive(Debug, Clone)]
pub struct StaffCtx {
    pub ctx: Ctx,
    pub staff: Staff,
    pub token: String,
}

impl FromRequestParts<AppState> for StaffCtx {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, state).await?;
        let token = cookie(&parts.headers, SESSION_COOKIE).unwrap_or_default();
        match state.portal.staff_session(&token).await {
            Ok(staff) => Ok(Self { ctx, staff, token }),
            Err(AppError::LoginRequired) => Err(WebError::Redirect("/staff/login".into())),
            Err(e) => Err(ctx.fail(e)),
        }
    }
}

impl StaffCtx {
    fn base(&self, state: &AppState, title: String) -> Base {
        let mut base = self.ctx.base(state, title);
        base.site_name = self.ctx.tr.t("staff-site-name");
        base
    }

    fn ip(&self) -> String {
        self.ctx.ip.to_string()
    }

    fn fail(&self, e: AppError) -> WebError {
        self.ctx.fail(e)
    }
}

fn session_cookie(state: &AppState, value: &str, max_age: Option<i64>) -> HeaderValue {
    let secure = if state.portal.config.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    let age = max_age.map_or_else(String::new, |s| format!("; Max-Age={s}"));
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/staff; HttpOnly; SameSite=Strict{secure}{age}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

// ---- login ----

#[derive(Template)]
#[template(path = "staff_login.html")]
struct LoginPage {
    base: Base,
    login: String,
    error: Option<String>,
}

fn login_page(state: &AppState, ctx: &Ctx, login: String, error: Option<String>) -> LoginPage {
    let mut base = ctx.base(state, ctx.tr.t("staff-login-title"));
    base.site_name = ctx.tr.t("staff-site-name");
    base.has_errors = error.is_some();
    LoginPage { base, login, error }
}

pub async fn login_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let page = login_page(&state, &ctx, String::new(), None);
    Ok(no_store(render(&page, ctx.tr)?))
}

pub async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    ctx.verify_form(&state, &form)?;
    if !state.logins.allow(ctx.ip) {
        return Err(ctx.page_error(PageError::RateLimited));
    }
    let login = form_value(&form, "login").trim().to_owned();
    let password = form_value(&form, "password");
    match state
        .portal
        .login(&login, password, &ctx.ip.to_string())
        .await
    {
        Ok((token, _)) => {
            let hours = state.portal.config.staff.session_hours;
            let mut response = Redirect::to("/staff").into_response();
            response.headers_mut().append(
                header::SET_COOKIE,
                session_cookie(&state, &token, Some(hours * 3600)),
            );
            Ok(response)
        }
        Err(e @ (AppError::LoginFailed | AppError::AccountLocked)) => {
            let message = ctx.tr.t(match e {
                AppError::AccountLocked => "staff-login-locked",
                _ => "staff-login-failed",
            });
            let page = login_page(&state, &ctx, login, Some(message));
            Ok((StatusCode::UNAUTHORIZED, no_store(render(&page, ctx.tr)?)).into_response())
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

pub async fn logout(
    State(state): State<AppState>,
    staff: StaffCtx,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    staff.ctx.verify_form(&state, &form)?;
    state
        .portal
        .logout(&staff.token)
        .await
        .map_err(|e| staff.fail(e))?;
    let mut response = Redirect::to("/staff/login").into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, session_cookie(&state, "", Some(0)));
    Ok(response)
}

// ---- inbox ----

#[derive(Debug, Clone)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Debug, Clone)]
struct InboxRow {
    receipt: String,
    procedure: String,
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
    statuses: Vec<Choice>,
    from: String,
    to: String,
    search: String,
    counts: Vec<CountView>,
    rows: Vec<InboxRow>,
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
}

pub async fn inbox(
    State(state): State<AppState>,
    staff: StaffCtx,
    Query(params): Query<InboxParams>,
) -> Result<Response, WebError> {
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
    };
    let inbox = state
        .portal
        .inbox(&actor, &query)
        .await
        .map_err(|e| staff.fail(e))?;
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

fn department_name(
    state: &AppState,
    department: Option<&str>,
    tr: madoguchi_app::i18n::Tr,
) -> String {
    match department {
        None => tr.t("staff-all-departments"),
        Some(id) => state
            .portal
            .departments()
            .into_iter()
            .find(|(d, _)| d == id)
            .map_or_else(|| id.to_owned(), |(_, name)| name),
    }
}

// ---- the case ----

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
struct CasePage {
    base: Base,
    receipt: String,
    procedure: String,
    version: String,
    status: String,
    status_class: &'static str,
    submitted: String,
    channel: String,
    assignee: String,
    notice: Option<String>,
    error: Option<String>,
    revealed: Option<(String, String)>,
    correction_message: Option<String>,
    correction_fields: Vec<String>,
    flags: Vec<FlagView>,
    sections: Vec<SectionView>,
    files: Vec<FileView>,
    actions: Vec<ActionView>,
    can_correct: bool,
    correctable: Vec<Choice>,
    can_reject: bool,
    can_assign: bool,
    colleagues: Vec<Choice>,
    events: Vec<EventView>,
    access: Vec<AccessView>,
}

#[derive(Debug, Deserialize, Default)]
pub struct CaseParams {
    #[serde(default)]
    done: String,
}

pub async fn case(
    State(state): State<AppState>,
    staff: StaffCtx,
    Path(receipt): Path<String>,
    Query(params): Query<CaseParams>,
) -> Result<Response, WebError> {
    let file = state
        .portal
        .open_case(&staff.staff.actor(), &receipt, &staff.ip())
        .await
        .map_err(|e| staff.fail(e))?;
    let notice = StaffAction::parse(&params.done)
        .map(|a| staff.ctx.tr.t(&format!("case-done-{}", a.as_str())));
    let page = case_page(&state, &staff, &file, notice, None, None);
    Ok(no_store(render(&page, staff.ctx.tr)?))
}

fn case_page(
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
        status_class: status_class(status),
        submitted: jst_minutes(app.submitted_at),
        channel: tr.t(&format!("channel-{}", app.channel)),
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
            .filter(|f| !matches!(f.kind, FieldKind::File { .. }))
            .filter(|f| file.answers.contains(f.id.as_str()) || f.required)
            .map(|f| Choice {
                value: f.id.to_string(),
                label: f.label.get(lang).to_owned(),
                selected: false,
            })
            .collect(),
        can_reject: StaffAction::Reject.is_allowed_from(status),
        can_assign: StaffAction::Assign.is_allowed_from(status),
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

pub async fn act(
    State(state): State<AppState>,
    staff: StaffCtx,
    Path(receipt): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    staff.ctx.verify_form(&state, &form)?;
    let Some(action) = StaffAction::parse(form_value(&form, "action")) else {
        return Err(staff.ctx.page_error(PageError::NotFound));
    };
    let input = ActionInput {
        action,
        text: form_value(&form, "text").to_owned(),
        fields: form
            .iter()
            .filter(|(k, _)| k == "fields")
            .map(|(_, v)| v.clone())
            .collect(),
        assignee: Uuid::parse_str(form_value(&form, "assignee")).ok(),
    };
    let actor = staff.staff.actor();
    match state
        .portal
        .act(&actor, &receipt, &input, &staff.ip())
        .await
    {
        Ok(row) => Ok(Redirect::to(&format!(
            "/staff/cases/{}?done={}",
            row.receipt_number,
            action.as_str()
        ))
        .into_response()),
        Err(e @ (AppError::BadRequest(_) | AppError::NotAllowed(_))) => {
            let message = match e {
                AppError::BadRequest(key) => staff.ctx.tr.t(key),
                _ => staff.ctx.tr.t("case-error-not-allowed"),
            };
            let file = state
                .portal
                .open_case(&actor, &receipt, &staff.ip())
                .await
                .map_err(|e| staff.fail(e))?;
            let page = case_page(&state, &staff, &file, None, Some(message), None);
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                no_store(render(&page, staff.ctx.tr)?),
            )
                .into_response())
        }
        Err(e) => Err(staff.fail(e)),
    }
}

/// `POST /staff/cases/{receipt}/my-number`: shows one 個人番号 whole, once, on this page.
pub async fn reveal(
    State(state): State<AppState>,
    staff: StaffCtx,
    Path(receipt): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    staff.ctx.verify_form(&state, &form)?;
    let actor = staff.staff.actor();
    let field = form_value(&form, "field");
    let number = state
        .portal
        .reveal_my_number(&actor, &receipt, field, &staff.ip())
        .await;
    let file = state
        .portal
        .open_case(&actor, &receipt, &staff.ip())
        .await
        .map_err(|e| staff.fail(e))?;
    let (revealed, error, status) = match number {
        Ok(n) => {
            let label = file.procedure.field(field).map_or_else(String::new, |f| {
                f.label.get(staff.ctx.tr.lang.code()).to_owned()
            });
            (Some((label, n)), None, StatusCode::OK)
        }
        Err(AppError::Forbidden) => (
            None,
            Some(staff.ctx.tr.t("case-error-my-number")),
            StatusCode::FORBIDDEN,
        ),
        Err(e) => return Err(staff.fail(e)),
    };
    let page = case_page(&state, &staff, &file, None, error, revealed);
    Ok((status, no_store(render(&page, staff.ctx.tr)?)).into_response())
}

/// An attachment, always as a download with its recorded type.
pub async fn attachment(
    State(state): State<AppState>,
    staff: StaffCtx,
    Path((receipt, sha)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let (bytes, name, content_type) = state
        .portal
        .case_attachment(&staff.staff.actor(), &receipt, &sha, &staff.ip())
        .await
        .map_err(|e| staff.fail(e))?;
    Ok(download(bytes, &name, &content_type))
}

/// A file response that browsers save rather than open, with its name in RFC 6266 form.
pub fn download(bytes: Vec<u8>, name: &str, content_type: &str) -> Response {
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    let mut response = Response::new(Body::from(bytes));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

// ---- exports ----

#[derive(Template)]
#[template(path = "staff_export.html")]
struct ExportPage {
    base: Base,
    procedures: Vec<Choice>,
    problems: Vec<UnmappableView>,
}

#[derive(Debug, Clone)]
struct UnmappableView {
    receipt: String,
    column: String,
    character: String,
    code_point: String,
    position: usize,
}

impl From<&Unmappable> for UnmappableView {
    fn from(u: &Unmappable) -> Self {
        Self {
            receipt: u.receipt_number.clone(),
            column: u.column.clone(),
            character: u.character.to_string(),
            code_point: u.code_point(),
            position: u.position,
        }
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct ExportParams {
    #[serde(default)]
    procedure: String,
    #[serde(default)]
    format: String,
    #[serde(default)]
    encoding: String,
}

/// The procedures of the staff member's department (all, for administrators), to choose from.
fn procedure_choices(state: &AppState, staff: &StaffCtx, selected: &str) -> Vec<Choice> {
    let scope = staff.staff.actor().scope;
    let lang = staff.ctx.tr.lang.code();
    state
        .portal
        .catalog
        .procedures
        .iter()
        .filter(|p| scope.as_deref().is_none_or(|d| d == p.department.id))
        .map(|p| Choice {
            value: p.id.to_string(),
            label: p.title.get(lang).to_owned(),
            selected: p.id.as_str() == selected,
        })
        .collect()
}

pub async fn export_form(
    State(state): State<AppState>,
    staff: StaffCtx,
) -> Result<Response, WebError> {
    let page = ExportPage {
        base: staff.base(&state, staff.ctx.tr.t("export-title")),
        procedures: procedure_choices(&state, &staff, ""),
        problems: Vec::new(),
    };
    Ok(no_store(render(&page, staff.ctx.tr)?))
}

pub async fn export_file(
    State(state): State<AppState>,
    staff: StaffCtx,
    Query(params): Query<ExportParams>,
) -> Result<Response, WebError> {
    let format = if params.format == "json" {
        ExportFormat::Json
    } else {
        ExportFormat::Csv
    };
    let encoding = if params.encoding == "cp932" {
        ExportEncoding::Cp932
    } else {
        ExportEncoding::Utf8Bom
    };
    let outcome = state
        .portal
        .export(
            &staff.staff.actor(),
            &params.procedure,
            format,
            encoding,
            &staff.ip(),
        )
        .await
        .map_err(|e| staff.fail(e))?;
    match outcome {
        ExportOutcome::File(file) => Ok(download(file.bytes, &file.file_name, file.content_type)),
        ExportOutcome::Unmappable(problems) => {
            let mut base = staff.base(&state, staff.ctx.tr.t("export-title"));
            base.has_errors = true;
            let page = ExportPage {
                base,
                procedures: procedure_choices(&state, &staff, &params.procedure),
                problems: problems.iter().map(UnmappableView::from).collect(),
            };
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                no_store(render(&page, staff.ctx.tr)?),
            )
                .into_response())
        }
    }
}

// ---- integration: deliveries and tokens ----

#[derive(Debug, Clone)]
struct DeliveryView {
    id: String,
    when: String,
    receipt: String,
    url: String,
    status: String,
    failed: bool,
    attempts: i32,
    error: String,
}

#[derive(Debug, Clone)]
struct TokenView {
    id: String,
    name: String,
    department: String,
    created: String,
    last_used: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "staff_integration.html")]
struct IntegrationPage {
    base: Base,
    notice: Option<String>,
    new_token: Option<String>,
    deliveries: Vec<DeliveryView>,
    tokens: Vec<TokenView>,
    departments: Vec<Choice>,
}

async fn integration_page(
    state: &AppState,
    staff: &StaffCtx,
    notice: Option<String>,
    new_token: Option<String>,
) -> Result<Response, WebError> {
    let tr = staff.ctx.tr;
    let deliveries = state
        .portal
        .deliveries(&staff.staff)
        .await
        .map_err(|e| staff.fail(e))?;
    let tokens = state
        .portal
        .tokens(&staff.staff)
        .await
        .map_err(|e| staff.fail(e))?;
    let scope = staff.staff.actor().scope;
    let page = IntegrationPage {
        base: staff.base(state, tr.t("integration-title")),
        notice,
        new_token,
        deliveries: deliveries
            .iter()
            .map(|d| DeliveryView {
                id: d.id.to_string(),
                when: jst_minutes(d.created_at),
                receipt: d.payload["event"]["receipt_number"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                url: d.payload["url"].as_str().unwrap_or_default().to_owned(),
                status: tr.t(match (d.done_at, &d.last_error) {
                    (Some(_), _) => "delivery-done",
                    (None, Some(_)) => "delivery-failing",
                    (None, None) => "delivery-pending",
                }),
                failed: d.done_at.is_none() && d.last_error.is_some(),
                attempts: d.attempts,
                error: d.last_error.clone().unwrap_or_default(),
            })
            .collect(),
        tokens: tokens
            .iter()
            .map(|t| TokenView {
                id: t.id.to_string(),
                name: t.name.clone(),
                department: department_name(state, Some(&t.department_id), tr),
                created: jst_minutes(t.created_at),
                last_used: t.last_used_at.map(jst_minutes).unwrap_or_default(),
                revoked: t.revoked_at.is_some(),
            })
            .collect(),
        departments: state
            .portal
            .departments()
            .into_iter()
            .filter(|(id, _)| scope.as_deref().is_none_or(|d| d == id))
            .map(|(value, label)| Choice {
                value,
                label,
                selected: false,
            })
            .collect(),
    };
    Ok(no_store(render(&page, tr)?))
}

pub async fn integration(
    State(state): State<AppState>,
    staff: StaffCtx,
) -> Result<Response, WebError> {
    integration_page(&state, &staff, None, None).await
}

pub async fn resend(
    State(state): State<AppState>,
    staff: StaffCtx,
    Path(id): Path<Uuid>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    staff.ctx.verify_form(&state, &form)?;
    state
        .portal
        .resend_delivery(&staff.staff, id, &staff.ip())
        .await
        .map_err(|e| staff.fail(e))?;
    Ok(Redirect::to("/staff/integration").into_response())
}

pub async fn issue_token(
    State(state): State<AppState>,
    staff: StaffCtx,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    staff.ctx.verify_form(&state, &form)?;
    match state
        .portal
        .issue_token(
            &staff.staff,
            form_value(&form, "department"),
            form_value(&form, "name"),
            &staff.ip(),
        )
        .await
    {
        Ok(issued) => integration_page(&state, &staff, None, Some(issued.token)).await,
        Err(AppError::BadRequest(key)) => {
            integration_page(&state, &staff, Some(staff.ctx.tr.t(key)), None).await
        }
        Err(e) => Err(staff.fail(e)),
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    staff: StaffCtx,
    Path(id): Path<Uuid>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    staff.ctx.verify_form(&state, &form)?;
    state
        .portal
        .revoke_token(&staff.staff, id, &staff.ip())
        .await
        .map_err(|e| staff.fail(e))?;
    Ok(Redirect::to("/staff/integration").into_response())
}

// ---- accounts (administrators) ----

#[derive(Debug, Clone)]
struct AccountView {
    login: String,
    name: String,
    department: String,
    admin: bool,
    my_number: bool,
}

#[derive(Template)]
#[template(path = "staff_users.html")]
struct UsersPage {
    base: Base,
    notice: Option<String>,
    error: Option<String>,
    accounts: Vec<AccountView>,
    departments: Vec<Choice>,
}

async fn users_page(
    state: &AppState,
    staff: &StaffCtx,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let tr = staff.ctx.tr;
    let accounts = state
        .portal
        .staff_accounts(&staff.staff)
        .await
        .map_err(|e| staff.fail(e))?;
    let mut base = staff.base(state, tr.t("users-title"));
    base.has_errors = error.is_some();
    let page = UsersPage {
        base,
        notice,
        error,
        accounts: accounts
            .iter()
            .map(|a| AccountView {
                login: a.login.clone(),
                name: a.display_name.clone(),
                department: department_name(state, a.department_id.as_deref(), tr),
                admin: a.role == madoguchi_app::backoffice::ROLE_ADMIN,
                my_number: a.my_number_access,
            })
            .collect(),
        departments: state
            .portal
            .departments()
            .into_iter()
            .map(|(value, label)| Choice {
                value,
                label,
                selected: false,
            })
            .collect(),
    };
    Ok((status, no_store(render(&page, tr)?)).into_response())
}

pub async fn users(State(state): State<AppState>, staff: StaffCtx) -> Result<Response, WebError> {
    users_page(&state, &staff, None, None, StatusCode::OK).await
}

pub async fn add_user(
    State(state): State<AppState>,
    staff: StaffCtx,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    staff.ctx.verify_form(&state, &form)?;
    if !staff.staff.admin {
        return Err(staff.ctx.page_error(PageError::NotFound));
    }
    let admin = form_value(&form, "role") == "admin";
    let account = NewAccount {
        login: form_value(&form, "login").to_owned(),
        display_name: form_value(&form, "name").to_owned(),
        department: Some(form_value(&form, "department").to_owned())
            .filter(|d| !d.is_empty() && !admin),
        admin,
        my_number_access: form_value(&form, "my_number") == "yes",
        password: form_value(&form, "password").to_owned(),
    };
    match state.portal.add_staff(&account).await {
        Ok(_) => {
            let notice = staff
                .ctx
                .tr
                .t_with("users-added", &[("login", account.login.clone())]);
            users_page(&state, &staff, Some(notice), None, StatusCode::OK).await
        }
        Err(AppError::BadRequest(key)) => {
            let error = Some(staff.ctx.tr.t(key));
            users_page(
                &state,
                &staff,
                None,
                error,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(staff.fail(e)),
    }
}
