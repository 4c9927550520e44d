//! Applications as rows for the business systems that import them: columns named and ordered
//! by the procedure's `[[export]]` mapping (or, without one, every question in order), values
//! written as those systems' forms expect (dates as `YYYY-MM-DD`, choices by their label,
//! names as 「姓 名」). Encoding the rows (UTF-8 or CP932) is the caller's business.

use crate::answers::{Answer, Answers, MyNumberAnswer, format_date};
use crate::application::ApplicationStatus;
use crate::procedure::{ExportColumn, Field, FieldKind, Procedure};

/// What an export row says about the application itself.
#[derive(Debug, Clone)]
pub struct Meta<'a> {
    pub receipt_number: &'a str,
    /// Already formatted (JST, `YYYY-MM-DD HH:MM`).
    pub submitted_at: &'a str,
    pub status: ApplicationStatus,
    pub procedure_version: &'a str,
    /// The fee the department decided, where it sets the amount.
    pub decided_fee: Option<u64>,
    /// The bundle it was submitted in with other procedures of a life event, if it was.
    pub bundle_id: Option<&'a str>,
}

/// The procedure's columns, or a default: receipt number, submission time, status (the fee
/// and the bundle where they can be), then each question.
pub fn columns(procedure: &Procedure) -> Vec<ExportColumn> {
    if !procedure.export.is_empty() {
        return procedure.export.clone();
    }
    let meta = [
        ("受付番号", "receipt_number"),
        ("申請日時", "submitted_at"),
        ("状態", "status"),
        ("手数料", "fee"),
        ("一括申請ID", "bundle_id"),
    ];
    meta.iter()
        .filter(|(_, source)| *source != "fee" || !procedure.fee.is_free())
        .filter(|(_, source)| *source != "bundle_id" || !procedure.life_events.is_empty())
        .map(|(column, source)| ExportColumn {
            column: (*column).to_owned(),
            source: (*source).to_owned(),
        })
        .chain(procedure.fields().map(|(_, f)| ExportColumn {
            column: f.label.ja.clone(),
            source: f.id.to_string(),
        }))
        .collect()
}

/// One application as a row. `my_number` decides how a 個人番号 is written (whole, for an
/// export by staff allowed to see it; masked otherwise).
pub fn row(
    procedure: &Procedure,
    columns: &[ExportColumn],
    meta: &Meta<'_>,
    answers: &Answers,
    my_number: &dyn Fn(&MyNumberAnswer) -> String,
) -> Vec<String> {
    columns
        .iter()
        .map(|c| cell(procedure, &c.source, meta, answers, my_number))
        .collect()
}

fn cell(
    procedure: &Procedure,
    source: &str,
    meta: &Meta<'_>,
    answers: &Answers,
    my_number: &dyn Fn(&MyNumberAnswer) -> String,
) -> String {
    match source {
        "receipt_number" => return meta.receipt_number.to_owned(),
        "submitted_at" => return meta.submitted_at.to_owned(),
        "status" => return meta.status.as_str().to_owned(),
        "procedure_version" => return meta.procedure_version.to_owned(),
        "bundle_id" => return meta.bundle_id.unwrap_or_default().to_owned(),
        // Yen, digits only; empty while the department has not set the amount.
        "fee" => {
            return procedure
                .fee
                .amount_due(procedure, answers, meta.decided_fee)
                .map(|n| n.to_string())
                .unwrap_or_default();
        }
        _ => {}
    }
    let (outer, inner) = match source.split_once('.') {
        Some((o, i)) => (o, Some(i)),
        None => (source, None),
    };
    let (Some(field), Some(answer)) = (procedure.field(outer), answers.get(outer)) else {
        return String::new();
    };
    match (inner, &field.kind, answer) {
        (None, _, _) => value_text(field, answer, my_number),
        (Some(inner), FieldKind::Group(group), Answer::Group(items)) => {
            let Some(inner_field) = group.field(inner) else {
                return String::new();
            };
            items
                .iter()
                .filter_map(|item| item.get(inner))
                .map(|a| value_text(inner_field, a, my_number))
                .collect::<Vec<_>>()
                .join(" / ")
        }
        (Some(part), _, Answer::Name(name)) => name.part(part).to_owned(),
        (Some(part), _, Answer::BankAccount(a)) => match part {
            "bank_code" => a.bank_code.clone(),
            "branch_code" => a.branch_code.clone(),
            "account_type" => a.account_type.label().to_owned(),
            "account_number" => a.account_number.clone(),
            "holder_kana" => a.holder_kana.clone(),
            _ => String::new(),
        },
        _ => String::new(),
    }
}

/// One answer as text for a business system.
pub fn value_text(
    field: &Field,
    answer: &Answer,
    my_number: &dyn Fn(&MyNumberAnswer) -> String,
) -> String {
    let label = |value: &str| match &field.kind {
        FieldKind::Choice { options, .. } => options
            .iter()
            .find(|o| o.value == value)
            .map_or_else(|| value.to_owned(), |o| o.label.ja.clone()),
        _ => value.to_owned(),
    };
    match answer {
        Answer::Text(s) => s.clone(),
        Answer::Number(n) => n.to_string(),
        Answer::Date(d) => format_date(*d),
        Answer::Choice(v) => label(v),
        Answer::Choices(vs) => vs.iter().map(|v| label(v)).collect::<Vec<_>>().join("、"),
        Answer::YesNo(b) => if *b { "はい" } else { "いいえ" }.to_owned(),
        Answer::Files(files) => files
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>()
            .join("、"),
        Answer::Group(items) => {
            let FieldKind::Group(group) = &field.kind else {
                return String::new();
            };
            items
                .iter()
                .map(|item| {
                    group
                        .fields
                        .iter()
                        .filter_map(|f| {
                            item.get(f.id.as_str()).map(|a| value_text(f, a, my_number))
                        })
                        .collect::<Vec<_>>()
                        .join("、")
                })
                .collect::<Vec<_>>()
                .join(" / ")
        }
        Answer::Name(name) => name.full(),
        Answer::BankAccount(a) => format!(
            "{}-{} {} {} {}",
            a.bank_code,
            a.branch_code,
            a.account_type.label(),
            a.account_number,
            a.holder_kana
        ),
        Answer::MyNumber(n) => my_number(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::PersonName;
    use crate::catalog::parse_procedure;

    #[test]
    fn rows_follow_the_mapping_and_write_values_as_business_systems_read_them() {
        let procedure = parse_procedure(
            "p.toml",
            r#"
id = "p"
title = "P"
summary = "S"
category = "c"
eligibility = "E"
processing_time = "T"
department = { id = "d", name = "D" }
[[steps]]
id = "s"
title = "S"
  [[steps.fields]]
  id = "name"
  type = "name"
  label = "氏名"
  [[steps.fields]]
  id = "kind"
  type = "choice"
  label = "種類"
  options = [{ value = "a", label = "住民票" }]
  [[steps.fields]]
  id = "no"
  type = "my_number"
  label = "個人番号"
[[export]]
column = "受付番号"
source = "receipt_number"
[[export]]
column = "カナ（姓）"
source = "name.family_kana"
[[export]]
column = "種類"
source = "kind"
[[export]]
column = "番号"
source = "no"
"#,
        )
        .unwrap();
        let mut answers = Answers::default();
        answers.insert(
            "name",
            Answer::Name(PersonName {
                family: "山田".into(),
                given: "太郎".into(),
                family_kana: "ヤマダ".into(),
                given_kana: "タロウ".into(),
            }),
        );
        answers.insert("kind", Answer::Choice("a".into()));
        answers.insert(
            "no",
            Answer::MyNumber(MyNumberAnswer::Entered(
                madoguchi_jp::checkdigit::MyNumber::parse("123456789018").unwrap(),
            )),
        );
        let meta = Meta {
            receipt_number: "2026-0000018",
            submitted_at: "2026-04-01 09:00",
            status: ApplicationStatus::Accepted,
            procedure_version: "v",
            decided_fee: None,
            bundle_id: None,
        };
        let cols = columns(&procedure);
        let masked = row(&procedure, &cols, &meta, &answers, &|n| n.masked());
        assert_eq!(masked, ["2026-0000018", "ヤマダ", "住民票", "********9018"]);
    }
}
