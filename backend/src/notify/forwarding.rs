//! The audit log forwarded to syslog (RFC 5424) over UDP, TCP or TLS (RFC 5425's octet
//! counting on both streams), or written to standard output as JSON lines for a container's
//! log shipper. The leader sends every finished row after the last one each destination
//! took, so rows written while it was away are sent when it is back.

use std::sync::Arc;
use std::time::Duration;

use shared::api::{AuditEntry, AuditOutcome};
use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::clock::unix_now;
use crate::db::{Database, DbError};

/// Rows sent per connection at most; the rest go at the next tick.
const BATCH: i64 = 500;
/// How long a receiver gets to take a connection and a batch.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// RFC 5424's facility 13, "log audit".
const FACILITY: u8 = 13;
/// The structured data's name: `flashdeck@` and the IANA private enterprise number kept for
/// documentation (RFC 5612).
const SD_ID: &str = "flashdeck@32473";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Udp,
    Tcp,
    Tls,
}

/// Where the audit log goes: `udp://HOST:PORT`, `tcp://HOST:PORT` or `tls://HOST:PORT`.
#[derive(Debug, Clone)]
pub struct SyslogTarget {
    pub transport: Transport,
    pub host: String,
    pub port: u16,
    /// For TLS: the trust the receiver's certificate is checked against.
    pub tls: Option<Arc<rustls::ClientConfig>>,
    /// What the messages name as their host.
    pub hostname: String,
}

/// Where audit rows go besides the database.
#[derive(Debug, Clone)]
pub enum AuditSink {
    Syslog(SyslogTarget),
    /// One JSON object a line on standard output (the logs go to standard error).
    JsonLines,
}

impl AuditSink {
    /// As the forwarding state names it.
    pub fn destination(&self) -> String {
        match self {
            AuditSink::Syslog(target) => target.destination(),
            AuditSink::JsonLines => "stdout".to_owned(),
        }
    }
}

impl SyslogTarget {
    pub fn parse(
        url: &str,
        trust: &flasharray::TrustAnchor,
        hostname: &str,
    ) -> Result<Self, String> {
        let (scheme, rest) = url.split_once("://").ok_or_else(|| {
            format!("syslog address {url:?}: give udp://, tcp:// or tls://HOST:PORT")
        })?;
        let transport = match scheme {
            "udp" => Transport::Udp,
            "tcp" => Transport::Tcp,
            "tls" => Transport::Tls,
            other => {
                return Err(format!(
                    "syslog address: {other}:// is none of udp, tcp, tls"
                ));
            }
        };
        let (host, port) = rest
            .trim_end_matches('/')
            .rsplit_once(':')
            .ok_or_else(|| format!("syslog address {url:?}: give the port"))?;
        let port: u16 = port
            .parse()
            .map_err(|_| format!("syslog address {url:?}: the port is not a number"))?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() {
            return Err(format!("syslog address {url:?}: give the host"));
        }
        let tls = match transport {
            Transport::Tls => Some(Arc::new(flasharray::client_config(trust)?)),
            _ => None,
        };
        Ok(Self {
            transport,
            host: host.to_owned(),
            port,
            tls,
            hostname: hostname.to_owned(),
        })
    }

    /// As the forwarding state names it.
    pub fn destination(&self) -> String {
        let scheme = match self.transport {
            Transport::Udp => "udp",
            Transport::Tcp => "tcp",
            Transport::Tls => "tls",
        };
        format!("{scheme}://{}:{}", self.host, self.port)
    }
}

/// The longest structured-data value, in bytes: a 1 MB volume name in a refused request must
/// not make a record a receiver splits in two (rsyslog cuts frames at 8 KB).
const SD_VALUE_BYTES: usize = 256;
/// The longest message, in bytes: RFC 5425's least that every receiver takes.
const MESSAGE_BYTES: usize = 2048;

/// A structured-data value: `"`, `\` and `]` escaped (RFC 5424 6.3.3), controls and
/// invisible characters dropped, at most [`SD_VALUE_BYTES`].
fn sd_value(text: &str) -> String {
    let mut escaped = String::new();
    for c in text
        .chars()
        .filter(|c| !c.is_control() && !shared::api::is_invisible(*c))
    {
        let width = c.len_utf8() + usize::from(matches!(c, '"' | '\\' | ']'));
        if escaped.len() + width > SD_VALUE_BYTES {
            break;
        }
        if matches!(c, '"' | '\\' | ']') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// `text` cut to at most `bytes`, at a character's boundary.
fn cut(mut text: String, bytes: usize) -> String {
    if text.len() > bytes {
        let mut end = bytes;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

/// A header field: printable ASCII without spaces, at most `max`, `-` when empty.
fn header_field(text: &str, max: usize) -> String {
    let field: String = text
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .take(max)
        .collect();
    if field.is_empty() {
        "-".to_owned()
    } else {
        field
    }
}

/// One audit row as an RFC 5424 message: facility "log audit", informational when it
/// succeeded and warning when not, the action as MSGID, who, how and what in structured data.
pub fn format(entry: &AuditEntry, hostname: &str) -> String {
    let (severity, outcome) = match entry.outcome {
        AuditOutcome::Success => (6, "success"),
        AuditOutcome::Failure => (4, "failure"),
        AuditOutcome::Pending | AuditOutcome::Unknown => (4, "unknown"),
    };
    let priority = FACILITY * 8 + severity;
    let mut data = format!(
        "[{SD_ID} id=\"{}\" user=\"{}\" action=\"{}\" target=\"{}\" outcome=\"{outcome}\" request_id=\"{}\"",
        entry.id,
        sd_value(&entry.username),
        sd_value(&entry.action),
        sd_value(&entry.target),
        sd_value(&entry.request_id),
    );
    for (name, value) in [
        ("token", entry.token.as_deref()),
        ("array", entry.array.as_deref()),
    ] {
        if let Some(value) = value {
            data.push_str(&format!(" {name}=\"{}\"", sd_value(value)));
        }
    }
    if let Some(status) = entry.status {
        data.push_str(&format!(" status=\"{status}\""));
    }
    data.push(']');
    let mut text = format!(
        "{} {} {} {}: {outcome}",
        entry.username,
        entry.action,
        entry.array.as_deref().unwrap_or("-"),
        entry.target
    );
    if let Some(message) = &entry.message {
        text.push_str(&format!(" ({message})"));
    }
    let text: String = text
        .chars()
        .filter(|c| !c.is_control() && !shared::api::is_invisible(*c))
        .collect();
    cut(
        format!(
            "<{priority}>1 {} {} flashdeck - {} {data} {text}",
            shared::time::format_rfc3339_ms(entry.started_at_ms),
            header_field(hostname, 255),
            header_field(&entry.action, 32),
        ),
        MESSAGE_BYTES,
    )
}

/// Batches sent per tick at most: a backlog after a long outage drains over a few ticks.
const BATCHES_PER_TICK: usize = 20;

/// One audit row as a JSON line: its kind and time first, for a shipper to route and sort
/// by, then the entry as the API gives it.
pub fn json_line(entry: &AuditEntry) -> String {
    let fields = serde_json::to_string(entry).expect("an entry of strings and numbers serializes");
    format!(
        "{{\"type\":\"audit\",\"time\":\"{}\",{}\n",
        shared::time::format_rfc3339_ms(entry.started_at_ms),
        fields.trim_start_matches('{')
    )
}

/// Sends what the destination has not taken yet, a batch at a time; how many rows went.
pub async fn forward_once(db: &Database, sink: &AuditSink) -> Result<usize, DbError> {
    let mut sent = 0;
    for _ in 0..BATCHES_PER_TICK {
        let batch = forward_batch(db, sink).await?;
        sent += batch;
        if batch < usize::try_from(BATCH).unwrap_or(usize::MAX) {
            break;
        }
    }
    Ok(sent)
}

/// Sends the finished rows the receiver has not taken yet, oldest first, and records how far
/// it got: a receiver away makes this fail with the reason, and the rows wait.
async fn forward_batch(db: &Database, sink: &AuditSink) -> Result<usize, DbError> {
    let destination = sink.destination();
    let now_ms = unix_now() * 1000;
    let state = db.forwarding_state(&destination, now_ms).await?;
    let rows = db.audit_rows_after(state.last_id, BATCH, now_ms).await?;
    let Some(last) = rows.last() else {
        return Ok(0);
    };
    let sent = async {
        match sink {
            AuditSink::Syslog(target) => {
                let messages: Vec<String> = rows
                    .iter()
                    .map(|entry| format(entry, &target.hostname))
                    .collect();
                send(target, &messages).await
            }
            AuditSink::JsonLines => {
                let lines: String = rows.iter().map(json_line).collect();
                // A log shipper reading slowly must not hold up a runtime thread.
                tokio::task::spawn_blocking(move || {
                    use std::io::Write;
                    let mut stdout = std::io::stdout().lock();
                    stdout.write_all(lines.as_bytes())?;
                    stdout.flush()
                })
                .await
                .map_err(std::io::Error::other)?
            }
        }
    };
    match tokio::time::timeout(SEND_TIMEOUT, sent).await {
        Ok(Ok(())) => {
            let count = i64::try_from(rows.len()).unwrap_or(i64::MAX);
            let moved = db
                .record_forwarding(
                    &destination,
                    state.last_id,
                    Some(last.id),
                    count,
                    None,
                    now_ms,
                )
                .await?;
            Ok(if moved { rows.len() } else { 0 })
        }
        Ok(Err(error)) => {
            let why = format!("{destination}: {error}");
            db.record_forwarding(&destination, state.last_id, None, 0, Some(&why), now_ms)
                .await?;
            Ok(0)
        }
        Err(_) => {
            let why = format!(
                "{destination}: no answer within {} s",
                SEND_TIMEOUT.as_secs()
            );
            db.record_forwarding(&destination, state.last_id, None, 0, Some(&why), now_ms)
                .await?;
            Ok(0)
        }
    }
}

async fn send(target: &SyslogTarget, messages: &[String]) -> std::io::Result<()> {
    let address = (target.host.as_str(), target.port);
    match target.transport {
        Transport::Udp => {
            let socket = tokio::net::UdpSocket::bind(("0.0.0.0", 0)).await?;
            socket.connect(address).await?;
            for message in messages {
                socket.send(message.as_bytes()).await?;
            }
            Ok(())
        }
        Transport::Tcp => {
            let stream = tokio::net::TcpStream::connect(address).await?;
            write_framed(stream, messages).await
        }
        Transport::Tls => {
            let config = target
                .tls
                .clone()
                .ok_or_else(|| std::io::Error::other("no TLS settings"))?;
            let name = rustls::pki_types::ServerName::try_from(target.host.clone())
                .map_err(|error| std::io::Error::other(error.to_string()))?;
            let stream = tokio::net::TcpStream::connect(address).await?;
            let stream = tokio_rustls::TlsConnector::from(config)
                .connect(name, stream)
                .await?;
            write_framed(stream, messages).await
        }
    }
}

/// RFC 5425 octet counting: each message preceded by its length and a space.
async fn write_framed(
    mut stream: impl AsyncWrite + Unpin,
    messages: &[String],
) -> std::io::Result<()> {
    let mut buffer = Vec::new();
    for message in messages {
        buffer.extend_from_slice(format!("{} ", message.len()).as_bytes());
        buffer.extend_from_slice(message.as_bytes());
    }
    stream.write_all(&buffer).await?;
    stream.flush().await?;
    stream.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> AuditEntry {
        AuditEntry {
            id: 7,
            started_at_ms: 1_796_530_805_123,
            username: "admin".into(),
            token: None,
            array: Some("fa-prod-01".into()),
            action: "volume.create".into(),
            target: "db]\"1".into(),
            parameters: "{}".into(),
            outcome: AuditOutcome::Failure,
            status: Some(400),
            message: Some("Volume already exists.\nreally".into()),
            duration_ms: Some(3),
            request_id: "r-1".into(),
        }
    }

    #[test]
    fn a_row_is_one_json_line_a_shipper_can_read_whatever_it_holds() {
        let line = json_line(&entry());
        assert!(
            line.ends_with('\n') && line.matches('\n').count() == 1,
            "{line}"
        );
        assert!(line.starts_with("{\"type\":\"audit\",\"time\":"), "{line}");
        let read: serde_json::Value = serde_json::from_str(&line).expect("JSON");
        assert_eq!(read["type"], "audit");
        assert_eq!(read["time"], "2026-12-06T04:20:05.123Z");
        assert_eq!(read["action"], "volume.create");
        assert_eq!(read["target"], "db]\"1");
        assert_eq!(read["message"], "Volume already exists.\nreally");
    }

    #[test]
    fn a_row_is_an_rfc_5424_message_with_its_facts_as_structured_data() {
        let message = format(&entry(), "portal-1");
        assert_eq!(
            message,
            "<108>1 2026-12-06T04:20:05.123Z portal-1 flashdeck - volume.create \
             [flashdeck@32473 id=\"7\" user=\"admin\" action=\"volume.create\" target=\"db\\]\\\"1\" \
             outcome=\"failure\" request_id=\"r-1\" array=\"fa-prod-01\" status=\"400\"] \
             admin volume.create fa-prod-01 db]\"1: failure (Volume already exists.really)"
        );
    }

    #[test]
    fn a_huge_name_cannot_split_a_record_or_forge_another() {
        let forged = format!(
            "{}<110>1 2026-12-06T04:20:05.000Z portal-1 flashdeck - user.delete - ceo",
            "A".repeat(20_000)
        );
        let message = format(
            &AuditEntry {
                target: forged,
                message: Some("\u{2028}x".repeat(5_000)),
                ..entry()
            },
            "portal-1",
        );
        assert!(message.len() <= MESSAGE_BYTES, "{}", message.len());
        assert!(
            !message.contains("<110>1 2026"),
            "the forged header is cut off"
        );
        assert!(!message.contains('\u{2028}'));
    }

    #[test]
    fn an_address_names_its_transport_host_and_port() {
        let target = SyslogTarget::parse(
            "tcp://siem.example.com:6514",
            &flasharray::TrustAnchor::System,
            "p",
        )
        .expect("parsed");
        assert_eq!((target.transport, target.port), (Transport::Tcp, 6514));
        assert_eq!(target.destination(), "tcp://siem.example.com:6514");
        for wrong in [
            "siem:514",
            "http://siem:514",
            "udp://siem",
            "udp://:514",
            "udp://siem:x",
        ] {
            assert!(
                SyslogTarget::parse(wrong, &flasharray::TrustAnchor::System, "p").is_err(),
                "{wrong}"
            );
        }
    }
}
