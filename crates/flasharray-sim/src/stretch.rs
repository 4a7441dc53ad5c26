//! ActiveCluster on a simulated array: a pod stretched over two arrays connected for
//! synchronous replication. Both arrays hold the pod and take writes; every change to it is
//! sent to the other before it is answered (see `routes::mirror_stretched`), and each tick
//! checks the other is there. An array that cannot reach the other shows it `offline`, since
//! when (`frozen_at`); unstretching leaves the array that goes with a destroyed `POD.restretch`.

use serde::{Deserialize, Serialize};
use shared::flasharray::{Pod, PodArrayStatus, PodMember};
use shared::names::{POD_SEPARATOR, validate_object_name};

use crate::collection::reference;
use crate::collection::{new_id, pod_of};
use crate::error::ApiFault;
use crate::pods::{MAX_SYNCED_VOLUMES, SyncedVolume};
use crate::state::ArrayState;

/// The most pods an array holds.
const MAX_PODS: usize = 1000;
/// The connection type ActiveCluster needs.
const SYNC_REPLICATION: &str = "sync-replication";
/// The mediator every stretched pod uses: Pure1's cloud mediator.
const CLOUD_MEDIATOR: &str = "purestorage";

/// `POST /sim/peer/pods/stretch` (the pod and what it holds, for the array it is stretched
/// to) and `…/pods/mirror` (what it holds after a change).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PodContents {
    pub secret: String,
    pub source: String,
    pub pod: String,
    pub volumes: Vec<SyncedVolume>,
}

/// `POST /sim/peer/pods/unstretch`: `source` leaves the pod, or asks the array told to leave.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Unstretch {
    pub secret: String,
    pub source: String,
    pub pod: String,
}

/// The other array of a stretched pod, and where it is reached.
#[derive(Debug, Clone)]
pub(crate) struct StretchPeer {
    pub address: String,
    pub name: String,
    pub pod: String,
}

/// Where to send a stretched pod's contents, and what.
#[derive(Debug, Clone)]
pub(crate) struct Mirror {
    pub address: String,
    pub peer: String,
    pub contents: PodContents,
}

fn member(name: &str, id: Option<String>) -> PodArrayStatus {
    PodArrayStatus {
        id,
        name: Some(name.to_owned()),
        status: Some("online".into()),
        mediator_status: Some("online".into()),
        frozen_at: None,
        pre_elected: Some(false),
    }
}

impl ArrayState {
    fn pod_index(&self, name: &str) -> Result<usize, ApiFault> {
        self.pods
            .iter()
            .position(|pod| pod.name.eq_ignore_ascii_case(name))
            .ok_or_else(|| ApiFault::bad_request(name, "Pod does not exist."))
    }

    /// What the pod holds, as the other array is sent it.
    pub(crate) fn pod_contents(&self, pod: &str) -> Vec<SyncedVolume> {
        self.volumes
            .iter()
            .filter(|volume| {
                pod_of(&volume.name).is_some_and(|owner| owner.eq_ignore_ascii_case(pod))
            })
            .take(MAX_SYNCED_VOLUMES)
            .map(|volume| SyncedVolume {
                name: volume
                    .name
                    .split_once(POD_SEPARATOR)
                    .map_or(volume.name.as_str(), |(_, short)| short)
                    .to_owned(),
                provisioned: volume.provisioned,
                written: volume.space.virtual_.unwrap_or(0),
                created: volume.created,
                destroyed: volume.destroyed,
            })
            .collect()
    }

    /// Checks `pod` can be stretched to `array`: a promoted pod of its own here, without
    /// replica links, and a synchronous connection to `array`.
    pub(crate) fn may_stretch(&self, pod: &str, array: &str) -> Result<(), ApiFault> {
        let found = &self.pods[self.pod_index(pod)?];
        if found.destroyed == Some(true) || !found.is_promoted() {
            return Err(ApiFault::bad_request(
                pod,
                "Only a promoted pod that is not destroyed can be stretched.",
            ));
        }
        if found.is_stretched() {
            return Err(ApiFault::bad_request(pod, "Pod is already stretched."));
        }
        if !self.pods_linked_with(array).is_empty()
            || self
                .replica_links
                .iter()
                .any(|link| link.local_pod.eq_ignore_ascii_case(pod))
        {
            return Err(ApiFault::bad_request(
                pod,
                "A pod with a replica link cannot be stretched.",
            ));
        }
        if !self.connected_synchronously(array) {
            return Err(ApiFault::bad_request(
                array,
                "The arrays must be connected for sync-replication to stretch a pod.",
            ));
        }
        Ok(())
    }

    fn connected_synchronously(&self, array: &str) -> bool {
        self.array_connections.iter().any(|linked| {
            linked.connection.name.eq_ignore_ascii_case(array)
                && linked.connection.kind.as_deref() == Some(SYNC_REPLICATION)
        })
    }

    /// Refuses a write to a stretched pod on the array that does not keep it online while
    /// the other is lost: the mediator keeps the array the pod was stretched from, so the two
    /// never take different writes.
    pub(crate) fn check_online(&self, pod: &Pod, volume: &str) -> Result<(), ApiFault> {
        let Some(arrays) = pod.arrays.as_ref().filter(|arrays| arrays.len() > 1) else {
            return Ok(());
        };
        let peer_lost = arrays.iter().any(|member| {
            member.status.as_deref() == Some("offline")
                && !member
                    .name
                    .as_deref()
                    .is_some_and(|name| name.eq_ignore_ascii_case(&self.name))
        });
        let preferred = arrays
            .first()
            .and_then(|member| member.name.as_deref())
            .is_some_and(|name| name.eq_ignore_ascii_case(&self.name));
        if peer_lost && !preferred {
            return Err(ApiFault::bad_request(
                volume,
                "Pod is offline on this array: the other array keeps it online until they reach each other again.",
            ));
        }
        Ok(())
    }

    /// Records that `pod` is stretched to `array` as well.
    pub(crate) fn stretched_to(&mut self, pod: &str, array: &str, user: &str, now_ms: i64) {
        let own = member(&self.name, Some(self.id.clone()));
        if let Ok(index) = self.pod_index(pod) {
            let found = &mut self.pods[index];
            found.arrays = Some(vec![own, member(array, None)]);
            found.array_count = Some(2);
            found.mediator = Some(CLOUD_MEDIATOR.into());
        }
        self.audit(
            user,
            "purepod",
            "add",
            format!("{pod} --array {array}"),
            now_ms,
        );
    }

    /// On the array a pod is stretched to: makes it, holding what the other's holds.
    pub(crate) fn receive_stretch(
        &mut self,
        contents: &PodContents,
        now_ms: i64,
    ) -> Result<(), ApiFault> {
        validate_object_name("Pod", &contents.pod)
            .map_err(|message| ApiFault::bad_request(&contents.pod, message))?;
        if !self.connected_synchronously(&contents.source) {
            return Err(ApiFault::bad_request(
                &contents.source,
                "The arrays must be connected for sync-replication to stretch a pod.",
            ));
        }
        if self.pods.len() >= MAX_PODS {
            return Err(ApiFault::invalid(format!(
                "An array holds at most {MAX_PODS} pods."
            )));
        }
        if self.pod_index(&contents.pod).is_ok() {
            return Err(ApiFault::bad_request(
                &contents.pod,
                "A pod cannot be stretched to an array that already contains a pod with the same name.",
            ));
        }
        let own = member(&self.name, Some(self.id.clone()));
        self.pods.push(Pod {
            name: contents.pod.clone(),
            id: Some(new_id()),
            destroyed: Some(false),
            array_count: Some(2),
            promotion_status: Some(shared::flasharray::PROMOTED.into()),
            requested_promotion_state: Some(shared::flasharray::PROMOTED.into()),
            arrays: Some(vec![member(&contents.source, None), own]),
            mediator: Some(CLOUD_MEDIATOR.into()),
            ..Pod::default()
        });
        self.receive_mirror(contents, now_ms)
    }

    /// Takes in what a stretched pod holds after a change on the other array.
    pub(crate) fn receive_mirror(
        &mut self,
        contents: &PodContents,
        now_ms: i64,
    ) -> Result<(), ApiFault> {
        if contents.volumes.len() > MAX_SYNCED_VOLUMES {
            return Err(ApiFault::invalid(format!(
                "A pod update carries at most {MAX_SYNCED_VOLUMES} volumes."
            )));
        }
        for volume in &contents.volumes {
            volume.check()?;
        }
        let index = self.pod_index(&contents.pod)?;
        let shared_with_source = self.pods[index].arrays.as_ref().is_some_and(|arrays| {
            arrays.iter().any(|member| {
                member
                    .name
                    .as_deref()
                    .is_some_and(|name| name.eq_ignore_ascii_case(&contents.source))
            })
        });
        if !shared_with_source {
            return Err(ApiFault::bad_request(
                &contents.pod,
                "Pod is not stretched to the sending array.",
            ));
        }
        let pod = self.pods[index].name.clone();
        self.mirror(&pod, &contents.volumes, now_ms);
        self.member_heard(&pod, &contents.source, true, now_ms);
        Ok(())
    }

    /// For each stretched pod, the other arrays holding it.
    pub(crate) fn stretched_peers(&self) -> Vec<StretchPeer> {
        let mut peers = Vec::new();
        for pod in self.pods.iter().filter(|pod| pod.is_stretched()) {
            for member in pod.arrays.iter().flatten() {
                let Some(name) = member.name.as_deref() else {
                    continue;
                };
                if name.eq_ignore_ascii_case(&self.name) {
                    continue;
                }
                if let Ok(address) = self.address_of(name) {
                    peers.push(StretchPeer {
                        address,
                        name: name.to_owned(),
                        pod: pod.name.clone(),
                    });
                }
            }
        }
        peers
    }

    /// What `peer` is sent of `pod`: all it holds.
    pub(crate) fn pod_mirror(&self, pod: &str, peer: &str) -> PodContents {
        PodContents {
            secret: self.secret_with(peer),
            source: self.name.clone(),
            pod: pod.to_owned(),
            volumes: self.pod_contents(pod),
        }
    }

    /// For each stretched pod, the other arrays to send its contents to.
    pub(crate) fn stretched_mirrors(&self) -> Vec<Mirror> {
        self.stretched_peers()
            .into_iter()
            .map(|peer| Mirror {
                contents: self.pod_mirror(&peer.pod, &peer.name),
                address: peer.address,
                peer: peer.name,
            })
            .collect()
    }

    /// Whether any pod here is stretched.
    pub(crate) fn has_stretched_pods(&self) -> bool {
        self.pods.iter().any(Pod::is_stretched)
    }

    /// Notes whether `array` answered for `pod`: `online`, or `offline` since it first did not.
    /// Whether `array` came back: heard after it was offline.
    pub(crate) fn member_heard(
        &mut self,
        pod: &str,
        array: &str,
        heard: bool,
        now_ms: i64,
    ) -> bool {
        let Ok(index) = self.pod_index(pod) else {
            return false;
        };
        let mut came_back = false;
        for peer in self.pods[index].arrays.iter_mut().flatten() {
            if peer
                .name
                .as_deref()
                .is_some_and(|name| name.eq_ignore_ascii_case(array))
            {
                if heard {
                    came_back |= peer.status.as_deref() == Some("offline");
                    peer.status = Some("online".into());
                    peer.frozen_at = None;
                } else if peer.status.as_deref() != Some("offline") {
                    peer.status = Some("offline".into());
                    peer.frozen_at = Some(now_ms);
                }
            }
        }
        came_back
    }

    /// Whether this array keeps `pod` online when the arrays lose each other.
    pub(crate) fn keeps_online(&self, pod: &str) -> bool {
        self.pod_index(pod).ok().is_some_and(|index| {
            self.pods[index]
                .arrays
                .iter()
                .flatten()
                .next()
                .and_then(|member| member.name.as_deref())
                .is_some_and(|name| name.eq_ignore_ascii_case(&self.name))
        })
    }

    /// `GET /pods/arrays`: each stretched pod and each array it is on.
    pub(crate) fn pod_members(&self) -> Vec<PodMember> {
        self.pods
            .iter()
            .flat_map(|pod| {
                let arrays = pod
                    .arrays
                    .clone()
                    .unwrap_or_else(|| vec![member(&self.name, Some(self.id.clone()))]);
                arrays.into_iter().map(move |array| PodMember {
                    group: reference(&pod.name),
                    member: reference(array.name.as_deref().unwrap_or_default()),
                })
            })
            .collect()
    }

    /// The staying array forgets that `array` holds `pod`.
    pub(crate) fn forget_member(&mut self, pod: &str, array: &str, user: &str, now_ms: i64) {
        let Ok(index) = self.pod_index(pod) else {
            return;
        };
        let found = &mut self.pods[index];
        found.array_count = Some(1);
        found.arrays = None;
        self.audit(
            user,
            "purepod",
            "remove",
            format!("{pod} --array {array}"),
            now_ms,
        );
    }

    /// The leaving array: its pod becomes the destroyed `POD.restretch`, with what it held
    /// when it left, until eradicated.
    pub(crate) fn leave_pod(&mut self, pod: &str, now_ms: i64) -> Result<(), ApiFault> {
        let delay = self.eradication_delay_ms();
        let index = self.pod_index(pod)?;
        let name = self.pods[index].name.clone();
        let restretch = format!("{name}.restretch");
        if self.pod_index(&restretch).is_ok() {
            return Err(ApiFault::bad_request(
                &restretch,
                "Eradicate the pod left by the last unstretch first.",
            ));
        }
        for volume in &mut self.volumes {
            if pod_of(&volume.name).is_some_and(|owner| owner.eq_ignore_ascii_case(&name)) {
                let short = volume
                    .name
                    .split_once(POD_SEPARATOR)
                    .map_or(String::new(), |(_, short)| short.to_owned());
                volume.name = format!("{restretch}{POD_SEPARATOR}{short}");
                volume.pod = Some(reference(&restretch));
                if !volume.destroyed {
                    volume.destroyed = true;
                    volume.time_remaining = Some(delay);
                    self.destroyed_at.insert(volume.id.clone(), now_ms);
                }
            }
        }
        let found = &mut self.pods[index];
        found.name = restretch;
        found.destroyed = Some(true);
        found.time_remaining = Some(delay);
        found.arrays = None;
        found.array_count = Some(1);
        let id = found.id.clone().unwrap_or_default();
        self.destroyed_at.insert(id, now_ms);
        Ok(())
    }

    /// The other array `pod` is stretched to, if it is.
    pub(crate) fn stretch_peer(&self, pod: &str) -> Option<String> {
        let found = &self.pods[self.pod_index(pod).ok()?];
        found
            .arrays
            .iter()
            .flatten()
            .filter_map(|member| member.name.clone())
            .find(|name| !name.eq_ignore_ascii_case(&self.name))
    }
}
