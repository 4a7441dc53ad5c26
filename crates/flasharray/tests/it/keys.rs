//! Private keys as admins keep them, made by openssl and ssh-keygen (see `tests/fixtures`).

use flasharray::{ApiClientCredentials, Credentials, KeyError, PrivateKey};
use shared::flasharray::ApiClientPost;

use crate::{bootstrap, client, start_sim};

const PASSWORD: &str = "fixture-password";

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn load(name: &str, password: Option<&str>) -> Result<PrivateKey, KeyError> {
    PrivateKey::from_pem_with_password(&fixture(name), password)
}

#[test]
fn loads_every_rsa_form() {
    for name in ["rsa-pkcs1.pem", "rsa-pkcs8.pem", "rsa-openssh.pem"] {
        load(name, None).unwrap_or_else(|error| panic!("{name}: {error}"));
    }
    for name in ["rsa-pkcs1-aes256.pem", "rsa-pkcs8-encrypted.pem"] {
        load(name, Some(PASSWORD)).unwrap_or_else(|error| panic!("{name}: {error}"));
    }
}

#[test]
fn encrypted_keys_say_whether_the_password_is_missing_or_wrong() {
    for name in ["rsa-pkcs1-aes256.pem", "rsa-pkcs8-encrypted.pem"] {
        assert_eq!(
            load(name, None).unwrap_err(),
            KeyError::PasswordNeeded,
            "{name}"
        );
        assert_eq!(
            load(name, Some("wrong")).unwrap_err(),
            KeyError::WrongPassword,
            "{name}"
        );
    }
}

#[test]
fn a_non_rsa_key_is_named() {
    let error = load("ec.pem", None).unwrap_err();
    assert_eq!(error, KeyError::NotRsa("an EC key".into()));
    assert!(error.to_string().contains("not RSA"), "{error}");
}

#[test]
fn an_encrypted_openssh_key_says_how_to_convert_it() {
    let error = load("rsa-openssh-encrypted.pem", Some(PASSWORD)).unwrap_err();
    assert!(
        matches!(error, KeyError::UnsupportedEncryption(_)),
        "{error}"
    );
    assert!(error.to_string().contains("ssh-keygen -p"), "{error}");
}

#[test]
fn corrupt_files_are_called_corrupt_or_not_pem() {
    let mut truncated = fixture("rsa-pkcs1.pem");
    let middle = truncated.len() / 2;
    truncated.drain(middle..middle + 64);
    let error = PrivateKey::from_pem(&truncated).unwrap_err();
    assert!(
        matches!(error, KeyError::Corrupt(_) | KeyError::NotPem),
        "{error}"
    );
    assert!(matches!(
        PrivateKey::from_pem(b"hello").unwrap_err(),
        KeyError::NotPem
    ));
}

/// Registers `public` as an API client and signs with `private`: the array must accept it.
async fn exchange_with(public: &str, private: PrivateKey) {
    let sim = start_sim().await;
    let admin = bootstrap(&sim);
    let post = ApiClientPost {
        issuer: "fixtures".into(),
        public_key: String::from_utf8(fixture(public)).expect("utf-8"),
        max_role: "storage_admin".into(),
        access_token_ttl_in_ms: None,
    };
    let registered = admin
        .create_api_client("fixture", &post)
        .await
        .expect("registered");
    admin
        .set_api_client_enabled("fixture", true)
        .await
        .expect("enabled");
    let credentials = ApiClientCredentials {
        client_id: registered.id,
        key_id: registered.key_id,
        issuer: registered.issuer,
        username: "pureuser".into(),
        private_key: private,
    };
    client(&sim, Credentials::ApiClient(credentials))
        .array()
        .await
        .expect("token exchanged");
}

#[tokio::test]
async fn decrypted_keys_sign_tokens_the_array_accepts() {
    exchange_with(
        "rsa-pkcs1-aes256.pub.pem",
        load("rsa-pkcs1-aes256.pem", Some(PASSWORD)).expect("key"),
    )
    .await;
    exchange_with(
        "rsa-pkcs1.pub.pem",
        load("rsa-pkcs8-encrypted.pem", Some(PASSWORD)).expect("key"),
    )
    .await;
    exchange_with(
        "rsa-openssh.pub.pem",
        load("rsa-openssh.pem", None).expect("key"),
    )
    .await;
}
