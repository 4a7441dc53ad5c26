//! RSA key pairs for API clients, as an admin makes them with `openssl genrsa` before
//! registering the public half on an array.

use rsa::RsaPrivateKey;
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};

/// A freshly generated key pair, both halves PEM-encoded.
pub struct KeyPair {
    /// PKCS#8 `BEGIN PRIVATE KEY`.
    pub private_pem: String,
    /// SPKI `BEGIN PUBLIC KEY`, as `POST /api-clients` takes it.
    pub public_pem: String,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyPair")
            .field("public_pem", &self.public_pem)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("cannot generate an RSA key pair: {0}")]
pub struct KeyGenError(String);

/// Generates a 2048-bit RSA key pair.
pub fn generate_rsa_key_pair() -> Result<KeyPair, KeyGenError> {
    let private = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048)
        .map_err(|e| KeyGenError(e.to_string()))?;
    let private_pem = private
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| KeyGenError(e.to_string()))?;
    let public_pem = private
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| KeyGenError(e.to_string()))?;
    Ok(KeyPair {
        private_pem: private_pem.to_string(),
        public_pem,
    })
}
