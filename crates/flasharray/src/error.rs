//! The one error type of the client.

use shared::flasharray::ErrorItem;

/// Everything that can go wrong talking to an array (or to Pure1). Every variant names
/// what it talked to.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The array answered with an error status.
    #[error("{array}: {} (HTTP {status}, request {request_id})", summary(.errors))]
    Array {
        array: String,
        status: u16,
        errors: Vec<ErrorItem>,
        request_id: String,
    },
    /// The array could not be reached, or the connection failed.
    #[error("{array}: cannot reach {url}: {reason} (request {request_id})")]
    Transport {
        array: String,
        url: String,
        reason: String,
        request_id: String,
    },
    /// The array answered something that is not what the API defines.
    #[error("{array}: unexpected response (HTTP {status}, request {request_id}): {reason}")]
    Decode {
        array: String,
        status: u16,
        reason: String,
        request_id: String,
    },
    /// The token exchange was refused.
    #[error("{array}: the ID token was refused: {error}: {description} (request {request_id})")]
    TokenExchange {
        array: String,
        status: u16,
        error: String,
        description: String,
        request_id: String,
    },
    /// The array speaks no REST version this client does, or not the pinned one.
    #[error("{array}: {reason}")]
    Version { array: String, reason: String },
    /// Local configuration is unusable: TLS roots, a private key.
    #[error("{array}: {reason}")]
    Config { array: String, reason: String },
    /// So many calls to the array wait for an answer already that this one was not queued:
    /// the array is slow, and it may not take more of the caller's capacity.
    #[error(
        "{array} is answering slowly: {waiting} calls to it are waiting already; try again in a moment"
    )]
    Busy { array: String, waiting: usize },
}

impl Error {
    /// The HTTP status the array answered, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Array { status, .. }
            | Error::Decode { status, .. }
            | Error::TokenExchange { status, .. } => Some(*status),
            Error::Transport { .. }
            | Error::Version { .. }
            | Error::Config { .. }
            | Error::Busy { .. } => None,
        }
    }

    /// The `x-request-id` of the failed call, for matching it with the array's own logs.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Array { request_id, .. }
            | Error::Transport { request_id, .. }
            | Error::Decode { request_id, .. }
            | Error::TokenExchange { request_id, .. } => Some(request_id),
            Error::Version { .. } | Error::Config { .. } | Error::Busy { .. } => None,
        }
    }

    /// The array's own error entries, when it refused the request.
    pub fn array_errors(&self) -> &[ErrorItem] {
        match self {
            Error::Array { errors, .. } => errors,
            _ => &[],
        }
    }

    /// The same error with `secret` blotted out of every text an array or the network put in
    /// it: for a call that carried a secret an array might echo back.
    pub fn without(mut self, secret: &str) -> Self {
        if secret.is_empty() {
            return self;
        }
        let blot = |text: &mut String| *text = text.replace(secret, "[withheld]");
        match &mut self {
            Error::Array { errors, .. } => {
                for item in errors {
                    blot(&mut item.message);
                    if let Some(context) = &mut item.context {
                        blot(context);
                    }
                }
            }
            Error::Transport { reason, .. }
            | Error::Decode { reason, .. }
            | Error::Version { reason, .. }
            | Error::Config { reason, .. } => blot(reason),
            Error::TokenExchange {
                error, description, ..
            } => {
                blot(error);
                blot(description);
            }
            Error::Busy { .. } => {}
        }
        self
    }
}

fn summary(errors: &[ErrorItem]) -> String {
    let messages: Vec<String> = errors
        .iter()
        .map(|item| match &item.context {
            Some(context) if !context.is_empty() => format!("{context}: {}", item.message),
            _ => item.message.clone(),
        })
        .collect();
    if messages.is_empty() {
        "the array gave no reason".to_owned()
    } else {
        messages.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_withheld_from_every_text_an_array_or_the_network_put_in_an_error() {
        let secret = "6207d123-d123-0b5c-5fa1-95fabc5c7123";
        let echoed = Error::Array {
            array: "fa-dr".into(),
            status: 400,
            errors: vec![ErrorItem {
                context: Some(secret.into()),
                message: format!("Invalid connection key {secret}."),
            }],
            request_id: "r".into(),
        };
        let quoted = Error::Decode {
            array: "fa-dr".into(),
            status: 200,
            reason: format!("body starts {secret}"),
            request_id: "r".into(),
        };
        for error in [echoed, quoted] {
            let shown = error.without(secret).to_string();
            assert!(!shown.contains(secret), "{shown}");
            assert!(shown.contains("[withheld]"), "{shown}");
        }
    }
}
