//! Where protection groups replicate: on the source array, the connected arrays each group
//! sends its snapshots to; on a target array, the groups others replicate to it, named
//! `SOURCE:GROUP`, each allowed or not by the target. Both sides keep their half; the peer
//! protocol (`peer`) tells the other side of each change.

use shared::flasharray::{ProtectionGroup, Reference, TargetProtectionGroup, TypedReference};

use crate::collection::new_id;
use crate::error::ApiFault;
use crate::records::{GroupRecord, GroupTarget, ReplicatedHere};
use crate::state::ArrayState;

impl ReplicatedHere {
    /// `SOURCE:GROUP`, as the target array names it.
    pub fn name(&self) -> String {
        format!("{}:{}", self.source, self.group)
    }
}

fn status(allowed: bool) -> String {
    if allowed { "replicating" } else { "disallowed" }.to_owned()
}

fn array_reference(name: &str) -> TypedReference {
    TypedReference {
        id: None,
        name: Some(name.to_owned()),
        resource_type: Some("remote-arrays".to_owned()),
    }
}

impl ArrayState {
    /// Every row of `protection-groups/targets`: this array's groups' targets, then the groups
    /// replicated here, with this array as their target.
    pub(crate) fn group_targets(&self) -> Vec<TargetProtectionGroup> {
        let outgoing = self.protection_groups.iter().flat_map(|record| {
            record.targets.iter().map(|target| TargetProtectionGroup {
                group: Reference {
                    id: Some(record.group.id.clone()),
                    name: Some(record.group.name.clone()),
                },
                member: array_reference(&target.array),
                allowed: Some(target.allowed),
                status: Some(status(target.allowed)),
            })
        });
        let incoming = self
            .replicated_here
            .iter()
            .filter(|here| here.targeted)
            .map(|here| TargetProtectionGroup {
                group: Reference {
                    id: None,
                    name: Some(here.name()),
                },
                member: array_reference(&self.name),
                allowed: Some(here.allowed),
                status: Some(status(here.allowed)),
            });
        outgoing.chain(incoming).collect()
    }

    /// The groups replicated here, as `protection-groups` lists them beside the array's own
    /// (`is_local: false`): while their source replicates them here, or this array holds
    /// snapshots of them.
    pub(crate) fn replicated_groups_view(&self) -> Vec<ProtectionGroup> {
        self.replicated_here
            .iter()
            .filter(|here| {
                here.targeted
                    || self
                        .group_snapshots
                        .iter()
                        .any(|record| record.snapshot.source.id.as_deref() == Some(&here.id))
            })
            .map(|here| ProtectionGroup {
                id: here.id.clone(),
                name: here.name(),
                is_local: false,
                ..ProtectionGroup::default()
            })
            .collect()
    }

    /// The id this array lists `SOURCE:GROUP` under, if it receives it.
    pub(crate) fn replicated_group_id(&self, source: &str, group: &str) -> Option<String> {
        self.replicated_here
            .iter()
            .find(|here| {
                here.source.eq_ignore_ascii_case(source) && here.group.eq_ignore_ascii_case(group)
            })
            .map(|here| here.id.clone())
    }

    /// The groups of this array that replicate to `array`.
    pub(crate) fn groups_targeting(&self, array: &str) -> Vec<String> {
        self.protection_groups
            .iter()
            .filter(|record| {
                record
                    .targets
                    .iter()
                    .any(|target| target.array.eq_ignore_ascii_case(array))
            })
            .map(|record| record.group.name.clone())
            .collect()
    }

    /// The connected array `array` may become a target of `group`: a group of this array,
    /// not destroyed, not replicating there already.
    pub(crate) fn may_add_target(&self, group: &str, array: &str) -> Result<(), ApiFault> {
        let record = self
            .protection_groups
            .iter()
            .find(|record| record.group.name.eq_ignore_ascii_case(group))
            .ok_or_else(|| ApiFault::bad_request(group, "Protection group does not exist."))?;
        if record.group.destroyed {
            return Err(ApiFault::bad_request(
                group,
                "Protection group has been destroyed.",
            ));
        }
        self.address_of(array)?;
        if record
            .targets
            .iter()
            .any(|target| target.array.eq_ignore_ascii_case(array))
        {
            return Err(ApiFault::bad_request(
                array,
                format!("{array} is already a target of protection group {group}."),
            ));
        }
        Ok(())
    }

    fn group_mut(&mut self, group: &str) -> Result<&mut GroupRecord, ApiFault> {
        self.protection_groups
            .iter_mut()
            .find(|record| record.group.name.eq_ignore_ascii_case(group))
            .ok_or_else(|| ApiFault::bad_request(group, "Protection group does not exist."))
    }

    /// Adds `array` as a target of `group`, allowed as the target said.
    pub(crate) fn add_target(
        &mut self,
        group: &str,
        array: &str,
        allowed: bool,
        user: &str,
        now_ms: i64,
    ) -> Result<TargetProtectionGroup, ApiFault> {
        self.may_add_target(group, array)?;
        let record = self.group_mut(group)?;
        record.targets.push(GroupTarget {
            array: array.to_owned(),
            allowed,
        });
        record.group.target_count = record.targets.len() as u32;
        let row = TargetProtectionGroup {
            group: Reference {
                id: Some(record.group.id.clone()),
                name: Some(record.group.name.clone()),
            },
            member: array_reference(array),
            allowed: Some(allowed),
            status: Some(status(allowed)),
        };
        self.audit(
            user,
            "purepgroup",
            "setattr",
            format!("{group} --addtargetlist {array}"),
            now_ms,
        );
        Ok(row)
    }

    /// Stops `group` replicating to `array`.
    pub(crate) fn remove_target(
        &mut self,
        group: &str,
        array: &str,
        user: &str,
        now_ms: i64,
    ) -> Result<(), ApiFault> {
        self.refuse_if_locked(group, "removing a target")?;
        let record = self.group_mut(group)?;
        let before = record.targets.len();
        record
            .targets
            .retain(|target| !target.array.eq_ignore_ascii_case(array));
        if record.targets.len() == before {
            return Err(ApiFault::bad_request(
                array,
                format!("{array} is not a target of protection group {group}."),
            ));
        }
        record.group.target_count = record.targets.len() as u32;
        self.audit(
            user,
            "purepgroup",
            "setattr",
            format!("{group} --remtargetlist {array}"),
            now_ms,
        );
        Ok(())
    }

    /// What a target array said of `group`: it allows it or not.
    pub(crate) fn note_allowed(&mut self, group: &str, array: &str, allowed: bool) {
        if let Ok(record) = self.group_mut(group) {
            for target in &mut record.targets {
                if target.array.eq_ignore_ascii_case(array) {
                    target.allowed = allowed;
                }
            }
        }
    }

    /// `source` now replicates `group` here: allowed, unless this array disallowed it before.
    /// Returns whether it is allowed.
    pub(crate) fn receive_group(&mut self, source: &str, group: &str) -> bool {
        if let Some(here) = self.replicated_here_mut(source, group) {
            here.targeted = true;
            return here.allowed;
        }
        self.replicated_here.push(ReplicatedHere {
            id: new_id(),
            source: source.to_owned(),
            group: group.to_owned(),
            allowed: true,
            targeted: true,
        });
        true
    }

    /// `source` no longer replicates `group` here; what it sent stays.
    pub(crate) fn drop_group(&mut self, source: &str, group: &str) {
        if let Some(here) = self.replicated_here_mut(source, group) {
            here.targeted = false;
        }
    }

    fn replicated_here_mut(&mut self, source: &str, group: &str) -> Option<&mut ReplicatedHere> {
        self.replicated_here.iter_mut().find(|here| {
            here.source.eq_ignore_ascii_case(source) && here.group.eq_ignore_ascii_case(group)
        })
    }

    /// Allows or disallows `SOURCE:GROUP` here, as only the target array may; returns the
    /// row and the source array with the group's own name, to be told.
    pub(crate) fn set_allowed(
        &mut self,
        full_name: &str,
        allowed: bool,
        user: &str,
        now_ms: i64,
    ) -> Result<(TargetProtectionGroup, String, String), ApiFault> {
        let me = self.name.clone();
        let Some(here) = self
            .replicated_here
            .iter_mut()
            .find(|here| here.targeted && here.name().eq_ignore_ascii_case(full_name))
        else {
            let message = if self
                .protection_groups
                .iter()
                .any(|record| record.group.name.eq_ignore_ascii_case(full_name))
            {
                "allowed can be set only on the target array."
            } else {
                "Protection group does not exist."
            };
            return Err(ApiFault::bad_request(full_name, message));
        };
        here.allowed = allowed;
        let row = TargetProtectionGroup {
            group: Reference {
                id: None,
                name: Some(here.name()),
            },
            member: array_reference(&me),
            allowed: Some(allowed),
            status: Some(status(allowed)),
        };
        let (source, group) = (here.source.clone(), here.group.clone());
        let verb = if allowed { "--allow" } else { "--disallow" };
        self.audit(
            user,
            "purepgroup",
            "setattr",
            format!("{full_name} {verb}"),
            now_ms,
        );
        Ok((row, source, group))
    }
}
