//! Which questions apply, and whether answers are acceptable.
//!
//! The same rules serve every channel: [`parse_json`] reads the API's answers object strictly,
//! [`crate::form`] reads a web page's strings leniently (full-width digits, blanks), and both end
//! in [`check`], which decides presence, applicability and each value's limits. A problem names
//! the question by its path (`children[1].birth_date`) and carries a code; the words for people
//! are the web layer's job, because they depend on the reader's language.

use crate::answers::{
    Answer, Answers, BANK_ACCOUNT_PARTS, FileRef, MyNumberAnswer, PersonName, SealedNumber,
    account_type_from_key, parse_iso_date,
};
use crate::calendar::{DayProblem, date_window};
use crate::condition::Condition;
use crate::ids::FieldId;
use crate::input::{self, Lines, is_valid_email, text_problem};
use crate::procedure::{
    Field, FieldKind, FileType, Group, NameKana, NumberSource, Procedure, Step, Stop, TextPattern,
};
use crate::text::Localized;
use madoguchi_jp::bank::{AccountType, BankAccount};
use serde_json::Value;
use std::collections::HashSet;
use std::fmt;
use time::Date;

/// What is wrong with one answer. Codes are stable: API clients switch on them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Required,
    TooLong {
        max: usize,
    },
    TooSmall {
        min: i64,
    },
    TooLarge {
        max: i64,
    },
    DateTooEarly {
        min: Date,
    },
    DateTooLate {
        max: Date,
    },
    InvalidNumber,
    InvalidDate,
    /// A 和暦 date that does not exist; `reason` says why and suggests the right one.
    InvalidWareki {
        reason: String,
    },
    InvalidOption,
    InvalidEmail,
    InvalidPhone,
    /// A phone number of the wrong length for its kind of line (携帯電話 11 digits …).
    PhoneLength {
        line: &'static str,
        expected: usize,
        actual: usize,
    },
    InvalidPostalCode,
    /// Not 13 digits, or a wrong check digit (法人番号の指定等に関する省令).
    InvalidCorporateNumber,
    /// Not 12 digits, or a wrong check digit (番号法施行令). Never carries the number.
    InvalidMyNumber,
    /// 金融機関コード: 4 digits.
    InvalidBankCode,
    /// 支店コード: 3 digits.
    InvalidBranchCode,
    /// 口座番号: up to 7 digits.
    InvalidAccountNumber,
    /// Well formed, but Japan Post has no such code (found when looking up an address).
    UnknownPostalCode,
    /// Not katakana; `found` names the characters that are not (「山」「田」), if any.
    InvalidKana {
        found: String,
    },
    InvalidType {
        expected: &'static str,
    },
    NotApplicable,
    UnknownField,
    TooFewItems {
        min: usize,
    },
    TooManyItems {
        max: usize,
    },
    Duplicate,
    FileType {
        accepted: Vec<FileType>,
    },
    FileTooLarge {
        max_bytes: u64,
    },
    /// It starts like a file of this type but is not a whole, well-formed one.
    FileDamaged {
        kind: FileType,
    },
    TooManyFiles {
        max: usize,
    },
    UnknownAttachment,
    /// A control character (C0, DEL, C1; tab and newline are allowed in multi-line text).
    ControlCharacter {
        ch: char,
        position: usize,
    },
    /// A bidirectional embedding, override or isolate, which can make text display reversed.
    BidiControl {
        ch: char,
        position: usize,
    },
    /// Nothing visible: only spaces and zero-width or other format characters.
    InvisibleOnly,
    /// The page was posted larger than the server takes in one request.
    BodyTooLarge {
        max_bytes: u64,
    },
    /// The page arrived cut off or garbled; nothing of it was used.
    BodyUnreadable,
    /// A day the question does not take (a holiday, a closed day of the week …).
    DayNotAllowed(DayProblem),
    /// Too late to apply for the chosen day: the last day was `deadline`.
    PastDeadline {
        deadline: Date,
    },
    /// Must be the same as the answer to `other` (an email address typed twice).
    NotSame {
        other: Localized,
    },
    /// An option that cannot be chosen with the other answers given.
    OptionUnavailable,
    /// Not exactly `count` digits.
    InvalidDigits {
        count: usize,
    },
    /// Not in the form the question asks for; the author's message says which.
    PatternMismatch,
    /// The postal code is not in `municipality`; `can_explain`: a reason question may say why.
    OutsideMunicipality {
        municipality: String,
        can_explain: bool,
    },
    /// This answer makes the resident ineligible: the form ends with the stop's message.
    Ineligible {
        stop: String,
        message: Localized,
    },
}

impl Problem {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::TooLong { .. } => "too_long",
            Self::TooSmall { .. } => "too_small",
            Self::TooLarge { .. } => "too_large",
            Self::DateTooEarly { .. } => "date_too_early",
            Self::DateTooLate { .. } => "date_too_late",
            Self::InvalidNumber => "invalid_number",
            Self::InvalidDate | Self::InvalidWareki { .. } => "invalid_date",
            Self::InvalidOption => "invalid_option",
            Self::InvalidEmail => "invalid_email",
            Self::InvalidPhone | Self::PhoneLength { .. } => "invalid_phone",
            Self::InvalidPostalCode => "invalid_postal_code",
            Self::InvalidCorporateNumber => "invalid_corporate_number",
            Self::UnknownPostalCode => "unknown_postal_code",
            Self::InvalidMyNumber => "invalid_my_number",
            Self::InvalidBankCode => "invalid_bank_code",
            Self::InvalidBranchCode => "invalid_branch_code",
            Self::InvalidAccountNumber => "invalid_account_number",
            Self::InvalidKana { .. } => "invalid_kana",
            Self::InvalidType { .. } => "invalid_type",
            Self::NotApplicable => "not_applicable",
            Self::UnknownField => "unknown_field",
            Self::TooFewItems { .. } => "too_few_items",
            Self::TooManyItems { .. } => "too_many_items",
            Self::Duplicate => "duplicate",
            Self::FileType { .. } => "file_type",
            Self::FileTooLarge { .. } => "file_too_large",
            Self::FileDamaged { .. } => "file_damaged",
            Self::TooManyFiles { .. } => "too_many_files",
            Self::UnknownAttachment => "unknown_attachment",
            Self::ControlCharacter { .. } => "control_character",
            Self::BidiControl { .. } => "bidi_control",
            Self::InvisibleOnly => "invisible_only",
            Self::BodyTooLarge { .. } => "body_too_large",
            Self::BodyUnreadable => "body_unreadable",
            Self::DayNotAllowed(_) => "day_not_allowed",
            Self::PastDeadline { .. } => "past_deadline",
            Self::NotSame { .. } => "not_same",
            Self::OptionUnavailable => "option_unavailable",
            Self::InvalidDigits { .. } => "invalid_digits",
            Self::PatternMismatch => "pattern",
            Self::Ineligible { .. } => "ineligible",
            Self::OutsideMunicipality { .. } => "outside_municipality",
        }
    }
}

/// Where an answer sits: a question id, then item indices and question ids inside groups.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldPath(pub Vec<Segment>);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Field(String),
    Item(usize),
}

impl FieldPath {
    pub fn field(id: &str) -> Self {
        Self(vec![Segment::Field(id.to_owned())])
    }

    pub fn child(&self, segment: Segment) -> Self {
        let mut segments = self.0.clone();
        segments.push(segment);
        Self(segments)
    }

    /// The path a form control names, without its `f.` prefix: `children.1.certificate`.
    pub fn from_control(name: &str) -> Self {
        Self(
            name.split('.')
                .map(|s| match s.parse() {
                    Ok(i) => Segment::Item(i),
                    Err(_) => Segment::Field(s.to_owned()),
                })
                .collect(),
        )
    }

    /// The question this path names, looked up through groups.
    pub fn resolve<'p>(&self, procedure: &'p Procedure) -> Option<&'p Field> {
        let mut fields: Vec<&Field> = procedure.fields().map(|(_, f)| f).collect();
        let mut found = None;
        for segment in &self.0 {
            if let Segment::Field(id) = segment {
                let Some(field) = fields.iter().find(|f| f.id.as_str() == id) else {
                    // A part of a compound answer (`applicant.family_kana`) is its question's.
                    return found.filter(|f: &&Field| f.kind.is_compound());
                };
                found = Some(*field);
                fields = match &field.kind {
                    FieldKind::Group(g) => g.fields.iter().collect(),
                    _ => Vec::new(),
                };
            }
        }
        found
    }

    /// The part of a compound answer the path names (`family_kana` in `applicant.family_kana`).
    pub fn part(&self, procedure: &Procedure) -> Option<&str> {
        let field = self.resolve(procedure)?;
        match self.0.last() {
            Some(Segment::Field(id)) if field.id.as_str() != id => Some(id),
            _ => None,
        }
    }

    /// The index of the group item the path passes through, if any (for 「2人目の…」).
    pub fn item_index(&self) -> Option<usize> {
        self.0.iter().find_map(|s| match s {
            Segment::Item(i) => Some(*i),
            Segment::Field(_) => None,
        })
    }

    /// The form control name prefix used by web pages: `f.children.1.name`.
    pub fn form_name(&self) -> String {
        let mut out = String::from("f");
        for segment in &self.0 {
            out.push('.');
            match segment {
                Segment::Field(id) => out.push_str(id),
                Segment::Item(i) => out.push_str(&i.to_string()),
            }
        }
        out
    }

    /// An HTML id for the control: `f-children-1-name`.
    pub fn html_id(&self) -> String {
        self.form_name().replace('.', "-")
    }
}

/// `children[1].name`, the form the JSON API reports.
impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Field(id) if i == 0 => write!(f, "{id}")?,
                Segment::Field(id) => write!(f, ".{id}")?,
                Segment::Item(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub path: FieldPath,
    pub problem: Problem,
}

impl FieldError {
    pub fn new(path: FieldPath, problem: Problem) -> Self {
        Self { path, problem }
    }
}

/// Japanese phone numbers in canonical form: 10 or 11 digits starting with 0.
pub fn is_valid_phone_digits(s: &str) -> bool {
    (10..=11).contains(&s.len()) && s.starts_with('0') && s.bytes().all(|b| b.is_ascii_digit())
}

/// The longest 姓 or 名 (or reading) a name question takes.
pub const NAME_PART_MAX: usize = 50;
/// 口座名義 as 全銀 transfer records hold it.
pub const HOLDER_MAX: usize = 48;

/// Katakana in the one form the server stores: full-width, single full-width spaces between
/// words, nothing before or after. The JSON Schema pattern [`KANA_PATTERN`] says the same.
fn kana_problem(s: &str) -> Option<Problem> {
    match madoguchi_jp::kana::Katakana::parse(s) {
        Ok(k) if k.as_str() == s => None,
        Ok(_) | Err(madoguchi_jp::kana::KanaError::Empty) => Some(Problem::InvalidKana {
            found: String::new(),
        }),
        Err(madoguchi_jp::kana::KanaError::NotKana(found)) => Some(Problem::InvalidKana { found }),
    }
}

pub const KANA_PATTERN: &str = r"^[ァ-ヶー・ヽヾ]+(\u3000[ァ-ヶー・ヽヾ]+)*$";

/// Postal codes that must be in the municipality and are not (without the reason the ward
/// accepts). `is_local` answers from Japan Post's data whether a code is the municipality's
/// (`None` for a code it does not know, which the postal-code check reports). With
/// `only_step`, only that step's questions.
pub fn check_residence(
    procedure: &Procedure,
    answers: &Answers,
    only_step: Option<&Step>,
    municipality: &str,
    is_local: impl Fn(&str) -> Option<bool>,
) -> Vec<FieldError> {
    procedure
        .steps
        .iter()
        .filter(|s| only_step.is_none_or(|o| o.id == s.id))
        .flat_map(|s| s.fields.iter())
        .filter_map(|field| {
            let FieldKind::PostalCode {
                residence: Some(residence),
                ..
            } = &field.kind
            else {
                return None;
            };
            let Some(Answer::Text(code)) = answers.get(field.id.as_str()) else {
                return None;
            };
            let explained = residence
                .reason_field
                .as_ref()
                .is_some_and(|r| answers.contains(r.as_str()));
            (is_local(code) == Some(false) && !explained).then(|| {
                FieldError::new(
                    FieldPath::field(field.id.as_str()),
                    Problem::OutsideMunicipality {
                        municipality: municipality.to_owned(),
                        can_explain: residence.reason_field.is_some(),
                    },
                )
            })
        })
        .collect()
}

/// The eligibility stop these answers reach, if any: the form then ends there.
pub fn stop_for<'p>(procedure: &'p Procedure, answers: &Answers) -> Option<&'p Stop> {
    procedure.stops.iter().find(|s| s.when.eval(answers))
}

/// Whether a step applies to these answers.
pub fn step_applies(step: &Step, answers: &Answers) -> bool {
    step.show_if.as_ref().is_none_or(|c| c.eval(answers))
}

fn field_applies(field: &Field, answers: &Answers) -> bool {
    field.show_if.as_ref().is_none_or(|c| c.eval(answers))
}

/// Whether a question of a group item applies: its condition may read the item's own answers
/// (a guardian asked only for a child who lives apart) as well as the top-level ones.
pub fn item_field_applies(field: &Field, item: &Answers, root: &Answers) -> bool {
    field
        .show_if
        .as_ref()
        .is_none_or(|c| c.eval_in_item(item, root))
}

/// The steps that apply, in order.
pub fn applicable_steps<'p>(procedure: &'p Procedure, answers: &Answers) -> Vec<&'p Step> {
    procedure
        .steps
        .iter()
        .filter(|s| step_applies(s, answers))
        .collect()
}

/// The condition under which a question applies: its step's and its own.
pub fn effective_condition(step: &Step, field: &Field) -> Option<Condition> {
    Condition::and(step.show_if.as_ref(), field.show_if.as_ref())
}

/// Drops answers to questions that no longer apply (a resident went back and changed an
/// earlier answer). Repeats until stable, since dropping one answer can make another lapse.
pub fn prune(procedure: &Procedure, answers: &Answers) -> Answers {
    let mut current = answers.clone();
    loop {
        let mut next = Answers::default();
        for (step, field) in procedure.fields() {
            let Some(answer) = current.get(field.id.as_str()) else {
                continue;
            };
            if step_applies(step, &current) && field_applies(field, &current) {
                next.insert(field.id.as_str(), prune_group(field, answer, &current));
            }
        }
        if next == current {
            return next;
        }
        current = next;
    }
}

fn prune_group(field: &Field, answer: &Answer, root: &Answers) -> Answer {
    match (&field.kind, answer) {
        (FieldKind::Group(group), Answer::Group(items)) => Answer::Group(
            items
                .iter()
                .map(|item| {
                    item.iter()
                        .filter(|(id, _)| {
                            group
                                .field(id)
                                .is_some_and(|f| item_field_applies(f, item, root))
                        })
                        .map(|(id, a)| (id.clone(), a.clone()))
                        .collect()
                })
                .collect(),
        ),
        _ => answer.clone(),
    }
}

/// Checks answers against the procedure: every applicable required question answered, no
/// answer to a question that does not apply, every value within its limits. With `only_step`,
/// only that step's questions are checked (a question page); without, all of them (submission).
pub fn check(
    procedure: &Procedure,
    answers: &Answers,
    only_step: Option<&Step>,
    today: Date,
) -> Vec<FieldError> {
    let ctx = Ctx {
        procedure,
        root: answers,
        item: None,
        today,
    };
    let mut errors = Vec::new();
    for step in &procedure.steps {
        if only_step.is_some_and(|s| s.id != step.id) {
            continue;
        }
        let step_on = step_applies(step, answers);
        for field in &step.fields {
            let applies = step_on && field_applies(field, answers);
            check_field(
                field,
                answers.get(field.id.as_str()),
                applies,
                &ctx,
                &FieldPath::field(field.id.as_str()),
                &mut errors,
            );
        }
    }
    if only_step.is_none()
        && let Some(stop) = stop_for(procedure, answers)
    {
        errors.push(stop_error(stop));
    }
    errors
}

/// A stop reported at the first question its condition reads, so that an API client can show
/// the message there.
fn stop_error(stop: &Stop) -> FieldError {
    let path = stop
        .when
        .fields()
        .first()
        .map_or_else(FieldPath::default, |id| FieldPath::field(id.as_str()));
    FieldError::new(
        path,
        Problem::Ineligible {
            stop: stop.id.clone(),
            message: stop.message.clone(),
        },
    )
}

/// What every check can see: the definition, all the answers (conditions and limits refer to
/// them), the group item being checked (whose own answers come first), and today's date in
/// Japan (for limits such as "not after today").
struct Ctx<'a> {
    procedure: &'a Procedure,
    root: &'a Answers,
    item: Option<(&'a Group, &'a Answers)>,
    today: Date,
}

impl<'a> Ctx<'a> {
    /// Another answer a rule refers to: in the same group item first, then at the top.
    fn answer(&self, id: &FieldId) -> Option<&'a Answer> {
        self.item
            .and_then(|(_, item)| item.get(id.as_str()))
            .or_else(|| self.root.get(id.as_str()))
    }

    fn question(&self, id: &FieldId) -> Option<&'a Field> {
        self.item
            .and_then(|(group, _)| group.field(id.as_str()))
            .or_else(|| self.procedure.field(id.as_str()))
    }

    /// A number another answer gives: its value, or an attribute of the option chosen.
    fn number(&self, source: &NumberSource) -> Option<i64> {
        match source {
            NumberSource::Answer(id) => match self.answer(id)? {
                Answer::Number(n) => Some(*n),
                _ => None,
            },
            NumberSource::OptionAttribute { field, attribute } => {
                let Answer::Choice(chosen) = self.answer(field)? else {
                    return None;
                };
                let FieldKind::Choice { options, .. } = &self.question(field)?.kind else {
                    return None;
                };
                options
                    .iter()
                    .find(|o| &o.value == chosen)?
                    .attributes
                    .get(attribute)
                    .copied()
            }
        }
    }
}

fn check_field(
    field: &Field,
    answer: Option<&Answer>,
    applies: bool,
    ctx: &Ctx<'_>,
    path: &FieldPath,
    errors: &mut Vec<FieldError>,
) {
    match (applies, answer) {
        (false, Some(_)) => errors.push(FieldError::new(path.clone(), Problem::NotApplicable)),
        (true, None) if field.required => {
            errors.push(FieldError::new(path.clone(), Problem::Required))
        }
        (true, Some(answer)) => {
            let before = errors.len();
            check_value(field, answer, ctx, path, errors);
            if errors.len() == before {
                check_same(field, answer, ctx, path, errors);
            }
        }
        _ => {}
    }
}

/// `same_as`: the answer equals the other question's, when that one is answered.
fn check_same(
    field: &Field,
    answer: &Answer,
    ctx: &Ctx<'_>,
    path: &FieldPath,
    errors: &mut Vec<FieldError>,
) {
    let Some(other) = &field.same_as else { return };
    if ctx.answer(other).is_some_and(|a| a != answer) {
        let label = ctx
            .question(other)
            .map(|f| f.label.clone())
            .unwrap_or_default();
        errors.push(FieldError::new(
            path.clone(),
            Problem::NotSame { other: label },
        ));
    }
}

fn check_value(
    field: &Field,
    answer: &Answer,
    ctx: &Ctx<'_>,
    path: &FieldPath,
    errors: &mut Vec<FieldError>,
) {
    // Every stored string passed the text rule when it was read; checking again here keeps
    // any path into storage from skipping it.
    let lines = match field.kind {
        FieldKind::LongText { .. } => Lines::Many,
        _ => Lines::One,
    };
    if let Answer::Text(s) = answer
        && let Some(problem) = text_problem(s, lines)
    {
        errors.push(FieldError::new(path.clone(), problem));
        return;
    }
    let mut fail = |problem| errors.push(FieldError::new(path.clone(), problem));
    match (&field.kind, answer) {
        (
            FieldKind::Text {
                max_length,
                pattern,
            },
            Answer::Text(s),
        ) => {
            if s.chars().count() > *max_length {
                fail(Problem::TooLong { max: *max_length });
            } else if let Some(problem) = pattern.as_ref().and_then(|p| pattern_problem(p, s)) {
                fail(problem);
            }
        }
        (FieldKind::LongText { max_length }, Answer::Text(s)) => {
            if s.chars().count() > *max_length {
                fail(Problem::TooLong { max: *max_length });
            }
        }
        (
            FieldKind::Number {
                min,
                max,
                min_from,
                max_from,
                ..
            },
            Answer::Number(n),
        ) => {
            let from = |source: &Option<NumberSource>| source.as_ref().and_then(|s| ctx.number(s));
            let lowest = [*min, from(min_from)].into_iter().flatten().max();
            let highest = [*max, from(max_from)].into_iter().flatten().min();
            if let Some(min) = lowest.filter(|m| n < m) {
                fail(Problem::TooSmall { min });
            } else if let Some(max) = highest.filter(|m| n > m) {
                fail(Problem::TooLarge { max });
            }
        }
        (
            FieldKind::Date {
                min,
                max,
                days,
                deadline,
            },
            Answer::Date(d),
        ) => {
            let (min, max) =
                date_window(min.as_ref(), max.as_ref(), ctx.today, |id| ctx.answer(id));
            if *d < min {
                fail(Problem::DateTooEarly { min });
            } else if *d > max {
                fail(Problem::DateTooLate { max });
            } else if let Some(problem) = days.as_ref().and_then(|r| r.problem(*d)) {
                fail(Problem::DayNotAllowed(problem));
            } else if let Some(last) = deadline.and_then(|dl| dl.last_day(*d))
                && ctx.today > last
            {
                fail(Problem::PastDeadline { deadline: last });
            }
        }
        (
            FieldKind::Choice {
                options,
                multiple: false,
                ..
            },
            Answer::Choice(v),
        ) => match options.iter().find(|o| &o.value == v) {
            None => fail(Problem::InvalidOption),
            Some(option) if !option.available(ctx.root) => fail(Problem::OptionUnavailable),
            Some(_) => {}
        },
        (
            FieldKind::Choice {
                options,
                multiple: true,
                ranked,
                ..
            },
            Answer::Choices(values),
        ) => {
            let unique: HashSet<_> = values.iter().collect();
            if values.is_empty() {
                fail(Problem::Required);
            } else if ranked.is_some() && unique.len() != values.len() {
                fail(Problem::Duplicate);
            } else if let Some(max) = ranked.filter(|n| values.len() > *n) {
                fail(Problem::TooManyItems { max });
            } else if unique.len() != values.len()
                || !values.iter().all(|v| options.iter().any(|o| &o.value == v))
            {
                fail(Problem::InvalidOption);
            } else if options
                .iter()
                .any(|o| values.contains(&o.value) && !o.available(ctx.root))
            {
                fail(Problem::OptionUnavailable);
            }
        }
        (FieldKind::YesNo, Answer::YesNo(_)) => {}
        (FieldKind::Kana { max_length }, Answer::Text(s)) => {
            if let Some(problem) = kana_problem(s) {
                fail(problem);
            } else if s.chars().count() > *max_length {
                fail(Problem::TooLong { max: *max_length });
            }
        }
        (FieldKind::PostalCode { .. }, Answer::Text(s)) => {
            if s.len() != 7 || !s.bytes().all(|b| b.is_ascii_digit()) {
                fail(Problem::InvalidPostalCode);
            }
        }
        (FieldKind::CorporateNumber, Answer::Text(s)) => {
            let canonical =
                madoguchi_jp::checkdigit::CorporateNumber::parse(s).is_ok_and(|n| n.as_str() == s);
            if !canonical {
                fail(Problem::InvalidCorporateNumber);
            }
        }
        (FieldKind::Name { kana }, Answer::Name(name)) => check_name(name, *kana, path, errors),
        (FieldKind::BankAccount, Answer::BankAccount(account)) => {
            check_bank_account(account, path, errors)
        }
        // An entered number was checked when it was read; a sealed one when it was entered.
        (FieldKind::MyNumber, Answer::MyNumber(_)) => {}
        (FieldKind::Email, Answer::Text(s)) => {
            if !is_valid_email(s) {
                fail(Problem::InvalidEmail);
            }
        }
        (FieldKind::Phone, Answer::Text(s)) => {
            if !is_valid_phone_digits(s) {
                fail(Problem::InvalidPhone);
            }
        }
        (
            FieldKind::File {
                accept,
                max_bytes,
                max_files,
            },
            Answer::Files(files),
        ) => {
            check_files(files, accept, *max_bytes, *max_files, &mut fail);
        }
        (FieldKind::Group(group), Answer::Group(items)) => {
            check_group(group, items, ctx, path, errors)
        }
        (kind, _) => fail(Problem::InvalidType {
            expected: kind.type_name(),
        }),
    }
}

/// What is wrong with a one-line answer for the question's pattern, if anything.
fn pattern_problem(pattern: &TextPattern, s: &str) -> Option<Problem> {
    match pattern {
        TextPattern::Digits(count) => (s.len() != *count || !s.bytes().all(|b| b.is_ascii_digit()))
            .then_some(Problem::InvalidDigits { count: *count }),
        TextPattern::Regex(regex) => (!regex.matches(s)).then_some(Problem::PatternMismatch),
    }
}

fn check_name(name: &PersonName, kana: NameKana, path: &FieldPath, errors: &mut Vec<FieldError>) {
    let mut fail = |part: &str, problem| {
        errors.push(FieldError::new(
            path.child(Segment::Field(part.to_owned())),
            problem,
        ))
    };
    let latin = name.is_latin();
    for part in PersonName::PARTS {
        let value = name.part(part);
        let is_kana = part.ends_with("_kana");
        let needed = match part {
            "family" => true,
            "given" => !latin,
            "family_kana" => kana.required_for(latin),
            _ => kana.required_for(latin) && !name.given.is_empty(),
        };
        if value.is_empty() {
            if needed {
                fail(part, Problem::Required);
            }
        } else if let Some(problem) = text_problem(value, Lines::One) {
            fail(part, problem);
        } else if is_kana && let Some(problem) = kana_problem(value) {
            fail(part, problem);
        } else if value.chars().count() > NAME_PART_MAX {
            fail(part, Problem::TooLong { max: NAME_PART_MAX });
        }
    }
}

fn check_bank_account(account: &BankAccount, path: &FieldPath, errors: &mut Vec<FieldError>) {
    let mut fail = |part: &str, problem| {
        errors.push(FieldError::new(
            path.child(Segment::Field(part.to_owned())),
            problem,
        ))
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(&account.bank_code, 4) {
        fail("bank_code", Problem::InvalidBankCode);
    }
    if !digits(&account.branch_code, 3) {
        fail("branch_code", Problem::InvalidBranchCode);
    }
    if !digits(&account.account_number, 7) {
        fail("account_number", Problem::InvalidAccountNumber);
    }
    if let Some(problem) = kana_problem(&account.holder_kana) {
        fail("holder_kana", problem);
    } else if account.holder_kana.chars().count() > HOLDER_MAX {
        fail("holder_kana", Problem::TooLong { max: HOLDER_MAX });
    }
}

fn check_files(
    files: &[FileRef],
    accept: &[FileType],
    max_bytes: u64,
    max_files: usize,
    fail: &mut impl FnMut(Problem),
) {
    if files.is_empty() {
        fail(Problem::Required);
    } else if files.len() > max_files {
        fail(Problem::TooManyFiles { max: max_files });
    } else if files.iter().any(|f| !accept.contains(&f.content_type)) {
        fail(Problem::FileType {
            accepted: accept.to_vec(),
        });
    } else if files.iter().any(|f| f.size > max_bytes) {
        fail(Problem::FileTooLarge { max_bytes });
    }
}

fn check_group(
    group: &Group,
    items: &[Answers],
    ctx: &Ctx<'_>,
    path: &FieldPath,
    errors: &mut Vec<FieldError>,
) {
    let bounded = group
        .max_items_from
        .as_ref()
        .and_then(|id| match ctx.root.get(id.as_str()) {
            Some(Answer::Number(n)) => usize::try_from(*n).ok(),
            _ => None,
        });
    if items.len() < group.min_items {
        errors.push(FieldError::new(
            path.clone(),
            Problem::TooFewItems {
                min: group.min_items,
            },
        ));
    } else if items.len() > group.max_items {
        errors.push(FieldError::new(
            path.clone(),
            Problem::TooManyItems {
                max: group.max_items,
            },
        ));
    } else if let Some(max) = bounded.filter(|max| items.len() > *max) {
        errors.push(FieldError::new(path.clone(), Problem::TooManyItems { max }));
    }
    for (index, item) in items.iter().enumerate() {
        let item_path = path.child(Segment::Item(index));
        for (id, _) in item.iter().filter(|(id, _)| group.field(id).is_none()) {
            errors.push(FieldError::new(
                item_path.child(Segment::Field(id.clone())),
                Problem::UnknownField,
            ));
        }
        let item_ctx = Ctx {
            item: Some((group, item)),
            ..*ctx
        };
        for field in &group.fields {
            let field_path = item_path.child(Segment::Field(field.id.as_str().to_owned()));
            check_field(
                field,
                item.get(field.id.as_str()),
                item_field_applies(field, item, ctx.root),
                &item_ctx,
                &field_path,
                errors,
            );
        }
    }
    if let Some(unique) = &group.unique_field {
        let mut seen = Vec::new();
        for (index, item) in items.iter().enumerate() {
            if let Some(answer) = item.get(unique.as_str()) {
                if seen.contains(&answer) {
                    let p = path
                        .child(Segment::Item(index))
                        .child(Segment::Field(unique.as_str().to_owned()));
                    errors.push(FieldError::new(p, Problem::Duplicate));
                }
                seen.push(answer);
            }
        }
    }
}

/// Reads the API's answers object: types strictly as the published JSON Schema states them,
/// then every rule of [`check`]. Files name stored attachments; whether those exist is checked
/// by the application layer, which owns storage.
pub fn parse_json(
    procedure: &Procedure,
    value: &Value,
    today: Date,
) -> Result<Answers, Vec<FieldError>> {
    let Some(object) = value.as_object() else {
        return Err(vec![FieldError::new(
            FieldPath::default(),
            Problem::InvalidType { expected: "object" },
        )]);
    };
    let top: Vec<&Field> = procedure.fields().map(|(_, f)| f).collect();
    let mut errors = Vec::new();
    let answers = parse_object(
        &top,
        object,
        &FieldPath::default(),
        Source::Api,
        &mut errors,
    );
    let errors = with_checks(errors, check(procedure, &answers, None, today));
    if errors.is_empty() {
        Ok(answers)
    } else {
        Err(errors)
    }
}

/// The problems found while reading, then those `check` found that are not mere consequences
/// of them (an unreadable answer is also a missing one): every channel reports the same list.
pub fn with_checks(mut read: Vec<FieldError>, checked: Vec<FieldError>) -> Vec<FieldError> {
    let unreadable: Vec<FieldPath> = read.iter().map(|e| e.path.clone()).collect();
    read.extend(checked.into_iter().filter(|e| {
        !unreadable.iter().any(|p| {
            e.path.0.starts_with(&p.0)
                || (e.problem == Problem::Required && p.0.starts_with(&e.path.0))
        })
    }));
    read
}

/// Where an answers object comes from. Only stored answers may hold a sealed 個人番号: a
/// client cannot hand the server ciphertext.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Api,
    Stored,
}

fn parse_object(
    fields: &[&Field],
    object: &serde_json::Map<String, Value>,
    path: &FieldPath,
    source: Source,
    errors: &mut Vec<FieldError>,
) -> Answers {
    let mut answers = Answers::default();
    for (key, value) in object {
        let field_path = path.child(Segment::Field(key.clone()));
        match fields.iter().find(|f| f.id.as_str() == key) {
            None => errors.push(FieldError::new(field_path, Problem::UnknownField)),
            Some(field) => {
                match parse_json_value(&field.kind, value, &field_path, source, errors) {
                    // Nothing typed, nothing ticked, no file: the question is unanswered, as on
                    // the web; `check` says so if it needs an answer.
                    Err(Problem::Required) => {}
                    Ok(Answer::Choices(c)) if c.is_empty() => {}
                    Ok(Answer::Files(f)) if f.is_empty() => {}
                    Ok(answer) => answers.insert(key.clone(), answer),
                    Err(problem) => errors.push(FieldError::new(field_path, problem)),
                }
            }
        }
    }
    answers
}

fn parse_json_value(
    kind: &FieldKind,
    value: &Value,
    path: &FieldPath,
    source: Source,
    errors: &mut Vec<FieldError>,
) -> Result<Answer, Problem> {
    let wrong_type = || Problem::InvalidType {
        expected: kind.type_name(),
    };
    let text = || value.as_str().ok_or_else(wrong_type);
    match kind {
        // Strings are read as the web reads what people type: one reader per kind.
        FieldKind::Text { .. }
        | FieldKind::LongText { .. }
        | FieldKind::Kana { .. }
        | FieldKind::Email
        | FieldKind::Phone
        | FieldKind::PostalCode { .. }
        | FieldKind::CorporateNumber => match source {
            Source::Api => input::read_string(kind, text()?)?.ok_or(Problem::Required),
            // Stored answers are read as they were stored, whatever rules came later.
            Source::Stored => Ok(Answer::Text(text()?.to_owned())),
        },
        FieldKind::Number { .. } => json_integer(value)
            .map(Answer::Number)
            .ok_or_else(wrong_type),
        FieldKind::Date { .. } => parse_iso_date(text()?)
            .map(Answer::Date)
            .ok_or(Problem::InvalidDate),
        FieldKind::Choice {
            multiple: false, ..
        } => Ok(Answer::Choice(text()?.to_owned())),
        FieldKind::Choice { multiple: true, .. } => {
            let items = value.as_array().ok_or_else(wrong_type)?;
            let strings: Option<Vec<String>> = items
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect();
            strings.map(Answer::Choices).ok_or_else(wrong_type)
        }
        FieldKind::YesNo => value.as_bool().map(Answer::YesNo).ok_or_else(wrong_type),
        FieldKind::File { .. } => {
            let items = value.as_array().ok_or_else(wrong_type)?;
            let files = items
                .iter()
                .map(|item| json_file_ref(item).ok_or_else(wrong_type))
                .collect::<Result<Vec<FileRef>, Problem>>()?;
            if let Some(problem) = files.iter().find_map(|f| text_problem(&f.name, Lines::One)) {
                return Err(problem);
            }
            Ok(Answer::Files(files))
        }
        FieldKind::Group(group) => {
            let items = value.as_array().ok_or_else(wrong_type)?;
            let fields: Vec<&Field> = group.fields.iter().collect();
            let mut parsed = Vec::with_capacity(items.len());
            for (index, item) in items.iter().enumerate() {
                let item_path = path.child(Segment::Item(index));
                match item.as_object() {
                    Some(object) => {
                        parsed.push(parse_object(&fields, object, &item_path, source, errors))
                    }
                    None => errors.push(FieldError::new(
                        item_path,
                        Problem::InvalidType { expected: "object" },
                    )),
                }
            }
            Ok(Answer::Group(parsed))
        }
        // Every part blank is no answer, as four empty boxes are none on the web.
        FieldKind::Name { .. } | FieldKind::BankAccount
            if source == Source::Api && all_parts_blank(kind, value) =>
        {
            Err(Problem::Required)
        }
        FieldKind::Name { .. } => {
            let reader = (source == Source::Api).then_some(input::read_name_part as PartReader);
            let parts = json_parts(value, &PersonName::PARTS, path, reader, errors)
                .ok_or_else(wrong_type)?;
            let mut name = PersonName::default();
            for (key, text) in parts {
                if let Some(slot) = name.part_mut(key) {
                    *slot = text;
                }
            }
            Ok(Answer::Name(name))
        }
        FieldKind::BankAccount => {
            let reader = (source == Source::Api).then_some(input::read_account_part as PartReader);
            let parts = json_parts(value, &BANK_ACCOUNT_PARTS, path, reader, errors)
                .ok_or_else(wrong_type)?;
            let get = |key: &str| {
                parts
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, v)| v.clone())
            };
            let part_path = |key: &str| path.child(Segment::Field(key.to_owned()));
            for key in BANK_ACCOUNT_PARTS.iter().filter(|k| get(k).is_none()) {
                if !errors.iter().any(|e| e.path == part_path(key)) {
                    errors.push(FieldError::new(part_path(key), Problem::Required));
                }
            }
            let account_type = match get("account_type") {
                None => AccountType::Ordinary,
                Some(key) => account_type_from_key(&key).unwrap_or_else(|| {
                    errors.push(FieldError::new(
                        part_path("account_type"),
                        Problem::InvalidOption,
                    ));
                    AccountType::Ordinary
                }),
            };
            Ok(Answer::BankAccount(BankAccount {
                bank_code: get("bank_code").unwrap_or_default(),
                branch_code: get("branch_code").unwrap_or_default(),
                account_type,
                account_number: get("account_number").unwrap_or_default(),
                holder_kana: get("holder_kana").unwrap_or_default(),
            }))
        }
        FieldKind::MyNumber => match (value, source) {
            (Value::String(s), Source::Api) => {
                input::read_string(kind, s)?.ok_or(Problem::Required)
            }
            (Value::String(_), Source::Stored) => Err(wrong_type()),
            (Value::Object(o), Source::Stored) => {
                let text = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_owned);
                match (text("last4"), text("sealed")) {
                    (Some(last4), Some(ciphertext)) => {
                        Ok(Answer::MyNumber(MyNumberAnswer::Sealed(SealedNumber {
                            last4,
                            ciphertext,
                        })))
                    }
                    _ => Err(wrong_type()),
                }
            }
            _ => Err(wrong_type()),
        },
    }
}

/// The string parts of a compound answer (a name, an account), each read by `read` (client
/// input) or as stored: unknown keys, non-strings and unreadable parts are reported at the
/// part, blank parts left out; `None` if the value is not an object at all.
fn json_parts<'k>(
    value: &Value,
    keys: &[&'k str],
    path: &FieldPath,
    read: Option<PartReader>,
    errors: &mut Vec<FieldError>,
) -> Option<Vec<(&'k str, String)>> {
    let object = value.as_object()?;
    let mut parts = Vec::new();
    for (key, part) in object {
        let part_path = path.child(Segment::Field(key.clone()));
        let Some(known) = keys.iter().find(|k| **k == key) else {
            errors.push(FieldError::new(part_path, Problem::UnknownField));
            continue;
        };
        let Some(s) = part.as_str() else {
            errors.push(FieldError::new(
                part_path,
                Problem::InvalidType { expected: "string" },
            ));
            continue;
        };
        match read.map_or_else(|| Ok(Some(s.to_owned())), |read| read(known, s)) {
            Ok(Some(value)) => parts.push((*known, value)),
            // A blank part is an unanswered one; the question's own check says if it is needed.
            Ok(None) => {}
            Err(problem) => errors.push(FieldError::new(part_path, problem)),
        }
    }
    Some(parts)
}

/// Whether a compound answer is an object of its own parts with nothing typed in any.
fn all_parts_blank(kind: &FieldKind, value: &Value) -> bool {
    let keys: &[&str] = match kind {
        FieldKind::Name { .. } => &PersonName::PARTS,
        _ => &BANK_ACCOUNT_PARTS,
    };
    value.as_object().is_some_and(|object| {
        object.iter().all(|(key, part)| {
            keys.contains(&key.as_str()) && part.as_str().is_some_and(input::is_blank)
        })
    })
}

/// How the parts of a compound answer are read from what a client sent.
type PartReader = fn(&str, &str) -> Result<Option<String>, Problem>;

/// JSON Schema's `integer` includes `3.0`; so does the server.
fn json_integer(value: &Value) -> Option<i64> {
    value.as_i64().or_else(|| {
        let f = value.as_f64()?;
        (f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
    })
}

/// `{"attachment": "<sha256>", "name": "…"}`; size and type, where given, must be well formed,
/// and the application layer replaces them with what storage recorded.
fn json_file_ref(value: &Value) -> Option<FileRef> {
    let object = value.as_object()?;
    let sha256 = object.get("attachment")?.as_str()?;
    let valid_hash = sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    let name = object.get("name")?.as_str()?;
    let size = match object.get("size") {
        None => 0,
        Some(v) => v.as_u64()?,
    };
    let content_type = match object.get("content_type") {
        None => FileType::Pdf,
        Some(v) => FileType::from_mime(v.as_str()?)?,
    };
    valid_hash.then(|| FileRef {
        sha256: sha256.to_owned(),
        name: name.to_owned(),
        size,
        content_type,
    })
}

/// Reads the shape of an answers object: each value as its question's type, nothing more.
/// Answers stored by this system (drafts, applications) were checked when stored, so this is
/// all they need; a problem then means the stored row is corrupt.
pub fn read_stored(procedure: &Procedure, value: &Value) -> Result<Answers, Vec<FieldError>> {
    read(procedure, value, Source::Stored)
}

fn read(procedure: &Procedure, value: &Value, source: Source) -> Result<Answers, Vec<FieldError>> {
    let Some(object) = value.as_object() else {
        return Err(vec![FieldError::new(
            FieldPath::default(),
            Problem::InvalidType { expected: "object" },
        )]);
    };
    let top: Vec<&Field> = procedure.fields().map(|(_, f)| f).collect();
    let mut errors = Vec::new();
    let answers = parse_object(&top, object, &FieldPath::default(), source, &mut errors);
    if errors.is_empty() {
        Ok(answers)
    } else {
        Err(errors)
    }
}
