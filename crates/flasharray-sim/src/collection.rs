//! What the array's collections of named objects share: finding one by name, refusing a name
//! that is not there the way the array words it, and eradicating destroyed objects.

use shared::flasharray::{Host, HostGroup, Reference, Volume};

use shared::names::POD_SEPARATOR;

use crate::error::ApiFault;

/// An object the array finds by its name.
pub(crate) trait Named {
    /// The kind of object as the array's messages name it, such as `Protection group`.
    const KIND: &'static str;
    fn name(&self) -> &str;
}

/// An object that is destroyed first and eradicated later.
pub(crate) trait Destroyable: Named {
    fn destroyed(&self) -> bool;

    /// Why the object cannot be eradicated on its own, when it belongs to another that is.
    fn eradicated_with_another(&self) -> Option<&'static str> {
        None
    }
}

/// A new object's id.
pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The pod a volume's name puts it in.
pub(crate) fn pod_of(volume: &str) -> Option<&str> {
    volume.split_once(POD_SEPARATOR).map(|(pod, _)| pod)
}

/// A reference that names an object.
pub(crate) fn reference(name: &str) -> Reference {
    Reference {
        id: None,
        name: Some(name.to_owned()),
    }
}

/// Where the object named `name` stands in `records`.
pub(crate) fn position<R: Named>(records: &[R], name: &str) -> Result<usize, ApiFault> {
    records
        .iter()
        .position(|record| record.name() == name)
        .ok_or_else(|| ApiFault::bad_request(name, format!("{} does not exist.", R::KIND)))
}

/// Removes the named objects, all or nothing: each must exist and have been destroyed.
pub(crate) fn eradicate<R: Destroyable>(
    records: &mut Vec<R>,
    names: &[String],
) -> Result<(), ApiFault> {
    for name in names {
        let record = &records[position(records, name)?];
        if let Some(refusal) = record.eradicated_with_another() {
            return Err(ApiFault::bad_request(name, refusal));
        }
        if !record.destroyed() {
            return Err(ApiFault::bad_request(
                name,
                format!("{} must be destroyed before it can be eradicated.", R::KIND),
            ));
        }
    }
    records.retain(|record| !names.iter().any(|name| name == record.name()));
    Ok(())
}

/// Declares where a kind of object keeps its name (and whether it was destroyed).
macro_rules! named {
    ($type:ty, $kind:literal, self $(.$field:ident)*) => {
        impl $crate::collection::Named for $type {
            const KIND: &'static str = $kind;
            fn name(&self) -> &str {
                &self $(.$field)* .name
            }
        }
    };
    ($type:ty, $kind:literal, self $(.$field:ident)*, destroyable) => {
        $crate::collection::named!($type, $kind, self $(.$field)*);
        impl $crate::collection::Destroyable for $type {
            fn destroyed(&self) -> bool {
                self $(.$field)* .destroyed
            }
        }
    };
}

pub(crate) use named;

named!(Volume, "Volume", self, destroyable);
named!(Host, "Host", self);
named!(HostGroup, "Host group", self);
