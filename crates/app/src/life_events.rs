//! Life events for the resident (ワンスオンリー): start a plan at a private link, answer the
//! interview one page at a time, and read the personal list of what applies — grouped by 担当課,
//! online or at the counter (with why, what to bring, where and when), with deadlines computed
//! from the interview's dates, and what may apply. The list is derived each time it is read,
//! so a changed answer changes it, as a changed catalog does.

use crate::apply::{StepAction, next_step, step_of};
use crate::error::AppError;
use crate::portal::{Portal, stored_answers};
use crate::timefmt::today_jst;
use crate::tokens::{TOKEN_LEN, new_token, token_hash};
use madoguchi_domain::Answers;
use madoguchi_domain::form::{self, FormValues, Over, StoredFiles};
use madoguchi_domain::life_event::{Applies, LifeEvent};
use madoguchi_domain::procedure::{Department, Procedure, Step};
use madoguchi_domain::text::Localized;
use madoguchi_domain::validate::{self, FieldError};
use madoguchi_storage::{NewPlan, PlanRow};
use time::OffsetDateTime;
use uuid::Uuid;

/// A resident's life event at its private link, or the one a counter visit runs.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The private link's secret; empty for a counter visit's plan, which has no link.
    pub token: String,
    pub row: PlanRow,
    /// Set when counter staff run the plan for the resident in front of them.
    pub counter: Option<AtCounter>,
    pub interview: Answers,
    /// The shared facts, asked once for the procedures started together.
    pub facts: Answers,
}

impl Plan {
    /// Whether its procedures are for the counter: run there, or prepared for it at home (the
    /// counter's own event). Then those done only at the counter are offered too.
    pub fn for_counter(&self) -> bool {
        self.counter.is_some() || self.row.event_id == madoguchi_domain::catalog::COUNTER_EVENT
    }
}

/// A plan run at the counter: the visit it belongs to and the staff member taking it. Its
/// procedures include those done only at the counter, and what it submits has channel
/// `counter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AtCounter {
    pub visit: Uuid,
    pub staff: Uuid,
}

/// The two question sets of a plan: the interview (what applies) and the shared facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanPart {
    Interview,
    Facts,
}

impl PlanPart {
    pub fn questions(self, event: &LifeEvent) -> &Procedure {
        match self {
            Self::Interview => &event.interview,
            Self::Facts => &event.facts,
        }
    }

    pub fn answers(self, plan: &Plan) -> &Answers {
        match self {
            Self::Interview => &plan.interview,
            Self::Facts => &plan.facts,
        }
    }
}

/// What happens after an interview page is posted.
#[derive(Debug)]
pub enum InterviewResult {
    /// Saved; go to `next`, or to the list when `None`.
    Saved { next: Option<String> },
    /// Show the page again: with problems, or changed by a button (an item added).
    Again {
        values: FormValues,
        errors: Vec<FieldError>,
        /// The message key of what a button did (the address filled in).
        notice: Option<&'static str>,
    },
}

/// One procedure of the list.
#[derive(Debug, Clone)]
pub struct Listed<'c> {
    pub procedure: &'c Procedure,
    pub applies: Applies,
    pub deadline: Option<time::Date>,
    pub deadline_text: Option<&'c Localized>,
}

/// The procedures of one 担当課.
#[derive(Debug, Clone)]
pub struct DepartmentList<'c> {
    pub department: &'c Department,
    pub procedures: Vec<Listed<'c>>,
}

impl Portal {
    /// A life event a plan can run: one of the catalog's with an interview, or the counter's
    /// own (procedures chosen directly).
    pub fn life_event(&self, id: &str) -> Result<&LifeEvent, AppError> {
        self.catalog
            .event(id)
            .or_else(|| self.catalog.counter_event.as_ref().filter(|e| e.id == id))
            .ok_or(AppError::NotFound)
    }

    /// A life event a resident can start: the catalog's, not the counter's own.
    pub fn public_life_event(&self, id: &str) -> Result<&LifeEvent, AppError> {
        self.catalog.event(id).ok_or(AppError::NotFound)
    }

    /// A new plan for `event_id`: its private link's token and the interview's first page.
    pub async fn start_plan(&self, event_id: &str) -> Result<(String, String), AppError> {
        let event = self.public_life_event(event_id)?;
        let first = event
            .interview
            .steps
            .first()
            .map(|s| s.id.to_string())
            .ok_or(AppError::NotFound)?;
        let token = self.create_plan(event, &Answers::default()).await?;
        Ok((token, first))
    }

    /// A new plan of `event` at a private link, its interview starting from `interview`; its
    /// token.
    async fn create_plan(
        &self,
        event: &LifeEvent,
        interview: &Answers,
    ) -> Result<String, AppError> {
        let token = new_token();
        let now = OffsetDateTime::now_utc();
        let plan = NewPlan {
            id: Uuid::now_v7(),
            token_hash: &token_hash(&token),
            event_id: &event.id,
            interview: &self.storable(interview),
            facts: &serde_json::json!({}),
            now,
            expires_at: self.plan_expiry(now),
        };
        self.store.create_plan(self.municipality(), &plan).await?;
        Ok(token)
    }

    /// A plan for taking `procedure_id` to the counter, prepared at home: the counter's own
    /// event with that procedure chosen, its form a draft of the plan. The resident fills it in
    /// at the plan's private link and takes its code to the counter. Returns the link's token.
    pub async fn prepare_for_counter(&self, procedure_id: &str) -> Result<String, AppError> {
        let procedure = self.procedure(procedure_id)?;
        let event = self
            .catalog
            .counter_event
            .as_ref()
            .ok_or(AppError::NotFound)?;
        if !procedure.has_form() {
            return Err(AppError::NotFound);
        }
        let mut interview = Answers::default();
        interview.insert(
            "procedures",
            madoguchi_domain::answers::Answer::Choices(vec![procedure.id.to_string()]),
        );
        let token = self.create_plan(event, &interview).await?;
        let plan = self.plan(&token).await?;
        self.choose_bundle(&plan, &[procedure.id.to_string()])
            .await?;
        Ok(token)
    }

    /// The plan behind a private link; an unknown link is not found, one past its date has
    /// expired.
    pub async fn plan(&self, token: &str) -> Result<Plan, AppError> {
        if token.len() != TOKEN_LEN {
            return Err(AppError::NotFound);
        }
        let row = self
            .store
            .plan_by_token_hash(self.municipality(), &token_hash(token))
            .await?
            .ok_or(AppError::NotFound)?;
        self.read_plan(token.to_owned(), row, None)
    }

    /// The plan again, as stored now (after a page of it was saved).
    pub async fn reload_plan(&self, plan: &Plan) -> Result<Plan, AppError> {
        let row = self
            .store
            .plan_by_id(self.municipality(), plan.row.id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.read_plan(plan.token.clone(), row, plan.counter)
    }

    pub(crate) fn read_plan(
        &self,
        token: String,
        row: PlanRow,
        counter: Option<AtCounter>,
    ) -> Result<Plan, AppError> {
        if row.expires_at < OffsetDateTime::now_utc() {
            return Err(AppError::PlanExpired);
        }
        let event = self.life_event(&row.event_id)?;
        // Read as the event is defined now: an answer the interview no longer asks is dropped.
        let read = |questions: &Procedure, stored| {
            validate::prune(
                questions,
                &stored_answers(questions, stored).unwrap_or_default(),
            )
        };
        Ok(Plan {
            token,
            interview: read(&event.interview, &row.interview),
            facts: read(&event.facts, &row.facts),
            row,
            counter,
        })
    }

    /// Reads one page of the interview or the facts (the same readers and checks as a
    /// procedure's), and saves it when it is right; what a changed answer no longer asks is
    /// pruned.
    pub async fn answer_plan_page(
        &self,
        plan: &Plan,
        part: PlanPart,
        step_id: &str,
        action: StepAction,
        mut values: FormValues,
    ) -> Result<InterviewResult, AppError> {
        let event = self.life_event(&plan.row.event_id)?;
        let questions = part.questions(event);
        let step = questions.step(step_id).ok_or(AppError::NotFound)?;
        match action {
            StepAction::Save => {}
            StepAction::Group(change) => {
                change.apply(questions, &mut values);
                return Ok(InterviewResult::Again {
                    values,
                    errors: Vec::new(),
                    notice: None,
                });
            }
            StepAction::LookupAddress(field) => {
                let (errors, notice) = match self.fill_address(questions, &field, &mut values) {
                    Ok(()) => (Vec::new(), Some("postal-filled")),
                    Err(error) => (vec![error], None),
                };
                return Ok(InterviewResult::Again {
                    values,
                    errors,
                    notice,
                });
            }
        }
        let over = Over {
            answers: part.answers(plan),
            files: &StoredFiles::default(),
        };
        let outcome = form::apply_step(questions, step, &values, over, today_jst());
        if !outcome.errors.is_empty() {
            return Ok(InterviewResult::Again {
                values,
                errors: outcome.errors,
                notice: None,
            });
        }
        let (interview, facts) = match part {
            PlanPart::Interview => (&outcome.answers, &plan.facts),
            PlanPart::Facts => (&plan.interview, &outcome.answers),
        };
        let now = OffsetDateTime::now_utc();
        self.store
            .save_plan(
                self.municipality(),
                plan.row.id,
                &self.storable(interview),
                &self.storable(facts),
                now,
                self.plan_expiry(now),
            )
            .await?;
        let next = next_step(questions, &outcome.answers, step_id).map(|s| s.id.to_string());
        Ok(InterviewResult::Saved { next })
    }

    /// The interview page that still needs an answer, or `None` when the list can be shown.
    pub fn unanswered<'e>(&self, event: &'e LifeEvent, interview: &Answers) -> Option<&'e Step> {
        let errors = validate::check(&event.interview, interview, None, today_jst());
        errors.first().and_then(|e| step_of(&event.interview, e))
    }

    /// The personal list: what applies or may apply, by 担当課 in the event's order.
    pub fn plan_list<'c>(
        &'c self,
        event: &'c LifeEvent,
        interview: &Answers,
    ) -> Vec<DepartmentList<'c>> {
        let mut groups: Vec<DepartmentList<'c>> = Vec::new();
        for derived in event.derive(interview) {
            let Some(procedure) = self.catalog.procedure(derived.implied.procedure.as_str()) else {
                continue;
            };
            let listed = Listed {
                procedure,
                applies: derived.applies,
                deadline: derived.deadline,
                deadline_text: derived.implied.deadline.as_ref().map(|d| &d.text),
            };
            match groups
                .iter_mut()
                .find(|g| g.department.id == procedure.department.id)
            {
                Some(group) => group.procedures.push(listed),
                None => groups.push(DepartmentList {
                    department: &procedure.department,
                    procedures: vec![listed],
                }),
            }
        }
        groups
    }

    pub(crate) fn plan_expiry(&self, now: OffsetDateTime) -> OffsetDateTime {
        now + time::Duration::days(self.config.limits.draft_days)
    }
}
