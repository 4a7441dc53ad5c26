//! Replication between the arrays the portal manages: connecting two of them in one step.

use serde::{Deserialize, Serialize};

use super::ApiError;
use crate::flasharray::{
    ASYNC_REPLICATION, ProtectionGroupSnapshot, ProtectionGroupSnapshotTransfer, SYNC_REPLICATION,
};

/// `POST /api/arrays/{array}/array-connections`: connect `array` to `remote`, another array
/// the portal manages. The portal reads `remote`'s connection key itself and hands it to
/// `array`; nobody types or sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectArraysRequest {
    /// The other array, by the name the portal knows it by.
    pub remote: String,
    /// `async-replication` (the default: protection groups and ActiveDR) or
    /// `sync-replication` (ActiveCluster).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// `GET /api/arrays/{array}/protection-groups/{group}/replication`: where a group's copies
/// are, read on each target the portal manages and the caller may see.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupReplication {
    /// The newest snapshot sent (or being sent), as the source reports its transfer.
    pub last_transfer: Option<ProtectionGroupSnapshotTransfer>,
    pub targets: Vec<TargetCopies>,
}

/// What one target holds of a group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetCopies {
    /// The target, as the source array names it.
    pub target: String,
    /// Whether the target allows the group, as the source last heard.
    pub allowed: Option<bool>,
    /// How many snapshots of the group the target holds (not destroyed).
    pub copies: usize,
    /// The newest of them: the target's recovery point.
    pub newest: Option<ProtectionGroupSnapshot>,
    /// Milliseconds from the newest copy's snapshot to now.
    pub lag_ms: Option<i64>,
    /// Why the target's copies could not be read (not managed here, outside the caller's
    /// scope, or the target's own error).
    pub unread: Option<String>,
}

/// `POST /api/arrays/{array}/protection-groups/{group}/targets`: the group replicates to
/// `remote`, an array `array` is connected to, by the name the array gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddTargetRequest {
    pub remote: String,
}

/// Checks an add-target request: one array, named as arrays name themselves (so never a list).
pub fn validate_add_target(request: &AddTargetRequest) -> Result<AddTargetRequest, ApiError> {
    let remote = request.remote.trim();
    if remote.is_empty() {
        return Err(ApiError::for_field(
            "remote",
            "Choose the connected array to replicate to.",
        ));
    }
    crate::names::validate_object_name("Array", remote)
        .map_err(|message| ApiError::for_field("remote", message))?;
    Ok(AddTargetRequest {
        remote: remote.to_owned(),
    })
}

/// Longer than any name an array or the portal gives: refused without being repeated.
const MAX_REMOTE_CHARS: usize = 128;

/// The replication types a connection can be made for, with what each is for.
pub const CONNECTION_TYPES: [(&str, &str); 2] = [
    (
        ASYNC_REPLICATION,
        "Asynchronous: protection group snapshots and ActiveDR",
    ),
    (SYNC_REPLICATION, "Synchronous: ActiveCluster"),
];

/// Checks a connect request for `array`: another array, and a known type (asynchronous
/// when none is given).
pub fn validate_connect_arrays(
    array: &str,
    request: &ConnectArraysRequest,
) -> Result<ConnectArraysRequest, ApiError> {
    let remote = request.remote.trim();
    if remote.is_empty() {
        return Err(ApiError::for_field(
            "remote",
            "Choose the array to connect to.",
        ));
    }
    if remote.chars().count() > MAX_REMOTE_CHARS {
        return Err(ApiError::for_field(
            "remote",
            format!(
                "No registered array has a name that long: names have at most {MAX_REMOTE_CHARS} characters."
            ),
        ));
    }
    if remote == array {
        return Err(ApiError::for_field(
            "remote",
            format!("{array} cannot be connected to itself: choose another array."),
        ));
    }
    let kind = request.kind.as_deref().unwrap_or(ASYNC_REPLICATION);
    if !CONNECTION_TYPES.iter().any(|(known, _)| *known == kind) {
        return Err(ApiError::for_field(
            "type",
            format!(
                "{kind:?} is not a replication type: use async-replication or sync-replication."
            ),
        ));
    }
    Ok(ConnectArraysRequest {
        remote: remote.to_owned(),
        kind: Some(kind.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(remote: &str, kind: Option<&str>) -> ConnectArraysRequest {
        ConnectArraysRequest {
            remote: remote.to_owned(),
            kind: kind.map(str::to_owned),
        }
    }

    #[test]
    fn a_connection_needs_another_array_and_a_known_type() {
        let field = |result: Result<ConnectArraysRequest, ApiError>| result.unwrap_err().field;
        assert_eq!(
            field(validate_connect_arrays("fa-a", &request(" ", None))).as_deref(),
            Some("remote")
        );
        assert_eq!(
            field(validate_connect_arrays("fa-a", &request("fa-a", None))).as_deref(),
            Some("remote")
        );
        assert_eq!(
            field(validate_connect_arrays(
                "fa-a",
                &request("fa-b", Some("nightly"))
            ))
            .as_deref(),
            Some("type")
        );
        let long = "x".repeat(10_000);
        let refused = validate_connect_arrays("fa-a", &request(&long, None)).unwrap_err();
        assert!(refused.message.len() < 200, "{}", refused.message);
        let checked = validate_connect_arrays("fa-a", &request(" fa-b ", None)).expect("valid");
        let listed = AddTargetRequest {
            remote: "fa-dr,fa-x".to_owned(),
        };
        assert_eq!(
            validate_add_target(&listed).unwrap_err().field.as_deref(),
            Some("remote")
        );
        assert_eq!(checked, request("fa-b", Some(ASYNC_REPLICATION)));
    }
}
