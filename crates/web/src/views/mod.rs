//! View models: what templates show, computed from domain values. Templates only lay out
//! these structs; every string in them is already translated and every value formatted.

pub mod bundles;
pub mod case;
pub mod counter;
pub mod life_events;
pub mod status;
pub mod step;

use madoguchi_app::i18n::{Tr, japanese_date};
use madoguchi_domain::answers::{
    ACCOUNT_TYPES, Answer, Answers, BANK_ACCOUNT_PARTS, PersonName, account_type_key,
};
use madoguchi_domain::calendar::selectable_range;
use madoguchi_domain::fee::FeeRule;
use madoguchi_domain::form::{self, ERAS, FormValues};
use madoguchi_domain::procedure::{
    ChoiceOption, ChoiceStyle, DateBound, Field, FieldKind, Procedure,
};
use madoguchi_domain::validate::{self, FieldError, FieldPath, Segment};

/// What the layout needs on every page.
#[derive(Debug, Clone)]
pub struct Base {
    pub tr: Tr,
    pub lang: &'static str,
    pub title: String,
    pub site_name: String,
    pub phone: String,
    pub csrf: String,
    pub has_errors: bool,
    pub lang_switch_url: String,
    pub lang_switch_lang: &'static str,
    /// A back-office page for an administrator (who sees the accounts page in the menu).
    pub admin: bool,
    /// A back-office page for counter staff (whose menu is the counter's).
    pub counter: bool,
    /// A back-office page: the staff header, whichever template the page is drawn with (the
    /// counter runs the resident's interview pages for the resident in front of it).
    pub staff: bool,
}

impl Base {
    /// For pages rendered without request context (error pages).
    pub fn plain(tr: Tr, title: String) -> Self {
        Self {
            tr,
            lang: tr.lang.code(),
            title,
            site_name: tr.t("site-name-short"),
            phone: String::new(),
            csrf: String::new(),
            has_errors: false,
            lang_switch_url: lang_switch_url(tr, "/"),
            lang_switch_lang: other_lang(tr),
            admin: false,
            counter: false,
            staff: false,
        }
    }

    pub fn t(&self, key: &str) -> String {
        self.tr.t(key)
    }
}

pub fn lang_switch_url(tr: Tr, path: &str) -> String {
    format!("/lang?to={}&back={}", other_lang(tr), encode_path(path))
}

fn other_lang(tr: Tr) -> &'static str {
    if tr.lang.code() == "en" { "ja" } else { "en" }
}

/// Percent-encodes a local path for use as a query value.
fn encode_path(path: &str) -> String {
    path.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

// ---- question pages ----

#[derive(Debug, Clone, Default)]
pub struct FieldView {
    /// text, long_text, email, phone, number, date, radios, select, checkboxes, yes_no, file, group
    pub kind: &'static str,
    pub id: String,
    pub name: String,
    pub label: String,
    pub hint: Option<String>,
    pub required: bool,
    pub error: Option<String>,
    pub value: String,
    pub year: String,
    pub month: String,
    pub day: String,
    /// The chosen era of a date (`seireki`, `reiwa` …) and the choices.
    pub era: String,
    pub eras: Vec<OptionView>,
    pub unit: Option<String>,
    pub max_length: usize,
    pub options: Vec<OptionView>,
    pub files: Vec<String>,
    /// A file question of a group item: its files, carried by the page (`….kept`).
    pub kept: Vec<String>,
    pub accept: String,
    pub multiple: bool,
    pub items: Vec<ItemView>,
    pub can_add: bool,
    pub add_label: String,
    /// The value of the "add another" button: `add:{group id}`.
    pub add_action: String,
    /// A postal code's 「住所を検索」 button value (`lookup:{id}`) and the address control it fills.
    pub lookup_action: String,
    pub address_target: String,
    pub autocomplete: &'static str,
    pub described_by: String,
    /// The controls of a compound answer (姓・名・セイ・メイ; an account's five parts).
    pub parts: Vec<PartView>,
}

/// One control of a compound answer, with its own label and its own error.
#[derive(Debug, Clone, Default)]
pub struct PartView {
    pub id: String,
    pub name: String,
    pub label: String,
    pub value: String,
    pub error: Option<String>,
    pub autocomplete: &'static str,
    pub numeric: bool,
    /// CSS width class: `input-4`, `input-name` …
    pub width: &'static str,
    /// A select box's options (口座種別); empty for a text input.
    pub options: Vec<OptionView>,
}

#[derive(Debug, Clone)]
pub struct OptionView {
    pub id: String,
    pub value: String,
    pub label: String,
    pub hint: Option<String>,
    pub checked: bool,
}

#[derive(Debug, Clone)]
pub struct ItemView {
    pub legend: String,
    pub fields: Vec<FieldView>,
    pub remove_value: String,
    pub remove_label: String,
    pub can_remove: bool,
}

/// One entry of the error summary: a link to the control and the message.
#[derive(Debug, Clone)]
pub struct SummaryItem {
    pub href: String,
    pub message: String,
}

/// Builds the controls of one question page from the current values and problems.
pub struct FieldBuilder<'a> {
    pub tr: Tr,
    pub values: &'a FormValues,
    pub stored: &'a Answers,
    pub errors: &'a [FieldError],
    pub procedure: &'a Procedure,
    /// The page carries every file question's files (`….kept`), as the correction form does;
    /// otherwise only the questions of group items do, and a step's own show the stored files.
    pub files_on_page: bool,
}

impl FieldBuilder<'_> {
    pub fn build(&self, field: &Field, path: &FieldPath) -> FieldView {
        let lang = self.tr.lang.code();
        let id = path.html_id();
        let name = path.form_name();
        let error = self
            .errors
            .iter()
            .find(|e| &e.path == path)
            .map(|e| self.message(e));
        let hint = field.help.as_ref().map(|h| h.get(lang).to_owned());
        let mut described_by = Vec::new();
        if hint.is_some() {
            described_by.push(format!("{id}-hint"));
        }
        if error.is_some() {
            described_by.push(format!("{id}-error"));
        }
        let mut view = FieldView {
            kind: "text",
            id: id.clone(),
            name: name.clone(),
            label: field.label.get(lang).to_owned(),
            hint,
            required: field.required,
            error,
            value: self.values.get(&name).to_owned(),
            described_by: described_by.join(" "),
            autocomplete: autocomplete_for(path),
            ..FieldView::default()
        };
        match &field.kind {
            FieldKind::Text { max_length, .. } | FieldKind::Kana { max_length } => {
                view.max_length = *max_length;
            }
            FieldKind::LongText { max_length } => {
                view.kind = "long_text";
                view.max_length = *max_length;
            }
            FieldKind::Email => view.kind = "email",
            FieldKind::CorporateNumber => view.kind = "number",
            FieldKind::PostalCode { address_field, .. } => {
                view.kind = "postal_code";
                view.autocomplete = "postal-code";
                if let Some(target) = address_field {
                    view.lookup_action = format!("lookup:{}", field.id);
                    view.address_target = FieldPath::field(target.as_str()).html_id();
                }
            }
            FieldKind::Phone => view.kind = "phone",
            FieldKind::Name { .. } => {
                view.kind = "compound";
                let own = autocomplete_for(path) == "name";
                view.parts = PersonName::PARTS
                    .iter()
                    .map(|part| {
                        let autocomplete = match *part {
                            "family" if own => "family-name",
                            "given" if own => "given-name",
                            _ => "",
                        };
                        self.part(path, part, autocomplete, false, "input-name")
                    })
                    .collect();
                view.hint = Some(view.hint.map_or_else(
                    || self.tr.t("name-hint"),
                    |h| format!("{h} {}", self.tr.t("name-hint")),
                ));
                view.described_by = self.described_by(&view);
            }
            FieldKind::BankAccount => {
                view.kind = "compound";
                view.parts = BANK_ACCOUNT_PARTS
                    .iter()
                    .map(|part| match *part {
                        "bank_code" => self.part(path, part, "", true, "input-4"),
                        "branch_code" => self.part(path, part, "", true, "input-3"),
                        "account_number" => self.part(path, part, "", true, "input-7"),
                        "account_type" => {
                            let mut view = self.part(path, part, "", false, "");
                            view.options = ACCOUNT_TYPES
                                .iter()
                                .map(|t| {
                                    let key = account_type_key(*t);
                                    OptionView {
                                        id: format!("{}-{key}", view.id),
                                        value: key.to_owned(),
                                        label: self.tr.t(&format!("account-type-{key}")),
                                        hint: None,
                                        checked: view.value == key,
                                    }
                                })
                                .collect();
                            view
                        }
                        _ => self.part(path, part, "", false, "input-name"),
                    })
                    .collect();
                view.hint = Some(view.hint.map_or_else(
                    || self.tr.t("bank-hint"),
                    |h| format!("{h} {}", self.tr.t("bank-hint")),
                ));
                view.described_by = self.described_by(&view);
            }
            FieldKind::MyNumber => {
                view.kind = "my_number";
                // Never written back into the page, even after an error elsewhere.
                view.value = String::new();
                let on_file = match self.stored.get(field.id.as_str()) {
                    Some(Answer::MyNumber(n)) => Some(
                        self.tr
                            .t_with("my-number-on-file", &[("masked", n.masked())]),
                    ),
                    _ => None,
                };
                let base_hint = on_file.unwrap_or_else(|| self.tr.t("my-number-hint"));
                view.hint = Some(
                    view.hint
                        .map_or(base_hint.clone(), |h| format!("{h} {base_hint}")),
                );
                view.described_by = self.described_by(&view);
            }
            FieldKind::Number { unit, .. } => {
                view.kind = "number";
                view.unit = unit.as_ref().map(|u| u.get(lang).to_owned());
            }
            FieldKind::Date { .. } => {
                view.kind = "date";
                view.year = self.values.get(&format!("{name}.year")).to_owned();
                view.month = self.values.get(&format!("{name}.month")).to_owned();
                view.day = self.values.get(&format!("{name}.day")).to_owned();
                view.era = self.values.get(&format!("{name}.era")).to_owned();
                let chosen = if view.era.is_empty() {
                    "seireki"
                } else {
                    view.era.as_str()
                };
                view.eras = std::iter::once("seireki")
                    .chain(ERAS.iter().map(|(code, _)| *code))
                    .map(|code| OptionView {
                        id: format!("{id}-era-{code}"),
                        value: code.to_owned(),
                        label: self.tr.t(&format!("era-{code}")),
                        hint: None,
                        checked: code == chosen,
                    })
                    .collect();
                let window = self.date_window_hint(&field.kind);
                let date_hint = match window {
                    Some(w) => format!("{w} {}", self.tr.t("date-hint")),
                    None => self.tr.t("date-hint"),
                };
                view.hint = Some(
                    view.hint
                        .map_or_else(|| date_hint.clone(), |h| format!("{h} {date_hint}")),
                );
                view.described_by = std::iter::once(format!("{id}-hint"))
                    .chain(view.error.as_ref().map(|_| format!("{id}-error")))
                    .collect::<Vec<_>>()
                    .join(" ");
            }
            FieldKind::Choice {
                options,
                ranked: Some(n),
                ..
            } => {
                view.kind = "compound";
                view.parts = (1..=*n)
                    .map(|rank| {
                        let mut part = self.part(path, &format!("rank{rank}"), "", false, "");
                        part.label = self.tr.t_with("rank-label", &[("n", rank.to_string())]);
                        part.options = self.offered(options, &part.id, |v| part.value == v);
                        part
                    })
                    .collect();
                view.described_by = self.described_by(&view);
            }
            FieldKind::Choice {
                options,
                multiple,
                style,
                ..
            } => {
                view.kind = match (multiple, style) {
                    (true, _) => "checkboxes",
                    (false, ChoiceStyle::Select) => "select",
                    (false, ChoiceStyle::Buttons) => "radios",
                };
                let chosen = self.values.all(&name);
                view.options = self.offered(options, &id, |v| chosen.iter().any(|c| c == v));
            }
            FieldKind::YesNo => {
                view.kind = "yes_no";
                view.options = [("yes", "yes"), ("no", "no")]
                    .into_iter()
                    .enumerate()
                    .map(|(i, (value, key))| OptionView {
                        id: format!("{id}-{i}"),
                        value: value.into(),
                        label: self.tr.t(key),
                        hint: None,
                        checked: view.value == value,
                    })
                    .collect();
            }
            FieldKind::File {
                accept,
                max_bytes,
                max_files,
            } => {
                view.kind = "file";
                view.multiple = *max_files > 1;
                view.accept = accept
                    .iter()
                    .map(|t| t.mime())
                    .collect::<Vec<_>>()
                    .join(",");
                let types = accept
                    .iter()
                    .map(|t| t.label())
                    .collect::<Vec<_>>()
                    .join("、");
                let size_hint = self.tr.t_with(
                    "file-hint",
                    &[
                        ("types", types),
                        ("mb", (max_bytes / 1024 / 1024).to_string()),
                    ],
                );
                view.hint = Some(
                    view.hint
                        .map_or(size_hint.clone(), |h| format!("{h} {size_hint}")),
                );
                view.described_by = std::iter::once(format!("{id}-hint"))
                    .chain(view.error.as_ref().map(|_| format!("{id}-error")))
                    .collect::<Vec<_>>()
                    .join(" ");
                if self.files_on_page || path.item_index().is_some() {
                    view.kept = self.values.all(&format!("{name}.kept")).to_vec();
                    view.files = view
                        .kept
                        .iter()
                        .filter_map(|v| form::parse_kept(v))
                        .map(|(_, file)| self.tr.t_with("file-kept", &[("name", file.to_owned())]))
                        .collect();
                } else if let Some(Answer::Files(files)) = self.stored.get(field.id.as_str()) {
                    view.files = files
                        .iter()
                        .map(|f| {
                            self.tr.t_with(
                                "file-attached",
                                &[("name", f.name.clone()), ("size", human_size(f.size))],
                            )
                        })
                        .collect();
                }
            }
            FieldKind::Group(group) => {
                view.kind = "group";
                let count = self
                    .values
                    .item_count(path)
                    .unwrap_or(group.min_items)
                    .min(group.max_items);
                view.value = count.to_string();
                view.can_add = count < group.max_items;
                let label = field.label.get(lang).to_owned();
                view.add_label = self.tr.t_with("group-add", &[("label", label)]);
                view.add_action = format!("add:{}", field.id);
                view.items = (0..count)
                    .map(|i| {
                        let item_path = path.child(Segment::Item(i));
                        let legend = group.label_for(i, lang);
                        ItemView {
                            fields: group
                                .fields
                                .iter()
                                // A question that depends on the item's own answers on this
                                // page is always shown (its help says when it is needed): the
                                // server drops the answer where it does not apply.
                                .filter(|f| {
                                    f.show_if.as_ref().is_none_or(|c| {
                                        c.fields()
                                            .iter()
                                            .any(|id| group.field(id.as_str()).is_some())
                                            || c.eval(self.stored)
                                    })
                                })
                                .map(|f| {
                                    self.build(
                                        f,
                                        &item_path.child(Segment::Field(f.id.to_string())),
                                    )
                                })
                                .collect(),
                            remove_value: format!("remove:{}:{i}", field.id),
                            remove_label: self
                                .tr
                                .t_with("group-remove", &[("item", legend.clone())]),
                            can_remove: count > group.min_items,
                            legend,
                        }
                    })
                    .collect();
            }
        }
        view
    }

    fn part(
        &self,
        path: &FieldPath,
        part: &str,
        autocomplete: &'static str,
        numeric: bool,
        width: &'static str,
    ) -> PartView {
        let part_path = path.child(Segment::Field(part.to_owned()));
        PartView {
            id: part_path.html_id(),
            name: part_path.form_name(),
            label: self.tr.t(&format!("part-{part}")),
            value: self.values.get(&part_path.form_name()).to_owned(),
            error: self
                .errors
                .iter()
                .find(|e| e.path == part_path)
                .map(|e| self.message(e)),
            autocomplete,
            numeric,
            width,
            options: Vec::new(),
        }
    }

    /// The options a choice offers now, as controls `{id}-0`, `{id}-1` …. An option ruled out
    /// by earlier answers is not offered (the server would refuse it); a condition on this
    /// page's answers is the server's to check.
    fn offered(
        &self,
        options: &[ChoiceOption],
        id: &str,
        checked: impl Fn(&str) -> bool,
    ) -> Vec<OptionView> {
        let lang = self.tr.lang.code();
        options
            .iter()
            .filter(|o| o.available(self.stored))
            .enumerate()
            .map(|(i, o)| OptionView {
                id: format!("{id}-{i}"),
                value: o.value.clone(),
                label: o.label.get(lang).to_owned(),
                hint: o.hint.as_ref().map(|h| h.get(lang).to_owned()),
                checked: checked(&o.value),
            })
            .collect()
    }

    /// 「令和8年12月8日から令和9年2月28日までの日を選べます」 for a date whose limits are counted
    /// from today or from other answers (in both calendars, computed now in Japan).
    fn date_window_hint(&self, kind: &FieldKind) -> Option<String> {
        let FieldKind::Date {
            min, max, deadline, ..
        } = kind
        else {
            return None;
        };
        // "Not after today" (a birth date) goes without saying.
        let computed = |b: &Option<DateBound>| matches!(b, Some(DateBound::Computed(_)));
        if !computed(min) && !computed(max) && deadline.is_none() {
            return None;
        }
        let (first, last) = selectable_range(
            min.as_ref(),
            max.as_ref(),
            deadline.as_ref(),
            madoguchi_app::timefmt::today_jst(),
            |id| self.stored.get(id.as_str()),
        );
        let both = |d| self.tr.date_both(d);
        Some(match (first, last) {
            (Some(a), Some(b)) => self
                .tr
                .t_with("date-window", &[("from", both(a)), ("to", both(b))]),
            (Some(a), None) => self.tr.t_with("date-window-from", &[("from", both(a))]),
            (None, Some(b)) => self.tr.t_with("date-window-to", &[("to", both(b))]),
            (None, None) => return None,
        })
    }

    fn described_by(&self, view: &FieldView) -> String {
        view.hint
            .as_ref()
            .map(|_| format!("{}-hint", view.id))
            .into_iter()
            .chain(view.error.as_ref().map(|_| format!("{}-error", view.id)))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// A problem in words, prefixed with the item (「2人目のお子さん：」) inside groups.
    pub fn message(&self, error: &FieldError) -> String {
        problem_message(self.tr, self.procedure, error)
    }
}

/// The words for a request refused as asked (a missing message, text the rule refuses), or
/// `None` for failures that are not the person's to fix.
pub fn refusal_message(tr: Tr, e: &madoguchi_app::AppError) -> Option<String> {
    match e {
        madoguchi_app::AppError::BadRequest(key) => Some(tr.t(key)),
        madoguchi_app::AppError::InvalidText { field, problem } => {
            Some(text_problem_message(tr, field, problem))
        }
        _ => None,
    }
}

/// What the text rule found in text typed outside an answer (a note, a search), in words.
pub fn text_problem_message(
    tr: Tr,
    field_key: &str,
    problem: &madoguchi_domain::Problem,
) -> String {
    let label = tr.t(field_key);
    tr.problem(
        None,
        &FieldError::new(FieldPath::field(&label), problem.clone()),
    )
}

pub fn problem_message(tr: Tr, procedure: &Procedure, error: &FieldError) -> String {
    let field = error.path.resolve(procedure);
    let text = tr.problem(field, error);
    match (error.path.item_index(), error.path.0.first()) {
        (Some(i), Some(Segment::Field(group_id))) if error.path.0.len() > 2 => {
            match procedure.field(group_id).map(|f| &f.kind) {
                Some(FieldKind::Group(g)) => format!("{}：{text}", g.label_for(i, tr.lang.code())),
                _ => text,
            }
        }
        _ => text,
    }
}

/// The first control of an answer, for the error summary's link.
pub fn anchor(procedure: &Procedure, error: &FieldError) -> String {
    let id = error.path.html_id();
    match error.path.resolve(procedure).map(|f| &f.kind) {
        Some(FieldKind::Date { .. }) => format!("#{id}-year"),
        Some(
            FieldKind::Choice {
                style: ChoiceStyle::Buttons,
                ..
            }
            | FieldKind::YesNo,
        ) => format!("#{id}-0"),
        Some(FieldKind::Choice {
            ranked: Some(_), ..
        }) => format!("#{id}-rank1"),
        Some(FieldKind::Choice { multiple: true, .. }) => format!("#{id}-0"),
        Some(FieldKind::Name { .. }) if error.path.part(procedure).is_none() => {
            format!("#{id}-family")
        }
        Some(FieldKind::BankAccount) if error.path.part(procedure).is_none() => {
            format!("#{id}-bank_code")
        }
        _ => format!("#{id}"),
    }
}

/// WCAG 1.3.5: the resident's own name, email, phone and address carry their purpose.
fn autocomplete_for(path: &FieldPath) -> &'static str {
    match path.0.as_slice() {
        [Segment::Field(id)] => match id.as_str() {
            "name" => "name",
            "email" => "email",
            "phone" => "tel",
            "address" => "street-address",
            _ => "",
        },
        _ => "",
    }
}

/// The tag style of a status: done, waiting on the resident, closed, or in progress.
pub fn status_class(status: madoguchi_domain::ApplicationStatus) -> &'static str {
    use madoguchi_domain::ApplicationStatus as S;
    match status {
        S::Rejected | S::Withdrawn => "tag tag-grey",
        S::CorrectionRequested => "tag tag-warn",
        S::Approved | S::Completed => "tag tag-done",
        _ => "tag",
    }
}

pub fn human_size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1}MB", bytes as f64 / 1024.0 / 1024.0)
    } else {
        format!("{}KB", bytes.div_ceil(1024))
    }
}

pub use madoguchi_app::fees::yen;

pub fn fee_summary(tr: Tr, procedure: &Procedure) -> String {
    match &procedure.fee.rule {
        FeeRule::Free => tr.t("fee-free"),
        FeeRule::Fixed { amount } => tr.t_with("fee-fixed", &[("amount", yen(u64::from(*amount)))]),
        FeeRule::PerUnit { amount, .. } => {
            tr.t_with("fee-per-unit", &[("amount", yen(u64::from(*amount)))])
        }
        FeeRule::ItemSum { .. } => tr.t("fee-item-sum"),
        FeeRule::Parts(_) => tr.t("fee-parts"),
        FeeRule::DecidedByStaff => tr.t("fee-decided-by-staff"),
    }
}

// ---- answers shown back ----

#[derive(Debug, Clone)]
pub struct AnswerRow {
    pub label: String,
    pub lines: Vec<String>,
    pub change_url: Option<String>,
    /// Read by screen readers after 「変更」: which answer the link changes.
    pub change_hidden: String,
}

#[derive(Debug, Clone)]
pub struct AnswerSection {
    pub title: String,
    pub rows: Vec<AnswerRow>,
}

/// The answers by applicable step, as the check page and status page show them. With
/// `change_base`, each row links to its step to change it.
pub fn answer_sections(
    tr: Tr,
    procedure: &Procedure,
    answers: &Answers,
    change_base: Option<&str>,
) -> Vec<AnswerSection> {
    let lang = tr.lang.code();
    validate::applicable_steps(procedure, answers)
        .into_iter()
        .map(|step| AnswerSection {
            title: step.title.get(lang).to_owned(),
            rows: step
                .fields
                .iter()
                .filter(|f| f.show_if.as_ref().is_none_or(|c| c.eval(answers)))
                .map(|f| AnswerRow {
                    label: f.label.get(lang).to_owned(),
                    lines: answer_lines(tr, f, answers.get(f.id.as_str())),
                    change_url: change_base.map(|base| {
                        format!(
                            "{base}/steps/{}?return=review#{}",
                            step.id,
                            FieldPath::field(f.id.as_str()).html_id()
                        )
                    }),
                    change_hidden: tr.t_with(
                        "review-change-hidden",
                        &[("label", f.label.get(lang).to_owned())],
                    ),
                })
                .collect(),
        })
        .collect()
}

fn answer_lines(tr: Tr, field: &Field, answer: Option<&Answer>) -> Vec<String> {
    let lang = tr.lang.code();
    let Some(answer) = answer else {
        return vec![tr.t("review-none")];
    };
    match (&field.kind, answer) {
        (FieldKind::Group(group), Answer::Group(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let parts: Vec<String> = group
                    .fields
                    .iter()
                    .filter_map(|f| {
                        item.get(f.id.as_str()).map(|a| {
                            format!(
                                "{}：{}",
                                f.label.get(lang),
                                answer_lines(tr, f, Some(a)).join("、")
                            )
                        })
                    })
                    .collect();
                format!("{}　{}", group.label_for(i, lang), parts.join(" ／ "))
            })
            .collect(),
        _ => vec![answer_text(tr, field, answer)],
    }
}

/// One answer as a person reads it.
pub fn answer_text(tr: Tr, field: &Field, answer: &Answer) -> String {
    let lang = tr.lang.code();
    let option_label = |value: &str| match &field.kind {
        FieldKind::Choice { options, .. } => options
            .iter()
            .find(|o| o.value == value)
            .map_or(value.to_owned(), |o| o.label.get(lang).to_owned()),
        _ => value.to_owned(),
    };
    match answer {
        Answer::Text(s) => s.clone(),
        Answer::Number(n) => match &field.kind {
            FieldKind::Number {
                unit: Some(unit), ..
            } => format!("{n}{}", unit.get(lang)),
            _ => n.to_string(),
        },
        // Both calendars, so that a resident who thinks in 和暦 recognises the date.
        Answer::Date(d) => match madoguchi_jp::wareki::to_wareki(*d) {
            Ok(w) if tr.lang.code() == "ja" => format!("{}（{w}）", japanese_date(*d)),
            _ => japanese_date(*d),
        },
        Answer::Choice(v) => option_label(v),
        Answer::Choices(vs)
            if matches!(
                field.kind,
                FieldKind::Choice {
                    ranked: Some(_),
                    ..
                }
            ) =>
        {
            vs.iter()
                .enumerate()
                .map(|(i, v)| {
                    let rank = tr.t_with("rank-label", &[("n", (i + 1).to_string())]);
                    format!("{rank} {}", option_label(v))
                })
                .collect::<Vec<_>>()
                .join("、")
        }
        Answer::Choices(vs) => vs
            .iter()
            .map(|v| option_label(v))
            .collect::<Vec<_>>()
            .join("、"),
        Answer::YesNo(b) => tr.t(if *b { "yes" } else { "no" }),
        Answer::Files(files) => files
            .iter()
            .map(|f| format!("{}（{}）", f.name, human_size(f.size)))
            .collect::<Vec<_>>()
            .join("、"),
        Answer::Group(items) => tr.t_with("review-items", &[("count", items.len().to_string())]),
        Answer::Name(name) if name.full_kana().is_empty() => name.full(),
        Answer::Name(name) => format!("{}（{}）", name.full(), name.full_kana()),
        Answer::BankAccount(a) => tr.t_with(
            "bank-account-text",
            &[
                ("bank", a.bank_code.clone()),
                ("branch", a.branch_code.clone()),
                (
                    "type",
                    tr.t(&format!(
                        "account-type-{}",
                        account_type_key(a.account_type)
                    )),
                ),
                ("number", a.account_number.clone()),
                ("holder", a.holder_kana.clone()),
            ],
        ),
        Answer::MyNumber(n) => n.masked(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yen_amounts_are_grouped_by_thousands() {
        assert_eq!(yen(0), "0");
        assert_eq!(yen(300), "300");
        assert_eq!(yen(3000), "3,000");
        assert_eq!(yen(1234567), "1,234,567");
    }

    #[test]
    fn language_switch_returns_to_the_same_page() {
        assert_eq!(
            lang_switch_url(Tr::default(), "/procedures/inu-toroku"),
            "/lang?to=en&back=/procedures/inu-toroku"
        );
        assert_eq!(
            lang_switch_url(Tr::default(), "/procedures?q=a b"),
            "/lang?to=en&back=/procedures%3Fq%3Da%20b"
        );
    }
}
