//! The capacity and protection report sent through a channel: weekly at the time an admin
//! chose (the leader checks at each watch; the due time is claimed in the transaction that
//! writes the report's event, so it goes once whichever replica leads), or now on request.
//! The delivery job writes it as mail with the HTML and the CSV attached, or as a summary.

use shared::api::FleetReport;

use super::{Notifier, NotifyError};
use crate::reports::{REPORT_DEADLINE, fleet_report, render};

impl Notifier {
    /// The report of every array, as the portal's own credentials reach them.
    pub async fn fleet_report(&self) -> FleetReport {
        fleet_report(self.clients_of(|_| true), Vec::new(), REPORT_DEADLINE).await
    }

    /// Makes the report and writes it to go through `channel` (with `due_at_ms`, once for
    /// that due time); whether it was written.
    async fn write_report(
        &self,
        channel: i64,
        due_at_ms: Option<i64>,
    ) -> Result<bool, NotifyError> {
        let Some(stored) = self.db.channel(channel).await? else {
            return Ok(false);
        };
        let report = self.fleet_report().await;
        let json = serde_json::to_string(&report)
            .map_err(|error| NotifyError::Report(error.to_string()))?;
        let written = self
            .db
            .write_report(
                &json,
                &render::summary(&report),
                &(channel, stored.channel.name),
                due_at_ms,
                crate::clock::unix_now_ms(),
            )
            .await?;
        if written {
            self.relay_soon();
        }
        Ok(written)
    }

    /// Sends the report through the scheduled report's channel now; `false` when no report
    /// is scheduled.
    pub async fn send_report_now(&self) -> Result<bool, NotifyError> {
        match self.db.report_schedule().await? {
            Some(stored) => self.write_report(stored.schedule.channel, None).await,
            None => Ok(false),
        }
    }

    /// Sends the weekly report if it is due at `now_ms` and not yet sent for that due time.
    pub async fn send_report_if_due(&self, now_ms: i64) -> Result<bool, NotifyError> {
        let Some(stored) = self.db.report_schedule().await? else {
            return Ok(false);
        };
        let due_at_ms = stored.schedule.due_at_or_before(now_ms);
        if due_at_ms <= stored.last_due_at_ms {
            return Ok(false);
        }
        self.write_report(stored.schedule.channel, Some(due_at_ms))
            .await
    }
}
