//! Space and performance figures (`/volumes/space`, `/arrays/space`, `.../performance`).

use serde::{Deserialize, Serialize};

use super::Space;

/// One volume's space at a moment (`GET /api/2.x/volumes/space`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct VolumeSpace {
    pub id: String,
    pub name: String,
    pub space: Space,
    /// Milliseconds since the epoch.
    pub time: i64,
}

/// The array's capacity and what uses it (`GET /api/2.x/arrays/space`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
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
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Performance {
    /// Empty for hosts' figures, which carry no id.
    #[serde(skip_serializing_if = "String::is_empty")]
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

/// Sample spacings, in milliseconds, that `arrays/performance` keeps history at.
pub const ARRAY_PERFORMANCE_RESOLUTIONS: [i64; 7] = [
    1_000, 30_000, 300_000, 1_800_000, 7_200_000, 28_800_000, 86_400_000,
];
/// Sample spacings that an object's `*/performance` keeps history at.
pub const OBJECT_PERFORMANCE_RESOLUTIONS: [i64; 6] = [
    30_000, 300_000, 1_800_000, 7_200_000, 28_800_000, 86_400_000,
];
/// Sample spacings that every `*/space` endpoint keeps history at.
pub const SPACE_RESOLUTIONS: [i64; 5] = [300_000, 1_800_000, 7_200_000, 28_800_000, 86_400_000];

/// A window of history (`start_time`, `end_time`, `resolution`, all in milliseconds) as the
/// space and performance endpoints take it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryWindow {
    pub start_time: i64,
    pub end_time: i64,
    pub resolution: i64,
}

impl HistoryWindow {
    /// The coarsest-needed spacing from `allowed` (ascending) that gives at most `points`
    /// samples over `start..end`, so a chart asks for a few hundred points, not thousands.
    pub fn for_points(start_time: i64, end_time: i64, points: i64, allowed: &[i64]) -> Self {
        let span = (end_time - start_time).max(1);
        let resolution = allowed
            .iter()
            .copied()
            .find(|resolution| span / resolution <= points)
            .or_else(|| allowed.last().copied())
            .unwrap_or(86_400_000);
        Self {
            start_time,
            end_time,
            resolution,
        }
    }

    /// The query parameters, for a client to send.
    pub fn params(&self) -> [(&'static str, String); 3] {
        [
            ("start_time", self.start_time.to_string()),
            ("end_time", self.end_time.to_string()),
            ("resolution", self.resolution.to_string()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_asks_for_a_few_hundred_points() {
        let day = 86_400_000;
        let window = HistoryWindow::for_points(0, day, 400, &SPACE_RESOLUTIONS);
        assert_eq!(window.resolution, 300_000);
        let week = HistoryWindow::for_points(0, 7 * day, 400, &ARRAY_PERFORMANCE_RESOLUTIONS);
        assert_eq!(week.resolution, 1_800_000);
        let hour = HistoryWindow::for_points(0, day / 24, 400, &ARRAY_PERFORMANCE_RESOLUTIONS);
        assert_eq!(hour.resolution, 30_000);
        let decade = HistoryWindow::for_points(0, 3650 * day, 400, &SPACE_RESOLUTIONS);
        assert_eq!(decade.resolution, day);
    }
}
