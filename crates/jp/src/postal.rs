//! 郵便番号: look up a 7-digit postal code in Japan Post's data (bundled, compressed) and get
//! the prefecture, city and town with their kana and the 全国地方公共団体コード.
//!
//! The index keeps the decompressed CSV as one string and a sorted table of (code, line
//! offset), so 120,720 codes cost about 14 MB and a look-up is a binary search plus the parse
//! of one line.

use crate::checkdigit::LocalGovCode;
use crate::text::digits_only;
use std::io::Read;

const BUNDLED: &[u8] = include_bytes!("../data/japan-postal-codes.csv.gz");
const HEADER: &str =
    "postal_code,local_gov_code,prefecture,city,town,prefecture_kana,city_kana,town_kana,note";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostalError {
    #[error("郵便番号は7桁の数字で入力してください（例：144-8621）")]
    Shape,
    #[error("郵便番号 {0} は見つかりません。番号を確かめてください")]
    Unknown(String),
    #[error("郵便番号データを読み込めません：{0}")]
    Data(String),
}

/// One area a postal code names, borrowed from the index (a look-up allocates no strings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostalArea<'a> {
    pub postal_code: &'a str,
    /// The 5-digit 全国地方公共団体コード as Japan Post writes it; see [`Self::local_gov_code`].
    pub local_gov_code_5: &'a str,
    pub prefecture: &'a str,
    pub city: &'a str,
    /// Empty where the code covers the whole city (以下に掲載がない場合).
    pub town: &'a str,
    pub prefecture_kana: &'a str,
    pub city_kana: &'a str,
    pub town_kana: &'a str,
    pub note: &'a str,
}

impl PostalArea<'_> {
    /// `東京都大田区蒲田`: what an address field is pre-filled with.
    pub fn address(&self) -> String {
        format!("{}{}{}", self.prefecture, self.city, self.town)
    }

    /// The 6-digit 全国地方公共団体コード (with its check digit).
    pub fn local_gov_code(&self) -> String {
        LocalGovCode::parse(self.local_gov_code_5).map_or_else(
            |_| self.local_gov_code_5.to_owned(),
            |c| c.six_digits().to_owned(),
        )
    }
}

#[derive(Debug)]
pub struct PostalIndex {
    text: String,
    /// (code as a number, byte offset of its line), sorted by code.
    lines: Vec<(u32, u32)>,
}

/// `1448621`, `144-8621`, `〒１４４－８６２１` → `1448621`.
pub fn normalize_code(input: &str) -> Result<String, PostalError> {
    code_number(input).map(|n| format!("{n:07}"))
}

/// The code as a number; the common ASCII writings are read without allocating.
fn code_number(input: &str) -> Result<u32, PostalError> {
    let b = input.as_bytes();
    let all_digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    if b.len() == 7 && all_digits(b) {
        return input.parse().map_err(|_| PostalError::Shape);
    }
    if b.len() == 8 && b[3] == b'-' && all_digits(&b[..3]) && all_digits(&b[4..]) {
        let high: u32 = input[..3].parse().map_err(|_| PostalError::Shape)?;
        let low: u32 = input[4..].parse().map_err(|_| PostalError::Shape)?;
        return Ok(high * 10_000 + low);
    }
    let trimmed = input.trim().trim_start_matches('〒');
    digits_only(trimmed)
        .filter(|d| d.len() == 7)
        .and_then(|d| d.parse().ok())
        .ok_or(PostalError::Shape)
}

impl PostalIndex {
    /// The data compiled into this library.
    pub fn bundled() -> Result<Self, PostalError> {
        let mut text = String::new();
        flate2::read::GzDecoder::new(BUNDLED)
            .read_to_string(&mut text)
            .map_err(|e| PostalError::Data(e.to_string()))?;
        Self::from_csv(text)
    }

    /// Builds the index from CSV text in the bundled columns.
    pub fn from_csv(text: String) -> Result<Self, PostalError> {
        let body_start = match text.find('\n') {
            Some(i)
                if text[..i]
                    .trim_end_matches('\r')
                    .trim_start_matches('\u{FEFF}')
                    == HEADER =>
            {
                i + 1
            }
            _ => {
                return Err(PostalError::Data(format!(
                    "the first line must be: {HEADER}"
                )));
            }
        };
        let mut lines = Vec::with_capacity(125_000);
        let mut offset = body_start;
        for line in text[body_start..].split_inclusive('\n') {
            if let Some(code) = line.get(..7).and_then(|c| c.parse::<u32>().ok()) {
                lines.push((
                    code,
                    u32::try_from(offset)
                        .map_err(|_| PostalError::Data("file too large".into()))?,
                ));
            }
            offset += line.len();
        }
        lines.sort_unstable();
        Ok(Self { text, lines })
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Every postal code in the index, in order (with repeats for codes of several areas).
    pub fn codes(&self) -> impl Iterator<Item = String> + '_ {
        self.lines.iter().map(|(code, _)| format!("{code:07}"))
    }

    /// Every area of a postal code (with or without hyphen, full-width digits too).
    pub fn lookup(&self, input: &str) -> Result<Vec<PostalArea<'_>>, PostalError> {
        let key = code_number(input)?;
        let start = self.lines.partition_point(|(c, _)| *c < key);
        let areas: Vec<PostalArea> = self.lines[start..]
            .iter()
            .take_while(|(c, _)| *c == key)
            .filter_map(|(_, offset)| self.area_at(*offset as usize))
            .collect();
        if areas.is_empty() {
            Err(PostalError::Unknown(format!(
                "{:03}-{:04}",
                key / 10_000,
                key % 10_000
            )))
        } else {
            Ok(areas)
        }
    }

    fn area_at(&self, offset: usize) -> Option<PostalArea<'_>> {
        let line = self.text[offset..]
            .split('\n')
            .next()?
            .trim_end_matches('\r');
        let mut f = line.split(',');
        let area = PostalArea {
            postal_code: f.next()?,
            local_gov_code_5: f.next()?,
            prefecture: f.next()?,
            city: f.next()?,
            town: f.next()?,
            prefecture_kana: f.next()?,
            city_kana: f.next()?,
            town_kana: f.next()?,
            note: f.next()?,
        };
        f.next().is_none().then_some(area)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::OnceLock;

    fn index() -> &'static PostalIndex {
        static INDEX: OnceLock<PostalIndex> = OnceLock::new();
        INDEX.get_or_init(|| PostalIndex::bundled().unwrap())
    }

    #[test]
    fn all_codes_are_bundled() {
        assert_eq!(index().len(), 120_720);
    }

    #[test]
    fn known_codes_are_found_however_written() {
        let kamata = &index().lookup("144-0052").unwrap()[0];
        assert_eq!(
            (kamata.prefecture, kamata.city, kamata.town),
            ("東京都", "大田区", "蒲田")
        );
        assert_eq!(kamata.local_gov_code(), "131113");
        assert_eq!(kamata.town_kana, "カマタ");
        assert_eq!(index().lookup("〒１４４－００５２").unwrap()[0], *kamata);
        assert_eq!(index().lookup("1440052").unwrap()[0], *kamata);
        let sapporo = &index().lookup("060-0000").unwrap()[0];
        assert_eq!(
            (sapporo.city, sapporo.town, sapporo.note),
            ("札幌市中央区", "", "以下に掲載がない場合")
        );
        assert_eq!(sapporo.local_gov_code(), "011011");
    }

    #[test]
    fn bad_codes_say_why() {
        assert_eq!(index().lookup("144-005"), Err(PostalError::Shape));
        assert_eq!(
            index().lookup("000-0000"),
            Err(PostalError::Unknown("000-0000".into()))
        );
    }

    #[test]
    fn several_areas_of_one_code_are_all_returned() {
        let csv = format!(
            "{HEADER}\n4980000,23235,愛知県,弥富市,,アイチケン,ヤトミシ,,\n4980000,24303,三重県,桑名郡木曽岬町,,ミエケン,クワナグンキソサキチョウ,,\n"
        );
        let index = PostalIndex::from_csv(csv).unwrap();
        let areas = index.lookup("498-0000").unwrap();
        assert_eq!(
            areas.iter().map(|a| a.prefecture).collect::<Vec<_>>(),
            ["愛知県", "三重県"]
        );
    }
}
