//! 和暦: conversion both ways between the Gregorian calendar and the eras 明治・大正・昭和・平成・
//! 令和, and a parser for what people type.
//!
//! Era boundaries (the first day belongs to the new era): 大正 1912-07-30, 昭和 1926-12-25,
//! 平成 1989-01-08, 令和 2019-05-01. 明治 is applied from the start of 1868; Japan used the
//! Gregorian calendar from 1873-01-01 (明治6年1月1日), so earlier dates are refused.

use crate::text::{fold_width, is_hyphen_like};
use std::fmt;
use time::{Date, Month};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Era {
    Meiji,
    Taisho,
    Showa,
    Heisei,
    Reiwa,
}

impl Era {
    pub const ALL: [Era; 5] = [Era::Meiji, Era::Taisho, Era::Showa, Era::Heisei, Era::Reiwa];

    pub fn kanji(self) -> &'static str {
        match self {
            Self::Meiji => "明治",
            Self::Taisho => "大正",
            Self::Showa => "昭和",
            Self::Heisei => "平成",
            Self::Reiwa => "令和",
        }
    }

    pub fn letter(self) -> char {
        match self {
            Self::Meiji => 'M',
            Self::Taisho => 'T',
            Self::Showa => 'S',
            Self::Heisei => 'H',
            Self::Reiwa => 'R',
        }
    }

    /// The era's first day (明治: 1868-01-01, as applied in practice).
    pub fn first_day(self) -> Date {
        let (y, m, d) = match self {
            Self::Meiji => (1868, Month::January, 1),
            Self::Taisho => (1912, Month::July, 30),
            Self::Showa => (1926, Month::December, 25),
            Self::Heisei => (1989, Month::January, 8),
            Self::Reiwa => (2019, Month::May, 1),
        };
        Date::from_calendar_date(y, m, d).expect("valid era start")
    }

    /// The era's last day, or `None` for the current era.
    pub fn last_day(self) -> Option<Date> {
        self.next().map(|next| {
            next.first_day()
                .previous_day()
                .expect("not the first day ever")
        })
    }

    fn next(self) -> Option<Era> {
        Self::ALL.iter().copied().skip_while(|e| *e != self).nth(1)
    }

    /// The era a Gregorian date falls in.
    pub fn of(date: Date) -> Option<Era> {
        Self::ALL
            .iter()
            .rev()
            .copied()
            .find(|e| date >= e.first_day())
    }

    fn from_name(name: &str) -> Option<Era> {
        let upper = name.to_uppercase();
        Self::ALL
            .into_iter()
            .find(|e| e.kanji() == name || upper.len() == 1 && upper.starts_with(e.letter()))
    }
}

/// The first day Japan used the Gregorian calendar (明治6年1月1日).
pub fn gregorian_adoption() -> Date {
    Date::from_calendar_date(1873, Month::January, 1).expect("valid")
}

/// A date in 和暦.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wareki {
    pub era: Era,
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl fmt::Display for Wareki {
    /// `令和7年4月1日`, `令和元年5月1日`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}年{}月{}日",
            self.era.kanji(),
            year_text(self.year),
            self.month,
            self.day
        )
    }
}

fn year_text(year: u16) -> String {
    if year == 1 {
        "元".to_owned()
    } else {
        year.to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WarekiError {
    #[error("日付として読み取れません。例：令和7年4月1日、R7.4.1、2025-04-01")]
    Unreadable,
    #[error("{0}は明治6年（1873年）1月1日より前のため、和暦と西暦の対応が定まりません")]
    BeforeGregorian(String),
    #[error("{era}{year}年はありません。{era}は{last}までです{suggestion}")]
    AfterEraEnd {
        era: &'static str,
        year: String,
        last: String,
        suggestion: String,
    },
    #[error(
        "{era}{year}年{month}月{day}日はまだ{era}ではありません。{era}は{first}からです{suggestion}"
    )]
    BeforeEraStart {
        era: &'static str,
        year: String,
        month: u8,
        day: u8,
        first: String,
        suggestion: String,
    },
    #[error("{0}年{1}月{2}日はありません{3}")]
    NoSuchDay(String, u8, u8, String),
    #[error("{0}月はありません。1〜12月で入力してください")]
    NoSuchMonth(u8),
    #[error("{0}年は0年や負の年にはできません")]
    NoSuchYear(String),
}

/// 西暦 → 和暦.
pub fn to_wareki(date: Date) -> Result<Wareki, WarekiError> {
    if date < gregorian_adoption() {
        return Err(WarekiError::BeforeGregorian(format!(
            "{}年{}月{}日",
            date.year(),
            u8::from(date.month()),
            date.day()
        )));
    }
    let era = Era::of(date).ok_or(WarekiError::Unreadable)?;
    let year = u16::try_from(date.year() - era.first_day().year() + 1)
        .map_err(|_| WarekiError::Unreadable)?;
    Ok(Wareki {
        era,
        year,
        month: u8::from(date.month()),
        day: date.day(),
    })
}

/// 和暦 → 西暦, refusing dates outside the era (平成32年, 令和元年4月30日) with a suggestion.
pub fn from_wareki(era: Era, year: u16, month: u8, day: u8) -> Result<Date, WarekiError> {
    if year == 0 {
        return Err(WarekiError::NoSuchYear(format!("{}0", era.kanji())));
    }
    let gregorian_year = era.first_day().year() + i32::from(year) - 1;
    let month_value = Month::try_from(month).map_err(|_| WarekiError::NoSuchMonth(month))?;
    let date = Date::from_calendar_date(gregorian_year, month_value, day).map_err(|_| {
        WarekiError::NoSuchDay(
            format!("{}{}", era.kanji(), year_text(year)),
            month,
            day,
            days_hint(gregorian_year, month_value),
        )
    })?;
    check_in_era(era, year, date)?;
    if date < gregorian_adoption() {
        return Err(WarekiError::BeforeGregorian(format!(
            "{}{}年{month}月{day}日",
            era.kanji(),
            year_text(year)
        )));
    }
    Ok(date)
}

fn check_in_era(era: Era, year: u16, date: Date) -> Result<(), WarekiError> {
    let suggestion = |d: Date| {
        to_wareki(d)
            .map(|w| format!("。{w}のことですか"))
            .unwrap_or_default()
    };
    if let Some(last) = era.last_day()
        && date > last
    {
        let last_w = to_wareki(last).map(|w| w.to_string()).unwrap_or_default();
        return Err(WarekiError::AfterEraEnd {
            era: era.kanji(),
            year: year_text(year),
            last: last_w,
            suggestion: suggestion(date),
        });
    }
    if date < era.first_day() {
        let first_w = to_wareki(era.first_day())
            .map(|w| w.to_string())
            .unwrap_or_default();
        return Err(WarekiError::BeforeEraStart {
            era: era.kanji(),
            year: year_text(year),
            month: u8::from(date.month()),
            day: date.day(),
            first: first_w,
            suggestion: suggestion(date),
        });
    }
    Ok(())
}

fn days_hint(year: i32, month: Month) -> String {
    format!(
        "（{}月は{}日までです）",
        u8::from(month),
        time::util::days_in_month(month, year)
    )
}

/// What a person typed, read as far as it goes: a full date, a year and month, or a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParsedDate {
    Day(Date),
    Month { year: i32, month: u8 },
    Year(i32),
}

/// Reads 令和7年4月1日, 令和元年, R7.4.1, H31/4/30, ｒ７．４．１, 2025-04-01, 2025/4/1, 20250401,
/// 2025年4月1日. 元年 and 1年 are the same year.
pub fn parse(input: &str) -> Result<ParsedDate, WarekiError> {
    let text: String = fold_width(input.trim())
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if text.is_empty() {
        return Err(WarekiError::Unreadable);
    }
    let (era, rest) = split_era(&text);
    let parts = numbers(rest).ok_or(WarekiError::Unreadable)?;
    match era {
        Some(era) => parse_wareki(era, &parts),
        None => parse_gregorian(rest, &parts),
    }
}

fn split_era(text: &str) -> (Option<Era>, &str) {
    for era in Era::ALL {
        if let Some(rest) = text.strip_prefix(era.kanji()) {
            return (Some(era), rest);
        }
    }
    let mut chars = text.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() => match Era::from_name(&c.to_string()) {
            Some(era) => (Some(era), chars.as_str()),
            None => (None, text),
        },
        _ => (None, text),
    }
}

/// The numbers of a date, split at 年月日 . / - and the like; 元 is 1.
fn numbers(rest: &str) -> Option<Vec<u32>> {
    let mut parts = Vec::new();
    let mut current = String::new();
    for c in rest.chars() {
        match c {
            '0'..='9' => current.push(c),
            '元' if current.is_empty() => current.push('1'),
            '年' | '月' | '日' | '.' | '/' | '、' | '，' | ',' => {
                if !current.is_empty() {
                    parts.push(current.parse().ok()?);
                    current.clear();
                }
            }
            c if is_hyphen_like(c) => {
                if !current.is_empty() {
                    parts.push(current.parse().ok()?);
                    current.clear();
                }
            }
            _ => return None,
        }
    }
    if !current.is_empty() {
        parts.push(current.parse().ok()?);
    }
    (!parts.is_empty() && parts.len() <= 3).then_some(parts)
}

fn parse_wareki(era: Era, parts: &[u32]) -> Result<ParsedDate, WarekiError> {
    let year = u16::try_from(parts[0]).map_err(|_| WarekiError::Unreadable)?;
    match *parts {
        [_, month, day] => {
            let (m, d) = (
                u8::try_from(month).map_err(|_| WarekiError::NoSuchMonth(255))?,
                u8::try_from(day).unwrap_or(255),
            );
            from_wareki(era, year, m, d).map(ParsedDate::Day)
        }
        [_, month] => {
            let m = u8::try_from(month).map_err(|_| WarekiError::NoSuchMonth(255))?;
            // The month must fall inside the era somewhere: 令和元年5月 yes, 令和元年4月 no.
            let last = time::util::days_in_month(
                Month::try_from(m).map_err(|_| WarekiError::NoSuchMonth(m))?,
                era.first_day().year() + i32::from(year) - 1,
            );
            from_wareki(era, year, m, last)
                .or_else(|_| from_wareki(era, year, m, 1))
                .map(|d| ParsedDate::Month {
                    year: d.year(),
                    month: m,
                })
        }
        [_] => {
            let first = from_wareki(era, year, 12, 31).or_else(|_| from_wareki(era, year, 1, 1))?;
            Ok(ParsedDate::Year(first.year()))
        }
        _ => Err(WarekiError::Unreadable),
    }
}

fn parse_gregorian(rest: &str, parts: &[u32]) -> Result<ParsedDate, WarekiError> {
    // 20250401: eight digits with no separator.
    let parts: Vec<u32> =
        if parts.len() == 1 && rest.len() == 8 && rest.bytes().all(|b| b.is_ascii_digit()) {
            vec![parts[0] / 10000, parts[0] / 100 % 100, parts[0] % 100]
        } else {
            parts.to_vec()
        };
    let year = i32::try_from(parts[0]).map_err(|_| WarekiError::Unreadable)?;
    if year < 1000 {
        // "7.4.1" without an era is ambiguous; ask for the era.
        return Err(WarekiError::Unreadable);
    }
    match *parts.as_slice() {
        [_, month, day] => {
            let m = Month::try_from(u8::try_from(month).unwrap_or(0))
                .map_err(|_| WarekiError::NoSuchMonth(u8::try_from(month).unwrap_or(0)))?;
            let d = u8::try_from(day).unwrap_or(0);
            let date = Date::from_calendar_date(year, m, d).map_err(|_| {
                WarekiError::NoSuchDay(year.to_string(), u8::from(m), d, days_hint(year, m))
            })?;
            if date < gregorian_adoption() {
                return Err(WarekiError::BeforeGregorian(format!(
                    "{year}年{}月{d}日",
                    u8::from(m)
                )));
            }
            Ok(ParsedDate::Day(date))
        }
        [_, month] => {
            let m = u8::try_from(month).unwrap_or(0);
            Month::try_from(m).map_err(|_| WarekiError::NoSuchMonth(m))?;
            Ok(ParsedDate::Month { year, month: m })
        }
        [_] => Ok(ParsedDate::Year(year)),
        _ => Err(WarekiError::Unreadable),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u8, day: u8) -> Date {
        Date::from_calendar_date(y, Month::try_from(m).unwrap(), day).unwrap()
    }

    #[test]
    fn era_boundaries_are_the_real_ones() {
        assert_eq!(
            to_wareki(d(1989, 1, 7)).unwrap().to_string(),
            "昭和64年1月7日"
        );
        assert_eq!(
            to_wareki(d(1989, 1, 8)).unwrap().to_string(),
            "平成元年1月8日"
        );
        assert_eq!(
            to_wareki(d(2019, 4, 30)).unwrap().to_string(),
            "平成31年4月30日"
        );
        assert_eq!(
            to_wareki(d(2019, 5, 1)).unwrap().to_string(),
            "令和元年5月1日"
        );
        assert_eq!(
            to_wareki(d(1912, 7, 29)).unwrap().to_string(),
            "明治45年7月29日"
        );
        assert_eq!(
            to_wareki(d(1912, 7, 30)).unwrap().to_string(),
            "大正元年7月30日"
        );
        assert_eq!(
            to_wareki(d(1926, 12, 25)).unwrap().to_string(),
            "昭和元年12月25日"
        );
        assert_eq!(
            to_wareki(d(1873, 1, 1)).unwrap().to_string(),
            "明治6年1月1日"
        );
        assert!(to_wareki(d(1872, 12, 31)).is_err());
    }

    #[test]
    fn what_people_type_is_read() {
        let day = |s: &str| parse(s).unwrap();
        assert_eq!(day("令和7年4月1日"), ParsedDate::Day(d(2025, 4, 1)));
        assert_eq!(day("R7.4.1"), ParsedDate::Day(d(2025, 4, 1)));
        assert_eq!(day("ｒ７．４．１"), ParsedDate::Day(d(2025, 4, 1)));
        assert_eq!(day("H31/4/30"), ParsedDate::Day(d(2019, 4, 30)));
        assert_eq!(day("2025-04-01"), ParsedDate::Day(d(2025, 4, 1)));
        assert_eq!(day("2025/4/1"), ParsedDate::Day(d(2025, 4, 1)));
        assert_eq!(day("20250401"), ParsedDate::Day(d(2025, 4, 1)));
        assert_eq!(day("2025年4月1日"), ParsedDate::Day(d(2025, 4, 1)));
        assert_eq!(day("令和元年"), ParsedDate::Year(2019));
        assert_eq!(day("令和1年5月1日"), day("令和元年5月1日"));
        assert_eq!(day("平成 元年 1月 8日"), ParsedDate::Day(d(1989, 1, 8)));
        assert_eq!(day("S64.1.7"), ParsedDate::Day(d(1989, 1, 7)));
    }

    #[test]
    fn dates_that_do_not_exist_say_why_and_suggest() {
        let msg = |s: &str| parse(s).unwrap_err().to_string();
        assert_eq!(
            msg("平成32年1月1日"),
            "平成32年はありません。平成は平成31年4月30日までです。令和2年1月1日のことですか"
        );
        assert!(
            msg("昭和65年").starts_with("昭和65年はありません"),
            "{}",
            msg("昭和65年")
        );
        assert_eq!(
            msg("令和元年4月30日"),
            "令和元年4月30日はまだ令和ではありません。令和は令和元年5月1日からです。平成31年4月30日のことですか"
        );
        assert_eq!(
            msg("2025年2月30日"),
            "2025年2月30日はありません（2月は28日までです）"
        );
        assert_eq!(
            msg("令和6年2月30日"),
            "令和6年2月30日はありません（2月は29日までです）"
        );
        assert!(msg("令和7年13月1日").contains("13月はありません"));
        assert!(parse("きのう").is_err());
        assert!(
            parse("7.4.1").is_err(),
            "without an era, a small year is ambiguous"
        );
    }

    proptest! {
        /// 西暦 → 和暦 → 西暦 for every day from 1873-01-01 to 2100-12-31.
        #[test]
        fn conversion_round_trips(jd in gregorian_adoption().to_julian_day()..=d(2100, 12, 31).to_julian_day()) {
            let date = Date::from_julian_day(jd).unwrap();
            let w = to_wareki(date).unwrap();
            prop_assert_eq!(from_wareki(w.era, w.year, w.month, w.day).unwrap(), date);
            prop_assert_eq!(parse(&w.to_string()).unwrap(), ParsedDate::Day(date));
        }
    }

    #[test]
    fn every_day_round_trips_exhaustively() {
        let mut date = gregorian_adoption();
        let end = d(2100, 12, 31);
        while date <= end {
            let w = to_wareki(date).unwrap();
            assert_eq!(from_wareki(w.era, w.year, w.month, w.day).unwrap(), date);
            date = date.next_day().unwrap();
        }
    }
}
