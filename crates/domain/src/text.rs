//! Text shown to people: strings with a Japanese original and optional translations, and the
//! small normalisations every Japanese form needs (full-width digits typed on a phone keyboard).

use serde::{Deserialize, Deserializer, Serialize};

/// A string written in Japanese, optionally translated. Japanese is always present: it is the
/// language of the ward's own forms, and the fallback for every other language.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Localized {
    pub ja: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl Localized {
    pub fn ja(text: impl Into<String>) -> Self {
        Self {
            ja: text.into(),
            en: None,
        }
    }

    /// The text in `lang` (a BCP 47 primary tag such as `en`), falling back to Japanese.
    pub fn get(&self, lang: &str) -> &str {
        match (lang, &self.en) {
            ("en", Some(en)) => en,
            _ => &self.ja,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.ja.trim().is_empty()
    }
}

/// Catalog files may write `title = "…"` (Japanese only) or `title = { ja = "…", en = "…" }`.
impl<'de> Deserialize<'de> for Localized {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Plain(String),
            Table {
                ja: String,
                #[serde(default)]
                en: Option<String>,
            },
        }
        Ok(match Repr::deserialize(deserializer)? {
            Repr::Plain(ja) => Self { ja, en: None },
            Repr::Table { ja, en } => Self { ja, en },
        })
    }
}

/// Width folding and hyphen-like characters: the Japanese data toolkit's, so that every layer
/// reads what residents type the same way.
pub use madoguchi_jp::text::{fold_width, is_hyphen_like};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_digits_and_letters_fold_to_ascii() {
        assert_eq!(fold_width("０３－１２３４"), "03-1234");
        assert_eq!(fold_width("ＡＢＣ＠ｅｘ"), "ABC@ex");
        assert_eq!(fold_width("山田\u{3000}太郎"), "山田 太郎");
    }

    #[test]
    fn localized_falls_back_to_japanese() {
        let t = Localized::ja("氏名");
        assert_eq!(t.get("en"), "氏名");
        let t = Localized {
            ja: "氏名".into(),
            en: Some("Name".into()),
        };
        assert_eq!(t.get("en"), "Name");
        assert_eq!(t.get("ja"), "氏名");
    }

    #[test]
    fn localized_reads_both_catalog_forms() {
        #[derive(Deserialize)]
        struct Doc {
            a: Localized,
            b: Localized,
        }
        let doc: Doc =
            toml::from_str("a = \"氏名\"\nb = { ja = \"氏名\", en = \"Name\" }").unwrap();
        assert_eq!(doc.a, Localized::ja("氏名"));
        assert_eq!(doc.b.en.as_deref(), Some("Name"));
    }
}
