//! Notification channels (addresses sealed), rules, and the outbox: events and their
//! deliveries, written with the condition they announce.

use shared::api::{
    Channel, ChannelKind, Delivery, DeliveryState, PersonalTopic, ReportSchedule, Rule, Silence,
};
use std::collections::BTreeMap;

use sqlx::Row;
use sqlx::any::AnyRow;

use super::users::{USER_COLUMNS, user_from_row};
use super::{Database, DbError, User};

/// A channel as the sender needs it: the address and signing secret still sealed.
#[derive(Clone)]
pub struct StoredChannel {
    pub channel: Channel,
    pub sealed_receiver: String,
    pub sealed_signing_secret: Option<String>,
}

impl std::fmt::Debug for StoredChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredChannel")
            .field("channel", &self.channel)
            .finish_non_exhaustive()
    }
}

/// A condition that began or ended on an array, for one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionChange {
    pub rule: Rule,
    pub array: String,
    /// What on the array it is about: an alert rule's alert code, empty for the others.
    pub subject: String,
    /// `true`: it ended.
    pub resolved: bool,
    pub summary: String,
}

/// Mail to people about themselves, written with what it tells of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    pub topic: PersonalTopic,
    /// What the deliveries list shows in place of a rule's name: "Request #12".
    pub title: String,
    pub array: String,
    /// The whole message.
    pub summary: String,
    /// The email channel it goes through, and its name.
    pub channel: (i64, String),
    pub recipients: Vec<String>,
}

/// What one delivery sends: its event and where.
#[derive(Debug, Clone)]
pub struct PendingDelivery {
    pub id: i64,
    pub event_id: i64,
    pub rule: String,
    pub array: String,
    pub resolved: bool,
    pub summary: String,
    pub created_at_ms: i64,
    /// Set for mail to a person about themselves.
    pub topic: Option<PersonalTopic>,
    pub channel_id: i64,
    /// The one address a personal message goes to.
    pub recipient: Option<String>,
    /// The capacity and protection report it sends, as JSON.
    pub report: Option<String>,
    pub state: DeliveryState,
    /// Attempts made so far.
    pub attempts: i64,
}

/// What a report's deliveries are listed as in place of a rule's name.
pub const REPORT_TITLE: &str = "Capacity and protection report";

/// The report's schedule as stored, with the due time last sent for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReportSchedule {
    pub schedule: ReportSchedule,
    pub last_due_at_ms: i64,
    pub last_sent_at_ms: Option<i64>,
}

/// Commits `transaction` with `announcement`, if any, written in it.
pub(super) async fn commit_announcing(
    mut transaction: sqlx::Transaction<'_, sqlx::Any>,
    announcement: Option<&Announcement>,
    now_ms: i64,
) -> Result<(), DbError> {
    if let Some(announcement) = announcement {
        announce(&mut transaction, announcement, now_ms).await?;
    }
    transaction.commit().await?;
    Ok(())
}

/// Writes `announcement`'s event and one delivery per recipient within `transaction`, so it
/// is told exactly when what it tells of is recorded.
pub(super) async fn announce(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    announcement: &Announcement,
    now_ms: i64,
) -> Result<(), DbError> {
    if announcement.recipients.is_empty() {
        return Ok(());
    }
    let event = Event {
        rule_id: 0,
        rule_name: &announcement.title,
        array: &announcement.array,
        resolved: false,
        summary: &announcement.summary,
        topic: Some(announcement.topic),
        report: None,
    };
    let (channel_id, channel_name) = &announcement.channel;
    let deliveries = announcement.recipients.iter().map(|recipient| Outgoing {
        channel_id: *channel_id,
        channel_name,
        recipient: Some(recipient),
        not_before_ms: None,
    });
    write_outbox(transaction, &event, deliveries, now_ms).await?;
    Ok(())
}

/// An event as the outbox records it.
struct Event<'a> {
    rule_id: i64,
    rule_name: &'a str,
    array: &'a str,
    resolved: bool,
    summary: &'a str,
    /// Set for mail to a person about themselves.
    topic: Option<PersonalTopic>,
    /// A capacity and protection report, as JSON.
    report: Option<&'a str>,
}

/// One delivery of an event: its channel, the one person it goes to (personal mail), and
/// when it may go (quiet hours).
struct Outgoing<'a> {
    channel_id: i64,
    channel_name: &'a str,
    recipient: Option<&'a str>,
    not_before_ms: Option<i64>,
}

/// Writes `event` and its `deliveries` within `transaction`; the event's id.
async fn write_outbox<'a>(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    event: &Event<'_>,
    deliveries: impl Iterator<Item = Outgoing<'a>>,
    now_ms: i64,
) -> Result<i64, DbError> {
    let event_id: i64 = sqlx::query(
        "INSERT INTO notification_events (rule_id, rule_name, array_name, resolved, summary, created_at_ms, topic, report) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(event.rule_id)
    .bind(event.rule_name)
    .bind(event.array)
    .bind(i64::from(event.resolved))
    .bind(event.summary)
    .bind(now_ms)
    .bind(event.topic.map(PersonalTopic::as_str))
    .bind(event.report)
    .fetch_one(&mut **transaction)
    .await?
    .try_get(0)?;
    for delivery in deliveries {
        sqlx::query(
            "INSERT INTO notification_deliveries (event_id, channel_id, channel_name, state, recipient, not_before_ms) \
             VALUES ($1, $2, $3, 'pending', $4, $5)",
        )
        .bind(event_id)
        .bind(delivery.channel_id)
        .bind(delivery.channel_name)
        .bind(delivery.recipient)
        .bind(delivery.not_before_ms)
        .execute(&mut **transaction)
        .await?;
    }
    Ok(event_id)
}

const CHANNEL_COLUMNS: &str =
    "id, name, kind, host, created_by, created_at, sealed_receiver, sealed_signing_secret";
const RULE_COLUMNS: &str =
    "id, name, condition, arrays, channels, created_by, created_at, repeat_hours, quiet_hours";

fn channel_from_row(row: &AnyRow) -> Result<StoredChannel, DbError> {
    let kind: String = row.try_get(2)?;
    Ok(StoredChannel {
        channel: Channel {
            id: row.try_get(0)?,
            name: row.try_get(1)?,
            kind: ChannelKind::parse(&kind).ok_or(DbError::BadValue(kind))?,
            host: row.try_get(3)?,
            created_by: row.try_get(4)?,
            created_at: row.try_get(5)?,
        },
        sealed_receiver: row.try_get(6)?,
        sealed_signing_secret: row.try_get(7)?,
    })
}

/// The id an insert returned, or `None` when a row of that name exists.
fn new_id(inserted: Result<AnyRow, sqlx::Error>) -> Result<Option<i64>, DbError> {
    match inserted {
        Ok(row) => Ok(Some(row.try_get(0)?)),
        Err(sqlx::Error::Database(error)) if error.is_unique_violation() => Ok(None),
        Err(error) => Err(error.into()),
    }
}

fn json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, DbError> {
    serde_json::from_str(text).map_err(|_| DbError::BadValue(text.to_owned()))
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn rule_from_row(row: &AnyRow) -> Result<Rule, DbError> {
    let condition: String = row.try_get(2)?;
    let arrays: Option<String> = row.try_get(3)?;
    let channels: String = row.try_get(4)?;
    Ok(Rule {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        condition: json(&condition)?,
        arrays: arrays.as_deref().map(json).transpose()?,
        channels: json(&channels)?,
        created_by: row.try_get(5)?,
        created_at: row.try_get(6)?,
        repeat_hours: row
            .try_get::<Option<i64>, _>(7)?
            .and_then(|hours| u32::try_from(hours).ok()),
        quiet_hours: row
            .try_get::<Option<String>, _>(8)?
            .as_deref()
            .map(json)
            .transpose()?,
    })
}

/// Writes `change`'s event and one delivery per channel within `transaction`, the deliveries
/// held until the end of the rule's quiet hours; the event's id.
async fn write_event(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    change: &ConditionChange,
    channels: &[Destination],
    now_ms: i64,
) -> Result<i64, DbError> {
    let event = Event {
        rule_id: change.rule.id,
        rule_name: &change.rule.name,
        array: &change.array,
        resolved: change.resolved,
        summary: &change.summary,
        topic: None,
        report: None,
    };
    let not_before_ms = change
        .rule
        .quiet_hours
        .map(|quiet| quiet.release_at(now_ms))
        .filter(|release| *release > now_ms);
    let deliveries = channels.iter().map(|destination| Outgoing {
        channel_id: destination.channel_id,
        channel_name: &destination.channel_name,
        recipient: destination.recipient.as_deref(),
        not_before_ms,
    });
    write_outbox(transaction, &event, deliveries, now_ms).await
}

/// Where a rule's message goes: a channel, or through an email channel to one person who
/// asked for the rules' messages about their arrays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub channel_id: i64,
    pub channel_name: String,
    pub recipient: Option<String>,
}

impl Database {
    /// Stores a channel; `None` when one of that name exists.
    pub async fn create_channel(
        &self,
        channel: &Channel,
        sealed_receiver: &str,
        sealed_signing_secret: Option<&str>,
    ) -> Result<Option<i64>, DbError> {
        let inserted = sqlx::query(
            "INSERT INTO notification_channels (name, kind, host, created_by, created_at, sealed_receiver, sealed_signing_secret) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(&channel.name)
        .bind(channel.kind.as_str())
        .bind(&channel.host)
        .bind(&channel.created_by)
        .bind(channel.created_at)
        .bind(sealed_receiver)
        .bind(sealed_signing_secret)
        .fetch_one(&self.pool)
        .await;
        new_id(inserted)
    }

    pub async fn channels(&self) -> Result<Vec<StoredChannel>, DbError> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CHANNEL_COLUMNS} FROM notification_channels ORDER BY name"
        )))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(channel_from_row)
        .collect()
    }

    pub async fn channel(&self, id: i64) -> Result<Option<StoredChannel>, DbError> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CHANNEL_COLUMNS} FROM notification_channels WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(channel_from_row)
        .transpose()
    }

    /// Deletes a channel; `false` when there was none, or a rule (or mail to people) still
    /// goes through it.
    pub async fn delete_channel(&self, id: i64) -> Result<bool, DbError> {
        let rules = self.rules().await?;
        if rules.iter().any(|rule| rule.channels.contains(&id))
            || self.personal_mail_channel_id().await? == Some(id)
            || self
                .report_schedule()
                .await?
                .is_some_and(|report| report.schedule.channel == id)
        {
            return Ok(false);
        }
        let deleted = sqlx::query("DELETE FROM notification_channels WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(deleted.rows_affected() > 0)
    }

    /// Stores a rule; `None` when one of that name exists.
    pub async fn create_rule(&self, rule: &Rule) -> Result<Option<i64>, DbError> {
        let inserted = sqlx::query(
            "INSERT INTO notification_rules (name, condition, arrays, channels, created_by, created_at, repeat_hours, quiet_hours) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(&rule.name)
        .bind(to_json(&rule.condition))
        .bind(rule.arrays.as_ref().map(to_json))
        .bind(to_json(&rule.channels))
        .bind(&rule.created_by)
        .bind(rule.created_at)
        .bind(rule.repeat_hours.map(i64::from))
        .bind(rule.quiet_hours.as_ref().map(to_json))
        .fetch_one(&self.pool)
        .await;
        new_id(inserted)
    }

    pub async fn rules(&self) -> Result<Vec<Rule>, DbError> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {RULE_COLUMNS} FROM notification_rules ORDER BY name"
        )))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(rule_from_row)
        .collect()
    }

    /// Deletes a rule, its silences, and what it had raised (nothing is sent for them).
    pub async fn delete_rule(&self, id: i64) -> Result<bool, DbError> {
        let mut transaction = self.pool.begin().await?;
        for table in ["notification_conditions", "notification_silences"] {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE rule_id = $1"
            )))
            .bind(id)
            .execute(&mut *transaction)
            .await?;
        }
        let deleted = sqlx::query("DELETE FROM notification_rules WHERE id = $1")
            .bind(id)
            .execute(&mut *transaction)
            .await?;
        transaction.commit().await?;
        Ok(deleted.rows_affected() > 0)
    }

    /// The conditions raised now, as (rule id, array, subject), and when each was last told.
    pub async fn raised_conditions(
        &self,
    ) -> Result<BTreeMap<(i64, String, String), Option<i64>>, DbError> {
        let rows = sqlx::query(
            "SELECT rule_id, array_name, subject, told_at_ms FROM notification_conditions",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?),
                    row.try_get(3)?,
                ))
            })
            .collect()
    }

    /// Tells again of a condition that still holds, once: the condition's time of last
    /// telling moves from `told_at_ms` to now with the event and its deliveries, so a
    /// reminder another process recorded first is not recorded again (`false`).
    pub async fn record_reminder(
        &self,
        reminder: &ConditionChange,
        told_at_ms: i64,
        channels: &[Destination],
        now_ms: i64,
    ) -> Result<bool, DbError> {
        let mut transaction = self.pool.begin().await?;
        let moved = sqlx::query(
            "UPDATE notification_conditions SET told_at_ms = $1 \
             WHERE rule_id = $2 AND array_name = $3 AND subject = $4 AND told_at_ms = $5",
        )
        .bind(now_ms)
        .bind(reminder.rule.id)
        .bind(&reminder.array)
        .bind(&reminder.subject)
        .bind(told_at_ms)
        .execute(&mut *transaction)
        .await?
        .rows_affected();
        if moved != 1 {
            transaction.rollback().await?;
            return Ok(false);
        }
        write_event(&mut transaction, reminder, channels, now_ms).await?;
        transaction.commit().await?;
        Ok(true)
    }

    /// Records that a condition began or ended, with its event and one delivery per channel
    /// of its rule, in one transaction: the condition's row is the guard, so a change another
    /// process recorded first is not recorded again (`false`).
    pub async fn record_condition_change(
        &self,
        change: &ConditionChange,
        channels: &[Destination],
        now_ms: i64,
    ) -> Result<bool, DbError> {
        let mut transaction = self.pool.begin().await?;
        let event_id = write_event(&mut transaction, change, channels, now_ms).await?;
        let guarded = if change.resolved {
            sqlx::query(
                "DELETE FROM notification_conditions \
                 WHERE rule_id = $1 AND array_name = $2 AND subject = $3",
            )
            .bind(change.rule.id)
            .bind(&change.array)
            .bind(&change.subject)
            .execute(&mut *transaction)
            .await?
            .rows_affected()
                == 1
        } else {
            let inserted = sqlx::query(
                "INSERT INTO notification_conditions (rule_id, array_name, subject, event_id, told_at_ms) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(change.rule.id)
            .bind(&change.array)
            .bind(&change.subject)
            .bind(event_id)
            .bind(now_ms)
            .execute(&mut *transaction)
            .await;
            match inserted {
                Ok(_) => true,
                Err(sqlx::Error::Database(error)) if error.is_unique_violation() => false,
                Err(error) => return Err(error.into()),
            }
        };
        if !guarded {
            transaction.rollback().await?;
            return Ok(false);
        }
        transaction.commit().await?;
        Ok(true)
    }

    /// Deliveries written but not yet handed to the job queue, oldest first, with when each
    /// may go (quiet hours).
    pub async fn unqueued_deliveries(
        &self,
        limit: i64,
    ) -> Result<Vec<(i64, Option<i64>)>, DbError> {
        let rows = sqlx::query(
            "SELECT id, not_before_ms FROM notification_deliveries WHERE queued = 0 ORDER BY id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
            .collect()
    }

    pub async fn mark_queued(&self, id: i64) -> Result<(), DbError> {
        sqlx::query("UPDATE notification_deliveries SET queued = 1 WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn delivery(&self, id: i64) -> Result<Option<PendingDelivery>, DbError> {
        let row = sqlx::query(
            "SELECT d.id, d.event_id, e.rule_name, e.array_name, e.resolved, e.summary, e.created_at_ms, d.channel_id, d.state, d.attempts, \
             e.topic, d.recipient, e.report FROM notification_deliveries d JOIN notification_events e ON e.id = d.event_id WHERE d.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let resolved: i64 = row.try_get(4)?;
        let state: String = row.try_get(8)?;
        let topic: Option<String> = row.try_get(10)?;
        Ok(Some(PendingDelivery {
            id: row.try_get(0)?,
            event_id: row.try_get(1)?,
            rule: row.try_get(2)?,
            array: row.try_get(3)?,
            resolved: resolved != 0,
            summary: row.try_get(5)?,
            created_at_ms: row.try_get(6)?,
            topic: topic
                .map(|topic| PersonalTopic::parse(&topic).ok_or(DbError::BadValue(topic)))
                .transpose()?,
            channel_id: row.try_get(7)?,
            recipient: row.try_get(11)?,
            report: row.try_get(12)?,
            state: DeliveryState::parse(&state).ok_or(DbError::BadValue(state))?,
            attempts: row.try_get(9)?,
        }))
    }

    /// Records one attempt: delivered, or failed with why (`last` when no attempt follows).
    pub async fn record_attempt(
        &self,
        id: i64,
        outcome: Result<i64, &str>,
        last: bool,
    ) -> Result<(), DbError> {
        let (state, error, delivered_at_ms) = match outcome {
            Ok(at_ms) => ("delivered", None, Some(at_ms)),
            Err(why) => (if last { "failed" } else { "pending" }, Some(why), None),
        };
        sqlx::query(
            "UPDATE notification_deliveries SET state = $1, last_error = $2, delivered_at_ms = $3, \
             attempts = attempts + 1 WHERE id = $4",
        )
        .bind(state)
        .bind(error)
        .bind(delivered_at_ms)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Makes a failed delivery pending again; its attempts so far, or `None` when it is not
    /// one that failed.
    pub async fn retry_delivery(&self, id: i64) -> Result<Option<i64>, DbError> {
        let row = sqlx::query(
            "UPDATE notification_deliveries SET state = 'pending' \
             WHERE id = $1 AND state = 'failed' RETURNING attempts",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| Ok(row.try_get(0)?)).transpose()
    }

    /// The latest `limit` deliveries, newest first.
    pub async fn deliveries(&self, limit: i64) -> Result<Vec<Delivery>, DbError> {
        let rows = sqlx::query(
            "SELECT d.id, e.rule_name, e.array_name, e.resolved, e.summary, d.channel_name, d.state, d.attempts, \
             d.last_error, e.created_at_ms, d.delivered_at_ms, d.recipient, d.not_before_ms \
             FROM notification_deliveries d JOIN notification_events e ON e.id = d.event_id \
             ORDER BY d.id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let resolved: i64 = row.try_get(3)?;
                let state: String = row.try_get(6)?;
                Ok(Delivery {
                    id: row.try_get(0)?,
                    rule: row.try_get(1)?,
                    array: row.try_get(2)?,
                    resolved: resolved != 0,
                    summary: row.try_get(4)?,
                    channel: row.try_get(5)?,
                    recipient: row.try_get(11)?,
                    state: DeliveryState::parse(&state).ok_or(DbError::BadValue(state))?,
                    attempts: row.try_get(7)?,
                    last_error: row.try_get(8)?,
                    created_at_ms: row.try_get(9)?,
                    delivered_at_ms: row.try_get(10)?,
                    not_before_ms: row.try_get(12)?,
                })
            })
            .collect()
    }

    /// When the capacity and protection report goes out, if an admin scheduled it.
    pub async fn report_schedule(&self) -> Result<Option<StoredReportSchedule>, DbError> {
        let row = sqlx::query(
            "SELECT channel_id, weekday, hour, utc_offset_minutes, last_due_at_ms, last_sent_at_ms \
             FROM notification_report WHERE id = 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let small = |index: usize| -> Result<i64, DbError> { Ok(row.try_get(index)?) };
        let out_of_range = |what: &str| DbError::BadValue(format!("the report's {what}"));
        Ok(Some(StoredReportSchedule {
            schedule: ReportSchedule {
                channel: row.try_get(0)?,
                weekday: u8::try_from(small(1)?).map_err(|_| out_of_range("weekday"))?,
                hour: u8::try_from(small(2)?).map_err(|_| out_of_range("hour"))?,
                utc_offset_minutes: i16::try_from(small(3)?)
                    .map_err(|_| out_of_range("time zone"))?,
            },
            last_due_at_ms: row.try_get(4)?,
            last_sent_at_ms: row.try_get(5)?,
        }))
    }

    /// Schedules the report (`None`: stops it); the first goes at its next due time after
    /// `now_ms`.
    pub async fn set_report_schedule(
        &self,
        schedule: Option<&ReportSchedule>,
        now_ms: i64,
    ) -> Result<(), DbError> {
        let mut transaction = self.pool.begin().await?;
        sqlx::query("DELETE FROM notification_report")
            .execute(&mut *transaction)
            .await?;
        if let Some(schedule) = schedule {
            sqlx::query(
                "INSERT INTO notification_report (id, channel_id, weekday, hour, utc_offset_minutes, last_due_at_ms) \
                 VALUES (1, $1, $2, $3, $4, $5)",
            )
            .bind(schedule.channel)
            .bind(i64::from(schedule.weekday))
            .bind(i64::from(schedule.hour))
            .bind(i64::from(schedule.utc_offset_minutes))
            .bind(schedule.due_at_or_before(now_ms))
            .execute(&mut *transaction)
            .await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    /// Writes a report's event (`summary`, and the report as JSON) and its delivery through
    /// `channel`. With `due_at_ms` (the weekly report), only when that due time was not sent
    /// for yet, claimed in the same transaction: whether it was written.
    pub async fn write_report(
        &self,
        report: &str,
        summary: &str,
        channel: &(i64, String),
        due_at_ms: Option<i64>,
        now_ms: i64,
    ) -> Result<bool, DbError> {
        let mut transaction = self.pool.begin().await?;
        if let Some(due_at_ms) = due_at_ms {
            let claimed = sqlx::query(
                "UPDATE notification_report SET last_due_at_ms = $1, last_sent_at_ms = $2 \
                 WHERE id = 1 AND last_due_at_ms < $1",
            )
            .bind(due_at_ms)
            .bind(now_ms)
            .execute(&mut *transaction)
            .await?
            .rows_affected();
            if claimed == 0 {
                transaction.rollback().await?;
                return Ok(false);
            }
        }
        let event = Event {
            rule_id: 0,
            rule_name: REPORT_TITLE,
            array: "",
            resolved: false,
            summary,
            topic: None,
            report: Some(report),
        };
        let (channel_id, channel_name) = channel;
        let delivery = Outgoing {
            channel_id: *channel_id,
            channel_name,
            recipient: None,
            not_before_ms: None,
        };
        write_outbox(&mut transaction, &event, std::iter::once(delivery), now_ms).await?;
        transaction.commit().await?;
        Ok(true)
    }

    /// The email channel mail to people goes through, if an admin chose one.
    pub async fn personal_mail_channel_id(&self) -> Result<Option<i64>, DbError> {
        let row = sqlx::query("SELECT channel_id FROM notification_personal_mail WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| Ok(row.try_get(0)?)).transpose()
    }

    /// Chooses the channel mail to people goes through (`None`: no such mail is sent).
    pub async fn set_personal_mail_channel(&self, channel: Option<i64>) -> Result<(), DbError> {
        let mut transaction = self.pool.begin().await?;
        sqlx::query("DELETE FROM notification_personal_mail")
            .execute(&mut *transaction)
            .await?;
        if let Some(channel) = channel {
            sqlx::query("INSERT INTO notification_personal_mail (id, channel_id) VALUES (1, $1)")
                .bind(channel)
                .execute(&mut *transaction)
                .await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    /// A person's address and the topics they are told of.
    pub async fn subscriptions_of(
        &self,
        user_id: i64,
    ) -> Result<(Option<String>, Vec<PersonalTopic>), DbError> {
        let email: Option<String> = sqlx::query("SELECT email FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| row.try_get(0))
            .transpose()?
            .flatten();
        let rows = sqlx::query(
            "SELECT topic FROM notification_subscriptions WHERE user_id = $1 ORDER BY topic",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        let topics = rows
            .iter()
            .map(|row| {
                let topic: String = row.try_get(0)?;
                PersonalTopic::parse(&topic).ok_or(DbError::BadValue(topic))
            })
            .collect::<Result<_, _>>()?;
        Ok((email, topics))
    }

    /// Replaces a person's address and topics at once.
    pub async fn set_subscriptions(
        &self,
        user_id: i64,
        email: Option<&str>,
        topics: &[PersonalTopic],
    ) -> Result<(), DbError> {
        let mut transaction = self.pool.begin().await?;
        sqlx::query("UPDATE users SET email = $1 WHERE id = $2")
            .bind(email)
            .bind(user_id)
            .execute(&mut *transaction)
            .await?;
        sqlx::query("DELETE FROM notification_subscriptions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *transaction)
            .await?;
        for topic in topics {
            sqlx::query("INSERT INTO notification_subscriptions (user_id, topic) VALUES ($1, $2)")
                .bind(user_id)
                .bind(topic.as_str())
                .execute(&mut *transaction)
                .await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    /// The people told of `topic` who can be: enabled, with an address.
    pub async fn subscribers(&self, topic: PersonalTopic) -> Result<Vec<(User, String)>, DbError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS}, u.email FROM users u \
             JOIN notification_subscriptions s ON s.user_id = u.id \
             WHERE s.topic = $1 AND u.email IS NOT NULL AND NOT u.disabled ORDER BY u.username"
        )))
        .bind(topic.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    user_from_row(row)?,
                    row.try_get(super::users::USER_COLUMN_COUNT)?,
                ))
            })
            .collect()
    }

    /// Records a silence; its id.
    pub async fn create_silence(&self, silence: &Silence) -> Result<i64, DbError> {
        let row = sqlx::query(
            "INSERT INTO notification_silences (rule_id, array_name, reason, created_by, created_at_ms, until_ms) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(silence.rule)
        .bind(silence.array.as_deref())
        .bind(&silence.reason)
        .bind(&silence.created_by)
        .bind(silence.created_at_ms)
        .bind(silence.until_ms)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get(0)?)
    }

    /// The silences in force at `now_ms`, the soonest to end first.
    pub async fn silences(&self, now_ms: i64) -> Result<Vec<Silence>, DbError> {
        let rows = sqlx::query(
            "SELECT s.id, s.rule_id, r.name, s.array_name, s.reason, s.created_by, s.created_at_ms, s.until_ms \
             FROM notification_silences s JOIN notification_rules r ON r.id = s.rule_id \
             WHERE s.until_ms > $1 ORDER BY s.until_ms, s.id",
        )
        .bind(now_ms)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Silence {
                    id: row.try_get(0)?,
                    rule: row.try_get(1)?,
                    rule_name: row.try_get(2)?,
                    array: row.try_get(3)?,
                    reason: row.try_get(4)?,
                    created_by: row.try_get(5)?,
                    created_at_ms: row.try_get(6)?,
                    until_ms: row.try_get(7)?,
                })
            })
            .collect()
    }

    /// Ends a silence now; `false` when none by that id is in force.
    pub async fn end_silence(&self, id: i64, now_ms: i64) -> Result<bool, DbError> {
        let ended = sqlx::query(
            "UPDATE notification_silences SET until_ms = $1 WHERE id = $2 AND until_ms > $1",
        )
        .bind(now_ms)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(ended.rows_affected() > 0)
    }
}
