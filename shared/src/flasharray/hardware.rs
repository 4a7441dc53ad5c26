//! What an array is built of (`/api/2.x/controllers`, `drives`, `hardware`, `ports`,
//! `network-interfaces`, `arrays/eula`): the parts an admin checks first after capacity.
//! Every field but the name is optional, as arrays of different models and Purity releases
//! report different ones.

use serde::{Deserialize, Serialize};

/// A controller (`GET /controllers`): `mode` is `primary`, `secondary`, `offline` or
/// `not present`; `status` is `ready`, `not ready`, `updating` or `unknown`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Controller {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode_since: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

impl Controller {
    pub fn is_ready(&self) -> bool {
        self.status.as_deref() == Some("ready")
    }
}

/// A flash or NVRAM module in a bay (`GET /drives`): `status` is `healthy` when all is well,
/// `empty` for a bay without one, else what is wrong (`failed`, `missing`, `recovering`, …).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Drive {
    pub name: String,
    /// Entitled capacity, bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u64>,
    /// Raw capacity, bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity_installed: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `SSD`, `NVRAM`, `cache` or `virtual`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

impl Drive {
    /// Whether a module is in the bay at all.
    pub fn is_present(&self) -> bool {
        self.status.as_deref() != Some("empty")
    }

    pub fn is_healthy(&self) -> bool {
        self.status.as_deref() == Some("healthy")
    }
}

/// One component (`GET /hardware`): chassis, controllers, bays, ports, fans, power supplies
/// and sensors, each with `status` `healthy`, `unused`, `critical`, `unhealthy`,
/// `identifying` or `unknown`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Hardware {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identify_enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slot: Option<i64>,
    /// Bytes per second, for ports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speed: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Degrees Celsius, for sensors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<i64>,
    /// `chassis`, `controller`, `drive_bay`, `eth_port`, `fc_port`, `cooling`,
    /// `power_supply`, `temp_sensor`, …
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voltage: Option<i64>,
}

impl Hardware {
    /// Whether the component needs attention: anything but healthy, unused or lit to be found.
    pub fn is_failing(&self) -> bool {
        !matches!(
            self.status.as_deref(),
            None | Some("healthy" | "unused" | "identifying")
        )
    }

    /// Whether it is a host-facing port.
    pub fn is_port(&self) -> bool {
        matches!(
            self.kind.as_deref(),
            Some("eth_port" | "fc_port" | "ib_port" | "sas_port")
        )
    }
}

/// A target port hosts log in to (`GET /ports`), with the address of its protocol.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Port {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iqn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nqn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub portal: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wwn: Option<String>,
    /// The port this one has failed over to, if it has.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failover: Option<String>,
}

/// An Ethernet interface or Fibre Channel port as configured (`GET /network-interfaces`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct NetworkInterface {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// `eth` or `fc`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interface_type: Option<String>,
    /// Such as `management`, `iscsi`, `nvme-tcp`, `replication`, `scsi-fc`.
    pub services: Vec<String>,
    /// Gb/s.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speed: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eth: Option<EthernetSettings>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fc: Option<FibreChannelSettings>,
}

/// An Ethernet interface's addressing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct EthernetSettings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub netmask: Option<String>,
    /// `physical`, `virtual`, `failover_bond` or `lacp_bond`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subtype: Option<String>,
}

/// A Fibre Channel port's identity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct FibreChannelSettings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wwn: Option<String>,
}

/// The end-user agreement and when it was accepted (`GET /arrays/eula`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Eula {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agreement: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<EulaSignature>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct EulaSignature {
    /// When it was accepted, milliseconds since the epoch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Arrays of other models and releases send fields we do not know and leave out ones
        /// we do: every part still reads.
        #[test]
        fn parts_read_with_fields_missing_or_unknown(
            status in proptest::option::of("[a-z ]{0,12}"),
            extra in "[a-z_]{1,12}",
            keep_model in any::<bool>(),
        ) {
            let mut part = serde_json::json!({"name": "CH0.BAY3", "type": "drive_bay", "model": "X"});
            if let Some(status) = &status {
                part["status"] = serde_json::json!(status);
            }
            if !keep_model {
                part.as_object_mut().expect("object").remove("model");
            }
            part[format!("x_{extra}")] = serde_json::json!({"nested": [1, 2]});
            let read: Hardware = serde_json::from_value(part).expect("reads");
            prop_assert_eq!(read.status, status);
            prop_assert_eq!(read.model.is_some(), keep_model);
            let drive: Drive = serde_json::from_value(serde_json::json!({"name": "CH0.BAY3", &extra: 1})).expect("reads");
            prop_assert!(!drive.is_healthy() && drive.is_present());
        }
    }

    #[test]
    fn a_failing_part_is_one_neither_healthy_unused_nor_being_identified() {
        let with = |status: &str| Hardware {
            status: Some(status.to_owned()),
            ..Hardware::default()
        };
        assert!(with("critical").is_failing());
        assert!(with("unhealthy").is_failing());
        assert!(!with("healthy").is_failing());
        assert!(!with("unused").is_failing());
        assert!(!Hardware::default().is_failing());
    }
}
