//! The fee of an application in words, as every reader of it is shown the same figure: the
//! check and done pages, the status page, the staff case page, the API and the mail.

use crate::i18n::Tr;
use madoguchi_domain::Answers;
use madoguchi_domain::fee::FeeDue;
use madoguchi_domain::procedure::Procedure;

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

/// The fee due for these answers, or `None` for a free procedure.
pub fn fee_text(tr: Tr, procedure: &Procedure, answers: &Answers) -> Option<FeeText> {
    let lang = tr.lang.code();
    let amount = |n: u64| tr.t_with("fee-fixed", &[("amount", yen(n))]);
    let (total, lines) = match procedure.fee.due(procedure, answers) {
        FeeDue::Free => return None,
        FeeDue::Amount { total, lines } => (
            amount(total),
            lines
                .into_iter()
                .map(|l| (l.label.get(lang).to_owned(), amount(l.amount)))
                .collect(),
        ),
        FeeDue::DecidedByStaff => (tr.t("fee-decided-by-staff"), Vec::new()),
        FeeDue::Unknown => (tr.t("fee-unknown"), Vec::new()),
    };
    Some(FeeText {
        total,
        lines,
        note: procedure.fee.note.as_ref().map(|n| n.get(lang).to_owned()),
    })
}
