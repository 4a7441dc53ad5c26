//! The models a simulated array can be, and how each is laid out.

/// The model a simulated array is unless configured otherwise.
pub const DEFAULT_MODEL: &str = "FA-X70R4";

/// How a model is built: modules in its 20-bay chassis and ports on each controller.
pub(crate) struct Layout {
    pub model: &'static str,
    pub flash_modules: u32,
    pub nvram_modules: u32,
    pub fc_ports: u32,
    pub eth_ports: u32,
}

pub(crate) const CHASSIS_BAYS: u32 = 20;
/// Every model has two controllers.
pub(crate) const CONTROLLERS: [&str; 2] = ["CT0", "CT1"];

pub(crate) const LAYOUTS: [Layout; 5] = [
    Layout {
        model: "FA-X20R3",
        flash_modules: 10,
        nvram_modules: 2,
        fc_ports: 2,
        eth_ports: 2,
    },
    Layout {
        model: "FA-X20R4",
        flash_modules: 10,
        nvram_modules: 2,
        fc_ports: 2,
        eth_ports: 2,
    },
    Layout {
        model: "FA-X50R4",
        flash_modules: 14,
        nvram_modules: 2,
        fc_ports: 4,
        eth_ports: 2,
    },
    Layout {
        model: DEFAULT_MODEL,
        flash_modules: 20,
        nvram_modules: 4,
        fc_ports: 4,
        eth_ports: 4,
    },
    Layout {
        model: "FA-C60R4",
        flash_modules: 20,
        nvram_modules: 4,
        fc_ports: 4,
        eth_ports: 4,
    },
];

/// The models the simulator can be.
pub fn models() -> impl Iterator<Item = &'static str> {
    LAYOUTS.iter().map(|layout| layout.model)
}
