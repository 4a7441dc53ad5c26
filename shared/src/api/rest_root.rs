//! What an array's REST root (`/api/arrays/{array}/rest/api/2.x/…`) passes to the array, and
//! for whom: one table, deny by default. A collection and method the table does not name is
//! refused for everyone, admins included, before anything reaches the array. The same table
//! gives the gate a call's least role, the audit log its action, the two-person rule what it
//! amounts to, and the API reference its rows.

use super::{Action, Role};

/// One change a collection takes through a REST root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestChange {
    /// `POST`, `PATCH`, `PUT` or `DELETE`.
    pub method: &'static str,
    /// The audited action, whose least role it needs; the same as the portal's own page uses
    /// for the same change, so the two-person rule holds whichever way it comes.
    pub action: Action,
    /// Further actions it amounts to for the two-person rule (an eradication of a container
    /// eradicates what it holds).
    pub amounts_to: &'static [Action],
    /// The query parameter naming the other arrays the change reaches (a target, a link's
    /// remote, a stretched pod's member), as this array calls its connections: each must be an
    /// array the portal manages and the caller may change, as on the portal's own pages.
    pub other_arrays: Option<&'static str>,
}

/// A collection the REST roots pass: who may read it, and which changes it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestCollection {
    /// As it follows `/api/2.x/`, such as `host-groups/hosts`.
    pub path: &'static str,
    /// The least role that may `GET` it.
    pub read: Role,
    pub changes: &'static [RestChange],
}

/// A collection that is never passed, for anyone, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NeverPassed {
    pub path: &'static str,
    pub why: &'static str,
}

const fn change(method: &'static str, action: Action) -> RestChange {
    RestChange {
        method,
        action,
        amounts_to: &[],
        other_arrays: None,
    }
}

/// A change reaching the other arrays `parameter` names.
const fn between_arrays(
    method: &'static str,
    action: Action,
    parameter: &'static str,
    amounts_to: &'static [Action],
) -> RestChange {
    RestChange {
        method,
        action,
        amounts_to,
        other_arrays: Some(parameter),
    }
}

const fn collection(path: &'static str, changes: &'static [RestChange]) -> RestCollection {
    RestCollection {
        path,
        read: Role::Viewer,
        changes,
    }
}

const fn read_only(path: &'static str) -> RestCollection {
    collection(path, &[])
}

const VOLUME_CHANGES: &[RestChange] = &[
    change("POST", Action::VolumeCreate),
    change("PATCH", Action::VolumeChange),
    change("DELETE", Action::VolumeEradicate),
];
const MEMBERSHIP_OF_HOST_GROUPS: &[RestChange] = &[
    change("POST", Action::HostGroupAddHost),
    change("DELETE", Action::HostGroupRemoveHost),
];
const MEMBERSHIP_OF_PROTECTION_GROUPS: &[RestChange] = &[
    change("POST", Action::ProtectionGroupAddMembers),
    change("DELETE", Action::ProtectionGroupRemoveMembers),
];
/// What eradicating a container (a pod, a volume group) amounts to: everything it holds goes.
pub const EVERY_ERADICATION: &[Action] = &[
    Action::VolumeEradicate,
    Action::SnapshotEradicate,
    Action::ProtectionGroupEradicate,
    Action::ProtectionGroupSnapshotEradicate,
];

const UNSTRETCH_AMOUNTS_TO: &[Action] = &[
    Action::PodChange,
    Action::VolumeEradicate,
    Action::SnapshotEradicate,
    Action::ProtectionGroupEradicate,
    Action::ProtectionGroupSnapshotEradicate,
];

/// Every collection a REST root passes. Viewers read the storage objects; operators change
/// what the portal's own pages change, destroying recoverably and never eradicating; admins
/// also eradicate and manage pods and volume groups.
pub const REST_COLLECTIONS: &[RestCollection] = &[
    read_only("arrays"),
    read_only("arrays/space"),
    read_only("arrays/performance"),
    collection("alerts", &[change("PATCH", Action::AlertFlag)]),
    read_only("alerts/events"),
    read_only("controllers"),
    read_only("drives"),
    read_only("hardware"),
    read_only("ports"),
    collection("volumes", VOLUME_CHANGES),
    read_only("volumes/space"),
    read_only("volumes/performance"),
    read_only("volumes/performance/by-array"),
    collection("volumes/protection-groups", MEMBERSHIP_OF_PROTECTION_GROUPS),
    read_only("volumes/volume-groups"),
    collection(
        "volume-snapshots",
        &[
            change("POST", Action::SnapshotCreate),
            change("PATCH", Action::SnapshotChange),
            change("DELETE", Action::SnapshotEradicate),
        ],
    ),
    read_only("volume-snapshots/transfer"),
    collection(
        "hosts",
        &[
            change("POST", Action::HostCreate),
            change("PATCH", Action::HostChange),
            change("DELETE", Action::HostDelete),
        ],
    ),
    collection("hosts/host-groups", MEMBERSHIP_OF_HOST_GROUPS),
    collection("hosts/protection-groups", MEMBERSHIP_OF_PROTECTION_GROUPS),
    read_only("hosts/performance"),
    read_only("hosts/space"),
    collection(
        "host-groups",
        &[
            change("POST", Action::HostGroupCreate),
            change("PATCH", Action::HostGroupChange),
            change("DELETE", Action::HostGroupDelete),
        ],
    ),
    collection("host-groups/hosts", MEMBERSHIP_OF_HOST_GROUPS),
    collection(
        "host-groups/protection-groups",
        MEMBERSHIP_OF_PROTECTION_GROUPS,
    ),
    read_only("host-groups/performance"),
    read_only("host-groups/space"),
    collection(
        "connections",
        &[
            change("POST", Action::ConnectionCreate),
            change("DELETE", Action::ConnectionDelete),
        ],
    ),
    collection(
        "protection-groups",
        &[
            change("POST", Action::ProtectionGroupCreate),
            change("PATCH", Action::ProtectionGroupChange),
            // The array eradicates a group's snapshots with it.
            RestChange {
                amounts_to: &[Action::ProtectionGroupSnapshotEradicate],
                ..change("DELETE", Action::ProtectionGroupEradicate)
            },
        ],
    ),
    collection("protection-groups/volumes", MEMBERSHIP_OF_PROTECTION_GROUPS),
    collection("protection-groups/hosts", MEMBERSHIP_OF_PROTECTION_GROUPS),
    collection(
        "protection-groups/host-groups",
        MEMBERSHIP_OF_PROTECTION_GROUPS,
    ),
    read_only("protection-groups/space"),
    collection(
        "protection-groups/targets",
        &[
            between_arrays(
                "POST",
                Action::ProtectionGroupAddTarget,
                "member_names",
                &[],
            ),
            // Run on the target, which names the group `SOURCE:GROUP` and itself as member.
            change("PATCH", Action::ProtectionGroupAllowTarget),
            between_arrays(
                "DELETE",
                Action::ProtectionGroupRemoveTarget,
                "member_names",
                &[],
            ),
        ],
    ),
    collection(
        "protection-group-snapshots",
        &[
            change("POST", Action::ProtectionGroupSnapshot),
            change("PATCH", Action::ProtectionGroupSnapshotChange),
            change("DELETE", Action::ProtectionGroupSnapshotEradicate),
        ],
    ),
    read_only("protection-group-snapshots/transfer"),
    collection(
        "pods",
        &[
            change("POST", Action::PodCreate),
            change("PATCH", Action::PodChange),
            RestChange {
                amounts_to: EVERY_ERADICATION,
                ..change("DELETE", Action::PodEradicate)
            },
        ],
    ),
    read_only("pods/space"),
    read_only("pods/performance"),
    collection(
        "pods/arrays",
        &[
            // The array makes the pod on the member it is stretched to.
            between_arrays(
                "POST",
                Action::PodStretch,
                "member_names",
                &[Action::PodCreate],
            ),
            // The member that leaves keeps its copy destroyed, eradicated when its time is up.
            between_arrays(
                "DELETE",
                Action::PodUnstretch,
                "member_names",
                UNSTRETCH_AMOUNTS_TO,
            ),
        ],
    ),
    collection(
        "pod-replica-links",
        &[
            // The other array's pod is replaced by this one's, whatever it held.
            between_arrays("POST", Action::PodLink, "remote_names", EVERY_ERADICATION),
            // Pausing or resuming, as the body's `paused` says.
            change("PATCH", Action::PodPauseLink),
            change("DELETE", Action::PodUnlink),
        ],
    ),
    read_only("pod-replica-links/lag"),
    collection(
        "volume-groups",
        &[
            change("POST", Action::VolumeGroupCreate),
            change("PATCH", Action::VolumeGroupChange),
            RestChange {
                amounts_to: EVERY_ERADICATION,
                ..change("DELETE", Action::VolumeGroupEradicate)
            },
        ],
    ),
    read_only("volume-groups/space"),
    read_only("volume-groups/performance"),
    read_only("volume-groups/volumes"),
    RestCollection {
        path: "audits",
        read: Role::Admin,
        changes: &[],
    },
];

/// Collections that hold credentials or give them out: never passed, for anyone. Everything
/// else the table does not name is refused too; these are named so that people know why.
pub const NEVER_PASSED: &[NeverPassed] = &[
    NeverPassed {
        path: "admins",
        why: "the array's accounts and their API tokens, among them the portal's own",
    },
    NeverPassed {
        path: "api-clients",
        why: "the array's API clients, whose keys sign in as anyone they name",
    },
    NeverPassed {
        path: "array-connections",
        why: "replication links and their connection keys",
    },
    NeverPassed {
        path: "certificates",
        why: "the array's certificates and their private keys",
    },
    NeverPassed {
        path: "directory-services",
        why: "directory bind credentials",
    },
    NeverPassed {
        path: "kmip",
        why: "key-management servers and their credentials",
    },
    NeverPassed {
        path: "object-store-access-keys",
        why: "object store secret keys",
    },
    NeverPassed {
        path: "realm-connections",
        why: "realm connection keys",
    },
    NeverPassed {
        path: "fleets",
        why: "fleet keys",
    },
    NeverPassed {
        path: "snmp-agents",
        why: "SNMP communities and secrets",
    },
    NeverPassed {
        path: "snmp-managers",
        why: "SNMP communities and secrets",
    },
    NeverPassed {
        path: "smtp-servers",
        why: "the relay's password",
    },
    NeverPassed {
        path: "sso",
        why: "the array's own single sign-on",
    },
];

/// What the gate lets a REST root call do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestPermit {
    pub role: Role,
    /// The audited action of a change; `None` for a read.
    pub action: Option<Action>,
    /// The actions it amounts to for the two-person rule, its own first.
    pub amounts_to: Vec<Action>,
    /// Volumes whose contents the call replaces: each gets a safety snapshot first.
    pub overwrites: Vec<String>,
    /// The other arrays a change reaches, as this array names its connections to them.
    pub other_arrays: Vec<String>,
}

impl RestPermit {
    /// The permit once the body is read (`field` gives a field's value as JSON text, if the
    /// body sets it): a volume made from a `source` is a copy, as the portal's own copy is
    /// audited and held; a group given a `retention_lock` is locked for good (SafeMode), which
    /// only admins may do; a pod given a `requested_promotion_state` is promoted or demoted,
    /// held by a rule on either; a link given `paused: false` is resumed.
    pub fn with_body(mut self, field: impl Fn(&str) -> Option<String>) -> Self {
        let sets = |name: &str| field(name).is_some();
        // A value that is neither `true` nor `false` is the array's to read: a rule holding
        // either holds it.
        if self.action == Some(Action::PodPauseLink) {
            match field("paused").as_deref() {
                Some("true") => {}
                Some("false") => {
                    self.action = Some(Action::PodResumeLink);
                    self.amounts_to = vec![Action::PodResumeLink];
                }
                _ => self.amounts_to.push(Action::PodResumeLink),
            }
        }
        if self.action == Some(Action::VolumeCreate) && sets("source") {
            self.action = Some(Action::VolumeCopy);
            self.amounts_to = vec![Action::VolumeCopy];
        }
        // The value is the array's to read: either way, a rule holding one holds it.
        if self.action == Some(Action::PodChange) && sets("requested_promotion_state") {
            self.amounts_to = vec![Action::PodChange, Action::PodPromote, Action::PodDemote];
        }
        if self.action == Some(Action::ProtectionGroupChange) && sets("retention_lock") {
            self.role = Role::Admin;
            self.action = Some(Action::ProtectionGroupLockRetention);
            self.amounts_to = vec![
                Action::ProtectionGroupLockRetention,
                Action::ProtectionGroupChange,
            ];
        }
        self
    }
}

/// Why a REST root call is refused, before it reaches the array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestRefusal {
    Never(&'static NeverPassed),
    NotPassed {
        method: String,
        path: String,
    },
    Exposes(String),
    Parameter(String),
    /// A parameter given twice, which the array and the audit log could read differently.
    Repeated(String),
    OverwriteUnnamed,
    /// `context_names`: the call would act on another array of the array's fleet.
    Context,
    /// A change reaching other arrays that does not name them by name, which the gate looks
    /// up: the parameter to name them with.
    OtherArraysUnnamed(&'static str),
}

impl RestRefusal {
    pub fn message(&self) -> String {
        match self {
            RestRefusal::Never(never) => format!(
                "The portal never passes {} to an array, for anyone: it holds {}.",
                never.path, never.why
            ),
            RestRefusal::NotPassed { method, path } => format!(
                "The portal does not pass {method:.10} {path:.100} to arrays; the REST root passes only the collections listed in the API reference."
            ),
            RestRefusal::Exposes(name) => format!(
                "The portal never passes {name:.60}: credentials stay on the portal."
            ),
            RestRefusal::Parameter(name) => {
                format!("{name:.60} is not a query parameter the REST root passes.")
            }
            RestRefusal::Repeated(name) => format!(
                "{name:.60} is given twice; give it once, with its values comma-separated."
            ),
            RestRefusal::Context => "A REST root acts on its own array only: call the other array's REST root rather than naming a context.".to_owned(),
            RestRefusal::OtherArraysUnnamed(parameter) => format!(
                "Name the other arrays with {parameter}, as this array names its connections, so that the portal can check that you may change them."
            ),
            RestRefusal::OverwriteUnnamed => {
                "An overwrite names its volumes with names=, so that each gets a safety snapshot first."
                    .to_owned()
            }
        }
    }
}

/// Looks `method` and `path` (as after `/api/2.x/`) and the raw query string up in the table.
pub fn rest_permit(method: &str, path: &str, query: &str) -> Result<RestPermit, RestRefusal> {
    let path = path.trim_end_matches('/');
    if let Some(never) = NEVER_PASSED.iter().find(|never| {
        path == never.path
            || path
                .strip_prefix(never.path)
                .is_some_and(|rest| rest.starts_with('/'))
    }) {
        return Err(RestRefusal::Never(never));
    }
    let parameters = query_pairs(query)?;
    // An array in a fleet acts on any other member it is given as context, whatever the
    // caller's scope on the portal.
    if parameters
        .iter()
        .any(|(name, _)| name.starts_with("context"))
    {
        return Err(RestRefusal::Context);
    }
    let not_passed = || RestRefusal::NotPassed {
        method: method.to_owned(),
        path: path.to_owned(),
    };
    let collection = REST_COLLECTIONS
        .iter()
        .find(|collection| collection.path == path)
        .ok_or_else(not_passed)?;
    if matches!(method, "GET" | "HEAD") {
        return Ok(RestPermit {
            role: collection.read,
            action: None,
            amounts_to: Vec::new(),
            overwrites: Vec::new(),
            other_arrays: Vec::new(),
        });
    }
    let change = collection
        .changes
        .iter()
        .find(|change| change.method == method)
        .ok_or_else(not_passed)?;
    let overwrite = parameters.iter().any(|(name, value)| {
        name == "overwrite" && !(value.eq_ignore_ascii_case("false") || value == "0")
    });
    let mut permit = RestPermit {
        role: change.action.least_role(),
        action: Some(change.action),
        amounts_to: std::iter::once(change.action)
            .chain(change.amounts_to.iter().copied())
            .collect(),
        overwrites: Vec::new(),
        other_arrays: Vec::new(),
    };
    if let Some(names_parameter) = change.other_arrays {
        let ids_parameter = names_parameter.trim_end_matches("names");
        if parameters.iter().any(|(name, _)| {
            name.strip_prefix(ids_parameter)
                .is_some_and(|rest| rest.starts_with("id"))
        }) {
            return Err(RestRefusal::OtherArraysUnnamed(names_parameter));
        }
        permit.other_arrays = parameters
            .iter()
            .filter(|(name, _)| name == names_parameter)
            .flat_map(|(_, value)| value.split(','))
            .map(|name| name.trim().to_owned())
            .filter(|name| !name.is_empty())
            .collect();
        if permit.other_arrays.is_empty() {
            return Err(RestRefusal::OtherArraysUnnamed(names_parameter));
        }
    }
    if overwrite && method == "POST" {
        match path {
            // Creating over an existing volume replaces its data: a restore, as the portal's
            // own restore does it, with a safety snapshot first.
            "volumes" => {
                let names: Vec<String> = parameters
                    .iter()
                    .filter(|(name, _)| name == "names")
                    .flat_map(|(_, value)| value.split(','))
                    .map(|name| name.trim().to_owned())
                    .filter(|name| !name.is_empty())
                    .collect();
                if names.is_empty() {
                    return Err(RestRefusal::OverwriteUnnamed);
                }
                permit.action = Some(Action::VolumeRestore);
                permit.amounts_to = vec![Action::VolumeRestore];
                permit.overwrites = names;
            }
            // A group copied over another replaces the data of its volumes.
            _ => {
                permit.role = Role::Admin;
                permit.amounts_to.push(Action::VolumeRestore);
            }
        }
    }
    Ok(permit)
}

/// The query's parameters, decoded as the array will decode them, refused when one asks for
/// credentials (`expose_*`) or has a name no REST 2.x parameter has.
fn query_pairs(query: &str) -> Result<Vec<(String, String)>, RestRefusal> {
    // Some servers also split a query at `;`: a name hidden after one would reach the array
    // unread here. Written as `%3B` it is plain data.
    if query.contains(';') {
        return Err(RestRefusal::Parameter(";".to_owned()));
    }
    let pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = percent_decoded(name).to_ascii_lowercase();
            if name.is_empty()
                || name.len() > 64
                || !name
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_')
            {
                return Err(RestRefusal::Parameter(name));
            }
            if name.starts_with("expose") {
                return Err(RestRefusal::Exposes(name));
            }
            // Values keep their case: a volume's name is passed as the caller spelt it.
            Ok((name, percent_decoded(value)))
        })
        .collect::<Result<_, _>>()?;
    // The audit log and the approver see one value per name; the array must get no other.
    let mut seen = std::collections::HashSet::new();
    for (name, _) in &pairs {
        if !seen.insert(name.as_str()) {
            return Err(RestRefusal::Repeated(name.clone()));
        }
    }
    Ok(pairs)
}

/// `text` with `+` as a space and `%XX` as its byte, as a form's query is read.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        let escaped = (byte == b'%')
            .then(|| text.get(index + 1..index + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (byte, escaped) {
            (_, Some(value)) => {
                decoded.push(value);
                index += 3;
            }
            (b'+', None) => {
                decoded.push(b' ');
                index += 1;
            }
            (other, None) => {
                decoded.push(other);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A body setting `name` only, to some value.
    fn setting(name: &'static str) -> impl Fn(&str) -> Option<String> {
        move |field| (field == name).then(|| "\"value\"".to_owned())
    }

    fn role(method: &str, path: &str, query: &str) -> Option<Role> {
        rest_permit(method, path, query)
            .ok()
            .map(|permit| permit.role)
    }

    #[test]
    fn reads_are_a_viewers_changes_an_operators_and_eradication_an_admins() {
        assert_eq!(role("GET", "volumes", ""), Some(Role::Viewer));
        assert_eq!(role("POST", "volumes", "names=a"), Some(Role::Operator));
        assert_eq!(role("PATCH", "volumes/", ""), Some(Role::Operator));
        assert_eq!(
            role("DELETE", "protection-groups/volumes", ""),
            Some(Role::Operator)
        );
        assert_eq!(role("DELETE", "hosts", ""), Some(Role::Operator));
        assert_eq!(role("DELETE", "volumes", ""), Some(Role::Admin));
        assert_eq!(role("DELETE", "volume-snapshots", ""), Some(Role::Admin));
        assert_eq!(role("DELETE", "pods", ""), Some(Role::Admin));
        assert_eq!(role("GET", "audits", ""), Some(Role::Admin));
    }

    #[test]
    fn credentials_are_never_passed_for_anyone() {
        for path in [
            "admins",
            "admins/api-tokens",
            "api-clients",
            "certificates/certificate-signing-requests",
            "kmip",
            "directory-services",
            "array-connections/connection-key",
        ] {
            for method in ["GET", "POST", "PATCH", "DELETE"] {
                assert!(
                    matches!(rest_permit(method, path, ""), Err(RestRefusal::Never(_))),
                    "{method} {path}"
                );
            }
        }
        for query in [
            "expose_api_token=true",
            "names=x&expose_public_key=true",
            "expose%5Fapi%5Ftoken=true",
            "EXPOSE_API_TOKEN=true",
        ] {
            assert!(
                matches!(
                    rest_permit("GET", "volumes", query),
                    Err(RestRefusal::Exposes(_))
                ),
                "{query}"
            );
        }
        assert!(matches!(
            rest_permit("GET", "volumes", "na%00mes=x"),
            Err(RestRefusal::Parameter(_))
        ));
        for query in [
            "names=a&names=b",
            "names=a&NAMES=b",
            "names=a&nam%65s=b",
            "names=a;expose_api_token=true",
        ] {
            assert!(rest_permit("DELETE", "volumes", query).is_err(), "{query}");
        }
        assert!(rest_permit("GET", "volumes", "filter=name%3D%27a%3Bb%27").is_ok());
    }

    #[test]
    fn what_the_table_does_not_name_is_refused() {
        for (method, path) in [
            ("PATCH", "arrays"),
            ("POST", "volumes/batch"),
            ("GET", "sessions"),
            ("PUT", "volumes"),
            ("GET", "volumesx"),
            ("GET", "Admins"),
        ] {
            assert!(rest_permit(method, path, "").is_err(), "{method} {path}");
        }
    }

    #[test]
    fn an_overwrite_is_a_restore_with_a_safety_snapshot() {
        let permit = rest_permit("POST", "volumes", "names=db-1,db-2&overwrite=true").unwrap();
        assert_eq!(permit.role, Role::Operator);
        assert_eq!(permit.action, Some(Action::VolumeRestore));
        assert_eq!(permit.overwrites, ["db-1", "db-2"]);
        let spelt = rest_permit("POST", "volumes", "overwrite=True&names=db%2D1").unwrap();
        assert_eq!(spelt.overwrites, ["db-1"]);
        let cased = rest_permit("POST", "volumes", "overwrite=TRUE&names=Db-1").unwrap();
        assert_eq!(cased.overwrites, ["Db-1"], "named as the caller spelt it");
        assert_eq!(
            rest_permit("POST", "volumes", "ids=1&overwrite=true"),
            Err(RestRefusal::OverwriteUnnamed)
        );
        let plain = rest_permit("POST", "volumes", "names=db-1&overwrite=false").unwrap();
        assert_eq!(plain.action, Some(Action::VolumeCreate));
        assert!(plain.overwrites.is_empty());
        let group = rest_permit("POST", "protection-groups", "overwrite=true").unwrap();
        assert_eq!(group.role, Role::Admin);
        assert!(group.amounts_to.contains(&Action::VolumeRestore));
    }

    #[test]
    fn a_volume_made_from_a_source_is_a_copy() {
        let permit = rest_permit("POST", "volumes", "names=clone").unwrap();
        let copy = permit.clone().with_body(setting("source"));
        assert_eq!(copy.action, Some(Action::VolumeCopy));
        assert_eq!(copy.amounts_to, [Action::VolumeCopy]);
        let plain = permit.with_body(|_| None);
        assert_eq!(plain.action, Some(Action::VolumeCreate));
        let restore = rest_permit("POST", "volumes", "names=db-1&overwrite=true")
            .unwrap()
            .with_body(setting("source"));
        assert_eq!(
            restore.action,
            Some(Action::VolumeRestore),
            "an overwrite stays a restore"
        );
    }

    #[test]
    fn locking_a_groups_retention_is_for_admins_whichever_way_it_comes() {
        let permit = rest_permit("PATCH", "protection-groups", "names=pg1").unwrap();
        assert_eq!(permit.role, Role::Operator);
        let lock = permit.with_body(setting("retention_lock"));
        assert_eq!(lock.role, Role::Admin);
        assert_eq!(lock.action, Some(Action::ProtectionGroupLockRetention));
    }

    #[test]
    fn promoting_or_demoting_a_pod_is_held_by_a_rule_on_either() {
        let permit = rest_permit("PATCH", "pods", "names=p1").unwrap();
        assert_eq!(permit.amounts_to, vec![Action::PodChange]);
        let promotion = permit.with_body(setting("requested_promotion_state"));
        assert!(promotion.amounts_to.contains(&Action::PodPromote));
        assert!(promotion.amounts_to.contains(&Action::PodDemote));
    }

    #[test]
    fn eradicating_a_container_amounts_to_eradicating_what_it_holds() {
        for path in ["pods", "volume-groups"] {
            let permit = rest_permit("DELETE", path, "eradicate_contents=true").unwrap();
            assert!(
                permit.amounts_to.contains(&Action::VolumeEradicate),
                "{path}"
            );
        }
        let group = rest_permit("DELETE", "protection-groups", "names=pg").unwrap();
        assert!(
            group
                .amounts_to
                .contains(&Action::ProtectionGroupSnapshotEradicate)
        );
    }

    #[test]
    fn a_change_reaching_other_arrays_names_them_by_name() {
        let link = rest_permit(
            "POST",
            "pod-replica-links",
            "local_pod_names=p&remote_pod_names=q&remote_names=dr-1",
        )
        .unwrap();
        assert_eq!(link.action, Some(Action::PodLink));
        assert!(
            link.amounts_to.contains(&Action::VolumeEradicate),
            "the other pod's volumes are replaced"
        );
        assert_eq!(link.other_arrays, ["dr-1"]);
        let stretch =
            rest_permit("POST", "pods/arrays", "group_names=p&member_names=a,%20b").unwrap();
        assert_eq!(stretch.other_arrays, ["a", "b"]);
        assert!(stretch.amounts_to.contains(&Action::PodCreate));
        let unstretch =
            rest_permit("DELETE", "pods/arrays", "group_names=p&member_names=b").unwrap();
        assert!(unstretch.amounts_to.contains(&Action::VolumeEradicate));
        let target = rest_permit(
            "POST",
            "protection-groups/targets",
            "group_names=g&member_names=dr-1",
        )
        .unwrap();
        assert_eq!(target.action, Some(Action::ProtectionGroupAddTarget));
        assert_eq!(target.role, Role::Admin);
        for (method, path, query) in [
            (
                "POST",
                "pod-replica-links",
                "local_pod_names=p&remote_pod_names=q&remote_ids=1",
            ),
            (
                "POST",
                "pod-replica-links",
                "local_pod_names=p&remote_pod_names=q",
            ),
            ("POST", "pods/arrays", "group_names=p&member_ids=1"),
            (
                "POST",
                "pods/arrays",
                "group_names=p&member_names=a&Member_Ids=1",
            ),
            (
                "DELETE",
                "protection-groups/targets",
                "group_names=g&member_names=,",
            ),
        ] {
            assert_eq!(
                rest_permit(method, path, query).map(|permit| permit.other_arrays),
                Err(RestRefusal::OtherArraysUnnamed(
                    if path == "pod-replica-links" {
                        "remote_names"
                    } else {
                        "member_names"
                    }
                )),
                "{method} {path}?{query}"
            );
        }
        // Allowing runs on the target, which names only itself.
        let allow = rest_permit("PATCH", "protection-groups/targets", "group_names=src:g").unwrap();
        assert!(allow.other_arrays.is_empty());
    }

    #[test]
    fn a_link_is_paused_or_resumed_as_its_body_says() {
        let permit = rest_permit("PATCH", "pod-replica-links", "local_pod_names=p").unwrap();
        let field =
            |value: &'static str| move |name: &str| (name == "paused").then(|| value.to_owned());
        let paused = permit.clone().with_body(field("true"));
        assert_eq!(paused.action, Some(Action::PodPauseLink));
        let resumed = permit.clone().with_body(field("false"));
        assert_eq!(resumed.action, Some(Action::PodResumeLink));
        assert_eq!(resumed.amounts_to, [Action::PodResumeLink]);
        for unclear in ["0", "\"false\"", "null"] {
            let either = permit.clone().with_body(field(unclear));
            assert!(
                either.amounts_to.contains(&Action::PodPauseLink),
                "{unclear}"
            );
            assert!(
                either.amounts_to.contains(&Action::PodResumeLink),
                "{unclear}"
            );
        }
    }

    #[test]
    fn no_call_acts_on_another_array_of_the_fleet() {
        for query in [
            "context_names=other",
            "names=a&CONTEXT_NAMES=other",
            "context%5Fids=1",
        ] {
            for method in ["GET", "PATCH"] {
                assert_eq!(
                    rest_permit(method, "volumes", query),
                    Err(RestRefusal::Context),
                    "{method} {query}"
                );
            }
        }
    }

    #[test]
    fn every_collection_is_listed_once_and_none_is_also_never_passed() {
        for (index, collection) in REST_COLLECTIONS.iter().enumerate() {
            assert!(
                !REST_COLLECTIONS[..index]
                    .iter()
                    .any(|other| other.path == collection.path),
                "{} twice",
                collection.path
            );
            assert!(
                rest_permit("GET", collection.path, "").is_ok(),
                "{}",
                collection.path
            );
        }
    }

    proptest! {
        #[test]
        fn any_call_is_judged_without_panicking(
            method in "(GET|POST|PATCH|PUT|DELETE|[A-Z]{1,8})",
            path in "[a-z/-]{0,40}",
            query in ".{0,120}",
        ) {
            let _ = rest_permit(&method, &path, &query);
        }

        #[test]
        fn an_exposing_parameter_is_refused_however_it_is_written(
            prefix in "(names=a&)?",
            spelling in "(expose|EXPOSE|%65xpose|expos%65|Expose)_[a-z_]{1,20}",
        ) {
            let query = format!("{prefix}{spelling}=true");
            prop_assert!(rest_permit("GET", "volumes", &query).is_err());
        }
    }
}
