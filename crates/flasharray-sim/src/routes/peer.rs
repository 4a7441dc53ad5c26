//! `/sim/peer/…`: what another simulated array calls on this one to connect, disconnect and
//! check the link (see `peer`). The connection key authenticates the caller, as it does
//! between real arrays.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{Router, get, post};

use crate::error::ApiFault;
use crate::peer::{Allowed, AllowedNotice, Farewell, GroupNotice, Hello, Welcome};
use crate::pods::{LinkNotice, PodTurn, PodUpdate, Turned};
use crate::replication::Terms;
use crate::replication::{ConnectionTerms, PeerKeys};
use crate::simulator::Simulator;
use crate::stretch::{PodContents, Unstretch};
use crate::transfers::SnapshotArrival;

/// The administrator a peer's change is recorded under in this array's audit trail.
const PEER_USER: &str = "pureuser";

pub(crate) fn routes() -> Router<Simulator> {
    Router::new()
        .route("/sim/peer/array-connections", post(welcome))
        .route("/sim/peer/disconnect", post(farewell))
        .route("/sim/peer/heartbeat", get(heartbeat))
        .route("/sim/peer/terms", post(terms_change))
        .route("/sim/peer/targets", post(group_arrives))
        .route("/sim/peer/targets/remove", post(group_leaves))
        .route("/sim/peer/targets/allowed", post(allowed_or_not))
        .route("/sim/peer/snapshots", post(snapshot_arrives))
        .route("/sim/peer/pod-links", post(link_arrives))
        .route("/sim/peer/pod-links/remove", post(link_leaves))
        .route("/sim/peer/pod-links/update", post(update_arrives))
        .route("/sim/peer/pod-links/turn", post(turn_round))
        .route("/sim/peer/pods/stretch", post(stretch_arrives))
        .route("/sim/peer/pods/mirror", post(mirror_arrives))
        .route("/sim/peer/pods/leave", post(leave_pod))
        .route("/sim/peer/pods/forget", post(forget_member))
}

fn link_up(sim: &Simulator) -> Result<(), ApiFault> {
    if sim.faults.link_down() {
        Err(ApiFault {
            status: StatusCode::SERVICE_UNAVAILABLE,
            context: None,
            message: "The replication network of the other array is down.".into(),
        })
    } else {
        Ok(())
    }
}

/// Records the connection from the array that presented this array's own key.
async fn welcome(
    State(sim): State<Simulator>,
    Json(hello): Json<Hello>,
) -> Result<Json<Welcome>, ApiFault> {
    link_up(&sim)?;
    let terms = ConnectionTerms::checked(
        Some(&hello.kind),
        Some(&hello.transport),
        Some(&hello.encryption),
        None,
    )?;
    let now = sim.clock.now_ms();
    let mut state = sim.lock();
    if hello.key != state.connection_key {
        return Err(ApiFault::invalid(
            "Invalid connection key: get the key from the array being connected to.",
        ));
    }
    state.record_connection(
        &hello.from,
        hello.replication_addresses,
        PeerKeys {
            key: &hello.from_key,
            secret: &hello.secret,
        },
        &terms,
        PEER_USER,
        now,
    )?;
    Ok(Json(Welcome {
        identity: state.identity(&sim.peers.address()),
        replication_addresses: state.replication_addresses(),
    }))
}

/// Forgets the connection to the array that proves, with the connection's secret, to be the
/// one named.
async fn farewell(
    State(sim): State<Simulator>,
    Json(farewell): Json<Farewell>,
) -> Result<StatusCode, ApiFault> {
    link_up(&sim)?;
    let now = sim.clock.now_ms();
    let mut state = sim.lock();
    if !state.proves(&farewell.name, &farewell.secret) {
        return Err(ApiFault::forbidden("Invalid connection key."));
    }
    state.forget_connection(&farewell.name, PEER_USER, now)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn heartbeat(State(sim): State<Simulator>) -> Result<StatusCode, ApiFault> {
    link_up(&sim)?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller proves, with the connection's secret, to be the connected array it names.
fn proven(state: &crate::state::ArrayState, name: &str, secret: &str) -> Result<(), ApiFault> {
    if state.proves(name, secret) {
        Ok(())
    } else {
        Err(ApiFault::forbidden(format!(
            "This array is not connected to {name}."
        )))
    }
}

/// Runs `act` on this array's state, at its time, for a message the connected array `source`
/// proves with the connection's secret to have sent; refused while the link is down.
fn from_peer<T>(
    sim: &Simulator,
    source: &str,
    secret: &str,
    act: impl FnOnce(&mut crate::state::ArrayState, i64) -> Result<T, ApiFault>,
) -> Result<T, ApiFault> {
    link_up(sim)?;
    let now = sim.clock.now_ms();
    let mut state = sim.lock();
    proven(&state, source, secret)?;
    act(&mut state, now)
}

/// The other end of a connection changed its type or encryption: this end follows.
async fn terms_change(
    State(sim): State<Simulator>,
    Json(terms): Json<Terms>,
) -> Result<StatusCode, ApiFault> {
    from_peer(&sim, &terms.source, &terms.secret, |state, _| {
        state.follow_terms(&terms)?;
        Ok(StatusCode::NO_CONTENT)
    })
}

/// A connected array now replicates one of its groups here; the answer says whether this
/// array allows it.
async fn group_arrives(
    State(sim): State<Simulator>,
    Json(notice): Json<GroupNotice>,
) -> Result<Json<Allowed>, ApiFault> {
    from_peer(&sim, &notice.source, &notice.secret, |state, _| {
        let allowed = state.receive_group(&notice.source, &notice.group);
        Ok(Json(Allowed { allowed }))
    })
}

/// A connected array no longer replicates one of its groups here.
async fn group_leaves(
    State(sim): State<Simulator>,
    Json(notice): Json<GroupNotice>,
) -> Result<StatusCode, ApiFault> {
    from_peer(&sim, &notice.source, &notice.secret, |state, _| {
        state.drop_group(&notice.source, &notice.group);
        Ok(StatusCode::NO_CONTENT)
    })
}

/// A target of one of this array's groups allows it, or no longer does.
async fn allowed_or_not(
    State(sim): State<Simulator>,
    Json(notice): Json<AllowedNotice>,
) -> Result<StatusCode, ApiFault> {
    from_peer(&sim, &notice.target, &notice.secret, |state, _| {
        state.note_allowed(&notice.group, &notice.target, notice.allowed);
        Ok(StatusCode::NO_CONTENT)
    })
}

/// A connected array's replicated snapshot arrives.
async fn snapshot_arrives(
    State(sim): State<Simulator>,
    Json(arrival): Json<SnapshotArrival>,
) -> Result<StatusCode, ApiFault> {
    from_peer(&sim, &arrival.source, &arrival.secret, |state, now| {
        state.receive_snapshot(&arrival, now)?;
        Ok(StatusCode::NO_CONTENT)
    })
}

/// A connected array links one of its pods to a demoted pod here.
async fn link_arrives(
    State(sim): State<Simulator>,
    Json(notice): Json<LinkNotice>,
) -> Result<StatusCode, ApiFault> {
    from_peer(&sim, &notice.source, &notice.secret, |state, now| {
        state.add_inbound_link(
            &notice.link_id,
            &notice.target_pod,
            &notice.source_pod,
            &notice.source,
            now,
        )?;
        state.audit(
            PEER_USER,
            "purepod",
            "replica-link create",
            format!(
                "{} --remote-pod {} --remote {}",
                notice.target_pod, notice.source_pod, notice.source
            ),
            now,
        );
        Ok(StatusCode::NO_CONTENT)
    })
}

/// The other end of a link deleted it.
async fn link_leaves(
    State(sim): State<Simulator>,
    Json(notice): Json<LinkNotice>,
) -> Result<StatusCode, ApiFault> {
    from_peer(&sim, &notice.source, &notice.secret, |state, now| {
        if state.link_with(&notice.link_id, &notice.source) {
            state.drop_link(&notice.link_id, Some(PEER_USER), now);
        }
        Ok(StatusCode::NO_CONTENT)
    })
}

/// What the sending end of a link holds now.
async fn update_arrives(
    State(sim): State<Simulator>,
    Json(update): Json<PodUpdate>,
) -> Result<StatusCode, ApiFault> {
    from_peer(&sim, &update.source, &update.secret, |state, now| {
        state.receive_update(&update, now)?;
        Ok(StatusCode::NO_CONTENT)
    })
}

/// The promoted target of a link asks this array, its source, to turn the link round.
async fn turn_round(
    State(sim): State<Simulator>,
    Json(turn): Json<PodTurn>,
) -> Result<Json<Turned>, ApiFault> {
    from_peer(&sim, &turn.source, &turn.secret, |state, _| {
        let turned = state.turn_if_demoted(&turn)?;
        Ok(Json(Turned { turned }))
    })
}

/// A connected array stretches one of its pods here.
async fn stretch_arrives(
    State(sim): State<Simulator>,
    Json(contents): Json<PodContents>,
) -> Result<StatusCode, ApiFault> {
    from_peer(&sim, &contents.source, &contents.secret, |state, now| {
        state.receive_stretch(&contents, now)?;
        let arguments = format!("{} --array {}", contents.pod, contents.source);
        state.audit(PEER_USER, "purepod", "add", arguments, now);
        Ok(StatusCode::NO_CONTENT)
    })
}

/// What a pod stretched here holds after a change on the other array.
async fn mirror_arrives(
    State(sim): State<Simulator>,
    Json(contents): Json<PodContents>,
) -> Result<StatusCode, ApiFault> {
    from_peer(&sim, &contents.source, &contents.secret, |state, now| {
        state.receive_mirror(&contents, now)?;
        Ok(StatusCode::NO_CONTENT)
    })
}

/// The other array of a stretched pod unstretches it from this one.
async fn leave_pod(
    State(sim): State<Simulator>,
    Json(notice): Json<Unstretch>,
) -> Result<StatusCode, ApiFault> {
    from_peer(&sim, &notice.source, &notice.secret, |state, now| {
        if state
            .stretch_peer(&notice.pod)
            .is_some_and(|peer| peer.eq_ignore_ascii_case(&notice.source))
        {
            state.leave_pod(&notice.pod, now)?;
        }
        Ok(StatusCode::NO_CONTENT)
    })
}

/// The other array of a stretched pod leaves it.
async fn forget_member(
    State(sim): State<Simulator>,
    Json(notice): Json<Unstretch>,
) -> Result<StatusCode, ApiFault> {
    from_peer(&sim, &notice.source, &notice.secret, |state, now| {
        if state
            .stretch_peer(&notice.pod)
            .is_some_and(|peer| peer.eq_ignore_ascii_case(&notice.source))
        {
            state.forget_member(&notice.pod, &notice.source, PEER_USER, now);
        }
        Ok(StatusCode::NO_CONTENT)
    })
}
