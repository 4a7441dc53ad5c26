//! REST 2.x levels: reading them, and which fields arrive with a later level, so that an
//! answer from an array on an older Purity release is read as it is sent.

use std::fmt;

/// A REST version such as `2.26`, ordered as numbers (2.9 before 2.10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RestVersion {
    pub major: u32,
    pub minor: u32,
}

impl RestVersion {
    pub const fn new(major: u32, minor: u32) -> Self {
        Self { major, minor }
    }

    /// `2.26` as the arrays write it; anything else is `None`.
    pub fn parse(text: &str) -> Option<Self> {
        let (major, minor) = text.trim().split_once('.')?;
        let number = |part: &str| {
            (!part.is_empty() && part.len() <= 4 && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse().ok())
                .flatten()
        };
        Some(Self::new(number(major)?, number(minor)?))
    }
}

impl fmt::Display for RestVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// A field of a collection's items that a REST level brought: older levels' answers leave it
/// out. `field` is a dotted path inside an item (`space.used_provisioned`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LaterField {
    pub collection: &'static str,
    pub field: &'static str,
    pub since: RestVersion,
}

/// The fields that differ across the Purity releases the simulator plays (6.1 to 6.9), as far
/// as the portal reads them. The REST 2.52 description does not say when each field came; the
/// levels here are the simulator's assumption, and the portal reads every one as optional.
pub const LATER_FIELDS: &[LaterField] = &[
    LaterField {
        collection: "arrays",
        field: "space.used_provisioned",
        since: RestVersion::new(2, 21),
    },
    LaterField {
        collection: "arrays/space",
        field: "space.used_provisioned",
        since: RestVersion::new(2, 21),
    },
    LaterField {
        collection: "volumes",
        field: "space.used_provisioned",
        since: RestVersion::new(2, 21),
    },
    LaterField {
        collection: "controllers",
        field: "mode_since",
        since: RestVersion::new(2, 26),
    },
    LaterField {
        collection: "drives",
        field: "capacity_installed",
        since: RestVersion::new(2, 33),
    },
    // As py-pure-client's models have them: an array's eradication delay came with 2.6, its
    // manual eradication status with 2.10, and separate delays for what SafeMode keeps with
    // 2.26.
    LaterField {
        collection: "arrays",
        field: "eradication_config",
        since: RestVersion::new(2, 6),
    },
    LaterField {
        collection: "arrays",
        field: "eradication_config.manual_eradication",
        since: RestVersion::new(2, 10),
    },
    LaterField {
        collection: "arrays",
        field: "eradication_config.disabled_delay",
        since: RestVersion::new(2, 26),
    },
    LaterField {
        collection: "arrays",
        field: "eradication_config.enabled_delay",
        since: RestVersion::new(2, 26),
    },
    // As py-pure-client's models have them: SafeMode's fields on groups came with 2.13.
    LaterField {
        collection: "protection-groups",
        field: "retention_lock",
        since: RestVersion::new(2, 13),
    },
    LaterField {
        collection: "protection-groups",
        field: "eradication_config",
        since: RestVersion::new(2, 13),
    },
    // As py-pure-client's models have it: `TargetProtectionGroup` gains `status` at 2.37.
    LaterField {
        collection: "protection-groups/targets",
        field: "status",
        since: RestVersion::new(2, 37),
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn versions_order_as_numbers_not_text() {
        let parse = |text| RestVersion::parse(text).expect(text);
        assert!(parse("2.9") < parse("2.10"));
        assert!(parse("2.52") > parse("2.7"));
        assert_eq!(parse("2.26").to_string(), "2.26");
        for refused in ["", "2", "2.", ".5", "2.x", "v2.1", "2.1.1", "2.99999"] {
            assert_eq!(RestVersion::parse(refused), None, "{refused}");
        }
    }

    proptest! {
        #[test]
        fn any_text_parses_or_is_refused_without_panicking(text in ".{0,12}") {
            if let Some(version) = RestVersion::parse(&text) {
                prop_assert_eq!(RestVersion::parse(&version.to_string()), Some(version));
            }
        }
    }
}
