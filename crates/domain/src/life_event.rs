//! Life events (ライフイベント): 引越し, 出生, おくやみ. One short interview decides which
//! procedures a resident's situation implies, and a small set of shared facts (申出人, 対象者 —
//! the deceased, the newborn, each person moving) fills every one of them, so nothing is asked
//! twice (ワンスオンリー).
//!
//! The interview and the facts are questions like any procedure's, read and checked by the same
//! readers and the same evaluator ([`crate::validate`]); they are held as two question sets in
//! the form of a [`Procedure`] that is never submitted. Which procedures apply is a rule over the
//! interview's answers, where 「わからない」 makes a procedure one that *may* apply; each implied
//! procedure maps facts (or interview answers) onto its own questions, groups included.

use crate::answers::{Answer, Answers};
use crate::condition::Condition;
use crate::ids::{FieldId, ProcedureId};
use crate::procedure::{Field, FieldKind, Procedure, Step};
use crate::text::Localized;
use crate::validate::{self, Segment};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LifeEvent {
    pub id: String,
    pub title: Localized,
    pub description: Localized,
    /// The questions that decide what applies, one page at a time.
    pub interview: Procedure,
    /// The facts asked once and given to every procedure that needs them.
    pub facts: Procedure,
    /// The procedures the event can imply, in the order the list shows them.
    pub procedures: Vec<Implied>,
    /// At the counter, the facts that start from who the resident in front of staff is (the
    /// card read or the document typed): which fact takes which part of the identity.
    pub from_identity: Vec<(FieldId, IdentityPart)>,
}

/// A part of what the counter records of the resident in front of it (本人確認), named as the
/// counter's identity question that holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IdentityPart {
    Name,
    BirthDate,
    PostalCode,
    Address,
    MyNumber,
}

impl IdentityPart {
    pub const ALL: [Self; 5] = [
        Self::Name,
        Self::BirthDate,
        Self::PostalCode,
        Self::Address,
        Self::MyNumber,
    ];

    /// The id of the identity question that holds it.
    pub fn id(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::BirthDate => "birth_date",
            Self::PostalCode => "postal_code",
            Self::Address => "address",
            Self::MyNumber => "my_number",
        }
    }

    pub fn parse(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.id() == id)
    }

    /// The type of question (as the catalog names it) that can take it.
    pub fn type_name(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::BirthDate => "date",
            Self::PostalCode => "postal_code",
            Self::Address => "text",
            Self::MyNumber => "my_number",
        }
    }
}

/// A procedure a life event can imply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Implied {
    pub procedure: ProcedureId,
    /// When it applies, over the interview's answers; `None`: always.
    pub applies_if: Option<Condition>,
    pub deadline: Option<EventDeadline>,
    /// Which facts fill which of the procedure's questions.
    pub prefill: Vec<Prefill>,
}

/// A bundled procedure's answers and which of its questions the facts or the interview
/// answered (they are not asked again).
#[derive(Debug, Clone, PartialEq)]
pub struct Filled {
    pub answers: Answers,
    pub given: BTreeSet<String>,
}

impl Filled {
    /// Takes back the questions given that the procedure's rules refuse (a fact its own
    /// limits do not allow).
    fn keep_accepted(&mut self, procedure: &Procedure, today: time::Date) {
        let errors = validate::check(procedure, &self.answers, None, today);
        self.given.retain(|id| {
            !errors
                .iter()
                .any(|e| matches!(e.path.0.first(), Some(Segment::Field(f)) if f == id))
        });
    }

    /// The procedure with only the questions still asked of it (its own answers, apart from
    /// what the facts gave).
    pub fn asked(&self, procedure: &Procedure) -> Procedure {
        let mut asked = procedure.clone();
        for step in &mut asked.steps {
            step.fields.retain(|f| !self.given.contains(f.id.as_str()));
        }
        asked
    }

    /// `step` with only the questions still to be answered; `None` when none is left.
    pub fn remaining(&self, step: &Step) -> Option<Step> {
        let fields: Vec<Field> = step
            .fields
            .iter()
            .filter(|f| !self.given.contains(f.id.as_str()))
            .cloned()
            .collect();
        (!fields.is_empty()).then(|| Step {
            fields,
            ..step.clone()
        })
    }
}

/// 「死亡の事実を知った日から7日以内」: a deadline counted from a date of the interview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventDeadline {
    pub from: FieldId,
    pub days: u32,
    /// Whether the starting day is day one: 戸籍法 43条 counts it (出生届・死亡届); elsewhere
    /// the first day is not counted (民法 140条), so 14日以内 of a move ends 14 days after.
    #[serde(default)]
    pub first_day_counts: bool,
    /// How the law words it, shown beside the computed day.
    pub text: Localized,
}

/// One question of the procedure filled from a fact or an interview answer of the same type.
/// A group is filled item by item: `items` maps the source item's questions to the target's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prefill {
    pub to: FieldId,
    pub from: FieldId,
    #[serde(default)]
    pub items: Vec<(FieldId, FieldId)>,
}

/// Whether an implied procedure is for this resident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Applies {
    Yes,
    /// The rule depends on an answer the resident did not know: ask at the counter.
    Maybe,
}

/// One line of the resident's list.
#[derive(Debug, Clone, PartialEq)]
pub struct Derived<'e> {
    pub implied: &'e Implied,
    pub applies: Applies,
    /// The last day, where the law sets one and the interview gave its starting day.
    pub deadline: Option<time::Date>,
}

/// The most substitutions of 「わからない」 answers tried before giving "may apply" outright.
const MAX_CASES: usize = 256;

impl LifeEvent {
    /// The procedures the interview's answers imply, in the event's order; the ones that do
    /// not apply are left out.
    pub fn derive(&self, interview: &Answers) -> Vec<Derived<'_>> {
        self.procedures
            .iter()
            .filter_map(|implied| {
                let applies = match &implied.applies_if {
                    None => Applies::Yes,
                    Some(rule) => self.applies(rule, interview)?,
                };
                Some(Derived {
                    implied,
                    applies,
                    deadline: implied.deadline.as_ref().and_then(|d| d.day(interview)),
                })
            })
            .collect()
    }

    /// A rule over answers some of which may be 「わからない」: it applies if it holds whatever the
    /// resident would have known, may apply if it holds for some, and does not otherwise.
    fn applies(&self, rule: &Condition, interview: &Answers) -> Option<Applies> {
        let unknowns: Vec<(&FieldId, Vec<String>)> = rule
            .fields()
            .into_iter()
            .filter_map(|id| {
                let field = self.interview.field(id.as_str())?;
                let FieldKind::Choice { options, .. } = &field.kind else {
                    return None;
                };
                let Some(Answer::Choice(chosen)) = interview.get(id.as_str()) else {
                    return None;
                };
                options
                    .iter()
                    .any(|o| o.unknown && &o.value == chosen)
                    .then(|| {
                        let known = options.iter().filter(|o| !o.unknown);
                        (id, known.map(|o| o.value.clone()).collect())
                    })
            })
            .collect();
        if unknowns.is_empty() {
            return rule.eval(interview).then_some(Applies::Yes);
        }
        let cases: usize = unknowns.iter().map(|(_, v)| v.len().max(1)).product();
        if cases > MAX_CASES {
            return Some(Applies::Maybe);
        }
        let (mut held, mut failed) = (false, false);
        for case in 0..cases {
            let mut answers = interview.clone();
            let mut rest = case;
            for (id, values) in &unknowns {
                if let Some(value) = values.get(rest % values.len().max(1)) {
                    answers.insert(id.as_str(), Answer::Choice(value.clone()));
                }
                rest /= values.len().max(1);
            }
            if rule.eval(&answers) {
                held = true;
            } else {
                failed = true;
            }
        }
        match (held, failed) {
            (true, false) => Some(Applies::Yes),
            (true, true) => Some(Applies::Maybe),
            (false, _) => None,
        }
    }

    /// The answers an implied procedure starts with: each mapped fact or interview answer,
    /// groups item by item. Nothing is pruned here: whether a filled question applies may
    /// depend on the procedure's own questions not yet answered (児童手当 asks 公務員 first),
    /// and its pages prune as they are answered, as they always do.
    pub fn prefill(&self, implied: &Implied, interview: &Answers, facts: &Answers) -> Answers {
        let mut answers = Answers::default();
        for rule in &implied.prefill {
            let Some(source) = facts
                .get(rule.from.as_str())
                .or_else(|| interview.get(rule.from.as_str()))
            else {
                continue;
            };
            let value = match (source, rule.items.is_empty()) {
                (Answer::Group(items), false) => Answer::Group(
                    items
                        .iter()
                        .map(|item| {
                            let mut mapped = Answers::default();
                            for (to, from) in &rule.items {
                                if let Some(a) = item.get(from.as_str()) {
                                    mapped.insert(to.as_str(), a.clone());
                                }
                            }
                            mapped
                        })
                        .collect(),
                ),
                (answer, _) => answer.clone(),
            };
            answers.insert(rule.to.as_str(), value);
        }
        answers
    }

    /// A bundled procedure's answers: its own, with every answer the facts and the interview
    /// give in place of what it held (the facts are asked once; a changed fact changes every
    /// procedure), pruned of what no longer applies. A given answer the procedure's own rules
    /// refuse is asked on its pages after all, with the problem beside it.
    pub fn fill(
        &self,
        implied: &Implied,
        procedure: &Procedure,
        own: &Answers,
        (interview, facts): (&Answers, &Answers),
        today: time::Date,
    ) -> Filled {
        let prefilled = self.prefill(implied, interview, facts);
        let mut answers = own.clone();
        let mut given = BTreeSet::new();
        for rule in &implied.prefill {
            let to = rule.to.as_str();
            match prefilled.get(to) {
                Some(answer) => answers.insert(to, answer.clone()),
                // A fact left blank (an optional e-mail) was answered too: an optional question
                // it maps to is not asked again; a required one is.
                None if procedure.field(to).is_some_and(|f| f.required) => continue,
                None => {
                    answers.remove(to);
                }
            }
            given.insert(to.to_owned());
        }
        let mut filled = Filled {
            answers: validate::prune(procedure, &answers),
            given,
        };
        filled.keep_accepted(procedure, today);
        filled
    }

    /// The question, of the interview or the facts, with this id.
    /// The facts a counter visit starts with: each `from_identity` fact given the part of the
    /// identity it takes, where the identity has it.
    pub fn facts_from_identity(&self, identity: &Answers) -> Answers {
        let mut facts = Answers::default();
        for (fact, part) in &self.from_identity {
            if let Some(answer) = identity.get(part.id()) {
                facts.insert(fact.to_string(), answer.clone());
            }
        }
        facts
    }

    pub fn question(&self, id: &str) -> Option<&crate::procedure::Field> {
        self.interview.field(id).or_else(|| self.facts.field(id))
    }
}

impl EventDeadline {
    /// The last day. A period ending on a day the office is closed (a weekend, a national
    /// holiday, 12月29日〜1月3日) ends on the next day it is open (民法 142条, 行政機関の休日に
    /// 関する法律 2条).
    pub fn day(&self, interview: &Answers) -> Option<time::Date> {
        let Answer::Date(start) = interview.get(self.from.as_str())? else {
            return None;
        };
        let days = i64::from(self.days) - i64::from(self.first_day_counts);
        let mut last = start.checked_add(time::Duration::days(days))?;
        let open = crate::procedure::DayRule {
            weekdays: crate::procedure::DayOfWeek::ALL[..5].to_vec(),
            not_holidays: true,
            not_year_end: true,
            ..Default::default()
        };
        while open.problem(last).is_some() {
            last = last.next_day()?;
        }
        Some(last)
    }
}
