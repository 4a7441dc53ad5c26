//! Credentials given through the UI, encrypted at rest with ChaCha20-Poly1305 under a key
//! the operator provides (`FLASHDECK_SECRET_KEY`, or a file). A copy of the database alone
//! opens no array.

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};

/// Prefix of stored ciphertexts, so that a later scheme can be told apart.
const VERSION: &str = "v1:";
const NONCE_BYTES: usize = 12;

/// The key that seals and opens stored secrets.
#[derive(Clone)]
pub struct SecretKey(Key);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error(
        "the secret key must be 64 hexadecimal characters (32 bytes), such as `openssl rand -hex 32` prints"
    )]
    BadKey,
    #[error("a stored secret cannot be opened: it is damaged or was sealed with another key")]
    Unreadable,
    #[error("no randomness: {0}")]
    Random(String),
}

impl SecretKey {
    /// From 64 hex characters; surrounding whitespace (a trailing newline in a file) is ignored.
    pub fn from_hex(text: &str) -> Result<Self, SecretError> {
        let text = text.trim();
        if text.len() != 64 {
            return Err(SecretError::BadKey);
        }
        let mut bytes = [0u8; 32];
        for (index, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[index * 2..index * 2 + 2], 16)
                .map_err(|_| SecretError::BadKey)?;
        }
        Ok(Self(Key::from(bytes)))
    }

    /// A new random key, as hex: for the demo, which keeps it in its data directory.
    pub fn generate_hex() -> Result<String, SecretError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|error| SecretError::Random(error.to_string()))?;
        Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
    }

    pub fn seal(&self, plaintext: &str) -> Result<String, SecretError> {
        let mut nonce = [0u8; NONCE_BYTES];
        getrandom::fill(&mut nonce).map_err(|error| SecretError::Random(error.to_string()))?;
        let ciphertext = ChaCha20Poly1305::new(&self.0)
            .encrypt(&Nonce::from(nonce), plaintext.as_bytes())
            .map_err(|_| SecretError::Unreadable)?;
        let sealed: String = nonce
            .iter()
            .chain(&ciphertext)
            .map(|byte| format!("{byte:02x}"))
            .collect();
        Ok(format!("{VERSION}{sealed}"))
    }

    pub fn open(&self, sealed: &str) -> Result<String, SecretError> {
        let hex = sealed
            .strip_prefix(VERSION)
            .ok_or(SecretError::Unreadable)?;
        if hex.len() % 2 != 0 || hex.len() < NONCE_BYTES * 2 {
            return Err(SecretError::Unreadable);
        }
        let bytes = (0..hex.len())
            .step_by(2)
            .map(|at| u8::from_str_radix(&hex[at..at + 2], 16))
            .collect::<Result<Vec<u8>, _>>()
            .map_err(|_| SecretError::Unreadable)?;
        let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().map_err(|_| SecretError::Unreadable)?;
        let plaintext = ChaCha20Poly1305::new(&self.0)
            .decrypt(&Nonce::from(nonce), ciphertext)
            .map_err(|_| SecretError::Unreadable)?;
        String::from_utf8(plaintext).map_err(|_| SecretError::Unreadable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_their_key() {
        let key = SecretKey::from_hex(&SecretKey::generate_hex().expect("key")).expect("key");
        let sealed = key.seal("api-token-1234").expect("sealed");
        assert!(!sealed.contains("api-token"));
        assert_ne!(
            sealed,
            key.seal("api-token-1234").expect("sealed"),
            "fresh nonce"
        );
        assert_eq!(key.open(&sealed).expect("opens"), "api-token-1234");
        let other = SecretKey::from_hex(&"ab".repeat(32)).expect("key");
        assert!(matches!(other.open(&sealed), Err(SecretError::Unreadable)));
        let mut tampered = sealed.clone();
        tampered.replace_range(sealed.len() - 2.., "00");
        assert!(key.open(&tampered).is_err());
    }

    #[test]
    fn keys_are_64_hex_characters() {
        assert!(SecretKey::from_hex("abc").is_err());
        assert!(SecretKey::from_hex(&"zz".repeat(32)).is_err());
        assert!(SecretKey::from_hex(&format!("{}\n", "0f".repeat(32))).is_ok());
        assert!(!format!("{:?}", SecretKey::from_hex(&"0f".repeat(32))).contains("0f0f"));
    }
}
