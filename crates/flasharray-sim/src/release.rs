//! The Purity release a simulated array runs: the version it reports and the REST levels it
//! serves. A real fleet mixes releases, and what a client sends to one array may not exist on
//! another; each simulator plays one release so that drift is tested.
//!
//! The REST 2.52 description does not list which level came with which release; the table is
//! the simulator's assumption, kept in one place so it can be corrected from release notes.

use shared::flasharray::{LATER_FIELDS, RestVersion};

/// One release line as the simulator plays it.
#[derive(Debug, PartialEq, Eq)]
pub struct Release {
    /// What `--purity` takes: `6.5`.
    pub line: &'static str,
    /// What `GET /arrays` and `GET /controllers` report: `6.5.10`.
    pub version: &'static str,
    /// The newest REST level it serves; it serves every one from 2.0 up to it.
    pub newest_rest: RestVersion,
}

pub const RELEASES: [Release; 4] = [
    Release {
        line: "6.1",
        version: "6.1.25",
        newest_rest: RestVersion::new(2, 7),
    },
    Release {
        line: "6.5",
        version: "6.5.10",
        newest_rest: RestVersion::new(2, 26),
    },
    Release {
        line: "6.7",
        version: "6.7.5",
        newest_rest: RestVersion::new(2, 36),
    },
    Release {
        line: "6.9",
        version: "6.9.1",
        newest_rest: RestVersion::new(2, 52),
    },
];

/// The release a simulator plays unless told otherwise: the newest.
pub const DEFAULT_RELEASE: &str = "6.9";

/// The release lines the simulator can play.
pub fn release_lines() -> impl Iterator<Item = &'static str> {
    RELEASES.iter().map(|release| release.line)
}

/// The release of `line`, or `None` for one the simulator does not play.
pub fn release(line: &str) -> Option<&'static Release> {
    RELEASES.iter().find(|release| release.line == line)
}

impl Release {
    /// Every REST level it serves, oldest first, as `GET /api/api_version` lists them.
    pub fn rest_versions(&self) -> Vec<String> {
        (0..=self.newest_rest.minor)
            .map(|minor| RestVersion::new(2, minor).to_string())
            .collect()
    }

    pub fn serves(&self, version: RestVersion) -> bool {
        version.major == 2 && version <= self.newest_rest
    }
}

/// The fields of `collection`'s items that an answer at `version` leaves out.
pub fn fields_missing_at(collection: &str, version: RestVersion) -> Vec<&'static str> {
    LATER_FIELDS
        .iter()
        .filter(|later| later.collection == collection && version < later.since)
        .map(|later| later.field)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_release_serves_its_levels_and_no_newer() {
        let old = release("6.1").expect("6.1");
        assert_eq!(old.rest_versions().first().map(String::as_str), Some("2.0"));
        assert_eq!(old.rest_versions().last().map(String::as_str), Some("2.7"));
        assert!(old.serves(RestVersion::new(2, 7)));
        assert!(!old.serves(RestVersion::new(2, 8)));
        assert!(!old.serves(RestVersion::new(1, 19)));
        let newest = release(DEFAULT_RELEASE).expect("default");
        assert_eq!(newest.rest_versions().len(), 53);
        assert!(release("7.0").is_none());
    }

    #[test]
    fn an_older_level_leaves_out_the_fields_it_did_not_have() {
        assert_eq!(
            fields_missing_at("controllers", RestVersion::new(2, 7)),
            ["mode_since"]
        );
        assert!(fields_missing_at("controllers", RestVersion::new(2, 26)).is_empty());
        assert!(fields_missing_at("hosts", RestVersion::new(2, 0)).is_empty());
    }
}
