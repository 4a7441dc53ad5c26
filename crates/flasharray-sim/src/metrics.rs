//! Space and performance figures: `volumes/space`, `arrays/space`, `volumes/performance` and
//! `arrays/performance`.
//!
//! Space adds up what the volumes and snapshots hold, so it stays consistent with them.
//! Performance is made up but plausible and deterministic: each volume has a steady load
//! derived from its name, swelling and ebbing over the day, capped by its QoS limits.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use shared::flasharray::{ArraySpace, ListResponse, Performance, Space, Volume, VolumeSpace};

use crate::api::{ApiQuery, ListQuery, page, select};
use crate::auth::Caller;
use crate::error::ApiFault;
use crate::server::Simulator;
use crate::state::{ArrayState, CAPACITY, ratio};

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
    fn volumes_in(&self, destroyed: Option<bool>) -> impl Iterator<Item = &Volume> {
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

    pub fn array_space(&self, now_ms: i64) -> ArraySpace {
        let array = self.array();
        let sum = |field: fn(&Space) -> Option<u64>| -> u64 {
            self.volumes
                .iter()
                .filter_map(|volume| field(&volume.space))
                .sum()
        };
        let unique = sum(|space| space.unique);
        let snapshots = sum(|space| space.snapshots);
        let written = sum(|space| space.virtual_);
        let provisioned: u64 = self.volumes.iter().map(|volume| volume.provisioned).sum();
        let system = ((unique + snapshots) as f64 * SYSTEM_SHARE) as u64;
        let physical = unique + snapshots + system;
        ArraySpace {
            id: array.id,
            name: array.name,
            capacity: CAPACITY,
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
            time: now_ms,
        }
    }

    pub fn volume_performances(&self, destroyed: Option<bool>, now_ms: i64) -> Vec<Performance> {
        self.volumes_in(destroyed)
            .map(|volume| volume_performance(volume, now_ms))
            .collect()
    }

    pub fn array_performance(&self, now_ms: i64) -> Performance {
        let volumes = self.volume_performances(None, now_ms);
        let array = self.array();
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
            id: array.id,
            name: array.name,
            time: now_ms,
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
}

fn per(total: u64, count: u64) -> u64 {
    total.checked_div(count).unwrap_or(0)
}

fn volume_performance(volume: &Volume, now_ms: i64) -> Performance {
    let hash = stable_hash(&volume.name);
    let idle = volume.destroyed || volume.space.virtual_.unwrap_or(0) == 0;
    // Busiest in the afternoon, quietest at night.
    let day_fraction = (now_ms.rem_euclid(86_400_000)) as f64 / 86_400_000.0;
    let swing = 1.0 + 0.5 * ((day_fraction - 0.375) * std::f64::consts::TAU).sin();
    let base_ops = if idle {
        0.0
    } else {
        (50 + hash % 4000) as f64 * swing
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
        id: volume.id.clone(),
        name: volume.name.clone(),
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

/// `GET /volumes/space`.
pub async fn list_volume_spaces(
    State(sim): State<Simulator>,
    _caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, ApiFault> {
    let now = sim.clock.now_ms();
    let spaces = sim.lock().volume_spaces(query.destroyed, now);
    page(
        select(spaces, &query, |space| (&space.name, &space.id), "Volume")?,
        &query,
        "Volume",
    )
}

/// `GET /arrays/space`.
pub async fn array_space(
    State(sim): State<Simulator>,
    _caller: Caller,
) -> Json<ListResponse<ArraySpace>> {
    let now = sim.clock.now_ms();
    Json(ListResponse::of(vec![sim.lock().array_space(now)]))
}

/// `GET /volumes/performance`.
pub async fn list_volume_performances(
    State(sim): State<Simulator>,
    _caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, ApiFault> {
    let now = sim.clock.now_ms();
    let figures = sim.lock().volume_performances(query.destroyed, now);
    page(
        select(
            figures,
            &query,
            |figures| (&figures.name, &figures.id),
            "Volume",
        )?,
        &query,
        "Volume",
    )
}

/// `GET /arrays/performance`.
pub async fn array_performance(
    State(sim): State<Simulator>,
    _caller: Caller,
) -> Json<ListResponse<Performance>> {
    let now = sim.clock.now_ms();
    Json(ListResponse::of(vec![sim.lock().array_performance(now)]))
}
