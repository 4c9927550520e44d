//! Fees (手数料・使用料): none, fixed, per copy, the sum of chosen items (粗大ごみ), a sum of
//! parts (a base fee plus add-ons, prices by option, a price table keyed by two answers, a rate
//! chosen by another answer), or an amount the department decides. The amount due is computed
//! from the definition and the answers alone, so every channel and every later reader (the
//! status page, the export, the case page) shows the same figure.

use crate::answers::{Answer, Answers};
use crate::ids::FieldId;
use crate::procedure::{ChoiceOption, FieldKind, Procedure};
use crate::text::Localized;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fee {
    pub rule: FeeRule,
    pub note: Option<Localized>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeeRule {
    Free,
    Fixed {
        amount: u32,
    },
    /// `amount` yen per unit, the number of units being a number question (通数).
    PerUnit {
        amount: u32,
        quantity_field: FieldId,
    },
    /// The sum, over a group's items, of the chosen option's fee times an optional quantity.
    ItemSum {
        group: FieldId,
        item_field: FieldId,
        quantity_field: Option<FieldId>,
    },
    /// Parts added together, each shown on its own line.
    Parts(Vec<FeePart>),
    /// The amount varies with the case and the department tells the resident (審査後に決定).
    DecidedByStaff,
}

/// One line of a composed fee.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeePart {
    pub label: Localized,
    pub amount: PartAmount,
    /// A percentage chosen by another answer (区外の方は 150%), applied to this part.
    pub rate: Option<Rate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartAmount {
    Fixed {
        amount: u32,
    },
    PerUnit {
        amount: u32,
        quantity_field: FieldId,
    },
    /// The `fee` of the option chosen in a choice question, or of each option chosen in a
    /// multiple-choice one.
    OptionFees {
        field: FieldId,
    },
    ItemSum {
        group: FieldId,
        item_field: FieldId,
        quantity_field: Option<FieldId>,
    },
    /// A price looked up by two choice answers (施設 × 時間帯); where either is a multiple
    /// choice, one price per combination chosen.
    Table {
        rows: FieldId,
        columns: FieldId,
        prices: BTreeMap<String, BTreeMap<String, u32>>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    pub field: FieldId,
    /// Percent by option value; an option not listed (or no answer) is 100 %.
    pub percent: BTreeMap<String, u32>,
}

/// What a resident owes for these answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeeDue {
    Free,
    /// A known amount in yen, with one line per part (empty for a single-rule fee).
    Amount {
        total: u64,
        lines: Vec<FeeLine>,
    },
    /// The department decides the amount (and says so on the notice), and has not yet.
    DecidedByStaff,
    /// The amount the department decided.
    Decided {
        amount: u64,
    },
    /// The answers do not yet say (a quantity not given).
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeLine {
    pub label: Localized,
    pub amount: u64,
}

impl Fee {
    pub fn free() -> Self {
        Self {
            rule: FeeRule::Free,
            note: None,
        }
    }

    pub fn is_free(&self) -> bool {
        matches!(self.rule, FeeRule::Free)
    }

    /// Whether the department sets the amount case by case.
    pub fn is_decided_by_staff(&self) -> bool {
        matches!(self.rule, FeeRule::DecidedByStaff)
    }

    /// The amount due in yen; `None` when it is not a known amount.
    pub fn amount_due(
        &self,
        procedure: &Procedure,
        answers: &Answers,
        decided: Option<u64>,
    ) -> Option<u64> {
        match self.due(procedure, answers, decided) {
            FeeDue::Free => Some(0),
            FeeDue::Amount { total, .. } => Some(total),
            FeeDue::Decided { amount } => Some(amount),
            FeeDue::DecidedByStaff | FeeDue::Unknown => None,
        }
    }

    /// What is due for these answers. `decided` is the amount the department recorded on the
    /// application (手数料の決定); it counts only for a fee the department sets, so a stray
    /// value can never override an amount the definition computes.
    pub fn due(&self, procedure: &Procedure, answers: &Answers, decided: Option<u64>) -> FeeDue {
        let single = |amount: Option<u64>| {
            amount.map_or(FeeDue::Unknown, |total| FeeDue::Amount {
                total,
                lines: Vec::new(),
            })
        };
        match &self.rule {
            FeeRule::Free => FeeDue::Free,
            FeeRule::DecidedByStaff => match decided {
                Some(amount) => FeeDue::Decided { amount },
                None => FeeDue::DecidedByStaff,
            },
            FeeRule::Fixed { amount } => single(Some(u64::from(*amount))),
            FeeRule::PerUnit {
                amount,
                quantity_field,
            } => single(per_unit(*amount, answers.get(quantity_field.as_str()))),
            FeeRule::ItemSum {
                group,
                item_field,
                quantity_field,
            } => single(item_sum(
                procedure,
                answers,
                group,
                item_field,
                quantity_field.as_ref(),
            )),
            FeeRule::Parts(parts) => {
                let lines: Vec<FeeLine> = parts
                    .iter()
                    .map(|part| FeeLine {
                        label: part.label.clone(),
                        amount: part.amount_for(procedure, answers),
                    })
                    .collect();
                FeeDue::Amount {
                    total: lines.iter().map(|l| l.amount).sum(),
                    lines,
                }
            }
        }
    }
}

impl FeePart {
    /// This part's amount. A question it reads that was not answered (it did not apply, or
    /// was optional) adds nothing: an add-on not chosen costs nothing.
    fn amount_for(&self, procedure: &Procedure, answers: &Answers) -> u64 {
        let base = match &self.amount {
            PartAmount::Fixed { amount } => Some(u64::from(*amount)),
            PartAmount::PerUnit {
                amount,
                quantity_field,
            } => per_unit(*amount, answers.get(quantity_field.as_str())),
            PartAmount::OptionFees { field } => option_fees(procedure, answers, field),
            PartAmount::ItemSum {
                group,
                item_field,
                quantity_field,
            } => item_sum(
                procedure,
                answers,
                group,
                item_field,
                quantity_field.as_ref(),
            ),
            PartAmount::Table {
                rows,
                columns,
                prices,
            } => {
                let chosen = |id: &FieldId| match answers.get(id.as_str()) {
                    Some(Answer::Choice(v)) => vec![v.clone()],
                    Some(Answer::Choices(vs)) => vs.clone(),
                    _ => Vec::new(),
                };
                let columns = chosen(columns);
                Some(
                    chosen(rows)
                        .iter()
                        .flat_map(|r| columns.iter().map(move |c| (r, c)))
                        .filter_map(|(r, c)| prices.get(r)?.get(c))
                        .map(|p| u64::from(*p))
                        .sum(),
                )
            }
        }
        .unwrap_or(0);
        match &self.rate {
            Some(rate) => base * u64::from(rate.percent_for(answers)) / 100,
            None => base,
        }
    }
}

impl Rate {
    fn percent_for(&self, answers: &Answers) -> u32 {
        match answers.get(self.field.as_str()) {
            Some(Answer::Choice(v)) => self.percent.get(v).copied().unwrap_or(100),
            _ => 100,
        }
    }
}

fn per_unit(amount: u32, quantity: Option<&Answer>) -> Option<u64> {
    match quantity? {
        Answer::Number(n) => Some(u64::from(amount) * u64::try_from(*n).ok()?),
        _ => None,
    }
}

fn option_fee(options: &[ChoiceOption], value: &str) -> u64 {
    options
        .iter()
        .find(|o| o.value == value)
        .and_then(|o| o.fee)
        .map_or(0, u64::from)
}

fn option_fees(procedure: &Procedure, answers: &Answers, field: &FieldId) -> Option<u64> {
    let FieldKind::Choice { options, .. } = &procedure.field(field.as_str())?.kind else {
        return None;
    };
    Some(match answers.get(field.as_str())? {
        Answer::Choice(v) => option_fee(options, v),
        Answer::Choices(vs) => vs.iter().map(|v| option_fee(options, v)).sum(),
        _ => 0,
    })
}

fn item_sum(
    procedure: &Procedure,
    answers: &Answers,
    group: &FieldId,
    item_field: &FieldId,
    quantity_field: Option<&FieldId>,
) -> Option<u64> {
    let FieldKind::Group(g) = &procedure.field(group.as_str())?.kind else {
        return None;
    };
    let FieldKind::Choice { options, .. } = &g.field(item_field.as_str())?.kind else {
        return None;
    };
    let Answer::Group(items) = answers.get(group.as_str())? else {
        return None;
    };
    items.iter().try_fold(0u64, |sum, item| {
        let Answer::Choice(chosen) = item.get(item_field.as_str())? else {
            return None;
        };
        let quantity = match quantity_field.map(|q| item.get(q.as_str())) {
            None => 1,
            Some(Some(Answer::Number(n))) => u64::try_from(*n).ok()?,
            Some(_) => return None,
        };
        Some(sum + option_fee(options, chosen) * quantity)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn procedure_with(rule: FeeRule) -> Procedure {
        let mut p = crate::catalog::test_procedure(
            r#"
[[steps]]
id = "s"
title = "S"
  [[steps.fields]]
  id = "a"
  type = "text"
  label = "A"
"#,
        );
        p.fee.rule = rule;
        p
    }

    #[test]
    fn a_fee_the_department_sets_is_due_once_decided_and_only_then() {
        let p = procedure_with(FeeRule::DecidedByStaff);
        let none = Answers::default();
        assert_eq!(p.fee.due(&p, &none, None), FeeDue::DecidedByStaff);
        assert_eq!(p.fee.amount_due(&p, &none, None), None);
        assert_eq!(
            p.fee.due(&p, &none, Some(1_230)),
            FeeDue::Decided { amount: 1_230 }
        );
        assert_eq!(p.fee.amount_due(&p, &none, Some(0)), Some(0));
    }

    #[test]
    fn a_decided_amount_never_overrides_a_fee_the_definition_computes() {
        let p = procedure_with(FeeRule::Fixed { amount: 300 });
        assert_eq!(
            p.fee.amount_due(&p, &Answers::default(), Some(5)),
            Some(300)
        );
        let free = procedure_with(FeeRule::Free);
        assert_eq!(
            free.fee.due(&free, &Answers::default(), Some(5)),
            FeeDue::Free
        );
    }
}
