//! What an array stores beside the Purity objects themselves: the records that `ArrayState`
//! holds. The rules that change them are `impl ArrayState` blocks in the module of each
//! domain (`hosts`, `protection`, `snapshots`, `targets`, `transfers`, `replication`, `pods`,
//! `hardware`), which all depend on this module and `state`, and never the other way round.

use serde::{Deserialize, Serialize};
use shared::flasharray::{
    ArrayConnection, ProtectionGroup, ProtectionGroupSnapshot, VolumeSnapshot,
};

use crate::collection::{Destroyable, named, new_id};

/// Who a connection is made to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Target {
    Host(String),
    Group(String),
}

/// A connection as stored: the volume by id, so that renaming it keeps its connections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionRecord {
    pub target: Target,
    pub volume_id: String,
    pub lun: u32,
}

/// The kind of object a protection group protects; a group holds one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MemberKind {
    Volume,
    Host,
    HostGroup,
}

/// A member as stored: volumes by id, so renaming keeps membership; hosts and host groups
/// by name, which renames update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub kind: MemberKind,
    pub key: String,
}

/// A protection group as stored, with what the listing does not show.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GroupRecord {
    pub group: ProtectionGroup,
    pub members: Vec<Member>,
    /// When the schedule takes its next snapshot, while it is enabled.
    pub next_snapshot_ms: Option<i64>,
    /// The arrays it replicates to.
    #[serde(default)]
    pub targets: Vec<GroupTarget>,
    /// When the replication schedule next sends a snapshot, while it is enabled.
    #[serde(default)]
    pub next_replication_ms: Option<i64>,
}

/// A protection group snapshot as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GroupSnapshotRecord {
    pub snapshot: ProtectionGroupSnapshot,
    pub group_id: String,
    /// Taken by the schedule or with `apply_retention`: the retention policy may prune it.
    pub retained: bool,
    /// Destroyed because its group was, so recovering the group recovers it.
    pub destroyed_with_group: bool,
    /// On the source, its way to each target it is sent to; on a target, how it arrived.
    #[serde(default)]
    pub transfers: Vec<Transfer>,
}

/// A volume snapshot as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SnapshotRecord {
    pub snapshot: VolumeSnapshot,
    pub volume_id: String,
    /// Bytes the volume had written when the snapshot was taken.
    pub written: u64,
    /// The protection group snapshot it belongs to, if any.
    pub group_snapshot_id: Option<String>,
    /// Destroyed because its volume was, so recovering the volume recovers it.
    pub destroyed_with_volume: bool,
}

/// A target of one of this array's groups, and whether the target allows it (as it last said).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct GroupTarget {
    pub array: String,
    pub allowed: bool,
}

/// A group another array replicates here, or did: what it sent stays, and so does whether
/// this array allows it, should the source add it again.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ReplicatedHere {
    /// The id this array lists the group under.
    #[serde(default = "new_id")]
    pub id: String,
    pub source: String,
    pub group: String,
    pub allowed: bool,
    /// Whether the source still replicates it here.
    #[serde(default = "targeted")]
    pub targeted: bool,
}

fn targeted() -> bool {
    true
}

/// A snapshot's way between two arrays.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Transfer {
    /// The target, on the source array; the source, on the target.
    pub array: String,
    pub started: i64,
    pub bytes: u64,
    pub completed: Option<i64>,
    /// The link was down when the snapshot should have arrived: it arrives once it is back.
    #[serde(default)]
    pub stalled: bool,
}

/// A connection to another array, and the other array's connection key: the side that
/// connected was given it, the other side was shown it in the handshake (changing the
/// connection's type or encryption asks for it again). Every later message between the two
/// carries the secret they agreed in the handshake, which no third array holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct LinkedArray {
    pub connection: ArrayConnection,
    pub key: String,
    #[serde(default)]
    pub secret: String,
}

/// One end of an ActiveDR link, as each of the two arrays keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ReplicaLink {
    /// The same on both arrays.
    pub id: String,
    pub local_pod: String,
    pub remote_pod: String,
    /// The other array's name.
    pub remote: String,
    /// Whether this array sends.
    pub outbound: bool,
    pub paused: bool,
    /// When the newest data the target holds was written on the source; `None` while the
    /// first copy crosses.
    pub recovery_point: Option<i64>,
    /// On the source: when the first copy has crossed.
    pub baselined_at: i64,
    /// On the source: the last send failed. On the target: when the source was last heard.
    pub unhealthy: bool,
    pub last_heard: i64,
    /// `(time, lag)` samples, oldest first.
    #[serde(default)]
    pub lag_history: Vec<(i64, i64)>,
}

/// A part a test or the demo has failed: what kind it is, what is wrong, and since when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartFailure {
    #[serde(default)]
    pub(crate) kind: PartKind,
    pub details: String,
    pub since: i64,
}

/// What kind of part a name is, which decides what its failure looks like.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum PartKind {
    Controller,
    Module,
    FibreChannelPort,
    EthernetPort,
    #[default]
    Other,
}

/// Marks the group id the snapshots replicated here are kept under.
pub(crate) const REPLICA_GROUP: &str = "replica:";

/// Whether `group_id` is that of a group replicated here: its snapshots stay although no
/// local group has the id.
pub(crate) fn is_replica_group(group_id: &str) -> bool {
    group_id.starts_with(REPLICA_GROUP)
}

named!(GroupRecord, "Protection group", self.group, destroyable);
named!(
    GroupSnapshotRecord,
    "Protection group snapshot",
    self.snapshot,
    destroyable
);
named!(SnapshotRecord, "Snapshot", self.snapshot);

impl Destroyable for SnapshotRecord {
    fn destroyed(&self) -> bool {
        self.snapshot.destroyed
    }

    /// Its protection group snapshot is eradicated instead.
    fn eradicated_with_another(&self) -> Option<&'static str> {
        self.group_snapshot_id
            .as_ref()
            .map(|_| "Snapshot belongs to a protection group snapshot; eradicate that instead.")
    }
}
