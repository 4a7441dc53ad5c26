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
            .send_snapshot(&shipment.address, &shipment.arrival)
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
