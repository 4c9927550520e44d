//! A resident's answers, typed by the question they answer.
//!
//! Answers travel as JSON (the API, the stored draft and application) and are always read back
//! through the definition they were given against, because the JSON alone cannot tell a
//! free-text answer from a choice. [`Answers::to_json`] and [`crate::validate::parse_json`] are
//! each other's inverse.

use crate::procedure::FileType;
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
}

/// An uploaded file as an answer refers to it: the content hash names the stored bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRef {
    pub sha256: String,
    pub name: String,
    pub size: u64,
    pub content_type: FileType,
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

    pub fn to_json(&self) -> Value {
        Value::Object(
            self.0
                .iter()
                .map(|(k, v)| (k.clone(), v.to_json()))
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
}

impl FromIterator<(String, Answer)> for Answers {
    fn from_iter<I: IntoIterator<Item = (String, Answer)>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl Answer {
    pub fn to_json(&self) -> Value {
        match self {
            Self::Text(s) | Self::Choice(s) => json!(s),
            Self::Number(n) => json!(n),
            Self::Date(d) => json!(format_date(*d)),
            Self::Choices(v) => json!(v),
            Self::YesNo(b) => json!(b),
            Self::Files(files) => Value::Array(files.iter().map(FileRef::to_json).collect()),
            Self::Group(items) => Value::Array(items.iter().map(Answers::to_json).collect()),
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
