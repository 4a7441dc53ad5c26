//! Starting contents for a simulated array.

use shared::size::{GIB, MIB, TIB};

use crate::state::ArrayState;

/// What a simulator holds when it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Seed {
    /// A factory-new array: no volumes.
    #[default]
    Empty,
    /// A small production-like array, for demos.
    Demo,
}

impl Seed {
    pub fn parse(text: &str) -> Option<Seed> {
        match text {
            "empty" => Some(Seed::Empty),
            "demo" => Some(Seed::Demo),
            _ => None,
        }
    }

    pub(crate) fn apply(self, state: &mut ArrayState, now_ms: i64) {
        if self == Seed::Empty {
            return;
        }
        const DAY_MS: i64 = 24 * 60 * 60 * 1000;
        let volumes: [(&str, u64, u64); 12] = [
            ("oracle-prod-data01", 2 * TIB, 1_310 * GIB),
            ("oracle-prod-data02", 2 * TIB, 1_190 * GIB),
            ("oracle-prod-redo", 200 * GIB, 61 * GIB),
            ("sql-fin-db", 1536 * GIB, 702 * GIB),
            ("sql-fin-log", 256 * GIB, 88 * GIB),
            ("vmware-ds-gold01", 10 * TIB, 6_420 * GIB),
            ("vmware-ds-gold02", 10 * TIB, 5_870 * GIB),
            ("vmware-ds-silver01", 20 * TIB, 9_100 * GIB),
            ("k8s-pv-0001", 50 * GIB, 12 * GIB),
            ("k8s-pv-0002", 50 * GIB, 31 * GIB),
            ("esx-boot-01", 10 * GIB, 3 * GIB),
            ("scratch-etl", 500 * MIB, 0),
        ];
        for (age, (name, provisioned, written)) in (1i64..).zip(volumes) {
            state.insert_volume(name, provisioned, written, now_ms - age * 37 * DAY_MS / 3);
        }
    }
}
