//! Hosts, host groups and connections, as the REST 1.x quick start uses them.

use flasharray::{ArrayClient, ConnectionTarget};
use shared::flasharray::{HostPatch, HostPost, VolumePatch};
use shared::size::{GIB, MIB};

use crate::{bootstrap, refusal, start_sim};

const IQN_A: &str = "iqn.2001-04.com.example:host1-a";
const IQN_B: &str = "iqn.2001-04.com.example:host1-b";

fn iqns(ports: &[&str]) -> HostPost {
    HostPost {
        iqns: ports.iter().map(|port| (*port).to_owned()).collect(),
        ..HostPost::default()
    }
}

async fn luns(client: &ArrayClient, host: &str) -> Vec<(String, u32)> {
    let mut seen: Vec<(String, u32)> = client
        .list_connections(Some(ConnectionTarget::Host(host)), None)
        .await
        .expect("listed")
        .into_iter()
        .map(|connection| (connection.volume.name.unwrap_or_default(), connection.lun))
        .collect();
    seen.sort();
    seen
}

#[tokio::test]
async fn the_rest_1_quick_start() {
    let sim = start_sim().await;
    let client = bootstrap(&sim);
    client.create_volume("vol1", GIB).await.expect("vol1");
    client.create_volume("vol2", 5 * MIB).await.expect("vol2");
    let host = client
        .create_host("host1", &iqns(&[IQN_A, IQN_B]))
        .await
        .expect("host1");
    assert_eq!(host.iqns, [IQN_A, IQN_B]);
    client.create_host_group("hgroup1").await.expect("hgroup1");

    let connection = client
        .connect(ConnectionTarget::Host("host1"), "vol1", Some(1))
        .await
        .expect("connected");
    assert_eq!(connection.lun, 1);
    client
        .connect(ConnectionTarget::Host("host1"), "vol2", None)
        .await
        .expect("connected");
    assert_eq!(
        luns(&client, "host1").await,
        [("vol1".to_owned(), 1), ("vol2".to_owned(), 2)]
    );

    let error = client
        .patch_volume(
            "vol1",
            &VolumePatch {
                destroyed: Some(true),
                ..VolumePatch::default()
            },
            false,
        )
        .await
        .unwrap_err();
    assert!(
        refusal(&error).contains("Disconnect it from its hosts first"),
        "{error}"
    );
    let error = client.delete_host("host1").await.unwrap_err();
    assert!(
        refusal(&error).contains("Disconnect its volumes first"),
        "{error}"
    );

    client
        .disconnect(ConnectionTarget::Host("host1"), "vol1")
        .await
        .expect("disconnected");
    client
        .disconnect(ConnectionTarget::Host("host1"), "vol2")
        .await
        .expect("disconnected");
    let error = client
        .disconnect(ConnectionTarget::Host("host1"), "vol2")
        .await
        .unwrap_err();
    assert_eq!(refusal(&error), "Connection does not exist.");
    client.delete_host("host1").await.expect("deleted");
    client.delete_host_group("hgroup1").await.expect("deleted");
}

#[tokio::test]
async fn ports_belong_to_one_host_and_are_stored_in_one_form() {
    let sim = start_sim().await;
    let client = bootstrap(&sim);
    client
        .create_host("host1", &iqns(&[IQN_A]))
        .await
        .expect("host1");
    let error = client
        .create_host("host2", &iqns(&[&IQN_A.to_uppercase()]))
        .await
        .unwrap_err();
    assert!(
        refusal(&error).contains("already in use by host host1"),
        "{error}"
    );

    let fc = HostPost {
        wwns: vec!["21:00:00:24:ff:4c:c5:6a".into()],
        personality: Some("esxi".into()),
        ..HostPost::default()
    };
    let host = client.create_host("esx1", &fc).await.expect("esx1");
    assert_eq!(host.wwns, ["21000024FF4CC56A"]);
    let patch = HostPatch {
        add_wwns: vec!["21000024FF4CC56B".into()],
        remove_wwns: vec!["21-00-00-24-FF-4C-C5-6A".into()],
        ..HostPatch::default()
    };
    assert_eq!(
        client
            .patch_host("esx1", &patch)
            .await
            .expect("patched")
            .wwns,
        ["21000024FF4CC56B"]
    );

    let error = client
        .create_host("bad", &iqns(&["not-an-iqn"]))
        .await
        .unwrap_err();
    assert!(refusal(&error).contains("is not an IQN"), "{error}");
    let bad_personality = HostPost {
        personality: Some("windows95".into()),
        ..HostPost::default()
    };
    assert!(
        refusal(
            &client
                .create_host("bad", &bad_personality)
                .await
                .unwrap_err()
        )
        .contains("Invalid personality")
    );
    let names: Vec<String> = client
        .list_hosts()
        .await
        .expect("hosts")
        .into_iter()
        .map(|host| host.name)
        .collect();
    assert_eq!(names, ["host1", "esx1"]);
}

#[tokio::test]
async fn a_host_group_shares_its_connections_at_one_lun() {
    let sim = start_sim().await;
    let client = bootstrap(&sim);
    for volume in ["shared", "private"] {
        client.create_volume(volume, GIB).await.expect("volume");
    }
    client
        .create_host("esx1", &iqns(&[IQN_A]))
        .await
        .expect("host");
    client
        .create_host("esx2", &iqns(&[IQN_B]))
        .await
        .expect("host");
    client.create_host_group("cluster").await.expect("group");
    client
        .add_hosts_to_group("cluster", &["esx1", "esx2"])
        .await
        .expect("members");

    client
        .connect(ConnectionTarget::HostGroup("cluster"), "shared", Some(10))
        .await
        .expect("shared");
    client
        .connect(ConnectionTarget::Host("esx1"), "private", None)
        .await
        .expect("private");
    assert_eq!(
        luns(&client, "esx1").await,
        [("private".to_owned(), 1), ("shared".to_owned(), 10)]
    );
    assert_eq!(luns(&client, "esx2").await, [("shared".to_owned(), 10)]);
    assert_eq!(
        sim.simulator
            .volume("shared")
            .expect("volume")
            .connection_count,
        2
    );

    let error = client
        .connect(ConnectionTarget::Host("esx2"), "private", Some(10))
        .await
        .unwrap_err();
    assert!(
        refusal(&error).contains("LUN 10 is already in use"),
        "{error}"
    );
    let error = client.delete_host_group("cluster").await.unwrap_err();
    assert!(refusal(&error).contains("has hosts"), "{error}");

    client
        .remove_host_from_group("cluster", "esx2")
        .await
        .expect("removed");
    assert!(luns(&client, "esx2").await.is_empty());
    client.create_host_group("other").await.expect("group");
    let error = client
        .add_hosts_to_group("other", &["esx1"])
        .await
        .unwrap_err();
    assert!(
        refusal(&error).contains("already a member of host group cluster"),
        "{error}"
    );
}

#[tokio::test]
async fn joining_a_group_whose_luns_clash_is_refused() {
    let sim = start_sim().await;
    let client = bootstrap(&sim);
    client.create_volume("a", GIB).await.expect("volume");
    client.create_volume("b", GIB).await.expect("volume");
    client
        .create_host("esx1", &iqns(&[IQN_A]))
        .await
        .expect("host");
    client.create_host_group("cluster").await.expect("group");
    client
        .connect(ConnectionTarget::Host("esx1"), "a", Some(5))
        .await
        .expect("private");
    client
        .connect(ConnectionTarget::HostGroup("cluster"), "b", Some(5))
        .await
        .expect("group");
    let error = client
        .add_hosts_to_group("cluster", &["esx1"])
        .await
        .unwrap_err();
    assert!(
        refusal(&error).contains("LUN 5 is used both by host esx1 and by host group cluster"),
        "{error}"
    );
}

#[tokio::test]
async fn every_host_follows_the_pages_to_the_end_or_says_it_stopped_short() {
    let sim = start_sim().await;
    let client = bootstrap(&sim);
    // More than one page of the thousand a read asks for.
    for n in 0..1005 {
        client
            .create_host(&format!("esx-{n:04}"), &HostPost::default())
            .await
            .expect("created");
    }
    let every = client.every_host(5000).await.expect("listed");
    assert!(every.complete);
    assert_eq!(every.items.len(), 1005);
    assert_eq!(every.items[1004].name, "esx-1004");
    let cut = client.every_host(1002).await.expect("listed");
    assert!(!cut.complete, "stopped at its bound");
    assert_eq!(cut.items.len(), 1002);
}
