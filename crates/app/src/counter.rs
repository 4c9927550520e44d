//! The counter (書かない窓口): a visit is one resident at one counter, taken by a member of staff
//! with the counter role. Staff identify the resident by the マイナンバーカード — read on the
//! counter PC by the card agent paired with their session — or by typing from another document
//! with the same readers and checks as online. Counter staff see only the visits they took; every
//! visit, read of it and card read is audited.
//!
//! The card agent never sees the session: it pairs once with a one-time code shown on the
//! counter screen, then asks for the reads its session wants and reports each outcome. The files
//! it sends are read here (`jp::mynacard`), the 個人番号 sealed before anything is stored, and the
//! PIN never leaves the counter PC.

use crate::accounts::Staff;
use crate::apply::StepAction;
use crate::error::AppError;
use crate::portal::{Member, Portal, stored_answers};
use crate::timefmt::{JST, today_jst};
use crate::tokens::{new_token, token_hash};
use data_encoding::{BASE64, HEXLOWER};
use madoguchi_domain::answers::{Answer, MyNumberAnswer, PersonName};
use madoguchi_domain::form::{self, FormValues, Over, StoredFiles};
use madoguchi_domain::procedure::Procedure;
use madoguchi_domain::validate::{self, FieldError};
use madoguchi_domain::{Answers, catalog};
use madoguchi_jp::mynacard::{self, Sex};
use madoguchi_storage::{AgentRow, CardReadRow, VisitRow};
use serde_json::{Value, json};
use std::sync::LazyLock;
use time::{Date, Duration, OffsetDateTime, Time};
use uuid::Uuid;

mod code;
mod plan;

pub use plan::Sheet;

/// The counter's questions about the resident (本人確認), read like any procedure's.
static IDENTITY: LazyLock<Procedure> = LazyLock::new(|| {
    catalog::parse_procedure(
        "counter/identity.toml",
        include_str!("counter/identity.toml"),
    )
    .expect("the counter's identity questions are valid")
});

/// How long a pairing code shown on the counter screen stays usable.
const PAIRING_MINUTES: i64 = 10;
/// A read not taken by an agent within this long is left: the resident is no longer waiting.
pub const READ_WAIT_MINUTES: i64 = 2;

/// How the resident was identified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentitySource {
    Card,
    Typed,
}

impl IdentitySource {
    fn as_str(self) -> &'static str {
        match self {
            IdentitySource::Card => "card",
            IdentitySource::Typed => "typed",
        }
    }
}

/// Who the resident is, as recorded on the visit.
#[derive(Debug, Clone)]
pub struct Identity {
    pub source: IdentitySource,
    /// Answers to the identity questions; a 個人番号 read from the card is sealed.
    pub answers: Answers,
}

/// A visit as the counter screen shows it.
#[derive(Debug, Clone)]
pub struct Visit {
    pub row: VisitRow,
    pub identity: Option<Identity>,
    /// The latest card read asked for, and how it went.
    pub card_read: Option<CardReadRow>,
    /// The card agents paired with the screen's session.
    pub agents: Vec<AgentRow>,
    /// The life event whose interview the visit runs, if one was started.
    pub event_id: Option<String>,
    /// What the visit submitted, each with its procedure.
    pub applications: Vec<Member>,
}

impl Visit {
    pub fn is_open(&self) -> bool {
        self.row.ended_at.is_none()
    }
}

/// What typing the resident's details led to.
#[derive(Debug)]
pub enum Identified {
    Saved,
    Again {
        values: FormValues,
        errors: Vec<FieldError>,
        notice: Option<&'static str>,
    },
}

/// What a card agent sends back for a read.
#[derive(Debug, Clone)]
pub enum CardReport {
    /// The two files, base64 as they came from the card.
    Read {
        my_number: String,
        attributes: String,
    },
    WrongPin {
        tries_left: u8,
    },
    /// Any other outcome the agent names (`blocked`, `card_removed`, `no_card`, …).
    Failed(String),
}

/// The outcomes an agent may report besides a read and a wrong PIN.
const FAILURES: [&str; 6] = [
    "blocked",
    "card_removed",
    "no_card",
    "not_my_number_card",
    "pin_format",
    "reader_error",
];

impl CardReport {
    /// Reads an agent's JSON body; `None` when it is not one of the outcomes.
    pub fn from_json(body: &Value) -> Option<Self> {
        match body.get("outcome")?.as_str()? {
            "read" => Some(CardReport::Read {
                my_number: body.get("my_number")?.as_str()?.to_owned(),
                attributes: body.get("attributes")?.as_str()?.to_owned(),
            }),
            "wrong_pin" => Some(CardReport::WrongPin {
                tries_left: u8::try_from(body.get("tries_left")?.as_u64()?)
                    .ok()
                    .filter(|n| *n < 16)?,
            }),
            other => FAILURES
                .iter()
                .find(|f| **f == other)
                .map(|f| CardReport::Failed((*f).to_owned())),
        }
    }
}

impl Portal {
    /// The counter's identity questions.
    pub fn identity_questions(&self) -> &'static Procedure {
        &IDENTITY
    }

    fn require_counter(staff: &Staff) -> Result<(), AppError> {
        if staff.counter || staff.admin {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Whose visits a staff member may see: their own; an administrator's, everyone's.
    fn visit_scope(staff: &Staff) -> Option<Uuid> {
        (!staff.admin).then_some(staff.id)
    }

    /// Starts a visit (受付).
    pub async fn start_visit(&self, staff: &Staff, ip: &str) -> Result<Uuid, AppError> {
        Self::require_counter(staff)?;
        let id = Uuid::now_v7();
        self.store
            .start_visit(self.municipality(), id, staff.id, OffsetDateTime::now_utc())
            .await?;
        self.audit_visit(staff, "visit.start", id, json!({}), ip)
            .await?;
        Ok(id)
    }

    /// A day's visits (Japan time; today when `None`), newest first: the staff member's own,
    /// or, for an administrator, every counter's. Today's list also holds any visit still open
    /// from before, to be ended. The list names residents, so it is audited, as the inbox is.
    pub async fn visits_on(
        &self,
        staff: &Staff,
        day: Option<Date>,
        ip: &str,
    ) -> Result<Vec<VisitRow>, AppError> {
        Self::require_counter(staff)?;
        let today = today_jst();
        let day = day.unwrap_or(today);
        if day > today {
            return Ok(Vec::new());
        }
        // In UTC, as every time is stored: SQLite compares them as text, offsets and all.
        let midnight = |d: Date| {
            d.with_time(Time::MIDNIGHT)
                .assume_offset(JST)
                .to_offset(time::UtcOffset::UTC)
        };
        let bounds = (midnight(day), midnight(day.next_day().unwrap_or(day)));
        let visits = self
            .store
            .visits_between(
                self.municipality(),
                Self::visit_scope(staff),
                bounds,
                day == today,
                500,
            )
            .await?;
        let detail = json!({ "visits": visits.len(), "day": day.to_string() });
        self.audit(&staff.login, "visit.list", None, detail, ip)
            .await?;
        Ok(visits)
    }

    /// A visit the staff member took, as the counter screen shows it; the read is audited. The
    /// session's token tells which card agents the screen has.
    pub async fn counter_visit(
        &self,
        staff: &Staff,
        session_token: &str,
        id: Uuid,
        ip: &str,
    ) -> Result<Visit, AppError> {
        Self::require_counter(staff)?;
        let row = self
            .store
            .visit(self.municipality(), id, Self::visit_scope(staff))
            .await?
            .ok_or(AppError::NotFound)?;
        let identity = row.identity.as_ref().map(read_identity).transpose()?;
        let card_read = self.store.latest_card_read(self.municipality(), id).await?;
        let agents = self
            .store
            .session_agents(self.municipality(), &token_hash(session_token))
            .await?;
        let event_id = match row.plan_id {
            Some(plan) => self
                .store
                .plan_by_id(self.municipality(), plan)
                .await?
                .map(|p| p.event_id),
            None => None,
        };
        let applications = self
            .members(
                self.store
                    .visit_applications(self.municipality(), id)
                    .await?,
            )
            .await?;
        self.audit_visit(staff, "visit.read", id, json!({}), ip)
            .await?;
        Ok(Visit {
            row,
            identity,
            card_read,
            agents,
            event_id,
            applications,
        })
    }

    /// Where the visit's latest card read stands (`none`, `requested`, `reading`, or its
    /// outcome), for the counter screen to poll while it waits. It says nothing of the resident,
    /// so, unlike the visit, it is not audited on every poll.
    pub async fn card_read_state(&self, staff: &Staff, id: Uuid) -> Result<String, AppError> {
        Self::require_counter(staff)?;
        self.store
            .visit(self.municipality(), id, Self::visit_scope(staff))
            .await?
            .ok_or(AppError::NotFound)?;
        let read = self.store.latest_card_read(self.municipality(), id).await?;
        Ok(read.as_ref().map_or("none", read_state).to_owned())
    }

    /// Records the resident's details typed from a document, read and checked as online (an
    /// address can be looked up from the postal code); nothing is saved while a problem remains.
    pub async fn identify_typed(
        &self,
        staff: &Staff,
        visit: &Visit,
        action: StepAction,
        mut values: FormValues,
        ip: &str,
    ) -> Result<Identified, AppError> {
        let questions = self.identity_questions();
        let step = &questions.steps[0];
        match action {
            StepAction::Save => {}
            StepAction::LookupAddress(field) => {
                let (errors, notice) = match self.fill_address(questions, &field, &mut values) {
                    Ok(()) => (Vec::new(), Some("postal-filled")),
                    Err(error) => (vec![error], None),
                };
                return Ok(Identified::Again {
                    values,
                    errors,
                    notice,
                });
            }
            // The identity questions have no groups: a forged group button shows the page again.
            StepAction::Group(_) => {
                return Ok(Identified::Again {
                    values,
                    errors: Vec::new(),
                    notice: None,
                });
            }
        }
        let stored = Answers::default();
        let over = Over {
            answers: &stored,
            files: &StoredFiles::default(),
        };
        let outcome = form::apply_step(questions, step, &values, over, today_jst());
        if !outcome.errors.is_empty() {
            return Ok(Identified::Again {
                values,
                errors: outcome.errors,
                notice: None,
            });
        }
        let mut answers = outcome.answers;
        // A number read from the card is not on the form (it is never written back into one):
        // correcting the other details keeps it.
        if answers.get("my_number").is_none()
            && let Some(number) = visit
                .identity
                .as_ref()
                .and_then(|i| i.answers.get("my_number"))
        {
            answers.insert("my_number", number.clone());
        }
        let identity = Identity {
            source: IdentitySource::Typed,
            answers,
        };
        self.record_identity(staff, visit.row.id, &identity, ip)
            .await?;
        Ok(Identified::Saved)
    }

    async fn record_identity(
        &self,
        staff: &Staff,
        visit: Uuid,
        identity: &Identity,
        ip: &str,
    ) -> Result<(), AppError> {
        let stored = self.identity_json(identity);
        let now = OffsetDateTime::now_utc();
        if !self
            .store
            .identify_visit(self.municipality(), visit, staff.id, &stored, now)
            .await?
        {
            return Err(AppError::Conflict);
        }
        let source = identity.source.as_str();
        self.audit_visit(
            staff,
            "visit.identify",
            visit,
            json!({ "source": source }),
            ip,
        )
        .await
    }

    fn identity_json(&self, identity: &Identity) -> Value {
        json!({
            "source": identity.source.as_str(),
            "answers": self.storable(&identity.answers),
        })
    }

    /// Ends a visit. Ending it again changes nothing.
    pub async fn end_visit(&self, staff: &Staff, visit: Uuid, ip: &str) -> Result<(), AppError> {
        Self::require_counter(staff)?;
        if self
            .store
            .end_visit(
                self.municipality(),
                visit,
                staff.id,
                OffsetDateTime::now_utc(),
            )
            .await?
        {
            self.audit_visit(staff, "visit.end", visit, json!({}), ip)
                .await?;
        }
        Ok(())
    }

    /// A one-time code with which a card agent on the counter PC pairs with this session.
    pub async fn offer_pairing(
        &self,
        staff: &Staff,
        session_token: &str,
        ip: &str,
    ) -> Result<String, AppError> {
        Self::require_counter(staff)?;
        let code = pairing_code();
        let expires = OffsetDateTime::now_utc() + Duration::minutes(PAIRING_MINUTES);
        self.store
            .create_pairing(
                self.municipality(),
                &self.pairing_hash(&code),
                &token_hash(session_token),
                expires,
            )
            .await?;
        self.audit(&staff.login, "counter.pairing", None, json!({}), ip)
            .await?;
        Ok(code)
    }

    // Keyed: eight digits are few, and a plain hash of them would give the code away.
    fn pairing_hash(&self, code: &str) -> String {
        HEXLOWER.encode(&self.secret.mac(&[b"counter-pairing", code.as_bytes()]))
    }

    /// Exchanges a pairing code for the agent's token. A wrong, used or expired code is
    /// `NotFound`.
    pub async fn pair_agent(&self, code: &str, name: &str, ip: &str) -> Result<String, AppError> {
        let name = crate::error::plain_text(
            "counter-agent-name",
            name,
            madoguchi_domain::input::Lines::One,
        )?
        .unwrap_or_default();
        let name: String = name.chars().take(60).collect();
        let token = new_token();
        let agent = AgentRow {
            id: Uuid::now_v7(),
            session_hash: String::new(),
            name: if name.is_empty() {
                "card-agent".into()
            } else {
                name
            },
            created_at: OffsetDateTime::now_utc(),
        };
        let code = code.trim();
        let session = self
            .store
            .pair_agent(
                self.municipality(),
                &self.pairing_hash(code),
                &agent,
                &token_hash(&token),
                agent.created_at,
            )
            .await?;
        if session.is_none() {
            self.audit("(card agent)", "counter.pair_refused", None, json!({}), ip)
                .await?;
            return Err(AppError::NotFound);
        }
        self.audit(
            "(card agent)",
            "counter.paired",
            None,
            json!({ "agent": agent.id, "name": agent.name }),
            ip,
        )
        .await?;
        Ok(token)
    }

    /// Asks the session's card agent to read the card for the visit.
    pub async fn request_card_read(
        &self,
        staff: &Staff,
        session_token: &str,
        visit: &Visit,
        ip: &str,
    ) -> Result<(), AppError> {
        if !visit.is_open() {
            return Err(AppError::Conflict);
        }
        if visit.agents.is_empty() {
            return Err(AppError::BadRequest("counter-no-agent"));
        }
        self.store
            .request_card_read(
                self.municipality(),
                Uuid::now_v7(),
                visit.row.id,
                &token_hash(session_token),
                OffsetDateTime::now_utc(),
            )
            .await?;
        self.audit_visit(staff, "card.read_requested", visit.row.id, json!({}), ip)
            .await
    }

    async fn agent(&self, token: &str) -> Result<AgentRow, AppError> {
        self.store
            .agent_by_token(
                self.municipality(),
                &token_hash(token),
                OffsetDateTime::now_utc(),
            )
            .await?
            .ok_or(AppError::LoginRequired)
    }

    /// The read an agent should do now, if its session asked for one.
    pub async fn agent_next_read(&self, token: &str) -> Result<Option<Uuid>, AppError> {
        let agent = self.agent(token).await?;
        let now = OffsetDateTime::now_utc();
        Ok(self
            .store
            .take_card_read(
                self.municipality(),
                &agent.session_hash,
                now - Duration::minutes(READ_WAIT_MINUTES),
                now,
            )
            .await?)
    }

    /// Records what an agent's read gave. Files that are not a card's are refused (and the read
    /// recorded as unreadable); the resident's details go into the visit, the number sealed.
    pub async fn agent_report(
        &self,
        token: &str,
        read: Uuid,
        report: &CardReport,
        ip: &str,
    ) -> Result<(), AppError> {
        let agent = self.agent(token).await?;
        let (outcome, tries_left, identity) = match report {
            CardReport::Read {
                my_number,
                attributes,
            } => match identity_from_card(my_number, attributes) {
                Some(identity) => ("read", None, Some(self.identity_json(&identity))),
                None => ("unreadable", None, None),
            },
            CardReport::WrongPin { tries_left } => {
                ("wrong_pin", Some(i64::from(*tries_left)), None)
            }
            CardReport::Failed(outcome) => (outcome.as_str(), None, None),
        };
        let visit = self
            .store
            .complete_card_read(
                self.municipality(),
                read,
                &agent.session_hash,
                outcome,
                tries_left,
                identity.as_ref(),
                OffsetDateTime::now_utc(),
            )
            .await?
            .ok_or(AppError::NotFound)?;
        let actor = format!("agent:{}", agent.name);
        let detail = json!({ "outcome": outcome, "agent": agent.id });
        self.audit(&actor, "card.read", Some(visit), detail, ip)
            .await?;
        if outcome == "unreadable" {
            return Err(AppError::BadRequest("counter-card-unreadable-api"));
        }
        Ok(())
    }

    async fn audit_visit(
        &self,
        staff: &Staff,
        action: &str,
        visit: Uuid,
        mut detail: Value,
        ip: &str,
    ) -> Result<(), AppError> {
        detail["visit"] = json!(visit);
        self.audit(&staff.login, action, None, detail, ip).await
    }
}

/// The identity a card's two files give, checked like every answer; `None` when they are not
/// a card's.
fn identity_from_card(my_number: &str, attributes: &str) -> Option<Identity> {
    let number = mynacard::parse_my_number(&BASE64.decode(my_number.as_bytes()).ok()?).ok()?;
    let card = mynacard::parse_attributes(&BASE64.decode(attributes.as_bytes()).ok()?).ok()?;
    let (family, given) = card.family_and_given();
    let mut answers = Answers::default();
    answers.insert("document", Answer::Choice("my_number_card".into()));
    answers.insert(
        "name",
        Answer::Name(PersonName {
            family: family.to_owned(),
            given: given.to_owned(),
            ..PersonName::default()
        }),
    );
    answers.insert("birth_date", Answer::Date(card.birth_date));
    let sex = match card.sex {
        Sex::Male => "male",
        Sex::Female => "female",
        Sex::NotApplicable => "not_applicable",
    };
    answers.insert("sex", Answer::Choice(sex.into()));
    answers.insert("address", Answer::Text(card.address.clone()));
    answers.insert(
        "my_number",
        Answer::MyNumber(MyNumberAnswer::Entered(number)),
    );
    // The card's text passes the same rules as anything typed (the text rule, lengths).
    let problems = validate::check(&IDENTITY, &answers, None, today_jst());
    problems.is_empty().then_some(Identity {
        source: IdentitySource::Card,
        answers,
    })
}

fn read_identity(stored: &Value) -> Result<Identity, AppError> {
    let source = match stored["source"].as_str() {
        Some("card") => IdentitySource::Card,
        _ => IdentitySource::Typed,
    };
    Ok(Identity {
        source,
        answers: stored_answers(&IDENTITY, &stored["answers"])?,
    })
}

/// Where a card read stands: `requested`, `reading` (an agent took it), or its outcome.
pub fn read_state(read: &CardReadRow) -> &str {
    match (read.taken_at, read.outcome.as_deref()) {
        (_, Some(outcome)) => outcome,
        (None, None) => "requested",
        (Some(_), None) => "reading",
    }
}

/// What the plan measures of a day's visits: how many, and the median minutes of those ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisitTimes {
    pub visits: usize,
    pub ended: usize,
    pub median_minutes: Option<i64>,
    /// The applications the visits submitted.
    pub forms: i64,
}

impl VisitTimes {
    /// Forms per visit, in tenths (書かない窓口's measure: one visit, several procedures).
    pub fn forms_per_visit_tenths(&self) -> Option<i64> {
        let visits = i64::try_from(self.visits).ok().filter(|v| *v > 0)?;
        Some((self.forms * 10 + visits / 2) / visits)
    }
}

pub fn visit_times(rows: &[VisitRow]) -> VisitTimes {
    let mut minutes: Vec<i64> = rows
        .iter()
        .filter_map(|v| Some((v.ended_at? - v.started_at).whole_minutes()))
        .collect();
    minutes.sort_unstable();
    let median_minutes = match minutes.len() {
        0 => None,
        n if n % 2 == 1 => Some(minutes[n / 2]),
        n => Some((minutes[n / 2 - 1] + minutes[n / 2]) / 2),
    };
    VisitTimes {
        visits: rows.len(),
        ended: minutes.len(),
        median_minutes,
        forms: rows.iter().map(|v| v.applications).sum(),
    }
}

/// Eight random digits.
fn pairing_code() -> String {
    let bytes = Uuid::new_v4();
    let n = u64::from_le_bytes(bytes.as_bytes()[..8].try_into().expect("eight bytes"));
    format!("{:08}", n % 100_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use madoguchi_jp::mynacard::sample;

    fn b64(bytes: &[u8]) -> String {
        BASE64.encode(bytes)
    }

    #[test]
    fn the_identity_questions_parse() {
        assert_eq!(IDENTITY.steps.len(), 1);
    }

    #[test]
    fn a_cards_files_become_the_identity_answers() {
        let identity = identity_from_card(
            &b64(&sample::my_number_file("123456789018")),
            &b64(&sample::attributes_file(
                "大田　花子",
                "東京都大田区蒲田五丁目１３番１４号",
                "19850401",
                "2",
            )),
        )
        .expect("a card's files");
        let Some(Answer::Name(name)) = identity.answers.get("name") else {
            panic!("a name");
        };
        assert_eq!(
            (name.family.as_str(), name.given.as_str()),
            ("大田", "花子")
        );
        assert_eq!(
            identity.answers.get("sex"),
            Some(&Answer::Choice("female".into()))
        );
    }

    #[test]
    fn files_that_are_not_a_cards_give_nothing() {
        let attributes = b64(&sample::attributes_file(
            "大田 花子",
            "東京都",
            "19850401",
            "2",
        ));
        assert!(identity_from_card("not base64!", &attributes).is_none());
        assert!(
            identity_from_card(&b64(&sample::my_number_file("123456789012")), &attributes)
                .is_none()
        );
        // A control character in the address is refused as it would be typed.
        let bad = b64(&sample::attributes_file(
            "大田 花子",
            "東京都\u{202e}",
            "19850401",
            "2",
        ));
        assert!(identity_from_card(&b64(&sample::my_number_file("123456789018")), &bad).is_none());
    }

    #[test]
    fn an_agents_report_is_one_of_the_outcomes() {
        assert!(matches!(
            CardReport::from_json(&json!({ "outcome": "wrong_pin", "tries_left": 2 })),
            Some(CardReport::WrongPin { tries_left: 2 })
        ));
        assert!(
            CardReport::from_json(&json!({ "outcome": "wrong_pin", "tries_left": 99 })).is_none()
        );
        assert!(CardReport::from_json(&json!({ "outcome": "drop table" })).is_none());
        assert!(matches!(
            CardReport::from_json(&json!({ "outcome": "blocked" })),
            Some(CardReport::Failed(f)) if f == "blocked"
        ));
    }

    #[test]
    fn the_median_counts_ended_visits_only() {
        let start = OffsetDateTime::UNIX_EPOCH;
        let visit = |minutes: Option<i64>| VisitRow {
            id: Uuid::nil(),
            staff_id: Uuid::nil(),
            staff_login: String::new(),
            started_at: start,
            ended_at: minutes.map(|m| start + Duration::minutes(m)),
            identity: None,
            identified_at: None,
            plan_id: None,
            applications: minutes.unwrap_or_default() % 3,
        };
        let times = visit_times(&[
            visit(Some(12)),
            visit(None),
            visit(Some(4)),
            visit(Some(30)),
        ]);
        assert_eq!(
            times,
            VisitTimes {
                visits: 4,
                ended: 3,
                median_minutes: Some(12),
                forms: 1,
            }
        );
        // 1 form over 4 visits: 0.25, shown as 0.3.
        assert_eq!(times.forms_per_visit_tenths(), Some(3));
        assert_eq!(visit_times(&[]).forms_per_visit_tenths(), None);
        assert_eq!(
            visit_times(&[visit(Some(4)), visit(Some(10))]).median_minutes,
            Some(7)
        );
        assert_eq!(visit_times(&[visit(None)]).median_minutes, None);
    }

    #[test]
    fn pairing_codes_are_eight_digits() {
        let code = pairing_code();
        assert_eq!(code.len(), 8);
        assert!(code.bytes().all(|b| b.is_ascii_digit()));
    }
}
