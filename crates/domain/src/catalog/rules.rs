//! Reading and checking the rules a question carries beyond its type: patterns, limits counted
//! from today or from other answers, the days a date takes, answers that must agree, and the
//! eligibility stops that end a form. A rule that could never work (a limit taken from a later
//! step, a pattern that does not compile) is reported where it is written.

use super::{
    Checker, Key, RawCondition, RawDayRule, RawField, RawNumberSource, RawStep, RawStop, join, k, n,
};
use crate::ids::{FieldId, is_valid_slug};
use crate::procedure::{
    ComputedDate, DateBase, DateBound, DayRule, Field, FieldKind, MonthSnap, NumberSource, Pattern,
    Procedure, RelativeDate, Residence, Stop, StopLink, TextPattern,
};

/// A question with the step it is on, as rules see it: the top-level question, or the group it
/// belongs to for a question inside one.
struct Place<'p> {
    step: usize,
    group: Option<&'p Field>,
}

impl Checker<'_> {
    /// The id a rule names another question by; one that cannot be a question id is reported
    /// here (whether the question exists, and where, is for [`Self::references`]).
    pub(super) fn question_ref(&mut self, raw: Option<&str>, path: &[Key<'_>]) -> Option<FieldId> {
        let raw = raw?;
        let id = FieldId::parse(raw);
        if id.is_none() {
            self.error(
                path,
                format!("\"{raw}\" is not a question of this procedure"),
            );
        }
        id
    }

    pub(super) fn number_source(
        &mut self,
        raw: Option<&RawNumberSource>,
        path: &[Key<'_>],
    ) -> Option<NumberSource> {
        let raw = raw?;
        let field = self.question_ref(Some(&raw.field), &join(path, &[k("field")]))?;
        Some(match &raw.attribute {
            None => NumberSource::Answer(field),
            Some(attribute) => NumberSource::OptionAttribute {
                field,
                attribute: attribute.clone(),
            },
        })
    }

    pub(super) fn text_pattern(&mut self, raw: &RawField, path: &[Key<'_>]) -> Option<TextPattern> {
        match (&raw.pattern, raw.digits) {
            (None, None) => None,
            (Some(_), Some(_)) => {
                self.error(
                    &join(path, &[k("digits")]),
                    "give pattern or digits, not both",
                );
                None
            }
            (None, Some(0)) => {
                self.error(&join(path, &[k("digits")]), "digits must be at least 1");
                None
            }
            (None, Some(count)) => Some(TextPattern::Digits(count)),
            (Some(source), None) => match Pattern::new(source) {
                Ok(p) => Some(TextPattern::Regex(p)),
                Err(why) => {
                    self.error(
                        &join(path, &[k("pattern")]),
                        format!("pattern \"{source}\" is not usable: {why}"),
                    );
                    None
                }
            },
        }
    }

    /// A date question's limit: `"YYYY-MM-DD"`, `"today"`, `"today+7d"` (d, w, m, y; + or −),
    /// or a table `{ field = "start_date", days = 1 }` / `{ months = 2, snap = "end_of_month" }`.
    pub(super) fn date_bound(
        &mut self,
        value: Option<&toml::Value>,
        path: &[Key<'_>],
    ) -> Option<DateBound> {
        match value? {
            toml::Value::String(s) if s == "today" => {
                Some(DateBound::Relative(RelativeDate::Today))
            }
            toml::Value::String(s) if s.starts_with("today") => {
                let bound = relative_to_today(&s["today".len()..]);
                if bound.is_none() {
                    self.error(path, format!("\"{s}\" is not a day relative to today; write today+7d, today-18y, today+2m or today+1w"));
                }
                bound
            }
            toml::Value::Table(t) => self.computed_date(t, path),
            v => self.date(Some(v), path).map(DateBound::Fixed),
        }
    }

    fn computed_date(&mut self, table: &toml::Table, path: &[Key<'_>]) -> Option<DateBound> {
        const KEYS: [&str; 5] = ["field", "years", "months", "days", "snap"];
        if let Some(key) = table.keys().find(|key| !KEYS.contains(&key.as_str())) {
            self.error(
                path,
                format!(
                    "\"{key}\" is not part of a date limit; use {}",
                    KEYS.join(", ")
                ),
            );
            return None;
        }
        let number = |key: &str| match table.get(key) {
            None => Some(0),
            Some(toml::Value::Integer(i)) => i32::try_from(*i).ok(),
            Some(_) => None,
        };
        let (Some(years), Some(months), Some(days)) =
            (number("years"), number("months"), number("days"))
        else {
            self.error(path, "years, months and days are whole numbers");
            return None;
        };
        let from = match table.get("field") {
            None => DateBase::Today,
            Some(toml::Value::String(s)) if FieldId::parse(s).is_some() => {
                DateBase::Answer(FieldId::parse(s)?)
            }
            Some(_) => {
                self.error(path, "field names a date question");
                return None;
            }
        };
        let snap = match table.get("snap").map(toml::Value::as_str) {
            None => None,
            Some(Some("start_of_month")) => Some(MonthSnap::StartOfMonth),
            Some(Some("end_of_month")) => Some(MonthSnap::EndOfMonth),
            Some(_) => {
                self.error(path, "snap is \"start_of_month\" or \"end_of_month\"");
                return None;
            }
        };
        Some(DateBound::Computed(ComputedDate {
            from,
            years,
            months,
            days,
            snap,
        }))
    }

    pub(super) fn day_rule(&mut self, raw: &RawDayRule, path: &[Key<'_>]) -> DayRule {
        if let Some(day) = raw.days_of_month.iter().find(|d| !(1..=31).contains(*d)) {
            self.error(
                &join(path, &[k("days_of_month")]),
                format!("{day} is not a day of a month"),
            );
        }
        DayRule {
            weekdays: raw.weekdays.clone(),
            days_of_month: raw.days_of_month.clone(),
            not_holidays: raw.not_holidays,
            not_year_end: raw.not_year_end,
        }
    }

    /// Checks every rule that names another question: it must exist, be of the right type,
    /// and be asked on the same step or an earlier one (or in the same group item), so that
    /// its answer is known when this one is checked.
    pub(super) fn references(&mut self, raw_steps: &[RawStep], procedure: &Procedure) {
        for (si, raw_step) in raw_steps.iter().enumerate() {
            for (fi, raw_field) in raw_step.fields.iter().enumerate() {
                let path = [k(self.steps_key), n(si), k("fields"), n(fi)];
                let Some(field) = procedure
                    .steps
                    .get(si)
                    .and_then(|s| s.fields.iter().find(|f| f.id.as_str() == raw_field.id))
                else {
                    continue;
                };
                let place = Place {
                    step: si,
                    group: None,
                };
                self.field_references(field, &place, procedure, &path);
                if let FieldKind::Group(group) = &field.kind {
                    for (ii, inner) in group.fields.iter().enumerate() {
                        let inner_path = join(&path, &[k("fields"), n(ii)]);
                        let place = Place {
                            step: si,
                            group: Some(field),
                        };
                        self.field_references(inner, &place, procedure, &inner_path);
                    }
                    if let Some(id) = &group.max_items_from {
                        self.expect(
                            procedure,
                            &place,
                            id,
                            "number",
                            &join(&path, &[k("max_items_from")]),
                        );
                    }
                }
            }
        }
    }

    fn field_references(
        &mut self,
        field: &Field,
        place: &Place<'_>,
        procedure: &Procedure,
        path: &[Key<'_>],
    ) {
        if let Some(other) = &field.same_as {
            if other == &field.id {
                self.error(
                    &join(path, &[k("same_as")]),
                    "same_as names the question itself",
                );
            } else {
                self.expect(
                    procedure,
                    place,
                    other,
                    field.kind.type_name(),
                    &join(path, &[k("same_as")]),
                );
            }
        }
        match &field.kind {
            FieldKind::PostalCode {
                residence:
                    Some(Residence {
                        reason_field: Some(id),
                    }),
                ..
            } => {
                let at = join(path, &[k("outside_reason_field")]);
                match self.visible(procedure, place, id).map(|f| &f.kind) {
                    Some(FieldKind::Text { .. } | FieldKind::LongText { .. }) => {}
                    _ => self.error(&at, format!("outside_reason_field \"{id}\" is not a text or long_text question on this step or an earlier one")),
                }
            }
            FieldKind::Number {
                min_from, max_from, ..
            } => {
                for (key, source) in [("min_from", min_from), ("max_from", max_from)] {
                    let Some(source) = source else { continue };
                    let at = join(path, &[k(key)]);
                    match source {
                        NumberSource::Answer(id) => {
                            self.expect(procedure, place, id, "number", &at)
                        }
                        NumberSource::OptionAttribute {
                            field: id,
                            attribute,
                        } => {
                            self.expect(procedure, place, id, "choice", &at);
                            self.every_option_has(procedure, place, id, attribute, &at);
                        }
                    }
                }
            }
            FieldKind::Date { min, max, .. } => {
                for (key, bound) in [("min", min), ("max", max)] {
                    if let Some(id) = bound.as_ref().and_then(DateBound::answer) {
                        if id == &field.id {
                            self.error(
                                &join(path, &[k(key)]),
                                "a date limit cannot count from the question itself",
                            );
                        } else {
                            self.expect(procedure, place, id, "date", &join(path, &[k(key)]));
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// Finds `id` where a rule of a question at `place` may see it.
    fn visible<'p>(
        &self,
        procedure: &'p Procedure,
        place: &Place<'p>,
        id: &FieldId,
    ) -> Option<&'p Field> {
        let in_item = place.group.and_then(|g| match &g.kind {
            FieldKind::Group(group) => group.field(id.as_str()),
            _ => None,
        });
        in_item.or_else(|| {
            procedure.steps[..=place.step]
                .iter()
                .flat_map(|s| s.fields.iter())
                .find(|f| &f.id == id)
        })
    }

    fn expect(
        &mut self,
        procedure: &Procedure,
        place: &Place<'_>,
        id: &FieldId,
        type_name: &str,
        path: &[Key<'_>],
    ) {
        match self.visible(procedure, place, id) {
            None if procedure.field(id.as_str()).is_some() => self.error(path, format!("\"{id}\" is asked on a later step; a rule can only use answers given on the same step or earlier")),
            None => self.error(path, format!("\"{id}\" is not a question of this procedure")),
            Some(f) if f.kind.type_name() != type_name => self.error(path, format!("\"{id}\" is a {} question; this rule needs a {type_name} question", f.kind.type_name())),
            Some(_) => {}
        }
    }

    fn every_option_has(
        &mut self,
        procedure: &Procedure,
        place: &Place<'_>,
        id: &FieldId,
        attribute: &str,
        path: &[Key<'_>],
    ) {
        let Some(FieldKind::Choice { options, .. }) =
            self.visible(procedure, place, id).map(|f| &f.kind)
        else {
            return;
        };
        let missing: Vec<&str> = options
            .iter()
            .filter(|o| !o.attributes.contains_key(attribute))
            .map(|o| o.value.as_str())
            .collect();
        if !missing.is_empty() {
            self.error(
                path,
                format!(
                    "option(s) {} of \"{id}\" have no attribute \"{attribute}\"",
                    missing.join(", ")
                ),
            );
        }
    }

    pub(super) fn stops(&mut self, raw: &[RawStop], procedure: &Procedure) -> Vec<Stop> {
        let scope = super::Scope {
            earlier: procedure.fields().map(|(_, f)| f).collect(),
        };
        let mut stops: Vec<Stop> = Vec::new();
        for (i, stop) in raw.iter().enumerate() {
            let path = [k("stops"), n(i)];
            if !is_valid_slug(&stop.id) || stops.iter().any(|s| s.id == stop.id) {
                self.error(
                    &join(&path, &[k("id")]),
                    format!(
                        "stop id \"{}\" must be unique, lower-case letters, digits, - and _",
                        stop.id
                    ),
                );
            }
            if stop.message.is_empty() {
                self.error(
                    &join(&path, &[k("message")]),
                    "a stop says why the form ends and where to go instead",
                );
            }
            if let Some(link) = &stop.link
                && !(link.url.starts_with("https://") || link.url.starts_with('/'))
            {
                self.error(
                    &join(&path, &[k("link"), k("url")]),
                    "a link is an https:// address or a path on this site",
                );
            }
            let when: &RawCondition = &stop.when;
            if let Some(when) = self.condition(when, &scope, &join(&path, &[k("when")])) {
                stops.push(Stop {
                    id: stop.id.clone(),
                    when,
                    message: stop.message.clone(),
                    link: stop.link.as_ref().map(|l| StopLink {
                        label: l.label.clone(),
                        url: l.url.clone(),
                    }),
                });
            }
        }
        stops
    }
}

/// `+7d`, `-18y`, `+2m`, `+1w` after `today`.
fn relative_to_today(offset: &str) -> Option<DateBound> {
    let (sign, rest) = match offset.as_bytes().first()? {
        b'+' => (1, &offset[1..]),
        b'-' => (-1, &offset[1..]),
        _ => return None,
    };
    let unit = rest.chars().last()?;
    let count: i32 = rest[..rest.len() - unit.len_utf8()].parse().ok()?;
    let count = sign * count;
    let (years, months, days) = match unit {
        'd' => (0, 0, count),
        'w' => (0, 0, count * 7),
        'm' => (0, count, 0),
        'y' => (count, 0, 0),
        _ => return None,
    };
    Some(DateBound::Computed(ComputedDate {
        from: DateBase::Today,
        years,
        months,
        days,
        snap: None,
    }))
}
