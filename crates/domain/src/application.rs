//! Applications (申請) as residents and staff see them: the receipt number residents quote, the
//! access code that lets them check status without an account, and the states an application
//! moves through.

use crate::text::{fold_width, is_hyphen_like};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where an application stands. Stored and published as the snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    /// 申請済み: stored and acknowledged with a receipt number; the department has not acted.
    Submitted,
    /// 受理
    Accepted,
    /// 補正依頼中
    CorrectionRequested,
    /// 補正済み: the resident fixed what was asked and sent it back.
    Resubmitted,
    /// 承認
    Approved,
    /// 却下
    Rejected,
    /// 完了
    Completed,
    /// 取下げ: withdrawn by the resident before the department accepted it.
    Withdrawn,
}

impl ApplicationStatus {
    pub const ALL: [Self; 8] = [
        Self::Submitted,
        Self::Accepted,
        Self::CorrectionRequested,
        Self::Resubmitted,
        Self::Approved,
        Self::Rejected,
        Self::Completed,
        Self::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Accepted => "accepted",
            Self::CorrectionRequested => "correction_requested",
            Self::Resubmitted => "resubmitted",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Completed => "completed",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// A resident may withdraw only what the department has not yet accepted.
    pub fn can_withdraw(self) -> bool {
        matches!(
            self,
            Self::Submitted | Self::CorrectionRequested | Self::Resubmitted
        )
    }

    /// Whether the case is closed: no action but a note changes it any more.
    pub fn is_closed(self) -> bool {
        matches!(self, Self::Rejected | Self::Completed | Self::Withdrawn)
    }
}

/// 受付番号: the year, a sequence number and a check digit, written `2026-0000123` and
/// readable over the phone. The check digit catches a mistyped or misheard digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReceiptNumber(String);

impl ReceiptNumber {
    pub fn new(year: i32, sequence: u64) -> Self {
        let body = format!("{year:04}{sequence:06}");
        Self(format!("{year:04}-{sequence:06}{}", luhn_digit(&body)))
    }

    /// Reads what a resident types: full-width digits, any hyphen, spaces.
    pub fn parse(input: &str) -> Option<Self> {
        let digits: String = fold_width(input)
            .chars()
            .filter(|c| !is_hyphen_like(*c) && *c != ' ')
            .collect();
        if digits.len() < 11 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let (body, check) = digits.split_at(digits.len() - 1);
        (luhn_digit(body).to_string() == check)
            .then(|| Self(format!("{}-{}{}", &body[..4], &body[4..], check)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ReceiptNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The Luhn check digit of a string of ASCII digits.
fn luhn_digit(digits: &str) -> u32 {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let twice = d * 2;
                if twice > 9 { twice - 9 } else { twice }
            } else {
                d
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

/// The alphabet of access codes: no 0/O, 1/I/L, so that a code read aloud or copied from paper
/// is not misread. 31 symbols; ten of them carry about 49 bits.
const CODE_ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// Formats ten bytes of key material as an access code, `XXXXX-XXXXX`.
pub fn format_access_code(material: &[u8; 10]) -> String {
    let mut out = String::with_capacity(11);
    for (i, byte) in material.iter().enumerate() {
        if i == 5 {
            out.push('-');
        }
        out.push(char::from(
            CODE_ALPHABET[usize::from(*byte) % CODE_ALPHABET.len()],
        ));
    }
    out
}

/// Normalises a typed access code for comparison: upper case, no separators, full-width folded.
pub fn normalize_access_code(input: &str) -> String {
    fold_width(input)
        .chars()
        .filter(|c| !is_hyphen_like(*c) && !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn receipt_numbers_read_back_as_typed() {
        let r = ReceiptNumber::new(2026, 123);
        assert_eq!(r.as_str().len(), "2026-0001234".len());
        assert_eq!(ReceiptNumber::parse(r.as_str()), Some(r.clone()));
        let full_width: String = r
            .as_str()
            .chars()
            .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap())
            .collect();
        assert_eq!(ReceiptNumber::parse(&full_width), Some(r));
    }

    #[test]
    fn access_codes_use_unambiguous_characters() {
        let code = format_access_code(&[0, 1, 30, 31, 62, 200, 255, 7, 8, 9]);
        assert_eq!(code.len(), 11);
        assert!(!code.contains(['0', 'O', '1', 'I', 'L']));
        assert_eq!(
            normalize_access_code(&code.to_lowercase()),
            code.replace('-', "")
        );
    }

    proptest! {
        #[test]
        fn any_single_digit_change_is_caught(year in 2020i32..2100, seq in 0u64..10_000_000, pos in 0usize..10, delta in 1u8..10) {
            let r = ReceiptNumber::new(year, seq);
            let mut digits: Vec<u8> = r.as_str().bytes().filter(u8::is_ascii_digit).collect();
            digits[pos] = b'0' + (digits[pos] - b'0' + delta) % 10;
            let typo = String::from_utf8(digits).unwrap();
            prop_assert!(ReceiptNumber::parse(&typo).is_none());
        }

        #[test]
        fn every_receipt_number_parses(year in 2020i32..2100, seq in 0u64..100_000_000) {
            let r = ReceiptNumber::new(year, seq);
            prop_assert_eq!(ReceiptNumber::parse(r.as_str()), Some(r));
        }
    }
}
