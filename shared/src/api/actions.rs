//! Every change the portal audits, in one table: its name in the audit log, the least role
//! that may ask for it, and whether it eradicates. The API's routes, the REST roots' table, the
//! two-person rule (`[approvals] actions` names these, and nothing else) and the UI's role
//! gates and confirmations all read it, so they cannot disagree.

use serde::{Deserialize, Serialize};

use super::Role;

macro_rules! actions {
    ($($variant:ident = $name:literal, $role:ident, $eradicates:literal;)*) => {
        /// A change the portal audits, named as the audit log and `[approvals] actions` name it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum Action {
            $(#[serde(rename = $name)] $variant,)*
        }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant),*];

            /// As the audit log records it, such as `volume.create`.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Action::$variant => $name,)*
                }
            }

            /// The least role that may ask for it.
            pub const fn least_role(self) -> Role {
                match self {
                    $(Action::$variant => Role::$role,)*
                }
            }

            /// Whether it destroys something for good, beyond the recycle bin's reach.
            pub const fn eradicates(self) -> bool {
                match self {
                    $(Action::$variant => $eradicates,)*
                }
            }
        }
    };
}

actions! {
    SessionLogout = "session.logout", Viewer, false;
    RestLogout = "rest.logout", Viewer, false;
    TokenCreate = "token.create", Viewer, false;
    TokenRevoke = "token.revoke", Viewer, false;
    ApprovalApprove = "approval.approve", Viewer, false;
    ApprovalReject = "approval.reject", Viewer, false;
    ApprovalCancel = "approval.cancel", Viewer, false;
    ApprovalRun = "approval.run", Viewer, false;
    ArrayRegister = "array.register", Admin, false;
    ArrayRemove = "array.remove", Admin, false;
    ArrayTest = "array.test", Admin, false;
    ArrayTestUnsaved = "array.test_unsaved", Admin, false;
    UserCreate = "user.create", Admin, false;
    UserChange = "user.change", Admin, false;
    UserSetRole = "user.set_role", Admin, false;
    UserDisable = "user.disable", Admin, false;
    UserEnable = "user.enable", Admin, false;
    UserResetPassword = "user.reset_password", Admin, false;
    UserSetArrays = "user.set_arrays", Admin, false;
    UserSetArrayUsername = "user.set_array_username", Admin, false;
    UserEndSessions = "user.end_sessions", Admin, false;
    Pure1GenerateKeyPair = "pure1.generate_key_pair", Admin, false;
    Pure1Test = "pure1.test", Admin, false;
    Pure1Connect = "pure1.connect", Admin, false;
    Pure1Disconnect = "pure1.disconnect", Admin, false;
    ArrayConnectionCreate = "array_connection.create", Admin, false;
    ArrayConnectionDelete = "array_connection.delete", Admin, false;
    VolumeCreate = "volume.create", Operator, false;
    VolumeChange = "volume.change", Operator, false;
    VolumeDestroy = "volume.destroy", Operator, false;
    VolumeRecover = "volume.recover", Operator, false;
    VolumeRename = "volume.rename", Operator, false;
    VolumeResize = "volume.resize", Operator, false;
    VolumeSetQos = "volume.set_qos", Operator, false;
    VolumeCopy = "volume.copy", Operator, false;
    VolumeRestore = "volume.restore", Operator, false;
    VolumeEradicate = "volume.eradicate", Admin, true;
    SnapshotCreate = "snapshot.create", Operator, false;
    SnapshotChange = "snapshot.change", Operator, false;
    SnapshotDestroy = "snapshot.destroy", Operator, false;
    SnapshotRecover = "snapshot.recover", Operator, false;
    SnapshotRename = "snapshot.rename", Operator, false;
    SnapshotEradicate = "snapshot.eradicate", Admin, true;
    HostCreate = "host.create", Operator, false;
    HostChange = "host.change", Operator, false;
    HostRename = "host.rename", Operator, false;
    HostSetPorts = "host.set_ports", Operator, false;
    HostSetChap = "host.set_chap", Operator, false;
    HostSetPersonality = "host.set_personality", Operator, false;
    HostDelete = "host.delete", Operator, false;
    HostGroupCreate = "host_group.create", Operator, false;
    HostGroupChange = "host_group.change", Operator, false;
    HostGroupRename = "host_group.rename", Operator, false;
    HostGroupDelete = "host_group.delete", Operator, false;
    HostGroupAddHost = "host_group.add_host", Operator, false;
    HostGroupRemoveHost = "host_group.remove_host", Operator, false;
    ConnectionCreate = "connection.create", Operator, false;
    ConnectionDelete = "connection.delete", Operator, false;
    ProtectionGroupCreate = "protection_group.create", Operator, false;
    ProtectionGroupChange = "protection_group.change", Operator, false;
    ProtectionGroupDestroy = "protection_group.destroy", Operator, false;
    ProtectionGroupRecover = "protection_group.recover", Operator, false;
    ProtectionGroupRename = "protection_group.rename", Operator, false;
    ProtectionGroupSetSchedule = "protection_group.set_schedule", Operator, false;
    ProtectionGroupSetRetention = "protection_group.set_retention", Operator, false;
    ProtectionGroupAddMembers = "protection_group.add_members", Operator, false;
    ProtectionGroupRemoveMembers = "protection_group.remove_members", Operator, false;
    ProtectionGroupSnapshot = "protection_group.snapshot", Operator, false;
    ProtectionGroupAddTarget = "protection_group.add_target", Admin, false;
    ProtectionGroupAllowTarget = "protection_group.allow_target", Admin, false;
    ProtectionGroupRemoveTarget = "protection_group.remove_target", Admin, false;
    ProtectionGroupLockRetention = "protection_group.lock_retention", Admin, false;
    ProtectionGroupEradicate = "protection_group.eradicate", Admin, true;
    ProtectionGroupSnapshotChange = "protection_group_snapshot.change", Operator, false;
    ProtectionGroupSnapshotDestroy = "protection_group_snapshot.destroy", Operator, false;
    ProtectionGroupSnapshotRecover = "protection_group_snapshot.recover", Operator, false;
    ProtectionGroupSnapshotEradicate = "protection_group_snapshot.eradicate", Admin, true;
    VolumeGroupCreate = "volume_group.create", Admin, false;
    VolumeGroupChange = "volume_group.change", Admin, false;
    VolumeGroupDestroy = "volume_group.destroy", Admin, false;
    VolumeGroupRecover = "volume_group.recover", Admin, false;
    VolumeGroupRename = "volume_group.rename", Admin, false;
    VolumeGroupEradicate = "volume_group.eradicate", Admin, true;
    PodCreate = "pod.create", Admin, false;
    PodChange = "pod.change", Admin, false;
    PodDestroy = "pod.destroy", Admin, false;
    PodRecover = "pod.recover", Admin, false;
    PodPromote = "pod.promote", Admin, false;
    PodDemote = "pod.demote", Admin, false;
    PodLink = "pod.link", Admin, false;
    PodPauseLink = "pod.pause_link", Admin, false;
    PodResumeLink = "pod.resume_link", Admin, false;
    PodUnlink = "pod.unlink", Admin, false;
    PodStretch = "pod.stretch", Admin, false;
    PodUnstretch = "pod.unstretch", Admin, false;
    PodEradicate = "pod.eradicate", Admin, true;
    AlertFlag = "alert.flag", Operator, false;
    NotificationChannelCreate = "notification_channel.create", Admin, false;
    NotificationChannelDelete = "notification_channel.delete", Admin, false;
    NotificationChannelTest = "notification_channel.test", Admin, false;
    NotificationRuleCreate = "notification_rule.create", Admin, false;
    NotificationRuleDelete = "notification_rule.delete", Admin, false;
    NotificationDeliveryRetry = "notification_delivery.retry", Admin, false;
    NotificationPersonalMail = "notification_personal_mail.change", Admin, false;
    NotificationSilenceCreate = "notification_silence.create", Admin, false;
    NotificationSilenceEnd = "notification_silence.end", Admin, false;
    NotificationSubscribe = "notification_subscription.change", Viewer, false;
    NotificationReportChange = "notification_report.change", Admin, false;
    NotificationReportSend = "notification_report.send", Admin, false;
    FleetSnapshot = "fleet.snapshot", Operator, false;
    FleetDestroy = "fleet.destroy", Operator, false;
    RecycleBinRecover = "recycle_bin.recover", Operator, false;
    RecycleBinEradicate = "recycle_bin.eradicate", Admin, true;
}

impl Action {
    /// Whether `[approvals] actions` may hold it: a decision on a held change (or cancelling
    /// its window) is never held itself.
    pub const fn can_be_held(self) -> bool {
        !matches!(
            self,
            Action::ApprovalApprove
                | Action::ApprovalReject
                | Action::ApprovalCancel
                | Action::ApprovalRun
        )
    }
}

/// When a general change's body sets the field: with this value (as JSON text), or with any.
enum Sets {
    To(&'static str),
    Any,
}

/// What a general change does, by the fields its body sets, most consequential first: one
/// `PATCH` destroys, recovers, renames or resizes a volume, and Purity's own audit trail names
/// each as the admin did it.
const WHAT_IT_DOES: &[(Action, &str, Sets, Action)] = {
    use Action::*;
    use Sets::{Any, To};
    &[
        (VolumeChange, "destroyed", To("true"), VolumeDestroy),
        (VolumeChange, "destroyed", To("false"), VolumeRecover),
        (VolumeChange, "name", Any, VolumeRename),
        (VolumeChange, "provisioned", Any, VolumeResize),
        (VolumeChange, "qos", Any, VolumeSetQos),
        (SnapshotChange, "destroyed", To("true"), SnapshotDestroy),
        (SnapshotChange, "destroyed", To("false"), SnapshotRecover),
        (SnapshotChange, "name", Any, SnapshotRename),
        (HostChange, "name", Any, HostRename),
        (HostChange, "add_iqns", Any, HostSetPorts),
        (HostChange, "remove_iqns", Any, HostSetPorts),
        (HostChange, "add_wwns", Any, HostSetPorts),
        (HostChange, "remove_wwns", Any, HostSetPorts),
        (HostChange, "add_nqns", Any, HostSetPorts),
        (HostChange, "remove_nqns", Any, HostSetPorts),
        (HostChange, "chap", Any, HostSetChap),
        (HostChange, "personality", Any, HostSetPersonality),
        (HostGroupChange, "name", Any, HostGroupRename),
        (
            ProtectionGroupChange,
            "destroyed",
            To("true"),
            ProtectionGroupDestroy,
        ),
        (
            ProtectionGroupChange,
            "destroyed",
            To("false"),
            ProtectionGroupRecover,
        ),
        (ProtectionGroupChange, "name", Any, ProtectionGroupRename),
        (
            ProtectionGroupChange,
            "snapshot_schedule",
            Any,
            ProtectionGroupSetSchedule,
        ),
        (
            ProtectionGroupChange,
            "replication_schedule",
            Any,
            ProtectionGroupSetSchedule,
        ),
        (
            ProtectionGroupChange,
            "source_retention",
            Any,
            ProtectionGroupSetRetention,
        ),
        (
            ProtectionGroupChange,
            "target_retention",
            Any,
            ProtectionGroupSetRetention,
        ),
        (
            ProtectionGroupSnapshotChange,
            "destroyed",
            To("true"),
            ProtectionGroupSnapshotDestroy,
        ),
        (
            ProtectionGroupSnapshotChange,
            "destroyed",
            To("false"),
            ProtectionGroupSnapshotRecover,
        ),
        (
            VolumeGroupChange,
            "destroyed",
            To("true"),
            VolumeGroupDestroy,
        ),
        (
            VolumeGroupChange,
            "destroyed",
            To("false"),
            VolumeGroupRecover,
        ),
        (VolumeGroupChange, "name", Any, VolumeGroupRename),
        (PodChange, "destroyed", To("true"), PodDestroy),
        (PodChange, "destroyed", To("false"), PodRecover),
        (UserChange, "disabled", To("true"), UserDisable),
        (UserChange, "disabled", To("false"), UserEnable),
        (UserChange, "role", Any, UserSetRole),
        (UserChange, "password", Any, UserResetPassword),
        (UserChange, "arrays", Any, UserSetArrays),
        (UserChange, "array_username", Any, UserSetArrayUsername),
    ]
};

impl Action {
    /// What this general change does, by what its body sets (`field` gives a field's value as
    /// JSON text, if the body sets it), most consequential first; empty when it sets nothing
    /// the table names. The audit log records the first, and a rule holding any holds it.
    pub fn what_it_does(self, field: impl Fn(&str) -> Option<String>) -> Vec<Action> {
        let mut done = Vec::new();
        for (general, name, sets, specific) in WHAT_IT_DOES {
            if *general != self || done.contains(specific) {
                continue;
            }
            // A value that is neither `true` nor `false` is the array's to read: it counts as
            // either, so a rule holding one holds it.
            let matches = match (sets, field(name)) {
                (_, None) => false,
                (Sets::Any, Some(_)) => true,
                (Sets::To(wanted), Some(value)) => {
                    value == *wanted || !matches!(value.as_str(), "true" | "false")
                }
            };
            if matches {
                done.push(*specific);
            }
        }
        done
    }

    /// The general change this one is a kind of, such as `volume.change` for `volume.destroy`.
    pub fn general(self) -> Action {
        WHAT_IT_DOES
            .iter()
            .find(|(_, _, _, specific)| *specific == self)
            .map_or(self, |(general, ..)| *general)
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Action {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Action::ALL
            .iter()
            .copied()
            .find(|action| action.name() == name)
            .ok_or_else(|| format!("no change is audited as {name:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_read_back_through_serde_and_from_str() {
        let mut names: Vec<&str> = Action::ALL.iter().map(|action| action.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Action::ALL.len());
        for action in Action::ALL {
            let json = serde_json::to_string(action).expect("serializes");
            assert_eq!(json, format!("\"{}\"", action.name()));
            assert_eq!(
                serde_json::from_str::<Action>(&json).expect("reads"),
                *action
            );
            assert_eq!(action.name().parse::<Action>(), Ok(*action));
        }
    }

    #[test]
    fn an_unknown_name_is_refused() {
        let error = serde_json::from_str::<Action>("\"volume.erradicate\"").unwrap_err();
        assert!(error.to_string().contains("unknown variant"), "{error}");
        assert!("volume.erradicate".parse::<Action>().is_err());
    }

    fn body(fields: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            fields
                .iter()
                .find(|(field, _)| *field == name)
                .map(|(_, value)| (*value).to_owned())
        }
    }

    #[test]
    fn a_change_is_named_for_what_it_does_most_consequential_first() {
        let destroy = Action::VolumeChange.what_it_does(body(&[("destroyed", "true")]));
        assert_eq!(destroy, [Action::VolumeDestroy]);
        let recover = Action::VolumeChange.what_it_does(body(&[("destroyed", "false")]));
        assert_eq!(recover, [Action::VolumeRecover]);
        let both = Action::VolumeChange.what_it_does(body(&[
            ("provisioned", "1073741824"),
            ("name", "\"renamed\""),
            ("destroyed", "true"),
        ]));
        assert_eq!(
            both,
            [
                Action::VolumeDestroy,
                Action::VolumeRename,
                Action::VolumeResize
            ]
        );
        let ports = Action::HostChange.what_it_does(body(&[
            ("add_iqns", "[\"iqn.x\"]"),
            ("remove_wwns", "[\"1\"]"),
        ]));
        assert_eq!(ports, [Action::HostSetPorts]);
        // A value the array is left to read counts as either, the most consequential first.
        let odd = Action::VolumeChange.what_it_does(body(&[("destroyed", "\"yes\"")]));
        assert_eq!(odd, [Action::VolumeDestroy, Action::VolumeRecover]);
        let null = Action::VolumeChange.what_it_does(body(&[("destroyed", "null")]));
        assert_eq!(null, [Action::VolumeDestroy, Action::VolumeRecover]);
        assert!(
            Action::VolumeCreate
                .what_it_does(body(&[("name", "\"v\"")]))
                .is_empty()
        );
    }

    #[test]
    fn what_a_change_does_asks_what_the_general_change_asks() {
        for action in Action::ALL {
            let general = action.general();
            assert_eq!(action.least_role(), general.least_role(), "{action}");
            assert_eq!(action.eradicates(), general.eradicates(), "{action}");
            if general != *action {
                assert!(action.can_be_held(), "{action}");
                assert_eq!(general.general(), general, "{action}");
                let (noun, _) = action.name().split_once('.').expect("a dot");
                assert!(general.name().starts_with(noun), "{action}");
            }
        }
    }

    #[test]
    fn eradications_need_an_admin() {
        for action in Action::ALL.iter().filter(|action| action.eradicates()) {
            assert_eq!(action.least_role(), Role::Admin, "{action}");
            assert!(action.name().ends_with("eradicate"), "{action}");
        }
    }
}
