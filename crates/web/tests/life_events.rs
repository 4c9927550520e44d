//! Life events through the real router, JavaScript off, on SQLite and (with
//! MADOGUCHI_TEST_POSTGRES_URL) PostgreSQL: the interview one page at a time at a private link,
//! the personal list by 担当課 with deadlines and what may apply, and a changed answer that
//! changes the list.

mod support;

use axum::http::StatusCode;
use madoguchi_app::timefmt::today_jst;
use support::TestApp;

fn date_pairs(name: &str, d: time::Date) -> Vec<(String, String)> {
    vec![
        (format!("f.{name}.year"), d.year().to_string()),
        (format!("f.{name}.month"), u8::from(d.month()).to_string()),
        (format!("f.{name}.day"), d.day().to_string()),
    ]
}

/// Starts おくやみ from its page; returns the plan's token and the first interview page.
async fn start(app: &TestApp, event: &str) -> (String, String) {
    let page = app.get(&format!("/life-events/{event}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let reply = app
        .post_form(
            &format!("/life-events/{event}/start"),
            &[("_csrf", &page.csrf())],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let location = reply.location();
    let token = support::between(&location, "/plans/", "/").unwrap();
    (token, location)
}

fn owned(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

#[tokio::test]
async fn an_okuyami_interview_gives_a_list_by_department_with_deadlines() {
    let app = TestApp::new().await;
    app.get("/")
        .await
        .assert_contains("href=\"/life-events/okuyami\"");
    let (token, first) = start(&app, "okuyami").await;
    assert_eq!(first, format!("/plans/{token}/steps/death"));

    // The list is not shown before the interview is answered.
    let early = app.get(&format!("/plans/{token}")).await;
    assert_eq!(early.location(), first);

    // A missing answer is asked for next to the question; what was chosen is kept.
    let missing = app
        .answer(&first, &[("f.was_householder", "unknown")])
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    missing.assert_contains("亡くなった日を入力してください");
    missing.assert_contains("value=\"unknown\" checked");

    let died = today_jst() - time::Duration::days(1);
    let mut death = date_pairs("death_date", died);
    death.push(("f.was_householder".into(), "unknown".into()));
    let next = app.answer(&first, &owned(&death)).await;
    assert_eq!(next.status, StatusCode::SEE_OTHER, "{}", next.body);
    let insurance = next.location();
    let done = app
        .answer(&insurance, &[("f.had_kokuho", "yes"), ("f.over_65", "no")])
        .await;
    assert_eq!(done.location(), format!("/plans/{token}"));

    let list = app.get(&format!("/plans/{token}")).await;
    assert_eq!(list.status, StatusCode::OK);
    for text in [
        "おくやみ（ご家族が亡くなったとき）の手続一覧",
        "戸籍住民課 戸籍係",
        "死亡届",
        "国保年金課 資格係",
        "国民健康保険 資格喪失届",
        "葬祭費",
        "死亡診断書（原本）の提出が戸籍法で必要",
        "死亡の事実を知った日から7日以内",
        "令和",
    ] {
        list.assert_contains(text);
    }
    // 「わからない」: the 世帯主変更届 may apply; 介護保険 does not.
    let householder = support::between(&list.body, "世帯主変更届", "</li>").unwrap();
    assert!(
        householder.contains("該当するかもしれません"),
        "{householder}"
    );
    assert!(!list.body.contains("介護保険 資格喪失届"));

    // A changed answer changes the list.
    let changed = app
        .answer(&insurance, &[("f.had_kokuho", "no"), ("f.over_65", "yes")])
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER);
    let list = app.get(&format!("/plans/{token}")).await;
    list.assert_contains("介護保険 資格喪失届");
    assert!(!list.body.contains("葬祭費"));

    // The private link is the only key: another token finds nothing.
    let other = app
        .get(&format!("/plans/{}", "x".repeat(token.len())))
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let stored: String = app
        .scalar("SELECT CAST(interview AS TEXT) FROM life_event_plans")
        .await;
    assert!(stored.contains("over_65"), "{stored}");

    // Past its date the link says so (until the sweep removes it).
    app.execute("UPDATE life_event_plans SET expires_at = '2000-01-01 00:00:00+00:00'")
        .await;
    let expired = app.get(&format!("/plans/{token}")).await;
    assert_eq!(expired.status, StatusCode::GONE);
    expired.assert_contains("この手続一覧の保存期限が切れています");
}

#[tokio::test]
async fn a_move_into_the_ward_lists_the_counter_and_the_online_procedures() {
    let app = TestApp::new().await;
    let (token, first) = start(&app, "hikkoshi").await;
    let mut move_in = date_pairs("move_date", today_jst());
    move_in.push(("f.move_kind".into(), "into".into()));
    let next = app.answer(&first, &owned(&move_in)).await;
    assert_eq!(next.status, StatusCode::SEE_OTHER, "{}", next.body);
    let household = next.location();
    app.answer(
        &household,
        &[
            ("f.has_kokuho", "unknown"),
            ("f.has_children", "yes"),
            ("f.needs_seal", "no"),
            ("f.bulky_waste", "no"),
        ],
    )
    .await;
    let list = app.get(&format!("/plans/{token}")).await;
    for text in [
        "転入届",
        "児童手当",
        "子ども医療費助成",
        "オンラインで申請できます",
        "転出証明書",
    ] {
        list.assert_contains(text);
    }
    let kokuho = support::between(&list.body, "国民健康保険 加入届", "</li>").unwrap();
    assert!(kokuho.contains("該当するかもしれません"), "{kokuho}");
    assert!(!list.body.contains("転出届<"), "not moving out");
    assert!(!list.body.contains("印鑑登録"));
}
