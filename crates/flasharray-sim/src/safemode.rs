//! SafeMode on protection groups: once a group's `retention_lock` is `ratcheted`, the array
//! refuses whatever would let its snapshots go early (destroying the group, eradicating its
//! snapshots, turning its schedules off, keeping less, removing members or targets) and only
//! Pure Technical Services can unlock it.

use shared::flasharray::{
    EradicationConfig, ProtectionGroup, ProtectionGroupPatch, RATCHETED, RetentionPolicy,
    RetentionPolicyPatch, UNLOCKED,
};

use crate::error::ApiFault;
use crate::state::ArrayState;

/// Sets the lock fields a group reports from its `retention_lock`.
pub(crate) fn report_lock(group: &mut ProtectionGroup) {
    let ratcheted = group.retention_lock.as_deref() == Some(RATCHETED);
    group.eradication_config = Some(EradicationConfig {
        manual_eradication: Some(if ratcheted { "disabled" } else { "enabled" }.to_owned()),
    });
}

fn refusal(group: &str, what: &str) -> ApiFault {
    ApiFault::bad_request(
        group,
        format!(
            "Protection group {group} has a ratcheted retention lock (SafeMode): {what} is not allowed."
        ),
    )
}

fn keeps_less(policy: &RetentionPolicy, patch: Option<&RetentionPolicyPatch>) -> bool {
    patch.is_some_and(|patch| {
        patch
            .all_for_sec
            .is_some_and(|value| value < policy.all_for_sec)
            || patch.per_day.is_some_and(|value| value < policy.per_day)
            || patch.days.is_some_and(|value| value < policy.days)
    })
}

/// Checks a change to `group` against its lock, and a change of the lock itself.
pub(crate) fn check_patch(
    group: &ProtectionGroup,
    patch: &ProtectionGroupPatch,
) -> Result<(), ApiFault> {
    let ratcheted = group.retention_lock.as_deref() == Some(RATCHETED);
    match patch.retention_lock.as_deref() {
        None | Some(RATCHETED) => {}
        Some(UNLOCKED) if ratcheted => {
            return Err(ApiFault::bad_request(
                &group.name,
                "Contact Pure Technical Services to change retention_lock to unlocked.",
            ));
        }
        Some(UNLOCKED) => {}
        Some(other) => {
            return Err(ApiFault::invalid(format!(
                "Invalid value for retention_lock: {other:?}. Valid values are ratcheted, unlocked."
            )));
        }
    }
    if !ratcheted {
        return Ok(());
    }
    let name = &group.name;
    if patch.destroyed == Some(true) {
        return Err(refusal(name, "destroying the group"));
    }
    let turned_off = |enabled: Option<bool>| enabled == Some(false);
    if patch
        .snapshot_schedule
        .is_some_and(|schedule| turned_off(schedule.enabled))
        || patch
            .replication_schedule
            .as_ref()
            .is_some_and(|schedule| turned_off(schedule.enabled))
    {
        return Err(refusal(name, "turning a schedule off"));
    }
    if keeps_less(&group.source_retention, patch.source_retention.as_ref())
        || keeps_less(&group.target_retention, patch.target_retention.as_ref())
    {
        return Err(refusal(name, "keeping snapshots for less"));
    }
    Ok(())
}

impl ArrayState {
    /// Refuses `what` on the group named `group` if its retention is locked.
    pub(crate) fn refuse_if_locked(&self, group: &str, what: &str) -> Result<(), ApiFault> {
        let locked = self.protection_groups.iter().any(|record| {
            record.group.name.eq_ignore_ascii_case(group)
                && record.group.retention_lock.as_deref() == Some(RATCHETED)
        });
        if locked {
            Err(refusal(group, what))
        } else {
            Ok(())
        }
    }

    /// Refuses eradicating the group snapshots `names` when one belongs to a locked group.
    pub(crate) fn refuse_locked_snapshots(&self, names: &[String]) -> Result<(), ApiFault> {
        for name in names {
            let Some(record) = self
                .group_snapshots
                .iter()
                .find(|record| record.snapshot.name.eq_ignore_ascii_case(name))
            else {
                continue;
            };
            if let Some(group) = self.protection_groups.iter().find(|group| {
                group.group.id == record.group_id
                    && group.group.retention_lock.as_deref() == Some(RATCHETED)
            }) {
                return Err(refusal(&group.group.name, "eradicating its snapshots"));
            }
        }
        Ok(())
    }
}
