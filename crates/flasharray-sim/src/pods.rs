//! Pods on a simulated array, and ActiveDR: a replica link sends a promoted pod's volumes to
//! a demoted pod on a connected array, continuously, so the target is seconds behind. A
//! demoted pod refuses writes; promoting it makes it writable and stops it taking in what is
//! sent; when the source is demoted and the target promoted, the link turns round.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use shared::flasharray::{
    DEMOTED, PROMOTED, Pod, PodPatch, PodReplicaLink, PodReplicaLinkLag, ReplicaLinkLag,
    TypedReference, Volume,
};
use shared::names::{POD_SEPARATOR, validate_object_name};

use crate::collection::{new_id, pod_of, reference};
use crate::error::ApiFault;
use crate::records::ReplicaLink;
use crate::state::{ArrayState, check_provisioned, set_written};

/// How long an inbound link waits for the source before it shows as unhealthy.
const SILENCE_MS: i64 = 10_000;
/// How often a link's lag is sampled for its history.
pub(crate) const LAG_SAMPLE_MS: i64 = 30_000;
/// Lag samples kept per link: a day.
const LAG_SAMPLES: usize = 2_880;
/// The most volumes one pod sends in one update.
pub(crate) const MAX_SYNCED_VOLUMES: usize = 5_000;

/// A volume as a pod's update carries it, named without its pod.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SyncedVolume {
    pub name: String,
    pub provisioned: u64,
    pub written: u64,
    pub created: i64,
    pub destroyed: bool,
}

/// What the sending array tells the other, every second: where the link stands and, unless
/// paused, what its pod holds now.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PodUpdate {
    pub secret: String,
    pub source: String,
    pub link_id: String,
    pub paused: bool,
    pub recovery_point: Option<i64>,
    pub volumes: Option<Vec<SyncedVolume>>,
}

/// An update due to be sent, and where.
#[derive(Debug, Clone)]
pub(crate) struct DueUpdate {
    pub address: String,
    pub update: PodUpdate,
}

impl SyncedVolume {
    /// What an array checks before holding a volume another sends: a name and a size it
    /// would take itself, no more data than the size.
    pub(crate) fn check(&self) -> Result<(), ApiFault> {
        validate_object_name("Volume", &self.name).map_err(ApiFault::invalid)?;
        check_provisioned(&self.name, self.provisioned)?;
        if self.written > self.provisioned || self.created < 0 {
            return Err(ApiFault::invalid(format!(
                "{} holds more than its size, or was made before 1970.",
                self.name
            )));
        }
        Ok(())
    }
}

/// How far ahead of this array's clock another's recovery point may be (clocks drift).
const CLOCK_ALLOWANCE_MS: i64 = 5 * 60 * 1000;

impl ReplicaLink {
    fn status(&self, local: Option<&Pod>, now_ms: i64) -> &'static str {
        let local_promoted = local.is_some_and(Pod::is_promoted);
        if self.paused {
            "paused"
        } else if self.recovery_point.is_none() {
            "baselining"
        } else if self.outbound && !local_promoted {
            "quiesced"
        } else if self.unhealthy || (!self.outbound && now_ms - self.last_heard > SILENCE_MS) {
            "unhealthy"
        } else {
            "replicating"
        }
    }

    fn lag(&self, now_ms: i64) -> Option<i64> {
        self.recovery_point.map(|point| (now_ms - point).max(0))
    }

    fn remotes(&self) -> Vec<TypedReference> {
        vec![TypedReference {
            id: None,
            name: Some(self.remote.clone()),
            resource_type: Some("remote-arrays".into()),
        }]
    }

    fn sample(&mut self, now_ms: i64) {
        let due = self
            .lag_history
            .last()
            .is_none_or(|(time, _)| now_ms - time >= LAG_SAMPLE_MS);
        if let (true, Some(lag)) = (due, self.lag(now_ms)) {
            self.lag_history.push((now_ms, lag));
            let excess = self.lag_history.len().saturating_sub(LAG_SAMPLES);
            self.lag_history.drain(..excess);
        }
    }
}

fn in_pod(pod: &str, volume: &str) -> bool {
    pod_of(volume).is_some_and(|owner| owner.eq_ignore_ascii_case(pod))
}

impl ArrayState {
    fn pod(&self, name: &str) -> Option<&Pod> {
        self.pods
            .iter()
            .find(|pod| pod.name.eq_ignore_ascii_case(name))
    }

    fn pod_mut(&mut self, name: &str) -> Result<&mut Pod, ApiFault> {
        self.pods
            .iter_mut()
            .find(|pod| pod.name.eq_ignore_ascii_case(name))
            .ok_or_else(|| ApiFault::bad_request(name, "Pod does not exist."))
    }

    /// The pods, with their links counted.
    pub(crate) fn pods_view(&self) -> Vec<Pod> {
        self.pods
            .iter()
            .map(|pod| {
                let links = self.links_of(&pod.name);
                let count = |outbound: bool| {
                    links
                        .clone()
                        .filter(|link| link.outbound == outbound)
                        .count() as u32
                };
                Pod {
                    link_target_count: Some(count(true)),
                    link_source_count: Some(count(false)),
                    ..pod.clone()
                }
            })
            .collect()
    }

    fn links_of<'a>(&'a self, pod: &'a str) -> impl Iterator<Item = &'a ReplicaLink> + Clone {
        self.replica_links
            .iter()
            .filter(move |link| link.local_pod.eq_ignore_ascii_case(pod))
    }

    /// Refuses a volume name whose pod is missing, destroyed or demoted: what hosts may not
    /// write to.
    pub(crate) fn check_writable(&self, volume: &str) -> Result<(), ApiFault> {
        let Some(pod) = pod_of(volume) else {
            return Ok(());
        };
        match self.pod(pod) {
            None => Err(ApiFault::bad_request(volume, "Pod does not exist.")),
            Some(found) if found.destroyed == Some(true) => Err(ApiFault::bad_request(
                volume,
                "Pod has been destroyed. Recover it first.",
            )),
            Some(found) if !found.is_promoted() => Err(ApiFault::bad_request(
                volume,
                "Pod is demoted: it does not accept writes. Promote it first.",
            )),
            Some(found) => self.check_online(found, volume),
        }
    }

    /// `POST /pods?names=…`.
    pub(crate) fn create_pods(
        &mut self,
        user: &str,
        names: &[String],
        now_ms: i64,
    ) -> Result<Vec<Pod>, ApiFault> {
        for (index, name) in names.iter().enumerate() {
            validate_object_name("Pod", name)
                .map_err(|message| ApiFault::bad_request(name, message))?;
            let given_twice = names[..index]
                .iter()
                .any(|earlier| earlier.eq_ignore_ascii_case(name));
            if given_twice || self.pod(name).is_some() {
                return Err(ApiFault::bad_request(name, "Pod already exists."));
            }
        }
        let created: Vec<Pod> = names
            .iter()
            .map(|name| Pod {
                name: name.clone(),
                id: Some(new_id()),
                destroyed: Some(false),
                array_count: Some(1),
                promotion_status: Some(PROMOTED.into()),
                requested_promotion_state: Some(PROMOTED.into()),
                ..Pod::default()
            })
            .collect();
        self.pods.extend(created.iter().cloned());
        self.audit(user, "purepod", "create", names.join(" "), now_ms);
        Ok(created)
    }

    /// `PATCH /pods?names=…`: destroys or recovers, promotes or demotes.
    pub(crate) fn patch_pods(
        &mut self,
        user: &str,
        names: &[String],
        patch: &PodPatch,
        now_ms: i64,
    ) -> Result<Vec<Pod>, ApiFault> {
        let delay = self.eradication_delay_ms();
        let wanted = patch.requested_promotion_state.as_deref();
        if let Some(state) = wanted
            && state != PROMOTED
            && state != DEMOTED
        {
            return Err(ApiFault::bad_request(
                state,
                "requested_promotion_state must be promoted or demoted.",
            ));
        }
        for name in names {
            self.may_patch_pod(name, patch)?;
        }
        for name in names {
            let pod = self.pod_mut(name)?;
            if let Some(state) = wanted {
                pod.promotion_status = Some(state.into());
                pod.requested_promotion_state = Some(state.into());
            }
            match patch.destroyed {
                Some(true) if pod.destroyed != Some(true) => {
                    pod.destroyed = Some(true);
                    pod.time_remaining = Some(delay);
                    let id = pod.id.clone().unwrap_or_default();
                    self.destroyed_at.insert(id, now_ms);
                }
                Some(false) if pod.destroyed == Some(true) => {
                    pod.destroyed = Some(false);
                    pod.time_remaining = None;
                    let id = pod.id.clone().unwrap_or_default();
                    self.destroyed_at.remove(&id);
                }
                _ => {}
            }
        }
        let mut arguments = names.join(" ");
        if let Some(state) = wanted {
            arguments.push_str(&format!(" --{}", &state[..state.len() - 1]));
        }
        if let Some(destroyed) = patch.destroyed {
            arguments.push_str(if destroyed {
                " --destroy"
            } else {
                " --recover"
            });
        }
        self.audit(user, "purepod", "setattr", arguments, now_ms);
        Ok(self
            .pods_view()
            .into_iter()
            .filter(|pod| {
                names
                    .iter()
                    .any(|name| name.eq_ignore_ascii_case(&pod.name))
            })
            .collect())
    }

    fn may_patch_pod(&self, name: &str, patch: &PodPatch) -> Result<(), ApiFault> {
        let pod = self
            .pod(name)
            .ok_or_else(|| ApiFault::bad_request(name, "Pod does not exist."))?;
        let refuse = |message: &str| Err(ApiFault::bad_request(name, message));
        if pod.destroyed == Some(true) && patch.requested_promotion_state.is_some() {
            return refuse("Pod has been destroyed. Recover it first.");
        }
        if pod.is_stretched()
            && (patch.destroyed == Some(true)
                || patch.requested_promotion_state.as_deref() == Some(DEMOTED))
        {
            return refuse("A stretched pod cannot be destroyed or demoted: unstretch it first.");
        }
        if patch.requested_promotion_state.as_deref() == Some(PROMOTED)
            && self
                .links_of(name)
                .any(|link| !link.outbound && link.recovery_point.is_none())
        {
            return refuse("Cannot promote the pod while its replica link is baselining.");
        }
        if patch.destroyed == Some(true) && pod.destroyed != Some(true) {
            let holds_volumes = self
                .volumes
                .iter()
                .any(|volume| !volume.destroyed && in_pod(name, &volume.name));
            if holds_volumes {
                return refuse("Pod is not empty: destroy or move its volumes first.");
            }
            if self.links_of(name).next().is_some() {
                return refuse("Pod has replica links: delete them first.");
            }
        }
        Ok(())
    }

    /// `DELETE /pods?names=…[&eradicate_contents=true]`: eradicates destroyed pods; the
    /// destroyed volumes still in them go too only when asked.
    pub(crate) fn eradicate_pods(
        &mut self,
        user: &str,
        names: &[String],
        eradicate_contents: bool,
        now_ms: i64,
    ) -> Result<(), ApiFault> {
        for name in names {
            let pod = self
                .pod(name)
                .ok_or_else(|| ApiFault::bad_request(name, "Pod does not exist."))?;
            if pod.destroyed != Some(true) {
                return Err(ApiFault::bad_request(
                    name,
                    "Pod must be destroyed before it can be eradicated.",
                ));
            }
            let holds = self.volumes.iter().any(|volume| in_pod(name, &volume.name));
            if holds && !eradicate_contents {
                return Err(ApiFault::bad_request(
                    name,
                    "Pod still holds destroyed volumes: set eradicate_contents=true to eradicate them with it.",
                ));
            }
        }
        self.volumes
            .retain(|volume| !names.iter().any(|name| in_pod(name, &volume.name)));
        self.pods.retain(|pod| {
            !names
                .iter()
                .any(|name| name.eq_ignore_ascii_case(&pod.name))
        });
        self.forget_eradicated();
        self.audit(user, "purepod", "eradicate", names.join(" "), now_ms);
        Ok(())
    }

    /// Brings destroyed pods' `time_remaining` up to `now_ms`, and eradicates those whose
    /// delay has run out (with what they hold).
    pub(crate) fn sweep_pods(&mut self, now_ms: i64) {
        let delay = self.eradication_delay_ms();
        let mut gone = Vec::new();
        for pod in &mut self.pods {
            let Some(at) = pod.id.as_ref().and_then(|id| self.destroyed_at.get(id)) else {
                continue;
            };
            let left = (at + delay - now_ms).max(0);
            pod.time_remaining = Some(left);
            if left == 0 {
                gone.push(pod.name.clone());
            }
        }
        if !gone.is_empty() {
            self.volumes
                .retain(|volume| !gone.iter().any(|name| in_pod(name, &volume.name)));
            self.pods.retain(|pod| !gone.contains(&pod.name));
        }
    }

    // --- replica links ----------------------------------------------------------------

    /// `GET /pod-replica-links`, as this array sees each.
    pub(crate) fn links_view(&self, now_ms: i64) -> Vec<PodReplicaLink> {
        self.replica_links
            .iter()
            .map(|link| PodReplicaLink {
                id: Some(link.id.clone()),
                direction: Some(direction(link.outbound).into()),
                lag: link.lag(now_ms),
                local_pod: Some(reference(&link.local_pod)),
                paused: Some(link.paused),
                recovery_point: link.recovery_point,
                remote_pod: Some(reference(&link.remote_pod)),
                remotes: Some(link.remotes()),
                status: Some(link.status(self.pod(&link.local_pod), now_ms).into()),
            })
            .collect()
    }

    /// `GET /pod-replica-links/lag`: each link's samples between `start` and `end`, averaged
    /// over `resolution`.
    pub(crate) fn lag_view(
        &self,
        start: i64,
        end: i64,
        resolution: i64,
        now_ms: i64,
    ) -> Vec<PodReplicaLinkLag> {
        let mut rows = Vec::new();
        for link in &self.replica_links {
            let status = link.status(self.pod(&link.local_pod), now_ms);
            let mut bucket: Option<(i64, Vec<i64>)> = None;
            let mut flush = |bucket: Option<(i64, Vec<i64>)>| {
                if let Some((time, lags)) = bucket {
                    let sum: i64 = lags.iter().sum();
                    rows.push(PodReplicaLinkLag {
                        id: Some(link.id.clone()),
                        direction: Some(direction(link.outbound).into()),
                        lag: Some(ReplicaLinkLag {
                            avg: sum / lags.len() as i64,
                            max: lags.iter().copied().max().unwrap_or(0),
                        }),
                        local_pod: Some(reference(&link.local_pod)),
                        recovery_point: Some(time - lags.last().copied().unwrap_or(0)),
                        remote_pod: Some(reference(&link.remote_pod)),
                        remotes: Some(link.remotes()),
                        status: Some(status.into()),
                        time,
                    });
                }
            };
            for &(time, lag) in &link.lag_history {
                if time < start || time > end {
                    continue;
                }
                let slot = (time - time.rem_euclid(resolution)).saturating_add(resolution);
                match &mut bucket {
                    Some((at, lags)) if *at == slot => lags.push(lag),
                    _ => flush(bucket.replace((slot, vec![lag]))),
                }
            }
            flush(bucket);
        }
        rows
    }

    /// Checks a new link from `local_pod` here to `remote_pod` on `remote`.
    pub(crate) fn may_link(&self, local_pod: &str, remote: &str) -> Result<(), ApiFault> {
        let pod = self
            .pod(local_pod)
            .ok_or_else(|| ApiFault::bad_request(local_pod, "Pod does not exist."))?;
        if pod.destroyed == Some(true) || !pod.is_promoted() {
            return Err(ApiFault::bad_request(
                local_pod,
                "The source pod must be promoted and not destroyed.",
            ));
        }
        if self.links_of(local_pod).next().is_some() {
            return Err(ApiFault::bad_request(
                local_pod,
                "Pod already has a replica link.",
            ));
        }
        self.address_of(remote).map(drop)
    }

    /// Records a new link on the source, which starts sending once its first copy, at the
    /// link's rate, has crossed.
    pub(crate) fn add_outbound_link(
        &mut self,
        id: &str,
        local_pod: &str,
        remote_pod: &str,
        remote: &str,
        user: &str,
        now_ms: i64,
    ) -> PodReplicaLink {
        let bytes: u64 = self
            .volumes
            .iter()
            .filter(|volume| in_pod(local_pod, &volume.name))
            .map(|volume| volume.space.virtual_.unwrap_or(0))
            .sum();
        let rate = self.rate_to(remote).max(1);
        let baseline_ms = i64::try_from(bytes.saturating_mul(1000) / rate).unwrap_or(i64::MAX);
        self.replica_links.push(ReplicaLink {
            id: id.to_owned(),
            local_pod: self.pod_name(local_pod),
            remote_pod: remote_pod.to_owned(),
            remote: remote.to_owned(),
            outbound: true,
            paused: false,
            recovery_point: None,
            baselined_at: now_ms.saturating_add(baseline_ms),
            unhealthy: false,
            last_heard: now_ms,
            lag_history: Vec::new(),
        });
        self.audit(
            user,
            "purepod",
            "replica-link create",
            format!("{local_pod} --remote-pod {remote_pod} --remote {remote}"),
            now_ms,
        );
        self.links_view(now_ms)
            .into_iter()
            .find(|link| link.id.as_deref() == Some(id))
            .unwrap_or_default()
    }

    fn pod_name(&self, name: &str) -> String {
        self.pod(name)
            .map_or_else(|| name.to_owned(), |pod| pod.name.clone())
    }

    /// On the target: records the link `source` makes to `local_pod` here, which must be a
    /// demoted pod without links.
    pub(crate) fn add_inbound_link(
        &mut self,
        id: &str,
        local_pod: &str,
        remote_pod: &str,
        source: &str,
        now_ms: i64,
    ) -> Result<(), ApiFault> {
        let pod = self
            .pod(local_pod)
            .ok_or_else(|| ApiFault::bad_request(local_pod, "Pod does not exist."))?;
        if pod.destroyed == Some(true) || pod.is_promoted() {
            return Err(ApiFault::bad_request(
                local_pod,
                "The target pod must be demoted before it can be linked.",
            ));
        }
        if self.links_of(local_pod).next().is_some() {
            return Err(ApiFault::bad_request(
                local_pod,
                "Pod already has a replica link.",
            ));
        }
        validate_object_name("Pod", remote_pod)
            .map_err(|message| ApiFault::bad_request(remote_pod, message))?;
        self.replica_links.push(ReplicaLink {
            id: id.to_owned(),
            local_pod: self.pod_name(local_pod),
            remote_pod: remote_pod.to_owned(),
            remote: source.to_owned(),
            outbound: false,
            paused: false,
            recovery_point: None,
            baselined_at: now_ms,
            unhealthy: false,
            last_heard: now_ms,
            lag_history: Vec::new(),
        });
        Ok(())
    }

    /// The pods here with a replica link to `array`.
    pub(crate) fn pods_linked_with(&self, array: &str) -> Vec<String> {
        self.replica_links
            .iter()
            .filter(|link| link.remote.eq_ignore_ascii_case(array))
            .map(|link| link.local_pod.clone())
            .collect()
    }

    /// Whether the link `id` is with the array `remote`.
    pub(crate) fn link_with(&self, id: &str, remote: &str) -> bool {
        self.replica_links
            .iter()
            .any(|link| link.id == id && link.remote.eq_ignore_ascii_case(remote))
    }

    fn link_mut(&mut self, id: &str) -> Option<&mut ReplicaLink> {
        self.replica_links.iter_mut().find(|link| link.id == id)
    }

    /// Pauses or resumes a link (on the array that sends).
    pub(crate) fn pause_link(
        &mut self,
        id: &str,
        paused: bool,
        user: &str,
        now_ms: i64,
    ) -> Result<PodReplicaLink, ApiFault> {
        let link = self
            .link_mut(id)
            .ok_or_else(|| ApiFault::invalid("Pod replica link does not exist."))?;
        if !link.outbound {
            return Err(ApiFault::bad_request(
                &link.local_pod,
                "Pause or resume a replica link on the array that sends.",
            ));
        }
        link.paused = paused;
        let arguments = format!("{} --remote-pod {}", link.local_pod, link.remote_pod);
        let action = if paused { "pause" } else { "resume" };
        self.audit(
            user,
            "purepod",
            &format!("replica-link {action}"),
            arguments,
            now_ms,
        );
        Ok(self
            .links_view(now_ms)
            .into_iter()
            .find(|link| link.id.as_deref() == Some(id))
            .unwrap_or_default())
    }

    /// Forgets a link; `user` is who asked, on this array.
    pub(crate) fn drop_link(&mut self, id: &str, user: Option<&str>, now_ms: i64) {
        let Some(index) = self.replica_links.iter().position(|link| link.id == id) else {
            return;
        };
        let link = self.replica_links.remove(index);
        if let Some(user) = user {
            self.audit(
                user,
                "purepod",
                "replica-link delete",
                format!("{} --remote-pod {}", link.local_pod, link.remote_pod),
                now_ms,
            );
        }
    }

    /// The updates due from this array's outbound links, whose first copy has crossed.
    pub(crate) fn pod_updates_due(&mut self, now_ms: i64) -> Vec<DueUpdate> {
        let mut due = Vec::new();
        for link in &self.replica_links {
            let promoted = self.pod(&link.local_pod).is_some_and(Pod::is_promoted);
            if !link.outbound || !promoted || now_ms < link.baselined_at {
                continue;
            }
            let Ok(address) = self.address_of(&link.remote) else {
                continue;
            };
            let volumes = (!link.paused).then(|| {
                self.volumes
                    .iter()
                    .filter(|volume| in_pod(&link.local_pod, &volume.name))
                    .take(MAX_SYNCED_VOLUMES)
                    .map(|volume| SyncedVolume {
                        name: short_name(&volume.name).to_owned(),
                        provisioned: volume.provisioned,
                        written: volume.space.virtual_.unwrap_or(0),
                        created: volume.created,
                        destroyed: volume.destroyed,
                    })
                    .collect()
            });
            due.push(DueUpdate {
                address,
                update: PodUpdate {
                    secret: self.secret_with(&link.remote),
                    source: self.name.clone(),
                    link_id: link.id.clone(),
                    paused: link.paused,
                    recovery_point: if link.paused {
                        link.recovery_point
                    } else {
                        Some(now_ms)
                    },
                    volumes,
                },
            });
        }
        for link in &mut self.replica_links {
            link.sample(now_ms);
        }
        due
    }

    /// What came of sending `update`: whether the other array took it.
    pub(crate) fn update_sent(&mut self, update: &PodUpdate, heard: bool) {
        if let Some(link) = self.link_mut(&update.link_id) {
            link.unhealthy = !heard;
            if heard {
                link.recovery_point = update.recovery_point;
            }
        }
    }

    /// On the target: takes in an update, and mirrors the source pod's volumes unless the pod
    /// here was promoted meanwhile.
    pub(crate) fn receive_update(
        &mut self,
        update: &PodUpdate,
        now_ms: i64,
    ) -> Result<(), ApiFault> {
        if let Some(volumes) = &update.volumes {
            if volumes.len() > MAX_SYNCED_VOLUMES {
                return Err(ApiFault::invalid(format!(
                    "A pod update carries at most {MAX_SYNCED_VOLUMES} volumes."
                )));
            }
            for volume in volumes {
                volume.check()?;
            }
        }
        if update
            .recovery_point
            .is_some_and(|point| point < 0 || point > now_ms.saturating_add(CLOCK_ALLOWANCE_MS))
        {
            return Err(ApiFault::invalid(
                "The recovery point is not a time this array can believe.",
            ));
        }
        let link = self
            .replica_links
            .iter_mut()
            .find(|link| link.id == update.link_id && !link.outbound)
            .filter(|link| link.remote.eq_ignore_ascii_case(&update.source))
            .ok_or_else(|| ApiFault::invalid("Pod replica link does not exist."))?;
        link.paused = update.paused;
        link.recovery_point = update.recovery_point;
        link.last_heard = now_ms;
        link.unhealthy = false;
        let pod = link.local_pod.clone();
        let demoted = self.pod(&pod).is_some_and(|pod| !pod.is_promoted());
        if let (Some(volumes), true) = (&update.volumes, demoted) {
            self.mirror(&pod, volumes, now_ms);
        }
        Ok(())
    }

    /// Makes `pod`'s volumes what the source's are; a copy connected to hosts stays.
    pub(crate) fn mirror(&mut self, pod: &str, volumes: &[SyncedVolume], now_ms: i64) {
        let delay = self.eradication_delay_ms();
        let full_name = |short: &str| format!("{pod}{POD_SEPARATOR}{short}").to_ascii_lowercase();
        let sent: HashSet<String> = volumes
            .iter()
            .map(|synced| full_name(&synced.name))
            .collect();
        self.volumes.retain(|volume| {
            !in_pod(pod, &volume.name)
                || volume.connection_count > 0
                || sent.contains(&volume.name.to_ascii_lowercase())
        });
        let mut held: HashMap<String, usize> = self
            .volumes
            .iter()
            .enumerate()
            .filter(|(_, volume)| in_pod(pod, &volume.name))
            .map(|(index, volume)| (volume.name.to_ascii_lowercase(), index))
            .collect();
        for synced in volumes {
            let key = full_name(&synced.name);
            let index = match held.get(&key) {
                Some(index) => *index,
                None => {
                    let name = format!("{pod}{POD_SEPARATOR}{}", synced.name);
                    let volume =
                        self.new_volume(&name, synced.provisioned, synced.written, synced.created);
                    self.volumes.push(volume);
                    held.insert(key, self.volumes.len() - 1);
                    self.volumes.len() - 1
                }
            };
            let volume: &mut Volume = &mut self.volumes[index];
            if volume.provisioned != synced.provisioned
                || volume.space.virtual_ != Some(synced.written)
            {
                volume.provisioned = synced.provisioned;
                set_written(volume, synced.written);
            }
            if volume.destroyed != synced.destroyed {
                volume.destroyed = synced.destroyed;
                volume.time_remaining = synced.destroyed.then_some(delay);
                let id = volume.id.clone();
                if synced.destroyed {
                    self.destroyed_at.insert(id, now_ms);
                } else {
                    self.destroyed_at.remove(&id);
                }
            }
        }
    }

    /// On a target whose pod was promoted: the links that may turn round, with where to ask.
    pub(crate) fn turns_to_ask(&self) -> Vec<(String, PodTurn)> {
        self.replica_links
            .iter()
            .filter(|link| !link.outbound)
            .filter(|link| self.pod(&link.local_pod).is_some_and(Pod::is_promoted))
            .filter_map(|link| {
                let address = self.address_of(&link.remote).ok()?;
                Some((
                    address,
                    PodTurn {
                        secret: self.secret_with(&link.remote),
                        source: self.name.clone(),
                        link_id: link.id.clone(),
                    },
                ))
            })
            .collect()
    }

    /// On the old source: turns the link round if its pod here is demoted, so the promoted
    /// side sends from now on.
    pub(crate) fn turn_if_demoted(&mut self, turn: &PodTurn) -> Result<bool, ApiFault> {
        let index = self
            .replica_links
            .iter()
            .position(|link| link.id == turn.link_id && link.outbound)
            .filter(|index| {
                self.replica_links[*index]
                    .remote
                    .eq_ignore_ascii_case(&turn.source)
            })
            .ok_or_else(|| ApiFault::invalid("Pod replica link does not exist."))?;
        let pod = self.replica_links[index].local_pod.clone();
        let demoted = self.pod(&pod).is_some_and(|pod| !pod.is_promoted());
        if demoted {
            self.replica_links[index].outbound = false;
        }
        Ok(demoted)
    }

    /// On the new source, once the other agreed: this array sends from now on.
    pub(crate) fn turned(&mut self, link_id: &str, now_ms: i64) {
        if let Some(link) = self.link_mut(link_id) {
            link.outbound = true;
            link.baselined_at = now_ms;
            link.unhealthy = false;
        }
    }
}

/// `POST /sim/peer/pod-links`: the source of a new link tells the target (and
/// `…/pod-links/remove`: either end tells the other the link is gone).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct LinkNotice {
    pub secret: String,
    pub source: String,
    pub link_id: String,
    pub source_pod: String,
    pub target_pod: String,
}

/// The old source's answer to a [`PodTurn`].
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub(crate) struct Turned {
    pub turned: bool,
}

/// `PodTurn`: a promoted target asks the source to turn the link round.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PodTurn {
    pub secret: String,
    pub source: String,
    pub link_id: String,
}

fn direction(outbound: bool) -> &'static str {
    if outbound { "outbound" } else { "inbound" }
}

fn short_name(volume: &str) -> &str {
    volume
        .split_once(POD_SEPARATOR)
        .map_or(volume, |(_, short)| short)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state_with_pod(pod: &str) -> ArrayState {
        let mut state = ArrayState::new("fa-src");
        state
            .create_pods("pureuser", &[pod.to_owned()], 0)
            .expect("pod made");
        state
    }

    #[test]
    fn a_demoted_pod_refuses_writes_until_promoted() {
        let mut state = state_with_pod("prod");
        assert!(state.check_writable("prod::db").is_ok());
        let demote = PodPatch {
            requested_promotion_state: Some(DEMOTED.into()),
            ..PodPatch::default()
        };
        state
            .patch_pods("pureuser", &["prod".into()], &demote, 1)
            .expect("demoted");
        let refusal = state.check_writable("prod::db").unwrap_err();
        assert!(refusal.message.contains("demoted"), "{}", refusal.message);
        assert!(state.check_writable("other::db").is_err());
        assert!(state.check_writable("plain").is_ok());
    }

    #[test]
    fn a_pod_with_volumes_is_not_destroyed() {
        let mut state = state_with_pod("prod");
        state.insert_volume("prod::db", 1 << 30, 0, 0);
        let destroy = PodPatch {
            destroyed: Some(true),
            ..PodPatch::default()
        };
        assert!(
            state
                .patch_pods("pureuser", &["prod".into()], &destroy, 1)
                .is_err()
        );
    }

    #[test]
    fn the_target_mirrors_the_source_and_lag_is_sampled() {
        let mut target = state_with_pod("dr");
        let demote = PodPatch {
            requested_promotion_state: Some(DEMOTED.into()),
            ..PodPatch::default()
        };
        target
            .patch_pods("pureuser", &["dr".into()], &demote, 0)
            .expect("demoted");
        target
            .add_inbound_link("link-1", "dr", "prod", "fa-src", 0)
            .expect("linked");
        let update = PodUpdate {
            secret: String::new(),
            source: "fa-src".into(),
            link_id: "link-1".into(),
            paused: false,
            recovery_point: Some(1_000),
            volumes: Some(vec![SyncedVolume {
                name: "db".into(),
                provisioned: 1 << 30,
                written: 1 << 20,
                created: 0,
                destroyed: false,
            }]),
        };
        target.receive_update(&update, 2_000).expect("taken");
        let copy = target.volume("dr::db").expect("mirrored");
        assert_eq!(copy.provisioned, 1 << 30);
        assert_eq!(
            copy.pod.as_ref().and_then(|pod| pod.name.as_deref()),
            Some("dr")
        );
        let link = &target.links_view(3_000)[0];
        assert_eq!(link.lag, Some(2_000));
        assert_eq!(link.status.as_deref(), Some("replicating"));
        let emptied = PodUpdate {
            volumes: Some(Vec::new()),
            ..update
        };
        target.receive_update(&emptied, 4_000).expect("taken");
        assert!(target.volume("dr::db").is_none());
        let stranger = PodUpdate {
            source: "fa-other".into(),
            ..emptied.clone()
        };
        assert!(target.receive_update(&stranger, 5_000).is_err());

        let oversized = PodUpdate {
            volumes: Some(vec![SyncedVolume {
                name: "huge".into(),
                provisioned: u64::MAX,
                written: 0,
                created: 0,
                destroyed: false,
            }]),
            ..emptied.clone()
        };
        assert!(target.receive_update(&oversized, 6_000).is_err());
        let overfull = PodUpdate {
            volumes: Some(vec![SyncedVolume {
                name: "full".into(),
                provisioned: 1 << 30,
                written: 1 << 31,
                created: 0,
                destroyed: false,
            }]),
            ..emptied.clone()
        };
        assert!(target.receive_update(&overfull, 6_000).is_err());
        let from_the_future = PodUpdate {
            recovery_point: Some(i64::MAX),
            ..emptied
        };
        assert!(target.receive_update(&from_the_future, 6_000).is_err());
        assert!(target.volume("dr::huge").is_none() && target.volume("dr::full").is_none());
    }
}
