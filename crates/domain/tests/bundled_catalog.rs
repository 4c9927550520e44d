//! The bundled catalog is the demo content and the test data: it must load, and every
//! procedure's JSON Schema must agree with the server about which answers are acceptable.

use madoguchi_domain::catalog::{self, Catalog};
use madoguchi_domain::form::{FormValues, apply_step};
use madoguchi_domain::procedure::{Field, Step};
use madoguchi_domain::procedure::{FieldKind, Procedure, TextPattern};
use madoguchi_domain::schema::answers_schema;
use madoguchi_domain::validate::{FieldError, Problem, parse_json, prune, read_stored};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Map, Value, json};

/// A fixed "today", so that runs are repeatable.
fn today() -> time::Date {
    time::macros::date!(2026 - 12 - 01)
}

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
                // and mostly steer clear of the eligibility stops, so that the rest is tested.
                for stop in &procedure.stops {
                    if let madoguchi_domain::Condition::Test {
                        field,
                        test:
                            madoguchi_domain::condition::Test::Equals(
                                madoguchi_domain::condition::Literal::Text(v),
                            ),
                    } = &stop.when
                        && let Some(FieldKind::Choice { options, .. }) =
                            procedure.field(field.as_str()).map(|f| &f.kind)
                        && let Some(other) = options.iter().find(|o| &o.value != v)
                        && map.get(field.as_str()) == Some(&json!(v))
                    {
                        map.insert(field.to_string(), json!(other.value));
                    }
                }
                // and the options that the other answers rule out.
                for (_, field) in procedure.fields() {
                    let FieldKind::Choice { options, .. } = &field.kind else {
                        continue;
                    };
                    let ruled_out: Vec<Value> = options
                        .iter()
                        .filter(|o| !o.available(&typed))
                        .map(|o| json!(o.value))
                        .collect();
                    match map.get_mut(field.id.as_str()) {
                        Some(Value::Array(chosen)) => chosen.retain(|v| !ruled_out.contains(v)),
                        Some(v) if ruled_out.contains(v) => {
                            map.remove(field.id.as_str());
                        }
                        _ => {}
                    }
                }
            }
            // A question that must repeat another's answer mostly does.
            if repair {
                for (_, field) in procedure.fields() {
                    if let Some(other) = &field.same_as
                        && let Some(value) = map.get(other.as_str()).cloned()
                        && map.contains_key(field.id.as_str())
                    {
                        map.insert(field.id.to_string(), value);
                    }
                }
            }
            if let Some((k, v)) = extra {
                map.insert(k, v);
            }
            Value::Object(map)
        })
        .boxed()
}

/// Strings as residents and client programs send them: mostly right, some in the forms people
/// type (ひらがな readings, hyphens, full-width digits, padding), some that no channel may take
/// (control and direction characters, nothing visible).
fn typed_text(
    good: &'static [&'static str],
    bad: &'static [&'static str],
) -> BoxedStrategy<String> {
    let good: Vec<String> = good.iter().map(|s| (*s).to_owned()).collect();
    let mut bad: Vec<String> = bad.iter().map(|s| (*s).to_owned()).collect();
    bad.extend(["  ", "\u{200B}", "山田\u{1B}", "ab\u{202E}c", "\u{0}"].map(str::to_owned));
    prop_oneof![40 => prop::sample::select(good), 3 => prop::sample::select(bad)].boxed()
}

fn string_for(kind: &FieldKind) -> Option<BoxedStrategy<String>> {
    Some(match kind {
        FieldKind::Text {
            pattern: Some(TextPattern::Digits(count)),
            ..
        } => {
            let count = *count;
            prop_oneof![
                30 => proptest::string::string_regex(&format!("[0-9]{{{count}}}")).unwrap(),
                5 => proptest::string::string_regex(&format!("[０-９]{{{count}}}")).unwrap(),
                5 => proptest::string::string_regex(&format!("[0-9]{{3}}-[0-9]{{{}}}", count.saturating_sub(3))).unwrap(),
                2 => proptest::string::string_regex(&format!("[0-9]{{{}}}", count + 1)).unwrap(),
                2 => Just("12a".to_owned()),
            ]
            .boxed()
        }
        FieldKind::Text {
            pattern: Some(TextPattern::Regex(regex)),
            ..
        } => prop_oneof![
            30 => proptest::string::string_regex(&regex.source).unwrap(),
            1 => Just(" A1 ".to_owned()),
            1 => "[a-zあ-ん0-9]{1,8}",
        ]
        .boxed(),
        FieldKind::Text { max_length, .. } | FieldKind::LongText { max_length } => {
            let max = *max_length;
            let multiline = matches!(kind, FieldKind::LongText { .. });
            prop_oneof![
                40 => "[ぁ-ん山田太郎a-z]{1,8}",
                3 => typed_text(&["  山田  ", "髙橋\u{3000}"], &[]),
                1 => Just("長".repeat(max + 1)),
                1 => Just(if multiline { "一行目\r\n二行目".to_owned() } else { "一行目\n二行目".to_owned() }),
            ]
            .boxed()
        }
        FieldKind::Kana { .. } => typed_text(
            &[
                "ヤマダ\u{3000}タロウ",
                "サトウ",
                "やまだ　たろう",
                "ﾔﾏﾀﾞ ﾀﾛｳ",
                " ヤマダ",
                "ヤマダ  タロウ",
            ],
            &["山田", "yamada"],
        ),
        FieldKind::PostalCode { .. } => typed_text(
            &["1440052", "144-0052", "〒１４４－００５２"],
            &["123", "14400521"],
        ),
        // Check digits cannot be stated in JSON Schema: shapes are varied too.
        FieldKind::CorporateNumber => typed_text(
            &["7000012050002", "7000-0120-50002"],
            &["700001205000", "7000012050003"],
        ),
        FieldKind::MyNumber => typed_text(
            &["123456789018", "1234-5678-9018", "１２３４５６７８９０１８"],
            &["12345678901", "123456789012"],
        ),
        FieldKind::Email => typed_text(
            &["taro@example.jp", "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ"],
            &["taro@example", "a b@c.jp", "taro@@example.jp"],
        ),
        FieldKind::Phone => typed_text(
            &[
                "0357441111",
                "09012345678",
                "03-5744-1111",
                "(03)5744-1111",
                "+81 90 1234 5678",
                "０９０－１２３４－５６７８",
            ],
            &["123", "0357", "abc"],
        ),
        _ => return None,
    })
}

fn name_part(good: &'static [&'static str]) -> BoxedStrategy<Option<Value>> {
    let good: Vec<Value> = good.iter().map(|s| json!(s)).collect();
    prop_oneof![
        30 => prop::sample::select(good).prop_map(Some),
        1 => Just(Some(json!("  "))),
        1 => Just(Some(json!(42))),
        1 => Just(Some(json!("山\u{1B}"))),
        2 => Just(None),
    ]
    .boxed()
}

fn value_for(kind: &FieldKind) -> BoxedStrategy<Value> {
    if let Some(strings) = string_for(kind) {
        return prop_oneof![30 => strings.prop_map(Value::from), 1 => Just(json!(42))].boxed();
    }
    match kind {
        FieldKind::MyNumber => unreachable!("a string kind"),
        FieldKind::Name { .. } => (
            prop_oneof![3 => Just(&["山田", "高橋", "ｻﾄｳ"][..]), 1 => Just(&["Smith", "O'Brien", "Müller", "ＳＭＩＴＨ"][..])],
            prop::bool::weighted(0.05),
        )
            .prop_flat_map(move |(names, stray)| {
                (
                    name_part(names),
                    name_part(names),
                    name_part(&["ヤマダ", "たかはし", "ﾀｶﾊｼ"]),
                    name_part(&["タロウ", "はなこ"]),
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
            .boxed(),
        FieldKind::BankAccount => {
            let part = |good: &'static [&'static str], bad: Value| {
                let good: Vec<Value> = good.iter().map(|s| json!(s)).collect();
                prop_oneof![20 => prop::sample::select(good).prop_map(Some), 1 => Just(Some(bad)), 1 => Just(None)]
            };
            (
                part(&["0001", "０００１"], json!("01")),
                part(&["123", "1-23"], json!("12a")),
                part(&["ordinary", "savings"], json!("futsu")),
                part(&["0123456", "12345", "１２３"], json!("12345678")),
                part(&["ヤマダ\u{3000}タロウ", "やまだ たろう"], json!("山田")),
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
        FieldKind::Number { min, max, max_from, .. } => {
            let lo = min.unwrap_or(-5) - 2;
            let hi = max.unwrap_or(500) + 2;
            // A limit taken from another answer is usually the smaller: small values are common.
            let small = if max_from.is_some() { 40 } else { 0 };
            prop_oneof![small => (1..=lo.max(1) + 10).prop_map(Value::from), 40 => (lo..=hi).prop_map(Value::from), 1 => Just(json!(2.0)), 1 => Just(json!(2.5)), 1 => Just(json!("3"))].boxed()
        }
        FieldKind::Date { min, max, days, deadline } => {
            // Limits counted from today are resolved, so that in-range days are common.
            let fixed = |b: &Option<madoguchi_domain::procedure::DateBound>, default: i32| {
                b.as_ref().and_then(|b| b.resolve(today(), |_| None)).map_or(default, |d| d.to_julian_day())
            };
            let hi = fixed(max, 2_462_503); // 2030-01-01
            // A lower limit taken from another answer (葬儀 after 死亡) is met by recent days.
            let from_answer = min.as_ref().is_some_and(|b| b.resolve(today(), |_| None).is_none());
            let mut lo = if from_answer { hi - 30 } else { fixed(min, 2_415_021) }; // 1900-01-01
            let iso = |jd: i32| json!(madoguchi_domain::answers::format_date(time::Date::from_julian_day(jd).unwrap()));
            // Mostly days the question takes: past the deadline's first open day, on an
            // allowed day (the generator moves forward to the next one).
            if let Some(deadline) = deadline {
                let mut d = today();
                while deadline.last_day(d).is_some_and(|l| l < today()) {
                    d = d.next_day().unwrap();
                }
                lo = lo.max(d.to_julian_day());
            }
            let rule = days.clone().unwrap_or_default();
            let allowed = move |jd: i32| {
                let mut d = time::Date::from_julian_day(jd).unwrap();
                for _ in 0..40 {
                    if rule.problem(d).is_none() {
                        break;
                    }
                    d = d.next_day().unwrap();
                }
                json!(madoguchi_domain::answers::format_date(d))
            };
            prop_oneof![
                30 => (lo..=hi.max(lo)).prop_map(allowed),
                10 => (fixed(min, 2_415_021)..=hi).prop_map(iso),
                2 => (lo - 400..lo + 400).prop_map(iso),
                1 => Just(json!("3809-01-01")),
                1 => Just(json!("1850-01-01")),
                1 => Just(json!("2025-4-1")),
                1 => Just(json!("2025-02-30")),
                1 => Just(json!(20250401)),
            ]
            .boxed()
        }
        FieldKind::Choice { options, multiple: false, .. } => {
            let values: Vec<Value> = options.iter().map(|o| json!(o.value)).chain([json!("nope")].into_iter().filter(|_| options.len() > 20)).collect();
            prop::sample::select(values).boxed()
        }
        FieldKind::Choice { options, multiple: true, .. } => {
            let valid: Vec<String> = options.iter().map(|o| o.value.clone()).collect();
            let values: Vec<String> = valid.iter().cloned().chain(["nope".to_owned()]).collect();
            let n = valid.len();
            prop_oneof![
                4 => prop::sample::subsequence(valid, 0..=n).prop_map(|v| json!(v)),
                1 => prop::collection::vec(prop::sample::select(values), 0..4).prop_map(|v| json!(v)),
            ]
            .boxed()
        }
        FieldKind::YesNo => prop_oneof![20 => Just(json!(true)), 20 => Just(json!(false)), 1 => Just(json!("yes"))].boxed(),
        FieldKind::File { .. } => prop_oneof![
            30 => Just(json!([{ "attachment": "a".repeat(64), "name": "honninkakunin.pdf" }])),
            1 => Just(json!([])),
            1 => Just(json!([{ "attachment": "xyz", "name": "a.pdf" }])),
            1 => Just(json!([{ "attachment": "a".repeat(64), "name": "a\u{202E}fdp.exe" }])),
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
        _ => unreachable!("string kinds are generated above"),
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
                let server = parse_json(procedure, &answers, today());
                // What the schema lists under `x-server-checks`.
                let inexpressible = |e: &FieldError| {
                    let limit_from_answer = match e.path.resolve(procedure).map(|f| &f.kind) {
                        Some(FieldKind::Number {
                            min_from, max_from, ..
                        }) => min_from.is_some() || max_from.is_some(),
                        Some(FieldKind::Group(g)) => g.max_items_from.is_some(),
                        _ => false,
                    };
                    matches!(
                        e.problem,
                        Problem::Duplicate
                            | Problem::DateTooEarly { .. }
                            | Problem::DateTooLate { .. }
                            | Problem::InvalidMyNumber
                            | Problem::InvalidCorporateNumber
                            | Problem::PhoneLength { .. }
                            | Problem::InvalidEmail
                            | Problem::TooLong { .. }
                            | Problem::DayNotAllowed(_)
                            | Problem::PastDeadline { .. }
                            | Problem::NotSame { .. }
                            | Problem::OptionUnavailable
                    ) || (limit_from_answer
                        && matches!(
                            e.problem,
                            Problem::TooLarge { .. }
                                | Problem::TooSmall { .. }
                                | Problem::TooManyItems { .. }
                        ))
                };
                let only_inexpressible =
                    matches!(&server, Err(errors) if errors.iter().all(inexpressible));
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

/// A value as a person would type it on a page (the strings of its controls) and as a client
/// program would send the same through the API.
#[derive(Debug, Clone)]
struct Typed {
    controls: Vec<(String, String)>,
    json: Value,
}

fn typed_for(field: &Field) -> Option<BoxedStrategy<Typed>> {
    let name = format!("f.{}", field.id);
    let one = move |s: String, json: Value| Typed {
        controls: vec![(name.clone(), s)],
        json,
    };
    if let Some(strings) = string_for(&field.kind) {
        return Some(strings.prop_map(move |s| one(s.clone(), json!(s))).boxed());
    }
    let id = field.id.to_string();
    Some(match &field.kind {
        FieldKind::Number { min, max, .. } => {
            let (lo, hi) = (min.unwrap_or(-5) - 2, max.unwrap_or(500) + 2);
            (lo..=hi)
                .prop_map(move |n| one(n.to_string(), json!(n)))
                .boxed()
        }
        FieldKind::Date { .. } => (1850i32..3900, 1u32..=13, 1u32..=31)
            .prop_map(move |(y, m, d)| Typed {
                controls: vec![
                    (format!("f.{id}.year"), y.to_string()),
                    (format!("f.{id}.month"), m.to_string()),
                    (format!("f.{id}.day"), d.to_string()),
                ],
                json: json!(format!("{y:04}-{m:02}-{d:02}")),
            })
            .boxed(),
        FieldKind::Choice {
            options,
            ranked: Some(n),
            ..
        } => {
            // 第1希望 … as one select per rank; a blank rank in between is closed up.
            let name = format!("f.{id}");
            let n = *n;
            prop::collection::vec(
                prop::option::weighted(0.8, prop::sample::select(option_values(options))),
                n,
            )
            .prop_map(move |ranks| Typed {
                controls: ranks
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        (
                            format!("{name}.rank{}", i + 1),
                            v.clone().unwrap_or_default(),
                        )
                    })
                    .collect(),
                json: json!(ranks.iter().flatten().collect::<Vec<_>>()),
            })
            .boxed()
        }
        FieldKind::Choice {
            options,
            multiple: false,
            ..
        } => prop::sample::select(option_values(options))
            .prop_map(move |v| one(v.clone(), json!(v)))
            .boxed(),
        FieldKind::Choice {
            options,
            multiple: true,
            ..
        } => {
            let name = format!("f.{id}");
            prop::collection::vec(prop::sample::select(option_values(options)), 0..3)
                .prop_map(move |chosen| Typed {
                    controls: chosen.iter().map(|v| (name.clone(), v.clone())).collect(),
                    json: json!(chosen),
                })
                .boxed()
        }
        FieldKind::YesNo => any::<bool>()
            .prop_map(move |b| one(if b { "yes" } else { "no" }.to_owned(), json!(b)))
            .boxed(),
        FieldKind::Name { .. } | FieldKind::BankAccount => {
            let parts: &'static [&'static str] = match field.kind {
                FieldKind::Name { .. } => &["family", "given", "family_kana", "given_kana"],
                _ => &[
                    "bank_code",
                    "branch_code",
                    "account_type",
                    "account_number",
                    "holder_kana",
                ],
            };
            let samples: &'static [&'static str] = &[
                "山田",
                "Smith",
                "ＳＭＩＴＨ",
                "やまだ",
                "ﾔﾏﾀﾞ",
                "ヤマダ タロウ",
                "",
                "  ",
                "0001",
                "０００１",
                "123",
                "1-23",
                "12345",
                "ordinary",
                "futsu",
                "山\u{1B}",
                "\u{200B}",
            ];
            prop::collection::vec(prop::sample::select(samples), parts.len())
                .prop_map(move |values| Typed {
                    controls: parts
                        .iter()
                        .zip(&values)
                        .map(|(p, v)| (format!("f.{id}.{p}"), (*v).to_owned()))
                        .collect(),
                    json: Value::Object(
                        parts
                            .iter()
                            .zip(&values)
                            .map(|(p, v)| ((*p).to_owned(), json!(v)))
                            .collect(),
                    ),
                })
                .boxed()
        }
        _ => return None,
    })
}

/// A choice question's option values, and one that is none of them.
fn option_values(options: &[madoguchi_domain::procedure::ChoiceOption]) -> Vec<String> {
    options
        .iter()
        .map(|o| o.value.clone())
        .chain(["nope".to_owned()])
        .collect()
}

/// What a channel made of one answer: the stored answer, or the problems by path and code.
fn outcome(
    result: Result<Option<madoguchi_domain::Answer>, Vec<FieldError>>,
) -> Result<Option<madoguchi_domain::Answer>, Vec<(String, &'static str)>> {
    result.map_err(|errors| {
        let mut codes: Vec<(String, &'static str)> = errors
            .iter()
            .map(|e| (e.path.to_string(), e.problem.code()))
            .collect();
        codes.sort();
        codes.dedup();
        codes
    })
}

/// Four empty boxes are no name on the web; an object of empty parts is none through the API,
/// and the published schema says the same: fine for an optional question, "required" for a
/// required one, reported at the question rather than at each part.
#[test]
fn a_compound_answer_with_every_part_blank_is_unanswered_on_every_channel() {
    let catalog = bundled();
    let base = &catalog.procedures[0];
    for (kind, blank) in [
        (
            "name",
            json!({ "family": "", "given": " ", "family_kana": "　", "given_kana": "" }),
        ),
        (
            "bank_account",
            json!({ "bank_code": "", "account_type": "" }),
        ),
    ] {
        let field = catalog
            .procedures
            .iter()
            .flat_map(|p| p.fields().map(|(_, f)| f.clone()))
            .find(|f| f.kind.type_name() == kind)
            .expect("a compound question in the bundled catalog");
        for required in [false, true] {
            let procedure = Procedure {
                steps: vec![Step {
                    fields: vec![Field {
                        required,
                        show_if: None,
                        ..field.clone()
                    }],
                    show_if: None,
                    ..base.steps[0].clone()
                }],
                stops: Vec::new(),
                ..base.clone()
            };
            let answers = json!({ field.id.as_str(): blank });
            let server = outcome(
                parse_json(&procedure, &answers, today())
                    .map(|a| a.get(field.id.as_str()).cloned()),
            );
            let schema = answers_schema(&procedure);
            let valid = jsonschema::draft202012::new(&schema)
                .unwrap()
                .is_valid(&answers);
            if required {
                assert_eq!(
                    server,
                    Err(vec![(field.id.to_string(), "required")]),
                    "{kind}"
                );
                assert!(!valid, "{kind}: the schema refuses a blank required answer");
            } else {
                assert_eq!(server, Ok(None), "{kind}");
                assert!(valid, "{kind}: the schema accepts a blank optional answer");
            }
        }
    }
}

#[test]
fn the_web_and_the_api_read_every_question_type_the_same_way() {
    let catalog = bundled();
    let mut fields: Vec<Field> = Vec::new();
    for procedure in &catalog.procedures {
        for (_, field) in procedure.fields() {
            let inner = match &field.kind {
                FieldKind::Group(group) => group.fields.clone(),
                _ => vec![field.clone()],
            };
            fields.extend(inner.into_iter().map(|f| Field { show_if: None, ..f }));
        }
    }
    let mut tried = std::collections::BTreeSet::new();
    for field in fields {
        let Some(strategy) = typed_for(&field) else {
            continue;
        };
        tried.insert(field.kind.type_name());
        let procedure = Procedure {
            steps: vec![Step {
                fields: vec![field.clone()],
                show_if: None,
                ..catalog.procedures[0].steps[0].clone()
            }],
            ..catalog.procedures[0].clone()
        };
        let id = field.id.to_string();
        let mut runner = TestRunner::new(Config {
            cases: 256,
            ..Config::default()
        });
        runner
            .run(&strategy, |typed| {
                let values = FormValues::from_pairs(typed.controls.clone());
                let web = apply_step(
                    &procedure,
                    &procedure.steps[0],
                    &values,
                    madoguchi_domain::form::Over {
                        answers: &Default::default(),
                        files: &Default::default(),
                    },
                    today(),
                );
                let web = outcome(if web.errors.is_empty() {
                    Ok(web.answers.get(&id).cloned())
                } else {
                    Err(web.errors)
                });
                let api = outcome(
                    parse_json(&procedure, &json!({ id.clone(): typed.json }), today())
                        .map(|a| a.get(&id).cloned()),
                );
                prop_assert_eq!(
                    &web,
                    &api,
                    "{} ({}): typed {:?}",
                    id,
                    field.kind.type_name(),
                    typed
                );
                Ok(())
            })
            .unwrap();
    }
    for kind in [
        "text",
        "long_text",
        "kana",
        "email",
        "phone",
        "postal_code",
        "corporate_number",
        "my_number",
        "name",
        "bank_account",
        "number",
        "date",
        "choice",
        "multiple_choice",
        "yes_no",
    ] {
        assert!(
            tried.contains(kind),
            "the bundled catalog has no {kind} question to try"
        );
    }
}

/// 施設使用: every rule kind of the catalog format, evaluated as every channel evaluates it.
mod facility_rules {
    use super::*;
    use madoguchi_domain::fee::FeeDue;
    use madoguchi_domain::validate::{check, stop_for};

    /// The bundled definition, read from the catalog folder once.
    fn facility() -> &'static Procedure {
        static FACILITY: std::sync::OnceLock<Procedure> = std::sync::OnceLock::new();
        FACILITY.get_or_init(|| bundled().procedure("shisetsu-shiyo").unwrap().clone())
    }

    fn answers(overrides: Value) -> madoguchi_domain::Answers {
        let mut base = json!({
            "user_type": "inside", "group_name": "大森太鼓の会", "name": "山田太郎",
            "phone": "0357441111", "email": "taro@example.jp", "email_confirm": "taro@example.jp",
            "facility": "omori-center", "use_date": "2026-12-10", "time_slots": ["morning", "evening"],
            "attendees": 30, "purpose": "練習", "commercial": false,
        });
        for (k, v) in overrides.as_object().unwrap() {
            base[k] = v.clone();
        }
        madoguchi_domain::validate::read_stored(facility(), &base).unwrap()
    }

    fn problems(overrides: Value) -> Vec<(String, &'static str)> {
        let p = facility();
        check(p, &answers(overrides), None, today())
            .into_iter()
            .map(|e| (e.path.to_string(), e.problem.code()))
            .collect()
    }

    #[test]
    fn a_plausible_application_passes_and_its_fee_is_the_table_and_the_add_ons() {
        assert_eq!(problems(json!({})), vec![]);
        let p = facility();
        let due = p
            .fee
            .due(p, &answers(json!({ "equipment": ["projector"] })), None);
        let FeeDue::Amount { total, lines } = due else {
            panic!("{due:?}")
        };
        assert_eq!((total, lines.len()), (1200 + 1800 + 1000, 2));
        // 区外の団体: the rent at 150 %, the add-ons as they are.
        let outside = p.fee.amount_due(
            p,
            &answers(json!({ "user_type": "outside", "equipment": ["projector"] })),
            None,
        );
        assert_eq!(outside, Some((1200 + 1800) * 3 / 2 + 1000));
    }

    #[test]
    fn dates_are_bounded_by_today_by_the_deadline_by_the_month_and_by_the_year_end() {
        // Today is 2026-12-01: the 7-day deadline makes 12月8日 the first day.
        assert_eq!(
            problems(json!({ "use_date": "2026-12-05" })),
            vec![("use_date".into(), "past_deadline")]
        );
        assert_eq!(
            problems(json!({ "use_date": "2026-11-30" })),
            vec![("use_date".into(), "date_too_early")]
        );
        assert_eq!(problems(json!({ "use_date": "2027-02-28" })), vec![]);
        assert_eq!(
            problems(json!({ "use_date": "2027-03-01" })),
            vec![("use_date".into(), "date_too_late")]
        );
        assert_eq!(
            problems(json!({ "use_date": "2026-12-30" })),
            vec![("use_date".into(), "day_not_allowed")]
        );
    }

    #[test]
    fn answers_are_checked_against_each_other() {
        assert_eq!(
            problems(json!({ "email_confirm": "hanako@example.jp" })),
            vec![("email_confirm".into(), "not_same")]
        );
        assert_eq!(
            problems(
                json!({ "facility": "kamata-center", "attendees": 41, "time_slots": ["morning"] })
            ),
            vec![("attendees".into(), "too_large")]
        );
        assert_eq!(
            problems(
                json!({ "facility": "kamata-center", "attendees": 40, "time_slots": ["morning"] })
            ),
            vec![]
        );
        assert_eq!(
            problems(json!({ "facility": "kamata-center", "attendees": 40 })),
            vec![("time_slots".into(), "option_unavailable")]
        );
        assert_eq!(
            problems(json!({ "equipment": ["piano"] })),
            vec![("equipment".into(), "option_unavailable")]
        );
        assert_eq!(
            problems(json!({ "registration_number": "OT-12" })),
            vec![("registration_number".into(), "pattern")]
        );
        assert_eq!(
            problems(json!({ "registration_number": "OT-1234" })),
            vec![]
        );
    }

    #[test]
    fn withdrawal_closes_three_days_before_the_day_of_use() {
        let p = facility();
        assert_eq!(
            p.last_day_to_withdraw(&answers(json!({ "use_date": "2026-12-10" }))),
            Some(time::macros::date!(2026 - 12 - 07))
        );
    }

    #[test]
    fn a_business_reaches_the_stop_and_no_further() {
        let p = facility();
        let stopped = answers(json!({ "user_type": "business" }));
        assert_eq!(
            stop_for(p, &stopped).map(|s| s.id.as_str()),
            Some("business")
        );
        assert_eq!(
            problems(json!({ "user_type": "business" })),
            vec![("user_type".into(), "ineligible")]
        );
        assert!(stop_for(p, &answers(json!({}))).is_none());
    }
}
