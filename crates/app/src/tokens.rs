//! Secrets handed to people and programs — resume links, staff sessions, API tokens — and how
//! they are stored: only as a hash, so the database never holds a usable link or credential.

use data_encoding::{BASE32_NOPAD, HEXLOWER};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The length of [`new_token`]'s output.
pub(crate) const TOKEN_LEN: usize = 26;

/// 128 random bits, as 26 lower-case base32 characters: the secret of a resume link or a
/// session.
pub(crate) fn new_token() -> String {
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(Uuid::new_v4().as_bytes());
    // UUID v4 fixes 6 bits; mix in a second one so the token carries a full 128 random bits.
    for (b, x) in bytes.iter_mut().zip(Uuid::new_v4().as_bytes()) {
        *b ^= x.rotate_left(3);
    }
    BASE32_NOPAD.encode(&bytes).to_lowercase()
}

/// What the database keeps of a token.
pub(crate) fn token_hash(token: &str) -> String {
    HEXLOWER.encode(&Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_url_safe() {
        let a = new_token();
        assert_eq!(a.len(), TOKEN_LEN);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        );
        assert_ne!(a, new_token());
        assert_eq!(token_hash(&a).len(), 64);
    }
}
