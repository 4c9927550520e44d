//! `madoguchi-bench`: measurements that need a limit beside them, taken in the same run.
//!
//! - `baseline-server BIND BYTES`: a minimal axum handler returning a fixed page of BYTES bytes,
//!   the limit for the form-page benchmark (`scripts/bench.sh` drives both servers with wrk).
//! - `submissions SECONDS TASKS`: durable submissions per second through the real use case on
//!   SQLite, beside a bare SQLite insert-and-commit loop with the same durability settings.
//! - `life-events`: deriving the procedures of the largest life event (引越し) from its
//!   interview and filling every one from the shared facts, beside a no-op (copying the
//!   interview and the facts, the least any request does with them).
//! - `jp`: postal-code look-ups and address normalisations per second, beside a plain
//!   `HashMap` look-up of the same keys.
//! - `outbox SECONDS TASKS`: confirmation mails sent per second by the outbox through a real
//!   SMTP exchange on loopback (a sink here that speaks the protocol and keeps nothing), beside
//!   the durable submissions per second that queued them, measured in the same run.
//! - `year [APPLICATIONS]`: a generated year (170,000) and the back office's reads of it: see
//!   [`year`].

mod alloc;
mod year;

use madoguchi_app::{Config, Portal};
use serde_json::json;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["baseline-server", bind, bytes] => runtime.block_on(baseline_server(
            bind,
            bytes.parse().expect("BYTES is a number"),
        )),
        ["jp"] => jp(),
        ["life-events"] => life_events(),
        ["submissions", seconds, tasks] => runtime.block_on(submissions(
            seconds.parse().expect("SECONDS"),
            tasks.parse().expect("TASKS"),
        )),
        ["outbox", seconds, tasks] => runtime.block_on(outbox(
            seconds.parse().expect("SECONDS"),
            tasks.parse().expect("TASKS"),
        )),
        ["year"] => runtime.block_on(year::run(170_000)),
        ["year", applications] => {
            runtime.block_on(year::run(applications.parse().expect("APPLICATIONS")))
        }
        _ => {
            eprintln!(
                "usage: madoguchi-bench baseline-server BIND BYTES | submissions SECONDS TASKS | outbox SECONDS TASKS | year [APPLICATIONS] | jp | life-events"
            );
            std::process::exit(2);
        }
    }
}

async fn baseline_server(bind: &str, bytes: usize) {
    let page: &'static str = Box::leak("x".repeat(bytes).into_boxed_str());
    let app = axum::Router::new().route(
        "/",
        axum::routing::get(move || async move { axum::response::Html(page) }),
    );
    let listener = tokio::net::TcpListener::bind(bind).await.expect("bind");
    axum::serve(listener, app).await.expect("serve");
}

/// Answers for 粗大ごみ 収集申込: a realistic application with a repeating group and a fee.
fn sodai_gomi_answers() -> serde_json::Value {
    json!({
        "name": "山田 太郎",
        "address": "東京都大田区蒲田五丁目13番14号 蒲田マンション301",
        "phone": "0357441111",
        "email": "taro@example.jp",
        "items": [{ "item": "sofa", "count": 1 }, { "item": "chair", "count": 2 }, { "item": "bicycle", "count": 1 }],
        "preferred_date": "2026-12-05",
        "place": "マンション1階のごみ置き場"
    })
}

async fn run_for<F, Fut>(seconds: u64, tasks: usize, work: F) -> (u64, Duration)
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let work = Arc::new(work);
    let done = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let (work, done, stop) = (work.clone(), done.clone(), stop.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    work().await;
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    for h in handles {
        h.await.expect("task");
    }
    (done.load(Ordering::Relaxed), start.elapsed())
}

async fn submissions(seconds: u64, tasks: usize) {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = Config {
        data_dir: dir.path().join("app"),
        ..Config::default()
    };
    let portal = Portal::start(config).await.expect("portal");
    let answers = sodai_gomi_answers();
    let caller = madoguchi_app::limits::Caller::at(std::net::Ipv4Addr::LOCALHOST.into());
    portal
        .submit_api("sodai-gomi", &answers, None, &caller)
        .await
        .expect("a valid application");
    let p = portal.clone();
    let (n, elapsed) = run_for(seconds, tasks, move || {
        let p = p.clone();
        let answers = sodai_gomi_answers();
        let caller = caller.clone();
        async move {
            p.submit_api("sodai-gomi", &answers, None, &caller)
                .await
                .expect("submit");
        }
    })
    .await;
    let ours = n as f64 / elapsed.as_secs_f64();

    // The limit: the same durability (WAL, synchronous=FULL), one transaction per row holding
    // the same answers, and nothing else.
    let options = SqliteConnectOptions::new()
        .filename(dir.path().join("bare.db"))
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(10));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .expect("sqlite");
    sqlx::raw_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, answers TEXT NOT NULL)")
        .execute(&pool)
        .await
        .expect("table");
    let body = answers.to_string();
    let (m, elapsed) = run_for(seconds, tasks, move || {
        let pool = pool.clone();
        let body = body.clone();
        async move {
            let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.expect("begin");
            sqlx::query("INSERT INTO t (answers) VALUES ($1)")
                .bind(body)
                .execute(&mut *tx)
                .await
                .expect("insert");
            tx.commit().await.expect("commit");
        }
    })
    .await;
    let bare = m as f64 / elapsed.as_secs_f64();
    println!(
        "| durable submissions on SQLite ({tasks} concurrent, {seconds} s) | {ours:.0} /s | bare insert-and-commit loop: {bare:.0} /s | {:.0} % |",
        100.0 * ours / bare
    );
}

/// Submissions for SECONDS (each queuing its confirmation mail), then the outbox drained through
/// SMTP on loopback: jobs per second beside the submissions per second of the same run.
async fn outbox(seconds: u64, tasks: usize) {
    let sink = madoguchi_app::smtp_sink::start(None).await.expect("sink");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = Config {
        data_dir: dir.path().join("app"),
        ..Config::default()
    };
    // OUTBOX_TO_FOLDER=1: the same jobs written as files instead, to tell delivery from SMTP.
    let through_smtp = std::env::var_os("OUTBOX_TO_FOLDER").is_none();
    if through_smtp {
        config.mail.smtp = Some(madoguchi_app::config::SmtpConfig {
            host: "127.0.0.1".into(),
            port: sink.port,
            username: None,
            password_file: None,
            tls: "none".into(),
        });
    }
    let portal = Portal::start(config).await.expect("portal");
    let caller = madoguchi_app::limits::Caller::at(std::net::Ipv4Addr::LOCALHOST.into());
    let p = portal.clone();
    let (submitted, elapsed) = run_for(seconds, tasks, move || {
        let p = p.clone();
        let caller = caller.clone();
        async move {
            p.submit_api("sodai-gomi", &sodai_gomi_answers(), None, &caller)
                .await
                .expect("submit");
        }
    })
    .await;
    let submissions = submitted as f64 / elapsed.as_secs_f64();
    let start = Instant::now();
    let sent = madoguchi_app::mail::process_outbox(&portal)
        .await
        .expect("outbox");
    let jobs = sent as f64 / start.elapsed().as_secs_f64();
    assert_eq!(sent as u64, submitted, "every confirmation sent");
    if through_smtp {
        assert_eq!(sink.received(), submitted, "and received");
    }
    let how = if through_smtp {
        "through SMTP on loopback"
    } else {
        "written as files"
    };
    println!(
        "| outbox: confirmation mails {how} ({submitted} queued) | {jobs:.0} /s | durable submissions that queued them ({tasks} concurrent, {seconds} s): {submissions:.0} /s | {:.0} % |",
        100.0 * jobs / submissions
    );
}

/// Runs `f` over `keys` repeatedly for about a second; operations per second.
fn ops_per_second<K>(keys: &[K], mut f: impl FnMut(&K) -> usize) -> f64 {
    let start = Instant::now();
    let mut ops = 0u64;
    let mut sink = 0usize;
    while start.elapsed() < Duration::from_secs(1) {
        for k in keys {
            sink = sink.wrapping_add(f(k));
        }
        ops += keys.len() as u64;
    }
    std::hint::black_box(sink);
    ops as f64 / start.elapsed().as_secs_f64()
}

fn jp() {
    use madoguchi_jp::{address, postal::PostalIndex};
    use std::collections::HashMap;
    let index = PostalIndex::bundled().expect("postal data");
    // Every 97th code, written as people write them: with a hyphen.
    let codes: Vec<String> = index
        .codes()
        .step_by(97)
        .map(|c| format!("{}-{}", &c[..3], &c[3..]))
        .collect();
    let map: HashMap<String, usize> = codes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.clone(), i))
        .collect();
    let ours = ops_per_second(&codes, |c| index.lookup(c).map_or(0, |a| a.len()));
    let limit = ops_per_second(&codes, |c| map.get(c).copied().unwrap_or(0));
    println!(
        "| postal-code look-up ({} codes) | {ours:.0} /s | HashMap<String, _> look-up of the same keys: {limit:.0} /s | {:.1} % |",
        codes.len(),
        100.0 * ours / limit
    );
    let addresses: Vec<String> = [
        "東京都大田区蒲田五丁目13番14号",
        "東京都大田区蒲田５丁目１３－１４ 蒲田マンション３０１",
        "東京都品川区西五反田二丁目十三番十四号",
        "大田区山王1-2-3メゾン・ド・ヴィー202",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let amap: HashMap<String, usize> = addresses
        .iter()
        .enumerate()
        .map(|(i, a)| (a.clone(), i))
        .collect();
    let ours = ops_per_second(&addresses, |a| address::normalize(a).address.len());
    let limit = ops_per_second(&addresses, |a| amap.get(a).copied().unwrap_or(0));
    println!(
        "| address normalisation | {ours:.0} /s | HashMap<String, _> look-up of the same strings: {limit:.0} /s | {:.1} % |",
        100.0 * ours / limit
    );
}

fn life_events() {
    use madoguchi_domain::Answers;
    use madoguchi_domain::validate::parse_json;
    let catalog = madoguchi_app::catalog_source::bundled().expect("catalog");
    let event = catalog.event("hikkoshi").expect("引越し");
    let today = madoguchi_app::timefmt::today_jst();
    // A household of four moving in, where everything the event knows of applies.
    let interview = parse_json(
        &event.interview,
        &json!({
            "move_kind": "into", "move_date": today.to_string(), "has_kokuho": "yes",
            "has_children": true, "needs_seal": true, "bulky_waste": true
        }),
        today,
    )
    .expect("interview answers");
    let person = |given: &str, kana: &str, born: &str, relationship: &str| {
        json!({
            "name": { "family": "大田", "given": given, "family_kana": "オオタ", "given_kana": kana },
            "birth_date": born, "relationship": relationship
        })
    };
    let facts = parse_json(
        &event.facts,
        &json!({
            "notifier_name": { "family": "大田", "given": "太郎", "family_kana": "オオタ", "given_kana": "タロウ" },
            "phone": "0357441111", "email": "taro@example.jp",
            "movers": [
                person("太郎", "タロウ", "1985-04-01", "householder"),
                person("花子", "ハナコ", "1987-06-15", "spouse"),
                person("一郎", "イチロウ", "2015-09-01", "child"),
                person("二郎", "ジロウ", "2019-02-11", "child"),
            ]
        }),
        today,
    )
    .expect("facts");
    let inputs = [(interview, facts)];
    let implied = event.derive(&inputs[0].0).len();
    let ours = ops_per_second(&inputs, |(interview, facts)| {
        event
            .derive(interview)
            .iter()
            .filter_map(|d| Some((d, catalog.procedure(d.implied.procedure.as_str())?)))
            .map(|(d, p)| {
                event
                    .fill(d.implied, p, &Answers::default(), (interview, facts), today)
                    .given
                    .len()
            })
            .sum()
    });
    let limit = ops_per_second(&inputs, |(interview, facts)| {
        let copied = (interview.clone(), facts.clone());
        copied.0.iter().count() + copied.1.iter().count()
    });
    println!(
        "| life event: derive and fill ({} of {} procedures of 引越し, 4 people moving) | {ours:.0} /s | no-op, copying the interview and facts: {limit:.0} /s | {:.1} % |",
        implied,
        event.procedures.len(),
        100.0 * ours / limit
    );
}
