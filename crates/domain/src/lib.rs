//! The rules of madoguchi, with no IO: what a procedure is, how a resident's answers are parsed
//! and checked against it, which questions apply, what JSON Schema describes the answers, how a
//! catalog file is read and checked, and how applications are numbered and move between states.
//!
//! Everything here is deterministic and synchronous so that it can be tested exhaustively and
//! reused by every channel (web portal, JSON API, the counter, LINE) without change.

pub mod answers;
pub mod application;
pub mod attachment;
pub mod calendar;
pub mod case;
pub mod catalog;
pub mod condition;
pub mod export;
pub mod fee;
pub mod form;
pub mod gaiji;
pub mod ids;
pub mod input;
pub mod life_event;
pub mod procedure;
pub mod schema;
pub mod text;
pub mod validate;

pub use answers::{Answer, Answers, FileRef};
pub use application::{ApplicationStatus, ReceiptNumber};
pub use condition::Condition;
pub use ids::{FieldId, ProcedureId};
pub use procedure::{Field, FieldKind, Procedure, Step};
pub use text::Localized;
pub use validate::{FieldError, Problem};
