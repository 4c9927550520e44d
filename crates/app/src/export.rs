//! Exports for business systems: a procedure's applications as CSV (UTF-8 with BOM, or CP932
//! with every character it cannot hold reported, never substituted) or JSON, columns by the
//! definition's `[[export]]`. A 個人番号 is written whole only for accounts allowed to see it.

use crate::accounts::Actor;
use crate::error::AppError;
use crate::portal::Portal;
use crate::timefmt::{JST, jst_minutes, rfc3339};
use madoguchi_domain::answers::Answers;
use madoguchi_domain::procedure::{ExportColumn, Procedure};
use madoguchi_storage::ApplicationRow;
use serde_json::json;
use std::sync::Arc;
use time::OffsetDateTime;

/// Applications read from storage per page of an export: enough to keep the database busy,
/// few enough that memory stays the same for a week's file and a year's.
const EXPORT_PAGE: i64 = 500;

/// A file an export produces: its name and type, and its bytes a page at a time.
#[derive(Debug)]
pub struct ExportFile {
    pub file_name: String,
    pub content_type: &'static str,
    pub body: ExportBody,
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

#[derive(Debug)]
pub enum ExportOutcome {
    /// Boxed: the body holds the portal it reads through.
    File(Box<ExportFile>),
    /// CP932 was asked for and some values cannot be written in it. Nothing is substituted:
    /// staff see every character and choose (fix the answer, register a 外字, or use UTF-8).
    Unmappable(Vec<Unmappable>),
}

impl Portal {
    /// A procedure's applications of the actor's department as CSV or JSON, oldest first. A
    /// 個人番号 is written whole only for actors allowed to see it. The export is audited
    /// before its first byte; a CP932 file is checked whole before it starts, so that it is
    /// either refused with every character it cannot hold or written complete.
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
        let body = ExportBody {
            portal: self.clone(),
            actor: actor.clone(),
            current: Arc::new(current.clone()),
            columns: madoguchi_domain::export::columns(current),
            format,
            encoding,
            after: None,
            started: false,
            done: false,
            rows: 0,
        };
        let problems = match (format, encoding) {
            (ExportFormat::Csv, ExportEncoding::Cp932) => {
                // Not started yet: the copy reads from the beginning too.
                body.clone().unmappable().await?
            }
            _ => Vec::new(),
        };
        let applications: i64 = self
            .store
            .status_counts(
                self.municipality(),
                actor.scope.as_deref(),
                Some(procedure_id),
            )
            .await?
            .iter()
            .map(|(_, n)| n)
            .sum();
        self.audit(&actor.name, "export", None, json!({
                        "procedure_id": procedure_id,
                        "format": match format { ExportFormat::Csv => "csv", ExportFormat::Json => "json" },
                        "encoding": match encoding { ExportEncoding::Utf8Bom => "utf-8", ExportEncoding::Cp932 => "cp932" },
                        "applications": applications,
                        "my_number": actor.my_number_access,
                        "refused_unmappable": !problems.is_empty(),
                    }), ip)
            .await?;
        if !problems.is_empty() {
            return Ok(ExportOutcome::Unmappable(problems));
        }
        let stamp = OffsetDateTime::now_utc().to_offset(JST);
        let (extension, content_type) = match (format, encoding) {
            (ExportFormat::Json, _) => ("json", "application/json"),
            (ExportFormat::Csv, ExportEncoding::Utf8Bom) => ("csv", "text/csv; charset=utf-8"),
            (ExportFormat::Csv, ExportEncoding::Cp932) => ("csv", "text/csv; charset=Shift_JIS"),
        };
        Ok(ExportOutcome::File(Box::new(ExportFile {
            file_name: format!(
                "{procedure_id}-{:04}{:02}{:02}.{extension}",
                stamp.year(),
                u8::from(stamp.month()),
                stamp.day()
            ),
            content_type,
            body,
        })))
    }
}

/// An export's bytes, read from storage a page of applications at a time by
/// [`ExportBody::next_chunk`]: a year's file takes the memory of one page.
#[derive(Clone)]
pub struct ExportBody {
    portal: Portal,
    actor: Actor,
    current: Arc<Procedure>,
    columns: Vec<ExportColumn>,
    format: ExportFormat,
    encoding: ExportEncoding,
    /// The last application written: where the next page starts.
    after: Option<(OffsetDateTime, String)>,
    started: bool,
    done: bool,
    rows: usize,
}

impl std::fmt::Debug for ExportBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportBody")
            .field("procedure", &self.current.id)
            .field("rows", &self.rows)
            .finish_non_exhaustive()
    }
}

impl ExportBody {
    /// The next bytes of the file, or `None` at its end. After an error there is nothing more.
    pub async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, AppError> {
        if self.done {
            return Ok(None);
        }
        let chunk = self.advance().await;
        if !matches!(chunk, Ok(Some(_))) {
            self.done = true;
        }
        chunk
    }

    /// How many applications have been written so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    async fn advance(&mut self) -> Result<Option<Vec<u8>>, AppError> {
        if !self.started {
            self.started = true;
            return match self.format {
                ExportFormat::Json => Ok(Some(b"[".to_vec())),
                ExportFormat::Csv => {
                    let header: Vec<String> =
                        self.columns.iter().map(|c| c.column.clone()).collect();
                    let mut bytes = match self.encoding {
                        ExportEncoding::Utf8Bom => "\u{FEFF}".as_bytes().to_vec(),
                        ExportEncoding::Cp932 => Vec::new(),
                    };
                    bytes.extend(self.encode(&csv_text(&[header])?)?);
                    Ok(Some(bytes))
                }
            };
        }
        let first = self.rows == 0;
        let records = self.page().await?;
        if records.is_empty() {
            self.done = true;
            return Ok(match self.format {
                ExportFormat::Json if first => Some(b"]\n".to_vec()),
                ExportFormat::Json => Some(b"\n]\n".to_vec()),
                ExportFormat::Csv => None,
            });
        }
        self.rows += records.len();
        match self.format {
            ExportFormat::Json => Ok(Some(self.json_items(&records, first))),
            ExportFormat::Csv => {
                let table = self.table(&records);
                self.encode(&csv_text(&table)?).map(Some)
            }
        }
    }

    /// The next page of applications, each read with the definition it was filled against.
    async fn page(&mut self) -> Result<Vec<(ApplicationRow, Arc<Procedure>, Answers)>, AppError> {
        let portal = &self.portal;
        let rows = portal
            .store
            .applications_of(
                portal.municipality(),
                self.actor.scope.as_deref(),
                self.current.id.as_str(),
                self.after
                    .as_ref()
                    .map(|(at, receipt)| (*at, receipt.as_str())),
                EXPORT_PAGE,
            )
            .await?;
        if let Some(last) = rows.last() {
            self.after = Some((last.submitted_at, last.receipt_number.clone()));
        }
        let mut records = Vec::with_capacity(rows.len());
        for row in rows {
            let (procedure, answers) = portal.read_application(&row).await?;
            records.push((row, procedure, answers));
        }
        Ok(records)
    }

    fn json_items(
        &self,
        records: &[(ApplicationRow, Arc<Procedure>, Answers)],
        first: bool,
    ) -> Vec<u8> {
        let reveal = self.portal.my_number_writer(&self.actor);
        let mut out = Vec::new();
        for (i, (row, _, answers)) in records.iter().enumerate() {
            out.extend_from_slice(if first && i == 0 { b"\n" } else { b",\n" });
            let item = json!({
                "receipt_number": row.receipt_number,
                "procedure_id": row.procedure_id,
                "procedure_version": row.procedure_version,
                "status": row.status.as_str(),
                "submitted_at": rfc3339(row.submitted_at),
                "bundle_id": row.bundle_id,
                "life_event_id": row.life_event_id,
                "answers": answers.to_json_with(&reveal),
            });
            // Serialising a `Value` into memory cannot fail.
            let _ = serde_json::to_writer(&mut out, &item);
        }
        out
    }

    fn table(&self, records: &[(ApplicationRow, Arc<Procedure>, Answers)]) -> Vec<Vec<String>> {
        use madoguchi_domain::export;
        let reveal = self.portal.my_number_writer(&self.actor);
        records
            .iter()
            .map(|(row, procedure, answers)| {
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
                export::row(procedure, &self.columns, &meta, answers, &reveal)
            })
            .collect()
    }

    fn encode(&self, text: &str) -> Result<Vec<u8>, AppError> {
        match self.encoding {
            ExportEncoding::Utf8Bom => Ok(text.as_bytes().to_vec()),
            ExportEncoding::Cp932 => {
                let (encoded, _, had_errors) = encoding_rs::SHIFT_JIS.encode(text);
                if had_errors {
                    // Checked before the file started; an answer corrected since then ends
                    // the file rather than carry encoding_rs's numeric reference.
                    return Err(AppError::Config(
                        "an answer changed during the export to one CP932 cannot hold".into(),
                    ));
                }
                Ok(encoded.into_owned())
            }
        }
    }

    /// Every character of the file (header first) that CP932 cannot hold, read a page at a
    /// time as the file will be.
    async fn unmappable(mut self) -> Result<Vec<Unmappable>, AppError> {
        let header: Vec<String> = self.columns.iter().map(|c| c.column.clone()).collect();
        let mut problems = unmappable(&[header], &self.columns, 0);
        loop {
            let records = self.page().await?;
            if records.is_empty() {
                return Ok(problems);
            }
            let table = self.table(&records);
            let first_row = self.rows + 1;
            let mut found = unmappable(&table, &self.columns, first_row);
            if found.is_empty() && encoding_rs::SHIFT_JIS.encode(&csv_text(&table)?).2 {
                // The table above and encoding_rs disagree on a character: refuse rather than
                // write the numeric character reference encoding_rs substitutes.
                found = unmappable_by_encoder(&table, &self.columns, first_row);
            }
            problems.extend(found);
            self.rows += records.len();
        }
    }
}

/// Records as CSV with CRLF line ends, as Excel and business systems expect.
fn csv_text(records: &[Vec<String>]) -> Result<String, AppError> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for record in records {
        writer
            .write_record(record)
            .map_err(|e| AppError::Config(format!("csv: {e}")))?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| AppError::Config(format!("csv: {e}")))?;
    String::from_utf8(bytes).map_err(|e| AppError::Config(format!("csv: {e}")))
}

/// Every character of `table` that CP932 cannot hold; `first_row` is the table's first row in
/// the file (0: the header).
fn unmappable(
    table: &[Vec<String>],
    columns: &[ExportColumn],
    first_row: usize,
) -> Vec<Unmappable> {
    find_unmappable(table, columns, first_row, madoguchi_jp::charset::in_cp932)
}

fn unmappable_by_encoder(
    table: &[Vec<String>],
    columns: &[ExportColumn],
    first_row: usize,
) -> Vec<Unmappable> {
    find_unmappable(table, columns, first_row, |c| {
        let mut buf = [0u8; 4];
        !encoding_rs::SHIFT_JIS.encode(c.encode_utf8(&mut buf)).2
    })
}

fn find_unmappable(
    table: &[Vec<String>],
    columns: &[ExportColumn],
    first_row: usize,
    writable: impl Fn(char) -> bool,
) -> Vec<Unmappable> {
    let receipt_column = columns.iter().position(|c| c.source == "receipt_number");
    let mut out = Vec::new();
    for (i, record) in table.iter().enumerate() {
        let r = first_row + i;
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
