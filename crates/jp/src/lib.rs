//! Japanese resident data, checked and normalised the way Japanese forms need: dates in 和暦,
//! names in kana, phone numbers, マイナンバー and 法人番号 check digits, 全国地方公共団体コード, and
//! the shape of bank-account details.
//!
//! Every parser accepts what people actually type (full-width digits, any hyphen, ひらがな for
//! カタカナ, 元年) and rejects what cannot exist with a message that says why, in Japanese, and
//! suggests the right form where there is one. Nothing here does IO, and no error message ever
//! contains a full My Number.

pub mod address;
pub mod bank;
pub mod charset;
mod charset_tables;
pub mod checkdigit;
pub mod holiday;
pub mod kana;
pub mod mynacard;
pub mod phone;
pub mod postal;
pub mod text;
pub mod wareki;
