//! Protection groups on a simulated array: members, snapshots taken together, the snapshot
//! schedule and the retention policy that prunes old snapshots.
//!
//! There is no timer: [`ArrayState::run_schedules`] takes every snapshot that fell due since
//! it last ran, dated when it was due, so a test that advances the clock sees them at once.

use std::collections::BTreeSet;

use shared::flasharray::{
    Membership, ProtectionGroup, ProtectionGroupPatch, ProtectionGroupSnapshot, Reference,
    ReplicationSchedule, RetentionPolicy, RetentionPolicyPatch, SnapshotSchedule, Space,
};
use shared::names::validate_object_name;

use crate::collection::{self, new_id, reference};
use crate::error::ApiFault;
use crate::records::{GroupRecord, GroupSnapshotRecord, Member, MemberKind, Target};
use crate::state::ArrayState;

const MINUTE_MS: u64 = 60 * 1000;
pub const DAY_MS: u64 = 24 * 60 * MINUTE_MS;
/// A schedule's `at` is a second of the day.
const DAY_SECS: u64 = DAY_MS / 1000;
/// Snapshot frequencies an array accepts: 5 minutes to a year.
const FREQUENCIES: std::ops::RangeInclusive<u64> = 5 * MINUTE_MS..=365 * DAY_MS;
/// Retention an array accepts.
pub(crate) const MAX_PER_DAY: u64 = 1440;
pub(crate) const MAX_DAYS: u64 = 4000;

impl MemberKind {
    fn label(self) -> &'static str {
        match self {
            MemberKind::Volume => "volumes",
            MemberKind::Host => "hosts",
            MemberKind::HostGroup => "host groups",
        }
    }
}

/// The first schedule slot after `after_ms`: slots fall every `frequency` from `at`.
fn next_slot(after_ms: i64, frequency: u64, at: Option<u64>) -> i64 {
    let frequency_ms = frequency;
    let frequency = i64::try_from(frequency).unwrap_or(i64::MAX / 4).max(1);
    // `at` is seconds after midnight, and only schedules of whole days keep it.
    let at = at.filter(|_| frequency_ms.is_multiple_of(DAY_MS));
    let offset = i64::try_from(at.unwrap_or(0).saturating_mul(1000)).unwrap_or(0);
    after_ms - (after_ms - offset).rem_euclid(frequency) + frequency
}

/// Checks a schedule as arrays do: the frequency in range, `at` a second of the day (used
/// only when the frequency is whole days, and otherwise kept unused, as REST 2.x says).
fn check_schedule(name: &str, what: &str, frequency: u64, at: Option<u64>) -> Result<(), ApiFault> {
    let refuse = |message: String| ApiFault::bad_request(name, message);
    if !FREQUENCIES.contains(&frequency) {
        return Err(refuse(format!(
            "Invalid {what} frequency {frequency} ms: it must be between 5 minutes ({} ms) and a year.",
            FREQUENCIES.start()
        )));
    }
    if let Some(at) = at
        && at >= DAY_SECS
    {
        return Err(refuse(format!(
            "Invalid at {at}: give seconds after midnight, from 0 to {}.",
            DAY_SECS - 1
        )));
    }
    Ok(())
}

/// Applies the fields of `patch` given to `policy`, within what arrays accept.
fn patch_retention(
    name: &str,
    policy: &mut RetentionPolicy,
    patch: &RetentionPolicyPatch,
) -> Result<(), ApiFault> {
    policy.all_for_sec = patch.all_for_sec.unwrap_or(policy.all_for_sec);
    policy.per_day = patch.per_day.unwrap_or(policy.per_day);
    policy.days = patch.days.unwrap_or(policy.days);
    if policy.per_day > MAX_PER_DAY {
        return Err(ApiFault::bad_request(
            name,
            format!("Invalid per_day {}: at most {MAX_PER_DAY}.", policy.per_day),
        ));
    }
    if policy.days > MAX_DAYS {
        return Err(ApiFault::bad_request(
            name,
            format!("Invalid days {}: at most {MAX_DAYS}.", policy.days),
        ));
    }
    Ok(())
}

/// Every day kept, then `per_day` a day for `days` days: both of an array's defaults.
const DEFAULT_RETENTION: RetentionPolicy = RetentionPolicy {
    all_for_sec: DAY_MS / 1000,
    per_day: 4,
    days: 7,
};

impl ArrayState {
    fn group_record_index(&self, name: &str) -> Result<usize, ApiFault> {
        collection::position(&self.protection_groups, name)
    }

    /// The array's own groups, then those other arrays replicate here.
    pub fn protection_groups_view(&self) -> Vec<ProtectionGroup> {
        self.protection_groups
            .iter()
            .map(|record| {
                let mut group = record.group.clone();
                crate::safemode::report_lock(&mut group);
                group
            })
            .chain(self.replicated_groups_view())
            .collect()
    }

    /// `POST /protection-groups`: new groups with the array's default schedule (hourly,
    /// disabled) and retention (all for a day, then 4 a day for 7 days).
    pub fn create_protection_groups(
        &mut self,
        user: &str,
        names: &[String],
        now_ms: i64,
    ) -> Result<Vec<ProtectionGroup>, ApiFault> {
        for (index, name) in names.iter().enumerate() {
            validate_object_name("Protection group", name)
                .map_err(|message| ApiFault::bad_request(name, message))?;
            let taken = self
                .protection_groups
                .iter()
                .any(|record| record.group.name.eq_ignore_ascii_case(name))
                || names[..index]
                    .iter()
                    .any(|earlier| earlier.eq_ignore_ascii_case(name));
            if taken {
                return Err(ApiFault::bad_request(
                    name,
                    "Protection group already exists.",
                ));
            }
        }
        let created: Vec<ProtectionGroup> = names
            .iter()
            .map(|name| ProtectionGroup {
                id: new_id(),
                name: name.clone(),
                destroyed: false,
                host_count: 0,
                host_group_count: 0,
                volume_count: 0,
                is_local: true,
                target_count: 0,
                snapshot_schedule: SnapshotSchedule {
                    enabled: false,
                    frequency: 60 * MINUTE_MS,
                    at: None,
                },
                source_retention: DEFAULT_RETENTION,
                replication_schedule: ReplicationSchedule {
                    enabled: false,
                    frequency: 4 * 60 * MINUTE_MS,
                    at: None,
                    blackout: None,
                },
                target_retention: DEFAULT_RETENTION,
                retention_lock: Some(shared::flasharray::UNLOCKED.to_owned()),
                eradication_config: None,
                time_remaining: None,
                space: Space::default(),
            })
            .collect();
        self.protection_groups
            .extend(created.iter().map(|group| GroupRecord {
                group: group.clone(),
                members: Vec::new(),
                next_snapshot_ms: None,
                targets: Vec::new(),
                next_replication_ms: None,
            }));
        self.audit(user, "purepgroup", "create", names.join(" "), now_ms);
        Ok(created)
    }

    /// `PATCH /protection-groups?names=NAME`: rename, schedule, retention, destroy, recover.
    pub fn patch_protection_group(
        &mut self,
        user: &str,
        name: &str,
        patch: &ProtectionGroupPatch,
        now_ms: i64,
    ) -> Result<ProtectionGroup, ApiFault> {
        let delay = self.eradication_delay_ms();
        let index = self.group_record_index(name)?;
        let mut group = self.protection_groups[index].group.clone();
        crate::safemode::check_patch(&group, patch)?;
        if patch.retention_lock.is_some() {
            group.retention_lock = patch.retention_lock.clone();
        }
        let refuse = |message: &str| ApiFault::bad_request(name, message);
        let changes_more_than_destroyed = patch.name.is_some()
            || patch.snapshot_schedule.is_some()
            || patch.source_retention.is_some()
            || patch.replication_schedule.is_some()
            || patch.target_retention.is_some();
        if group.destroyed && patch.destroyed != Some(false) && changes_more_than_destroyed {
            return Err(refuse(
                "Protection group has been destroyed. Recover it first.",
            ));
        }
        if let Some(new_name) = &patch.name {
            validate_object_name("Protection group", new_name)
                .map_err(|message| ApiFault::bad_request(new_name, message))?;
            let taken = self.protection_groups.iter().any(|record| {
                record.group.id != group.id && record.group.name.eq_ignore_ascii_case(new_name)
            });
            if taken {
                return Err(ApiFault::bad_request(
                    new_name,
                    "Protection group already exists.",
                ));
            }
            group.name = new_name.clone();
        }
        if let Some(schedule) = &patch.snapshot_schedule {
            let current = &mut group.snapshot_schedule;
            current.enabled = schedule.enabled.unwrap_or(current.enabled);
            current.frequency = schedule.frequency.unwrap_or(current.frequency);
            if schedule.at.is_some() {
                current.at = schedule.at;
            }
            check_schedule(name, "snapshot", current.frequency, current.at)?;
        }
        if let Some(schedule) = &patch.replication_schedule {
            let current = &mut group.replication_schedule;
            current.enabled = schedule.enabled.unwrap_or(current.enabled);
            current.frequency = schedule.frequency.unwrap_or(current.frequency);
            if schedule.at.is_some() {
                current.at = schedule.at;
            }
            if let Some(blackout) = &schedule.blackout {
                current.blackout = blackout.window().map_err(|message| refuse(&message))?;
            }
            check_schedule(name, "replication", current.frequency, current.at)?;
            if let Some(window) = current.blackout {
                let on_the_hour = |ms: u64| ms < DAY_MS && ms.is_multiple_of(60 * MINUTE_MS);
                if !on_the_hour(window.start) || !on_the_hour(window.end) {
                    return Err(refuse(
                        "Invalid blackout: start and end must be on the hour, in milliseconds after midnight.",
                    ));
                }
            }
        }
        if let Some(retention) = &patch.source_retention {
            patch_retention(name, &mut group.source_retention, retention)?;
        }
        if let Some(retention) = &patch.target_retention {
            patch_retention(name, &mut group.target_retention, retention)?;
        }
        match patch.destroyed {
            Some(true) if !group.destroyed => {
                group.destroyed = true;
                group.time_remaining = Some(delay);
                self.destroyed_at.insert(group.id.clone(), now_ms);
            }
            Some(false) if group.destroyed => {
                group.destroyed = false;
                group.time_remaining = None;
                self.destroyed_at.remove(&group.id);
            }
            _ => {}
        }
        let old_name = self.protection_groups[index].group.name.clone();
        if group.name != old_name {
            self.follow_group_rename(&group.id, &old_name, &group.name);
        }
        let record = &mut self.protection_groups[index];
        let schedule = group.snapshot_schedule;
        record.next_snapshot_ms = (schedule.enabled && !group.destroyed).then(|| {
            record
                .next_snapshot_ms
                .filter(|_| record.group.snapshot_schedule == schedule)
                .unwrap_or_else(|| next_slot(now_ms, schedule.frequency, schedule.at))
        });
        let replication = group.replication_schedule;
        record.next_replication_ms = (replication.enabled && !group.destroyed).then(|| {
            record
                .next_replication_ms
                .filter(|_| record.group.replication_schedule == replication)
                .unwrap_or_else(|| next_slot(now_ms, replication.frequency, replication.at))
        });
        record.group = group.clone();
        self.follow_group_destruction(&group.id, group.destroyed, now_ms);
        self.sweep(now_ms);
        self.audit(user, "purepgroup", "setattr", name.to_owned(), now_ms);
        Ok(group)
    }

    fn follow_group_rename(&mut self, group_id: &str, old_name: &str, new_name: &str) {
        let mut renamed_ids = BTreeSet::new();
        for record in &mut self.group_snapshots {
            if record.group_id == group_id {
                record.snapshot.source.name = Some(new_name.to_owned());
                record.snapshot.name = format!("{new_name}.{}", record.snapshot.suffix);
                renamed_ids.insert(record.snapshot.id.clone());
            }
        }
        let prefix = format!("{old_name}.");
        for record in &mut self.snapshots {
            let in_group = record
                .group_snapshot_id
                .as_ref()
                .is_some_and(|id| renamed_ids.contains(id));
            if let (true, Some(rest)) = (in_group, record.snapshot.name.strip_prefix(&prefix)) {
                record.snapshot.name = format!("{new_name}.{rest}");
            }
        }
    }

    /// Destroys or recovers a group's snapshots with it, as arrays do.
    fn follow_group_destruction(&mut self, group_id: &str, destroyed: bool, now_ms: i64) {
        let ids: Vec<String> = self
            .group_snapshots
            .iter_mut()
            .filter(|record| record.group_id == group_id)
            .filter_map(|record| {
                if destroyed && !record.snapshot.destroyed {
                    record.destroyed_with_group = true;
                    Some(record.snapshot.id.clone())
                } else if !destroyed && record.destroyed_with_group {
                    record.destroyed_with_group = false;
                    Some(record.snapshot.id.clone())
                } else {
                    None
                }
            })
            .collect();
        for id in ids {
            self.set_group_snapshot_destroyed(&id, destroyed, now_ms);
        }
    }

    /// `DELETE /protection-groups`: eradicates destroyed groups with their snapshots.
    pub fn eradicate_protection_groups(
        &mut self,
        user: &str,
        names: &[String],
        now_ms: i64,
    ) -> Result<(), ApiFault> {
        for name in names {
            self.refuse_if_locked(name, "eradicating the group")?;
        }
        collection::eradicate(&mut self.protection_groups, names)?;
        self.forget_eradicated();
        self.audit(user, "purepgroup", "eradicate", names.join(" "), now_ms);
        Ok(())
    }

    // --- members --------------------------------------------------------------------------

    fn member_key(&self, kind: MemberKind, name: &str) -> Result<String, ApiFault> {
        match kind {
            MemberKind::Volume => Ok(self.volumes[self.volume_index(name)?].id.clone()),
            MemberKind::Host => Ok(self.hosts[collection::position(&self.hosts, name)?]
                .name
                .clone()),
            MemberKind::HostGroup => Ok(self.host_groups
                [collection::position(&self.host_groups, name)?]
            .name
            .clone()),
        }
    }

    fn member_name(&self, member: &Member) -> String {
        match member.kind {
            MemberKind::Volume => self
                .volumes
                .iter()
                .find(|volume| volume.id == member.key)
                .map(|volume| volume.name.clone())
                .unwrap_or_default(),
            MemberKind::Host | MemberKind::HostGroup => member.key.clone(),
        }
    }

    /// Adds members of one kind to a group, all or nothing.
    pub fn add_protection_members(
        &mut self,
        user: &str,
        kind: MemberKind,
        group: &str,
        names: &[String],
        now_ms: i64,
    ) -> Result<Vec<Membership>, ApiFault> {
        let index = self.group_record_index(group)?;
        let record = &self.protection_groups[index];
        if record.group.destroyed {
            return Err(ApiFault::bad_request(
                group,
                "Protection group has been destroyed. Recover it first.",
            ));
        }
        if let Some(other) = record.members.iter().find(|member| member.kind != kind) {
            return Err(ApiFault::bad_request(
                group,
                format!(
                    "Protection group already protects {}; a group protects one kind of object.",
                    other.kind.label()
                ),
            ));
        }
        let mut added = Vec::new();
        for name in names {
            let key = self.member_key(kind, name)?;
            let member = Member { kind, key };
            if self.protection_groups[index].members.contains(&member) || added.contains(&member) {
                return Err(ApiFault::bad_request(
                    name,
                    format!("Already a member of protection group {group}."),
                ));
            }
            added.push(member);
        }
        self.protection_groups[index].members.extend(added);
        self.refresh_member_counts();
        let flag = match kind {
            MemberKind::Volume => "--addvollist",
            MemberKind::Host => "--addhostlist",
            MemberKind::HostGroup => "--addhgrouplist",
        };
        let arguments = format!("{group} {flag} {}", names.join(","));
        self.audit(user, "purepgroup", "setattr", arguments, now_ms);
        Ok(names
            .iter()
            .map(|name| Membership {
                group: reference(group),
                member: reference(name),
            })
            .collect())
    }

    /// Removes members of one kind from a group, all or nothing.
    pub fn remove_protection_members(
        &mut self,
        user: &str,
        kind: MemberKind,
        group: &str,
        names: &[String],
        now_ms: i64,
    ) -> Result<(), ApiFault> {
        let index = self.group_record_index(group)?;
        self.refuse_if_locked(group, "removing members")?;
        let mut removed = Vec::new();
        for name in names {
            let member = Member {
                kind,
                key: self.member_key(kind, name)?,
            };
            if !self.protection_groups[index].members.contains(&member) {
                return Err(ApiFault::bad_request(
                    name,
                    format!("Not a member of protection group {group}."),
                ));
            }
            removed.push(member);
        }
        self.protection_groups[index]
            .members
            .retain(|member| !removed.contains(member));
        self.refresh_member_counts();
        self.audit(
            user,
            "purepgroup",
            "setattr",
            format!("{group} --remove {}", names.join(",")),
            now_ms,
        );
        Ok(())
    }

    /// Memberships of one kind, group then member by name.
    pub fn protection_memberships(&self, kind: MemberKind) -> Vec<Membership> {
        self.protection_groups
            .iter()
            .flat_map(|record| {
                record
                    .members
                    .iter()
                    .filter(move |member| member.kind == kind)
                    .map(|member| Membership {
                        group: Reference {
                            id: Some(record.group.id.clone()),
                            name: Some(record.group.name.clone()),
                        },
                        member: reference(&self.member_name(member)),
                    })
            })
            .collect()
    }

    fn refresh_member_counts(&mut self) {
        for record in &mut self.protection_groups {
            let count = |kind| {
                u32::try_from(
                    record
                        .members
                        .iter()
                        .filter(|member| member.kind == kind)
                        .count(),
                )
                .unwrap_or(u32::MAX)
            };
            record.group.volume_count = count(MemberKind::Volume);
            record.group.host_count = count(MemberKind::Host);
            record.group.host_group_count = count(MemberKind::HostGroup);
        }
    }

    /// Drops members that no longer exist, and follows host and host group renames.
    pub(crate) fn follow_member_changes(&mut self, renamed: Option<(&str, &str)>) {
        let volume_ids: BTreeSet<String> = self
            .volumes
            .iter()
            .map(|volume| volume.id.clone())
            .collect();
        let hosts: BTreeSet<String> = self.hosts.iter().map(|host| host.name.clone()).collect();
        let groups: BTreeSet<String> = self
            .host_groups
            .iter()
            .map(|group| group.name.clone())
            .collect();
        for record in &mut self.protection_groups {
            for member in &mut record.members {
                if let Some((old, new)) = renamed
                    && member.kind != MemberKind::Volume
                    && member.key == old
                {
                    member.key = new.to_owned();
                }
            }
            record.members.retain(|member| match member.kind {
                MemberKind::Volume => volume_ids.contains(&member.key),
                MemberKind::Host => hosts.contains(&member.key),
                MemberKind::HostGroup => groups.contains(&member.key),
            });
        }
        self.refresh_member_counts();
    }

    /// The live volumes a group protects: its volumes, or those connected to its hosts or
    /// host groups, in name order.
    fn protected_volume_ids(&self, record: &GroupRecord) -> Vec<String> {
        let mut ids = BTreeSet::new();
        for member in &record.members {
            match member.kind {
                MemberKind::Volume => {
                    ids.insert(member.key.clone());
                }
                MemberKind::Host => {
                    let group = self
                        .hosts
                        .iter()
                        .find(|host| host.name == member.key)
                        .and_then(|host| host.host_group.name.clone());
                    for connection in &self.connections {
                        let seen = connection.target == Target::Host(member.key.clone())
                            || group.as_ref().is_some_and(|group| {
                                connection.target == Target::Group(group.clone())
                            });
                        if seen {
                            ids.insert(connection.volume_id.clone());
                        }
                    }
                }
                MemberKind::HostGroup => {
                    for connection in &self.connections {
                        if connection.target == Target::Group(member.key.clone()) {
                            ids.insert(connection.volume_id.clone());
                        }
                    }
                }
            }
        }
        let mut volumes: Vec<_> = self
            .volumes
            .iter()
            .filter(|volume| ids.contains(&volume.id) && !volume.destroyed)
            .collect();
        volumes.sort_by(|a, b| a.name.cmp(&b.name));
        volumes
            .into_iter()
            .map(|volume| volume.id.clone())
            .collect()
    }

    // --- protection group snapshots -------------------------------------------------------

    pub fn group_snapshots_view(&self) -> Vec<ProtectionGroupSnapshot> {
        self.group_snapshots
            .iter()
            .map(|record| record.snapshot.clone())
            .collect()
    }

    fn group_snapshot_index(&self, name: &str) -> Result<usize, ApiFault> {
        collection::position(&self.group_snapshots, name)
    }

    /// `POST /protection-group-snapshots`: one snapshot of each group's volumes, all taken at
    /// the same instant; with `apply_retention`, the group's retention then applies to it.
    pub fn create_group_snapshots(
        &mut self,
        user: &str,
        sources: &[String],
        suffix: Option<&str>,
        apply_retention: bool,
        replicate: bool,
        now_ms: i64,
    ) -> Result<Vec<ProtectionGroupSnapshot>, ApiFault> {
        if let Some(suffix) = suffix {
            validate_object_name("Snapshot suffix", suffix)
                .map_err(|message| ApiFault::bad_request(suffix, message))?;
        }
        let mut indexes = Vec::new();
        for source in sources {
            let index = self.group_record_index(source)?;
            if self.protection_groups[index].group.destroyed {
                return Err(ApiFault::bad_request(
                    source,
                    "Protection group has been destroyed. Recover it first.",
                ));
            }
            if let Some(suffix) = suffix {
                let name = format!("{source}.{suffix}");
                if self.group_snapshot_index(&name).is_ok() {
                    return Err(ApiFault::bad_request(
                        name,
                        "Protection group snapshot already exists.",
                    ));
                }
            }
            indexes.push(index);
        }
        let mut created = Vec::new();
        for index in indexes {
            let snapshot = self.take_group_snapshot(index, suffix, apply_retention, now_ms);
            if replicate {
                self.queue_transfers(&snapshot.id, now_ms);
            }
            created.push(snapshot);
            if apply_retention {
                self.apply_retention(index, now_ms);
            }
        }
        self.refresh_snapshot_space();
        let mut arguments = sources.join(" ");
        if let Some(suffix) = suffix {
            arguments.push_str(&format!(" --suffix {suffix}"));
        }
        if apply_retention {
            arguments.push_str(" --apply-retention");
        }
        if replicate {
            arguments.push_str(" --replicate-now");
        }
        self.audit(user, "purepgroup", "snap", arguments, now_ms);
        Ok(created)
    }

    fn take_group_snapshot(
        &mut self,
        index: usize,
        suffix: Option<&str>,
        retained: bool,
        at_ms: i64,
    ) -> ProtectionGroupSnapshot {
        let group = self.protection_groups[index].group.clone();
        let suffix = match suffix {
            Some(suffix) => suffix.to_owned(),
            None => self.next_suffix(&group.id, &group.name),
        };
        let name = format!("{}.{suffix}", group.name);
        let snapshot_id = new_id();
        let volume_ids = self.protected_volume_ids(&self.protection_groups[index]);
        let mut held = 0;
        for volume_id in volume_ids {
            let Some(volume) = self.volumes.iter().find(|volume| volume.id == volume_id) else {
                continue;
            };
            let volume = volume.clone();
            let record = self.new_snapshot(
                &volume,
                format!("{name}.{}", volume.name),
                suffix.clone(),
                Some(snapshot_id.clone()),
                at_ms,
            );
            held += record.snapshot.space.snapshots.unwrap_or(0);
            self.snapshots.push(record);
        }
        let snapshot = ProtectionGroupSnapshot {
            id: snapshot_id,
            name,
            created: at_ms,
            destroyed: false,
            source: Reference {
                id: Some(group.id.clone()),
                name: Some(group.name.clone()),
            },
            suffix,
            time_remaining: None,
            space: Space {
                snapshots: Some(held),
                total_physical: Some(held),
                ..Space::default()
            },
        };
        self.group_snapshots.push(GroupSnapshotRecord {
            snapshot: snapshot.clone(),
            group_id: group.id,
            retained,
            destroyed_with_group: false,
            transfers: Vec::new(),
        });
        snapshot
    }

    fn set_group_snapshot_destroyed(&mut self, id: &str, destroyed: bool, now_ms: i64) {
        for record in &mut self.group_snapshots {
            if record.snapshot.id == id {
                record.snapshot.destroyed = destroyed;
                if !destroyed {
                    record.snapshot.time_remaining = None;
                }
            }
        }
        for record in &mut self.snapshots {
            if record.group_snapshot_id.as_deref() == Some(id) {
                record.snapshot.destroyed = destroyed;
                if !destroyed {
                    record.snapshot.time_remaining = None;
                }
            }
        }
        if destroyed {
            self.destroyed_at.insert(id.to_owned(), now_ms);
        } else {
            self.destroyed_at.remove(id);
        }
    }

    /// `PATCH /protection-group-snapshots`: destroy or recover, all or nothing.
    pub fn patch_group_snapshots(
        &mut self,
        user: &str,
        names: &[String],
        destroyed: Option<bool>,
        now_ms: i64,
    ) -> Result<Vec<ProtectionGroupSnapshot>, ApiFault> {
        let mut ids = Vec::new();
        for name in names {
            let record = &self.group_snapshots[self.group_snapshot_index(name)?];
            if destroyed == Some(false) && record.destroyed_with_group {
                return Err(ApiFault::bad_request(
                    name,
                    "The snapshot's protection group has been destroyed. Recover the group first.",
                ));
            }
            ids.push(record.snapshot.id.clone());
        }
        if let Some(destroyed) = destroyed {
            for id in &ids {
                self.set_group_snapshot_destroyed(id, destroyed, now_ms);
            }
            self.sweep(now_ms);
            let action = if destroyed { "destroy" } else { "recover" };
            self.audit(user, "purepgroup", action, names.join(" "), now_ms);
        }
        Ok(self
            .group_snapshots
            .iter()
            .filter(|record| ids.contains(&record.snapshot.id))
            .map(|record| record.snapshot.clone())
            .collect())
    }

    /// `DELETE /protection-group-snapshots`: eradicates destroyed ones with their volume
    /// snapshots.
    pub fn eradicate_group_snapshots(
        &mut self,
        user: &str,
        names: &[String],
        now_ms: i64,
    ) -> Result<(), ApiFault> {
        self.refuse_locked_snapshots(names)?;
        collection::eradicate(&mut self.group_snapshots, names)?;
        self.forget_eradicated();
        self.refresh_snapshot_space();
        self.audit(user, "purepgroup", "eradicate", names.join(" "), now_ms);
        Ok(())
    }

    // --- schedule and retention -----------------------------------------------------------

    /// Takes every scheduled snapshot due by `now_ms`, then applies retention. Slots older
    /// than the retention period would be pruned at once, so they are skipped.
    pub(crate) fn run_schedules(&mut self, now_ms: i64) {
        for index in 0..self.protection_groups.len() {
            let record = &self.protection_groups[index];
            let Some(mut due) = record.next_snapshot_ms.filter(|due| *due <= now_ms) else {
                continue;
            };
            let schedule = record.group.snapshot_schedule;
            let retention = record.group.source_retention;
            let horizon_ms = i64::try_from(
                retention
                    .all_for_sec
                    .saturating_mul(1000)
                    .saturating_add(retention.days.saturating_mul(DAY_MS)),
            )
            .unwrap_or(i64::MAX / 4);
            if due < now_ms - horizon_ms {
                due = next_slot(now_ms - horizon_ms - 1, schedule.frequency, schedule.at);
            }
            while due <= now_ms {
                self.take_group_snapshot(index, None, true, due);
                due = next_slot(due, schedule.frequency, schedule.at);
            }
            self.protection_groups[index].next_snapshot_ms = Some(due);
            self.apply_retention(index, now_ms);
            self.refresh_snapshot_space();
        }
        self.run_replication_schedules(now_ms);
    }

    /// Sends a snapshot to the targets of each group whose replication fell due: one for
    /// the latest slot, as an array catching up sends what it holds now rather than every
    /// slot it missed; none for a slot in the blackout window.
    fn run_replication_schedules(&mut self, now_ms: i64) {
        for index in 0..self.protection_groups.len() {
            let record = &self.protection_groups[index];
            if record.next_replication_ms.is_none_or(|due| due > now_ms) {
                continue;
            }
            let schedule = record.group.replication_schedule;
            let latest = next_slot(
                now_ms - schedule.frequency as i64,
                schedule.frequency,
                schedule.at,
            );
            let ms_of_day = latest.rem_euclid(DAY_MS as i64) as u64;
            let sends = record.targets.iter().any(|target| target.allowed)
                && !schedule.blacked_out(ms_of_day);
            self.protection_groups[index].next_replication_ms =
                Some(next_slot(now_ms, schedule.frequency, schedule.at));
            if sends {
                let snapshot = self.take_group_snapshot(index, None, true, latest);
                self.queue_transfers(&snapshot.id, latest);
                self.apply_retention(index, now_ms);
                self.refresh_snapshot_space();
            }
        }
    }

    /// Destroys the group's retained snapshots its policy no longer keeps: every one younger
    /// than `all_for_sec`; then, for each of `days` days, the newest in each of `per_day`
    /// equal parts of the day.
    fn apply_retention(&mut self, index: usize, now_ms: i64) {
        let record = &self.protection_groups[index];
        let (group_id, policy) = (record.group.id.clone(), record.group.source_retention);
        self.apply_policy(&group_id, policy, now_ms);
    }

    /// Destroys the retained snapshots of the group `group_id` (local, or replicated here)
    /// that `policy` no longer keeps.
    pub(crate) fn apply_policy(&mut self, group_id: &str, policy: RetentionPolicy, now_ms: i64) {
        let keep_all_after = now_ms.saturating_sub(
            i64::try_from(policy.all_for_sec.saturating_mul(1000)).unwrap_or(i64::MAX),
        );
        let day = i64::try_from(DAY_MS).unwrap_or(i64::MAX);
        let days = i64::try_from(policy.days).unwrap_or(0);
        let per_day = i64::try_from(policy.per_day).unwrap_or(0);
        let mut candidates: Vec<(i64, String)> = self
            .group_snapshots
            .iter()
            .filter(|snapshot| {
                snapshot.group_id == group_id && snapshot.retained && !snapshot.snapshot.destroyed
            })
            .map(|snapshot| (snapshot.snapshot.created, snapshot.snapshot.id.clone()))
            .collect();
        candidates.sort();
        let mut kept_buckets = BTreeSet::new();
        let mut pruned = Vec::new();
        for (created, id) in candidates.into_iter().rev() {
            if created > keep_all_after {
                continue;
            }
            let age = keep_all_after.saturating_sub(created);
            let day_index = age / day;
            let bucket = if per_day > 0 && day_index < days {
                Some((day_index, (age % day) * per_day / day))
            } else {
                None
            };
            match bucket {
                Some(bucket) if kept_buckets.insert(bucket) => {}
                _ => pruned.push(id),
            }
        }
        for id in pruned {
            self.set_group_snapshot_destroyed(&id, true, now_ms);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_fall_on_multiples_of_the_frequency_from_at() {
        let hour = 3_600_000;
        assert_eq!(next_slot(0, hour, None), 3_600_000);
        assert_eq!(next_slot(3_599_999, hour, None), 3_600_000);
        assert_eq!(next_slot(3_600_000, hour, None), 7_200_000);
        // `at` is seconds after midnight.
        let two_o_clock = Some(2 * 3600);
        assert_eq!(next_slot(0, DAY_MS, two_o_clock), 2 * 3_600_000);
        assert_eq!(
            next_slot(3 * 3_600_000, DAY_MS, two_o_clock),
            i64::try_from(DAY_MS).unwrap() + 2 * 3_600_000
        );
        // Unused by a schedule that is not whole days.
        assert_eq!(next_slot(0, hour, two_o_clock), 3_600_000);
    }
}
