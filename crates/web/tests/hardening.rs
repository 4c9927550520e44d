//! The foundation under load and abuse, through the real router on SQLite and (with
//! MADOGUCHI_TEST_POSTGRES_URL) PostgreSQL: requests that race for the same case or account,
//! text no channel may store, bodies that are too large, malformed or of the wrong type, and
//! files that only pretend to be documents.

mod support;

use axum::http::StatusCode;
use madoguchi_app::config::WebhookConfig;
use support::{
    HOIKU_GUARDIAN, PASSWORD, TestApp, add_staff, apply, hoiku_child, juminhyo, staff_browser,
    upload,
};

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
    let guardian = app.answer(&first, &HOIKU_GUARDIAN).await;
    assert_eq!(guardian.status, StatusCode::SEE_OTHER, "{}", guardian.body);
    let children = format!("{base}/steps/children");
    let page = app.get(&children).await;
    assert!(
        !page.body.contains("f.household_others.0.name"),
        "no blank household member is shown"
    );
    page.assert_contains("value=\"add:household_others\"");
    let preferences = [
        ("f.children.0.preferences.rank1", "kamata-kita"),
        ("f.children.0.preferences.rank2", "omori-chuo"),
    ];
    let reply = app.answer(&children, &hoiku_child(&preferences)).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(reply.location(), format!("{base}/steps/start"));
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

    // Over the limit: the file's question says how large a file may be, and the choice made
    // after it on the page (the browser sends it after the file) is kept.
    let boundary = "----big";
    let mut big = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"f.identity_document\"; filename=\"scan.pdf\"\r\n\r\n"
    )
    .into_bytes();
    big.extend(vec![b'x'; 2 * 1024 * 1024]);
    big.extend(
        format!("\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"f.purpose\"\r\n\r\npension\r\n--{boundary}--\r\n")
            .as_bytes(),
    );
    let reply = app
        .send(raw(
            &purpose,
            &format!("multipart/form-data; boundary={boundary}"),
            big,
        ))
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

// ---- the job runner and the clean-up ----

#[tokio::test]
async fn the_clean_up_removes_expired_drafts_and_unused_files_and_keeps_what_is_used() {
    let app = TestApp::new().await;
    let pdf_for = support::numbered_pdf;
    let upload_step = |token: &str| format!("/drafts/{token}/steps/purpose");
    // A draft that will expire, with its own file.
    let (old, _) = app.start("juminhyo-yuso").await;
    let page = app.get(&upload_step(&old)).await;
    app.post_multipart(
        &upload_step(&old),
        &[("_csrf", &page.csrf())],
        &[("f.identity_document", "a.pdf", &pdf_for(1))],
    )
    .await;
    app.execute("UPDATE drafts SET expires_at = '2000-01-01 00:00:00+00:00'")
        .await;
    // A draft still open, an application, and an API upload nobody used.
    let (open, _) = app.start("juminhyo-yuso").await;
    let page = app.get(&upload_step(&open)).await;
    app.post_multipart(
        &upload_step(&open),
        &[("_csrf", &page.csrf())],
        &[("f.identity_document", "b.pdf", &pdf_for(2))],
    )
    .await;
    let used = upload(&app).await;
    apply(&app, "juminhyo-yuso", juminhyo(&used, "山田")).await;
    let unused = app
        .send(raw("/api/v1/attachments", "application/pdf", pdf_for(3)))
        .await
        .json()["attachment"]
        .as_str()
        .unwrap()
        .to_owned();
    add_staff(&app, "koseki", Some("kosekijumin"), false).await;
    staff_browser(&app, "koseki").await;
    app.execute("UPDATE staff_sessions SET expires_at = '2000-01-01 00:00:00+00:00'")
        .await;

    let later = time::OffsetDateTime::now_utc() + time::Duration::hours(25);
    let swept = app.portal.sweep(later).await.unwrap();
    assert_eq!((swept.drafts, swept.sessions), (1, 1), "{swept:?}");
    assert_eq!((swept.attachments, swept.files), (2, 2), "{swept:?}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM drafts").await, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM attachments").await, 2);
    let on_disk = |sha: &str| {
        app.portal
            .config
            .data_dir
            .join("attachments")
            .join(&sha[..2])
            .join(sha)
            .exists()
    };
    assert!(on_disk(&used), "a file an application uses stays");
    assert!(!on_disk(&unused), "an upload nothing used is gone");
    let again = app.portal.sweep(later).await.unwrap();
    assert_eq!(
        again,
        madoguchi_storage::Swept::default(),
        "nothing left to do"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_periodic_job_runs_once_however_many_instances_ask() {
    let app = TestApp::new().await;
    let other = app.second_instance().await;
    let now = time::OffsetDateTime::now_utc();
    let next = now + time::Duration::hours(1);
    let mut tasks = Vec::new();
    for i in 0..10 {
        let store = if i % 2 == 0 {
            app.portal.store.clone()
        } else {
            other.portal.store.clone()
        };
        tasks.push(tokio::spawn(async move {
            store.claim_schedule("sweep", now, next).await.unwrap()
        }));
    }
    let mut claimed = 0;
    for task in tasks {
        claimed += usize::from(task.await.unwrap());
    }
    assert_eq!(claimed, 1);
    assert!(
        !app.portal
            .store
            .claim_schedule("sweep", now, next)
            .await
            .unwrap(),
        "not due again before its time"
    );
    assert!(
        app.portal
            .store
            .claim_schedule("sweep", next, next)
            .await
            .unwrap()
    );
}

// ---- callers: front ends, proxies, several instances ----

async fn admin_staff(app: &TestApp) -> madoguchi_app::accounts::Staff {
    add_staff(app, "admin", None, false).await;
    app.portal
        .login("admin", PASSWORD, "127.0.0.1")
        .await
        .unwrap()
        .1
}

fn with_key(
    path: &str,
    key: &str,
    body: &serde_json::Value,
) -> axum::http::Request<axum::body::Body> {
    axum::http::Request::post(path)
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {key}"))
        .body(axum::body::Body::from(body.to_string()))
        .unwrap()
}

#[tokio::test]
async fn limits_hold_across_instances_and_a_front_end_has_its_own_budget() {
    let app = TestApp::with_config(|c| c.limits.submissions_per_minute = 2).await;
    let other = app.second_instance().await;
    let invalid = serde_json::json!({ "procedure_id": "juminhyo-yuso", "answers": {} });
    assert_eq!(
        app.post_json("/api/v1/applications", &invalid, &[])
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        other
            .post_json("/api/v1/applications", &invalid, &[])
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let third = app.post_json("/api/v1/applications", &invalid, &[]).await;
    assert_eq!(
        third.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the budget is shared by instances"
    );
    assert_eq!(third.json()["code"], "rate_limited");

    let admin = admin_staff(&app).await;
    let bot = app
        .portal
        .issue_client(&admin, "LINE bot", Some(5), "127.0.0.1")
        .await
        .unwrap();
    for _ in 0..5 {
        let reply = app
            .send(with_key("/api/v1/applications", &bot.key, &invalid))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.body
        );
    }
    let over = other
        .send(with_key("/api/v1/applications", &bot.key, &invalid))
        .await;
    assert_eq!(over.status, StatusCode::TOO_MANY_REQUESTS);

    let wrong = app
        .send(with_key("/api/v1/applications", "mdc_notakey", &invalid))
        .await;
    assert_eq!(
        wrong.status,
        StatusCode::UNAUTHORIZED,
        "a bad key is refused, not ignored"
    );
    app.portal
        .revoke_client(&admin, bot.id, "127.0.0.1")
        .await
        .unwrap();
    let revoked = app
        .send(with_key("/api/v1/applications", &bot.key, &invalid))
        .await;
    assert_eq!(revoked.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_resident_has_their_own_budget() {
    let app = TestApp::with_config(|c| {
        c.limits.submissions_per_minute = 1;
        // In-process requests come from no address at all: that is the "proxy" here.
        c.trusted_proxies = vec!["0.0.0.0".into()];
    })
    .await;
    let invalid = serde_json::json!({ "procedure_id": "juminhyo-yuso", "answers": {} });
    let from = |address: &'static str| [("x-forwarded-for", address)];
    let status = |r: support::Reply| r.status;
    assert_eq!(
        status(
            app.post_json("/api/v1/applications", &invalid, &from("203.0.113.1"))
                .await
        ),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        status(
            app.post_json("/api/v1/applications", &invalid, &from("203.0.113.1"))
                .await
        ),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        status(
            app.post_json("/api/v1/applications", &invalid, &from("203.0.113.2"))
                .await
        ),
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let untrusted = TestApp::with_config(|c| c.limits.submissions_per_minute = 1).await;
    assert_eq!(
        status(
            untrusted
                .post_json("/api/v1/applications", &invalid, &from("203.0.113.1"))
                .await
        ),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        status(
            untrusted
                .post_json("/api/v1/applications", &invalid, &from("203.0.113.2"))
                .await
        ),
        StatusCode::TOO_MANY_REQUESTS,
        "a forwarded address is believed only from a trusted proxy"
    );
}

#[tokio::test]
async fn uploads_are_limited_per_caller() {
    let app = TestApp::with_config(|c| c.limits.uploads_per_minute = 2).await;
    for _ in 0..2 {
        assert_eq!(
            app.send(raw(
                "/api/v1/attachments",
                "application/pdf",
                support::PDF.to_vec()
            ))
            .await
            .status,
            StatusCode::CREATED
        );
    }
    let over = app
        .send(raw(
            "/api/v1/attachments",
            "application/pdf",
            support::PDF.to_vec(),
        ))
        .await;
    assert_eq!(over.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn idempotency_keys_belong_to_their_caller_and_are_not_stored_in_the_clear() {
    let app = TestApp::new().await;
    let admin = admin_staff(&app).await;
    let one = app
        .portal
        .issue_client(&admin, "bot one", None, "127.0.0.1")
        .await
        .unwrap();
    let two = app
        .portal
        .issue_client(&admin, "bot two", None, "127.0.0.1")
        .await
        .unwrap();
    let attachment = upload(&app).await;
    let body = serde_json::json!({ "procedure_id": "juminhyo-yuso", "answers": juminhyo(&attachment, "山田") });
    let send = |key: &str| {
        let mut request = with_key("/api/v1/applications", key, &body);
        request
            .headers_mut()
            .insert("idempotency-key", "shared-key-123".parse().unwrap());
        request
    };
    let first = app.send(send(&one.key)).await.json();
    let replay = app.send(send(&one.key)).await;
    assert_eq!(
        replay
            .headers
            .get("idempotent-replayed")
            .map(|v| v.to_str().unwrap()),
        Some("true")
    );
    assert_eq!(replay.json()["receipt_number"], first["receipt_number"]);
    let other = app.send(send(&two.key)).await.json();
    assert_ne!(
        other["receipt_number"], first["receipt_number"],
        "another client's key is its own"
    );
    assert_ne!(other["access_code"], first["access_code"]);
    let in_clear: i64 = app
        .scalar("SELECT COUNT(*) FROM applications WHERE idempotency_key = 'shared-key-123'")
        .await;
    assert_eq!(in_clear, 0);
}

// ---- the audit log resists someone who knows the scheme ----

#[tokio::test]
async fn anchors_catch_a_log_cut_short_with_its_counter_and_name_what_is_not_anchored() {
    let app = TestApp::new().await;
    add_staff(&app, "koseki", Some("kosekijumin"), false).await;
    let attachment = upload(&app).await;
    let (receipt, _) = apply(&app, "juminhyo-yuso", juminhyo(&attachment, "山田")).await;
    let staff = staff_browser(&app, "koseki").await;
    support::act(
        &staff,
        &receipt,
        &[("action", "accept"), ("seen", "submitted")],
    )
    .await;
    let anchor = app
        .portal
        .anchor_audit()
        .await
        .unwrap()
        .expect("entries to anchor");
    let check = app.portal.verify_audit(&[]).await.unwrap();
    assert!(check.is_intact(), "{check:?}");
    assert_eq!(check.last_anchored, Some(anchor.seq));

    // More work after the anchor: intact, and named as not yet anchored.
    staff.get(&format!("/staff/cases/{receipt}")).await;
    let check = app.portal.verify_audit(&[]).await.unwrap();
    assert!(check.is_intact());
    assert!(check.chain.written > anchor.seq);

    // Someone with the database removes the newest entries and lowers the counter: the
    // chain alone still verifies, the anchor does not.
    let keep = anchor.seq - 2;
    let cut = format!("DELETE FROM audit_log WHERE seq > {keep}");
    let lower = format!("UPDATE counters SET value = {keep} WHERE name = 'audit'");
    app.execute(Box::leak(cut.into_boxed_str())).await;
    app.execute(Box::leak(lower.into_boxed_str())).await;
    let check = app.portal.verify_audit(&[]).await.unwrap();
    assert!(
        check.chain.problems.is_empty(),
        "the chain is consistent: {check:?}"
    );
    assert!(!check.is_intact());
    assert!(
        check
            .problems
            .contains(&madoguchi_app::audit::AnchorProblem::Rewritten { seq: anchor.seq }),
        "{check:?}"
    );
    assert!(check.problems.iter().any(|p| matches!(
        p,
        madoguchi_app::audit::AnchorProblem::CounterLowered { .. }
    )));

    // An anchor written without the audit key is called out.
    let file = app.portal.config.audit_anchor_path();
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str(&format!(
        "{{\"municipality\":\"131113\",\"seq\":1,\"hash\":\"{}\",\"at\":\"2026-01-01T00:00:00Z\",\"mac\":\"00\"}}\n",
        "0".repeat(64)
    ));
    std::fs::write(&file, text).unwrap();
    let check = app.portal.verify_audit(&[]).await.unwrap();
    assert!(
        check.problems.iter().any(|p| matches!(
            p,
            madoguchi_app::audit::AnchorProblem::Forged { line: 2, .. }
        )),
        "{check:?}"
    );
}

#[tokio::test]
async fn the_inbox_logout_and_reaches_for_other_departments_are_audited() {
    let app = TestApp::new().await;
    add_staff(&app, "koseki", Some("kosekijumin"), false).await;
    add_staff(&app, "kodomo", Some("kosodate-shien"), false).await;
    let attachment = upload(&app).await;
    let (receipt, _) = apply(&app, "juminhyo-yuso", juminhyo(&attachment, "山田")).await;
    let other = staff_browser(&app, "kodomo").await;
    assert_eq!(
        other.get(&format!("/staff/cases/{receipt}")).await.status,
        StatusCode::NOT_FOUND
    );
    let inbox = other.get("/staff").await;
    assert!(
        !inbox.body.contains("/staff/users"),
        "only administrators see the accounts page"
    );
    let csrf = inbox.csrf();
    other.post_form("/staff/logout", &[("_csrf", &csrf)]).await;
    let actions: Vec<String> = {
        let joined: String = app
            .scalar("SELECT COALESCE(STRING_AGG(action, ','), '') FROM audit_log WHERE actor = 'kodomo'")
            .await;
        joined.split(',').map(str::to_owned).collect()
    };
    for expected in ["case.refused", "inbox.read", "logout"] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} not audited: {actions:?}"
        );
    }
}

#[tokio::test]
async fn the_api_answers_in_json_even_when_the_framework_refuses_a_request() {
    let app = TestApp::new().await;
    let bad_path = app
        .get_with("/api/v1/applications/%FF%FE", &[("access-code", "x")])
        .await;
    assert_eq!(bad_path.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad_path.json()["code"], "bad_request");
    let wrong_method = app
        .send(
            axum::http::Request::delete("/api/v1/applications")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong_method.json()["code"], "method_not_allowed");
    assert!(wrong_method.headers.get("allow").is_some());
}
