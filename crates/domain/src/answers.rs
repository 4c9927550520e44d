//! A resident's answers, typed by the question they answer.
//!
//! Answers travel as JSON (the API, the stored draft and application) and are always read back
//! through the definition they were given against, because the JSON alone cannot tell a
//! free-text answer from a choice. [`Answers::to_json`] and [`crate::validate::parse_json`] are
//! each other's inverse.

use crate::procedure::{FileType, Procedure};
use madoguchi_jp::bank::{AccountType, BankAccount};
use madoguchi_jp::checkdigit::MyNumber;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use time::{Date, Month};

#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Text(String),
    Number(i64),
    Date(Date),
    Choice(String),
    Choices(Vec<String>),
    YesNo(bool),
    Files(Vec<FileRef>),
    Group(Vec<Answers>),
    Name(PersonName),
    BankAccount(BankAccount),
    MyNumber(MyNumberAnswer),
}

/// 氏名: 姓・名 with their フリガナ. A name written in Latin letters (a foreign resident's, as
/// on the 在留カード) may have no 名 and, where the procedure allows, no フリガナ.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonName {
    pub family: String,
    pub given: String,
    pub family_kana: String,
    pub given_kana: String,
}

impl PersonName {
    pub const PARTS: [&'static str; 4] = ["family", "given", "family_kana", "given_kana"];

    pub fn part(&self, key: &str) -> &str {
        match key {
            "family" => &self.family,
            "given" => &self.given,
            "family_kana" => &self.family_kana,
            "given_kana" => &self.given_kana,
            _ => "",
        }
    }

    pub fn part_mut(&mut self, key: &str) -> Option<&mut String> {
        match key {
            "family" => Some(&mut self.family),
            "given" => Some(&mut self.given),
            "family_kana" => Some(&mut self.family_kana),
            "given_kana" => Some(&mut self.given_kana),
            _ => None,
        }
    }

    /// 「山田 太郎」.
    pub fn full(&self) -> String {
        join_nonempty(&self.family, &self.given, ' ')
    }

    /// 「ヤマダ タロウ」 with a full-width space, as 住民記録 systems write it.
    pub fn full_kana(&self) -> String {
        join_nonempty(&self.family_kana, &self.given_kana, '\u{3000}')
    }

    /// 「山田 太郎（ヤマダ　タロウ）」, or the name alone when it has no reading.
    pub fn with_reading(&self) -> String {
        match self.full_kana() {
            kana if kana.is_empty() => self.full(),
            kana => format!("{}（{kana}）", self.full()),
        }
    }

    /// Whether the name is written in Latin letters (a foreign resident's).
    pub fn is_latin(&self) -> bool {
        is_latin_name(&self.family) && (self.given.is_empty() || is_latin_name(&self.given))
    }
}

fn join_nonempty(a: &str, b: &str, sep: char) -> String {
    match (a.is_empty(), b.is_empty()) {
        (false, false) => format!("{a}{sep}{b}"),
        (false, true) => a.to_owned(),
        _ => b.to_owned(),
    }
}

/// Latin letters (with the accented letters of Latin-1 and Latin Extended-A/B), spaces,
/// hyphens, apostrophes, full stops and commas, starting with a letter. [`LATIN_NAME_PATTERN`]
/// says the same in JSON Schema.
pub fn is_latin_name(s: &str) -> bool {
    let letter = |c: char| {
        c.is_ascii_alphabetic()
            || matches!(c, '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{24F}')
    };
    let mut chars = s.chars();
    chars.next().is_some_and(letter)
        && chars.all(|c| letter(c) || matches!(c, ' ' | '-' | '\'' | '.' | ','))
}

pub const LATIN_NAME_PATTERN: &str = r"^[A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F][A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F ',.\-]*$";

/// A 個人番号 answer. It is `Entered` only between reading a page or an API body and the
/// application layer sealing it; what storage holds is always `Sealed`: the number encrypted,
/// with its last four digits for screens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MyNumberAnswer {
    Entered(MyNumber),
    Sealed(SealedNumber),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedNumber {
    pub last4: String,
    /// Opaque to the domain: the application layer's AEAD output.
    pub ciphertext: String,
}

impl MyNumberAnswer {
    /// `********9018`.
    pub fn masked(&self) -> String {
        match self {
            Self::Entered(n) => n.masked(),
            Self::Sealed(s) => format!("********{}", s.last4),
        }
    }
}

/// The parts of a bank account answer, in the order forms and exports show them.
pub const BANK_ACCOUNT_PARTS: [&str; 5] = [
    "bank_code",
    "branch_code",
    "account_type",
    "account_number",
    "holder_kana",
];

/// The API's and storage's name for an account type.
pub fn account_type_key(t: AccountType) -> &'static str {
    match t {
        AccountType::Ordinary => "ordinary",
        AccountType::Current => "current",
        AccountType::Savings => "savings",
    }
}

pub const ACCOUNT_TYPES: [AccountType; 3] = [
    AccountType::Ordinary,
    AccountType::Current,
    AccountType::Savings,
];

pub fn account_type_from_key(key: &str) -> Option<AccountType> {
    ACCOUNT_TYPES
        .into_iter()
        .find(|t| account_type_key(*t) == key)
}

/// An uploaded file as an answer refers to it: the content hash names the stored bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRef {
    pub sha256: String,
    pub name: String,
    pub size: u64,
    pub content_type: FileType,
}

/// The longest file name kept, in characters (extension included).
pub const MAX_FILE_NAME: usize = 80;

/// The name shown for an uploaded file: the sender's own without any folder part, control
/// and text-direction characters (an RLO can disguise `fdp.exe` as `exe.pdf`) taken out, and
/// cut to [`MAX_FILE_NAME`] characters keeping the extension, so that it fits any header.
/// A name with nothing left becomes `file.pdf` (by the type its content proved).
pub fn clean_file_name(name: &str, kind: FileType) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let kept: String = base
        .chars()
        .filter(|c| !c.is_control() && !crate::input::is_bidi_control(*c))
        .collect();
    let kept = kept.trim_matches(crate::input::is_invisible);
    if kept.is_empty() {
        return format!("file.{}", kind.label().to_lowercase());
    }
    let count = kept.chars().count();
    if count <= MAX_FILE_NAME {
        return kept.to_owned();
    }
    let extension = kept
        .rsplit_once('.')
        .map(|(_, e)| e)
        .filter(|e| !e.is_empty() && e.chars().count() <= 8)
        .map_or_else(String::new, |e| format!(".{e}"));
    let stem: String = kept
        .chars()
        .take(MAX_FILE_NAME - 1 - extension.chars().count())
        .collect();
    format!("{stem}…{extension}")
}

/// Answers by question id. Ordered, so that stored JSON and exports are stable.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Answers(BTreeMap<String, Answer>);

impl Answers {
    pub fn get(&self, id: &str) -> Option<&Answer> {
        self.0.get(id)
    }

    pub fn insert(&mut self, id: impl Into<String>, answer: Answer) {
        self.0.insert(id.into(), answer);
    }

    pub fn remove(&mut self, id: &str) -> Option<Answer> {
        self.0.remove(id)
    }

    pub fn contains(&self, id: &str) -> bool {
        self.0.contains_key(id)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &Answer)> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Replaces every entered 個人番号 (groups included) with what `seal` makes of it.
    pub fn seal_my_numbers(&mut self, seal: &mut impl FnMut(&MyNumber) -> SealedNumber) {
        for answer in self.0.values_mut() {
            match answer {
                Answer::MyNumber(MyNumberAnswer::Entered(n)) => {
                    *answer = Answer::MyNumber(MyNumberAnswer::Sealed(seal(n)));
                }
                Answer::Group(items) => items.iter_mut().for_each(|i| i.seal_my_numbers(seal)),
                _ => {}
            }
        }
    }

    /// The stored and API form. Storage must only ever receive sealed 個人番号.
    pub fn to_json(&self) -> Value {
        self.json(None)
    }

    /// The form shown back to a resident or client: a 個人番号 as `********9018`.
    pub fn to_masked_json(&self) -> Value {
        self.to_json_with(&MyNumberAnswer::masked)
    }

    /// The API form with each 個人番号 written as `my_number` says (whole, for a business
    /// system allowed it; masked otherwise).
    pub fn to_json_with(&self, my_number: &dyn Fn(&MyNumberAnswer) -> String) -> Value {
        self.json(Some(my_number))
    }

    fn json(&self, my_number: Option<&dyn Fn(&MyNumberAnswer) -> String>) -> Value {
        Value::Object(
            self.0
                .iter()
                .map(|(k, v)| (k.clone(), v.json(my_number)))
                .collect::<Map<_, _>>(),
        )
    }

    /// Every file the answers refer to, groups included.
    pub fn files(&self) -> Vec<&FileRef> {
        let mut out = Vec::new();
        for answer in self.0.values() {
            match answer {
                Answer::Files(files) => out.extend(files),
                Answer::Group(items) => items.iter().for_each(|i| out.extend(i.files())),
                _ => {}
            }
        }
        out
    }

    /// The applicant's name for the inbox's search: the first name question (with its
    /// reading), or else the first text question whose id ends in `name`.
    pub fn applicant_name(&self, procedure: &Procedure) -> String {
        let mut fallback = None;
        for (_, field) in procedure.fields() {
            match self.get(field.id.as_str()) {
                Some(Answer::Name(name)) => return name.with_reading(),
                Some(Answer::Text(text))
                    if fallback.is_none() && field.id.as_str().ends_with("name") =>
                {
                    fallback = Some(text.clone());
                }
                _ => {}
            }
        }
        fallback.unwrap_or_default()
    }
}

impl FromIterator<(String, Answer)> for Answers {
    fn from_iter<I: IntoIterator<Item = (String, Answer)>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl Answer {
    pub fn to_json(&self) -> Value {
        self.json(None)
    }

    fn json(&self, my_number: Option<&dyn Fn(&MyNumberAnswer) -> String>) -> Value {
        match self {
            Self::Text(s) | Self::Choice(s) => json!(s),
            Self::Number(n) => json!(n),
            Self::Date(d) => json!(format_date(*d)),
            Self::Choices(v) => json!(v),
            Self::YesNo(b) => json!(b),
            Self::Files(files) => Value::Array(files.iter().map(FileRef::to_json).collect()),
            Self::Group(items) => Value::Array(items.iter().map(|i| i.json(my_number)).collect()),
            Self::MyNumber(n) if my_number.is_some() => json!(my_number.map(|f| f(n))),
            Self::Name(name) => Value::Object(
                PersonName::PARTS
                    .iter()
                    .filter(|k| !name.part(k).is_empty())
                    .map(|k| ((*k).to_owned(), json!(name.part(k))))
                    .collect(),
            ),
            Self::BankAccount(a) => json!({
                "bank_code": a.bank_code,
                "branch_code": a.branch_code,
                "account_type": account_type_key(a.account_type),
                "account_number": a.account_number,
                "holder_kana": a.holder_kana,
            }),
            // The API's form; storage only ever sees sealed numbers (see `seal_my_numbers`).
            Self::MyNumber(MyNumberAnswer::Entered(n)) => json!(n.expose()),
            Self::MyNumber(MyNumberAnswer::Sealed(s)) => {
                json!({ "last4": s.last4, "sealed": s.ciphertext })
            }
        }
    }
}

impl FileRef {
    pub fn to_json(&self) -> Value {
        json!({
            "attachment": self.sha256,
            "name": self.name,
            "size": self.size,
            "content_type": self.content_type.mime(),
        })
    }
}

/// `YYYY-MM-DD`, the form the API and storage use.
pub fn format_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Reads `YYYY-MM-DD` strictly; `None` for a malformed string or a day that does not exist.
pub fn parse_iso_date(s: &str) -> Option<Date> {
    let bytes = s.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = &s[r];
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    date_from_parts(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}

pub fn date_from_parts(year: i32, month: u32, day: u32) -> Option<Date> {
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    Date::from_calendar_date(year, month, u8::try_from(day).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploaded_file_names_lose_their_folders_disguises_and_excess() {
        assert_eq!(
            clean_file_name("C:\\Users\\taro\\免許証.jpg", FileType::Jpeg),
            "免許証.jpg"
        );
        assert_eq!(clean_file_name("../../etc/passwd", FileType::Pdf), "passwd");
        assert_eq!(clean_file_name("", FileType::Png), "file.png");
        assert_eq!(clean_file_name("\u{200B}", FileType::Png), "file.png");
        assert_eq!(
            clean_file_name("invoice\u{202E}fdp.exe", FileType::Pdf),
            "invoicefdp.exe"
        );
        let long = clean_file_name(&format!("{}.pdf", "長".repeat(300)), FileType::Pdf);
        assert_eq!(long.chars().count(), MAX_FILE_NAME);
        assert!(long.ends_with("….pdf"), "{long}");
    }

    #[test]
    fn iso_dates_must_exist() {
        assert_eq!(
            parse_iso_date("2024-02-29").map(format_date).as_deref(),
            Some("2024-02-29")
        );
        assert_eq!(parse_iso_date("2025-02-29"), None);
        assert_eq!(parse_iso_date("2025-2-1"), None);
        assert_eq!(parse_iso_date("２０２５-01-01"), None);
    }
}
