//! The catalog's rules through the real router, on SQLite and (with
//! MADOGUCHI_TEST_POSTGRES_URL) PostgreSQL, with JavaScript off: 区民施設 使用許可申請 uses every
//! rule kind — an eligibility stop, a pattern, an address typed twice, a capacity from the chosen
//! facility, options only some facilities offer, a day limited by today, a deadline and the
//! year-end break, and a fee from a price table, a rate and add-ons — and the fee appears
//! wherever the application does.

mod support;

use axum::http::StatusCode;
use madoguchi_app::timefmt::today_jst;
use serde_json::json;
use support::{HOIKU_GUARDIAN, TestApp, add_staff, hoiku_child, resident_status, staff_browser};
use time::{Date, Duration};

/// A day the facility takes: past the 7-day deadline, before the end of the month two months
/// ahead, outside 12月29日〜1月3日.
fn bookable_day() -> Date {
    let mut day = today_jst() + Duration::days(10);
    while matches!(
        (u8::from(day.month()), day.day()),
        (12, 29..=31) | (1, 1..=3)
    ) {
        day += Duration::days(1);
    }
    day
}

fn date_fields(name: &str, d: Date) -> Vec<(String, String)> {
    vec![
        (format!("f.{name}.era"), "seireki".to_owned()),
        (format!("f.{name}.year"), d.year().to_string()),
        (format!("f.{name}.month"), u8::from(d.month()).to_string()),
        (format!("f.{name}.day"), d.day().to_string()),
    ]
}

fn pairs(owned: &[(String, String)]) -> Vec<(&str, &str)> {
    owned
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

const GROUP: [(&str, &str); 5] = [
    ("f.group_name", "蒲田合唱団"),
    ("f.name", "鈴木 花子"),
    ("f.phone", "03-1234-5678"),
    ("f.email", "hanako@example.jp"),
    ("f.email_confirm", "hanako@example.jp"),
];

#[tokio::test]
async fn an_ineligible_resident_is_told_where_to_go_and_nothing_typed_is_kept() {
    let app = TestApp::new().await;
    let (token, first) = app.start("shisetsu-shiyo").await;
    let reply = app.answer(&first, &[("f.user_type", "business")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let target = reply.location();
    assert_eq!(target, "/procedures/shisetsu-shiyo/ineligible/business");
    let page = app.get(&target).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("営利を目的とする事業者の方は");
    page.assert_contains("入力された内容は保存していません");
    // The draft is gone: its resume link leads nowhere, and no answer is stored.
    let resumed = app.get(&format!("/drafts/{token}/steps/user")).await;
    assert_eq!(resumed.status, StatusCode::NOT_FOUND);
    let drafts: i64 = app.scalar("SELECT COUNT(*) FROM drafts").await;
    assert_eq!(drafts, 0);
    let counted: i64 = app
        .scalar(
            "SELECT CAST(SUM(count) AS BIGINT) FROM eligibility_stops WHERE stop_id = 'business'",
        )
        .await;
    assert_eq!(counted, 1);
    // The department sees the count, and nothing else of the resident.
    add_staff(&app, "shisetsu", Some("chiiki-shinko"), false).await;
    let staff = staff_browser(&app, "shisetsu").await;
    let stats = staff.get("/staff/export").await;
    stats.assert_contains("対象外で終了した件数");
    let row = support::between(&stats.body, "営利を目的とする事業者の方は", "</tr>").unwrap();
    assert!(row.contains("<td>1</td>"), "{row}");
    // The API refuses the same answers at the question that decided it.
    let api = app
        .post_json(
            "/api/v1/applications",
            &json!({ "procedure_id": "shisetsu-shiyo", "answers": { "user_type": "business" } }),
            &[],
        )
        .await;
    assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = api.json();
    let errors = body["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["field"] == "user_type" && e["code"] == "ineligible"),
        "{body}"
    );
}

#[tokio::test]
async fn every_rule_is_enforced_without_javascript_and_the_fee_follows_the_application() {
    let app = TestApp::new().await;
    app.get("/procedures/shisetsu-shiyo")
        .await
        .assert_contains("申請の最後に内訳と合計を表示します");
    let (token, first) = app.start("shisetsu-shiyo").await;
    let step = |id: &str| format!("/drafts/{token}/steps/{id}");
    app.answer(&first, &[("f.user_type", "outside")]).await;

    // The same address twice, and a registration number in its pattern.
    let mut group = GROUP.to_vec();
    group[4] = ("f.email_confirm", "hanako@example.com");
    group.push(("f.registration_number", "OT-12"));
    let reply = app.answer(&step("group"), &group).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    reply.assert_contains("メールアドレスと一致しません");
    reply.assert_contains("英字2文字・ハイフン・数字4桁で入力してください");
    reply.assert_contains("value=\"蒲田合唱団\"");
    let mut group = GROUP.to_vec();
    group.push(("f.registration_number", "OT-1234"));
    let reply = app.answer(&step("group"), &group).await;
    assert_eq!(reply.location(), step("when"), "{}", reply.body);

    // The page says which days can be chosen, counted from today.
    app.get(&step("when"))
        .await
        .assert_contains("までの日を選べます");
    // Too close to the day: the deadline, in both calendars.
    let soon = today_jst() + Duration::days(2);
    let mut when = vec![("f.facility".to_owned(), "kamata-center".to_owned())];
    when.extend(date_fields("use_date", soon));
    let reply = app.answer(&step("when"), &pairs(&when)).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    reply.assert_contains("申込の締切");
    reply.assert_contains("令和");
    let mut when = vec![("f.facility".to_owned(), "kamata-center".to_owned())];
    when.extend(date_fields("use_date", bookable_day()));
    let reply = app.answer(&step("when"), &pairs(&when)).await;
    assert_eq!(reply.location(), step("use"), "{}", reply.body);

    // 蒲田 has no evening slot and no piano: they are not offered, and refused if sent anyway.
    let page = app.get(&step("use")).await;
    assert!(!page.body.contains("value=\"evening\""));
    assert!(!page.body.contains("value=\"piano\""));
    let over = [
        ("f.time_slots", "morning"),
        ("f.time_slots", "evening"),
        ("f.attendees", "41"),
        ("f.purpose", "定期練習"),
        ("f.commercial", "no"),
    ];
    let reply = app.answer(&step("use"), &over).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    reply.assert_contains("人数が施設の定員を超えています");
    reply.assert_contains("ほかの回答との組み合わせでは選べません");
    let fine = [
        ("f.time_slots", "morning"),
        ("f.time_slots", "afternoon"),
        ("f.attendees", "40"),
        ("f.equipment", "projector"),
        ("f.purpose", "定期練習"),
        ("f.commercial", "no"),
    ];
    let reply = app.answer(&step("use"), &fine).await;
    assert_eq!(
        reply.location(),
        format!("/drafts/{token}/review"),
        "{}",
        reply.body
    );

    // 区外: (1,000 + 1,400) × 150 % + プロジェクター 1,000 = 4,600円, line by line.
    let review = app.get(&format!("/drafts/{token}/review")).await;
    review.assert_contains("使用料（施設・時間帯）");
    review.assert_contains("3,600円");
    review.assert_contains("付帯設備");
    review.assert_contains("4,600円");
    let submitted = app
        .post_form(
            &format!("/drafts/{token}/submit"),
            &[("_csrf", &review.csrf())],
        )
        .await;
    assert_eq!(
        submitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        submitted.body
    );
    let done = app.get(&submitted.location()).await;
    done.assert_contains("4,600円");
    let code = support::between(&done.body, "id=\"receipt-number\">", "<").unwrap();
    let access = support::between(&done.body, "id=\"access-code\">", "<").unwrap();

    // The status page, the API, the staff case page and the export say the same.
    resident_status(&app, &code, &access)
        .await
        .assert_contains("4,600円");
    let api = app
        .get_with(
            &format!("/api/v1/applications/{code}"),
            &[("access-code", &access)],
        )
        .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let fee = &api.json()["fee"];
    assert_eq!(
        (fee["status"].as_str(), fee["amount"].as_u64()),
        (Some("amount"), Some(4600)),
        "{fee}"
    );
    add_staff(&app, "shisetsu", Some("chiiki-shinko"), false).await;
    let staff = staff_browser(&app, "shisetsu").await;
    staff
        .get(&format!("/staff/cases/{code}"))
        .await
        .assert_contains("4,600円");
    let csv = staff
        .get("/staff/export/file?procedure=shisetsu-shiyo&format=csv")
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    csv.assert_contains("使用料");
    csv.assert_contains("4600");
}

#[tokio::test]
async fn a_question_of_one_item_applies_by_that_items_own_answers() {
    let app = TestApp::new().await;
    let send = |children: serde_json::Value| {
        let mut answers = support::jido("高橋");
        answers["children"] = children;
        let app = &app;
        async move {
            app.post_json(
                "/api/v1/applications",
                &json!({ "procedure_id": "jido-teate-nintei", "answers": answers }),
                &[],
            )
            .await
        }
    };
    let apart = json!({ "name": "高橋 蒼", "birth_date": "2012-05-01", "relationship": "child", "lives_together": false });
    let home = json!({ "name": "高橋 陽向", "birth_date": "2020-01-15", "relationship": "child", "lives_together": true });
    // The child who lives apart needs an address; the one at home does not.
    let missing = send(json!([home.clone(), apart.clone()])).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = missing.json()["errors"].clone();
    assert_eq!(errors[0]["field"], "children[1].address", "{errors}");
    assert_eq!(errors[0]["code"], "required");
    let mut home_with_address = home.clone();
    home_with_address["address"] = json!("東京都大田区蒲田五丁目13番14号");
    let stray = send(json!([home_with_address, apart.clone()])).await;
    let codes: Vec<String> = stray.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{} {}", e["field"], e["code"]))
        .collect();
    assert!(
        codes.contains(&"\"children[0].address\" \"not_applicable\"".to_owned()),
        "{codes:?}"
    );
    let mut apart_with_address = apart;
    apart_with_address["address"] = json!("東京都八王子市元本郷町三丁目24番1号");
    // The child who lives apart needs a 別居監護申立書 of their own: a file of that item, which
    // must have been uploaded.
    let no_file = send(json!([home.clone(), apart_with_address.clone()])).await;
    assert_eq!(no_file.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = no_file.json()["errors"].clone();
    assert_eq!(
        (errors[0]["field"].as_str(), errors[0]["code"].as_str()),
        (
            Some("children[1].separate_care_statement"),
            Some("required")
        ),
        "{errors}"
    );
    apart_with_address["separate_care_statement"] =
        json!([{ "attachment": "ab".repeat(32), "name": "moshitate.pdf" }]);
    let never_uploaded = send(json!([home.clone(), apart_with_address.clone()])).await;
    assert_eq!(never_uploaded.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = never_uploaded.json()["errors"].clone();
    assert_eq!(
        errors[0]["field"], "children[1].separate_care_statement",
        "{errors}"
    );
    let pdf = support::upload(&app).await;
    apart_with_address["separate_care_statement"] =
        json!([{ "attachment": pdf, "name": "moshitate.pdf", "size": 1 }]);
    let fine = send(json!([home, apart_with_address])).await;
    assert_eq!(fine.status, StatusCode::CREATED, "{}", fine.body);
    // The department finds the child's file on the case and downloads it.
    let receipt = fine.json()["receipt_number"].as_str().unwrap().to_owned();
    add_staff(&app, "kosodate", Some("kosodate-shien"), false).await;
    let staff = staff_browser(&app, "kosodate").await;
    let case = staff.get(&format!("/staff/cases/{receipt}")).await;
    let href = format!("/staff/cases/{receipt}/files/{pdf}");
    case.assert_contains(&format!("href=\"{href}\""));
    let (status, _, bytes) = staff.get_bytes(&href).await;
    assert_eq!((status, bytes.as_slice()), (StatusCode::OK, support::PDF));
    // The size is the one the store recorded, not the one claimed.
    let stored = app
        .scalar::<String>("SELECT CAST(answers AS TEXT) FROM applications")
        .await;
    assert!(
        stored.contains(&format!("\"size\":{}", support::PDF.len()))
            || stored.contains(&format!("\"size\": {}", support::PDF.len())),
        "{stored}"
    );
}

/// 別居監護申立書 for each child living apart, on the page with JavaScript off: the file chosen
/// for an item is kept while the page is fixed, moves with its item when another is removed,
/// and is saved with the draft.
#[tokio::test]
async fn a_file_of_one_group_item_stays_with_that_item_until_submission() {
    let app = TestApp::new().await;
    let (token, first) = app.start("jido-teate-nintei").await;
    app.answer(&first, &[("f.civil_servant", "no")]).await;
    let children = format!("/drafts/{token}/steps/children");
    let page = app.get(&children).await;
    let csrf = page.csrf();
    let home = [
        ("f.children.0.name", "高橋 陽向"),
        ("f.children.0.birth_date.year", "2020"),
        ("f.children.0.birth_date.month", "1"),
        ("f.children.0.birth_date.day", "15"),
        ("f.children.0.relationship", "child"),
        ("f.children.0.lives_together", "yes"),
    ];
    let apart = [
        // The second child's name is missing: the page comes back.
        ("f.children.1.birth_date.year", "2012"),
        ("f.children.1.birth_date.month", "5"),
        ("f.children.1.birth_date.day", "1"),
        ("f.children.1.relationship", "child"),
        ("f.children.1.lives_together", "no"),
        (
            "f.children.1.address",
            "東京都八王子市元本郷町三丁目24番1号",
        ),
    ];
    let mut pairs = vec![("_csrf", csrf.as_str()), ("f.children.items", "2")];
    pairs.extend(home);
    pairs.extend(apart);
    let reply = app
        .post_multipart(
            &children,
            &pairs,
            &[(
                "f.children.1.separate_care_statement",
                "別居監護申立書.pdf",
                support::PDF,
            )],
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    reply.assert_contains("添付済み：別居監護申立書.pdf");
    let kept = support::between(
        &reply.body,
        "name=\"f.children.1.separate_care_statement.kept\" value=\"",
        "\"",
    )
    .expect("the file is kept on the page");

    // Removing the first child moves the second, file and all, to the first place.
    let csrf = reply.csrf();
    let mut pairs = vec![
        ("_csrf", csrf.as_str()),
        ("f.children.items", "2"),
        ("f.children.1.separate_care_statement.kept", kept.as_str()),
        ("action", "remove:children:0"),
    ];
    pairs.extend(home);
    pairs.extend(apart);
    pairs.push(("f.children.1.name", "高橋 蒼"));
    let moved = app.post_multipart(&children, &pairs, &[]).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    moved.assert_contains("name=\"f.children.0.separate_care_statement.kept\"");
    moved.assert_contains("value=\"高橋 蒼\"");

    // Saved with the file; a forged kept control (a file the store does not hold) is no file.
    let csrf = moved.csrf();
    let forged = format!("{}:x.pdf", "cd".repeat(32));
    let only = [
        ("_csrf", csrf.as_str()),
        ("f.children.items", "1"),
        ("f.children.0.name", "高橋 蒼"),
        ("f.children.0.birth_date.year", "2012"),
        ("f.children.0.birth_date.month", "5"),
        ("f.children.0.birth_date.day", "1"),
        ("f.children.0.relationship", "child"),
        ("f.children.0.lives_together", "no"),
        (
            "f.children.0.address",
            "東京都八王子市元本郷町三丁目24番1号",
        ),
    ];
    let mut with_forged = only.to_vec();
    with_forged.push(("f.children.0.separate_care_statement.kept", forged.as_str()));
    let refused = app.post_multipart(&children, &with_forged, &[]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("別居監護申立書を添付してください");
    let csrf = refused.csrf();
    let mut with_kept = only.to_vec();
    with_kept[0] = ("_csrf", csrf.as_str());
    with_kept.push(("f.children.0.separate_care_statement.kept", kept.as_str()));
    let saved = app.post_multipart(&children, &with_kept, &[]).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    // Shown again from the draft, the item still has its file.
    app.get(&children)
        .await
        .assert_contains("添付済み：別居監護申立書.pdf");
    let stored = app.stored_answers().await;
    assert!(stored.contains("別居監護申立書.pdf"), "{stored}");
}

#[tokio::test]
async fn ranked_choices_keep_their_order_and_refuse_a_facility_twice() {
    let app = TestApp::new().await;
    let (token, first) = app.start("hoiku-moshikomi").await;
    assert_eq!(
        app.answer(&first, &HOIKU_GUARDIAN).await.status,
        StatusCode::SEE_OTHER
    );
    let children = format!("/drafts/{token}/steps/children");
    let page = app.get(&children).await;
    page.assert_contains("第1希望");
    page.assert_contains("name=\"f.children.0.preferences.rank5\"");
    let child = |first: &'static str, second: &'static str| {
        hoiku_child(&[
            ("f.children.0.preferences.rank1", first),
            ("f.children.0.preferences.rank3", second),
        ])
    };
    let twice = app
        .answer(&children, &child("kamata-kita", "kamata-kita"))
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    twice.assert_contains("同じものが選ばれています");
    let ranked = app
        .answer(&children, &child("kamata-kita", "omori-chuo"))
        .await;
    assert_eq!(ranked.status, StatusCode::SEE_OTHER, "{}", ranked.body);
    // The blank second rank is closed up: 蒲田北 first, 大森中央 second.
    let again = app.get(&children).await;
    again.assert_contains("name=\"f.children.0.preferences.rank2\"");
    // (PostgreSQL writes JSON with spaces after commas.)
    let stored = app.stored_answers().await.replace(' ', "");
    assert!(
        stored.contains("[\"kamata-kita\",\"omori-chuo\"]"),
        "{stored}"
    );
}

#[tokio::test]
async fn an_address_outside_the_ward_is_refused_or_explained_where_the_ward_allows() {
    let app = TestApp::new().await;
    // 児童手当 is the municipality of residence's: no reason makes an outside address do.
    let mut answers = support::jido("高橋");
    answers["postal_code"] = json!("192-0001");
    answers["address"] = json!("東京都八王子市戸吹町1番地");
    let api = app
        .post_json(
            "/api/v1/applications",
            &json!({ "procedure_id": "jido-teate-nintei", "answers": answers }),
            &[],
        )
        .await;
    assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", api.body);
    let error = &api.json()["errors"][0];
    assert_eq!(
        (error["field"].as_str(), error["code"].as_str()),
        (Some("postal_code"), Some("outside_municipality"))
    );
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("大田区にお住まいの方が対象です")
    );

    // 保育園: a family moving in says so, and the page keeps what was typed.
    let (token, first) = app.start("hoiku-moshikomi").await;
    let mut guardian = HOIKU_GUARDIAN.to_vec();
    guardian[1] = ("f.address", "東京都八王子市戸吹町1番地");
    guardian.push(("f.postal_code", "192-0001"));
    let refused = app.answer(&first, &guardian).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("大田区の外にお住まいの場合は、その理由を入力してください");
    refused.assert_contains("value=\"東京都八王子市戸吹町1番地\"");
    let mut explained = guardian.to_vec();
    explained.push(("f.outside_reason", "2027年3月に大田区へ転入予定です"));
    let reply = app.answer(&first, &explained).await;
    assert_eq!(
        reply.location(),
        format!("/drafts/{token}/steps/children"),
        "{}",
        reply.body
    );
    // Inside the ward, no reason is asked for.
    let (_, again) = app.start("hoiku-moshikomi").await;
    let mut inside = HOIKU_GUARDIAN.to_vec();
    inside.push(("f.postal_code", "144-0052"));
    assert_eq!(
        app.answer(&again, &inside).await.status,
        StatusCode::SEE_OTHER
    );
}

/// 公文書の開示請求: the copy fee is known only once the documents are found, so the department
/// decides it; until then every reader is told so, and afterwards every reader shows the amount.
#[tokio::test]
async fn a_fee_the_department_sets_is_decided_on_the_case_and_reaches_every_reader() {
    let app = TestApp::new().await;
    app.get("/procedures/kobunsho-kaiji")
        .await
        .assert_contains("審査のうえ、担当課からお知らせします");
    let (receipt, code) = support::apply(&app, "kobunsho-kaiji", kobunsho("copy_mail")).await;
    let api_fee = || async {
        let reply = app
            .get_with(
                &format!("/api/v1/applications/{receipt}"),
                &[("access-code", &code)],
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.json()["fee"].clone()
    };
    let fee = api_fee().await;
    assert_eq!(fee["status"], "decided_by_staff", "{fee}");
    assert!(fee["amount"].is_null(), "{fee}");

    add_staff(&app, "somu", Some("somu"), false).await;
    let staff = staff_browser(&app, "somu").await;
    let case = staff.get(&format!("/staff/cases/{receipt}")).await;
    case.assert_contains("手数料を決定する");
    let bad = support::act(
        &staff,
        &receipt,
        &[("action", "decide_fee"), ("amount", "四百六十")],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("円単位の数字で入力してください");
    let decided = support::act(
        &staff,
        &receipt,
        &[
            ("action", "decide_fee"),
            ("amount", "４６０円"),
            ("text", "写し32枚（単色刷り）320円と郵送料140円です。"),
        ],
    )
    .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.body);
    staff
        .get(&format!("/staff/cases/{receipt}"))
        .await
        .assert_contains("460円（担当課が決定しました）");

    let status = resident_status(&app, &receipt, &code).await;
    status.assert_contains("460円（担当課が決定しました）");
    status.assert_contains("手数料が決まりました：写し32枚");
    let fee = api_fee().await;
    assert_eq!(
        (fee["status"].as_str(), fee["amount"].as_u64()),
        (Some("decided"), Some(460)),
        "{fee}"
    );
    let csv = staff
        .get("/staff/export/file?procedure=kobunsho-kaiji&format=csv")
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    let line = csv.body.lines().find(|l| l.contains(&receipt)).unwrap();
    assert!(line.ends_with(",460"), "{line}");

    // The resident is mailed the amount and the department's words.
    madoguchi_app::mail::process_outbox(&app.portal)
        .await
        .unwrap();
    let fee_mail = std::fs::read_dir(app.dir.path().join("mail"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .map(|m| support::mail_body(&m))
        .find(|body| body.contains("手数料は 460円 です"))
        .expect("a mail with the decided fee");
    assert!(fee_mail.contains("郵送料140円"), "{fee_mail}");
}

#[tokio::test]
async fn only_a_fee_the_department_sets_can_be_decided_and_two_decisions_at_once_stay_consistent() {
    let app = TestApp::new().await;
    add_staff(&app, "somu", Some("somu"), false).await;
    add_staff(&app, "admin", None, false).await;
    let (receipt, _) = support::apply(&app, "kobunsho-kaiji", kobunsho("copy_counter")).await;
    let staff = staff_browser(&app, "somu").await;
    let page = staff.get(&format!("/staff/cases/{receipt}")).await;
    let csrf = page.csrf();
    let decide = |amount: &'static str| {
        staff.form_request(
            &format!("/staff/cases/{receipt}/actions"),
            &[
                ("_csrf", &csrf),
                ("action", "decide_fee"),
                ("seen", "submitted"),
                ("amount", amount),
            ],
        )
    };
    let replies = staff.send_all(vec![decide("100"), decide("200")]).await;
    for reply in &replies {
        assert!(
            matches!(reply.status, StatusCode::SEE_OTHER | StatusCode::CONFLICT),
            "{} {}",
            reply.status,
            reply.body
        );
    }
    // The amount kept is the one of the last decision recorded in the history.
    let kept: i64 = app.scalar("SELECT decided_fee FROM applications").await;
    let decisions: i64 = app
        .scalar("SELECT COUNT(*) FROM application_events WHERE kind = 'fee_decided'")
        .await;
    let done = replies
        .iter()
        .filter(|r| r.status == StatusCode::SEE_OTHER)
        .count();
    assert_eq!(usize::try_from(decisions).unwrap(), done);
    assert!(kept == 100 || kept == 200, "{kept}");
    staff
        .get(&format!("/staff/cases/{receipt}"))
        .await
        .assert_contains(&format!("{kept}円（担当課が決定しました）"));

    // A fee the definition computes cannot be overridden, by staff or by a business system.
    let pdf = support::upload(&app).await;
    let (juminhyo, _) =
        support::apply(&app, "juminhyo-yuso", support::juminhyo(&pdf, "山田")).await;
    let admin = staff_browser(&app, "admin").await;
    let refused = support::act(
        &admin,
        &juminhyo,
        &[("action", "decide_fee"), ("amount", "0")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("申請内容から計算されるため、決定できません");
    let stored: Option<i64> = app
        .scalar(&format!(
            "SELECT decided_fee FROM applications WHERE receipt_number = '{juminhyo}'"
        ))
        .await;
    assert_eq!(stored, None);
}

fn kobunsho(method: &str) -> serde_json::Value {
    json!({
        "subject": "令和7年度の区民施設の指定管理者との協定書",
        "method": method,
        "name": { "family": "伊藤", "given": "健", "family_kana": "イトウ", "given_kana": "ケン" },
        "postal_code": "1448621",
        "address": "東京都大田区蒲田五丁目13番14号",
        "phone": "0357441111",
        "email": "ken@example.jp"
    })
}
