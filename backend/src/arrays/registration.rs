//! Arrays an admin registers in the portal: a client built from the registration, a
//! connection test, and the registry kept in step with the database, where registrations
//! are stored sealed so that every replica serves the same arrays.

use std::sync::Arc;

use flasharray::{
    ApiClientCredentials, ArrayClient, ClientConfig, Credentials, PrivateKey, TrustAnchor,
};
use shared::api::{ApiError, AuthMethod, ConnectionTest, RegisterArrayRequest, RegisterAuth};

use crate::arrays::registry::ArrayRegistry;
use crate::arrays::secrets::SecretKey;
use crate::db::Database;
use crate::error::AppError;

/// A client for the array a registration describes, and its authentication method.
pub fn client_for(request: &RegisterArrayRequest) -> Result<(ArrayClient, AuthMethod), AppError> {
    let invalid =
        |field: &str, message: String| AppError::Invalid(ApiError::for_field(field, message));
    let trust = match (&request.ca_pem, &request.tls_fingerprint) {
        (Some(pem), _) => TrustAnchor::CaPem(pem.clone()),
        (None, Some(fingerprint)) => TrustAnchor::fingerprint(fingerprint)
            .map_err(|message| invalid("tls_fingerprint", message))?,
        (None, None) => TrustAnchor::System,
    };
    let (credentials, method) = match &request.auth {
        RegisterAuth::ApiToken { api_token } => (
            Credentials::ApiToken(api_token.trim().to_owned()),
            AuthMethod::ApiToken,
        ),
        RegisterAuth::ApiClient {
            client_id,
            key_id,
            issuer,
            username,
            private_key,
            private_key_password,
        } => {
            let key = PrivateKey::from_pem_with_password(
                private_key.as_bytes(),
                private_key_password
                    .as_deref()
                    .filter(|password| !password.is_empty()),
            )
            .map_err(|error| {
                let field = if matches!(
                    error,
                    flasharray::KeyError::WrongPassword | flasharray::KeyError::PasswordNeeded
                ) {
                    "private_key_password"
                } else {
                    "private_key"
                };
                invalid(field, format!("{}.", capitalised(&error.to_string())))
            })?;
            let credentials = ApiClientCredentials {
                client_id: client_id.trim().to_owned(),
                key_id: key_id.trim().to_owned(),
                issuer: issuer.trim().to_owned(),
                username: username.trim().to_owned(),
                private_key: key,
            };
            (Credentials::ApiClient(credentials), AuthMethod::ApiClient)
        }
    };
    let config = ClientConfig::new(
        &request.name,
        request.url.trim_end_matches('/'),
        credentials,
        trust,
    );
    let client = ArrayClient::new(config).map_err(|error| invalid("url", error.to_string()))?;
    Ok((client, method))
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Signs in to the array and asks who it is: what a person needs to see to trust the setup.
pub async fn test_connection(client: &ArrayClient) -> Result<ConnectionTest, AppError> {
    let rest_version = client.version().await?.to_owned();
    let array = client.array().await?;
    Ok(ConnectionTest {
        array_name: array.name,
        os: array.os,
        version: array.version,
        rest_version,
    })
}

/// Brings the registry in step with the stored registrations: adds those another replica
/// (or an earlier run) stored, drops those removed.
/// How often a process reads the registrations other replicas made or removed.
pub const SYNC_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5);

/// What keeping the registry in step with the stored registrations needs.
#[derive(Debug, Clone)]
pub struct Registrations {
    pub db: Database,
    pub arrays: Arc<ArrayRegistry>,
    pub secret_key: Option<SecretKey>,
}

/// Syncs every [`SYNC_INTERVAL`], so that an array removed on one replica stops being served
/// by the others within that time, whether or not anyone lists the arrays.
pub async fn keep_in_sync(state: Registrations) {
    let mut ticks = tokio::time::interval(SYNC_INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        if let Err(error) = sync(&state).await {
            tracing::warn!(%error, "cannot read the arrays registered in the portal");
        }
    }
}

pub async fn sync(state: &Registrations) -> Result<(), AppError> {
    let stored = state.db.registered_arrays().await?;
    for summary in state.arrays.summaries() {
        if summary.registered_in_portal && !stored.iter().any(|(name, _)| *name == summary.name) {
            state.arrays.remove_registered(&summary.name);
        }
    }
    let Some(key) = &state.secret_key else {
        if !stored.is_empty() {
            tracing::warn!(
                count = stored.len(),
                "arrays registered in the portal are not served: no secret key (FLASHDECK_SECRET_KEY or secret_key_file) to open them"
            );
        }
        return Ok(());
    };
    for (name, sealed) in stored {
        if state.arrays.get(&name).is_some() {
            continue;
        }
        let opened = key
            .open(&sealed, &name)
            .map_err(|error| error.to_string())
            .and_then(|text| {
                serde_json::from_str::<RegisterArrayRequest>(&text)
                    .map_err(|error| error.to_string())
            });
        let request = match opened {
            Ok(request) => request,
            Err(reason) => {
                tracing::error!(array = %name, %reason, "cannot open a stored array registration");
                continue;
            }
        };
        match client_for(&request) {
            Ok((client, method)) => {
                // Another task may have added it meanwhile; either copy serves.
                let _ = state.arrays.add(client, method, request.identity, true);
            }
            Err(error) => {
                tracing::error!(array = %name, %error, "cannot use a stored array registration")
            }
        }
    }
    Ok(())
}
