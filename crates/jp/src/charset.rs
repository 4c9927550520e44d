//! 文字: which characters of a text are outside JIS X 0208, outside JIS X 0213, or not
//! writable in CP932 (Windows Shift_JIS), with their places.
//!
//! madoguchi keeps a resident's exact characters (髙, 﨑, 𠮷, variation sequences); this module
//! tells staff which ones may need a 外字 or a substitute before a business system that speaks
//! only CP932 or JIS X 0208 can take them. Sets come from `charset_tables.rs` (generated, see
//! `scripts/gen-charset-tables.py`). ASCII belongs to every set; private-use characters to none.

use crate::charset_tables::{CP932, JIS_X_0208, JIS_X_0213};

fn contains(ranges: &[(u32, u32)], c: char) -> bool {
    let cp = c as u32;
    if cp < 0x80 {
        return true;
    }
    let i = ranges.partition_point(|(_, end)| *end < cp);
    ranges.get(i).is_some_and(|(start, _)| *start <= cp)
}

pub fn in_jis_x_0208(c: char) -> bool {
    contains(JIS_X_0208, c)
}

pub fn in_jis_x_0213(c: char) -> bool {
    contains(JIS_X_0213, c)
}

pub fn in_cp932(c: char) -> bool {
    contains(CP932, c)
}

/// One character that falls outside at least one of the sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CharFinding {
    /// Position in characters (not bytes), counting from 0.
    pub index: usize,
    pub ch: char,
    pub in_jis_x_0208: bool,
    pub in_jis_x_0213: bool,
    pub in_cp932: bool,
}

impl CharFinding {
    /// `U+9AD9`
    pub fn code_point(&self) -> String {
        format!("U+{:04X}", self.ch as u32)
    }
}

/// Every character of `text` outside JIS X 0208, JIS X 0213 or CP932; empty when the text can
/// go anywhere.
pub fn check(text: &str) -> Vec<CharFinding> {
    text.chars()
        .enumerate()
        .filter_map(|(index, ch)| {
            let finding = CharFinding {
                index,
                ch,
                in_jis_x_0208: in_jis_x_0208(ch),
                in_jis_x_0213: in_jis_x_0213(ch),
                in_cp932: in_cp932(ch),
            };
            (!(finding.in_jis_x_0208 && finding.in_jis_x_0213 && finding.in_cp932))
                .then_some(finding)
        })
        .collect()
}

/// Characters that cannot be written in CP932, with their positions: what an export must
/// report instead of writing `?`.
pub fn cp932_unmappable(text: &str) -> Vec<(usize, char)> {
    text.chars()
        .enumerate()
        .filter(|(_, c)| !in_cp932(*c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sets_hold_what_the_standards_say() {
        assert_eq!(JIS_X_0208.iter().map(|(a, b)| b - a + 1).sum::<u32>(), 6879);
        for c in "山田太郎蒲田あアー〜々".chars() {
            assert!(in_jis_x_0208(c) && in_jis_x_0213(c), "{c}");
        }
        // 﨑 (たつさき): not JIS X 0208, but JIS X 0213 and CP932 (IBM extension).
        assert!(!in_jis_x_0208('﨑') && in_jis_x_0213('﨑') && in_cp932('﨑'));
        // 髙 (はしごだか): only CP932's IBM extension has it.
        assert!(!in_jis_x_0208('髙') && !in_jis_x_0213('髙') && in_cp932('髙'));
        // 𠮷 (つちよし): in none of them.
        assert!(!in_jis_x_0208('𠮷') && !in_jis_x_0213('𠮷') && !in_cp932('𠮷'));
        // ① is an NEC extension: CP932 yes, JIS X 0208 no.
        assert!(in_cp932('①') && !in_jis_x_0208('①'));
        // Half-width katakana are JIS X 0201, not JIS X 0208; CP932 has them.
        assert!(in_cp932('ｱ') && !in_jis_x_0208('ｱ'));
        assert!(!in_cp932('\u{E000}'), "private use is never standard");
    }

    #[test]
    fn findings_name_the_character_and_its_place() {
        let found = check("髙橋𠮷男");
        assert_eq!(found.len(), 2);
        assert_eq!(
            (found[0].index, found[0].ch, found[0].in_cp932),
            (0, '髙', true)
        );
        assert_eq!(
            (
                found[1].index,
                found[1].code_point().as_str(),
                found[1].in_jis_x_0213
            ),
            (2, "U+20BB7", false)
        );
        assert_eq!(cp932_unmappable("髙橋𠮷男"), vec![(2, '𠮷')]);
        assert!(check("山田 太郎 Taro 03-1234").is_empty());
    }
}
