//! Pods and their ActiveDR links: made, promoted and demoted, destroyed and eradicated,
//! linked to a demoted pod on a connected array, and stretched over two arrays
//! (ActiveCluster).

use reqwest::Method;
use shared::flasharray::{
    ListResponse, Pod, PodMember, PodPatch, PodReplicaLink, PodReplicaLinkLag, PodReplicaLinkPatch,
};

use crate::client::ArrayClient;
use crate::error::Error;

impl ArrayClient {
    /// `GET /pods`, destroyed ones included.
    pub async fn pods(&self) -> Result<Vec<Pod>, Error> {
        self.read("pods", &[]).await
    }

    /// `POST /pods?names=NAME`, promoted and empty.
    pub async fn create_pod(&self, name: &str) -> Result<Pod, Error> {
        self.named(
            Method::POST,
            "pods",
            name,
            Some(&serde_json::Map::<String, serde_json::Value>::new()),
        )
        .await
    }

    /// `PATCH /pods?names=NAME`: destroys or recovers it, promotes or demotes it.
    pub async fn patch_pod(&self, name: &str, patch: &PodPatch) -> Result<Pod, Error> {
        self.named(Method::PATCH, "pods", name, Some(patch)).await
    }

    /// `DELETE /pods?names=NAME&eradicate_contents=true`: eradicates a destroyed pod and the
    /// destroyed volumes still in it.
    pub async fn eradicate_pod(&self, name: &str) -> Result<(), Error> {
        self.call_no_content(
            Method::DELETE,
            "pods",
            &[
                ("names", name.to_owned()),
                ("eradicate_contents", "true".to_owned()),
            ],
        )
        .await
    }

    /// `GET /pod-replica-links`: every link, as this array sees it.
    pub async fn pod_links(&self) -> Result<Vec<PodReplicaLink>, Error> {
        self.read("pod-replica-links", &[]).await
    }

    /// `GET /pod-replica-links/lag?local_pod_names=POD`: the pod's links' lag from `start_ms`
    /// on, per `resolution_ms`.
    pub async fn pod_link_lag(
        &self,
        pod: &str,
        start_ms: i64,
        resolution_ms: i64,
    ) -> Result<Vec<PodReplicaLinkLag>, Error> {
        self.read(
            "pod-replica-links/lag",
            &[
                ("local_pod_names", pod.to_owned()),
                ("start_time", start_ms.to_string()),
                ("resolution", resolution_ms.to_string()),
            ],
        )
        .await
    }

    /// `POST /pod-replica-links`: `pod` here replicates to the demoted `remote_pod` on the
    /// connected array `remote`.
    pub async fn link_pod(
        &self,
        pod: &str,
        remote_pod: &str,
        remote: &str,
    ) -> Result<PodReplicaLink, Error> {
        let mut query = link_pair(pod, remote_pod).to_vec();
        query.push(("remote_names", remote.to_owned()));
        let page = self
            .call(Method::POST, "pod-replica-links", &query, None::<&()>)
            .await?;
        self.single(page, "POST /pod-replica-links")
    }

    /// `PATCH /pod-replica-links`: pauses or resumes the link, on the array that sends.
    pub async fn pause_pod_link(
        &self,
        pod: &str,
        remote_pod: &str,
        paused: bool,
    ) -> Result<PodReplicaLink, Error> {
        let patch = PodReplicaLinkPatch {
            paused: Some(paused),
        };
        let page = self
            .call(
                Method::PATCH,
                "pod-replica-links",
                &link_pair(pod, remote_pod),
                Some(&patch),
            )
            .await?;
        self.single(page, "PATCH /pod-replica-links")
    }

    /// `DELETE /pod-replica-links`: both arrays forget the link.
    pub async fn unlink_pod(&self, pod: &str, remote_pod: &str) -> Result<(), Error> {
        self.call_no_content(
            Method::DELETE,
            "pod-replica-links",
            &link_pair(pod, remote_pod),
        )
        .await
    }
}

impl ArrayClient {
    /// `POST /pods/arrays`: stretches `pod` to the connected array `array` (ActiveCluster).
    pub async fn stretch_pod(&self, pod: &str, array: &str) -> Result<(), Error> {
        let _: ListResponse<PodMember> = self
            .call(
                Method::POST,
                "pods/arrays",
                &member_pair(pod, array),
                None::<&()>,
            )
            .await?;
        Ok(())
    }

    /// `DELETE /pods/arrays`: `array` leaves the stretched `pod`.
    pub async fn unstretch_pod(&self, pod: &str, array: &str) -> Result<(), Error> {
        self.call_no_content(Method::DELETE, "pods/arrays", &member_pair(pod, array))
            .await
    }
}

fn member_pair(pod: &str, array: &str) -> [(&'static str, String); 2] {
    [
        ("group_names", pod.to_owned()),
        ("member_names", array.to_owned()),
    ]
}

fn link_pair(pod: &str, remote_pod: &str) -> [(&'static str, String); 2] {
    [
        ("local_pod_names", pod.to_owned()),
        ("remote_pod_names", remote_pod.to_owned()),
    ]
}
