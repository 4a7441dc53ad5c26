//! The array's hardware as its model lays it out: two controllers, a chassis of flash and
//! NVRAM modules, Fibre Channel and Ethernet ports, fans, power supplies and sensors. Parts
//! are healthy unless a test or the demo fails one (`PUT /sim/parts/{name}`); a failed part
//! shows in every listing that names it and raises the array's alert until it is repaired.

use shared::flasharray::{
    Controller, Drive, EthernetSettings, Eula, EulaSignature, FibreChannelSettings, Hardware,
    NetworkInterface, Port,
};

use crate::models::{CHASSIS_BAYS, CONTROLLERS, LAYOUTS, Layout};
use crate::records::{PartFailure, PartKind};
use crate::state::ArrayState;

/// Raw flash per usable byte: RAID and spares.
const RAW_PER_USABLE: f64 = 1.35;
const FC_SPEED_BYTES: u64 = 32_000_000_000 / 8;
const ETH_SPEED_BYTES: u64 = 25_000_000_000 / 8;

impl PartKind {
    /// The alert a failed part of this kind raises: its code, severity, component type and
    /// summary.
    pub(crate) fn alert(self) -> (i64, &'static str, &'static str, &'static str) {
        match self {
            PartKind::Controller => (1, "critical", "controller", "Controller is not ready"),
            PartKind::Module => (13, "critical", "drive", "Drive failed"),
            PartKind::FibreChannelPort => {
                (42, "warning", "hardware", "Fibre Channel port link down")
            }
            PartKind::EthernetPort => (43, "warning", "hardware", "Ethernet port link down"),
            PartKind::Other => (
                100,
                "warning",
                "hardware",
                "Hardware component is unhealthy",
            ),
        }
    }

    /// Whether `code` is the alert of a failed part of any kind.
    pub(crate) fn is_part_alert(code: i64) -> bool {
        [
            PartKind::Controller,
            PartKind::Module,
            PartKind::FibreChannelPort,
            PartKind::EthernetPort,
            PartKind::Other,
        ]
        .iter()
        .any(|kind| kind.alert().0 == code)
    }
}

fn kind_of(hardware: &Hardware) -> PartKind {
    match hardware.kind.as_deref() {
        Some("controller") => PartKind::Controller,
        Some("drive_bay") => PartKind::Module,
        Some("fc_port") => PartKind::FibreChannelPort,
        Some("eth_port") => PartKind::EthernetPort,
        _ => PartKind::Other,
    }
}

fn part(name: String, kind: &str, index: u32) -> Hardware {
    Hardware {
        name,
        kind: Some(kind.to_owned()),
        index: Some(i64::from(index)),
        status: Some("healthy".to_owned()),
        identify_enabled: Some(false),
        ..Hardware::default()
    }
}

impl ArrayState {
    fn layout(&self) -> &'static Layout {
        LAYOUTS
            .iter()
            .find(|layout| layout.model == self.model)
            .unwrap_or(&LAYOUTS[2])
    }

    /// A serial in the array's own series, stable for a part.
    fn part_serial(&self, name: &str) -> String {
        let digest = name.bytes().fold(17u32, |hash, byte| {
            hash.wrapping_mul(31).wrapping_add(u32::from(byte))
        });
        format!("PS{}{:06X}", &self.serial_prefix[..4], digest & 0xFF_FFFF)
    }

    /// Every component, healthy or as failed, in the order the array lists them.
    pub(crate) fn hardware(&self) -> Vec<Hardware> {
        let layout = self.layout();
        let mut parts = vec![Hardware {
            model: Some(layout.model.to_owned()),
            serial: Some(self.part_serial("CH0")),
            ..part("CH0".to_owned(), "chassis", 0)
        }];
        for index in 0..CHASSIS_BAYS {
            let mut bay = part(format!("CH0.BAY{index}"), "drive_bay", index);
            if index >= layout.flash_modules {
                bay.status = Some("unused".to_owned());
            }
            parts.push(bay);
        }
        for index in 0..layout.nvram_modules {
            parts.push(part(format!("CH0.NVB{index}"), "drive_bay", index));
        }
        for index in 0..2 {
            parts.push(Hardware {
                voltage: Some(207),
                ..part(format!("CH0.PWR{index}"), "power_supply", index)
            });
        }
        for (index, controller) in (0u32..).zip(CONTROLLERS) {
            parts.push(Hardware {
                model: Some(layout.model.to_owned()),
                serial: Some(self.part_serial(controller)),
                ..part(controller.to_owned(), "controller", index)
            });
            for port in 0..layout.eth_ports {
                parts.push(Hardware {
                    speed: Some(ETH_SPEED_BYTES),
                    slot: Some(2),
                    ..part(
                        format!("{controller}.ETH{}", port + 4),
                        "eth_port",
                        port + 4,
                    )
                });
            }
            for port in 0..layout.fc_ports {
                parts.push(Hardware {
                    speed: Some(FC_SPEED_BYTES),
                    slot: Some(0),
                    ..part(format!("{controller}.FC{port}"), "fc_port", port)
                });
            }
            for fan in 0..2 {
                parts.push(part(format!("{controller}.FAN{fan}"), "cooling", fan));
            }
            parts.push(Hardware {
                temperature: Some(31),
                ..part(format!("{controller}.TMP0"), "temp_sensor", 0)
            });
        }
        for hardware in &mut parts {
            if let Some(failure) = self.failed_parts.get(&hardware.name) {
                hardware.status = Some(
                    match failure.kind {
                        PartKind::Controller | PartKind::Module => "critical",
                        _ => "unhealthy",
                    }
                    .to_owned(),
                );
                hardware.details = Some(failure.details.clone());
            }
        }
        parts
    }

    /// `GET /controllers`: the first ready controller is primary.
    pub(crate) fn controllers(&self) -> Vec<Controller> {
        let layout = self.layout();
        let mut primary_taken = false;
        CONTROLLERS
            .iter()
            .map(|name| {
                let failed = self.failed_parts.get(*name);
                let mode = match failed {
                    Some(_) => "offline",
                    None if !primary_taken => {
                        primary_taken = true;
                        "primary"
                    }
                    None => "secondary",
                };
                Controller {
                    name: (*name).to_owned(),
                    mode: Some(mode.to_owned()),
                    mode_since: failed
                        .is_none()
                        .then(|| self.installed_ms.max(self.last_controller_failure())),
                    model: Some(layout.model.to_owned()),
                    status: Some(
                        if failed.is_some() {
                            "not ready"
                        } else {
                            "ready"
                        }
                        .to_owned(),
                    ),
                    kind: Some("array_controller".to_owned()),
                    version: Some(self.release().version.to_owned()),
                }
            })
            .collect()
    }

    /// `GET /drives`: flash modules, empty bays and NVRAM modules; raw capacity spread over
    /// the flash modules.
    pub(crate) fn drives(&self) -> Vec<Drive> {
        let layout = self.layout();
        let raw = self.capacity as f64 * RAW_PER_USABLE / f64::from(layout.flash_modules);
        let entitled = self.capacity / u64::from(layout.flash_modules);
        let module = |name: String, kind: &str, capacity: u64, raw: u64| {
            let failure = self.failed_parts.get(&name);
            Drive {
                capacity: Some(capacity),
                capacity_installed: Some(raw),
                details: failure.map(|failure| failure.details.clone()),
                protocol: Some("NVMe".to_owned()),
                status: Some(
                    if failure.is_some() {
                        "failed"
                    } else {
                        "healthy"
                    }
                    .to_owned(),
                ),
                kind: Some(kind.to_owned()),
                name,
            }
        };
        let mut drives = Vec::new();
        for index in 0..CHASSIS_BAYS {
            let name = format!("CH0.BAY{index}");
            drives.push(if index < layout.flash_modules {
                module(name, "SSD", entitled, raw as u64)
            } else {
                Drive {
                    name,
                    status: Some("empty".to_owned()),
                    ..Drive::default()
                }
            });
        }
        for index in 0..layout.nvram_modules {
            drives.push(module(
                format!("CH0.NVB{index}"),
                "NVRAM",
                0,
                34_359_738_368,
            ));
        }
        drives
    }

    /// `GET /ports`: the target ports hosts log in to.
    pub(crate) fn ports(&self) -> Vec<Port> {
        let layout = self.layout();
        let id = &self.id.replace('-', "")[..16];
        let mut ports = Vec::new();
        for (controller_index, controller) in (0u8..).zip(CONTROLLERS) {
            for port in 0..layout.eth_ports {
                ports.push(Port {
                    name: format!("{controller}.ETH{}", port + 4),
                    iqn: Some(format!("iqn.2010-06.com.purestorage:flasharray.{id}")),
                    portal: Some(format!("10.21.{}.{}:3260", controller_index + 10, port + 4)),
                    ..Port::default()
                });
            }
            for port in 0..layout.fc_ports {
                ports.push(Port {
                    name: format!("{controller}.FC{port}"),
                    wwn: Some(self.port_wwn(controller_index, port)),
                    ..Port::default()
                });
            }
        }
        ports
    }

    fn port_wwn(&self, controller: u8, port: u32) -> String {
        let serial = u32::from_str_radix(&self.serial_prefix[..6], 16).unwrap_or(0);
        format!(
            "52:4A:93:7{:X}:{:02X}:{:02X}:{:02X}:{controller}{port}",
            serial >> 20 & 0xF,
            serial >> 12 & 0xFF,
            serial >> 4 & 0xFF,
            serial & 0xF,
        )
    }

    /// `GET /network-interfaces`: management and data interfaces and Fibre Channel ports.
    pub(crate) fn network_interfaces(&self) -> Vec<NetworkInterface> {
        let layout = self.layout();
        let mut interfaces = Vec::new();
        for (controller_index, controller) in (0u8..).zip(CONTROLLERS) {
            let lower = controller.to_ascii_lowercase();
            let eth =
                |name: String, services: &str, address: String, speed: u64| NetworkInterface {
                    name,
                    enabled: Some(true),
                    interface_type: Some("eth".to_owned()),
                    services: vec![services.to_owned()],
                    speed: Some(speed),
                    eth: Some(EthernetSettings {
                        address: Some(address),
                        gateway: Some("10.21.0.1".to_owned()),
                        mac_address: Some(format!(
                            "24:a9:37:00:{controller_index:02x}:{speed:02x}"
                        )),
                        mtu: Some(if services == "iscsi" { 9000 } else { 1500 }),
                        netmask: Some("255.255.0.0".to_owned()),
                        subtype: Some("physical".to_owned()),
                    }),
                    fc: None,
                };
            interfaces.push(eth(
                format!("{lower}.eth0"),
                "management",
                format!("10.21.0.{}", controller_index + 11),
                1,
            ));
            for port in 0..layout.eth_ports {
                interfaces.push(eth(
                    format!("{lower}.eth{}", port + 4),
                    "iscsi",
                    format!("10.21.{}.{}", controller_index + 10, port + 4),
                    25,
                ));
            }
            for port in 0..layout.fc_ports {
                interfaces.push(NetworkInterface {
                    name: format!("{lower}.fc{port}"),
                    enabled: Some(true),
                    interface_type: Some("fc".to_owned()),
                    services: vec!["scsi-fc".to_owned()],
                    speed: Some(32),
                    eth: None,
                    fc: Some(FibreChannelSettings {
                        wwn: Some(self.port_wwn(controller_index, port)),
                    }),
                });
            }
        }
        interfaces
    }

    /// `GET /arrays/eula`: accepted when the array was installed.
    pub(crate) fn eula(&self) -> Eula {
        Eula {
            agreement: Some(
                "Pure Storage End User Agreement (simulated): this array is a stand-in for tests and demonstrations.".to_owned(),
            ),
            signature: Some(EulaSignature {
                accepted: Some(self.installed_ms),
            }),
        }
    }

    /// Fails a part by name, as a pulled module or a cut cable would; `None` when the array
    /// has no part of that name.
    /// Without `details`, the array says what its alert for such a part says.
    pub(crate) fn fail_part(
        &mut self,
        name: &str,
        details: Option<&str>,
        now_ms: i64,
    ) -> Option<()> {
        let kind = kind_of(self.hardware().iter().find(|part| part.name == name)?);
        let details = details.unwrap_or(kind.alert().3);
        self.failed_parts.insert(
            name.to_owned(),
            PartFailure {
                kind,
                details: details.to_owned(),
                since: now_ms,
            },
        );
        self.refresh_alerts(now_ms);
        Some(())
    }

    /// Puts a failed part right; `None` when the array has no part of that name.
    pub(crate) fn repair_part(&mut self, name: &str, now_ms: i64) -> Option<()> {
        self.hardware().iter().find(|part| part.name == name)?;
        self.failed_parts.remove(name);
        self.refresh_alerts(now_ms);
        Some(())
    }

    /// When a controller last failed: the other has been primary since.
    fn last_controller_failure(&self) -> i64 {
        CONTROLLERS
            .iter()
            .filter_map(|name| self.failed_parts.get(*name))
            .map(|failure| failure.since)
            .max()
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::models;

    #[test]
    fn a_failed_module_shows_in_drives_and_hardware_and_raises_its_alert() {
        let mut state = ArrayState::new("fa-test");
        state.installed_ms = 1_000;
        state.fail_part("CH0.BAY3", None, 5_000).expect("a part");
        let drive = state
            .drives()
            .into_iter()
            .find(|drive| drive.name == "CH0.BAY3")
            .expect("drive");
        assert_eq!(drive.status.as_deref(), Some("failed"));
        let bay = state
            .hardware()
            .into_iter()
            .find(|part| part.name == "CH0.BAY3")
            .expect("bay");
        assert!(bay.is_failing());
        let alerts = state.alerts(6_000);
        let raised = alerts
            .iter()
            .find(|alert| alert.component_name.as_deref() == Some("CH0.BAY3"))
            .expect("alert");
        assert_eq!(
            (raised.code, raised.state.as_str(), raised.created),
            (13, "open", 5_000)
        );

        state.repair_part("CH0.BAY3", 7_000).expect("a part");
        assert!(
            state
                .drives()
                .iter()
                .all(|drive| drive.status.as_deref() != Some("failed"))
        );
        let closed = state
            .alerts(8_000)
            .into_iter()
            .find(|alert| alert.component_name.as_deref() == Some("CH0.BAY3"))
            .expect("alert");
        assert_eq!(closed.state, "closed");
    }

    #[test]
    fn a_failed_controller_is_offline_and_the_other_is_primary() {
        let mut state = ArrayState::new("fa-test");
        state
            .fail_part("CT0", Some("Controller is not ready"), 5_000)
            .expect("a part");
        let controllers = state.controllers();
        assert_eq!(controllers[0].status.as_deref(), Some("not ready"));
        assert_eq!(controllers[0].mode.as_deref(), Some("offline"));
        assert_eq!(controllers[1].mode.as_deref(), Some("primary"));
        assert!(state.fail_part("CT9", None, 5_000).is_none());
    }

    #[test]
    fn each_model_fills_its_chassis_and_every_port_has_an_address() {
        for model in models() {
            let mut state = ArrayState::new("fa-test");
            state.model = model.to_owned();
            let drives = state.drives();
            let present = drives.iter().filter(|drive| drive.is_present()).count();
            let layout = state.layout();
            assert_eq!(
                present as u32,
                layout.flash_modules + layout.nvram_modules,
                "{model}"
            );
            assert!(
                state
                    .ports()
                    .iter()
                    .all(|port| port.iqn.is_some() || port.wwn.is_some())
            );
            assert_eq!(
                state
                    .network_interfaces()
                    .iter()
                    .filter(|i| i.interface_type.as_deref() == Some("fc"))
                    .count() as u32,
                2 * layout.fc_ports
            );
        }
    }
}
