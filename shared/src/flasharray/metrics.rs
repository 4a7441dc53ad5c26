//! Space and performance figures (`/volumes/space`, `/arrays/space`, `.../performance`).

use serde::{Deserialize, Serialize};

use super::Space;

/// One volume's space at a moment (`GET /api/2.x/volumes/space`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VolumeSpace {
    pub id: String,
    pub name: String,
    pub space: Space,
    /// Milliseconds since the epoch.
    pub time: i64,
}

/// The array's capacity and what uses it (`GET /api/2.x/arrays/space`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArraySpace {
    pub id: String,
    pub name: String,
    /// Usable capacity, in bytes.
    pub capacity: u64,
    /// 1.0 when every drive's data is fully protected.
    pub parity: f64,
    pub space: Space,
    pub time: i64,
}

/// I/O figures of a volume or the whole array at a moment
/// (`GET /api/2.x/volumes/performance`, `/arrays/performance`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Performance {
    pub id: String,
    pub name: String,
    pub time: i64,
    pub reads_per_sec: u64,
    pub writes_per_sec: u64,
    pub read_bytes_per_sec: u64,
    pub write_bytes_per_sec: u64,
    pub usec_per_read_op: u64,
    pub usec_per_write_op: u64,
    pub bytes_per_read: u64,
    pub bytes_per_write: u64,
    pub bytes_per_op: u64,
    pub queue_usec_per_read_op: u64,
    pub queue_usec_per_write_op: u64,
    pub service_usec_per_read_op: u64,
    pub service_usec_per_write_op: u64,
}
