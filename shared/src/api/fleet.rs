//! The fleet: every array's health, capacity and load at a glance, alerts across arrays,
//! one search over all of them, and the history behind the charts.

use serde::{Deserialize, Serialize};

use crate::api::HardwareHealth;
use crate::flasharray::{Alert, ArraySpace, Performance, Space, VolumeSpace};

/// `GET /api/fleet/summary`: one entry per array in the user's scope.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FleetSummary {
    pub arrays: Vec<ArrayStatus>,
    pub totals: FleetTotals,
}

/// One array as the dashboard shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArrayStatus {
    pub name: String,
    /// When the array was asked (milliseconds since the epoch); figures may be reused for a
    /// few seconds.
    pub as_of: i64,
    /// `None` when the array did not answer.
    pub figures: Option<ArrayFigures>,
    /// Why it did not answer: its own message, or that its deadline passed.
    pub error: Option<String>,
    /// Since when it has been failing, as far as this portal process knows.
    pub failing_since: Option<i64>,
}

/// What an array reports of itself.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArrayFigures {
    pub os: Option<String>,
    pub version: Option<String>,
    /// The REST level the portal speaks with it: the newest both know.
    pub rest_version: Option<String>,
    /// Usable capacity, bytes.
    pub capacity: u64,
    /// Physical space used: unique + snapshots + shared + system.
    pub used: u64,
    pub unique: u64,
    pub snapshots: u64,
    pub shared: u64,
    pub system: u64,
    pub provisioned: u64,
    pub data_reduction: f64,
    pub total_reduction: f64,
    pub volumes: u64,
    pub hosts: u64,
    pub protection_groups: u64,
    /// Volumes, snapshots and protection groups destroyed and waiting to be eradicated.
    pub destroyed: u64,
    pub load: Load,
    /// Open alerts by severity.
    pub alerts: AlertCounts,
    /// `None` when the array's release does not report its hardware.
    pub health: Option<HardwareHealth>,
}

impl ArrayFigures {
    /// Used space as a share of capacity, 0.0 to 1.0 (or more on an overfull array).
    pub fn used_share(&self) -> f64 {
        if self.capacity == 0 {
            0.0
        } else {
            self.used as f64 / self.capacity as f64
        }
    }

    /// The dashboard's figures from the array's capacity and space (`GET /arrays` reports
    /// both, as `arrays/space` does).
    pub fn from_space(capacity: u64, space: &Space) -> Self {
        let part = |value: Option<u64>| value.unwrap_or(0);
        let (unique, snapshots, shared, system) = (
            part(space.unique),
            part(space.snapshots),
            part(space.shared),
            part(space.system),
        );
        Self {
            capacity,
            used: unique
                .saturating_add(snapshots)
                .saturating_add(shared)
                .saturating_add(system),
            unique,
            snapshots,
            shared,
            system,
            provisioned: part(space.total_provisioned),
            data_reduction: space.data_reduction.unwrap_or(1.0),
            total_reduction: space.total_reduction.unwrap_or(1.0),
            ..Self::default()
        }
    }
}

/// How full an array is, in the steps the dashboard colours: below 70 %, 70 %, 80 %, 90 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fullness {
    Fine,
    Watch,
    High,
    Critical,
}

impl Fullness {
    pub fn of(share: f64) -> Self {
        if share >= 0.9 {
            Fullness::Critical
        } else if share >= 0.8 {
            Fullness::High
        } else if share >= 0.7 {
            Fullness::Watch
        } else {
            Fullness::Fine
        }
    }

    /// The CSS class of the bar.
    pub fn class(self) -> &'static str {
        match self {
            Fullness::Fine => "fine",
            Fullness::Watch => "watch",
            Fullness::High => "high",
            Fullness::Critical => "critical",
        }
    }
}

/// Input and output now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Load {
    pub reads_per_sec: u64,
    pub writes_per_sec: u64,
    pub read_bytes_per_sec: u64,
    pub write_bytes_per_sec: u64,
    pub usec_per_read_op: u64,
    pub usec_per_write_op: u64,
}

impl Load {
    pub fn iops(&self) -> u64 {
        self.reads_per_sec + self.writes_per_sec
    }

    pub fn bytes_per_sec(&self) -> u64 {
        self.read_bytes_per_sec + self.write_bytes_per_sec
    }

    /// Latency over reads and writes, weighted by how many of each there were.
    pub fn usec_per_op(&self) -> u64 {
        let ops = self.iops();
        if ops == 0 {
            return 0;
        }
        (self.usec_per_read_op * self.reads_per_sec + self.usec_per_write_op * self.writes_per_sec)
            / ops
    }
}

impl From<&Performance> for Load {
    fn from(figures: &Performance) -> Self {
        Self {
            reads_per_sec: figures.reads_per_sec,
            writes_per_sec: figures.writes_per_sec,
            read_bytes_per_sec: figures.read_bytes_per_sec,
            write_bytes_per_sec: figures.write_bytes_per_sec,
            usec_per_read_op: figures.usec_per_read_op,
            usec_per_write_op: figures.usec_per_write_op,
        }
    }
}

/// Open alerts by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertCounts {
    pub critical: u64,
    pub warning: u64,
    pub info: u64,
}

impl AlertCounts {
    /// Counts the open ones of `alerts` (hidden ones are not counted).
    pub fn of_open<'a>(alerts: impl IntoIterator<Item = &'a Alert>) -> Self {
        let mut counts = Self::default();
        for alert in alerts.into_iter().filter(|alert| alert.state != "closed") {
            match alert.severity.as_str() {
                "critical" => counts.critical += 1,
                "warning" => counts.warning += 1,
                "info" => counts.info += 1,
                _ => {}
            }
        }
        counts
    }

    pub fn total(&self) -> u64 {
        self.critical + self.warning + self.info
    }

    pub fn add(&mut self, other: &AlertCounts) {
        self.critical += other.critical;
        self.warning += other.warning;
        self.info += other.info;
    }
}

/// The fleet added up, over the arrays that answered.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FleetTotals {
    pub arrays: u64,
    pub unreachable: u64,
    pub capacity: u64,
    pub used: u64,
    pub volumes: u64,
    pub hosts: u64,
    pub load: Load,
    pub alerts: AlertCounts,
}

impl FleetTotals {
    pub fn of(arrays: &[ArrayStatus]) -> Self {
        let mut totals = Self {
            arrays: arrays.len() as u64,
            ..Self::default()
        };
        for status in arrays {
            let Some(figures) = &status.figures else {
                totals.unreachable += 1;
                continue;
            };
            totals.capacity += figures.capacity;
            totals.used += figures.used;
            totals.volumes += figures.volumes;
            totals.hosts += figures.hosts;
            totals.alerts.add(&figures.alerts);
            let (load, add) = (&mut totals.load, &figures.load);
            // Latency over the fleet is weighted by each array's operations.
            let reads = load.reads_per_sec + add.reads_per_sec;
            let writes = load.writes_per_sec + add.writes_per_sec;
            load.usec_per_read_op = weighted(
                (load.usec_per_read_op, load.reads_per_sec),
                (add.usec_per_read_op, add.reads_per_sec),
            );
            load.usec_per_write_op = weighted(
                (load.usec_per_write_op, load.writes_per_sec),
                (add.usec_per_write_op, add.writes_per_sec),
            );
            load.reads_per_sec = reads;
            load.writes_per_sec = writes;
            load.read_bytes_per_sec += add.read_bytes_per_sec;
            load.write_bytes_per_sec += add.write_bytes_per_sec;
        }
        totals
    }
}

fn weighted((a, a_weight): (u64, u64), (b, b_weight): (u64, u64)) -> u64 {
    (a * a_weight + b * b_weight)
        .checked_div(a_weight + b_weight)
        .unwrap_or(0)
}

/// `GET /api/fleet/alerts`: alerts of every array in scope, newest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FleetAlerts {
    pub items: Vec<FleetAlert>,
    /// Arrays that could not be read, with why.
    pub errors: Vec<ArrayFailure>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FleetAlert {
    pub array: String,
    #[serde(flatten)]
    pub alert: Alert,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArrayFailure {
    pub array: String,
    pub error: String,
}

/// Query of `GET /api/fleet/alerts`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FleetAlertQuery {
    /// `critical`, `warning` or `info`; all when absent.
    pub severity: Option<String>,
    pub array: Option<String>,
    /// Closed alerts too.
    #[serde(default)]
    pub closed: bool,
}

pub const ALERT_SEVERITIES: [&str; 3] = ["critical", "warning", "info"];

/// `PUT /api/arrays/{array}/alerts/{alert}/flag`: flags or unflags an alert, as the Purity GUI
/// does for alerts someone is looking after.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertFlag {
    pub flagged: bool,
}

/// Time ranges the charts offer, as `range=` takes them.
pub const HISTORY_RANGES: [(&str, i64); 4] = [
    ("1h", 3_600_000),
    ("24h", 86_400_000),
    ("7d", 7 * 86_400_000),
    ("30d", 30 * 86_400_000),
];

/// The span of a `range=` value, or `None` for one the charts do not offer.
pub fn history_range(range: &str) -> Option<i64> {
    HISTORY_RANGES
        .iter()
        .find(|(name, _)| *name == range)
        .map(|(_, span)| *span)
}

/// How many points a chart asks for at most.
pub const CHART_POINTS: i64 = 400;

/// `GET /api/arrays/{array}/history` and `…/volumes/{volume}/history`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct History {
    pub start_time: i64,
    pub end_time: i64,
    /// Milliseconds between space samples, and between performance samples.
    pub space_resolution: i64,
    pub performance_resolution: i64,
    pub space: Vec<SpacePoint>,
    pub performance: Vec<LoadPoint>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpacePoint {
    pub time: i64,
    /// The array's usable capacity; 0 for a volume.
    pub capacity: u64,
    pub unique: u64,
    pub snapshots: u64,
    pub shared: u64,
    pub system: u64,
}

impl SpacePoint {
    pub fn used(&self) -> u64 {
        self.unique + self.snapshots + self.shared + self.system
    }

    fn of(time: i64, capacity: u64, space: &Space) -> Self {
        let part = |value: Option<u64>| value.unwrap_or(0);
        Self {
            time,
            capacity,
            unique: part(space.unique),
            snapshots: part(space.snapshots),
            shared: part(space.shared),
            system: part(space.system),
        }
    }
}

impl From<&ArraySpace> for SpacePoint {
    fn from(space: &ArraySpace) -> Self {
        Self::of(space.time, space.capacity, &space.space)
    }
}

impl From<&VolumeSpace> for SpacePoint {
    fn from(space: &VolumeSpace) -> Self {
        Self::of(space.time, 0, &space.space)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoadPoint {
    pub time: i64,
    #[serde(flatten)]
    pub load: Load,
}

impl From<&Performance> for LoadPoint {
    fn from(figures: &Performance) -> Self {
        Self {
            time: figures.time,
            load: Load::from(figures),
        }
    }
}

/// Kinds of object the fleet search looks through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SearchKind {
    Volume,
    Snapshot,
    Host,
    HostGroup,
    ProtectionGroup,
}

impl SearchKind {
    pub const ALL: [SearchKind; 5] = [
        SearchKind::Volume,
        SearchKind::Snapshot,
        SearchKind::Host,
        SearchKind::HostGroup,
        SearchKind::ProtectionGroup,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SearchKind::Volume => "volume",
            SearchKind::Snapshot => "snapshot",
            SearchKind::Host => "host",
            SearchKind::HostGroup => "host_group",
            SearchKind::ProtectionGroup => "protection_group",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }

    /// How a person names the kind, plural.
    pub fn label(self) -> &'static str {
        match self {
            SearchKind::Volume => "Volumes",
            SearchKind::Snapshot => "Volume snapshots",
            SearchKind::Host => "Hosts",
            SearchKind::HostGroup => "Host groups",
            SearchKind::ProtectionGroup => "Protection groups",
        }
    }

    /// The array's list endpoint.
    pub fn path(self) -> &'static str {
        match self {
            SearchKind::Volume => "volumes",
            SearchKind::Snapshot => "volume-snapshots",
            SearchKind::Host => "hosts",
            SearchKind::HostGroup => "host-groups",
            SearchKind::ProtectionGroup => "protection-groups",
        }
    }

    /// Where the portal shows an object of this kind.
    pub fn href(self, array: &str, name: &str) -> String {
        match self {
            SearchKind::Volume => format!("/arrays/{array}/volumes/{name}"),
            SearchKind::Snapshot => match name.rsplit_once('.') {
                // `VOLUME.SUFFIX` or `GROUP.N.VOLUME`: the volume's snapshot timeline.
                Some((volume, _)) if !volume.contains('.') => {
                    format!("/arrays/{array}/volumes/{volume}/snapshots")
                }
                _ => format!("/arrays/{array}/protection"),
            },
            SearchKind::Host => format!("/arrays/{array}/hosts/{name}"),
            SearchKind::HostGroup => format!("/arrays/{array}/hosts"),
            SearchKind::ProtectionGroup => format!("/arrays/{array}/protection/{name}"),
        }
    }
}

/// How many hits of one kind one array gives at most.
pub const SEARCH_HITS_PER_KIND: u32 = 50;

/// `GET /api/fleet/search?q=&kinds=`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FleetSearch {
    pub arrays: Vec<ArraySearch>,
}

/// What one array found, or why it could not say.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArraySearch {
    pub array: String,
    pub hits: Vec<SearchHit>,
    /// Matches beyond those listed, by kind (the array counted them).
    pub total: u64,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchHit {
    pub kind: SearchKind,
    pub name: String,
    /// A volume's or snapshot's provisioned size, for telling hits apart.
    pub size: Option<u64>,
    /// What a snapshot holds on the array apart from its volume (its physical space).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held: Option<u64>,
    /// When the array made it (milliseconds since the epoch), for kinds that say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<i64>,
    pub destroyed: bool,
}

/// The query of `GET /api/fleet/summary`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SummaryQuery {
    /// `true` asks every array again instead of reusing figures a few seconds old.
    pub refresh: Option<String>,
}

/// The query of `GET /api/fleet/search`: part of a name or an array filter, and the kinds
/// of object to look for (comma-separated; every kind when absent).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchQuery {
    pub q: Option<String>,
    pub kinds: Option<String>,
}

/// The query of the charts' history: a range such as `24h` (see [`HISTORY_RANGES`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryQuery {
    pub range: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fullness_steps_at_seventy_eighty_and_ninety_percent() {
        assert_eq!(Fullness::of(0.69), Fullness::Fine);
        assert_eq!(Fullness::of(0.7), Fullness::Watch);
        assert_eq!(Fullness::of(0.85), Fullness::High);
        assert_eq!(Fullness::of(0.95), Fullness::Critical);
    }

    #[test]
    fn fleet_latency_is_weighted_by_operations() {
        let status = |reads, usec| ArrayStatus {
            name: "a".into(),
            as_of: 0,
            figures: Some(ArrayFigures {
                load: Load {
                    reads_per_sec: reads,
                    usec_per_read_op: usec,
                    ..Load::default()
                },
                ..ArrayFigures::default()
            }),
            error: None,
            failing_since: None,
        };
        let mut down = status(0, 0);
        down.figures = None;
        let totals = FleetTotals::of(&[status(900, 100), status(100, 1000), down]);
        assert_eq!(totals.load.reads_per_sec, 1000);
        assert_eq!(totals.load.usec_per_read_op, 190);
        assert_eq!((totals.arrays, totals.unreachable), (3, 1));
    }

    #[test]
    fn search_kinds_round_trip_and_link_to_their_pages() {
        for kind in SearchKind::ALL {
            assert_eq!(SearchKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(
            SearchKind::Snapshot.href("fa", "db.daily"),
            "/arrays/fa/volumes/db/snapshots"
        );
        assert_eq!(history_range("24h"), Some(86_400_000));
        assert_eq!(history_range("2h"), None);
    }
}

/// A volume somewhere in the fleet.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FleetVolume {
    pub array: String,
    pub name: String,
}

/// The most volumes one fleet-wide action takes.
pub const MAX_BATCH: usize = 1000;

/// `POST /api/fleet/snapshots`: one consistent snapshot set per array, one suffix for all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FleetSnapshotRequest {
    pub volumes: Vec<FleetVolume>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,
}

/// `POST /api/fleet/destroy`: volumes destroyed (recoverable until eradicated).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FleetDestroyRequest {
    pub volumes: Vec<FleetVolume>,
}

/// What a fleet-wide action did to each volume; `batch` is the request id the portal's
/// audit log and every array's own log carry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchOutcome {
    pub batch: String,
    pub items: Vec<BatchItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchItem {
    pub array: String,
    pub volume: String,
    pub ok: bool,
    /// The snapshot's name, or the array's message.
    pub detail: String,
}

/// Checks the volumes of a fleet-wide action as both sides do.
pub fn validate_fleet_volumes(volumes: &[FleetVolume]) -> Result<(), super::ApiError> {
    let refuse = |message: String| Err(super::ApiError::for_field("volumes", message));
    if volumes.is_empty() {
        return refuse("Choose at least one volume.".to_owned());
    }
    if volumes.len() > MAX_BATCH {
        return refuse(format!("Choose at most {MAX_BATCH} volumes at once."));
    }
    let mut seen = std::collections::HashSet::new();
    for volume in volumes {
        crate::names::validate_object_name("Volume name", &volume.name)
            .map_err(|message| super::ApiError::for_field("volumes", message))?;
        if !seen.insert(volume) {
            return refuse(format!(
                "{} on {} is chosen twice.",
                volume.name, volume.array
            ));
        }
    }
    Ok(())
}
