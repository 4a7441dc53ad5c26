//! Group memberships, which the API lists, adds and removes alike whatever the group: hosts
//! in host groups, and each kind of protection group member.

use shared::flasharray::Membership;

use crate::error::ApiFault;
use crate::records::MemberKind;
use crate::state::ArrayState;

/// Which groups and which members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// Hosts in host groups; a host is in one group at most.
    HostGroupHosts,
    /// Protection groups and their members of one kind.
    Protection(MemberKind),
}

impl ArrayState {
    /// Every membership of `relation`.
    pub fn memberships_of(&self, relation: Relation) -> Vec<Membership> {
        match relation {
            Relation::HostGroupHosts => self.memberships(),
            Relation::Protection(kind) => self.protection_memberships(kind),
        }
    }

    /// Adds `members` to `group`, stopping at the first that cannot be added.
    pub fn add_members(
        &mut self,
        relation: Relation,
        user: &str,
        group: &str,
        members: &[String],
        now_ms: i64,
    ) -> Result<Vec<Membership>, ApiFault> {
        match relation {
            Relation::HostGroupHosts => members
                .iter()
                .map(|member| self.add_member(user, group, member, now_ms))
                .collect(),
            Relation::Protection(kind) => {
                self.add_protection_members(user, kind, group, members, now_ms)
            }
        }
    }

    /// Removes `members` from `group`, stopping at the first that is not in it.
    pub fn remove_members(
        &mut self,
        relation: Relation,
        user: &str,
        group: &str,
        members: &[String],
        now_ms: i64,
    ) -> Result<(), ApiFault> {
        match relation {
            Relation::HostGroupHosts => members
                .iter()
                .try_for_each(|member| self.remove_member(user, group, member, now_ms)),
            Relation::Protection(kind) => {
                self.remove_protection_members(user, kind, group, members, now_ms)
            }
        }
    }
}
