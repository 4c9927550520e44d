//! The JSON Schema (draft 2020-12) of a procedure's answers object, as exact as JSON Schema
//! allows: types, limits, options, repeating groups, conditions as `if`/`then`/`else`, and the
//! shapes of what people write (ひらがな for a reading, hyphens in a phone number), which the
//! API accepts as the web does.
//!
//! The contract with API clients: answers the server accepts satisfy this schema, and answers
//! that satisfy it are accepted, except where a rule cannot be written in JSON Schema. Each
//! property lists those rules under the extension keyword `x-server-checks` (see
//! [`ServerCheck`]), so a front end knows which checks only the server makes; they are
//! rejected with a 422 naming the field.

use crate::answers::{
    ACCOUNT_TYPES, BANK_ACCOUNT_PARTS, PersonName, account_type_key, format_date,
};
use crate::calendar::date_window;
use crate::condition::Condition;
use crate::input::{
    INVISIBLE_CLASS, MAX_EMAIL_CHARS, REFUSED_IN_LINE, REFUSED_IN_LINES, SPACE_CLASS,
};
use crate::procedure::{DateBound, Field, FieldKind, NameKana, Procedure, TextPattern};
use crate::validate::{HOLDER_MAX, NAME_PART_MAX, effective_condition};
use serde_json::{Map, Value, json};

pub const DATE_PATTERN: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$";
pub const SHA256_PATTERN: &str = r"^[0-9a-f]{64}$";

/// A rule the server applies that the schema cannot state, as `x-server-checks` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerCheck {
    /// The date exists (no 2月30日).
    DateExists,
    /// A limit relative to today (in Japan).
    RelativeDateLimit,
    /// 法人番号 and 個人番号 check digits.
    CheckDigit,
    /// The number of digits for the kind of phone line (携帯電話 11, 固定電話 10 …).
    PhoneLength,
    /// The address syntax of RFC 5321 as the mailer checks it.
    EmailSyntax,
    /// A length limit counts characters after conversion (katakana, spaces trimmed).
    LengthAfterConversion,
    /// A sound mark (゛゜) only after a kana that takes one.
    SoundMarks,
    /// An attachment id names a file uploaded through `POST /api/v1/attachments`.
    AttachmentUploaded,
    /// The answer differs across the group's items.
    UniqueAcrossItems,
    /// A limit taken from another answer (a number question, an option's attribute).
    LimitFromAnswer,
    /// Only certain days: days of the week or of the month, not on holidays, not 12/29–1/3.
    AllowedDays,
    /// The chosen day's deadline for applying has not passed (in Japan).
    Deadline,
    /// The answer equals another question's (`same_as`).
    SameAs,
    /// An option allowed only with certain other answers.
    OptionConditions,
    /// An eligibility stop whose condition JSON Schema cannot state.
    EligibilityStop,
    /// The postal code is in this municipality (Japan Post's data), or a reason is given.
    WithinMunicipality,
}

impl ServerCheck {
    pub fn code(self) -> &'static str {
        match self {
            Self::DateExists => "date_exists",
            Self::RelativeDateLimit => "relative_date_limit",
            Self::CheckDigit => "check_digit",
            Self::PhoneLength => "phone_length",
            Self::EmailSyntax => "email_syntax",
            Self::LengthAfterConversion => "length_after_conversion",
            Self::SoundMarks => "sound_marks",
            Self::AttachmentUploaded => "attachment_uploaded",
            Self::UniqueAcrossItems => "unique_across_items",
            Self::LimitFromAnswer => "limit_from_answer",
            Self::AllowedDays => "allowed_days",
            Self::Deadline => "deadline",
            Self::SameAs => "same_as",
            Self::OptionConditions => "option_conditions",
            Self::EligibilityStop => "eligibility_stop",
            Self::WithinMunicipality => "within_municipality",
        }
    }
}

/// Digits as people type them, half- or full-width.
const DIGIT: &str = r"0-9\uFF10-\uFF19";
/// Characters people put between digit groups.
const HYPHEN: &str = r"\-\u2010-\u2015\u2212\u30FC\uFF0D\uFF70\uFE63";

/// A string answer's pattern: what the question's reader takes, or nothing but spaces (which
/// the server reads as no answer, as an empty box on the web).
fn blank_or(body: &str) -> String {
    format!("^(?:[{SPACE_CLASS}]*|{body})$")
}

/// Something typed: at least one character that is not a space (see [`answered`]).
fn typed_pattern() -> String {
    format!("[^{SPACE_CLASS}]")
}

/// One line of text with something visible in it and nothing the text rule refuses.
fn line_pattern() -> String {
    blank_or(&format!(
        "[^{REFUSED_IN_LINE}]*[^{REFUSED_IN_LINE}{SPACE_CLASS}{INVISIBLE_CLASS}][^{REFUSED_IN_LINE}]*"
    ))
}

fn lines_pattern() -> String {
    // Blank includes line breaks here: a free-text box of empty lines is an empty box.
    format!(
        "^(?:[{SPACE_CLASS}\\t\\n\\r]*|[^{REFUSED_IN_LINES}]*[^{REFUSED_IN_LINES}{SPACE_CLASS}{INVISIBLE_CLASS}\\t\\n\\r][^{REFUSED_IN_LINES}]*)$"
    )
}

/// A reading as people type it: katakana, ひらがな or 半角カナ, words between spaces.
pub fn kana_input_pattern() -> String {
    let base = r"\u30A1-\u30F6\u30FB-\u30FE\u3041-\u3096\u309D\u309E\uFF65-\uFF9D";
    let marks = r"\uFF9E\uFF9F\u309B\u309C\u3099\u309A";
    let word = format!("(?:[{base}][{marks}]?)+");
    blank_or(&format!(
        "[{SPACE_CLASS}]*{word}(?:[{SPACE_CLASS}]+{word})*[{SPACE_CLASS}]*"
    ))
}

/// Exactly `n` digits (`min`..=`max`), with hyphens and spaces anywhere between them.
fn digits_pattern(min: usize, max: usize, prefix: &str) -> String {
    blank_or(&format!(
        "[{SPACE_CLASS}]*{prefix}(?:[{SPACE_CLASS}{HYPHEN}]*[{DIGIT}]){{{min},{max}}}[{SPACE_CLASS}{HYPHEN}]*"
    ))
}

/// A phone number as people write it: a leading 0 (or +81), digits with hyphens, spaces,
/// brackets or dots between them.
fn phone_pattern() -> String {
    let sep = format!("{SPACE_CLASS}{HYPHEN}()\\uFF08\\uFF09.\\uFF0E");
    blank_or(&format!(
        "[{SPACE_CLASS}]*(?:[+\\uFF0B][8\\uFF18][1\\uFF11][{sep}]*[{DIGIT}]|[{sep}]*[0\\uFF10])[{DIGIT}{sep}]*"
    ))
}

fn email_pattern() -> String {
    let part = format!("[^@\\uFF20{SPACE_CLASS}{REFUSED_IN_LINE}]+");
    blank_or(&format!(
        "[{SPACE_CLASS}]*{part}[@\\uFF20]{part}[.\\uFF0E]{part}[{SPACE_CLASS}]*"
    ))
}

/// A name in Latin letters as typed (full-width letters are folded by the server).
fn latin_input_pattern() -> String {
    let letters = r"A-Za-z\uFF21-\uFF3A\uFF41-\uFF5A\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F";
    // Blank passes: an empty 名 does not make a name any less Latin.
    blank_or(&format!(
        "[{SPACE_CLASS}]*[{letters}][{letters}{SPACE_CLASS} ',.\\-\\uFF07\\uFF0C\\uFF0E\\uFF0D]*"
    ))
}

pub fn answers_schema(procedure: &Procedure) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    let mut rules = Vec::new();
    for (step, field) in procedure.fields() {
        properties.insert(field.id.to_string(), value_schema(field));
        let id = field.id.as_str();
        match effective_condition(step, field) {
            None if field.required => {
                required.push(json!(id));
                if let Some(rule) = something_given(field) {
                    rules.push(json!({ "properties": { id: rule } }));
                }
            }
            None => {}
            Some(condition) => {
                rules.extend(presence_rule(
                    &condition,
                    field.required,
                    answered(field),
                    json!({ "not": answered(field) }),
                ));
            }
        }
        if let FieldKind::Group(group) = &field.kind {
            for inner in &group.fields {
                let Some(condition) = &inner.show_if else {
                    continue;
                };
                let in_items = |rule: Value| json!({ "properties": { id: { "items": rule } } });
                let reads_item = condition
                    .fields()
                    .iter()
                    .any(|f| group.field(f.as_str()).is_some());
                if reads_item {
                    // Decided item by item, on the item's own answers.
                    rules.extend(
                        presence_rule(
                            condition,
                            inner.required,
                            answered(inner),
                            json!({ "not": answered(inner) }),
                        )
                        .map(in_items),
                    );
                } else {
                    rules.extend(presence_rule(
                        condition,
                        inner.required,
                        in_items(answered(inner)),
                        in_items(json!({ "not": answered(inner) })),
                    ));
                }
            }
        }
    }
    let mut schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("urn:madoguchi:procedure:{}:{}", procedure.id, procedure.version),
        "title": procedure.title.ja,
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    });
    let mut unstated = Vec::new();
    for stop in &procedure.stops {
        // Answers that reach a stop are refused: the form ends there.
        match stop.when.to_schema() {
            Some(when) => rules.push(json!({ "not": when })),
            None => unstated.push(ServerCheck::EligibilityStop),
        }
    }
    if !rules.is_empty() {
        schema["allOf"] = Value::Array(rules);
    }
    if !unstated.is_empty() {
        schema["x-server-checks"] = checks(&unstated[..1]);
    }
    schema
}

/// What a present value must hold to count as an answer, beyond being there: a list (choices,
/// files) something in it, as an unticked checkbox is no answer on the web; a string something
/// typed, spaces alone being none.
fn something_given(field: &Field) -> Option<Value> {
    match &field.kind {
        FieldKind::Choice { multiple: true, .. } | FieldKind::File { .. } => {
            Some(json!({ "minItems": 1 }))
        }
        kind if kind.is_string() => Some(json!({ "pattern": typed_pattern() })),
        FieldKind::Name { .. } => Some(json!({ "not": blank_parts(&PersonName::PARTS) })),
        FieldKind::BankAccount => Some(json!({ "not": blank_parts(&BANK_ACCOUNT_PARTS) })),
        _ => None,
    }
}

/// The schema an object satisfies when it answers `field`.
fn answered(field: &Field) -> Value {
    let id = field.id.as_str();
    match something_given(field) {
        Some(rule) => json!({ "required": [id], "properties": { id: rule } }),
        None => json!({ "required": [id] }),
    }
}

/// A question that applies only under a condition: answered (if required) when it holds,
/// unanswered when it does not. A condition JSON Schema cannot state leaves presence
/// unconstrained.
fn presence_rule(
    condition: &Condition,
    required: bool,
    present: Value,
    absent: Value,
) -> Option<Value> {
    let when = condition.to_schema()?;
    Some(if required {
        json!({ "if": when, "then": present, "else": absent })
    } else {
        json!({ "if": when, "else": absent })
    })
}

/// 姓 always; 名 unless the name is in Latin letters; the readings as `kana` says. Which
/// rules apply depends on whether the name is Latin, hence the `if`.
fn name_schema(kana: NameKana) -> Value {
    let text = json!({ "type": "string", "pattern": line_pattern(), "maxLength": NAME_PART_MAX });
    let reading = json!({
        "type": "string", "pattern": kana_input_pattern(), "maxLength": NAME_PART_MAX,
        "x-server-checks": checks(&[ServerCheck::LengthAfterConversion, ServerCheck::SoundMarks]),
    });
    // A part counts only with something typed in it, as a box on the web.
    let filled = |part: &str| json!({ "required": [part], "properties": { part: { "pattern": typed_pattern() } } });
    let readings_required = json!({
        "allOf": [filled("family_kana"), { "if": filled("given"), "then": filled("given_kana") }]
    });
    let rules = |latin: bool| {
        let mut all = Vec::new();
        if !latin {
            all.push(filled("given"));
        }
        if kana.required_for(latin) {
            all.push(readings_required.clone());
        }
        match all.len() {
            0 => json!({}),
            1 => all.remove(0),
            _ => json!({ "allOf": all }),
        }
    };
    let latin = latin_input_pattern();
    json!({
        "type": "object",
        "properties": {
            "family": text, "given": text, "family_kana": reading, "given_kana": reading,
        },
        "required": ["family"],
        "allOf": [filled("family")],
        "additionalProperties": false,
        "if": {
            "properties": {
                "family": { "pattern": latin },
                "given": { "pattern": latin },
            },
        },
        "then": rules(true),
        "else": rules(false),
    })
}

/// A compound answer's object with nothing typed in any of its parts.
fn blank_parts(parts: &[&str]) -> Value {
    let blank = json!({ "type": "string", "pattern": blank_or("") });
    json!({
        "type": "object",
        "properties": parts.iter().map(|p| ((*p).to_owned(), blank.clone())).collect::<Map<_, _>>(),
        "additionalProperties": false,
    })
}

fn checks(list: &[ServerCheck]) -> Value {
    json!(list.iter().map(|c| c.code()).collect::<Vec<_>>())
}

fn bank_account_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "bank_code": { "type": "string", "pattern": digits_pattern(4, 4, ""), "description": "金融機関コード（4桁）" },
            "branch_code": { "type": "string", "pattern": digits_pattern(3, 3, ""), "description": "支店コード（3桁）" },
            "account_type": { "enum": ACCOUNT_TYPES.map(account_type_key), "description": "口座種別（普通・当座・貯蓄）" },
            "account_number": { "type": "string", "pattern": digits_pattern(1, 7, ""), "description": "口座番号（7桁まで。短い番号は前に0を補って保存）" },
            "holder_kana": {
                "type": "string", "pattern": kana_input_pattern(), "maxLength": HOLDER_MAX,
                "description": "口座名義（カタカナ。ひらがな・半角カナは全角カタカナにして保存）",
                "x-server-checks": checks(&[ServerCheck::LengthAfterConversion, ServerCheck::SoundMarks]),
            },
        },
        "required": ["bank_code", "branch_code", "account_type", "account_number", "holder_kana"],
        "additionalProperties": false,
    })
}

fn date_schema(min: Option<&DateBound>, max: Option<&DateBound>) -> Value {
    // JSON Schema cannot compare dates; `formatMinimum`/`formatMaximum` (understood by
    // ajv-formats) tell clients the fixed limits the server enforces. A limit relative to
    // today or to another answer is the server's alone.
    let mut s = json!({ "type": "string", "format": "date", "pattern": DATE_PATTERN });
    let any_day = time::Date::MIN;
    let (fixed_min, fixed_max) = date_window(
        min.filter(|b| b.fixed().is_some()),
        max.filter(|b| b.fixed().is_some()),
        any_day,
        |_| None,
    );
    let mut server = vec![ServerCheck::DateExists];
    if min.is_none_or(|b| b.fixed().is_some()) {
        s["formatMinimum"] = json!(format_date(fixed_min));
    } else {
        server.push(ServerCheck::RelativeDateLimit);
    }
    if max.is_none_or(|b| b.fixed().is_some()) {
        s["formatMaximum"] = json!(format_date(fixed_max));
    } else if !server.contains(&ServerCheck::RelativeDateLimit) {
        server.push(ServerCheck::RelativeDateLimit);
    }
    s["x-server-checks"] = checks(&server);
    s
}

/// Adds rules only the server checks to a value's `x-server-checks`.
fn add_checks(schema: &mut Value, more: &[ServerCheck]) {
    if more.is_empty() {
        return;
    }
    let mut list: Vec<Value> = schema
        .get("x-server-checks")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    list.extend(more.iter().map(|c| json!(c.code())));
    schema["x-server-checks"] = Value::Array(list);
}

/// A one-line text answer with its pattern: the digits people type (with hyphens or spaces
/// between them), or the author's regular expression around the spaces the server trims.
fn text_schema(max_length: usize, pattern: Option<&TextPattern>) -> Value {
    let mut s = json!({
        "type": "string", "pattern": line_pattern(), "maxLength": max_length,
        "x-server-checks": checks(&[ServerCheck::LengthAfterConversion]),
    });
    match pattern {
        None => {}
        Some(TextPattern::Digits(count)) => {
            s["pattern"] = json!(digits_pattern(*count, *count, ""))
        }
        Some(TextPattern::Regex(regex)) => {
            s["allOf"] = json!([{ "pattern": blank_or(&format!("[{SPACE_CLASS}]*(?:{})[{SPACE_CLASS}]*", regex.source)) }]);
        }
    }
    s
}

fn value_schema(field: &Field) -> Value {
    let mut schema = match &field.kind {
        FieldKind::Text {
            max_length,
            pattern,
        } => text_schema(*max_length, pattern.as_ref()),
        FieldKind::LongText { max_length } => json!({
            "type": "string", "pattern": lines_pattern(), "maxLength": max_length,
            "x-server-checks": checks(&[ServerCheck::LengthAfterConversion]),
        }),
        FieldKind::Kana { max_length } => json!({
            "type": "string", "pattern": kana_input_pattern(), "maxLength": max_length,
            "x-server-checks": checks(&[ServerCheck::LengthAfterConversion, ServerCheck::SoundMarks]),
        }),
        FieldKind::Email => json!({
            "type": "string", "pattern": email_pattern(), "maxLength": MAX_EMAIL_CHARS,
            "x-server-checks": checks(&[ServerCheck::EmailSyntax]),
        }),
        FieldKind::PostalCode { residence, .. } => {
            let mut s = json!({ "type": "string", "pattern": digits_pattern(7, 7, "\u{3012}*") });
            if residence.is_some() {
                add_checks(&mut s, &[ServerCheck::WithinMunicipality]);
            }
            s
        }
        FieldKind::CorporateNumber => json!({
            "type": "string", "pattern": digits_pattern(13, 13, ""),
            "x-server-checks": checks(&[ServerCheck::CheckDigit]),
        }),
        FieldKind::Phone => json!({
            "type": "string", "pattern": phone_pattern(),
            "x-server-checks": checks(&[ServerCheck::PhoneLength]),
        }),
        FieldKind::MyNumber => json!({
            "type": "string", "pattern": digits_pattern(12, 12, ""),
            "x-server-checks": checks(&[ServerCheck::CheckDigit]),
        }),
        // Nothing typed in any part is no answer, as on the web; otherwise the parts' rules.
        FieldKind::Name { kana } => {
            json!({ "anyOf": [blank_parts(&PersonName::PARTS), name_schema(*kana)] })
        }
        FieldKind::BankAccount => {
            json!({ "anyOf": [blank_parts(&BANK_ACCOUNT_PARTS), bank_account_schema()] })
        }
        FieldKind::Number {
            min,
            max,
            min_from,
            max_from,
            ..
        } => {
            let mut s = json!({ "type": "integer" });
            if let Some(min) = min {
                s["minimum"] = json!(min);
            }
            if let Some(max) = max {
                s["maximum"] = json!(max);
            }
            if min_from.is_some() || max_from.is_some() {
                add_checks(&mut s, &[ServerCheck::LimitFromAnswer]);
            }
            s
        }
        FieldKind::Date {
            min,
            max,
            days,
            deadline,
        } => {
            let mut s = date_schema(min.as_ref(), max.as_ref());
            if days.is_some() {
                add_checks(&mut s, &[ServerCheck::AllowedDays]);
            }
            if deadline.is_some() {
                add_checks(&mut s, &[ServerCheck::Deadline]);
            }
            s
        }
        FieldKind::Choice {
            options,
            multiple: false,
            ..
        } => {
            json!({ "type": "string", "enum": options.iter().map(|o| &o.value).collect::<Vec<_>>() })
        }
        FieldKind::Choice {
            options,
            multiple: true,
            ranked,
            ..
        } => {
            let mut s = json!({
                "type": "array",
                "items": { "type": "string", "enum": options.iter().map(|o| &o.value).collect::<Vec<_>>() },
                "uniqueItems": true,
            });
            if let Some(n) = ranked {
                s["maxItems"] = json!(n);
                s["description"] = json!("第1希望から順に");
            }
            s
        }
        FieldKind::YesNo => json!({ "type": "boolean" }),
        FieldKind::File {
            accept,
            max_bytes,
            max_files,
        } => json!({
            "type": "array",
            "maxItems": max_files,
            "items": {
                "type": "object",
                "required": ["attachment", "name"],
                "properties": {
                    "attachment": { "type": "string", "pattern": SHA256_PATTERN, "description": "id returned by POST /api/v1/attachments" },
                    "name": { "type": "string", "pattern": format!("^[^{REFUSED_IN_LINE}]*$") },
                    "size": { "type": "integer", "minimum": 0, "maximum": max_bytes },
                    "content_type": { "enum": accept.iter().map(|t| t.mime()).collect::<Vec<_>>() },
                },
            },
            "x-server-checks": checks(&[ServerCheck::AttachmentUploaded]),
        }),
        FieldKind::Group(group) => {
            let mut properties = Map::new();
            let mut required = Vec::new();
            let mut non_empty = Map::new();
            for inner in &group.fields {
                properties.insert(inner.id.to_string(), value_schema(inner));
                if inner.required && inner.show_if.is_none() {
                    required.push(json!(inner.id.as_str()));
                    if let Some(rule) = something_given(inner) {
                        non_empty.insert(inner.id.to_string(), rule);
                    }
                }
            }
            let mut items = json!({ "type": "object", "properties": properties, "required": required, "additionalProperties": false });
            if !non_empty.is_empty() {
                items["allOf"] = json!([{ "properties": non_empty }]);
            }
            let mut s = json!({
                "type": "array",
                "minItems": group.min_items,
                "maxItems": group.max_items,
                "items": items,
            });
            if group.unique_field.is_some() {
                add_checks(&mut s, &[ServerCheck::UniqueAcrossItems]);
            }
            if group.max_items_from.is_some() {
                add_checks(&mut s, &[ServerCheck::LimitFromAnswer]);
            }
            s
        }
    };
    if field.same_as.is_some() {
        add_checks(&mut schema, &[ServerCheck::SameAs]);
    }
    if let FieldKind::Choice { options, .. } = &field.kind
        && options.iter().any(|o| o.only_if.is_some())
    {
        add_checks(&mut schema, &[ServerCheck::OptionConditions]);
    }
    schema["title"] = json!(field.label.ja);
    if let Some(help) = &field.help {
        schema["description"] = json!(help.ja);
    }
    schema
}
