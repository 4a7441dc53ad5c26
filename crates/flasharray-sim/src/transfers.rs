//! Replicated snapshots. On the source array, each protection group snapshot sent to a target
//! has a transfer: when it started, how many bytes it sends (the whole data the first time, a
//! baseline; what changed since the last one after that) and when it completed. On the
//! target, the snapshot arrives whole as `SOURCE:GROUP.SUFFIX`, with volume snapshots
//! `SOURCE:GROUP.SUFFIX.VOL` that can be copied to volumes there. The replicator
//! (`replicator`) sends each snapshot once the link's rate says it has arrived.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use shared::flasharray::{
    ProtectionGroupPerformance, ProtectionGroupSnapshot, ProtectionGroupSnapshotTransfer,
    Reference, RetentionPolicy, Space, VolumeSnapshot,
};

use shared::names::validate_object_name;

use crate::collection::new_id;
use crate::error::ApiFault;
use crate::protection::{DAY_MS, MAX_DAYS, MAX_PER_DAY};
use crate::records::{GroupSnapshotRecord, REPLICA_GROUP, SnapshotRecord, Transfer};
use crate::state::ArrayState;

/// Bytes a second a replication link carries unless its connection is throttled: about what
/// a 10 GbE replication port sends.
pub const DEFAULT_RATE: u64 = 1_000_000_000;
/// The most volumes one arriving snapshot may hold: more than any protection group has.
const MAX_ARRIVING_VOLUMES: usize = 5_000;

impl Transfer {
    /// Milliseconds it takes at `rate` bytes a second.
    fn duration_ms(&self, rate: u64) -> i64 {
        i64::try_from(self.bytes.saturating_mul(1000) / rate.max(1)).unwrap_or(i64::MAX / 4)
    }

    /// From 0 to 1; short of 1 until it has arrived.
    fn progress(&self, rate: u64, now_ms: i64) -> f64 {
        if self.completed.is_some() {
            return 1.0;
        }
        let duration = self.duration_ms(rate).max(1);
        ((now_ms - self.started) as f64 / duration as f64).clamp(0.0, 0.99)
    }
}

/// A volume snapshot as sent: what the target needs to hold it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ArrivingVolume {
    pub volume: String,
    pub provisioned: u64,
    pub written: u64,
    pub held: u64,
    pub data_reduction: Option<f64>,
}

/// `POST /sim/peer/snapshots`: a protection group snapshot arriving on a target.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SnapshotArrival {
    /// The connection's secret, by which the target knows the source.
    pub secret: String,
    pub source: String,
    pub group: String,
    pub suffix: String,
    pub created: i64,
    pub started: i64,
    pub completed: i64,
    pub bytes: u64,
    /// The group's target retention, which the target applies to what it holds of it.
    pub retention: RetentionPolicy,
    pub volumes: Vec<ArrivingVolume>,
}

impl SnapshotArrival {
    /// What a target checks before holding anything another array sends: names it could
    /// hold, times in order, a retention within what arrays accept, a bounded size.
    fn check(&self) -> Result<(), ApiFault> {
        let refuse = |message: String| ApiFault::invalid(message);
        // The array numbers snapshots itself; a suffix given is a name.
        let numbered = (1..=20).contains(&self.suffix.len())
            && self.suffix.bytes().all(|byte| byte.is_ascii_digit());
        if !numbered {
            validate_object_name("Snapshot suffix", &self.suffix).map_err(refuse)?;
        }
        if self.volumes.len() > MAX_ARRIVING_VOLUMES {
            return Err(refuse(format!(
                "A replicated snapshot holds at most {MAX_ARRIVING_VOLUMES} volumes."
            )));
        }
        for volume in &self.volumes {
            validate_object_name("Volume", &volume.volume).map_err(refuse)?;
        }
        if self.created < 0 || self.started < self.created || self.completed < self.started {
            return Err(refuse(
                "A replicated snapshot is taken, then sent, then arrives.".to_owned(),
            ));
        }
        let policy = self.retention;
        if policy.per_day > MAX_PER_DAY
            || policy.days > MAX_DAYS
            || policy.all_for_sec > MAX_DAYS * DAY_MS / 1000
        {
            return Err(refuse(
                "The target retention is beyond what arrays keep.".to_owned(),
            ));
        }
        Ok(())
    }
}

/// A snapshot due to arrive on a target, and where that target is.
#[derive(Debug, Clone)]
pub(crate) struct Shipment {
    pub snapshot_id: String,
    pub target: String,
    pub address: String,
    pub arrival: SnapshotArrival,
}

/// What a target names the snapshots it holds of `source`'s `group`.
fn replica_group_name(source: &str, group: &str) -> String {
    format!("{source}:{group}")
}

/// The group id the snapshots replicated here are kept under: never a local group's.
fn replica_group_id(source: &str, group: &str) -> String {
    format!(
        "{REPLICA_GROUP}{}",
        replica_group_name(source, group).to_ascii_lowercase()
    )
}

impl ArrayState {
    /// Bytes a second the link to `array` carries: its connection's throttle, if set, else
    /// the array's replication rate.
    pub(crate) fn rate_to(&self, array: &str) -> u64 {
        self.array_connections
            .iter()
            .find(|linked| linked.connection.name.eq_ignore_ascii_case(array))
            .and_then(|linked| linked.connection.throttle.as_ref())
            .and_then(|throttle| throttle.default_limit)
            .filter(|limit| *limit > 0)
            .or(self.replication_rate)
            .unwrap_or(DEFAULT_RATE)
    }

    /// Starts sending the group snapshot `snapshot_id` to each target that allows its group.
    pub(crate) fn queue_transfers(&mut self, snapshot_id: &str, now_ms: i64) {
        let Some(index) = self
            .group_snapshots
            .iter()
            .position(|record| record.snapshot.id == snapshot_id)
        else {
            return;
        };
        let group_id = self.group_snapshots[index].group_id.clone();
        let Some(group) = self
            .protection_groups
            .iter()
            .find(|record| record.group.id == group_id)
        else {
            return;
        };
        let targets: Vec<String> = group
            .targets
            .iter()
            .filter(|target| target.allowed)
            .map(|target| target.array.clone())
            .collect();
        let members: Vec<&SnapshotRecord> = self
            .snapshots
            .iter()
            .filter(|record| record.group_snapshot_id.as_deref() == Some(snapshot_id))
            .collect();
        let whole: u64 = members
            .iter()
            .map(|record| reduced(record.written, record.snapshot.space.data_reduction))
            .sum();
        let changed: u64 = members
            .iter()
            .map(|record| record.snapshot.space.snapshots.unwrap_or(0))
            .sum();
        let transfers: Vec<Transfer> = targets
            .into_iter()
            .map(|target| {
                let baseline_sent = self.group_snapshots.iter().any(|other| {
                    other.group_id == group_id
                        && other.transfers.iter().any(|transfer| {
                            transfer.array.eq_ignore_ascii_case(&target)
                                && transfer.completed.is_some()
                        })
                });
                Transfer {
                    array: target,
                    started: now_ms,
                    bytes: if baseline_sent { changed } else { whole },
                    completed: None,
                    stalled: false,
                }
            })
            .collect();
        self.group_snapshots[index].transfers.extend(transfers);
    }

    /// `GET protection-group-snapshots/transfer`: every snapshot sent or received, with how
    /// far it got (on a source sending to several targets, the slowest).
    /// How many bytes a second each group's replication sent and received over the
    /// `resolution` before each of `times`: each transfer's bytes spread evenly over the time
    /// it took (or takes, at the link's rate), counted where its span meets the sample's.
    pub(crate) fn replication_performance(
        &self,
        times: &[i64],
        resolution: i64,
        now_ms: i64,
    ) -> Vec<ProtectionGroupPerformance> {
        let resolution = resolution.max(1);
        let mut by_group: std::collections::BTreeMap<&str, Vec<f64>> = Default::default();
        for record in &self.group_snapshots {
            let group = record
                .snapshot
                .name
                .rsplit_once('.')
                .map_or(record.snapshot.name.as_str(), |(group, _)| group);
            let rates = by_group
                .entry(group)
                .or_insert_with(|| vec![0.0; times.len()]);
            for transfer in &record.transfers {
                let duration = transfer.duration_ms(self.rate_to(&transfer.array)).max(1);
                let end = transfer
                    .completed
                    .unwrap_or_else(|| transfer.started.saturating_add(duration))
                    .min(now_ms);
                let span = (end - transfer.started).max(1) as f64;
                for (rate, time) in rates.iter_mut().zip(times) {
                    let overlap = (end.min(*time) - transfer.started.max(time - resolution)).max(0);
                    *rate += transfer.bytes as f64 * overlap as f64
                        / span
                        / (resolution as f64 / 1000.0);
                }
            }
        }
        let ids: HashMap<&str, &str> = self
            .protection_groups
            .iter()
            .map(|record| (record.group.name.as_str(), record.group.id.as_str()))
            .collect();
        by_group
            .into_iter()
            .flat_map(|(group, rates)| {
                let id = ids.get(group).map(|id| (*id).to_owned());
                times
                    .iter()
                    .zip(rates)
                    .map(move |(time, rate)| ProtectionGroupPerformance {
                        id: id.clone(),
                        name: group.to_owned(),
                        time: *time,
                        bytes_per_sec: rate as u64,
                    })
            })
            .collect()
    }

    pub(crate) fn transfers_view(&self, now_ms: i64) -> Vec<ProtectionGroupSnapshotTransfer> {
        self.group_snapshots
            .iter()
            .filter(|record| !record.transfers.is_empty())
            .map(|record| {
                let transfers = &record.transfers;
                let progress: Vec<f64> = transfers
                    .iter()
                    .map(|transfer| transfer.progress(self.rate_to(&transfer.array), now_ms))
                    .collect();
                let sent: f64 = transfers
                    .iter()
                    .zip(&progress)
                    .map(|(transfer, progress)| transfer.bytes as f64 * progress)
                    .sum();
                let completed = transfers
                    .iter()
                    .map(|transfer| transfer.completed)
                    .collect::<Option<Vec<i64>>>()
                    .and_then(|all| all.into_iter().max());
                ProtectionGroupSnapshotTransfer {
                    id: record.snapshot.id.clone(),
                    name: record.snapshot.name.clone(),
                    destroyed: record.snapshot.destroyed,
                    started: transfers.iter().map(|transfer| transfer.started).min(),
                    completed,
                    progress: progress.iter().copied().reduce(f64::min),
                    data_transferred: Some(sent as u64),
                    physical_bytes_written: Some(sent as u64),
                }
            })
            .collect()
    }

    /// The snapshots whose time to arrive has come. With the link down, none: each is marked
    /// stalled, to arrive when it is back.
    pub(crate) fn shipments_due(&mut self, now_ms: i64, link_down: bool) -> Vec<Shipment> {
        let mut due = Vec::new();
        for index in 0..self.group_snapshots.len() {
            for slot in 0..self.group_snapshots[index].transfers.len() {
                let transfer = &self.group_snapshots[index].transfers[slot];
                let arrives =
                    transfer.started + transfer.duration_ms(self.rate_to(&transfer.array));
                if transfer.completed.is_some() || arrives > now_ms {
                    continue;
                }
                if link_down {
                    self.group_snapshots[index].transfers[slot].stalled = true;
                    continue;
                }
                let completed = if transfer.stalled { now_ms } else { arrives };
                let target = transfer.array.clone();
                if let Some(shipment) = self.shipment(index, &target, completed) {
                    due.push(shipment);
                }
            }
        }
        due
    }

    fn shipment(&self, index: usize, target: &str, completed: i64) -> Option<Shipment> {
        let record = &self.group_snapshots[index];
        let transfer = record
            .transfers
            .iter()
            .find(|transfer| transfer.array == target)?;
        let group = self
            .protection_groups
            .iter()
            .find(|group| group.group.id == record.group_id)?;
        let volumes = self
            .snapshots
            .iter()
            .filter(|volume| volume.group_snapshot_id.as_deref() == Some(&record.snapshot.id))
            .map(|volume| ArrivingVolume {
                volume: volume.snapshot.source.name.clone().unwrap_or_default(),
                provisioned: volume.snapshot.provisioned,
                written: volume.written,
                held: volume.snapshot.space.snapshots.unwrap_or(0),
                data_reduction: volume.snapshot.space.data_reduction,
            })
            .collect();
        Some(Shipment {
            snapshot_id: record.snapshot.id.clone(),
            target: target.to_owned(),
            address: self.address_of(target).ok()?,
            arrival: SnapshotArrival {
                secret: self.secret_with(target),
                source: self.name.clone(),
                group: group.group.name.clone(),
                suffix: record.snapshot.suffix.clone(),
                created: record.snapshot.created,
                started: transfer.started,
                completed,
                bytes: transfer.bytes,
                retention: group.group.target_retention,
                volumes,
            },
        })
    }

    /// The target holds the snapshot now.
    pub(crate) fn shipped(&mut self, snapshot_id: &str, target: &str, completed: i64) {
        if let Some(transfer) = self.transfer_mut(snapshot_id, target) {
            transfer.completed = Some(completed);
            transfer.stalled = false;
        }
    }

    /// The target could not be reached: the snapshot arrives once it can.
    pub(crate) fn stall(&mut self, snapshot_id: &str, target: &str) {
        if let Some(transfer) = self.transfer_mut(snapshot_id, target) {
            transfer.stalled = true;
        }
    }

    /// The target refused the snapshot (it no longer allows the group, say): it is not sent.
    pub(crate) fn abandon(&mut self, snapshot_id: &str, target: &str) {
        if let Some(record) = self
            .group_snapshots
            .iter_mut()
            .find(|record| record.snapshot.id == snapshot_id)
        {
            record.transfers.retain(|transfer| transfer.array != target);
        }
    }

    fn transfer_mut(&mut self, snapshot_id: &str, target: &str) -> Option<&mut Transfer> {
        self.group_snapshots
            .iter_mut()
            .find(|record| record.snapshot.id == snapshot_id)?
            .transfers
            .iter_mut()
            .find(|transfer| transfer.array == target)
    }

    /// Holds a snapshot sent by a connected array, of a group it replicates here and this
    /// array allows; then applies the group's target retention to what it holds of it.
    pub(crate) fn receive_snapshot(
        &mut self,
        arrival: &SnapshotArrival,
        now_ms: i64,
    ) -> Result<(), ApiFault> {
        arrival.check()?;
        let group_name = replica_group_name(&arrival.source, &arrival.group);
        let allowed = self.replicated_here.iter().any(|here| {
            here.targeted && here.allowed && here.name().eq_ignore_ascii_case(&group_name)
        });
        if !allowed {
            return Err(ApiFault::bad_request(
                &group_name,
                format!("Protection group {group_name} is not allowed on this array."),
            ));
        }
        let name = format!("{group_name}.{}", arrival.suffix);
        if self
            .group_snapshots
            .iter()
            .any(|record| record.snapshot.name.eq_ignore_ascii_case(&name))
        {
            return Ok(());
        }
        let snapshot_id = new_id();
        let group_id = replica_group_id(&arrival.source, &arrival.group);
        let listed_id = self.replicated_group_id(&arrival.source, &arrival.group);
        for volume in &arrival.volumes {
            let snapshot = VolumeSnapshot {
                id: new_id(),
                name: format!("{name}.{}", volume.volume),
                created: arrival.created,
                destroyed: false,
                provisioned: volume.provisioned,
                serial: self.serial(),
                source: Reference {
                    id: None,
                    name: Some(format!("{}:{}", arrival.source, volume.volume)),
                },
                suffix: arrival.suffix.clone(),
                time_remaining: None,
                space: Space {
                    snapshots: Some(volume.held),
                    total_physical: Some(volume.held),
                    total_provisioned: Some(volume.provisioned),
                    virtual_: Some(volume.written),
                    data_reduction: volume.data_reduction,
                    ..Space::default()
                },
            };
            self.snapshots.push(SnapshotRecord {
                snapshot,
                volume_id: String::new(),
                written: volume.written,
                group_snapshot_id: Some(snapshot_id.clone()),
                destroyed_with_volume: false,
            });
        }
        self.group_snapshots.push(GroupSnapshotRecord {
            snapshot: ProtectionGroupSnapshot {
                id: snapshot_id,
                name,
                created: arrival.created,
                destroyed: false,
                source: Reference {
                    id: listed_id,
                    name: Some(group_name),
                },
                suffix: arrival.suffix.clone(),
                time_remaining: None,
                space: Space {
                    snapshots: Some(arrival.bytes),
                    total_physical: Some(arrival.bytes),
                    ..Space::default()
                },
            },
            group_id: group_id.clone(),
            retained: true,
            destroyed_with_group: false,
            transfers: vec![Transfer {
                array: arrival.source.clone(),
                started: arrival.started,
                bytes: arrival.bytes,
                completed: Some(arrival.completed),
                stalled: false,
            }],
        });
        self.apply_policy(&group_id, arrival.retention, now_ms);
        Ok(())
    }
}

/// Bytes left of `written` after data reduction.
fn reduced(written: u64, data_reduction: Option<f64>) -> u64 {
    match data_reduction {
        Some(ratio) if ratio >= 1.0 => (written as f64 / ratio) as u64,
        _ => written,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arrival() -> SnapshotArrival {
        SnapshotArrival {
            secret: "s".into(),
            source: "fa-src".into(),
            group: "pg1".into(),
            suffix: "1".into(),
            created: 1_000,
            started: 1_000,
            completed: 2_000,
            bytes: 10,
            retention: RetentionPolicy {
                all_for_sec: 86_400,
                per_day: 4,
                days: 7,
            },
            volumes: vec![ArrivingVolume {
                volume: "vol1".into(),
                provisioned: 1 << 30,
                written: 0,
                held: 0,
                data_reduction: None,
            }],
        }
    }

    #[test]
    fn a_link_carries_the_arrays_replication_rate_unless_throttled() {
        let mut state = ArrayState::new("fa-src");
        assert_eq!(state.rate_to("fa-dst"), DEFAULT_RATE);
        state.replication_rate = Some(20 * DEFAULT_RATE);
        assert_eq!(state.rate_to("fa-dst"), 20 * DEFAULT_RATE);
    }

    #[test]
    fn an_arrival_is_held_only_with_names_times_and_retention_an_array_accepts() {
        assert!(arrival().check().is_ok());
        let hostile: [fn(&mut SnapshotArrival); 8] = [
            |arrival| arrival.suffix = "1,2".into(),
            |arrival| arrival.suffix = "<img src=x>".into(),
            |arrival| arrival.suffix = "x".repeat(100_000),
            |arrival| arrival.volumes[0].volume = "../../etc".into(),
            |arrival| arrival.created = i64::MIN,
            |arrival| arrival.completed = arrival.started - 1,
            |arrival| arrival.retention.all_for_sec = u64::MAX,
            |arrival| {
                let volume = arrival.volumes[0].clone();
                arrival.volumes = vec![volume; MAX_ARRIVING_VOLUMES + 1];
            },
        ];
        for (index, spoil) in hostile.iter().enumerate() {
            let mut spoiled = arrival();
            spoil(&mut spoiled);
            assert!(spoiled.check().is_err(), "case {index}");
        }
    }
}
