//! Conditions that decide whether a step or a question applies, from earlier answers.
//!
//! A condition tests top-level answers given on earlier steps, so a page without JavaScript can
//! always be built from what the server already knows. The same condition is evaluated by the
//! server and translated into JSON Schema for API clients; the two must agree (see
//! [`Condition::to_schema`] and the property tests in [`crate::schema`]).

use crate::answers::{Answer, Answers};
use crate::ids::FieldId;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::Date;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
    Test { field: FieldId, test: Test },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Test {
    Equals(Literal),
    NotEquals(Literal),
    OneOf(Vec<String>),
    /// A multiple-choice answer includes this option.
    Includes(String),
    Compare(CmpOp, Literal),
    /// The question was answered (`true`) or left blank (`false`).
    Answered(bool),
    /// A group has more or fewer items than a number (2人以上の世帯).
    ItemCount(CmpOp, i64),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Literal {
    Text(String),
    Number(i64),
    Bool(bool),
    Date(Date),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CmpOp {
    Gt,
    Gte,
    Lt,
    Lte,
}

impl CmpOp {
    fn holds<T: Ord>(self, left: T, right: T) -> bool {
        match self {
            Self::Gt => left > right,
            Self::Gte => left >= right,
            Self::Lt => left < right,
            Self::Lte => left <= right,
        }
    }

    fn schema_keyword(self) -> &'static str {
        match self {
            Self::Gt => "exclusiveMinimum",
            Self::Gte => "minimum",
            Self::Lt => "exclusiveMaximum",
            Self::Lte => "maximum",
        }
    }
}

impl Literal {
    fn matches(&self, answer: &Answer) -> bool {
        match (self, answer) {
            (Self::Text(t), Answer::Text(a) | Answer::Choice(a)) => t == a,
            (Self::Number(n), Answer::Number(a)) => n == a,
            (Self::Bool(b), Answer::YesNo(a)) => b == a,
            (Self::Date(d), Answer::Date(a)) => d == a,
            _ => false,
        }
    }

    fn to_json(&self) -> Value {
        match self {
            Self::Text(t) => json!(t),
            Self::Number(n) => json!(n),
            Self::Bool(b) => json!(b),
            Self::Date(d) => json!(crate::answers::format_date(*d)),
        }
    }
}

impl Condition {
    /// Whether the condition holds for these (top-level) answers. An unanswered question
    /// matches no value: `equals` is false and `not_equals` is true.
    pub fn eval(&self, answers: &Answers) -> bool {
        self.eval_by(&|id| answers.get(id))
    }

    /// Whether the condition holds for a question inside a group item: the item's own
    /// answers first, then the top-level ones.
    pub fn eval_in_item(&self, item: &Answers, root: &Answers) -> bool {
        self.eval_by(&|id| item.get(id).or_else(|| root.get(id)))
    }

    fn eval_by<'a>(&self, answer: &dyn Fn(&str) -> Option<&'a Answer>) -> bool {
        match self {
            Self::All(all) => all.iter().all(|c| c.eval_by(answer)),
            Self::Any(any) => any.iter().any(|c| c.eval_by(answer)),
            Self::Not(inner) => !inner.eval_by(answer),
            Self::Test { field, test } => test.eval(answer(field.as_str())),
        }
    }

    /// Every question the condition reads.
    pub fn fields(&self) -> Vec<&FieldId> {
        let mut out = Vec::new();
        self.collect_fields(&mut out);
        out
    }

    fn collect_fields<'a>(&'a self, out: &mut Vec<&'a FieldId>) {
        match self {
            Self::All(cs) | Self::Any(cs) => cs.iter().for_each(|c| c.collect_fields(out)),
            Self::Not(c) => c.collect_fields(out),
            Self::Test { field, .. } => out.push(field),
        }
    }

    /// The condition as a JSON Schema that an answers object satisfies exactly when the
    /// condition holds, or `None` when JSON Schema cannot express it (date comparisons).
    pub fn to_schema(&self) -> Option<Value> {
        Some(match self {
            Self::All(cs) => {
                json!({ "allOf": cs.iter().map(Self::to_schema).collect::<Option<Vec<_>>>()? })
            }
            Self::Any(cs) => {
                json!({ "anyOf": cs.iter().map(Self::to_schema).collect::<Option<Vec<_>>>()? })
            }
            Self::Not(c) => json!({ "not": c.to_schema()? }),
            Self::Test { field, test } => test.to_schema(field.as_str())?,
        })
    }

    /// Both conditions, flattening where one is absent.
    pub fn and(a: Option<&Condition>, b: Option<&Condition>) -> Option<Condition> {
        match (a, b) {
            (None, None) => None,
            (Some(c), None) | (None, Some(c)) => Some(c.clone()),
            (Some(a), Some(b)) => Some(Self::All(vec![a.clone(), b.clone()])),
        }
    }
}

impl Test {
    fn eval(&self, answer: Option<&Answer>) -> bool {
        match (self, answer) {
            (Self::Answered(expected), a) => a.is_some() == *expected,
            (Self::NotEquals(lit), a) => !a.is_some_and(|a| lit.matches(a)),
            (_, None) => false,
            (Self::Equals(lit), Some(a)) => lit.matches(a),
            (Self::OneOf(values), Some(Answer::Choice(a) | Answer::Text(a))) => values.contains(a),
            (Self::Includes(v), Some(Answer::Choices(chosen))) => chosen.contains(v),
            (Self::Compare(op, Literal::Number(n)), Some(Answer::Number(a))) => op.holds(a, n),
            (Self::Compare(op, Literal::Date(d)), Some(Answer::Date(a))) => op.holds(a, d),
            (Self::ItemCount(op, n), Some(Answer::Group(items))) => {
                op.holds(i64::try_from(items.len()).unwrap_or(i64::MAX), *n)
            }
            _ => false,
        }
    }

    fn to_schema(&self, field: &str) -> Option<Value> {
        let has = |value_schema: Value| json!({ "properties": { field: value_schema }, "required": [field] });
        Some(match self {
            Self::Equals(lit) => has(json!({ "const": lit.to_json() })),
            Self::NotEquals(lit) => json!({ "not": has(json!({ "const": lit.to_json() })) }),
            Self::OneOf(values) => has(json!({ "enum": values })),
            Self::Includes(v) => has(json!({ "contains": { "const": v } })),
            Self::Compare(op, Literal::Number(n)) => has(json!({ op.schema_keyword(): n })),
            Self::Compare(..) => return None,
            Self::Answered(true) => json!({ "required": [field] }),
            Self::Answered(false) => json!({ "not": { "required": [field] } }),
            Self::ItemCount(op, n) => has(match op {
                CmpOp::Gt => json!({ "minItems": n + 1 }),
                CmpOp::Gte => json!({ "minItems": n }),
                CmpOp::Lt => json!({ "maxItems": (n - 1).max(0) }),
                CmpOp::Lte => json!({ "maxItems": n }),
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fid(s: &str) -> FieldId {
        FieldId::parse(s).unwrap()
    }

    fn test(field: &str, test: Test) -> Condition {
        Condition::Test {
            field: fid(field),
            test,
        }
    }

    fn answers(pairs: &[(&str, Answer)]) -> Answers {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn unanswered_questions_match_no_value() {
        let a = Answers::default();
        assert!(!test("reason", Test::Equals(Literal::Text("other".into()))).eval(&a));
        assert!(test("reason", Test::NotEquals(Literal::Text("other".into()))).eval(&a));
        assert!(!test("age", Test::Compare(CmpOp::Gte, Literal::Number(3))).eval(&a));
        assert!(test("age", Test::Answered(false)).eval(&a));
    }

    #[test]
    fn all_any_not_combine() {
        let a = answers(&[
            ("reason", Answer::Choice("move".into())),
            ("count", Answer::Number(3)),
        ]);
        let move_ = test("reason", Test::Equals(Literal::Text("move".into())));
        let many = test("count", Test::Compare(CmpOp::Gt, Literal::Number(2)));
        let few = test("count", Test::Compare(CmpOp::Lte, Literal::Number(2)));
        assert!(Condition::All(vec![move_.clone(), many.clone()]).eval(&a));
        assert!(!Condition::All(vec![move_.clone(), few.clone()]).eval(&a));
        assert!(Condition::Any(vec![few.clone(), move_.clone()]).eval(&a));
        assert!(Condition::Not(Box::new(few)).eval(&a));
    }

    #[test]
    fn dates_compare_by_calendar() {
        let d =
            |y, m, d| Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), d).unwrap();
        let a = answers(&[("birth", Answer::Date(d(2020, 4, 2)))]);
        assert!(
            test(
                "birth",
                Test::Compare(CmpOp::Gte, Literal::Date(d(2020, 4, 2)))
            )
            .eval(&a)
        );
        assert!(
            !test(
                "birth",
                Test::Compare(CmpOp::Lt, Literal::Date(d(2020, 4, 2)))
            )
            .eval(&a)
        );
        assert!(
            test(
                "birth",
                Test::Compare(CmpOp::Lt, Literal::Date(d(2020, 4, 2)))
            )
            .to_schema()
            .is_none()
        );
    }

    #[test]
    fn includes_reads_multiple_choice() {
        let a = answers(&[("items", Answer::Choices(vec!["a".into(), "b".into()]))]);
        assert!(test("items", Test::Includes("b".into())).eval(&a));
        assert!(!test("items", Test::Includes("c".into())).eval(&a));
    }

    mod schema_agreement {
        use super::*;
        use proptest::prelude::*;

        fn leaf() -> impl Strategy<Value = Condition> {
            let choice = prop::sample::select(vec!["a", "b", "c"]).prop_map(|s| s.to_owned());
            let op = prop::sample::select(vec![CmpOp::Gt, CmpOp::Gte, CmpOp::Lt, CmpOp::Lte]);
            let field = prop::sample::select(vec!["c", "n", "y", "m"]);
            prop_oneof![
                choice
                    .clone()
                    .prop_map(|v| test("c", Test::Equals(Literal::Text(v)))),
                choice
                    .clone()
                    .prop_map(|v| test("c", Test::NotEquals(Literal::Text(v)))),
                prop::collection::vec(choice.clone(), 1..3)
                    .prop_map(|vs| test("c", Test::OneOf(vs))),
                choice.prop_map(|v| test("m", Test::Includes(v))),
                (op, -3i64..3).prop_map(|(op, k)| test("n", Test::Compare(op, Literal::Number(k)))),
                any::<bool>().prop_map(|b| test("y", Test::Equals(Literal::Bool(b)))),
                (field, any::<bool>()).prop_map(|(f, b)| test(f, Test::Answered(b))),
            ]
        }

        fn condition() -> impl Strategy<Value = Condition> {
            leaf().prop_recursive(3, 12, 3, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 1..3).prop_map(Condition::All),
                    prop::collection::vec(inner.clone(), 1..3).prop_map(Condition::Any),
                    inner.prop_map(|c| Condition::Not(Box::new(c))),
                ]
            })
        }

        fn answers_strategy() -> impl Strategy<Value = Answers> {
            let choice = prop::sample::select(vec!["a", "b", "c"]).prop_map(|s| s.to_owned());
            (
                prop::option::of(choice.clone().prop_map(Answer::Choice)),
                prop::option::of((-4i64..4).prop_map(Answer::Number)),
                prop::option::of(any::<bool>().prop_map(Answer::YesNo)),
                prop::option::of(
                    prop::collection::btree_set(choice, 1..3)
                        .prop_map(|s| Answer::Choices(s.into_iter().collect())),
                ),
            )
                .prop_map(|(c, n, y, m)| {
                    [("c", c), ("n", n), ("y", y), ("m", m)]
                        .into_iter()
                        .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v)))
                        .collect()
                })
        }

        proptest! {
            /// What the server decides and what the published schema says are the same.
            #[test]
            fn a_condition_and_its_schema_agree(c in condition(), a in answers_strategy()) {
                let schema = c.to_schema().expect("no date comparisons here");
                let validator = jsonschema::draft202012::new(&schema).unwrap();
                prop_assert_eq!(c.eval(&a), validator.is_valid(&a.to_json()), "{:?} on {}", c, a.to_json());
            }
        }
    }
}
