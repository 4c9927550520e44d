//! `madoguchi serve --demo`: staff accounts and sample applications in several states, so that
//! a fresh install shows the back office working. Passwords are random and printed once, when
//! the accounts are made; a second start leaves everything as it is.

use crate::accounts::NewAccount;
use crate::cases::ActionInput;
use crate::error::AppError;
use crate::portal::Portal;
use madoguchi_domain::case::StaffAction;
use serde_json::{Value, json};

/// An account the demo made, with its password (shown once).
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub login: String,
    pub password: String,
    pub what: String,
}

const ADMIN: &str = "demo-admin";

/// A small PDF, enough for the attachment questions of the samples.
const SAMPLE_PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\nxref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n0000000115 00000 n \ntrailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n186\n%%EOF\n";

/// Creates the demo accounts and applications unless they exist; returns what it created.
pub async fn seed(portal: &Portal) -> Result<Vec<DemoAccount>, AppError> {
    if portal
        .store
        .staff_by_login(portal.municipality(), ADMIN)
        .await?
        .is_some()
    {
        return Ok(Vec::new());
    }
    // (login, name, department, role, may see 個人番号, what the account is for)
    let accounts = [
        (
            ADMIN,
            "デモ 管理者",
            None,
            Role::Admin,
            false,
            "管理者（全課）",
        ),
        (
            "koseki",
            "戸籍 一郎",
            Some("kosekijumin"),
            Role::Staff,
            false,
            "戸籍住民課（住民票）",
        ),
        (
            "kosodate",
            "子育 花子",
            Some("kosodate-shien"),
            Role::Staff,
            true,
            "子育て支援課（児童手当、個人番号を表示できる）",
        ),
        (
            "madoguchi",
            "窓口 三郎",
            None,
            Role::Counter,
            false,
            "総合窓口（書かない窓口: 来庁者の受付）",
        ),
    ];
    let mut created = Vec::new();
    for (login, name, department, role, my_number, what) in accounts {
        let password = crate::tokens::new_token();
        portal
            .add_staff(&NewAccount {
                login: login.into(),
                display_name: name.into(),
                department: department.map(str::to_owned),
                admin: role == Role::Admin,
                counter: role == Role::Counter,
                my_number_access: my_number,
                password: password.clone(),
            })
            .await?;
        created.push(DemoAccount {
            login: login.into(),
            password,
            what: what.into(),
        });
    }
    seed_applications(portal).await?;
    Ok(created)
}

async fn seed_applications(portal: &Portal) -> Result<(), AppError> {
    let (pdf, _, _) = portal.upload_attachment(SAMPLE_PDF).await?;
    let juminhyo = |family: &str, given: &str, kana: (&str, &str)| {
        json!({
            "name": { "family": family, "given": given, "family_kana": kana.0, "given_kana": kana.1 },
            "address": "東京都大田区蒲田五丁目13番14号",
            "phone": "0357441111",
            "relationship": "self",
            "persons": [{ "name": format!("{family} {given}"), "birth_date": "1980-04-01" }],
            "certificate": "household_all",
            "copies": 1,
            "purpose": "license",
            "identity_document": [{ "attachment": pdf, "name": "menkyo.pdf" }]
        })
    };
    let jido = |family: &str, given: &str, kana: (&str, &str)| {
        json!({
            "civil_servant": false,
            "name": { "family": family, "given": given, "family_kana": kana.0, "given_kana": kana.1 },
            "birth_date": "1988-07-07",
            "postal_code": "1448621",
            "address": "東京都大田区蒲田五丁目13番14号",
            "phone": "09012345678",
            "my_number": "123456789018",
            "has_spouse": false,
            "children": [{ "name": format!("{family} 陽向"), "birth_date": "2021-05-05", "relationship": "child", "lives_together": true }],
            "bank_name": "みずほ銀行",
            "branch_name": "蒲田支店",
            "account": { "bank_code": "0001", "branch_code": "123", "account_type": "ordinary", "account_number": "0012345", "holder_kana": format!("{}\u{3000}{}", kana.0, kana.1) }
        })
    };
    let samples: Vec<(&str, Value, Vec<StaffAction>)> = vec![
        (
            "juminhyo-yuso",
            juminhyo("山田", "太郎", ("ヤマダ", "タロウ")),
            vec![],
        ),
        (
            "juminhyo-yuso",
            juminhyo("佐藤", "花子", ("サトウ", "ハナコ")),
            vec![StaffAction::Accept],
        ),
        (
            "juminhyo-yuso",
            juminhyo("鈴木", "一郎", ("スズキ", "イチロウ")),
            vec![StaffAction::RequestCorrection],
        ),
        // 髙 and 𠮷: the back office flags them as 外字 candidates.
        (
            "jido-teate-nintei",
            jido("髙橋", "𠮷子", ("タカハシ", "ヨシコ")),
            vec![],
        ),
        (
            "jido-teate-nintei",
            jido("田中", "美咲", ("タナカ", "ミサキ")),
            vec![StaffAction::Accept, StaffAction::Approve],
        ),
        // A fee the department sets: decided once the documents were found.
        (
            "kobunsho-kaiji",
            json!({
                "subject": "令和7年度の区民施設の指定管理者との協定書",
                "method": "copy_mail",
                "name": { "family": "伊藤", "given": "健", "family_kana": "イトウ", "given_kana": "ケン" },
                "postal_code": "1448621",
                "address": "東京都大田区蒲田五丁目13番14号",
                "phone": "0357441111"
            }),
            vec![StaffAction::Accept, StaffAction::DecideFee],
        ),
    ];
    let system = crate::accounts::Actor {
        name: "demo".into(),
        scope: None,
        my_number_access: false,
    };
    for (procedure, answers, actions) in samples {
        let caller = crate::limits::Caller::at(std::net::Ipv4Addr::LOCALHOST.into());
        let receipt = portal
            .submit_api(procedure, &answers, None, &caller)
            .await?;
        for action in actions {
            let (text, fields) = match action {
                StaffAction::RequestCorrection => (
                    "住所の番地が住民票と違うようです。住民票のとおりに入力してください。",
                    vec!["address".to_owned()],
                ),
                StaffAction::DecideFee => {
                    ("写し32枚（単色刷り）320円と郵送料140円です。", Vec::new())
                }
                _ => ("", Vec::new()),
            };
            portal
                .act(
                    &system,
                    &receipt.application.receipt_number,
                    &ActionInput {
                        action,
                        text: text.into(),
                        fields,
                        assignee: None,
                        amount: if action == StaffAction::DecideFee {
                            "460".into()
                        } else {
                            String::new()
                        },
                        seen: None,
                    },
                    "127.0.0.1",
                )
                .await?;
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Admin,
    Staff,
    Counter,
}
