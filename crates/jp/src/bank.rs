//! The shape of a bank account for 口座振込 (全銀協 conventions): 金融機関コード (4 digits),
//! 支店コード (3), 口座種別, 口座番号 (7; shorter numbers are padded with leading zeros, as
//! banks print them), and 口座名義 in katakana. Whether the account exists only the bank knows.

use crate::kana;
use crate::text::digits_only;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountType {
    /// 普通
    Ordinary,
    /// 当座
    Current,
    /// 貯蓄
    Savings,
}

impl AccountType {
    pub fn parse(input: &str) -> Option<Self> {
        match input.trim() {
            "普通" | "1" | "ordinary" => Some(Self::Ordinary),
            "当座" | "2" | "current" => Some(Self::Current),
            "貯蓄" | "4" | "savings" => Some(Self::Savings),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Ordinary => "普通",
            Self::Current => "当座",
            Self::Savings => "貯蓄",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BankError {
    #[error("金融機関コードは4桁の数字です")]
    BankCode,
    #[error("支店コードは3桁の数字です")]
    BranchCode,
    #[error("口座種別は普通・当座・貯蓄から選んでください")]
    AccountType,
    #[error("口座番号は7桁以内の数字です")]
    AccountNumber,
    #[error("口座名義はカタカナで入力してください（使えない文字：{0}）")]
    Holder(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankAccount {
    pub bank_code: String,
    pub branch_code: String,
    pub account_type: AccountType,
    pub account_number: String,
    pub holder_kana: String,
}

impl BankAccount {
    pub fn parse(
        bank_code: &str,
        branch_code: &str,
        account_type: &str,
        account_number: &str,
        holder: &str,
    ) -> Result<Self, BankError> {
        let exact =
            |s: &str, n: usize, e: BankError| digits_only(s).filter(|d| d.len() == n).ok_or(e);
        let number = digits_only(account_number)
            .filter(|d| d.len() <= 7)
            .ok_or(BankError::AccountNumber)?;
        let holder_kana = holder_kana(holder)?;
        Ok(Self {
            bank_code: exact(bank_code, 4, BankError::BankCode)?,
            branch_code: exact(branch_code, 3, BankError::BranchCode)?,
            account_type: AccountType::parse(account_type).ok_or(BankError::AccountType)?,
            account_number: format!("{number:0>7}"),
            holder_kana,
        })
    }
}

/// 口座名義: katakana (ひらがな and 半角 accepted), Latin capitals, digits, spaces and the
/// punctuation banks allow in names: （）().-/ and 株式会社's abbreviations such as カ）.
fn holder_kana(input: &str) -> Result<String, BankError> {
    let normalized = kana::normalize(&input.to_uppercase());
    let allowed = |c: char| matches!(c, 'ァ'..='ヶ' | 'ー' | '\u{3000}' | 'A'..='Z' | '0'..='9' | 'Ａ'..='Ｚ' | '０'..='９' | '(' | ')' | '（' | '）' | '.' | '-' | '/' | '．' | '－' | '／');
    let bad: String = normalized
        .chars()
        .filter(|c| !allowed(*c))
        .map(|c| format!("「{c}」"))
        .collect();
    if normalized.is_empty() || !bad.is_empty() {
        return Err(BankError::Holder(bad));
    }
    Ok(normalized)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_normalised() {
        let a = BankAccount::parse("０００１", "001", "普通", "12345", "やまだ たろう").unwrap();
        assert_eq!(
            (
                a.bank_code.as_str(),
                a.branch_code.as_str(),
                a.account_number.as_str()
            ),
            ("0001", "001", "0012345")
        );
        assert_eq!(a.holder_kana, "ヤマダ\u{3000}タロウ");
        assert_eq!(a.account_type, AccountType::Ordinary);
    }

    #[test]
    fn wrong_shapes_are_refused() {
        assert_eq!(
            BankAccount::parse("001", "001", "普通", "1", "ヤマダ"),
            Err(BankError::BankCode)
        );
        assert_eq!(
            BankAccount::parse("0001", "01", "普通", "1", "ヤマダ"),
            Err(BankError::BranchCode)
        );
        assert_eq!(
            BankAccount::parse("0001", "001", "定期", "1", "ヤマダ"),
            Err(BankError::AccountType)
        );
        assert_eq!(
            BankAccount::parse("0001", "001", "普通", "12345678", "ヤマダ"),
            Err(BankError::AccountNumber)
        );
        assert_eq!(
            BankAccount::parse("0001", "001", "普通", "1", "山田"),
            Err(BankError::Holder("「山」「田」".into()))
        );
    }
}
