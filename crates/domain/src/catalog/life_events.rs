//! Reading and checking life event files (`*.event.toml`): the interview and the shared facts
//! are questions in the procedure format; each implied procedure's rule, deadline and prefill
//! mapping is checked against the interview, the facts and the procedure itself, so that a
//! fact mapped onto a question of another type, a group fed a single answer or a procedure
//! that does not exist is reported at its line, not met by a resident.

use super::{Checker, Key, Locator, RawCondition, RawStep, Scope, k, n, syntax_error, version_of};
use crate::catalog::{CatalogError, Topic};
use crate::ids::{FieldId, ProcedureId};
use crate::life_event::{EventDeadline, IdentityPart, Implied, LifeEvent, Prefill};
use crate::procedure::{
    Availability, Department, Field, FieldKind, IdentityLevel, Procedure, Step,
};
use crate::text::Localized;
use serde::Deserialize;
use std::collections::BTreeMap;

/// How a life event file's name ends.
pub const EVENT_SUFFIX: &str = ".event.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLifeEvent {
    id: String,
    interview: Vec<RawStep>,
    #[serde(default)]
    facts: Vec<RawStep>,
    procedures: Vec<RawImplied>,
    /// Fact = the identity question it takes at the counter.
    #[serde(default)]
    from_identity: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawImplied {
    id: String,
    applies_if: Option<RawCondition>,
    deadline: Option<RawEventDeadline>,
    #[serde(default)]
    prefill: Vec<RawPrefill>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEventDeadline {
    from: String,
    days: u32,
    #[serde(default)]
    first_day_counts: bool,
    text: Localized,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrefill {
    to: String,
    from: String,
    /// For a group: the target item's question = the source item's question.
    #[serde(default)]
    items: BTreeMap<String, String>,
}

/// Reads and checks one life event file against the catalog's topics and procedures.
pub fn parse_life_event(
    file: &str,
    src: &str,
    topics: &[Topic],
    procedures: &[Procedure],
) -> Result<LifeEvent, Vec<CatalogError>> {
    let raw: RawLifeEvent = toml::from_str(src).map_err(|e| vec![syntax_error(file, src, &e)])?;
    let mut checker = Checker {
        locate: Locator::new(file, src),
        errors: Vec::new(),
        steps_key: "interview",
    };
    let Some(topic) = topics.iter().find(|t| t.id == raw.id) else {
        checker.error(
            &[k("id")],
            format!("life event \"{}\" is not listed in catalog.toml", raw.id),
        );
        return Err(checker.errors);
    };
    if raw.interview.is_empty() {
        checker.error(&[k("interview")], "a life event needs an interview");
    }
    let interview = checker.question_set(&raw.interview, topic);
    checker.steps_key = "facts";
    let facts = checker.question_set(&raw.facts, topic);
    for (si, step) in raw.facts.iter().enumerate() {
        for (fi, field) in step.fields.iter().enumerate() {
            if interview.field(&field.id).is_some() {
                checker.error(
                    &[k("facts"), n(si), k("fields"), n(fi), k("id")],
                    format!("\"{}\" is already a question of the interview", field.id),
                );
            }
        }
    }
    let mut event = LifeEvent {
        id: raw.id.clone(),
        title: topic.title.clone(),
        description: topic.description.clone().unwrap_or_default(),
        interview,
        facts,
        procedures: Vec::new(),
        from_identity: Vec::new(),
    };
    event.from_identity = checker.identity_facts(&raw.from_identity, &event.facts);
    for (i, implied) in raw.procedures.iter().enumerate() {
        if let Some(checked) = checker.implied(implied, i, &event, procedures) {
            event.procedures.push(checked);
        }
    }
    if checker.errors.is_empty() {
        Ok(event)
    } else {
        Err(checker.errors)
    }
}

/// The id of the counter's own life event: the procedures chosen directly.
pub const COUNTER_EVENT: &str = "counter";

/// The counter's own life event, for a resident who comes for particular procedures rather
/// than a life event: its interview asks which of the catalog's procedures with questions to
/// take, its facts are the applicant's (filled from the identity), and each procedure is given
/// the applicant's details where it asks them by the same name and type. Written in the life
/// event format and read by the same checker, so it holds what any event file must.
pub fn counter_event(procedures: &[Procedure]) -> Result<Option<LifeEvent>, Vec<CatalogError>> {
    let takeable: Vec<&Procedure> = procedures.iter().filter(|p| p.has_form()).collect();
    if takeable.is_empty() {
        return Ok(None);
    }
    let mut src = String::from(COUNTER_EVENT_HEAD);
    src.push_str("  options = [\n");
    for p in &takeable {
        src.push_str(&format!(
            "    {{ value = {}, label = {} }},\n",
            toml_string(p.id.as_str()),
            toml_localized(&p.title)
        ));
    }
    src.push_str("  ]\n");
    src.push_str(COUNTER_EVENT_FACTS);
    for p in &takeable {
        let id = toml_string(p.id.as_str());
        src.push_str(&format!(
            "\n[[procedures]]\nid = {id}\napplies_if = {{ field = \"procedures\", includes = {id} }}\n"
        ));
        let prefill: Vec<String> = COUNTER_EVENT_PREFILL
            .iter()
            .filter(|(to, _, kind)| p.field(to).is_some_and(|f| f.kind.type_name() == *kind))
            .map(|(to, from, _)| format!("{{ to = \"{to}\", from = \"{from}\" }}"))
            .collect();
        if !prefill.is_empty() {
            src.push_str(&format!("prefill = [ {} ]\n", prefill.join(", ")));
        }
    }
    let topic = Topic {
        id: COUNTER_EVENT.to_owned(),
        title: Localized {
            ja: "窓口で手続を選ぶ".into(),
            en: Some("Procedures chosen at the counter".into()),
        },
        description: None,
    };
    parse_life_event("counter.event.toml", &src, &[topic], procedures).map(Some)
}

const COUNTER_EVENT_HEAD: &str = r#"id = "counter"
[[interview]]
id = "choose"
title = { ja = "受け付ける手続", en = "The procedures to take" }
  [[interview.fields]]
  id = "procedures"
  type = "multiple_choice"
  label = { ja = "受け付ける手続", en = "Procedures" }
  required = true
"#;

const COUNTER_EVENT_FACTS: &str = r#"
[[facts]]
id = "applicant"
title = { ja = "手続をする方", en = "The applicant" }
  [[facts.fields]]
  id = "applicant_name"
  type = "name"
  label = { ja = "氏名", en = "Name" }
  required = true
  [[facts.fields]]
  id = "postal_code"
  type = "postal_code"
  label = { ja = "郵便番号", en = "Postal code" }
  address_field = "address"
  [[facts.fields]]
  id = "address"
  type = "text"
  label = { ja = "住所", en = "Address" }
  required = true
  max_length = 120
  [[facts.fields]]
  id = "phone"
  type = "phone"
  label = { ja = "日中に連絡がとれる電話番号", en = "Daytime phone" }

[from_identity]
applicant_name = "name"
postal_code = "postal_code"
address = "address"
"#;

/// The procedure's question, the fact that fills it, and the type both must be.
const COUNTER_EVENT_PREFILL: [(&str, &str, &str); 5] = [
    ("name", "applicant_name", "name"),
    ("notifier_name", "applicant_name", "name"),
    ("postal_code", "postal_code", "postal_code"),
    ("address", "address", "text"),
    ("phone", "phone", "phone"),
];

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn toml_localized(text: &Localized) -> String {
    match &text.en {
        Some(en) => format!(
            "{{ ja = {}, en = {} }}",
            toml_string(&text.ja),
            toml_string(en)
        ),
        None => toml_string(&text.ja),
    }
}

impl Checker<'_> {
    /// Questions in the procedure format, held as a procedure that is never submitted.
    fn question_set(&mut self, raw: &[RawStep], topic: &Topic) -> Procedure {
        let steps: Vec<Step> = self.steps(raw);
        let mut set = Procedure {
            id: ProcedureId::parse(&topic.id)
                .unwrap_or_else(|| ProcedureId::parse("life-event").expect("a valid id")),
            version: String::new(),
            title: topic.title.clone(),
            summary: topic.description.clone().unwrap_or_default(),
            category: String::new(),
            life_events: vec![topic.id.clone()],
            keywords: Vec::new(),
            eligibility: Localized::default(),
            processing_time: Localized::default(),
            department: Department {
                id: String::new(),
                name: Localized::default(),
                phone: None,
                email: None,
                hours: None,
                place: None,
            },
            attachments: Vec::new(),
            fee: crate::fee::Fee::free(),
            availability: Availability::Online,
            identity_level: IdentityLevel::None,
            annual_volume: None,
            obstacles: Vec::new(),
            notify_email_field: None,
            steps,
            export: Vec::new(),
            stops: Vec::new(),
            changes_until: None,
        };
        self.references(raw, &set);
        set.version = version_of(&set);
        set
    }

    fn implied(
        &mut self,
        raw: &RawImplied,
        i: usize,
        event: &LifeEvent,
        procedures: &[Procedure],
    ) -> Option<Implied> {
        let at = |more: &[Key<'static>]| -> Vec<Key<'static>> {
            [k("procedures"), n(i)]
                .into_iter()
                .chain(more.iter().copied())
                .collect()
        };
        let Some(procedure) = procedures.iter().find(|p| p.id.as_str() == raw.id) else {
            self.error(
                &at(&[k("id")]),
                format!("procedure \"{}\" is not in the catalog", raw.id),
            );
            return None;
        };
        let scope = Scope {
            earlier: event.interview.fields().map(|(_, f)| f).collect(),
        };
        let applies_if = match &raw.applies_if {
            Some(c) => Some(self.condition(c, &scope, &at(&[k("applies_if")]))?),
            None => None,
        };
        let deadline = match &raw.deadline {
            Some(d) => Some(self.event_deadline(d, event, &at(&[k("deadline")]))?),
            None => None,
        };
        let prefill = raw
            .prefill
            .iter()
            .enumerate()
            .filter_map(|(j, p)| self.prefill(p, event, procedure, &at(&[k("prefill"), n(j)])))
            .collect();
        Some(Implied {
            procedure: procedure.id.clone(),
            applies_if,
            deadline,
            prefill,
        })
    }

    fn event_deadline(
        &mut self,
        raw: &RawEventDeadline,
        event: &LifeEvent,
        path: &[Key<'_>],
    ) -> Option<EventDeadline> {
        let from_path: Vec<Key<'_>> = path.iter().copied().chain([k("from")]).collect();
        match event.question(&raw.from).map(|f| &f.kind) {
            Some(FieldKind::Date { .. }) => {}
            Some(_) => {
                self.error(
                    &from_path,
                    format!("\"{}\" is not a date question", raw.from),
                );
                return None;
            }
            None => {
                self.error(
                    &from_path,
                    format!(
                        "\"{}\" is not a question of the interview or the facts",
                        raw.from
                    ),
                );
                return None;
            }
        }
        if raw.days == 0 {
            let days: Vec<Key<'_>> = path.iter().copied().chain([k("days")]).collect();
            self.error(&days, "a deadline of 0 days is no deadline");
        }
        Some(EventDeadline {
            from: FieldId::parse(&raw.from)?,
            days: raw.days,
            first_day_counts: raw.first_day_counts,
            text: raw.text.clone(),
        })
    }

    /// The facts a counter visit fills from the resident's identity: each must be a fact of
    /// the type the identity's part is.
    fn identity_facts(
        &mut self,
        raw: &BTreeMap<String, String>,
        facts: &Procedure,
    ) -> Vec<(FieldId, IdentityPart)> {
        let mut mapped = Vec::new();
        for (fact, part_id) in raw {
            let here = [k("from_identity"), k(fact)];
            let Some(field) = facts.field(fact) else {
                self.error(&here, format!("\"{fact}\" is not a question of the facts"));
                continue;
            };
            let Some(part) = IdentityPart::parse(part_id) else {
                let known: Vec<&str> = IdentityPart::ALL.iter().map(|p| p.id()).collect();
                self.error(
                    &here,
                    format!(
                        "the counter's identity has no \"{part_id}\" (it has {})",
                        known.join(", ")
                    ),
                );
                continue;
            };
            if field.kind.type_name() != part.type_name() {
                self.error(
                    &here,
                    format!(
                        "\"{fact}\" is a {} question and the identity's {part_id} a {} answer",
                        field.kind.type_name(),
                        part.type_name()
                    ),
                );
                continue;
            }
            mapped.push((field.id.clone(), part));
        }
        mapped
    }

    fn prefill(
        &mut self,
        raw: &RawPrefill,
        event: &LifeEvent,
        procedure: &Procedure,
        path: &[Key<'_>],
    ) -> Option<Prefill> {
        let key = |name: &'static str| -> Vec<Key<'_>> {
            path.iter().copied().chain([k(name)]).collect()
        };
        let Some(target) = procedure.field(&raw.to) else {
            self.error(
                &key("to"),
                format!("\"{}\" is not a question of {}", raw.to, procedure.id),
            );
            return None;
        };
        let Some(source) = event.question(&raw.from) else {
            self.error(
                &key("from"),
                format!(
                    "\"{}\" is not a question of the interview or the facts",
                    raw.from
                ),
            );
            return None;
        };
        let items = match (&target.kind, &source.kind) {
            (FieldKind::Group(to), FieldKind::Group(from)) => {
                if raw.items.is_empty() {
                    self.error(&key("to"), format!("\"{}\" is a group: say which question of each item fills which, with items = {{ … }}", raw.to));
                    return None;
                }
                let mut pairs = Vec::new();
                for (to_id, from_id) in &raw.items {
                    let here: Vec<Key<'_>> =
                        path.iter().copied().chain([k("items"), k(to_id)]).collect();
                    let (Some(t), Some(f)) = (to.field(to_id), from.field(from_id)) else {
                        self.error(&here, format!("\"{to_id}\" must be a question of {}'s items and \"{from_id}\" one of {}'s", raw.to, raw.from));
                        continue;
                    };
                    if let Err(why) = compatible(f, t) {
                        self.error(&here, why);
                        continue;
                    }
                    pairs.push((t.id.clone(), f.id.clone()));
                }
                pairs
            }
            (FieldKind::Group(_), _) => {
                self.error(
                    &key("from"),
                    format!(
                        "\"{}\" is a group and takes a list; \"{}\" is one answer",
                        raw.to, raw.from
                    ),
                );
                return None;
            }
            (_, FieldKind::Group(_)) => {
                self.error(
                    &key("from"),
                    format!(
                        "\"{}\" is a list; \"{}\" takes one answer",
                        raw.from, raw.to
                    ),
                );
                return None;
            }
            _ => {
                if !raw.items.is_empty() {
                    self.error(
                        &key("items"),
                        "items maps the questions of group items; neither side is a group",
                    );
                }
                if let Err(why) = compatible(source, target) {
                    self.error(&key("from"), why);
                    return None;
                }
                Vec::new()
            }
        };
        Some(Prefill {
            to: target.id.clone(),
            from: source.id.clone(),
            items,
        })
    }
}

/// Whether an answer to `from` is always a valid answer's shape for `to`: the same question
/// type, and for a choice every option `from` offers (but 「わからない」) offered by `to`.
fn compatible(from: &Field, to: &Field) -> Result<(), String> {
    if from.kind.type_name() != to.kind.type_name() {
        return Err(format!(
            "\"{}\" is a {} question and \"{}\" a {} question",
            from.id,
            from.kind.type_name(),
            to.id,
            to.kind.type_name()
        ));
    }
    if let (FieldKind::Choice { options: given, .. }, FieldKind::Choice { options: taken, .. }) =
        (&from.kind, &to.kind)
    {
        let missing: Vec<&str> = given
            .iter()
            .filter(|o| !o.unknown && !taken.iter().any(|t| t.value == o.value))
            .map(|o| o.value.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "\"{}\" offers no option {} that \"{}\" gives",
                to.id,
                missing.join(", "),
                from.id
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::catalog::{CatalogError, INDEX_FILE, TEST_HEADER, load};

    const INDEX: &str = "[[categories]]\nid = \"c\"\ntitle = \"C\"\n\n[[life_events]]\nid = \"ev\"\ntitle = \"出来事\"\n";

    /// Steps of the procedure `p` the event implies (after [`TEST_HEADER`]).
    const STEPS: &str = r#"
[[steps]]
id = "s"
title = "S"
  [[steps.fields]]
  id = "name"
  type = "text"
  label = "氏名"
  [[steps.fields]]
  id = "people"
  type = "group"
  label = "人"
    [[steps.fields.fields]]
    id = "name"
    type = "text"
    label = "氏名"
"#;

    /// An event whose interview asks `known` (with 「わからない」) and whose facts hold a name
    /// and a list of people, then `$procedures`.
    fn event(procedures: &str) -> String {
        format!(
            r#"id = "ev"
[[interview]]
id = "i"
title = "I"
  [[interview.fields]]
  id = "known"
  type = "choice"
  label = "K"
  options = [ {{ value = "yes", label = "はい" }}, {{ value = "unknown", label = "わからない", unknown = true }} ]
[[facts]]
id = "f"
title = "F"
  [[facts.fields]]
  id = "who"
  type = "text"
  label = "氏名"
  [[facts.fields]]
  id = "family"
  type = "group"
  label = "家族"
    [[facts.fields.fields]]
    id = "given"
    type = "text"
    label = "氏名"
{procedures}"#
        )
    }

    fn errors(procedures: &str) -> Vec<CatalogError> {
        load(&[
            (INDEX_FILE.into(), INDEX.into()),
            ("p.toml".into(), format!("{TEST_HEADER}{STEPS}")),
            ("ev.event.toml".into(), event(procedures)),
        ])
        .err()
        .unwrap_or_default()
    }

    #[test]
    fn a_sound_event_loads_with_its_mappings() {
        let catalog = load(&[
            (INDEX_FILE.into(), INDEX.into()),
            ("p.toml".into(), format!("{TEST_HEADER}{STEPS}")),
            (
                "ev.event.toml".into(),
                event(
                    r#"[[procedures]]
id = "p"
applies_if = { field = "known", equals = "yes" }
prefill = [ { to = "name", from = "who" }, { to = "people", from = "family", items = { name = "given" } } ]
"#,
                ),
            ),
        ])
        .unwrap();
        let event = catalog.event("ev").unwrap();
        assert_eq!(event.procedures[0].prefill[1].items.len(), 1);
    }

    #[test]
    fn mappings_and_rules_that_cannot_work_are_reported_where_written() {
        let cases = [
            (
                "[[procedures]]\nid = \"nope\"\n",
                "procedure \"nope\" is not in the catalog",
            ),
            (
                "[[procedures]]\nid = \"p\"\napplies_if = { field = \"who\", equals = \"x\" }\n",
                "not a question on an earlier step",
            ),
            (
                "[[procedures]]\nid = \"p\"\nprefill = [ { to = \"people\", from = \"who\" } ]\n",
                "is a group and takes a list",
            ),
            (
                "[[procedures]]\nid = \"p\"\nprefill = [ { to = \"name\", from = \"family\" } ]\n",
                "takes one answer",
            ),
            (
                "[[procedures]]\nid = \"p\"\nprefill = [ { to = \"people\", from = \"family\" } ]\n",
                "say which question of each item fills which",
            ),
            (
                "[[procedures]]\nid = \"p\"\nprefill = [ { to = \"name\", from = \"known\" } ]\n",
                "is a choice question and \"name\" a text question",
            ),
            (
                "[[procedures]]\nid = \"p\"\ndeadline = { from = \"known\", days = 14, text = \"14日以内\" }\n",
                "is not a date question",
            ),
        ];
        for (procedures, expected) in cases {
            let errors = errors(procedures);
            assert!(
                errors.iter().any(|e| e.message.contains(expected)
                    && e.file == "ev.event.toml"
                    && e.line > 20),
                "{procedures}: {errors:?}"
            );
        }
    }

    #[test]
    fn the_facts_a_counter_fills_from_the_identity_must_take_its_parts() {
        let sound = load(&[
            (INDEX_FILE.into(), INDEX.into()),
            ("p.toml".into(), format!("{TEST_HEADER}{STEPS}")),
            (
                "ev.event.toml".into(),
                event("[[procedures]]\nid = \"p\"\n[from_identity]\nwho = \"address\"\n"),
            ),
        ])
        .unwrap();
        let event = sound.event("ev").unwrap();
        assert_eq!(event.from_identity.len(), 1);
        assert_eq!(event.from_identity[0].1, super::IdentityPart::Address);

        let cases = [
            (
                "nobody = \"address\"",
                "\"nobody\" is not a question of the facts",
            ),
            ("who = \"phone\"", "the counter's identity has no \"phone\""),
            (
                "who = \"name\"",
                "\"who\" is a text question and the identity's name a name answer",
            ),
            ("family = \"address\"", "\"family\" is a group question"),
        ];
        for (mapping, expected) in cases {
            let errors = errors(&format!(
                "[[procedures]]\nid = \"p\"\n[from_identity]\n{mapping}\n"
            ));
            assert!(
                errors
                    .iter()
                    .any(|e| e.message.contains(expected) && e.line > 20),
                "{mapping}: {errors:?}"
            );
        }
    }

    #[test]
    fn the_counters_own_event_offers_every_procedure_with_questions() {
        let catalog = load(&[
            (INDEX_FILE.into(), INDEX.into()),
            ("p.toml".into(), format!("{TEST_HEADER}{STEPS}")),
        ])
        .unwrap();
        let event = super::counter_event(&catalog.procedures).unwrap().unwrap();
        assert_eq!(event.id, super::COUNTER_EVENT);
        assert_eq!(event.procedures.len(), 1);
        // p asks `name` as text: the applicant's name (a name) is not mapped onto it.
        assert!(event.procedures[0].prefill.is_empty());
        assert_eq!(event.from_identity.len(), 3);
        assert_eq!(super::toml_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
    }

    #[test]
    fn an_event_not_listed_in_catalog_toml_is_reported() {
        let errors = load(&[
            (INDEX_FILE.into(), INDEX.into()),
            ("p.toml".into(), format!("{TEST_HEADER}{STEPS}")),
            (
                "x.event.toml".into(),
                event("[[procedures]]\nid = \"p\"\n").replace("id = \"ev\"", "id = \"other\""),
            ),
        ])
        .unwrap_err();
        assert!(errors[0].message.contains("not listed in catalog.toml"));
    }
}
