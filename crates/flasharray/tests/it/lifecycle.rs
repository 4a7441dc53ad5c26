//! A volume's life after creation: resize, rename, QoS, destroy, recover, eradicate.

use std::time::Duration;

use flasharray::{ArrayClient, VolumeQuery};
use shared::flasharray::{LimitPatch, QosPatch, VolumePatch};
use shared::size::GIB;

use crate::{bootstrap, refusal, start_sim};

async fn names(client: &ArrayClient, destroyed: bool) -> Vec<String> {
    let query = VolumeQuery {
        destroyed: Some(destroyed),
        ..VolumeQuery::default()
    };
    let page = client.list_volumes(&query).await.expect("listed");
    page.items.into_iter().map(|volume| volume.name).collect()
}

fn resize(provisioned: u64) -> VolumePatch {
    VolumePatch {
        provisioned: Some(provisioned),
        ..VolumePatch::default()
    }
}

fn destroyed(destroyed: bool) -> VolumePatch {
    VolumePatch {
        destroyed: Some(destroyed),
        ..VolumePatch::default()
    }
}

#[tokio::test]
async fn grows_and_shrinks_only_with_truncate() {
    let sim = start_sim().await;
    let client = bootstrap(&sim);
    client.create_volume("vol1", GIB).await.expect("created");
    assert_eq!(
        client
            .patch_volume("vol1", &resize(2 * GIB), false)
            .await
            .expect("grown")
            .provisioned,
        2 * GIB
    );
    let error = client
        .patch_volume("vol1", &resize(GIB), false)
        .await
        .unwrap_err();
    assert!(refusal(&error).contains("truncate=true"), "{error}");
    assert_eq!(
        client
            .patch_volume("vol1", &resize(GIB), true)
            .await
            .expect("shrunk")
            .provisioned,
        GIB
    );
}

#[tokio::test]
async fn renames_unless_the_name_is_taken() {
    let sim = start_sim().await;
    let client = bootstrap(&sim);
    client.create_volume("vol1", GIB).await.expect("created");
    client.create_volume("vol2", GIB).await.expect("created");
    let rename = |name: &str| VolumePatch {
        name: Some(name.into()),
        ..VolumePatch::default()
    };
    let error = client
        .patch_volume("vol1", &rename("VOL2"), false)
        .await
        .unwrap_err();
    assert_eq!(refusal(&error), "Volume already exists.");
    client
        .patch_volume("vol1", &rename("vol1-renamed"), false)
        .await
        .expect("renamed");
    assert_eq!(names(&client, false).await, ["vol1-renamed", "vol2"]);
    let error = client
        .patch_volume("vol1", &rename("x"), false)
        .await
        .unwrap_err();
    assert_eq!(refusal(&error), "Volume does not exist.");
}

#[tokio::test]
async fn sets_and_removes_qos_limits_within_the_arrays_bounds() {
    let sim = start_sim().await;
    let client = bootstrap(&sim);
    client.create_volume("vol1", GIB).await.expect("created");
    let qos = |bandwidth: Option<LimitPatch>, iops: Option<LimitPatch>| VolumePatch {
        qos: Some(QosPatch {
            bandwidth_limit: bandwidth,
            iops_limit: iops,
        }),
        ..VolumePatch::default()
    };
    let limited = client
        .patch_volume(
            "vol1",
            &qos(
                Some(LimitPatch::Limit(10 << 20)),
                Some(LimitPatch::Limit(5_000)),
            ),
            false,
        )
        .await
        .expect("limited");
    assert_eq!(
        (limited.qos.bandwidth_limit, limited.qos.iops_limit),
        (Some(10 << 20), Some(5_000))
    );
    let error = client
        .patch_volume("vol1", &qos(None, Some(LimitPatch::Limit(5))), false)
        .await
        .unwrap_err();
    assert!(
        refusal(&error).contains("between 100 and 100000000"),
        "{error}"
    );
    let unset = client
        .patch_volume(
            "vol1",
            &qos(Some(LimitPatch::Unset(String::new())), None),
            false,
        )
        .await
        .expect("unset");
    assert_eq!(
        (unset.qos.bandwidth_limit, unset.qos.iops_limit),
        (None, Some(5_000))
    );
}

#[tokio::test]
async fn destroy_recover_and_eradicate() {
    let sim = start_sim().await;
    let client = bootstrap(&sim);
    client.create_volume("vol1", GIB).await.expect("created");
    let error = client.eradicate_volume("vol1").await.unwrap_err();
    assert!(refusal(&error).contains("must be destroyed"), "{error}");

    let gone = client
        .patch_volume("vol1", &destroyed(true), false)
        .await
        .expect("destroyed");
    assert!(gone.destroyed);
    assert_eq!(gone.time_remaining, Some(24 * 60 * 60 * 1000));
    assert_eq!(names(&client, true).await, ["vol1"]);
    assert!(names(&client, false).await.is_empty());
    let error = client
        .patch_volume("vol1", &resize(2 * GIB), false)
        .await
        .unwrap_err();
    assert!(refusal(&error).contains("Recover it first"), "{error}");

    client
        .patch_volume("vol1", &destroyed(false), false)
        .await
        .expect("recovered");
    assert_eq!(names(&client, false).await, ["vol1"]);

    client
        .patch_volume("vol1", &destroyed(true), false)
        .await
        .expect("destroyed again");
    client.eradicate_volume("vol1").await.expect("eradicated");
    assert!(names(&client, true).await.is_empty());
    let audit: Vec<String> = sim
        .simulator
        .audits()
        .into_iter()
        .map(|entry| entry.subcommand)
        .collect();
    assert_eq!(
        audit,
        ["create", "setattr", "setattr", "setattr", "eradicate"]
    );
}

#[tokio::test]
async fn a_destroyed_volume_is_eradicated_when_its_time_runs_out() {
    let sim = start_sim().await;
    let client = bootstrap(&sim);
    client.create_volume("vol1", GIB).await.expect("created");
    client
        .patch_volume("vol1", &destroyed(true), false)
        .await
        .expect("destroyed");

    sim.simulator
        .clock
        .advance(Duration::from_secs(23 * 60 * 60));
    let query = VolumeQuery {
        destroyed: Some(true),
        ..VolumeQuery::default()
    };
    let pending = client.list_volumes(&query).await.expect("listed");
    // The simulated clock adds 23 hours to wall time, which itself moves on a little.
    let remaining = pending.items[0].time_remaining.expect("time remaining");
    assert!(
        (59 * 60 * 1000..=60 * 60 * 1000).contains(&remaining),
        "{remaining} ms"
    );

    sim.simulator.clock.advance(Duration::from_secs(60 * 60));
    assert!(
        names(&client, true).await.is_empty(),
        "eradicated after 24 hours"
    );
}
