//! Starting contents for a simulated array.

use shared::flasharray::{
    HostPost, ProtectionGroupPatch, RetentionPolicyPatch, SnapshotSchedulePatch,
};
use shared::size::{GIB, MIB, TIB};

use crate::alerts::PlantedAlert;
use crate::protection::DAY_MS;
use crate::records::{MemberKind, Target};
use crate::state::{ADMIN_USERNAME, ArrayState};

/// What a simulator holds when it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Seed {
    /// A factory-new array: no volumes.
    #[default]
    Empty,
    /// A production-like array for demos: volumes of several applications, hosts with iSCSI
    /// and Fibre Channel ports, host groups, connections, snapshots, and two protection groups
    /// whose schedules have been running for two days.
    Demo,
    /// The demo's disaster-recovery array: the same applications' volumes, plus the DR site's
    /// own (a backup repository, a restore-test volume), a fraction of the load, and its own
    /// history of alerts (a drive replaced last week rather than a port down).
    DemoRecovery,
    /// A remote office's array: a few virtual machines and a file share, one host group and
    /// one daily protection group, half-full, a controller that failed over last month.
    DemoBranch,
    /// An older test-and-development array: clones and scratch volumes for CI, lightly
    /// loaded, with a space warning from last week since cleared.
    DemoLab,
}

const HOUR_MS: i64 = 60 * 60 * 1000;

impl Seed {
    pub fn parse(text: &str) -> Option<Seed> {
        match text {
            "empty" => Some(Seed::Empty),
            "demo" => Some(Seed::Demo),
            "demo-dr" => Some(Seed::DemoRecovery),
            "demo-branch" => Some(Seed::DemoBranch),
            "demo-lab" => Some(Seed::DemoLab),
            _ => None,
        }
    }

    pub(crate) fn apply(self, state: &mut ArrayState, now_ms: i64) {
        match self {
            Seed::Empty => {}
            Seed::Demo => seed_demo(state, now_ms, Site::Production),
            Seed::DemoRecovery => seed_demo(state, now_ms, Site::Recovery),
            Seed::DemoBranch => seed_small_site(state, now_ms, &BRANCH),
            Seed::DemoLab => seed_small_site(state, now_ms, &LAB),
        }
    }
}

/// Which of the demo's two sites an array stands in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Site {
    Production,
    Recovery,
}

/// How busy the recovery site is next to production: it takes replicas and restore tests.
const RECOVERY_LOAD: f64 = 0.35;

impl Site {
    /// Volumes only this site has.
    fn own_volumes(self) -> &'static [(&'static str, u64, u64)] {
        match self {
            Site::Production => &[],
            Site::Recovery => &[
                ("veeam-repo-01", 40 * TIB, 22_600 * GIB),
                ("dr-restore-test", 2 * TIB, 640 * GIB),
            ],
        }
    }
}

/// How much history the demo's arrays have.
const DEMO_HISTORY_DAYS: i64 = 30;

/// What an array in service for a while has seen: at production a port down for five hours
/// (its alert open), at the recovery site a drive replaced last week; both with alerts long
/// closed.
fn plant_alerts(state: &mut ArrayState, now_ms: i64, site: Site) {
    const DAY: i64 = 24 * HOUR_MS;
    if site == Site::Production {
        state.fail_part("CT1.FC1", Some("Link down"), now_ms - 5 * HOUR_MS);
    }
    let drive_failed = match site {
        Site::Production => ("CH0.BAY7", 12),
        Site::Recovery => ("CH0.BAY11", 6),
    };
    let planted = [
        PlantedAlert {
            code: 13,
            severity: "critical",
            category: "hardware",
            component_type: "drive",
            component_name: drive_failed.0,
            summary: "Drive failed and was evacuated",
            created: now_ms - drive_failed.1 * DAY,
            closed: Some(now_ms - (drive_failed.1 - 1) * DAY),
        },
        PlantedAlert {
            code: 71,
            severity: "info",
            category: "software",
            component_type: "array",
            component_name: &state.name.clone(),
            summary: "Purity upgrade completed",
            created: now_ms - 20 * DAY,
            closed: Some(now_ms - 20 * DAY + HOUR_MS),
        },
    ];
    for alert in &planted {
        state.plant_alert(alert);
    }
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|name| (*name).to_owned()).collect()
}

/// A WWN in the `21:00:00:24:ff:..` form HBAs print.
fn wwn(host: u8, port: u8) -> String {
    format!("21:00:00:24:ff:4c:{host:02x}:{port:02x}")
}

fn seed_demo(state: &mut ArrayState, now_ms: i64, site: Site) {
    const DAY: i64 = 24 * HOUR_MS;
    state.installed_ms = now_ms - DEMO_HISTORY_DAYS * DAY;
    plant_alerts(state, now_ms, site);
    if site == Site::Recovery {
        state.load_scale = RECOVERY_LOAD;
    }
    let mut volumes: Vec<(String, u64, u64)> = [
        ("oracle-prod-data01", 2 * TIB, 1_310 * GIB),
        ("oracle-prod-data02", 2 * TIB, 1_190 * GIB),
        ("oracle-prod-redo", 200 * GIB, 61 * GIB),
        ("sql-fin-db", 1536 * GIB, 702 * GIB),
        ("sql-fin-log", 256 * GIB, 88 * GIB),
        ("vmware-ds-gold01", 10 * TIB, 6_420 * GIB),
        ("vmware-ds-gold02", 10 * TIB, 5_870 * GIB),
        ("vmware-ds-silver01", 20 * TIB, 9_100 * GIB),
        ("esx-boot-01", 10 * GIB, 3 * GIB),
        ("esx-boot-02", 10 * GIB, 3 * GIB),
        ("esx-boot-03", 10 * GIB, 4 * GIB),
        ("exchange-db01", 4 * TIB, 2_880 * GIB),
        ("exchange-db02", 4 * TIB, 2_650 * GIB),
        ("exchange-log01", 500 * GIB, 140 * GIB),
        ("file-share-eng", 8 * TIB, 5_230 * GIB),
        ("file-share-hr", TIB, 310 * GIB),
        ("backup-staging", 30 * TIB, 11_400 * GIB),
        ("scratch-etl", 500 * MIB, 0),
    ]
    .into_iter()
    .map(|(name, provisioned, written)| (name.to_owned(), provisioned, written))
    .collect();
    for index in 1..=12u64 {
        volumes.push((
            format!("k8s-pv-{index:04}"),
            50 * GIB,
            (index * 7 % 45) * GIB,
        ));
    }
    for index in 1..=8u64 {
        volumes.push((
            format!("vdi-desktop-{index:03}"),
            100 * GIB,
            (20 + index * 3) * GIB,
        ));
    }
    volumes.extend(
        site.own_volumes()
            .iter()
            .map(|(name, provisioned, written)| ((*name).to_owned(), *provisioned, *written)),
    );
    // Created over the history's span, newest first, so the array grew in volumes too.
    let count = volumes.len() as i64;
    for (index, (name, provisioned, written)) in (1i64..).zip(&volumes) {
        let age = (DEMO_HISTORY_DAYS * DAY - HOUR_MS) * index / count;
        state.insert_volume(name, *provisioned, *written, now_ms - age);
    }

    let user = ADMIN_USERNAME;
    let at = now_ms - 3 * DAY;
    let host = |iqns: &[String], wwns: &[String], personality: Option<&str>| HostPost {
        iqns: iqns.to_vec(),
        wwns: wwns.to_vec(),
        personality: personality.map(str::to_owned),
        ..HostPost::default()
    };
    let mut hosts = vec![
        (
            "ora-db-01".to_owned(),
            host(&names(&["iqn.2005-03.org.open-iscsi:ora-db-01"]), &[], None),
        ),
        (
            "ora-db-02".to_owned(),
            host(&names(&["iqn.2005-03.org.open-iscsi:ora-db-02"]), &[], None),
        ),
        (
            "sql-01".to_owned(),
            host(
                &names(&["iqn.1991-05.com.microsoft:sql-01.corp.example.com"]),
                &[],
                None,
            ),
        ),
        (
            "exchange-01".to_owned(),
            host(&[], &[wwn(0x20, 1), wwn(0x20, 2)], None),
        ),
    ];
    for index in 1..=3u8 {
        hosts.push((
            format!("esx-{index:02}"),
            host(&[], &[wwn(index, 1), wwn(index, 2)], Some("esxi")),
        ));
    }
    for (name, post) in &hosts {
        state
            .create_host(user, name, post, at)
            .expect("demo hosts are valid");
    }
    for (group, members) in [
        ("esx-cluster", &["esx-01", "esx-02", "esx-03"][..]),
        ("ora-rac", &["ora-db-01", "ora-db-02"][..]),
    ] {
        state
            .create_host_group(user, group, at)
            .expect("demo host groups are valid");
        for member in members {
            state
                .add_member(user, group, member, at)
                .expect("demo members are valid");
        }
    }
    let connections: [(Target, &[&str]); 6] = [
        (
            Target::Group("esx-cluster".into()),
            &["vmware-ds-gold01", "vmware-ds-gold02", "vmware-ds-silver01"],
        ),
        (
            Target::Group("ora-rac".into()),
            &[
                "oracle-prod-data01",
                "oracle-prod-data02",
                "oracle-prod-redo",
            ],
        ),
        (
            Target::Host("sql-01".into()),
            &["sql-fin-db", "sql-fin-log"],
        ),
        (
            Target::Host("exchange-01".into()),
            &["exchange-db01", "exchange-db02", "exchange-log01"],
        ),
        (Target::Host("esx-01".into()), &["esx-boot-01"]),
        (Target::Host("esx-02".into()), &["esx-boot-02"]),
    ];
    for (target, volumes) in connections {
        for volume in volumes {
            state
                .connect(user, &target, volume, None, at)
                .expect("demo connections are valid");
        }
    }

    state
        .create_volume_snapshots(
            user,
            &names(&["sql-fin-db", "sql-fin-log"]),
            Some("pre-upgrade"),
            now_ms - 2 * DAY,
        )
        .expect("demo snapshots are valid");
    state
        .create_volume_snapshots(
            user,
            &names(&["file-share-eng"]),
            None,
            now_ms - 5 * HOUR_MS,
        )
        .expect("demo snapshots are valid");

    let started = now_ms - 2 * DAY;
    let groups = [
        (
            "pg-oracle",
            MemberKind::Volume,
            names(&[
                "oracle-prod-data01",
                "oracle-prod-data02",
                "oracle-prod-redo",
            ]),
            SnapshotSchedulePatch {
                enabled: Some(true),
                frequency: Some(4 * 3_600_000),
                at: None,
            },
        ),
        (
            "pg-vmware",
            MemberKind::HostGroup,
            names(&["esx-cluster"]),
            SnapshotSchedulePatch {
                enabled: Some(true),
                frequency: Some(DAY_MS),
                at: Some(2 * 3_600),
            },
        ),
    ];
    for (group, kind, members, schedule) in groups {
        state
            .create_protection_groups(user, &[group.to_owned()], started)
            .expect("demo protection groups are valid");
        state
            .add_protection_members(user, kind, group, &members, started)
            .expect("demo members are valid");
        let patch = ProtectionGroupPatch {
            snapshot_schedule: Some(schedule),
            source_retention: Some(RetentionPolicyPatch {
                all_for_sec: Some(86_400),
                per_day: Some(4),
                days: Some(7),
            }),
            ..ProtectionGroupPatch::default()
        };
        state
            .patch_protection_group(user, group, &patch, started)
            .expect("demo schedules are valid");
    }
    state.sweep(now_ms);
}

/// A smaller site of the demo's fleet: its own applications, hosts, protection and history,
/// so that no two of the demo's arrays look alike.
struct SmallSite {
    load_scale: f64,
    /// Name, provisioned and written bytes.
    volumes: &'static [(&'static str, u64, u64)],
    /// Hosts by name and iSCSI name, all in one host group that sees `shared_volumes`.
    hosts: &'static [(&'static str, &'static str)],
    host_group: &'static str,
    shared_volumes: &'static [&'static str],
    /// A group snapshotting `shared_volumes` daily at `protection_at` seconds after midnight.
    protection_group: &'static str,
    protection_at: u64,
    /// One closed alert of its past: code, severity, category, component type and name (none:
    /// the array itself), summary, and how many days ago it opened.
    past_alert: (
        i64,
        &'static str,
        &'static str,
        &'static str,
        Option<&'static str>,
        &'static str,
        i64,
    ),
}

const BRANCH: SmallSite = SmallSite {
    load_scale: 0.5,
    volumes: &[
        ("branch-vm-ds01", 8 * TIB, 3_900 * GIB),
        ("branch-vm-ds02", 4 * TIB, 1_700 * GIB),
        ("branch-fs-01", 6 * TIB, 2_450 * GIB),
        ("branch-sql-01", TIB, 380 * GIB),
        ("branch-print-01", 100 * GIB, 12 * GIB),
    ],
    hosts: &[
        ("branch-esx-01", "iqn.1998-01.com.vmware:branch-esx-01"),
        ("branch-esx-02", "iqn.1998-01.com.vmware:branch-esx-02"),
    ],
    host_group: "branch-cluster",
    shared_volumes: &["branch-vm-ds01", "branch-vm-ds02", "branch-fs-01"],
    protection_group: "pg-branch",
    protection_at: 3_600,
    past_alert: (
        1,
        "critical",
        "hardware",
        "controller",
        Some("CT0"),
        "Controller is not ready",
        26,
    ),
};

const LAB: SmallSite = SmallSite {
    load_scale: 0.2,
    volumes: &[
        ("ci-build-cache", 2 * TIB, 910 * GIB),
        ("dev-oracle-clone01", 2 * TIB, 450 * GIB),
        ("dev-oracle-clone02", 2 * TIB, 430 * GIB),
        ("qa-sql-restore", 1536 * GIB, 520 * GIB),
        ("lab-scratch-01", 500 * GIB, 90 * GIB),
        ("lab-scratch-02", 500 * GIB, 0),
    ],
    hosts: &[
        ("lab-k8s-01", "iqn.2005-03.org.open-iscsi:lab-k8s-01"),
        ("lab-k8s-02", "iqn.2005-03.org.open-iscsi:lab-k8s-02"),
        ("lab-k8s-03", "iqn.2005-03.org.open-iscsi:lab-k8s-03"),
    ],
    host_group: "lab-k8s",
    shared_volumes: &["ci-build-cache", "dev-oracle-clone01", "dev-oracle-clone02"],
    protection_group: "pg-lab",
    protection_at: 22 * 3_600,
    past_alert: (
        crate::alerts::SPACE_ALERT_CODE,
        "warning",
        "array",
        "array",
        None,
        "Array space usage is high",
        9,
    ),
};

fn seed_small_site(state: &mut ArrayState, now_ms: i64, site: &SmallSite) {
    const DAY: i64 = 24 * HOUR_MS;
    state.installed_ms = now_ms - DEMO_HISTORY_DAYS * DAY;
    state.load_scale = site.load_scale;
    let (code, severity, category, component_type, component_name, summary, days_ago) =
        site.past_alert;
    let array_name = state.name.clone();
    state.plant_alert(&PlantedAlert {
        code,
        severity,
        category,
        component_type,
        component_name: component_name.unwrap_or(&array_name),
        summary,
        created: now_ms - days_ago * DAY,
        closed: Some(now_ms - days_ago * DAY + 3 * HOUR_MS),
    });
    // A smaller site grows slowly: its volumes were made a year or more ago, long before the
    // history begins, but for the last, made this week; so its forecast is not the steep
    // climb of an array filled in a month.
    let (newest, older) = site.volumes.split_last().expect("a site has volumes");
    for ((name, provisioned, written), months) in older.iter().zip((12i64..).step_by(3)) {
        state.insert_volume(name, *provisioned, *written, now_ms - months * 30 * DAY);
    }
    let (name, provisioned, written) = newest;
    state.insert_volume(name, *provisioned, *written, now_ms - 2 * DAY);
    let user = ADMIN_USERNAME;
    let at = now_ms - 3 * DAY;
    state
        .create_host_group(user, site.host_group, at)
        .expect("demo host groups are valid");
    for (host, iqn) in site.hosts {
        let post = HostPost {
            iqns: vec![(*iqn).to_owned()],
            ..HostPost::default()
        };
        state
            .create_host(user, host, &post, at)
            .expect("demo hosts are valid");
        state
            .add_member(user, site.host_group, host, at)
            .expect("demo members are valid");
    }
    let group = Target::Group(site.host_group.into());
    for volume in site.shared_volumes {
        state
            .connect(user, &group, volume, None, at)
            .expect("demo connections are valid");
    }
    let started = now_ms - 2 * DAY;
    let protection_group = site.protection_group.to_owned();
    state
        .create_protection_groups(user, std::slice::from_ref(&protection_group), started)
        .expect("demo protection groups are valid");
    state
        .add_protection_members(
            user,
            MemberKind::Volume,
            &protection_group,
            &names(site.shared_volumes),
            started,
        )
        .expect("demo members are valid");
    let patch = ProtectionGroupPatch {
        snapshot_schedule: Some(SnapshotSchedulePatch {
            enabled: Some(true),
            frequency: Some(DAY_MS),
            at: Some(site.protection_at),
        }),
        source_retention: Some(RetentionPolicyPatch {
            all_for_sec: Some(86_400),
            per_day: Some(1),
            days: Some(14),
        }),
        ..ProtectionGroupPatch::default()
    };
    state
        .patch_protection_group(user, &protection_group, &patch, started)
        .expect("demo schedules are valid");
    state.sweep(now_ms);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_array_has_every_kind_of_object_and_schedules_that_ran() {
        let mut state = ArrayState::new("demo");
        let now = 1_800_000_000_000;
        Seed::Demo.apply(&mut state, now);
        assert!(state.volumes().len() >= 36);
        assert_eq!(state.hosts_view().len(), 7);
        assert_eq!(state.host_groups_view().len(), 2);
        assert!(state.connections_view().len() >= 12);
        let group_snapshots = state.group_snapshots_view();
        // Two days of 4-hourly pg-oracle snapshots and two daily pg-vmware ones.
        assert!(
            group_snapshots
                .iter()
                .filter(|snapshot| snapshot.source.name.as_deref() == Some("pg-oracle"))
                .count()
                >= 12
        );
        assert!(
            group_snapshots
                .iter()
                .any(|snapshot| snapshot.source.name.as_deref() == Some("pg-vmware"))
        );
        assert!(
            state
                .volume_snapshots()
                .iter()
                .any(|snapshot| snapshot.name == "sql-fin-db.pre-upgrade")
        );
    }

    #[test]
    fn the_recovery_site_differs_from_production_as_a_real_one_does() {
        let now = 1_800_000_000_000;
        let mut production = ArrayState::new("prod");
        Seed::Demo.apply(&mut production, now);
        let mut recovery = ArrayState::new("dr");
        Seed::DemoRecovery.apply(&mut recovery, now);
        let names = |state: &ArrayState| -> Vec<String> {
            state
                .volumes()
                .iter()
                .map(|volume| volume.name.clone())
                .collect()
        };
        assert!(names(&recovery).contains(&"veeam-repo-01".to_owned()));
        assert!(!names(&production).contains(&"veeam-repo-01".to_owned()));
        assert!(recovery.load_scale < production.load_scale);
        let open = |state: &mut ArrayState| -> Vec<String> {
            state
                .alerts(now)
                .into_iter()
                .filter(|alert| alert.state == "open")
                .map(|alert| alert.summary)
                .collect()
        };
        assert_eq!(open(&mut production), ["Fibre Channel port link down"]);
        assert!(open(&mut recovery).is_empty());
        assert_eq!(Seed::parse("demo-dr"), Some(Seed::DemoRecovery));
    }

    #[test]
    fn the_smaller_sites_hold_their_own_applications_and_protection() {
        let now = 1_800_000_000_000;
        for (seed, volume, group) in [
            (Seed::DemoBranch, "branch-fs-01", "pg-branch"),
            (Seed::DemoLab, "ci-build-cache", "pg-lab"),
        ] {
            let mut state = ArrayState::new("site");
            seed.apply(&mut state, now);
            let volumes = state.volumes();
            assert!(volumes.iter().any(|found| found.name == volume));
            assert!(
                !volumes
                    .iter()
                    .any(|found| found.name == "oracle-prod-data01")
            );
            assert_eq!(state.host_groups_view().len(), 1);
            assert!(
                state
                    .group_snapshots_view()
                    .iter()
                    .any(|snapshot| snapshot.source.name.as_deref() == Some(group))
            );
            assert!(state.load_scale < 1.0);
            let open = state
                .alerts(now)
                .into_iter()
                .filter(|alert| alert.state == "open")
                .count();
            assert_eq!(open, 0);
        }
        assert_eq!(Seed::parse("demo-lab"), Some(Seed::DemoLab));
    }
}
