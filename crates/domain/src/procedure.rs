//! A procedure definition (手続): what it is for, who handles it, and the questions it asks.
//!
//! These are the checked, typed forms built by [`crate::catalog`] from a catalog file. They are
//! also what an application stores as its definition snapshot (as JSON), so changing a catalog
//! file never changes how an old application is read.

use crate::condition::Condition;
use crate::fee::Fee;
use crate::ids::{FieldId, ProcedureId, StepId};
use crate::text::Localized;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Procedure {
    pub id: ProcedureId,
    /// Content hash of the definition: an application records it, and a changed file gets a new one.
    pub version: String,
    pub title: Localized,
    pub summary: Localized,
    pub category: String,
    pub life_events: Vec<String>,
    pub keywords: Vec<String>,
    pub eligibility: Localized,
    pub processing_time: Localized,
    pub department: Department,
    pub attachments: Vec<RequiredAttachment>,
    pub fee: Fee,
    pub availability: Availability,
    pub identity_level: IdentityLevel,
    pub annual_volume: Option<u32>,
    pub obstacles: Vec<Obstacle>,
    /// The email question whose answer receives the confirmation mail, if any.
    pub notify_email_field: Option<FieldId>,
    pub steps: Vec<Step>,
    pub export: Vec<ExportColumn>,
    /// Answers that end the form: the resident is not eligible and is told where to go instead.
    #[serde(default)]
    pub stops: Vec<Stop>,
    /// How long a resident may still withdraw: until some days before a chosen date.
    #[serde(default)]
    pub changes_until: Option<ChangeCutoff>,
}

/// Withdrawal closes `days_before` days before the day answered to `field` (キャンセルは使用日
/// の3日前まで).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeCutoff {
    pub field: FieldId,
    pub days_before: u32,
}

/// An eligibility stop: when its condition holds, the form ends with an explanation and a link,
/// and nothing the resident typed is kept (only the count, for the procedure's statistics).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stop {
    pub id: String,
    pub when: Condition,
    pub message: Localized,
    pub link: Option<StopLink>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StopLink {
    pub label: Localized,
    pub url: String,
}

/// The department (担当課) that processes the procedure, and how residents reach it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Department {
    pub id: String,
    pub name: Localized,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub hours: Option<Localized>,
    pub place: Option<Localized>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequiredAttachment {
    pub title: Localized,
    pub description: Option<Localized>,
}

/// Whether residents can apply online. Counter-only procedures are still listed, with the
/// reason, so that residents know before they go and the ward can count them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Availability {
    Online,
    CounterOnly { reason: Localized },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityLevel {
    /// No identity proof online; the department checks what the resident sends.
    None,
}

/// Why a procedure is hard to move online (for the prioritisation of later issues).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Obstacle {
    /// 対面での本人確認
    InPersonIdentity,
    /// 書面の添付
    PaperAttachment,
    /// 機微情報
    SensitiveData,
}

/// One page of questions. A step is shown only when its condition holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub id: StepId,
    pub title: Localized,
    pub help: Option<Localized>,
    pub show_if: Option<Condition>,
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    pub id: FieldId,
    pub label: Localized,
    pub help: Option<Localized>,
    pub required: bool,
    pub show_if: Option<Condition>,
    pub kind: FieldKind,
    /// Messages written by the procedure's author, by error code (`required`, `too_long` …),
    /// replacing the generic ones.
    pub messages: Vec<(String, Localized)>,
    /// Another question (on this step or an earlier one) whose answer this one must equal:
    /// an email address typed twice.
    #[serde(default)]
    pub same_as: Option<FieldId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FieldKind {
    Text {
        max_length: usize,
        #[serde(default)]
        pattern: Option<TextPattern>,
    },
    LongText {
        max_length: usize,
    },
    /// フリガナ: stored as full-width katakana; ひらがな and 半角カナ are converted on the web.
    Kana {
        max_length: usize,
    },
    Number {
        min: Option<i64>,
        max: Option<i64>,
        unit: Option<Localized>,
        /// A lower limit taken from another answer, besides `min`.
        #[serde(default)]
        min_from: Option<NumberSource>,
        /// An upper limit taken from another answer (a venue's capacity), besides `max`.
        #[serde(default)]
        max_from: Option<NumberSource>,
    },
    /// Without `min` or `max`, the plausible window [`EARLIEST_DATE`] ..= [`LATEST_DATE`]
    /// applies, so that a mistyped year (3809, 令和999年) is caught.
    Date {
        min: Option<DateBound>,
        max: Option<DateBound>,
        /// The days that may be chosen (weekdays only, not on holidays …).
        #[serde(default)]
        days: Option<DayRule>,
        /// The chosen day sets a deadline for applying (使用日の7日前まで, 前月10日まで).
        #[serde(default)]
        deadline: Option<Deadline>,
    },
    Choice {
        options: Vec<ChoiceOption>,
        multiple: bool,
        style: ChoiceStyle,
        /// A ranked choice (第1希望 … 第N希望): up to N options in order, none twice. The
        /// answer is the ordered list.
        #[serde(default)]
        ranked: Option<usize>,
    },
    YesNo,
    Email,
    Phone,
    /// 郵便番号, stored as 7 digits. `address_field` names the address question on the same
    /// step that 「住所を検索」 fills in.
    PostalCode {
        address_field: Option<FieldId>,
        /// The address must be in this municipality (by the 全国地方公共団体コード of Japan
        /// Post's data for the code).
        #[serde(default)]
        residence: Option<Residence>,
    },
    /// 法人番号, stored as 13 digits with a valid check digit.
    CorporateNumber,
    /// 氏名: 姓・名 and their フリガナ, asked as one question.
    Name {
        kana: NameKana,
    },
    /// 振込先口座: 金融機関コード, 支店コード, 口座種別, 口座番号, 口座名義 (カナ).
    BankAccount,
    /// 個人番号: checked by its check digit, sealed (encrypted) before it is stored, and shown
    /// masked.
    MyNumber,
    File {
        accept: Vec<FileType>,
        max_bytes: u64,
        max_files: usize,
    },
    Group(Group),
}

impl FieldKind {
    /// Answers made of named parts, each with its own control and its own errors.
    pub fn is_compound(&self) -> bool {
        matches!(self, Self::Name { .. } | Self::BankAccount)
    }

    /// Kinds whose answer is one string (as typed on the web, as sent through the API).
    pub fn is_string(&self) -> bool {
        matches!(
            self,
            Self::Text { .. }
                | Self::LongText { .. }
                | Self::Kana { .. }
                | Self::Email
                | Self::Phone
                | Self::PostalCode { .. }
                | Self::CorporateNumber
                | Self::MyNumber
        )
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Text { .. } => "text",
            Self::LongText { .. } => "long_text",
            Self::Kana { .. } => "kana",
            Self::Number { .. } => "number",
            Self::Date { .. } => "date",
            Self::Choice {
                ranked: Some(_), ..
            } => "ranked_choice",
            Self::Choice {
                multiple: false, ..
            } => "choice",
            Self::Choice { multiple: true, .. } => "multiple_choice",
            Self::YesNo => "yes_no",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::PostalCode { .. } => "postal_code",
            Self::CorporateNumber => "corporate_number",
            Self::Name { .. } => "name",
            Self::BankAccount => "bank_account",
            Self::MyNumber => "my_number",
            Self::File { .. } => "file",
            Self::Group(_) => "group",
        }
    }
}

/// A postal code that must be in the municipality, unless (where the ward allows) the
/// resident says why not in `reason_field` (転入予定 …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Residence {
    pub reason_field: Option<FieldId>,
}

/// The earliest date a date question takes unless its definition says otherwise: Japan's first
/// day of the solar calendar (明治6年1月1日), before which 和暦 dates do not map to 西暦 days.
pub const EARLIEST_DATE: time::Date = time::macros::date!(1873 - 01 - 01);
/// The latest date a date question takes unless its definition says otherwise.
pub const LATEST_DATE: time::Date = time::macros::date!(2100 - 12 - 31);

/// A limit of a date question: a fixed day, today (in Japan), or a day computed from today or
/// from another answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DateBound {
    Fixed(time::Date),
    Relative(RelativeDate),
    Computed(ComputedDate),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelativeDate {
    Today,
}

/// A day counted from today or from another date answer: years, then months (a 31st becomes
/// the month's last day), then days; then, if asked, moved to the first or last day of its
/// month (「2か月先の月末まで」).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComputedDate {
    pub from: DateBase,
    #[serde(default)]
    pub years: i32,
    #[serde(default)]
    pub months: i32,
    #[serde(default)]
    pub days: i32,
    #[serde(default)]
    pub snap: Option<MonthSnap>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateBase {
    Today,
    /// Another date question of the procedure (or of the same group item).
    Answer(FieldId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MonthSnap {
    StartOfMonth,
    EndOfMonth,
}

impl DateBound {
    pub fn fixed(&self) -> Option<time::Date> {
        match self {
            Self::Fixed(d) => Some(*d),
            Self::Relative(_) | Self::Computed(_) => None,
        }
    }

    /// The other answer this bound is taken from, if any.
    pub fn answer(&self) -> Option<&FieldId> {
        match self {
            Self::Computed(ComputedDate {
                from: DateBase::Answer(id),
                ..
            }) => Some(id),
            _ => None,
        }
    }
}

/// The days of the week, as the catalog writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayOfWeek {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl DayOfWeek {
    pub const ALL: [DayOfWeek; 7] = [
        Self::Mon,
        Self::Tue,
        Self::Wed,
        Self::Thu,
        Self::Fri,
        Self::Sat,
        Self::Sun,
    ];

    pub fn of(date: time::Date) -> Self {
        Self::ALL[usize::from(date.weekday().number_days_from_monday())]
    }

    pub fn code(self) -> &'static str {
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][self as usize]
    }
}

/// Which days a date question takes. Every part given must hold.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DayRule {
    /// Only these days of the week (empty: any).
    #[serde(default)]
    pub weekdays: Vec<DayOfWeek>,
    /// Only these days of the month (empty: any): 「毎月1日」.
    #[serde(default)]
    pub days_of_month: Vec<u8>,
    /// Not on a national holiday (祝日・振替休日・国民の休日).
    #[serde(default)]
    pub not_holidays: bool,
    /// Not in the year-end break of municipal offices and facilities, 12月29日〜1月3日.
    #[serde(default)]
    pub not_year_end: bool,
}

/// The last day to apply, counted back from the chosen day: `days_before` days, or the
/// `day_of_month` of the month `months_before` months earlier (前月10日: 1 and 10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    #[serde(default)]
    pub days_before: u32,
    #[serde(default)]
    pub months_before: u32,
    #[serde(default)]
    pub day_of_month: Option<u8>,
}

/// A number taken from another answer: a number question's value, or an attribute of the
/// option chosen in a choice question (a room's `capacity`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberSource {
    Answer(FieldId),
    OptionAttribute { field: FieldId, attribute: String },
}

impl NumberSource {
    pub fn field(&self) -> &FieldId {
        match self {
            Self::Answer(id) | Self::OptionAttribute { field: id, .. } => id,
        }
    }
}

/// What a one-line text answer must look like.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextPattern {
    /// Exactly this many digits; typed with full-width digits, hyphens or spaces, stored as
    /// the digits alone (a 10-digit 被保険者番号).
    Digits(usize),
    /// A regular expression the whole answer matches (in the common subset of Rust's `regex`
    /// and ECMAScript, so that the JSON Schema says the same).
    Regex(Pattern),
}

impl PartialEq for TextPattern {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Digits(a), Self::Digits(b)) => a == b,
            (Self::Regex(a), Self::Regex(b)) => a.source == b.source,
            _ => false,
        }
    }
}

/// A regular expression from a catalog file, compiled once when first used.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pattern {
    pub source: String,
    #[serde(skip)]
    compiled: std::sync::OnceLock<Option<regex::Regex>>,
}

impl Pattern {
    /// The pattern, or why it is not one this product takes.
    pub fn new(source: &str) -> Result<Self, String> {
        // These classes mean Unicode in Rust and ASCII in ECMAScript; spelled out, both agree.
        for class in ["\\d", "\\w", "\\s", "\\b", "\\D", "\\W", "\\S", "\\B"] {
            if source.contains(class) {
                return Err(format!(
                    "{class} means different things to different regular-expression engines; write the characters out ([0-9], [A-Za-z0-9_] …)"
                ));
            }
        }
        if source.starts_with('^') || source.ends_with('$') {
            return Err("the pattern always matches the whole answer; leave out ^ and $".into());
        }
        let compiled = regex::Regex::new(&Self::anchored(source)).map_err(|e| e.to_string())?;
        let pattern = Self {
            source: source.to_owned(),
            compiled: std::sync::OnceLock::new(),
        };
        let _ = pattern.compiled.set(Some(compiled));
        Ok(pattern)
    }

    fn anchored(source: &str) -> String {
        format!("^(?:{source})$")
    }

    /// Whether the whole of `s` matches. A pattern that no longer compiles (a definition
    /// stored by an older version) matches nothing rather than everything.
    pub fn matches(&self, s: &str) -> bool {
        self.compiled
            .get_or_init(|| regex::Regex::new(&Self::anchored(&self.source)).ok())
            .as_ref()
            .is_some_and(|r| r.is_match(s))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChoiceOption {
    pub value: String,
    pub label: Localized,
    pub hint: Option<Localized>,
    /// Fee in yen for choosing this option, used by fee parts that name the question.
    pub fee: Option<u32>,
    /// Numbers that describe the option, which other answers can be bounded by (`capacity`).
    #[serde(default)]
    pub attributes: BTreeMap<String, i64>,
    /// The option may be chosen only when this holds (夜間 only at some facilities).
    #[serde(default)]
    pub only_if: Option<Condition>,
    /// 「わからない」: the resident does not know. A life event's rule that reads it says
    /// "may apply" rather than yes or no.
    #[serde(default)]
    pub unknown: bool,
}

/// When a name question asks for フリガナ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameKana {
    /// Always (the default: 住民記録 keeps every name's reading).
    Required,
    /// Except for names written in Latin letters, where the ward allows that.
    ExceptLatin,
    Optional,
}

impl NameKana {
    pub fn required_for(self, latin: bool) -> bool {
        match self {
            Self::Required => true,
            Self::ExceptLatin => !latin,
            Self::Optional => false,
        }
    }
}

/// Radio buttons read best for a few options; a select box keeps a long list (facilities) short.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChoiceStyle {
    Buttons,
    Select,
}

/// A repeating group: the same questions asked for each of 1..N items (children, household
/// members, bulky-waste items, ranked facility choices).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub fields: Vec<Field>,
    pub min_items: usize,
    pub max_items: usize,
    /// Label for one item; `{n}` is replaced by its 1-based position (「{n}人目のお子さん」).
    pub item_label: Localized,
    /// A question whose answer must differ across items (a facility chosen twice).
    pub unique_field: Option<FieldId>,
    /// A number question that bounds how many items there may be (世帯の人数).
    #[serde(default)]
    pub max_items_from: Option<FieldId>,
}

/// File types recognised by their content (magic bytes), never by their name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileType {
    Pdf,
    Jpeg,
    Png,
}

impl FileType {
    pub const ALL: [FileType; 3] = [FileType::Pdf, FileType::Jpeg, FileType::Png];

    pub fn mime(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Pdf => "PDF",
            Self::Jpeg => "JPEG",
            Self::Png => "PNG",
        }
    }

    /// Recognises a file by its first bytes.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"%PDF-") {
            Some(Self::Pdf)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
            Some(Self::Png)
        } else {
            None
        }
    }

    pub fn from_mime(mime: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.mime() == mime)
    }
}

/// One column of the export file a business system imports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportColumn {
    pub column: String,
    /// `receipt_number`, `submitted_at`, `status`, a field id, or `group.field` (items joined).
    pub source: String,
}

impl Procedure {
    /// The last day a resident may withdraw, where the procedure sets one and the date it
    /// counts from was answered.
    pub fn last_day_to_withdraw(&self, answers: &crate::answers::Answers) -> Option<time::Date> {
        let cutoff = self.changes_until.as_ref()?;
        match answers.get(cutoff.field.as_str())? {
            crate::answers::Answer::Date(d) => {
                d.checked_sub(time::Duration::days(i64::from(cutoff.days_before)))
            }
            _ => None,
        }
    }

    pub fn is_online(&self) -> bool {
        matches!(self.availability, Availability::Online)
    }

    /// Whether it has a form: questions that a channel can ask (online, or at the counter for
    /// one done only there).
    pub fn has_form(&self) -> bool {
        !self.steps.is_empty()
    }

    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id.as_str() == id)
    }

    pub fn step_index(&self, id: &str) -> Option<usize> {
        self.steps.iter().position(|s| s.id.as_str() == id)
    }

    /// Every top-level question with the step it is asked on.
    pub fn fields(&self) -> impl Iterator<Item = (&Step, &Field)> {
        self.steps
            .iter()
            .flat_map(|s| s.fields.iter().map(move |f| (s, f)))
    }

    pub fn field(&self, id: &str) -> Option<&Field> {
        self.fields().map(|(_, f)| f).find(|f| f.id.as_str() == id)
    }

    /// Whether the procedure asks for a file anywhere (its pages then post multipart forms).
    pub fn step_has_files(step: &Step) -> bool {
        fn has_file(f: &Field) -> bool {
            match &f.kind {
                FieldKind::File { .. } => true,
                FieldKind::Group(g) => g.fields.iter().any(has_file),
                _ => false,
            }
        }
        step.fields.iter().any(has_file)
    }
}

impl Field {
    /// The author's message for `code`, if the catalog wrote one.
    pub fn custom_message(&self, code: &str) -> Option<&Localized> {
        self.messages
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, m)| m)
    }
}

impl ChoiceOption {
    /// Whether the option may be chosen with these (top-level) answers: its `only_if` holds.
    pub fn available(&self, answers: &crate::answers::Answers) -> bool {
        self.only_if.as_ref().is_none_or(|c| c.eval(answers))
    }
}

impl Group {
    pub fn field(&self, id: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.id.as_str() == id)
    }

    pub fn label_for(&self, index: usize, lang: &str) -> String {
        self.item_label
            .get(lang)
            .replace("{n}", &(index + 1).to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_recognised_by_content_not_name() {
        assert_eq!(FileType::sniff(b"%PDF-1.7\n"), Some(FileType::Pdf));
        assert_eq!(
            FileType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(FileType::Jpeg)
        );
        assert_eq!(
            FileType::sniff(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0]),
            Some(FileType::Png)
        );
        assert_eq!(FileType::sniff(b"MZ\x90\x00 executable"), None);
        assert_eq!(FileType::sniff(b""), None);
    }
}
