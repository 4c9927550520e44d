//! The foundation under load and abuse, through the real router on SQLite and (with
//! MADOGUCHI_TEST_POSTGRES_URL) PostgreSQL: requests that race for the same case or account,
//! text no channel may store, bodies that are too large, malformed or of the wrong type, and
//! files that only pretend to be documents.

mod support;

use axum::http::StatusCode;
use madoguchi_app::config::WebhookConfig;
use support::{PASSWORD, TestApp, add_staff, apply, juminhyo, staff_browser, upload};

/// An application of 戸籍住民課 with a mail address and a webhook endpoint for its department,
/// so that every status change writes one mail job and one webhook job.
async fn case_with_hooks() -> (TestApp, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("hook.secret");
    std::fs::write(&secret, "s3cret").unwrap();
    let app = TestApp::with_config(|c| {
        c.webhooks.push(WebhookConfig {
            department: "kosekijumin".into(),
            url: "http://127.0.0.1:9/hook".into(),
            secret_file: secret.clone(),
        });
        c.staff.logins_per_minute = 100;
    })
    .await;
    std::mem::forget(dir);
    add_staff(&app, "koseki", Some("kosekijumin"), false).await;
    let attachment = upload(&app).await;
    let (receipt, code) = apply(&app, "juminhyo-yuso", juminhyo(&attachment, "山田")).await;
    (app, receipt, code)
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.scalar::<i64>(sql).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_acceptances_at_once_make_one_change_one_mail_and_one_webhook() {
    let (app, receipt, _) = case_with_hooks().await;
    let staff = staff_browser(&app, "koseki").await;
    let page = staff.get(&format!("/staff/cases/{receipt}")).await;
    let csrf = page.csrf();
    let path = format!("/staff/cases/{receipt}/actions");
    let requests = (0..10)
        .map(|_| {
            staff.form_request(
                &path,
                &[
                    ("_csrf", &csrf),
                    ("action", "accept"),
                    ("seen", "submitted"),
                ],
            )
        })
        .collect();
    let replies = staff.send_all(requests).await;
    let won = replies
        .iter()
        .filter(|r| r.status == StatusCode::SEE_OTHER)
        .count();
    assert_eq!(won, 1, "exactly one acceptance wins");
    for loser in replies.iter().filter(|r| r.status != StatusCode::SEE_OTHER) {
        assert_eq!(loser.status, StatusCode::CONFLICT, "{}", loser.body);
        loser.assert_contains("この申請は別の操作で更新されました");
        loser.assert_contains("id=\"case-status\">受理<");
    }
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM application_events WHERE kind = 'accepted'"
        )
        .await,
        1
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM jobs WHERE kind = 'mail.status'").await,
        1
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM jobs WHERE kind = 'webhook'").await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_withdrawal_and_an_acceptance_at_once_end_the_way_the_winner_was_told() {
    for _ in 0..5 {
        let (app, receipt, code) = case_with_hooks().await;
        let staff = staff_browser(&app, "koseki").await;
        let staff_csrf = staff.get(&format!("/staff/cases/{receipt}")).await.csrf();
        let resident = app.new_browser();
        let resident_csrf = resident.get("/status").await.csrf();
        let accept = staff.form_request(
            &format!("/staff/cases/{receipt}/actions"),
            &[
                ("_csrf", &staff_csrf),
                ("action", "accept"),
                ("seen", "submitted"),
            ],
        );
        let withdraw = resident.form_request(
            "/status/withdraw",
            &[
                ("_csrf", &resident_csrf),
                ("receipt", &receipt),
                ("access_code", &code),
                ("confirm", "yes"),
            ],
        );
        let replies = app.send_all(vec![accept, withdraw]).await;
        let (accepted, withdrawn) = (&replies[0], &replies[1]);
        let status: String = app.scalar("SELECT status FROM applications").await;
        match (accepted.status, withdrawn.status) {
            (StatusCode::SEE_OTHER, StatusCode::CONFLICT) => {
                assert_eq!(status, "accepted");
                assert!(
                    !withdrawn.body.contains("取り下げました"),
                    "{}",
                    withdrawn.body
                );
            }
            (StatusCode::CONFLICT, StatusCode::OK) => {
                assert_eq!(status, "withdrawn");
                withdrawn.assert_contains("取り下げました");
                accepted.assert_contains("この申請は別の操作で更新されました");
            }
            other => panic!(
                "one must win and the other be told of the conflict: {other:?}\n{}\n{}",
                accepted.body, withdrawn.body
            ),
        }
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM application_events").await,
            2,
            "the submission and the one change"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_wrong_passwords_at_once_lock_the_account() {
    let app = TestApp::with_config(|c| c.staff.logins_per_minute = 100).await;
    add_staff(&app, "koseki", Some("kosekijumin"), false).await;
    let browser = app.new_browser();
    let csrf = browser.get("/staff/login").await.csrf();
    let guesses = (0..10)
        .map(|i| {
            browser.form_request(
                "/staff/login",
                &[
                    ("_csrf", &csrf),
                    ("login", "koseki"),
                    ("password", &format!("wrong guess {i}")),
                ],
            )
        })
        .collect();
    let replies = app.send_all(guesses).await;
    assert!(replies.iter().all(|r| r.status == StatusCode::UNAUTHORIZED));
    let locked: i64 = app
        .scalar("SELECT COUNT(*) FROM staff_users WHERE locked_until IS NOT NULL")
        .await;
    assert_eq!(locked, 1, "the guesses locked the account");
    let right = browser
        .post_form(
            "/staff/login",
            &[
                ("_csrf", &csrf),
                ("login", "koseki"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(right.status, StatusCode::UNAUTHORIZED);
    right.assert_contains("しばらくログインできません");
}

// ---- one boundary for all text ----

/// The API's field problems as (field, code, message).
fn problems(reply: &support::Reply) -> Vec<(String, String, String)> {
    reply.json()["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in {}", reply.body))
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap_or_default().to_owned(),
                e["code"].as_str().unwrap_or_default().to_owned(),
                e["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_api_refuses_control_direction_and_invisible_text_naming_the_character() {
    let app = TestApp::new().await;
    let attachment = upload(&app).await;
    let cases = [
        (
            "山\u{0}田",
            "name.family",
            "control_character",
            "2文字目",
            "U+0000",
        ),
        (
            "山田\u{1B}",
            "name.family",
            "control_character",
            "3文字目",
            "U+001B",
        ),
        (
            "山\u{202E}田",
            "name.family",
            "bidi_control",
            "2文字目",
            "U+202E",
        ),
        (
            "\u{200B}",
            "name.family",
            "invisible_only",
            "見える文字",
            "",
        ),
    ];
    for (family, field, code, position, code_point) in cases {
        let reply = app
            .post_json(
                "/api/v1/applications",
                &serde_json::json!({ "procedure_id": "juminhyo-yuso", "answers": juminhyo(&attachment, family) }),
                &[],
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.body
        );
        let found = problems(&reply);
        let (_, got_code, message) = found
            .iter()
            .find(|(f, _, _)| f == field)
            .unwrap_or_else(|| panic!("no problem at {field}: {found:?}"));
        assert_eq!(got_code, code);
        assert!(
            message.contains(position) && message.contains(code_point),
            "{message}"
        );
    }
    assert_eq!(app.application_count().await, 0, "nothing stored");
}

#[tokio::test]
async fn a_question_page_with_a_control_character_keeps_the_input_and_names_it() {
    let app = TestApp::new().await;
    let (_, first) = app.start("juminhyo-yuso").await;
    let reply = app
        .answer(
            &first,
            &[
                ("f.name.family", "山田\u{0}"),
                ("f.name.given", "太郎"),
                ("f.name.family_kana", "やまだ"),
                ("f.name.given_kana", "たろう"),
                ("f.address", "東京都大田区蒲田五丁目13番14号"),
                ("f.phone", "03-5744-1111"),
                ("f.email", "taro\u{7}@example.jp"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    reply.assert_contains("氏名（姓）の3文字目に、入力できない制御文字（U+0000）があります");
    reply.assert_contains("メールアドレスの5文字目に、入力できない制御文字（U+0007）があります");
    reply.assert_contains("value=\"太郎\"");
    reply.assert_contains("value=\"03-5744-1111\"");
}

#[tokio::test]
async fn staff_forms_and_the_login_form_refuse_nul_with_a_message_not_a_server_error() {
    let app = TestApp::new().await;
    add_staff(&app, "koseki", Some("kosekijumin"), false).await;
    let attachment = upload(&app).await;
    let (receipt, _) = apply(&app, "juminhyo-yuso", juminhyo(&attachment, "山田")).await;

    let browser = app.new_browser();
    let csrf = browser.get("/staff/login").await.csrf();
    let login = browser
        .post_form(
            "/staff/login",
            &[
                ("_csrf", &csrf),
                ("login", "kose\u{0}ki"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(login.status, StatusCode::UNAUTHORIZED, "{}", login.body);

    let staff = staff_browser(&app, "koseki").await;
    let search = staff.get("/staff?q=%E5%B1%B1%00").await;
    assert_eq!(search.status, StatusCode::OK, "{}", search.body);
    search.assert_contains(
        "受付番号または申請者名の2文字目に、入力できない制御文字（U+0000）があります",
    );

    let note = support::act(
        &staff,
        &receipt,
        &[("action", "note"), ("text", "確認済み\u{0}")],
    )
    .await;
    assert_eq!(
        note.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        note.body
    );
    note.assert_contains("入力した文章の5文字目に、入力できない制御文字（U+0000）があります");

    let page = staff.get("/staff/integration").await;
    let token = staff
        .post_form(
            "/staff/integration/tokens",
            &[
                ("_csrf", &page.csrf()),
                ("department", "kosekijumin"),
                ("name", "\u{202E}住記"),
            ],
        )
        .await;
    assert_eq!(token.status, StatusCode::OK);
    token.assert_contains("文字の向きを変える記号（U+202E）");
    let tokens: i64 = app.scalar("SELECT COUNT(*) FROM api_tokens").await;
    assert_eq!(tokens, 0);
}

#[tokio::test]
async fn implausible_dates_are_refused_on_the_web_and_the_api() {
    let app = TestApp::new().await;
    let attachment = upload(&app).await;
    for birth in ["3809-04-01", "1850-01-01", "2099-01-01"] {
        let mut answers = juminhyo(&attachment, "山田");
        answers["persons"][0]["birth_date"] = serde_json::json!(birth);
        let reply = app
            .post_json(
                "/api/v1/applications",
                &serde_json::json!({ "procedure_id": "juminhyo-yuso", "answers": answers }),
                &[],
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{birth}: {}",
            reply.body
        );
        let found = problems(&reply);
        assert!(
            found
                .iter()
                .any(|(f, c, _)| f == "persons[0].birth_date" && c.starts_with("date_too")),
            "{birth}: {found:?}"
        );
    }
    // 令和999年 on the web: a real 和暦 date, but not a birth date anyone has.
    let (token, first) = app.start("inu-toroku").await;
    app.answer(
        &first,
        &[
            ("f.name", "佐藤 一郎"),
            ("f.address", "東京都大田区山王1-1-1"),
            ("f.phone", "09012345678"),
        ],
    )
    .await;
    let dog = app
        .answer(
            &format!("/drafts/{token}/steps/dog"),
            &[
                ("f.dog_name", "ポチ"),
                ("f.breed", "柴"),
                ("f.color", "茶"),
                ("f.sex", "male"),
                ("f.dog_birth_date.era", "reiwa"),
                ("f.dog_birth_date.year", "999"),
                ("f.dog_birth_date.month", "1"),
                ("f.dog_birth_date.day", "1"),
            ],
        )
        .await;
    assert_eq!(dog.status, StatusCode::UNPROCESSABLE_ENTITY);
    dog.assert_contains("以前の日付を入力してください");
}

// ---- the web and the API read answers the same way ----

#[tokio::test]
async fn the_api_reads_readings_accounts_and_phone_numbers_as_the_web_does() {
    let app = TestApp::new().await;
    let mut answers = support::jido("高橋");
    answers["name"]["family_kana"] = serde_json::json!("たかはし");
    answers["name"]["given_kana"] = serde_json::json!("ﾊﾅｺ");
    answers["phone"] = serde_json::json!("090-1234-5678");
    answers["account"]["account_number"] = serde_json::json!("12345");
    answers["account"]["holder_kana"] = serde_json::json!("たかはし はなこ");
    answers["my_number"] = serde_json::json!("1234 5678 9018");
    let (receipt, code) = apply(&app, "jido-teate-nintei", answers).await;
    let status = app
        .get_with(
            &format!("/api/v1/applications/{receipt}"),
            &[("access-code", &code)],
        )
        .await
        .json();
    let stored = &status["answers"];
    assert_eq!(stored["name"]["family_kana"], "タカハシ");
    assert_eq!(stored["name"]["given_kana"], "ハナコ");
    assert_eq!(stored["phone"], "09012345678");
    assert_eq!(stored["account"]["account_number"], "0012345");
    assert_eq!(stored["account"]["holder_kana"], "タカハシ\u{3000}ハナコ");
    assert_eq!(stored["my_number"], "********9018");
}

#[tokio::test]
async fn empty_optional_answers_are_no_answers_and_a_non_object_is_named() {
    let app = TestApp::new().await;
    let attachment = upload(&app).await;
    let answers = serde_json::json!({
        "name": { "family": "山田", "given": "太郎", "family_kana": "ヤマダ", "given_kana": "タロウ" },
        "phone": "0357441111",
        "move_date": "2026-11-20",
        "movers": [{
            "name": { "family": "山田", "given": "太郎", "family_kana": "ヤマダ", "given_kana": "タロウ" },
            "birth_date": "1980-04-01",
            "relationship": "householder"
        }],
        "new_address": "神奈川県川崎市川崎区宮本町1番地",
        "whole_household": true,
        "new_householder": "山田 太郎",
        "related": [],
        "email": "",
        "identity_document": [{ "attachment": attachment, "name": "menkyo.pdf" }]
    });
    let reply = app
        .post_json(
            "/api/v1/applications",
            &serde_json::json!({ "procedure_id": "tenshutsu", "answers": answers }),
            &[],
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);

    let reply = app
        .post_json(
            "/api/v1/applications",
            &serde_json::json!({ "procedure_id": "tenshutsu", "answers": [] }),
            &[],
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let found = problems(&reply);
    assert_eq!(found[0].0, "answers");
    assert!(found[0].2.contains("JSONオブジェクト"), "{found:?}");
}

#[tokio::test]
async fn an_optional_list_of_people_can_be_left_empty_without_javascript() {
    let app = TestApp::new().await;
    let (token, first) = app.start("hoiku-moshikomi").await;
    let base = format!("/drafts/{token}");
    let guardian = app
        .answer(
            &first,
            &[
                ("f.name", "大田 花子"),
                ("f.address", "東京都大田区蒲田五丁目13番14号"),
                ("f.phone", "09012345678"),
                ("f.email", "hanako@example.jp"),
                ("f.work_status", "pregnancy"),
            ],
        )
        .await;
    assert_eq!(guardian.status, StatusCode::SEE_OTHER, "{}", guardian.body);
    let children = format!("{base}/steps/children");
    let page = app.get(&children).await;
    assert!(
        !page.body.contains("f.household_others.0.name"),
        "no blank household member is shown"
    );
    page.assert_contains("value=\"add:household_others\"");
    let reply = app
        .answer(
            &children,
            &[
                ("f.children.items", "1"),
                ("f.children.0.name", "大田 陽向"),
                ("f.children.0.name_kana", "おおた ひなた"),
                ("f.children.0.birth_date.year", "2025"),
                ("f.children.0.birth_date.month", "4"),
                ("f.children.0.birth_date.day", "1"),
                ("f.children.0.allergy", "no"),
                ("f.household_others.items", "0"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(reply.location(), format!("{base}/steps/facilities"));
}

// ---- bad requests get 4xx and leave nothing behind ----

fn raw(path: &str, content_type: &str, body: Vec<u8>) -> axum::http::Request<axum::body::Body> {
    axum::http::Request::post(path)
        .header("content-type", content_type)
        .body(axum::body::Body::from(body))
        .unwrap()
}

/// A PNG signature followed by an executable's header.
fn png_then_elf() -> Vec<u8> {
    let mut bytes = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    bytes.extend(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3e\0\x01\0\0\0");
    bytes
}

#[tokio::test]
async fn the_json_api_takes_only_json_without_duplicate_keys_within_the_limit() {
    let app = TestApp::with_config(|c| c.limits.max_request_mb = 1).await;
    let attachment = upload(&app).await;
    let body = serde_json::json!({ "procedure_id": "juminhyo-yuso", "answers": juminhyo(&attachment, "山田") });
    let plain = app
        .send(raw(
            "/api/v1/applications",
            "text/plain",
            body.to_string().into_bytes(),
        ))
        .await;
    assert_eq!(
        plain.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "{}",
        plain.body
    );
    assert_eq!(plain.json()["code"], "unsupported_media_type");

    let duplicated =
        r#"{"procedure_id": "juminhyo-yuso", "procedure_id": "tenshutsu", "answers": {}}"#;
    let reply = app
        .send(raw(
            "/api/v1/applications",
            "application/json",
            duplicated.into(),
        ))
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["code"], "invalid_json");
    assert!(
        reply.json()["message"]
            .as_str()
            .unwrap()
            .contains("duplicate key")
    );

    let huge = format!(
        r#"{{"procedure_id": "juminhyo-yuso", "answers": {{"address": "{}"}}}}"#,
        "あ".repeat(700_000)
    );
    let reply = app
        .send(raw("/api/v1/applications", "application/json", huge.into()))
        .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.json()["code"], "payload_too_large");

    let page = app
        .send(raw(
            "/api/v1/attachments",
            "text/plain",
            support::PDF.to_vec(),
        ))
        .await;
    assert_eq!(page.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(app.application_count().await, 0, "nothing was created");
}

#[tokio::test]
async fn files_are_judged_by_their_structure_not_their_first_bytes() {
    let app = TestApp::new().await;
    let reply = app
        .send(raw("/api/v1/attachments", "image/png", png_then_elf()))
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert_eq!(reply.json()["errors"][0]["code"], "file_damaged");

    let (token, _) = app.start("juminhyo-yuso").await;
    let purpose = format!("/drafts/{token}/steps/purpose");
    let page = app.get(&purpose).await;
    let reply = app
        .post_multipart(
            &purpose,
            &[("_csrf", &page.csrf()), ("f.purpose", "license")],
            &[("f.identity_document", "menkyo.png", &png_then_elf())],
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    reply.assert_contains("PNGのファイルとして読み取れませんでした");
    let stored: i64 = app.scalar("SELECT COUNT(*) FROM attachments").await;
    assert_eq!(stored, 0, "a refused file is not stored");
}

#[tokio::test]
async fn question_pages_too_large_garbled_or_of_the_wrong_type_are_explained() {
    let app = TestApp::with_config(|c| c.limits.max_request_mb = 1).await;
    let (token, _) = app.start("juminhyo-yuso").await;
    let purpose = format!("/drafts/{token}/steps/purpose");
    let page = app.get(&purpose).await;
    let csrf = page.csrf();

    // Over the limit: the file's question says how large a file may be, the choice is kept.
    let big = vec![b'x'; 2 * 1024 * 1024];
    let reply = app
        .post_multipart(
            &purpose,
            &[("_csrf", &csrf), ("f.purpose", "pension")],
            &[("f.identity_document", "scan.pdf", &big)],
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        reply.body
    );
    reply.assert_contains("本人確認書類の写し");
    reply.assert_contains("1MB");
    reply.assert_contains("value=\"pension\" checked");

    // Cut off in the middle: asked to send again.
    let boundary = "----cut";
    let truncated = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"f.identity_document\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4 and then noth"
    );
    let reply = app
        .send(raw(
            &purpose,
            &format!("multipart/form-data; boundary={boundary}"),
            truncated.into_bytes(),
        ))
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    reply.assert_contains("最後まで受け取れませんでした");

    let reply = app
        .send(raw(&purpose, "text/plain", b"f.purpose=license".to_vec()))
        .await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    reply.assert_contains("この形式の送信は受け付けていません");

    let first = format!("/drafts/{token}/steps/requester");
    let long = format!("_csrf={csrf}&f.address={}", "a".repeat(2 * 1024 * 1024));
    let reply = app
        .send(raw(
            &first,
            "application/x-www-form-urlencoded",
            long.into_bytes(),
        ))
        .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    reply.assert_contains("送信された内容が大きすぎます");
    let stored: i64 = app.scalar("SELECT COUNT(*) FROM attachments").await;
    assert_eq!(stored, 0);
}
