//! The use cases of madoguchi, shared by every front end, one module per capability:
//! `apply` (the resident: drafts, steps, submission, status, corrections, withdrawal), `cases`
//! (the department's inbox and case work), `integration` (tokens, the pull API, webhooks),
//! `export`, `accounts` (staff and their sessions), `clients` (front ends' API keys) and
//! `audit`; `limits` (who is asking and how often they may) and `runner` (the outbox and the
//! periodic jobs). Around them: [`Portal`], the
//! state they share; `browse` (finding procedures and addresses); `notify` (the outbox jobs a
//! change calls for) and `mail` (sending them); configuration, the server key and the sealing
//! of 個人番号, the bundled catalog and i18n.
//!
//! Web handlers and CLI commands call these functions and render the result; they never talk
//! to storage themselves.

pub mod accounts;
pub mod apply;
pub mod audit;
pub mod browse;
pub mod bundles;
pub mod cases;
pub mod catalog_source;
pub mod clients;
pub mod config;
pub mod counter;
pub mod demo;
mod error;
pub mod export;
pub mod fees;
pub mod i18n;
pub mod integration;
pub mod life_events;
pub mod limits;
pub mod mail;
mod notify;
pub mod portal;
pub mod runner;
pub mod seal;
pub mod secret;
pub mod smtp_sink;
pub mod stats;
pub mod timefmt;
mod tokens;
pub mod webhook;

pub use config::Config;
pub use error::AppError;
pub use portal::Portal;
