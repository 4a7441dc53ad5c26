//! Protection groups and snapshots.

use reqwest::Method;
use shared::flasharray::{ListResponse, Membership};

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
}
