//! 国民の祝日: which days are national holidays in Japan, computed from the rules of the Act on
//! National Holidays (国民の祝日に関する法律) rather than from a list that runs out.
//!
//! Covered from 2000 to 2099: fixed-date holidays, the Happy Monday holidays (成人の日,
//! 海の日, 敬老の日, スポーツの日), 春分の日 and 秋分の日 by the formula the 国立天文台 almanac
//! figures follow for 1980–2099, 振替休日 (as the rule stands since 2007: a holiday on a Sunday moves to the next day that is
//! not a holiday), 国民の休日 (a day between two holidays), and the one-off changes of 2019
//! (即位), 2020 and 2021 (the Tokyo Games). The equinox days are formally announced in the
//! 官報 each February for the next year; the formula has matched every announcement of the
//! range so far. Years outside the range answer `false`, never a guess.

use time::{Date, Month, Weekday};

/// The years whose holidays are known.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2099;

/// Whether `date` is a national holiday (祝日, 振替休日 or 国民の休日).
pub fn is_holiday(date: Date) -> bool {
    name(date).is_some()
}

/// The holiday's name (`元日`, `振替休日` …), or `None` on an ordinary day.
pub fn name(date: Date) -> Option<&'static str> {
    if !YEARS.contains(&date.year()) {
        return None;
    }
    if let Some(name) = statutory(date) {
        return Some(name);
    }
    if is_substitute(date) {
        return Some("振替休日");
    }
    let between = |d: Date| {
        d.previous_day().and_then(statutory).is_some() && d.next_day().and_then(statutory).is_some()
    };
    (date.weekday() != Weekday::Sunday && between(date)).then_some("国民の休日")
}

/// 振替休日: since 2007, a holiday on a Sunday makes the first following non-holiday a holiday.
fn is_substitute(date: Date) -> bool {
    let mut day = date;
    loop {
        let Some(previous) = day.previous_day() else {
            return false;
        };
        if statutory(previous).is_none() {
            return false;
        }
        if previous.weekday() == Weekday::Sunday {
            return true;
        }
        day = previous;
    }
}

/// The holidays the Act names, on the day it puts them in `date`'s year.
fn statutory(date: Date) -> Option<&'static str> {
    let year = date.year();
    let (month, day) = (date.month(), date.day());
    let monday = |nth: u8| nth_monday(date, nth);
    let fixed = match (month, day) {
        (Month::January, 1) => Some("元日"),
        (Month::February, 11) => Some("建国記念の日"),
        (Month::February, 23) if year >= 2020 => Some("天皇誕生日"),
        (Month::April, 29) if year >= 2007 => Some("昭和の日"),
        (Month::April, 29) => Some("みどりの日"),
        (Month::May, 3) => Some("憲法記念日"),
        (Month::May, 4) if year >= 2007 => Some("みどりの日"),
        (Month::May, 5) => Some("こどもの日"),
        (Month::November, 3) => Some("文化の日"),
        (Month::November, 23) => Some("勤労感謝の日"),
        (Month::December, 23) if (1989..=2018).contains(&year) => Some("天皇誕生日"),
        _ => None,
    };
    if fixed.is_some() {
        return fixed;
    }
    if month == Month::March && day == equinox(year, 20.8431) {
        return Some("春分の日");
    }
    if month == Month::September && day == equinox(year, 23.2488) {
        return Some("秋分の日");
    }
    if month == Month::January && monday(2) {
        return Some("成人の日");
    }
    if month == Month::September && monday(3) && year >= 2003 {
        return Some("敬老の日");
    }
    if let Some(name) = games_year(year, month, day) {
        return name;
    }
    match month {
        Month::July if monday(3) && year >= 2003 => Some("海の日"),
        Month::July if day == 20 && year < 2003 => Some("海の日"),
        Month::August if day == 11 && year >= 2016 => Some("山の日"),
        Month::October if monday(2) && year >= 2020 => Some("スポーツの日"),
        Month::October if monday(2) => Some("体育の日"),
        _ => None,
    }
    .or_else(|| enthronement(year, month, day))
}

/// 2020 and 2021 moved 海の日, スポーツの日 and 山の日 around the Tokyo Games (東京オリンピック・
/// パラリンピック競技大会特別措置法). `Some(None)`: the usual day is not a holiday that year.
fn games_year(year: i32, month: Month, day: u8) -> Option<Option<&'static str>> {
    let moved: &[(Month, u8, &str)] = match year {
        2020 => &[
            (Month::July, 23, "海の日"),
            (Month::July, 24, "スポーツの日"),
            (Month::August, 10, "山の日"),
        ],
        2021 => &[
            (Month::July, 22, "海の日"),
            (Month::July, 23, "スポーツの日"),
            (Month::August, 8, "山の日"),
        ],
        _ => return None,
    };
    if let Some((_, _, name)) = moved.iter().find(|(m, d, _)| *m == month && *d == day) {
        return Some(Some(name));
    }
    matches!(month, Month::July | Month::August | Month::October).then_some(None)
}

/// The holidays of the 2019 enthronement (天皇の即位の日及び即位礼正殿の儀の行われる日を休日とする法律).
fn enthronement(year: i32, month: Month, day: u8) -> Option<&'static str> {
    match (year, month, day) {
        (2019, Month::May, 1) => Some("天皇の即位の日"),
        (2019, Month::October, 22) => Some("即位礼正殿の儀の行われる日"),
        _ => None,
    }
}

/// Whether `date` is the `nth` Monday of its month.
fn nth_monday(date: Date, nth: u8) -> bool {
    date.weekday() == Weekday::Monday && (date.day() - 1) / 7 + 1 == nth
}

/// The day of the month of an equinox holiday in 1980–2099: ⌊base + 0.242194 (y − 1980) −
/// ⌊(y − 1980) / 4⌋⌋, with base 20.8431 for March and 23.2488 for September.
fn equinox(year: i32, base: f64) -> u8 {
    let offset = f64::from(year - 1980);
    let day = (base + 0.242194 * offset - (offset / 4.0).floor()).floor();
    // The formula gives 19..=24 over its range.
    day as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn holidays(year: i32) -> Vec<(Date, &'static str)> {
        let mut day = Date::from_calendar_date(year, Month::January, 1).unwrap();
        let mut out = Vec::new();
        while day.year() == year {
            if let Some(n) = name(day) {
                out.push((day, n));
            }
            day = day.next_day().unwrap();
        }
        out
    }

    /// The 2026 list as the Cabinet Office publishes it (内閣府「国民の祝日について」).
    #[test]
    fn the_2026_holidays_are_the_cabinet_offices_list() {
        let expected = [
            (date!(2026 - 01 - 01), "元日"),
            (date!(2026 - 01 - 12), "成人の日"),
            (date!(2026 - 02 - 11), "建国記念の日"),
            (date!(2026 - 02 - 23), "天皇誕生日"),
            (date!(2026 - 03 - 20), "春分の日"),
            (date!(2026 - 04 - 29), "昭和の日"),
            (date!(2026 - 05 - 03), "憲法記念日"),
            (date!(2026 - 05 - 04), "みどりの日"),
            (date!(2026 - 05 - 05), "こどもの日"),
            (date!(2026 - 05 - 06), "振替休日"),
            (date!(2026 - 07 - 20), "海の日"),
            (date!(2026 - 08 - 11), "山の日"),
            (date!(2026 - 09 - 21), "敬老の日"),
            (date!(2026 - 09 - 22), "国民の休日"),
            (date!(2026 - 09 - 23), "秋分の日"),
            (date!(2026 - 10 - 12), "スポーツの日"),
            (date!(2026 - 11 - 03), "文化の日"),
            (date!(2026 - 11 - 23), "勤労感謝の日"),
        ];
        assert_eq!(holidays(2026), expected);
    }

    #[test]
    fn the_games_years_moved_their_holidays() {
        assert_eq!(name(date!(2020 - 07 - 24)), Some("スポーツの日"));
        assert_eq!(name(date!(2020 - 10 - 12)), None);
        assert_eq!(name(date!(2021 - 08 - 09)), Some("振替休日"));
        assert_eq!(name(date!(2021 - 07 - 19)), None);
    }

    #[test]
    fn equinoxes_match_the_almanac() {
        // 国立天文台 暦要項: 春分の日 and 秋分の日.
        assert_eq!(name(date!(2025 - 03 - 20)), Some("春分の日"));
        assert_eq!(name(date!(2025 - 09 - 23)), Some("秋分の日"));
        assert_eq!(name(date!(2027 - 03 - 21)), Some("春分の日"));
        assert_eq!(name(date!(2027 - 09 - 23)), Some("秋分の日"));
        assert_eq!(name(date!(2024 - 09 - 22)), Some("秋分の日"));
    }

    #[test]
    fn a_sunday_holiday_moves_to_monday_and_outside_the_range_nothing_is_claimed() {
        // 2024-02-11 was a Sunday.
        assert_eq!(name(date!(2024 - 02 - 12)), Some("振替休日"));
        // 2019-05-06: 5月5日 was a Sunday and 5月4日 was already a holiday.
        assert_eq!(name(date!(2019 - 05 - 06)), Some("振替休日"));
        assert!(!is_holiday(date!(2100 - 01 - 01)));
        assert!(!is_holiday(date!(2026 - 12 - 02)));
    }

    #[test]
    fn every_year_in_range_has_a_plausible_number_of_holidays() {
        for year in YEARS {
            let n = holidays(year).len();
            assert!((14..=22).contains(&n), "{year}: {n}");
        }
    }
}
