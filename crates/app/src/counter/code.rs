//! A visit prepared at home: a resident who answered a life event's interview and shared facts
//! online takes a short code (shown with its QR code) to the counter; staff type it, or scan it
//! with a reader that types, and the visit runs that plan with everything already filled.
//!
//! The code is ten characters of Crockford's base32 (50 random bits), read back forgivingly
//! (case, hyphens, spaces, O for 0 and I or L for 1), kept only as a hash, used once, and only
//! by counter staff — who are few, logged in and audited, so its length is not a password's.

use super::Visit;
use crate::accounts::Staff;
use crate::error::AppError;
use crate::life_events::Plan;
use crate::portal::Portal;
use crate::tokens::token_hash;
use madoguchi_domain::Answers;
use madoguchi_storage::StorageError;
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

/// Crockford's base32: no I, L, O or U, so that what is read aloud or typed is what was shown.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CODE_LEN: usize = 10;

/// A new code, as shown: two groups of five.
fn new_code() -> String {
    let random = Uuid::new_v4().as_u128() ^ Uuid::new_v4().as_u128().rotate_left(7);
    let chars: String = (0..CODE_LEN)
        .map(|i| ALPHABET[((random >> (i * 5)) & 31) as usize] as char)
        .collect();
    format!("{}-{}", &chars[..5], &chars[5..])
}

/// What was typed or scanned, as the code it must be; `None` when it cannot be one.
fn read_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\u{3000}' | 'ー' | '－'))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect();
    (code.len() == CODE_LEN && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
}

fn code_hash(code: &str) -> String {
    token_hash(&format!("counter-code:{code}"))
}

impl Portal {
    /// Issues the code for a resident's plan, valid as long as the plan; an earlier code of it
    /// stops working. Returns it, as shown.
    pub async fn issue_counter_code(&self, plan: &Plan) -> Result<String, AppError> {
        if plan.counter.is_some() {
            return Err(AppError::NotFound);
        }
        self.refuse_if_submitted(plan).await?;
        let shown = new_code();
        let code = read_code(&shown).ok_or(AppError::NotFound)?;
        self.store
            .issue_counter_code(
                self.municipality(),
                plan.row.id,
                &code_hash(&code),
                OffsetDateTime::now_utc(),
                plan.row.expires_at,
            )
            .await?;
        Ok(shown)
    }

    /// Opens the plan behind a resident's code on the visit; the facts the resident left out
    /// that the identity gives are filled from it. Refusals name their message.
    pub async fn take_counter_code(
        &self,
        staff: &Staff,
        visit: &Visit,
        typed: &str,
        ip: &str,
    ) -> Result<(), AppError> {
        Self::require_counter(staff)?;
        if visit.row.plan_id.is_some() {
            return Err(AppError::BadRequest("counter-code-busy"));
        }
        let code = read_code(typed).ok_or(AppError::BadRequest("counter-code-format"))?;
        let now = OffsetDateTime::now_utc();
        let taken = self
            .store
            .take_counter_code(
                self.municipality(),
                visit.row.id,
                staff.id,
                &code_hash(&code),
                now,
            )
            .await;
        let plan_id = match taken {
            Ok(Some(plan)) => plan,
            Ok(None) => return Err(AppError::BadRequest("counter-code-unknown")),
            Err(StorageError::Conflict) => return Err(AppError::BadRequest("counter-code-busy")),
            Err(e) => return Err(e.into()),
        };
        self.fill_facts_from_identity(visit, plan_id).await?;
        self.audit_visit(
            staff,
            "visit.code",
            visit.row.id,
            json!({ "plan": plan_id }),
            ip,
        )
        .await
    }

    /// The facts still unanswered that the visit's identity gives.
    async fn fill_facts_from_identity(&self, visit: &Visit, plan_id: Uuid) -> Result<(), AppError> {
        let Some(identity) = &visit.identity else {
            return Ok(());
        };
        let Some(row) = self.store.plan_by_id(self.municipality(), plan_id).await? else {
            return Ok(());
        };
        let plan = self.read_plan(String::new(), row, None)?;
        let event = self.life_event(&plan.row.event_id)?;
        let mut facts: Answers = plan.facts.clone();
        let mut changed = false;
        for (id, answer) in event.facts_from_identity(&identity.answers).iter() {
            if facts.get(id).is_none() {
                facts.insert(id.clone(), answer.clone());
                changed = true;
            }
        }
        if changed {
            let now = OffsetDateTime::now_utc();
            self.store
                .save_plan(
                    self.municipality(),
                    plan.row.id,
                    &self.storable(&plan.interview),
                    &self.storable(&facts),
                    now,
                    plan.row.expires_at,
                )
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_reads_back_however_it_is_typed() {
        let shown = new_code();
        assert_eq!(shown.len(), CODE_LEN + 1);
        let code = read_code(&shown).unwrap();
        assert_eq!(read_code(&shown.to_lowercase()), Some(code.clone()));
        assert_eq!(read_code(&shown.replace('-', " ")), Some(code.clone()));
        assert_eq!(read_code("0O1IL-abcde"), read_code("00111-ABCDE"));
        assert_eq!(read_code("ABCDE-FGHJ"), None, "too short");
        assert_eq!(read_code("ABCDE-FGHJU"), None, "U is not in the alphabet");
        assert_ne!(new_code(), new_code());
    }
}
