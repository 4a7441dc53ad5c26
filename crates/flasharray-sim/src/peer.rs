//! How simulated arrays talk to each other, over the HTTPS each serves: the handshake that
//! connects two arrays, the farewell that disconnects them and the heartbeat that tells
//! whether the link is up. Real arrays do this over their replication ports; the simulators
//! use `/sim/peer/…`, outside the REST API, authenticated by the connection key.

use std::sync::OnceLock;
use std::time::Duration;

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use shared::flasharray::ErrorResponse;

use crate::error::ApiFault;
use crate::pods::{PodTurn, Turned};
use crate::replication::ArrayIdentity;

/// How long one array waits for another before calling it unreachable.
const PEER_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a heartbeat may take: a link this slow shows as down.
const HEARTBEAT_TIMEOUT: Duration = Duration::from_secs(1);

/// `POST /sim/peer/array-connections`: an array asks to be connected.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Hello {
    /// The connection key of the array asked, as its administrator handed it out.
    pub key: String,
    /// The asking array's own connection key, which the array asked asks for again to change
    /// the connection's type or encryption.
    pub from_key: String,
    /// The secret the two arrays sign every later message with, made for this connection.
    pub secret: String,
    pub from: ArrayIdentity,
    pub replication_addresses: Vec<String>,
    pub kind: String,
    pub transport: String,
    pub encryption: String,
}

/// The answer to a [`Hello`]: who was connected to.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Welcome {
    pub identity: ArrayIdentity,
    pub replication_addresses: Vec<String>,
}

/// `POST /sim/peer/disconnect`: an array forgets the connection, and asks the other to. It
/// proves who it is with the connection's secret, which only the two of them hold.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Farewell {
    pub secret: String,
    pub name: String,
}

/// `POST /sim/peer/targets` (or `…/targets/remove`): the source array of `group` tells its
/// target that the group now replicates there (or no longer does).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct GroupNotice {
    pub secret: String,
    pub source: String,
    pub group: String,
}

/// A target's answer to a group's arrival: whether it allows it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub(crate) struct Allowed {
    pub allowed: bool,
}

/// `POST /sim/peer/targets/allowed`: a target array tells the source of `group` whether it
/// allows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct AllowedNotice {
    pub secret: String,
    pub target: String,
    pub group: String,
    pub allowed: bool,
}

/// Why a snapshot did not reach its target.
#[derive(Debug)]
pub(crate) enum Undelivered {
    /// The target could not be reached: it is sent again later.
    Unreachable,
    /// The target refused it, in its words.
    Refused(ApiFault),
}

/// This array's way to the others: where it is reached, and its client.
#[derive(Debug, Default)]
pub(crate) struct Peers {
    address: OnceLock<String>,
    http: OnceLock<reqwest::Client>,
}

impl Peers {
    /// Where other arrays reach this one, once it serves.
    pub fn set_address(&self, address: &str) {
        let _ = self.address.set(address.to_owned());
    }

    pub fn address(&self) -> String {
        self.address.get().cloned().unwrap_or_default()
    }

    fn http(&self) -> &reqwest::Client {
        self.http.get_or_init(|| {
            reqwest::Client::builder()
                .use_preconfigured_tls(crate::tls::peer_client_config())
                .redirect(reqwest::redirect::Policy::none())
                .connect_timeout(PEER_TIMEOUT)
                .build()
                .expect("the peer client's settings are valid")
        })
    }

    /// Asks the array at `address` to be connected to it.
    pub async fn hello(&self, address: &str, hello: &Hello) -> Result<Welcome, ApiFault> {
        self.post(address, "array-connections", hello)
            .await?
            .json()
            .await
            .map_err(|error| unreachable(address, &error))
    }

    /// Tells the target at `address` that `notice`'s group now replicates there; whether the
    /// target allows it.
    pub async fn send_group(&self, address: &str, notice: &GroupNotice) -> Result<bool, ApiFault> {
        let answer: Allowed = self
            .post(address, "targets", notice)
            .await?
            .json()
            .await
            .map_err(|error| unreachable(address, &error))?;
        Ok(answer.allowed)
    }

    /// Sends `message` to the array at `address` (`path` under `/sim/peer/`): whether it
    /// could not be reached (to be sent again) or refused, in its words.
    pub async fn deliver(
        &self,
        address: &str,
        path: &str,
        message: &impl Serialize,
    ) -> Result<(), Undelivered> {
        let reply = self
            .http()
            .post(peer_url(address, path))
            .timeout(PEER_TIMEOUT)
            .json(message)
            .send()
            .await
            .map_err(|error| {
                tracing::info!(%address, %error, "the other array is unreachable");
                Undelivered::Unreachable
            })?;
        match reply.status() {
            status if status.is_success() => Ok(()),
            StatusCode::SERVICE_UNAVAILABLE => Err(Undelivered::Unreachable),
            _ => Err(Undelivered::Refused(refusal(reply).await)),
        }
    }

    /// Asks the old source of a link whether it turns round; `false` when it cannot be asked.
    pub async fn ask_turn(&self, address: &str, turn: &PodTurn) -> bool {
        match self.post(address, "pod-links/turn", turn).await {
            Ok(reply) => reply
                .json::<Turned>()
                .await
                .is_ok_and(|answer| answer.turned),
            Err(_) => false,
        }
    }

    /// Tells the array at `address` of a change it must know of, in its words if it refuses.
    pub async fn tell(
        &self,
        address: &str,
        path: &str,
        notice: &impl Serialize,
    ) -> Result<(), ApiFault> {
        self.post(address, path, notice).await.map(drop)
    }

    async fn post(
        &self,
        address: &str,
        path: &str,
        body: &impl Serialize,
    ) -> Result<reqwest::Response, ApiFault> {
        let reply = self
            .http()
            .post(peer_url(address, path))
            .timeout(PEER_TIMEOUT)
            .json(body)
            .send()
            .await
            .map_err(|error| unreachable(address, &error))?;
        if reply.status().is_success() {
            Ok(reply)
        } else {
            Err(refusal(reply).await)
        }
    }

    /// Tells the array at `address` that the connection is gone; whether it heard is not
    /// waited on beyond the timeout, as an array disconnects from an unreachable one too.
    pub async fn farewell(&self, address: &str, farewell: &Farewell) {
        let sent = self
            .http()
            .post(peer_url(address, "disconnect"))
            .timeout(PEER_TIMEOUT)
            .json(farewell)
            .send()
            .await;
        if let Err(error) = sent {
            tracing::info!(%address, %error, "the other array did not hear of the disconnect");
        }
    }

    /// Whether the array at `address` answers its heartbeat now.
    pub async fn beats(&self, address: &str) -> bool {
        self.http()
            .get(peer_url(address, "heartbeat"))
            .timeout(HEARTBEAT_TIMEOUT)
            .send()
            .await
            .is_ok_and(|reply| reply.status().is_success())
    }
}

fn peer_url(address: &str, path: &str) -> String {
    format!("https://{address}/sim/peer/{path}")
}

fn unreachable(address: &str, error: &reqwest::Error) -> ApiFault {
    tracing::info!(%address, %error, "the other array is unreachable");
    ApiFault::invalid(format!(
        "Could not connect to the array at {address}: check the management address and that the array is reachable."
    ))
}

/// The other array's refusal, in its own words.
async fn refusal(reply: reqwest::Response) -> ApiFault {
    let status = reply.status();
    let message = reply
        .json::<ErrorResponse>()
        .await
        .ok()
        .and_then(|body| body.errors.into_iter().next())
        .map(|error| error.message)
        .unwrap_or_else(|| format!("The other array refused the connection ({status})."));
    ApiFault {
        status: if status == StatusCode::SERVICE_UNAVAILABLE {
            StatusCode::BAD_REQUEST
        } else {
            status
        },
        context: None,
        message,
    }
}
