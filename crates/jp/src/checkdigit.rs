//! Check digits defined in law and standards: 個人番号 (マイナンバー, 12 digits),
//! 法人番号 (13 digits) and 全国地方公共団体コード (JIS X 0402, 6 digits).
//!
//! Sources: 行政手続における特定の個人を識別するための番号の利用等に関する法律施行令 第8条 and
//! the 総務省令 on its check digit; 法人番号の指定等に関する省令 第2条; JIS X 0402.

use crate::text::digits_only;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    #[error("{what}は{expected}桁の数字で入力してください（{actual}桁入力されています）")]
    Length {
        what: &'static str,
        expected: usize,
        actual: usize,
    },
    #[error("{what}には数字だけを入力してください（ハイフンと空白は使えます）")]
    NotDigits { what: &'static str },
    #[error("{what}が正しくありません。番号を確かめてください（検査用数字が一致しません）")]
    CheckDigit { what: &'static str },
}

fn digits_of(input: &str, what: &'static str, expected: usize) -> Result<Vec<u32>, NumberError> {
    let digits = digits_only(input).ok_or(NumberError::NotDigits { what })?;
    if digits.len() != expected {
        return Err(NumberError::Length {
            what,
            expected,
            actual: digits.len(),
        });
    }
    Ok(digits.bytes().map(|b| u32::from(b - b'0')).collect())
}

/// A 個人番号 whose check digit is valid. Its `Debug` and `Display` never show the number:
/// use [`MyNumber::masked`] for screens and [`MyNumber::expose`] only where the whole number is
/// needed (encryption, the business system).
#[derive(Clone, PartialEq, Eq)]
pub struct MyNumber(String);

impl MyNumber {
    pub fn parse(input: &str) -> Result<Self, NumberError> {
        const WHAT: &str = "マイナンバー（個人番号）";
        let d = digits_of(input, WHAT, 12)?;
        if my_number_check_digit(&d[..11]) != d[11] {
            return Err(NumberError::CheckDigit { what: WHAT });
        }
        Ok(Self(
            d.iter()
                .map(|n| char::from_digit(*n, 10).unwrap_or('0'))
                .collect(),
        ))
    }

    /// `********9018`: the last four digits only, as screens may show them.
    pub fn masked(&self) -> String {
        format!("********{}", &self.0[8..])
    }

    /// The whole number. Callers take care not to log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for MyNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MyNumber({})", self.masked())
    }
}

/// The check digit of the first 11 digits of a 個人番号 (most significant first).
pub fn my_number_check_digit(first_eleven: &[u32]) -> u32 {
    let sum: u32 = first_eleven
        .iter()
        .rev()
        .enumerate()
        .map(|(i, p)| {
            let n = i as u32 + 1;
            let q = if n <= 6 { n + 1 } else { n - 5 };
            p * q
        })
        .sum();
    let remainder = sum % 11;
    if remainder <= 1 { 0 } else { 11 - remainder }
}

/// A 法人番号 whose check digit (the first digit) is valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorporateNumber(String);

impl CorporateNumber {
    pub fn parse(input: &str) -> Result<Self, NumberError> {
        const WHAT: &str = "法人番号";
        let d = digits_of(input, WHAT, 13)?;
        if corporate_check_digit(&d[1..]) != d[0] {
            return Err(NumberError::CheckDigit { what: WHAT });
        }
        Ok(Self(
            d.iter()
                .map(|n| char::from_digit(*n, 10).unwrap_or('0'))
                .collect(),
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The check digit of a 法人番号's 12-digit base number (most significant first).
pub fn corporate_check_digit(base: &[u32]) -> u32 {
    let sum: u32 = base
        .iter()
        .rev()
        .enumerate()
        .map(|(i, p)| if i % 2 == 0 { *p } else { p * 2 })
        .sum();
    9 - sum % 9
}

/// A 全国地方公共団体コード in its 6-digit form (with check digit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalGovCode(String);

impl LocalGovCode {
    /// Accepts the 6-digit form (check digit verified) or the 5-digit form (completed).
    pub fn parse(input: &str) -> Result<Self, NumberError> {
        const WHAT: &str = "全国地方公共団体コード";
        let digits = digits_only(input).ok_or(NumberError::NotDigits { what: WHAT })?;
        let d: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
        match d.len() {
            5 => Ok(Self(format!("{digits}{}", local_gov_check_digit(&d)))),
            6 if local_gov_check_digit(&d[..5]) == d[5] => Ok(Self(digits)),
            6 => Err(NumberError::CheckDigit { what: WHAT }),
            actual => Err(NumberError::Length {
                what: WHAT,
                expected: 6,
                actual,
            }),
        }
    }

    pub fn six_digits(&self) -> &str {
        &self.0
    }

    pub fn five_digits(&self) -> &str {
        &self.0[..5]
    }
}

/// JIS X 0402: the last digit of 11 − (Σ dᵢ·wᵢ mod 11), weights 6, 5, 4, 3, 2.
pub fn local_gov_check_digit(first_five: &[u32]) -> u32 {
    let sum: u32 = first_five
        .iter()
        .zip([6, 5, 4, 3, 2])
        .map(|(d, w)| d * w)
        .sum();
    (11 - sum % 11) % 10
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_my_numbers() {
        // The sample number used in the Digital Agency's and vendors' documentation.
        assert!(MyNumber::parse("123456789018").is_ok());
        assert!(MyNumber::parse("1234 5678 9018").is_ok());
        assert!(MyNumber::parse("１２３４－５６７８－９０１８").is_ok());
        assert_eq!(
            MyNumber::parse("123456789012"),
            Err(NumberError::CheckDigit {
                what: "マイナンバー（個人番号）"
            })
        );
        assert!(matches!(
            MyNumber::parse("12345678901"),
            Err(NumberError::Length { actual: 11, .. })
        ));
    }

    #[test]
    fn a_my_number_is_never_printed_whole() {
        let n = MyNumber::parse("123456789018").unwrap();
        assert_eq!(n.masked(), "********9018");
        assert!(!format!("{n:?}").contains("12345678"));
        let err = MyNumber::parse("123456789012").unwrap_err().to_string();
        assert!(!err.contains("123456789012"), "{err}");
    }

    #[test]
    fn known_corporate_numbers() {
        assert!(CorporateNumber::parse("7000012050002").is_ok()); // 国税庁
        assert!(CorporateNumber::parse("7-0000-1205-0002").is_ok());
        assert!(CorporateNumber::parse("8000012050002").is_err());
    }

    #[test]
    fn known_local_government_codes() {
        assert_eq!(LocalGovCode::parse("13111").unwrap().six_digits(), "131113"); // 大田区
        assert_eq!(
            LocalGovCode::parse("131016").unwrap().five_digits(),
            "13101"
        ); // 千代田区
        assert!(LocalGovCode::parse("011002").is_ok()); // 札幌市
        assert!(LocalGovCode::parse("131114").is_err());
    }

    fn to_digits(n: u64, width: usize) -> Vec<u32> {
        format!("{n:0width$}")
            .bytes()
            .map(|b| u32::from(b - b'0'))
            .collect()
    }

    proptest! {
        #[test]
        fn my_numbers_accept_only_their_own_check_digit(base in 0u64..100_000_000_000, other in 0u32..10) {
            let d = to_digits(base, 11);
            let check = my_number_check_digit(&d);
            let text: String = d.iter().chain([other].iter()).map(|n| n.to_string()).collect();
            prop_assert_eq!(MyNumber::parse(&text).is_ok(), other == check);
        }

        #[test]
        fn corporate_numbers_accept_only_their_own_check_digit(base in 0u64..1_000_000_000_000, other in 1u32..10) {
            let d = to_digits(base, 12);
            let check = corporate_check_digit(&d);
            let text: String = [other].iter().chain(d.iter()).map(|n| n.to_string()).collect();
            prop_assert_eq!(CorporateNumber::parse(&text).is_ok(), other == check);
        }

        #[test]
        fn local_codes_accept_only_their_own_check_digit(base in 0u64..100_000, other in 0u32..10) {
            let d = to_digits(base, 5);
            let text: String = d.iter().chain([other].iter()).map(|n| n.to_string()).collect();
            prop_assert_eq!(LocalGovCode::parse(&text).is_ok(), other == local_gov_check_digit(&d));
        }
    }
}
