//! Fees (手数料): none, fixed, per copy, or the sum of chosen items (粗大ごみ). The amount due is
//! computed from the answers, so the resident sees it on the check page before submitting.

use crate::answers::{Answer, Answers};
use crate::ids::FieldId;
use crate::procedure::{FieldKind, Procedure};
use crate::text::Localized;
use serde::{Deserialize, Serialize};

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

    /// The amount due in yen for these answers; `None` when it cannot be known yet.
    pub fn amount_due(&self, procedure: &Procedure, answers: &Answers) -> Option<u64> {
        match &self.rule {
            FeeRule::Free => Some(0),
            FeeRule::Fixed { amount } => Some(u64::from(*amount)),
            FeeRule::PerUnit {
                amount,
                quantity_field,
            } => match answers.get(quantity_field.as_str())? {
                Answer::Number(n) => Some(u64::from(*amount) * u64::try_from(*n).ok()?),
                _ => None,
            },
            FeeRule::ItemSum {
                group,
                item_field,
                quantity_field,
            } => {
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
                    let unit = u64::from(
                        options
                            .iter()
                            .find(|o| &o.value == chosen)?
                            .fee
                            .unwrap_or(0),
                    );
                    let quantity = match quantity_field.as_ref().map(|q| item.get(q.as_str())) {
                        None => 1,
                        Some(Some(Answer::Number(n))) => u64::try_from(*n).ok()?,
                        Some(_) => return None,
                    };
                    Some(sum + unit * quantity)
                })
            }
        }
    }
}
