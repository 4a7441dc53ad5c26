//! What on the fleet needs someone's attention, most urgent first: an array that does not
//! answer, then failing hardware, then one that will be full within a month, then one over
//! 80 % full, then one with critical alerts open — each with its reasons in a few words.

use super::ArrayStatus;

/// How soon a forecast to full counts, in days.
pub const FULL_SOON_DAYS: f64 = 30.0;
/// Used share of capacity beyond which an array is nearly full.
pub const NEARLY_FULL: f64 = 0.8;

/// Why an array needs attention, the most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Urgency {
    Unreachable,
    HardwareFailing,
    FullSoon,
    NearlyFull,
    CriticalAlerts,
}

impl Urgency {
    /// As the page marks it (`data-urgency`).
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Unreachable => "unreachable",
            Urgency::HardwareFailing => "hardware",
            Urgency::FullSoon => "full-soon",
            Urgency::NearlyFull => "nearly-full",
            Urgency::CriticalAlerts => "critical-alerts",
        }
    }
}

/// An array that needs attention: its most urgent reason, and every reason in words.
#[derive(Debug, Clone, PartialEq)]
pub struct Attention {
    pub array: String,
    pub urgency: Urgency,
    pub reasons: Vec<String>,
}

/// The arrays of `arrays` that need attention, most urgent first (arrays of one urgency by
/// name). `full_in_days` gives an array's forecast days to full, when it is known.
pub fn needs_attention(
    arrays: &[ArrayStatus],
    full_in_days: impl Fn(&str) -> Option<f64>,
) -> Vec<Attention> {
    let mut found: Vec<Attention> = arrays
        .iter()
        .filter_map(|status| {
            let mut reasons: Vec<(Urgency, String)> = Vec::new();
            let Some(figures) = &status.figures else {
                let why = status.error.as_deref().unwrap_or("no answer");
                reasons.push((Urgency::Unreachable, format!("not answering: {why}")));
                return attention(&status.name, reasons);
            };
            if let Some(health) = figures
                .health
                .as_ref()
                .filter(|health| !health.is_healthy())
            {
                reasons.push((Urgency::HardwareFailing, health.summary()));
            }
            if let Some(days) = full_in_days(&status.name).filter(|days| *days <= FULL_SOON_DAYS) {
                reasons.push((Urgency::FullSoon, full_in(days)));
            }
            let used = figures.used_share();
            if used > NEARLY_FULL {
                reasons.push((
                    Urgency::NearlyFull,
                    format!("{:.0} % full", (used * 100.0).floor()),
                ));
            }
            match figures.alerts.critical {
                0 => {}
                1 => reasons.push((Urgency::CriticalAlerts, "1 critical alert open".to_owned())),
                count => reasons.push((
                    Urgency::CriticalAlerts,
                    format!("{count} critical alerts open"),
                )),
            }
            attention(&status.name, reasons)
        })
        .collect();
    found.sort_by(|a, b| {
        a.urgency
            .cmp(&b.urgency)
            .then_with(|| a.array.cmp(&b.array))
    });
    found
}

fn attention(array: &str, mut reasons: Vec<(Urgency, String)>) -> Option<Attention> {
    reasons.sort_by_key(|(urgency, _)| *urgency);
    let urgency = reasons.first()?.0;
    Some(Attention {
        array: array.to_owned(),
        urgency,
        reasons: reasons.into_iter().map(|(_, reason)| reason).collect(),
    })
}

/// "full in about 8 days", "full within a day".
pub fn full_in(days: f64) -> String {
    if days < 1.0 {
        "full within a day".to_owned()
    } else {
        format!("full in about {:.0} days", days.round())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{AlertCounts, ArrayFigures, FailingPart, HardwareHealth};

    fn answering(name: &str, used: u64, critical: u64) -> ArrayStatus {
        ArrayStatus {
            name: name.to_owned(),
            as_of: 0,
            figures: Some(ArrayFigures {
                capacity: 100,
                used,
                alerts: AlertCounts {
                    critical,
                    ..AlertCounts::default()
                },
                ..ArrayFigures::default()
            }),
            error: None,
            failing_since: None,
        }
    }

    #[test]
    fn the_most_urgent_come_first_each_with_every_reason() {
        let dead = ArrayStatus {
            figures: None,
            error: Some("no answer within 5 s".to_owned()),
            ..answering("z-dead", 0, 0)
        };
        let mut broken = answering("b-broken", 10, 0);
        if let Some(figures) = broken.figures.as_mut() {
            figures.health = Some(HardwareHealth {
                failing: vec![FailingPart {
                    name: "CH0.BAY3".to_owned(),
                    kind: "drive".to_owned(),
                    status: "failed".to_owned(),
                    details: None,
                }],
                ..HardwareHealth::default()
            });
        }
        let arrays = [
            answering("quiet", 50, 0),
            answering("alerting", 20, 2),
            answering("filling", 84, 1),
            broken,
            dead,
            answering("growing", 60, 0),
        ];
        let days = |name: &str| match name {
            "filling" => Some(8.2),
            "growing" => Some(25.0),
            "quiet" => Some(400.0),
            _ => None,
        };
        let found = needs_attention(&arrays, days);
        let order: Vec<(&str, Urgency)> = found
            .iter()
            .map(|attention| (attention.array.as_str(), attention.urgency))
            .collect();
        assert_eq!(
            order,
            [
                ("z-dead", Urgency::Unreachable),
                ("b-broken", Urgency::HardwareFailing),
                ("filling", Urgency::FullSoon),
                ("growing", Urgency::FullSoon),
                ("alerting", Urgency::CriticalAlerts),
            ]
        );
        assert_eq!(found[0].reasons, ["not answering: no answer within 5 s"]);
        assert_eq!(
            found[2].reasons,
            ["full in about 8 days", "84 % full", "1 critical alert open"]
        );
        assert_eq!(found[4].reasons, ["2 critical alerts open"]);
    }

    #[test]
    fn a_healthy_fleet_needs_nothing() {
        let arrays = [answering("a", 80, 0), answering("b", 0, 0)];
        assert!(needs_attention(&arrays, |_| None).is_empty());
        assert_eq!(full_in(0.4), "full within a day");
    }
}
