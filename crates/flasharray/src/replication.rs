//! Replication between arrays: the connections that link this array to others, and the
//! arrays its protection groups replicate to.

use reqwest::Method;
use shared::flasharray::{
    ArrayConnection, ArrayConnectionKey, ArrayConnectionPatch, ArrayConnectionPost, ListResponse,
    ProtectionGroupPerformance, ProtectionGroupSnapshotTransfer, TargetProtectionGroup,
    TargetProtectionGroupPatch,
};

use crate::client::ArrayClient;

/// The most samples of group replication read at once: a day at 30 minutes for 200 groups.
const MAX_PERFORMANCE_SAMPLES: usize = 9_600;
use crate::error::Error;

impl ArrayClient {
    /// `GET /protection-group-snapshots/transfer?source_names=GROUP`: how each snapshot of
    /// `group` travelled to its targets (or, of `SOURCE:GROUP` on a target, arrived).
    pub async fn group_transfers(
        &self,
        group: &str,
    ) -> Result<Vec<ProtectionGroupSnapshotTransfer>, Error> {
        self.read(
            "protection-group-snapshots/transfer",
            &[("source_names", group.to_owned())],
        )
        .await
    }

    /// `GET /protection-groups/targets`: every group's targets, and the groups others
    /// replicate here (`SOURCE:GROUP`, with this array as the member).
    pub async fn all_group_targets(&self) -> Result<Vec<TargetProtectionGroup>, Error> {
        self.read("protection-groups/targets", &[]).await
    }

    /// `GET /protection-group-snapshots/transfer`: every snapshot sent or received.
    pub async fn all_group_transfers(&self) -> Result<Vec<ProtectionGroupSnapshotTransfer>, Error> {
        self.read("protection-group-snapshots/transfer", &[]).await
    }

    /// `GET /protection-groups/performance/replication`: each group's replication bytes a
    /// second from `start_ms` on, one sample per `resolution_ms`.
    pub async fn group_replication_performance(
        &self,
        start_ms: i64,
        resolution_ms: i64,
    ) -> Result<Vec<ProtectionGroupPerformance>, Error> {
        self.read(
            "protection-groups/performance/replication",
            &[
                ("start_time", start_ms.to_string()),
                ("resolution", resolution_ms.to_string()),
                ("limit", MAX_PERFORMANCE_SAMPLES.to_string()),
            ],
        )
        .await
    }

    /// `GET /array-connections`: the arrays this one is connected to, and how.
    pub async fn array_connections(&self) -> Result<Vec<ArrayConnection>, Error> {
        self.read("array-connections", &[]).await
    }

    /// `GET /array-connections/connection-key`: what another array needs to connect to this
    /// one. It is a secret of the array's administrator: pass it on, never show it.
    pub async fn connection_key(&self) -> Result<String, Error> {
        let page: ListResponse<ArrayConnectionKey> =
            self.call_secret("array-connections/connection-key").await?;
        self.single(page, "GET /array-connections/connection-key")
            .map(|key| key.connection_key)
    }

    /// `POST /array-connections`: connects to the array at `connection.management_address`
    /// with the key it handed out. A refusal never repeats the key, even if the array does.
    pub async fn connect_array(
        &self,
        connection: &ArrayConnectionPost,
    ) -> Result<ArrayConnection, Error> {
        let key = connection.connection_key.as_deref().unwrap_or_default();
        let page = self
            .call(Method::POST, "array-connections", &[], Some(connection))
            .await
            .map_err(|error| error.without(key))?;
        self.single(page, "POST /array-connections")
    }

    /// `PATCH /array-connections?names=NAME`.
    pub async fn patch_array_connection(
        &self,
        name: &str,
        patch: &ArrayConnectionPatch,
    ) -> Result<ArrayConnection, Error> {
        self.named(Method::PATCH, "array-connections", name, Some(patch))
            .await
    }

    /// `DELETE /array-connections?names=NAME`: disconnects from the array `name`.
    pub async fn disconnect_array(&self, name: &str) -> Result<(), Error> {
        self.delete_named("array-connections", name).await
    }
}

impl ArrayClient {
    /// `GET /protection-groups/targets?group_names=GROUP`: where the group replicates, and
    /// whether each target allows it.
    pub async fn group_targets(&self, group: &str) -> Result<Vec<TargetProtectionGroup>, Error> {
        self.read(
            "protection-groups/targets",
            &[("group_names", group.to_owned())],
        )
        .await
    }

    /// `POST /protection-groups/targets`: `group` replicates to the connected array `array`.
    pub async fn add_group_target(
        &self,
        group: &str,
        array: &str,
    ) -> Result<TargetProtectionGroup, Error> {
        let page = self
            .call(
                Method::POST,
                "protection-groups/targets",
                &target_pair(group, array),
                None::<&()>,
            )
            .await?;
        self.single(page, "POST /protection-groups/targets")
    }

    /// `DELETE /protection-groups/targets`: `group` no longer replicates to `array`.
    pub async fn remove_group_target(&self, group: &str, array: &str) -> Result<(), Error> {
        self.call_no_content(
            Method::DELETE,
            "protection-groups/targets",
            &target_pair(group, array),
        )
        .await
    }

    /// `PATCH /protection-groups/targets`, on the target array: allows `SOURCE:GROUP` (as
    /// `group`) to replicate to this array, `array`, or stops allowing it.
    pub async fn allow_group(
        &self,
        group: &str,
        array: &str,
        allowed: bool,
    ) -> Result<TargetProtectionGroup, Error> {
        let page = self
            .call(
                Method::PATCH,
                "protection-groups/targets",
                &target_pair(group, array),
                Some(&TargetProtectionGroupPatch {
                    allowed: Some(allowed),
                }),
            )
            .await?;
        self.single(page, "PATCH /protection-groups/targets")
    }
}

fn target_pair(group: &str, array: &str) -> [(&'static str, String); 2] {
    [
        ("group_names", group.to_owned()),
        ("member_names", array.to_owned()),
    ]
}
