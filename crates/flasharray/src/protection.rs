//! Data protection: volume snapshots, copies and restores, protection groups, their members
//! and their snapshots.

use reqwest::Method;
use serde::de::DeserializeOwned;
use shared::flasharray::{
    Membership, ProtectionGroup, ProtectionGroupPatch, ProtectionGroupSnapshot,
    ProtectionGroupSnapshotPatch, ProtectionGroupSnapshotPost, Reference, Volume, VolumePost,
    VolumeSnapshot, VolumeSnapshotPatch, VolumeSnapshotPost,
};

use crate::client::{ArrayClient, Everything, RawReply};
use crate::error::Error;

/// What a protection group protects; a group holds one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberKind {
    Volumes,
    Hosts,
    HostGroups,
}

/// Names per call in a list of names given in the query: 50 names of Purity's longest (63
/// characters) keep the address near 3 KB, under the 8 KB many servers refuse past.
const NAMES_PER_CALL: usize = 50;

impl MemberKind {
    fn path(self) -> &'static str {
        match self {
            MemberKind::Volumes => "protection-groups/volumes",
            MemberKind::Hosts => "protection-groups/hosts",
            MemberKind::HostGroups => "protection-groups/host-groups",
        }
    }
}

fn destroyed_param(query: &mut Vec<(&'static str, String)>, destroyed: Option<bool>) {
    if let Some(destroyed) = destroyed {
        query.push(("destroyed", destroyed.to_string()));
    }
}

impl ArrayClient {
    /// `GET path`: the snapshots of `source` (all of them without one), destroyed or not.
    async fn snapshots<T: DeserializeOwned>(
        &self,
        path: &str,
        source: Option<&str>,
        destroyed: Option<bool>,
    ) -> Result<Vec<T>, Error> {
        // Newest first, so that a list cut at the client's limit keeps the newest.
        let mut query = vec![("sort", "created-".to_owned())];
        if let Some(source) = source {
            query.push(("source_names", source.to_owned()));
        }
        destroyed_param(&mut query, destroyed);
        self.read(path, &query).await
    }

    /// `GET /volumes/protection-groups?member_names=...`: which groups protect these volumes,
    /// asked [`NAMES_PER_CALL`] at a time (at once) so that no address grows past what web
    /// servers take, however many volumes a page holds.
    pub async fn volume_protection_groups<S: std::borrow::Borrow<str>>(
        &self,
        volumes: &[S],
    ) -> Result<Vec<Membership>, Error> {
        let calls = volumes.chunks(NAMES_PER_CALL).map(|names| {
            let query = [("member_names", names.join(","))];
            async move { self.read("volumes/protection-groups", &query).await }
        });
        let answers: Vec<Vec<Membership>> = futures_util::future::try_join_all(calls).await?;
        Ok(answers.into_iter().flatten().collect())
    }

    /// `POST /volume-snapshots?source_names=...`: one snapshot of each volume, taken together,
    /// named `VOLUME.SUFFIX` (or `VOLUME.N` without a suffix).
    pub async fn create_volume_snapshots(
        &self,
        volumes: &[String],
        suffix: Option<&str>,
    ) -> Result<Vec<VolumeSnapshot>, Error> {
        let body = VolumeSnapshotPost {
            suffix: suffix.map(str::to_owned),
        };
        let query = [("source_names", volumes.join(","))];
        self.items(Method::POST, "volume-snapshots", &query, Some(&body))
            .await
    }

    /// `GET /volume-snapshots`: all of them, or one volume's (taken directly or through its
    /// protection groups), destroyed or not.
    pub async fn list_volume_snapshots(
        &self,
        volume: Option<&str>,
        destroyed: Option<bool>,
    ) -> Result<Vec<VolumeSnapshot>, Error> {
        self.snapshots("volume-snapshots", volume, destroyed).await
    }

    /// `GET /volume-snapshots?filter=name='PREFIX.*'`: the volume snapshots inside the
    /// protection group snapshots whose names start with `prefix` (a group's, or one group
    /// snapshot's), found by the array rather than by listing every snapshot.
    pub async fn volume_snapshots_within(
        &self,
        prefix: &str,
    ) -> Result<Vec<VolumeSnapshot>, Error> {
        let filter = format!("name='{}.*'", prefix.replace('\'', ""));
        self.items(
            Method::GET,
            "volume-snapshots",
            &[("filter", filter)],
            None::<&()>,
        )
        .await
    }

    /// `PATCH /volume-snapshots?names=NAME`: rename, destroy or recover.
    pub async fn patch_volume_snapshot(
        &self,
        name: &str,
        patch: &VolumeSnapshotPatch,
    ) -> Result<VolumeSnapshot, Error> {
        self.named(Method::PATCH, "volume-snapshots", name, Some(patch))
            .await
    }

    /// `DELETE /volume-snapshots?names=NAME`: eradicates a destroyed snapshot.
    pub async fn eradicate_volume_snapshot(&self, name: &str) -> Result<(), Error> {
        self.delete_named("volume-snapshots", name).await
    }

    /// `POST /volumes?names=TARGET` with a `source`: a copy of a volume or snapshot; with
    /// `overwrite`, an existing volume is brought back to the source's contents (a restore).
    pub async fn copy_volume(
        &self,
        source: &str,
        target: &str,
        overwrite: bool,
    ) -> Result<Volume, Error> {
        let body = VolumePost {
            provisioned: None,
            source: Some(Reference {
                id: None,
                name: Some(source.to_owned()),
            }),
        };
        let mut query = vec![("names", target.to_owned())];
        if overwrite {
            query.push(("overwrite", "true".to_owned()));
        }
        let page = self
            .call(Method::POST, "volumes", &query, Some(&body))
            .await?;
        self.single(page, "POST /volumes")
    }

    /// `GET /protection-groups`.
    pub async fn list_protection_groups(
        &self,
        destroyed: Option<bool>,
    ) -> Result<Vec<ProtectionGroup>, Error> {
        let mut query = Vec::new();
        destroyed_param(&mut query, destroyed);
        self.read("protection-groups", &query).await
    }

    /// `GET /protection-groups` as the array wrote it, to pass on.
    pub async fn list_protection_groups_raw(
        &self,
        destroyed: Option<bool>,
    ) -> Result<RawReply, Error> {
        let mut query = Vec::new();
        destroyed_param(&mut query, destroyed);
        self.get_raw("protection-groups", &query).await
    }

    /// `POST /protection-groups?names=NAME`.
    pub async fn create_protection_group(&self, name: &str) -> Result<ProtectionGroup, Error> {
        self.named(Method::POST, "protection-groups", name, None::<&()>)
            .await
    }

    /// `PATCH /protection-groups?names=NAME`: schedule, retention, rename, destroy, recover.
    pub async fn patch_protection_group(
        &self,
        name: &str,
        patch: &ProtectionGroupPatch,
    ) -> Result<ProtectionGroup, Error> {
        self.named(Method::PATCH, "protection-groups", name, Some(patch))
            .await
    }

    /// `DELETE /protection-groups?names=NAME`: eradicates a destroyed group.
    pub async fn eradicate_protection_group(&self, name: &str) -> Result<(), Error> {
        self.delete_named("protection-groups", name).await
    }

    /// The members of one kind of a group (all groups when `group` is `None`).
    pub async fn list_group_members(
        &self,
        kind: MemberKind,
        group: Option<&str>,
    ) -> Result<Vec<Membership>, Error> {
        let query: Vec<(&str, String)> = group
            .map(|group| ("group_names", group.to_owned()))
            .into_iter()
            .collect();
        self.read(kind.path(), &query).await
    }

    /// Every group's members of one kind, at most `max`.
    pub async fn every_group_member(
        &self,
        kind: MemberKind,
        max: usize,
    ) -> Result<Everything<Membership>, Error> {
        self.read_all(kind.path(), &[], max).await
    }

    /// Every protection group snapshot not destroyed, at most `max`.
    pub async fn every_group_snapshot(
        &self,
        max: usize,
    ) -> Result<Everything<ProtectionGroupSnapshot>, Error> {
        let mut query = Vec::new();
        destroyed_param(&mut query, Some(false));
        self.read_all("protection-group-snapshots", &query, max)
            .await
    }

    /// Adds members of one kind to a group, all or none.
    pub async fn add_group_members(
        &self,
        kind: MemberKind,
        group: &str,
        members: &[String],
    ) -> Result<Vec<Membership>, Error> {
        let query = [
            ("group_names", group.to_owned()),
            ("member_names", members.join(",")),
        ];
        self.items(Method::POST, kind.path(), &query, None::<&()>)
            .await
    }

    pub async fn remove_group_member(
        &self,
        kind: MemberKind,
        group: &str,
        member: &str,
    ) -> Result<(), Error> {
        let query = [
            ("group_names", group.to_owned()),
            ("member_names", member.to_owned()),
        ];
        self.call_no_content(Method::DELETE, kind.path(), &query)
            .await
    }

    /// `GET /protection-group-snapshots`: all, or one group's.
    pub async fn list_group_snapshots(
        &self,
        group: Option<&str>,
        destroyed: Option<bool>,
    ) -> Result<Vec<ProtectionGroupSnapshot>, Error> {
        self.snapshots("protection-group-snapshots", group, destroyed)
            .await
    }

    /// `GET /protection-group-snapshots?filter=name='*:*'`: the snapshots other arrays
    /// replicated here (`SOURCE:GROUP.N`), newest first, found by the array rather than by
    /// listing its own too.
    pub async fn replicated_group_snapshots(&self) -> Result<Vec<ProtectionGroupSnapshot>, Error> {
        let mut query = vec![
            ("sort", "created-".to_owned()),
            ("filter", "name='*:*'".to_owned()),
        ];
        destroyed_param(&mut query, Some(false));
        self.read("protection-group-snapshots", &query).await
    }

    /// `POST /protection-group-snapshots?source_names=GROUP`: every volume of the group at one
    /// instant; with `apply_retention`, the group's retention policy then applies to it.
    pub async fn create_group_snapshot(
        &self,
        group: &str,
        suffix: Option<&str>,
        apply_retention: bool,
        replicate_now: bool,
    ) -> Result<ProtectionGroupSnapshot, Error> {
        let mut query = vec![("source_names", group.to_owned())];
        if apply_retention {
            query.push(("apply_retention", "true".to_owned()));
        }
        if replicate_now {
            query.push(("replicate_now", "true".to_owned()));
        }
        let body = ProtectionGroupSnapshotPost {
            suffix: suffix.map(str::to_owned),
        };
        let page = self
            .call(
                Method::POST,
                "protection-group-snapshots",
                &query,
                Some(&body),
            )
            .await?;
        self.single(page, "POST /protection-group-snapshots")
    }

    /// `PATCH /protection-group-snapshots?names=NAME`: destroy or recover.
    pub async fn set_group_snapshot_destroyed(
        &self,
        name: &str,
        destroyed: bool,
    ) -> Result<ProtectionGroupSnapshot, Error> {
        self.named(
            Method::PATCH,
            "protection-group-snapshots",
            name,
            Some(&ProtectionGroupSnapshotPatch {
                destroyed: Some(destroyed),
            }),
        )
        .await
    }

    /// `DELETE /protection-group-snapshots?names=NAME`.
    pub async fn eradicate_group_snapshot(&self, name: &str) -> Result<(), Error> {
        self.delete_named("protection-group-snapshots", name).await
    }
}
