//! Catalog files: how digital-policy staff write procedures, and the checks that keep a typo
//! from reaching residents.
//!
//! A catalog is a folder: `catalog.toml` lists the categories and life events, and every other
//! `*.toml` file defines one procedure (the format is documented in `docs/catalog-format.md`).
//! Reading is IO-free: callers pass file names and contents. Every problem is reported with its
//! file, line and column, all at once, so that `madoguchi catalog check` is one round trip.

use crate::answers::{BANK_ACCOUNT_PARTS, PersonName};
use crate::condition::{CmpOp, Condition, Literal, Test};
use crate::ids::{FieldId, ProcedureId, StepId, is_valid_slug};
use crate::life_event::LifeEvent;
use crate::procedure::{
    Availability, ChangeCutoff, ChoiceOption, ChoiceStyle, DayOfWeek, Deadline, Department,
    ExportColumn, Field, FieldKind, FileType, Group, IdentityLevel, NameKana, Obstacle, Procedure,
    RequiredAttachment, Residence, Step, TextPattern,
};

mod fees;
mod life_events;

pub use life_events::COUNTER_EVENT;
mod rules;

pub use life_events::EVENT_SUFFIX;

use crate::text::Localized;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};
use std::fmt;

pub const INDEX_FILE: &str = "catalog.toml";

/// The keys every procedure needs, for the tests of other modules that need a procedure.
#[cfg(test)]
pub(crate) const TEST_HEADER: &str = "id = \"p\"\ntitle = \"P\"\nsummary = \"S\"\ncategory = \"c\"\neligibility = \"E\"\nprocessing_time = \"T\"\ndepartment = { id = \"d\", name = \"D\" }\n";

/// A procedure with these steps, for tests.
#[cfg(test)]
pub(crate) fn test_procedure(steps: &str) -> Procedure {
    parse_procedure("p.toml", &format!("{TEST_HEADER}{steps}")).unwrap_or_else(|e| panic!("{e:?}"))
}
const DEFAULT_MAX_LENGTH: usize = 200;
const DEFAULT_LONG_MAX_LENGTH: usize = 2000;
const DEFAULT_KANA_MAX_LENGTH: usize = 60;
const DEFAULT_MAX_FILE_MB: u64 = 10;

/// One problem in one file, at a line and column (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

/// A browsing dimension of the portal: a category (届出・証明, 子育て …) or a life event (引越し …).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    pub id: String,
    pub title: Localized,
    #[serde(default)]
    pub description: Option<Localized>,
}

/// A checked catalog: topics and procedures, in file-name order.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalog {
    pub categories: Vec<Topic>,
    pub life_events: Vec<Topic>,
    pub procedures: Vec<Procedure>,
    /// The life events with an interview (`*.event.toml`), in file-name order.
    pub events: Vec<LifeEvent>,
    /// The counter's own event, for procedures chosen directly (`counter_event`); not a
    /// resident's, so not among `events`. `None` when no procedure has questions.
    pub counter_event: Option<LifeEvent>,
}

impl Catalog {
    pub fn procedure(&self, id: &str) -> Option<&Procedure> {
        self.procedures.iter().find(|p| p.id.as_str() == id)
    }

    pub fn category(&self, id: &str) -> Option<&Topic> {
        self.categories.iter().find(|t| t.id == id)
    }

    pub fn life_event(&self, id: &str) -> Option<&Topic> {
        self.life_events.iter().find(|t| t.id == id)
    }

    /// A life event with its interview.
    pub fn event(&self, id: &str) -> Option<&LifeEvent> {
        self.events.iter().find(|e| e.id == id)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndex {
    categories: Vec<Topic>,
    #[serde(default)]
    life_events: Vec<Topic>,
}

/// Reads and checks a whole catalog from `(file name, contents)` pairs.
pub fn load(files: &[(String, String)]) -> Result<Catalog, Vec<CatalogError>> {
    let mut errors = Vec::new();
    let Some((_, index_src)) = files.iter().find(|(name, _)| name == INDEX_FILE) else {
        return Err(vec![CatalogError {
            file: INDEX_FILE.into(),
            line: 1,
            column: 1,
            message: "the catalog has no catalog.toml (categories and life events)".into(),
        }]);
    };
    let index: RawIndex = match toml::from_str(index_src) {
        Ok(index) => index,
        Err(e) => return Err(vec![syntax_error(INDEX_FILE, index_src, &e)]),
    };
    let mut procedures: Vec<Procedure> = Vec::new();
    let mut sorted: Vec<&(String, String)> = files
        .iter()
        .filter(|(name, _)| name != INDEX_FILE && !name.ends_with(EVENT_SUFFIX))
        .collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut event_files: Vec<&(String, String)> = files
        .iter()
        .filter(|(name, _)| name.ends_with(EVENT_SUFFIX))
        .collect();
    event_files.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, src) in sorted {
        match parse_procedure(name, src) {
            Ok(procedure) => {
                let mut locate = Locator::new(name, src);
                if !index.categories.iter().any(|c| c.id == procedure.category) {
                    errors.push(locate.at(
                        &[k("category")],
                        format!(
                            "category \"{}\" is not listed in catalog.toml",
                            procedure.category
                        ),
                    ));
                }
                for (i, event) in procedure.life_events.iter().enumerate() {
                    if !index.life_events.iter().any(|t| &t.id == event) {
                        errors.push(locate.at(
                            &[k("life_events"), n(i)],
                            format!("life event \"{event}\" is not listed in catalog.toml"),
                        ));
                    }
                }
                if procedures.iter().any(|p| p.id == procedure.id) {
                    errors.push(locate.at(
                        &[k("id")],
                        format!("procedure id \"{}\" is used by another file", procedure.id),
                    ));
                }
                procedures.push(procedure);
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    let mut events: Vec<LifeEvent> = Vec::new();
    for (name, src) in event_files {
        match life_events::parse_life_event(name, src, &index.life_events, &procedures) {
            Ok(event) if events.iter().any(|e| e.id == event.id) => {
                errors.push(Locator::new(name, src).at(
                    &[k("id")],
                    format!("life event \"{}\" is defined by another file", event.id),
                ));
            }
            Ok(event) => events.push(event),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    match life_events::counter_event(&procedures) {
        Ok(counter_event) => Ok(Catalog {
            categories: index.categories,
            life_events: index.life_events,
            procedures,
            events,
            counter_event,
        }),
        Err(e) => Err(e),
    }
}

/// Reads and checks one procedure file.
pub fn parse_procedure(file: &str, src: &str) -> Result<Procedure, Vec<CatalogError>> {
    let raw: RawProcedure = toml::from_str(src).map_err(|e| vec![syntax_error(file, src, &e)])?;
    let mut checker = Checker {
        locate: Locator::new(file, src),
        errors: Vec::new(),
        steps_key: "steps",
    };
    let procedure = checker.procedure(raw);
    match procedure {
        Some(p) if checker.errors.is_empty() => Ok(p),
        _ => Err(checker.errors),
    }
}

fn syntax_error(file: &str, src: &str, e: &toml::de::Error) -> CatalogError {
    let (line, column) = e.span().map_or((1, 1), |s| line_col(src, s.start));
    CatalogError {
        file: file.into(),
        line,
        column,
        message: e.message().trim().to_owned(),
    }
}

fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let before = &src[..offset.min(src.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// A step on the way to a value in the TOML document: a key or an array index.
#[derive(Debug, Clone, Copy)]
enum Key<'a> {
    Name(&'a str),
    Index(usize),
}

fn k(name: &str) -> Key<'_> {
    Key::Name(name)
}

fn n<'a>(index: usize) -> Key<'a> {
    Key::Index(index)
}

/// `base` followed by `more`: the path to a key inside a value.
fn join<'a>(base: &[Key<'a>], more: &[Key<'a>]) -> Vec<Key<'a>> {
    base.iter().chain(more).copied().collect()
}

/// Finds where a value stands in the source, for messages about well-formed but wrong files.
struct Locator<'s> {
    file: String,
    src: &'s str,
    doc: Option<toml::Spanned<toml::de::DeTable<'s>>>,
}

impl<'s> Locator<'s> {
    fn new(file: &str, src: &'s str) -> Self {
        Self {
            file: file.to_owned(),
            src,
            doc: toml::de::DeTable::parse(src).ok(),
        }
    }

    /// The error at the deepest part of `path` that exists in the document.
    fn at(&mut self, path: &[Key<'_>], message: String) -> CatalogError {
        let offset = self.offset(path);
        let (line, column) = line_col(self.src, offset);
        CatalogError {
            file: self.file.clone(),
            line,
            column,
            message,
        }
    }

    fn offset(&self, path: &[Key<'_>]) -> usize {
        let Some(doc) = &self.doc else { return 0 };
        let mut span = doc.span();
        let mut table = Some(doc.get_ref());
        let mut array: Option<&[toml::Spanned<toml::de::DeValue<'_>>]> = None;
        for key in path {
            let next = match (key, table, array) {
                (Key::Name(name), Some(t), _) => {
                    t.iter().find(|(k, _)| k.get_ref() == name).map(|(_, v)| v)
                }
                (Key::Index(i), _, Some(a)) => a.get(*i),
                _ => None,
            };
            let Some(value) = next else { break };
            span = value.span();
            table = value.get_ref().as_table();
            array = match value.get_ref() {
                toml::de::DeValue::Array(a) => Some(a),
                _ => None,
            };
        }
        span.start
    }
}

// ---- the file format ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProcedure {
    id: String,
    title: Localized,
    summary: Localized,
    category: String,
    #[serde(default)]
    life_events: Vec<String>,
    #[serde(default)]
    keywords: Vec<String>,
    eligibility: Localized,
    processing_time: Localized,
    department: RawDepartment,
    #[serde(default)]
    attachments: Vec<RawAttachment>,
    #[serde(default)]
    fee: Option<RawFee>,
    #[serde(default)]
    counter_only: Option<RawCounterOnly>,
    #[serde(default)]
    identity_level: Option<IdentityLevel>,
    #[serde(default)]
    annual_volume: Option<u32>,
    #[serde(default)]
    obstacles: Vec<Obstacle>,
    #[serde(default)]
    notify_email_field: Option<String>,
    #[serde(default)]
    steps: Vec<RawStep>,
    #[serde(default)]
    export: Vec<RawExport>,
    #[serde(default)]
    stops: Vec<RawStop>,
    #[serde(default)]
    changes_until: Option<RawChangeCutoff>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChangeCutoff {
    field: String,
    days_before: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStop {
    id: String,
    when: RawCondition,
    message: Localized,
    link: Option<RawStopLink>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStopLink {
    label: Localized,
    url: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDepartment {
    id: String,
    name: Localized,
    phone: Option<String>,
    email: Option<String>,
    hours: Option<Localized>,
    place: Option<Localized>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAttachment {
    title: Localized,
    description: Option<Localized>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFee {
    amount: Option<u32>,
    per_unit: Option<u32>,
    quantity_field: Option<String>,
    item_sum: Option<RawItemSum>,
    note: Option<Localized>,
    #[serde(default)]
    decided_by_staff: bool,
    #[serde(default)]
    parts: Vec<RawFeePart>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFeePart {
    label: Localized,
    amount: Option<u32>,
    per_unit: Option<u32>,
    quantity_field: Option<String>,
    option_fees: Option<String>,
    item_sum: Option<RawItemSum>,
    table: Option<RawFeeTable>,
    rate: Option<RawRate>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFeeTable {
    rows: String,
    columns: String,
    prices: BTreeMap<String, BTreeMap<String, u32>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRate {
    field: String,
    percent: BTreeMap<String, u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItemSum {
    group: String,
    item_field: String,
    quantity_field: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCounterOnly {
    reason: Localized,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    id: String,
    title: Localized,
    help: Option<Localized>,
    show_if: Option<RawCondition>,
    #[serde(default)]
    fields: Vec<RawField>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    label: Localized,
    help: Option<Localized>,
    #[serde(default)]
    required: bool,
    show_if: Option<RawCondition>,
    max_length: Option<usize>,
    min: Option<toml::Value>,
    max: Option<toml::Value>,
    unit: Option<Localized>,
    #[serde(default)]
    options: Vec<RawOption>,
    style: Option<ChoiceStyle>,
    accept: Option<Vec<FileType>>,
    max_size_mb: Option<u64>,
    max_files: Option<usize>,
    #[serde(default)]
    fields: Vec<RawField>,
    min_items: Option<usize>,
    max_items: Option<usize>,
    item_label: Option<Localized>,
    unique_field: Option<String>,
    address_field: Option<String>,
    kana: Option<NameKana>,
    #[serde(default)]
    messages: BTreeMap<String, Localized>,
    pattern: Option<String>,
    digits: Option<usize>,
    same_as: Option<String>,
    min_from: Option<RawNumberSource>,
    max_from: Option<RawNumberSource>,
    days: Option<RawDayRule>,
    deadline: Option<Deadline>,
    max_items_from: Option<String>,
    max_choices: Option<usize>,
    #[serde(default)]
    within_municipality: bool,
    outside_reason_field: Option<String>,
}

/// `{ field = "household_size" }`, or `{ field = "facility", attribute = "capacity" }`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNumberSource {
    field: String,
    attribute: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDayRule {
    #[serde(default)]
    weekdays: Vec<DayOfWeek>,
    #[serde(default)]
    days_of_month: Vec<u8>,
    #[serde(default)]
    not_holidays: bool,
    #[serde(default)]
    not_year_end: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOption {
    value: String,
    label: Localized,
    hint: Option<Localized>,
    fee: Option<u32>,
    #[serde(default)]
    attributes: BTreeMap<String, i64>,
    only_if: Option<RawCondition>,
    #[serde(default)]
    unknown: bool,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawCondition {
    all: Option<Vec<RawCondition>>,
    any: Option<Vec<RawCondition>>,
    not: Option<Box<RawCondition>>,
    field: Option<String>,
    equals: Option<toml::Value>,
    not_equals: Option<toml::Value>,
    one_of: Option<Vec<String>>,
    includes: Option<String>,
    gt: Option<toml::Value>,
    gte: Option<toml::Value>,
    lt: Option<toml::Value>,
    lte: Option<toml::Value>,
    answered: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExport {
    column: String,
    source: String,
}

/// Error codes an author may give their own message for.
const MESSAGE_CODES: &[&str] = &[
    "required",
    "too_long",
    "too_small",
    "too_large",
    "date_too_early",
    "date_too_late",
    "invalid_number",
    "invalid_date",
    "invalid_option",
    "invalid_email",
    "invalid_phone",
    "invalid_kana",
    "invalid_postal_code",
    "invalid_corporate_number",
    "too_few_items",
    "too_many_items",
    "duplicate",
    "file_type",
    "file_too_large",
    "too_many_files",
    "day_not_allowed",
    "past_deadline",
    "not_same",
    "option_unavailable",
    "invalid_digits",
    "pattern",
];

// ---- checking ----

struct Checker<'s> {
    locate: Locator<'s>,
    errors: Vec<CatalogError>,
    /// The key the questions being checked are under: `steps` in a procedure file,
    /// `interview` or `facts` in a life event's.
    steps_key: &'static str,
}

/// What a condition may refer to: the top-level questions asked before a given step.
struct Scope<'a> {
    earlier: Vec<&'a Field>,
}

impl Checker<'_> {
    fn error(&mut self, path: &[Key<'_>], message: impl Into<String>) {
        let e = self.locate.at(path, message.into());
        self.errors.push(e);
    }

    fn procedure(&mut self, raw: RawProcedure) -> Option<Procedure> {
        let id = ProcedureId::parse(&raw.id);
        if id.is_none() {
            self.error(&[k("id")], format!("procedure id \"{}\" must be lower-case letters, digits, - and _, starting with a letter", raw.id));
        }
        for (path, text) in [
            ("title", &raw.title),
            ("summary", &raw.summary),
            ("eligibility", &raw.eligibility),
            ("processing_time", &raw.processing_time),
        ] {
            if text.is_empty() {
                self.error(&[k(path)], format!("{path} must not be empty"));
            }
        }
        let availability = match raw.counter_only {
            Some(c) => Availability::CounterOnly { reason: c.reason },
            None => Availability::Online,
        };
        if availability == Availability::Online && raw.steps.is_empty() {
            self.error(&[k("steps")], "an online procedure needs at least one step (or mark it counter_only with a reason)");
        }
        let steps = self.steps(&raw.steps);
        let procedure = Procedure {
            id: id?,
            version: String::new(),
            title: raw.title,
            summary: raw.summary,
            category: raw.category,
            life_events: raw.life_events,
            keywords: raw.keywords,
            eligibility: raw.eligibility,
            processing_time: raw.processing_time,
            department: Department {
                id: raw.department.id,
                name: raw.department.name,
                phone: raw.department.phone,
                email: raw.department.email,
                hours: raw.department.hours,
                place: raw.department.place,
            },
            attachments: raw
                .attachments
                .into_iter()
                .map(|a| RequiredAttachment {
                    title: a.title,
                    description: a.description,
                })
                .collect(),
            fee: crate::fee::Fee::free(),
            availability,
            identity_level: raw.identity_level.unwrap_or(IdentityLevel::None),
            annual_volume: raw.annual_volume,
            obstacles: raw.obstacles,
            notify_email_field: None,
            steps,
            export: Vec::new(),
            stops: Vec::new(),
            changes_until: None,
        };
        let mut procedure = procedure;
        self.references(&raw.steps, &procedure);
        procedure.fee = self.fee(raw.fee, &procedure);
        procedure.notify_email_field = self.notify_email(raw.notify_email_field, &procedure);
        procedure.export = self.export(raw.export, &procedure);
        procedure.stops = self.stops(&raw.stops, &procedure);
        procedure.changes_until = self.changes_until(raw.changes_until, &procedure);
        procedure.version = version_of(&procedure);
        Some(procedure)
    }

    fn steps(&mut self, raw: &[RawStep]) -> Vec<Step> {
        let mut steps: Vec<Step> = Vec::new();
        let mut field_ids = HashSet::new();
        for (si, raw_step) in raw.iter().enumerate() {
            let at = [k(self.steps_key), n(si)];
            let Some(id) = StepId::parse(&raw_step.id) else {
                self.error(
                    &[k(self.steps_key), n(si), k("id")],
                    format!(
                        "step id \"{}\" must be lower-case letters, digits, - and _",
                        raw_step.id
                    ),
                );
                continue;
            };
            if steps.iter().any(|s| s.id == id) {
                self.error(
                    &[k(self.steps_key), n(si), k("id")],
                    format!("step id \"{id}\" is used twice"),
                );
            }
            if raw_step.fields.is_empty() {
                self.error(&at, format!("step \"{id}\" asks no question"));
            }
            let scope = Scope {
                earlier: steps.iter().flat_map(|s| s.fields.iter()).collect(),
            };
            let show_if = raw_step
                .show_if
                .as_ref()
                .and_then(|c| self.condition(c, &scope, &[k(self.steps_key), n(si), k("show_if")]));
            let mut fields = Vec::new();
            for (fi, raw_field) in raw_step.fields.iter().enumerate() {
                let path = [k(self.steps_key), n(si), k("fields"), n(fi)];
                if let Some(field) = self.field(raw_field, &scope, &path, true) {
                    if !field_ids.insert(field.id.clone()) {
                        self.error(
                            &[k(self.steps_key), n(si), k("fields"), n(fi), k("id")],
                            format!(
                                "question id \"{}\" is used twice in this procedure",
                                field.id
                            ),
                        );
                    }
                    fields.push(field);
                }
            }
            self.link_postal_codes(si, &raw_step.fields, &mut fields);
            steps.push(Step {
                id,
                title: raw_step.title.clone(),
                help: raw_step.help.clone(),
                show_if,
                fields,
            });
        }
        steps
    }

    /// A postal-code question fills an address question of the same page (so that
    /// 「住所を検索」 works without JavaScript).
    fn link_postal_codes(&mut self, si: usize, raw_fields: &[RawField], fields: &mut [Field]) {
        for (fi, raw) in raw_fields.iter().enumerate() {
            let Some(target) = &raw.address_field else {
                continue;
            };
            let found = fields
                .iter()
                .find(|f| {
                    f.id.as_str() == target
                        && matches!(f.kind, FieldKind::Text { .. } | FieldKind::LongText { .. })
                })
                .map(|f| f.id.clone());
            if found.is_none() {
                self.error(
                    &[
                        k(self.steps_key),
                        n(si),
                        k("fields"),
                        n(fi),
                        k("address_field"),
                    ],
                    format!("address_field \"{target}\" is not a text question on the same step"),
                );
            }
            if let Some(FieldKind::PostalCode { address_field, .. }) = fields
                .iter_mut()
                .find(|f| f.id.as_str() == raw.id)
                .map(|f| &mut f.kind)
            {
                *address_field = found;
            }
        }
    }

    fn field(
        &mut self,
        raw: &RawField,
        scope: &Scope<'_>,
        path: &[Key<'_>],
        top_level: bool,
    ) -> Option<Field> {
        let at = |key: &'static str| -> Vec<Key<'static>> { vec![k(key)] };
        let sub =
            |key: &'static str| -> Vec<Key<'_>> { path.iter().copied().chain(at(key)).collect() };
        let id = FieldId::parse(&raw.id);
        if id.is_none() {
            self.error(
                &sub("id"),
                format!(
                    "question id \"{}\" must be lower-case letters, digits, - and _",
                    raw.id
                ),
            );
        }
        if raw.label.is_empty() {
            self.error(&sub("label"), "label must not be empty");
        }
        for code in raw.messages.keys() {
            if !MESSAGE_CODES.contains(&code.as_str()) {
                self.error(
                    &sub("messages"),
                    format!(
                        "\"{code}\" is not an error code; use one of {}",
                        MESSAGE_CODES.join(", ")
                    ),
                );
            }
        }
        let kind = self.kind(raw, scope, path, top_level)?;
        self.reject_stray_keys(raw, &kind, path);
        let show_if = raw
            .show_if
            .as_ref()
            .and_then(|c| self.condition(c, scope, &sub("show_if")));
        if matches!(
            kind,
            FieldKind::Text {
                pattern: Some(TextPattern::Regex(_)),
                ..
            }
        ) && !raw.messages.contains_key("pattern")
        {
            self.error(
                &sub("pattern"),
                "a pattern needs its own message for people: messages.pattern = \"…\"",
            );
        }
        let same_as = self.question_ref(raw.same_as.as_deref(), &sub("same_as"));
        Some(Field {
            id: id?,
            label: raw.label.clone(),
            help: raw.help.clone(),
            required: raw.required,
            show_if,
            kind,
            messages: raw
                .messages
                .iter()
                .map(|(c, m)| (c.clone(), m.clone()))
                .collect(),
            same_as,
        })
    }

    fn kind(
        &mut self,
        raw: &RawField,
        scope: &Scope<'_>,
        path: &[Key<'_>],
        top_level: bool,
    ) -> Option<FieldKind> {
        let sub =
            |key: &'static str| -> Vec<Key<'_>> { path.iter().copied().chain([k(key)]).collect() };
        Some(match raw.kind.as_str() {
            "text" => FieldKind::Text {
                max_length: raw.max_length.unwrap_or(DEFAULT_MAX_LENGTH),
                pattern: self.text_pattern(raw, path),
            },
            "long_text" => FieldKind::LongText {
                max_length: raw.max_length.unwrap_or(DEFAULT_LONG_MAX_LENGTH),
            },
            "kana" => FieldKind::Kana {
                max_length: raw.max_length.unwrap_or(DEFAULT_KANA_MAX_LENGTH),
            },
            "number" => {
                let min = self.integer(raw.min.as_ref(), &sub("min"));
                let max = self.integer(raw.max.as_ref(), &sub("max"));
                if let (Some(a), Some(b)) = (min, max)
                    && a > b
                {
                    self.error(&sub("min"), "min is larger than max");
                }
                FieldKind::Number {
                    min,
                    max,
                    unit: raw.unit.clone(),
                    min_from: self.number_source(raw.min_from.as_ref(), &sub("min_from")),
                    max_from: self.number_source(raw.max_from.as_ref(), &sub("max_from")),
                }
            }
            "date" => {
                let min = self.date_bound(raw.min.as_ref(), &sub("min"));
                let max = self.date_bound(raw.max.as_ref(), &sub("max"));
                FieldKind::Date {
                    min,
                    max,
                    days: raw.days.as_ref().map(|d| self.day_rule(d, &sub("days"))),
                    deadline: raw.deadline,
                }
            }
            "choice" | "multiple_choice" | "ranked_choice" => {
                if raw.options.is_empty() {
                    self.error(
                        &sub("type"),
                        format!("a {} question needs options", raw.kind),
                    );
                }
                let mut seen = HashSet::new();
                let mut options = Vec::new();
                for (oi, o) in raw.options.iter().enumerate() {
                    if !is_valid_slug(&o.value) || !seen.insert(o.value.clone()) {
                        let opt_path: Vec<Key<'_>> = path
                            .iter()
                            .copied()
                            .chain([k("options"), n(oi), k("value")])
                            .collect();
                        self.error(&opt_path, format!("option value \"{}\" must be unique, lower-case letters, digits, - and _", o.value));
                    }
                    let only_if = o.only_if.as_ref().and_then(|c| {
                        let p: Vec<Key<'_>> = path
                            .iter()
                            .copied()
                            .chain([k("options"), n(oi), k("only_if")])
                            .collect();
                        self.condition(c, scope, &p)
                    });
                    options.push(ChoiceOption {
                        value: o.value.clone(),
                        label: o.label.clone(),
                        hint: o.hint.clone(),
                        fee: o.fee,
                        attributes: o.attributes.clone(),
                        only_if,
                        unknown: o.unknown,
                    });
                }
                let style = raw.style.unwrap_or(if options.len() > 8 {
                    ChoiceStyle::Select
                } else {
                    ChoiceStyle::Buttons
                });
                if raw.style.is_some() && raw.kind != "choice" {
                    self.error(
                        &sub("style"),
                        format!(
                            "a {} question has its own controls; style is for single choice",
                            raw.kind
                        ),
                    );
                }
                let ranked = (raw.kind == "ranked_choice").then(|| {
                    let n = raw.max_choices.unwrap_or(3);
                    if n == 0 || n > options.len() {
                        self.error(
                            &sub("max_choices"),
                            format!(
                                "max_choices must be between 1 and the number of options ({})",
                                options.len()
                            ),
                        );
                    }
                    n
                });
                FieldKind::Choice {
                    options,
                    multiple: raw.kind != "choice",
                    style,
                    ranked,
                }
            }
            "yes_no" => FieldKind::YesNo,
            "email" => FieldKind::Email,
            "phone" => FieldKind::Phone,
            "postal_code" => {
                let reason_field = self.question_ref(
                    raw.outside_reason_field.as_deref(),
                    &sub("outside_reason_field"),
                );
                FieldKind::PostalCode {
                    address_field: None,
                    residence: raw
                        .within_municipality
                        .then_some(Residence { reason_field }),
                }
            }
            "corporate_number" => FieldKind::CorporateNumber,
            "name" => FieldKind::Name {
                kana: raw.kana.unwrap_or(NameKana::Required),
            },
            "bank_account" => FieldKind::BankAccount,
            "my_number" => FieldKind::MyNumber,
            "file" => {
                let accept = raw.accept.clone().unwrap_or_else(|| FileType::ALL.to_vec());
                if accept.is_empty() {
                    self.error(&sub("accept"), "accept lists no file type");
                }
                FieldKind::File {
                    accept,
                    max_bytes: raw.max_size_mb.unwrap_or(DEFAULT_MAX_FILE_MB) * 1024 * 1024,
                    max_files: raw.max_files.unwrap_or(1).max(1),
                }
            }
            "group" => self.group(raw, scope, path, top_level)?,
            other => {
                self.error(&sub("type"), format!("unknown question type \"{other}\"; use text, long_text, kana, name, postal_code, corporate_number, my_number, bank_account, number, date, choice, multiple_choice, ranked_choice, yes_no, email, phone, file or group"));
                return None;
            }
        })
    }

    fn group(
        &mut self,
        raw: &RawField,
        scope: &Scope<'_>,
        path: &[Key<'_>],
        top_level: bool,
    ) -> Option<FieldKind> {
        let sub =
            |key: &'static str| -> Vec<Key<'_>> { path.iter().copied().chain([k(key)]).collect() };
        if !top_level {
            self.error(&sub("type"), "groups cannot be nested");
            return None;
        }
        if raw.fields.is_empty() {
            self.error(&sub("type"), "a group needs fields");
        }
        let mut fields: Vec<Field> = Vec::new();
        for (fi, f) in raw.fields.iter().enumerate() {
            let p: Vec<Key<'_>> = path.iter().copied().chain([k("fields"), n(fi)]).collect();
            // A question of an item may depend on the item's earlier answers, found first.
            let item_scope = Scope {
                earlier: fields.iter().chain(scope.earlier.iter().copied()).collect(),
            };
            let parsed = self.field(f, &item_scope, &p, false);
            if let Some(condition) = parsed.as_ref().and_then(|f| f.show_if.as_ref()) {
                let read = condition.fields();
                let in_item = read.iter().any(|id| fields.iter().any(|g| &&g.id == id));
                let outside = read.iter().any(|id| !fields.iter().any(|g| &&g.id == id));
                if in_item && outside {
                    self.error(
                        &join(&p, &[k("show_if")]),
                        "a condition inside a group reads either the item's own answers or answers of earlier steps, not both",
                    );
                }
            }
            if let Some(field) = parsed {
                if fields.iter().any(|x| x.id == field.id) {
                    self.error(
                        &p,
                        format!("question id \"{}\" is used twice in this group", field.id),
                    );
                }
                fields.push(field);
            }
        }
        let min_items = raw.min_items.unwrap_or(if raw.required { 1 } else { 0 });
        let max_items = raw.max_items.unwrap_or(10);
        if max_items == 0 || min_items > max_items {
            self.error(
                &sub("max_items"),
                "max_items must be at least 1 and at least min_items",
            );
        }
        let max_items_from =
            self.question_ref(raw.max_items_from.as_deref(), &sub("max_items_from"));
        let unique_field = raw.unique_field.as_ref().and_then(|u| {
            let found = fields
                .iter()
                .find(|f| f.id.as_str() == u)
                .map(|f| f.id.clone());
            if found.is_none() {
                self.error(
                    &sub("unique_field"),
                    format!("unique_field \"{u}\" is not a question of this group"),
                );
            }
            found
        });
        Some(FieldKind::Group(Group {
            fields,
            min_items,
            max_items,
            item_label: raw.item_label.clone().unwrap_or_else(|| Localized {
                ja: "{n}件目".into(),
                en: Some("Item {n}".into()),
            }),
            unique_field,
            max_items_from,
        }))
    }

    /// Keys that mean nothing for the question's type are almost always mistakes.
    fn reject_stray_keys(&mut self, raw: &RawField, kind: &FieldKind, path: &[Key<'_>]) {
        let allowed: &[&str] = match kind {
            FieldKind::Text { .. } => &["max_length", "pattern", "digits"],
            FieldKind::LongText { .. } | FieldKind::Kana { .. } => &["max_length"],
            FieldKind::Number { .. } => &["min", "max", "unit", "min_from", "max_from"],
            FieldKind::Date { .. } => &["min", "max", "days", "deadline"],
            FieldKind::Choice {
                ranked: Some(_), ..
            } => &["options", "max_choices"],
            FieldKind::Choice { .. } => &["options", "style"],
            FieldKind::File { .. } => &["accept", "max_size_mb", "max_files"],
            FieldKind::Group(_) => &[
                "fields",
                "min_items",
                "max_items",
                "item_label",
                "unique_field",
                "max_items_from",
            ],
            FieldKind::YesNo
            | FieldKind::Email
            | FieldKind::Phone
            | FieldKind::CorporateNumber
            | FieldKind::BankAccount
            | FieldKind::MyNumber => &[],
            FieldKind::PostalCode { .. } => &[
                "address_field",
                "within_municipality",
                "outside_reason_field",
            ],
            FieldKind::Name { .. } => &["kana"],
        };
        let present = [
            ("max_length", raw.max_length.is_some()),
            ("min", raw.min.is_some()),
            ("max", raw.max.is_some()),
            ("unit", raw.unit.is_some()),
            ("options", !raw.options.is_empty()),
            ("style", raw.style.is_some()),
            ("accept", raw.accept.is_some()),
            ("max_size_mb", raw.max_size_mb.is_some()),
            ("max_files", raw.max_files.is_some()),
            ("fields", !raw.fields.is_empty()),
            ("min_items", raw.min_items.is_some()),
            ("max_items", raw.max_items.is_some()),
            ("item_label", raw.item_label.is_some()),
            ("unique_field", raw.unique_field.is_some()),
            ("address_field", raw.address_field.is_some()),
            ("kana", raw.kana.is_some()),
            ("pattern", raw.pattern.is_some()),
            ("digits", raw.digits.is_some()),
            ("min_from", raw.min_from.is_some()),
            ("max_from", raw.max_from.is_some()),
            ("days", raw.days.is_some()),
            ("deadline", raw.deadline.is_some()),
            ("max_items_from", raw.max_items_from.is_some()),
            ("max_choices", raw.max_choices.is_some()),
            ("within_municipality", raw.within_municipality),
            ("outside_reason_field", raw.outside_reason_field.is_some()),
        ];
        for (key, is_set) in present {
            if is_set && !allowed.contains(&key) {
                let p: Vec<Key<'_>> = path.iter().copied().chain([k(key)]).collect();
                self.error(
                    &p,
                    format!("\"{key}\" does not apply to a {} question", raw.kind),
                );
            }
        }
    }

    fn integer(&mut self, value: Option<&toml::Value>, path: &[Key<'_>]) -> Option<i64> {
        match value? {
            toml::Value::Integer(i) => Some(*i),
            _ => {
                self.error(path, "expected a whole number");
                None
            }
        }
    }

    fn date(&mut self, value: Option<&toml::Value>, path: &[Key<'_>]) -> Option<time::Date> {
        let text = match value? {
            toml::Value::String(s) => s.clone(),
            toml::Value::Datetime(d) if d.time.is_none() && d.offset.is_none() => d.to_string(),
            _ => String::new(),
        };
        let date = crate::answers::parse_iso_date(&text);
        if date.is_none() {
            self.error(path, "expected a date written YYYY-MM-DD");
        }
        date
    }

    fn condition(
        &mut self,
        raw: &RawCondition,
        scope: &Scope<'_>,
        path: &[Key<'_>],
    ) -> Option<Condition> {
        let sub =
            |key: &'static str| -> Vec<Key<'_>> { path.iter().copied().chain([k(key)]).collect() };
        let combinators = [
            raw.all.is_some(),
            raw.any.is_some(),
            raw.not.is_some(),
            raw.field.is_some(),
        ];
        if combinators.iter().filter(|b| **b).count() != 1 {
            self.error(path, "a condition is exactly one of: all = [...], any = [...], not = {...}, or field = \"…\" with one test");
            return None;
        }
        if let Some(list) = raw.all.as_ref().or(raw.any.as_ref()) {
            let key = if raw.all.is_some() { "all" } else { "any" };
            let inner: Option<Vec<Condition>> = list
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let p: Vec<Key<'_>> = path.iter().copied().chain([k(key), n(i)]).collect();
                    self.condition(c, scope, &p)
                })
                .collect::<Vec<_>>()
                .into_iter()
                .collect();
            let inner = inner?;
            return Some(if raw.all.is_some() {
                Condition::All(inner)
            } else {
                Condition::Any(inner)
            });
        }
        if let Some(inner) = &raw.not {
            return self
                .condition(inner, scope, &sub("not"))
                .map(|c| Condition::Not(Box::new(c)));
        }
        let name = raw.field.as_deref().unwrap_or_default();
        let Some(field) = scope.earlier.iter().find(|f| f.id.as_str() == name) else {
            self.error(
                &sub("field"),
                format!(
                    "condition refers to \"{name}\", which is not a question on an earlier step"
                ),
            );
            return None;
        };
        self.test(raw, field, path).map(|test| Condition::Test {
            field: field.id.clone(),
            test,
        })
    }

    fn test(&mut self, raw: &RawCondition, field: &Field, path: &[Key<'_>]) -> Option<Test> {
        let tests = [
            ("equals", raw.equals.is_some()),
            ("not_equals", raw.not_equals.is_some()),
            ("one_of", raw.one_of.is_some()),
            ("includes", raw.includes.is_some()),
            ("gt", raw.gt.is_some()),
            ("gte", raw.gte.is_some()),
            ("lt", raw.lt.is_some()),
            ("lte", raw.lte.is_some()),
            ("answered", raw.answered.is_some()),
        ];
        let given: Vec<&str> = tests.iter().filter(|(_, b)| *b).map(|(k, _)| *k).collect();
        let [op] = given.as_slice() else {
            self.error(path, "give exactly one test: equals, not_equals, one_of, includes, gt, gte, lt, lte or answered");
            return None;
        };
        let at: Vec<Key<'_>> = path.iter().copied().chain([k(op)]).collect();
        let cmp = |op: &str| match op {
            "gt" => CmpOp::Gt,
            "gte" => CmpOp::Gte,
            "lt" => CmpOp::Lt,
            _ => CmpOp::Lte,
        };
        let test = match *op {
            "equals" => Test::Equals(self.literal(raw.equals.as_ref()?, field, &at)?),
            "not_equals" => Test::NotEquals(self.literal(raw.not_equals.as_ref()?, field, &at)?),
            "one_of" => {
                let values = raw.one_of.clone()?;
                for v in &values {
                    self.literal(&toml::Value::String(v.clone()), field, &at)?;
                }
                Test::OneOf(values)
            }
            "includes" => {
                let FieldKind::Choice {
                    options,
                    multiple: true,
                    ..
                } = &field.kind
                else {
                    self.error(
                        &at,
                        format!(
                            "includes is for multiple_choice questions; \"{}\" is {}",
                            field.id,
                            field.kind.type_name()
                        ),
                    );
                    return None;
                };
                let v = raw.includes.clone()?;
                if !options.iter().any(|o| o.value == v) {
                    self.error(&at, format!("\"{v}\" is not an option of \"{}\"", field.id));
                }
                Test::Includes(v)
            }
            "answered" => Test::Answered(raw.answered?),
            other => {
                let value = [&raw.gt, &raw.gte, &raw.lt, &raw.lte]
                    .into_iter()
                    .flatten()
                    .next()?;
                match (&field.kind, value) {
                    (FieldKind::Number { .. }, toml::Value::Integer(i)) => {
                        Test::Compare(cmp(other), Literal::Number(*i))
                    }
                    (FieldKind::Date { .. }, v) => {
                        Test::Compare(cmp(other), Literal::Date(self.date(Some(v), &at)?))
                    }
                    (FieldKind::Group(_), toml::Value::Integer(i)) if *i >= 0 => {
                        Test::ItemCount(cmp(other), *i)
                    }
                    _ => {
                        self.error(&at, format!("{other} compares number or date questions with a number or a date, or a group's number of items with a number; \"{}\" is {}", field.id, field.kind.type_name()));
                        return None;
                    }
                }
            }
        };
        Some(test)
    }

    /// A value to compare a question's answer with, of the answer's own type.
    fn literal(&mut self, value: &toml::Value, field: &Field, path: &[Key<'_>]) -> Option<Literal> {
        let literal = match (&field.kind, value) {
            (
                FieldKind::Choice {
                    options,
                    multiple: false,
                    ..
                },
                toml::Value::String(s),
            ) => {
                if !options.iter().any(|o| &o.value == s) {
                    self.error(
                        path,
                        format!("\"{s}\" is not an option of \"{}\"", field.id),
                    );
                    return None;
                }
                Literal::Text(s.clone())
            }
            (
                FieldKind::Text { .. } | FieldKind::LongText { .. } | FieldKind::Kana { .. },
                toml::Value::String(s),
            ) => Literal::Text(s.clone()),
            (FieldKind::Number { .. }, toml::Value::Integer(i)) => Literal::Number(*i),
            (FieldKind::YesNo, toml::Value::Boolean(b)) => Literal::Bool(*b),
            (FieldKind::Date { .. }, v) => Literal::Date(self.date(Some(v), path)?),
            _ => {
                self.error(
                    path,
                    format!(
                        "this value cannot be compared with \"{}\", a {} question",
                        field.id,
                        field.kind.type_name()
                    ),
                );
                return None;
            }
        };
        Some(literal)
    }

    fn changes_until(
        &mut self,
        raw: Option<RawChangeCutoff>,
        procedure: &Procedure,
    ) -> Option<ChangeCutoff> {
        let raw = raw?;
        match procedure.field(&raw.field) {
            Some(f) if matches!(f.kind, FieldKind::Date { .. }) => Some(ChangeCutoff {
                field: f.id.clone(),
                days_before: raw.days_before,
            }),
            _ => {
                self.error(
                    &[k("changes_until"), k("field")],
                    format!("\"{}\" is not a date question of this procedure", raw.field),
                );
                None
            }
        }
    }

    fn notify_email(&mut self, raw: Option<String>, procedure: &Procedure) -> Option<FieldId> {
        let name = raw?;
        match procedure.field(&name) {
            Some(f) if f.kind == FieldKind::Email => Some(f.id.clone()),
            _ => {
                self.error(
                    &[k("notify_email_field")],
                    format!("\"{name}\" is not an email question of this procedure"),
                );
                None
            }
        }
    }

    fn export(&mut self, raw: Vec<RawExport>, procedure: &Procedure) -> Vec<ExportColumn> {
        const META: &[&str] = &[
            "receipt_number",
            "submitted_at",
            "status",
            "procedure_version",
            "fee",
            "bundle_id",
        ];
        let mut columns = Vec::new();
        for (i, col) in raw.into_iter().enumerate() {
            let known = META.contains(&col.source.as_str())
                || match col.source.split_once('.') {
                    None => procedure.field(&col.source).is_some(),
                    Some((outer, inner)) => match procedure.field(outer).map(|f| &f.kind) {
                        Some(FieldKind::Group(g)) => g.field(inner).is_some(),
                        Some(FieldKind::Name { .. }) => PersonName::PARTS.contains(&inner),
                        Some(FieldKind::BankAccount) => BANK_ACCOUNT_PARTS.contains(&inner),
                        _ => false,
                    },
                };
            if !known {
                self.error(
                    &[k("export"), n(i), k("source")],
                    format!(
                        "export source \"{}\" is neither a question nor one of {}",
                        col.source,
                        META.join(", ")
                    ),
                );
            }
            columns.push(ExportColumn {
                column: col.column,
                source: col.source,
            });
        }
        columns
    }
}

/// The content hash that names a definition version: same definition, same version.
fn version_of(procedure: &Procedure) -> String {
    let json = serde_json::to_vec(procedure).unwrap_or_default();
    let digest = Sha256::digest(&json);
    data_encoding::HEXLOWER.encode(&digest[..6])
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = "[[categories]]\nid = \"kurashi\"\ntitle = \"くらし\"\n";

    fn load_one(src: &str) -> Result<Catalog, Vec<CatalogError>> {
        load(&[
            (INDEX_FILE.into(), INDEX.into()),
            ("p.toml".into(), src.into()),
        ])
    }

    /// A procedure file: the keys every test shares (seven lines, so that line numbers in the
    /// tests count from the first line of the file), then `$body`.
    macro_rules! procedure {
        ($body:literal) => {
            concat!(
                "id = \"p\"\ntitle = \"手続\"\nsummary = \"説明\"\ncategory = \"kurashi\"\n",
                "eligibility = \"どなたでも\"\nprocessing_time = \"1週間\"\n",
                "department = { id = \"d\", name = \"課\" }\n",
                $body
            )
        };
    }

    const MINIMAL: &str = procedure!(
        r#"
[[steps]]
id = "first"
title = "最初"

  [[steps.fields]]
  id = "reason"
  type = "choice"
  label = "理由"
  required = true
  options = [{ value = "a", label = "A" }, { value = "b", label = "B" }]
"#
    );

    #[test]
    fn a_minimal_procedure_loads_with_a_content_version() {
        let catalog = load_one(MINIMAL).unwrap();
        let p = &catalog.procedures[0];
        assert_eq!(p.version.len(), 12);
        let changed = load_one(&MINIMAL.replace("1週間", "2週間")).unwrap();
        assert_ne!(changed.procedures[0].version, p.version);
    }

    #[test]
    fn syntax_errors_name_file_line_and_column() {
        let errors = load_one(&MINIMAL.replace("label = \"理由\"", "label = \"理由")).unwrap_err();
        assert_eq!(errors[0].file, "p.toml");
        assert_eq!(errors[0].line, 16);
    }

    #[test]
    fn unknown_keys_are_typos() {
        let errors = load_one(&MINIMAL.replace("required = true", "requried = true")).unwrap_err();
        assert!(errors[0].message.contains("requried"), "{}", errors[0]);
        assert_eq!(errors[0].line, 17);
    }

    #[test]
    fn a_condition_on_a_later_question_is_reported_where_it_is_written() {
        let src = format!(
            "{MINIMAL}\n[[steps]]\nid = \"second\"\ntitle = \"次\"\nshow_if = {{ field = \"nothing\", equals = \"a\" }}\n\n  [[steps.fields]]\n  id = \"x\"\n  type = \"text\"\n  label = \"X\"\n"
        );
        let errors = load_one(&src).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].message.contains("\"nothing\""));
        assert_eq!(errors[0].line, 23);
    }

    #[test]
    fn a_condition_must_compare_with_an_existing_option() {
        let src = format!(
            "{MINIMAL}\n[[steps]]\nid = \"second\"\ntitle = \"次\"\nshow_if = {{ field = \"reason\", equals = \"c\" }}\n\n  [[steps.fields]]\n  id = \"x\"\n  type = \"text\"\n  label = \"X\"\n"
        );
        let errors = load_one(&src).unwrap_err();
        assert!(
            errors[0].message.contains("\"c\" is not an option"),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn keys_of_another_question_type_are_rejected() {
        let errors =
            load_one(&MINIMAL.replace("required = true", "required = true\n  max_length = 3"))
                .unwrap_err();
        assert!(errors[0].message.contains("max_length"), "{}", errors[0]);
        assert_eq!(errors[0].line, 18);
    }

    #[test]
    fn unknown_category_is_reported() {
        let errors = load_one(&MINIMAL.replace("category = \"kurashi\"", "category = \"nope\""))
            .unwrap_err();
        assert_eq!(
            (errors[0].line, errors[0].message.contains("nope")),
            (4, true)
        );
    }

    /// A procedure with a facility (capacities), a day, slots, a count and a fee table,
    /// for the rules that read other answers.
    const RULES: &str = procedure!(
        r#"
[fee]
  [[fee.parts]]
  label = "使用料"
  table = { rows = "room", columns = "slot", prices = { a = { am = 100, pm = 200 }, b = { am = 300, pm = 400 } } }
  rate = { field = "who", percent = { outside = 150 } }

[[stops]]
id = "far"
when = { field = "who", equals = "business" }
message = "事業者の方は対象外です"

[[steps]]
id = "first"
title = "最初"

  [[steps.fields]]
  id = "who"
  type = "choice"
  label = "区分"
  required = true
  options = [{ value = "inside", label = "区内" }, { value = "outside", label = "区外" }, { value = "business", label = "事業者" }]

  [[steps.fields]]
  id = "room"
  type = "choice"
  label = "部屋"
  required = true
  options = [{ value = "a", label = "A", attributes = { capacity = 10 } }, { value = "b", label = "B", attributes = { capacity = 50 } }]

  [[steps.fields]]
  id = "slot"
  type = "choice"
  label = "時間帯"
  required = true
  options = [{ value = "am", label = "午前" }, { value = "pm", label = "午後" }]

  [[steps.fields]]
  id = "people"
  type = "number"
  label = "人数"
  required = true
  max_from = { field = "room", attribute = "capacity" }

  [[steps.fields]]
  id = "code"
  type = "text"
  label = "番号"
  pattern = "[A-Z]{2}-[0-9]{4}"
  messages = { pattern = "OT-1234 の形で" }
"#
    );

    #[test]
    fn rules_that_read_other_answers_load() {
        let catalog = load_one(RULES).unwrap();
        let p = &catalog.procedures[0];
        assert_eq!(p.stops.len(), 1);
        assert!(matches!(p.fee.rule, crate::fee::FeeRule::Parts(ref parts) if parts.len() == 1));
    }

    fn first_error(src: &str) -> CatalogError {
        load_one(src).unwrap_err().remove(0)
    }

    #[test]
    fn a_fee_table_missing_a_price_is_reported_at_its_row() {
        let e = first_error(&RULES.replace("b = { am = 300, pm = 400 }", "b = { am = 300 }"));
        assert!(e.message.contains("no price for \"pm\""), "{e}");
        assert_eq!(e.line, 12);
    }

    #[test]
    fn a_pattern_that_does_not_compile_or_has_no_message_is_reported() {
        let e = first_error(&RULES.replace("[A-Z]{2}-[0-9]{4}", "[A-Z{2}"));
        assert!(e.message.contains("not usable"), "{e}");
        assert_eq!(e.line, 56);
        let e = first_error(&RULES.replace("[A-Z]{2}-[0-9]{4}", "\\\\d{4}"));
        assert!(e.message.contains("[0-9]"), "{e}");
        let e = first_error(&RULES.replace("  messages = { pattern = \"OT-1234 の形で\" }\n", ""));
        assert!(e.message.contains("messages.pattern"), "{e}");
    }

    #[test]
    fn a_limit_from_a_later_question_or_a_missing_attribute_is_reported() {
        let later = RULES.replace(
            "max_from = { field = \"room\", attribute = \"capacity\" }",
            "max_from = { field = \"later\" }",
        ) + "\n[[steps]]\nid = \"second\"\ntitle = \"次\"\n\n  [[steps.fields]]\n  id = \"later\"\n  type = \"number\"\n  label = \"後\"\n";
        let e = first_error(&later);
        assert!(e.message.contains("later step"), "{e}");
        assert_eq!(e.line, 50);
        let e = first_error(&RULES.replace(", attributes = { capacity = 50 }", ""));
        assert!(e.message.contains("b of \"room\" have no attribute"), "{e}");
    }

    #[test]
    fn an_option_fee_nothing_reads_and_a_note_only_fee_are_refused() {
        let e = first_error(&RULES.replace(
            "{ value = \"am\", label = \"午前\" }",
            "{ value = \"am\", label = \"午前\", fee = 100 }",
        ));
        assert!(e.message.contains("no fee part reads them"), "{e}");
        let note_only = MINIMAL.replace(
            "[[steps]]",
            "[fee]\nnote = \"施設により異なります\"\n\n[[steps]]",
        );
        assert!(first_error(&note_only).message.contains("decided_by_staff"));
    }

    #[test]
    fn relative_date_limits_are_read_and_nonsense_is_refused() {
        let date = |min: &str| {
            MINIMAL.replace(
                "  type = \"choice\"\n  label = \"理由\"\n  required = true\n  options = [{ value = \"a\", label = \"A\" }, { value = \"b\", label = \"B\" }]",
                &format!("  type = \"date\"\n  label = \"日\"\n  min = {min}"),
            )
        };
        assert!(load_one(&date("\"today+7d\"")).is_ok());
        assert!(load_one(&date("{ months = 2, snap = \"end_of_month\" }")).is_ok());
        let e = first_error(&date("\"today+7x\""));
        assert!(e.message.contains("today+7d"), "{e}");
        let e = first_error(&date("{ field = \"reason\" }"));
        assert!(e.message.contains("itself"), "{e}");
    }

    /// A household: its size bounds the list of members, and a step for large households
    /// applies by the number of items.
    const HOUSEHOLD: &str = procedure!(
        r#"
[[steps]]
id = "size"
title = "人数"

  [[steps.fields]]
  id = "size"
  type = "number"
  label = "世帯の人数"
  required = true
  min = 1
  max = 10

  [[steps.fields]]
  id = "members"
  type = "group"
  label = "世帯員"
  required = true
  max_items_from = "size"

    [[steps.fields.fields]]
    id = "name"
    type = "text"
    label = "氏名"
    required = true

[[steps]]
id = "large"
title = "多人数世帯"
show_if = { field = "members", gte = 3 }

  [[steps.fields]]
  id = "rooms"
  type = "number"
  label = "部屋数"
  required = true
"#
    );

    #[test]
    fn a_rule_naming_something_that_cannot_be_a_question_is_reported() {
        let e = first_error(&RULES.replace(
            "max_from = { field = \"room\", attribute = \"capacity\" }",
            "max_from = { field = \"Room\", attribute = \"capacity\" }",
        ));
        assert!(e.message.contains("\"Room\" is not a question"), "{e}");
        assert_eq!(e.line, 50);
        let e = first_error(&RULES.replace("  pattern = ", "  same_as = \"E-Mail\"\n  pattern = "));
        assert!(e.message.contains("\"E-Mail\" is not a question"), "{e}");
    }

    #[test]
    fn a_count_of_items_is_bounded_by_an_answer_and_conditions_read_the_count() {
        use crate::answers::{Answer, Answers};
        use crate::validate::{Problem, applicable_steps, check};
        let catalog = load_one(HOUSEHOLD).unwrap();
        let p = &catalog.procedures[0];
        let member = |name: &str| -> Answers {
            [("name".to_owned(), Answer::Text(name.into()))]
                .into_iter()
                .collect()
        };
        let answers = |size: i64, n: usize| -> Answers {
            [
                ("size".to_owned(), Answer::Number(size)),
                (
                    "members".to_owned(),
                    Answer::Group((0..n).map(|i| member(&format!("{i}"))).collect()),
                ),
            ]
            .into_iter()
            .collect()
        };
        let today = time::macros::date!(2026 - 12 - 01);
        let errors = check(p, &answers(2, 3), Some(&p.steps[0]), today);
        assert_eq!(
            errors.iter().map(|e| &e.problem).collect::<Vec<_>>(),
            vec![&Problem::TooManyItems { max: 2 }]
        );
        assert!(check(p, &answers(3, 3), Some(&p.steps[0]), today).is_empty());
        assert_eq!(applicable_steps(p, &answers(3, 3)).len(), 2);
        assert_eq!(applicable_steps(p, &answers(3, 2)).len(), 1);
        let schema = crate::schema::answers_schema(p);
        assert!(schema.to_string().contains("\"minItems\":3"), "{schema}");
        // The count must come from a number question asked no later than the group.
        let e = first_error(
            &HOUSEHOLD.replace("max_items_from = \"size\"", "max_items_from = \"rooms\""),
        );
        assert!(e.message.contains("later step"), "{e}");
    }
}
