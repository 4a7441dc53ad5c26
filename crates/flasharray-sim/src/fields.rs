//! What `filter` and `sort` read from a listed item: the JSON of just the fields they name.
//!
//! Serialising every item whole is fine for a few hundred hosts but not for 100,000 volumes,
//! so volumes project only the fields asked for, into a small list rather than a JSON object
//! (a map node per item is most of the cost at that scale); other items serialise whole.

use serde::Serialize;
use serde_json::{Value, json};
use shared::flasharray::{
    Admin, Alert, ApiClient, ArrayConnection, ArraySpace, Audit, Connection, Controller, Drive,
    Hardware, Host, HostGroup, Membership, NetworkInterface, Performance, Pod, PodMember,
    PodReplicaLink, PodReplicaLinkLag, Port, ProtectionGroup, ProtectionGroupPerformance,
    ProtectionGroupSnapshot, ProtectionGroupSnapshotTransfer, TargetProtectionGroup, Volume,
    VolumeGroup, VolumeSnapshot, VolumeSpace,
};

use crate::query::{Lookup, field_value};

/// What a filter or sort reads of one item.
#[derive(Debug)]
pub enum Projection {
    /// The item's whole JSON.
    Whole(Value),
    /// Just some top-level fields.
    Fields(Vec<(&'static str, Value)>),
}

impl Lookup for Projection {
    fn lookup(&self, path: &str) -> Option<&Value> {
        match self {
            Projection::Whole(json) => field_value(json, path),
            Projection::Fields(fields) => {
                let (top, rest) = match path.split_once('.') {
                    Some((top, rest)) => (top, Some(rest)),
                    None => (path, None),
                };
                let (_, value) = fields.iter().find(|(name, _)| *name == top)?;
                match rest {
                    Some(rest) => field_value(value, rest),
                    None => Some(value),
                }
            }
        }
    }
}

/// An item of a list endpoint.
pub trait Fields: Serialize {
    /// At least the top-level fields that `fields` (dotted paths) name.
    fn project(&self, fields: &[&str]) -> Projection {
        let _ = fields;
        Projection::Whole(serde_json::to_value(self).unwrap_or(Value::Null))
    }
}

impl<T: Fields> Fields for &T {
    fn project(&self, fields: &[&str]) -> Projection {
        (**self).project(fields)
    }
}

impl Fields for Volume {
    fn project(&self, fields: &[&str]) -> Projection {
        let mut projected = Vec::with_capacity(fields.len());
        for field in fields {
            let top = field.split('.').next().unwrap_or(field);
            let (name, value) = match top {
                "name" => ("name", json!(self.name)),
                "id" => ("id", json!(self.id)),
                "serial" => ("serial", json!(self.serial)),
                "created" => ("created", json!(self.created)),
                "destroyed" => ("destroyed", json!(self.destroyed)),
                "provisioned" => ("provisioned", json!(self.provisioned)),
                "connection_count" => ("connection_count", json!(self.connection_count)),
                "space" => ("space", json!(self.space)),
                "qos" => ("qos", json!(self.qos)),
                _ => return Projection::Whole(serde_json::to_value(self).unwrap_or(Value::Null)),
            };
            projected.push((name, value));
        }
        Projection::Fields(projected)
    }
}

impl Fields for Alert {}
impl Fields for ApiClient {}
impl Fields for Audit {}
impl Fields for Connection {}
impl Fields for Host {}
impl Fields for HostGroup {}
impl Fields for Membership {}
impl Fields for ArraySpace {}
impl Fields for Performance {}
impl Fields for ProtectionGroup {}
impl Fields for ProtectionGroupSnapshot {}
impl Fields for ProtectionGroupSnapshotTransfer {}
impl Fields for VolumeSnapshot {}
impl Fields for VolumeSpace {}
impl Fields for Controller {}
impl Fields for Drive {}
impl Fields for Hardware {}
impl Fields for Port {}
impl Fields for NetworkInterface {}
impl Fields for Admin {}
impl Fields for Pod {}
impl Fields for ProtectionGroupPerformance {}
impl Fields for PodMember {}
impl Fields for PodReplicaLink {}
impl Fields for PodReplicaLinkLag {}
impl Fields for VolumeGroup {}
impl Fields for ArrayConnection {}
impl Fields for TargetProtectionGroup {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::ArrayState;

    #[test]
    fn a_volumes_projection_agrees_with_its_whole_json() {
        let mut state = ArrayState::new("fa");
        state.insert_volume("vol1", 1 << 30, 1 << 29, 1_000);
        let volume = &state.volumes()[0];
        let whole = serde_json::to_value(volume).unwrap();
        for field in [
            "name",
            "id",
            "serial",
            "created",
            "destroyed",
            "provisioned",
            "connection_count",
            "space.virtual",
            "qos.iops_limit",
        ] {
            let projected = volume.project(&[field]);
            assert_eq!(
                projected.lookup(field),
                field_value(&whole, field),
                "{field}"
            );
        }
    }
}
