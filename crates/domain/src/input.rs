//! The one way a string that a person typed (on a page, at the counter) or a program sent
//! (through the API) becomes an answer. Every channel reads every string here, so that the web
//! and the API accept the same things and store them the same way.
//!
//! First the text rule, which holds for any text the system takes in: no control characters
//! (tab and newline only in multi-line text), no bidirectional overrides or isolates (which
//! can make 「山田」 display as something else), and not only invisible characters. Each
//! refusal names the character and where it is. Names are never NFC/NFKC-normalised: that
//! would change CJK compatibility ideographs that 戸籍 tells apart.
//!
//! Then each kind of question reads what people write for it: ひらがな and 半角カナ for a
//! reading, hyphens and full-width digits in numbers, `+81` before a phone number, a short
//! 口座番号. What comes out is the one canonical form storage holds.

use crate::answers::{Answer, MyNumberAnswer, account_type_from_key};
use crate::procedure::{FieldKind, TextPattern};
use crate::text::{fold_width, is_hyphen_like};
use crate::validate::Problem;
use madoguchi_jp::bank::AccountType;
use madoguchi_jp::checkdigit::{CorporateNumber, MyNumber};
use madoguchi_jp::kana::{KanaError, Katakana};
use madoguchi_jp::phone::{PhoneError, PhoneNumber};
use madoguchi_jp::text::digits_only;

/// Spaces, as the parsers of this crate and of `madoguchi-jp` see them: Unicode White_Space
/// without the control characters (which the text rule refuses on one-line answers).
pub fn is_space(c: char) -> bool {
    c.is_whitespace() && !c.is_control()
}

/// [`is_space`] as a JSON Schema (ECMA-262) character class body.
pub const SPACE_CLASS: &str = r" \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";

/// Characters with nothing to see: spaces, and format characters such as ZERO WIDTH SPACE, the
/// byte-order mark, the soft hyphen, joiners and variation selectors of the BMP. A value made
/// only of these is refused; inside other text they stay (a variation selector after a kanji
/// is an 異体字).
pub fn is_invisible(c: char) -> bool {
    is_space(c)
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{061C}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2060}'..='\u{2064}'
                | '\u{206A}'..='\u{206F}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
        )
}

/// [`is_invisible`] without the spaces, as a character class body.
pub const INVISIBLE_CLASS: &str = r"\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u2060-\u2064\u206A-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0";

/// Embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters the text rule refuses on a one-line answer, as a character class body.
pub const REFUSED_IN_LINE: &str = r"\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069";
/// … and in multi-line text, where tab, line feed and carriage return are allowed.
pub const REFUSED_IN_LINES: &str =
    r"\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069";

/// One line (names, addresses, codes) or several (a free-text answer, a note).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    One,
    Many,
}

/// The text rule: the first character no channel may store, named with its 1-based position.
pub fn text_problem(s: &str, lines: Lines) -> Option<Problem> {
    for (i, ch) in s.chars().enumerate() {
        let position = i + 1;
        let allowed_break = lines == Lines::Many && matches!(ch, '\t' | '\n' | '\r');
        if ch.is_control() && !allowed_break {
            return Some(Problem::ControlCharacter { ch, position });
        }
        if is_bidi_control(ch) {
            return Some(Problem::BidiControl { ch, position });
        }
    }
    None
}

/// Text as typed, after the text rule, without surrounding spaces; `Ok(None)` when blank.
pub fn typed(s: &str, lines: Lines) -> Result<Option<&str>, Problem> {
    if let Some(problem) = text_problem(s, lines) {
        return Err(problem);
    }
    let edge = |c: char| is_space(c) || (lines == Lines::Many && matches!(c, '\t' | '\n' | '\r'));
    let trimmed = s.trim_matches(edge);
    if trimmed.is_empty() {
        return Ok(None);
    }
    if trimmed.chars().all(|c| is_invisible(c) || edge(c)) {
        return Err(Problem::InvisibleOnly);
    }
    Ok(Some(trimmed))
}

/// Whether nothing was typed (spaces do not count).
pub fn is_blank(s: &str) -> bool {
    s.chars().all(is_space)
}

/// Reads the string answer to a question of one of the string kinds (text, long text, kana,
/// email, phone, postal code, 法人番号, 個人番号); `Ok(None)` when blank. Other kinds are not
/// strings and are refused as the wrong type.
pub fn read_string(kind: &FieldKind, raw: &str) -> Result<Option<Answer>, Problem> {
    if let FieldKind::LongText { .. } = kind {
        let lines = raw.replace("\r\n", "\n").replace('\r', "\n");
        return Ok(typed(&lines, Lines::Many)?.map(|s| Answer::Text(s.to_owned())));
    }
    let Some(s) = typed(raw, Lines::One)? else {
        return Ok(None);
    };
    let text = |s: String| Ok(Some(Answer::Text(s)));
    match kind {
        FieldKind::Text {
            pattern: Some(TextPattern::Digits(_)),
            ..
        } => text(read_digits(s)),
        FieldKind::Text { .. } => text(s.to_owned()),
        FieldKind::Kana { .. } => text(read_kana(s)?),
        FieldKind::Email => text(read_email(s)?),
        FieldKind::Phone => text(read_phone(s)?),
        FieldKind::PostalCode { .. } => {
            madoguchi_jp::postal::normalize_code(s).map_or(Err(Problem::InvalidPostalCode), text)
        }
        FieldKind::CorporateNumber => CorporateNumber::parse(s)
            .map_or(Err(Problem::InvalidCorporateNumber), |n| {
                text(n.as_str().to_owned())
            }),
        FieldKind::MyNumber => MyNumber::parse(s).map_or(Err(Problem::InvalidMyNumber), |n| {
            Ok(Some(Answer::MyNumber(MyNumberAnswer::Entered(n))))
        }),
        other => Err(Problem::InvalidType {
            expected: other.type_name(),
        }),
    }
}

/// Digits as people write them (full-width, with hyphens or spaces between groups) as the
/// digits alone; anything else is kept as typed, for the pattern check to name.
pub fn read_digits(s: &str) -> String {
    let folded = fold_width(s);
    let digits: String = folded
        .chars()
        .filter(|c| !is_space(*c) && !is_hyphen_like(*c))
        .collect();
    if digits.bytes().all(|b| b.is_ascii_digit()) {
        digits
    } else {
        s.to_owned()
    }
}

/// An amount of yen as staff type it: `3000`, `3,000`, `３，０００円`. `None` for anything
/// else, or for more than a fee can be (one billion yen).
pub fn read_yen(s: &str) -> Option<u64> {
    let folded = fold_width(s.trim());
    let digits = folded.trim_end_matches('円').replace(',', "");
    if digits.is_empty() || digits.len() > 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|n| *n <= 1_000_000_000)
}

/// A reading in full-width katakana, from katakana, ひらがな or 半角カナ; the characters that
/// are none of these are named.
pub fn read_kana(s: &str) -> Result<String, Problem> {
    match Katakana::parse(s) {
        Ok(k) => Ok(k.as_str().to_owned()),
        Err(KanaError::Empty) => Err(Problem::InvalidKana {
            found: String::new(),
        }),
        Err(KanaError::NotKana(found)) => Err(Problem::InvalidKana { found }),
    }
}

/// An address the mailer will take, in the form it was typed (full-width letters folded).
pub fn read_email(s: &str) -> Result<String, Problem> {
    let folded = fold_width(s);
    let address = folded.trim_matches(is_space);
    if is_valid_email(address) {
        Ok(address.to_owned())
    } else {
        Err(Problem::InvalidEmail)
    }
}

/// Japanese phone numbers in canonical form: 10 or 11 digits starting with 0, the length
/// right for the kind of line.
pub fn read_phone(s: &str) -> Result<String, Problem> {
    match PhoneNumber::parse(s) {
        Ok(phone) => Ok(phone.digits().to_owned()),
        Err(PhoneError::Length {
            kind,
            expected,
            actual,
        }) => Err(Problem::PhoneLength {
            line: kind,
            expected,
            actual,
        }),
        Err(_) => Err(Problem::InvalidPhone),
    }
}

/// The longest address taken (RFC 5321's limit on a path).
pub const MAX_EMAIL_CHARS: usize = 254;

/// An address as the mailer (lettre) checks one — an RFC 5321 local part and domain, an
/// internationalised domain through IDNA — with a dot in the domain, since an address at a
/// bare host name is a typing slip (`taro@gmail`). What this accepts, the mailer sends to.
pub fn is_valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    let ascii_domain = if domain.is_ascii() {
        Some(domain.to_owned())
    } else {
        idna::domain_to_ascii(domain).ok()
    };
    let Some(ascii_domain) = ascii_domain else {
        return false;
    };
    let dotted = ascii_domain
        .split('.')
        .filter(|label| !label.is_empty())
        .count()
        >= 2;
    // A quoted local part ("a@b"@example.jp) is valid by RFC 5322 but no resident has one, and
    // the mailer's own parser refuses some of them: the form must not take what cannot be sent.
    s.chars().count() <= MAX_EMAIL_CHARS
        && !s.chars().any(|c| c.is_control() || is_space(c))
        && !local.contains('"')
        && email_address::EmailAddress::is_valid_local_part(local)
        && email_address::EmailAddress::is_valid_domain(&ascii_domain)
        && dotted
}

/// One part of a 氏名 answer: 姓 and 名 as typed (full-width Latin letters folded, for 在留カード
/// names typed on a Japanese keyboard), readings as katakana.
pub fn read_name_part(part: &str, raw: &str) -> Result<Option<String>, Problem> {
    let Some(s) = typed(raw, Lines::One)? else {
        return Ok(None);
    };
    if part.ends_with("_kana") {
        return read_kana(s).map(Some);
    }
    let folded = fold_width(s);
    Ok(Some(folded.trim_matches(is_space).to_owned()))
}

/// One part of a 振込先口座 answer as people write it: codes with full-width digits or
/// hyphens, a short 口座番号 padded to 7 digits, the 名義 as katakana.
pub fn read_account_part(part: &str, raw: &str) -> Result<Option<String>, Problem> {
    let Some(s) = typed(raw, Lines::One)? else {
        return Ok(None);
    };
    let exact = |n: usize, problem: Problem| {
        digits_only(s)
            .filter(|d| d.len() == n)
            .map(Some)
            .ok_or(problem)
    };
    match part {
        "bank_code" => exact(4, Problem::InvalidBankCode),
        "branch_code" => exact(3, Problem::InvalidBranchCode),
        "account_number" => digits_only(s)
            .filter(|d| d.len() <= 7)
            .map(|d| Some(format!("{d:0>7}")))
            .ok_or(Problem::InvalidAccountNumber),
        "account_type" => account_type_from_key(s)
            .map(|t: AccountType| Some(crate::answers::account_type_key(t).to_owned()))
            .ok_or(Problem::InvalidOption),
        "holder_kana" => read_kana(s).map(Some),
        _ => Err(Problem::UnknownField),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yen_are_read_as_staff_type_them() {
        for (typed, yen) in [
            ("3000", Some(3000)),
            ("3,000", Some(3000)),
            ("３，０００円", Some(3000)),
            (" 0 ", Some(0)),
            ("", None),
            ("-10", None),
            ("3.5", None),
            ("千円", None),
            ("99999999999", None),
        ] {
            assert_eq!(read_yen(typed), yen, "{typed:?}");
        }
    }

    #[test]
    fn control_and_direction_characters_are_named_where_they_are() {
        assert_eq!(
            text_problem("山田\u{1B}太郎", Lines::One),
            Some(Problem::ControlCharacter {
                ch: '\u{1B}',
                position: 3
            })
        );
        assert_eq!(
            text_problem("abc\u{202E}fed", Lines::One),
            Some(Problem::BidiControl {
                ch: '\u{202E}',
                position: 4
            })
        );
        assert_eq!(
            text_problem("a\u{0}", Lines::Many),
            Some(Problem::ControlCharacter {
                ch: '\u{0}',
                position: 2
            })
        );
        assert_eq!(text_problem("一行目\n\t二行目\r\n", Lines::Many), None);
        assert!(text_problem("一行目\n二行目", Lines::One).is_some());
        assert!(
            text_problem("\u{85}", Lines::Many).is_some(),
            "C1 controls too"
        );
    }

    #[test]
    fn invisible_only_values_are_refused_but_blank_is_blank() {
        assert_eq!(typed("\u{200B}", Lines::One), Err(Problem::InvisibleOnly));
        assert_eq!(
            typed(" \u{FEFF}\u{3000}", Lines::One),
            Err(Problem::InvisibleOnly)
        );
        assert_eq!(typed(" \u{3000} ", Lines::One), Ok(None));
        assert_eq!(typed(" 山田 ", Lines::One), Ok(Some("山田")));
        // An 異体字 selector after a kanji is part of the name.
        assert_eq!(typed("葛\u{E0100}", Lines::One), Ok(Some("葛\u{E0100}")));
    }

    #[test]
    fn compatibility_ideographs_are_kept_as_typed() {
        // U+FA11 (a CJK compatibility ideograph) would become U+5D0E under NFC.
        let Ok(Some(Answer::Text(s))) = read_string(
            &FieldKind::Text {
                max_length: 10,
                pattern: None,
            },
            "\u{FA11}山",
        ) else {
            panic!("a name with a compatibility ideograph is accepted");
        };
        assert_eq!(s, "\u{FA11}山");
    }

    #[test]
    fn each_kind_reads_what_people_write() {
        let kana = FieldKind::Kana { max_length: 60 };
        assert_eq!(
            read_string(&kana, "やまだ　ﾀﾛｳ"),
            Ok(Some(Answer::Text("ヤマダ\u{3000}タロウ".into())))
        );
        assert_eq!(
            read_string(&FieldKind::Phone, "＋81 90-1234-5678"),
            Ok(Some(Answer::Text("09012345678".into())))
        );
        assert_eq!(
            read_string(
                &FieldKind::PostalCode {
                    residence: None,
                    address_field: None
                },
                "〒144－0052"
            ),
            Ok(Some(Answer::Text("1440052".into())))
        );
        assert_eq!(
            read_account_part("account_number", "１２３４５"),
            Ok(Some("0012345".into()))
        );
        assert_eq!(
            read_string(
                &FieldKind::LongText { max_length: 100 },
                "一行目\r\n二行目\r\n"
            ),
            Ok(Some(Answer::Text("一行目\n二行目".into())))
        );
    }

    #[test]
    fn email_addresses_are_what_a_mailer_takes() {
        assert!(is_valid_email("taro@example.jp"));
        assert!(is_valid_email("taro.yamada+ku@mail.example.lg.jp"));
        assert!(is_valid_email("taro@例え.jp"));
        assert!(!is_valid_email("taro@example"));
        assert!(!is_valid_email("taro@@example.jp"));
        assert!(!is_valid_email("ta ro@example.jp"));
        assert!(!is_valid_email("taro\u{7}@example.jp"));
        assert!(!is_valid_email("taro@exa mple.jp"));
        assert!(!is_valid_email(".taro@example.jp"));
        // Quoted local parts: lawful, never a resident's, and refused by the mailer's parser.
        assert!(!is_valid_email("\"@\"@例.jp"));
        assert!(!is_valid_email("\"taro\"@example.jp"));
        assert_eq!(
            read_email("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ"),
            Ok("taro@example.jp".into())
        );
    }
}
