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
