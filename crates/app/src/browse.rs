//! Finding things: procedures by keyword (kana- and width-insensitive), and addresses by
//! postal code from Japan Post's data.

use crate::portal::Portal;
use madoguchi_domain::Answers;
use madoguchi_domain::form::FormValues;
use madoguchi_domain::procedure::{FieldKind, Procedure, Step};
use madoguchi_domain::validate::{self, FieldError, FieldPath, Problem};
use madoguchi_jp::postal::{PostalArea, PostalError, PostalIndex};
use serde_json::{Value, json};

impl Portal {
    /// Procedures matching a keyword search (title, keywords, summary, department).
    pub fn search(&self, query: &str) -> Vec<&Procedure> {
        let needle = normalize_for_search(query);
        if needle.is_empty() {
            return Vec::new();
        }
        let terms: Vec<&str> = needle.split(' ').filter(|t| !t.is_empty()).collect();
        self.catalog
            .procedures
            .iter()
            .filter(|p| {
                let haystack = normalize_for_search(&format!(
                    "{} {} {} {} {}",
                    p.title.ja,
                    p.title.en.as_deref().unwrap_or_default(),
                    p.keywords.join(" "),
                    p.summary.ja,
                    p.department.name.ja
                ));
                terms.iter().all(|t| haystack.contains(t))
            })
            .collect()
    }

    /// The areas a postal code names (for address look-up in forms and front ends).
    pub fn postal_areas(&self, code: &str) -> Result<Vec<PostalArea<'_>>, PostalError> {
        let index = self.postal.get_or_init(PostalIndex::bundled);
        match index {
            Ok(index) => index.lookup(code),
            Err(e) => Err(e.clone()),
        }
    }

    /// Postal codes that must be in this municipality and are not (see
    /// [`validate::check_residence`]), judged by Japan Post's 全国地方公共団体コード.
    pub(crate) fn residence_problems(
        &self,
        procedure: &Procedure,
        answers: &Answers,
        only_step: Option<&Step>,
    ) -> Vec<FieldError> {
        let municipality = &self.config.municipality;
        validate::check_residence(procedure, answers, only_step, &municipality.name, |code| {
            self.postal_areas(code).ok().map(|areas| {
                areas
                    .iter()
                    .any(|a| a.local_gov_code() == municipality.code)
            })
        })
    }

    /// 「住所を検索」: fills the address question tied to a postal-code question from the
    /// postal data, keeping everything else typed on the page.
    pub fn fill_address(
        &self,
        procedure: &Procedure,
        postal_field: &str,
        values: &mut FormValues,
    ) -> Result<(), FieldError> {
        let path = FieldPath::field(postal_field);
        let Some(FieldKind::PostalCode {
            address_field: Some(target),
            ..
        }) = procedure.field(postal_field).map(|f| &f.kind)
        else {
            return Err(FieldError::new(path, Problem::UnknownField));
        };
        let areas = self
            .postal_areas(values.get(&path.form_name()))
            .map_err(|e| {
                let problem = match e {
                    PostalError::Unknown(_) => Problem::UnknownPostalCode,
                    _ => Problem::InvalidPostalCode,
                };
                FieldError::new(path.clone(), problem)
            })?;
        if let Some(area) = areas.first() {
            values.set(
                FieldPath::field(target.as_str()).form_name(),
                vec![area.address()],
            );
        }
        Ok(())
    }

    /// A postal area as the API and the `jp postal` command print it.
    pub fn postal_area_json(area: &PostalArea<'_>) -> Value {
        json!({
            "local_gov_code": area.local_gov_code(),
            "prefecture": area.prefecture,
            "city": area.city,
            "town": area.town,
            "prefecture_kana": area.prefecture_kana,
            "city_kana": area.city_kana,
            "town_kana": area.town_kana,
            "note": area.note,
        })
    }
}

/// Folds width and case and turns katakana into hiragana, so that 「じゅうみんひょう」 finds
/// 住民票's keywords and 「ＰＤＦ」 finds "pdf".
pub fn normalize_for_search(s: &str) -> String {
    madoguchi_domain::text::fold_width(s)
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'ァ'..='ヶ' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
            c if c.is_whitespace() => ' ',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_normalisation_folds_kana_and_width() {
        assert_eq!(normalize_for_search("ジュウミンヒョウ"), "じゅうみんひょう");
        assert_eq!(normalize_for_search("ＰＤＦ　住民票"), "pdf 住民票");
    }
}
