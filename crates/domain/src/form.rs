//! Reading a question page's HTML form into answers, and answers back into form values.
//!
//! Web forms deliver strings, typed on phones with Japanese keyboards: full-width digits, stray
//! spaces, hyphens of every kind. This module folds those into typed answers, keeps what the
//! resident typed when it cannot (so the page can show it again next to the message), and names
//! controls so that pages work without JavaScript (`f.children.1.name`, `f.birth.year`).

use crate::answers::{
    Answer, Answers, BANK_ACCOUNT_PARTS, FileRef, PersonName, account_type_from_key,
    account_type_key, clean_file_name, date_from_parts,
};
use crate::input;
use crate::procedure::{Field, FieldKind, Procedure, Step};
use crate::text::fold_width;
use crate::validate::{self, FieldError, FieldPath, Problem, Segment};
use madoguchi_jp::wareki::{self, Era};
use std::collections::BTreeMap;

/// Files a page keeps for the questions of group items, as the store recorded them (size and
/// type by content), by SHA-256. A file question of an item carries its files as hidden
/// `….kept` controls (`<sha256>:<name>`), so that adding, removing and renumbering items moves
/// the files with the other answers; only files the store holds are kept, with the size and
/// type it recorded, whatever the page claims.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoredFiles(BTreeMap<String, FileRef>);

impl FromIterator<FileRef> for StoredFiles {
    fn from_iter<I: IntoIterator<Item = FileRef>>(files: I) -> Self {
        let mut all = Self::default();
        files.into_iter().for_each(|f| all.insert(f));
        all
    }
}

impl StoredFiles {
    pub fn insert(&mut self, file: FileRef) {
        self.0.insert(file.sha256.clone(), file);
    }

    /// The file a `kept` control names, under the name it gives.
    fn kept(&self, value: &str) -> Option<FileRef> {
        let (sha256, name) = parse_kept(value)?;
        let stored = self.0.get(sha256)?;
        Some(FileRef {
            name: clean_file_name(name, stored.content_type),
            ..stored.clone()
        })
    }
}

/// The value of a `kept` control for a file.
pub fn kept_value(file: &FileRef) -> String {
    format!("{}:{}", file.sha256, file.name)
}

/// `(sha256, name)` of a `kept` control's value.
pub fn parse_kept(value: &str) -> Option<(&str, &str)> {
    let (sha256, name) = value.split_once(':')?;
    (sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit())).then_some((sha256, name))
}

/// The `f.`-prefixed controls of a submitted (or to-be-rendered) question page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FormValues(BTreeMap<String, Vec<String>>);

impl FormValues {
    /// Keeps only answer controls (`f.…`); tokens and buttons are the web layer's business.
    pub fn from_pairs<I: IntoIterator<Item = (String, String)>>(pairs: I) -> Self {
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in pairs.into_iter().filter(|(k, _)| k.starts_with("f.")) {
            map.entry(k).or_default().push(v);
        }
        Self(map)
    }

    pub fn get(&self, name: &str) -> &str {
        self.0
            .get(name)
            .and_then(|v| v.first())
            .map_or("", String::as_str)
    }

    pub fn all(&self, name: &str) -> &[String] {
        self.0.get(name).map_or(&[], Vec::as_slice)
    }

    pub fn set(&mut self, name: impl Into<String>, values: Vec<String>) {
        self.0.insert(name.into(), values);
    }

    /// Appends one value to a control (a file kept for an item's question).
    pub fn push(&mut self, name: impl Into<String>, value: String) {
        self.0.entry(name.into()).or_default().push(value);
    }

    /// The SHA-256 of every file the page's items keep, for looking them up in the store.
    pub fn kept_files(&self) -> Vec<String> {
        self.0
            .iter()
            .filter(|(name, _)| name.ends_with(".kept"))
            .flat_map(|(_, values)| values.iter())
            .filter_map(|v| parse_kept(v).map(|(sha, _)| sha.to_owned()))
            .collect()
    }

    /// How many items a repeating group shows (`f.children.items`).
    pub fn item_count(&self, group: &FieldPath) -> Option<usize> {
        self.get(&format!("{}.items", group.form_name()))
            .parse()
            .ok()
    }

    /// Adds an empty item at the end of a group ("add another").
    pub fn add_item(&mut self, group: &FieldPath, current: usize) {
        self.set(
            format!("{}.items", group.form_name()),
            vec![(current + 1).to_string()],
        );
    }

    /// Removes one item and moves the later ones up, so the page shows them renumbered.
    pub fn remove_item(&mut self, group: &FieldPath, index: usize, current: usize) {
        let base = group.form_name();
        let mut next = BTreeMap::new();
        for (name, values) in std::mem::take(&mut self.0) {
            let Some(rest) = name.strip_prefix(&format!("{base}.")) else {
                next.insert(name, values);
                continue;
            };
            let (head, tail) = rest.split_once('.').unwrap_or((rest, ""));
            match head.parse::<usize>() {
                Ok(i) if i == index => {}
                Ok(i) if i > index => {
                    next.insert(format!("{base}.{}.{tail}", i - 1), values);
                }
                _ => {
                    next.insert(name, values);
                }
            }
        }
        self.0 = next;
        self.set(
            format!("{base}.items"),
            vec![current.saturating_sub(1).to_string()],
        );
    }

    /// The values a page shows for stored answers.
    pub fn from_answers(step: &Step, answers: &Answers) -> Self {
        let mut values = Self::default();
        for field in &step.fields {
            let path = FieldPath::field(field.id.as_str());
            values.put_answer(field, answers.get(field.id.as_str()), &path);
        }
        values
    }

    /// The values a page that carries every file question's files shows for stored answers
    /// (the correction form, where nothing is stored until the resubmission).
    pub fn carrying_files(step: &Step, answers: &Answers) -> Self {
        let mut values = Self::from_answers(step, answers);
        for field in &step.fields {
            if let Some(Answer::Files(files)) = answers.get(field.id.as_str()) {
                values.set(
                    format!("{}.kept", FieldPath::field(field.id.as_str()).form_name()),
                    files.iter().map(kept_value).collect(),
                );
            }
        }
        values
    }

    fn put_answer(&mut self, field: &Field, answer: Option<&Answer>, path: &FieldPath) {
        let name = path.form_name();
        match (answer, &field.kind) {
            (None, FieldKind::Group(g)) => {
                self.set(format!("{name}.items"), vec![g.min_items.to_string()])
            }
            // A question of an item carries its files on the page; a step's own file questions
            // show the stored files.
            (Some(Answer::Files(files)), _) if path.item_index().is_some() => {
                self.set(
                    format!("{name}.kept"),
                    files.iter().map(kept_value).collect(),
                );
            }
            (None, _) | (Some(Answer::Files(_)), _) => {}
            (Some(Answer::Text(s) | Answer::Choice(s)), _) => self.set(name, vec![s.clone()]),
            (Some(Answer::Number(n)), _) => self.set(name, vec![n.to_string()]),
            (Some(Answer::Date(d)), _) => {
                self.set(format!("{name}.year"), vec![d.year().to_string()]);
                self.set(
                    format!("{name}.month"),
                    vec![u8::from(d.month()).to_string()],
                );
                self.set(format!("{name}.day"), vec![d.day().to_string()]);
            }
            (
                Some(Answer::Choices(v)),
                FieldKind::Choice {
                    ranked: Some(_), ..
                },
            ) => {
                for (i, value) in v.iter().enumerate() {
                    self.set(format!("{name}.rank{}", i + 1), vec![value.clone()]);
                }
            }
            (Some(Answer::Choices(v)), _) => self.set(name, v.clone()),
            (Some(Answer::YesNo(b)), _) => {
                self.set(name, vec![if *b { "yes" } else { "no" }.to_owned()])
            }
            (Some(Answer::Group(items)), FieldKind::Group(g)) => {
                self.set(format!("{name}.items"), vec![items.len().to_string()]);
                for (i, item) in items.iter().enumerate() {
                    let item_path = path.child(Segment::Item(i));
                    for f in &g.fields {
                        let p = item_path.child(Segment::Field(f.id.as_str().to_owned()));
                        self.put_answer(f, item.get(f.id.as_str()), &p);
                    }
                }
            }
            (Some(Answer::Group(_)), _) => {}
            (Some(Answer::Name(n)), _) => {
                for part in PersonName::PARTS {
                    self.set(format!("{name}.{part}"), vec![n.part(part).to_owned()]);
                }
            }
            (Some(Answer::BankAccount(a)), _) => {
                let parts = [
                    ("bank_code", a.bank_code.as_str()),
                    ("branch_code", &a.branch_code),
                    ("account_type", account_type_key(a.account_type)),
                    ("account_number", &a.account_number),
                    ("holder_kana", &a.holder_kana),
                ];
                for (part, value) in parts {
                    self.set(format!("{name}.{part}"), vec![value.to_owned()]);
                }
            }
            // A 個人番号 is never written back into a page; the page says one is on file.
            (Some(Answer::MyNumber(_)), _) => {}
        }
    }
}

/// Where to say that a posted page could not be read whole (over the size limit, or cut
/// off): at the file question whose part was being read, or at the page's first question.
pub fn unreadable_post(
    step: &Step,
    failed_part: Option<&str>,
    too_large: bool,
    max_request_bytes: u64,
) -> FieldError {
    let file = failed_part
        .and_then(|name| name.strip_prefix("f."))
        .and_then(|id| step.fields.iter().find(|f| f.id.as_str() == id));
    match (file.map(|f| (f, &f.kind)), too_large) {
        (Some((field, FieldKind::File { max_bytes, .. })), true) => FieldError::new(
            FieldPath::field(field.id.as_str()),
            Problem::FileTooLarge {
                max_bytes: (*max_bytes).min(max_request_bytes),
            },
        ),
        (Some((field, _)), false) => {
            FieldError::new(FieldPath::field(field.id.as_str()), Problem::BodyUnreadable)
        }
        _ => {
            let first = step
                .fields
                .first()
                .map_or_else(FieldPath::default, |f| FieldPath::field(f.id.as_str()));
            let problem = if too_large {
                Problem::BodyTooLarge {
                    max_bytes: max_request_bytes,
                }
            } else {
                Problem::BodyUnreadable
            };
            FieldError::new(first, problem)
        }
    }
}

/// "Add another" or "remove" on a repeating group, as the page's buttons name them
/// (`add:children`, `remove:children:1`): the page is shown again with one item more or less,
/// keeping everything typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupChange {
    Add(String),
    Remove(String, usize),
}

impl GroupChange {
    pub fn parse(action: &str) -> Option<Self> {
        let mut parts = action.split(':');
        match (parts.next()?, parts.next(), parts.next()) {
            ("add", Some(group), None) => Some(Self::Add(group.to_owned())),
            ("remove", Some(group), Some(i)) => {
                Some(Self::Remove(group.to_owned(), i.parse().ok()?))
            }
            _ => None,
        }
    }

    /// Adds or removes an item within the group's limits; anything else is left as it is.
    pub fn apply(&self, procedure: &Procedure, values: &mut FormValues) {
        let (group_id, remove) = match self {
            Self::Add(g) => (g, None),
            Self::Remove(g, i) => (g, Some(*i)),
        };
        let Some(FieldKind::Group(group)) = procedure.field(group_id).map(|f| &f.kind) else {
            return;
        };
        let path = FieldPath::field(group_id);
        let count = values.item_count(&path).unwrap_or(group.min_items);
        match remove {
            None if count < group.max_items => values.add_item(&path, count),
            Some(i) if count > group.min_items && i < count => values.remove_item(&path, i, count),
            _ => {}
        }
    }
}

/// The outcome of posting one question page.
#[derive(Debug, Clone, PartialEq)]
pub struct StepOutcome {
    /// All answers with this page's replaced, and lapsed answers pruned.
    pub answers: Answers,
    pub errors: Vec<FieldError>,
}

/// What a page is read over: the stored answers (which already hold any files uploaded with
/// this post for the step's own file questions) and the files the page's items keep.
#[derive(Debug, Clone, Copy)]
pub struct Over<'a> {
    pub answers: &'a Answers,
    pub files: &'a StoredFiles,
}

/// Reads one page's controls over what is stored and checks the page.
pub fn apply_step(
    procedure: &Procedure,
    step: &Step,
    values: &FormValues,
    stored: Over<'_>,
    today: time::Date,
) -> StepOutcome {
    apply(
        procedure,
        step.fields.iter(),
        Some(step),
        values,
        stored,
        today,
    )
}

/// Reads only the questions a correction request names, over the submitted answers, and
/// checks the whole application again (a changed answer can make another question apply).
pub fn apply_correction<'p>(
    procedure: &'p Procedure,
    fields: impl Iterator<Item = &'p Field>,
    values: &FormValues,
    stored: Over<'_>,
    today: time::Date,
) -> StepOutcome {
    apply(procedure, fields, None, values, stored, today)
}

fn apply<'p>(
    procedure: &'p Procedure,
    fields: impl Iterator<Item = &'p Field>,
    only_step: Option<&Step>,
    values: &FormValues,
    stored: Over<'_>,
    today: time::Date,
) -> StepOutcome {
    let mut answers = stored.answers.clone();
    let mut errors = Vec::new();
    for field in fields {
        let path = FieldPath::field(field.id.as_str());
        match read_field(
            field,
            values,
            stored.files,
            stored.answers.get(field.id.as_str()),
            &path,
            &mut errors,
        ) {
            Some(answer) => answers.insert(field.id.as_str(), answer),
            None => {
                answers.remove(field.id.as_str());
            }
        }
    }
    let answers = validate::prune(procedure, &answers);
    let errors = validate::with_checks(
        errors,
        validate::check(procedure, &answers, only_step, today),
    );
    StepOutcome { answers, errors }
}

fn read_field(
    field: &Field,
    values: &FormValues,
    files: &StoredFiles,
    stored: Option<&Answer>,
    path: &FieldPath,
    errors: &mut Vec<FieldError>,
) -> Option<Answer> {
    let name = path.form_name();
    let typed = values.get(&name);
    let raw = typed.trim_matches(input::is_space);
    let mut fail = |problem| {
        errors.push(FieldError::new(path.clone(), problem));
        None
    };
    match &field.kind {
        FieldKind::Text { .. }
        | FieldKind::LongText { .. }
        | FieldKind::Kana { .. }
        | FieldKind::Email
        | FieldKind::Phone
        | FieldKind::PostalCode { .. }
        | FieldKind::CorporateNumber => input::read_string(&field.kind, typed).unwrap_or_else(fail),
        FieldKind::MyNumber => match input::read_string(&field.kind, typed) {
            // Left blank with a number on file: keep it (the page never shows it again).
            Ok(None) => stored.cloned(),
            Ok(answer) => answer,
            Err(problem) => fail(problem),
        },
        FieldKind::Name { .. } => read_name(values, path, errors),
        FieldKind::BankAccount => read_bank_account(values, path, errors),
        FieldKind::Number { .. } => match non_blank(raw).map(parse_number)? {
            Some(n) => Some(Answer::Number(n)),
            None => fail(Problem::InvalidNumber),
        },
        FieldKind::Date { .. } => read_date(values, &name).unwrap_or_else(fail),
        FieldKind::Choice {
            multiple: false, ..
        } => non_blank(raw).map(|s| Answer::Choice(s.to_owned())),
        FieldKind::Choice {
            ranked: Some(n), ..
        } => {
            // 第1希望 … 第N希望, in order; a blank rank in between is closed up.
            let chosen: Vec<String> = (1..=*n)
                .map(|rank| values.get(&format!("{name}.rank{rank}")).trim().to_owned())
                .filter(|v| !v.is_empty())
                .collect();
            (!chosen.is_empty()).then_some(Answer::Choices(chosen))
        }
        FieldKind::Choice { multiple: true, .. } => {
            let chosen: Vec<String> = values
                .all(&name)
                .iter()
                .filter(|v| !v.trim().is_empty())
                .cloned()
                .collect();
            (!chosen.is_empty()).then_some(Answer::Choices(chosen))
        }
        FieldKind::YesNo => match raw {
            "yes" => Some(Answer::YesNo(true)),
            "no" => Some(Answer::YesNo(false)),
            "" => None,
            _ => fail(Problem::InvalidOption),
        },
        FieldKind::File { .. } => {
            if values.get(&format!("{name}.remove")) == "1" {
                return None;
            }
            match stored {
                Some(answer) => Some(answer.clone()),
                // A question of an item: the files the page keeps for it.
                None => {
                    let kept: Vec<FileRef> = values
                        .all(&format!("{name}.kept"))
                        .iter()
                        .filter_map(|v| files.kept(v))
                        .collect();
                    (!kept.is_empty()).then_some(Answer::Files(kept))
                }
            }
        }
        FieldKind::Group(group) => {
            let count = values
                .item_count(path)
                .unwrap_or(group.min_items)
                .min(group.max_items);
            if count == 0 {
                // An optional list left empty: no items, no answer.
                return None;
            }
            let items = (0..count)
                .map(|i| {
                    let item_path = path.child(Segment::Item(i));
                    group
                        .fields
                        .iter()
                        .filter_map(|f| {
                            let p = item_path.child(Segment::Field(f.id.as_str().to_owned()));
                            read_field(f, values, files, None, &p, errors)
                                .map(|a| (f.id.as_str().to_owned(), a))
                        })
                        .collect()
                })
                .collect();
            Some(Answer::Group(items))
        }
    }
}

/// 姓・名 as typed (full-width Latin letters folded, for 在留カード names typed on a Japanese
/// keyboard), readings normalised to full-width katakana. `None` when all four are blank; a
/// part that cannot be read is reported where it is.
fn read_name(
    values: &FormValues,
    path: &FieldPath,
    errors: &mut Vec<FieldError>,
) -> Option<Answer> {
    let name = path.form_name();
    let mut person = PersonName::default();
    let mut typed_any = false;
    for part in PersonName::PARTS {
        let raw = values.get(&format!("{name}.{part}"));
        typed_any |= !input::is_blank(raw);
        match input::read_name_part(part, raw) {
            Ok(Some(value)) => {
                if let Some(slot) = person.part_mut(part) {
                    *slot = value;
                }
            }
            Ok(None) => {}
            Err(problem) => errors.push(FieldError::new(
                path.child(Segment::Field(part.to_owned())),
                problem,
            )),
        }
    }
    typed_any.then_some(Answer::Name(person))
}

/// The five parts of an account, each read as people write it (full-width digits, a short
/// 口座番号 padded to 7 digits, ひらがな名義). A part that cannot be read is reported where it
/// is, and the account is not stored until all five are right.
fn read_bank_account(
    values: &FormValues,
    path: &FieldPath,
    errors: &mut Vec<FieldError>,
) -> Option<Answer> {
    let name = path.form_name();
    let raw = |p: &str| values.get(&format!("{name}.{p}")).to_owned();
    if BANK_ACCOUNT_PARTS.iter().all(|k| input::is_blank(&raw(k))) {
        return None;
    }
    let mut parts = Vec::with_capacity(BANK_ACCOUNT_PARTS.len());
    for part in BANK_ACCOUNT_PARTS {
        let problem = match input::read_account_part(part, &raw(part)) {
            Ok(Some(value)) => {
                parts.push(value);
                continue;
            }
            Ok(None) => Problem::Required,
            Err(problem) => problem,
        };
        errors.push(FieldError::new(
            path.child(Segment::Field(part.to_owned())),
            problem,
        ));
    }
    let [
        bank_code,
        branch_code,
        account_type,
        account_number,
        holder_kana,
    ] = <[String; 5]>::try_from(parts).ok()?;
    Some(Answer::BankAccount(madoguchi_jp::bank::BankAccount {
        bank_code,
        branch_code,
        account_type: account_type_from_key(&account_type)?,
        account_number,
        holder_kana,
    }))
}

fn non_blank(s: &str) -> Option<&str> {
    (!input::is_blank(s)).then_some(s)
}

/// `１２`, `1,200`, ` 3 ` are all numbers a resident means.
fn parse_number(raw: &str) -> Option<i64> {
    let folded: String = fold_width(raw)
        .chars()
        .filter(|c| !matches!(c, ',' | ' '))
        .collect();
    folded.parse().ok()
}

/// The eras a date question offers besides 西暦, by the value of its `.era` control.
pub const ERAS: [(&str, Era); 5] = [
    ("reiwa", Era::Reiwa),
    ("heisei", Era::Heisei),
    ("showa", Era::Showa),
    ("taisho", Era::Taisho),
    ("meiji", Era::Meiji),
];

/// A date typed as 年・月・日 in 西暦 or, with the era chosen, in 和暦 (元年 allowed).
/// `Ok(None)` when all parts are blank.
fn read_date(values: &FormValues, name: &str) -> Result<Option<Answer>, Problem> {
    let part = |p: &str| fold_width(values.get(&format!("{name}.{p}")).trim());
    let (y, m, d) = (part("year"), part("month"), part("day"));
    if y.is_empty() && m.is_empty() && d.is_empty() {
        return Ok(None);
    }
    let year: u32 = if y == "元" {
        1
    } else {
        y.parse().map_err(|_| Problem::InvalidDate)?
    };
    let month: u32 = m.parse().map_err(|_| Problem::InvalidDate)?;
    let day: u32 = d.parse().map_err(|_| Problem::InvalidDate)?;
    let era = values.get(&format!("{name}.era"));
    let date = match ERAS.iter().find(|(code, _)| *code == era) {
        None => date_from_parts(
            i32::try_from(year).map_err(|_| Problem::InvalidDate)?,
            month,
            day,
        )
        .ok_or(Problem::InvalidDate)?,
        Some((_, era)) => {
            let (y, m, d) = (u16::try_from(year), u8::try_from(month), u8::try_from(day));
            let (Ok(y), Ok(m), Ok(d)) = (y, m, d) else {
                return Err(Problem::InvalidDate);
            };
            wareki::from_wareki(*era, y, m, d).map_err(|e| Problem::InvalidWareki {
                reason: e.to_string(),
            })?
        }
    };
    Ok(Some(Answer::Date(date)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_in_seireki_or_wareki() {
        let read = |pairs: &[(&str, &str)]| {
            let values = FormValues::from_pairs(
                pairs
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
            );
            read_date(&values, "f.d")
        };
        let expected = Some(Answer::Date(date_from_parts(2019, 5, 1).unwrap()));
        assert_eq!(
            read(&[("f.d.year", "2019"), ("f.d.month", "5"), ("f.d.day", "1")]),
            Ok(expected.clone())
        );
        assert_eq!(
            read(&[
                ("f.d.era", "reiwa"),
                ("f.d.year", "元"),
                ("f.d.month", "5"),
                ("f.d.day", "1")
            ]),
            Ok(expected.clone())
        );
        assert_eq!(
            read(&[
                ("f.d.era", "reiwa"),
                ("f.d.year", "１"),
                ("f.d.month", "５"),
                ("f.d.day", "１")
            ]),
            Ok(expected)
        );
        let Err(Problem::InvalidWareki { reason }) = read(&[
            ("f.d.era", "heisei"),
            ("f.d.year", "32"),
            ("f.d.month", "1"),
            ("f.d.day", "1"),
        ]) else {
            panic!("平成32年 must be refused")
        };
        assert!(reason.contains("令和2年1月1日のことですか"), "{reason}");
        assert_eq!(
            read(&[("f.d.year", "2025"), ("f.d.month", "2"), ("f.d.day", "30")]),
            Err(Problem::InvalidDate)
        );
        assert_eq!(read(&[]), Ok(None));
    }

    const PERSON: &str = r#"
id = "p"
title = "P"
summary = "S"
category = "c"
eligibility = "E"
processing_time = "T"
department = { id = "d", name = "D" }

[[steps]]
id = "who"
title = "Who"

  [[steps.fields]]
  id = "name"
  type = "name"
  label = "氏名"
  required = true
  kana = "except_latin"

  [[steps.fields]]
  id = "account"
  type = "bank_account"
  label = "口座"

  [[steps.fields]]
  id = "my_number"
  type = "my_number"
  label = "個人番号"
"#;

    fn post(pairs: &[(&str, &str)], stored: &Answers) -> StepOutcome {
        let procedure = crate::catalog::parse_procedure("p.toml", PERSON).unwrap();
        let values = FormValues::from_pairs(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        apply_step(
            &procedure,
            &procedure.steps[0],
            &values,
            Over {
                answers: stored,
                files: &StoredFiles::default(),
            },
            time::macros::date!(2026 - 12 - 01),
        )
    }

    const DOGS: &str = r#"
[[steps]]
id = "s"
title = "S"
  [[steps.fields]]
  id = "dogs"
  type = "group"
  label = "犬"
  min_items = 1
  max_items = 3
    [[steps.fields.fields]]
    id = "name"
    type = "text"
    label = "名前"
    required = true
    [[steps.fields.fields]]
    id = "certificate"
    type = "file"
    label = "注射済証"
    required = true
    accept = ["pdf"]
"#;

    fn stored_pdf(n: u8) -> FileRef {
        FileRef {
            sha256: format!("{n:02x}").repeat(32),
            name: format!("{n}.pdf"),
            size: 1000 + u64::from(n),
            content_type: crate::procedure::FileType::Pdf,
        }
    }

    #[test]
    fn an_items_files_are_kept_by_the_page_and_only_as_the_store_recorded_them() {
        let procedure = crate::catalog::test_procedure(DOGS);
        let mut files = StoredFiles::default();
        files.insert(stored_pdf(1));
        files.insert(stored_pdf(2));
        let claimed = format!("{}:証明書.pdf", stored_pdf(2).sha256);
        let unknown = format!("{}:x.pdf", "ab".repeat(32));
        let values = FormValues::from_pairs(
            [
                ("f.dogs.items", "3".to_owned()),
                ("f.dogs.0.name", "ポチ".to_owned()),
                ("f.dogs.0.certificate.kept", kept_value(&stored_pdf(1))),
                ("f.dogs.1.name", "タロ".to_owned()),
                ("f.dogs.1.certificate.kept", claimed),
                ("f.dogs.2.name", "ハナ".to_owned()),
                ("f.dogs.2.certificate.kept", unknown),
            ]
            .map(|(k, v)| (k.to_owned(), v)),
        );
        let outcome = apply_step(
            &procedure,
            &procedure.steps[0],
            &values,
            Over {
                answers: &Answers::default(),
                files: &files,
            },
            time::macros::date!(2026 - 12 - 01),
        );
        let Some(Answer::Group(items)) = outcome.answers.get("dogs") else {
            panic!("{:?}", outcome.answers);
        };
        assert_eq!(
            items[0].get("certificate"),
            Some(&Answer::Files(vec![stored_pdf(1)]))
        );
        // The name the page gives, the size and type the store recorded.
        let Some(Answer::Files(second)) = items[1].get("certificate") else {
            panic!("{items:?}");
        };
        assert_eq!(
            (second[0].name.as_str(), second[0].size),
            ("証明書.pdf", 1002)
        );
        // A file the store does not hold is not an answer: the question is still unanswered.
        assert_eq!(
            error_at(&outcome, "dogs[2].certificate"),
            Some(&Problem::Required)
        );

        // Stored answers give the page its kept controls, and removing an item moves the
        // later items' files up with their other answers.
        let mut shown = FormValues::from_answers(&procedure.steps[0], &outcome.answers);
        assert_eq!(
            shown.all("f.dogs.1.certificate.kept"),
            [format!("{}:証明書.pdf", stored_pdf(2).sha256)]
        );
        shown.remove_item(&FieldPath::field("dogs"), 0, 2);
        assert_eq!(shown.get("f.dogs.0.name"), "タロ");
        assert_eq!(shown.kept_files(), [stored_pdf(2).sha256]);
    }

    fn error_at<'o>(outcome: &'o StepOutcome, path: &str) -> Option<&'o Problem> {
        outcome
            .errors
            .iter()
            .find(|e| e.path.to_string() == path)
            .map(|e| &e.problem)
    }

    #[test]
    fn names_keep_the_characters_typed_and_read_kana_in_katakana() {
        let outcome = post(
            &[
                ("f.name.family", " 髙橋 "),
                ("f.name.given", "𠮷子"),
                ("f.name.family_kana", "たかはし"),
                ("f.name.given_kana", "ﾖｼｺ"),
            ],
            &Answers::default(),
        );
        assert_eq!(outcome.errors, vec![]);
        let Some(Answer::Name(name)) = outcome.answers.get("name") else {
            panic!("no name")
        };
        assert_eq!(name.full(), "髙橋 𠮷子");
        assert_eq!(name.full_kana(), "タカハシ\u{3000}ヨシコ");
    }

    #[test]
    fn a_latin_name_needs_no_reading_where_the_ward_allows_but_a_kanji_one_does() {
        let latin = post(&[("f.name.family", "ＳＭＩＴＨ")], &Answers::default());
        assert_eq!(latin.errors, vec![]);
        let Some(Answer::Name(name)) = latin.answers.get("name") else {
            panic!("no name")
        };
        assert_eq!(name.family, "SMITH");
        let kanji = post(
            &[("f.name.family", "山田"), ("f.name.family_kana", "山田")],
            &Answers::default(),
        );
        assert_eq!(error_at(&kanji, "name.given"), Some(&Problem::Required));
        assert_eq!(
            error_at(&kanji, "name.family_kana"),
            Some(&Problem::InvalidKana {
                found: "「山」「田」".into()
            })
        );
        assert_eq!(error_at(&kanji, "name.given_kana"), None);
    }

    #[test]
    fn bank_accounts_are_read_as_written_and_each_part_is_checked() {
        let outcome = post(
            &[
                ("f.name.family", "Smith"),
                ("f.account.bank_code", "０００１"),
                ("f.account.branch_code", "12"),
                ("f.account.account_type", "ordinary"),
                ("f.account.account_number", "12345"),
                ("f.account.holder_kana", "すみす"),
            ],
            &Answers::default(),
        );
        assert_eq!(
            outcome.errors,
            vec![FieldError::new(
                FieldPath::field("account").child(Segment::Field("branch_code".into())),
                Problem::InvalidBranchCode
            )]
        );
        let fixed = post(
            &[
                ("f.name.family", "Smith"),
                ("f.account.bank_code", "０００１"),
                ("f.account.branch_code", "012"),
                ("f.account.account_type", "ordinary"),
                ("f.account.account_number", "12345"),
                ("f.account.holder_kana", "すみす"),
            ],
            &Answers::default(),
        );
        assert_eq!(fixed.errors, vec![]);
        let Some(Answer::BankAccount(account)) = fixed.answers.get("account") else {
            panic!("no account")
        };
        assert_eq!(account.bank_code, "0001");
        assert_eq!(account.account_number, "0012345");
        assert_eq!(account.holder_kana, "スミス");
    }

    #[test]
    fn a_my_number_is_checked_and_a_blank_box_keeps_the_one_on_file() {
        let wrong = post(
            &[
                ("f.name.family", "Smith"),
                ("f.my_number", "1234 5678 9012"),
            ],
            &Answers::default(),
        );
        assert_eq!(
            error_at(&wrong, "my_number"),
            Some(&Problem::InvalidMyNumber)
        );
        let right = post(
            &[
                ("f.name.family", "Smith"),
                ("f.my_number", "１２３４-５６７８-９０１８"),
            ],
            &Answers::default(),
        );
        assert_eq!(right.errors, vec![]);
        assert_eq!(
            right.answers.get("my_number").map(|a| match a {
                Answer::MyNumber(n) => n.masked(),
                _ => String::new(),
            }),
            Some("********9018".to_owned())
        );
        let kept = post(
            &[("f.name.family", "Smith"), ("f.my_number", "")],
            &right.answers,
        );
        assert_eq!(
            kept.answers.get("my_number"),
            right.answers.get("my_number")
        );
        let values = FormValues::from_answers(
            &crate::catalog::parse_procedure("p.toml", PERSON)
                .unwrap()
                .steps[0],
            &right.answers,
        );
        assert_eq!(
            values.get("f.my_number"),
            "",
            "a number is never written back into a page"
        );
    }

    #[test]
    fn numbers_accept_full_width_and_grouping() {
        assert_eq!(parse_number("１２"), Some(12));
        assert_eq!(parse_number("1,200"), Some(1200));
        assert_eq!(parse_number("一"), None);
    }

    #[test]
    fn removing_an_item_renumbers_the_rest() {
        let group = FieldPath::field("children");
        let mut v = FormValues::from_pairs([
            ("f.children.items".to_owned(), "3".to_owned()),
            ("f.children.0.name".to_owned(), "一郎".to_owned()),
            ("f.children.1.name".to_owned(), "二郎".to_owned()),
            ("f.children.2.name".to_owned(), "三郎".to_owned()),
            ("csrf".to_owned(), "x".to_owned()),
        ]);
        v.remove_item(&group, 1, 3);
        assert_eq!(v.get("f.children.items"), "2");
        assert_eq!(v.get("f.children.0.name"), "一郎");
        assert_eq!(v.get("f.children.1.name"), "三郎");
        assert_eq!(v.get("f.children.2.name"), "");
        assert_eq!(v.get("csrf"), "");
    }
}
