//! A visit's interview: counter staff run a life event's interview for the resident in front of
//! them, then its procedures as one bundle — the same plan, pages, checks and submit as the
//! resident's own (`life_events`, `bundles`), reached through the visit instead of a private
//! link. The facts start from the visit's identity; the list includes the procedures done only
//! at the counter; what it submits is channel `counter`, with the visit and the staff member.

use super::Visit;
use crate::accounts::Staff;
use crate::error::AppError;
use crate::life_events::{AtCounter, Plan};
use crate::portal::{Member, Portal, stored_answers};
use crate::tokens::{new_token, token_hash};
use madoguchi_domain::Answers;
use madoguchi_storage::NewPlan;
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

impl Portal {
    /// Starts `event_id`'s interview for the visit's resident, its facts filled from who they
    /// are. A visit runs one plan: a second click (or one racing this) keeps the first.
    pub async fn start_visit_plan(
        &self,
        staff: &Staff,
        visit: &Visit,
        event_id: &str,
        ip: &str,
    ) -> Result<(), AppError> {
        Self::require_counter(staff)?;
        let event = self.life_event(event_id)?;
        if !visit.is_open() || visit.row.staff_id != staff.id {
            return Err(AppError::Conflict);
        }
        if visit.row.plan_id.is_some() {
            return Ok(());
        }
        let identity = visit
            .identity
            .as_ref()
            .map_or_else(Answers::default, |i| i.answers.clone());
        let facts = event.facts_from_identity(&identity);
        let now = OffsetDateTime::now_utc();
        let facts = self.storable(&facts);
        let token_hash = token_hash(&new_token());
        // The plan has no link: its token is made and forgotten, and it is found by its id.
        let plan = NewPlan {
            id: Uuid::now_v7(),
            token_hash: &token_hash,
            event_id: &event.id,
            interview: &serde_json::json!({}),
            facts: &facts,
            now,
            expires_at: self.plan_expiry(now),
        };
        let given = self
            .store
            .start_visit_plan(self.municipality(), visit.row.id, staff.id, &plan)
            .await?;
        match given {
            None => return Err(AppError::Conflict),
            Some(id) if id != plan.id => return Ok(()),
            Some(_) => {}
        }
        self.audit_visit(
            staff,
            "visit.interview",
            visit.row.id,
            json!({ "event": event.id }),
            ip,
        )
        .await?;
        Ok(())
    }

    /// The plan an open visit runs, for the staff member who took the visit; the read of the
    /// visit is audited. Each page of the plan asks for it, so it reads the visit's row alone,
    /// not all that its screen shows. `NotFound`: not a visit this member may see; `Conflict`:
    /// one they did not take, that has ended, or that runs no interview.
    pub async fn visit_plan(&self, staff: &Staff, id: Uuid, ip: &str) -> Result<Plan, AppError> {
        Self::require_counter(staff)?;
        let visit = self
            .store
            .visit(self.municipality(), id, Self::visit_scope(staff))
            .await?
            .ok_or(AppError::NotFound)?;
        self.audit_visit(staff, "visit.read", id, json!({}), ip)
            .await?;
        let plan_id = visit
            .plan_id
            .filter(|_| visit.staff_id == staff.id && visit.ended_at.is_none())
            .ok_or(AppError::Conflict)?;
        let row = self
            .store
            .plan_by_id(self.municipality(), plan_id)
            .await?
            .ok_or(AppError::Conflict)?;
        let at = AtCounter {
            visit: id,
            staff: staff.id,
        };
        self.read_plan(String::new(), row, Some(at))
    }
}

/// One application of a visit as its printed sheet shows it: for the resident to check and
/// sign at the counter.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub member: Member,
    pub answers: Answers,
}

impl Portal {
    /// The visit with a sheet for each application it submitted. Printing shows every answer,
    /// so it is audited with the receipts printed.
    pub async fn visit_sheets(
        &self,
        staff: &Staff,
        session_token: &str,
        id: Uuid,
        ip: &str,
    ) -> Result<(Visit, Vec<Sheet>), AppError> {
        let visit = self.counter_visit(staff, session_token, id, ip).await?;
        let sheets = visit
            .applications
            .iter()
            .map(|m| {
                Ok(Sheet {
                    answers: stored_answers(&m.procedure, &m.application.answers)?,
                    member: m.clone(),
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        let receipts: Vec<&str> = sheets
            .iter()
            .map(|s| s.member.application.receipt_number.as_str())
            .collect();
        self.audit_visit(
            staff,
            "visit.sheets",
            id,
            json!({ "receipts": receipts }),
            ip,
        )
        .await?;
        Ok((visit, sheets))
    }
}
