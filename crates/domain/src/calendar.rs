//! Date arithmetic for the rules of date questions: limits counted from today or from another
//! answer, the days a question takes (weekdays, not on holidays, not in the year-end break),
//! and deadlines counted back from the chosen day. "Today" is always the caller's date in Japan
//! (Asia/Tokyo); nothing here reads a clock.

use crate::answers::Answer;
use crate::ids::FieldId;
use crate::procedure::{
    ComputedDate, DateBase, DateBound, DayOfWeek, DayRule, Deadline, EARLIEST_DATE, LATEST_DATE,
    MonthSnap, RelativeDate,
};
use time::{Date, Month};

/// Why a day is not one the question takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DayProblem {
    /// Only on these days of the week.
    Weekday { allowed: Vec<DayOfWeek> },
    /// Only on these days of the month.
    DayOfMonth { allowed: Vec<u8> },
    /// A national holiday, named.
    Holiday { name: &'static str },
    /// 12月29日〜1月3日.
    YearEnd,
}

/// `months` months after `date` (before, if negative); a day the target month lacks becomes
/// its last day (1月31日 + 1か月 = 2月28日).
pub fn add_months(date: Date, months: i32) -> Option<Date> {
    let index = date.year() * 12 + i32::from(u8::from(date.month())) - 1 + months;
    let year = index.div_euclid(12);
    let month = Month::try_from(u8::try_from(index.rem_euclid(12) + 1).ok()?).ok()?;
    let day = date.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).ok()
}

fn add_days(date: Date, days: i32) -> Option<Date> {
    date.checked_add(time::Duration::days(i64::from(days)))
}

impl ComputedDate {
    /// The day this names, or `None` when the answer it counts from is not given.
    pub fn resolve<'a>(
        &self,
        today: Date,
        answer: impl Fn(&FieldId) -> Option<&'a Answer>,
    ) -> Option<Date> {
        let from = match &self.from {
            DateBase::Today => today,
            DateBase::Answer(id) => match answer(id)? {
                Answer::Date(d) => *d,
                _ => return None,
            },
        };
        let moved = add_months(from, self.years.checked_mul(12)?.checked_add(self.months)?)?;
        let moved = add_days(moved, self.days)?;
        Some(match self.snap {
            None => moved,
            Some(MonthSnap::StartOfMonth) => moved.replace_day(1).ok()?,
            Some(MonthSnap::EndOfMonth) => {
                moved.replace_day(moved.month().length(moved.year())).ok()?
            }
        })
    }
}

impl DateBound {
    /// The day this bound names; `None` when it counts from an answer not given.
    pub fn resolve<'a>(
        &self,
        today: Date,
        answer: impl Fn(&FieldId) -> Option<&'a Answer>,
    ) -> Option<Date> {
        match self {
            Self::Fixed(d) => Some(*d),
            Self::Relative(RelativeDate::Today) => Some(today),
            Self::Computed(c) => c.resolve(today, answer),
        }
    }
}

/// The days a date question takes: its own limits where they can be known, the plausible
/// window [`EARLIEST_DATE`] ..= [`LATEST_DATE`] where it sets none (or they count from an
/// answer not given).
pub fn date_window<'a>(
    min: Option<&DateBound>,
    max: Option<&DateBound>,
    today: Date,
    answer: impl Fn(&FieldId) -> Option<&'a Answer> + Copy,
) -> (Date, Date) {
    (
        min.and_then(|b| b.resolve(today, answer))
            .unwrap_or(EARLIEST_DATE),
        max.and_then(|b| b.resolve(today, answer))
            .unwrap_or(LATEST_DATE),
    )
}

/// The first and last days a date question takes today, as a resident would be told them:
/// the limits that are set (counted from today or from answers given), the first day whose
/// deadline has not passed folded into the first; `None` for a side left at its default.
pub fn selectable_range<'a>(
    min: Option<&DateBound>,
    max: Option<&DateBound>,
    deadline: Option<&Deadline>,
    today: Date,
    answer: impl Fn(&FieldId) -> Option<&'a Answer> + Copy,
) -> (Option<Date>, Option<Date>) {
    let first = min.and_then(|b| b.resolve(today, answer));
    let last = max.and_then(|b| b.resolve(today, answer));
    let first_in_time = deadline.and_then(|d| {
        // Deadlines move forward with the chosen day: the first day still open is near.
        let mut day = today;
        for _ in 0..400 {
            if d.last_day(day).is_some_and(|l| l >= today) {
                return Some(day);
            }
            day = day.next_day()?;
        }
        None
    });
    let first = match (first, first_in_time) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    (first, last)
}

impl DayRule {
    /// Why `date` is not a day this rule takes, if it is not.
    pub fn problem(&self, date: Date) -> Option<DayProblem> {
        if !self.weekdays.is_empty() && !self.weekdays.contains(&DayOfWeek::of(date)) {
            return Some(DayProblem::Weekday {
                allowed: self.weekdays.clone(),
            });
        }
        if !self.days_of_month.is_empty() && !self.days_of_month.contains(&date.day()) {
            return Some(DayProblem::DayOfMonth {
                allowed: self.days_of_month.clone(),
            });
        }
        if self.not_year_end && is_year_end(date) {
            return Some(DayProblem::YearEnd);
        }
        if self.not_holidays
            && let Some(name) = madoguchi_jp::holiday::name(date)
        {
            return Some(DayProblem::Holiday { name });
        }
        None
    }
}

/// 年末年始: 12月29日〜1月3日, when municipal offices and most facilities close.
pub fn is_year_end(date: Date) -> bool {
    matches!(
        (date.month(), date.day()),
        (Month::December, 29..=31) | (Month::January, 1..=3)
    )
}

impl Deadline {
    /// The last day to apply for `chosen`.
    pub fn last_day(&self, chosen: Date) -> Option<Date> {
        let months_back = -i32::try_from(self.months_before).ok()?;
        let moved = add_months(chosen, months_back)?;
        match self.day_of_month {
            Some(day) => moved
                .replace_day(day.min(moved.month().length(moved.year())))
                .ok(),
            None => add_days(moved, -i32::try_from(self.days_before).ok()?),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn computed(from: DateBase, years: i32, months: i32, days: i32) -> ComputedDate {
        ComputedDate {
            from,
            years,
            months,
            days,
            snap: None,
        }
    }

    #[test]
    fn months_keep_the_day_or_take_the_last_one() {
        assert_eq!(
            add_months(date!(2026 - 01 - 31), 1),
            Some(date!(2026 - 02 - 28))
        );
        assert_eq!(
            add_months(date!(2028 - 01 - 31), 1),
            Some(date!(2028 - 02 - 29))
        );
        assert_eq!(
            add_months(date!(2026 - 03 - 15), -3),
            Some(date!(2025 - 12 - 15))
        );
        assert_eq!(
            add_months(date!(2026 - 12 - 01), 14),
            Some(date!(2028 - 02 - 01))
        );
    }

    #[test]
    fn bounds_count_from_today_or_from_an_answer() {
        let today = date!(2026 - 12 - 02);
        let none = |_: &FieldId| None;
        let week = computed(DateBase::Today, 0, 0, 7);
        assert_eq!(week.resolve(today, none), Some(date!(2026 - 12 - 09)));
        let mut end = computed(DateBase::Today, 0, 2, 0);
        end.snap = Some(MonthSnap::EndOfMonth);
        assert_eq!(end.resolve(today, none), Some(date!(2027 - 02 - 28)));
        let start = FieldId::parse("start").unwrap();
        let given = Answer::Date(date!(2026 - 04 - 01));
        let after_start = computed(DateBase::Answer(start.clone()), 0, 0, 1);
        assert_eq!(
            after_start.resolve(today, |id| (id == &start).then_some(&given)),
            Some(date!(2026 - 04 - 02))
        );
        assert_eq!(after_start.resolve(today, none), None);
        let adult = computed(DateBase::Answer(start.clone()), 18, 0, 0);
        assert_eq!(
            adult.resolve(today, |_| Some(&given)),
            Some(date!(2044 - 04 - 01))
        );
    }

    #[test]
    fn day_rules_name_what_is_wrong_with_the_day() {
        let rule = DayRule {
            weekdays: vec![],
            days_of_month: vec![],
            not_holidays: true,
            not_year_end: true,
        };
        assert_eq!(
            rule.problem(date!(2026 - 11 - 03)),
            Some(DayProblem::Holiday {
                name: "文化の日"
            })
        );
        assert_eq!(
            rule.problem(date!(2027 - 01 - 02)),
            Some(DayProblem::YearEnd)
        );
        assert_eq!(rule.problem(date!(2026 - 12 - 02)), None);
        let weekdays = DayRule {
            weekdays: vec![DayOfWeek::Sat, DayOfWeek::Sun],
            ..DayRule::default()
        };
        assert!(matches!(
            weekdays.problem(date!(2026 - 12 - 02)),
            Some(DayProblem::Weekday { .. })
        ));
        assert_eq!(weekdays.problem(date!(2026 - 12 - 05)), None);
    }

    #[test]
    fn deadlines_count_back_from_the_chosen_day() {
        let week = Deadline {
            days_before: 7,
            months_before: 0,
            day_of_month: None,
        };
        assert_eq!(
            week.last_day(date!(2027 - 01 - 05)),
            Some(date!(2026 - 12 - 29))
        );
        let tenth_of_previous = Deadline {
            days_before: 0,
            months_before: 1,
            day_of_month: Some(10),
        };
        assert_eq!(
            tenth_of_previous.last_day(date!(2027 - 04 - 01)),
            Some(date!(2027 - 03 - 10))
        );
    }
}
