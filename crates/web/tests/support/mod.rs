//! `TestApp`: the real router over a fresh database (SQLite in a temporary folder, or a new
//! PostgreSQL database when `MADOGUCHI_TEST_POSTGRES_URL` names a server), driven in-process
//! like a browser: it keeps cookies and reads the CSRF token from each page.

#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use madoguchi_app::accounts::NewAccount;
use madoguchi_app::{Config, Portal};
use madoguchi_web::{AppState, router};
use serde_json::{Value, json};
use std::sync::Mutex;
use tower::ServiceExt;

pub struct TestApp {
    pub router: Router,
    pub portal: Portal,
    pub dir: tempfile::TempDir,
    cookies: Mutex<Vec<(String, String)>>,
}

#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn location(&self) -> String {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The hidden CSRF token of the page's forms.
    pub fn csrf(&self) -> String {
        between(&self.body, "name=\"_csrf\" value=\"", "\"")
            .unwrap_or_else(|| panic!("no CSRF token on page: {}", self.body))
    }

    pub fn assert_contains(&self, text: &str) {
        assert!(
            self.body.contains(text),
            "expected {text:?} in:\n{}",
            self.body
        );
    }
}

pub fn between(haystack: &str, start: &str, end: &str) -> Option<String> {
    let from = haystack.find(start)? + start.len();
    let to = haystack[from..].find(end)? + from;
    Some(haystack[from..to].to_owned())
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with_config(|_| {}).await
    }

    pub async fn with_config(adjust: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config {
            data_dir: dir.path().to_path_buf(),
            ..Config::default()
        };
        if let Ok(server) = std::env::var("MADOGUCHI_TEST_POSTGRES_URL") {
            config.database_url = Some(fresh_postgres_database(&server).await);
        }
        adjust(&mut config);
        let portal = Portal::start(config).await.expect("portal starts");
        let router = router(AppState::new(portal.clone()));
        Self {
            router,
            portal,
            dir,
            cookies: Mutex::new(Vec::new()),
        }
    }

    /// Another instance of the same deployment: its own process state (caches, runner), the
    /// same database, files and keys.
    pub async fn second_instance(&self) -> Self {
        let portal = Portal::start((*self.portal.config).clone())
            .await
            .expect("second instance starts");
        let router = router(AppState::new(portal.clone()));
        Self {
            router,
            portal,
            dir: tempfile::tempdir().unwrap(),
            cookies: Mutex::new(Vec::new()),
        }
    }

    /// Another browser on the same server: no cookies.
    pub fn new_browser(&self) -> Self {
        Self {
            router: self.router.clone(),
            portal: self.portal.clone(),
            dir: tempfile::tempdir().unwrap(),
            cookies: Mutex::new(Vec::new()),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .lock()
            .unwrap()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn remember_cookies(&self, headers: &axum::http::HeaderMap) {
        for value in headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
        {
            let Some((name, rest)) = value.split_once('=') else {
                continue;
            };
            let val = rest.split(';').next().unwrap_or_default().to_owned();
            let mut jar = self.cookies.lock().unwrap();
            jar.retain(|(k, _)| k != name);
            jar.push((name.to_owned(), val));
        }
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        self.remember_cookies(&headers);
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// Sends every request at once, each on its own task (as many tabs or people clicking
    /// together), and returns the replies in the same order.
    pub async fn send_all(&self, requests: Vec<Request<Body>>) -> Vec<Reply> {
        let tasks: Vec<_> = requests
            .into_iter()
            .map(|request| tokio::spawn(self.router.clone().oneshot(request)))
            .collect();
        let mut replies = Vec::with_capacity(tasks.len());
        for task in tasks {
            let response = task.await.unwrap().unwrap();
            let status = response.status();
            let headers = response.headers().clone();
            let bytes = response.into_body().collect().await.unwrap().to_bytes();
            replies.push(Reply {
                status,
                headers,
                body: String::from_utf8_lossy(&bytes).into_owned(),
            });
        }
        replies
    }

    /// A urlencoded form post with this browser's cookies, not yet sent.
    pub fn form_request(&self, path: &str, pairs: &[(&str, &str)]) -> Request<Body> {
        let body = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, self.cookie_header())
            .body(Body::from(body))
            .unwrap()
    }

    /// A GET whose body is kept as bytes (downloads in other encodings).
    pub async fn get_bytes(&self, path: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let request = Request::get(path)
            .header(header::COOKIE, self.cookie_header())
            .body(Body::empty())
            .unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, headers, bytes.to_vec())
    }

    /// Sets a cookie as if the browser had it already (a planted session id).
    pub fn set_cookie(&self, name: &str, value: &str) {
        let mut jar = self.cookies.lock().unwrap();
        jar.retain(|(k, _)| k != name);
        jar.push((name.to_owned(), value.to_owned()));
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies
            .lock()
            .unwrap()
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    pub async fn get(&self, path: &str) -> Reply {
        let request = Request::get(path)
            .header(header::COOKIE, self.cookie_header())
            .body(Body::empty())
            .unwrap();
        self.send(request).await
    }

    /// Posts a form the way a browser does (urlencoded), repeated keys allowed.
    pub async fn post_form(&self, path: &str, pairs: &[(&str, &str)]) -> Reply {
        self.send(self.form_request(path, pairs)).await
    }

    /// Posts a multipart form with text fields and files `(control name, file name, bytes)`.
    pub async fn post_multipart(
        &self,
        path: &str,
        pairs: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> Reply {
        let boundary = "----madoguchi-test-boundary";
        let mut body: Vec<u8> = Vec::new();
        for (k, v) in pairs {
            body.extend(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        for (k, name, bytes) in files {
            body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
            body.extend(*bytes);
            body.extend(b"\r\n");
        }
        body.extend(format!("--{boundary}--\r\n").as_bytes());
        let request = Request::post(path)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header(header::COOKIE, self.cookie_header())
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    pub async fn post_json(
        &self,
        path: &str,
        body: &serde_json::Value,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut builder = Request::post(path).header(header::CONTENT_TYPE, "application/json");
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        self.send(builder.body(Body::from(body.to_string())).unwrap())
            .await
    }

    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        let mut builder = Request::get(path);
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        self.send(builder.body(Body::empty()).unwrap()).await
    }

    /// Starts a draft of `procedure` and returns (token, first step URL).
    pub async fn start(&self, procedure: &str) -> (String, String) {
        let page = self.get(&format!("/procedures/{procedure}")).await;
        assert_eq!(page.status, StatusCode::OK);
        let reply = self
            .post_form(
                &format!("/procedures/{procedure}/start"),
                &[("_csrf", &page.csrf())],
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        let location = reply.location();
        let token = between(&location, "/drafts/", "/").unwrap();
        (token, location)
    }

    /// Posts a question page with the CSRF token of the page as currently shown; returns the reply.
    pub async fn answer(&self, step_url: &str, pairs: &[(&str, &str)]) -> Reply {
        let page = self.get(step_url).await;
        assert_eq!(page.status, StatusCode::OK, "GET {step_url}: {}", page.body);
        let csrf = page.csrf();
        let mut all = vec![("_csrf", csrf.as_str())];
        all.extend_from_slice(pairs);
        self.post_form(step_url, &all).await
    }

    pub async fn application_count(&self) -> i64 {
        self.scalar("SELECT COUNT(*) FROM applications").await
    }

    /// Every stored answers object, drafts and applications, as the database holds them.
    pub async fn stored_answers(&self) -> String {
        self.scalar(
            "SELECT COALESCE(STRING_AGG(CAST(answers AS TEXT), ' | '), '') FROM \
             (SELECT answers FROM drafts UNION ALL SELECT answers FROM applications) AS a",
        )
        .await
    }

    /// Whether the test runs on PostgreSQL (else SQLite), for statements spelt differently.
    pub fn is_postgres(&self) -> bool {
        self.portal.config.database_url().starts_with("postgres")
    }

    /// A statement run straight on the database, as someone with database access would.
    pub async fn execute(&self, statement: &str) {
        let url = self.portal.config.database_url();
        let statement = sqlx::AssertSqlSafe(statement.to_owned());
        if self.is_postgres() {
            let pool = sqlx::PgPool::connect(&url).await.unwrap();
            sqlx::query(statement).execute(&pool).await.unwrap();
            pool.close().await;
        } else {
            let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
            sqlx::query(statement).execute(&pool).await.unwrap();
            pool.close().await;
        }
    }

    /// One value straight from the database, bypassing the application.
    pub async fn scalar<T>(&self, sql: &str) -> T
    where
        T: Send + Unpin,
        T: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
        T: for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
    {
        let url = self.portal.config.database_url();
        if url.starts_with("postgres") {
            let pool = sqlx::PgPool::connect(&url).await.unwrap();
            let value = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
                .fetch_one(&pool)
                .await
                .unwrap();
            pool.close().await;
            value
        } else {
            // SQLite spells string aggregation differently.
            let sql = sql.replace("STRING_AGG(", "GROUP_CONCAT(");
            let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
            let value = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(&pool)
                .await
                .unwrap();
            pool.close().await;
            value
        }
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A new, empty PostgreSQL database on the given server for one test.
async fn fresh_postgres_database(server: &str) -> String {
    let name = format!("madoguchi_test_{}", uuid::Uuid::new_v4().simple());
    let pool = sqlx::PgPool::connect(server)
        .await
        .expect("PostgreSQL test server reachable");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let base = server.rsplit_once('/').map_or(server, |(b, _)| b);
    format!("{base}/{name}")
}

/// A minimal one-page PDF whose cross-reference table is right, as the server checks.
pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\nxref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n0000000115 00000 n \ntrailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n186\n%%EOF\n";

// ---- shared journeys: staff accounts, submissions, case actions ----

/// A different minimal PDF for each `n` (another page size), its cross-reference right.
pub fn numbered_pdf(n: u32) -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {} 842] >>",
            500 + n
        ),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend(b"xref\n0 4\n0000000000 65535 f \n");
    for o in offsets {
        out.extend(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend(
        format!("trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
    );
    out
}

pub const PASSWORD: &str = "correct horse battery staple";

pub async fn add_staff(app: &TestApp, login: &str, department: Option<&str>, my_number: bool) {
    app.portal
        .add_staff(&NewAccount {
            login: login.into(),
            display_name: format!("{login} さん"),
            department: department.map(str::to_owned),
            admin: department.is_none(),
            counter: false,
            my_number_access: my_number,
            password: PASSWORD.into(),
        })
        .await
        .unwrap();
}

/// A counter account (書かない窓口): no department.
pub async fn add_counter_staff(app: &TestApp, login: &str) {
    app.portal
        .add_staff(&NewAccount {
            login: login.into(),
            display_name: format!("{login} さん"),
            department: None,
            admin: false,
            counter: true,
            my_number_access: false,
            password: PASSWORD.into(),
        })
        .await
        .unwrap();
}

/// A browser logged in as `login`.
pub async fn staff_browser(app: &TestApp, login: &str) -> TestApp {
    let browser = app.new_browser();
    let form = browser.get("/staff/login").await;
    let reply = browser
        .post_form(
            "/staff/login",
            &[
                ("_csrf", &form.csrf()),
                ("login", login),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(reply.location(), "/staff");
    browser
}

pub async fn upload(app: &TestApp) -> String {
    let reply = app
        .send(
            axum::http::Request::post("/api/v1/attachments")
                .header("content-type", "application/octet-stream")
                .body(axum::body::Body::from(PDF))
                .unwrap(),
        )
        .await;
    reply.json()["attachment"].as_str().unwrap().to_owned()
}

pub fn juminhyo(attachment: &str, family: &str) -> Value {
    json!({
        "name": { "family": family, "given": "太郎", "family_kana": "ヤマダ", "given_kana": "タロウ" },
        "address": "東京都大田区蒲田五丁目13番14号",
        "phone": "0357441111",
        "email": "taro@example.jp",
        "relationship": "self",
        "persons": [{ "name": format!("{family} 太郎"), "birth_date": "1980-04-01" }],
        "certificate": "household_all",
        "copies": 1,
        "purpose": "license",
        "identity_document": [{ "attachment": attachment, "name": "menkyo.pdf" }]
    })
}

pub fn jido(family: &str) -> Value {
    json!({
        "civil_servant": false,
        "name": { "family": family, "given": "花子", "family_kana": "タカハシ", "given_kana": "ハナコ" },
        "birth_date": "1985-06-01",
        "postal_code": "1448621",
        "address": "東京都大田区蒲田五丁目13番14号",
        "phone": "09012345678",
        "my_number": "123456789018",
        "has_spouse": false,
        "children": [{ "name": "高橋 陽向", "birth_date": "2020-01-15", "relationship": "child", "lives_together": true }],
        "bank_name": "みずほ銀行",
        "branch_name": "蒲田支店",
        "account": { "bank_code": "0001", "branch_code": "123", "account_type": "ordinary", "account_number": "0012345", "holder_kana": "タカハシ\u{3000}ハナコ" }
    })
}

/// Submits through the API; returns (receipt number, access code).
pub async fn apply(app: &TestApp, procedure: &str, answers: Value) -> (String, String) {
    let body = app
        .post_json(
            "/api/v1/applications",
            &json!({ "procedure_id": procedure, "answers": answers }),
            &[],
        )
        .await;
    assert_eq!(body.status, StatusCode::CREATED, "{}", body.body);
    let body = body.json();
    (
        body["receipt_number"].as_str().unwrap().to_owned(),
        body["access_code"].as_str().unwrap().to_owned(),
    )
}

/// The resident's status page, as a fresh browser sees it.
pub async fn resident_status(app: &TestApp, receipt: &str, code: &str) -> Reply {
    resident_at_status(app, receipt, code).await.1
}

/// A fresh browser that has opened the status page, for what the resident does there next.
pub async fn resident_at_status(app: &TestApp, receipt: &str, code: &str) -> (TestApp, Reply) {
    let resident = app.new_browser();
    let form = resident.get("/status").await;
    let page = resident
        .post_form(
            "/status",
            &[
                ("_csrf", &form.csrf()),
                ("receipt", receipt),
                ("access_code", code),
            ],
        )
        .await;
    (resident, page)
}

pub async fn act(staff: &TestApp, receipt: &str, pairs: &[(&str, &str)]) -> Reply {
    let page = staff.get(&format!("/staff/cases/{receipt}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csrf = page.csrf();
    let mut all = vec![("_csrf", csrf.as_str())];
    all.extend_from_slice(pairs);
    staff
        .post_form(&format!("/staff/cases/{receipt}/actions"), &all)
        .await
}

/// 保育園 申込's first page: a guardian expecting a child, no postal code.
pub const HOIKU_GUARDIAN: [(&str, &str); 5] = [
    ("f.name", "大田 花子"),
    ("f.address", "東京都大田区蒲田五丁目13番14号"),
    ("f.phone", "09012345678"),
    ("f.email", "hanako@example.jp"),
    ("f.work_status", "pregnancy"),
];

/// 保育園 申込's children page: one child with the given ranked facilities (`rank1` …), and no
/// other household member.
pub fn hoiku_child(
    preferences: &[(&'static str, &'static str)],
) -> Vec<(&'static str, &'static str)> {
    let mut pairs = vec![
        ("f.children.items", "1"),
        ("f.children.0.name", "大田 陽向"),
        ("f.children.0.name_kana", "おおた ひなた"),
        ("f.children.0.birth_date.year", "2025"),
        ("f.children.0.birth_date.month", "4"),
        ("f.children.0.birth_date.day", "1"),
        ("f.children.0.allergy", "no"),
    ];
    pairs.extend_from_slice(preferences);
    pairs.push(("f.household_others.items", "0"));
    pairs
}

/// A mail's body as text (lettre writes non-ASCII bodies in base64).
pub fn mail_body(mail: &str) -> String {
    let body = mail.split_once("\r\n\r\n").map_or(mail, |(_, b)| b);
    let joined: String = body.lines().map(str::trim).collect();
    data_encoding::BASE64
        .decode(joined.as_bytes())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_else(|| body.to_owned())
}
