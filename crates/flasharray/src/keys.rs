//! Loading an API client's RSA private key in every form admins keep one: PEM PKCS#1 and
//! PKCS#8, encrypted PKCS#8, traditional OpenSSL-encrypted PEM (`openssl genrsa -aes256`),
//! and OpenSSH. Every failure says which of wrong password, missing password, non-RSA key,
//! unsupported encryption or corrupt data it is.

use std::fmt;

use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockDecryptMut, KeyIvInit};
use jsonwebtoken::EncodingKey;
use md5::{Digest, Md5};
use pkcs8::der::Decode;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::pkcs8::DecodePrivateKey;
use rsa::{BigUint, RsaPrivateKey};

/// Why a private key could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error(
        "the private key is not PEM text (\"-----BEGIN … PRIVATE KEY-----\" … \"-----END …-----\")"
    )]
    NotPem,
    #[error("the PEM block is a {0}, not a private key")]
    NotPrivateKey(String),
    #[error("the private key is {0}, not RSA; FlashArray API clients use RSA keys")]
    NotRsa(String),
    #[error("the private key is encrypted: give its password")]
    PasswordNeeded,
    #[error("wrong password for the private key")]
    WrongPassword,
    #[error("the private key is encrypted with {0}, which is not supported")]
    UnsupportedEncryption(String),
    #[error("the private key is corrupt: {0}")]
    Corrupt(String),
}

/// An RSA private key for signing ID tokens. Its contents are never printed.
#[derive(Clone)]
pub struct PrivateKey(pub(crate) EncodingKey);

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PrivateKey(<redacted>)")
    }
}

impl PrivateKey {
    /// A new 2048-bit key, with its public half as SPKI PEM (`BEGIN PUBLIC KEY`), the form an
    /// array registers for an API client.
    pub fn generate() -> Result<(Self, String), KeyError> {
        let (private_pem, public_pem) = Self::generate_pem()?;
        Ok((Self::from_pem(private_pem.as_bytes())?, public_pem))
    }

    /// A new 2048-bit key as PKCS#8 PEM (to store), with its public half as SPKI PEM (to
    /// register in Pure1 or on an array).
    pub fn generate_pem() -> Result<(String, String), KeyError> {
        use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
        let private = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048)
            .map_err(|error| KeyError::Corrupt(format!("cannot generate a key: {error}")))?;
        let public_pem = private
            .to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .map_err(|error| KeyError::Corrupt(error.to_string()))?;
        let private_pem = private
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|error| KeyError::Corrupt(error.to_string()))?;
        Ok((private_pem.to_string(), public_pem))
    }

    /// Reads an unencrypted key.
    pub fn from_pem(pem: &[u8]) -> Result<Self, KeyError> {
        Self::from_pem_with_password(pem, None)
    }

    /// Reads a key, decrypting it with `password` if it is encrypted.
    pub fn from_pem_with_password(pem: &[u8], password: Option<&str>) -> Result<Self, KeyError> {
        let block = pem::parse(pem).map_err(|_| KeyError::NotPem)?;
        let rsa = match block.tag() {
            "RSA PRIVATE KEY" => match block.headers().get("DEK-Info") {
                Some(dek_info) => {
                    let password = password.ok_or(KeyError::PasswordNeeded)?;
                    let der = decrypt_traditional(dek_info, password, block.contents())?;
                    RsaPrivateKey::from_pkcs1_der(&der).map_err(|_| KeyError::WrongPassword)?
                }
                None => RsaPrivateKey::from_pkcs1_der(block.contents())
                    .map_err(|error| KeyError::Corrupt(error.to_string()))?,
            },
            "PRIVATE KEY" => from_pkcs8(block.contents())?,
            "ENCRYPTED PRIVATE KEY" => {
                let password = password.ok_or(KeyError::PasswordNeeded)?;
                let encrypted = pkcs8::EncryptedPrivateKeyInfo::from_der(block.contents())
                    .map_err(|error| KeyError::Corrupt(error.to_string()))?;
                // A wrong password shows as bad padding; pkcs5 0.7 reports that while
                // decrypting as `EncryptFailed`, so both mean the same here.
                let decrypted = encrypted.decrypt(password).map_err(|error| match error {
                    pkcs8::Error::EncryptedPrivateKey(
                        pkcs5::Error::DecryptFailed | pkcs5::Error::EncryptFailed,
                    ) => KeyError::WrongPassword,
                    other => KeyError::UnsupportedEncryption(other.to_string()),
                })?;
                from_pkcs8(decrypted.as_bytes()).map_err(|error| match error {
                    KeyError::Corrupt(_) => KeyError::WrongPassword,
                    other => other,
                })?
            }
            "OPENSSH PRIVATE KEY" => from_openssh(block.contents())?,
            "EC PRIVATE KEY" => return Err(KeyError::NotRsa("an EC key".into())),
            "DSA PRIVATE KEY" => return Err(KeyError::NotRsa("a DSA key".into())),
            other => return Err(KeyError::NotPrivateKey(other.to_owned())),
        };
        let der = rsa
            .to_pkcs1_der()
            .map_err(|error| KeyError::Corrupt(error.to_string()))?;
        Ok(PrivateKey(EncodingKey::from_rsa_der(der.as_bytes())))
    }
}

fn from_pkcs8(der: &[u8]) -> Result<RsaPrivateKey, KeyError> {
    let info = pkcs8::PrivateKeyInfo::from_der(der)
        .map_err(|error| KeyError::Corrupt(error.to_string()))?;
    if info.algorithm.oid != rsa::pkcs1::ALGORITHM_OID {
        let kind = match info.algorithm.oid.to_string().as_str() {
            "1.2.840.10045.2.1" => "an EC key".to_owned(),
            "1.3.101.112" => "an Ed25519 key".to_owned(),
            oid => format!("a key of algorithm {oid}"),
        };
        return Err(KeyError::NotRsa(kind));
    }
    RsaPrivateKey::from_pkcs8_der(der).map_err(|error| KeyError::Corrupt(error.to_string()))
}

/// Decrypts the body of a traditional OpenSSL PEM: `DEK-Info: AES-256-CBC,<IV hex>`, the key
/// derived from the password and the IV's first 8 bytes with OpenSSL's `EVP_BytesToKey` (MD5).
fn decrypt_traditional(dek_info: &str, password: &str, body: &[u8]) -> Result<Vec<u8>, KeyError> {
    let (cipher, iv_hex) = dek_info
        .split_once(',')
        .ok_or_else(|| KeyError::Corrupt(format!("malformed DEK-Info {dek_info:?}")))?;
    let iv = crate::hex_bytes(iv_hex.trim())
        .ok_or_else(|| KeyError::Corrupt(format!("malformed IV {iv_hex:?}")))?;
    let key_len = match cipher.trim() {
        "AES-128-CBC" => 16,
        "AES-192-CBC" => 24,
        "AES-256-CBC" => 32,
        other => {
            return Err(KeyError::UnsupportedEncryption(format!(
                "{other} (re-encrypt it with AES-256-CBC or PKCS#8)"
            )));
        }
    };
    if iv.len() != 16 {
        return Err(KeyError::Corrupt(format!(
            "the IV is {} bytes, not 16",
            iv.len()
        )));
    }
    let key = evp_bytes_to_key(password.as_bytes(), &iv[..8], key_len);
    let decrypted = match key_len {
        16 => cbc::Decryptor::<aes::Aes128>::new_from_slices(&key, &iv)
            .map(|d| d.decrypt_padded_vec_mut::<Pkcs7>(body)),
        24 => cbc::Decryptor::<aes::Aes192>::new_from_slices(&key, &iv)
            .map(|d| d.decrypt_padded_vec_mut::<Pkcs7>(body)),
        _ => cbc::Decryptor::<aes::Aes256>::new_from_slices(&key, &iv)
            .map(|d| d.decrypt_padded_vec_mut::<Pkcs7>(body)),
    };
    decrypted
        .map_err(|error| KeyError::Corrupt(error.to_string()))?
        .map_err(|_| KeyError::WrongPassword)
}

fn evp_bytes_to_key(password: &[u8], salt: &[u8], key_len: usize) -> Vec<u8> {
    let mut key = Vec::with_capacity(key_len + 16);
    let mut previous: Vec<u8> = Vec::new();
    while key.len() < key_len {
        let mut hasher = Md5::new();
        hasher.update(&previous);
        hasher.update(password);
        hasher.update(salt);
        previous = hasher.finalize().to_vec();
        key.extend_from_slice(&previous);
    }
    key.truncate(key_len);
    key
}

/// Reads the `openssh-key-v1` format that `ssh-keygen` writes.
fn from_openssh(data: &[u8]) -> Result<RsaPrivateKey, KeyError> {
    let corrupt = |what: &str| KeyError::Corrupt(format!("OpenSSH key: {what}"));
    let mut reader = SshReader(
        data.strip_prefix(b"openssh-key-v1\0")
            .ok_or_else(|| corrupt("missing the openssh-key-v1 magic"))?,
    );
    let cipher = reader.string().ok_or_else(|| corrupt("truncated"))?;
    if cipher != b"none" {
        return Err(KeyError::UnsupportedEncryption(format!(
            "OpenSSH's {} (remove it with `ssh-keygen -p -f KEY`, or convert the key to PKCS#8: \
             `ssh-keygen -p -m PKCS8 -f KEY`)",
            String::from_utf8_lossy(cipher)
        )));
    }
    let _kdf = reader.string().ok_or_else(|| corrupt("truncated"))?;
    let _kdf_options = reader.string().ok_or_else(|| corrupt("truncated"))?;
    if reader.u32() != Some(1) {
        return Err(corrupt("expected exactly one key"));
    }
    let _public = reader.string().ok_or_else(|| corrupt("truncated"))?;
    let mut private = SshReader(reader.string().ok_or_else(|| corrupt("truncated"))?);
    let (check1, check2) = (private.u32(), private.u32());
    if check1.is_none() || check1 != check2 {
        return Err(corrupt("check numbers differ"));
    }
    let key_type = private.string().ok_or_else(|| corrupt("truncated"))?;
    if key_type != b"ssh-rsa" {
        return Err(KeyError::NotRsa(format!(
            "an OpenSSH {} key",
            String::from_utf8_lossy(key_type)
        )));
    }
    let mut next = || {
        private
            .string()
            .map(BigUint::from_bytes_be)
            .ok_or_else(|| corrupt("truncated"))
    };
    let (n, e, d, _iqmp, p, q) = (next()?, next()?, next()?, next()?, next()?, next()?);
    RsaPrivateKey::from_components(n, e, d, vec![p, q])
        .map_err(|error| KeyError::Corrupt(error.to_string()))
}

/// SSH wire encoding: big-endian u32s and length-prefixed strings.
struct SshReader<'a>(&'a [u8]);

impl<'a> SshReader<'a> {
    fn u32(&mut self) -> Option<u32> {
        let (head, rest) = self.0.split_first_chunk::<4>()?;
        self.0 = rest;
        Some(u32::from_be_bytes(*head))
    }

    fn string(&mut self) -> Option<&'a [u8]> {
        let len = usize::try_from(self.u32()?).ok()?;
        let (value, rest) = (self.0.get(..len)?, self.0.get(len..)?);
        self.0 = rest;
        Some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evp_bytes_to_key_matches_openssl() {
        // `openssl enc -aes-256-cbc -P -pass pass:secret -S 0102030405060708 -md md5`
        let key = evp_bytes_to_key(b"secret", &[1, 2, 3, 4, 5, 6, 7, 8], 32);
        let hex: String = key.iter().map(|byte| format!("{byte:02X}")).collect();
        assert_eq!(
            hex,
            "C9E5A1BD216DBE1317E230CEF48F38EE7F0E17AD64022144BCCEC4A1AA2879AB"
        );
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn any_bytes_are_a_key_or_a_reason(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = PrivateKey::from_pem_with_password(&bytes, Some("password"));
        }

        #[test]
        fn damaged_pem_blocks_are_refused_not_panicked_on(
            tag in "RSA PRIVATE KEY|PRIVATE KEY|ENCRYPTED PRIVATE KEY|OPENSSH PRIVATE KEY",
            body in proptest::collection::vec(any::<u8>(), 0..400),
            dek in proptest::option::of("[A-Z0-9-]{0,12},[0-9A-F]{0,40}"),
        ) {
            let headers = dek.map(|dek| format!("Proc-Type: 4,ENCRYPTED\nDEK-Info: {dek}\n\n")).unwrap_or_default();
            let pem = pem::Pem::new(tag.clone(), body);
            let text = pem::encode(&pem).replacen(
                &format!("-----BEGIN {tag}-----\n"),
                &format!("-----BEGIN {tag}-----\n{headers}"),
                1,
            );
            prop_assert!(PrivateKey::from_pem_with_password(text.as_bytes(), Some("pw")).is_err());
        }
    }
}
