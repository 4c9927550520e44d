//! The fee of an application in words, as every reader of it is shown the same figure: the
//! check and done pages, the status page, the staff case page, the API and the mail.

use crate::i18n::Tr;
use madoguchi_domain::Answers;
use madoguchi_domain::fee::FeeDue;
use madoguchi_domain::procedure::Procedure;
use serde_json::{Value, json};

/// A fee as shown: the total (or why there is none yet) and one line per part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeText {
    pub total: String,
    pub lines: Vec<(String, String)>,
    pub note: Option<String>,
}

/// `3,000`: yen amounts with thousands separators.
pub fn yen(amount: u64) -> String {
    let digits = amount.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The fee as API clients read it: `amount` in yen (`null` while not known), why, and the
/// lines of a composed fee.
pub fn fee_json(procedure: &Procedure, answers: &Answers, decided: Option<u64>) -> Value {
    match procedure.fee.due(procedure, answers, decided) {
        FeeDue::Free => json!({ "status": "free", "amount": 0, "lines": [] }),
        FeeDue::Amount { total, lines } => json!({
            "status": "amount",
            "amount": total,
            "lines": lines.iter().map(|l| json!({ "label": l.label.ja, "amount": l.amount })).collect::<Vec<_>>(),
        }),
        FeeDue::DecidedByStaff => {
            json!({ "status": "decided_by_staff", "amount": null, "lines": [] })
        }
        FeeDue::Decided { amount } => json!({ "status": "decided", "amount": amount, "lines": [] }),
        FeeDue::Unknown => json!({ "status": "unknown", "amount": null, "lines": [] }),
    }
}

/// The fee due for these answers (and the amount the department decided, where it sets it),
/// or `None` for a free procedure.
pub fn fee_text(
    tr: Tr,
    procedure: &Procedure,
    answers: &Answers,
    decided: Option<u64>,
) -> Option<FeeText> {
    let lang = tr.lang.code();
    let amount = |n: u64| tr.t_with("fee-fixed", &[("amount", yen(n))]);
    let (total, lines) = match procedure.fee.due(procedure, answers, decided) {
        FeeDue::Free => return None,
        FeeDue::Amount { total, lines } => (
            amount(total),
            lines
                .into_iter()
                .map(|l| (l.label.get(lang).to_owned(), amount(l.amount)))
                .collect(),
        ),
        FeeDue::DecidedByStaff => (tr.t("fee-decided-by-staff"), Vec::new()),
        FeeDue::Decided { amount } => (
            tr.t_with("fee-decided", &[("amount", yen(amount))]),
            Vec::new(),
        ),
        FeeDue::Unknown => (tr.t("fee-unknown"), Vec::new()),
    };
    Some(FeeText {
        total,
        lines,
        note: procedure.fee.note.as_ref().map(|n| n.get(lang).to_owned()),
    })
}
