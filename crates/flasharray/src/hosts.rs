//! Hosts, host groups and the connections that let them see volumes.

use reqwest::Method;
use shared::flasharray::{
    Connection, ConnectionPost, Host, HostGroup, HostPatch, HostPost, Membership,
};

use crate::client::{ArrayClient, Everything, RawReply};
use crate::error::Error;
use crate::list::ListParams;

/// Who a connection is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionTarget<'a> {
    Host(&'a str),
    HostGroup(&'a str),
}

impl ConnectionTarget<'_> {
    fn parameter(self) -> (&'static str, String) {
        match self {
            ConnectionTarget::Host(name) => ("host_names", name.to_owned()),
            ConnectionTarget::HostGroup(name) => ("host_group_names", name.to_owned()),
        }
    }
}

impl ArrayClient {
    /// `GET /hosts`: every host (one page of up to 1,000; use filters for more).
    pub async fn list_hosts(&self) -> Result<Vec<Host>, Error> {
        self.read("hosts", &[]).await
    }

    /// `GET /hosts` with a filter, a sort and a page, as the array finds, orders and cuts them,
    /// as it wrote them, to pass on.
    pub async fn list_hosts_raw(&self, query: &ListParams) -> Result<RawReply, Error> {
        self.get_raw("hosts", &query.to_params()).await
    }

    /// `GET /hosts?names=NAME`: one host, or `None` when the array has none of that name.
    pub async fn get_host(&self, name: &str) -> Result<Option<Host>, Error> {
        let hosts: Vec<Host> = self
            .items(
                Method::GET,
                "hosts",
                &[("names", name.to_owned())],
                None::<&()>,
            )
            .await?;
        Ok(hosts.into_iter().next())
    }

    /// `POST /hosts?names=NAME`.
    pub async fn create_host(&self, name: &str, post: &HostPost) -> Result<Host, Error> {
        self.named(Method::POST, "hosts", name, Some(post)).await
    }

    /// `PATCH /hosts?names=NAME`: add or remove ports, rename, set the personality.
    pub async fn patch_host(&self, name: &str, patch: &HostPatch) -> Result<Host, Error> {
        self.named(Method::PATCH, "hosts", name, Some(patch)).await
    }

    /// `DELETE /hosts?names=NAME`: refused while the host has connections or a group.
    pub async fn delete_host(&self, name: &str) -> Result<(), Error> {
        self.delete_named("hosts", name).await
    }

    /// `GET /host-groups`.
    pub async fn list_host_groups(&self) -> Result<Vec<HostGroup>, Error> {
        self.read("host-groups", &[]).await
    }

    /// `POST /host-groups?names=NAME`.
    pub async fn create_host_group(&self, name: &str) -> Result<HostGroup, Error> {
        self.named(Method::POST, "host-groups", name, None::<&()>)
            .await
    }

    /// `DELETE /host-groups?names=NAME`: refused while it has hosts or connections.
    pub async fn delete_host_group(&self, name: &str) -> Result<(), Error> {
        self.delete_named("host-groups", name).await
    }

    /// `POST /host-groups/hosts`: puts hosts in a group.
    pub async fn add_hosts_to_group(
        &self,
        group: &str,
        hosts: &[&str],
    ) -> Result<Vec<Membership>, Error> {
        let query = [
            ("group_names", group.to_owned()),
            ("member_names", hosts.join(",")),
        ];
        self.items(Method::POST, "host-groups/hosts", &query, None::<&()>)
            .await
    }

    /// `DELETE /host-groups/hosts`: takes a host out of a group.
    pub async fn remove_host_from_group(&self, group: &str, host: &str) -> Result<(), Error> {
        let query = [
            ("group_names", group.to_owned()),
            ("member_names", host.to_owned()),
        ];
        self.call_no_content(Method::DELETE, "host-groups/hosts", &query)
            .await
    }

    /// `POST /connections`: lets a host or host group see a volume, at `lun` or the lowest
    /// free one.
    pub async fn connect(
        &self,
        target: ConnectionTarget<'_>,
        volume: &str,
        lun: Option<u32>,
    ) -> Result<Connection, Error> {
        let query = [target.parameter(), ("volume_names", volume.to_owned())];
        let page = self
            .call(
                Method::POST,
                "connections",
                &query,
                Some(&ConnectionPost { lun }),
            )
            .await?;
        self.single(page, "POST /connections")
    }

    /// `DELETE /connections`.
    pub async fn disconnect(
        &self,
        target: ConnectionTarget<'_>,
        volume: &str,
    ) -> Result<(), Error> {
        let query = [target.parameter(), ("volume_names", volume.to_owned())];
        self.call_no_content(Method::DELETE, "connections", &query)
            .await
    }

    /// `GET /connections`: all of them, or those of one host or group, or of one volume. A
    /// host's list includes what it sees through its host group.
    /// Every host, at most `max`.
    pub async fn every_host(&self, max: usize) -> Result<Everything<Host>, Error> {
        self.read_all("hosts", &[], max).await
    }

    /// Every connection of a volume to a host or host group, at most `max`.
    pub async fn every_connection(&self, max: usize) -> Result<Everything<Connection>, Error> {
        self.read_all("connections", &[], max).await
    }

    pub async fn list_connections(
        &self,
        target: Option<ConnectionTarget<'_>>,
        volume: Option<&str>,
    ) -> Result<Vec<Connection>, Error> {
        let mut query: Vec<(&str, String)> = target
            .map(|target| target.parameter())
            .into_iter()
            .collect();
        if let Some(volume) = volume {
            query.push(("volume_names", volume.to_owned()));
        }
        self.read("connections", &query).await
    }
}
