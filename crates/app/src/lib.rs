//! The use cases of madoguchi, shared by every front end: browse the catalog, start and resume
//! a draft, answer a step, submit, check status, withdraw; plus what they need around them —
//! configuration, the secret key and the sealing of 個人番号, the bundled catalog, i18n and the
//! mail outbox.
//!
//! Web handlers and CLI commands call these functions and render the result; they never talk
//! to storage themselves.

pub mod backoffice;
pub mod catalog_source;
pub mod config;
pub mod demo;
mod error;
pub mod i18n;
pub mod mail;
pub mod portal;
pub mod seal;
pub mod secret;
pub mod webhook;

pub use config::Config;
pub use error::AppError;
pub use portal::Portal;
