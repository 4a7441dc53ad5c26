//! Writing a message in each receiver's format and sending it: a generic webhook gets JSON
//! signed with HMAC-SHA256, Slack its `text`, Teams an Adaptive Card.

use std::time::Duration;

use hmac::{Hmac, Mac};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, MultiPart};
use serde_json::json;
use sha2::Sha256;
use shared::api::{
    ChannelKind, ChannelTestResult, EmailSettings, FleetReport, IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER, SmtpSecurity, TIMESTAMP_HEADER,
};

/// What a receiver gets to answer in.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// How much of a receiver's answer is kept: enough for its reason, never a page.
const ANSWER_CHARS: usize = 300;

/// One message, whatever the channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// Stays the same across retries: receivers drop a message seen before.
    pub idempotency_key: String,
    pub rule: String,
    pub array: String,
    pub resolved: bool,
    pub summary: String,
    pub created_at_ms: i64,
    /// Mail to a person about themselves: `rule` is its title, `summary` the whole message.
    pub personal: bool,
    /// Where in the portal the person acts on it, when the portal's address is known.
    pub link: Option<String>,
    /// A capacity and protection report: `summary` is its text; mail carries it as HTML
    /// with its CSV attached, a generic webhook as JSON.
    pub report: Option<Box<FleetReport>>,
}

impl Message {
    pub fn text(&self) -> String {
        if self.personal {
            return format!("{}: {}", self.rule, self.summary);
        }
        if self.report.is_some() {
            return self.summary.clone();
        }
        shared::api::message_text(&self.rule, &self.array, self.resolved, &self.summary)
    }

    fn body(&self, kind: ChannelKind) -> serde_json::Value {
        let text = self.text();
        match kind {
            ChannelKind::Webhook if self.report.is_some() => json!({
                "event": "report",
                "summary": self.summary,
                "text": text,
                "report": self.report,
                "created_at_ms": self.created_at_ms,
                "idempotency_key": self.idempotency_key,
            }),
            ChannelKind::Webhook => json!({
                "event": if self.resolved { "resolved" } else { "raised" },
                "rule": self.rule,
                "array": self.array,
                "summary": self.summary,
                "text": text,
                "created_at_ms": self.created_at_ms,
                "idempotency_key": self.idempotency_key,
            }),
            ChannelKind::Slack => json!({ "text": slack_escaped(&text) }),
            ChannelKind::Email => json!({ "text": text }),
            ChannelKind::Teams => json!({
                "type": "message",
                "attachments": [{
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "content": {
                        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                        "type": "AdaptiveCard",
                        "version": "1.4",
                        "body": [
                            {
                                "type": "TextBlock",
                                "weight": "Bolder",
                                "text": match (&self.report, self.resolved) {
                                    (Some(_), _) => "Capacity and protection report".to_owned(),
                                    (None, true) => format!("Resolved: {}", self.array),
                                    (None, false) => self.array.clone(),
                                },
                            },
                            { "type": "TextBlock", "wrap": true, "text": markdown_escaped(&text) },
                        ],
                    },
                }],
            }),
        }
    }
}

/// Slack reads `<…>` as links and mentions (`<!channel>`) and `&` as their escape: an
/// array's words are shown as words.
fn slack_escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Teams cards read Markdown: an array's `[text](address)` is shown as written.
fn markdown_escaped(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '[' | ']' | '(' | ')' | '#' | '`' | '~' | '>' | '<'
        ) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Where a message goes, its secrets opened.
pub enum Receiver {
    Webhook {
        kind: ChannelKind,
        url: String,
        signing_secret: Option<String>,
    },
    Email(EmailSettings),
}

/// The signature header's value for `body` sent at `timestamp`.
pub fn signature(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("sha256={hex}")
}

/// Sends `message`; the receiver's answer either way. Its address never appears in what
/// this returns (reqwest's errors name the URL, which is a secret).
pub async fn send(
    http: &reqwest::Client,
    receiver: &Receiver,
    message: &Message,
    now_secs: i64,
) -> ChannelTestResult {
    match receiver {
        Receiver::Webhook {
            kind,
            url,
            signing_secret,
        } => {
            post(
                http,
                *kind,
                url,
                signing_secret.as_deref(),
                message,
                now_secs,
            )
            .await
        }
        Receiver::Email(settings) => mail(settings, message).await,
    }
}

async fn post(
    http: &reqwest::Client,
    kind: ChannelKind,
    url: &str,
    signing_secret: Option<&str>,
    message: &Message,
    now_secs: i64,
) -> ChannelTestResult {
    let body = serde_json::to_vec(&message.body(kind)).unwrap_or_default();
    let timestamp = now_secs.to_string();
    let mut request = http
        .post(url)
        .timeout(SEND_TIMEOUT)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(IDEMPOTENCY_HEADER, &message.idempotency_key);
    if let Some(secret) = signing_secret {
        request = request
            .header(TIMESTAMP_HEADER, &timestamp)
            .header(SIGNATURE_HEADER, signature(secret, &timestamp, &body));
    }
    match request.body(body).send().await {
        Ok(response) => {
            let status = response.status();
            let answer = read_answer(response).await;
            ChannelTestResult {
                delivered: status.is_success(),
                status: Some(status.as_u16()),
                answer,
            }
        }
        Err(error) => ChannelTestResult {
            delivered: false,
            status: None,
            answer: describe_failure(&error),
        },
    }
}

/// Sends `message` as mail through the channel's SMTP server: the server's answer, or why
/// it refused (never the password).
async fn mail(settings: &EmailSettings, message: &Message) -> ChannelTestResult {
    use lettre::AsyncTransport;
    use lettre::transport::smtp::client::{Tls, TlsParameters};
    let refused = |answer: String| ChannelTestResult {
        delivered: false,
        status: None,
        answer,
    };
    let mail = match mail_of(settings, message) {
        Ok(mail) => mail,
        Err(why) => return refused(why),
    };
    let host = settings.smtp_host.trim();
    let port = settings
        .smtp_port
        .unwrap_or(settings.security.default_port());
    let mut builder = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous(host)
        .port(port)
        .timeout(Some(SEND_TIMEOUT));
    if settings.security != SmtpSecurity::None {
        let parameters = match TlsParameters::new(host.to_owned()) {
            Ok(parameters) => parameters,
            Err(error) => return refused(readable(&error.to_string())),
        };
        builder = builder.tls(match settings.security {
            SmtpSecurity::Tls => Tls::Wrapper(parameters),
            _ => Tls::Required(parameters),
        });
    }
    if let (Some(username), Some(password)) = (&settings.username, &settings.password) {
        builder = builder.credentials(lettre::transport::smtp::authentication::Credentials::new(
            username.clone(),
            password.clone(),
        ));
    }
    // lettre's own timeout covers connecting only: a server that drips its answer is cut
    // off here.
    let sent = tokio::time::timeout(SEND_TIMEOUT, builder.build().send(mail)).await;
    let Ok(sent) = sent else {
        return refused(format!("no answer within {} s", SEND_TIMEOUT.as_secs()));
    };
    match sent {
        Ok(response) => ChannelTestResult {
            delivered: response.is_positive(),
            status: response.code().to_string().parse().ok(),
            answer: readable(&response.message().collect::<Vec<_>>().join(" ")),
        },
        Err(error) => ChannelTestResult {
            delivered: false,
            status: error
                .status()
                .and_then(|code| code.to_string().parse().ok()),
            answer: readable(&error.to_string()),
        },
    }
}

/// The mail: the message's text as its subject and body, its idempotency key as the
/// Message-ID, so that a retried message is known for the same one.
fn mail_of(settings: &EmailSettings, message: &Message) -> Result<lettre::Message, String> {
    let address = |text: &str| {
        text.parse::<lettre::message::Mailbox>()
            .map_err(|_| format!("{text:?} is not a mail address"))
    };
    let text = message.text();
    // A personal message's later lines quote people and arrays: only its first is the subject.
    let first_line = text.lines().next().unwrap_or_default();
    let subject: String = format!("[Flashdeck] {first_line}")
        .chars()
        .take(200)
        .collect();
    let mut builder = lettre::Message::builder()
        .from(address(&settings.from)?)
        .subject(subject)
        .message_id(Some(format!(
            "<{}.{}@{}>",
            message.idempotency_key,
            message.created_at_ms,
            settings
                .from
                .rsplit_once('@')
                .map_or("flashdeck", |(_, domain)| domain)
        )));
    for to in &settings.to {
        builder = builder.to(address(to)?);
    }
    let link = message
        .link
        .as_deref()
        .map(|link| format!("\n\nOpen it in the portal: {link}\n"))
        .unwrap_or_default();
    let body = if message.personal || message.report.is_some() {
        format!("{text}{link}")
    } else {
        format!(
            "{text}\n\nRule: {}\nArray: {}\nEvent: {}\n{link}",
            message.rule,
            message.array,
            if message.resolved {
                "resolved"
            } else {
                "raised"
            }
        )
    };
    let Some(report) = &message.report else {
        return builder
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|error| error.to_string());
    };
    let csv = ContentType::parse("text/csv; charset=utf-8").map_err(|error| error.to_string())?;
    let parts = MultiPart::mixed()
        .multipart(MultiPart::alternative_plain_html(
            body,
            crate::reports::render::html(report),
        ))
        .singlepart(
            Attachment::new(crate::reports::render::CSV_FILE_NAME.to_owned())
                .body(crate::reports::render::csv(report), csv),
        );
    builder.multipart(parts).map_err(|error| error.to_string())
}

async fn read_answer(mut response: reqwest::Response) -> String {
    let mut kept = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        kept.extend_from_slice(&chunk);
        if kept.len() >= ANSWER_CHARS * 4 {
            break;
        }
    }
    readable(&String::from_utf8_lossy(&kept))
}

/// What a person may be shown of a receiver's answer: no terminal escapes, control or
/// invisible characters, at most [`ANSWER_CHARS`].
pub(crate) fn readable(text: &str) -> String {
    let mut shown = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // An escape sequence runs to its first letter: `ESC [ 3 1 m`.
            for rest in chars.by_ref() {
                if rest.is_ascii_alphabetic() {
                    break;
                }
            }
        } else if !c.is_control() && !shared::api::is_invisible(c) {
            shown.push(c);
        }
        if shown.chars().count() >= ANSWER_CHARS {
            break;
        }
    }
    shown.trim().to_owned()
}

fn describe_failure(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        format!("no answer within {} s", SEND_TIMEOUT.as_secs())
    } else if error.is_connect() {
        "could not connect to the receiver".to_owned()
    } else {
        "the request to the receiver failed".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_hmac_of_timestamp_and_body() {
        // Python: hmac.new(b"Jefe", b'1700000000.{"a":1}', hashlib.sha256).hexdigest()
        assert_eq!(
            signature("Jefe", "1700000000", br#"{"a":1}"#),
            "sha256=fa5f6481efc59da48b19c9dc10196c9953e5651f8304b3a318b6b87d70272e0a"
        );
    }

    #[test]
    fn a_receivers_answer_is_shown_without_escapes_or_invisible_characters() {
        assert_eq!(
            readable("\u{1b}[31mRED\u{1b}[0m X\u{202e}gnp.exe\u{2028}\u{200b}ok\n"),
            "RED Xgnp.exeok"
        );
        assert_eq!(readable(&"x".repeat(1000)).len(), ANSWER_CHARS);
    }

    #[test]
    fn each_kind_of_receiver_gets_its_own_format() {
        let message = Message {
            idempotency_key: "event-1".into(),
            rule: "Nearly full".into(),
            array: "fa-dr-01".into(),
            resolved: false,
            summary: "86 % full (more than 85 % full)".into(),
            created_at_ms: 1,
            personal: false,
            report: None,
            link: None,
        };
        assert_eq!(
            message.body(ChannelKind::Slack),
            json!({ "text": "fa-dr-01: 86 % full (more than 85 % full) (rule \"Nearly full\")" })
        );
        let teams = message.body(ChannelKind::Teams);
        assert_eq!(teams["attachments"][0]["content"]["type"], "AdaptiveCard");
        let webhook = message.body(ChannelKind::Webhook);
        assert_eq!(webhook["event"], "raised");
        assert_eq!(webhook["array"], "fa-dr-01");
    }
}
