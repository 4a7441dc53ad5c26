//! Alerts: raised from the array's own state (space over 80 % of capacity, a protection
//! group with members whose schedule is off, a failed part), closed when the condition clears, plus any the
//! seed plants.
//!
//! Conditions are evaluated when alerts are read, so a test that fills the array sees the
//! alert on its next read without a timer.

use shared::flasharray::Alert;

use crate::records::PartKind;
use crate::state::ArrayState;

/// Codes of the alerts the simulator raises itself.
pub const SPACE_ALERT_CODE: i64 = 27;
pub const SCHEDULE_ALERT_CODE: i64 = 1205;

/// Used space as a share of capacity above which the array warns, and above which it is
/// critical.
const SPACE_WARNING: f64 = 0.8;
const SPACE_CRITICAL: f64 = 0.9;

/// A condition that holds now and should have an open alert.
struct Condition {
    code: i64,
    severity: &'static str,
    component_type: &'static str,
    component_name: String,
    summary: String,
    expected: Option<String>,
    actual: Option<String>,
    /// When it began, if before the alert is raised.
    since: Option<i64>,
}

/// An alert as a seed plants it.
pub struct PlantedAlert<'a> {
    pub code: i64,
    pub severity: &'a str,
    pub category: &'a str,
    pub component_type: &'a str,
    pub component_name: &'a str,
    pub summary: &'a str,
    pub created: i64,
    pub closed: Option<i64>,
}

impl ArrayState {
    fn conditions(&self, now_ms: i64) -> Vec<Condition> {
        let mut conditions = Vec::new();
        let space = self.array_space(now_ms);
        let used = space.space.total_physical.unwrap_or(0) as f64 / space.capacity.max(1) as f64;
        if used > SPACE_WARNING {
            conditions.push(Condition {
                code: SPACE_ALERT_CODE,
                severity: if used > SPACE_CRITICAL {
                    "critical"
                } else {
                    "warning"
                },
                component_type: "array",
                component_name: self.name.clone(),
                summary: "Array space usage is high".to_owned(),
                expected: Some(format!("{:.0}%", SPACE_WARNING * 100.0)),
                actual: Some(format!("{:.0}%", used * 100.0)),
                since: None,
            });
        }
        for record in &self.protection_groups {
            let group = &record.group;
            if !group.destroyed && !record.members.is_empty() && !group.snapshot_schedule.enabled {
                conditions.push(Condition {
                    code: SCHEDULE_ALERT_CODE,
                    severity: "warning",
                    component_type: "protection_group",
                    component_name: group.name.clone(),
                    summary: "Protection group has members but its snapshot schedule is disabled"
                        .to_owned(),
                    expected: Some("enabled".to_owned()),
                    actual: Some("disabled".to_owned()),
                    since: None,
                });
            }
        }
        for (name, failure) in &self.failed_parts {
            let (code, severity, component_type, summary) = failure.kind.alert();
            conditions.push(Condition {
                code,
                severity,
                component_type,
                component_name: name.clone(),
                summary: summary.to_owned(),
                expected: None,
                actual: Some(failure.details.clone()),
                since: Some(failure.since),
            });
        }
        conditions
    }

    /// Opens an alert for each condition that has none open, and closes the raised alerts
    /// whose condition has cleared.
    pub(crate) fn refresh_alerts(&mut self, now_ms: i64) {
        let conditions = self.conditions(now_ms);
        for alert in &mut self.alerts {
            let raised = alert.code == SPACE_ALERT_CODE
                || alert.code == SCHEDULE_ALERT_CODE
                || PartKind::is_part_alert(alert.code);
            if !raised || alert.state == "closed" {
                continue;
            }
            match conditions.iter().find(|condition| {
                condition.code == alert.code
                    && alert.component_name.as_deref() == Some(&condition.component_name)
            }) {
                Some(condition) => {
                    if alert.severity != condition.severity || alert.actual != condition.actual {
                        alert.severity = condition.severity.to_owned();
                        alert.actual.clone_from(&condition.actual);
                        alert.updated = now_ms;
                    }
                }
                None => {
                    alert.state = "closed".to_owned();
                    alert.closed = Some(now_ms);
                    alert.updated = now_ms;
                }
            }
        }
        for condition in conditions {
            let open = self.alerts.iter().any(|alert| {
                alert.state != "closed"
                    && alert.code == condition.code
                    && alert.component_name.as_deref() == Some(&condition.component_name)
            });
            if !open {
                let category = if PartKind::is_part_alert(condition.code) {
                    "hardware"
                } else {
                    "array"
                };
                let alert = self.new_alert(
                    condition.code,
                    condition.severity,
                    category,
                    condition.component_type,
                    &condition.component_name,
                    &condition.summary,
                    condition.since.unwrap_or(now_ms),
                );
                self.alerts.push(Alert {
                    expected: condition.expected,
                    actual: condition.actual,
                    ..alert
                });
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn new_alert(
        &mut self,
        code: i64,
        severity: &str,
        category: &str,
        component_type: &str,
        component_name: &str,
        summary: &str,
        now_ms: i64,
    ) -> Alert {
        self.last_alert_number += 1;
        Alert {
            id: crate::collection::new_id(),
            name: self.last_alert_number.to_string(),
            code,
            severity: severity.to_owned(),
            state: "open".to_owned(),
            summary: summary.to_owned(),
            description: Some(summary.to_owned()),
            category: Some(category.to_owned()),
            component_name: Some(component_name.to_owned()),
            component_type: Some(component_type.to_owned()),
            expected: None,
            actual: None,
            knowledge_base_url: Some(format!(
                "https://support.purestorage.com/?cid=Alert_{code:04}"
            )),
            flagged: false,
            created: now_ms,
            updated: now_ms,
            closed: None,
        }
    }

    /// Adds an alert as it would have been raised (and perhaps closed) in the past.
    pub fn plant_alert(&mut self, planted: &PlantedAlert<'_>) {
        let mut alert = self.new_alert(
            planted.code,
            planted.severity,
            planted.category,
            planted.component_type,
            planted.component_name,
            planted.summary,
            planted.created,
        );
        if let Some(closed) = planted.closed {
            alert.state = "closed".to_owned();
            alert.closed = Some(closed);
            alert.updated = closed;
        }
        self.alerts.push(alert);
    }

    pub fn alerts(&mut self, now_ms: i64) -> Vec<Alert> {
        self.refresh_alerts(now_ms);
        self.alerts.clone()
    }
}
