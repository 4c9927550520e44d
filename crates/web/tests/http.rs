//! Black-box tests through the real HTTP router: what a resident and an API client see.
//! Run on SQLite by default and on PostgreSQL with `MADOGUCHI_TEST_POSTGRES_URL` set.

mod support;

use axum::http::StatusCode;
use serde_json::json;
use support::{PDF, TestApp, between};

#[tokio::test]
async fn health_check_answers() {
    let app = TestApp::new().await;
    let reply = app.get("/healthz").await;
    assert_eq!((reply.status, reply.body.as_str()), (StatusCode::OK, "ok"));
}

#[tokio::test]
async fn residents_find_procedures_by_japanese_keyword_category_and_life_event() {
    let app = TestApp::new().await;
    let home = app.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    home.assert_contains("大田区のオンライン窓口");
    home.assert_contains("引越し");

    let found = app.get("/procedures?q=%E4%BD%8F%E6%B0%91%E7%A5%A8").await; // 住民票
    found.assert_contains("住民票の写し等の交付請求（郵送）");
    let found = app
        .get("/procedures?q=%E5%85%90%E7%AB%A5%E6%89%8B%E5%BD%93")
        .await; // 児童手当
    found.assert_contains("児童手当 認定請求");
    let found = app
        .get("/procedures?q=%E3%81%9D%E3%81%A0%E3%81%84%E3%81%94%E3%81%BF")
        .await; // そだいごみ
    found.assert_contains("粗大ごみ 収集申込");
    let none = app.get("/procedures?q=zzzz").await;
    none.assert_contains("該当する手続はありません");

    let moving = app.get("/procedures?life_event=hikkoshi").await;
    moving.assert_contains("転出届");
    moving.assert_contains("国民健康保険 資格喪失届");
    let children = app.get("/procedures?category=kosodate").await;
    children.assert_contains("保育施設 利用申込");
}

#[tokio::test]
async fn a_procedure_page_says_what_to_prepare_and_who_handles_it() {
    let app = TestApp::new().await;
    let page = app.get("/procedures/juminhyo-yuso").await;
    page.assert_contains("本人確認書類の写し");
    page.assert_contains("1通あたり300円");
    page.assert_contains("戸籍住民課 証明係");
    page.assert_contains("申請を始める");

    let counter = app.get("/procedures/inkan-toroku").await;
    counter.assert_contains("この手続はオンラインでは申請できません");
    counter.assert_contains("登録する印鑑の現物");
    assert!(!counter.body.contains("申請を始める"));
    assert_eq!(
        app.get("/procedures/no-such-thing").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let app = TestApp::new().await;
    app.get("/").await;
    let reply = app
        .post_form("/procedures/juminhyo-yuso/start", &[("_csrf", "forged")])
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    reply.assert_contains("ページの有効期限が切れました");
}

/// The whole 住民票 journey: errors next to fields, a repeating group, a conditional step, a
/// file upload, the check page with the fee, one submission despite a double click, the
/// confirmation mail, the status page and withdrawal.
#[tokio::test]
async fn a_resident_applies_for_a_residence_record_from_start_to_withdrawal() {
    let app = TestApp::new().await;
    let (token, first) = app.start("juminhyo-yuso").await;
    let base = format!("/drafts/{token}");

    // Submitting the first page empty: messages next to the fields, and nothing typed is lost.
    let reply = app
        .answer(
            &first,
            &[
                ("f.name.family", "山田"),
                ("f.name.given", "太郎"),
                ("f.phone", "abc"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    reply.assert_contains("入力内容を確認してください");
    reply.assert_contains("氏名（セイ）を入力してください");
    reply.assert_contains("href=\"#f-name-family_kana\"");
    let kanji = app
        .answer(&first, &[("f.name.family_kana", "山田タロウ")])
        .await;
    kanji.assert_contains(
        "氏名（セイ）はカタカナかひらがなで入力してください（使えない文字：「山」「田」）",
    );
    kanji.assert_contains("value=\"山田タロウ\"");
    reply.assert_contains("0から始まる10桁または11桁の電話番号");
    let short = app.answer(&first, &[("f.phone", "090-1234-567")]).await;
    short.assert_contains(
        "日中に連絡がとれる電話番号：携帯電話の番号は11桁です（10桁入力されています）",
    );
    reply.assert_contains("value=\"山田\"");
    reply.assert_contains("value=\"abc\"");
    assert!(
        reply.body.contains("<title>エラー："),
        "the title announces the error"
    );

    let reply = app
        .answer(
            &first,
            &[
                ("f.name.family", "山田"),
                ("f.name.given", "太郎"),
                ("f.name.family_kana", "やまだ"),
                ("f.name.given_kana", "たろう"),
                ("f.address", "東京都大田区蒲田五丁目13番14号"),
                ("f.phone", "０３－５７４４－１１１１"),
                ("f.email", "taro@example.jp"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(reply.location(), format!("{base}/steps/relation"));

    let reply = app
        .answer(
            &format!("{base}/steps/relation"),
            &[("f.relationship", "household")],
        )
        .await;
    assert_eq!(
        reply.location(),
        format!("{base}/steps/persons"),
        "the proxy step does not apply"
    );

    // The repeating group: add a second person, keeping the first one's answers.
    let persons = format!("{base}/steps/persons");
    let added = app
        .answer(
            &persons,
            &[
                ("f.persons.items", "1"),
                ("f.persons.0.name", "山田 太郎"),
                ("f.persons.0.birth_date.year", "1980"),
                ("f.persons.0.birth_date.month", "4"),
                ("f.persons.0.birth_date.day", "1"),
                ("action", "add:persons"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::OK);
    added.assert_contains("2人目");
    added.assert_contains("value=\"1980\"");
    let reply = app
        .post_form(
            &persons,
            &[
                ("_csrf", &added.csrf()),
                ("f.persons.items", "2"),
                ("f.persons.0.name", "山田 太郎"),
                ("f.persons.0.birth_date.year", "1980"),
                ("f.persons.0.birth_date.month", "4"),
                ("f.persons.0.birth_date.day", "1"),
                ("f.persons.1.name", "山田 花子"),
                ("f.persons.1.birth_date.year", "2019"),
                ("f.persons.1.birth_date.month", "2"),
                ("f.persons.1.birth_date.day", "30"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    reply.assert_contains("2人目：生年月日は実在する日付を入力してください");
    reply.assert_contains("value=\"山田 花子\"");
    let reply = app
        .post_form(
            &persons,
            &[
                ("_csrf", &reply.csrf()),
                ("f.persons.items", "2"),
                ("f.persons.0.name", "山田 太郎"),
                ("f.persons.0.birth_date.year", "1980"),
                ("f.persons.0.birth_date.month", "4"),
                ("f.persons.0.birth_date.day", "1"),
                ("f.persons.1.name", "山田 花子"),
                ("f.persons.1.birth_date.year", "2019"),
                ("f.persons.1.birth_date.month", "2"),
                ("f.persons.1.birth_date.day", "28"),
            ],
        )
        .await;
    assert_eq!(reply.location(), format!("{base}/steps/kind"));

    let reply = app
        .answer(
            &format!("{base}/steps/kind"),
            &[
                ("f.certificate", "household_part"),
                ("f.include", "zokugara"),
                ("f.copies", "２"),
            ],
        )
        .await;
    assert_eq!(reply.location(), format!("{base}/steps/purpose"));

    // A file that is not what it claims to be is refused by its content; the choice is kept.
    let purpose = format!("{base}/steps/purpose");
    let page = app.get(&purpose).await;
    page.assert_contains("enctype=\"multipart/form-data\"");
    let reply = app
        .post_multipart(
            &purpose,
            &[("_csrf", &page.csrf()), ("f.purpose", "other")],
            &[("f.identity_document", "menkyo.pdf", b"MZ not a pdf")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    reply.assert_contains("本人確認書類の写しはPDF、JPEG、PNGのファイルを添付してください");
    let reply = app
        .post_multipart(
            &purpose,
            &[("_csrf", &reply.csrf()), ("f.purpose", "other")],
            &[("f.identity_document", "menkyo.pdf", PDF)],
        )
        .await;
    assert_eq!(
        reply.location(),
        format!("{base}/steps/purpose_detail"),
        "choosing その他 brings its step"
    );

    let reply = app
        .answer(
            &format!("{base}/steps/purpose_detail"),
            &[("f.purpose_other", "相続の手続")],
        )
        .await;
    assert_eq!(reply.location(), format!("{base}/review"));

    let review = app.get(&format!("{base}/review")).await;
    review.assert_contains("山田 花子");
    review.assert_contains("2019年2月28日");
    review.assert_contains("menkyo.pdf");
    review.assert_contains("相続の手続");
    review.assert_contains("600円");
    review.assert_contains("0357441111");
    review.assert_contains("ヤマダ\u{3000}タロウ");

    // Two clicks on 送信: one application.
    let csrf = review.csrf();
    let first_submit = app
        .post_form(&format!("{base}/submit"), &[("_csrf", &csrf)])
        .await;
    let second_submit = app
        .post_form(&format!("{base}/submit"), &[("_csrf", &csrf)])
        .await;
    assert_eq!(first_submit.location(), format!("{base}/done"));
    assert_eq!(second_submit.location(), format!("{base}/done"));
    assert_eq!(app.application_count().await, 1);

    let done = app.get(&format!("{base}/done")).await;
    done.assert_contains("申請を受け付けました");
    let receipt = between(&done.body, "id=\"receipt-number\">", "<").unwrap();
    let code = between(&done.body, "id=\"access-code\">", "<").unwrap();
    assert_eq!(done.headers.get("cache-control").unwrap(), "no-store");

    // The draft is frozen: its pages lead to the confirmation.
    assert_eq!(
        app.get(&format!("{base}/steps/kind")).await.location(),
        format!("{base}/done")
    );

    // The confirmation mail, sent by the outbox after the commit.
    let sent = madoguchi_app::mail::process_outbox(&app.portal)
        .await
        .unwrap();
    assert_eq!(sent, 1);
    let mail_dir = app.dir.path().join("mail");
    let mail = std::fs::read_dir(&mail_dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let text = std::fs::read_to_string(mail).unwrap();
    assert!(text.contains("taro@example.jp"));
    assert!(!text.contains(&code), "the access code is never mailed");

    // Status with a wrong code looks the same as an unknown number.
    let form = app.get("/status").await;
    let wrong = app
        .post_form(
            "/status",
            &[
                ("_csrf", &form.csrf()),
                ("receipt", &receipt),
                ("access_code", "AAAAA-AAAAA"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    wrong.assert_contains("受付番号またはアクセスコードが正しくありません");
    wrong.assert_contains(&format!("value=\"{receipt}\""));

    let status = app
        .post_form(
            "/status",
            &[
                ("_csrf", &form.csrf()),
                ("receipt", &receipt),
                ("access_code", &code.to_lowercase()),
            ],
        )
        .await;
    assert_eq!(status.status, StatusCode::OK);
    status.assert_contains("受付済み（確認待ち）");
    status.assert_contains("申請を受け付けました");
    status.assert_contains("相続の手続");

    // Withdrawal needs the box ticked, then works once.
    let unconfirmed = app
        .post_form(
            "/status/withdraw",
            &[
                ("_csrf", &status.csrf()),
                ("receipt", &receipt),
                ("access_code", &code),
            ],
        )
        .await;
    assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
    unconfirmed.assert_contains("チェックを入れてください");
    let withdrawn = app
        .post_form(
            "/status/withdraw",
            &[
                ("_csrf", &status.csrf()),
                ("receipt", &receipt),
                ("access_code", &code),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(withdrawn.status, StatusCode::OK);
    withdrawn.assert_contains("申請を取り下げました。");
    withdrawn.assert_contains("取下げ");
    assert!(
        !withdrawn.body.contains("action=\"/status/withdraw\""),
        "no second withdrawal offered"
    );
}

#[tokio::test]
async fn a_draft_is_resumed_from_its_private_link() {
    let app = TestApp::new().await;
    let (token, first) = app.start("inu-toroku").await;
    let reply = app
        .answer(
            &first,
            &[
                ("f.name", "佐藤 一郎"),
                ("f.address", "東京都大田区山王1-1-1"),
                ("f.phone", "09012345678"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);

    // Another browser (no cookies) with only the link.
    let other = app.new_browser();
    let resume = other.get(&format!("/drafts/{token}")).await;
    assert_eq!(resume.status, StatusCode::SEE_OTHER);
    assert_eq!(resume.location(), format!("/drafts/{token}/steps/dog"));
    let back = other.get(&first).await;
    back.assert_contains("value=\"佐藤 一郎\"");

    assert_eq!(
        app.get("/drafts/aaaaaaaaaaaaaaaaaaaaaaaaaa").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn an_expired_draft_says_so() {
    let app = TestApp::with_config(|c| c.limits.draft_days = 0).await;
    let (_, first) = app.start("inu-toroku").await;
    let reply = app.get(&first).await;
    assert_eq!(reply.status, StatusCode::GONE);
    reply.assert_contains("有効期限が切れています");
}

#[tokio::test]
async fn changing_an_earlier_answer_drops_answers_that_no_longer_apply() {
    let app = TestApp::new().await;
    let (token, first) = app.start("sodan-moshikomi").await;
    let base = format!("/drafts/{token}");
    assert_eq!(
        app.answer(&first, &[("f.topic", "legal")]).await.location(),
        format!("{base}/steps/legal")
    );
    let reply = app
        .answer(
            &format!("{base}/steps/legal"),
            &[("f.legal_kind", "inheritance"), ("f.in_court", "no")],
        )
        .await;
    assert_eq!(reply.location(), format!("{base}/steps/when"));
    // Back to the first page: 税務相談 instead. The legal step's answers must not be submitted.
    app.answer(&first, &[("f.topic", "tax")]).await;
    let day = next_weekday();
    app.answer(
        &format!("{base}/steps/when"),
        &[
            ("f.preferred_date.year", &day.year().to_string()),
            ("f.preferred_date.month", &u8::from(day.month()).to_string()),
            ("f.preferred_date.day", &day.day().to_string()),
            ("f.time_of_day", "morning"),
            ("f.method", "phone"),
        ],
    )
    .await;
    let reply = app
        .answer(
            &format!("{base}/steps/contact"),
            &[
                ("f.name", "鈴木 花子"),
                ("f.phone", "0312345678"),
                ("f.summary", "確定申告について"),
            ],
        )
        .await;
    assert_eq!(reply.location(), format!("{base}/review"));
    let review = app.get(&format!("{base}/review")).await;
    assert!(
        !review.body.contains("相続・遺言"),
        "the lapsed answer is gone"
    );
    review.assert_contains("税務相談");
}

#[tokio::test]
async fn the_check_page_cannot_be_skipped_to() {
    let app = TestApp::new().await;
    let (token, first) = app.start("inu-toroku").await;
    let review = app.get(&format!("/drafts/{token}/review")).await;
    assert_eq!(review.status, StatusCode::SEE_OTHER);
    assert_eq!(review.location(), first);
}

#[tokio::test]
async fn english_is_one_click_away() {
    let app = TestApp::new().await;
    let reply = app.get("/lang?to=en&back=/procedures/inu-toroku").await;
    assert_eq!(reply.location(), "/procedures/inu-toroku");
    let page = app.get("/procedures/inu-toroku").await;
    page.assert_contains("Dog registration");
    page.assert_contains("Start your application");
    page.assert_contains("lang=\"en\"");
    assert_eq!(
        app.get("/lang?to=en&back=//evil.example").await.location(),
        "/"
    );
}

// ---- the JSON API ----

fn juminhyo_answers() -> serde_json::Value {
    json!({
        "name": { "family": "山田", "given": "太郎", "family_kana": "ヤマダ", "given_kana": "タロウ" },
        "address": "東京都大田区蒲田五丁目13番14号",
        "phone": "0357441111",
        "relationship": "self",
        "persons": [{ "name": "山田 太郎", "birth_date": "1980-04-01" }],
        "certificate": "household_all",
        "copies": 1,
        "purpose": "license",
        "identity_document": [{ "attachment": "", "name": "menkyo.pdf" }]
    })
}

async fn upload_pdf(app: &TestApp) -> String {
    let reply = app
        .send(
            axum::http::Request::post("/api/v1/attachments")
                .header("content-type", "application/octet-stream")
                .body(axum::body::Body::from(PDF))
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.json()["attachment"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_api_lists_procedures_with_an_answers_schema() {
    let app = TestApp::new().await;
    let list = app.get("/api/v1/procedures").await.json();
    assert!(list["procedures"].as_array().unwrap().len() >= 10);
    let one = app.get("/api/v1/procedures/hoiku-moshikomi").await.json();
    assert_eq!(
        one["answers_schema"]["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(
        one["answers_schema"]["properties"]["children"]["items"]["properties"]["preferences"]["maxItems"],
        5
    );
    let missing = app.get("/api/v1/procedures/nothing").await;
    assert_eq!(
        (missing.status, missing.json()["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
}

#[tokio::test]
async fn the_api_creates_an_application_once_per_idempotency_key() {
    let app = TestApp::new().await;
    let mut answers = juminhyo_answers();
    answers["identity_document"][0]["attachment"] = json!(upload_pdf(&app).await);
    let body = json!({ "procedure_id": "juminhyo-yuso", "answers": answers });

    let first = app
        .post_json(
            "/api/v1/applications",
            &body,
            &[("idempotency-key", "line-bot-42")],
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let created = first.json();
    assert_eq!(created["status"], "submitted");
    let again = app
        .post_json(
            "/api/v1/applications",
            &body,
            &[("idempotency-key", "line-bot-42")],
        )
        .await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.headers.get("idempotent-replayed").unwrap(), "true");
    assert_eq!(again.json()["receipt_number"], created["receipt_number"]);
    assert_eq!(again.json()["access_code"], created["access_code"]);
    assert_eq!(app.application_count().await, 1);

    let mut changed = body.clone();
    changed["answers"]["copies"] = json!(3);
    let reused = app
        .post_json(
            "/api/v1/applications",
            &changed,
            &[("idempotency-key", "line-bot-42")],
        )
        .await;
    assert_eq!(
        (reused.status, reused.json()["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("idempotency_key_reused")
        )
    );

    let without_key = app.post_json("/api/v1/applications", &body, &[]).await;
    assert_ne!(
        without_key.json()["receipt_number"],
        created["receipt_number"]
    );

    // Status and history with the access code; a wrong code is indistinguishable from none.
    let receipt = created["receipt_number"].as_str().unwrap();
    let code = created["access_code"].as_str().unwrap();
    let status = app
        .get_with(
            &format!("/api/v1/applications/{receipt}"),
            &[("access-code", code)],
        )
        .await;
    assert_eq!(status.status, StatusCode::OK);
    assert_eq!(status.json()["history"][0]["event"], "submitted");
    assert_eq!(status.json()["answers"]["copies"], 1);
    let wrong = app
        .get_with(
            &format!("/api/v1/applications/{receipt}"),
            &[("access-code", "22222-22222")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);

    let withdrawn = app
        .post_json(
            &format!("/api/v1/applications/{receipt}/withdraw"),
            &json!({}),
            &[("access-code", code)],
        )
        .await;
    assert_eq!(withdrawn.json()["status"], "withdrawn");
    assert_eq!(withdrawn.json()["history"][1]["event"], "withdrawn");
}

#[tokio::test]
async fn the_api_names_every_field_that_is_wrong() {
    let app = TestApp::new().await;
    let mut answers = juminhyo_answers();
    answers["identity_document"][0]["attachment"] = json!(upload_pdf(&app).await);
    answers["persons"][0]["birth_date"] = json!("2025-02-30");
    answers["copies"] = json!(11);
    answers["purpose_other"] = json!("不要な回答");
    answers.as_object_mut().unwrap().remove("name");
    let reply = app
        .post_json(
            "/api/v1/applications",
            &json!({ "procedure_id": "juminhyo-yuso", "answers": answers }),
            &[],
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = reply.json();
    assert_eq!(body["code"], "invalid_answers");
    let errors: Vec<(String, String)> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        errors.contains(&("persons[0].birth_date".into(), "invalid_date".into())),
        "{errors:?}"
    );
    assert_eq!(app.application_count().await, 0);

    let mut answers = juminhyo_answers();
    answers["identity_document"][0]["attachment"] = json!(upload_pdf(&app).await);
    answers["copies"] = json!(11);
    answers["purpose_other"] = json!("不要な回答");
    answers.as_object_mut().unwrap().remove("name");
    let body = app
        .post_json(
            "/api/v1/applications",
            &json!({ "procedure_id": "juminhyo-yuso", "answers": answers }),
            &[],
        )
        .await
        .json();
    let errors: Vec<(String, String)> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        errors.contains(&("name".into(), "required".into())),
        "{errors:?}"
    );
    assert!(
        errors.contains(&("copies".into(), "too_large".into())),
        "{errors:?}"
    );
    assert!(
        errors.contains(&("purpose_other".into(), "not_applicable".into())),
        "{errors:?}"
    );
    let message = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == "name")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        message, "請求する方の氏名を入力してください",
        "the catalog's own message wins"
    );

    // An attachment id that was never uploaded.
    let mut answers = juminhyo_answers();
    answers["identity_document"][0]["attachment"] = json!("0".repeat(64));
    let body = app
        .post_json(
            "/api/v1/applications",
            &json!({ "procedure_id": "juminhyo-yuso", "answers": answers }),
            &[],
        )
        .await
        .json();
    assert_eq!(body["errors"][0]["code"], "unknown_attachment");

    let counter_only = app
        .post_json(
            "/api/v1/applications",
            &json!({ "procedure_id": "inkan-toroku", "answers": {} }),
            &[],
        )
        .await;
    assert_eq!(counter_only.status, StatusCode::CONFLICT);
    let not_json = app
        .send(
            axum::http::Request::post("/api/v1/applications")
                .header("content-type", "application/json")
                .body(axum::body::Body::from("{"))
                .unwrap(),
        )
        .await;
    assert_eq!(
        (not_json.status, not_json.json()["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_json"))
    );
}

#[tokio::test]
async fn uploads_are_judged_by_content() {
    let app = TestApp::new().await;
    let reply = app
        .send(
            axum::http::Request::post("/api/v1/attachments")
                .header("content-type", "application/octet-stream")
                .body(axum::body::Body::from("#!/bin/sh\nrm -rf /"))
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.json()["errors"][0]["code"], "file_type");
}

#[tokio::test]
async fn submissions_are_rate_limited_per_address() {
    let app = TestApp::with_config(|c| c.limits.submissions_per_minute = 2).await;
    let body = json!({ "procedure_id": "juminhyo-yuso", "answers": {} });
    for _ in 0..2 {
        assert_eq!(
            app.post_json("/api/v1/applications", &body, &[])
                .await
                .status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    let limited = app.post_json("/api/v1/applications", &body, &[]).await;
    assert_eq!(
        (limited.status, limited.json()["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited"))
    );
}

#[tokio::test]
async fn the_openapi_document_describes_every_api_route() {
    let app = TestApp::new().await;
    let doc = app.get("/api/openapi.json").await.json();
    assert_eq!(doc["openapi"], "3.1.0");
    for path in [
        "/api/v1/procedures",
        "/api/v1/procedures/{id}",
        "/api/v1/applications",
        "/api/v1/applications/{receipt}",
        "/api/v1/applications/{receipt}/withdraw",
        "/api/v1/attachments",
        "/api/v1/postal-codes/{code}",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }
    let source = include_str!("../src/api/mod.rs");
    let routes = source.matches(".route(").count();
    assert_eq!(
        routes,
        doc["paths"].as_object().unwrap().len() + 1,
        "a route was added without documenting it (openapi.json itself is the +1)"
    );
}

#[tokio::test]
async fn pages_carry_security_headers() {
    let app = TestApp::new().await;
    let reply = app.get("/").await;
    assert_eq!(reply.headers.get("x-frame-options").unwrap(), "DENY");
    assert_eq!(reply.headers.get("referrer-policy").unwrap(), "same-origin");
    assert!(
        reply
            .headers
            .get("content-security-policy")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );
    let cookie = reply.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
}

#[tokio::test]
async fn a_question_page_weighs_well_under_50_kb_with_its_style_and_script() {
    let app = TestApp::new().await;
    let (_, first) = app.start("hoiku-moshikomi").await;
    let page = app.get(&first).await;
    let css = app.get("/assets/app.css").await;
    let js = app.get("/assets/app.js").await;
    assert_eq!((css.status, js.status), (StatusCode::OK, StatusCode::OK));
    let total = page.body.len() + css.body.len() + js.body.len();
    assert!(total < 40 * 1024, "page + CSS + JS = {total} bytes");
}

#[tokio::test]
async fn front_ends_look_up_postal_codes() {
    let app = TestApp::new().await;
    let found = app.get("/api/v1/postal-codes/144-0052").await;
    assert_eq!(found.status, StatusCode::OK);
    let body = found.json();
    assert_eq!(body["postal_code"], "1440052");
    assert_eq!(body["areas"][0]["town"], "蒲田");
    assert_eq!(body["areas"][0]["local_gov_code"], "131113");
    let unknown = app.get("/api/v1/postal-codes/0000000").await;
    assert_eq!(
        (unknown.status, unknown.json()["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("unknown_postal_code"))
    );
    let malformed = app.get("/api/v1/postal-codes/12345").await;
    assert_eq!(
        (malformed.status, malformed.json()["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("invalid_postal_code")
        )
    );
}

#[tokio::test]
async fn dates_can_be_entered_in_wareki_and_are_shown_in_both_calendars() {
    let app = TestApp::new().await;
    let (token, first) = app.start("inu-toroku").await;
    let base = format!("/drafts/{token}");
    app.answer(
        &first,
        &[
            ("f.name", "佐藤 一郎"),
            ("f.address", "東京都大田区山王1-1-1"),
            ("f.phone", "09012345678"),
        ],
    )
    .await;
    let dog = format!("{base}/steps/dog");
    let page = app.get(&dog).await;
    page.assert_contains("<option value=\"heisei\">平成</option>");
    let common = [
        ("f.dog_name", "ポチ"),
        ("f.breed", "柴"),
        ("f.color", "茶"),
        ("f.sex", "male"),
        ("f.dog_birth_date.month", "1"),
        ("f.dog_birth_date.day", "1"),
    ];
    let mut wrong = common.to_vec();
    wrong.extend([
        ("f.dog_birth_date.era", "heisei"),
        ("f.dog_birth_date.year", "32"),
    ]);
    let reply = app.answer(&dog, &wrong).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    reply.assert_contains("生年月日（わかる範囲で）：平成32年はありません。平成は平成31年4月30日までです。令和2年1月1日のことですか");
    reply.assert_contains("<option value=\"heisei\" selected>平成</option>");
    let mut right = common.to_vec();
    right.extend([
        ("f.dog_birth_date.era", "reiwa"),
        ("f.dog_birth_date.year", "元"),
        ("f.dog_birth_date.month", "5"),
    ]);
    right.retain(|(k, v)| !(*k == "f.dog_birth_date.month" && *v == "1"));
    let reply = app.answer(&dog, &right).await;
    assert_eq!(
        reply.location(),
        format!("{base}/steps/vaccination"),
        "{}",
        reply.body
    );
    app.answer(
        &format!("{base}/steps/vaccination"),
        &[("f.vaccinated", "no")],
    )
    .await;
    let review = app.get(&format!("{base}/review")).await;
    review.assert_contains("2019年5月1日（令和元年5月1日）");
}

#[tokio::test]
async fn the_find_address_button_fills_the_address_without_javascript() {
    let app = TestApp::new().await;
    let (_, first) = app.start("juminhyo-yuso").await;
    let reply = app
        .answer(
            &first,
            &[
                ("f.name.family", "山田"),
                ("f.postal_code", "１４４－００５２"),
                ("action", "lookup:postal_code"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.assert_contains("value=\"東京都大田区蒲田\"");
    reply.assert_contains("住所を入力しました");
    reply.assert_contains("value=\"山田\"");
    let unknown = app
        .answer(
            &first,
            &[
                ("f.postal_code", "000-0000"),
                ("action", "lookup:postal_code"),
            ],
        )
        .await;
    unknown.assert_contains("郵便番号：この郵便番号は見つかりません");
    // The code is stored as seven digits.
    let reply = app
        .answer(
            &first,
            &[
                ("f.name.family", "山田"),
                ("f.name.given", "太郎"),
                ("f.name.family_kana", "ヤマダ"),
                ("f.name.given_kana", "タロウ"),
                ("f.postal_code", "144-0052"),
                ("f.address", "東京都大田区蒲田五丁目13番14号"),
                ("f.phone", "0357441111"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let back = app.get(&first).await;
    back.assert_contains("value=\"1440052\"");
}

#[tokio::test]
async fn corporate_numbers_are_checked_by_their_check_digit() {
    let app = TestApp::new().await;
    let (token, user) = app.start("shisetsu-shiyo").await;
    app.answer(&user, &[("f.user_type", "inside")]).await;
    let first = format!("/drafts/{token}/steps/group");
    let common = [
        ("f.group_name", "蒲田合唱団"),
        ("f.name", "鈴木 花子"),
        ("f.phone", "0312345678"),
        ("f.email", "hanako@example.jp"),
        ("f.email_confirm", "hanako@example.jp"),
    ];
    let mut wrong = common.to_vec();
    wrong.push(("f.corporate_number", "8000012050002"));
    let reply = app.answer(&first, &wrong).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    reply.assert_contains("法人番号（法人の場合）が正しくありません");
    let mut right = common.to_vec();
    right.push(("f.corporate_number", "７－００００－１２０５－０００２"));
    let reply = app.answer(&first, &right).await;
    assert_eq!(
        reply.location(),
        format!("/drafts/{token}/steps/when"),
        "{}",
        reply.body
    );
    app.get(&first)
        .await
        .assert_contains("value=\"7000012050002\"");
}

// ---- 個人番号, names and bank accounts ----

const MY_NUMBER: &str = "123456789018";

fn jido_teate_answers() -> serde_json::Value {
    json!({
        "civil_servant": false,
        "name": { "family": "Smith", "given": "John", "family_kana": "スミス", "given_kana": "ジョン" },
        "birth_date": "1985-06-01",
        "postal_code": "1448621",
        "address": "東京都大田区蒲田五丁目13番14号",
        "phone": "09012345678",
        "my_number": MY_NUMBER,
        "has_spouse": false,
        "children": [{ "name": "スミス エマ", "birth_date": "2020-01-15", "relationship": "child", "lives_together": true }],
        "bank_name": "みずほ銀行",
        "branch_name": "蒲田支店",
        "account": { "bank_code": "0001", "branch_code": "123", "account_type": "ordinary", "account_number": "0012345", "holder_kana": "スミス\u{3000}ジョン" }
    })
}

/// A 個人番号 is checked by its check digit, never written back into a page, stored only
/// sealed, and shown masked on every screen and in the API.
#[tokio::test]
async fn a_my_number_is_stored_sealed_and_shown_masked() {
    let app = TestApp::new().await;
    let (token, first) = app.start("jido-teate-nintei").await;
    let base = format!("/drafts/{token}");
    app.answer(&first, &[("f.civil_servant", "no")]).await;
    let step = format!("{base}/steps/my_number");

    let wrong = app
        .answer(&step, &[("f.my_number", "1234 5678 9012")])
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    wrong.assert_contains("個人番号（マイナンバー）が正しくありません");
    assert!(
        !wrong.body.contains("1234 5678 9012"),
        "a mistyped number is not echoed back"
    );

    let right = app
        .answer(&step, &[("f.my_number", "1234-5678-9018")])
        .await;
    assert_eq!(right.status, StatusCode::SEE_OTHER, "{}", right.body);
    let again = app.get(&step).await;
    again.assert_contains("入力済みの個人番号があります（********9018）");
    assert!(!again.body.contains(MY_NUMBER));
    // Leaving the box blank keeps the number on file.
    let kept = app.answer(&step, &[("f.my_number", "")]).await;
    assert_eq!(kept.status, StatusCode::SEE_OTHER, "{}", kept.body);
    let stored = app.stored_answers().await;
    assert!(stored.contains("\"last4\""), "{stored}");
    assert!(
        !stored.contains(MY_NUMBER),
        "the draft holds the number in the clear"
    );

    // Through the API: accepted, stored sealed, returned masked.
    let body = app
        .post_json(
            "/api/v1/applications",
            &json!({ "procedure_id": "jido-teate-nintei", "answers": jido_teate_answers() }),
            &[],
        )
        .await
        .json();
    let receipt = body["receipt_number"].as_str().expect("created").to_owned();
    let code = body["access_code"].as_str().unwrap().to_owned();
    assert!(!app.stored_answers().await.contains(MY_NUMBER));
    let view = app
        .get_with(
            &format!("/api/v1/applications/{receipt}"),
            &[("access-code", &code)],
        )
        .await;
    assert!(!view.body.contains(MY_NUMBER), "{}", view.body);
    let view = view.json();
    assert_eq!(view["answers"]["my_number"], "********9018");
    assert_eq!(view["answers"]["name"]["family"], "Smith");
    assert_eq!(view["answers"]["account"]["account_number"], "0012345");

    // A wrong check digit is named, and the number is not repeated in the message.
    let mut answers = jido_teate_answers();
    answers["my_number"] = json!("123456789012");
    let refused = app
        .post_json(
            "/api/v1/applications",
            &json!({ "procedure_id": "jido-teate-nintei", "answers": answers }),
            &[],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!refused.body.contains("123456789012"));
    assert!(
        refused.body.contains("invalid_my_number"),
        "{}",
        refused.body
    );
}

/// A bank account is asked as one question with five parts; each part's problem is shown at
/// that part, and the check page shows the account as one answer.
#[tokio::test]
async fn a_bank_account_is_checked_part_by_part() {
    let app = TestApp::new().await;
    let (token, first) = app.start("jido-teate-nintei").await;
    let base = format!("/drafts/{token}");
    app.answer(&first, &[("f.civil_servant", "no")]).await;
    let step = format!("{base}/steps/account");
    let account = [
        ("f.bank_name", "みずほ銀行"),
        ("f.branch_name", "蒲田支店"),
        ("f.account.bank_code", "１"),
        ("f.account.branch_code", "123"),
        ("f.account.account_type", "ordinary"),
        ("f.account.account_number", "12345"),
        ("f.account.holder_kana", "すみす じょん"),
    ];
    let reply = app.answer(&step, &account).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    reply.assert_contains("口座（金融機関コード）は4桁の数字で入力してください");
    reply.assert_contains("href=\"#f-account-bank_code\"");
    reply.assert_contains("value=\"すみす じょん\"");
    let mut fixed = account;
    fixed[2] = ("f.account.bank_code", "０００１");
    let reply = app.answer(&step, &fixed).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let back = app.get(&step).await;
    back.assert_contains("value=\"0012345\"");
    back.assert_contains("value=\"スミス　ジョン\"");
}

/// The next working day after today in Japan (not a weekend, holiday or 12月29日〜1月3日), as
/// 相談 takes.
fn next_weekday() -> time::Date {
    use madoguchi_domain::procedure::{DayOfWeek, DayRule};
    let rule = DayRule {
        weekdays: DayOfWeek::ALL[..5].to_vec(),
        not_holidays: true,
        not_year_end: true,
        ..DayRule::default()
    };
    let mut day = madoguchi_app::timefmt::today_jst().next_day().unwrap();
    while rule.problem(day).is_some() {
        day = day.next_day().unwrap();
    }
    day
}
