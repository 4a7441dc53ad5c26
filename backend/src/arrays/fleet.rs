//! The fleet dashboard's figures: every array asked at once (through `fanout`), each answer
//! kept for a few seconds so a page full of users or a refreshing tab does not multiply the
//! load on the arrays, and since when each failing array has been failing.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use flasharray::{ArrayClient, ListParams};
use shared::api::{AlertCounts, ArrayFigures, ArrayStatus, HardwareHealth, Load};

use crate::arrays::fanout::each_array;
use crate::clock::unix_now_ms;

/// An array as one user reaches it: the cache keeps per-user identities apart.
pub struct Asked {
    /// The array's name and whom the portal acts as on it.
    pub key: String,
    pub client: ArrayClient,
}

/// What the arrays answered lately.
#[derive(Debug)]
pub struct FleetCache {
    ttl: Duration,
    answers: Mutex<HashMap<String, (Instant, ArrayStatus)>>,
    failing_since: Mutex<HashMap<String, i64>>,
}

impl FleetCache {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            answers: Mutex::default(),
            failing_since: Mutex::default(),
        }
    }

    fn fresh(&self, key: &str) -> Option<ArrayStatus> {
        let answers = self.answers.lock().unwrap_or_else(|e| e.into_inner());
        answers
            .get(key)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, status)| status.clone())
    }

    fn keep(&self, key: String, status: &ArrayStatus) {
        let mut answers = self.answers.lock().unwrap_or_else(|e| e.into_inner());
        answers.retain(|_, (at, _)| at.elapsed() < self.ttl);
        answers.insert(key, (Instant::now(), status.clone()));
    }

    /// Records whether `array` answered, and gives since when it has been failing.
    fn note(&self, array: &str, answered: bool, now_ms: i64) -> Option<i64> {
        let mut failing = self.failing_since.lock().unwrap_or_else(|e| e.into_inner());
        if answered {
            failing.remove(array);
            None
        } else {
            Some(*failing.entry(array.to_owned()).or_insert(now_ms))
        }
    }

    /// Each array's status, in the order given: from the cache when fresh (unless
    /// `refresh`), the others asked at once, each under `deadline`.
    pub async fn statuses(
        &self,
        arrays: Vec<Asked>,
        deadline: Duration,
        refresh: bool,
    ) -> Vec<ArrayStatus> {
        let mut known: Vec<Option<ArrayStatus>> = arrays
            .iter()
            .map(|asked| (!refresh).then(|| self.fresh(&asked.key)).flatten())
            .collect();
        let (mut keys, mut clients) = (Vec::new(), Vec::new());
        for (asked, known) in arrays.into_iter().zip(&known) {
            if known.is_none() {
                keys.push(asked.key);
                clients.push(asked.client);
            }
        }
        let as_of = unix_now_ms();
        let answers = each_array(clients, deadline, |client| async move {
            figures_of(&client).await
        })
        .await;
        let mut asked = keys.into_iter().zip(answers);
        for slot in &mut known {
            if slot.is_some() {
                continue;
            }
            let Some((key, answer)) = asked.next() else {
                break;
            };
            let failing_since = self.note(&answer.array, answer.result.is_ok(), as_of);
            let (figures, error) = match answer.result {
                Ok(figures) => (Some(figures), None),
                Err(error) => (None, Some(error)),
            };
            let status = ArrayStatus {
                name: answer.array,
                as_of,
                figures,
                error,
                failing_since,
            };
            self.keep(key, &status);
            *slot = Some(status);
        }
        known.into_iter().flatten().collect()
    }
}

/// Everything the dashboard shows of one array, its calls made at once.
pub async fn figures_of(client: &ArrayClient) -> Result<ArrayFigures, flasharray::Error> {
    let live = [("destroyed", "false".to_owned())];
    let open = ListParams {
        filter: Some("state!='closed'".to_owned()),
        limit: Some(1000),
        ..ListParams::default()
    };
    let (array, load, volumes, hosts, groups, destroyed, alerts, health) = tokio::try_join!(
        client.array(),
        client.array_performance(None),
        client.count("volumes", &live),
        client.count("hosts", &[]),
        client.count("protection-groups", &live),
        super::recycle::destroyed_on(client),
        client.list_alerts(&open),
        hardware_health(client),
    )?;
    let mut figures = ArrayFigures::from_space(array.capacity.unwrap_or(0), &array.space);
    figures.os = array.os;
    figures.version = array.version;
    figures.rest_version = client.version().await.ok().map(str::to_owned);
    figures.volumes = volumes;
    figures.hosts = hosts;
    figures.protection_groups = groups;
    figures.destroyed = u64::try_from(destroyed.len()).unwrap_or(u64::MAX);
    figures.load = load.first().map(Load::from).unwrap_or_default();
    figures.alerts = AlertCounts::of_open(&alerts.items);
    figures.health = health;
    Ok(figures)
}

/// The array's hardware at a glance, or `None` when its release does not report it: an array
/// answers 404 only for a path it does not know, as these lists name no object.
async fn hardware_health(
    client: &ArrayClient,
) -> Result<Option<HardwareHealth>, flasharray::Error> {
    match client.parts().await {
        Ok((controllers, drives, hardware)) => {
            Ok(Some(HardwareHealth::of(&controllers, &drives, &hardware)))
        }
        Err(error) if error.status() == Some(404) => Ok(None),
        Err(error) => Err(error),
    }
}
