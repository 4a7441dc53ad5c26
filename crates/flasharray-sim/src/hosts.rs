//! Hosts, host groups and connections on a simulated array, with the rules an array enforces:
//! every initiator port belongs to one host, a host to at most one host group, and a LUN is
//! used once among everything a host sees.

use std::collections::BTreeSet;

use shared::flasharray::{
    Chap, Connection, HOST_PERSONALITIES, Host, HostGroup, HostPatch, HostPost, Membership,
    Reference,
};
use shared::names::validate_object_name;
use shared::ports::{normalize_iqn, normalize_nqn, normalize_wwn};

use crate::collection::{self, reference};
use crate::error::ApiFault;
use crate::records::{ConnectionRecord, Target};
use crate::state::ArrayState;

/// The LUNs an array hands out.
pub const LUNS: std::ops::RangeInclusive<u32> = 1..=4095;

impl ArrayState {
    fn host_index(&self, name: &str) -> Result<usize, ApiFault> {
        collection::position(&self.hosts, name)
    }

    fn group_index(&self, name: &str) -> Result<usize, ApiFault> {
        collection::position(&self.host_groups, name)
    }

    fn host_or_group_name_taken(&self, name: &str) -> bool {
        self.hosts
            .iter()
            .any(|host| host.name.eq_ignore_ascii_case(name))
            || self
                .host_groups
                .iter()
                .any(|group| group.name.eq_ignore_ascii_case(name))
    }

    /// Refuses `name` for a host or host group unless it is valid and no other host or host
    /// group has it (they share one namespace); `current` is the object's own name when renamed.
    fn check_new_name(
        &self,
        kind: &str,
        name: &str,
        current: Option<&str>,
    ) -> Result<(), ApiFault> {
        validate_object_name(kind, name).map_err(|message| ApiFault::bad_request(name, message))?;
        let own = current.is_some_and(|current| name.eq_ignore_ascii_case(current));
        if !own && self.host_or_group_name_taken(name) {
            return Err(ApiFault::bad_request(
                name,
                "Host or host group already exists.",
            ));
        }
        Ok(())
    }

    /// Which host already has this port, other than `except`.
    fn port_owner(&self, port: &str, except: Option<&str>) -> Option<&str> {
        self.hosts
            .iter()
            .filter(|host| Some(host.name.as_str()) != except)
            .find(|host| {
                host.iqns
                    .iter()
                    .chain(&host.wwns)
                    .chain(&host.nqns)
                    .any(|own| own.eq_ignore_ascii_case(port))
            })
            .map(|host| host.name.as_str())
    }

    fn checked_ports(
        &self,
        host: &str,
        ports: &[String],
        normalize: fn(&str) -> Result<String, String>,
    ) -> Result<Vec<String>, ApiFault> {
        let mut checked: Vec<String> = Vec::new();
        for port in ports {
            let port = normalize(port).map_err(|message| ApiFault::bad_request(host, message))?;
            if let Some(owner) = self.port_owner(&port, Some(host)) {
                return Err(ApiFault::bad_request(
                    host,
                    format!("{port} is already in use by host {owner}."),
                ));
            }
            if !checked.contains(&port) {
                checked.push(port);
            }
        }
        Ok(checked)
    }

    pub fn create_host(
        &mut self,
        user: &str,
        name: &str,
        post: &HostPost,
        now_ms: i64,
    ) -> Result<Host, ApiFault> {
        self.check_new_name("Host", name, None)?;
        let personality = check_personality(name, post.personality.as_deref())?;
        let host = Host {
            name: name.to_owned(),
            iqns: self.checked_ports(name, &post.iqns, normalize_iqn)?,
            wwns: self.checked_ports(name, &post.wwns, normalize_wwn)?,
            nqns: self.checked_ports(name, &post.nqns, normalize_nqn)?,
            personality,
            host_group: Reference::default(),
            connection_count: 0,
            chap: merge_chap(name, None, post.chap.as_ref())?,
        };
        self.hosts.push(host.clone());
        self.audit(user, "purehost", "create", name.to_owned(), now_ms);
        Ok(mask(host))
    }

    pub fn hosts_view(&self) -> Vec<Host> {
        self.hosts.iter().cloned().map(mask).collect()
    }

    pub fn patch_host(
        &mut self,
        user: &str,
        name: &str,
        patch: &HostPatch,
        now_ms: i64,
    ) -> Result<Host, ApiFault> {
        let index = self.host_index(name)?;
        let mut host = self.hosts[index].clone();
        let add = |state: &Self,
                   current: &mut Vec<String>,
                   added: &[String],
                   normalize: fn(&str) -> Result<String, String>| {
            for port in state.checked_ports(name, added, normalize)? {
                if !current.contains(&port) {
                    current.push(port);
                }
            }
            Ok::<(), ApiFault>(())
        };
        let remove = |current: &mut Vec<String>,
                      removed: &[String],
                      normalize: fn(&str) -> Result<String, String>| {
            for port in removed {
                let port =
                    normalize(port).map_err(|message| ApiFault::bad_request(name, message))?;
                let before = current.len();
                current.retain(|own| *own != port);
                if current.len() == before {
                    return Err(ApiFault::bad_request(
                        name,
                        format!("Host {name} has no port {port}."),
                    ));
                }
            }
            Ok::<(), ApiFault>(())
        };
        add(self, &mut host.iqns, &patch.add_iqns, normalize_iqn)?;
        add(self, &mut host.wwns, &patch.add_wwns, normalize_wwn)?;
        add(self, &mut host.nqns, &patch.add_nqns, normalize_nqn)?;
        remove(&mut host.iqns, &patch.remove_iqns, normalize_iqn)?;
        remove(&mut host.wwns, &patch.remove_wwns, normalize_wwn)?;
        remove(&mut host.nqns, &patch.remove_nqns, normalize_nqn)?;
        if patch.personality.is_some() {
            host.personality = check_personality(name, patch.personality.as_deref())?;
        }
        if patch.chap.is_some() {
            host.chap = merge_chap(name, host.chap.as_ref(), patch.chap.as_ref())?;
        }
        if let Some(new_name) = &patch.name {
            self.check_new_name("Host", new_name, Some(name))?;
            for record in &mut self.connections {
                if record.target == Target::Host(name.to_owned()) {
                    record.target = Target::Host(new_name.clone());
                }
            }
            host.name = new_name.clone();
        }
        self.hosts[index] = host.clone();
        self.follow_member_changes(Some((name, &host.name)));
        self.audit(user, "purehost", "setattr", name.to_owned(), now_ms);
        Ok(mask(host))
    }

    pub fn delete_host(&mut self, user: &str, name: &str, now_ms: i64) -> Result<(), ApiFault> {
        let index = self.host_index(name)?;
        let host = &self.hosts[index];
        if let Some(group) = &host.host_group.name {
            return Err(ApiFault::bad_request(
                name,
                format!("Host is a member of host group {group}. Remove it from the group first."),
            ));
        }
        if host.connection_count > 0 {
            return Err(ApiFault::bad_request(
                name,
                format!(
                    "Host has {} connection(s). Disconnect its volumes first.",
                    host.connection_count
                ),
            ));
        }
        self.hosts.remove(index);
        self.follow_member_changes(None);
        self.audit(user, "purehost", "delete", name.to_owned(), now_ms);
        Ok(())
    }

    pub fn create_host_group(
        &mut self,
        user: &str,
        name: &str,
        now_ms: i64,
    ) -> Result<HostGroup, ApiFault> {
        self.check_new_name("Host group", name, None)?;
        let group = HostGroup {
            name: name.to_owned(),
            host_count: 0,
            connection_count: 0,
        };
        self.host_groups.push(group.clone());
        self.audit(user, "purehgroup", "create", name.to_owned(), now_ms);
        Ok(group)
    }

    /// `PATCH /host-groups?names=NAME` with a new name: its hosts, connections and
    /// protection group memberships follow.
    pub fn rename_host_group(
        &mut self,
        user: &str,
        name: &str,
        new_name: &str,
        now_ms: i64,
    ) -> Result<HostGroup, ApiFault> {
        let index = self.group_index(name)?;
        self.check_new_name("Host group", new_name, Some(name))?;
        for host in &mut self.hosts {
            if host.host_group.name.as_deref() == Some(name) {
                host.host_group = reference(new_name);
            }
        }
        for record in &mut self.connections {
            if record.target == Target::Group(name.to_owned()) {
                record.target = Target::Group(new_name.to_owned());
            }
        }
        self.host_groups[index].name = new_name.to_owned();
        self.follow_member_changes(Some((name, new_name)));
        self.audit(
            user,
            "purehgroup",
            "rename",
            format!("{name} {new_name}"),
            now_ms,
        );
        Ok(self.host_groups[index].clone())
    }

    pub fn host_groups_view(&self) -> Vec<HostGroup> {
        self.host_groups.clone()
    }

    pub fn delete_host_group(
        &mut self,
        user: &str,
        name: &str,
        now_ms: i64,
    ) -> Result<(), ApiFault> {
        let index = self.group_index(name)?;
        let group = &self.host_groups[index];
        if group.host_count > 0 {
            return Err(ApiFault::bad_request(
                name,
                "Host group has hosts. Remove them first.",
            ));
        }
        if group.connection_count > 0 {
            return Err(ApiFault::bad_request(
                name,
                "Host group has connections. Disconnect its volumes first.",
            ));
        }
        self.host_groups.remove(index);
        self.follow_member_changes(None);
        self.audit(user, "purehgroup", "delete", name.to_owned(), now_ms);
        Ok(())
    }

    pub fn memberships(&self) -> Vec<Membership> {
        self.hosts
            .iter()
            .filter_map(|host| {
                host.host_group.name.as_ref().map(|group| Membership {
                    group: reference(group),
                    member: reference(&host.name),
                })
            })
            .collect()
    }

    /// Adds a host to a group, unless it is in another one or a LUN would clash.
    pub fn add_member(
        &mut self,
        user: &str,
        group: &str,
        host: &str,
        now_ms: i64,
    ) -> Result<Membership, ApiFault> {
        self.group_index(group)?;
        let index = self.host_index(host)?;
        if let Some(current) = &self.hosts[index].host_group.name {
            return Err(ApiFault::bad_request(
                host,
                format!("Host is already a member of host group {current}."),
            ));
        }
        let group_luns = self.luns_of(&Target::Group(group.to_owned()));
        let host_luns = self.luns_of(&Target::Host(host.to_owned()));
        if let Some(lun) = group_luns.intersection(&host_luns).next() {
            return Err(ApiFault::bad_request(
                host,
                format!("LUN {lun} is used both by host {host} and by host group {group}."),
            ));
        }
        self.hosts[index].host_group = reference(group);
        self.refresh_connection_counts();
        self.audit(
            user,
            "purehgroup",
            "setattr",
            format!("{group} --addhostlist {host}"),
            now_ms,
        );
        Ok(Membership {
            group: reference(group),
            member: reference(host),
        })
    }

    pub fn remove_member(
        &mut self,
        user: &str,
        group: &str,
        host: &str,
        now_ms: i64,
    ) -> Result<(), ApiFault> {
        self.group_index(group)?;
        let index = self.host_index(host)?;
        if self.hosts[index].host_group.name.as_deref() != Some(group) {
            return Err(ApiFault::bad_request(
                host,
                format!("Host is not a member of host group {group}."),
            ));
        }
        self.hosts[index].host_group = Reference::default();
        self.refresh_connection_counts();
        self.audit(
            user,
            "purehgroup",
            "setattr",
            format!("{group} --remhostlist {host}"),
            now_ms,
        );
        Ok(())
    }

    /// The LUNs in use for a target: for a host, its own and its group's; for a group, its
    /// own and every member's.
    fn luns_of(&self, target: &Target) -> BTreeSet<u32> {
        let hosts: Vec<&Host> = match target {
            Target::Host(name) => self
                .hosts
                .iter()
                .filter(|host| &host.name == name)
                .collect(),
            Target::Group(name) => self
                .hosts
                .iter()
                .filter(|host| host.host_group.name.as_ref() == Some(name))
                .collect(),
        };
        self.connections
            .iter()
            .filter(|record| {
                record.target == *target
                    || hosts.iter().any(|host| {
                        record.target == Target::Host(host.name.clone())
                            || host
                                .host_group
                                .name
                                .as_ref()
                                .is_some_and(|group| record.target == Target::Group(group.clone()))
                    })
            })
            .map(|record| record.lun)
            .collect()
    }

    fn check_target(&self, target: &Target) -> Result<(), ApiFault> {
        match target {
            Target::Host(name) => self.host_index(name).map(|_| ()),
            Target::Group(name) => self.group_index(name).map(|_| ()),
        }
    }

    pub fn connect(
        &mut self,
        user: &str,
        target: &Target,
        volume: &str,
        lun: Option<u32>,
        now_ms: i64,
    ) -> Result<Connection, ApiFault> {
        self.check_target(target)?;
        let volume_index = self.volume_index(volume)?;
        if self.volumes[volume_index].destroyed {
            return Err(ApiFault::bad_request(
                volume,
                "Volume has been destroyed. Recover it first.",
            ));
        }
        let volume_id = self.volumes[volume_index].id.clone();
        if self
            .connections
            .iter()
            .any(|record| record.target == *target && record.volume_id == volume_id)
        {
            return Err(ApiFault::bad_request(volume, "Connection already exists."));
        }
        let used = self.luns_of(target);
        let lun = match lun {
            Some(lun) if !LUNS.contains(&lun) => {
                return Err(ApiFault::bad_request(
                    volume,
                    format!("LUN {lun} is out of range: use 1 to 4095."),
                ));
            }
            Some(lun) if used.contains(&lun) => {
                return Err(ApiFault::bad_request(
                    volume,
                    format!("LUN {lun} is already in use."),
                ));
            }
            Some(lun) => lun,
            None => LUNS
                .clone()
                .find(|lun| !used.contains(lun))
                .ok_or_else(|| ApiFault::bad_request(volume, "No LUN is free."))?,
        };
        self.connections.push(ConnectionRecord {
            target: target.clone(),
            volume_id,
            lun,
        });
        self.refresh_connection_counts();
        self.audit(
            user,
            "purevol",
            "connect",
            format!("{volume} --lun {lun}"),
            now_ms,
        );
        Ok(self.connection_view(self.connections.last().expect("just pushed"), None))
    }

    pub fn disconnect(
        &mut self,
        user: &str,
        target: &Target,
        volume: &str,
        now_ms: i64,
    ) -> Result<(), ApiFault> {
        self.check_target(target)?;
        let volume_id = self.volumes[self.volume_index(volume)?].id.clone();
        let before = self.connections.len();
        self.connections
            .retain(|record| !(record.target == *target && record.volume_id == volume_id));
        if self.connections.len() == before {
            return Err(ApiFault::bad_request(volume, "Connection does not exist."));
        }
        self.refresh_connection_counts();
        self.audit(user, "purevol", "disconnect", volume.to_owned(), now_ms);
        Ok(())
    }

    fn connection_view(&self, record: &ConnectionRecord, member: Option<&str>) -> Connection {
        let volume = self
            .volumes
            .iter()
            .find(|volume| volume.id == record.volume_id);
        let (host, host_group) = match &record.target {
            Target::Host(name) => (reference(name), Reference::default()),
            Target::Group(name) => (member.map(reference).unwrap_or_default(), reference(name)),
        };
        Connection {
            host,
            host_group,
            lun: record.lun,
            volume: Reference {
                id: Some(record.volume_id.clone()),
                name: volume.map(|volume| volume.name.clone()),
            },
        }
    }

    /// Every connection as hosts see them: a host group's appear once per member host.
    pub fn connections_view(&self) -> Vec<Connection> {
        let mut views = Vec::new();
        for record in &self.connections {
            match &record.target {
                Target::Host(_) => views.push(self.connection_view(record, None)),
                Target::Group(group) => {
                    let members: Vec<&Host> = self
                        .hosts
                        .iter()
                        .filter(|host| host.host_group.name.as_ref() == Some(group))
                        .collect();
                    if members.is_empty() {
                        views.push(self.connection_view(record, None));
                    }
                    for member in members {
                        views.push(self.connection_view(record, Some(&member.name)));
                    }
                }
            }
        }
        views
    }

    /// Recounts what each volume, host and group is connected to.
    fn refresh_connection_counts(&mut self) {
        let views = self.connections_view();
        for volume in &mut self.volumes {
            let hosts: BTreeSet<&str> = views
                .iter()
                .filter(|view| view.volume.id.as_deref() == Some(volume.id.as_str()))
                .filter_map(|view| view.host.name.as_deref())
                .collect();
            volume.connection_count = count(hosts.len());
        }
        for host in &mut self.hosts {
            host.connection_count = count(
                views
                    .iter()
                    .filter(|view| view.host.name.as_deref() == Some(host.name.as_str()))
                    .count(),
            );
        }
        let hosts = &self.hosts;
        let connections = &self.connections;
        for group in &mut self.host_groups {
            group.host_count = count(
                hosts
                    .iter()
                    .filter(|host| host.host_group.name.as_deref() == Some(group.name.as_str()))
                    .count(),
            );
            group.connection_count = count(
                connections
                    .iter()
                    .filter(|record| record.target == Target::Group(group.name.clone()))
                    .count(),
            );
        }
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn check_personality(host: &str, personality: Option<&str>) -> Result<Option<String>, ApiFault> {
    match personality {
        None | Some("") => Ok(None),
        Some(value) if HOST_PERSONALITIES.contains(&value) => Ok(Some(value.to_owned())),
        Some(value) => Err(ApiFault::bad_request(
            host,
            format!(
                "Invalid personality '{value}': use one of {}.",
                HOST_PERSONALITIES.join(", ")
            ),
        )),
    }
}

/// CHAP secrets an array accepts, in characters.
const CHAP_SECRET_LENGTHS: std::ops::RangeInclusive<usize> = 12..=255;

/// CHAP credentials after a change: given fields replace current ones, `""` clears one.
/// A secret needs its user name, and secrets are 12 to 255 characters.
fn merge_chap(
    host: &str,
    current: Option<&Chap>,
    change: Option<&Chap>,
) -> Result<Option<Chap>, ApiFault> {
    let Some(change) = change else {
        return Ok(current.cloned());
    };
    let mut chap = current.cloned().unwrap_or_default();
    let pick = |current: &mut Option<String>, given: &Option<String>| {
        if let Some(given) = given {
            *current = (!given.is_empty()).then(|| given.clone());
        }
    };
    pick(&mut chap.host_user, &change.host_user);
    pick(&mut chap.host_password, &change.host_password);
    pick(&mut chap.target_user, &change.target_user);
    pick(&mut chap.target_password, &change.target_password);
    for (user, secret, side) in [
        (&chap.host_user, &chap.host_password, "host"),
        (&chap.target_user, &chap.target_password, "target"),
    ] {
        if let Some(secret) = secret {
            if user.is_none() {
                return Err(ApiFault::bad_request(
                    host,
                    format!("CHAP {side}_password needs a {side}_user."),
                ));
            }
            if !CHAP_SECRET_LENGTHS.contains(&secret.chars().count()) {
                return Err(ApiFault::bad_request(
                    host,
                    format!("CHAP {side}_password must be 12 to 255 characters."),
                ));
            }
        }
    }
    let empty = chap == Chap::default();
    Ok((!empty).then_some(chap))
}

/// Arrays never answer CHAP secrets back.
fn mask(mut host: Host) -> Host {
    if let Some(chap) = &mut host.chap {
        for secret in [&mut chap.host_password, &mut chap.target_password] {
            if secret.is_some() {
                *secret = Some("****".to_owned());
            }
        }
    }
    host
}
