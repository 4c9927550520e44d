//! The counter PC's card agent: reads a マイナンバーカード's 券面事項入力補助AP through PC/SC
//! (`card`) for the one counter session it is paired with, and hands the data to that session
//! through the server (`server`). The PIN is typed on the counter PC, used for one VERIFY and
//! dropped: it is never stored, sent to the server or logged.

pub mod card;
pub mod server;
