//! The back office through the real router, on SQLite and (with MADOGUCHI_TEST_POSTGRES_URL)
//! PostgreSQL: staff log in, see their department only, act on cases, and the resident sees
//! each change; the correction round trip; exports in both encodings; the pull API; signed
//! webhooks; the audit chain.

mod support;

use axum::http::StatusCode;
use madoguchi_app::accounts::Actor;
use madoguchi_app::export::{ExportEncoding, ExportFormat, ExportOutcome};
use serde_json::{Value, json};
use support::{
    PASSWORD, PDF, TestApp, act, add_staff, apply, between, jido, juminhyo, mail_body,
    resident_status, staff_browser, upload,
};

#[tokio::test]
async fn staff_log_in_with_lock_out_and_a_fresh_session() {
    let app = TestApp::new().await;
    add_staff(&app, "koseki", Some("kosekijumin"), false).await;
    let browser = app.new_browser();
    assert_eq!(browser.get("/staff").await.location(), "/staff/login");

    // A session id planted before login is not the one the login issues.
    browser.set_cookie("mdg_staff", "planted-by-someone-else");
    let form = browser.get("/staff/login").await;
    let wrong = browser
        .post_form(
            "/staff/login",
            &[
                ("_csrf", &form.csrf()),
                ("login", "koseki"),
                ("password", "nope"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    wrong.assert_contains("ログインIDかパスワードが違います");
    wrong.assert_contains("value=\"koseki\"");
    let ok = browser
        .post_form(
            "/staff/login",
            &[
                ("_csrf", &form.csrf()),
                ("login", "koseki"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let session = browser.cookie("mdg_staff").unwrap();
    assert_ne!(session, "planted-by-someone-else");
    let cookie = ok.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    browser.get("/staff").await.assert_contains("受付一覧");
    let forged = browser
        .post_form(
            "/staff/users",
            &[("_csrf", "forged"), ("login", "x"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(
        forged.status,
        StatusCode::FORBIDDEN,
        "a form without our token"
    );

    // Five wrong passwords lock the account, even against the right one.
    let attacker = app.new_browser();
    let form = attacker.get("/staff/login").await;
    for _ in 0..5 {
        attacker
            .post_form(
                "/staff/login",
                &[
                    ("_csrf", &form.csrf()),
                    ("login", "koseki"),
                    ("password", "guess"),
                ],
            )
            .await;
    }
    let locked = attacker
        .post_form(
            "/staff/login",
            &[
                ("_csrf", &form.csrf()),
                ("login", "koseki"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(locked.status, StatusCode::UNAUTHORIZED);
    locked.assert_contains("しばらくログインできません");

    // Logging out ends the session on the server, not just in the browser.
    let page = browser.get("/staff").await;
    browser
        .post_form("/staff/logout", &[("_csrf", &page.csrf())])
        .await;
    browser.set_cookie("mdg_staff", &session);
    assert_eq!(browser.get("/staff").await.location(), "/staff/login");
}

/// Another department's case is "not found" on every route; administrators see all, and
/// every read is in the audit log.
#[tokio::test]
async fn staff_see_only_their_departments_cases_on_every_route() {
    let app = TestApp::new().await;
    add_staff(&app, "koseki", Some("kosekijumin"), false).await;
    add_staff(&app, "kosodate", Some("kosodate-shien"), true).await;
    add_staff(&app, "admin", None, false).await;
    let pdf = upload(&app).await;
    let (jumin, _) = apply(&app, "juminhyo-yuso", juminhyo(&pdf, "山田")).await;
    let (teate, _) = apply(&app, "jido-teate-nintei", jido("高橋")).await;

    let koseki = staff_browser(&app, "koseki").await;
    let inbox = koseki.get("/staff").await;
    inbox.assert_contains(&jumin);
    assert!(
        !inbox.body.contains(&teate),
        "another department's case is listed"
    );
    inbox.assert_contains("山田 太郎（ヤマダ\u{3000}タロウ）");
    let found = koseki.get("/staff?q=%E3%83%A4%E3%83%9E%E3%83%80").await; // ヤマダ
    found.assert_contains(&jumin);
    let by_receipt = koseki.get(&format!("/staff?q={jumin}")).await;
    by_receipt.assert_contains(&jumin);

    let page = koseki.get(&format!("/staff/cases/{jumin}")).await;
    let csrf = page.csrf();
    let routes = [
        koseki.get(&format!("/staff/cases/{teate}")).await.status,
        koseki
            .post_form(
                &format!("/staff/cases/{teate}/actions"),
                &[("_csrf", &csrf), ("action", "accept")],
            )
            .await
            .status,
        koseki
            .post_form(
                &format!("/staff/cases/{teate}/my-number"),
                &[("_csrf", &csrf), ("field", "my_number")],
            )
            .await
            .status,
        koseki
            .get(&format!("/staff/cases/{teate}/files/{pdf}"))
            .await
            .status,
        koseki
            .get("/staff/export/file?procedure=jido-teate-nintei&format=csv")
            .await
            .status,
    ];
    assert!(
        routes.iter().all(|s| *s == StatusCode::NOT_FOUND),
        "{routes:?}"
    );
    let teate_status = app
        .portal
        .store
        .case_by_receipt(app.portal.municipality(), None, &teate)
        .await
        .unwrap()
        .unwrap()
        .status;
    assert_eq!(teate_status.as_str(), "submitted", "nothing happened to it");

    // Attachments download, never display, with their recorded type.
    let (status, headers, bytes) = koseki
        .get_bytes(&format!("/staff/cases/{jumin}/files/{pdf}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/pdf");
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(bytes, PDF);

    // The My Number is masked; only staff allowed to see it can, and the reveal is audited.
    let kosodate = staff_browser(&app, "kosodate").await;
    let case = kosodate.get(&format!("/staff/cases/{teate}")).await;
    case.assert_contains("********9018");
    assert!(!case.body.contains("123456789018"));
    let revealed = kosodate
        .post_form(
            &format!("/staff/cases/{teate}/my-number"),
            &[("_csrf", &case.csrf()), ("field", "my_number")],
        )
        .await;
    revealed.assert_contains("123456789018");
    let admin = staff_browser(&app, "admin").await;
    let case = admin.get(&format!("/staff/cases/{teate}")).await;
    assert_eq!(
        case.status,
        StatusCode::OK,
        "administrators see every department"
    );
    let refused = admin
        .post_form(
            &format!("/staff/cases/{teate}/my-number"),
            &[("_csrf", &case.csrf()), ("field", "my_number")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(!refused.body.contains("123456789018"));

    let access = app
        .portal
        .store
        .audit_for_application(
            app.portal.municipality(),
            application_id(&app, &teate).await,
        )
        .await
        .unwrap();
    let actions: Vec<(String, String)> = access
        .iter()
        .map(|a| (a.actor.clone(), a.action.clone()))
        .collect();
    for expected in [
        ("kosodate", "case.read"),
        ("kosodate", "my_number.read"),
        ("admin", "case.read"),
        ("admin", "my_number.refused"),
    ] {
        assert!(
            actions.contains(&(expected.0.into(), expected.1.into())),
            "{expected:?} not audited: {actions:?}"
        );
    }
    assert!(app.portal.verify_audit(&[]).await.unwrap().is_intact());
}

async fn application_id(app: &TestApp, receipt: &str) -> uuid::Uuid {
    app.portal
        .store
        .case_by_receipt(app.portal.municipality(), None, receipt)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// Every action shows on the resident's status page; a correction is fixed by the resident
/// (only the flagged answer) and comes back to staff, who approve and complete it.
#[tokio::test]
async fn the_correction_round_trip_from_staff_to_resident_and_back() {
    let app = TestApp::new().await;
    add_staff(&app, "koseki", Some("kosekijumin"), false).await;
    let pdf = upload(&app).await;
    let (receipt, code) = apply(&app, "juminhyo-yuso", juminhyo(&pdf, "山田")).await;
    let staff = staff_browser(&app, "koseki").await;

    let accepted = act(&staff, &receipt, &[("action", "accept")]).await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    staff
        .get(&accepted.location())
        .await
        .assert_contains("受理しました");
    resident_status(&app, &receipt, &code)
        .await
        .assert_contains(">受理<");

    // A correction needs the answers to fix and a message.
    let missing = act(
        &staff,
        &receipt,
        &[
            ("action", "request_correction"),
            ("text", "番地を確認してください"),
        ],
    )
    .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    missing.assert_contains("修正を求める項目を選んでください");
    let requested = act(
        &staff,
        &receipt,
        &[
            ("action", "request_correction"),
            ("fields", "address"),
            (
                "text",
                "番地が住民票と違います。住民票のとおりに入力してください。",
            ),
        ],
    )
    .await;
    assert_eq!(
        requested.status,
        StatusCode::SEE_OTHER,
        "{}",
        requested.body
    );
    let internal = act(
        &staff,
        &receipt,
        &[("action", "note"), ("text", "電話で確認済み")],
    )
    .await;
    assert_eq!(internal.status, StatusCode::SEE_OTHER);

    let page = resident_status(&app, &receipt, &code).await;
    page.assert_contains("補正（修正）のお願い");
    page.assert_contains("番地が住民票と違います");
    page.assert_contains("value=\"東京都大田区蒲田五丁目13番14号\"");
    assert!(
        !page.body.contains("電話で確認済み"),
        "internal notes stay internal"
    );
    assert!(
        !page.body.contains("name=\"f.phone\""),
        "only the flagged answer is asked"
    );

    let resident = app.new_browser();
    let form = resident.get("/status").await;
    let csrf = form.csrf();
    let blank = resident
        .post_form(
            "/status/resubmit",
            &[
                ("_csrf", &csrf),
                ("receipt", &receipt),
                ("access_code", &code),
                ("f.address", ""),
            ],
        )
        .await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    blank.assert_contains("住所を入力してください");
    let fixed = resident
        .post_form(
            "/status/resubmit",
            &[
                ("_csrf", &csrf),
                ("receipt", &receipt),
                ("access_code", &code),
                ("f.address", "東京都大田区蒲田五丁目13番15号"),
            ],
        )
        .await;
    assert_eq!(fixed.status, StatusCode::OK, "{}", fixed.body);
    fixed.assert_contains("修正した内容を再提出しました");
    fixed.assert_contains("補正済み");
    fixed.assert_contains("13番15号");
    fixed.assert_contains("0357441111");

    let case = staff.get(&format!("/staff/cases/{receipt}")).await;
    case.assert_contains("補正済み");
    case.assert_contains("13番15号");
    case.assert_contains("電話で確認済み");
    for action in ["approve", "complete"] {
        let done = act(&staff, &receipt, &[("action", action)]).await;
        assert_eq!(
            done.status,
            StatusCode::SEE_OTHER,
            "{action}: {}",
            done.body
        );
    }
    let too_late = act(&staff, &receipt, &[("action", "accept")]).await;
    assert_eq!(too_late.status, StatusCode::UNPROCESSABLE_ENTITY);
    too_late.assert_contains("今の状態ではこの処理はできません");

    let page = resident_status(&app, &receipt, &code).await;
    page.assert_contains(">完了<");
    for event in [
        "受理されました",
        "補正（修正）をお願いしました：番地が住民票と違います",
        "修正して再提出されました",
        "承認されました",
        "手続が完了しました",
    ] {
        page.assert_contains(event);
    }

    // The resident was mailed at each status change (the outbox writes .eml files here).
    madoguchi_app::mail::process_outbox(&app.portal)
        .await
        .unwrap();
    let mails: Vec<String> = std::fs::read_dir(app.dir.path().join("mail"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert_eq!(
        mails.len(),
        6,
        "submitted, accepted, correction requested, resubmitted, approved, completed"
    );
    assert!(
        mails
            .iter()
            .map(|m| mail_body(m))
            .any(|body| body.contains("番地が住民票と違います")),
        "the correction mail carries the department's message"
    );
}

/// CSV in UTF-8 with a BOM and in CP932; a character CP932 cannot hold is reported with its
/// application, column and place, and nothing is written; JSON carries the answers.
#[tokio::test]
async fn exports_in_both_encodings_report_what_cp932_cannot_hold() {
    let app = TestApp::new().await;
    add_staff(&app, "koseki", Some("kosekijumin"), false).await;
    let pdf = upload(&app).await;
    let (plain, _) = apply(&app, "juminhyo-yuso", juminhyo(&pdf, "髙橋")).await;
    let staff = staff_browser(&app, "koseki").await;

    let (status, headers, bytes) = staff
        .get_bytes("/staff/export/file?procedure=juminhyo-yuso&format=csv&encoding=cp932")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/csv; charset=Shift_JIS");
    let (text, _, errors) = encoding_rs::SHIFT_JIS.decode(&bytes);
    assert!(!errors);
    assert!(text.starts_with("受付番号,申請日時,請求者氏名"), "{text}");
    assert!(
        text.contains(&plain) && text.contains("髙橋 太郎"),
        "{text}"
    );

    let (odd, _) = apply(&app, "juminhyo-yuso", juminhyo(&pdf, "𠮷田")).await;
    let refused = staff
        .get("/staff/export/file?procedure=juminhyo-yuso&format=csv&encoding=cp932")
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("Shift_JIS で書けない文字があります");
    refused.assert_contains(&odd);
    refused.assert_contains("U+20BB7");
    refused.assert_contains("請求者氏名");

    let (status, headers, bytes) = staff
        .get_bytes("/staff/export/file?procedure=juminhyo-yuso&format=csv&encoding=utf-8")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    assert!(bytes.starts_with("\u{FEFF}受付番号".as_bytes()));
    assert!(String::from_utf8(bytes).unwrap().contains("𠮷田 太郎"));

    let (_, _, bytes) = staff
        .get_bytes("/staff/export/file?procedure=juminhyo-yuso&format=json")
        .await;
    let items: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(items.as_array().unwrap().len(), 2);
    assert_eq!(items[1]["answers"]["name"]["family"], "𠮷田");

    // The same through the application layer, as `madoguchi export` uses it.
    let cli = Actor {
        name: "cli".into(),
        scope: None,
        my_number_access: false,
    };
    let outcome = app
        .portal
        .export(
            &cli,
            "juminhyo-yuso",
            ExportFormat::Csv,
            ExportEncoding::Cp932,
            "cli",
        )
        .await
        .unwrap();
    let ExportOutcome::Unmappable(problems) = outcome else {
        panic!("CP932 export of 𠮷 must be refused")
    };
    assert!(problems.iter().all(|p| p.character == '𠮷'));
    assert_eq!(problems[0].receipt_number, odd);
}

/// An export longer than the pages it is read in (500 applications) is whole: every
/// application once, oldest first, in CSV and in JSON, including one submitted while the file
/// was being read.
#[tokio::test]
async fn an_export_of_many_pages_holds_every_application_once_in_order() {
    let app = TestApp::with_config(|c| c.limits.submissions_per_minute = 10_000).await;
    add_staff(&app, "koseki", Some("kosekijumin"), false).await;
    let pdf = upload(&app).await;
    let caller = madoguchi_app::limits::Caller::at(std::net::Ipv4Addr::LOCALHOST.into());
    let mut receipts = Vec::new();
    for _ in 0..1_050 {
        let receipt = app
            .portal
            .submit_api("juminhyo-yuso", &juminhyo(&pdf, "山田"), None, &caller)
            .await
            .unwrap();
        receipts.push(receipt.application.receipt_number.clone());
    }
    let staff = staff_browser(&app, "koseki").await;

    let (status, _, bytes) = staff
        .get_bytes("/staff/export/file?procedure=juminhyo-yuso&format=csv")
        .await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(bytes).unwrap();
    let lines: Vec<&str> = text.trim_start_matches('\u{FEFF}').split("\r\n").collect();
    assert!(
        lines[0].starts_with("受付番号,"),
        "one header: {}",
        lines[0]
    );
    let listed: Vec<&str> = lines[1..]
        .iter()
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(listed, receipts, "every application once, oldest first");

    let (_, _, bytes) = staff
        .get_bytes("/staff/export/file?procedure=juminhyo-yuso&format=json")
        .await;
    let items: Value = serde_json::from_slice(&bytes).unwrap();
    let listed: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["receipt_number"].as_str().unwrap())
        .collect();
    assert_eq!(listed, receipts);

    // Read a page, then a submission arrives: it is in the rest of the file.
    let admin = Actor {
        name: "cli".into(),
        scope: None,
        my_number_access: false,
    };
    let ExportOutcome::File(mut file) = app
        .portal
        .export(
            &admin,
            "juminhyo-yuso",
            ExportFormat::Json,
            ExportEncoding::Utf8Bom,
            "cli",
        )
        .await
        .unwrap()
    else {
        panic!("a file")
    };
    let mut bytes = file.body.next_chunk().await.unwrap().unwrap();
    bytes.extend(file.body.next_chunk().await.unwrap().unwrap());
    let late = app
        .portal
        .submit_api("juminhyo-yuso", &juminhyo(&pdf, "鈴木"), None, &caller)
        .await
        .unwrap();
    while let Some(chunk) = file.body.next_chunk().await.unwrap() {
        bytes.extend(chunk);
    }
    let items: Value = serde_json::from_slice(&bytes).unwrap();
    let items = items.as_array().unwrap();
    assert_eq!(items.len(), receipts.len() + 1);
    assert_eq!(
        items.last().unwrap()["receipt_number"],
        late.application.receipt_number
    );
}

/// A department's token pulls what changed after its cursor, with the 個人番号 whole, and
/// writes a status back; other departments' cases stay invisible; a revoked token is refused.
#[tokio::test]
async fn the_pull_api_lists_changes_since_a_cursor_and_takes_a_status_back() {
    let app = TestApp::new().await;
    add_staff(&app, "kosodate", Some("kosodate-shien"), true).await;
    let pdf = upload(&app).await;
    let (first, first_code) = apply(&app, "jido-teate-nintei", jido("高橋")).await;
    let (other_department, _) = apply(&app, "juminhyo-yuso", juminhyo(&pdf, "山田")).await;
    let staff = app
        .portal
        .staff_session(&login_token(&app, "kosodate").await)
        .await
        .unwrap();
    let issued = app
        .portal
        .issue_token(&staff, "kosodate-shien", "児童手当システム", "127.0.0.1")
        .await
        .unwrap();
    let bearer = format!("Bearer {}", issued.token);
    let auth = [("authorization", bearer.as_str())];

    let none = app.get_with("/api/v1/integration/applications", &[]).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    let page = app
        .get_with("/api/v1/integration/applications?cursor=0", &auth)
        .await
        .json();
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "only the department's application: {page}");
    assert_eq!(items[0]["receipt_number"], first);
    assert_eq!(items[0]["answers"]["my_number"], "123456789018");
    let cursor = page["next_cursor"].as_i64().unwrap();
    let empty = app
        .get_with(
            &format!("/api/v1/integration/applications?cursor={cursor}"),
            &auth,
        )
        .await
        .json();
    assert_eq!(empty["items"].as_array().unwrap().len(), 0);

    let written = app
        .post_json(
            &format!("/api/v1/integration/applications/{first}/status"),
            &json!({ "action": "accept" }),
            &auth,
        )
        .await;
    assert_eq!(written.status, StatusCode::OK, "{}", written.body);
    assert_eq!(written.json()["status"], "accepted");
    let again = app
        .get_with(
            &format!("/api/v1/integration/applications?cursor={cursor}"),
            &auth,
        )
        .await
        .json();
    assert_eq!(again["items"][0]["status"], "accepted");
    resident_status(&app, &first, &first_code)
        .await
        .assert_contains(">受理<");
    let one = app
        .get_with(&format!("/api/v1/integration/applications/{first}"), &auth)
        .await
        .json();
    assert_eq!(one["history"][1]["actor"], "api:児童手当システム");

    let other = app
        .get_with(
            &format!("/api/v1/integration/applications/{other_department}"),
            &auth,
        )
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let file = app
        .get_with(
            &format!("/api/v1/integration/applications/{other_department}/attachments/{pdf}"),
            &auth,
        )
        .await;
    assert_eq!(file.status, StatusCode::NOT_FOUND);
    let write = app
        .post_json(
            &format!("/api/v1/integration/applications/{other_department}/status"),
            &json!({ "action": "accept" }),
            &auth,
        )
        .await;
    assert_eq!(write.status, StatusCode::NOT_FOUND);

    app.portal
        .revoke_token(&staff, issued.id, "127.0.0.1")
        .await
        .unwrap();
    let revoked = app
        .get_with("/api/v1/integration/applications", &auth)
        .await;
    assert_eq!(revoked.status, StatusCode::UNAUTHORIZED);
}

async fn login_token(app: &TestApp, login: &str) -> String {
    let (token, _) = app
        .portal
        .login(login, PASSWORD, "127.0.0.1")
        .await
        .unwrap();
    token
}

/// Webhooks: signed with HMAC-SHA256, recorded with the change, retried after a failure,
/// shown in the delivery log and resent on request.
#[tokio::test]
async fn webhooks_are_signed_logged_and_resent_after_a_failure() {
    let receiver = Receiver::start(vec![500, 200, 200]).await;
    let secret_dir = tempfile::tempdir().unwrap();
    let secret_file = secret_dir.path().join("hook.secret");
    std::fs::write(&secret_file, "s3cret-for-tests\n").unwrap();
    let url = receiver.url.clone();
    let app = TestApp::with_config(|c| {
        c.webhooks = vec![madoguchi_app::config::WebhookConfig {
            department: "kosekijumin".into(),
            url,
            secret_file,
        }];
    })
    .await;
    add_staff(&app, "koseki", Some("kosekijumin"), false).await;
    let pdf = upload(&app).await;
    let (receipt, _) = apply(&app, "juminhyo-yuso", juminhyo(&pdf, "山田")).await;
    let staff = staff_browser(&app, "koseki").await;
    act(&staff, &receipt, &[("action", "accept")]).await;

    madoguchi_app::mail::process_outbox(&app.portal)
        .await
        .unwrap();
    let log = staff.get("/staff/integration").await;
    log.assert_contains("失敗（再試行中）");
    log.assert_contains("HTTP 500");
    // The outbox retries by itself once the backoff has passed (here: made due at once).
    app.execute("UPDATE jobs SET run_after = created_at WHERE done_at IS NULL")
        .await;
    madoguchi_app::mail::process_outbox(&app.portal)
        .await
        .unwrap();
    assert_eq!(receiver.requests().len(), 2, "retried after the failure");
    let id = between(&log.body, "/staff/integration/deliveries/", "/resend").unwrap();
    let resent = staff
        .post_form(
            &format!("/staff/integration/deliveries/{id}/resend"),
            &[("_csrf", &log.csrf())],
        )
        .await;
    assert_eq!(resent.status, StatusCode::SEE_OTHER);
    madoguchi_app::mail::process_outbox(&app.portal)
        .await
        .unwrap();
    staff
        .get("/staff/integration")
        .await
        .assert_contains("送信済み");

    let requests = receiver.requests();
    assert_eq!(requests.len(), 3, "the failure, the retry and the resend");
    assert_eq!(
        requests[1].1, requests[2].1,
        "a resend repeats the same event"
    );
    let (signature, body) = &requests[2];
    let event: Value = serde_json::from_str(body).unwrap();
    assert_eq!(event["receipt_number"], receipt);
    assert_eq!(event["status"], "accepted");
    assert_eq!(event["previous_status"], "submitted");
    let t: i64 = between(signature, "t=", ",").unwrap().parse().unwrap();
    assert_eq!(
        signature,
        &madoguchi_app::webhook::signature(b"s3cret-for-tests", t, body.as_bytes())
    );
}

/// A tiny HTTP server that answers with the given statuses in turn and records what it got.
struct Receiver {
    url: String,
    seen: std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>,
}

impl Receiver {
    async fn start(statuses: Vec<u16>) -> Self {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let record = seen.clone();
        tokio::spawn(async move {
            for status in statuses.into_iter().chain(std::iter::repeat(200)) {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                loop {
                    let n = socket.read(&mut buf).await.unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    request.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&request);
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length: usize = text
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse().unwrap_or(0))
                            })
                            .unwrap_or(0);
                        if request.len() >= end + 4 + length {
                            break;
                        }
                    }
                }
                let text = String::from_utf8_lossy(&request).into_owned();
                let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
                let signature = head
                    .lines()
                    .find_map(|l| {
                        l.split_once(':')
                            .filter(|(k, _)| k.eq_ignore_ascii_case("madoguchi-signature"))
                            .map(|(_, v)| v.trim().to_owned())
                    })
                    .unwrap_or_default();
                record.lock().unwrap().push((signature, body.to_owned()));
                let reply = format!(
                    "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                );
                let _ = socket.write_all(reply.as_bytes()).await;
            }
        });
        Self { url, seen }
    }

    fn requests(&self) -> Vec<(String, String)> {
        self.seen.lock().unwrap().clone()
    }
}

/// `madoguchi audit verify` and the application layer both find a row changed behind their back.
#[tokio::test]
async fn the_audit_log_detects_a_changed_row() {
    let app = TestApp::new().await;
    add_staff(&app, "koseki", Some("kosekijumin"), false).await;
    let pdf = upload(&app).await;
    let (receipt, _) = apply(&app, "juminhyo-yuso", juminhyo(&pdf, "山田")).await;
    let staff = staff_browser(&app, "koseki").await;
    act(&staff, &receipt, &[("action", "accept")]).await;
    let report = app.portal.verify_audit(&[]).await.unwrap();
    assert!(
        report.chain.entries >= 3,
        "login, the read and the action: {report:?}"
    );
    assert!(report.is_intact());
    app.execute("UPDATE audit_log SET actor = 'nobody' WHERE action = 'case.act'")
        .await;
    let report = app.portal.verify_audit(&[]).await.unwrap();
    assert!(
        matches!(
            report.chain.problems.as_slice(),
            [madoguchi_storage::AuditProblem::Altered { .. }]
        ),
        "{report:?}"
    );
}

/// A rejection's reason reaches the resident; an assignment and a note do not.
#[tokio::test]
async fn a_rejection_is_explained_to_the_resident_and_assignment_stays_internal() {
    let app = TestApp::new().await;
    add_staff(&app, "koseki", Some("kosekijumin"), false).await;
    add_staff(&app, "koseki2", Some("kosekijumin"), false).await;
    add_staff(&app, "kosodate", Some("kosodate-shien"), false).await;
    let pdf = upload(&app).await;
    let (receipt, code) = apply(&app, "juminhyo-yuso", juminhyo(&pdf, "山田")).await;
    let staff = staff_browser(&app, "koseki").await;
    let id_of = async |login: &str| {
        app.portal
            .store
            .staff_by_login(app.portal.municipality(), login)
            .await
            .unwrap()
            .unwrap()
            .id
            .to_string()
    };
    let colleague = id_of("koseki2").await;
    let outsider = id_of("kosodate").await;
    let wrong = act(
        &staff,
        &receipt,
        &[("action", "assign"), ("assignee", &outsider)],
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    wrong.assert_contains("担当者はこの課の職員から選んでください");
    let assigned = act(
        &staff,
        &receipt,
        &[("action", "assign"), ("assignee", &colleague)],
    )
    .await;
    assert_eq!(assigned.status, StatusCode::SEE_OTHER);
    staff
        .get(&format!("/staff/cases/{receipt}"))
        .await
        .assert_contains("koseki2 さん");

    let no_reason = act(&staff, &receipt, &[("action", "reject")]).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    no_reason.assert_contains("却下の理由を入力してください");
    let rejected = act(
        &staff,
        &receipt,
        &[
            ("action", "reject"),
            ("text", "本人確認書類の有効期限が切れています"),
        ],
    )
    .await;
    assert_eq!(rejected.status, StatusCode::SEE_OTHER);
    let page = resident_status(&app, &receipt, &code).await;
    page.assert_contains(">却下<");
    page.assert_contains("却下されました：本人確認書類の有効期限が切れています");
    assert!(!page.body.contains("koseki2"), "assignment is internal");
    assert!(
        !page.body.contains("/status/withdraw"),
        "a closed case cannot be withdrawn"
    );
}

/// 本人確認書類の再提出: a correction may ask for a file question, and the resident sends the
/// new file from the status page (multipart), which carries it until the resubmission goes
/// through. The new file is recorded as in use, so the clean-up keeps it.
#[tokio::test]
async fn a_correction_asks_for_a_document_again_and_the_resident_sends_it() {
    let app = TestApp::new().await;
    add_staff(&app, "koseki", Some("kosekijumin"), false).await;
    let pdf = upload(&app).await;
    let (receipt, code) = apply(&app, "juminhyo-yuso", juminhyo(&pdf, "山田")).await;
    let staff = staff_browser(&app, "koseki").await;
    let requested = act(
        &staff,
        &receipt,
        &[
            ("action", "request_correction"),
            ("fields", "identity_document"),
            ("fields", "persons"),
            (
                "text",
                "本人確認書類が読み取れません。撮影し直して添付してください。",
            ),
        ],
    )
    .await;
    assert_eq!(
        requested.status,
        StatusCode::SEE_OTHER,
        "{}",
        requested.body
    );

    let (resident, page) = support::resident_at_status(&app, &receipt, &code).await;
    page.assert_contains("enctype=\"multipart/form-data\"");
    page.assert_contains("name=\"f.identity_document\"");
    page.assert_contains("添付済み：menkyo.pdf");
    let csrf = page.csrf();
    let fields = [
        ("_csrf", csrf.as_str()),
        ("receipt", receipt.as_str()),
        ("access_code", code.as_str()),
        ("f.persons.items", "1"),
        ("f.persons.0.birth_date.year", "1980"),
        ("f.persons.0.birth_date.month", "4"),
        ("f.persons.0.birth_date.day", "1"),
    ];
    let old_kept = support::between(
        &page.body,
        "name=\"f.identity_document.kept\" value=\"",
        "\"",
    )
    .expect("the page carries the document on file");
    // A wrong answer elsewhere: the new file is shown attached all the same.
    let new_pdf = support::numbered_pdf(7);
    let files = [("f.identity_document", "menkyo-2.pdf", new_pdf.as_slice())];
    let mut unnamed = fields.to_vec();
    unnamed.push(("f.persons.0.name", ""));
    // The old document goes, the new one comes.
    unnamed.push(("f.identity_document.kept", &old_kept));
    unnamed.push(("f.identity_document.remove", "1"));
    let again = resident
        .post_multipart("/status/resubmit", &unnamed, &files)
        .await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        again.body
    );
    again.assert_contains("添付済み：menkyo-2.pdf");
    assert!(
        !again.body.contains("添付済み：menkyo.pdf"),
        "the old one is gone"
    );
    // Nothing was stored yet: the page carries the new file to the next post.
    let new_kept = support::between(
        &again.body,
        "name=\"f.identity_document.kept\" value=\"",
        "\"",
    )
    .unwrap();
    let mut named = fields.to_vec();
    named.push(("f.persons.0.name", "山田 太郎"));
    named.push(("f.identity_document.kept", &new_kept));
    let fixed = resident
        .post_multipart("/status/resubmit", &named, &[])
        .await;
    assert_eq!(fixed.status, StatusCode::OK, "{}", fixed.body);
    fixed.assert_contains("修正した内容を再提出しました");
    let case = staff.get(&format!("/staff/cases/{receipt}")).await;
    let link = format!("/staff/cases/{receipt}/files/");
    assert_eq!(case.body.matches(&link).count(), 1, "one document");
    let new_sha = support::between(&case.body, &link, "\"").unwrap();
    assert_ne!(new_sha, pdf, "the new document replaced the old one");
    let in_use: i64 = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM attachment_uses WHERE sha256 = '{new_sha}'"
        ))
        .await;
    assert_eq!(in_use, 1, "the new file is recorded as in use");
}

/// A correction is judged on what it changes: an answer not asked about that a rule counted
/// from today now refuses (a 相談 day since passed) does not block the fix of another, while the
/// answer asked about is checked by every rule.
#[tokio::test]
async fn a_correction_is_not_blocked_by_an_answer_that_has_aged_since_submission() {
    let app = TestApp::new().await;
    add_staff(&app, "kocho", Some("kocho"), false).await;
    let day = (madoguchi_app::timefmt::today_jst() + time::Duration::days(1)).to_string();
    let mut answers = json!({
        "topic": "tax",
        "preferred_date": day,
        "time_of_day": "morning",
        "method": "phone",
        "name": "大田 太郎",
        "phone": "0357441111",
        "summary": "相続税の申告について"
    });
    // The next working day: the rule takes weekdays only, outside holidays.
    let (receipt, code) = loop {
        let reply = app
            .post_json(
                "/api/v1/applications",
                &json!({ "procedure_id": "sodan-moshikomi", "answers": answers }),
                &[],
            )
            .await;
        if reply.status == StatusCode::CREATED {
            let body = reply.json();
            break (
                body["receipt_number"].as_str().unwrap().to_owned(),
                body["access_code"].as_str().unwrap().to_owned(),
            );
        }
        let next = time::Date::parse(
            answers["preferred_date"].as_str().unwrap(),
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .unwrap()
        .next_day()
        .unwrap();
        answers["preferred_date"] = json!(next.to_string());
    };
    // Time passes: the chosen day is now in the past (2020年1月6日, a Monday).
    let chosen = answers["preferred_date"].as_str().unwrap().to_owned();
    let aged = if app.is_postgres() {
        format!(
            "UPDATE applications SET answers = CAST(REPLACE(CAST(answers AS TEXT), '{chosen}', '2020-01-06') AS JSONB)"
        )
    } else {
        format!("UPDATE applications SET answers = REPLACE(answers, '{chosen}', '2020-01-06')")
    };
    app.execute(&aged).await;

    let staff = staff_browser(&app, "kocho").await;
    let requested = act(
        &staff,
        &receipt,
        &[
            ("action", "request_correction"),
            ("fields", "phone"),
            ("text", "電話番号がつながりません。"),
        ],
    )
    .await;
    assert_eq!(
        requested.status,
        StatusCode::SEE_OTHER,
        "{}",
        requested.body
    );
    let resident = app.new_browser();
    let lookup = resident.get("/status").await;
    let csrf = lookup.csrf();
    let resubmit = |phone: &'static str| {
        resident.form_request(
            "/status/resubmit",
            &[
                ("_csrf", &csrf),
                ("receipt", &receipt),
                ("access_code", &code),
                ("f.phone", phone),
            ],
        )
    };
    let wrong = resident.send(resubmit("03-5744")).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    wrong.assert_contains("固定電話の番号は10桁です");
    let fixed = resident.send(resubmit("03-5744-1112")).await;
    assert_eq!(fixed.status, StatusCode::OK, "{}", fixed.body);
    fixed.assert_contains("修正した内容を再提出しました");
}

/// The receipts an inbox page lists, in order.
fn listed(page: &str) -> Vec<String> {
    page.split("<a class=\"code\" href=\"/staff/cases/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn the_inbox_pages_by_a_cursor_that_skips_and_repeats_nothing_while_cases_arrive() {
    let app = TestApp::with_config(|c| c.limits.submissions_per_minute = 1000).await;
    add_staff(&app, "kosodate", Some("kosodate-shien"), false).await;
    let staff = staff_browser(&app, "kosodate").await;
    let mut submitted = Vec::new();
    for i in 0..75 {
        submitted.push(
            apply(&app, "jido-teate-nintei", jido(&format!("区民{i}")))
                .await
                .0,
        );
    }
    let first = staff.get("/staff").await;
    let page_one = listed(&first.body);
    assert_eq!(page_one.len(), 50);
    first.assert_contains("次の50件を表示する");
    let after = between(&first.body, "name=\"after\" value=\"", "\"").unwrap();
    assert_eq!(&after, page_one.last().unwrap());
    // Cases arriving meanwhile come after every one already listed.
    for i in 0..30 {
        submitted.push(
            apply(&app, "jido-teate-nintei", jido(&format!("新規{i}")))
                .await
                .0,
        );
    }
    let second = staff.get(&format!("/staff?after={after}")).await;
    let page_two = listed(&second.body);
    assert_eq!(page_two.len(), 50);
    second.assert_contains("最初のページに戻る");
    let after = between(&second.body, "name=\"after\" value=\"", "\"").unwrap();
    let third = staff.get(&format!("/staff?after={after}")).await;
    let page_three = listed(&third.body);
    assert!(!third.body.contains("次の50件を表示する"), "the last page");
    let seen: Vec<String> = [page_one, page_two, page_three].concat();
    let mut expected = submitted.clone();
    expected.sort();
    let mut got = seen.clone();
    got.sort();
    got.dedup();
    assert_eq!(got.len(), seen.len(), "no case repeated");
    assert_eq!(got, expected, "no case skipped");
    // Filters hold across pages; a cursor that is not a receipt is no cursor.
    let filtered = staff.get("/staff?status=submitted&after=nonsense").await;
    assert_eq!(listed(&filtered.body).len(), 50);
}

#[tokio::test]
async fn two_instances_draining_the_outbox_at_once_send_each_mail_once() {
    let app = TestApp::with_config(|c| c.limits.submissions_per_minute = 1000).await;
    let second = app.second_instance().await;
    // More than a claimed batch, so that each instance claims several times.
    let total = 150;
    for i in 0..total {
        let mut answers = jido(&format!("区民{i}"));
        answers["email"] = json!(format!("resident{i}@example.jp"));
        apply(&app, "jido-teate-nintei", answers).await;
    }
    let (one, two) = tokio::join!(
        madoguchi_app::mail::process_outbox(&app.portal),
        madoguchi_app::mail::process_outbox(&second.portal),
    );
    assert_eq!(one.unwrap() + two.unwrap(), total, "every mail sent once");
    assert_eq!(app.portal.store.pending_jobs().await.unwrap(), 0);
    let mails: Vec<String> = std::fs::read_dir(app.dir.path().join("mail"))
        .unwrap()
        .map(|f| std::fs::read_to_string(f.unwrap().path()).unwrap())
        .collect();
    assert_eq!(mails.len(), total);
    let mut recipients: Vec<&str> = mails
        .iter()
        .filter_map(|m| m.lines().find(|l| l.starts_with("To: ")))
        .collect();
    recipients.sort_unstable();
    recipients.dedup();
    assert_eq!(recipients.len(), total, "no resident mailed twice");
}

#[tokio::test]
async fn mail_goes_through_a_local_relay_on_kept_connections_and_survives_its_hang_ups() {
    // The relay hangs up after every third message: a kept connection it closed is replaced.
    let sink = madoguchi_app::smtp_sink::start(Some(3)).await.unwrap();
    let port = sink.port;
    let app = TestApp::with_config(|c| {
        c.limits.submissions_per_minute = 1000;
        c.mail.smtp = Some(madoguchi_app::config::SmtpConfig {
            host: "127.0.0.1".into(),
            port,
            username: None,
            password_file: None,
            tls: "none".into(),
        });
    })
    .await;
    let total = 40;
    for i in 0..total {
        let mut answers = jido(&format!("区民{i}"));
        answers["email"] = json!(format!("resident{i}@example.jp"));
        apply(&app, "jido-teate-nintei", answers).await;
    }
    let sent = madoguchi_app::mail::process_outbox(&app.portal)
        .await
        .unwrap();
    assert_eq!(sent, total);
    assert_eq!(sink.received(), total as u64, "each mail reached the relay");
    assert_eq!(app.portal.store.pending_jobs().await.unwrap(), 0);
}
