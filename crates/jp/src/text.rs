//! Small text helpers shared by the parsers, and by users of the library who read what
//! residents type.

/// Full-width ASCII (０-９, Ａ-Ｚ, －, ．, ／ …) and the ideographic space to half-width.
pub fn fold_width(input: &str) -> String {
    input
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

/// Characters people use as a hyphen between digit groups.
pub fn is_hyphen_like(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'
            ..='\u{2015}' | '\u{2212}' | '\u{30FC}' | '\u{FF0D}' | '\u{FF70}' | '\u{FE63}'
    )
}

/// Digits only, after folding width and dropping hyphens and spaces; `None` if anything else
/// remains.
pub fn digits_only(input: &str) -> Option<String> {
    let kept: String = fold_width(input)
        .chars()
        .filter(|c| !is_hyphen_like(*c) && !c.is_whitespace())
        .collect();
    (!kept.is_empty() && kept.bytes().all(|b| b.is_ascii_digit())).then_some(kept)
}
