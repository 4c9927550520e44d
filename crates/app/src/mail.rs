//! Mail to residents, sent from the outbox after the change that calls for it has committed.
//!
//! With SMTP configured, mail goes to the relay; without, each message is written as an
//! `.eml` file under `data/mail`, so the embedded default needs no mail server and a developer
//! can read what residents would receive. Failed sends are retried with growing delays; the
//! job stays in the outbox until a send succeeds.

use crate::config::Config;
use crate::i18n::{Tr, japanese_date};
use crate::notify::{FEE_MAIL, STATUS_MAIL, SUBMITTED_MAIL};
use crate::portal::Portal;
use crate::timefmt::JST;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::AsyncSmtpConnection;
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use madoguchi_storage::Job;
use std::path::PathBuf;
use std::sync::Arc;
use time::OffsetDateTime;

#[derive(Debug)]
pub enum Mailer {
    Folder(PathBuf),
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    /// A relay on the same host without TLS and without login (`tls = "none"`): our own
    /// connections, kept for the next message, with `TCP_NODELAY`. lettre writes a message and
    /// its closing `.` in two writes; with Nagle's algorithm on, the `.` waits for the relay's
    /// delayed acknowledgement (40 ms on Linux), which capped each connection at ~22 mails a
    /// second (BENCHMARKS.md).
    Relay {
        host: String,
        port: u16,
        idle: Kept,
        from: Mailbox,
    },
}

/// The relay connections kept open between messages.
#[derive(Default)]
pub struct Kept(tokio::sync::Mutex<Vec<AsyncSmtpConnection>>);

impl std::fmt::Debug for Kept {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Kept(..)")
    }
}

/// How long connecting to the relay (and its greeting) may take.
const RELAY_CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// How long one message may take on a relay connection: well inside the job's five-minute
/// lease, so that a relay that stops answering never has a second pass send the same job.
const RELAY_SEND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

impl Mailer {
    pub fn from_config(config: &Config) -> Result<Self, String> {
        let Some(smtp) = &config.mail.smtp else {
            return Ok(Self::Folder(config.data_dir.join("mail")));
        };
        let from: Mailbox = config
            .mail
            .from
            .parse()
            .map_err(|e| format!("mail.from: {e}"))?;
        if smtp.tls == "none" && smtp.username.is_none() {
            return Ok(Self::Relay {
                host: smtp.host.clone(),
                port: smtp.port,
                idle: Kept::default(),
                from,
            });
        }
        let mut builder = match smtp.tls.as_str() {
            "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host)
                .map_err(|e| e.to_string())?,
            "starttls" => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)
                .map_err(|e| e.to_string())?,
            "none" => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host),
            other => {
                return Err(format!(
                    "mail.smtp.tls: unknown mode \"{other}\" (use starttls, tls or none)"
                ));
            }
        }
        .port(smtp.port);
        if let Some(user) = &smtp.username {
            let password = match &smtp.password_file {
                Some(path) => std::fs::read_to_string(path)
                    .map_err(|e| format!("mail.smtp.password_file: {e}"))?
                    .trim()
                    .to_owned(),
                None => String::new(),
            };
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        // Connections are kept and reused across messages, one per concurrent delivery.
        let pool = PoolConfig::new().max_size(u32::try_from(OUTBOX_CONCURRENCY).unwrap_or(16));
        Ok(Self::Smtp {
            transport: builder.pool_config(pool).build(),
            from,
        })
    }

    pub async fn send(
        &self,
        to: &str,
        subject: &str,
        body: &str,
        fallback_from: &str,
    ) -> Result<(), String> {
        let from: Mailbox = match self {
            Self::Smtp { from, .. } | Self::Relay { from, .. } => from.clone(),
            Self::Folder(_) => fallback_from.parse().map_err(|e| format!("from: {e}"))?,
        };
        let to: Mailbox = to.parse().map_err(|e| format!("recipient: {e}"))?;
        let message = Message::builder()
            .from(from)
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_owned())
            .map_err(|e| e.to_string())?;
        match self {
            Self::Smtp { transport, .. } => transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Self::Relay {
                host, port, idle, ..
            } => relay(host, *port, idle, &message).await,
            Self::Folder(dir) => {
                tokio::fs::create_dir_all(dir)
                    .await
                    .map_err(|e| e.to_string())?;
                let name = format!("{}.eml", uuid::Uuid::now_v7());
                tokio::fs::write(dir.join(name), message.formatted())
                    .await
                    .map_err(|e| e.to_string())
            }
        }
    }
}

/// Sends one message through the local relay on a kept connection, or a new one. A kept
/// connection the relay has closed meanwhile fails at once: the message goes again on a new one.
async fn relay(host: &str, port: u16, idle: &Kept, message: &Message) -> Result<(), String> {
    let formatted = message.formatted();
    let kept = idle.0.lock().await.pop();
    let mut connection = match kept {
        Some(mut kept) => match send_on(&mut kept, message, &formatted).await {
            Ok(()) => return keep(idle, kept).await,
            Err(_) => {
                kept.abort().await;
                connect_relay(host, port).await?
            }
        },
        None => connect_relay(host, port).await?,
    };
    match send_on(&mut connection, message, &formatted).await {
        Ok(()) => keep(idle, connection).await,
        Err(e) => {
            connection.abort().await;
            Err(e)
        }
    }
}

async fn send_on(
    connection: &mut AsyncSmtpConnection,
    message: &Message,
    formatted: &[u8],
) -> Result<(), String> {
    match tokio::time::timeout(
        RELAY_SEND_TIMEOUT,
        connection.send(message.envelope(), formatted),
    )
    .await
    {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("the relay stopped answering".to_owned()),
    }
}

async fn keep(idle: &Kept, connection: AsyncSmtpConnection) -> Result<(), String> {
    if !connection.has_broken() {
        let mut idle = idle.0.lock().await;
        if idle.len() < OUTBOX_CONCURRENCY {
            idle.push(connection);
        }
    }
    Ok(())
}

async fn connect_relay(host: &str, port: u16) -> Result<AsyncSmtpConnection, String> {
    let connect = async {
        let stream = tokio::net::TcpStream::connect((host, port))
            .await
            .map_err(|e| e.to_string())?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        AsyncSmtpConnection::connect_with_transport(Box::new(stream), &ClientId::default())
            .await
            .map_err(|e| e.to_string())
    };
    tokio::time::timeout(RELAY_CONNECT_TIMEOUT, connect)
        .await
        .map_err(|_| "timed out connecting to the relay".to_owned())?
}

/// How many jobs a pass claims at a time; a full batch is followed by another at once.
const OUTBOX_BATCH: i64 = 64;
/// How many jobs are delivered at once (and so SMTP connections kept open in the pool): mail
/// and webhooks share them, so neither waits for the other to finish a batch one by one.
pub(crate) const OUTBOX_CONCURRENCY: usize = 16;

/// Sends every due outbox job once, several at a time, claiming batches until none is left;
/// returns how many were sent. Used by the job runner and, directly, by tests.
pub async fn process_outbox(portal: &Portal) -> Result<usize, crate::AppError> {
    let mut sent = 0;
    loop {
        let jobs = portal
            .store
            .claim_jobs(
                OffsetDateTime::now_utc(),
                time::Duration::minutes(5),
                OUTBOX_BATCH,
            )
            .await?;
        let claimed = jobs.len();
        sent += deliver(portal, jobs).await?;
        if i64::try_from(claimed).unwrap_or(0) < OUTBOX_BATCH {
            return Ok(sent);
        }
    }
}

/// Delivers claimed jobs at most `OUTBOX_CONCURRENCY` at a time; a failure is given its next
/// try as it ends, and the jobs sent are completed together, in one commit. Returns how many
/// were sent.
async fn deliver(portal: &Portal, jobs: Vec<Job>) -> Result<usize, crate::AppError> {
    let permits = Arc::new(tokio::sync::Semaphore::new(OUTBOX_CONCURRENCY));
    let mut running = tokio::task::JoinSet::new();
    for job in jobs {
        let portal = portal.clone();
        let permits = Arc::clone(&permits);
        running.spawn(async move {
            let _permit = permits.acquire_owned().await;
            let outcome = run_job(&portal, &job).await;
            match outcome {
                Ok(()) => Ok(Some(job.id)),
                Err(error) => retry_later(&portal, &job, &error).await.map(|()| None),
            }
        });
    }
    let mut sent = Vec::new();
    let mut failed = None;
    while let Some(done) = running.join_next().await {
        match done {
            Ok(Ok(Some(id))) => sent.push(id),
            Ok(Ok(None)) => {}
            // A job whose outcome could not be recorded runs again once its lease ends.
            Ok(Err(e)) => failed = Some(e),
            Err(e) => tracing::error!(error = %e, "outbox task failed"),
        }
    }
    // If this commit is lost, the jobs run again after their lease: at least once, as promised.
    portal
        .store
        .complete_jobs(&sent, OffsetDateTime::now_utc())
        .await?;
    match failed {
        Some(e) => Err(e),
        None => Ok(sent.len()),
    }
}

/// Records a failure and the next try, after a backoff.
async fn retry_later(portal: &Portal, job: &Job, error: &str) -> Result<(), crate::AppError> {
    let delay = backoff(job.attempts);
    // The error text comes from the transport, never from the message body.
    tracing::warn!(job = %job.id, kind = %job.kind, attempts = job.attempts, %error, "outbox job failed; will retry");
    portal
        .store
        .retry_job(job.id, error, OffsetDateTime::now_utc() + delay)
        .await?;
    Ok(())
}

/// 1, 2, 4 … minutes, at most 6 hours.
fn backoff(attempts: i32) -> time::Duration {
    let exponent = u32::try_from(attempts.clamp(1, 10) - 1).unwrap_or(0);
    time::Duration::minutes((1i64 << exponent).min(360))
}

async fn run_job(portal: &Portal, job: &Job) -> Result<(), String> {
    match job.kind.as_str() {
        SUBMITTED_MAIL => {
            let id = job.payload["application_id"]
                .as_str()
                .and_then(|s| uuid::Uuid::parse_str(s).ok())
                .ok_or("payload without application_id")?;
            let to = job.payload["to"]
                .as_str()
                .ok_or("payload without recipient")?;
            let application = portal
                .store
                .application(&job.municipality_code, id)
                .await
                .map_err(|e| e.to_string())?
                .ok_or("application not found")?;
            let view = portal
                .status_view(application)
                .await
                .map_err(|e| e.to_string())?;
            let (subject, body) = submitted_mail(portal, &view);
            portal
                .mailer
                .send(to, &subject, &body, &portal.config.mail.from)
                .await
        }
        STATUS_MAIL => {
            let to = job.payload["to"]
                .as_str()
                .ok_or("payload without recipient")?;
            let view = job_application(portal, job).await?;
            let (subject, body) = status_mail(portal, &view, &job.payload);
            portal
                .mailer
                .send(to, &subject, &body, &portal.config.mail.from)
                .await
        }
        FEE_MAIL => {
            let to = job.payload["to"]
                .as_str()
                .ok_or("payload without recipient")?;
            let amount = job.payload["amount"]
                .as_u64()
                .ok_or("payload without amount")?;
            let view = job_application(portal, job).await?;
            let message = job.payload["message"].as_str().unwrap_or_default();
            let (subject, body) = fee_mail(portal, &view, amount, message);
            portal
                .mailer
                .send(to, &subject, &body, &portal.config.mail.from)
                .await
        }
        crate::webhook::KIND => {
            let url = job.payload["url"].as_str().ok_or("payload without url")?;
            let secret = portal
                .webhooks
                .for_url(url)
                .ok_or("the endpoint is no longer configured")?;
            crate::webhook::deliver(url, secret, &job.payload["event"]).await
        }
        other => Err(format!("unknown job kind {other}")),
    }
}

async fn job_application(portal: &Portal, job: &Job) -> Result<crate::apply::StatusView, String> {
    let id = job.payload["application_id"]
        .as_str()
        .and_then(|s| uuid::Uuid::parse_str(s).ok())
        .ok_or("payload without application_id")?;
    let application = portal
        .store
        .application(&job.municipality_code, id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("application not found")?;
    portal
        .status_view(application)
        .await
        .map_err(|e| e.to_string())
}

/// A status change in words: the new status and, for a correction request or a rejection,
/// the department's message. No answers are repeated in mail.
fn status_mail(
    portal: &Portal,
    view: &crate::apply::StatusView,
    payload: &serde_json::Value,
) -> (String, String) {
    let tr = Tr::default();
    let status = payload["status"].as_str().unwrap_or_default();
    let message = payload["message"].as_str().unwrap_or_default();
    let args = [
        ("ward", portal.config.municipality.name.clone()),
        ("procedure", view.procedure.title.ja.clone()),
        ("receipt", view.application.receipt_number.clone()),
        ("status", tr.t(&format!("app-status-{status}"))),
        ("message", message.to_owned()),
        (
            "status_url",
            format!("{}/status", portal.config.public_url.trim_end_matches('/')),
        ),
        ("department", view.procedure.department.name.ja.clone()),
    ];
    let body_key = if message.is_empty() {
        "mail-status-body"
    } else {
        "mail-status-body-message"
    };
    (
        tr.t_with("mail-status-subject", &args),
        tr.t_with(body_key, &args),
    )
}

/// The fee the department decided, with its words (the number of sheets, how to pay). The
/// amount is the one of the decision this job was made for, even if a later one changed it:
/// each decision is its own notice.
fn fee_mail(
    portal: &Portal,
    view: &crate::apply::StatusView,
    amount: u64,
    message: &str,
) -> (String, String) {
    let tr = Tr::default();
    let args = [
        ("ward", portal.config.municipality.name.clone()),
        ("procedure", view.procedure.title.ja.clone()),
        ("receipt", view.application.receipt_number.clone()),
        (
            "fee",
            tr.t_with("fee-fixed", &[("amount", crate::fees::yen(amount))]),
        ),
        ("message", message.to_owned()),
        (
            "status_url",
            format!("{}/status", portal.config.public_url.trim_end_matches('/')),
        ),
        ("department", view.procedure.department.name.ja.clone()),
    ];
    let body_key = if message.is_empty() {
        "mail-fee-body"
    } else {
        "mail-fee-body-message"
    };
    (
        tr.t_with("mail-fee-subject", &args),
        tr.t_with(body_key, &args),
    )
}

/// The confirmation mail: what was received, its receipt number, where to check status. The
/// access code is not included: mail can be read by others, the confirmation page cannot.
fn submitted_mail(portal: &Portal, view: &crate::apply::StatusView) -> (String, String) {
    let tr = Tr::default();
    let app = &view.application;
    let date = app.submitted_at.to_offset(JST).date();
    let args = [
        ("ward", portal.config.municipality.name.clone()),
        ("procedure", view.procedure.title.ja.clone()),
        ("receipt", app.receipt_number.clone()),
        ("date", japanese_date(date)),
        (
            "status_url",
            format!("{}/status", portal.config.public_url.trim_end_matches('/')),
        ),
        ("department", view.procedure.department.name.ja.clone()),
        (
            "fee",
            crate::fees::fee_text(
                tr,
                &view.procedure,
                &view.answers,
                view.application.decided_fee,
            )
            .map(|f| tr.t_with("mail-submitted-fee", &[("fee", f.total)]))
            .unwrap_or_default(),
        ),
        (
            "phone",
            view.procedure
                .department
                .phone
                .clone()
                .unwrap_or_else(|| portal.config.municipality.phone.clone()),
        ),
    ];
    (
        tr.t_with("mail-submitted-subject", &args),
        tr.t_with("mail-submitted-body", &args),
    )
}

#[cfg(test)]
mod tests {
    use madoguchi_domain::input::is_valid_email;
    use proptest::prelude::*;
    use std::str::FromStr;

    /// Strings made of what addresses are made of, and of what breaks them.
    fn address_like() -> impl Strategy<Value = String> {
        let part = "[a-z0-9.+_\\-\"( )@\\[\\]\u{7}\u{3000}例]{0,12}";
        (
            part,
            prop::sample::select(vec!["@", "@@", "", "＠"]),
            part,
            prop::sample::select(vec![".jp", ".lg.jp", "", ".", "..jp"]),
        )
            .prop_map(|(local, at, domain, tld)| format!("{local}{at}{domain}{tld}"))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        /// What the form takes, the mailer sends to: no confirmation mail fails forever on an
        /// address the resident was told was fine.
        #[test]
        fn every_address_the_form_takes_the_mailer_takes(s in address_like()) {
            if is_valid_email(&s) {
                prop_assert!(lettre::Address::from_str(&s).is_ok(), "lettre refuses {s:?}");
                prop_assert!(lettre::message::Mailbox::from_str(&s).is_ok(), "lettre's mailbox refuses {s:?}");
            }
        }
    }

    #[test]
    fn plain_and_internationalised_addresses_reach_the_mailer() {
        for s in [
            "taro@example.jp",
            "taro.yamada+ku@mail.example.lg.jp",
            "taro@例え.jp",
        ] {
            assert!(is_valid_email(s), "{s}");
            assert!(lettre::message::Mailbox::from_str(s).is_ok(), "{s}");
        }
    }
}
