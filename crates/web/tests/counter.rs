//! The counter (書かない窓口) through the real router, on SQLite and (with
//! MADOGUCHI_TEST_POSTGRES_URL) PostgreSQL: a visit started, the resident identified by the
//! マイナンバーカード through a paired card agent (played here by its HTTP calls; the agent
//! itself is tested against a virtual card in agent/) or typed from another document, and
//! ended; counter staff see only their own visits and no department's cases; an agent reads
//! only for the session it paired with, and a pairing code pairs once.

mod support;

use axum::http::StatusCode;
use data_encoding::BASE64;
use madoguchi_jp::mynacard::sample;
use serde_json::json;
use support::{TestApp, add_counter_staff, add_staff, between, staff_browser};

/// A counter staff member's browser with a visit started; returns it and the visit's page.
async fn visit(app: &TestApp, login: &str) -> (TestApp, String) {
    add_counter_staff(app, login).await;
    let staff = staff_browser(app, login).await;
    assert_eq!(staff.get("/staff").await.location(), "/staff/counter");
    let list = staff.get("/staff/counter").await;
    let started = staff
        .post_form("/staff/counter/visits", &[("_csrf", &list.csrf())])
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER);
    (staff, started.location())
}

/// Pairs a card agent with the staff member's session; returns the agent's token.
async fn pair(app: &TestApp, staff: &TestApp, visit: &str) -> String {
    let page = staff.get(visit).await;
    let shown = staff
        .post_form(&format!("{visit}/pairing"), &[("_csrf", &page.csrf())])
        .await;
    assert_eq!(shown.status, StatusCode::OK);
    let code = between(&shown.body, "<p class=\"code token\">", "</p>").expect("a code is shown");
    assert_eq!(code.len(), 8);
    let paired = app
        .post_json(
            "/api/v1/counter/agents",
            &json!({ "pairing_code": code, "name": "窓口1番" }),
            &[],
        )
        .await;
    assert_eq!(paired.status, StatusCode::CREATED, "{}", paired.body);
    // The code pairs once.
    let again = app
        .post_json(
            "/api/v1/counter/agents",
            &json!({ "pairing_code": code }),
            &[],
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    paired.json()["token"].as_str().unwrap().to_owned()
}

async fn ask_for_read(staff: &TestApp, visit: &str) {
    let page = staff.get(visit).await;
    let asked = staff
        .post_form(&format!("{visit}/card"), &[("_csrf", &page.csrf())])
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
}

async fn next_read(app: &TestApp, token: &str) -> Option<String> {
    let reply = app
        .get_with(
            "/api/v1/counter/agent/requests",
            &[("authorization", &format!("Bearer {token}"))],
        )
        .await;
    match reply.status {
        StatusCode::NO_CONTENT => None,
        StatusCode::OK => Some(reply.json()["id"].as_str().unwrap().to_owned()),
        other => panic!("{other}: {}", reply.body),
    }
}

async fn report(app: &TestApp, token: &str, read: &str, body: serde_json::Value) -> StatusCode {
    app.post_json(
        &format!("/api/v1/counter/agent/requests/{read}"),
        &body,
        &[("authorization", &format!("Bearer {token}"))],
    )
    .await
    .status
}

fn card_files() -> serde_json::Value {
    json!({
        "outcome": "read",
        "my_number": BASE64.encode(&sample::my_number_file("123456789018")),
        "attributes": BASE64.encode(&sample::attributes_file(
            "大田　花子", "東京都大田区蒲田五丁目１３番１４号", "19850401", "2")),
    })
}

#[tokio::test]
async fn a_card_read_through_the_paired_agent_identifies_the_resident() {
    let app = TestApp::new().await;
    let (staff, visit) = visit(&app, "madoguchi").await;
    let page = staff.get(&visit).await;
    page.assert_contains("まだ本人確認をしていません");
    page.assert_contains("カードリーダーがまだ接続されていません");
    let token = pair(&app, &staff, &visit).await;
    assert_eq!(next_read(&app, &token).await, None);

    // A wrong PIN: the screen says how many tries are left.
    ask_for_read(&staff, &visit).await;
    staff
        .get(&visit)
        .await
        .assert_contains("読み取りを依頼しました");
    // The screen polls where the read stands; the poll says nothing of the resident and is not
    // audited as a read of the visit.
    let reads = "SELECT COUNT(*) FROM audit_log WHERE action = 'visit.read'";
    let before: i64 = app.scalar(reads).await;
    let state = staff.get(&format!("{visit}/card-state")).await;
    assert_eq!(state.json()["state"], "requested");
    assert_eq!(app.scalar::<i64>(reads).await, before);
    let read = next_read(&app, &token)
        .await
        .expect("the read is handed out");
    let state = staff.get(&format!("{visit}/card-state")).await;
    assert_eq!(state.json()["state"], "reading");
    assert_eq!(
        next_read(&app, &token).await,
        None,
        "a read is handed out once"
    );
    let wrong = json!({ "outcome": "wrong_pin", "tries_left": 2 });
    assert_eq!(
        report(&app, &token, &read, wrong).await,
        StatusCode::NO_CONTENT
    );
    staff
        .get(&visit)
        .await
        .assert_contains("あと2回間違えるとロックされます");
    // A read is completed once.
    let twice = report(&app, &token, &read, card_files()).await;
    assert_eq!(twice, StatusCode::NOT_FOUND);

    // The right PIN: the four items and the number, masked.
    ask_for_read(&staff, &visit).await;
    let read = next_read(&app, &token).await.unwrap();
    assert_eq!(
        report(&app, &token, &read, card_files()).await,
        StatusCode::NO_CONTENT
    );
    let page = staff.get(&visit).await;
    page.assert_contains("マイナンバーカード（券面事項入力補助AP）から読み取りました");
    page.assert_contains("大田");
    page.assert_contains("花子");
    page.assert_contains("東京都大田区蒲田五丁目１３番１４号");
    page.assert_contains("1985年4月1日");
    page.assert_contains("********9018");
    assert!(!page.body.contains("123456789018"));
    // The number is sealed at rest.
    let stored: String = app
        .scalar("SELECT CAST(identity AS TEXT) FROM counter_visits")
        .await;
    assert!(
        stored.contains("大田") && !stored.contains("123456789018"),
        "{stored}"
    );
    // Every step is in the audit log, without the card's data.
    for action in [
        "visit.start",
        "counter.paired",
        "card.read_requested",
        "card.read",
        "visit.read",
        "visit.list",
    ] {
        let n: i64 = app
            .scalar(&format!(
                "SELECT COUNT(*) FROM audit_log WHERE action = '{action}'"
            ))
            .await;
        assert!(n > 0, "{action} is audited");
    }
    let leaked: i64 = app
        .scalar("SELECT COUNT(*) FROM audit_log WHERE CAST(detail AS TEXT) LIKE '%花子%' OR CAST(detail AS TEXT) LIKE '%9018%'")
        .await;
    assert_eq!(leaked, 0, "no card data in the audit log");

    // Staff add the reading the card does not hold; the form starts from the card's details
    // and the number read stays, sealed, without ever being written into the form.
    let page = staff.get(&visit).await;
    page.assert_contains("value=\"大田\"");
    assert!(!page.body.contains("name=\"f.my_number\""));
    let corrected = staff
        .post_form(
            &format!("{visit}/identity"),
            &[
                ("_csrf", &page.csrf()),
                ("action", "save"),
                ("f.document", "my_number_card"),
                ("f.name.family", "大田"),
                ("f.name.given", "花子"),
                ("f.name.family_kana", "オオタ"),
                ("f.name.given_kana", "ハナコ"),
                ("f.birth_date.year", "1985"),
                ("f.birth_date.month", "4"),
                ("f.birth_date.day", "1"),
                ("f.sex", "female"),
                ("f.address", "東京都大田区蒲田五丁目１３番１４号"),
            ],
        )
        .await;
    assert_eq!(
        corrected.status,
        StatusCode::SEE_OTHER,
        "{}",
        corrected.body
    );
    let page = staff.get(&visit).await;
    page.assert_contains("オオタ");
    page.assert_contains("********9018");

    // Ending the visit: the list shows it ended, with its time.
    let page = staff.get(&visit).await;
    let ended = staff
        .post_form(&format!("{visit}/end"), &[("_csrf", &page.csrf())])
        .await;
    assert_eq!(ended.location(), "/staff/counter");
    let list = staff.get("/staff/counter").await;
    list.assert_contains("終了");
    list.assert_contains("大田 花子");
    list.assert_contains("本日の受付 1件（終了 1件、所要時間の中央値 0分）");
    // An ended visit takes no more reads.
    let refused = staff
        .post_form(&format!("{visit}/card"), &[("_csrf", &list.csrf())])
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn files_that_are_not_a_cards_are_refused_and_said_so() {
    let app = TestApp::new().await;
    let (staff, visit) = visit(&app, "madoguchi").await;
    let token = pair(&app, &staff, &visit).await;
    ask_for_read(&staff, &visit).await;
    let read = next_read(&app, &token).await.unwrap();
    let bad = json!({ "outcome": "read", "my_number": "AAAA", "attributes": "AAAA" });
    assert_eq!(
        report(&app, &token, &read, bad).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    staff
        .get(&visit)
        .await
        .assert_contains("カードのデータを読み取れませんでした");
    // Not an outcome at all.
    ask_for_read(&staff, &visit).await;
    let read = next_read(&app, &token).await.unwrap();
    let nonsense = json!({ "outcome": "drop tables" });
    assert_eq!(
        report(&app, &token, &read, nonsense).await,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn typed_details_are_checked_as_online_and_kept_when_refused() {
    let app = TestApp::new().await;
    let (staff, visit) = visit(&app, "madoguchi").await;
    let page = staff.get(&visit).await;
    let csrf = page.csrf();
    let mut pairs = vec![
        ("_csrf", csrf.as_str()),
        ("action", "save"),
        ("f.document", "residence_card"),
        ("f.name.family", "SMITH"),
        ("f.name.given", "JOHN"),
        ("f.birth_date.year", "1990"),
        ("f.birth_date.month", "2"),
        ("f.birth_date.day", "30"),
        ("f.address", "東京都大田区蒲田五丁目13番14号"),
    ];
    let refused = staff.post_form(&format!("{visit}/identity"), &pairs).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("error-summary");
    refused.assert_contains("value=\"SMITH\"");
    refused.assert_contains("東京都大田区蒲田五丁目13番14号");
    pairs[7] = ("f.birth_date.day", "28");
    let saved = staff.post_form(&format!("{visit}/identity"), &pairs).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = staff.get(&visit).await;
    page.assert_contains("本人確認書類を見て入力しました");
    page.assert_contains("SMITH");
}

#[tokio::test]
async fn counter_staff_see_only_their_own_visits_and_no_departments_cases() {
    let app = TestApp::new().await;
    let (_first, visit) = visit(&app, "madoguchi").await;
    add_counter_staff(&app, "madoguchi2").await;
    let other = staff_browser(&app, "madoguchi2").await;
    assert_eq!(other.get(&visit).await.status, StatusCode::NOT_FOUND);
    let state = other.get(&format!("{visit}/card-state")).await;
    assert_eq!(state.status, StatusCode::NOT_FOUND);
    // A department's staff have no counter (and, as everywhere, are told nothing is there).
    add_staff(&app, "koseki", Some("kosekijumin"), false).await;
    let koseki = staff_browser(&app, "koseki").await;
    assert_eq!(
        koseki.get("/staff/counter").await.status,
        StatusCode::NOT_FOUND
    );
    // And counter staff no department's cases.
    let (receipt, _) = support::apply(
        &app,
        "juminhyo-yuso",
        support::juminhyo(&support::upload(&app).await, "区民"),
    )
    .await;
    assert_eq!(
        other.get(&format!("/staff/cases/{receipt}")).await.status,
        StatusCode::NOT_FOUND
    );
    // `/counter` leads to the counter.
    assert_eq!(other.get("/counter").await.location(), "/staff/counter");
    // An administrator sees every counter's visits, with who took each, and their times.
    add_staff(&app, "admin", None, false).await;
    let admin = staff_browser(&app, "admin").await;
    let list = admin.get("/staff/counter").await;
    list.assert_contains("本日の受付 1件（終了した受付はまだありません）");
    list.assert_contains("<td>madoguchi</td>");
    assert_eq!(admin.get(&visit).await.status, StatusCode::OK);
}

#[tokio::test]
async fn an_agent_reads_only_for_the_session_it_paired_with() {
    let app = TestApp::new().await;
    let (first, first_visit) = visit(&app, "madoguchi").await;
    let (second, second_visit) = visit(&app, "madoguchi2").await;
    let first_agent = pair(&app, &first, &first_visit).await;
    let _second_agent = pair(&app, &second, &second_visit).await;
    ask_for_read(&second, &second_visit).await;
    // The first session's agent is not handed the second's read, nor can it answer it.
    assert_eq!(next_read(&app, &first_agent).await, None);
    // SQLite keeps UUIDs as 16 bytes, PostgreSQL as uuid; the API names them as text.
    let sql = if app.is_postgres() {
        "SELECT CAST(id AS TEXT) FROM card_reads"
    } else {
        "SELECT hex(id) FROM card_reads"
    };
    let read: String = app.scalar(sql).await;
    let read = uuid::Uuid::parse_str(&read).unwrap().to_string();
    assert_eq!(
        report(&app, &first_agent, &read, card_files()).await,
        StatusCode::NOT_FOUND
    );
    // Logging out ends the pairing.
    let page = first.get(&first_visit).await;
    first
        .post_form("/staff/logout", &[("_csrf", &page.csrf())])
        .await;
    let reply = app
        .get_with(
            "/api/v1/counter/agent/requests",
            &[("authorization", &format!("Bearer {first_agent}"))],
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn of_two_agents_sending_one_code_one_pairs() {
    let app = TestApp::new().await;
    let (staff, visit) = visit(&app, "madoguchi").await;
    let page = staff.get(&visit).await;
    let shown = staff
        .post_form(&format!("{visit}/pairing"), &[("_csrf", &page.csrf())])
        .await;
    let code = between(&shown.body, "<p class=\"code token\">", "</p>").unwrap();
    let body = json!({ "pairing_code": code }).to_string();
    let request = || {
        axum::http::Request::post("/api/v1/counter/agents")
            .header("content-type", "application/json")
            .body(axum::body::Body::from(body.clone()))
            .unwrap()
    };
    let replies = app.send_all(vec![request(), request(), request()]).await;
    let created = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    assert_eq!(
        created,
        1,
        "{:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    let agents: i64 = app.scalar("SELECT COUNT(*) FROM counter_agents").await;
    assert_eq!(agents, 1);
}

/// Reads the card through a freshly paired agent, so that the visit knows the resident.
async fn identify_by_card(app: &TestApp, staff: &TestApp, visit: &str) {
    let token = pair(app, staff, visit).await;
    ask_for_read(staff, visit).await;
    let read = next_read(app, &token).await.unwrap();
    assert_eq!(
        report(app, &token, &read, card_files()).await,
        StatusCode::NO_CONTENT
    );
}

fn date(name: &str, d: time::Date) -> [(String, String); 3] {
    [
        (format!("f.{name}.year"), d.year().to_string()),
        (format!("f.{name}.month"), u8::from(d.month()).to_string()),
        (format!("f.{name}.day"), d.day().to_string()),
    ]
}

/// A name question's four parts.
fn name(field: &str, [family, given, family_kana, given_kana]: [&str; 4]) -> Vec<(String, String)> {
    [
        ("family", family),
        ("given", given),
        ("family_kana", family_kana),
        ("given_kana", given_kana),
    ]
    .into_iter()
    .map(|(part, value)| (format!("f.{field}.{part}"), value.to_owned()))
    .collect()
}

/// Another visit started by the same counter staff member; its page.
async fn another_visit(staff: &TestApp) -> String {
    let list = staff.get("/staff/counter").await;
    staff
        .post_form("/staff/counter/visits", &[("_csrf", &list.csrf())])
        .await
        .location()
}

fn pairs(owned: &[(String, String)]) -> Vec<(&str, &str)> {
    owned
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// Posts a page and expects to be sent on; returns where.
async fn on(staff: &TestApp, page: &str, answers: &[(&str, &str)]) -> String {
    let reply = staff.answer(page, answers).await;
    assert_eq!(
        reply.status,
        StatusCode::SEE_OTHER,
        "{page}: {}",
        reply.body
    );
    reply.location()
}

/// Starts the おくやみ interview for the visit's resident and answers it: the householder died,
/// insured with 国保. Returns the plan's list.
async fn okuyami_interview(staff: &TestApp, visit: &str) -> String {
    let page = staff.get(visit).await;
    page.assert_contains("聞き取りを始める");
    let started = staff
        .post_form(
            &format!("{visit}/interview"),
            &[("_csrf", &page.csrf()), ("event", "okuyami")],
        )
        .await;
    let plan = format!("{visit}/plan");
    assert_eq!(started.location(), plan);
    let first = staff.get(&plan).await.location();
    assert_eq!(first, format!("{plan}/steps/death"));
    let died = date(
        "death_date",
        madoguchi_app::timefmt::today_jst() - time::Duration::days(2),
    );
    let mut death = died.to_vec();
    death.push(("f.was_householder".into(), "yes".into()));
    let insurance = on(staff, &first, &pairs(&death)).await;
    let list = on(
        staff,
        &insurance,
        &[("f.had_kokuho", "yes"), ("f.over_65", "no")],
    )
    .await;
    assert_eq!(list, plan);
    plan
}

#[tokio::test]
async fn a_visit_runs_a_life_events_interview_and_submits_its_forms_to_two_departments() {
    let app = TestApp::new().await;
    let (staff, visit) = visit(&app, "madoguchi").await;
    identify_by_card(&app, &staff, &visit).await;
    let plan = okuyami_interview(&staff, &visit).await;

    // The list offers what the counter can take: 世帯主変更届 too, which is not online.
    let list = staff.get(&plan).await;
    list.assert_contains("value=\"setainushi-henko\"");
    list.assert_contains("value=\"kokuho-soshitsu\"");
    assert!(
        !list.body.contains("plan-link-title"),
        "no private link to keep at the counter"
    );
    list.assert_contains("staff-header");
    let chosen = staff
        .post_form(
            &format!("{plan}/bundle"),
            &[
                ("_csrf", &list.csrf()),
                ("procedure", "setainushi-henko"),
                ("procedure", "kokuho-soshitsu"),
            ],
        )
        .await;
    assert_eq!(chosen.location(), format!("{plan}/facts/steps/deceased"));

    // The facts: the applicant is the resident the card was read for.
    let applicant = on(
        &staff,
        &chosen.location(),
        &[
            ("f.deceased_name.family", "大田"),
            ("f.deceased_name.given", "太郎"),
            ("f.deceased_name.family_kana", "オオタ"),
            ("f.deceased_name.given_kana", "タロウ"),
        ],
    )
    .await;
    let page = staff.get(&applicant).await;
    page.assert_contains("value=\"大田\"");
    page.assert_contains("value=\"花子\"");
    page.assert_contains("東京都大田区蒲田五丁目１３番１４号");
    let first_form = on(
        &staff,
        &applicant,
        &[
            ("f.applicant_name.family", "大田"),
            ("f.applicant_name.given", "花子"),
            ("f.applicant_name.family_kana", "オオタ"),
            ("f.applicant_name.given_kana", "ハナコ"),
            ("f.relationship", "spouse"),
            ("f.address", "東京都大田区蒲田五丁目１３番１４号"),
            ("f.phone", "03-5744-1111"),
        ],
    )
    .await;

    // 世帯主変更届 asks only what the facts and the interview do not say.
    assert_eq!(
        first_form,
        format!("{plan}/forms/setainushi-henko/steps/householder")
    );
    let page = staff.get(&first_form).await;
    assert!(
        !page.body.contains("亡くなった世帯主の氏名"),
        "{}",
        page.body
    );
    let mut householder = name("new_householder", ["大田", "花子", "オオタ", "ハナコ"]);
    householder.push(("f.relationship_to_former".to_owned(), "spouse".to_owned()));
    householder.extend(date(
        "new_householder_birth_date",
        time::macros::date!(1985 - 04 - 01),
    ));
    let kokuho = on(&staff, &first_form, &pairs(&householder)).await;
    assert!(kokuho.contains("/forms/kokuho-soshitsu/"), "{kokuho}");
    let mut next = on(&staff, &kokuho, &[("f.reason", "death")]).await;
    while next.contains("/forms/") {
        let page = staff.get(&next).await;
        let answers: &[(&str, &str)] = if page.body.contains("name=\"f.members.0.name\"") {
            &[
                ("f.members.0.name", "大田 太郎"),
                ("f.members.0.birth_date.year", "1950"),
                ("f.members.0.birth_date.month", "1"),
                ("f.members.0.birth_date.day", "2"),
            ]
        } else {
            &[("f.name", "大田 太郎")]
        };
        next = on(&staff, &next, answers).await;
    }
    assert_eq!(next, format!("{plan}/review"));

    // One submit: two applications, each to its 担当課, taken at the counter by this staff
    // member for this visit; then the visit lists their receipts.
    let review = staff.get(&next).await;
    let submitted = staff
        .post_form(&format!("{plan}/submit"), &[("_csrf", &review.csrf())])
        .await;
    assert_eq!(submitted.location(), visit);
    let taken = "SELECT COUNT(*) FROM applications a JOIN staff_users u ON u.id = a.taken_by \
         WHERE a.channel = 'counter' AND u.login = 'madoguchi' \
         AND a.visit_id = (SELECT v.id FROM counter_visits v WHERE v.plan_id IS NOT NULL)";
    assert_eq!(app.scalar::<i64>(taken).await, 2);
    let departments: i64 = app
        .scalar("SELECT COUNT(DISTINCT department_id) FROM applications")
        .await;
    assert_eq!(departments, 2);
    let page = staff.get(&visit).await;
    page.assert_contains("この受付で申請した手続");
    page.assert_contains("世帯主変更届");
    page.assert_contains("国民健康保険");
    let receipts = page.body.matches("<td class=\"code\">").count();
    assert_eq!(receipts, 2);

    // A sheet per application to print, check and sign: the ward, the 受付番号, every answer.
    let sheets = staff.get(&format!("{visit}/sheets")).await;
    assert_eq!(sheets.status, StatusCode::OK);
    assert_eq!(sheets.body.matches("class=\"sheet\"").count(), 2);
    assert_eq!(sheets.body.matches("class=\"signature-box\"").count(), 2);
    sheets.assert_contains("大田区");
    sheets.assert_contains("新しい世帯主の氏名");
    sheets.assert_contains("オオタ");
    let receipt: String = app
        .scalar("SELECT receipt_number FROM applications ORDER BY receipt_number LIMIT 1")
        .await;
    sheets.assert_contains(&receipt);
    let printed: i64 = app
        .scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'visit.sheets'")
        .await;
    assert_eq!(printed, 1, "printing is audited");

    // Each department sees its own in its inbox, taken at the counter.
    add_staff(&app, "koseki", Some("kosekijumin"), false).await;
    let koseki = staff_browser(&app, "koseki").await;
    let inbox = koseki.get("/staff").await;
    inbox.assert_contains("世帯主変更届");
    let receipt: String = app
        .scalar("SELECT receipt_number FROM applications WHERE procedure_id = 'setainushi-henko'")
        .await;
    let case = koseki.get(&format!("/staff/cases/{receipt}")).await;
    case.assert_contains("<dd>窓口</dd>");
    assert!(
        !inbox.body.contains("国民健康保険 資格喪失届"),
        "{}",
        inbox.body
    );
    add_staff(&app, "kokuho", Some("kokuho"), false).await;
    let kokuho_staff = staff_browser(&app, "kokuho").await;
    let inbox = kokuho_staff.get("/staff").await;
    inbox.assert_contains("国民健康保険 資格喪失届");
    assert!(!inbox.body.contains("世帯主変更届"), "{}", inbox.body);

    // A submit again (a double click) changes nothing; the list shows forms per visit.
    let again = staff
        .post_form(&format!("{plan}/submit"), &[("_csrf", &review.csrf())])
        .await;
    assert_eq!(again.location(), visit);
    assert_eq!(app.application_count().await, 2);
    let list = staff.get("/staff/counter").await;
    list.assert_contains("申請 2件（受付1件あたり 2.0件）");
    assert!(
        app.scalar::<i64>("SELECT COUNT(*) FROM audit_log WHERE action = 'visit.interview'")
            .await
            == 1
    );
}

#[tokio::test]
async fn a_visits_interview_is_its_takers_alone_and_closes_with_the_visit() {
    let app = TestApp::new().await;
    let (staff, visit) = visit(&app, "madoguchi").await;
    // Two clicks at once start one interview.
    let page = staff.get(&visit).await;
    let csrf = page.csrf();
    let start = || {
        staff.form_request(
            &format!("{visit}/interview"),
            &[("_csrf", &csrf), ("event", "okuyami")],
        )
    };
    for reply in staff.send_all(vec![start(), start()]).await {
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    }
    let plans: i64 = app.scalar("SELECT COUNT(*) FROM life_event_plans").await;
    assert_eq!(plans, 1, "one interview per visit");
    let plan = format!("{visit}/plan/steps/death");
    assert_eq!(staff.get(&plan).await.status, StatusCode::OK);

    // Not another counter's, not a resident's, not an unknown event.
    add_counter_staff(&app, "madoguchi2").await;
    let other = staff_browser(&app, "madoguchi2").await;
    assert_eq!(other.get(&plan).await.status, StatusCode::NOT_FOUND);
    let resident = app.new_browser();
    assert_eq!(resident.get(&plan).await.location(), "/staff/login");
    let second = another_visit(&staff).await;
    let page = staff.get(&second).await;
    let unknown = staff
        .post_form(
            &format!("{second}/interview"),
            &[("_csrf", &page.csrf()), ("event", "nope")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    // Once the visit has ended, its interview sends staff back to the visit.
    let page = staff.get(&visit).await;
    staff
        .post_form(&format!("{visit}/end"), &[("_csrf", &page.csrf())])
        .await;
    assert_eq!(staff.get(&plan).await.location(), visit);
}

#[tokio::test]
async fn a_plan_prepared_at_home_opens_at_the_counter_from_its_code() {
    let app = TestApp::new().await;
    // At home: the おくやみ interview and who died, then a code for the counter.
    let resident = app.new_browser();
    let page = resident.get("/life-events/okuyami").await;
    let started = resident
        .post_form("/life-events/okuyami/start", &[("_csrf", &page.csrf())])
        .await;
    let first = started.location();
    let token = support::between(&first, "/plans/", "/").unwrap();
    let home = format!("/plans/{token}");
    let mut death = date(
        "death_date",
        madoguchi_app::timefmt::today_jst() - time::Duration::days(1),
    )
    .to_vec();
    death.push(("f.was_householder".into(), "yes".into()));
    let insurance = on(&resident, &first, &pairs(&death)).await;
    on(
        &resident,
        &insurance,
        &[("f.had_kokuho", "yes"), ("f.over_65", "no")],
    )
    .await;
    let list = resident.get(&home).await;
    list.assert_contains("窓口用のコードを発行する");
    let issue = |csrf: String| {
        let resident = &resident;
        let home = home.clone();
        async move {
            let shown = resident
                .post_form(&format!("{home}/counter-code"), &[("_csrf", &csrf)])
                .await;
            assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
            assert!(shown.body.contains("<svg"), "a QR code is shown");
            between(
                &shown.body,
                "<p class=\"code token\" id=\"counter-code\">",
                "</p>",
            )
            .unwrap()
        }
    };
    let old_code = issue(list.csrf()).await;
    let code = issue(list.csrf()).await;
    assert_ne!(old_code, code);
    assert_eq!(code.len(), 11);

    // At the counter: the card read, then the code.
    let (staff, visit) = visit(&app, "madoguchi").await;
    identify_by_card(&app, &staff, &visit).await;
    let take = |typed: String| {
        let staff = &staff;
        let visit = visit.clone();
        async move {
            let page = staff.get(&visit).await;
            staff
                .post_form(
                    &format!("{visit}/code"),
                    &[("_csrf", &page.csrf()), ("code", &typed)],
                )
                .await
        }
    };
    let short = take("ABC".into()).await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    short.assert_contains("コードは英数字10文字です");
    short.assert_contains("value=\"ABC\"");
    let replaced = take(old_code).await;
    assert_eq!(replaced.status, StatusCode::UNPROCESSABLE_ENTITY);
    replaced.assert_contains("このコードは見つからないか");
    // Typed loosely, as read aloud.
    let opened = take(code.replace('-', " ").to_lowercase()).await;
    assert_eq!(opened.location(), format!("{visit}/plan"));

    // The interview is answered: the list, not its first page; the applicant starts from the card.
    let plan = format!("{visit}/plan");
    let list = staff.get(&plan).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.location());
    list.assert_contains("value=\"kokuho-soshitsu\"");
    let chosen = staff
        .post_form(
            &format!("{plan}/bundle"),
            &[("_csrf", &list.csrf()), ("procedure", "kokuho-soshitsu")],
        )
        .await;
    assert_eq!(chosen.status, StatusCode::SEE_OTHER);
    let applicant = staff.get(&format!("{plan}/facts/steps/applicant")).await;
    applicant.assert_contains("value=\"花子\"");

    // A code opens one visit.
    let second = another_visit(&staff).await;
    let page = staff.get(&second).await;
    let again = staff
        .post_form(
            &format!("{second}/code"),
            &[("_csrf", &page.csrf()), ("code", &code)],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    let audited: i64 = app
        .scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'visit.code'")
        .await;
    assert_eq!(audited, 1);
}

#[tokio::test]
async fn of_two_counters_taking_one_code_at_once_one_opens_it() {
    let app = TestApp::new().await;
    let resident = app.new_browser();
    let page = resident.get("/life-events/okuyami").await;
    let first = resident
        .post_form("/life-events/okuyami/start", &[("_csrf", &page.csrf())])
        .await
        .location();
    let token = support::between(&first, "/plans/", "/").unwrap();
    // Even before the interview is answered, the plan can be taken to the counter.
    let list = resident.get(&first).await;
    let shown = resident
        .post_form(
            &format!("/plans/{token}/counter-code"),
            &[("_csrf", &list.csrf())],
        )
        .await;
    let code = between(&shown.body, "id=\"counter-code\">", "</p>").unwrap();
    let (a, visit_a) = visit(&app, "madoguchi").await;
    let (b, visit_b) = visit(&app, "madoguchi2").await;
    let (page_a, page_b) = (a.get(&visit_a).await, b.get(&visit_b).await);
    let (csrf_a, csrf_b) = (page_a.csrf(), page_b.csrf());
    let (path_a, path_b) = (format!("{visit_a}/code"), format!("{visit_b}/code"));
    let form_a = [("_csrf", csrf_a.as_str()), ("code", code.as_str())];
    let form_b = [("_csrf", csrf_b.as_str()), ("code", code.as_str())];
    let (reply_a, reply_b) =
        tokio::join!(a.post_form(&path_a, &form_a), b.post_form(&path_b, &form_b));
    let opened = [&reply_a, &reply_b]
        .iter()
        .filter(|r| r.status == StatusCode::SEE_OTHER)
        .count();
    assert_eq!(opened, 1, "{} / {}", reply_a.status, reply_b.status);
    let running: i64 = app
        .scalar("SELECT COUNT(*) FROM counter_visits WHERE plan_id IS NOT NULL")
        .await;
    assert_eq!(running, 1);
}

#[tokio::test]
async fn another_days_visits_are_reported_with_their_times() {
    let app = TestApp::new().await;
    let (staff, visit) = visit(&app, "madoguchi").await;
    let page = staff.get(&visit).await;
    staff
        .post_form(&format!("{visit}/end"), &[("_csrf", &page.csrf())])
        .await;
    // 10:00 to 10:12 in Japan on 15 January 2026.
    app.execute(
        "UPDATE counter_visits SET started_at = '2026-01-15 01:00:00+00:00', ended_at = '2026-01-15 01:12:00+00:00'",
    )
    .await;
    staff
        .get("/staff/counter")
        .await
        .assert_contains("本日の受付はありません。");
    let that_day = staff.get("/staff/counter?day=2026-01-15").await;
    assert_eq!(that_day.status, StatusCode::OK);
    that_day.assert_contains("の受付 1件（終了 1件、所要時間の中央値 12分）");
    that_day.assert_contains("value=\"2026-01-15\"");
    // The day before and after in Japan hold nothing.
    for other in ["2026-01-14", "2026-01-16"] {
        staff
            .get(&format!("/staff/counter?day={other}"))
            .await
            .assert_contains("の受付 0件");
    }
    let refused = staff.get("/staff/counter?day=15%2F1").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("日付は「2026-12-01」の形で入力してください。");
    refused.assert_contains("value=\"15/1\"");
}

#[tokio::test]
async fn staff_choose_procedures_directly_and_the_applicants_details_fill_them() {
    let app = TestApp::new().await;
    // Not a resident's life event.
    assert_eq!(
        app.get("/life-events/counter").await.status,
        StatusCode::NOT_FOUND
    );
    let (staff, visit) = visit(&app, "madoguchi").await;
    identify_by_card(&app, &staff, &visit).await;
    let page = staff.get(&visit).await;
    page.assert_contains("<option value=\"counter\">窓口で手続を選ぶ</option>");
    let started = staff
        .post_form(
            &format!("{visit}/interview"),
            &[("_csrf", &page.csrf()), ("event", "counter")],
        )
        .await;
    let plan = format!("{visit}/plan");
    assert_eq!(started.location(), plan);
    let choose = staff.get(&plan).await.location();
    // Every procedure with questions is offered, the counter-only ones among them.
    let asked = staff.get(&choose).await;
    asked.assert_contains("世帯主変更届");
    asked.assert_contains("住民票の写し");
    let list = on(&staff, &choose, &[("f.procedures", "setainushi-henko")]).await;
    assert_eq!(list, plan);
    let list = staff.get(&plan).await;
    let chosen = staff
        .post_form(
            &format!("{plan}/bundle"),
            &[("_csrf", &list.csrf()), ("procedure", "setainushi-henko")],
        )
        .await;
    let applicant = chosen.location();
    assert_eq!(applicant, format!("{plan}/facts/steps/applicant"));
    let page = staff.get(&applicant).await;
    page.assert_contains("value=\"花子\"");
    let form = on(
        &staff,
        &applicant,
        &[
            ("f.applicant_name.family", "大田"),
            ("f.applicant_name.given", "花子"),
            ("f.applicant_name.family_kana", "オオタ"),
            ("f.applicant_name.given_kana", "ハナコ"),
            ("f.address", "東京都大田区蒲田五丁目１３番１４号"),
            ("f.phone", "03-5744-1111"),
        ],
    )
    .await;
    // The notifier's page is answered by the applicant's details: only the change is asked.
    assert_eq!(
        form,
        format!("{plan}/forms/setainushi-henko/steps/householder")
    );
    let mut householder = name("former_householder", ["大田", "太郎", "オオタ", "タロウ"]);
    householder.extend(name(
        "new_householder",
        ["大田", "花子", "オオタ", "ハナコ"],
    ));
    householder.push(("f.relationship_to_former".to_owned(), "spouse".to_owned()));
    householder.extend(date(
        "change_date",
        madoguchi_app::timefmt::today_jst() - time::Duration::days(3),
    ));
    householder.extend(date(
        "new_householder_birth_date",
        time::macros::date!(1985 - 04 - 01),
    ));
    let review = on(&staff, &form, &pairs(&householder)).await;
    assert_eq!(review, format!("{plan}/review"));
    let page = staff.get(&review).await;
    let submitted = staff
        .post_form(&format!("{plan}/submit"), &[("_csrf", &page.csrf())])
        .await;
    assert_eq!(submitted.location(), visit);
    let counter: i64 = app
        .scalar("SELECT COUNT(*) FROM applications WHERE channel = 'counter' AND procedure_id = 'setainushi-henko'")
        .await;
    assert_eq!(counter, 1);
    let stored = app.stored_answers().await;
    assert!(stored.contains("蒲田"), "the notifier's address: {stored}");
}

#[tokio::test]
async fn a_counter_only_form_filled_in_at_home_is_taken_at_the_counter_without_writing() {
    let app = TestApp::new().await;
    let resident = app.new_browser();
    let page = resident.get("/procedures/inkan-toroku").await;
    page.assert_contains("窓口に行く前に入力しておく");
    let prepared = resident
        .post_form(
            "/procedures/inkan-toroku/prepare",
            &[("_csrf", &page.csrf())],
        )
        .await;
    let review = prepared.location();
    let token = support::between(&review, "/plans/", "/").unwrap();
    let facts = resident.get(&review).await.location();
    assert_eq!(facts, format!("/plans/{token}/facts/steps/applicant"));
    let form = on(
        &resident,
        &facts,
        &[
            ("f.applicant_name.family", "区民"),
            ("f.applicant_name.given", "花子"),
            ("f.applicant_name.family_kana", "クミン"),
            ("f.applicant_name.given_kana", "ハナコ"),
            ("f.address", "東京都大田区蒲田五丁目13番14号"),
            ("f.phone", "03-5744-1111"),
        ],
    )
    .await;
    // The name, address and phone came from the facts: only the birth date is asked here.
    assert_eq!(
        form,
        format!("/plans/{token}/forms/inkan-toroku/steps/registrant")
    );
    let page = resident.get(&form).await;
    assert!(!page.body.contains("name=\"f.address\""), "{}", page.body);
    let birth = date("birth_date", time::macros::date!(1985 - 04 - 01));
    let how = on(&resident, &form, &pairs(&birth)).await;
    let checked = on(
        &resident,
        &how,
        &[
            ("f.applicant", "self"),
            ("f.identity_document", "driving_license"),
        ],
    )
    .await;
    assert_eq!(checked, format!("/plans/{token}/review"));
    // Done only at the counter: no submit at home, a code instead.
    let page = resident.get(&checked).await;
    page.assert_contains("窓口でだけ受け付ける手続が含まれています");
    assert!(
        !page
            .body
            .contains(&format!("action=\"/plans/{token}/submit\""))
    );
    let refused = resident
        .post_form(
            &format!("/plans/{token}/submit"),
            &[("_csrf", &page.csrf())],
        )
        .await;
    assert!(refused.status.is_client_error(), "{}", refused.status);
    assert_eq!(app.application_count().await, 0);
    let shown = resident
        .post_form(
            &format!("/plans/{token}/counter-code"),
            &[("_csrf", &page.csrf())],
        )
        .await;
    let code = between(&shown.body, "id=\"counter-code\">", "</p>").unwrap();

    // At the counter the code opens the form as filled in; staff check it and submit.
    let (staff, visit) = visit(&app, "madoguchi").await;
    let page = staff.get(&visit).await;
    let opened = staff
        .post_form(
            &format!("{visit}/code"),
            &[("_csrf", &page.csrf()), ("code", &code)],
        )
        .await;
    assert_eq!(opened.location(), format!("{visit}/plan"));
    let review = staff.get(&format!("{visit}/plan/review")).await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.location());
    review.assert_contains("1985年4月1日");
    let submitted = staff
        .post_form(
            &format!("{visit}/plan/submit"),
            &[("_csrf", &review.csrf())],
        )
        .await;
    assert_eq!(submitted.location(), visit);
    let taken: i64 = app
        .scalar("SELECT COUNT(*) FROM applications WHERE procedure_id = 'inkan-toroku' AND channel = 'counter'")
        .await;
    assert_eq!(taken, 1);
}
