//! `madoguchi jp …`: check Japanese resident data by hand. Each command prints JSON on success
//! (exit 0) or the reason on standard error (exit 1).

use clap::Subcommand;
use madoguchi_jp::checkdigit::{CorporateNumber, MyNumber};
use madoguchi_jp::kana::Katakana;
use madoguchi_jp::phone::PhoneNumber;
use madoguchi_jp::postal::PostalIndex;
use madoguchi_jp::wareki::{self, ParsedDate};
use madoguchi_jp::{address, charset};
use serde_json::{Value, json};
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum JpCommand {
    /// Read a date in 和暦 or 西暦 and show both.
    Wareki { text: String },
    /// Look up a postal code.
    Postal { code: String },
    /// Normalise フリガナ to full-width katakana.
    Kana { text: String },
    /// Check a マイナンバー (個人番号); only the last four digits are ever printed.
    Mynumber { digits: String },
    /// Check a 法人番号.
    CorporateNumber { digits: String },
    /// Read a Japanese phone number.
    Phone { text: String },
    /// Characters outside JIS X 0208 / JIS X 0213 / CP932, with their places.
    Charset { text: String },
    /// Normalise the 丁目・番地・号 of an address, keeping the building apart.
    Address { text: String },
}

pub fn run(command: JpCommand) -> ExitCode {
    match answer(command) {
        Ok(value) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            );
            ExitCode::SUCCESS
        }
        Err(reason) => {
            eprintln!("{reason}");
            ExitCode::FAILURE
        }
    }
}

fn answer(command: JpCommand) -> Result<Value, String> {
    match command {
        JpCommand::Wareki { text } => match wareki::parse(&text).map_err(|e| e.to_string())? {
            ParsedDate::Day(date) => {
                let w = wareki::to_wareki(date).map_err(|e| e.to_string())?;
                Ok(json!({ "date": date.to_string(), "wareki": w.to_string(), "era": w.era.kanji(), "era_year": w.year }))
            }
            ParsedDate::Month { year, month } => Ok(json!({ "year": year, "month": month })),
            ParsedDate::Year(year) => Ok(json!({ "year": year })),
        },
        JpCommand::Postal { code } => {
            let index = PostalIndex::bundled().map_err(|e| e.to_string())?;
            let areas = index.lookup(&code).map_err(|e| e.to_string())?;
            Ok(json!({
                "postal_code": areas[0].postal_code,
                "areas": areas.iter().map(madoguchi_app::Portal::postal_area_json).collect::<Vec<_>>(),
            }))
        }
        JpCommand::Kana { text } => Katakana::parse(&text).map(|k| json!({ "kana": k.as_str() })).map_err(|e| e.to_string()),
        JpCommand::Mynumber { digits } => MyNumber::parse(&digits).map(|n| json!({ "valid": true, "masked": n.masked() })).map_err(|e| e.to_string()),
        JpCommand::CorporateNumber { digits } => CorporateNumber::parse(&digits).map(|n| json!({ "valid": true, "corporate_number": n.as_str() })).map_err(|e| e.to_string()),
        JpCommand::Charset { text } => {
            let findings = charset::check(&text);
            let list: Vec<Value> = findings
                .iter()
                .map(|f| json!({ "index": f.index, "char": f.ch.to_string(), "code_point": f.code_point(), "jis_x_0208": f.in_jis_x_0208, "jis_x_0213": f.in_jis_x_0213, "cp932": f.in_cp932 }))
                .collect();
            let value = json!({ "text": text, "findings": list });
            match findings.iter().find(|f| !f.in_cp932) {
                None => Ok(value),
                Some(f) => {
                    println!("{}", serde_json::to_string_pretty(&value).unwrap_or_default());
                    Err(format!("{}文字目の「{}」（{}）はCP932（Shift_JIS）で書けません", f.index + 1, f.ch, f.code_point()))
                }
            }
        }
        JpCommand::Address { text } => {
            let a = address::normalize(&text);
            Ok(json!({ "address": a.address, "building": a.building }))
        }
        JpCommand::Phone { text } => PhoneNumber::parse(&text)
            .map(|p| json!({ "digits": p.digits(), "display": p.display(), "kind": format!("{:?}", p.kind()).to_lowercase() }))
            .map_err(|e| e.to_string()),
    }
}
