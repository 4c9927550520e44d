//! Bundles (ワンスオンリー): the online procedures of a resident's life event, started
//! together. The shared facts are asked once, then only what each procedure still needs; one
//! check page, one submit that creates one application per procedure — each with its own
//! 受付番号 and 担当課 — in one transaction, linked as one bundle with one access code.
//!
//! Each chosen procedure is a draft of the plan, reached only through the plan's private link,
//! so its pages, uploads, checks and stops are a draft's. Its answers are read each time over
//! the facts and the interview (`LifeEvent::fill`): a changed fact changes every procedure,
//! and a procedure a changed interview answer no longer implies leaves the bundle.

use crate::apply::{Draft, StepAction, StepResult, Upload};
use crate::error::AppError;
use crate::life_events::{AtCounter, InterviewResult, Plan, PlanPart};
use crate::limits::Caller;
use crate::portal::{Member, Portal, stored_answers};
use crate::timefmt::today_jst;
use crate::tokens::{new_token, token_hash};
use madoguchi_domain::Answers;
use madoguchi_domain::form::FormValues;
use madoguchi_domain::life_event::{Applies, Filled, Implied, LifeEvent};
use madoguchi_domain::procedure::{Procedure, Step};
use madoguchi_domain::validate::{self, FieldError, FieldPath, Problem};
use madoguchi_storage::{Bundle, BundleSubmitted, NewApplication, NewBundle, NewDraft};
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

/// One procedure of a bundle being filled in.
#[derive(Debug, Clone)]
pub struct BundleForm<'e> {
    pub implied: &'e Implied,
    /// The draft, its answers read over the facts and the interview.
    pub draft: Draft,
    /// Which of its questions the facts or the interview answered.
    pub filled: Filled,
}

impl BundleForm<'_> {
    pub fn procedure(&self) -> &Procedure {
        &self.draft.procedure
    }

    /// The page of `step` the resident sees: its questions not already answered.
    pub fn page(&self, step: &Step) -> Option<Step> {
        self.filled.remaining(step)
    }

    /// The steps that apply and still ask something, in order.
    pub fn pages(&self) -> Vec<Step> {
        validate::applicable_steps(self.procedure(), &self.draft.answers)
            .into_iter()
            .filter_map(|s| self.page(s))
            .collect()
    }
}

/// A page of a bundle, in the order the resident goes through them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    Facts(String),
    Form { procedure: String, step: String },
    Review,
}

/// A submitted bundle as its owner sees it.
#[derive(Debug, Clone)]
pub struct BundleView {
    pub bundle: Bundle,
    pub access_code: String,
    pub members: Vec<Member>,
}

/// Where a bundle comes from: a plan's drafts (the web or the counter) or an API client's
/// keyed request.
#[derive(Debug, Clone, Copy)]
struct BundleOrigin<'a> {
    channel: &'a str,
    counter: Option<AtCounter>,
    plan_id: Option<Uuid>,
    idempotency_key: Option<&'a str>,
    request_hash: Option<&'a str>,
}

/// What a submit of a bundle leads to.
#[derive(Debug)]
pub enum BundleSubmit {
    Done(Box<BundleView>),
    /// Something still needs an answer: go there.
    Incomplete(Place),
}

impl Portal {
    /// The procedures of a plan's list that can be started together: those that apply (one
    /// that only may apply is a question for staff first), online ones for a resident and, at
    /// the counter, those done only there too (where the catalog gives their questions).
    pub fn bundle_candidates<'c>(
        &'c self,
        event: &'c LifeEvent,
        interview: &Answers,
        at_counter: bool,
    ) -> Vec<&'c Procedure> {
        event
            .derive(interview)
            .into_iter()
            .filter(|d| d.applies == Applies::Yes)
            .filter_map(|d| self.catalog.procedure(d.implied.procedure.as_str()))
            .filter(|p| p.is_online() || (at_counter && p.has_form()))
            .collect()
    }

    /// Starts (or changes) the bundle with the procedures the resident ticked: a draft for each
    /// newly chosen one; one no longer ticked is dropped with what it held.
    pub async fn choose_bundle(&self, plan: &Plan, chosen: &[String]) -> Result<(), AppError> {
        let event = self.life_event(&plan.row.event_id)?;
        self.refuse_if_submitted(plan).await?;
        let candidates = self.bundle_candidates(event, &plan.interview, plan.for_counter());
        let picked: Vec<&Procedure> = candidates
            .into_iter()
            .filter(|p| chosen.iter().any(|c| c == p.id.as_str()))
            .collect();
        if picked.is_empty() {
            let none = FieldError::new(FieldPath::field("procedure"), Problem::Required);
            return Err(AppError::Invalid(vec![none]));
        }
        let drafts = self
            .store
            .plan_drafts(self.municipality(), plan.row.id)
            .await?;
        for draft in drafts.iter().filter(|d| d.application_id.is_none()) {
            if !picked.iter().any(|p| p.id.as_str() == draft.procedure_id) {
                self.store
                    .drop_plan_draft(self.municipality(), plan.row.id, draft.id)
                    .await?;
            }
        }
        let now = OffsetDateTime::now_utc();
        for procedure in picked {
            if drafts
                .iter()
                .any(|d| d.procedure_id == procedure.id.as_str())
            {
                continue;
            }
            // Reached only through the plan's link: the draft's own token is never handed out.
            let created = self
                .store
                .create_draft(&NewDraft {
                    id: Uuid::now_v7(),
                    municipality: self.municipality(),
                    token_hash: &token_hash(&new_token()),
                    procedure_id: procedure.id.as_str(),
                    procedure_version: &procedure.version,
                    plan_id: Some(plan.row.id),
                    now,
                    expires_at: plan.row.expires_at,
                })
                .await;
            match created {
                // A second click at the same moment made it: one draft per procedure.
                Err(e) if e.is_unique_violation() => {}
                other => other?,
            }
        }
        Ok(())
    }

    /// The bundle's procedures, each read over the facts and the interview. A procedure the
    /// interview no longer implies (or the catalog no longer offers online) leaves the bundle.
    pub async fn bundle_forms<'e>(
        &self,
        plan: &Plan,
        event: &'e LifeEvent,
    ) -> Result<Vec<BundleForm<'e>>, AppError> {
        let candidates = self.bundle_candidates(event, &plan.interview, plan.for_counter());
        let mut forms = Vec::new();
        for row in self
            .store
            .plan_drafts(self.municipality(), plan.row.id)
            .await?
        {
            if row.application_id.is_some() {
                continue;
            }
            let implied = event
                .procedures
                .iter()
                .find(|i| i.procedure.as_str() == row.procedure_id);
            let offered = candidates.iter().any(|p| p.id.as_str() == row.procedure_id);
            let Some(implied) = implied.filter(|_| offered) else {
                self.store
                    .drop_plan_draft(self.municipality(), plan.row.id, row.id)
                    .await?;
                continue;
            };
            let procedure = self
                .definition(&row.procedure_id, &row.procedure_version)
                .await?;
            let own = stored_answers(&procedure, &row.answers)?;
            let filled = event.fill(
                implied,
                &procedure,
                &own,
                (&plan.interview, &plan.facts),
                today_jst(),
            );
            let draft = Draft {
                token: String::new(),
                answers: filled.answers.clone(),
                row,
                procedure,
            };
            forms.push(BundleForm {
                implied,
                draft,
                filled,
            });
        }
        Ok(forms)
    }

    /// Handles a posted page of one of the bundle's procedures, as a draft's page is handled;
    /// the plan's link lives on with it.
    pub async fn post_bundle_page(
        &self,
        plan: &Plan,
        form: &BundleForm<'_>,
        step_id: &str,
        action: StepAction,
        values: FormValues,
        uploads: Vec<Upload>,
    ) -> Result<StepResult, AppError> {
        let step = form
            .procedure()
            .step(step_id)
            .and_then(|s| form.page(s))
            .ok_or(AppError::NotFound)?;
        let result = self
            .post_page(&form.draft, &step, action, values, uploads)
            .await?;
        let now = OffsetDateTime::now_utc();
        self.store
            .keep_plan(self.municipality(), plan.row.id, self.plan_expiry(now))
            .await?;
        Ok(result)
    }

    /// Drops one procedure from the bundle before it is submitted.
    pub async fn drop_from_bundle(&self, plan: &Plan, procedure_id: &str) -> Result<(), AppError> {
        self.refuse_if_submitted(plan).await?;
        let drafts = self
            .store
            .plan_drafts(self.municipality(), plan.row.id)
            .await?;
        if let Some(draft) = drafts
            .iter()
            .find(|d| d.procedure_id == procedure_id && d.application_id.is_none())
        {
            self.store
                .drop_plan_draft(self.municipality(), plan.row.id, draft.id)
                .await?;
        }
        Ok(())
    }

    /// Every page of the bundle in order: the facts the bundle's procedures need, then each
    /// procedure's pages that still ask something, then the check page.
    pub fn bundle_places(
        &self,
        event: &LifeEvent,
        plan: &Plan,
        forms: &[BundleForm<'_>],
    ) -> Vec<Place> {
        let mut places: Vec<Place> = validate::applicable_steps(&event.facts, &plan.facts)
            .into_iter()
            .map(|s| Place::Facts(s.id.to_string()))
            .collect();
        for form in forms {
            places.extend(form.pages().into_iter().map(|s| Place::Form {
                procedure: form.procedure().id.to_string(),
                step: s.id.to_string(),
            }));
        }
        places.push(Place::Review);
        places
    }

    /// The first page with a missing or refused answer, if any.
    pub fn bundle_incomplete(
        &self,
        event: &LifeEvent,
        plan: &Plan,
        forms: &[BundleForm<'_>],
    ) -> Option<Place> {
        let today = today_jst();
        let facts = validate::check(&event.facts, &plan.facts, None, today);
        if let Some(step) = facts
            .first()
            .and_then(|e| crate::apply::step_of(&event.facts, e))
        {
            return Some(Place::Facts(step.id.to_string()));
        }
        forms.iter().find_map(|form| {
            let mut errors = validate::check(form.procedure(), &form.draft.answers, None, today);
            if errors.is_empty() {
                errors = self.residence_problems(form.procedure(), &form.draft.answers, None);
            }
            let step = errors
                .first()
                .and_then(|e| crate::apply::step_of(form.procedure(), e))?;
            Some(match form.page(step) {
                Some(page) => Place::Form {
                    procedure: form.procedure().id.to_string(),
                    step: page.id.to_string(),
                },
                // A given answer is wrong for the procedure only through its facts.
                None => Place::Facts(
                    validate::applicable_steps(&event.facts, &plan.facts)
                        .first()
                        .map(|s| s.id.to_string())
                        .unwrap_or_default(),
                ),
            })
        })
    }

    /// Submits the bundle: every procedure checked again, then one application each, all in
    /// one transaction. Submitting again (a double click, a retry) returns the same bundle.
    pub async fn submit_bundle(&self, plan: &Plan) -> Result<BundleSubmit, AppError> {
        if let Some(view) = self.plan_bundle(plan).await? {
            return Ok(BundleSubmit::Done(Box::new(view)));
        }
        let event = self.life_event(&plan.row.event_id)?;
        let forms = self.bundle_forms(plan, event).await?;
        if forms.is_empty() {
            // A submit racing this one may have committed the bundle since it was looked for:
            // its drafts are claimed, so none is left to read. Then it is this click's bundle too.
            if let Some(view) = self.plan_bundle(plan).await? {
                return Ok(BundleSubmit::Done(Box::new(view)));
            }
            return Err(AppError::BadRequest("bundle-empty"));
        }
        if let Some(place) = self.bundle_incomplete(event, plan, &forms) {
            return Ok(BundleSubmit::Incomplete(place));
        }
        // Prepared at home for the counter: what is done only there is submitted there.
        if plan.counter.is_none() && forms.iter().any(|f| !f.procedure().is_online()) {
            return Err(AppError::NotOnline);
        }
        let applications = forms
            .iter()
            .map(|f| (f.procedure(), &f.draft.answers, Some(f.draft.row.id)))
            .collect();
        let origin = BundleOrigin {
            channel: if plan.counter.is_some() {
                "counter"
            } else {
                "web"
            },
            counter: plan.counter,
            plan_id: Some(plan.row.id),
            idempotency_key: None,
            request_hash: None,
        };
        let submitted = self.write_bundle(event, origin, applications).await?;
        Ok(BundleSubmit::Done(Box::new(
            self.bundle_view(submitted.bundle).await?,
        )))
    }

    /// The bundle a plan was submitted as, if it was.
    pub async fn plan_bundle(&self, plan: &Plan) -> Result<Option<BundleView>, AppError> {
        match self
            .store
            .bundle_of_plan(self.municipality(), plan.row.id)
            .await?
        {
            Some(bundle) => Ok(Some(self.bundle_view(bundle).await?)),
            None => Ok(None),
        }
    }

    /// Writes a bundle's applications (each from its draft, where it has one) in one
    /// transaction; a bundle its origin already made is returned instead.
    async fn write_bundle(
        &self,
        event: &LifeEvent,
        origin: BundleOrigin<'_>,
        applications: Vec<(&Procedure, &Answers, Option<Uuid>)>,
    ) -> Result<BundleSubmitted, AppError> {
        let id = Uuid::now_v7();
        let now = OffsetDateTime::now_utc();
        let prepared: Vec<_> = applications
            .into_iter()
            .map(|(p, answers, draft)| self.prepare(p, answers, Uuid::now_v7(), draft))
            .collect();
        let new = NewBundle {
            id,
            municipality: self.municipality(),
            event_id: &event.id,
            channel: origin.channel,
            plan_id: origin.plan_id,
            idempotency_key: origin.idempotency_key,
            request_hash: origin.request_hash,
            applications: prepared
                .iter()
                .map(|p| NewApplication {
                    bundle_id: Some(id),
                    life_event_id: Some(&event.id),
                    visit_id: origin.counter.map(|c| c.visit),
                    taken_by: origin.counter.map(|c| c.staff),
                    ..p.new_application(self.municipality(), origin.channel, now)
                })
                .collect(),
            now,
        };
        let submitted = self
            .store
            .submit_bundle(&new)
            .await
            .map_err(AppError::from_storage)?;
        if submitted.created {
            self.outbox_wake.notify_one();
            tracing::info!(event = %event.id, applications = submitted.bundle.applications.len(), channel = origin.channel, "bundle submitted");
        }
        Ok(submitted)
    }

    async fn bundle_view(&self, bundle: Bundle) -> Result<BundleView, AppError> {
        let members = self.members(bundle.applications.clone()).await?;
        Ok(BundleView {
            access_code: self.access_code(bundle.id),
            bundle,
            members,
        })
    }

    pub(crate) async fn refuse_if_submitted(&self, plan: &Plan) -> Result<(), AppError> {
        if self
            .store
            .plan_submitted(self.municipality(), plan.row.id)
            .await?
        {
            return Err(AppError::NotAllowed(
                madoguchi_domain::ApplicationStatus::Submitted,
            ));
        }
        Ok(())
    }
}

/// A bundle page to show, or where to go instead.
#[derive(Debug)]
pub enum BundlePage<'e> {
    Show {
        /// The procedure the page belongs to (`None`: the facts).
        form: Option<Box<BundleForm<'e>>>,
        /// The questions the page asks.
        step: Box<Step>,
        /// Where its back link goes (`None`: the personal list).
        back: Option<Place>,
    },
    Go(Place),
}

/// What a posted page of a bundle leads to.
#[derive(Debug)]
pub enum BundleStep<'e> {
    Next(Place),
    /// The page again: with problems, or changed by a button (an item added, the address
    /// filled in).
    Again {
        page: BundlePage<'e>,
        values: FormValues,
        errors: Vec<FieldError>,
        notice: Option<&'static str>,
    },
    /// A procedure's answers reached one of its eligibility stops: it left the bundle.
    Stopped {
        procedure: String,
        stop: String,
    },
}

impl Portal {
    /// The page at `place` with its back link; a page that no longer asks anything (or no
    /// longer applies) sends the resident on to the next one.
    pub async fn bundle_page<'e>(
        &self,
        plan: &Plan,
        event: &'e LifeEvent,
        place: &Place,
    ) -> Result<BundlePage<'e>, AppError> {
        self.refuse_if_submitted(plan).await?;
        let forms = self.bundle_forms(plan, event).await?;
        if forms.is_empty() {
            return Err(AppError::BadRequest("bundle-empty"));
        }
        let places = self.bundle_places(event, plan, &forms);
        let Some(index) = places.iter().position(|p| p == place) else {
            let next = self
                .bundle_incomplete(event, plan, &forms)
                .unwrap_or(Place::Review);
            return Ok(BundlePage::Go(next));
        };
        let back = index.checked_sub(1).map(|i| places[i].clone());
        let (form, step) = match place {
            Place::Review => return Ok(BundlePage::Go(Place::Review)),
            Place::Facts(step) => (None, event.facts.step(step).cloned()),
            Place::Form { procedure, step } => {
                let form = forms
                    .into_iter()
                    .find(|f| f.procedure().id.as_str() == procedure.as_str());
                let page = form
                    .as_ref()
                    .and_then(|f| f.procedure().step(step).and_then(|s| f.page(s)));
                (form.map(Box::new), page)
            }
        };
        let step = Box::new(step.ok_or(AppError::NotFound)?);
        Ok(BundlePage::Show { form, step, back })
    }

    /// Handles a posted bundle page: the facts (read and saved like the interview), or one
    /// procedure's remaining questions (like a draft's page); then the next page.
    pub async fn answer_bundle_page<'e>(
        &self,
        plan: &Plan,
        event: &'e LifeEvent,
        place: &Place,
        action: StepAction,
        values: FormValues,
        uploads: Vec<Upload>,
    ) -> Result<BundleStep<'e>, AppError> {
        let page = self.bundle_page(plan, event, place).await?;
        let BundlePage::Show { form, step, back } = page else {
            return Err(AppError::NotFound);
        };
        let Some(form) = form else {
            return match self
                .answer_plan_page(plan, PlanPart::Facts, step.id.as_str(), action, values)
                .await?
            {
                InterviewResult::Saved { .. } => Ok(BundleStep::Next(
                    self.bundle_next(&self.reload_plan(plan).await?, event, place)
                        .await?,
                )),
                InterviewResult::Again {
                    values,
                    errors,
                    notice,
                } => Ok(BundleStep::Again {
                    page: BundlePage::Show {
                        form: None,
                        step,
                        back,
                    },
                    values,
                    errors,
                    notice,
                }),
            };
        };
        let again = |draft: Option<Draft>, values, errors, notice| {
            let mut form = form.clone();
            if let Some(draft) = draft {
                form.draft = draft;
            }
            BundleStep::Again {
                page: BundlePage::Show {
                    form: Some(form),
                    step: step.clone(),
                    back: back.clone(),
                },
                values,
                errors,
                notice,
            }
        };
        let result = self
            .post_bundle_page(plan, &form, step.id.as_str(), action, values, uploads)
            .await?;
        Ok(match result {
            StepResult::Saved { .. } => {
                BundleStep::Next(self.bundle_next(plan, event, place).await?)
            }
            StepResult::Invalid {
                draft,
                errors,
                values,
            } => again(Some(*draft), values, errors, None),
            StepResult::Again {
                values,
                errors,
                notice,
            } => again(None, values, errors, notice),
            StepResult::Stopped { stop_id } => BundleStep::Stopped {
                procedure: form.procedure().id.to_string(),
                stop: stop_id,
            },
        })
    }

    /// The page after `place`, as the answers now stand (a saved answer can add or remove
    /// pages after it).
    async fn bundle_next(
        &self,
        plan: &Plan,
        event: &LifeEvent,
        place: &Place,
    ) -> Result<Place, AppError> {
        let forms = self.bundle_forms(plan, event).await?;
        let places = self.bundle_places(event, plan, &forms);
        Ok(places
            .iter()
            .position(|p| p == place)
            .and_then(|i| places.get(i + 1).cloned())
            .unwrap_or(Place::Review))
    }

    /// The check page: every procedure's answers, when nothing is missing.
    pub async fn bundle_review<'e>(
        &self,
        plan: &Plan,
        event: &'e LifeEvent,
    ) -> Result<Result<Vec<BundleForm<'e>>, Place>, AppError> {
        self.refuse_if_submitted(plan).await?;
        let forms = self.bundle_forms(plan, event).await?;
        if forms.is_empty() {
            return Err(AppError::BadRequest("bundle-empty"));
        }
        Ok(match self.bundle_incomplete(event, plan, &forms) {
            Some(place) => Err(place),
            None => Ok(forms),
        })
    }
}

/// What the personal list shows of the bundle: the procedures already chosen (none yet: all
/// are offered ticked), and whether it was submitted.
#[derive(Debug, Clone, Default)]
pub struct BundleChoice {
    pub chosen: Vec<String>,
    pub submitted: bool,
}

impl Portal {
    pub async fn bundle_choice(&self, plan: &Plan) -> Result<BundleChoice, AppError> {
        let drafts = self
            .store
            .plan_drafts(self.municipality(), plan.row.id)
            .await?;
        Ok(BundleChoice {
            submitted: drafts.iter().any(|d| d.application_id.is_some()),
            chosen: drafts
                .into_iter()
                .filter(|d| d.application_id.is_none())
                .map(|d| d.procedure_id)
                .collect(),
        })
    }
}

/// What a front end (LINE, a kiosk) sends to submit a bundle in one call: the interview's
/// answers, the shared facts, and per procedure the answers the facts do not give.
#[derive(Debug, Clone)]
pub struct BundleRequest<'a> {
    pub interview: &'a Value,
    pub facts: &'a Value,
    pub procedures: &'a serde_json::Map<String, Value>,
    /// The whole body, for the idempotency key's digest.
    pub body: &'a Value,
}

/// The outcome of a bundle sent through the API.
#[derive(Debug)]
pub enum ApiBundle {
    Done {
        view: Box<BundleView>,
        created: bool,
    },
    /// `part` (`interview`, `facts` or a procedure's id) has these problems; nothing was stored.
    Invalid {
        part: String,
        errors: Vec<FieldError>,
    },
}

impl Portal {
    /// The personal list for interview answers sent through the API.
    pub fn api_plan_list<'c>(
        &'c self,
        event: &'c LifeEvent,
        interview: &Value,
    ) -> Result<Vec<crate::life_events::DepartmentList<'c>>, Vec<FieldError>> {
        let interview = validate::parse_json(&event.interview, interview, today_jst())?;
        Ok(self.plan_list(event, &interview))
    }

    /// Submits a bundle in one call: the interview decides which procedures may be sent, the
    /// facts fill them, each is checked as an application sent alone would be, and all are
    /// written in one transaction. The same idempotency key always names the same bundle.
    pub async fn submit_bundle_api(
        &self,
        event_id: &str,
        request: &BundleRequest<'_>,
        idempotency_key: Option<&str>,
        caller: &Caller,
    ) -> Result<ApiBundle, AppError> {
        let event = self.public_life_event(event_id)?;
        let today = today_jst();
        let invalid = |part: &str, errors| {
            Ok(ApiBundle::Invalid {
                part: part.to_owned(),
                errors,
            })
        };
        let interview = match validate::parse_json(&event.interview, request.interview, today) {
            Ok(answers) => answers,
            Err(errors) => return invalid("interview", errors),
        };
        let facts = match validate::parse_json(&event.facts, request.facts, today) {
            Ok(answers) => answers,
            Err(errors) => return invalid("facts", errors),
        };
        if request.procedures.is_empty() {
            return Err(AppError::BadRequest("bundle-empty"));
        }
        let candidates = self.bundle_candidates(event, &interview, false);
        let mut filled = Vec::with_capacity(request.procedures.len());
        for (id, own) in request.procedures {
            let (Some(procedure), Some(implied)) = (
                candidates.iter().find(|p| p.id.as_str() == id),
                event.procedures.iter().find(|i| i.procedure.as_str() == id),
            ) else {
                return Err(AppError::BadRequest("bundle-not-implied"));
            };
            let mut merged = own.clone();
            let given = event.prefill(implied, &interview, &facts).to_json();
            if let (Some(merged), Some(given)) = (merged.as_object_mut(), given.as_object()) {
                merged.extend(given.clone());
            }
            let mut answers = match validate::parse_json(procedure, &merged, today) {
                Ok(answers) => answers,
                Err(errors) => return invalid(id, errors),
            };
            let outside = self.residence_problems(procedure, &answers, None);
            if !outside.is_empty() {
                return invalid(id, outside);
            }
            match self.resolve_attachments(procedure, &mut answers).await {
                Ok(()) => {}
                Err(AppError::Invalid(errors)) => return invalid(id, errors),
                Err(e) => return Err(e),
            }
            filled.push((*procedure, answers));
        }
        let what = format!("bundle:{event_id}");
        let (scoped_key, request_hash) =
            self.idempotency(idempotency_key, &what, request.body, caller);
        let applications = filled.iter().map(|(p, a)| (*p, a, None)).collect();
        let origin = BundleOrigin {
            channel: "api",
            counter: None,
            plan_id: None,
            idempotency_key: scoped_key.as_deref(),
            request_hash: request_hash.as_deref(),
        };
        let submitted = self.write_bundle(event, origin, applications).await?;
        Ok(ApiBundle::Done {
            created: submitted.created,
            view: Box::new(self.bundle_view(submitted.bundle).await?),
        })
    }
}
