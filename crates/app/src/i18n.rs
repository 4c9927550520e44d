//! Every string a person reads goes through here: Fluent files under `locales/` (Japanese
//! first; English next), compiled into the binary. Procedure content (titles, questions) comes
//! from the catalog instead, which carries its own translations.

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};
use madoguchi_domain::calendar::DayProblem;
use madoguchi_domain::procedure::{Field, FieldKind};
use madoguchi_domain::validate::{FieldError, Problem, Segment};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "../../locales",
        fallback_language: "ja",
        // Isolation marks (U+2068/2069) around arguments would end up in mail and in tests.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static JA: LazyLock<LanguageIdentifier> = LazyLock::new(|| "ja".parse().expect("valid tag"));
static EN: LazyLock<LanguageIdentifier> = LazyLock::new(|| "en".parse().expect("valid tag"));

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Ja,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Self::Ja => "ja",
            Self::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "ja" => Some(Self::Ja),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Self::Ja => &JA,
            Self::En => &EN,
        }
    }
}

/// A translator for one language; cheap to copy into every template.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Self {
        Self { lang }
    }

    /// The message `key`; a missing key shows itself (and is caught by the locale tests).
    pub fn t(&self, key: &str) -> String {
        LOCALES
            .try_lookup(self.lang.id(), key)
            .unwrap_or_else(|| key.to_owned())
    }

    /// The message `key` with named arguments.
    pub fn t_with(&self, key: &str, args: &[(&'static str, String)]) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue<'_>> = args
            .iter()
            .map(|(k, v)| (Cow::Borrowed(*k), FluentValue::from(v.clone())))
            .collect();
        LOCALES
            .try_lookup_with_args(self.lang.id(), key, &map)
            .unwrap_or_else(|| key.to_owned())
    }

    /// The part of a compound answer (`family_kana`) an error is about, if it is about one.
    fn compound_part<'e>(&self, field: Option<&Field>, error: &'e FieldError) -> Option<&'e str> {
        let field = field.filter(|f| f.kind.is_compound())?;
        match error.path.0.last() {
            Some(Segment::Field(id)) if id != field.id.as_str() => Some(id),
            _ => None,
        }
    }

    /// What to tell a person about one problem with one answer: the procedure author's own
    /// message if they wrote one, otherwise a generic one naming the question.
    pub fn problem(&self, field: Option<&Field>, error: &FieldError) -> String {
        let part = self.compound_part(field, error);
        let label = match (field, part) {
            (None, _) => error.path.to_string(),
            (Some(f), None) => f.label.get(self.lang.code()).to_owned(),
            (Some(f), Some(part)) => format!(
                "{}（{}）",
                f.label.get(self.lang.code()),
                self.t(&format!("part-{part}"))
            ),
        };
        // The author's messages speak of the whole question, not of one of its parts.
        let custom = field
            .filter(|_| part.is_none())
            .and_then(|f| f.custom_message(error.problem.code()));
        if let Some(custom) = custom {
            return custom.get(self.lang.code()).to_owned();
        }
        let label = ("label", label);
        match &error.problem {
            Problem::Required => {
                let key = match field.map(|f| &f.kind) {
                    _ if part == Some("account_type") => "error-required-choose",
                    Some(FieldKind::Choice { .. } | FieldKind::YesNo) => "error-required-choose",
                    Some(FieldKind::File { .. }) => "error-required-file",
                    Some(FieldKind::Group(_)) => "error-required-items",
                    _ => "error-required",
                };
                self.t_with(key, &[label])
            }
            Problem::TooLong { max } => {
                self.t_with("error-too-long", &[label, ("max", max.to_string())])
            }
            Problem::TooSmall { min } => {
                self.t_with("error-too-small", &[label, ("min", min.to_string())])
            }
            Problem::TooLarge { max } => {
                self.t_with("error-too-large", &[label, ("max", max.to_string())])
            }
            Problem::DateTooEarly { min } => self.t_with(
                "error-date-too-early",
                &[label, ("date", self.date_both(*min))],
            ),
            Problem::DateTooLate { max } => self.t_with(
                "error-date-too-late",
                &[label, ("date", self.date_both(*max))],
            ),
            Problem::PastDeadline { deadline } => self.t_with(
                "error-past-deadline",
                &[label, ("date", self.date_both(*deadline))],
            ),
            Problem::DayNotAllowed(day) => self.day_problem(label, day),
            Problem::NotSame { other } => self.t_with(
                "error-not-same",
                &[label, ("other", other.get(self.lang.code()).to_owned())],
            ),
            Problem::InvalidDigits { count } => self.t_with(
                "error-invalid-digits",
                &[label, ("count", count.to_string())],
            ),
            Problem::Ineligible { message, .. } => message.get(self.lang.code()).to_owned(),
            Problem::OutsideMunicipality {
                municipality,
                can_explain,
            } => self.t_with(
                if *can_explain {
                    "error-outside-municipality-explain"
                } else {
                    "error-outside-municipality"
                },
                &[label, ("municipality", municipality.clone())],
            ),
            Problem::TooFewItems { min } => {
                self.t_with("error-too-few-items", &[label, ("min", min.to_string())])
            }
            Problem::TooManyItems { max } => {
                self.t_with("error-too-many-items", &[label, ("max", max.to_string())])
            }
            Problem::TooManyFiles { max } => {
                self.t_with("error-too-many-files", &[label, ("max", max.to_string())])
            }
            Problem::InvalidKana { found } if !found.is_empty() => self.t_with(
                "error-invalid-kana-chars",
                &[label, ("found", found.clone())],
            ),
            Problem::InvalidWareki { reason } if self.lang.code() == "ja" => {
                self.t_with("error-invalid-wareki", &[label, ("reason", reason.clone())])
            }
            Problem::InvalidWareki { .. } => self.t_with("error-invalid-date", &[label]),
            Problem::PhoneLength {
                line,
                expected,
                actual,
            } if self.lang.code() == "ja" => self.t_with(
                "error-phone-length",
                &[
                    label,
                    ("line", (*line).to_owned()),
                    ("expected", expected.to_string()),
                    ("actual", actual.to_string()),
                ],
            ),
            Problem::PhoneLength { .. } => self.t_with("error-invalid-phone", &[label]),
            Problem::FileType { accepted } => {
                let types = accepted
                    .iter()
                    .map(|t| t.label())
                    .collect::<Vec<_>>()
                    .join("、");
                self.t_with("error-file-type", &[label, ("types", types)])
            }
            Problem::FileTooLarge { max_bytes } => self.t_with(
                "error-file-too-large",
                &[label, ("mb", (max_bytes / 1024 / 1024).to_string())],
            ),
            Problem::ControlCharacter { ch, position } | Problem::BidiControl { ch, position } => {
                let key = match &error.problem {
                    Problem::ControlCharacter { .. } => "error-control-character",
                    _ => "error-bidi-control",
                };
                self.t_with(
                    key,
                    &[
                        label,
                        ("position", position.to_string()),
                        ("code", format!("U+{:04X}", *ch as u32)),
                    ],
                )
            }
            Problem::FileDamaged { kind } => self.t_with(
                "error-file-damaged",
                &[label, ("type", kind.label().to_owned())],
            ),
            Problem::BodyTooLarge { max_bytes } => self.t_with(
                "error-body-too-large",
                &[label, ("mb", (max_bytes / 1024 / 1024).to_string())],
            ),
            other => self.t_with(
                &format!("error-{}", other.code().replace('_', "-")),
                &[label],
            ),
        }
    }
}

impl Tr {
    /// A computed date in both calendars: `令和9年1月5日（2027年1月5日）` in Japanese.
    pub fn date_both(&self, d: time::Date) -> String {
        match madoguchi_jp::wareki::to_wareki(d) {
            Ok(w) if self.lang.code() == "ja" => format!("{w}（{}）", japanese_date(d)),
            _ if self.lang.code() == "ja" => japanese_date(d),
            _ => d.to_string(),
        }
    }

    fn day_problem(&self, label: (&'static str, String), day: &DayProblem) -> String {
        let list = |items: Vec<String>| items.join(&self.t("list-separator"));
        match day {
            DayProblem::Weekday { allowed } => {
                let days = allowed
                    .iter()
                    .map(|d| self.t(&format!("weekday-{}", d.code())))
                    .collect();
                self.t_with("error-day-weekday", &[label, ("days", list(days))])
            }
            DayProblem::DayOfMonth { allowed } => {
                let days = allowed.iter().map(u8::to_string).collect();
                self.t_with("error-day-of-month", &[label, ("days", list(days))])
            }
            DayProblem::Holiday { name } => self.t_with(
                "error-day-holiday",
                &[label, ("holiday", (*name).to_owned())],
            ),
            DayProblem::YearEnd => self.t_with("error-day-year-end", &[label]),
        }
    }
}

/// `2026年4月1日`: the form Japanese readers expect in messages.
pub fn japanese_date(d: time::Date) -> String {
    format!("{}年{}月{}日", d.year(), u8::from(d.month()), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;
    use madoguchi_domain::validate::FieldPath;

    fn keys(src: &str) -> Vec<String> {
        src.lines()
            .filter(|l| !l.starts_with([' ', '#', '.']) && l.contains(" ="))
            .map(|l| l.split(" =").next().unwrap_or_default().to_owned())
            .collect()
    }

    #[test]
    fn every_japanese_message_has_an_english_one() {
        let ja = keys(include_str!("../../../locales/ja/main.ftl"));
        let en = keys(include_str!("../../../locales/en/main.ftl"));
        let missing: Vec<_> = ja.iter().filter(|k| !en.contains(k)).collect();
        assert!(missing.is_empty(), "missing in en: {missing:?}");
        let extra: Vec<_> = en.iter().filter(|k| !ja.contains(k)).collect();
        assert!(extra.is_empty(), "only in en: {extra:?}");
    }

    #[test]
    fn every_problem_code_has_a_message() {
        let tr = Tr::new(Lang::Ja);
        let problems = [
            Problem::InvalidNumber,
            Problem::InvalidDate,
            Problem::InvalidOption,
            Problem::InvalidEmail,
            Problem::InvalidPhone,
            Problem::InvalidType { expected: "text" },
            Problem::NotApplicable,
            Problem::UnknownField,
            Problem::Duplicate,
            Problem::UnknownAttachment,
        ];
        for p in problems {
            let msg = tr.problem(None, &FieldError::new(FieldPath::field("x"), p.clone()));
            assert!(!msg.starts_with("error-"), "no message for {p:?}");
        }
    }

    #[test]
    fn messages_take_arguments() {
        let tr = Tr::new(Lang::Ja);
        let msg = tr.problem(
            None,
            &FieldError::new(FieldPath::field("氏名"), Problem::TooLong { max: 40 }),
        );
        assert_eq!(msg, "氏名は40文字以内で入力してください");
    }
}
