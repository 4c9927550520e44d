//! A life event's online procedures submitted together, through the real router with JavaScript
//! off, on SQLite and (with MADOGUCHI_TEST_POSTGRES_URL) PostgreSQL: the facts asked once, each
//! procedure's remaining questions, one check page, one submit that creates one application
//! per procedure in one transaction (or none), one access code, and each department seeing
//! only its own.

mod support;

use axum::http::StatusCode;
use madoguchi_app::timefmt::today_jst;
use support::{PDF, TestApp};

fn date_pairs(name: &str, d: time::Date) -> Vec<(String, String)> {
    vec![
        (format!("f.{name}.year"), d.year().to_string()),
        (format!("f.{name}.month"), u8::from(d.month()).to_string()),
        (format!("f.{name}.day"), d.day().to_string()),
    ]
}

fn owned(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

fn name_pairs(name: &str) -> Vec<(String, String)> {
    [
        ("family", "区民"),
        ("given", "花子"),
        ("family_kana", "クミン"),
        ("given_kana", "ハナコ"),
    ]
    .into_iter()
    .map(|(part, v)| (format!("f.{name}.{part}"), v.to_owned()))
    .collect()
}

/// A move out of the ward with bulky waste to leave: the list offers 転出届 (戸籍住民課) and
/// 粗大ごみ (清掃事務所) online. Returns the plan's token.
async fn moving_out(app: &TestApp) -> String {
    let page = app.get("/life-events/hikkoshi").await;
    let reply = app
        .post_form("/life-events/hikkoshi/start", &[("_csrf", &page.csrf())])
        .await;
    let first = reply.location();
    let token = support::between(&first, "/plans/", "/").unwrap();
    let mut out = date_pairs("move_date", today_jst() + time::Duration::days(3));
    out.push(("f.move_kind".into(), "out".into()));
    let household = app.answer(&first, &owned(&out)).await.location();
    let listed = app
        .answer(
            &household,
            &[
                ("f.has_kokuho", "no"),
                ("f.has_children", "no"),
                ("f.needs_seal", "no"),
                ("f.bulky_waste", "yes"),
            ],
        )
        .await;
    assert_eq!(listed.location(), format!("/plans/{token}"));
    token
}

/// Ticks `procedures` on the list; returns where the bundle starts.
async fn choose(app: &TestApp, token: &str, procedures: &[&str]) -> String {
    let list = app.get(&format!("/plans/{token}")).await;
    let csrf = list.csrf();
    let mut pairs = vec![("_csrf", csrf.as_str())];
    pairs.extend(procedures.iter().map(|p| ("procedure", *p)));
    let reply = app
        .post_form(&format!("/plans/{token}/bundle"), &pairs)
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    reply.location()
}

/// Answers the shared facts once; returns the first page after them.
async fn answer_facts(app: &TestApp, token: &str) -> String {
    let notifier = format!("/plans/{token}/facts/steps/notifier");
    let mut pairs = name_pairs("notifier_name");
    pairs.push(("f.phone".into(), "03-5744-1111".into()));
    pairs.push(("f.email".into(), "hanako@example.jp".into()));
    let movers = app.answer(&notifier, &owned(&pairs)).await;
    assert_eq!(movers.status, StatusCode::SEE_OTHER, "{}", movers.body);
    assert_eq!(
        movers.location(),
        format!("/plans/{token}/facts/steps/movers")
    );
    let mut pairs = name_pairs("movers.0.name");
    pairs.extend(date_pairs(
        "movers.0.birth_date",
        time::macros::date!(1990 - 04 - 01),
    ));
    pairs.push(("f.movers.0.relationship".into(), "householder".into()));
    let after = app.answer(&movers.location(), &owned(&pairs)).await;
    assert_eq!(after.status, StatusCode::SEE_OTHER, "{}", after.body);
    after.location()
}

/// Answers what 転出届 and 粗大ごみ still ask, page by page; returns the check page.
async fn answer_forms(app: &TestApp, token: &str, first: &str) -> String {
    // 転出届: the notifier page is answered by the facts; the move page asks only what they do
    // not say (the date came from the interview).
    assert_eq!(first, format!("/plans/{token}/forms/tenshutsu/steps/move"));
    let page = app.get(first).await;
    page.assert_contains("新しい住所");
    assert!(
        !page.body.contains("転出予定日"),
        "asked again: {}",
        page.body
    );
    let related = app
        .answer(
            first,
            &[
                ("f.new_address", "埼玉県川口市本町1-1-1"),
                ("f.new_householder", "区民 花子"),
                ("f.whole_household", "yes"),
            ],
        )
        .await
        .location();
    // The movers came from the facts, item by item: on to the documents.
    assert_eq!(
        related,
        format!("/plans/{token}/forms/tenshutsu/steps/related")
    );
    let page = app.get(&related).await;
    let sent = app
        .post_multipart(
            &related,
            &[("_csrf", &page.csrf())],
            &[("f.identity_document", "menkyo.pdf", PDF)],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    // 粗大ごみ: the phone and mail are known; the name is its own question (free text).
    let applicant = sent.location();
    assert_eq!(
        applicant,
        format!("/plans/{token}/forms/sodai-gomi/steps/applicant")
    );
    let page = app.get(&applicant).await;
    assert!(!page.body.contains("name=\"f.phone\""), "{}", page.body);
    let items = app
        .answer(
            &applicant,
            &[("f.name", "区民 花子"), ("f.address", "大田区蒲田5-13-14")],
        )
        .await
        .location();
    let collection = app
        .answer(
            &items,
            &[("f.items.0.item", "desk"), ("f.items.0.count", "1")],
        )
        .await
        .location();
    let pickup = date_pairs("preferred_date", today_jst() + time::Duration::days(10));
    let mut pairs = owned(&pickup);
    pairs.push(("f.place", "玄関前"));
    let review = app.answer(&collection, &pairs).await;
    assert_eq!(review.status, StatusCode::SEE_OTHER, "{}", review.body);
    review.location()
}

async fn submit(app: &TestApp, token: &str) -> support::Reply {
    let review = app.get(&format!("/plans/{token}/review")).await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.body);
    app.post_form(
        &format!("/plans/{token}/submit"),
        &[("_csrf", &review.csrf())],
    )
    .await
}

#[tokio::test]
async fn a_bundle_asks_the_facts_once_and_submits_one_application_per_department() {
    let app = TestApp::new().await;
    let token = moving_out(&app).await;
    let list = app.get(&format!("/plans/{token}")).await;
    list.assert_contains("オンラインの手続をまとめて申請する");
    list.assert_contains("value=\"tenshutsu\" id=\"procedure-tenshutsu\" checked");
    list.assert_contains("value=\"sodai-gomi\" id=\"procedure-sodai-gomi\" checked");

    // Nothing ticked: said next to the choice.
    let none = app
        .post_form(
            &format!("/plans/{token}/bundle"),
            &[("_csrf", &list.csrf())],
        )
        .await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    none.assert_contains("まとめて申請する手続を1つ以上選んでください");

    let facts = choose(&app, &token, &["tenshutsu", "sodai-gomi"]).await;
    assert_eq!(facts, format!("/plans/{token}/facts/steps/notifier"));
    let first = answer_facts(&app, &token).await;
    let review = answer_forms(&app, &token, &first).await;
    assert_eq!(review, format!("/plans/{token}/review"));

    let page = app.get(&review).await;
    for text in [
        "共通の内容",
        "区民",
        "転出届",
        "戸籍住民課",
        "粗大ごみ 収集申込",
        "埼玉県川口市本町1-1-1",
        "1,200円",
        "2件の手続をまとめて申請する",
    ] {
        page.assert_contains(text);
    }
    assert_eq!(app.application_count().await, 0);

    let sent = submit(&app, &token).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(sent.location(), format!("/plans/{token}/done"));
    // A second click finds the same bundle.
    let again = app
        .post_form(
            &format!("/plans/{token}/submit"),
            &[("_csrf", &page.csrf())],
        )
        .await;
    assert_eq!(again.location(), format!("/plans/{token}/done"));
    assert_eq!(app.application_count().await, 2);

    let done = app.get(&format!("/plans/{token}/done")).await;
    done.assert_contains("まとめて申請しました");
    let code = support::between(&done.body, "id=\"access-code\">", "<").unwrap();
    let receipts: Vec<String> = done
        .body
        .match_indices("<td class=\"code\">")
        .map(|(i, _)| support::between(&done.body[i..], "<td class=\"code\">", "<").unwrap())
        .collect();
    assert_eq!(receipts.len(), 2, "{}", done.body);

    // Each in its own department, linked as one bundle from the life event.
    for (department, procedure) in [("seiso", "sodai-gomi"), ("kosekijumin", "tenshutsu")] {
        let found: i64 = app
            .scalar(&format!(
                "SELECT COUNT(*) FROM applications WHERE department_id = '{department}' \
                 AND procedure_id = '{procedure}' AND life_event_id = 'hikkoshi' AND bundle_id IS NOT NULL"
            ))
            .await;
        assert_eq!(found, 1, "{procedure}");
    }
    let bundles: i64 = app
        .scalar("SELECT COUNT(DISTINCT bundle_id) FROM applications")
        .await;
    assert_eq!(bundles, 1);
    // Prefilled from the facts, item by item.
    let answers = app.stored_answers().await;
    assert!(answers.contains("1990-04-01"), "{answers}");
    assert!(answers.contains("hanako@example.jp"), "{answers}");

    // The one access code opens every receipt, and each page lists the others.
    for receipt in &receipts {
        let status = support::resident_status(&app, receipt, &code).await;
        assert_eq!(status.status, StatusCode::OK, "{}", status.body);
        status.assert_contains("同時に申請した手続");
        for other in &receipts {
            status.assert_contains(other);
        }
    }
    // The plan's list says it was sent, and offers no second bundle.
    let list = app.get(&format!("/plans/{token}")).await;
    list.assert_contains("まとめて申請しました");
    assert!(!list.body.contains("name=\"procedure\""));
}

#[tokio::test]
async fn a_department_sees_its_own_application_and_only_the_titles_of_the_others() {
    let app = TestApp::new().await;
    let token = moving_out(&app).await;
    choose(&app, &token, &["tenshutsu", "sodai-gomi"]).await;
    let first = answer_facts(&app, &token).await;
    answer_forms(&app, &token, &first).await;
    submit(&app, &token).await;

    support::add_staff(&app, "seiso1", Some("seiso"), false).await;
    let staff = support::staff_browser(&app, "seiso1").await;
    let inbox = staff.get("/staff").await;
    inbox.assert_contains("粗大ごみ");
    assert!(!inbox.body.contains("転出届"), "{}", inbox.body);
    let receipt: String = app
        .scalar("SELECT receipt_number FROM applications WHERE procedure_id = 'sodai-gomi'")
        .await;
    let case = staff.get(&format!("/staff/cases/{receipt}")).await;
    assert_eq!(case.status, StatusCode::OK, "{}", case.body);
    case.assert_contains("引越し");
    case.assert_contains("転出届");
    case.assert_contains("戸籍住民課");
    // The other department's answers stay with it.
    assert!(
        !case.body.contains("埼玉県川口市本町1-1-1"),
        "{}",
        case.body
    );
    let other: String = app
        .scalar("SELECT receipt_number FROM applications WHERE procedure_id = 'tenshutsu'")
        .await;
    assert!(!case.body.contains(&other), "{}", case.body);
    let refused = staff.get(&format!("/staff/cases/{other}")).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);

    // The inbox filters by life event.
    let moving = staff.get("/staff?event=hikkoshi").await;
    moving.assert_contains(&receipt);
    let dying = staff.get("/staff?event=okuyami").await;
    assert!(!dying.body.contains(&receipt), "{}", dying.body);
}

#[tokio::test]
async fn a_failure_in_one_application_leaves_none_and_the_bundle_can_be_sent_again() {
    let app = TestApp::new().await;
    let token = moving_out(&app).await;
    choose(&app, &token, &["tenshutsu", "sodai-gomi"]).await;
    let first = answer_facts(&app, &token).await;
    answer_forms(&app, &token, &first).await;

    // The second application cannot be written (as a full disk or a lost connection would).
    if app.is_postgres() {
        app.execute(
            "CREATE FUNCTION refuse_sodai() RETURNS trigger AS $$ BEGIN \
             IF NEW.procedure_id = 'sodai-gomi' THEN RAISE EXCEPTION 'refused'; END IF; \
             RETURN NEW; END $$ LANGUAGE plpgsql",
        )
        .await;
        app.execute(
            "CREATE TRIGGER refuse_sodai BEFORE INSERT ON applications \
             FOR EACH ROW EXECUTE FUNCTION refuse_sodai()",
        )
        .await;
    } else {
        app.execute(
            "CREATE TRIGGER refuse_sodai BEFORE INSERT ON applications \
             WHEN NEW.procedure_id = 'sodai-gomi' BEGIN SELECT RAISE(ABORT, 'refused'); END",
        )
        .await;
    }
    let failed = submit(&app, &token).await;
    assert!(failed.status.is_server_error(), "{}", failed.status);
    assert_eq!(app.application_count().await, 0);
    let bundles: i64 = app.scalar("SELECT COUNT(*) FROM bundles").await;
    assert_eq!(bundles, 0);
    let jobs: i64 = app.scalar("SELECT COUNT(*) FROM jobs").await;
    assert_eq!(jobs, 0, "no confirmation mail for what was not received");

    if app.is_postgres() {
        app.execute("DROP TRIGGER refuse_sodai ON applications")
            .await;
    } else {
        app.execute("DROP TRIGGER refuse_sodai").await;
    }
    let sent = submit(&app, &token).await;
    assert_eq!(sent.location(), format!("/plans/{token}/done"));
    assert_eq!(app.application_count().await, 2);
}

#[tokio::test]
async fn a_procedure_dropped_or_no_longer_implied_leaves_the_bundle() {
    let app = TestApp::new().await;
    let token = moving_out(&app).await;
    choose(&app, &token, &["tenshutsu", "sodai-gomi"]).await;
    let first = answer_facts(&app, &token).await;
    answer_forms(&app, &token, &first).await;

    // An interview answer changed: no bulky waste after all.
    let household = format!("/plans/{token}/steps/household");
    app.answer(
        &household,
        &[
            ("f.has_kokuho", "no"),
            ("f.has_children", "no"),
            ("f.needs_seal", "no"),
            ("f.bulky_waste", "no"),
        ],
    )
    .await;
    let review = app.get(&format!("/plans/{token}/review")).await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.body);
    assert!(
        !review.body.contains("粗大ごみ 収集申込"),
        "{}",
        review.body
    );
    review.assert_contains("1件の手続をまとめて申請する");

    // Dropping the last one leaves nothing to send: back to the list.
    let dropped = app
        .post_form(
            &format!("/plans/{token}/drop"),
            &[("_csrf", &review.csrf()), ("procedure", "tenshutsu")],
        )
        .await;
    assert_eq!(dropped.location(), format!("/plans/{token}/review"));
    let empty = app.get(&format!("/plans/{token}/review")).await;
    assert_eq!(empty.location(), format!("/plans/{token}"));
    let drafts: i64 = app.scalar("SELECT COUNT(*) FROM drafts").await;
    assert_eq!(drafts, 0);
    assert_eq!(app.application_count().await, 0);
}

#[tokio::test]
async fn two_submits_racing_make_one_bundle() {
    let app = TestApp::new().await;
    let token = moving_out(&app).await;
    choose(&app, &token, &["tenshutsu", "sodai-gomi"]).await;
    let first = answer_facts(&app, &token).await;
    answer_forms(&app, &token, &first).await;
    let review = app.get(&format!("/plans/{token}/review")).await;
    let csrf = review.csrf();
    let path = format!("/plans/{token}/submit");
    let requests = (0..4)
        .map(|_| app.form_request(&path, &[("_csrf", &csrf)]))
        .collect();
    for reply in app.send_all(requests).await {
        assert_eq!(
            reply.location(),
            format!("/plans/{token}/done"),
            "{}",
            reply.body
        );
    }
    assert_eq!(app.application_count().await, 2);
    let bundles: i64 = app.scalar("SELECT COUNT(*) FROM bundles").await;
    assert_eq!(bundles, 1);
}

// ---- the API: the same for LINE and other front ends ----

fn moving_out_interview() -> serde_json::Value {
    let moving = today_jst() + time::Duration::days(3);
    serde_json::json!({
        "move_kind": "out",
        "move_date": moving.to_string(),
        "has_kokuho": "no",
        "has_children": false,
        "needs_seal": false,
        "bulky_waste": true,
    })
}

fn bundle_body(attachment: &str, place: &str) -> serde_json::Value {
    let pickup = today_jst() + time::Duration::days(10);
    serde_json::json!({
        "interview": moving_out_interview(),
        "facts": {
            "notifier_name": { "family": "区民", "given": "花子", "family_kana": "クミン", "given_kana": "ハナコ" },
            "phone": "0357441111",
            "email": "hanako@example.jp",
            "movers": [{
                "name": { "family": "区民", "given": "花子", "family_kana": "クミン", "given_kana": "ハナコ" },
                "birth_date": "1990-04-01",
                "relationship": "householder",
            }],
        },
        "procedures": {
            "tenshutsu": {
                "new_address": "埼玉県川口市本町1-1-1",
                "new_householder": "区民 花子",
                "whole_household": true,
                "identity_document": [{ "attachment": attachment, "name": "menkyo.pdf" }],
            },
            "sodai-gomi": {
                "name": "区民 花子",
                "address": "大田区蒲田5-13-14",
                "items": [{ "item": "desk", "count": 1 }],
                "preferred_date": pickup.to_string(),
                "place": place,
            },
        },
    })
}

#[tokio::test]
async fn the_api_lists_what_applies_and_submits_a_bundle_in_one_call() {
    let app = TestApp::new().await;
    let events = app.get("/api/v1/life-events").await;
    assert_eq!(events.status, StatusCode::OK);
    assert!(events.body.contains("hikkoshi"), "{}", events.body);
    let event = app.get("/api/v1/life-events/hikkoshi").await;
    assert!(event.json()["facts_schema"]["properties"]["movers"].is_object());

    let list = app
        .post_json(
            "/api/v1/life-events/hikkoshi/list",
            &serde_json::json!({ "interview": moving_out_interview() }),
            &[],
        )
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let listed: Vec<String> = list.json()["departments"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["procedures"].as_array().unwrap().clone())
        .map(|p| p["procedure_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(listed, ["tenshutsu", "sodai-gomi"]);

    // A problem in one procedure names it, and stores nothing.
    let attachment = support::upload(&app).await;
    let refused = app
        .post_json(
            "/api/v1/life-events/hikkoshi/bundles",
            &bundle_body(&attachment, ""),
            &[],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert_eq!(
        refused.json()["errors"][0]["field"],
        "procedures.sodai-gomi.place"
    );
    assert_eq!(app.application_count().await, 0);

    let body = bundle_body(&attachment, "玄関前");
    let path = "/api/v1/life-events/hikkoshi/bundles";
    let key = [("idempotency-key", "move-2026-12")];
    let created = app.post_json(path, &body, &key).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let json = created.json();
    let applications = json["applications"].as_array().unwrap();
    assert_eq!(applications.len(), 2);
    let code = json["access_code"].as_str().unwrap();
    // Retried with the same key: the same bundle, nothing added.
    let replay = app.post_json(path, &body, &key).await;
    assert_eq!(replay.status, StatusCode::CREATED);
    assert_eq!(replay.json()["bundle_id"], json["bundle_id"]);
    assert_eq!(app.application_count().await, 2);
    // The one code opens each application.
    for a in applications {
        let receipt = a["receipt_number"].as_str().unwrap();
        let status = app
            .get_with(
                &format!("/api/v1/applications/{receipt}"),
                &[("access-code", code)],
            )
            .await;
        assert_eq!(status.status, StatusCode::OK, "{}", status.body);
    }
    // A procedure the interview does not call for is refused.
    let mut wrong = bundle_body(&attachment, "玄関前");
    wrong["interview"]["bulky_waste"] = serde_json::json!(false);
    let refused = app
        .post_json("/api/v1/life-events/hikkoshi/bundles", &wrong, &[])
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert_eq!(app.application_count().await, 2);
}

#[tokio::test]
async fn two_choices_racing_make_one_draft_per_procedure() {
    let app = TestApp::new().await;
    let token = moving_out(&app).await;
    let list = app.get(&format!("/plans/{token}")).await;
    let csrf = list.csrf();
    let path = format!("/plans/{token}/bundle");
    let pairs = [
        ("_csrf", csrf.as_str()),
        ("procedure", "tenshutsu"),
        ("procedure", "sodai-gomi"),
    ];
    let requests = (0..4).map(|_| app.form_request(&path, &pairs)).collect();
    for reply in app.send_all(requests).await {
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    }
    let drafts: i64 = app.scalar("SELECT COUNT(*) FROM drafts").await;
    assert_eq!(drafts, 2);
}
