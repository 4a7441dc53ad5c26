//! Credentials given through the UI, encrypted at rest with ChaCha20-Poly1305 under a key
//! the operator provides (`FLASHDECK_SECRET_KEY`, or a file). A copy of the database alone
//! opens no array.

use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};

/// Prefix of stored ciphertexts sealed with what they belong to (an array's name) as
/// associated data, so that a sealed registration copied to another row does not open.
const VERSION: &str = "v2:";
/// The first scheme, without associated data: still opened, never written.
const VERSION_UNBOUND: &str = "v1:";
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
        let bytes: [u8; 32] = decode_hex(text.trim())
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or(SecretError::BadKey)?;
        Ok(Self(Key::from(bytes)))
    }

    /// A new random key, kept only in memory: what it seals opens only in this process.
    pub fn random() -> Result<Self, SecretError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|error| SecretError::Random(error.to_string()))?;
        Ok(Self(Key::from(bytes)))
    }

    /// A new random key, as hex: for the demo, which keeps it in its data directory.
    pub fn generate_hex() -> Result<String, SecretError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|error| SecretError::Random(error.to_string()))?;
        Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
    }

    /// Seals `plaintext` for `owner` (an array's name): it opens only for the same owner.
    pub fn seal(&self, plaintext: &str, owner: &str) -> Result<String, SecretError> {
        let mut nonce = [0u8; NONCE_BYTES];
        getrandom::fill(&mut nonce).map_err(|error| SecretError::Random(error.to_string()))?;
        let payload = Payload {
            msg: plaintext.as_bytes(),
            aad: owner.as_bytes(),
        };
        let ciphertext = ChaCha20Poly1305::new(&self.0)
            .encrypt(&Nonce::from(nonce), payload)
            .map_err(|_| SecretError::Unreadable)?;
        let sealed: String = nonce
            .iter()
            .chain(&ciphertext)
            .map(|byte| format!("{byte:02x}"))
            .collect();
        Ok(format!("{VERSION}{sealed}"))
    }

    /// Opens what [`Self::seal`] sealed for `owner`.
    pub fn open(&self, sealed: &str, owner: &str) -> Result<String, SecretError> {
        let (hex, aad) = match sealed.strip_prefix(VERSION) {
            Some(hex) => (hex, owner.as_bytes()),
            None => (
                sealed
                    .strip_prefix(VERSION_UNBOUND)
                    .ok_or(SecretError::Unreadable)?,
                &[][..],
            ),
        };
        let bytes = decode_hex(hex)
            .filter(|bytes| bytes.len() > NONCE_BYTES)
            .ok_or(SecretError::Unreadable)?;
        let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().map_err(|_| SecretError::Unreadable)?;
        let payload = Payload {
            msg: ciphertext,
            aad,
        };
        let plaintext = ChaCha20Poly1305::new(&self.0)
            .decrypt(&Nonce::from(nonce), payload)
            .map_err(|_| SecretError::Unreadable)?;
        String::from_utf8(plaintext).map_err(|_| SecretError::Unreadable)
    }
}

/// Bytes from hex digits, `None` for anything else (odd length, other characters).
fn decode_hex(text: &str) -> Option<Vec<u8>> {
    let digit = |byte: u8| {
        char::from(byte)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    bytes
        .chunks_exact(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

/// A secret named in the configuration, read from the file or the environment variable it
/// names (exactly one of them).
pub fn read_secret(what: &str, file: Option<&Path>, env: Option<&str>) -> Result<String, String> {
    match (file, env) {
        (Some(path), None) => read_secret_file(path, what),
        (None, Some(name)) => std::env::var(name).map_err(|_| {
            format!("the {what} is to come from environment variable {name}, which is not set")
        }),
        (Some(_), Some(_)) => Err(format!(
            "give the {what} as a file or an environment variable, not both"
        )),
        (None, None) => Err(format!("no {what}: set its _file or _env key")),
    }
}

/// The contents of the file at `path`, an error naming `what` it was to hold.
pub fn read_secret_file(path: &Path, what: &str) -> Result<String, String> {
    std::fs::read_to_string(path)
        .map_err(|error| format!("cannot read the {what} from {}: {error}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_their_key() {
        let key = SecretKey::from_hex(&SecretKey::generate_hex().expect("key")).expect("key");
        let sealed = key.seal("api-token-1234", "fa-1").expect("sealed");
        assert!(!sealed.contains("api-token"));
        assert_ne!(
            sealed,
            key.seal("api-token-1234", "fa-1").expect("sealed"),
            "fresh nonce"
        );
        assert_eq!(key.open(&sealed, "fa-1").expect("opens"), "api-token-1234");
        assert!(
            matches!(key.open(&sealed, "fa-2"), Err(SecretError::Unreadable)),
            "bound to its array"
        );
        let other = SecretKey::from_hex(&"ab".repeat(32)).expect("key");
        assert!(matches!(
            other.open(&sealed, "fa-1"),
            Err(SecretError::Unreadable)
        ));
        let mut tampered = sealed.clone();
        tampered.replace_range(sealed.len() - 2.., "00");
        assert!(key.open(&tampered, "fa-1").is_err());
    }

    #[test]
    fn secrets_sealed_before_binding_still_open() {
        let key = SecretKey::from_hex(&"0f".repeat(32)).expect("key");
        let nonce = [7u8; NONCE_BYTES];
        let ciphertext = ChaCha20Poly1305::new(&key.0)
            .encrypt(&Nonce::from(nonce), b"old".as_slice())
            .expect("sealed");
        let hex: String = nonce
            .iter()
            .chain(&ciphertext)
            .map(|byte| format!("{byte:02x}"))
            .collect();
        assert_eq!(
            key.open(&format!("{VERSION_UNBOUND}{hex}"), "any")
                .expect("opens"),
            "old"
        );
    }

    #[test]
    fn keys_are_64_hex_characters() {
        assert!(SecretKey::from_hex("abc").is_err());
        assert!(SecretKey::from_hex(&"zz".repeat(32)).is_err());
        assert!(SecretKey::from_hex(&format!("{}\n", "0f".repeat(32))).is_ok());
        assert!(!format!("{:?}", SecretKey::from_hex(&"0f".repeat(32))).contains("0f0f"));
        // Multi-byte characters of the right byte length are refused, not sliced through.
        assert!(SecretKey::from_hex(&"é".repeat(32)).is_err());
        assert!(SecretKey::from_hex(&format!("{}é", "0".repeat(62))).is_err());
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn any_text_is_a_key_or_a_refusal_that_does_not_repeat_it(text in any::<String>()) {
                if let Err(error) = SecretKey::from_hex(&text) {
                    prop_assert!(text.trim().len() < 8 || !error.to_string().contains(text.trim()));
                }
            }

            #[test]
            fn any_stored_text_opens_or_is_unreadable(text in any::<String>()) {
                let key = SecretKey::from_hex(&"0f".repeat(32)).expect("key");
                let _ = key.open(&text, "fa-1");
                let _ = key.open(&format!("{VERSION}{text}"), "fa-1");
            }
        }
    }
}
