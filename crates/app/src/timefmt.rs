//! Times as people and programs read them: RFC 3339 for the API, Japan time for staff screens,
//! exports and mail.

use time::OffsetDateTime;

/// Japan Standard Time, the only time zone a ward's screens and deadlines use.
pub const JST: time::UtcOffset = time::macros::offset!(+9);

/// `2026-04-01T00:00:00Z`, the API's form of a time.
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// `2026-04-01 09:00` in Japan time, as exports and staff screens show it.
pub fn jst_minutes(t: OffsetDateTime) -> String {
    let t = t.to_offset(JST);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// Today's date in Japan.
pub fn today_jst() -> time::Date {
    OffsetDateTime::now_utc().to_offset(JST).date()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_screens_show_japan_time() {
        let t = time::macros::datetime!(2026-03-31 15:30 UTC);
        assert_eq!(jst_minutes(t), "2026-04-01 00:30");
        assert_eq!(rfc3339(t), "2026-03-31T15:30:00Z");
    }
}
