//! Exports for business systems: a procedure's applications as CSV (UTF-8 with BOM, or CP932
//! with every character it cannot hold reported, never substituted) or JSON, columns by the
//! definition's `[[export]]`. A 個人番号 is written whole only for accounts allowed to see it.

use crate::accounts::Actor;
use crate::error::AppError;
use crate::portal::Portal;
use crate::timefmt::{JST, jst_minutes, rfc3339};
use madoguchi_domain::answers::{Answers, MyNumberAnswer};
use madoguchi_domain::procedure::Procedure;
use madoguchi_storage::ApplicationRow;
use serde_json::{Value, json};
use std::sync::Arc;
use time::OffsetDateTime;

/// A file an export produced, or why it could not be produced.
#[derive(Debug, Clone)]
pub struct ExportFile {
    pub bytes: Vec<u8>,
    pub file_name: String,
    pub content_type: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportEncoding {
    /// UTF-8 with a byte-order mark, which Excel needs to read UTF-8 CSV.
    Utf8Bom,
    /// Windows-31J (Shift_JIS), what many business systems import.
    Cp932,
}

/// A character an export cannot write in the chosen encoding: which application, which
/// column, which character and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmappable {
    pub receipt_number: String,
    pub column: String,
    pub character: char,
    /// 1-based, in characters.
    pub position: usize,
}

impl Unmappable {
    pub fn code_point(&self) -> String {
        format!("U+{:04X}", self.character as u32)
    }
}

#[derive(Debug, Clone)]
pub enum ExportOutcome {
    File(ExportFile),
    /// CP932 was asked for and some values cannot be written in it. Nothing is substituted:
    /// staff see every character and choose (fix the answer, register a 外字, or use UTF-8).
    Unmappable(Vec<Unmappable>),
}

impl Portal {
    /// A procedure's applications of the actor's department as CSV or JSON. A 個人番号 is
    /// written whole only for actors allowed to see it. The export is audited.
    pub async fn export(
        &self,
        actor: &Actor,
        procedure_id: &str,
        format: ExportFormat,
        encoding: ExportEncoding,
        ip: &str,
    ) -> Result<ExportOutcome, AppError> {
        let current = self.procedure(procedure_id)?;
        if actor
            .scope
            .as_deref()
            .is_some_and(|d| d != current.department.id)
        {
            return Err(AppError::NotFound);
        }
        let rows = self
            .store
            .applications_of(self.municipality(), actor.scope.as_deref(), procedure_id)
            .await?;
        let mut records = Vec::with_capacity(rows.len());
        for row in &rows {
            let (procedure, answers) = self.read_application(row).await?;
            records.push((row, procedure, answers));
        }
        let reveal = self.my_number_writer(actor);
        let stamp = OffsetDateTime::now_utc().to_offset(JST);
        let base_name = format!(
            "{procedure_id}-{:04}{:02}{:02}",
            stamp.year(),
            u8::from(stamp.month()),
            stamp.day()
        );
        let outcome = match format {
            ExportFormat::Json => {
                let items: Vec<Value> = records
                    .iter()
                    .map(|(row, _, answers)| {
                        json!({
                            "receipt_number": row.receipt_number,
                            "procedure_id": row.procedure_id,
                            "procedure_version": row.procedure_version,
                            "status": row.status.as_str(),
                            "submitted_at": rfc3339(row.submitted_at),
                            "bundle_id": row.bundle_id,
                            "life_event_id": row.life_event_id,
                            "answers": answers.to_json_with(&reveal),
                        })
                    })
                    .collect();
                ExportOutcome::File(ExportFile {
                    bytes: serde_json::to_vec_pretty(&items).unwrap_or_default(),
                    file_name: format!("{base_name}.json"),
                    content_type: "application/json",
                })
            }
            ExportFormat::Csv => csv_export(current, &records, &reveal, encoding, &base_name)?,
        };
        self.audit(&actor.name, "export", None, json!({
                        "procedure_id": procedure_id,
                        "format": match format { ExportFormat::Csv => "csv", ExportFormat::Json => "json" },
                        "encoding": match encoding { ExportEncoding::Utf8Bom => "utf-8", ExportEncoding::Cp932 => "cp932" },
                        "applications": rows.len(),
                        "my_number": actor.my_number_access,
                        "refused_unmappable": matches!(outcome, ExportOutcome::Unmappable(_)),
                    }), ip)
            .await?;
        Ok(outcome)
    }
}

fn csv_export(
    current: &Procedure,
    records: &[(&ApplicationRow, Arc<Procedure>, Answers)],
    reveal: &dyn Fn(&MyNumberAnswer) -> String,
    encoding: ExportEncoding,
    base_name: &str,
) -> Result<ExportOutcome, AppError> {
    use madoguchi_domain::export;
    let columns = export::columns(current);
    let mut table: Vec<Vec<String>> = vec![columns.iter().map(|c| c.column.clone()).collect()];
    for (row, procedure, answers) in records {
        let submitted = jst_minutes(row.submitted_at);
        let bundle = row.bundle_id.map(|id| id.to_string());
        let meta = export::Meta {
            receipt_number: &row.receipt_number,
            submitted_at: &submitted,
            status: row.status,
            procedure_version: &row.procedure_version,
            decided_fee: row.decided_fee,
            bundle_id: bundle.as_deref(),
        };
        table.push(export::row(procedure, &columns, &meta, answers, reveal));
    }
    if encoding == ExportEncoding::Cp932 {
        let problems = unmappable(&table, &columns);
        if !problems.is_empty() {
            return Ok(ExportOutcome::Unmappable(problems));
        }
    }
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for record in &table {
        writer
            .write_record(record)
            .map_err(|e| AppError::Config(format!("csv: {e}")))?;
    }
    let text = String::from_utf8(
        writer
            .into_inner()
            .map_err(|e| AppError::Config(format!("csv: {e}")))?,
    )
    .unwrap_or_default();
    let (bytes, content_type) = match encoding {
        ExportEncoding::Utf8Bom => {
            let mut bytes = "\u{FEFF}".as_bytes().to_vec();
            bytes.extend_from_slice(text.as_bytes());
            (bytes, "text/csv; charset=utf-8")
        }
        ExportEncoding::Cp932 => {
            let (encoded, _, had_errors) = encoding_rs::SHIFT_JIS.encode(&text);
            if had_errors {
                // The table above and encoding_rs disagree on a character: refuse rather than
                // write the numeric character reference encoding_rs substitutes.
                return Ok(ExportOutcome::Unmappable(unmappable_by_encoder(
                    &table, &columns,
                )));
            }
            (encoded.into_owned(), "text/csv; charset=Shift_JIS")
        }
    };
    Ok(ExportOutcome::File(ExportFile {
        bytes,
        file_name: format!("{base_name}.csv"),
        content_type,
    }))
}

/// Every character of the table (header row first) that CP932 cannot hold.
fn unmappable(
    table: &[Vec<String>],
    columns: &[madoguchi_domain::procedure::ExportColumn],
) -> Vec<Unmappable> {
    find_unmappable(table, columns, madoguchi_jp::charset::in_cp932)
}

fn unmappable_by_encoder(
    table: &[Vec<String>],
    columns: &[madoguchi_domain::procedure::ExportColumn],
) -> Vec<Unmappable> {
    find_unmappable(table, columns, |c| {
        let mut buf = [0u8; 4];
        !encoding_rs::SHIFT_JIS.encode(c.encode_utf8(&mut buf)).2
    })
}

fn find_unmappable(
    table: &[Vec<String>],
    columns: &[madoguchi_domain::procedure::ExportColumn],
    writable: impl Fn(char) -> bool,
) -> Vec<Unmappable> {
    let receipt_column = columns.iter().position(|c| c.source == "receipt_number");
    let mut out = Vec::new();
    for (r, record) in table.iter().enumerate() {
        let receipt = match (r, receipt_column) {
            (0, _) => "(見出し)".to_owned(),
            (_, Some(i)) => record[i].clone(),
            (_, None) => format!("{r}行目"),
        };
        for (cell, column) in record.iter().zip(columns) {
            for (i, character) in cell.chars().enumerate() {
                if !writable(character) {
                    out.push(Unmappable {
                        receipt_number: receipt.clone(),
                        column: column.column.clone(),
                        character,
                        position: i + 1,
                    });
                }
            }
        }
    }
    out
}
