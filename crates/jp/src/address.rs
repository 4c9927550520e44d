//! 住所の正規化: one canonical writing of the 丁目・番地・号 part of an address, whatever the
//! resident typed — 漢数字 or digits, full- or half-width, 番地・号 or any of the hyphen-like
//! characters (－ ‐ ― ー …) — keeping the building name apart and unchanged but for width.
//!
//! Canonical form: 丁目 in 漢数字 (as 町字 names are registered, e.g. 蒲田五丁目, following the
//! Digital Agency's アドレス・ベース・レジストリ), then 番地 and 号 as digits joined by `-`:
//! `東京都大田区蒲田五丁目13-14`. Town names that contain numerals (五反田, 八王子, 四谷) are left
//! alone: a numeral is read as a number only where 丁目, 番, 番地, 号, の or a hyphen follows it.

use crate::text::{fold_width, is_hyphen_like};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizedAddress {
    /// Up to and including the 番地・号.
    pub address: String,
    /// What follows: building name and room, if any.
    pub building: Option<String>,
}

const KANJI_DIGITS: &str = "〇一二三四五六七八九";

fn is_kanji_numeral(c: char) -> bool {
    KANJI_DIGITS.contains(c) || matches!(c, '十' | '百' | '千' | '零')
}

/// 二十三 → 23, 百五 → 105, 一〇 → 10 (digit-by-digit writing).
pub fn kanji_to_number(s: &str) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    if !s.contains(['十', '百', '千']) {
        return s
            .chars()
            .try_fold(0u32, |acc, c| Some(acc * 10 + digit(c)?));
    }
    let mut total = 0;
    let mut current = 0;
    for c in s.chars() {
        match c {
            '十' | '百' | '千' => {
                let unit = match c {
                    '十' => 10,
                    '百' => 100,
                    _ => 1000,
                };
                total += if current == 0 { 1 } else { current } * unit;
                current = 0;
            }
            _ => current = digit(c)?,
        }
    }
    Some(total + current)
}

fn digit(c: char) -> Option<u32> {
    if c == '零' {
        return Some(0);
    }
    KANJI_DIGITS.chars().position(|k| k == c).map(|p| p as u32)
}

/// 5 → 五, 12 → 十二, 23 → 二十三 (丁目 numbers are small).
pub fn number_to_kanji(n: u32) -> String {
    let d = |x: u32| KANJI_DIGITS.chars().nth(x as usize).unwrap_or('〇');
    match n {
        0..=9 => d(n).to_string(),
        10..=99 => {
            let (tens, ones) = (n / 10, n % 10);
            let mut s = if tens == 1 {
                String::new()
            } else {
                d(tens).to_string()
            };
            s.push('十');
            if ones > 0 {
                s.push(d(ones));
            }
            s
        }
        _ => n.to_string(),
    }
}

/// Reads 漢数字 as numbers where an address number follows, and hyphen-like characters next
/// to digits as `-`.
fn numerals_to_digits(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if is_kanji_numeral(chars[i]) {
            let start = i;
            while i < chars.len() && is_kanji_numeral(chars[i]) {
                i += 1;
            }
            let run: String = chars[start..i].iter().collect();
            let rest: String = chars[i..].iter().take(2).collect();
            let marks_number = rest.starts_with("丁目")
                || rest.starts_with('番')
                || rest.starts_with('号')
                || rest.starts_with('の')
                || chars.get(i).is_some_and(|c| is_hyphen_like(*c));
            match kanji_to_number(&run).filter(|_| marks_number) {
                Some(n) => out.push_str(&n.to_string()),
                None => out.push_str(&run),
            }
            continue;
        }
        let c = chars[i];
        let prev_digit = out.chars().last().is_some_and(|p| p.is_ascii_digit());
        let next_digit = chars
            .get(i + 1)
            .is_some_and(|n| n.is_ascii_digit() || is_kanji_numeral(*n));
        if (is_hyphen_like(c) || c == 'の') && prev_digit && next_digit {
            out.push('-');
        } else {
            out.push(c);
        }
        i += 1;
    }
    out
}

/// Normalises an address; see the module documentation for the canonical form.
pub fn normalize(input: &str) -> NormalizedAddress {
    let folded: String = fold_width(input)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let text = numerals_to_digits(&folded);
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut numbers: Vec<String> = Vec::new();
    // Copy the text up to the first number; then read 丁目 and the 番地・号 numbers.
    while i < chars.len() && !chars[i].is_ascii_digit() {
        out.push(chars[i]);
        i += 1;
    }
    loop {
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        if start == i {
            break;
        }
        let n: String = chars[start..i].iter().collect();
        let rest: String = chars[i..].iter().take(2).collect();
        if rest == "丁目" && numbers.is_empty() {
            out.push_str(&number_to_kanji(n.parse().unwrap_or(0)));
            out.push_str("丁目");
            i += 2;
        } else {
            numbers.push(n);
            if rest.starts_with("番地") {
                i += 2;
            } else if rest.starts_with('番') || rest.starts_with('号') {
                i += 1;
            }
        }
        if chars.get(i) == Some(&'-') {
            i += 1;
        }
        if !chars.get(i).is_some_and(|c| c.is_ascii_digit()) {
            break;
        }
    }
    out.push_str(&numbers.join("-"));
    let building: String = chars[i..].iter().collect::<String>().trim().to_owned();
    NormalizedAddress {
        address: out.trim().to_owned(),
        building: (!building.is_empty()).then_some(building),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> (String, Option<String>) {
        let a = normalize(s);
        (a.address, a.building)
    }

    #[test]
    fn every_writing_of_one_address_is_the_same() {
        let expected = ("東京都大田区蒲田五丁目13-14".to_owned(), None);
        for typed in [
            "東京都大田区蒲田五丁目13番14号",
            "東京都大田区蒲田5丁目13-14",
            "東京都大田区蒲田５丁目１３－１４",
            "東京都大田区蒲田五丁目十三番十四号",
            "東京都大田区蒲田五丁目13番地14",
            "東京都大田区蒲田５丁目１３ー１４",
            "東京都大田区蒲田5丁目13‐14",
            "東京都大田区蒲田五丁目13の14",
        ] {
            assert_eq!(n(typed), expected, "{typed}");
        }
    }

    #[test]
    fn the_building_is_kept_apart() {
        assert_eq!(
            n("東京都大田区蒲田五丁目13番14号 蒲田マンション３０１号室"),
            (
                "東京都大田区蒲田五丁目13-14".into(),
                Some("蒲田マンション301号室".into())
            )
        );
        assert_eq!(
            n("大田区山王1-2-3メゾン・ド・ヴィー202"),
            (
                "大田区山王1-2-3".into(),
                Some("メゾン・ド・ヴィー202".into())
            )
        );
    }

    #[test]
    fn numerals_in_town_names_stay() {
        assert_eq!(
            n("東京都品川区西五反田二丁目3番4号").0,
            "東京都品川区西五反田二丁目3-4"
        );
        assert_eq!(
            n("東京都八王子市元本郷町三丁目24番1号").0,
            "東京都八王子市元本郷町三丁目24-1"
        );
        assert_eq!(n("東京都新宿区四谷1-6-1").0, "東京都新宿区四谷1-6-1");
    }

    #[test]
    fn kanji_numbers_are_read() {
        assert_eq!(kanji_to_number("二十三"), Some(23));
        assert_eq!(kanji_to_number("百五"), Some(105));
        assert_eq!(kanji_to_number("十"), Some(10));
        assert_eq!(kanji_to_number("一〇"), Some(10));
        assert_eq!(number_to_kanji(12), "十二");
        assert_eq!(number_to_kanji(20), "二十");
    }
}
