//! Pure1's public REST API (1.x): the items its collections hold, as the official SDK and the
//! Pure1 simulator read and write them. Pages have the shape of
//! [`ListResponse`](crate::flasharray::ListResponse); times are milliseconds since the epoch.

use serde::{Deserialize, Serialize};

/// The REST version the portal asks for: the newest the official SDK knows.
pub const API_VERSION: &str = "1.6";
/// Every version the official SDK (py-pure-client) can be told to use.
pub const SUPPORTED_VERSIONS: [&str; 7] = ["1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6"];
/// Where Pure1 answers; the portal can be pointed elsewhere (a proxy, the simulator).
pub const DEFAULT_URL: &str = "https://api.pure1.purestorage.com";
/// The most items a page holds, and what it holds when no `limit` is given.
pub const MAX_LIMIT: usize = 1000;
/// The most time series one `metrics/history` call may ask for (metrics × resources).
pub const MAX_SERIES: usize = 32;
/// `os` of a FlashArray.
pub const FLASHARRAY_OS: &str = "Purity//FA";

/// The busy meter: how busy an array is, 0.23 meaning 23 %.
pub const ARRAY_TOTAL_LOAD: &str = "array_total_load";
pub const ARRAY_TOTAL_CAPACITY: &str = "array_total_capacity";
pub const ARRAY_EFFECTIVE_USED_SPACE: &str = "array_effective_used_space";
pub const ARRAY_DATA_REDUCTION: &str = "array_data_reduction";
pub const ARRAY_VOLUME_SPACE: &str = "array_volume_space";
pub const ARRAY_SNAPSHOT_SPACE: &str = "array_snapshot_space";
pub const ARRAY_SHARED_SPACE: &str = "array_shared_space";
pub const ARRAY_SYSTEM_SPACE: &str = "array_system_space";
pub const ARRAY_READ_IOPS: &str = "array_read_iops";
pub const ARRAY_WRITE_IOPS: &str = "array_write_iops";
pub const ARRAY_READ_BANDWIDTH: &str = "array_read_bandwidth";
pub const ARRAY_WRITE_BANDWIDTH: &str = "array_write_bandwidth";
pub const ARRAY_READ_LATENCY_US: &str = "array_read_latency_us";
pub const ARRAY_WRITE_LATENCY_US: &str = "array_write_latency_us";
pub const VOLUME_READ_IOPS: &str = "volume_read_iops";
pub const VOLUME_WRITE_IOPS: &str = "volume_write_iops";
pub const VOLUME_READ_BANDWIDTH: &str = "volume_read_bandwidth";
pub const VOLUME_WRITE_BANDWIDTH: &str = "volume_write_bandwidth";
pub const VOLUME_READ_LATENCY_US: &str = "volume_read_latency_us";
pub const VOLUME_WRITE_LATENCY_US: &str = "volume_write_latency_us";

/// What an array's IOPS and bandwidth amount to on the busy meter, for arrays Pure1 does not
/// report: the larger of the two against what a mid-range FlashArray sustains (250,000 IOPS,
/// 10 GiB/s). Pure1's own meter models more than this; both read 1.0 as "fully busy".
pub fn estimated_load(iops: u64, bytes_per_sec: u64) -> f64 {
    const RATED_IOPS: f64 = 250_000.0;
    const RATED_BYTES_PER_SEC: f64 = 10.0 * 1024.0 * 1024.0 * 1024.0;
    (iops as f64 / RATED_IOPS).max(bytes_per_sec as f64 / RATED_BYTES_PER_SEC)
}

/// A reference to another resource; `fqdn` is set when it is an array.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reference {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fqdn: Option<String>,
}

/// A FlashArray or FlashBlade Pure1 knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Array {
    pub id: String,
    pub name: String,
    #[serde(rename = "_as_of", default)]
    pub as_of: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fqdn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// `Purity//FA`, `Purity//FB`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Volume {
    pub id: String,
    pub name: String,
    #[serde(rename = "_as_of", default)]
    pub as_of: i64,
    #[serde(default)]
    pub arrays: Vec<Reference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<i64>,
    #[serde(default)]
    pub destroyed: bool,
    #[serde(default)]
    pub eradicated: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod: Option<Reference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioned: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Reference>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pod {
    pub id: String,
    pub name: String,
    #[serde(rename = "_as_of", default)]
    pub as_of: i64,
    #[serde(default)]
    pub arrays: Vec<Reference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mediator: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Reference>,
}

/// An alert an array raised, or Pure1 itself (`origin`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Alert {
    pub id: String,
    pub name: String,
    #[serde(rename = "_as_of", default)]
    pub as_of: i64,
    #[serde(default)]
    pub arrays: Vec<Reference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    /// `array`, `hardware` or `software`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub knowledge_base_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notified: Option<i64>,
    /// `array` or `Pure1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// `info`, `warning`, `critical` or `hidden`.
    #[serde(default)]
    pub severity: String,
    /// `open`, `closing` or `closed`.
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProtectionGroupSnapshot {
    pub id: String,
    pub name: String,
    #[serde(rename = "_as_of", default)]
    pub as_of: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<i64>,
    /// The array the snapshot is stored on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on: Option<Reference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod: Option<Reference>,
    /// The protection group it was taken of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Reference>,
}

/// A resolution a metric is kept at, and for how long.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MetricAvailability {
    pub aggregations: Vec<String>,
    /// Milliseconds between points.
    pub resolution: i64,
    /// Milliseconds of history kept at this resolution.
    pub retention: i64,
}

/// A kind of measurement, as `GET /metrics` describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Metric {
    #[serde(default)]
    pub id: String,
    pub name: String,
    #[serde(rename = "_as_of", default)]
    pub as_of: i64,
    #[serde(default)]
    pub availabilities: Vec<MetricAvailability>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub resource_types: Vec<String>,
    #[serde(default)]
    pub unit: String,
}

/// One metric's points on one resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MetricHistory {
    #[serde(default)]
    pub id: String,
    pub name: String,
    #[serde(rename = "_as_of", default)]
    pub as_of: i64,
    pub aggregation: String,
    /// `[time in ms, value]`, oldest first.
    #[serde(default)]
    pub data: Vec<(i64, f64)>,
    pub resolution: i64,
    #[serde(default)]
    pub resources: Vec<Reference>,
    #[serde(default)]
    pub unit: String,
}

/// `avg` or `max` over each point's interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregation {
    Avg,
    Max,
}

impl Aggregation {
    pub fn as_str(self) -> &'static str {
        match self {
            Aggregation::Avg => "avg",
            Aggregation::Max => "max",
        }
    }

    /// `avg`, `'avg'`, `max` or `'max'`: the SDK quotes it.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().trim_matches('\'') {
            "avg" => Some(Aggregation::Avg),
            "max" => Some(Aggregation::Max),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_metric_history_reads_as_pure1_writes_it() {
        let text = r#"{"id":"m","name":"array_total_load","_as_of":1,"aggregation":"avg",
            "data":[[1519362000000,0.11],[1519362030000,21]],"resolution":30000,
            "resources":[{"id":"a","name":"fa-1","resource_type":"arrays","fqdn":"fa-1.example.com"}],
            "unit":""}"#;
        let history: MetricHistory = serde_json::from_str(text).expect("parses");
        assert_eq!(
            history.data,
            vec![(1519362000000, 0.11), (1519362030000, 21.0)]
        );
        assert_eq!(
            history.resources[0].fqdn.as_deref(),
            Some("fa-1.example.com")
        );
    }

    #[test]
    fn the_busy_meter_estimate_takes_the_busier_of_operations_and_bandwidth() {
        assert_eq!(estimated_load(0, 0), 0.0);
        assert!((estimated_load(125_000, 0) - 0.5).abs() < 1e-9);
        assert!((estimated_load(1, 10 * 1024 * 1024 * 1024) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn aggregations_parse_quoted_or_not() {
        assert_eq!(Aggregation::parse("'max'"), Some(Aggregation::Max));
        assert_eq!(Aggregation::parse("avg"), Some(Aggregation::Avg));
        assert_eq!(Aggregation::parse("sum"), None);
    }
}
