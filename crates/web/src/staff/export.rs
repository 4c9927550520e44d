//! Exports for business systems: the form, and the file (or the list of characters CP932
//! cannot hold).

use crate::AppState;
use crate::error::{WebError, render};
use crate::pages::drafts::no_store;
use crate::staff::{Choice, StaffCtx, download, procedure_choices};
use crate::views::Base;
use askama::Template;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use madoguchi_app::export::{ExportBody, ExportEncoding, ExportFormat, ExportOutcome, Unmappable};
use serde::Deserialize;

/// The file as it is read, a page of applications per chunk. A failure part-way ends the
/// response early, so the download is incomplete rather than silently short.
fn streamed(body: ExportBody) -> Body {
    Body::from_stream(futures_util::stream::unfold(body, |mut body| async move {
        match body.next_chunk().await {
            Ok(Some(chunk)) => Some((Ok(chunk), body)),
            Ok(None) => None,
            Err(e) => {
                tracing::error!(error = %e, "export stopped part-way");
                Some((Err(e), body))
            }
        }
    }))
}

#[derive(Template)]
#[template(path = "staff_export.html")]
struct ExportPage {
    base: Base,
    procedures: Vec<Choice>,
    problems: Vec<UnmappableView>,
    /// (procedure, stop message, count): forms that ended at an eligibility stop.
    stops: Vec<(String, String, i64)>,
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
pub async fn form(State(state): State<AppState>, staff: StaffCtx) -> Result<Response, WebError> {
    let lang = staff.ctx.tr.lang.code();
    let stops = state
        .portal
        .stop_statistics(&staff.staff)
        .await
        .map_err(|e| staff.ctx.fail(e))?
        .into_iter()
        .map(|s| {
            (
                s.procedure_title.get(lang).to_owned(),
                s.stop_message.get(lang).to_owned(),
                s.count,
            )
        })
        .collect();
    let page = ExportPage {
        base: staff.base(&state, staff.ctx.tr.t("export-title")),
        procedures: procedure_choices(&state, &staff, ""),
        problems: Vec::new(),
        stops,
    };
    Ok(no_store(render(&page, staff.ctx.tr)?))
}

pub async fn file(
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
        ExportOutcome::File(file) => Ok(download(
            streamed(file.body),
            &file.file_name,
            file.content_type,
        )),
        ExportOutcome::Unmappable(problems) => {
            let mut base = staff.base(&state, staff.ctx.tr.t("export-title"));
            base.has_errors = true;
            let page = ExportPage {
                base,
                procedures: procedure_choices(&state, &staff, &params.procedure),
                problems: problems.iter().map(UnmappableView::from).collect(),
                stops: Vec::new(),
            };
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                no_store(render(&page, staff.ctx.tr)?),
            )
                .into_response())
        }
    }
}
