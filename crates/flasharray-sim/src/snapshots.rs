//! Volume snapshots and volume copies on a simulated array.
//!
//! A snapshot keeps what its volume held when it was taken: its size and how much data was
//! written. Copying a snapshot (or a volume) to a volume, with `overwrite` for an existing one,
//! brings that back; that is how a restore works on an array.

use shared::flasharray::{Reference, Space, Volume, VolumeSnapshot, VolumeSnapshotPatch};
use shared::names::validate_object_name;

use crate::collection::{self, new_id};
use crate::error::ApiFault;
use crate::records::SnapshotRecord;
use crate::state::{ArrayState, set_written};

/// Share of a volume's unique space a snapshot comes to hold as the volume changes after it.
const SNAPSHOT_DIVERGENCE: f64 = 0.05;

/// What a copy reads from.
struct CopySource {
    volume: Reference,
    provisioned: u64,
    written: u64,
}

impl ArrayState {
    pub fn volume_snapshots(&self) -> Vec<VolumeSnapshot> {
        self.snapshots
            .iter()
            .map(|record| record.snapshot.clone())
            .collect()
    }

    fn snapshot_name_taken(&self, name: &str) -> bool {
        self.snapshots
            .iter()
            .any(|record| record.snapshot.name.eq_ignore_ascii_case(name))
    }

    /// The next free `VOL.N` (or `PG.N`) number.
    pub(crate) fn next_suffix(&mut self, owner_id: &str, owner_name: &str) -> String {
        loop {
            let counter = self.suffix_counters.entry(owner_id.to_owned()).or_insert(0);
            *counter += 1;
            let suffix = counter.to_string();
            let taken = self
                .snapshots
                .iter()
                .any(|record| record.snapshot.name == format!("{owner_name}.{suffix}"))
                || self
                    .group_snapshots
                    .iter()
                    .any(|record| record.snapshot.name == format!("{owner_name}.{suffix}"));
            if !taken {
                return suffix;
            }
        }
    }

    /// A snapshot record of `volume` named `name`, not yet stored.
    pub(crate) fn new_snapshot(
        &mut self,
        volume: &Volume,
        name: String,
        suffix: String,
        group_snapshot_id: Option<String>,
        now_ms: i64,
    ) -> SnapshotRecord {
        let written = volume.space.virtual_.unwrap_or(0);
        let unique = (volume.space.unique.unwrap_or(0) as f64 * SNAPSHOT_DIVERGENCE) as u64;
        SnapshotRecord {
            snapshot: VolumeSnapshot {
                id: new_id(),
                name,
                created: now_ms,
                destroyed: false,
                provisioned: volume.provisioned,
                serial: self.serial(),
                source: Reference {
                    id: Some(volume.id.clone()),
                    name: Some(volume.name.clone()),
                },
                suffix,
                time_remaining: None,
                space: Space {
                    snapshots: Some(unique),
                    total_physical: Some(unique),
                    total_provisioned: Some(volume.provisioned),
                    virtual_: Some(written),
                    data_reduction: volume.space.data_reduction,
                    ..Space::default()
                },
            },
            volume_id: volume.id.clone(),
            written,
            group_snapshot_id,
            destroyed_with_volume: false,
        }
    }

    /// `POST /volume-snapshots`: one snapshot of each source, all at the same instant.
    pub fn create_volume_snapshots(
        &mut self,
        user: &str,
        sources: &[String],
        suffix: Option<&str>,
        now_ms: i64,
    ) -> Result<Vec<VolumeSnapshot>, ApiFault> {
        if let Some(suffix) = suffix {
            validate_object_name("Snapshot suffix", suffix)
                .map_err(|message| ApiFault::bad_request(suffix, message))?;
        }
        let mut volumes = Vec::new();
        for (index, source) in sources.iter().enumerate() {
            let volume = self.volumes[self.volume_index(source)?].clone();
            if volume.destroyed {
                return Err(ApiFault::bad_request(
                    source,
                    "Volume has been destroyed. Recover it before taking snapshots.",
                ));
            }
            if sources[..index].contains(source) {
                return Err(ApiFault::bad_request(source, "Volume is given twice."));
            }
            if let Some(suffix) = suffix {
                let name = format!("{source}.{suffix}");
                if self.snapshot_name_taken(&name) {
                    return Err(ApiFault::bad_request(name, "Snapshot already exists."));
                }
            }
            volumes.push(volume);
        }
        let mut created = Vec::new();
        for volume in volumes {
            let suffix = match suffix {
                Some(suffix) => suffix.to_owned(),
                None => self.next_suffix(&volume.id, &volume.name),
            };
            let name = format!("{}.{suffix}", volume.name);
            let record = self.new_snapshot(&volume, name, suffix, None, now_ms);
            created.push(record.snapshot.clone());
            self.snapshots.push(record);
        }
        self.refresh_snapshot_space();
        let mut arguments = sources.join(" ");
        if let Some(suffix) = suffix {
            arguments.push_str(&format!(" --suffix {suffix}"));
        }
        self.audit(user, "purevol", "snap", arguments, now_ms);
        Ok(created)
    }

    fn snapshot_index(&self, name: &str) -> Result<usize, ApiFault> {
        collection::position(&self.snapshots, name)
    }

    /// `PATCH /volume-snapshots`: rename, destroy or recover, all or nothing.
    pub fn patch_volume_snapshots(
        &mut self,
        user: &str,
        names: &[String],
        patch: &VolumeSnapshotPatch,
        now_ms: i64,
    ) -> Result<Vec<VolumeSnapshot>, ApiFault> {
        if names.len() > 1 && patch.name.is_some() {
            return Err(ApiFault::invalid("Rename one snapshot at a time."));
        }
        let mut changed = Vec::new();
        for name in names {
            let index = self.snapshot_index(name)?;
            let record = &self.snapshots[index];
            if record.group_snapshot_id.is_some() {
                return Err(ApiFault::bad_request(
                    name,
                    "Snapshot belongs to a protection group snapshot; change that instead.",
                ));
            }
            let mut snapshot = record.snapshot.clone();
            if let Some(new_name) = &patch.name {
                if snapshot.destroyed {
                    return Err(ApiFault::bad_request(
                        name,
                        "Snapshot has been destroyed. Recover it first.",
                    ));
                }
                let source = snapshot.source.name.clone().unwrap_or_default();
                let suffix = match new_name.split_once('.') {
                    Some((volume, suffix)) if volume == source => suffix,
                    Some(_) => {
                        return Err(ApiFault::bad_request(
                            new_name,
                            format!("A snapshot of {source} must be named {source}.SUFFIX."),
                        ));
                    }
                    None => new_name.as_str(),
                };
                validate_object_name("Snapshot suffix", suffix)
                    .map_err(|message| ApiFault::bad_request(new_name, message))?;
                let full = format!("{source}.{suffix}");
                if !full.eq_ignore_ascii_case(name) && self.snapshot_name_taken(&full) {
                    return Err(ApiFault::bad_request(full, "Snapshot already exists."));
                }
                snapshot.name = full;
                snapshot.suffix = suffix.to_owned();
            }
            match patch.destroyed {
                Some(true) => snapshot.destroyed = true,
                Some(false) if snapshot.destroyed => {
                    let volume_destroyed = self
                        .volumes
                        .iter()
                        .any(|volume| volume.id == record.volume_id && volume.destroyed);
                    if volume_destroyed {
                        return Err(ApiFault::bad_request(
                            name,
                            "The snapshot's volume has been destroyed. Recover the volume first.",
                        ));
                    }
                    snapshot.destroyed = false;
                }
                _ => {}
            }
            changed.push((index, snapshot));
        }
        for (index, snapshot) in &changed {
            let record = &mut self.snapshots[*index];
            match (record.snapshot.destroyed, snapshot.destroyed) {
                (false, true) => {
                    self.destroyed_at.insert(snapshot.id.clone(), now_ms);
                }
                (true, false) => {
                    self.destroyed_at.remove(&snapshot.id);
                    record.destroyed_with_volume = false;
                }
                _ => {}
            }
            record.snapshot = snapshot.clone();
        }
        self.sweep(now_ms);
        let action = match patch.destroyed {
            Some(true) => "destroy",
            Some(false) => "recover",
            None => "rename",
        };
        self.audit(user, "purevol", action, names.join(" "), now_ms);
        Ok(changed
            .into_iter()
            .map(|(index, _)| self.snapshots[index].snapshot.clone())
            .collect())
    }

    /// `DELETE /volume-snapshots`: eradicates destroyed snapshots, all or nothing.
    pub fn eradicate_volume_snapshots(
        &mut self,
        user: &str,
        names: &[String],
        now_ms: i64,
    ) -> Result<(), ApiFault> {
        collection::eradicate(&mut self.snapshots, names)?;
        self.forget_eradicated();
        self.refresh_snapshot_space();
        self.audit(user, "purevol", "eradicate", names.join(" "), now_ms);
        Ok(())
    }

    /// Destroys or recovers a volume's own snapshots along with it, as arrays do.
    pub(crate) fn follow_volume_destruction(
        &mut self,
        volume_id: &str,
        destroyed: bool,
        now_ms: i64,
    ) {
        for record in &mut self.snapshots {
            if record.volume_id != volume_id || record.group_snapshot_id.is_some() {
                continue;
            }
            if destroyed && !record.snapshot.destroyed {
                record.snapshot.destroyed = true;
                record.destroyed_with_volume = true;
                self.destroyed_at.insert(record.snapshot.id.clone(), now_ms);
            } else if !destroyed && record.destroyed_with_volume {
                record.snapshot.destroyed = false;
                record.snapshot.time_remaining = None;
                record.destroyed_with_volume = false;
                self.destroyed_at.remove(&record.snapshot.id);
            }
        }
    }

    /// Keeps snapshots' source names in step with a renamed volume.
    pub(crate) fn follow_volume_rename(&mut self, volume_id: &str, new_name: &str) {
        for record in &mut self.snapshots {
            if record.volume_id == volume_id && record.group_snapshot_id.is_none() {
                record.snapshot.source.name = Some(new_name.to_owned());
                record.snapshot.name = format!("{new_name}.{}", record.snapshot.suffix);
            } else if record.volume_id == volume_id {
                record.snapshot.source.name = Some(new_name.to_owned());
            }
        }
    }

    /// Each volume's `space.snapshots`: what its snapshots hold apart from it.
    pub(crate) fn refresh_snapshot_space(&mut self) {
        let mut held: std::collections::HashMap<&str, u64> = std::collections::HashMap::new();
        for record in &self.snapshots {
            *held.entry(record.volume_id.as_str()).or_default() +=
                record.snapshot.space.snapshots.unwrap_or(0);
        }
        for volume in &mut self.volumes {
            let snapshots = held.get(volume.id.as_str()).copied().unwrap_or(0);
            volume.space.snapshots = Some(snapshots);
            volume.space.total_physical = Some(volume.space.unique.unwrap_or(0) + snapshots);
        }
    }

    /// What `source` names: a live volume or a live snapshot of one.
    fn copy_source(&self, source: &Reference) -> Result<CopySource, ApiFault> {
        let name = source
            .name
            .as_deref()
            .ok_or_else(|| ApiFault::invalid("source.name is required to copy a volume."))?;
        if let Some(volume) = self.volumes.iter().find(|volume| volume.name == name) {
            if volume.destroyed {
                return Err(ApiFault::bad_request(
                    name,
                    "Source volume has been destroyed. Recover it first.",
                ));
            }
            return Ok(CopySource {
                volume: Reference {
                    id: Some(volume.id.clone()),
                    name: Some(volume.name.clone()),
                },
                provisioned: volume.provisioned,
                written: volume.space.virtual_.unwrap_or(0),
            });
        }
        let record = self
            .snapshots
            .iter()
            .find(|record| record.snapshot.name == name)
            .ok_or_else(|| {
                ApiFault::bad_request(name, "Source volume or snapshot does not exist.")
            })?;
        if record.snapshot.destroyed {
            return Err(ApiFault::bad_request(
                name,
                "Source snapshot has been destroyed. Recover it first.",
            ));
        }
        Ok(CopySource {
            volume: record.snapshot.source.clone(),
            provisioned: record.snapshot.provisioned,
            written: record.written,
        })
    }

    /// `POST /volumes` with a `source`: new volumes holding the source's contents, or with
    /// `overwrite`, existing volumes brought back to them. All or nothing.
    pub fn copy_volumes(
        &mut self,
        user: &str,
        names: &[String],
        source: &Reference,
        overwrite: bool,
        now_ms: i64,
    ) -> Result<Vec<Volume>, ApiFault> {
        let copied = self.copy_source(source)?;
        let mut targets = Vec::new();
        for (index, name) in names.iter().enumerate() {
            shared::names::validate_volume_name(name)
                .map_err(|message| ApiFault::bad_request(name, message))?;
            self.check_writable(name)?;
            if names[..index]
                .iter()
                .any(|earlier| earlier.eq_ignore_ascii_case(name))
            {
                return Err(ApiFault::bad_request(name, "Volume is given twice."));
            }
            let existing = self
                .volumes
                .iter()
                .position(|volume| volume.name.eq_ignore_ascii_case(name));
            match existing {
                Some(_) if !overwrite => {
                    return Err(ApiFault::bad_request(
                        name,
                        "Volume already exists. Set overwrite=true to replace its contents.",
                    ));
                }
                Some(index) if self.volumes[index].destroyed => {
                    return Err(ApiFault::bad_request(
                        name,
                        "Volume has been destroyed. Recover it before overwriting it.",
                    ));
                }
                _ => {}
            }
            targets.push(existing);
        }
        let mut result = Vec::new();
        for (name, existing) in names.iter().zip(targets) {
            let volume = match existing {
                Some(index) => {
                    let volume = &mut self.volumes[index];
                    volume.provisioned = copied.provisioned;
                    set_written(volume, copied.written);
                    volume.source = Some(copied.volume.clone());
                    volume.clone()
                }
                None => {
                    let mut volume =
                        self.new_volume(name, copied.provisioned, copied.written, now_ms);
                    volume.source = Some(copied.volume.clone());
                    self.volumes.push(volume.clone());
                    volume
                }
            };
            result.push(volume);
        }
        self.refresh_snapshot_space();
        let from = source.name.clone().unwrap_or_default();
        let mut arguments = format!("{from} {}", names.join(" "));
        if overwrite {
            arguments.push_str(" --overwrite");
        }
        self.audit(user, "purevol", "copy", arguments, now_ms);
        Ok(result)
    }
}
