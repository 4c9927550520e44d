//! フリガナ: normalisation to 全角カタカナ and the check that a kana field holds kana.
//!
//! ひらがな becomes カタカナ, 半角カナ becomes 全角 (with ﾞ and ﾟ composed: ｶﾞ → ガ), and runs of
//! full- or half-width spaces become one full-width space. Kanji and Latin letters are refused
//! with the characters named, so the resident knows what to change.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KanaError {
    #[error("フリガナを入力してください")]
    Empty,
    #[error("フリガナはカタカナかひらがなで入力してください（使えない文字：{0}）")]
    NotKana(String),
}

/// Half-width katakana U+FF66..=U+FF9D to their full-width forms, in order.
const HALF_WIDTH: &str = "ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン";

/// Normalised katakana, e.g. `ヤマダ タロウ`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Katakana(String);

impl Katakana {
    pub fn parse(input: &str) -> Result<Self, KanaError> {
        let normalized = normalize(input);
        if normalized.is_empty() {
            return Err(KanaError::Empty);
        }
        let bad: Vec<char> = normalized
            .chars()
            .filter(|c| !is_katakana_text(*c))
            .collect();
        if !bad.is_empty() {
            let mut unique = Vec::new();
            for c in bad {
                if !unique.contains(&c) {
                    unique.push(c);
                }
            }
            return Err(KanaError::NotKana(
                unique
                    .into_iter()
                    .map(|c| format!("「{c}」"))
                    .collect::<Vec<_>>()
                    .join(""),
            ));
        }
        Ok(Self(normalized))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Katakana {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn is_katakana_text(c: char) -> bool {
    matches!(c, 'ァ'..='ヶ' | 'ー' | '・' | 'ヽ' | 'ヾ' | '\u{3000}')
}

/// ひらがな and 半角カナ to 全角カタカナ; spaces folded to single full-width spaces; trimmed.
pub fn normalize(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut pending_space = false;
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        let mut k = to_full_katakana(c);
        match chars.peek() {
            Some('\u{FF9E}') | Some('\u{3099}') | Some('゛') => {
                if let Some(voiced) = voiced(k) {
                    k = voiced;
                    chars.next();
                }
            }
            Some('\u{FF9F}') | Some('\u{309A}') | Some('゜') => {
                if let Some(semi) = semi_voiced(k) {
                    k = semi;
                    chars.next();
                }
            }
            _ => {}
        }
        if pending_space {
            out.push('\u{3000}');
            pending_space = false;
        }
        out.push(k);
    }
    out
}

fn to_full_katakana(c: char) -> char {
    match c {
        'ぁ'..='ゖ' => char::from_u32(c as u32 + 0x60).unwrap_or(c),
        'ゝ' => 'ヽ',
        'ゞ' => 'ヾ',
        '\u{FF65}' => '・',
        '\u{FF66}'..='\u{FF9D}' => HALF_WIDTH
            .chars()
            .nth((c as u32 - 0xFF66) as usize)
            .unwrap_or(c),
        _ => c,
    }
}

fn voiced(c: char) -> Option<char> {
    match c {
        'ウ' => Some('ヴ'),
        'カ' | 'キ' | 'ク' | 'ケ' | 'コ' | 'サ' | 'シ' | 'ス' | 'セ' | 'ソ' | 'タ' | 'チ'
        | 'ツ' | 'テ' | 'ト' | 'ハ' | 'ヒ' | 'フ' | 'ヘ' | 'ホ' => {
            char::from_u32(c as u32 + 1)
        }
        _ => None,
    }
}

fn semi_voiced(c: char) -> Option<char> {
    match c {
        'ハ' | 'ヒ' | 'フ' | 'ヘ' | 'ホ' => char::from_u32(c as u32 + 2),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hiragana_and_half_width_become_full_width_katakana() {
        assert_eq!(normalize("やまだ　たろう"), "ヤマダ\u{3000}タロウ");
        assert_eq!(normalize("ﾔﾏﾀﾞ ﾀﾛｳ"), "ヤマダ\u{3000}タロウ");
        assert_eq!(normalize("ﾊﾟﾋﾟﾌﾟ ｳﾞｨ"), "パピプ\u{3000}ヴィ");
        assert_eq!(normalize("  サトウ   ハナコ  "), "サトウ\u{3000}ハナコ");
        assert_eq!(normalize("ｼﾞｮｰｼﾞ"), "ジョージ");
    }

    #[test]
    fn kanji_and_latin_are_named() {
        assert_eq!(
            Katakana::parse("山田タロウ"),
            Err(KanaError::NotKana("「山」「田」".into()))
        );
        assert_eq!(
            Katakana::parse("yamada"),
            Err(KanaError::NotKana("「y」「a」「m」「d」".into()))
        );
        assert_eq!(Katakana::parse(" "), Err(KanaError::Empty));
        assert_eq!(
            Katakana::parse("ヤマダ タロウ").unwrap().as_str(),
            "ヤマダ\u{3000}タロウ"
        );
    }
}
