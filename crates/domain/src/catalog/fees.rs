//! Reading and checking `[fee]`: a single rule (amount, per_unit, item_sum), a list of parts
//! added together, or an amount the department decides. Every question a fee reads must exist
//! and be of the right type, every price table must price every combination, and an option
//! `fee` that no part reads is reported rather than silently ignored.

use super::{Checker, Key, RawFee, RawFeePart, RawFeeTable, RawItemSum, RawRate, join, k, n};
use crate::fee::{Fee, FeePart, FeeRule, PartAmount, Rate};
use crate::ids::FieldId;
use crate::procedure::{Field, FieldKind, Group, Procedure};
use std::collections::BTreeMap;

/// The option values of a choice question, if it is one.
fn options_of(field: &Field) -> Option<Vec<&str>> {
    match &field.kind {
        FieldKind::Choice { options, .. } => {
            Some(options.iter().map(|o| o.value.as_str()).collect())
        }
        _ => None,
    }
}

impl Checker<'_> {
    pub(super) fn fee(&mut self, raw: Option<RawFee>, procedure: &Procedure) -> Fee {
        let Some(raw) = raw else { return Fee::free() };
        let note = raw.note.clone();
        let single = [
            raw.amount.is_some(),
            raw.per_unit.is_some(),
            raw.item_sum.is_some(),
        ];
        let given = single.iter().filter(|b| **b).count()
            + usize::from(!raw.parts.is_empty())
            + usize::from(raw.decided_by_staff);
        if given > 1 {
            self.error(&[k("fee")], "give one of amount, per_unit (with quantity_field), item_sum, parts or decided_by_staff");
            return Fee::free();
        }
        if given == 0 && note.is_some() {
            self.error(&[k("fee"), k("note")], "a fee with only a note would be shown as free; say decided_by_staff = true if the department sets the amount");
        }
        let rule = if raw.decided_by_staff {
            FeeRule::DecidedByStaff
        } else if !raw.parts.is_empty() {
            let parts = raw
                .parts
                .iter()
                .enumerate()
                .filter_map(|(i, part)| {
                    self.fee_part(part, procedure, &[k("fee"), k("parts"), n(i)])
                })
                .collect();
            FeeRule::Parts(parts)
        } else if let Some(amount) = raw.amount {
            FeeRule::Fixed { amount }
        } else if let Some(amount) = raw.per_unit {
            match self.quantity(
                raw.quantity_field.as_deref(),
                procedure,
                &[k("fee"), k("quantity_field")],
            ) {
                Some(quantity_field) => FeeRule::PerUnit {
                    amount,
                    quantity_field,
                },
                None => FeeRule::Free,
            }
        } else if let Some(sum) = &raw.item_sum {
            match self.item_sum(sum, procedure, &[k("fee"), k("item_sum")]) {
                Some(PartAmount::ItemSum {
                    group,
                    item_field,
                    quantity_field,
                }) => FeeRule::ItemSum {
                    group,
                    item_field,
                    quantity_field,
                },
                _ => FeeRule::Free,
            }
        } else {
            FeeRule::Free
        };
        let fee = Fee { rule, note };
        self.unused_option_fees(&fee, procedure);
        fee
    }

    fn fee_part(
        &mut self,
        raw: &RawFeePart,
        procedure: &Procedure,
        path: &[Key<'_>],
    ) -> Option<FeePart> {
        let kinds = [
            raw.amount.is_some(),
            raw.per_unit.is_some(),
            raw.option_fees.is_some(),
            raw.item_sum.is_some(),
            raw.table.is_some(),
        ];
        if kinds.iter().filter(|b| **b).count() != 1 {
            self.error(path, "a fee part is one of amount, per_unit (with quantity_field), option_fees, item_sum or table");
            return None;
        }
        if raw.quantity_field.is_some() && raw.per_unit.is_none() {
            self.error(
                &join(path, &[k("quantity_field")]),
                "quantity_field goes with per_unit",
            );
        }
        let amount = if let Some(amount) = raw.amount {
            PartAmount::Fixed { amount }
        } else if let Some(amount) = raw.per_unit {
            let quantity_field = self.quantity(
                raw.quantity_field.as_deref(),
                procedure,
                &join(path, &[k("quantity_field")]),
            )?;
            PartAmount::PerUnit {
                amount,
                quantity_field,
            }
        } else if let Some(field) = &raw.option_fees {
            let at = join(path, &[k("option_fees")]);
            let question = procedure.field(field).filter(|f| options_of(f).is_some());
            let Some(question) = question else {
                self.error(
                    &at,
                    format!("\"{field}\" is not a choice or multiple_choice question"),
                );
                return None;
            };
            if let FieldKind::Choice { options, .. } = &question.kind
                && options.iter().all(|o| o.fee.is_none())
            {
                self.error(&at, format!("no option of \"{field}\" has a fee"));
            }
            PartAmount::OptionFees {
                field: question.id.clone(),
            }
        } else if let Some(sum) = &raw.item_sum {
            self.item_sum(sum, procedure, &join(path, &[k("item_sum")]))?
        } else {
            self.table(raw.table.as_ref()?, procedure, &join(path, &[k("table")]))?
        };
        let rate = match &raw.rate {
            Some(rate) => Some(self.rate(rate, procedure, &join(path, &[k("rate")]))?),
            None => None,
        };
        Some(FeePart {
            label: raw.label.clone(),
            amount,
            rate,
        })
    }

    fn quantity(
        &mut self,
        name: Option<&str>,
        procedure: &Procedure,
        path: &[Key<'_>],
    ) -> Option<FieldId> {
        match name.and_then(|q| procedure.field(q)) {
            Some(f) if matches!(f.kind, FieldKind::Number { .. }) => Some(f.id.clone()),
            _ => {
                self.error(
                    path,
                    "per_unit needs quantity_field naming a number question",
                );
                None
            }
        }
    }

    fn item_sum(
        &mut self,
        sum: &RawItemSum,
        procedure: &Procedure,
        path: &[Key<'_>],
    ) -> Option<PartAmount> {
        let group: Option<(FieldId, &Group)> =
            procedure.field(&sum.group).and_then(|f| match &f.kind {
                FieldKind::Group(g) => Some((f.id.clone(), g)),
                _ => None,
            });
        let Some((group_id, group)) = group else {
            self.error(
                &join(path, &[k("group")]),
                format!("\"{}\" is not a group question", sum.group),
            );
            return None;
        };
        let item = group.field(&sum.item_field).filter(|f| {
            matches!(
                f.kind,
                FieldKind::Choice {
                    multiple: false,
                    ..
                }
            )
        });
        let quantity = sum.quantity_field.as_deref().map(|q| {
            group
                .field(q)
                .filter(|f| matches!(f.kind, FieldKind::Number { .. }))
        });
        match (item, quantity) {
            (Some(item), None) => Some(PartAmount::ItemSum {
                group: group_id,
                item_field: item.id.clone(),
                quantity_field: None,
            }),
            (Some(item), Some(Some(q))) => Some(PartAmount::ItemSum {
                group: group_id,
                item_field: item.id.clone(),
                quantity_field: Some(q.id.clone()),
            }),
            _ => {
                self.error(path, "item_field must be a choice question and quantity_field a number question of the group");
                None
            }
        }
    }

    /// A price table must price every combination of the two questions' options, and only those.
    fn table(
        &mut self,
        raw: &RawFeeTable,
        procedure: &Procedure,
        path: &[Key<'_>],
    ) -> Option<PartAmount> {
        let mut question = |name: &str, key: &'static str| {
            let found = procedure
                .field(name)
                .and_then(|f| Some((f.id.clone(), options_of(f)?)));
            if found.is_none() {
                self.error(
                    &join(path, &[k(key)]),
                    format!("\"{name}\" is not a choice or multiple_choice question"),
                );
            }
            found
        };
        let rows = question(&raw.rows, "rows");
        let columns = question(&raw.columns, "columns");
        let ((rows, row_values), (columns, column_values)) = (rows?, columns?);
        let mut complete = true;
        for row in &row_values {
            let Some(prices) = raw.prices.get(*row) else {
                self.error(
                    &join(path, &[k("prices")]),
                    format!("the table has no row for \"{row}\" (an option of \"{rows}\")"),
                );
                complete = false;
                continue;
            };
            for column in column_values.iter().filter(|c| !prices.contains_key(**c)) {
                self.error(&join(path, &[k("prices"), k(row)]), format!("the row \"{row}\" has no price for \"{column}\" (an option of \"{columns}\")"));
                complete = false;
            }
            for extra in prices
                .keys()
                .filter(|c| !column_values.contains(&c.as_str()))
            {
                self.error(
                    &join(path, &[k("prices"), k(row)]),
                    format!("\"{extra}\" is not an option of \"{columns}\""),
                );
                complete = false;
            }
        }
        for extra in raw
            .prices
            .keys()
            .filter(|r| !row_values.contains(&r.as_str()))
        {
            self.error(
                &join(path, &[k("prices")]),
                format!("\"{extra}\" is not an option of \"{rows}\""),
            );
            complete = false;
        }
        let prices: BTreeMap<String, BTreeMap<String, u32>> = raw.prices.clone();
        complete.then_some(PartAmount::Table {
            rows,
            columns,
            prices,
        })
    }

    fn rate(&mut self, raw: &RawRate, procedure: &Procedure, path: &[Key<'_>]) -> Option<Rate> {
        let question = procedure.field(&raw.field).filter(|f| {
            matches!(
                f.kind,
                FieldKind::Choice {
                    multiple: false,
                    ..
                }
            )
        });
        let Some(question) = question else {
            self.error(
                &join(path, &[k("field")]),
                format!("\"{}\" is not a choice question", raw.field),
            );
            return None;
        };
        let values = options_of(question).unwrap_or_default();
        for extra in raw.percent.keys().filter(|v| !values.contains(&v.as_str())) {
            self.error(
                &join(path, &[k("percent")]),
                format!("\"{extra}\" is not an option of \"{}\"", raw.field),
            );
        }
        Some(Rate {
            field: question.id.clone(),
            percent: raw.percent.clone(),
        })
    }

    /// An option `fee` is read only by option_fees and item_sum; one that nothing reads would
    /// be a price residents never pay.
    fn unused_option_fees(&mut self, fee: &Fee, procedure: &Procedure) {
        let part_reads = |amount: &PartAmount| match amount {
            PartAmount::OptionFees { field } => Some(field.clone()),
            PartAmount::ItemSum { item_field, .. } => Some(item_field.clone()),
            _ => None,
        };
        let read: Vec<FieldId> = match &fee.rule {
            FeeRule::ItemSum { item_field, .. } => vec![item_field.clone()],
            FeeRule::Parts(parts) => parts.iter().filter_map(|p| part_reads(&p.amount)).collect(),
            _ => Vec::new(),
        };
        let mut unread = Vec::new();
        for (si, step) in procedure.steps.iter().enumerate() {
            for (fi, field) in step.fields.iter().enumerate() {
                let inner: Vec<(Option<usize>, &Field)> = match &field.kind {
                    FieldKind::Group(g) => g
                        .fields
                        .iter()
                        .enumerate()
                        .map(|(i, f)| (Some(i), f))
                        .collect(),
                    _ => vec![(None, field)],
                };
                for (ii, f) in inner {
                    let FieldKind::Choice { options, .. } = &f.kind else {
                        continue;
                    };
                    if options.iter().any(|o| o.fee.is_some()) && !read.contains(&f.id) {
                        unread.push((si, fi, ii, f.id.clone()));
                    }
                }
            }
        }
        for (si, fi, ii, id) in unread {
            let mut path = vec![k("steps"), n(si), k("fields"), n(fi)];
            if let Some(ii) = ii {
                path.extend([k("fields"), n(ii)]);
            }
            path.push(k("options"));
            self.error(&path, format!("the options of \"{id}\" have fees, but no fee part reads them; add a part with option_fees = \"{id}\""));
        }
    }
}
