//! Telling people of what happens while nobody looks. One process (the leader) watches the
//! arrays the rules name, and records each condition that begins or ends together with its
//! event and deliveries (the outbox); the job queue then carries each delivery, on whichever
//! process takes it, tried again with growing pauses until the receiver takes it.

pub mod forwarding;
mod personal;
mod report;
pub mod send;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use apalis::prelude::{BoxDynError, Data};
use flasharray::{ArrayClient, ListParams};
use shared::api::{
    AlertSeverity, ArrayFigures, ChannelKind, ChannelTestResult, EmailSettings, FleetReplication,
    PersonalTopic, ReplicationHealth, Rule, RuleCondition,
};
use shared::flasharray::Alert;

use crate::arrays::fanout::each_array;
use crate::arrays::forecast::forecast_of;
use crate::arrays::registry::ArrayRegistry;
use crate::arrays::replication::{ArrayReplication, judge, replication_of};
use crate::arrays::secrets::SecretKey;
use crate::clock::unix_now;
use crate::db::{ConditionChange, Database, DbError, Destination, PendingDelivery, StoredChannel};
use crate::jobs::{DeliveryJob, JobQueue, Leadership, ScheduledChangeJob};
use send::{Message, Receiver};

/// Attempts a delivery gets, and the pause before each next one: a receiver down for a
/// quarter of an hour still gets the message.
const RETRY_PAUSES: [Duration; 5] = [
    Duration::from_secs(5),
    Duration::from_secs(30),
    Duration::from_secs(120),
    Duration::from_secs(300),
    Duration::from_secs(600),
];
/// Deliveries handed to the queue per watch, at most.
const RELAY_BATCH: i64 = 500;

/// What sending notifications needs. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Notifier {
    pub db: Database,
    pub jobs: JobQueue,
    pub secret_key: Option<SecretKey>,
    pub arrays: Arc<ArrayRegistry>,
    pub http: reqwest::Client,
    /// How long each watched array gets to answer.
    pub array_deadline: Duration,
    /// Where the audit log is forwarded besides the database.
    pub audit_sinks: Vec<forwarding::AuditSink>,
    /// The arrays' growth as last read, for the "full within" rules.
    pub growth: Arc<GrowthCache>,
    /// The portal's address as people reach it, for links in messages.
    pub portal_url: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Jobs(#[from] crate::jobs::JobError),
    #[error("no secret key to open the channel's address with")]
    NoSecretKey,
    #[error("the channel's sealed address cannot be opened")]
    Sealed,
    #[error("mail to a person goes through an email channel only")]
    NotEmail,
    #[error("cannot write the report: {0}")]
    Report(String),
}

/// What seals a channel's address binds it to, so a sealed value cannot be moved to
/// another channel.
pub fn sealing_owner(channel_name: &str) -> String {
    format!("notification-channel:{channel_name}")
}

impl Notifier {
    /// Opens the job queue in the portal's database at `database_url`.
    pub async fn connect(
        database_url: &str,
        db: Database,
        secret_key: Option<SecretKey>,
        arrays: Arc<ArrayRegistry>,
        array_deadline: Duration,
    ) -> Result<Self, String> {
        Ok(Self {
            db,
            jobs: JobQueue::connect(database_url)
                .await
                .map_err(|error| error.to_string())?,
            secret_key,
            arrays,
            http: Self::http_client()?,
            array_deadline,
            audit_sinks: Vec::new(),
            growth: Arc::default(),
            portal_url: None,
        })
    }

    /// Starts this process's delivery worker, and its watch of the arrays every
    /// `watch_every` while it leads.
    pub fn run(&self, database_url: &str, watch_every: Duration) {
        self.start_worker();
        let leadership = self.jobs.leadership(database_url, "watch");
        self.clone().start_watch(leadership, watch_every);
    }

    /// The HTTP client messages go out with: system roots, no redirects (a receiver that
    /// redirects could send the message, and the address's secrets, elsewhere).
    pub fn http_client() -> Result<reqwest::Client, String> {
        let tls = flasharray::client_config(&flasharray::TrustAnchor::System)
            .map_err(|error| error.to_string())?;
        reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| format!("cannot build the notification client: {error}"))
    }

    fn open(&self, stored: &StoredChannel) -> Result<Receiver, NotifyError> {
        let key = self.secret_key.as_ref().ok_or(NotifyError::NoSecretKey)?;
        let owner = sealing_owner(&stored.channel.name);
        let receiver = key
            .open(&stored.sealed_receiver, &owner)
            .map_err(|_| NotifyError::Sealed)?;
        if stored.channel.kind == ChannelKind::Email {
            return serde_json::from_str(&receiver)
                .map(Receiver::Email)
                .map_err(|_| NotifyError::Sealed);
        }
        let signing_secret = stored
            .sealed_signing_secret
            .as_deref()
            .map(|sealed| key.open(sealed, &owner).map_err(|_| NotifyError::Sealed))
            .transpose()?;
        Ok(Receiver::Webhook {
            kind: stored.channel.kind,
            url: receiver,
            signing_secret,
        })
    }

    /// Sends `message` to `stored` now (an email channel's mail to `recipient` alone, when
    /// given) and gives the receiver's answer.
    pub async fn send_to(
        &self,
        stored: &StoredChannel,
        message: &Message,
        recipient: Option<&str>,
    ) -> Result<ChannelTestResult, NotifyError> {
        let receiver = match (self.open(stored)?, recipient) {
            (receiver, None) => receiver,
            (Receiver::Email(settings), Some(recipient)) => Receiver::Email(EmailSettings {
                to: vec![recipient.to_owned()],
                ..settings
            }),
            (Receiver::Webhook { .. }, Some(_)) => return Err(NotifyError::NotEmail),
        };
        Ok(send::send(&self.http, &receiver, message, unix_now()).await)
    }

    /// Watches once: asks every array a rule names for its space (and its open alerts when an
    /// alert rule watches it), all at once, each under its own deadline; records the
    /// conditions that began or ended; and hands every delivery not yet queued to the queue.
    pub async fn watch_once(&self) -> Result<(), NotifyError> {
        let rules = self.db.rules().await?;
        if !rules.is_empty() {
            let observed = self.observe(&rules).await;
            let told = self.db.raised_conditions().await?;
            let raised: BTreeSet<(i64, String, String)> = told.keys().cloned().collect();
            let channels: BTreeMap<i64, String> = self
                .db
                .channels()
                .await?
                .into_iter()
                .map(|stored| (stored.channel.id, stored.channel.name))
                .collect();
            let silences = self.db.silences(crate::clock::unix_now_ms()).await?;
            let silenced = |change: &ConditionChange| {
                silences.iter().any(|silence| {
                    silence.rule == change.rule.id
                        && silence
                            .array
                            .as_ref()
                            .is_none_or(|array| *array == change.array)
                })
            };
            // People who asked for the rules' messages about their arrays hear those about
            // the arrays in their scope, through the channel an admin chose for such mail.
            let people = match self.personal_channel().await? {
                Some(channel) => self
                    .db
                    .subscribers(PersonalTopic::ArrayEvents)
                    .await?
                    .into_iter()
                    .map(|(user, email)| (user, email, channel.clone()))
                    .collect(),
                None => Vec::new(),
            };
            // A silenced change is not recorded: what still holds when the silence ends is
            // told then.
            let to = |change: &ConditionChange| -> Vec<Destination> {
                let rule_channels = change.rule.channels.iter().filter_map(|id| {
                    channels.get(id).map(|name| Destination {
                        channel_id: *id,
                        channel_name: name.clone(),
                        recipient: None,
                    })
                });
                let persons = people
                    .iter()
                    .filter(|(user, _, _)| user.may_use_array(&change.array))
                    .map(|(_, email, (channel_id, channel_name))| Destination {
                        channel_id: *channel_id,
                        channel_name: channel_name.clone(),
                        recipient: Some(email.clone()),
                    });
                rule_channels.chain(persons).collect()
            };
            let now_ms = crate::clock::unix_now_ms();
            for change in changes(&rules, &observed, &raised)
                .into_iter()
                .filter(|change| !silenced(change))
            {
                self.db
                    .record_condition_change(&change, &to(&change), now_ms)
                    .await?;
            }
            for (reminder, told_at_ms) in reminders_due(&rules, &observed, &told, now_ms)
                .into_iter()
                .filter(|(reminder, _)| !silenced(reminder))
            {
                self.db
                    .record_reminder(&reminder, told_at_ms, &to(&reminder), now_ms)
                    .await?;
            }
        }
        self.relay().await
    }

    /// What each watched array reports: nothing of one that did not answer. When a rule
    /// judges replication, every array is asked for its own (a relationship is judged on
    /// what its target holds, watched or not).
    async fn observe(&self, rules: &[Rule]) -> BTreeMap<String, Option<Observed>> {
        let reads_replication = rules.iter().any(|rule| rule.condition.reads_replication());
        let (mut observed, replication) =
            tokio::join!(self.observe_space_and_alerts(rules), async {
                if !reads_replication {
                    return Vec::new();
                }
                let clients = self.clients_of(|_| true);
                each_array(clients, self.array_deadline, replication_of)
                    .await
                    .into_iter()
                    .filter_map(|answer| Some((answer.array, answer.result.ok()?)))
                    .collect()
            });
        if reads_replication {
            let judged = judge(&replication, Vec::new());
            for (array, seen) in &mut observed {
                let (Some(seen), Some((_, own))) = (
                    seen.as_mut(),
                    replication.iter().find(|(name, _)| name == array),
                ) else {
                    continue;
                };
                let (issues, unknown) = replication_issues(array, &judged);
                seen.replication_issues = Some(issues);
                seen.replication_unknown = unknown;
                seen.unscheduled = Some(unscheduled(own));
            }
        }
        observed
    }

    /// Each watched array's space, its open alerts when an alert rule watches it, and its
    /// growth when a "full within" rule does.
    async fn observe_space_and_alerts(&self, rules: &[Rule]) -> BTreeMap<String, Option<Observed>> {
        let wanted = |array: &str, wants: fn(RuleCondition) -> bool| {
            rules
                .iter()
                .any(|rule| watches(rule, array) && wants(rule.condition))
        };
        let clients = self.clients_of(|array| rules.iter().any(|rule| watches(rule, array)));
        let asks_alerts: BTreeSet<String> = clients
            .iter()
            .map(|client| client.name())
            .filter(|array| {
                wanted(array, |condition| {
                    matches!(condition, RuleCondition::AlertOpen { .. })
                })
            })
            .map(str::to_owned)
            .collect();
        let asks_growth: BTreeSet<String> = clients
            .iter()
            .map(|client| client.name())
            .filter(|array| wanted(array, RuleCondition::reads_growth))
            .map(str::to_owned)
            .collect();
        let kept = self.growth.clone();
        each_array(clients, self.array_deadline, |client| {
            let alerts = asks_alerts.contains(client.name());
            let growth = asks_growth.contains(client.name());
            let kept = kept.clone();
            async move {
                let known_growth = kept.fresh(client.name());
                let open = ListParams {
                    filter: Some("state!='closed'".to_owned()),
                    limit: Some(1000),
                    ..ListParams::default()
                };
                let (space, alerts, growth) = tokio::try_join!(
                    client.array_space(None),
                    async {
                        match alerts {
                            true => client.list_alerts(&open).await.map(|page| Some(page.items)),
                            false => Ok(None),
                        }
                    },
                    async {
                        match (growth, known_growth) {
                            (false, _) => Ok(None),
                            (true, Some(known)) => Ok(Some(known)),
                            (true, None) => {
                                let (forecast, _) = forecast_of(&client).await?;
                                kept.keep(client.name(), forecast.growth_per_day);
                                Ok(Some(forecast.growth_per_day))
                            }
                        }
                    }
                )?;
                let array = space.first();
                Ok(Observed {
                    replication_issues: None,
                    replication_unknown: BTreeSet::new(),
                    unscheduled: None,
                    // No capacity tells nothing of how full it is.
                    used_share: array.filter(|array| array.capacity > 0).map(|array| {
                        ArrayFigures::from_space(array.capacity, &array.space).used_share()
                    }),
                    capacity_and_used: array.map(|array| {
                        (
                            array.capacity,
                            ArrayFigures::from_space(array.capacity, &array.space).used,
                        )
                    }),
                    growth_per_day: growth,
                    alerts,
                })
            }
        })
        .await
        .into_iter()
        .map(|answer| (answer.array, answer.result.ok()))
        .collect()
    }

    /// The clients of the arrays `chosen` names, as the portal's own credentials reach them.
    fn clients_of(&self, chosen: impl Fn(&str) -> bool) -> Vec<ArrayClient> {
        self.arrays
            .summaries()
            .into_iter()
            .filter(|summary| chosen(&summary.name))
            .filter_map(|summary| self.arrays.get(&summary.name))
            .map(|entry| entry.client.clone())
            .collect()
    }

    /// Hands what was just written to the queue without waiting for the next watch (which
    /// relays it if this fails).
    pub fn relay_soon(&self) {
        let notifier = self.clone();
        tokio::spawn(async move {
            if let Err(error) = notifier.relay().await {
                tracing::warn!(%error, "handing messages to the job queue failed");
            }
        });
    }

    /// Hands deliveries written but not queued (by this watch, or before a crash) to the
    /// queue; the queue takes each key once.
    async fn relay(&self) -> Result<(), NotifyError> {
        for (delivery_id, not_before_ms) in self.db.unqueued_deliveries(RELAY_BATCH).await? {
            // Made in its rule's quiet hours: it goes when they end.
            let wait = not_before_ms
                .map(|at| at - crate::clock::unix_now_ms())
                .and_then(|ms| u64::try_from(ms).ok())
                .map_or(Duration::ZERO, Duration::from_millis);
            self.jobs
                .push_delivery(DeliveryJob { delivery_id }, wait, 0)
                .await?;
            self.db.mark_queued(delivery_id).await?;
        }
        Ok(())
    }

    /// Hands every scheduled change whose window has begun to the queue once more: one whose
    /// own job was lost (its push failed, or its replica died first) still runs in its
    /// window, and one whose window ended unrun is recorded so. A change runs once however
    /// many jobs name it.
    pub async fn queue_due_changes(&self) -> Result<(), NotifyError> {
        for approval_id in self.db.scheduled_due(crate::clock::unix_now_ms()).await? {
            // Once a minute at most: a change its job found not yet due is queued again.
            let minute = crate::clock::unix_now_ms() / 60_000;
            let key = format!("scheduled-change-{approval_id}-due-{minute}");
            self.jobs
                .push(ScheduledChangeJob { approval_id }, &key, Duration::ZERO)
                .await?;
        }
        Ok(())
    }

    /// Runs one delivery job: sends, records the attempt, and when the receiver did not
    /// take it, queues the next attempt after a pause (or reports it failed).
    async fn deliver(&self, job: DeliveryJob) -> Result<(), NotifyError> {
        let Some(delivery) = self.db.delivery(job.delivery_id).await? else {
            return Ok(());
        };
        if delivery.state != shared::api::DeliveryState::Pending {
            return Ok(());
        }
        let Some(stored) = self.db.channel(delivery.channel_id).await? else {
            let why = "the channel was deleted";
            return Ok(self.db.record_attempt(delivery.id, Err(why), true).await?);
        };
        let message = self.message_of(&delivery);
        let outcome = match self
            .send_to(&stored, &message, delivery.recipient.as_deref())
            .await
        {
            Ok(answer) if answer.delivered => Ok(()),
            Ok(answer) => Err(match answer.status {
                Some(status) => format!("the receiver answered {status}: {}", answer.answer),
                None => answer.answer,
            }),
            Err(error) => Err(error.to_string()),
        };
        let attempt = usize::try_from(delivery.attempts).unwrap_or(usize::MAX);
        let pause = RETRY_PAUSES.get(attempt).copied();
        match outcome {
            Ok(()) => {
                self.db
                    .record_attempt(delivery.id, Ok(unix_now() * 1000), false)
                    .await?
            }
            Err(why) => {
                self.db
                    .record_attempt(delivery.id, Err(&why), pause.is_none())
                    .await?;
                if let Some(pause) = pause {
                    self.jobs.push_delivery(job, pause, attempt + 1).await?;
                }
            }
        }
        Ok(())
    }

    fn message_of(&self, delivery: &PendingDelivery) -> Message {
        // A report whose JSON cannot be read is sent as its summary alone.
        let report = delivery
            .report
            .as_deref()
            .and_then(|json| serde_json::from_str(json).ok())
            .map(Box::new);
        let page = match (delivery.topic, &delivery.report) {
            (Some(_), _) => "/requests".to_owned(),
            (None, Some(_)) => "/".to_owned(),
            (None, None) => format!("/arrays/{}/overview", delivery.array),
        };
        Message {
            idempotency_key: format!("flashdeck-event-{}", delivery.event_id),
            rule: delivery.rule.clone(),
            array: delivery.array.clone(),
            resolved: delivery.resolved,
            summary: delivery.summary.clone(),
            created_at_ms: delivery.created_at_ms,
            personal: delivery.topic.is_some(),
            report,
            link: self
                .portal_url
                .as_deref()
                .map(|portal| format!("{}{page}", portal.trim_end_matches('/'))),
        }
    }

    /// Starts this process's delivery worker: it takes delivery jobs whoever queued them.
    pub fn start_worker(&self) {
        let worker = format!("flashdeck-{}", uuid::Uuid::new_v4().simple());
        self.jobs.spawn_worker(worker, self.clone(), run_delivery);
    }

    /// Watches the arrays every `interval` while this process leads.
    fn start_watch(self, mut leadership: Leadership, interval: Duration) {
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(interval.max(Duration::from_secs(1)));
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                if !leadership.lead().await {
                    continue;
                }
                if let Err(error) = self.watch_once().await {
                    tracing::warn!(%error, "watching the arrays for notifications failed");
                }
                if let Err(error) = self.queue_due_changes().await {
                    tracing::warn!(%error, "queueing scheduled changes failed");
                }
                if let Err(error) = self.send_report_if_due(crate::clock::unix_now_ms()).await {
                    tracing::warn!(%error, "sending the weekly report failed");
                }
                for sink in &self.audit_sinks {
                    if let Err(error) = forwarding::forward_once(&self.db, sink).await {
                        tracing::warn!(%error, "forwarding the audit log failed");
                    }
                }
            }
        });
    }
}

async fn run_delivery(job: DeliveryJob, notifier: Data<Notifier>) -> Result<(), BoxDynError> {
    notifier
        .deliver(job)
        .await
        .map_err(|error| Box::new(error) as BoxDynError)
}

/// How long an array's growth (a fit of 30 days of history) is reused: it changes slowly,
/// and reading it is the costliest call of a watch.
const GROWTH_KEPT: Duration = Duration::from_secs(3600);

/// Each array's growth per day as last read (`None`: too little history), and when.
#[derive(Debug, Default)]
pub struct GrowthCache(std::sync::Mutex<BTreeMap<String, (std::time::Instant, Option<f64>)>>);

impl GrowthCache {
    fn fresh(&self, array: &str) -> Option<Option<f64>> {
        let kept = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        kept.get(array)
            .filter(|(at, _)| at.elapsed() < GROWTH_KEPT)
            .map(|(_, growth)| *growth)
    }

    fn keep(&self, array: &str, growth: Option<f64>) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(array.to_owned(), (std::time::Instant::now(), growth));
    }
}

/// What one watch learned of an array that answered.
#[derive(Debug, Clone, Default)]
struct Observed {
    /// Used space as a share of capacity, when the array reports a capacity.
    used_share: Option<f64>,
    /// Its capacity and used bytes.
    capacity_and_used: Option<(u64, u64)>,
    /// Its growth in bytes a day, when a "full within" rule asked (`Some(None)`: too little
    /// history to tell).
    growth_per_day: Option<Option<f64>>,
    /// Its alerts not closed, when an alert rule asked for them.
    alerts: Option<Vec<Alert>>,
    /// Its replication found behind or refused, by subject, with what to tell; when a
    /// replication rule asked and the array answered.
    replication_issues: Option<BTreeMap<String, String>>,
    /// Its replication that cannot be judged now: neither raised nor resolved.
    replication_unknown: BTreeSet<String>,
    /// Its protection groups with no schedule, likewise.
    unscheduled: Option<BTreeMap<String, String>>,
}

impl Observed {
    /// Days until full at `growth` bytes a day; `None` when it is not growing.
    fn days_to_full(&self, growth: Option<f64>) -> Option<f64> {
        let (capacity, used) = self.capacity_and_used?;
        let growth = growth.filter(|growth| *growth > 0.0)?;
        Some(capacity.saturating_sub(used) as f64 / growth)
    }

    /// What holds now of a condition judged per subject, by subject, with what to tell;
    /// `None` when the array did not say.
    fn open_subjects(&self, condition: RuleCondition) -> Option<BTreeMap<String, String>> {
        match condition {
            RuleCondition::AlertOpen { severity, code } => self.alerts.as_ref().map(|alerts| {
                open_by_code(alerts, severity, code)
                    .iter()
                    .map(|(code, group)| (code.clone(), alerts_summary(code, group)))
                    .collect()
            }),
            RuleCondition::ReplicationBehind => self.replication_issues.clone(),
            RuleCondition::ProtectionUnscheduled => self.unscheduled.clone(),
            RuleCondition::CapacityOver { .. }
            | RuleCondition::FullWithin { .. }
            | RuleCondition::NotAnswering => None,
        }
    }
}

/// What is told when a condition judged per subject clears.
fn cleared(condition: RuleCondition, subject: &str) -> String {
    match condition {
        RuleCondition::AlertOpen { .. } => format!("alert {subject} closed"),
        RuleCondition::ReplicationBehind => format!("{subject}: replicating within its schedule"),
        _ => format!("{subject}: scheduled again, or gone"),
    }
}

/// Each of `array`'s replication relationships and pod links the DR view judges behind or
/// refused, by subject; and those it cannot judge now (their target did not answer).
fn replication_issues(
    array: &str,
    judged: &FleetReplication,
) -> (BTreeMap<String, String>, BTreeSet<String>) {
    let behind = |lag_ms: Option<i64>| {
        lag_ms
            .and_then(|ms| u64::try_from(ms / 1000).ok())
            .map(|seconds| format!(", {} behind", shared::time::describe_seconds(seconds)))
            .unwrap_or_default()
    };
    let mut issues = BTreeMap::new();
    let mut unknown = BTreeSet::new();
    let relationships = judged
        .relationships
        .iter()
        .filter(|found| found.source == array)
        .map(|found| {
            let subject = format!("protection group {} to {}", found.group, found.target);
            let summary = match found.health {
                ReplicationHealth::Breach => Some(format!(
                    "{subject} is past its recovery point{}",
                    behind(found.lag_ms)
                )),
                ReplicationHealth::Disallowed => Some(format!(
                    "{} refuses protection group {}",
                    found.target, found.group
                )),
                _ => None,
            };
            (subject, found.health, summary)
        });
    let links = judged
        .pod_links
        .iter()
        .filter(|link| link.array == array)
        .map(|link| {
            let subject = format!("pod {} to {}", link.pod, link.remote);
            let summary = (link.health == ReplicationHealth::Breach)
                .then(|| format!("{subject} is {}{}", link.status, behind(link.lag_ms)));
            (subject, link.health, summary)
        });
    for (subject, health, summary) in relationships.chain(links) {
        match (health, summary) {
            (ReplicationHealth::Unknown, _) => {
                unknown.insert(subject);
            }
            (_, Some(summary)) => {
                issues.insert(subject, summary);
            }
            (_, None) => {}
        }
    }
    (issues, unknown)
}

/// `replication`'s own protection groups that neither take snapshots nor replicate.
fn unscheduled(replication: &ArrayReplication) -> BTreeMap<String, String> {
    replication
        .groups
        .iter()
        .filter(|group| {
            group.is_local
                && !group.destroyed
                && !group.snapshot_schedule.enabled
                && !group.replication_schedule.enabled
        })
        .map(|group| {
            let subject = format!("protection group {}", group.name);
            let summary = format!("{subject} has no schedule: it neither snapshots nor replicates");
            (subject, summary)
        })
        .collect()
}

/// What one watch found of one condition: a rule's, on an array that answered enough to tell.
struct Assessment<'a> {
    rule: &'a Rule,
    array: &'a str,
    /// An alert rule's alert code; empty for the others.
    subject: String,
    holds: bool,
    summary: String,
}

impl Assessment<'_> {
    fn key(&self) -> (i64, String, String) {
        (self.rule.id, self.array.to_owned(), self.subject.clone())
    }

    fn into_change(self, summary: String) -> ConditionChange {
        ConditionChange {
            rule: self.rule.clone(),
            array: self.array.to_owned(),
            subject: self.subject,
            resolved: !self.holds,
            summary,
        }
    }
}

/// Whether each condition the rules watch holds now, where it can be told (`None`: the
/// array did not answer), besides the raised ones it cannot tell (a full array not
/// answering is not thereby resolved).
fn assess<'a>(
    rules: &'a [Rule],
    observed: &'a BTreeMap<String, Option<Observed>>,
    raised: &BTreeSet<(i64, String, String)>,
) -> Vec<Assessment<'a>> {
    let mut found = Vec::new();
    for rule in rules {
        for (array, seen) in observed {
            if !watches(rule, array) {
                continue;
            }
            let assessment = |subject: &str, holds: bool, summary: String| Assessment {
                rule,
                array,
                subject: subject.to_owned(),
                holds,
                summary,
            };
            if rule.condition.per_subject() {
                let Some(open) = seen
                    .as_ref()
                    .and_then(|seen| seen.open_subjects(rule.condition))
                else {
                    continue;
                };
                for (subject, summary) in &open {
                    found.push(assessment(subject, true, summary.clone()));
                }
                let unknown = seen
                    .as_ref()
                    .filter(|_| rule.condition == RuleCondition::ReplicationBehind)
                    .map(|seen| &seen.replication_unknown);
                for (_, _, subject) in raised.iter().filter(|(id, on, subject)| {
                    *id == rule.id && on == array && !subject.is_empty()
                }) {
                    if !open.contains_key(subject)
                        && !unknown.is_some_and(|unknown| unknown.contains(subject))
                    {
                        found.push(assessment(subject, false, cleared(rule.condition, subject)));
                    }
                }
                continue;
            }
            if let RuleCondition::FullWithin { days } = rule.condition {
                // A silent array, or one whose growth was not read, tells nothing.
                let Some((seen, growth)) = seen
                    .as_ref()
                    .and_then(|seen| Some((seen, seen.growth_per_day?)))
                else {
                    continue;
                };
                let left = seen.days_to_full(growth);
                let holds = left.is_some_and(|left| left <= f64::from(days));
                let condition = rule.condition.describe();
                let summary = match (holds, left) {
                    (true, Some(left)) => {
                        format!("full in about {left:.0} days at its 30-day growth ({condition})")
                    }
                    (_, Some(left)) => {
                        format!("full in about {left:.0} days, no longer {condition}")
                    }
                    (_, None) => format!("not growing, no longer {condition}"),
                };
                found.push(assessment("", holds, summary));
                continue;
            }
            let answer = match seen {
                None => None,
                Some(Observed {
                    used_share: Some(used),
                    ..
                }) => Some(*used),
                // An answer without a capacity tells only that the array answers.
                Some(_) if rule.condition == RuleCondition::NotAnswering => Some(0.0),
                Some(_) => continue,
            };
            let Some(holds) = rule.condition.holds(answer) else {
                continue;
            };
            found.push(assessment("", holds, summary(rule, answer, holds)));
        }
    }
    found
}

/// The conditions that began (held, not raised) or ended (raised, no longer held) on the
/// arrays each rule watches.
fn changes(
    rules: &[Rule],
    observed: &BTreeMap<String, Option<Observed>>,
    raised: &BTreeSet<(i64, String, String)>,
) -> Vec<ConditionChange> {
    assess(rules, observed, raised)
        .into_iter()
        .filter(|found| found.holds != raised.contains(&found.key()))
        .map(|found| {
            let summary = found.summary.clone();
            found.into_change(summary)
        })
        .collect()
}

/// The raised conditions that still hold and whose rule tells again every so many hours,
/// when that long has passed since they were last told; each with that time.
fn reminders_due(
    rules: &[Rule],
    observed: &BTreeMap<String, Option<Observed>>,
    told: &BTreeMap<(i64, String, String), Option<i64>>,
    now_ms: i64,
) -> Vec<(ConditionChange, i64)> {
    let raised: BTreeSet<(i64, String, String)> = told.keys().cloned().collect();
    assess(rules, observed, &raised)
        .into_iter()
        .filter(|found| found.holds)
        // A reminder made in quiet hours would wait for their end with the others: none is
        // made until they end.
        .filter(|found| {
            found
                .rule
                .quiet_hours
                .is_none_or(|quiet| quiet.release_at(now_ms) <= now_ms)
        })
        .filter_map(|found| {
            let every_ms = i64::from(found.rule.repeat_hours?) * 3_600_000;
            let told_at_ms = (*told.get(&found.key())?)?;
            (now_ms - told_at_ms >= every_ms).then(|| {
                let summary = format!("still {}", found.summary);
                (found.into_change(summary), told_at_ms)
            })
        })
        .collect()
}

/// The alerts at `severity` or above, by code (ten volumes' alerts of one code are one
/// message).
fn open_by_code(
    alerts: &[Alert],
    severity: AlertSeverity,
    code: Option<i64>,
) -> BTreeMap<String, Vec<&Alert>> {
    let mut open: BTreeMap<String, Vec<&Alert>> = BTreeMap::new();
    for alert in alerts.iter().filter(|alert| {
        alert.state != "closed"
            && severity.covers(&alert.severity)
            && code.is_none_or(|code| code == alert.code)
    }) {
        open.entry(alert.code.to_string()).or_default().push(alert);
    }
    open
}

/// "2 critical alerts open, code 42: Port down (CT0.FC1, CT1.FC1)": the components named up
/// to five.
fn alerts_summary(code: &str, group: &[&Alert]) -> String {
    const NAMED: usize = 5;
    let worst = if group.iter().any(|alert| alert.severity == "critical") {
        "critical"
    } else {
        "warning"
    };
    let count = match group.len() {
        1 => format!("1 {worst} alert open"),
        many => format!("{many} {worst} alerts open"),
    };
    let words = |text: &str, most: usize| -> String {
        text.chars()
            .filter(|c| !c.is_control() && !shared::api::is_invisible(*c))
            .take(most)
            .collect()
    };
    let what = words(&group[0].summary, 200);
    let mut components: Vec<&str> = group
        .iter()
        .filter_map(|alert| alert.component_name.as_deref())
        .collect();
    components.sort_unstable();
    components.dedup();
    let mut named: Vec<String> = components
        .iter()
        .take(NAMED)
        .map(|name| words(name, 64))
        .collect();
    if components.len() > NAMED {
        named.push(format!("{} more", components.len() - NAMED));
    }
    let named = if named.is_empty() {
        String::new()
    } else {
        format!(" ({})", named.join(", "))
    };
    format!("{count}, code {code}: {what}{named}")
}

fn summary(rule: &Rule, used_share: Option<f64>, holds: bool) -> String {
    let condition = rule.condition.describe();
    match (rule.condition, used_share) {
        (RuleCondition::NotAnswering, _) if holds => "not answering the portal".to_owned(),
        (RuleCondition::NotAnswering, _) => "answering the portal again".to_owned(),
        (_, Some(used)) => {
            let percent = (used * 100.0).floor();
            if holds {
                format!("{percent:.0} % full ({condition})")
            } else {
                format!("{percent:.0} % full, no longer {condition}")
            }
        }
        (_, None) => format!("not answering the portal ({condition})"),
    }
}

/// Whether `rule` watches `array`.
fn watches(rule: &Rule, array: &str) -> bool {
    rule.arrays
        .as_ref()
        .is_none_or(|arrays| arrays.iter().any(|name| name == array))
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::api::RuleCondition;

    fn rule(id: i64, condition: RuleCondition, arrays: Option<Vec<String>>) -> Rule {
        Rule {
            id,
            name: format!("rule {id}"),
            condition,
            arrays,
            channels: vec![1],
            created_by: "admin".into(),
            created_at: 0,
            repeat_hours: None,
            quiet_hours: None,
        }
    }

    fn used(share: f64) -> Option<Observed> {
        Some(Observed {
            used_share: Some(share),
            ..Observed::default()
        })
    }

    fn alert(code: i64, severity: &str, component: &str) -> Alert {
        Alert {
            code,
            severity: severity.into(),
            state: "open".into(),
            summary: "Port down".into(),
            component_name: Some(component.into()),
            ..Alert::default()
        }
    }

    #[test]
    fn alerts_of_one_code_are_one_message_raised_once_and_closed_once() {
        let rules = [rule(
            1,
            RuleCondition::AlertOpen {
                severity: AlertSeverity::Critical,
                code: None,
            },
            None,
        )];
        let seen = |alerts: Vec<Alert>| {
            BTreeMap::from([(
                "fa-a".to_owned(),
                Some(Observed {
                    used_share: Some(0.5),
                    alerts: Some(alerts),
                    ..Observed::default()
                }),
            )])
        };
        let open = seen(vec![
            alert(42, "critical", "CT1.FC1"),
            alert(42, "critical", "CT0.FC1"),
            alert(7, "warning", "vol1"),
        ]);
        let found = changes(&rules, &open, &BTreeSet::new());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].subject, "42");
        assert_eq!(
            found[0].summary,
            "2 critical alerts open, code 42: Port down (CT0.FC1, CT1.FC1)"
        );
        let raised = BTreeSet::from([(1, "fa-a".to_owned(), "42".to_owned())]);
        assert!(changes(&rules, &open, &raised).is_empty());
        let silent = BTreeMap::from([("fa-a".to_owned(), None)]);
        assert!(
            changes(&rules, &silent, &raised).is_empty(),
            "unknown, not closed"
        );
        let closed = changes(&rules, &seen(vec![]), &raised);
        assert_eq!(closed.len(), 1);
        assert!(closed[0].resolved);
        assert_eq!(closed[0].summary, "alert 42 closed");
        let one_code = [rule(
            2,
            RuleCondition::AlertOpen {
                severity: AlertSeverity::Warning,
                code: Some(7),
            },
            None,
        )];
        let found = changes(&one_code, &open, &BTreeSet::new());
        assert_eq!(found.len(), 1, "only its code: {found:?}");
        assert_eq!(found[0].subject, "7");
    }

    #[test]
    fn a_condition_is_raised_once_and_resolved_once() {
        let rules = [rule(1, RuleCondition::CapacityOver { percent: 85 }, None)];
        let seen = BTreeMap::from([
            ("fa-a".to_owned(), used(0.86)),
            ("fa-b".to_owned(), used(0.5)),
        ]);
        let raised_now = changes(&rules, &seen, &BTreeSet::new());
        assert_eq!(raised_now.len(), 1);
        assert_eq!(raised_now[0].array, "fa-a");
        assert!(!raised_now[0].resolved);
        assert_eq!(raised_now[0].summary, "86 % full (more than 85 % full)");
        let raised = BTreeSet::from([(1, "fa-a".to_owned(), String::new())]);
        assert!(changes(&rules, &seen, &raised).is_empty());
        let freed = BTreeMap::from([("fa-a".to_owned(), used(0.70))]);
        let resolved = changes(&rules, &freed, &raised);
        assert_eq!(resolved.len(), 1);
        assert!(resolved[0].resolved);
    }

    #[test]
    fn an_array_is_full_within_days_at_its_growth_and_silence_or_no_growth_read_tells_nothing() {
        let rules = [rule(1, RuleCondition::FullWithin { days: 14 }, None)];
        let seen = |growth: Option<Option<f64>>| {
            BTreeMap::from([(
                "fa-a".to_owned(),
                Some(Observed {
                    used_share: Some(0.9),
                    capacity_and_used: Some((1_000, 900)),
                    growth_per_day: growth,
                    ..Observed::default()
                }),
            )])
        };
        let raised_now = changes(&rules, &seen(Some(Some(10.0))), &BTreeSet::new());
        assert_eq!(raised_now.len(), 1);
        assert_eq!(
            raised_now[0].summary,
            "full in about 10 days at its 30-day growth (full within 14 days at its growth)"
        );
        let raised = BTreeSet::from([(1, "fa-a".to_owned(), String::new())]);
        for unknown in [seen(None), BTreeMap::from([("fa-a".to_owned(), None)])] {
            assert!(changes(&rules, &unknown, &raised).is_empty());
        }
        let slower = changes(&rules, &seen(Some(Some(5.0))), &raised);
        assert!(slower[0].resolved);
        assert_eq!(
            slower[0].summary,
            "full in about 20 days, no longer full within 14 days at its growth"
        );
        let flat = changes(&rules, &seen(Some(None)), &raised);
        assert_eq!(
            flat[0].summary,
            "not growing, no longer full within 14 days at its growth"
        );
    }

    #[test]
    fn replication_whose_target_cannot_be_read_is_neither_raised_nor_resolved() {
        let rules = [rule(1, RuleCondition::ReplicationBehind, None)];
        let subject = "protection group pg to fa-dr";
        let raised = BTreeSet::from([(1, "fa-a".to_owned(), subject.to_owned())]);
        let seen = |unknown: bool| {
            BTreeMap::from([(
                "fa-a".to_owned(),
                Some(Observed {
                    replication_issues: Some(BTreeMap::new()),
                    replication_unknown: if unknown {
                        BTreeSet::from([subject.to_owned()])
                    } else {
                        BTreeSet::new()
                    },
                    ..Observed::default()
                }),
            )])
        };
        assert!(changes(&rules, &seen(true), &raised).is_empty());
        let resolved = changes(&rules, &seen(false), &raised);
        assert_eq!(resolved.len(), 1);
        assert!(resolved[0].resolved);
        assert_eq!(
            resolved[0].summary,
            format!("{subject}: replicating within its schedule")
        );
    }

    #[test]
    fn a_condition_that_still_holds_is_told_again_when_its_rule_repeats_and_its_time_came() {
        const HOUR: i64 = 3_600_000;
        let mut repeating = rule(1, RuleCondition::CapacityOver { percent: 85 }, None);
        repeating.repeat_hours = Some(4);
        let once = rule(2, RuleCondition::CapacityOver { percent: 85 }, None);
        let rules = [repeating, once];
        let seen = BTreeMap::from([
            ("fa-a".to_owned(), used(0.9)),
            ("fa-b".to_owned(), used(0.5)),
            ("fa-c".to_owned(), None),
        ]);
        let told = |at: i64| {
            BTreeMap::from([
                ((1, "fa-a".to_owned(), String::new()), Some(at)),
                ((2, "fa-a".to_owned(), String::new()), Some(at)),
                ((1, "fa-c".to_owned(), String::new()), Some(at)),
            ])
        };
        let now = 100 * HOUR;
        assert!(reminders_due(&rules, &seen, &told(now - 3 * HOUR), now).is_empty());
        let due = reminders_due(&rules, &seen, &told(now - 4 * HOUR), now);
        assert_eq!(
            due.len(),
            1,
            "only the repeating rule, only where it still holds: {due:?}"
        );
        assert_eq!(due[0].0.array, "fa-a");
        assert_eq!(due[0].0.summary, "still 90 % full (more than 85 % full)");
        assert_eq!(due[0].1, now - 4 * HOUR);
        assert!(!due[0].0.resolved);
    }

    #[test]
    fn a_full_array_that_stops_answering_is_not_resolved_and_silence_is_its_own_rule() {
        let rules = [
            rule(1, RuleCondition::CapacityOver { percent: 85 }, None),
            rule(2, RuleCondition::NotAnswering, Some(vec!["fa-a".into()])),
        ];
        let raised = BTreeSet::from([(1, "fa-a".to_owned(), String::new())]);
        let silent = BTreeMap::from([("fa-a".to_owned(), None), ("fa-b".to_owned(), None)]);
        let found = changes(&rules, &silent, &raised);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].rule.id, found[0].array.as_str()), (2, "fa-a"));
        assert!(!found[0].resolved);
    }
}
