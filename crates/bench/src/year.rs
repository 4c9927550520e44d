//! `year [APPLICATIONS]`: a generated year of applications (足立区 receives about 170,000
//! online a year) on SQLite, or on PostgreSQL when `BENCH_POSTGRES_URL` names a server; then
//! the back office's reads at that volume beside their limits: an inbox page (< 50 ms), a
//! procedure's export streamed with its peak memory, the whole year re-exported (< 10 s), and
//! the pull API's change feed walked in order (checked; the issue sets no time for it).
//!
//! The applications go through the real submission use case (validated, 個人番号 sealed,
//! confirmation mail queued), then are spread over the past year with the statuses a year's
//! cases end in. That second step writes the two columns directly: it is the only way to age
//! data, and the bench is the only place that does it.

use crate::alloc::PEAK;
use madoguchi_app::accounts::Actor;
use madoguchi_app::cases::InboxQuery;
use madoguchi_app::export::{ExportEncoding, ExportFormat, ExportOutcome};
use madoguchi_app::{Config, Portal};
use madoguchi_domain::ApplicationStatus;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use time::OffsetDateTime;

/// The share of the year each procedure has (out of 20), from the most asked.
const MIX: [(&str, usize); 4] = [
    ("juminhyo-yuso", 10),
    ("sodai-gomi", 6),
    ("jido-teate-nintei", 3),
    ("kobunsho-kaiji", 1),
];

const FAMILY: [(&str, &str); 12] = [
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("山本", "ヤマモト"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"),
    ("山田", "ヤマダ"),
];
const GIVEN: [(&str, &str); 8] = [
    ("太郎", "タロウ"),
    ("花子", "ハナコ"),
    ("健", "ケン"),
    ("美咲", "ミサキ"),
    ("翔太", "ショウタ"),
    ("陽菜", "ヒナ"),
    ("大輔", "ダイスケ"),
    ("由美", "ユミ"),
];

/// A small PDF for the 本人確認書類 of 住民票の写し.
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\nxref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n0000000115 00000 n \ntrailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n186\n%%EOF\n";

pub async fn run(applications: usize) {
    let dir = tempfile::tempdir().expect("tempdir");
    let database_url = match std::env::var("BENCH_POSTGRES_URL") {
        Ok(server) => Some(create_database(&server).await),
        Err(_) => None,
    };
    let config = Config {
        data_dir: dir.path().join("app"),
        database_url: database_url.clone(),
        ..Config::default()
    };
    let url = config.database_url();
    let portal = Portal::start(config).await.expect("portal");
    let backend = portal.store.backend_name();

    let started = Instant::now();
    generate(&portal, applications).await;
    let generated = started.elapsed();
    age(&url, applications).await;
    // As the hourly sweep does (SQLite's statistics; autovacuum's on PostgreSQL).
    portal.store.refresh_statistics().await.expect("statistics");
    if let Some(url) = &database_url {
        let pool = sqlx::PgPool::connect(url).await.expect("postgres");
        sqlx::query("VACUUM ANALYZE applications")
            .execute(&pool)
            .await
            .expect("vacuum");
    }
    println!(
        "\n{backend}: {applications} applications generated through the submission use case in {:.0} s\n",
        generated.as_secs_f64()
    );
    println!("| {backend}: a year of {applications} | measured | limit |");
    println!("|---|---|---|");
    inbox(&portal).await;
    exports(&portal).await;
    change_feed(&portal).await;
    portal.store.close().await;
}

async fn create_database(server: &str) -> String {
    let name = format!("madoguchi_bench_{}", uuid_like());
    let pool = sqlx::PgPool::connect(server).await.expect("postgres");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&pool)
        .await
        .expect("create database");
    pool.close().await;
    format!("{}/{name}", server.rsplit_once('/').expect("a URL").0)
}

fn uuid_like() -> String {
    format!(
        "{:x}",
        OffsetDateTime::now_utc().unix_timestamp_nanos() as u64
    )
}

/// `applications` submissions, eight at a time, in the mix of [`MIX`].
async fn generate(portal: &Portal, applications: usize) {
    let (pdf, _, _) = portal.upload_attachment(PDF).await.expect("upload");
    let next = Arc::new(AtomicUsize::new(0));
    let pdf = Arc::new(pdf);
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (portal, next, pdf) = (portal.clone(), next.clone(), pdf.clone());
            tokio::spawn(async move {
                let caller =
                    madoguchi_app::limits::Caller::at(std::net::Ipv4Addr::LOCALHOST.into());
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= applications {
                        return;
                    }
                    let (procedure, answers) = application(i, &pdf);
                    portal
                        .submit_api(procedure, &answers, None, &caller)
                        .await
                        .unwrap_or_else(|e| panic!("{procedure}: {e:?}"));
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("generator");
    }
}

/// The `i`th application of the year: a procedure by the mix and a resident's answers.
fn application(i: usize, pdf: &str) -> (&'static str, Value) {
    let slot = i % 20;
    let mut upto = 0;
    let procedure = MIX
        .iter()
        .find(|(_, share)| {
            upto += share;
            slot < upto
        })
        .map_or(MIX[0].0, |(id, _)| id);
    let (family, family_kana) = FAMILY[i % FAMILY.len()];
    let (given, given_kana) = GIVEN[(i / FAMILY.len()) % GIVEN.len()];
    let name = json!({ "family": family, "given": given, "family_kana": family_kana, "given_kana": given_kana });
    let address = format!(
        "東京都足立区中央本町{}丁目{}番{}号",
        i % 5 + 1,
        i % 20 + 1,
        i % 9 + 1
    );
    let answers = match procedure {
        "juminhyo-yuso" => json!({
            "name": name,
            "address": address,
            "phone": "0338801111",
            "relationship": "self",
            "persons": [{ "name": format!("{family} {given}"), "birth_date": "1980-04-01" }],
            "certificate": if i.is_multiple_of(3) { "household_all" } else { "household_part" },
            "copies": i % 3 + 1,
            "purpose": "license",
            "identity_document": [{ "attachment": pdf, "name": "menkyo.pdf" }]
        }),
        "sodai-gomi" => json!({
            "name": format!("{family} {given}"),
            "address": address,
            "phone": "0338801111",
            "email": "resident@example.jp",
            "items": [{ "item": "sofa", "count": 1 }, { "item": "chair", "count": i % 4 + 1 }],
            "preferred_date": preferred_day(),
            "place": "マンション1階のごみ置き場"
        }),
        "jido-teate-nintei" => json!({
            "civil_servant": false,
            "name": name,
            "birth_date": "1988-07-07",
            "postal_code": "1208510",
            "address": address,
            "phone": "09012345678",
            "my_number": "123456789018",
            "has_spouse": false,
            "children": [{ "name": format!("{family} 陽向"), "birth_date": "2021-05-05", "relationship": "child", "lives_together": true }],
            "bank_name": "みずほ銀行",
            "branch_name": "北千住支店",
            "account": { "bank_code": "0001", "branch_code": "123", "account_type": "ordinary", "account_number": format!("{:07}", i % 10_000_000), "holder_kana": format!("{family_kana}\u{3000}{given_kana}") }
        }),
        _ => json!({
            "subject": "令和7年度の区民施設の指定管理者との協定書",
            "method": "copy_mail",
            "name": name,
            "postal_code": "1208510",
            "address": address,
            "phone": "0338801111"
        }),
    };
    (procedure, answers)
}

/// A collection day the form takes: a weekday two weeks ahead.
fn preferred_day() -> String {
    let mut day = OffsetDateTime::now_utc().date() + time::Duration::days(14);
    while matches!(
        day.weekday(),
        time::Weekday::Saturday | time::Weekday::Sunday
    ) {
        day = day.next_day().expect("a day");
    }
    day.to_string()
}

/// Spreads the applications over the past year in submission order, and gives them the
/// statuses a year ends in: the older ones mostly completed, the last weeks' still open.
async fn age(url: &str, applications: usize) {
    let now = OffsetDateTime::now_utc();
    let step = Duration::from_secs(365 * 24 * 3600)
        / u32::try_from(applications.max(1)).unwrap_or(u32::MAX);
    let status = |i: usize| {
        let remaining = applications - i;
        if remaining * 26 < applications {
            // The last two weeks: half not yet looked at.
            ["submitted", "accepted"][i % 2]
        } else {
            [
                "completed",
                "completed",
                "completed",
                "completed",
                "completed",
                "completed",
                "completed",
                "completed",
                "rejected",
                "withdrawn",
            ][i % 10]
        }
    };
    macro_rules! spread {
        ($pool:expr) => {{
            let rows = sqlx::query_scalar::<_, uuid::Uuid>("SELECT id FROM applications ORDER BY change_seq")
                .fetch_all(&$pool)
                .await
                .expect("applications");
            for (chunk_index, chunk) in rows.chunks(5_000).enumerate() {
                let mut tx = $pool.begin().await.expect("begin");
                for (j, id) in chunk.iter().enumerate() {
                    let i = chunk_index * 5_000 + j;
                    let back = step * u32::try_from(applications - i).unwrap_or(u32::MAX);
                    let at = now - time::Duration::try_from(back).expect("a duration");
                    sqlx::query("UPDATE applications SET submitted_at = $1, updated_at = $1, status = $2 WHERE id = $3")
                        .bind(at)
                        .bind(status(i))
                        .bind(*id)
                        .execute(&mut *tx)
                        .await
                        .expect("age");
                }
                tx.commit().await.expect("commit");
            }
        }};
    }
    if url.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(url).await.expect("postgres");
        spread!(pool);
    } else {
        let pool = sqlx::SqlitePool::connect(url).await.expect("sqlite");
        spread!(pool);
    }
}

/// Median and slowest of `runs` timings, in milliseconds.
fn summary(mut times: Vec<Duration>) -> (f64, f64) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (
        ms(times[times.len() / 2]),
        ms(*times.last().expect("a run")),
    )
}

fn staff(department: &str) -> Actor {
    Actor {
        name: format!("bench-{department}"),
        scope: Some(department.to_owned()),
        my_number_access: false,
    }
}

/// Inbox pages through the use case (the query, the status counts and the audit entry of the
/// read): the first page, filtered pages, and every page of a department walked by its cursor.
async fn inbox(portal: &Portal) {
    let department = portal
        .procedure("juminhyo-yuso")
        .expect("procedure")
        .department
        .id
        .clone();
    let actor = staff(&department);
    // The department's size before the walk, and a receipt number to search for.
    let first = portal
        .inbox(&actor, &InboxQuery::default(), "bench")
        .await
        .expect("inbox");
    let before: i64 = first.counts.iter().map(|(_, n)| n).sum();
    let last_receipt = first.cases.last().expect("a case").receipt_number.clone();
    let month_ago = OffsetDateTime::now_utc().date() - time::Duration::days(30);
    let queries: [(&str, InboxQuery); 5] = [
        ("first page", InboxQuery::default()),
        (
            "未処理 (submitted) only",
            InboxQuery {
                status: Some(ApplicationStatus::Submitted),
                ..InboxQuery::default()
            },
        ),
        (
            "one procedure, last 30 days",
            InboxQuery {
                procedure: Some("juminhyo-yuso".into()),
                from: Some(month_ago),
                ..InboxQuery::default()
            },
        ),
        (
            "name search 「山田 花子」",
            InboxQuery {
                search: Some("山田 花子".into()),
                ..InboxQuery::default()
            },
        ),
        (
            "a receipt number",
            InboxQuery {
                search: Some(last_receipt.clone()),
                ..InboxQuery::default()
            },
        ),
    ];
    for (what, query) in &queries {
        let mut times = Vec::new();
        for _ in 0..30 {
            let start = Instant::now();
            portal.inbox(&actor, query, "bench").await.expect("inbox");
            times.push(start.elapsed());
        }
        let (median, slowest) = summary(times);
        println!(
            "| inbox of {department}: {what} (50 cases and the status counts) | median {median:.1} ms, slowest {slowest:.1} ms | 50 ms |"
        );
    }

    // Every page by the cursor, while new applications arrive: none skipped, none twice.
    let mut seen = HashSet::new();
    let mut times = Vec::new();
    let mut after = None;
    let arriving = {
        let portal = portal.clone();
        tokio::spawn(async move {
            let caller = madoguchi_app::limits::Caller::at(std::net::Ipv4Addr::LOCALHOST.into());
            let (pdf, _, _) = portal.upload_attachment(PDF).await.expect("upload");
            for i in 0..200 {
                let (_, answers) = application(i * 20, &pdf);
                portal
                    .submit_api("juminhyo-yuso", &answers, None, &caller)
                    .await
                    .expect("submit");
            }
        })
    };
    loop {
        let query = InboxQuery {
            after: after.clone(),
            ..InboxQuery::default()
        };
        let start = Instant::now();
        let page = portal.inbox(&actor, &query, "bench").await.expect("inbox");
        times.push(start.elapsed());
        for case in &page.cases {
            assert!(seen.insert(case.receipt_number.clone()), "a case twice");
        }
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    arriving.await.expect("arrivals");
    let pages = times.len();
    let (median, slowest) = summary(times);
    assert!(seen.len() as i64 >= before, "a case skipped");
    println!(
        "| inbox of {department}: all {pages} pages by the cursor while 200 arrive ({} cases, none skipped or repeated) | median {median:.1} ms, slowest {slowest:.1} ms per page | 50 ms |",
        seen.len()
    );
}

/// Each procedure's year as CSV (UTF-8) with the peak of memory allocated while it streams,
/// and the whole year (every procedure) re-exported as CSV and as JSON.
async fn exports(portal: &Portal) {
    let admin = Actor {
        name: "bench-admin".into(),
        scope: None,
        my_number_access: true,
    };
    // (CSV, JSON): time and rows of the whole year in each.
    let mut whole = [(Duration::ZERO, 0); 2];
    for (procedure, _) in MIX {
        for format in [ExportFormat::Csv, ExportFormat::Json] {
            let base = PEAK.reset();
            let start = Instant::now();
            let (rows, bytes) = export(portal, &admin, procedure, format).await;
            let elapsed = start.elapsed();
            let peak = PEAK.peak().saturating_sub(base);
            let year = &mut whole[usize::from(format == ExportFormat::Json)];
            year.0 += elapsed;
            year.1 += rows;
            if format == ExportFormat::Csv {
                println!(
                    "| export of {procedure}: {rows} applications, {:.1} MB of CSV | {:.2} s, peak memory {:.1} MB above the start | memory flat: one page of 500 |",
                    bytes as f64 / 1e6,
                    elapsed.as_secs_f64(),
                    peak as f64 / 1e6
                );
            }
        }
    }
    for ((elapsed, rows), what) in whole.iter().zip(["CSV", "JSON"]) {
        println!(
            "| the whole year re-exported as {what} (every procedure, {rows} applications) | {:.1} s | 10 s |",
            elapsed.as_secs_f64()
        );
    }
}

/// Streams one export to nowhere; its rows and bytes.
async fn export(
    portal: &Portal,
    actor: &Actor,
    procedure: &str,
    format: ExportFormat,
) -> (usize, usize) {
    let outcome = portal
        .export(actor, procedure, format, ExportEncoding::Utf8Bom, "bench")
        .await
        .expect("export");
    let ExportOutcome::File(mut file) = outcome else {
        panic!("UTF-8 holds every character")
    };
    let mut bytes = 0;
    while let Some(chunk) = file.body.next_chunk().await.expect("chunk") {
        bytes += chunk.len();
    }
    (file.body.rows(), bytes)
}

/// The pull API's change feed for a department, walked in pages of 200 from the start: every
/// change once, in order.
async fn change_feed(portal: &Portal) {
    let department = portal
        .procedure("sodai-gomi")
        .expect("procedure")
        .department
        .id
        .clone();
    let actor = Actor {
        name: "api:bench".into(),
        scope: Some(department.clone()),
        my_number_access: true,
    };
    let mut cursor = 0;
    let mut last = 0;
    let mut items = 0;
    let mut times = Vec::new();
    loop {
        let start = Instant::now();
        let (page, next) = portal
            .changes(&actor, cursor, 200, "bench")
            .await
            .expect("changes");
        times.push(start.elapsed());
        if page.is_empty() {
            break;
        }
        for item in &page {
            let seq = item["change_seq"].as_i64().expect("change_seq");
            assert!(seq > last, "the feed keeps its order");
            last = seq;
        }
        items += page.len();
        cursor = next;
    }
    let (median, slowest) = summary(times);
    println!(
        "| change feed of {department}: {items} changes in pages of 200 (answers, files and one audit entry each) | median {median:.1} ms, slowest {slowest:.1} ms per page | no time set: every change once, in order (checked) |"
    );
}
