//! The マイナンバーカード's 券面事項入力補助AP (the "fill-in-forms" application): the commands a
//! card reader sends, what the card's status words mean, and the two files it reads — the 個人番号
//! (EF 0001) and the four basic items 氏名・住所・生年月日・性別 (EF 0002) — as BER-TLV.
//!
//! Sources: the AIDs, file ids and tags as documented by the open readers `jpki/myna` (Go) and
//! `AokiApp/jsapdu` (TypeScript), see REFERENCE-JP.md. The PIN is 4 digits and locks after three
//! wrong tries; VERIFY without data asks how many tries are left without spending one.
//!
//! Nothing here talks to a reader: the card agent sends these bytes through PC/SC and the server
//! reads what came back, so that both sides agree on one definition.

use crate::checkdigit::MyNumber;
use std::fmt;
use time::{Date, Month};

/// The application's AID, selected by DF name.
pub const KENMEN_HOJO_AID: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08];
/// The PIN's file.
pub const EF_PIN: u16 = 0x0011;
/// The 個人番号.
pub const EF_MY_NUMBER: u16 = 0x0001;
/// The four basic items.
pub const EF_ATTRIBUTES: u16 = 0x0002;

/// SELECT the application by its DF name, no response data.
pub fn select_application() -> Vec<u8> {
    let mut apdu = vec![0x00, 0xA4, 0x04, 0x0C, KENMEN_HOJO_AID.len() as u8];
    apdu.extend_from_slice(&KENMEN_HOJO_AID);
    apdu
}

/// SELECT an elementary file of the current application by its id.
pub fn select_file(id: u16) -> Vec<u8> {
    let [hi, lo] = id.to_be_bytes();
    vec![0x00, 0xA4, 0x02, 0x0C, 0x02, hi, lo]
}

/// VERIFY without data: the card answers with the tries left and spends none.
pub fn pin_status() -> Vec<u8> {
    vec![0x00, 0x20, 0x00, 0x80]
}

/// VERIFY the PIN of the selected PIN file. `None` when the PIN is not four ASCII digits, which
/// is refused before the card sees it (a malformed PIN would spend a try).
pub fn verify(pin: &str) -> Option<Vec<u8>> {
    let digits = pin.as_bytes();
    if digits.len() != 4 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut apdu = vec![0x00, 0x20, 0x00, 0x80, 0x04];
    apdu.extend_from_slice(digits);
    Some(apdu)
}

/// READ BINARY of the selected file from `offset`, asking for as much as a short APDU carries.
pub fn read_binary(offset: u16) -> Vec<u8> {
    let [hi, lo] = offset.to_be_bytes();
    vec![0x00, 0xB0, hi & 0x7F, lo, 0x00]
}

/// What the two status bytes at the end of a response say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    /// `63Cx`: the PIN was wrong (or, for VERIFY without data, not yet given); `x` tries are left.
    TriesLeft(u8),
    /// `6983` / `6984`: the PIN is blocked. Only the municipality can unblock it, with the
    /// resident present and the card's 初期化 — a counter cannot retry.
    Blocked,
    /// `6A82` and the like: no such application or file — not a マイナンバーカード, or a card
    /// whose 券面事項入力補助AP is missing.
    NotFound,
    /// `6982`: reading before the PIN was verified.
    SecurityNotSatisfied,
    Other(u16),
}

impl Status {
    /// Splits a response into its data and status. `None` when it has no status bytes.
    pub fn of(response: &[u8]) -> Option<(&[u8], Status)> {
        let split = response.len().checked_sub(2)?;
        let (data, sw) = response.split_at(split);
        let sw = u16::from_be_bytes([sw[0], sw[1]]);
        let status = match sw {
            0x9000 => Status::Ok,
            0x63C0..=0x63CF => Status::TriesLeft((sw & 0x0F) as u8),
            0x6983 | 0x6984 => Status::Blocked,
            0x6982 => Status::SecurityNotSatisfied,
            0x6A82 | 0x6A86 | 0x6A87 | 0x6A88 => Status::NotFound,
            other => Status::Other(other),
        };
        Some((data, status))
    }
}

/// The length of the whole TLV object at the start of `bytes` (tag, length and value), once
/// enough of it has arrived to tell; a reader uses it to know when a file has been read whole.
pub fn object_length(bytes: &[u8]) -> Option<usize> {
    let (header, value) = header(bytes)?;
    header.checked_add(value)
}

/// The four basic items, as the card holds them.
#[derive(Clone, PartialEq, Eq)]
pub struct Attributes {
    /// 氏名 as printed on the card (kanji, in 住民票's characters; no reading).
    pub name: String,
    pub address: String,
    pub birth_date: Date,
    pub sex: Sex,
}

impl fmt::Debug for Attributes {
    // Personal data never reaches a log through `{:?}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Attributes(..)")
    }
}

impl Attributes {
    /// The name split into 氏 and 名 at the first space the card puts between them; a name
    /// without one (some foreign residents' names) is all 氏, for staff to split.
    pub fn family_and_given(&self) -> (&str, &str) {
        match self.name.split_once([' ', '\u{3000}']) {
            Some((family, given)) => (family.trim(), given.trim()),
            None => (self.name.trim(), ""),
        }
    }
}

/// 性別 as ISO 5218 codes it on the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Male,
    Female,
    NotApplicable,
}

impl Sex {
    pub fn code(self) -> &'static str {
        match self {
            Sex::Male => "1",
            Sex::Female => "2",
            Sex::NotApplicable => "9",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "1" => Some(Sex::Male),
            "2" => Some(Sex::Female),
            "9" => Some(Sex::NotApplicable),
            _ => None,
        }
    }

    pub fn label_ja(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
            Sex::NotApplicable => "適用不能",
        }
    }
}

/// Why what a reader sent is not a card's file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardDataError {
    #[error("the file is not a TLV object of the expected tag")]
    Structure,
    #[error("the item {0} is missing")]
    Missing(&'static str),
    #[error("the item {0} is not UTF-8")]
    Encoding(&'static str),
    #[error("the birth date is not a date")]
    BirthDate,
    #[error("the sex is not an ISO 5218 code")]
    Sex,
    #[error("the 個人番号 is not a valid number")]
    MyNumber,
}

const TAG_MY_NUMBER: &[u8] = &[0xFF, 0x10];
const TAG_ATTRIBUTES: &[u8] = &[0xFF, 0x20];
const TAG_NAME: &[u8] = &[0xDF, 0x22];
const TAG_ADDRESS: &[u8] = &[0xDF, 0x23];
const TAG_BIRTH: &[u8] = &[0xDF, 0x24];
const TAG_SEX: &[u8] = &[0xDF, 0x25];

/// Reads EF 0001: the 個人番号, its check digit checked.
pub fn parse_my_number(file: &[u8]) -> Result<MyNumber, CardDataError> {
    let (tag, value, _) = tlv(file).ok_or(CardDataError::Structure)?;
    if tag != TAG_MY_NUMBER {
        return Err(CardDataError::Structure);
    }
    let digits = std::str::from_utf8(value).map_err(|_| CardDataError::MyNumber)?;
    MyNumber::parse(digits).map_err(|_| CardDataError::MyNumber)
}

/// Reads EF 0002: the four items inside the `FF20` object (its `DF21` offsets table is skipped).
pub fn parse_attributes(file: &[u8]) -> Result<Attributes, CardDataError> {
    let (tag, mut rest, _) = tlv(file).ok_or(CardDataError::Structure)?;
    if tag != TAG_ATTRIBUTES {
        return Err(CardDataError::Structure);
    }
    let (mut name, mut address, mut birth, mut sex) = (None, None, None, None);
    while !rest.is_empty() {
        let (tag, value, used) = tlv(rest).ok_or(CardDataError::Structure)?;
        match tag {
            TAG_NAME => name = Some(utf8("name", value)?),
            TAG_ADDRESS => address = Some(utf8("address", value)?),
            TAG_BIRTH => birth = Some(utf8("birth_date", value)?),
            TAG_SEX => sex = Some(utf8("sex", value)?),
            _ => {}
        }
        rest = &rest[used..];
    }
    Ok(Attributes {
        name: name.ok_or(CardDataError::Missing("name"))?,
        address: address.ok_or(CardDataError::Missing("address"))?,
        birth_date: yyyymmdd(&birth.ok_or(CardDataError::Missing("birth_date"))?)
            .ok_or(CardDataError::BirthDate)?,
        sex: Sex::from_code(sex.ok_or(CardDataError::Missing("sex"))?.trim())
            .ok_or(CardDataError::Sex)?,
    })
}

fn utf8(item: &'static str, value: &[u8]) -> Result<String, CardDataError> {
    String::from_utf8(value.to_vec()).map_err(|_| CardDataError::Encoding(item))
}

fn yyyymmdd(text: &str) -> Option<Date> {
    let text = text.trim();
    if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = text[..4].parse().ok()?;
    let month: u8 = text[4..6].parse().ok()?;
    let day: u8 = text[6..].parse().ok()?;
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

/// The tag, the value and the bytes used by the TLV object at the start of `bytes`.
fn tlv(bytes: &[u8]) -> Option<(&[u8], &[u8], usize)> {
    let (header, len) = header(bytes)?;
    let end = header.checked_add(len)?;
    if bytes.len() < end {
        return None;
    }
    let tag_len = tag_length(bytes)?;
    Some((&bytes[..tag_len], &bytes[header..end], end))
}

/// The header's length and the value's length.
fn header(bytes: &[u8]) -> Option<(usize, usize)> {
    let tag_len = tag_length(bytes)?;
    let first = *bytes.get(tag_len)?;
    if first < 0x80 {
        return Some((tag_len + 1, usize::from(first)));
    }
    let count = usize::from(first & 0x7F);
    if count == 0 || count > 3 {
        return None;
    }
    let len_bytes = bytes.get(tag_len + 1..tag_len + 1 + count)?;
    let len = len_bytes
        .iter()
        .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
    Some((tag_len + 1 + count, len))
}

/// BER tags: a low tag number fits in the first byte; `1F` in its low bits says more bytes
/// follow, each with its top bit set but the last.
fn tag_length(bytes: &[u8]) -> Option<usize> {
    let first = *bytes.first()?;
    if first & 0x1F != 0x1F {
        return Some(1);
    }
    let mut len = 1;
    loop {
        let b = *bytes.get(len)?;
        len += 1;
        if b & 0x80 == 0 {
            return Some(len);
        }
        if len > 3 {
            return None;
        }
    }
}

/// Builds the two files as a card holds them — for the test card and the tests of every reader.
pub mod sample {
    use super::*;

    pub fn my_number_file(number: &str) -> Vec<u8> {
        object(TAG_MY_NUMBER, number.as_bytes())
    }

    pub fn attributes_file(name: &str, address: &str, birth: &str, sex: &str) -> Vec<u8> {
        let items = [
            (TAG_NAME, name.as_bytes()),
            (TAG_ADDRESS, address.as_bytes()),
            (TAG_BIRTH, birth.as_bytes()),
            (TAG_SEX, sex.as_bytes()),
        ];
        // DF21 holds each item's offset; readers skip it, so any well-formed value does.
        let mut inner = object(&[0xDF, 0x21], &[0; 8]);
        for (tag, value) in items {
            inner.extend(object(tag, value));
        }
        object(TAG_ATTRIBUTES, &inner)
    }

    fn object(tag: &[u8], value: &[u8]) -> Vec<u8> {
        let mut out = tag.to_vec();
        match value.len() {
            n if n < 0x80 => out.push(n as u8),
            n if n <= 0xFF => out.extend([0x81, n as u8]),
            n => out.extend([0x82, (n >> 8) as u8, n as u8]),
        }
        out.extend_from_slice(value);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::sample::*;
    use super::*;

    #[test]
    fn the_four_items_are_read_from_their_tags() {
        let file = attributes_file(
            "大田　花子",
            "東京都大田区蒲田五丁目１３番１４号",
            "19850401",
            "2",
        );
        let attributes = parse_attributes(&file).unwrap();
        assert_eq!(attributes.family_and_given(), ("大田", "花子"));
        assert_eq!(attributes.address, "東京都大田区蒲田五丁目１３番１４号");
        assert_eq!(
            attributes.birth_date,
            Date::from_calendar_date(1985, Month::April, 1).unwrap()
        );
        assert_eq!(attributes.sex, Sex::Female);
        assert_eq!(object_length(&file), Some(file.len()));
        assert_eq!(format!("{attributes:?}"), "Attributes(..)");
    }

    #[test]
    fn a_long_address_takes_a_two_byte_length_and_is_read_in_pieces() {
        let address = "東京都大田区".repeat(20);
        let file = attributes_file("SMITH JOHN", &address, "20000229", "9");
        assert!(file.len() > 256);
        // The first 256 bytes are enough to know how much more to read.
        assert_eq!(object_length(&file[..256]), Some(file.len()));
        let attributes = parse_attributes(&file).unwrap();
        assert_eq!(attributes.address, address);
        assert_eq!(attributes.family_and_given(), ("SMITH", "JOHN"));
        assert_eq!(attributes.sex, Sex::NotApplicable);
    }

    #[test]
    fn damaged_files_are_refused_not_guessed() {
        let file = attributes_file("大田 花子", "東京都", "19851301", "2");
        assert_eq!(parse_attributes(&file), Err(CardDataError::BirthDate));
        let file = attributes_file("大田 花子", "東京都", "19850401", "5");
        assert_eq!(parse_attributes(&file), Err(CardDataError::Sex));
        let file = attributes_file("大田 花子", "東京都", "19850401", "2");
        assert_eq!(
            parse_attributes(&file[..file.len() - 1]),
            Err(CardDataError::Structure)
        );
        assert_eq!(parse_attributes(&[]), Err(CardDataError::Structure));
        assert_eq!(
            parse_attributes(&my_number_file("123456789018")),
            Err(CardDataError::Structure)
        );
    }

    #[test]
    fn the_number_is_checked_by_its_check_digit() {
        let number = parse_my_number(&my_number_file("123456789018")).unwrap();
        assert_eq!(number.masked(), "********9018");
        assert_eq!(
            parse_my_number(&my_number_file("123456789012")).unwrap_err(),
            CardDataError::MyNumber
        );
    }

    #[test]
    fn status_words_say_tries_left_and_blocking() {
        assert_eq!(Status::of(&[0x90, 0x00]), Some((&[][..], Status::Ok)));
        assert_eq!(Status::of(&[0x63, 0xC2]).unwrap().1, Status::TriesLeft(2));
        assert_eq!(Status::of(&[0x69, 0x83]).unwrap().1, Status::Blocked);
        assert_eq!(Status::of(&[0x6A, 0x82]).unwrap().1, Status::NotFound);
        assert_eq!(Status::of(&[0x01, 0x90, 0x00]).unwrap().0, &[0x01]);
        assert_eq!(Status::of(&[0x90]), None);
    }

    #[test]
    fn only_four_digits_are_sent_as_a_pin() {
        assert_eq!(
            verify("1234").unwrap(),
            vec![0x00, 0x20, 0x00, 0x80, 0x04, b'1', b'2', b'3', b'4']
        );
        assert_eq!(verify("12345"), None);
        assert_eq!(verify("１２３４"), None);
        assert_eq!(verify("12a4"), None);
        assert_eq!(select_application()[4], 10);
        assert_eq!(
            select_file(EF_ATTRIBUTES),
            vec![0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x02]
        );
    }
}
