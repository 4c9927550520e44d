//! What staff can do with a case, and from which states: the department's side of an
//! application's life. The resident's side (withdraw, resubmit after a correction request) is
//! here too, so that every allowed transition is in one table.
//!
//! ```text
//! submitted ─受理→ accepted ─承認→ approved ─完了→ completed
//!    │  ╲            │
//!    │   補正依頼 ←──┘        (却下 from any open state but approved → rejected)
//!    │      ↓
//!    │  correction_requested ─resident resubmits→ resubmitted ─受理/承認/補正依頼…
//!    └─ resident withdraws (submitted, correction_requested, resubmitted) → withdrawn
//! ```
//!
//! Beside the states, staff may assign a case, write an internal note, and decide the fee of a
//! procedure whose amount the department sets (手数料の決定) while the case is open.

use crate::application::ApplicationStatus;
use crate::ids::FieldId;
use crate::procedure::Procedure;
use serde::{Deserialize, Serialize};

/// An action a staff member (or a business system through the pull API) takes on a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StaffAction {
    /// 受理
    Accept,
    /// 補正依頼: the resident is asked to fix some answers.
    RequestCorrection,
    /// 承認
    Approve,
    /// 却下 (with a reason)
    Reject,
    /// 完了
    Complete,
    /// 担当者の割当
    Assign,
    /// 内部メモ: seen by staff only.
    Note,
    /// 手数料の決定: the amount of a fee the department sets (`decided_by_staff`).
    DecideFee,
}

impl StaffAction {
    pub const ALL: [Self; 8] = [
        Self::Accept,
        Self::RequestCorrection,
        Self::Approve,
        Self::Reject,
        Self::Complete,
        Self::Assign,
        Self::Note,
        Self::DecideFee,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::RequestCorrection => "request_correction",
            Self::Approve => "approve",
            Self::Reject => "reject",
            Self::Complete => "complete",
            Self::Assign => "assign",
            Self::Note => "note",
            Self::DecideFee => "decide_fee",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// The status the action moves the case to; `None` for actions that leave it.
    pub fn target(self) -> Option<ApplicationStatus> {
        match self {
            Self::Accept => Some(ApplicationStatus::Accepted),
            Self::RequestCorrection => Some(ApplicationStatus::CorrectionRequested),
            Self::Approve => Some(ApplicationStatus::Approved),
            Self::Reject => Some(ApplicationStatus::Rejected),
            Self::Complete => Some(ApplicationStatus::Completed),
            Self::Assign | Self::Note | Self::DecideFee => None,
        }
    }

    /// The history event's kind.
    pub fn event(self) -> &'static str {
        match self {
            Self::Accept => "accepted",
            Self::RequestCorrection => "correction_requested",
            Self::Approve => "approved",
            Self::Reject => "rejected",
            Self::Complete => "completed",
            Self::Assign => "assigned",
            Self::Note => "note",
            Self::DecideFee => "fee_decided",
        }
    }

    /// The states the action may be taken from.
    pub fn allowed(self) -> fn(ApplicationStatus) -> bool {
        use ApplicationStatus as S;
        match self {
            Self::Accept => |s| matches!(s, S::Submitted | S::Resubmitted),
            Self::RequestCorrection => |s| matches!(s, S::Submitted | S::Accepted | S::Resubmitted),
            Self::Approve => |s| matches!(s, S::Accepted | S::Resubmitted),
            Self::Reject => |s| {
                matches!(
                    s,
                    S::Submitted | S::Accepted | S::Resubmitted | S::CorrectionRequested
                )
            },
            Self::Complete => |s| s == S::Approved,
            Self::Assign | Self::DecideFee => |s| !s.is_closed(),
            Self::Note => |_| true,
        }
    }

    pub fn is_allowed_from(self, status: ApplicationStatus) -> bool {
        self.allowed()(status)
    }

    /// Whether the action needs words: the correction message, the rejection reason, the note.
    pub fn needs_text(self) -> bool {
        matches!(self, Self::RequestCorrection | Self::Reject | Self::Note)
    }

    /// Whether the resident hears of it (the status page, a mail). Notes and assignments are
    /// the department's own business.
    pub fn is_visible_to_resident(self) -> bool {
        self.target().is_some() || self == Self::DecideFee
    }
}

/// History event kinds staff alone see.
pub fn is_internal_event(kind: &str) -> bool {
    matches!(kind, "assigned" | "note")
}

/// The resident's resubmission after a correction request.
pub fn can_resubmit(status: ApplicationStatus) -> bool {
    status == ApplicationStatus::CorrectionRequested
}

/// What a correction request asks: which questions to fix, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    pub fields: Vec<FieldId>,
    pub message: String,
}

/// Why a correction request cannot be made as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorrectionError {
    NoFields,
    UnknownField(String),
    NoMessage,
}

impl Correction {
    /// Checks that the fields are top-level questions of the procedure (a group is corrected
    /// as a whole) and that there is a message; keeps the procedure's order.
    pub fn new(
        procedure: &Procedure,
        fields: &[String],
        message: &str,
    ) -> Result<Self, CorrectionError> {
        if let Some(unknown) = fields.iter().find(|id| procedure.field(id).is_none()) {
            return Err(CorrectionError::UnknownField(unknown.clone()));
        }
        let chosen: Vec<FieldId> = procedure
            .fields()
            .map(|(_, f)| f.id.clone())
            .filter(|id| fields.iter().any(|f| f == id.as_str()))
            .collect();
        if chosen.is_empty() {
            return Err(CorrectionError::NoFields);
        }
        let message = message.trim();
        if message.is_empty() {
            return Err(CorrectionError::NoMessage);
        }
        Ok(Self {
            fields: chosen,
            message: message.to_owned(),
        })
    }

    pub fn asks_for(&self, field: &str) -> bool {
        self.fields.iter().any(|f| f.as_str() == field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ApplicationStatus as S;

    #[test]
    fn each_action_is_allowed_only_from_its_states() {
        let allowed = |a: StaffAction| -> Vec<S> {
            S::ALL
                .into_iter()
                .filter(|s| a.is_allowed_from(*s))
                .collect()
        };
        assert_eq!(allowed(StaffAction::Accept), [S::Submitted, S::Resubmitted]);
        assert_eq!(allowed(StaffAction::Complete), [S::Approved]);
        assert_eq!(allowed(StaffAction::Approve), [S::Accepted, S::Resubmitted]);
        assert!(!StaffAction::Reject.is_allowed_from(S::Approved));
        assert!(!StaffAction::Assign.is_allowed_from(S::Withdrawn));
        assert!(StaffAction::Note.is_allowed_from(S::Completed));
        assert!(StaffAction::DecideFee.is_allowed_from(S::Approved));
        assert!(!StaffAction::DecideFee.is_allowed_from(S::Completed));
        assert!(StaffAction::DecideFee.is_visible_to_resident());
        assert!(!is_internal_event(StaffAction::DecideFee.event()));
        for action in StaffAction::ALL {
            assert_eq!(StaffAction::parse(action.as_str()), Some(action));
            for closed in [S::Rejected, S::Completed, S::Withdrawn] {
                assert!(
                    action.target().is_none() || !action.is_allowed_from(closed),
                    "{action:?} reopens a closed case"
                );
            }
        }
    }

    #[test]
    fn a_correction_names_questions_of_the_procedure_and_says_why() {
        let procedure = crate::catalog::parse_procedure(
            "p.toml",
            r#"
id = "p"
title = "P"
summary = "S"
category = "c"
eligibility = "E"
processing_time = "T"
department = { id = "d", name = "D" }
[[steps]]
id = "s"
title = "S"
  [[steps.fields]]
  id = "a"
  type = "text"
  label = "A"
  [[steps.fields]]
  id = "b"
  type = "text"
  label = "B"
"#,
        )
        .unwrap();
        let c = Correction::new(&procedure, &["b".into(), "a".into()], " 住所が違います ").unwrap();
        assert_eq!(
            c.fields,
            [FieldId::parse("a").unwrap(), FieldId::parse("b").unwrap()]
        );
        assert_eq!(c.message, "住所が違います");
        assert_eq!(
            Correction::new(&procedure, &["zz".into()], "x"),
            Err(CorrectionError::UnknownField("zz".into()))
        );
        assert_eq!(
            Correction::new(&procedure, &[], "x"),
            Err(CorrectionError::NoFields)
        );
        assert_eq!(
            Correction::new(&procedure, &["a".into()], " "),
            Err(CorrectionError::NoMessage)
        );
    }
}
