//! The capacity and protection report: every array asked at once, each under its own
//! deadline, for its space and growth, its volumes, protection groups (with their members and
//! snapshots), hosts and connections; judged here into what an admin reads weekly.

pub mod limiter;
pub mod render;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use flasharray::{ArrayClient, MemberKind, VolumeQuery};
use futures_util::{StreamExt, TryStreamExt};
use shared::api::{
    ArrayReport, FleetReport, Forecast, GroupReport, MAX_REPORT_ITEMS, MAX_UNPROTECTED_LISTED,
    ReportVolume,
};
use shared::flasharray::{
    Connection, Host, Membership, ProtectionGroup, ProtectionGroupSnapshot, Reference, Volume,
};

use crate::arrays::fanout::each_array;
use crate::arrays::forecast::forecast_of;
use crate::clock::unix_now_ms;

/// What each array gets to answer a report in: it reads every volume, so more than a page.
pub const REPORT_DEADLINE: Duration = Duration::from_secs(30);
/// Volumes asked for per page.
const VOLUME_PAGE: u32 = 1000;

/// The report of `clients`' arrays, with `unreachable` ones (no client could be made) named
/// with why.
pub async fn fleet_report(
    clients: Vec<ArrayClient>,
    unreachable: Vec<(String, String)>,
    deadline: Duration,
) -> FleetReport {
    let answers = each_array(clients, deadline, |client| async move {
        array_report(&client).await
    })
    .await;
    let mut arrays: Vec<ArrayReport> = answers
        .into_iter()
        .map(|answer| match answer.result {
            Ok(report) => report,
            Err(error) => ArrayReport {
                array: answer.array,
                error: Some(error),
                ..ArrayReport::default()
            },
        })
        .chain(unreachable.into_iter().map(|(array, error)| ArrayReport {
            array,
            error: Some(error),
            ..ArrayReport::default()
        }))
        .collect();
    arrays.sort_by(|a, b| a.array.cmp(&b.array));
    FleetReport {
        generated_at_ms: unix_now_ms(),
        arrays,
    }
}

/// What one array's report is made of, as the array answered.
#[derive(Debug, Default)]
struct Answers {
    forecast: Option<Forecast>,
    used: u64,
    volumes: Vec<Volume>,
    groups: Vec<ProtectionGroup>,
    volume_members: Vec<Membership>,
    host_members: Vec<Membership>,
    host_group_members: Vec<Membership>,
    hosts: Vec<Host>,
    connections: Vec<Connection>,
    snapshots: Vec<ProtectionGroupSnapshot>,
}

async fn array_report(client: &ArrayClient) -> Result<ArrayReport, flasharray::Error> {
    let live = VolumeQuery {
        destroyed: Some(false),
        ..VolumeQuery::default()
    };
    let volumes = client
        .all_volumes(live, VOLUME_PAGE)
        .take(MAX_REPORT_ITEMS + 1)
        .try_collect::<Vec<_>>();
    let (
        (forecast, used),
        mut volumes,
        groups,
        volume_members,
        host_members,
        host_group_members,
        hosts,
        connections,
        snapshots,
    ) = tokio::try_join!(
        forecast_of(client),
        volumes,
        client.list_protection_groups(Some(false)),
        client.every_group_member(MemberKind::Volumes, MAX_REPORT_ITEMS),
        client.every_group_member(MemberKind::Hosts, MAX_REPORT_ITEMS),
        client.every_group_member(MemberKind::HostGroups, MAX_REPORT_ITEMS),
        client.every_host(MAX_REPORT_ITEMS),
        client.every_connection(MAX_REPORT_ITEMS),
        client.every_group_snapshot(MAX_REPORT_ITEMS),
    )?;
    let volumes_complete = volumes.len() <= MAX_REPORT_ITEMS;
    volumes.truncate(MAX_REPORT_ITEMS);
    let complete = volumes_complete
        && volume_members.complete
        && host_members.complete
        && host_group_members.complete
        && hosts.complete
        && connections.complete
        && snapshots.complete;
    let mut report = judge(
        client.name(),
        Answers {
            forecast: Some(forecast),
            used,
            volumes,
            groups,
            volume_members: volume_members.items,
            host_members: host_members.items,
            host_group_members: host_group_members.items,
            hosts: hosts.items,
            connections: connections.items,
            snapshots: snapshots.items,
        },
    );
    report.incomplete = !complete;
    Ok(report)
}

/// A reference's name; empty when the array gave none (which matches no member).
fn name_of(reference: &Reference) -> &str {
    reference.name.as_deref().unwrap_or_default()
}

/// One array's report from its answers. A volume is protected when a group that snapshots or
/// replicates on a schedule has it as a member, or has as a member a host it is connected to
/// (or that host's host group), or a host group it is connected to.
fn judge(array: &str, answers: Answers) -> ArrayReport {
    let covering: BTreeSet<&str> = answers
        .groups
        .iter()
        .filter(|group| {
            !group.destroyed
                && (group.snapshot_schedule.enabled || group.replication_schedule.enabled)
        })
        .map(|group| group.name.as_str())
        .collect();
    let members_of_covering = |memberships: &'_ [Membership]| -> BTreeSet<String> {
        memberships
            .iter()
            .filter(|membership| covering.contains(name_of(&membership.group)))
            .filter_map(|membership| membership.member.name.clone())
            .collect()
    };
    let protected_volumes = members_of_covering(&answers.volume_members);
    let protected_host_groups = members_of_covering(&answers.host_group_members);
    let mut protected_hosts = members_of_covering(&answers.host_members);
    protected_hosts.extend(
        answers
            .hosts
            .iter()
            .filter(|host| protected_host_groups.contains(name_of(&host.host_group)))
            .map(|host| host.name.clone()),
    );
    let protected_through_hosts: BTreeSet<&str> = answers
        .connections
        .iter()
        .filter(|connection| {
            protected_hosts.contains(name_of(&connection.host))
                || protected_host_groups.contains(name_of(&connection.host_group))
        })
        .map(|connection| name_of(&connection.volume))
        .collect();
    let mut unprotected: Vec<ReportVolume> = answers
        .volumes
        .iter()
        .filter(|volume| !volume.destroyed)
        .filter(|volume| {
            !protected_volumes.contains(&volume.name)
                && !protected_through_hosts.contains(volume.name.as_str())
        })
        .map(|volume| ReportVolume {
            name: volume.name.clone(),
            provisioned: volume.provisioned,
        })
        .collect();
    unprotected.sort_by(|a, b| a.name.cmp(&b.name));
    let unprotected_count = unprotected.len() as u64;
    unprotected.truncate(MAX_UNPROTECTED_LISTED);

    let mut snapshots: BTreeMap<&str, (u64, i64, i64)> = BTreeMap::new();
    for snapshot in answers
        .snapshots
        .iter()
        .filter(|snapshot| !snapshot.destroyed)
    {
        let entry = snapshots
            .entry(name_of(&snapshot.source))
            .or_insert((0, i64::MAX, i64::MIN));
        entry.0 += 1;
        entry.1 = entry.1.min(snapshot.created);
        entry.2 = entry.2.max(snapshot.created);
    }
    let mut protection_groups: Vec<GroupReport> = answers
        .groups
        .iter()
        .filter(|group| !group.destroyed)
        .map(|group| {
            let (count, oldest, newest) = snapshots
                .get(group.name.as_str())
                .copied()
                .map_or((0, None, None), |(count, oldest, newest)| {
                    (count, Some(oldest), Some(newest))
                });
            GroupReport {
                name: group.name.clone(),
                scheduled: covering.contains(group.name.as_str()),
                snapshots: count,
                oldest_snapshot_ms: oldest,
                newest_snapshot_ms: newest,
            }
        })
        .collect();
    protection_groups.sort_by(|a, b| a.name.cmp(&b.name));

    let forecast = answers.forecast.unwrap_or_else(|| Forecast {
        array: array.to_owned(),
        capacity: 0,
        history_days: 0.0,
        enough_history: false,
        used_now: None,
        growth_per_day: None,
        growth_uncertainty_per_day: None,
        to_80: None,
        to_100: None,
        as_of: 0,
    });
    ArrayReport {
        array: array.to_owned(),
        error: None,
        incomplete: false,
        capacity: forecast.capacity,
        used: answers.used,
        growth_per_day: forecast.growth_per_day,
        days_to_full: forecast.to_100.map(|runway| runway.days),
        volumes: answers
            .volumes
            .iter()
            .filter(|volume| !volume.destroyed)
            .count() as u64,
        unprotected_count,
        unprotected,
        protection_groups,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(name: &str) -> Reference {
        Reference {
            name: Some(name.to_owned()),
            ..Reference::default()
        }
    }

    fn volume(name: &str) -> Volume {
        Volume {
            name: name.to_owned(),
            provisioned: 1 << 30,
            ..Volume::default()
        }
    }

    fn group(name: &str, scheduled: bool) -> ProtectionGroup {
        let mut group = ProtectionGroup {
            name: name.to_owned(),
            ..ProtectionGroup::default()
        };
        group.snapshot_schedule.enabled = scheduled;
        group
    }

    fn member(group: &str, member: &str) -> Membership {
        Membership {
            group: reference(group),
            member: reference(member),
        }
    }

    fn connection(host: &str, host_group: &str, volume: &str) -> Connection {
        Connection {
            host: reference(host),
            host_group: reference(host_group),
            lun: 1,
            volume: reference(volume),
        }
    }

    fn snapshot(group: &str, created: i64) -> ProtectionGroupSnapshot {
        ProtectionGroupSnapshot {
            name: format!("{group}.{created}"),
            created,
            source: reference(group),
            ..ProtectionGroupSnapshot::default()
        }
    }

    #[test]
    fn a_volume_is_protected_by_a_scheduled_group_directly_or_through_its_hosts() {
        let mut in_group_host = Host {
            name: "esx-2".to_owned(),
            ..Host::default()
        };
        in_group_host.host_group = reference("cluster");
        let answers = Answers {
            volumes: [
                "direct",
                "via-host",
                "via-cluster",
                "via-shared",
                "paused",
                "bare",
            ]
            .into_iter()
            .map(volume)
            .collect(),
            groups: vec![group("daily", true), group("off", false)],
            volume_members: vec![member("daily", "direct"), member("off", "paused")],
            host_members: vec![member("daily", "esx-1")],
            host_group_members: vec![member("daily", "cluster")],
            hosts: vec![in_group_host],
            connections: vec![
                connection("esx-1", "", "via-host"),
                connection("esx-2", "", "via-cluster"),
                connection("", "cluster", "via-shared"),
                connection("esx-9", "", "bare"),
            ],
            snapshots: vec![
                snapshot("daily", 3_000),
                snapshot("daily", 1_000),
                snapshot("daily", 2_000),
            ],
            ..Answers::default()
        };
        let report = judge("fa-1", answers);
        let unprotected: Vec<&str> = report
            .unprotected
            .iter()
            .map(|volume| volume.name.as_str())
            .collect();
        assert_eq!(
            unprotected,
            ["bare", "paused"],
            "a group with no schedule protects nothing"
        );
        assert_eq!(report.unprotected_count, 2);
        assert_eq!(report.volumes, 6);
        assert_eq!(
            report.protection_groups,
            vec![
                GroupReport {
                    name: "daily".to_owned(),
                    scheduled: true,
                    snapshots: 3,
                    oldest_snapshot_ms: Some(1_000),
                    newest_snapshot_ms: Some(3_000),
                },
                GroupReport {
                    name: "off".to_owned(),
                    scheduled: false,
                    snapshots: 0,
                    oldest_snapshot_ms: None,
                    newest_snapshot_ms: None,
                },
            ]
        );
    }

    #[test]
    fn a_report_names_at_most_its_limit_of_unprotected_volumes_but_counts_them_all() {
        let answers = Answers {
            volumes: (0..MAX_UNPROTECTED_LISTED + 5)
                .map(|index| volume(&format!("v{index:05}")))
                .collect(),
            ..Answers::default()
        };
        let report = judge("fa-1", answers);
        assert_eq!(report.unprotected.len(), MAX_UNPROTECTED_LISTED);
        assert_eq!(report.unprotected_count, MAX_UNPROTECTED_LISTED as u64 + 5);
    }
}
