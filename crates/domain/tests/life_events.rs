//! The bundled life events: every interview path derives a list that agrees with the rules
//! (「わからない」 included), facts fill the implied procedures' questions and groups with
//! answers those procedures accept, and a changed answer changes the list.

use madoguchi_domain::answers::{Answer, Answers, PersonName};
use madoguchi_domain::catalog::{self, Catalog};
use madoguchi_domain::life_event::{Applies, LifeEvent};
use madoguchi_domain::procedure::FieldKind;
use madoguchi_domain::validate::{self, Problem};
use std::collections::BTreeMap;
use time::macros::date;

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
    catalog::load(&files).unwrap_or_else(|e| panic!("{e:?}"))
}

/// Every combination of the interview's choice and yes/no answers, dates fixed: each path a
/// resident can take, 「わからない」 included.
fn every_path(event: &LifeEvent) -> Vec<Answers> {
    let mut paths = vec![Answers::default()];
    for (_, field) in event.interview.fields() {
        let values: Vec<Answer> = match &field.kind {
            FieldKind::Choice { options, .. } => options
                .iter()
                .map(|o| Answer::Choice(o.value.clone()))
                .collect(),
            FieldKind::YesNo => vec![Answer::YesNo(true), Answer::YesNo(false)],
            FieldKind::Date { .. } => vec![Answer::Date(date!(2026 - 12 - 01))],
            other => panic!("no paths for a {} question", other.type_name()),
        };
        paths = paths
            .into_iter()
            .flat_map(|p| {
                values.iter().map(move |v| {
                    let mut next = p.clone();
                    next.insert(field.id.as_str(), v.clone());
                    next
                })
            })
            .collect();
    }
    paths
}

/// The answers a resident who knew would have given, for each 「わからない」.
fn known_alternatives(event: &LifeEvent, path: &Answers) -> Vec<Answers> {
    let mut alternatives = vec![path.clone()];
    for (_, field) in event.interview.fields() {
        let FieldKind::Choice { options, .. } = &field.kind else {
            continue;
        };
        let Some(Answer::Choice(chosen)) = path.get(field.id.as_str()) else {
            continue;
        };
        if !options.iter().any(|o| o.unknown && &o.value == chosen) {
            continue;
        }
        alternatives = alternatives
            .into_iter()
            .flat_map(|a| {
                options.iter().filter(|o| !o.unknown).map(move |o| {
                    let mut next = a.clone();
                    next.insert(field.id.as_str(), Answer::Choice(o.value.clone()));
                    next
                })
            })
            .collect();
    }
    alternatives
}

fn listed(event: &LifeEvent, answers: &Answers) -> BTreeMap<String, Applies> {
    event
        .derive(answers)
        .into_iter()
        .map(|d| (d.implied.procedure.to_string(), d.applies))
        .collect()
}

#[test]
fn the_starter_events_are_the_ones_a_ward_handles() {
    let catalog = bundled();
    for (event, procedures) in [
        (
            "okuyami",
            &[
                "shibo-todoke",
                "setainushi-henko",
                "kokuho-soshitsu",
                "sosaihi",
                "kaigo-soshitsu",
            ][..],
        ),
        (
            "shussei",
            &[
                "shussei-todoke",
                "jido-teate-nintei",
                "kodomo-iryo",
                "kokuho-kanyu",
                "hoiku-moshikomi",
            ][..],
        ),
        (
            "hikkoshi",
            &[
                "tenshutsu",
                "tennyu-todoke",
                "tenkyo-todoke",
                "kokuho-kanyu",
                "jido-teate-nintei",
            ][..],
        ),
    ] {
        let event = catalog
            .event(event)
            .unwrap_or_else(|| panic!("{event} missing"));
        for id in procedures {
            assert!(
                event.procedures.iter().any(|p| p.procedure.as_str() == *id),
                "{} does not imply {id}",
                event.id
            );
            assert!(catalog.procedure(id).is_some(), "{id} is not defined");
        }
    }
}

/// Generated over every path: an answer known gives yes or nothing, exactly as the rule says;
/// 「わからない」 gives yes when every answer the resident could have known gives yes, "may
/// apply" when some do, nothing when none do. Every implied procedure is reached by some path.
#[test]
fn derivation_agrees_with_the_rules_on_every_interview_path() {
    let catalog = bundled();
    for event in &catalog.events {
        let mut reached = BTreeMap::new();
        let paths = every_path(event);
        assert!(paths.len() > 1, "{} has a single path", event.id);
        for path in &paths {
            let derived = listed(event, path);
            let known: Vec<BTreeMap<String, Applies>> = known_alternatives(event, path)
                .iter()
                .map(|a| listed(event, a))
                .collect();
            for known_list in &known {
                assert!(
                    known_list.values().all(|a| *a == Applies::Yes),
                    "a path with every answer known says maybe: {path:?}"
                );
            }
            for implied in &event.procedures {
                let id = implied.procedure.to_string();
                let yes = known.iter().filter(|k| k.contains_key(&id)).count();
                let expected = match yes {
                    0 => None,
                    n if n == known.len() => Some(Applies::Yes),
                    _ => Some(Applies::Maybe),
                };
                assert_eq!(derived.get(&id).copied(), expected, "{id} on {path:?}");
                if derived.get(&id) == Some(&Applies::Yes) {
                    reached.insert(id, ());
                }
            }
        }
        for implied in &event.procedures {
            assert!(
                reached.contains_key(implied.procedure.as_str()),
                "{} never applies in {}",
                implied.procedure,
                event.id
            );
        }
    }
}

fn name(family: &str, given: &str, kana: (&str, &str)) -> Answer {
    Answer::Name(PersonName {
        family: family.into(),
        given: given.into(),
        family_kana: kana.0.into(),
        given_kana: kana.1.into(),
    })
}

/// What prefilling leaves for the procedure's own pages is only what it has not been told: no
/// prefilled answer is of the wrong type, option or shape.
fn assert_prefill_is_accepted(
    catalog: &Catalog,
    event: &LifeEvent,
    interview: &Answers,
    facts: &Answers,
) -> BTreeMap<String, Answers> {
    let mut all = BTreeMap::new();
    for derived in event.derive(interview) {
        let procedure = catalog
            .procedure(derived.implied.procedure.as_str())
            .unwrap();
        let answers = event.prefill(derived.implied, interview, facts);
        let today = date!(2026 - 12 - 01);
        for error in validate::check(procedure, &answers, None, today) {
            assert!(
                matches!(
                    error.problem,
                    // Not yet answered, or depending on a question of the procedure's own not
                    // yet answered (児童手当 asks 公務員 first).
                    Problem::Required
                        | Problem::NotApplicable
                        | Problem::TooFewItems { .. }
                        | Problem::OutsideMunicipality { .. }
                ),
                "{}: {} {:?}",
                procedure.id,
                error.path,
                error.problem
            );
        }
        all.insert(procedure.id.to_string(), answers);
    }
    all
}

#[test]
fn facts_fill_plain_questions_and_groups_item_by_item() {
    let catalog = bundled();
    let event = catalog.event("shussei").unwrap();
    let mut interview = Answers::default();
    interview.insert("birth_date", Answer::Date(date!(2026 - 11 - 28)));
    interview.insert("parents_kokuho", Answer::Choice("no".into()));
    interview.insert("wants_nursery", Answer::Choice("unknown".into()));
    let mut facts = Answers::default();
    facts.insert("guardian_name", name("大田", "花子", ("オオタ", "ハナコ")));
    facts.insert(
        "address",
        Answer::Text("東京都大田区蒲田五丁目13番14号".into()),
    );
    facts.insert("phone", Answer::Text("0357441111".into()));
    let twin = |n: &str| {
        let mut item = Answers::default();
        item.insert("name", Answer::Text(n.into()));
        item.insert("birth_date", Answer::Date(date!(2026 - 11 - 28)));
        item
    };
    facts.insert(
        "newborns",
        Answer::Group(vec![twin("大田 一郎"), twin("大田 二郎")]),
    );

    let listed = listed(event, &interview);
    assert_eq!(listed.get("hoiku-moshikomi"), Some(&Applies::Maybe));
    assert_eq!(listed.get("kokuho-kanyu"), None);
    let filled = assert_prefill_is_accepted(&catalog, event, &interview, &facts);
    let jido = &filled["jido-teate-nintei"];
    assert_eq!(
        jido.get("name"),
        Some(&name("大田", "花子", ("オオタ", "ハナコ")))
    );
    let Some(Answer::Group(children)) = jido.get("children") else {
        panic!("{jido:?}");
    };
    assert_eq!(children.len(), 2, "one item per newborn");
    assert_eq!(
        children[1].get("name"),
        Some(&Answer::Text("大田 二郎".into()))
    );
    assert_eq!(
        children[0].get("birth_date"),
        Some(&Answer::Date(date!(2026 - 11 - 28)))
    );
    assert!(
        children[0].get("relationship").is_none(),
        "left for the page"
    );
}

#[test]
fn a_changed_answer_changes_the_list_and_what_is_filled() {
    let catalog = bundled();
    let event = catalog.event("hikkoshi").unwrap();
    let mut interview = Answers::default();
    interview.insert("move_kind", Answer::Choice("into".into()));
    interview.insert("move_date", Answer::Date(date!(2026 - 12 - 05)));
    interview.insert("has_kokuho", Answer::Choice("yes".into()));
    interview.insert("has_children", Answer::YesNo(true));
    interview.insert("needs_seal", Answer::YesNo(false));
    interview.insert("bulky_waste", Answer::YesNo(false));
    let into = listed(event, &interview);
    for id in [
        "tennyu-todoke",
        "kokuho-kanyu",
        "jido-teate-nintei",
        "kodomo-iryo",
    ] {
        assert_eq!(into.get(id), Some(&Applies::Yes), "{id}");
    }
    assert!(!into.contains_key("tenshutsu"));

    interview.insert("move_kind", Answer::Choice("out".into()));
    let out = listed(event, &interview);
    assert_eq!(out.keys().collect::<Vec<_>>(), ["tenshutsu"]);

    let mut facts = Answers::default();
    facts.insert("notifier_name", name("蒲田", "太郎", ("カマタ", "タロウ")));
    facts.insert("phone", Answer::Text("0357441111".into()));
    let mut mover = Answers::default();
    mover.insert("name", name("蒲田", "太郎", ("カマタ", "タロウ")));
    mover.insert("birth_date", Answer::Date(date!(1980 - 04 - 01)));
    mover.insert("relationship", Answer::Choice("householder".into()));
    facts.insert("movers", Answer::Group(vec![mover]));
    let filled = assert_prefill_is_accepted(&catalog, event, &interview, &facts);
    let tenshutsu = &filled["tenshutsu"];
    assert_eq!(
        tenshutsu.get("move_date"),
        Some(&Answer::Date(date!(2026 - 12 - 05)))
    );
    let Some(Answer::Group(movers)) = tenshutsu.get("movers") else {
        panic!("{tenshutsu:?}");
    };
    assert_eq!(
        movers[0].get("relationship"),
        Some(&Answer::Choice("householder".into()))
    );
}

#[test]
fn deadlines_count_as_the_law_does_and_end_on_an_open_day() {
    let catalog = bundled();
    let event = catalog.event("okuyami").unwrap();
    let deadline = |died: time::Date, procedure: &str| {
        let mut interview = Answers::default();
        interview.insert("death_date", Answer::Date(died));
        interview.insert("was_householder", Answer::Choice("yes".into()));
        interview.insert("had_kokuho", Answer::Choice("yes".into()));
        interview.insert("over_65", Answer::Choice("no".into()));
        event
            .derive(&interview)
            .into_iter()
            .find(|d| d.implied.procedure.as_str() == procedure)
            .and_then(|d| d.deadline)
    };
    // 死亡届: the day of knowing is day one (戸籍法 43条): 12月1日(火) → 12月7日(月).
    assert_eq!(
        deadline(date!(2026 - 12 - 01), "shibo-todoke"),
        Some(date!(2026 - 12 - 07))
    );
    // 14日以内 elsewhere does not count the first day: 12月1日 → 12月15日(火).
    assert_eq!(
        deadline(date!(2026 - 12 - 01), "kokuho-soshitsu"),
        Some(date!(2026 - 12 - 15))
    );
    // Ending on a Sunday: the next Monday. 11月23日(月・祝) + 6 = 11月29日(日) → 11月30日.
    assert_eq!(
        deadline(date!(2026 - 11 - 23), "shibo-todoke"),
        Some(date!(2026 - 11 - 30))
    );
    // Ending in the year-end break (12月29日〜1月3日): the first open day of January.
    assert_eq!(
        deadline(date!(2026 - 12 - 23), "shibo-todoke"),
        Some(date!(2027 - 01 - 04))
    );
}

#[test]
fn a_bundled_procedure_asks_only_what_the_facts_did_not_answer() {
    let catalog = bundled();
    let event = catalog.event("hikkoshi").unwrap();
    let implied = event
        .procedures
        .iter()
        .find(|i| i.procedure.as_str() == "tenshutsu")
        .unwrap();
    let procedure = catalog.procedure("tenshutsu").unwrap();
    let today = date!(2026 - 12 - 01);
    let mut interview = Answers::default();
    interview.insert("move_kind", Answer::Choice("out".into()));
    interview.insert("move_date", Answer::Date(date!(2026 - 12 - 05)));
    let mut facts = Answers::default();
    facts.insert("notifier_name", name("区民", "花子", ("クミン", "ハナコ")));
    facts.insert("phone", Answer::Text("0357441111".into()));
    // The e-mail, optional in both, left blank; an own answer for it is not kept hidden.
    let mut own = Answers::default();
    own.insert("email", Answer::Text("old@example.jp".into()));
    own.insert("new_address", Answer::Text("埼玉県川口市本町1-1-1".into()));
    let filled = event.fill(implied, procedure, &own, (&interview, &facts), today);

    assert_eq!(
        filled.answers.get("phone"),
        Some(&Answer::Text("0357441111".into()))
    );
    assert!(filled.answers.get("email").is_none());
    assert_eq!(
        filled.answers.get("new_address"),
        Some(&Answer::Text("埼玉県川口市本町1-1-1".into())),
        "the procedure's own answers stay"
    );
    let notifier = procedure.step("notifier").unwrap();
    assert_eq!(
        filled.remaining(notifier),
        None,
        "every question answered by the facts"
    );
    let move_page = filled.remaining(procedure.step("move").unwrap()).unwrap();
    let asked: Vec<&str> = move_page.fields.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(asked, ["new_address", "new_householder", "whole_household"]);
    assert!(
        !filled.asked(procedure).steps[0]
            .fields
            .iter()
            .any(|f| f.id.as_str() == "phone")
    );

    // Required with the fact missing: asked on the procedure's page after all, own answer kept.
    facts.remove("phone");
    own.insert("phone", Answer::Text("0312345678".into()));
    let filled = event.fill(implied, procedure, &own, (&interview, &facts), today);
    assert!(!filled.given.contains("phone"));
    assert_eq!(
        filled.answers.get("phone"),
        Some(&Answer::Text("0312345678".into()))
    );

    // A fact the procedure's own rules refuse is asked there, with its problem.
    let mut early = interview.clone();
    early.insert("move_date", Answer::Date(date!(2019 - 12 - 31)));
    let filled = event.fill(implied, procedure, &own, (&early, &facts), today);
    assert!(
        !filled.given.contains("move_date"),
        "転出予定日 is from 2020 on"
    );
}
