//! The one job runner of an instance: it sends the outbox (mail and webhooks, after the
//! change that called for them committed) and runs the periodic jobs — the clean-up of what
//! expires and the audit log's anchor. Each periodic job is claimed in the database before it
//! runs, so with several instances on PostgreSQL exactly one runs it each time.

use crate::error::AppError;
use crate::mail::process_outbox;
use crate::portal::Portal;
use madoguchi_storage::Swept;
use std::time::{Duration, Instant};
use time::OffsetDateTime;

/// How often the outbox is looked at when nothing rings (jobs queued by other instances, retries
/// coming due).
const OUTBOX_EVERY: Duration = Duration::from_secs(2);
/// How often this instance asks whether a periodic job is due.
const SCHEDULES_EVERY: Duration = Duration::from_secs(60);
/// The clean-up runs hourly …
const SWEEP_EVERY: time::Duration = time::Duration::hours(1);
/// … and removes files uploaded but used by nothing after a day (an API client uploads, then
/// submits; a resident uploads, then leaves the draft).
const UNUSED_FILE_GRACE: time::Duration = time::Duration::hours(24);
/// Rate-limit counters are kept an hour, well past their one-minute windows.
const COUNTERS_KEPT: time::Duration = time::Duration::hours(1);
/// The audit log is anchored every ten minutes.
const ANCHOR_EVERY: time::Duration = time::Duration::minutes(10);

/// Runs until `shutdown` fires.
pub async fn run(portal: Portal, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let mut schedules_checked: Option<Instant> = None;
    loop {
        if let Err(e) = process_outbox(&portal).await {
            tracing::error!(error = %e, "outbox pass failed");
        }
        if schedules_checked.is_none_or(|t| t.elapsed() >= SCHEDULES_EVERY) {
            schedules_checked = Some(Instant::now());
            if let Err(e) = run_due(&portal, OffsetDateTime::now_utc()).await {
                tracing::error!(error = %e, "periodic job failed");
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(OUTBOX_EVERY) => {}
            _ = portal.outbox_wake.notified() => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// Runs the periodic jobs that are due at `now` and that this instance claims.
pub async fn run_due(portal: &Portal, now: OffsetDateTime) -> Result<(), AppError> {
    if portal
        .store
        .claim_schedule("sweep", now, now + SWEEP_EVERY)
        .await?
    {
        let swept = portal.sweep(now).await?;
        tracing::info!(
            drafts = swept.drafts,
            attachments = swept.attachments,
            files = swept.files,
            sessions = swept.sessions,
            counters = swept.counters,
            "clean-up"
        );
    }
    if portal
        .store
        .claim_schedule("audit_anchor", now, now + ANCHOR_EVERY)
        .await?
    {
        portal.anchor_audit().await?;
    }
    Ok(())
}

impl Portal {
    /// Removes what has expired at `now`: unsubmitted drafts past their resume link, the
    /// files nothing uses any more, staff sessions, old rate-limit counters; then refreshes the
    /// planner's statistics.
    pub async fn sweep(&self, now: OffsetDateTime) -> Result<Swept, AppError> {
        let drafts = self.store.purge_expired_drafts(now).await?;
        let (attachments, files) = self
            .store
            .purge_unused_attachments(now - UNUSED_FILE_GRACE, self.files.as_ref())
            .await?;
        let sessions = self.store.purge_expired_sessions(now).await?;
        let counters = self.store.purge_rate_counters(now - COUNTERS_KEPT).await?;
        self.store.refresh_statistics().await?;
        Ok(Swept {
            drafts,
            attachments,
            files,
            sessions,
            counters,
        })
    }
}
