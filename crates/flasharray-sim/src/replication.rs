//! Connections between arrays, as each side keeps them. Connecting is a handshake between two
//! simulators (see `peer`): the array asked to connect presents the other's connection key,
//! and both then list the connection. This module holds what each side records and checks.

use serde::{Deserialize, Serialize};
use shared::flasharray::{
    ASYNC_REPLICATION, ArrayConnection, ArrayConnectionPatch, SYNC_REPLICATION, TypedReference,
};

use crate::error::ApiFault;
use crate::records::LinkedArray;
use crate::state::ArrayState;

/// What a new connection is recorded with: the other array's connection key and the secret
/// the two agreed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PeerKeys<'a> {
    pub key: &'a str,
    pub secret: &'a str,
}

/// Who an array is, as it tells another array in the handshake.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ArrayIdentity {
    pub name: String,
    pub id: String,
    pub version: String,
    /// Where it is managed: the `host:port` it serves its API on.
    pub management_address: String,
}

/// How a new connection is made: what the caller asked for, checked.
#[derive(Debug, Clone)]
pub(crate) struct ConnectionTerms {
    pub kind: String,
    pub transport: String,
    pub encryption: String,
    pub replication_addresses: Option<Vec<String>>,
}

/// Checks one of a few allowed values of `field`, as arrays name the field they refuse.
pub(crate) fn one_of(field: &str, value: &str, allowed: &[&str]) -> Result<(), ApiFault> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(ApiFault::invalid(format!(
            "Invalid value for {field}: {value:?}. Valid values are {}.",
            allowed.join(", ")
        )))
    }
}

impl ConnectionTerms {
    pub fn checked(
        kind: Option<&str>,
        transport: Option<&str>,
        encryption: Option<&str>,
        replication_addresses: Option<Vec<String>>,
    ) -> Result<Self, ApiFault> {
        let kind = kind.unwrap_or(ASYNC_REPLICATION);
        one_of("type", kind, &[ASYNC_REPLICATION, SYNC_REPLICATION])?;
        let transport = transport.unwrap_or("ip");
        one_of("replication_transport", transport, &["ip", "fc"])?;
        let encryption = encryption.unwrap_or("unencrypted");
        one_of("encryption", encryption, &["encrypted", "unencrypted"])?;
        if transport == "fc" && replication_addresses.is_some() {
            return Err(ApiFault::invalid(
                "replication_addresses can be set only when replication_transport is ip.",
            ));
        }
        Ok(Self {
            kind: kind.to_owned(),
            transport: transport.to_owned(),
            encryption: encryption.to_owned(),
            replication_addresses,
        })
    }
}

/// `POST /sim/peer/terms`: the other end of a connection changed its type or encryption.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Terms {
    pub secret: String,
    pub source: String,
    pub kind: Option<String>,
    pub encryption: Option<String>,
}

impl ArrayState {
    pub(crate) fn identity(&self, management_address: &str) -> ArrayIdentity {
        ArrayIdentity {
            name: self.name.clone(),
            id: self.id.clone(),
            version: self.release().version.to_owned(),
            management_address: management_address.to_owned(),
        }
    }

    /// The addresses other arrays replicate to: its replication ports, by name.
    pub(crate) fn replication_addresses(&self) -> Vec<String> {
        vec![
            format!("{}-ct0.eth2", self.name),
            format!("{}-ct1.eth2", self.name),
        ]
    }

    pub(crate) fn array_connections(&self) -> impl Iterator<Item = &LinkedArray> {
        self.array_connections.iter()
    }

    fn linked(&self, name: &str) -> Option<&LinkedArray> {
        self.array_connections
            .iter()
            .find(|linked| linked.connection.name.eq_ignore_ascii_case(name))
    }

    /// Where this array reaches `name`, or the array's refusal.
    pub(crate) fn address_of(&self, name: &str) -> Result<String, ApiFault> {
        let linked = self
            .linked(name)
            .ok_or_else(|| ApiFault::bad_request(name, "Array connection does not exist."))?;
        Ok(linked
            .connection
            .management_address
            .clone()
            .unwrap_or_default())
    }

    /// Whether `secret` is the one agreed with `name` in the handshake: that array's proof
    /// of who it is.
    pub(crate) fn proves(&self, name: &str, secret: &str) -> bool {
        self.linked(name)
            .is_some_and(|linked| !linked.secret.is_empty() && linked.secret == secret)
    }

    /// The secret agreed with `name`, with which this array signs what it tells it.
    pub(crate) fn secret_with(&self, name: &str) -> String {
        self.linked(name)
            .map(|linked| linked.secret.clone())
            .unwrap_or_default()
    }

    /// Refuses a connection to itself or to an array it is already connected to.
    pub(crate) fn may_connect_to(&self, other: &ArrayIdentity) -> Result<(), ApiFault> {
        if other.id == self.id {
            return Err(ApiFault::invalid("An array cannot be connected to itself."));
        }
        if self.linked(&other.name).is_some() {
            return Err(ApiFault::bad_request(
                &other.name,
                "The arrays are already connected.",
            ));
        }
        Ok(())
    }

    /// Records the connection to `other`, made with `key` (the other array's), and audits it.
    pub(crate) fn record_connection(
        &mut self,
        other: &ArrayIdentity,
        other_addresses: Vec<String>,
        keys: PeerKeys,
        terms: &ConnectionTerms,
        user: &str,
        now_ms: i64,
    ) -> Result<ArrayConnection, ApiFault> {
        self.may_connect_to(other)?;
        let connection = ArrayConnection {
            name: other.name.clone(),
            id: Some(other.id.clone()),
            management_address: Some(other.management_address.clone()),
            replication_addresses: Some(
                terms
                    .replication_addresses
                    .clone()
                    .unwrap_or(other_addresses),
            ),
            replication_transport: Some(terms.transport.clone()),
            status: Some("connected".to_owned()),
            kind: Some(terms.kind.clone()),
            encryption: Some(terms.encryption.clone()),
            encryption_mode: (terms.encryption == "encrypted").then(|| "TLS-PSK-AES-256".into()),
            os: Some("Purity//FA".to_owned()),
            version: Some(other.version.clone()),
            remote: Some(TypedReference {
                id: Some(other.id.clone()),
                name: Some(other.name.clone()),
                resource_type: Some("remote-arrays".to_owned()),
            }),
            throttle: Some(Default::default()),
        };
        self.array_connections.push(LinkedArray {
            connection: connection.clone(),
            key: keys.key.to_owned(),
            secret: keys.secret.to_owned(),
        });
        self.audit(
            user,
            "purearray",
            "connect",
            format!(
                "--management-address {} --type {}",
                other.management_address, terms.kind
            ),
            now_ms,
        );
        Ok(connection)
    }

    /// Forgets the connection to `name`, as both sides do on a disconnect.
    pub(crate) fn forget_connection(
        &mut self,
        name: &str,
        user: &str,
        now_ms: i64,
    ) -> Result<(), ApiFault> {
        self.linked(name)
            .ok_or_else(|| ApiFault::bad_request(name, "Array connection does not exist."))?;
        self.array_connections
            .retain(|linked| !linked.connection.name.eq_ignore_ascii_case(name));
        self.audit(user, "purearray", "disconnect", name.to_owned(), now_ms);
        Ok(())
    }

    /// Takes the type and encryption the other end of the connection changed to.
    pub(crate) fn follow_terms(&mut self, terms: &Terms) -> Result<(), ApiFault> {
        if let Some(kind) = &terms.kind {
            one_of("type", kind, &[ASYNC_REPLICATION, SYNC_REPLICATION])?;
        }
        if let Some(encryption) = &terms.encryption {
            one_of("encryption", encryption, &["encrypted", "unencrypted"])?;
        }
        let linked = self
            .array_connections
            .iter_mut()
            .find(|linked| linked.connection.name.eq_ignore_ascii_case(&terms.source))
            .ok_or_else(|| {
                ApiFault::bad_request(&terms.source, "Array connection does not exist.")
            })?;
        if terms.kind.is_some() {
            linked.connection.kind.clone_from(&terms.kind);
        }
        if terms.encryption.is_some() {
            linked.connection.encryption.clone_from(&terms.encryption);
        }
        Ok(())
    }

    /// Changes the connection to `name`; `encryption` and a change to synchronous need the
    /// other array's key again, as arrays ask for it.
    pub(crate) fn patch_connection(
        &mut self,
        name: &str,
        patch: &ArrayConnectionPatch,
        user: &str,
        now_ms: i64,
    ) -> Result<ArrayConnection, ApiFault> {
        let index = self
            .array_connections
            .iter()
            .position(|linked| linked.connection.name.eq_ignore_ascii_case(name))
            .ok_or_else(|| ApiFault::bad_request(name, "Array connection does not exist."))?;
        let linked = &self.array_connections[index];
        let current = &linked.connection;
        if let Some(kind) = &patch.kind {
            one_of("type", kind, &[ASYNC_REPLICATION, SYNC_REPLICATION])?;
        }
        if let Some(encryption) = &patch.encryption {
            one_of("encryption", encryption, &["encrypted", "unencrypted"])?;
        }
        let to_sync = patch.kind.as_deref() == Some(SYNC_REPLICATION)
            && current.kind.as_deref() != Some(SYNC_REPLICATION);
        let encryption_changes =
            patch.encryption.is_some() && patch.encryption != current.encryption;
        if to_sync || encryption_changes {
            match patch.connection_key.as_deref() {
                None => {
                    return Err(ApiFault::invalid(
                        "connection_key is required to change encryption or to change type to sync-replication.",
                    ));
                }
                Some(key) if key != linked.key => {
                    return Err(ApiFault::bad_request(name, "Invalid connection key."));
                }
                Some(_) => {}
            }
        }
        if let Some(throttle) = &patch.throttle
            && let Some(window) = throttle.window
            && (window.start >= DAY_MS || window.end > DAY_MS)
        {
            return Err(ApiFault::invalid(
                "throttle.window start and end are milliseconds since midnight, below 86400000.",
            ));
        }
        let connection = &mut self.array_connections[index].connection;
        if let Some(address) = &patch.management_address {
            connection.management_address = Some(address.clone());
        }
        if let Some(addresses) = &patch.replication_addresses {
            if connection.replication_transport.as_deref() == Some("fc") {
                return Err(ApiFault::invalid(
                    "replication_addresses can be set only when replication_transport is ip.",
                ));
            }
            connection.replication_addresses = Some(addresses.clone());
        }
        if let Some(throttle) = &patch.throttle {
            connection.throttle = Some(throttle.clone());
        }
        if let Some(kind) = &patch.kind {
            connection.kind = Some(kind.clone());
        }
        if let Some(encryption) = &patch.encryption {
            connection.encryption_mode =
                (encryption == "encrypted").then(|| "TLS-PSK-AES-256".into());
            connection.encryption = Some(encryption.clone());
        }
        let changed = connection.clone();
        self.audit(user, "purearray", "setattr", name.to_owned(), now_ms);
        Ok(changed)
    }
}

const DAY_MS: u64 = 24 * 60 * 60 * 1000;

#[cfg(test)]
mod tests {
    use super::*;

    fn other(name: &str) -> ArrayIdentity {
        ArrayIdentity {
            name: name.to_owned(),
            id: format!("{name}-id"),
            version: "6.5.10".to_owned(),
            management_address: "127.0.0.1:8443".to_owned(),
        }
    }

    fn terms() -> ConnectionTerms {
        ConnectionTerms::checked(None, None, None, None).expect("defaults")
    }

    #[test]
    fn a_connection_is_recorded_once_and_never_to_itself() {
        let mut state = ArrayState::new("fa-a");
        let made = state
            .record_connection(
                &other("fa-b"),
                vec!["b".into()],
                PeerKeys {
                    key: "key",
                    secret: "secret",
                },
                &terms(),
                "u",
                1,
            )
            .expect("connects");
        assert_eq!(made.status.as_deref(), Some("connected"));
        assert_eq!(made.kind.as_deref(), Some(ASYNC_REPLICATION));
        let again = state.record_connection(
            &other("FA-B"),
            vec![],
            PeerKeys {
                key: "key",
                secret: "secret",
            },
            &terms(),
            "u",
            1,
        );
        assert!(again.is_err());
        let itself = state.identity("127.0.0.1:1");
        assert!(state.may_connect_to(&itself).is_err());
    }

    #[test]
    fn going_synchronous_or_changing_encryption_needs_the_other_arrays_key() {
        let mut state = ArrayState::new("fa-a");
        state
            .record_connection(
                &other("fa-b"),
                vec![],
                PeerKeys {
                    key: "the-key",
                    secret: "secret",
                },
                &terms(),
                "u",
                1,
            )
            .expect("connects");
        let to_sync = ArrayConnectionPatch {
            kind: Some(SYNC_REPLICATION.to_owned()),
            ..Default::default()
        };
        assert!(state.patch_connection("fa-b", &to_sync, "u", 2).is_err());
        let wrong = ArrayConnectionPatch {
            connection_key: Some("other".to_owned()),
            ..to_sync.clone()
        };
        assert!(state.patch_connection("fa-b", &wrong, "u", 2).is_err());
        let right = ArrayConnectionPatch {
            connection_key: Some("the-key".to_owned()),
            ..to_sync
        };
        let changed = state
            .patch_connection("fa-b", &right, "u", 2)
            .expect("patch");
        assert_eq!(changed.kind.as_deref(), Some(SYNC_REPLICATION));
    }

    #[test]
    fn terms_refuse_unknown_values_naming_the_field() {
        let refused = ConnectionTerms::checked(Some("sometimes"), None, None, None).unwrap_err();
        assert!(refused.message.contains("type"), "{}", refused.message);
        let fc_addresses =
            ConnectionTerms::checked(None, Some("fc"), None, Some(vec!["x".into()])).unwrap_err();
        assert!(fc_addresses.message.contains("replication_addresses"));
    }
}
