//! What a simulated array does in the background: takes the snapshots its schedules say are
//! due and sends each replicated snapshot to its target once the link's rate says it has
//! arrived. It wakes every second, and at once when told (a snapshot to replicate now, the
//! clock moved by a test).

use std::time::Duration;

use crate::peer::Undelivered;
use crate::simulator::Simulator;

/// How often the array looks for work without being told.
const TICK: Duration = Duration::from_secs(1);

/// Runs until the task is aborted (when the simulator stops serving).
pub(crate) async fn run(sim: Simulator) {
    loop {
        tokio::select! {
            () = tokio::time::sleep(TICK) => {}
            () = sim.replication_due.notified() => {}
        }
        replicate_due(&sim).await;
        update_pods(&sim).await;
        watch_stretched(&sim).await;
    }
}

/// Checks the other array of each stretched pod is there, so a lost one shows `offline`
/// even when nothing is written; when it comes back, the array that kept the pod online
/// sends it what it missed.
async fn watch_stretched(sim: &Simulator) {
    let peers = {
        let state = sim.lock();
        if !state.has_stretched_pods() {
            return;
        }
        state.stretched_peers()
    };
    let link_down = sim.faults.link_down();
    for peer in peers {
        let heard = !link_down && sim.peers.beats(&peer.address).await;
        let now = sim.clock.now_ms();
        let resync = {
            let mut state = sim.lock();
            let came_back = state.member_heard(&peer.pod, &peer.name, heard, now);
            (came_back && state.keeps_online(&peer.pod))
                .then(|| state.pod_mirror(&peer.pod, &peer.name))
        };
        if let Some(contents) = resync
            && let Err(Undelivered::Refused(refusal)) = sim
                .peers
                .deliver(&peer.address, "pods/mirror", &contents)
                .await
        {
            tracing::info!(message = %refusal.message, "the other array refused the pod's resync");
        }
    }
}

/// Sends each outbound replica link's update, and asks whether links whose target was
/// promoted turn round.
pub(crate) async fn update_pods(sim: &Simulator) {
    let now = sim.clock.now_ms();
    let (updates, turns) = {
        let mut state = sim.lock();
        (state.pod_updates_due(now), state.turns_to_ask())
    };
    if updates.is_empty() && turns.is_empty() {
        return;
    }
    let link_down = sim.faults.link_down();
    for due in updates {
        let heard = !link_down
            && match sim
                .peers
                .deliver(&due.address, "pod-links/update", &due.update)
                .await
            {
                Ok(()) => true,
                Err(Undelivered::Unreachable) => false,
                Err(Undelivered::Refused(refusal)) => {
                    tracing::info!(message = %refusal.message, "the target refused a pod update");
                    false
                }
            };
        sim.lock().update_sent(&due.update, heard);
    }
    for (address, turn) in turns {
        if !link_down && sim.peers.ask_turn(&address, &turn).await {
            sim.lock().turned(&turn.link_id, sim.clock.now_ms());
        }
    }
    if let Err(error) = sim.save() {
        tracing::error!(%error, "state not saved");
    }
}

/// Sends every snapshot due, one target at a time, recording what arrived.
pub(crate) async fn replicate_due(sim: &Simulator) {
    let now = sim.clock.now_ms();
    let shipments = {
        let mut state = sim.lock();
        state.sweep(now);
        state.shipments_due(now, sim.faults.link_down())
    };
    if shipments.is_empty() {
        return;
    }
    for shipment in shipments {
        let delivered = sim
            .peers
            .deliver(&shipment.address, "snapshots", &shipment.arrival)
            .await;
        let mut state = sim.lock();
        match delivered {
            Ok(()) => state.shipped(
                &shipment.snapshot_id,
                &shipment.target,
                shipment.arrival.completed,
            ),
            Err(Undelivered::Unreachable) => state.stall(&shipment.snapshot_id, &shipment.target),
            Err(Undelivered::Refused(refusal)) => {
                tracing::info!(message = %refusal.message, target = %shipment.target, "the target refused a replicated snapshot");
                state.abandon(&shipment.snapshot_id, &shipment.target);
            }
        }
    }
    if let Err(error) = sim.save() {
        tracing::error!(%error, "state not saved");
    }
}
