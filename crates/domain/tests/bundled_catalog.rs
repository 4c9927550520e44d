//! The bundled catalog is the demo content and the test data: it must load, and every
//! procedure's JSON Schema must agree with the server about which answers are acceptable.

use madoguchi_domain::catalog::{self, Catalog};
use madoguchi_domain::procedure::{FieldKind, Procedure};
use madoguchi_domain::schema::answers_schema;
use madoguchi_domain::validate::{Problem, parse_json, prune, read_stored};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Map, Value, json};

fn bundled() -> Catalog {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../catalog");
    let files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    match catalog::load(&files) {
        Ok(c) => c,
        Err(errors) => panic!(
            "bundled catalog has errors:\n{}",
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

#[test]
fn bundled_catalog_has_the_starter_procedures() {
    let catalog = bundled();
    assert!(catalog.procedures.len() >= 10);
    for id in [
        "juminhyo-yuso",
        "tenshutsu",
        "jido-teate-nintei",
        "kokuho-soshitsu",
        "hoiku-moshikomi",
        "inu-toroku",
        "sodai-gomi",
        "shisetsu-shiyo",
        "sodan-moshikomi",
        "inkan-toroku",
    ] {
        assert!(catalog.procedure(id).is_some(), "{id} missing");
    }
    assert!(!catalog.procedure("inkan-toroku").unwrap().is_online());
}

/// Random answers shaped like the procedure's: mostly plausible, sometimes wrong in type,
/// range or option, sometimes with extra keys, so both acceptance and rejection are exercised.
fn answers_for(procedure: &Procedure) -> BoxedStrategy<Value> {
    let fields: Vec<_> = procedure
        .fields()
        .map(|(s, f)| (s.show_if.is_some() || f.show_if.is_some(), f.clone()))
        .collect();
    let per_field: Vec<BoxedStrategy<Option<(String, Value)>>> = fields
        .into_iter()
        .map(|(conditional, f)| {
            let id = f.id.to_string();
            // Conditional questions are present about half the time, so that both branches occur.
            let absent = if conditional { 3 } else { 1 };
            prop_oneof![absent => Just(None), 12 => value_for(&f.kind).prop_map(move |v| Some((id.clone(), v)))].boxed()
        })
        .collect();
    let procedure = procedure.clone();
    (
        per_field,
        prop::option::weighted(0.05, Just(("unexpected".to_owned(), json!(1)))),
        prop::bool::weighted(0.7),
    )
        .prop_map(move |(pairs, extra, repair)| {
            let mut map: Map<String, Value> = pairs.into_iter().flatten().collect();
            // Most of the time, drop the answers to questions that do not apply, so that
            // acceptable answers are common enough to test.
            if repair && let Ok(typed) = read_stored(&procedure, &Value::Object(map.clone())) {
                map = prune(&procedure, &typed)
                    .to_json()
                    .as_object()
                    .cloned()
                    .unwrap_or_default();
            }
            if let Some((k, v)) = extra {
                map.insert(k, v);
            }
            Value::Object(map)
        })
        .boxed()
}

fn value_for(kind: &FieldKind) -> BoxedStrategy<Value> {
    match kind {
        FieldKind::Text { max_length } | FieldKind::LongText { max_length } => {
            let max = *max_length;
            prop_oneof![
                40 => "[ぁ-ん山田太郎a-z]{1,8}".prop_map(Value::from),
                1 => Just(json!("  ")),
                1 => Just(json!("長".repeat(max + 1))),
                1 => Just(json!(42)),
            ]
            .boxed()
        }
                FieldKind::Kana { .. } => prop_oneof![
            20 => Just(json!("ヤマダ\u{3000}タロウ")),
            5 => Just(json!("サトウ")),
            1 => Just(json!("やまだ")),
            1 => Just(json!("山田")),
            1 => Just(json!("ヤマダ  タロウ")),
            1 => Just(json!(" ヤマダ")),
        ]
        .boxed(),
                FieldKind::PostalCode { .. } => prop_oneof![20 => Just(json!("1440052")), 1 => Just(json!("144-0052")), 1 => Just(json!("123"))].boxed(),
                // Check digits cannot be stated in JSON Schema: only shapes are varied here.
        FieldKind::CorporateNumber => prop_oneof![20 => Just(json!("7000012050002")), 1 => Just(json!("700001205000")), 1 => Just(json!("0000012050002"))].boxed(),
        FieldKind::MyNumber => prop_oneof![20 => Just(json!("123456789018")), 1 => Just(json!("1234-5678-9018")), 1 => Just(json!("12345678901")), 1 => Just(json!({ "last4": "9018", "sealed": "v1.x" }))].boxed(),
        FieldKind::Name { .. } => {
            let part = |good: &'static [&'static str]| {
                let good: Vec<Value> = good.iter().map(|s| json!(s)).collect();
                prop_oneof![
                    30 => prop::sample::select(good).prop_map(Some),
                    1 => Just(Some(json!("  "))),
                    1 => Just(Some(json!(42))),
                    1 => Just(Some(json!("やまだ"))),
                    2 => Just(None),
                ]
            };
            (
                prop_oneof![3 => Just(&["山田", "高橋"][..]), 1 => Just(&["Smith", "O'Brien", "Müller"][..])],
                prop::bool::weighted(0.05),
            )
                .prop_flat_map(move |(names, stray)| {
                    (
                        part(names),
                        part(names),
                        part(&["ヤマダ", "タカハシ"]),
                        part(&["タロウ", "ハナコ"]),
                        Just(stray),
                    )
                })
                .prop_map(|(family, given, family_kana, given_kana, stray)| {
                    let mut object = Map::new();
                    for (key, value) in [("family", family), ("given", given), ("family_kana", family_kana), ("given_kana", given_kana)] {
                        if let Some(value) = value {
                            object.insert(key.to_owned(), value);
                        }
                    }
                    if stray {
                        object.insert("middle".to_owned(), json!("X"));
                    }
                    Value::Object(object)
                })
                .boxed()
        }
        FieldKind::BankAccount => {
            let part = |good: Value, bad: Value| prop_oneof![20 => Just(Some(good)), 1 => Just(Some(bad)), 1 => Just(None)];
            (
                part(json!("0001"), json!("01")),
                part(json!("123"), json!("12a")),
                part(json!("ordinary"), json!("futsu")),
                part(json!("0123456"), json!("123456")),
                part(json!("ヤマダ\u{3000}タロウ"), json!("山田")),
            )
                .prop_map(|(bank, branch, kind, number, holder)| {
                    let mut object = Map::new();
                    for (key, value) in [("bank_code", bank), ("branch_code", branch), ("account_type", kind), ("account_number", number), ("holder_kana", holder)] {
                        if let Some(value) = value {
                            object.insert(key.to_owned(), value);
                        }
                    }
                    Value::Object(object)
                })
                .boxed()
        }
        FieldKind::Email => prop_oneof![20 => Just(json!("taro@example.jp")), 1 => Just(json!("taro@example")), 1 => Just(json!("a b@c.jp"))].boxed(),
        FieldKind::Phone => prop_oneof![20 => Just(json!("0357441111")), 20 => Just(json!("09012345678")), 1 => Just(json!("03-5744-1111")), 1 => Just(json!("123"))].boxed(),
        FieldKind::Number { min, max, .. } => {
            let lo = min.unwrap_or(-5) - 2;
            let hi = max.unwrap_or(500) + 2;
            prop_oneof![40 => (lo..=hi).prop_map(Value::from), 1 => Just(json!(2.0)), 1 => Just(json!(2.5)), 1 => Just(json!("3"))].boxed()
        }
        FieldKind::Date { min, max } => {
            let lo = min.map_or(2_415_021, |d| d.to_julian_day()); // 1900-01-01
            let hi = max.map_or(2_462_503, |d| d.to_julian_day()); // 2030-01-01
            let iso = |jd: i32| json!(madoguchi_domain::answers::format_date(time::Date::from_julian_day(jd).unwrap()));
            prop_oneof![
                40 => (lo..=hi).prop_map(iso),
                2 => (lo - 400..lo + 400).prop_map(iso),
                1 => Just(json!("2025-4-1")),
                1 => Just(json!("2025-02-30")),
                1 => Just(json!(20250401)),
            ]
            .boxed()
        }
        FieldKind::Choice { options, multiple: false, .. } => {
            let values: Vec<Value> = options.iter().map(|o| json!(o.value)).chain([json!("nope")].into_iter().filter(|_| options.len() > 20)).collect();
            let values: Vec<Value> = values.into_iter().collect();
            prop::sample::select(values).boxed()
        }
        FieldKind::Choice { options, multiple: true, .. } => {
            let values: Vec<String> = options.iter().map(|o| o.value.clone()).chain(["nope".to_owned()]).collect();
            prop::collection::vec(prop::sample::select(values), 0..4).prop_map(|v| json!(v)).boxed()
        }
        FieldKind::YesNo => prop_oneof![20 => Just(json!(true)), 20 => Just(json!(false)), 1 => Just(json!("yes"))].boxed(),
        FieldKind::File { .. } => prop_oneof![
            30 => Just(json!([{ "attachment": "a".repeat(64), "name": "honninkakunin.pdf" }])),
            1 => Just(json!([])),
            1 => Just(json!([{ "attachment": "xyz", "name": "a.pdf" }])),
        ]
        .boxed(),
        FieldKind::Group(group) => {
            let inner: Vec<(String, BoxedStrategy<Value>)> = group.fields.iter().map(|f| (f.id.to_string(), value_for(&f.kind))).collect();
            let item = inner
                .into_iter()
                .map(|(id, s)| prop_oneof![1 => Just(None), 30 => s.prop_map(move |v| Some((id.clone(), v)))].boxed())
                .collect::<Vec<_>>()
                .prop_map(|pairs| Value::Object(pairs.into_iter().flatten().collect()));
            prop::collection::vec(item, 1..=group.max_items.min(3)).prop_map(Value::Array).boxed()
        }
    }
}

#[test]
fn schema_and_server_agree_on_every_bundled_procedure() {
    let catalog = bundled();
    for procedure in catalog.procedures.iter().filter(|p| p.is_online()) {
        let schema = answers_schema(procedure);
        let validator = jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap();
        let mut runner = TestRunner::new(Config {
            cases: 1500,
            ..Config::default()
        });
        let accepted = std::cell::Cell::new(0);
        runner
            .run(&answers_for(procedure), |answers| {
                let server = parse_json(procedure, &answers);
                // Duplicates across group items and date limits cannot be written in JSON Schema.
                let inexpressible = |p: &Problem| matches!(p, Problem::Duplicate | Problem::DateTooEarly { .. } | Problem::DateTooLate { .. } | Problem::InvalidMyNumber);
                let only_inexpressible = matches!(&server, Err(errors) if errors.iter().all(|e| inexpressible(&e.problem)));
                accepted.set(accepted.get() + usize::from(server.is_ok()));
                if !only_inexpressible {
                    prop_assert_eq!(
                        server.is_ok(),
                        validator.is_valid(&answers),
                        "{}: server said {:?} for {}",
                        procedure.id,
                        server.as_ref().err(),
                        answers
                    );
                }
                Ok(())
            })
            .unwrap();
        // Both sides rejecting everything would prove nothing.
        assert!(
            accepted.get() > 5,
            "{}: only {} generated answers were acceptable",
            procedure.id,
            accepted.get()
        );
    }
}
