//! 外字 candidates: the characters of a resident's answers that a business system built on
//! JIS X 0208 or CP932 may not hold (髙, 﨑, 𠮷 …).
//!
//! Answers keep exactly what the resident typed; nothing is substituted on the way in. Staff
//! see these flags beside the case, and exports report them, so that a 外字 is registered or a
//! substitute agreed with the resident, instead of a `?` arriving in 住民記録.

use crate::answers::{Answer, Answers, PersonName};
use crate::validate::{FieldPath, Segment};
use madoguchi_jp::charset::{self, CharFinding};

/// One unusual character and the answer it is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CharFlag {
    pub path: FieldPath,
    pub finding: CharFinding,
}

/// Every free text the resident typed, with its place: text answers, name parts, account
/// holders, inside groups too. Choices, numbers and dates are the system's own words.
pub fn texts(answers: &Answers) -> Vec<(FieldPath, &str)> {
    let mut out = Vec::new();
    collect(answers, &FieldPath::default(), &mut out);
    out
}

fn collect<'a>(answers: &'a Answers, base: &FieldPath, out: &mut Vec<(FieldPath, &'a str)>) {
    for (id, answer) in answers.iter() {
        let path = base.child(Segment::Field(id.clone()));
        let part = |name: &str| path.child(Segment::Field(name.to_owned()));
        match answer {
            Answer::Text(s) => out.push((path.clone(), s)),
            Answer::Name(name) => {
                for key in PersonName::PARTS {
                    let value = name.part(key);
                    if !value.is_empty() {
                        out.push((part(key), value));
                    }
                }
            }
            Answer::BankAccount(account) => out.push((part("holder_kana"), &account.holder_kana)),
            Answer::Group(items) => {
                for (i, item) in items.iter().enumerate() {
                    collect(item, &path.child(Segment::Item(i)), out);
                }
            }
            _ => {}
        }
    }
}

/// The 外字 candidates of an application, in the order of its answers.
pub fn flags(answers: &Answers) -> Vec<CharFlag> {
    texts(answers)
        .into_iter()
        .flat_map(|(path, text)| {
            charset::check(text)
                .into_iter()
                .map(move |finding| CharFlag {
                    path: path.clone(),
                    finding,
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unusual_characters_are_found_with_their_answer_inside_names_and_groups() {
        let mut answers = Answers::default();
        answers.insert(
            "name",
            Answer::Name(PersonName {
                family: "髙橋".into(),
                given: "𠮷子".into(),
                ..PersonName::default()
            }),
        );
        let mut child = Answers::default();
        child.insert("name", Answer::Text("山﨑 花".into()));
        answers.insert("children", Answer::Group(vec![child]));
        answers.insert("address", Answer::Text("大田区蒲田5-13-14".into()));
        let found: Vec<(String, char, bool)> = flags(&answers)
            .into_iter()
            .map(|f| (f.path.to_string(), f.finding.ch, f.finding.in_cp932))
            .collect();
        assert_eq!(
            found,
            vec![
                ("children[0].name".to_owned(), '﨑', true),
                ("name.family".to_owned(), '髙', true),
                ("name.given".to_owned(), '𠮷', false),
            ]
        );
    }
}
