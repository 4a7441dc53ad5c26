//! Space and performance figures: `volumes/space`, `arrays/space`, `volumes/performance`,
//! `hosts/performance` and `arrays/performance`.
//!
//! Space adds up what the volumes and snapshots hold, so it stays consistent with them.
//! Performance is made up but plausible and deterministic: each volume has a steady load
//! derived from its name, swelling and ebbing over the day, capped by its QoS limits.
//!
//! History is derived the same way: a volume exists from its `created` time and its data
//! grows from a third of what it holds now to all of it; load follows the time of day. So
//! history follows the simulator's clock and agrees with the present figures.

use std::borrow::Cow;

use shared::flasharray::{ArraySpace, Host, Performance, Space, Volume, VolumeSpace};

use crate::records::Target;

use crate::state::{ArrayState, ratio};

/// Physical space the array keeps for its own metadata, as a share of what data uses.
const SYSTEM_SHARE: f64 = 0.02;

fn stable_hash(text: &str) -> u64 {
    // FNV-1a: stable across runs and platforms, unlike std's hasher.
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl ArrayState {
    /// The volumes `destroyed` selects (all when `None`).
    pub(crate) fn volumes_in(&self, destroyed: Option<bool>) -> impl Iterator<Item = &Volume> {
        self.volumes
            .iter()
            .filter(move |volume| destroyed.is_none_or(|destroyed| volume.destroyed == destroyed))
    }

    pub fn volume_spaces(&self, destroyed: Option<bool>, now_ms: i64) -> Vec<VolumeSpace> {
        self.volumes_in(destroyed)
            .map(|volume| VolumeSpace {
                id: volume.id.clone(),
                name: volume.name.clone(),
                space: volume.space.clone(),
                time: now_ms,
            })
            .collect()
    }

    /// Each volume's space at each of `times`, volume by volume, oldest first.
    pub fn volume_space_history(
        &self,
        volumes: &[&Volume],
        times: &[i64],
        now_ms: i64,
    ) -> Vec<VolumeSpace> {
        volumes
            .iter()
            .flat_map(|volume| {
                times.iter().filter_map(move |&time| {
                    space_at(volume, time, now_ms).map(|space| VolumeSpace {
                        id: volume.id.clone(),
                        name: volume.name.clone(),
                        space,
                        time,
                    })
                })
            })
            .collect()
    }

    pub fn array_space(&self, now_ms: i64) -> ArraySpace {
        let volumes = self
            .volumes
            .iter()
            .map(|volume| (volume.provisioned, Cow::Borrowed(&volume.space)));
        self.array_space_of(volumes, now_ms)
    }

    /// The array's space at `time`, from its volumes as they were then.
    pub fn array_space_at(&self, time: i64, now_ms: i64) -> ArraySpace {
        let volumes = self.volumes.iter().filter_map(|volume| {
            Some((
                volume.provisioned,
                Cow::Owned(space_at(volume, time, now_ms)?),
            ))
        });
        self.array_space_of(volumes, time)
    }

    /// What the volumes' `(provisioned, space)` add up to, in one pass over them.
    fn array_space_of<'a>(
        &self,
        volumes: impl Iterator<Item = (u64, Cow<'a, Space>)>,
        time: i64,
    ) -> ArraySpace {
        let (mut unique, mut snapshots, mut written, mut provisioned) = (0u64, 0u64, 0u64, 0u64);
        for (size, space) in volumes {
            unique = unique.saturating_add(space.unique.unwrap_or(0));
            snapshots = snapshots.saturating_add(space.snapshots.unwrap_or(0));
            written = written.saturating_add(space.virtual_.unwrap_or(0));
            provisioned = provisioned.saturating_add(size);
        }
        let system = (unique.saturating_add(snapshots) as f64 * SYSTEM_SHARE) as u64;
        let physical = unique.saturating_add(snapshots).saturating_add(system);
        ArraySpace {
            id: self.id.clone(),
            name: self.name.clone(),
            capacity: self.capacity,
            parity: 1.0,
            space: Space {
                data_reduction: Some(ratio(written, unique)),
                total_reduction: Some(ratio(provisioned, unique + snapshots)),
                thin_provisioning: Some(if provisioned == 0 {
                    0.0
                } else {
                    1.0 - written as f64 / provisioned as f64
                }),
                unique: Some(unique),
                snapshots: Some(snapshots),
                shared: Some(0),
                system: Some(system),
                total_physical: Some(physical),
                total_provisioned: Some(provisioned),
                used_provisioned: Some(written),
                virtual_: Some(written),
            },
            time,
        }
    }

    pub fn volume_performances(&self, destroyed: Option<bool>, now_ms: i64) -> Vec<Performance> {
        self.volumes_in(destroyed)
            .map(|volume| volume_performance(volume, now_ms, self.load_scale))
            .collect()
    }

    /// Each volume's load at each of `times`, volume by volume, oldest first.
    pub fn volume_performance_history(
        &self,
        volumes: &[&Volume],
        times: &[i64],
    ) -> Vec<Performance> {
        volumes
            .iter()
            .flat_map(|volume| {
                times
                    .iter()
                    .filter(|&&time| volume.created <= time)
                    .map(|&time| volume_performance(volume, time, self.load_scale))
            })
            .collect()
    }

    /// The whole array's load at `now_ms`: what its volumes that existed then add up to.
    pub fn array_performance(&self, now_ms: i64) -> Performance {
        let volumes: Vec<Performance> = self
            .volumes
            .iter()
            .filter(|volume| volume.created <= now_ms)
            .map(|volume| volume_load(volume, now_ms, self.load_scale))
            .collect();
        Performance {
            id: self.id.clone(),
            name: self.name.clone(),
            ..sum_of_loads(&volumes, now_ms)
        }
    }

    /// A host's load at `time`: what the volumes it sees, privately or through its host
    /// group, add up to. Host figures carry no id (`ResourcePerformanceNoId`).
    pub fn host_performance(&self, host: &Host, time: i64) -> Performance {
        let group = host.host_group.name.as_deref();
        let volumes: Vec<Performance> = self
            .connections
            .iter()
            .filter(|connection| match &connection.target {
                Target::Host(name) => *name == host.name,
                Target::Group(name) => Some(name.as_str()) == group,
            })
            .filter_map(|connection| {
                self.volumes
                    .iter()
                    .find(|volume| volume.id == connection.volume_id)
            })
            .filter(|volume| volume.created <= time)
            .map(|volume| volume_load(volume, time, self.load_scale))
            .collect();
        Performance {
            name: host.name.clone(),
            ..sum_of_loads(&volumes, time)
        }
    }
}

/// What `volumes`' loads at `time` add up to, latencies weighted by operations.
fn sum_of_loads(volumes: &[Performance], time: i64) -> Performance {
    let total = |field: fn(&Performance) -> u64| volumes.iter().map(field).sum::<u64>();
    let reads = total(|p| p.reads_per_sec);
    let writes = total(|p| p.writes_per_sec);
    let read_bytes = total(|p| p.read_bytes_per_sec);
    let write_bytes = total(|p| p.write_bytes_per_sec);
    let weighted = |field: fn(&Performance) -> u64, weight: fn(&Performance) -> u64| {
        let ops: u64 = volumes.iter().map(weight).sum();
        per(volumes.iter().map(|p| field(p) * weight(p)).sum(), ops)
    };
    let usec_per_read_op = weighted(|p| p.usec_per_read_op, |p| p.reads_per_sec);
    let usec_per_write_op = weighted(|p| p.usec_per_write_op, |p| p.writes_per_sec);
    Performance {
        id: String::new(),
        name: String::new(),
        time,
        reads_per_sec: reads,
        writes_per_sec: writes,
        read_bytes_per_sec: read_bytes,
        write_bytes_per_sec: write_bytes,
        usec_per_read_op,
        usec_per_write_op,
        bytes_per_read: per(read_bytes, reads),
        bytes_per_write: per(write_bytes, writes),
        bytes_per_op: per(read_bytes + write_bytes, reads + writes),
        queue_usec_per_read_op: usec_per_read_op / 10,
        queue_usec_per_write_op: usec_per_write_op / 10,
        service_usec_per_read_op: usec_per_read_op * 9 / 10,
        service_usec_per_write_op: usec_per_write_op * 9 / 10,
    }
}

fn per(total: u64, count: u64) -> u64 {
    total.checked_div(count).unwrap_or(0)
}

/// How much of its present data a volume held at `time`: a third when it was created, all
/// of it now. `None` before it existed.
fn space_at(volume: &Volume, time: i64, now_ms: i64) -> Option<Space> {
    if volume.created > time {
        return None;
    }
    let lifetime = (now_ms - volume.created).max(1) as f64;
    let share = (1.0 + 2.0 * ((time - volume.created) as f64 / lifetime).min(1.0)) / 3.0;
    let grown = |bytes: Option<u64>| bytes.map(|bytes| (bytes as f64 * share) as u64);
    let space = &volume.space;
    Some(Space {
        unique: grown(space.unique),
        snapshots: grown(space.snapshots),
        total_physical: grown(space.total_physical),
        used_provisioned: grown(space.used_provisioned),
        virtual_: grown(space.virtual_),
        ..space.clone()
    })
}

/// A volume's load at `now_ms`.
fn volume_performance(volume: &Volume, now_ms: i64, scale: f64) -> Performance {
    Performance {
        id: volume.id.clone(),
        name: volume.name.clone(),
        ..volume_load(volume, now_ms, scale)
    }
}

/// A volume's load at `now_ms`, without its name and id: the array adds up thousands of these
/// for every `arrays/performance`, and copying names would be most of the work.
fn volume_load(volume: &Volume, now_ms: i64, scale: f64) -> Performance {
    let hash = stable_hash(&volume.name);
    let idle = volume.destroyed || volume.space.virtual_.unwrap_or(0) == 0;
    // Busiest in the afternoon, quietest at night, and never quite the same twice.
    let day_fraction = (now_ms.rem_euclid(86_400_000)) as f64 / 86_400_000.0;
    // A different wobble every five minutes, mixed from the name's hash without allocating.
    let bucket = now_ms.div_euclid(300_000) as u64;
    let noise = ((hash ^ bucket).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 40) % 1000;
    let swing = (1.0 + 0.5 * ((day_fraction - 0.375) * std::f64::consts::TAU).sin())
        * (0.85 + noise as f64 / 3333.0);
    let base_ops = if idle {
        0.0
    } else {
        (50 + hash % 4000) as f64 * swing * scale
    };
    let mut ops = base_ops as u64;
    if let Some(limit) = volume.qos.iops_limit {
        ops = ops.min(limit);
    }
    let bytes_per_op = 4096 * (1 + (hash >> 16) % 16);
    if let Some(limit) = volume.qos.bandwidth_limit {
        ops = ops.min(limit / bytes_per_op);
    }
    let read_share = 50 + (hash >> 8) % 40;
    let reads = ops * read_share / 100;
    let writes = ops - reads;
    let usec_per_read_op = if idle { 0 } else { 150 + (hash >> 24) % 350 };
    let usec_per_write_op = if idle { 0 } else { 200 + (hash >> 32) % 500 };
    Performance {
        id: String::new(),
        name: String::new(),
        time: now_ms,
        reads_per_sec: reads,
        writes_per_sec: writes,
        read_bytes_per_sec: reads * bytes_per_op,
        write_bytes_per_sec: writes * bytes_per_op,
        usec_per_read_op,
        usec_per_write_op,
        bytes_per_read: if reads == 0 { 0 } else { bytes_per_op },
        bytes_per_write: if writes == 0 { 0 } else { bytes_per_op },
        bytes_per_op: if ops == 0 { 0 } else { bytes_per_op },
        queue_usec_per_read_op: usec_per_read_op / 10,
        queue_usec_per_write_op: usec_per_write_op / 10,
        service_usec_per_read_op: usec_per_read_op * 9 / 10,
        service_usec_per_write_op: usec_per_write_op * 9 / 10,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::Seed;

    #[test]
    fn a_hosts_load_is_what_the_volumes_it_sees_add_up_to_privately_and_through_its_group() {
        let mut state = ArrayState::new("demo");
        let now = 1_800_000_000_000;
        Seed::Demo.apply(&mut state, now);
        let connections = state.connections_view();
        let in_group = state
            .hosts
            .iter()
            .find(|host| host.host_group.name.is_some())
            .expect("a host in a group");
        for host in [&state.hosts[0], in_group] {
            let group = host.host_group.name.as_deref();
            let mut seen: Vec<&Volume> = connections
                .iter()
                .filter(|connection| {
                    connection.host.name.as_deref() == Some(host.name.as_str())
                        || (group.is_some() && connection.host_group.name.as_deref() == group)
                })
                .filter_map(|connection| {
                    let name = connection.volume.name.as_deref()?;
                    state.volumes.iter().find(|volume| volume.name == name)
                })
                .collect();
            seen.sort_by(|a, b| a.name.cmp(&b.name));
            seen.dedup_by(|a, b| a.name == b.name);
            assert!(!seen.is_empty(), "{} sees volumes", host.name);
            let figures = state.host_performance(host, now);
            let reads: u64 = seen
                .iter()
                .map(|volume| volume_load(volume, now, state.load_scale).reads_per_sec)
                .sum();
            assert_eq!(figures.reads_per_sec, reads, "{}", host.name);
            assert_eq!(figures.name, host.name);
            assert!(figures.id.is_empty(), "host figures carry no id");
        }
    }
}
