//! What `filter` and `sort` read from a listed item: the JSON of just the fields they name.
//!
//! Serialising every item whole is fine for a few hundred hosts but not for 100,000 volumes,
//! so volumes project only the fields asked for; other items serialise whole.

use serde::Serialize;
use serde_json::{Map, Value, json};
use shared::flasharray::{
    ApiClient, Audit, Connection, Host, HostGroup, Membership, Performance, ProtectionGroup,
    ProtectionGroupSnapshot, Volume, VolumeSnapshot, VolumeSpace,
};

/// An item of a list endpoint.
pub trait Fields: Serialize {
    /// A JSON object holding at least the top-level fields that `fields` (dotted paths) name.
    fn project(&self, fields: &[&str]) -> Value {
        let _ = fields;
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

impl<T: Fields> Fields for &T {
    fn project(&self, fields: &[&str]) -> Value {
        (**self).project(fields)
    }
}

impl Fields for Volume {
    fn project(&self, fields: &[&str]) -> Value {
        let mut object = Map::new();
        for field in fields {
            let top = field.split('.').next().unwrap_or(field);
            let value = match top {
                "name" => json!(self.name),
                "id" => json!(self.id),
                "serial" => json!(self.serial),
                "created" => json!(self.created),
                "destroyed" => json!(self.destroyed),
                "provisioned" => json!(self.provisioned),
                "connection_count" => json!(self.connection_count),
                "space" => json!(self.space),
                "qos" => json!(self.qos),
                _ => return serde_json::to_value(self).unwrap_or(Value::Null),
            };
            object.insert(top.to_owned(), value);
        }
        Value::Object(object)
    }
}

impl Fields for ApiClient {}
impl Fields for Audit {}
impl Fields for Connection {}
impl Fields for Host {}
impl Fields for HostGroup {}
impl Fields for Membership {}
impl Fields for Performance {}
impl Fields for ProtectionGroup {}
impl Fields for ProtectionGroupSnapshot {}
impl Fields for VolumeSnapshot {}
impl Fields for VolumeSpace {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::field_value;
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
                field_value(&projected, field),
                field_value(&whole, field),
                "{field}"
            );
        }
    }
}
