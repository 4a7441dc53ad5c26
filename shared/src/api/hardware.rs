//! How an array's parts are: counted for the dashboard, listed for the array's Overview.

use serde::{Deserialize, Serialize};

use crate::flasharray::{Controller, Drive, Hardware};
use crate::size::format_size;

/// How many parts of a kind are healthy, of how many there are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartCount {
    pub healthy: u32,
    pub total: u32,
}

impl PartCount {
    fn of(states: impl Iterator<Item = bool>) -> Self {
        states.fold(Self::default(), |count, healthy| Self {
            healthy: count.healthy + u32::from(healthy),
            total: count.total + 1,
        })
    }
}

/// A part that needs attention.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FailingPart {
    /// As the array names it: `CT1`, `CH0.BAY3`, `CT0.FC1`.
    pub name: String,
    /// `controller`, `drive`, `port` or the array's own component type.
    pub kind: String,
    /// The array's word for it: `not ready`, `failed`, `critical`, `unhealthy`, …
    pub status: String,
    pub details: Option<String>,
}

/// An array's hardware at a glance: controllers ready, modules healthy, ports up, and what is
/// not, worst first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HardwareHealth {
    pub controllers: PartCount,
    /// Flash and NVRAM modules present in the chassis.
    pub drives: PartCount,
    /// Host-facing ports.
    pub ports: PartCount,
    pub failing: Vec<FailingPart>,
}

impl FailingPart {
    fn new(name: &str, kind: &str, status: &Option<String>, details: &Option<String>) -> Self {
        Self {
            name: name.to_owned(),
            kind: kind.to_owned(),
            status: status.clone().unwrap_or_default(),
            details: details.clone(),
        }
    }
}

impl HardwareHealth {
    /// From what the array reports of its controllers, modules and components.
    pub fn of(controllers: &[Controller], drives: &[Drive], hardware: &[Hardware]) -> Self {
        let present: Vec<&Drive> = drives.iter().filter(|drive| drive.is_present()).collect();
        let ports: Vec<&Hardware> = hardware.iter().filter(|part| part.is_port()).collect();
        let mut failing: Vec<FailingPart> = controllers
            .iter()
            .filter(|controller| !controller.is_ready())
            .map(|controller| {
                FailingPart::new(&controller.name, "controller", &controller.status, &None)
            })
            .collect();
        failing.extend(
            present
                .iter()
                .filter(|drive| !drive.is_healthy())
                .map(|drive| FailingPart::new(&drive.name, "drive", &drive.status, &drive.details)),
        );
        let mut others: Vec<FailingPart> = hardware
            .iter()
            .filter(|part| part.is_failing())
            .filter(|part| !matches!(part.kind.as_deref(), Some("controller" | "drive_bay")))
            .map(|part| {
                let kind = if part.is_port() {
                    "port"
                } else {
                    part.kind.as_deref().unwrap_or_default()
                };
                FailingPart::new(&part.name, kind, &part.status, &part.details)
            })
            .collect();
        others.sort_by_key(|part| part.kind != "port");
        failing.extend(others);
        Self {
            controllers: PartCount::of(controllers.iter().map(Controller::is_ready)),
            drives: PartCount::of(present.iter().map(|drive| drive.is_healthy())),
            ports: PartCount::of(ports.iter().map(|port| !port.is_failing())),
            failing,
        }
    }

    pub fn is_healthy(&self) -> bool {
        self.failing.is_empty()
    }

    /// In a few words: "Healthy", or what fails, such as "1 drive failed, 1 port down".
    pub fn summary(&self) -> String {
        if self.is_healthy() {
            return "Healthy".to_owned();
        }
        let count = |kind: &str| self.failing.iter().filter(|part| part.kind == kind).count();
        let mut said = Vec::new();
        for (kind, one, many) in [
            (
                "controller",
                "controller not ready",
                "controllers not ready",
            ),
            ("drive", "drive failed", "drives failed"),
            ("port", "port down", "ports down"),
        ] {
            match count(kind) {
                0 => {}
                1 => said.push(format!("1 {one}")),
                n => said.push(format!("{n} {many}")),
            }
        }
        let others = self.failing.len() - count("controller") - count("drive") - count("port");
        if others > 0 {
            said.push(format!(
                "{others} other part{} unhealthy",
                if others == 1 { "" } else { "s" }
            ));
        }
        said.join(", ")
    }
}

/// One part as an array's Overview lists it, in the array's words.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartRow {
    pub name: String,
    /// A controller's mode, a module's or component's type: `primary`, `SSD`, `fc port`.
    pub kind: String,
    /// `ready`, `healthy`, `failed`, `unhealthy`, …
    pub status: String,
    pub failing: bool,
    /// What else the array says of it: model and release, capacity, what is wrong.
    pub details: String,
}

/// An array's Overview of its hardware: what it is, the counts, and every part with the
/// failing ones first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HardwareReport {
    /// The REST level the portal speaks with the array.
    pub rest_version: Option<String>,
    /// The array's model, such as `FA-X70R4`.
    pub model: Option<String>,
    /// The Purity release it runs, such as `6.9.1`.
    pub purity: Option<String>,
    pub health: HardwareHealth,
    pub controllers: Vec<PartRow>,
    /// Modules present, failing first.
    pub drives: Vec<PartRow>,
    /// Every other component, failing first.
    pub parts: Vec<PartRow>,
}

/// The non-empty pieces, joined as the Overview writes them.
fn joined(pieces: impl IntoIterator<Item = Option<String>>) -> String {
    pieces
        .into_iter()
        .flatten()
        .filter(|piece| !piece.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

impl HardwareReport {
    pub fn of(controllers: Vec<Controller>, drives: Vec<Drive>, hardware: Vec<Hardware>) -> Self {
        let health = HardwareHealth::of(&controllers, &drives, &hardware);
        let first = controllers.first();
        let (model, purity) = (
            first.and_then(|controller| controller.model.clone()),
            first.and_then(|controller| controller.version.clone()),
        );
        let controllers = controllers
            .into_iter()
            .map(|controller| PartRow {
                failing: !controller.is_ready(),
                kind: controller.mode.unwrap_or_default(),
                status: controller.status.unwrap_or_default(),
                details: joined([
                    controller.model,
                    controller
                        .version
                        .map(|version| format!("Purity//FA {version}")),
                ]),
                name: controller.name,
            })
            .collect();
        let mut drives: Vec<PartRow> = drives
            .into_iter()
            .filter(Drive::is_present)
            .map(|drive| PartRow {
                failing: !drive.is_healthy(),
                kind: drive.kind.unwrap_or_default(),
                status: drive.status.unwrap_or_default(),
                details: joined([
                    drive.capacity.filter(|bytes| *bytes > 0).map(format_size),
                    drive.details,
                ]),
                name: drive.name,
            })
            .collect();
        drives.sort_by_key(|row| !row.failing);
        let mut parts: Vec<PartRow> = hardware
            .into_iter()
            .filter(|part| !matches!(part.kind.as_deref(), Some("drive_bay")))
            .map(|part| PartRow {
                failing: part.is_failing(),
                kind: part.kind.unwrap_or_default().replace('_', " "),
                status: part.status.unwrap_or_default(),
                details: part.details.unwrap_or_default(),
                name: part.name,
            })
            .collect();
        parts.sort_by_key(|row| !row.failing);
        Self {
            rest_version: None,
            model,
            purity,
            health,
            controllers,
            drives,
            parts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(name: &str, kind: &str, status: &str) -> Hardware {
        Hardware {
            name: name.to_owned(),
            kind: Some(kind.to_owned()),
            status: Some(status.to_owned()),
            ..Hardware::default()
        }
    }

    fn drive(name: &str, status: &str) -> Drive {
        Drive {
            name: name.to_owned(),
            status: Some(status.to_owned()),
            ..Drive::default()
        }
    }

    #[test]
    fn failing_parts_are_counted_and_named_worst_first() {
        let controllers = [
            Controller {
                name: "CT0".to_owned(),
                status: Some("ready".to_owned()),
                ..Controller::default()
            },
            Controller {
                name: "CT1".to_owned(),
                status: Some("not ready".to_owned()),
                ..Controller::default()
            },
        ];
        let drives = [
            drive("CH0.BAY0", "healthy"),
            drive("CH0.BAY1", "failed"),
            drive("CH0.BAY2", "empty"),
        ];
        let hardware = [
            part("CT0.FAN0", "cooling", "unhealthy"),
            part("CT0.FC0", "fc_port", "unhealthy"),
            part("CT0.FC1", "fc_port", "healthy"),
            part("CH0.BAY1", "drive_bay", "critical"),
        ];
        let health = HardwareHealth::of(&controllers, &drives, &hardware);
        assert_eq!(
            health.controllers,
            PartCount {
                healthy: 1,
                total: 2
            }
        );
        assert_eq!(
            health.drives,
            PartCount {
                healthy: 1,
                total: 2
            }
        );
        assert_eq!(
            health.ports,
            PartCount {
                healthy: 1,
                total: 2
            }
        );
        let names: Vec<&str> = health.failing.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["CT1", "CH0.BAY1", "CT0.FC0", "CT0.FAN0"]);
        assert_eq!(
            health.summary(),
            "1 controller not ready, 1 drive failed, 1 port down, 1 other part unhealthy"
        );
        let report = HardwareReport::of(controllers.to_vec(), drives.to_vec(), hardware.to_vec());
        assert_eq!(report.drives[0].name, "CH0.BAY1");
        assert_eq!(report.drives.len(), 2);
        assert_eq!(report.parts[0].name, "CT0.FAN0");
        assert!(report.parts.iter().all(|p| p.kind != "drive bay"));
        assert!(report.drives[0].failing && !report.drives[1].failing);
        assert_eq!(report.parts[1].kind, "fc port");
    }

    #[test]
    fn an_array_with_nothing_failing_is_healthy() {
        let health = HardwareHealth::of(&[], &[drive("CH0.BAY0", "healthy")], &[]);
        assert!(health.is_healthy());
        assert_eq!(health.summary(), "Healthy");
    }
}
