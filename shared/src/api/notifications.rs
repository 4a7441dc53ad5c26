//! Notifications (`/api/notifications`): where the portal tells people of what happens while
//! nobody looks (channels), what it tells them of (rules), and what it sent (deliveries).

use serde::{Deserialize, Serialize};

use super::ApiError;

/// The longest channel or rule name.
pub const MAX_NOTIFICATION_NAME_CHARS: usize = 64;
/// The longest receiver address.
pub const MAX_CHANNEL_URL_CHARS: usize = 2048;
/// The most channels, and the most rules, a portal holds.
pub const MAX_CHANNELS: usize = 50;
pub const MAX_RULES: usize = 200;
/// The most arrays one rule names (more: every array).
pub const MAX_RULE_ARRAYS: usize = 500;
/// The header a generic webhook's body is signed in: `sha256=` and the hex HMAC-SHA256 of
/// the `x-flashdeck-timestamp` header's value, a `.`, and the body, keyed with the
/// channel's signing secret.
pub const SIGNATURE_HEADER: &str = "x-flashdeck-signature";
pub const TIMESTAMP_HEADER: &str = "x-flashdeck-timestamp";
/// Every message names its event in this header, so a receiver that sees one twice (a
/// retry after its answer was lost) can tell.
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

/// How a channel's receiver expects its messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    /// JSON, signed with an HMAC header.
    Webhook,
    /// A Slack incoming webhook.
    Slack,
    /// A Microsoft Teams incoming webhook (a Workflows "post to a channel" address).
    Teams,
    /// Mail through an SMTP server.
    Email,
}

impl ChannelKind {
    pub const ALL: [ChannelKind; 4] = [
        ChannelKind::Slack,
        ChannelKind::Teams,
        ChannelKind::Email,
        ChannelKind::Webhook,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Webhook => "webhook",
            ChannelKind::Slack => "slack",
            ChannelKind::Teams => "teams",
            ChannelKind::Email => "email",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ChannelKind::Webhook => "Webhook (signed JSON)",
            ChannelKind::Slack => "Slack",
            ChannelKind::Teams => "Microsoft Teams",
            ChannelKind::Email => "Email (SMTP)",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

/// `POST /api/notifications/channels`. The address is a credential (whoever has a Slack
/// webhook address can post to the channel): it is sealed and never shown back.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewChannel {
    pub name: String,
    pub kind: ChannelKind,
    /// The receiver's address (for Slack and Teams, the incoming webhook's); none for email.
    #[serde(default)]
    pub webhook_url: String,
    /// Where and how mail goes, for an email channel.
    #[serde(default)]
    pub email: Option<EmailSettings>,
    /// A generic webhook's signing secret; one is made when none is given.
    #[serde(default)]
    pub signing_secret: Option<String>,
}

impl std::fmt::Debug for NewChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewChannel")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// TLS from the first byte (port 465).
    Tls,
    /// Plain, then STARTTLS, required (port 587).
    Starttls,
    /// Plain: only to a relay on this machine.
    None,
}

impl SmtpSecurity {
    pub fn default_port(self) -> u16 {
        match self {
            SmtpSecurity::Tls => 465,
            SmtpSecurity::Starttls => 587,
            SmtpSecurity::None => 25,
        }
    }
}

/// An email channel's server and addresses; sealed whole, since the password is a secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EmailSettings {
    pub smtp_host: String,
    /// The security's usual port when not given.
    #[serde(default)]
    pub smtp_port: Option<u16>,
    pub security: SmtpSecurity,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    pub from: String,
    pub to: Vec<String>,
}

impl std::fmt::Debug for EmailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailSettings")
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("from", &self.from)
            .field("to", &self.to)
            .finish_non_exhaustive()
    }
}

/// The most recipients one email channel has.
pub const MAX_RECIPIENTS: usize = 20;

/// A channel as listed: its receiver's host only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Channel {
    pub id: i64,
    pub name: String,
    pub kind: ChannelKind,
    /// The receiver's host, so a person can tell channels apart without the secret path.
    pub host: String,
    pub created_by: String,
    /// Unix seconds.
    pub created_at: i64,
}

/// The answer to `POST /api/notifications/channels`: a generic webhook's signing secret is
/// shown this once, for the receiver to check signatures with.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedChannel {
    pub channel: Channel,
    pub signing_secret: Option<String>,
}

impl std::fmt::Debug for CreatedChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedChannel")
            .field("channel", &self.channel)
            .finish_non_exhaustive()
    }
}

/// What the receiver answered a test message (`POST …/channels/{id}/test`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChannelTestResult {
    pub delivered: bool,
    /// The receiver's HTTP status, when it answered.
    pub status: Option<u16>,
    /// Its answer's first words, or why nothing reached it.
    pub answer: String,
}

/// What a rule watches for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RuleCondition {
    /// Used space past `percent` of the array's capacity.
    CapacityOver { percent: u8 },
    /// At the growth of its last 30 days, the array is full within `days`.
    FullWithin { days: u16 },
    /// The array does not answer the portal.
    NotAnswering,
    /// The array has alerts open at `severity` or above (of `code` alone, when given): one
    /// message for each alert code, however many components raise it.
    AlertOpen {
        severity: AlertSeverity,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code: Option<i64>,
    },
    /// One of the array's protection groups replicates past its recovery point (or its
    /// target refuses it), or one of its pods' ActiveDR links is unhealthy or far behind, as
    /// the DR view judges them: one message for each.
    ReplicationBehind,
    /// One of the array's protection groups has neither a snapshot nor a replication
    /// schedule enabled: one message for each.
    ProtectionUnscheduled,
}

/// The least severity an alert rule tells of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AlertSeverity {
    Warning,
    Critical,
}

impl AlertSeverity {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertSeverity::Warning => "warning",
            AlertSeverity::Critical => "critical",
        }
    }

    /// Whether an alert of the array's `severity` (`info`, `warning`, `critical`, `hidden`)
    /// is at this one or above.
    pub fn covers(self, severity: &str) -> bool {
        match severity {
            "critical" => true,
            "warning" => self == AlertSeverity::Warning,
            _ => false,
        }
    }
}

impl RuleCondition {
    /// In words, for the rules table and the messages.
    pub fn describe(&self) -> String {
        match self {
            RuleCondition::CapacityOver { percent } => format!("more than {percent} % full"),
            RuleCondition::FullWithin { days } => format!("full within {days} days at its growth"),
            RuleCondition::NotAnswering => "not answering".to_owned(),
            RuleCondition::AlertOpen { severity, code } => {
                let which = match severity {
                    AlertSeverity::Warning => "warning or critical",
                    AlertSeverity::Critical => "critical",
                };
                match code {
                    Some(code) => format!("raising {which} alerts of code {code}"),
                    None => format!("raising {which} alerts"),
                }
            }
            RuleCondition::ReplicationBehind => "replicating behind its schedule".to_owned(),
            RuleCondition::ProtectionUnscheduled => {
                "holding a protection group with no schedule".to_owned()
            }
        }
    }

    /// Whether it is judged one subject at a time (an alert code, a protection group, a
    /// link) rather than once for the whole array.
    pub fn per_subject(self) -> bool {
        matches!(
            self,
            RuleCondition::AlertOpen { .. }
                | RuleCondition::ReplicationBehind
                | RuleCondition::ProtectionUnscheduled
        )
    }

    /// Whether the array's growth must be read to judge it.
    pub fn reads_growth(self) -> bool {
        matches!(self, RuleCondition::FullWithin { .. })
    }

    /// Whether the array's replication must be read to judge it.
    pub fn reads_replication(self) -> bool {
        matches!(
            self,
            RuleCondition::ReplicationBehind | RuleCondition::ProtectionUnscheduled
        )
    }

    /// Whether it holds on an array that reported `used_share` of its capacity (`None`: it
    /// did not answer); `None` when that cannot be told (a full array that stops answering
    /// is not thereby resolved) or space does not tell (alerts are judged one by one).
    pub fn holds(self, used_share: Option<f64>) -> Option<bool> {
        match (self, used_share) {
            (RuleCondition::CapacityOver { percent }, Some(used)) => {
                Some(used * 100.0 > f64::from(percent))
            }
            (RuleCondition::CapacityOver { .. }, None) => None,
            (RuleCondition::NotAnswering, answered) => Some(answered.is_none()),
            (
                RuleCondition::AlertOpen { .. }
                | RuleCondition::FullWithin { .. }
                | RuleCondition::ReplicationBehind
                | RuleCondition::ProtectionUnscheduled,
                _,
            ) => None,
        }
    }
}

/// The largest alert code a rule may name (Purity's are four or five digits).
pub const MAX_ALERT_CODE: i64 = 999_999;

/// The furthest a "full within" rule looks ahead: a year.
pub const MAX_FULL_WITHIN_DAYS: u16 = 365;

/// The most hours between reminders of a condition that still holds: a week.
pub const MAX_REPEAT_HOURS: u32 = 168;

/// Hours in which a rule's messages wait, from `from_hour` to `until_hour` (the end not
/// included; past midnight when `until_hour` is the smaller), in the time zone
/// `utc_offset_minutes` east of UTC: the browser's, when the rule was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct QuietHours {
    pub from_hour: u8,
    pub until_hour: u8,
    #[serde(default)]
    pub utc_offset_minutes: i16,
}

impl QuietHours {
    /// When a message made at `now_ms` may go: then, or when the quiet hours it falls in end.
    pub fn release_at(&self, now_ms: i64) -> i64 {
        const MINUTE_MS: i64 = 60_000;
        let local_ms = now_ms + i64::from(self.utc_offset_minutes) * MINUTE_MS;
        let minute_of_day = (local_ms.div_euclid(MINUTE_MS)).rem_euclid(24 * 60);
        let hour = minute_of_day / 60;
        let (from, until) = (i64::from(self.from_hour), i64::from(self.until_hour));
        let quiet = if from < until {
            (from..until).contains(&hour)
        } else {
            hour >= from || hour < until
        };
        if !quiet {
            return now_ms;
        }
        let minutes_left = (until * 60 - minute_of_day).rem_euclid(24 * 60);
        now_ms - local_ms.rem_euclid(MINUTE_MS) + minutes_left * MINUTE_MS
    }

    /// "22:00–07:00 (UTC+01:00)".
    pub fn describe(&self) -> String {
        let offset = self.utc_offset_minutes;
        let sign = if offset < 0 { '-' } else { '+' };
        let offset = offset.unsigned_abs();
        format!(
            "{:02}:00–{:02}:00 (UTC{sign}{:02}:{:02})",
            self.from_hour,
            self.until_hour,
            offset / 60,
            offset % 60
        )
    }
}

/// `POST /api/notifications/rules`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewRule {
    pub name: String,
    pub condition: RuleCondition,
    /// The arrays it watches; `None`: every array.
    #[serde(default)]
    pub arrays: Option<Vec<String>>,
    pub channels: Vec<i64>,
    /// Told again every so many hours while it holds; `None`: once.
    #[serde(default)]
    pub repeat_hours: Option<u32>,
    /// Messages made in these hours wait until they end.
    #[serde(default)]
    pub quiet_hours: Option<QuietHours>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rule {
    pub id: i64,
    pub name: String,
    pub condition: RuleCondition,
    pub arrays: Option<Vec<String>>,
    pub channels: Vec<i64>,
    #[serde(default)]
    pub repeat_hours: Option<u32>,
    #[serde(default)]
    pub quiet_hours: Option<QuietHours>,
    pub created_by: String,
    pub created_at: i64,
}

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    Pending,
    Delivered,
    Failed,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Pending, Self::Delivered, Self::Failed]
            .into_iter()
            .find(|state| state.as_str() == text)
    }
}

/// One message to one channel (`GET /api/notifications/deliveries`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Delivery {
    pub id: i64,
    pub rule: String,
    pub array: String,
    /// `true`: the cause cleared.
    pub resolved: bool,
    pub summary: String,
    pub channel: String,
    /// The person it was mailed to, for mail about themselves; the channel's own
    /// recipients otherwise.
    pub recipient: Option<String>,
    pub state: DeliveryState,
    pub attempts: i64,
    /// Why the last attempt failed, in the receiver's words where it gave any.
    pub last_error: Option<String>,
    /// Unix milliseconds: when the event happened, and when the message was received.
    pub created_at_ms: i64,
    pub delivered_at_ms: Option<i64>,
    /// When a message made in its rule's quiet hours may go.
    #[serde(default)]
    pub not_before_ms: Option<i64>,
}

/// The longest a silence lasts: a quarter of a year, well beyond Purity's own 24 hours.
pub const MAX_SILENCE_HOURS: u32 = 24 * 90;
/// The most silences in force at once.
pub const MAX_SILENCES: usize = 200;

/// `POST /api/notifications/silences`: nothing is told for `rule` (on `array` only, when
/// given) for `hours`; what still holds when it ends is told then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewSilence {
    pub rule: i64,
    #[serde(default)]
    pub array: Option<String>,
    pub hours: u32,
    pub reason: String,
}

/// A silence in force (`GET /api/notifications/silences`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Silence {
    pub id: i64,
    pub rule: i64,
    pub rule_name: String,
    /// `None`: every array the rule watches.
    pub array: Option<String>,
    pub reason: String,
    pub created_by: String,
    /// Unix milliseconds.
    pub created_at_ms: i64,
    pub until_ms: i64,
}

/// Checks a new silence (its rule and array are checked against the portal's).
pub fn validate_new_silence(silence: &NewSilence) -> Result<(), ApiError> {
    if !(1..=MAX_SILENCE_HOURS).contains(&silence.hours) {
        return Err(ApiError::for_field(
            "hours",
            format!("From 1 hour to {} days.", MAX_SILENCE_HOURS / 24),
        ));
    }
    let reason = silence.reason.trim();
    if reason.is_empty() {
        return Err(ApiError::for_field(
            "reason",
            "Say why, for whoever wonders where the messages went.",
        ));
    }
    if reason.chars().count() > 200 || reason.chars().any(|c| c.is_control() || is_invisible(c)) {
        return Err(ApiError::for_field(
            "reason",
            "At most 200 characters, none of them control or invisible.",
        ));
    }
    Ok(())
}

/// What a person may be told of by mail, about themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PersonalTopic {
    /// A change held for approval that this person may decide.
    ApprovalWaiting,
    /// A change this person asked for was approved (and how it ran) or rejected.
    ApprovalDecided,
    /// A rule's message about an array in this person's scope: it began or cleared.
    ArrayEvents,
}

impl PersonalTopic {
    pub const ALL: [PersonalTopic; 3] = [
        Self::ApprovalWaiting,
        Self::ApprovalDecided,
        Self::ArrayEvents,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ApprovalWaiting => "approval_waiting",
            Self::ApprovalDecided => "approval_decided",
            Self::ArrayEvents => "array_events",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|topic| topic.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::ApprovalWaiting => "A request waits for my decision",
            Self::ApprovalDecided => "A request of mine is decided",
            Self::ArrayEvents => "A rule's message about my arrays",
        }
    }
}

/// What the caller is told of by mail (`GET /api/notifications/mine`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyNotifications {
    pub email: Option<String>,
    pub topics: Vec<PersonalTopic>,
    /// Whether an admin chose the channel mail to people goes through: without one,
    /// nothing is sent.
    pub mail_ready: bool,
}

/// `PUT /api/notifications/mine`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MyNotificationsChange {
    pub email: Option<String>,
    pub topics: Vec<PersonalTopic>,
}

/// The email channel whose server sends mail to people (`/api/notifications/personal-mail`);
/// its own recipients are left out of such mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PersonalMail {
    pub channel: Option<i64>,
}

/// Checks what a person asks to be told of: an address to tell them at.
pub fn validate_my_notifications(change: &MyNotificationsChange) -> Result<(), ApiError> {
    match change.email.as_deref().map(str::trim) {
        Some(address) if !address.is_empty() && !is_mail_address(address) => Err(
            ApiError::for_field("email", format!("{address:?} is not a mail address.")),
        ),
        Some(address) if !address.is_empty() => Ok(()),
        _ if change.topics.is_empty() => Ok(()),
        _ => Err(ApiError::for_field(
            "email",
            "Give the address to send your mail to.",
        )),
    }
}

/// The text of a message, for every kind of channel.
pub fn message_text(rule: &str, array: &str, resolved: bool, summary: &str) -> String {
    if resolved {
        format!("Resolved on {array}: {summary} (rule \"{rule}\")")
    } else {
        format!("{array}: {summary} (rule \"{rule}\")")
    }
}

fn check_name(field: &'static str, name: &str) -> Result<(), ApiError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ApiError::for_field(field, "Give it a name."));
    }
    if name.chars().count() > MAX_NOTIFICATION_NAME_CHARS {
        return Err(ApiError::for_field(
            field,
            format!("At most {MAX_NOTIFICATION_NAME_CHARS} characters."),
        ));
    }
    if name.chars().any(|c| c.is_control() || is_invisible(c)) {
        return Err(ApiError::for_field(
            field,
            "No control, invisible or direction-changing characters.",
        ));
    }
    Ok(())
}

/// Characters that draw nothing or turn text around (zero-width, bidirectional overrides,
/// line separators): a name or a receiver's answer holding one can pass for another.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// Checks a new channel: a name, and an `https://` address (`http://` only to this machine,
/// for a receiver beside the portal), or for email a server and addresses.
pub fn validate_new_channel(channel: &NewChannel) -> Result<(), ApiError> {
    check_name("name", &channel.name)?;
    match (&channel.email, channel.kind) {
        (Some(email), ChannelKind::Email) => {
            if !channel.webhook_url.trim().is_empty() {
                return Err(ApiError::for_field(
                    "webhook_url",
                    "An email channel has no webhook address.",
                ));
            }
            return validate_email(email);
        }
        (None, ChannelKind::Email) => {
            return Err(ApiError::for_field(
                "email.smtp_host",
                "Give the SMTP server mail goes through.",
            ));
        }
        (Some(_), _) => {
            return Err(ApiError::for_field(
                "email",
                "Only an email channel has mail settings.",
            ));
        }
        (None, _) => {}
    }
    let url = channel.webhook_url.trim();
    if url.len() > MAX_CHANNEL_URL_CHARS {
        return Err(ApiError::for_field(
            "webhook_url",
            format!("At most {MAX_CHANNEL_URL_CHARS} characters."),
        ));
    }
    let Some(host) = url_host(url) else {
        return Err(ApiError::for_field(
            "webhook_url",
            "Give the receiver's address, starting with https://.",
        ));
    };
    if url.starts_with("http://") && !is_loopback(host) {
        return Err(ApiError::for_field(
            "webhook_url",
            "Use https:// (plain http:// only to this machine): the address and messages are secrets.",
        ));
    }
    if let Some(secret) = &channel.signing_secret {
        if channel.kind != ChannelKind::Webhook {
            return Err(ApiError::for_field(
                "signing_secret",
                "Only a generic webhook is signed.",
            ));
        }
        if secret.len() < 16 || secret.len() > 256 {
            return Err(ApiError::for_field(
                "signing_secret",
                "Between 16 and 256 characters.",
            ));
        }
    }
    Ok(())
}

fn validate_email(email: &EmailSettings) -> Result<(), ApiError> {
    let host = email.smtp_host.trim();
    if host.is_empty()
        || host.len() > 253
        || !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
    {
        return Err(ApiError::for_field(
            "email.smtp_host",
            "Give the SMTP server's name or address.",
        ));
    }
    if email.smtp_port == Some(0) {
        return Err(ApiError::for_field(
            "email.smtp_port",
            "A port from 1 to 65535.",
        ));
    }
    if email.security == SmtpSecurity::None && !is_loopback(host) {
        return Err(ApiError::for_field(
            "email.security",
            "Use TLS or STARTTLS (plain SMTP only to a relay on this machine): messages and the password are secrets.",
        ));
    }
    if email.username.is_some() != email.password.is_some() {
        return Err(ApiError::for_field(
            "email.password",
            "Give both a username and a password, or neither.",
        ));
    }
    if !is_mail_address(&email.from) {
        return Err(ApiError::for_field(
            "email.from",
            "Give the address mail comes from, such as flashdeck@example.com.",
        ));
    }
    if email.to.is_empty() || email.to.len() > MAX_RECIPIENTS {
        return Err(ApiError::for_field(
            "email.to",
            format!("Give 1 to {MAX_RECIPIENTS} addresses to send to."),
        ));
    }
    if let Some(wrong) = email.to.iter().find(|address| !is_mail_address(address)) {
        return Err(ApiError::for_field(
            "email.to",
            format!("{wrong:?} is not a mail address."),
        ));
    }
    Ok(())
}

/// `local@domain` with one `@`: letters, digits and `.+-_'` before it, a dotted host name
/// after. Stricter than RFC 5322 on purpose: no routing characters (`%`, `!`), comments or
/// quotes that relays read differently.
fn is_mail_address(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    address.len() <= 254
        && !local.is_empty()
        && local.len() <= 64
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-' | '_' | '\''))
        && domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// The host of an `http(s)://` address, or `None` when it is not one.
pub fn url_host(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    if authority.contains('@')
        || authority
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        return None;
    }
    let host = match authority.strip_prefix('[') {
        Some(bracketed) => {
            let inside = &bracketed[..bracketed.find(']')?];
            inside.parse::<std::net::Ipv6Addr>().ok()?;
            &authority[..inside.len() + 2]
        }
        None => authority.split(':').next()?,
    };
    (!host.is_empty()).then_some(host)
}

/// This machine, by address (a name beginning `127.` may resolve anywhere).
fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|address| address.is_loopback())
        || host == "[::1]"
}

/// Checks a new rule (its arrays and channels are checked against the portal's).
pub fn validate_new_rule(rule: &NewRule) -> Result<(), ApiError> {
    check_name("name", &rule.name)?;
    if let RuleCondition::CapacityOver { percent } = rule.condition
        && !(1..=99).contains(&percent)
    {
        return Err(ApiError::for_field(
            "condition.percent",
            "Between 1 and 99 %.",
        ));
    }
    if let RuleCondition::FullWithin { days } = rule.condition
        && !(1..=MAX_FULL_WITHIN_DAYS).contains(&days)
    {
        return Err(ApiError::for_field(
            "condition.days",
            format!("Between 1 and {MAX_FULL_WITHIN_DAYS} days."),
        ));
    }
    if let RuleCondition::AlertOpen {
        code: Some(code), ..
    } = rule.condition
        && !(1..=MAX_ALERT_CODE).contains(&code)
    {
        return Err(ApiError::for_field(
            "condition.code",
            format!("An alert code is a number from 1 to {MAX_ALERT_CODE}."),
        ));
    }
    if rule.channels.is_empty() {
        return Err(ApiError::for_field(
            "channels",
            "Choose at least one channel to send to.",
        ));
    }
    if rule.channels.len() > MAX_CHANNELS {
        return Err(ApiError::for_field("channels", "Too many channels."));
    }
    if rule
        .repeat_hours
        .is_some_and(|hours| !(1..=MAX_REPEAT_HOURS).contains(&hours))
    {
        return Err(ApiError::for_field(
            "repeat_hours",
            format!("Every 1 to {MAX_REPEAT_HOURS} hours, or never."),
        ));
    }
    if let Some(quiet) = rule.quiet_hours {
        if quiet.from_hour > 23 || quiet.until_hour > 23 || quiet.from_hour == quiet.until_hour {
            return Err(ApiError::for_field(
                "quiet_hours",
                "Two different hours of the day, from 0 to 23.",
            ));
        }
        if quiet.utc_offset_minutes.unsigned_abs() > 14 * 60 {
            return Err(ApiError::for_field(
                "quiet_hours",
                "A time zone within 14 hours of UTC.",
            ));
        }
    }
    if let Some(arrays) = &rule.arrays {
        if arrays.is_empty() {
            return Err(ApiError::for_field(
                "arrays",
                "Choose at least one array, or every array.",
            ));
        }
        if arrays.len() > MAX_RULE_ARRAYS {
            return Err(ApiError::for_field(
                "arrays",
                format!("At most {MAX_RULE_ARRAYS} arrays; leave none ticked for every array."),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_receivers_host_is_read_from_its_address() {
        assert_eq!(
            url_host("https://hooks.slack.com/services/T/B/x"),
            Some("hooks.slack.com")
        );
        assert_eq!(url_host("http://127.0.0.1:9000/hook"), Some("127.0.0.1"));
        assert_eq!(url_host("https://[::1]:8443/x"), Some("[::1]"));
        assert_eq!(url_host("https://user:pw@example.com/"), None);
        assert_eq!(url_host("ftp://example.com/"), None);
        assert_eq!(url_host("https:///path"), None);
        assert_eq!(url_host("https://[]/x"), None);
    }

    #[test]
    fn plain_http_is_refused_beyond_this_machine() {
        let channel = |url: &str| NewChannel {
            name: "ops".into(),
            kind: ChannelKind::Slack,
            webhook_url: url.into(),
            email: None,
            signing_secret: None,
        };
        assert!(validate_new_channel(&channel("http://127.0.0.1:8080/x")).is_ok());
        for elsewhere in [
            "http://127.attacker.example/x",
            "http://127.0.0.1.nip.io/x",
            "http://127.10.0.0.5.nip.io:8080/x",
        ] {
            assert!(
                validate_new_channel(&channel(elsewhere)).is_err(),
                "{elsewhere}"
            );
        }
        let refused =
            validate_new_channel(&channel("http://hooks.example.com/x")).expect_err("refused");
        assert_eq!(refused.field.as_deref(), Some("webhook_url"));
        assert!(validate_new_channel(&channel("https://hooks.example.com/x")).is_ok());
    }

    #[test]
    fn an_alert_rule_covers_its_severity_and_above() {
        assert!(AlertSeverity::Warning.covers("warning"));
        assert!(AlertSeverity::Warning.covers("critical"));
        assert!(!AlertSeverity::Warning.covers("info"));
        assert!(!AlertSeverity::Critical.covers("warning"));
        assert!(!AlertSeverity::Critical.covers("hidden"));
        let rule: NewRule = serde_json::from_str(
            r#"{"name":"a","condition":{"kind":"alert_open","severity":"critical"},"channels":[1]}"#,
        )
        .expect("parsed");
        assert_eq!(
            rule.condition,
            RuleCondition::AlertOpen {
                severity: AlertSeverity::Critical,
                code: None,
            }
        );
        let one_code: NewRule = serde_json::from_str(
            r#"{"name":"a","condition":{"kind":"alert_open","severity":"warning","code":1001},"channels":[1]}"#,
        )
        .expect("parsed");
        assert_eq!(
            one_code.condition.describe(),
            "raising warning or critical alerts of code 1001"
        );
        assert!(validate_new_rule(&one_code).is_ok());
        let no_code = NewRule {
            condition: RuleCondition::AlertOpen {
                severity: AlertSeverity::Warning,
                code: Some(0),
            },
            ..one_code
        };
        assert_eq!(
            validate_new_rule(&no_code).unwrap_err().field.as_deref(),
            Some("condition.code")
        );
    }

    #[test]
    fn a_rule_needs_a_sensible_threshold_and_a_channel() {
        let rule = NewRule {
            name: "full".into(),
            condition: RuleCondition::CapacityOver { percent: 100 },
            arrays: None,
            channels: vec![1],
            repeat_hours: None,
            quiet_hours: None,
        };
        let refused = validate_new_rule(&rule).expect_err("refused");
        assert_eq!(refused.field.as_deref(), Some("condition.percent"));
        let no_channel = NewRule {
            condition: RuleCondition::CapacityOver { percent: 85 },
            channels: vec![],
            ..rule
        };
        assert_eq!(
            validate_new_rule(&no_channel)
                .expect_err("refused")
                .field
                .as_deref(),
            Some("channels")
        );
    }

    #[test]
    fn an_email_channel_needs_a_protected_server_and_real_addresses() {
        let email = |security, to: &str| NewChannel {
            name: "mail".into(),
            kind: ChannelKind::Email,
            webhook_url: String::new(),
            email: Some(EmailSettings {
                smtp_host: "smtp.example.com".into(),
                smtp_port: None,
                security,
                username: None,
                password: None,
                from: "flashdeck@example.com".into(),
                to: vec![to.into()],
            }),
            signing_secret: None,
        };
        assert!(validate_new_channel(&email(SmtpSecurity::Starttls, "ops@example.com")).is_ok());
        let field =
            |channel: &NewChannel| validate_new_channel(channel).err().and_then(|e| e.field);
        assert_eq!(
            field(&email(SmtpSecurity::None, "ops@example.com")).as_deref(),
            Some("email.security")
        );
        for wrong in [
            "ops",
            "ops@example",
            "a@b.com\r\nBcc: x@y.com",
            "<ops@example.com>",
        ] {
            assert_eq!(
                field(&email(SmtpSecurity::Tls, wrong)).as_deref(),
                Some("email.to"),
                "{wrong:?}"
            );
        }
    }

    #[test]
    fn a_message_in_quiet_hours_waits_for_their_end_in_the_rules_time_zone() {
        const HOUR: i64 = 3_600_000;
        // 2026-12-06 00:00 UTC.
        let midnight = 1_796_515_200_000;
        let night = QuietHours {
            from_hour: 22,
            until_hour: 7,
            utc_offset_minutes: 60,
        };
        assert_eq!(night.describe(), "22:00–07:00 (UTC+01:00)");
        // 23:30 UTC is 00:30 there: it waits until 07:00 there, 06:00 UTC.
        let late = midnight - HOUR / 2;
        assert_eq!(night.release_at(late), midnight + 6 * HOUR);
        // 12:00 UTC is 13:00 there: it goes at once.
        assert_eq!(night.release_at(midnight + 12 * HOUR), midnight + 12 * HOUR);
        // 06:00 UTC is 07:00 there: the end is not quiet.
        assert_eq!(night.release_at(midnight + 6 * HOUR), midnight + 6 * HOUR);
        let lunch = QuietHours {
            from_hour: 12,
            until_hour: 13,
            utc_offset_minutes: -300,
        };
        assert_eq!(lunch.describe(), "12:00–13:00 (UTC-05:00)");
        assert_eq!(
            lunch.release_at(midnight + 17 * HOUR + 60_000),
            midnight + 18 * HOUR
        );
    }

    #[test]
    fn a_rules_reminders_and_quiet_hours_are_checked() {
        let rule = |repeat_hours: Option<u32>, quiet_hours: Option<QuietHours>| NewRule {
            name: "Nearly full".into(),
            condition: RuleCondition::NotAnswering,
            arrays: None,
            channels: vec![1],
            repeat_hours,
            quiet_hours,
        };
        let quiet = |from_hour, until_hour, utc_offset_minutes| {
            Some(QuietHours {
                from_hour,
                until_hour,
                utc_offset_minutes,
            })
        };
        assert!(validate_new_rule(&rule(Some(24), quiet(22, 7, 60))).is_ok());
        for (wrong, field) in [
            (rule(Some(0), None), "repeat_hours"),
            (rule(Some(169), None), "repeat_hours"),
            (rule(None, quiet(7, 7, 0)), "quiet_hours"),
            (rule(None, quiet(24, 7, 0)), "quiet_hours"),
            (rule(None, quiet(22, 7, 900)), "quiet_hours"),
        ] {
            let refused = validate_new_rule(&wrong).expect_err("refused");
            assert_eq!(refused.field.as_deref(), Some(field));
        }
    }

    #[test]
    fn a_silence_has_a_reason_and_an_end() {
        let silence = |hours: u32, reason: &str| NewSilence {
            rule: 1,
            array: None,
            hours,
            reason: reason.to_owned(),
        };
        assert!(validate_new_silence(&silence(24 * 30, "array migration CHG-9")).is_ok());
        for (wrong, field) in [
            (silence(0, "x"), "hours"),
            (silence(MAX_SILENCE_HOURS + 1, "x"), "hours"),
            (silence(4, "  "), "reason"),
            (silence(4, "a\u{202e}b"), "reason"),
        ] {
            let refused = validate_new_silence(&wrong).expect_err("refused");
            assert_eq!(refused.field.as_deref(), Some(field));
        }
    }

    #[test]
    fn a_mail_address_has_one_at_and_no_routing_or_quoting() {
        for good in [
            "bob@example.com",
            "o'brien+storage@mail.example.co.uk",
            "a_b-c.d@x-y.z",
        ] {
            assert!(is_mail_address(good), "{good}");
        }
        for bad in [
            "a@b@c.d",
            "x(y)@e.f",
            "a%victim.com@relay.example",
            "a!b@c.d",
            "\"a b\"@c.d",
            "a@b",
            "a@.b.c",
            "a@b..c",
            "a@-b.c",
            "@b.c",
            "a <b@c.d>",
        ] {
            assert!(!is_mail_address(bad), "{bad}");
        }
    }

    #[test]
    fn mail_about_oneself_needs_an_address_to_go_to() {
        let change = |email: Option<&str>, topics: Vec<PersonalTopic>| MyNotificationsChange {
            email: email.map(str::to_owned),
            topics,
        };
        let waiting = vec![PersonalTopic::ApprovalWaiting];
        assert!(validate_my_notifications(&change(None, vec![])).is_ok());
        assert!(
            validate_my_notifications(&change(Some("bob@example.com"), waiting.clone())).is_ok()
        );
        for (email, topics) in [
            (None, waiting.clone()),
            (Some("  "), waiting.clone()),
            (Some("bob"), vec![]),
        ] {
            let refused = validate_my_notifications(&change(email, topics)).expect_err("refused");
            assert_eq!(refused.field.as_deref(), Some("email"));
        }
        for topic in PersonalTopic::ALL {
            assert_eq!(PersonalTopic::parse(topic.as_str()), Some(topic));
        }
    }

    #[test]
    fn names_that_could_pass_for_others_are_refused() {
        for name in ["ops\u{200b}", "\u{202e}spo", "a\u{2028}b"] {
            let channel = NewChannel {
                name: name.into(),
                kind: ChannelKind::Slack,
                webhook_url: "https://hooks.example.com/x".into(),
                email: None,
                signing_secret: None,
            };
            assert!(validate_new_channel(&channel).is_err(), "{name:?}");
        }
    }

    proptest! {
        #[test]
        fn any_address_is_read_without_panicking(url in "\\PC{0,80}") {
            if let Some(host) = url_host(&url) {
                prop_assert!(!host.is_empty());
                prop_assert!(!host.contains('@'));
            }
        }
    }
}
