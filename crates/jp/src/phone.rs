//! Japanese telephone numbers in any common writing: `03-5744-1111`, `０９０（１２３４）５６７８`,
//! `+81 90 1234 5678`, `0120-123-456`. The result is the digits and what kind of line it is.
//!
//! Lengths follow the 電気通信番号計画 (総務省): fixed lines have 10 digits; mobile (070/080/090),
//! IP (050) and 0800 numbers 11; 0120 and 0570 numbers 10.

use crate::text::{fold_width, is_hyphen_like};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    Fixed,
    Mobile,
    Ip,
    TollFree,
    Navi,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumber {
    digits: String,
    kind: LineKind,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("電話番号には数字、ハイフン、かっこだけを使ってください")]
    NotDigits,
    #[error("電話番号は0から始まる番号を入力してください（例：03-5744-1111）")]
    NoLeadingZero,
    #[error("{kind}の番号は{expected}桁です（{actual}桁入力されています）")]
    Length {
        kind: &'static str,
        expected: usize,
        actual: usize,
    },
}

impl PhoneNumber {
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        let folded = fold_width(input);
        let trimmed = folded.trim();
        let (international, rest) = match trimmed.strip_prefix("+81") {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let kept: String = rest
            .chars()
            .filter(|c| {
                !(is_hyphen_like(*c)
                    || c.is_whitespace()
                    || matches!(c, '(' | ')' | '（' | '）' | '.'))
            })
            .collect();
        if kept.is_empty() || !kept.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PhoneError::NotDigits);
        }
        let digits = if international {
            format!("0{}", kept.trim_start_matches('0'))
        } else {
            kept
        };
        if !digits.starts_with('0') {
            return Err(PhoneError::NoLeadingZero);
        }
        let (kind, expected, name) = classify(&digits);
        if digits.len() != expected {
            return Err(PhoneError::Length {
                kind: name,
                expected,
                actual: digits.len(),
            });
        }
        Ok(Self { digits, kind })
    }

    pub fn digits(&self) -> &str {
        &self.digits
    }

    pub fn kind(&self) -> LineKind {
        self.kind
    }

    /// The usual hyphenation where it does not depend on the area code: 090-1234-5678,
    /// 050-1234-5678, 0120-123-456, 0800-123-4567, 0570-123-456; 03 and 06 numbers as
    /// 03-1234-5678. Other fixed numbers are returned as digits, since their grouping depends
    /// on the area code (市外局番).
    pub fn display(&self) -> String {
        let d = &self.digits;
        match (self.kind, d.len()) {
            (LineKind::Mobile | LineKind::Ip, 11) => {
                format!("{}-{}-{}", &d[..3], &d[3..7], &d[7..])
            }
            (LineKind::TollFree, 10) | (LineKind::Navi, 10) => {
                format!("{}-{}-{}", &d[..4], &d[4..7], &d[7..])
            }
            (LineKind::TollFree, 11) => format!("{}-{}-{}", &d[..4], &d[4..7], &d[7..]),
            (LineKind::Fixed, 10) if d.starts_with("03") || d.starts_with("06") => {
                format!("{}-{}-{}", &d[..2], &d[2..6], &d[6..])
            }
            _ => d.clone(),
        }
    }
}

fn classify(d: &str) -> (LineKind, usize, &'static str) {
    if d.starts_with("070") || d.starts_with("080") || d.starts_with("090") {
        (LineKind::Mobile, 11, "携帯電話")
    } else if d.starts_with("050") {
        (LineKind::Ip, 11, "IP電話")
    } else if d.starts_with("0120") {
        (LineKind::TollFree, 10, "フリーダイヤル（0120）")
    } else if d.starts_with("0800") {
        (LineKind::TollFree, 11, "フリーダイヤル（0800）")
    } else if d.starts_with("0570") {
        (LineKind::Navi, 10, "ナビダイヤル")
    } else {
        (LineKind::Fixed, 10, "固定電話")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_writings_are_read() {
        let p = |s: &str| PhoneNumber::parse(s).unwrap();
        assert_eq!(p("03-5744-1111").digits(), "0357441111");
        assert_eq!(p("０９０（１２３４）５６７８").display(), "090-1234-5678");
        assert_eq!(p("+81 90 1234 5678").digits(), "09012345678");
        assert_eq!(p("+81-3-5744-1111").display(), "03-5744-1111");
        assert_eq!(p("0120-123-456").kind(), LineKind::TollFree);
        assert_eq!(p("050 1234 5678").kind(), LineKind::Ip);
        assert_eq!(p("0422-12-3456").display(), "0422123456");
        assert_eq!(p("0570-000-123").kind(), LineKind::Navi);
    }

    #[test]
    fn impossible_lengths_are_refused() {
        assert_eq!(
            PhoneNumber::parse("090-1234-567"),
            Err(PhoneError::Length {
                kind: "携帯電話",
                expected: 11,
                actual: 10
            })
        );
        assert!(PhoneNumber::parse("03-5744-111").is_err());
        assert_eq!(
            PhoneNumber::parse("5744-1111"),
            Err(PhoneError::NoLeadingZero)
        );
        assert_eq!(PhoneNumber::parse("tel:03"), Err(PhoneError::NotDigits));
    }
}
