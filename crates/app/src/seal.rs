//! Sealing 個人番号 (My Number) answers before they are stored.
//!
//! 番号法 requires safety measures for 特定個人情報; madoguchi's rule is that no number is ever
//! written in the clear: every draft and application write goes through [`Sealer::seal`]
//! (AES-256-GCM under a key derived from the server secret, a fresh random nonce each time),
//! and only its last four digits stay readable for screens. The last four are bound to the
//! ciphertext as associated data, so a row edited to show other digits no longer opens.
//! A copy of the database alone therefore reveals no number; the key lives in the secret file.

use crate::secret::Secret;
use aes_gcm::aead::{Aead, Generate, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use data_encoding::BASE64URL_NOPAD;
use madoguchi_domain::answers::SealedNumber;
use madoguchi_jp::checkdigit::MyNumber;
use std::fmt;

const VERSION: &str = "v1";
const NONCE_LEN: usize = 12;

#[derive(Clone)]
pub struct Sealer {
    cipher: Aes256Gcm,
}

/// The key is never printed.
impl fmt::Debug for Sealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sealer(…)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("the sealed number is not in a known format")]
    Format,
    #[error("the sealed number does not open with this server's key, or was altered")]
    Open,
}

impl Sealer {
    /// A key of its own, derived from the server secret: the same secret also signs CSRF
    /// tokens and access codes, and no two uses share a key.
    pub fn new(secret: &Secret) -> Self {
        let key = secret.mac(&[b"my-number-seal", VERSION.as_bytes()]);
        Self {
            cipher: Aes256Gcm::new(&Key::<Aes256Gcm>::from(key)),
        }
    }

    pub fn seal(&self, number: &MyNumber) -> SealedNumber {
        let last4 = number.expose()[8..].to_owned();
        let nonce = Nonce::generate();
        let sealed = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: number.expose().as_bytes(),
                    aad: &associated_data(&last4),
                },
            )
            .expect("AES-GCM encrypts 12 bytes");
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        SealedNumber {
            ciphertext: format!("{VERSION}.{}", BASE64URL_NOPAD.encode(&bytes)),
            last4,
        }
    }

    /// The whole number, for staff allowed to see it and for business systems. Callers audit
    /// the read and never log the result.
    pub fn open(&self, sealed: &SealedNumber) -> Result<MyNumber, SealError> {
        let encoded = sealed
            .ciphertext
            .strip_prefix(VERSION)
            .and_then(|rest| rest.strip_prefix('.'))
            .ok_or(SealError::Format)?;
        let bytes = BASE64URL_NOPAD
            .decode(encoded.as_bytes())
            .map_err(|_| SealError::Format)?;
        if bytes.len() <= NONCE_LEN {
            return Err(SealError::Format);
        }
        let (nonce, body) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_from(nonce).map_err(|_| SealError::Format)?;
        let plain = self
            .cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: body,
                    aad: &associated_data(&sealed.last4),
                },
            )
            .map_err(|_| SealError::Open)?;
        let text = String::from_utf8(plain).map_err(|_| SealError::Open)?;
        MyNumber::parse(&text).map_err(|_| SealError::Open)
    }
}

fn associated_data(last4: &str) -> Vec<u8> {
    format!("madoguchi:my_number:{last4}").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number() -> MyNumber {
        MyNumber::parse("123456789018").unwrap()
    }

    #[test]
    fn a_sealed_number_opens_to_itself_and_hides_all_but_the_last_four() {
        let sealer = Sealer::new(&Secret::from_bytes([7; 32]));
        let sealed = sealer.seal(&number());
        assert_eq!(sealed.last4, "9018");
        assert!(!sealed.ciphertext.contains("12345678"));
        assert_eq!(sealer.open(&sealed).unwrap(), number());
    }

    #[test]
    fn each_seal_uses_a_fresh_nonce() {
        let sealer = Sealer::new(&Secret::from_bytes([7; 32]));
        assert_ne!(
            sealer.seal(&number()).ciphertext,
            sealer.seal(&number()).ciphertext
        );
    }

    #[test]
    fn another_key_or_altered_digits_do_not_open() {
        let sealer = Sealer::new(&Secret::from_bytes([7; 32]));
        let other = Sealer::new(&Secret::from_bytes([8; 32]));
        let sealed = sealer.seal(&number());
        assert_eq!(other.open(&sealed), Err(SealError::Open));
        let relabelled = SealedNumber {
            last4: "0000".into(),
            ..sealed.clone()
        };
        assert_eq!(sealer.open(&relabelled), Err(SealError::Open));
        let garbled = SealedNumber {
            ciphertext: "v1.AAAA".into(),
            ..sealed
        };
        assert_eq!(sealer.open(&garbled), Err(SealError::Format));
    }
}
