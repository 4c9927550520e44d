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

/// One area a postal code names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostalArea {
    pub postal_code: String,
    pub local_gov_code: String,
    pub prefecture: String,
    pub city: String,
    /// Empty where the code covers the whole city (以下に掲載がない場合).
    pub town: String,
    pub prefecture_kana: String,
    pub city_kana: String,
    pub town_kana: String,
    pub note: String,
}

impl PostalArea {
    /// `東京都大田区蒲田`: what an address field is pre-filled with.
    pub fn address(&self) -> String {
        format!("{}{}{}", self.prefecture, self.city, self.town)
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
    let trimmed = input.trim().trim_start_matches('〒');
    digits_only(trimmed)
        .filter(|d| d.len() == 7)
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
    pub fn lookup(&self, input: &str) -> Result<Vec<PostalArea>, PostalError> {
        let code = normalize_code(input)?;
        let key: u32 = code.parse().map_err(|_| PostalError::Shape)?;
        let start = self.lines.partition_point(|(c, _)| *c < key);
        let areas: Vec<PostalArea> = self.lines[start..]
            .iter()
            .take_while(|(c, _)| *c == key)
            .filter_map(|(_, offset)| self.area_at(*offset as usize))
            .collect();
        if areas.is_empty() {
            Err(PostalError::Unknown(format!(
                "{}-{}",
                &code[..3],
                &code[3..]
            )))
        } else {
            Ok(areas)
        }
    }

    fn area_at(&self, offset: usize) -> Option<PostalArea> {
        let line = self.text[offset..]
            .split('\n')
            .next()?
            .trim_end_matches('\r');
        let f: Vec<&str> = line.split(',').collect();
        let [
            code,
            gov,
            pref,
            city,
            town,
            pref_kana,
            city_kana,
            town_kana,
            note,
        ] = f.as_slice()
        else {
            return None;
        };
        Some(PostalArea {
            postal_code: (*code).to_owned(),
            local_gov_code: LocalGovCode::parse(gov)
                .map(|c| c.six_digits().to_owned())
                .unwrap_or_else(|_| (*gov).to_owned()),
            prefecture: (*pref).to_owned(),
            city: (*city).to_owned(),
            town: (*town).to_owned(),
            prefecture_kana: (*pref_kana).to_owned(),
            city_kana: (*city_kana).to_owned(),
            town_kana: (*town_kana).to_owned(),
            note: (*note).to_owned(),
        })
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
            (
                kamata.prefecture.as_str(),
                kamata.city.as_str(),
                kamata.town.as_str()
            ),
            ("東京都", "大田区", "蒲田")
        );
        assert_eq!(kamata.local_gov_code, "131113");
        assert_eq!(kamata.town_kana, "カマタ");
        assert_eq!(index().lookup("〒１４４－００５２").unwrap()[0], *kamata);
        assert_eq!(index().lookup("1440052").unwrap()[0], *kamata);
        let sapporo = &index().lookup("060-0000").unwrap()[0];
        assert_eq!(
            (
                sapporo.city.as_str(),
                sapporo.town.as_str(),
                sapporo.note.as_str()
            ),
            ("札幌市中央区", "", "以下に掲載がない場合")
        );
        assert_eq!(sapporo.local_gov_code, "011011");
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
            areas
                .iter()
                .map(|a| a.prefecture.as_str())
                .collect::<Vec<_>>(),
            ["愛知県", "三重県"]
        );
    }
}
