//! The JSON Schema (draft 2020-12) of a procedure's answers object, as exact as JSON Schema
//! allows: types, limits, options, repeating groups, and conditions as `if`/`then`/`else`.
//!
//! The contract with API clients: answers the server accepts satisfy this schema, and answers
//! that satisfy it are accepted, except where a rule cannot be written in JSON Schema — a date
//! that does not exist (2月30日), a 法人番号's or 個人番号's check digit, a date's earliest and latest day, a condition comparing dates, an attachment id that was never
//! uploaded, a value repeated across group items. Those are rejected with a 422 naming the field.

use crate::answers::{ACCOUNT_TYPES, LATIN_NAME_PATTERN, account_type_key, format_date};
use crate::condition::Condition;
use crate::procedure::{Field, FieldKind, NameKana, Procedure};
use crate::validate::{
    ACCOUNT_NUMBER_PATTERN, BANK_CODE_PATTERN, BRANCH_CODE_PATTERN, CORPORATE_NUMBER_PATTERN,
    EMAIL_PATTERN, HOLDER_MAX, KANA_PATTERN, MAX_EMAIL_CHARS, MY_NUMBER_PATTERN, NAME_PART_MAX,
    PHONE_PATTERN, POSTAL_CODE_PATTERN, SHA256_PATTERN, effective_condition,
};
use serde_json::{Map, Value, json};

pub const DATE_PATTERN: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$";

pub fn answers_schema(procedure: &Procedure) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    let mut rules = Vec::new();
    for (step, field) in procedure.fields() {
        properties.insert(field.id.to_string(), value_schema(field));
        let id = field.id.as_str();
        match effective_condition(step, field) {
            None if field.required => required.push(json!(id)),
            None => {}
            Some(condition) => {
                let present = json!({ "required": [id] });
                let absent = json!({ "not": present.clone() });
                rules.extend(presence_rule(&condition, field.required, present, absent));
            }
        }
        if let FieldKind::Group(group) = &field.kind {
            for inner in &group.fields {
                let Some(condition) = &inner.show_if else {
                    continue;
                };
                let item_required = json!({ "properties": { id: { "items": { "required": [inner.id.as_str()] } } } });
                let lapsed = json!({ "properties": { id: { "items": { "not": { "required": [inner.id.as_str()] } } } } });
                rules.extend(presence_rule(
                    condition,
                    inner.required,
                    item_required,
                    lapsed,
                ));
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
    if !rules.is_empty() {
        schema["allOf"] = Value::Array(rules);
    }
    schema
}

/// A question that applies only under a condition: answered (if required) when it holds,
/// absent when it does not. A condition JSON Schema cannot state leaves presence unconstrained.
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
    let text = json!({ "type": "string", "pattern": r"\S", "maxLength": NAME_PART_MAX });
    let reading = json!({ "type": "string", "pattern": KANA_PATTERN, "maxLength": NAME_PART_MAX });
    let readings_required =
        json!({ "required": ["family_kana"], "dependentRequired": { "given": ["given_kana"] } });
    let rules = |latin: bool| {
        let mut all = Vec::new();
        if !latin {
            all.push(json!({ "required": ["given"] }));
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
    json!({
        "type": "object",
        "properties": {
            "family": text, "given": text, "family_kana": reading, "given_kana": reading,
        },
        "required": ["family"],
        "additionalProperties": false,
        "if": {
            "properties": {
                "family": { "pattern": LATIN_NAME_PATTERN },
                "given": { "pattern": LATIN_NAME_PATTERN },
            },
        },
        "then": rules(true),
        "else": rules(false),
    })
}

fn value_schema(field: &Field) -> Value {
    let mut schema = match &field.kind {
        FieldKind::Text { max_length } | FieldKind::LongText { max_length } => {
            json!({ "type": "string", "pattern": r"\S", "maxLength": max_length })
        }
        FieldKind::Kana { max_length } => {
            json!({ "type": "string", "pattern": KANA_PATTERN, "maxLength": max_length })
        }
        FieldKind::Email => {
            json!({ "type": "string", "pattern": EMAIL_PATTERN, "maxLength": MAX_EMAIL_CHARS })
        }
        FieldKind::PostalCode { .. } => json!({ "type": "string", "pattern": POSTAL_CODE_PATTERN }),
        FieldKind::CorporateNumber => {
            json!({ "type": "string", "pattern": CORPORATE_NUMBER_PATTERN })
        }
        FieldKind::Phone => json!({ "type": "string", "pattern": PHONE_PATTERN }),
        FieldKind::MyNumber => json!({ "type": "string", "pattern": MY_NUMBER_PATTERN }),
        FieldKind::Name { kana } => name_schema(*kana),
        FieldKind::BankAccount => json!({
            "type": "object",
            "properties": {
                "bank_code": { "type": "string", "pattern": BANK_CODE_PATTERN, "description": "金融機関コード" },
                "branch_code": { "type": "string", "pattern": BRANCH_CODE_PATTERN, "description": "支店コード" },
                "account_type": { "enum": ACCOUNT_TYPES.map(account_type_key), "description": "口座種別（普通・当座・貯蓄）" },
                "account_number": { "type": "string", "pattern": ACCOUNT_NUMBER_PATTERN, "description": "口座番号（7桁、前ゼロ埋め）" },
                "holder_kana": { "type": "string", "pattern": KANA_PATTERN, "maxLength": HOLDER_MAX, "description": "口座名義（全角カタカナ）" },
            },
            "required": ["bank_code", "branch_code", "account_type", "account_number", "holder_kana"],
            "additionalProperties": false,
        }),
        FieldKind::Number { min, max, .. } => {
            let mut s = json!({ "type": "integer" });
            if let Some(min) = min {
                s["minimum"] = json!(min);
            }
            if let Some(max) = max {
                s["maximum"] = json!(max);
            }
            s
        }
        FieldKind::Date { min, max } => {
            // JSON Schema cannot compare dates; `formatMinimum`/`formatMaximum` (understood by
            // ajv-formats) tell clients the limits the server enforces.
            let mut s = json!({ "type": "string", "format": "date", "pattern": DATE_PATTERN });
            if let Some(min) = min {
                s["formatMinimum"] = json!(format_date(*min));
            }
            if let Some(max) = max {
                s["formatMaximum"] = json!(format_date(*max));
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
            ..
        } => json!({
            "type": "array",
            "items": { "type": "string", "enum": options.iter().map(|o| &o.value).collect::<Vec<_>>() },
            "minItems": 1,
            "uniqueItems": true,
        }),
        FieldKind::YesNo => json!({ "type": "boolean" }),
        FieldKind::File {
            accept,
            max_bytes,
            max_files,
        } => json!({
            "type": "array",
            "minItems": 1,
            "maxItems": max_files,
            "items": {
                "type": "object",
                "required": ["attachment", "name"],
                "properties": {
                    "attachment": { "type": "string", "pattern": SHA256_PATTERN, "description": "id returned by POST /api/v1/attachments" },
                    "name": { "type": "string" },
                    "size": { "type": "integer", "minimum": 0, "maximum": max_bytes },
                    "content_type": { "enum": accept.iter().map(|t| t.mime()).collect::<Vec<_>>() },
                },
            },
        }),
        FieldKind::Group(group) => {
            let mut properties = Map::new();
            let mut required = Vec::new();
            for inner in &group.fields {
                properties.insert(inner.id.to_string(), value_schema(inner));
                if inner.required && inner.show_if.is_none() {
                    required.push(json!(inner.id.as_str()));
                }
            }
            json!({
                "type": "array",
                "minItems": group.min_items,
                "maxItems": group.max_items,
                "items": { "type": "object", "properties": properties, "required": required, "additionalProperties": false },
            })
        }
    };
    schema["title"] = json!(field.label.ja);
    if let Some(help) = &field.help {
        schema["description"] = json!(help.ja);
    }
    schema
}
