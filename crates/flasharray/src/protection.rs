//! Protection groups and snapshots.

use reqwest::Method;
use shared::flasharray::{ListResponse, Membership, VolumeSnapshot, VolumeSnapshotPost};

use crate::client::ArrayClient;
use crate::error::Error;

impl ArrayClient {
    /// `GET /volumes/protection-groups?member_names=...`: which groups protect these volumes.
    pub async fn volume_protection_groups(
        &self,
        volumes: &[String],
    ) -> Result<Vec<Membership>, Error> {
        if volumes.is_empty() {
            return Ok(Vec::new());
        }
        let page: ListResponse<Membership> = self
            .call(
                Method::GET,
                "volumes/protection-groups",
                &[("member_names", volumes.join(","))],
                None::<&()>,
            )
            .await?;
        Ok(page.items)
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
        let page: ListResponse<VolumeSnapshot> = self
            .call(
                Method::POST,
                "volume-snapshots",
                &[("source_names", volumes.join(","))],
                Some(&body),
            )
            .await?;
        Ok(page.items)
    }
}
