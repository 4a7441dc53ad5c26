use flasharray::{Credentials, Error, VolumeQuery};

use crate::{bootstrap, client, start_sim};

#[tokio::test]
async fn creates_and_lists_volumes() {
    let sim = start_sim().await;
    let token = bootstrap(&sim)
        .create_api_token("pureuser")
        .await
        .expect("token");
    let client = client(&sim, Credentials::ApiToken(token));
    let created = client
        .create_volume("vol1", 5 << 30)
        .await
        .expect("created");
    assert_eq!(created.provisioned, 5 << 30);
    assert_eq!(created.serial.len(), 24);

    let page = client
        .list_volumes(&VolumeQuery {
            total_item_count: true,
            ..VolumeQuery::default()
        })
        .await
        .expect("listed");
    assert_eq!(page.total_item_count, Some(1));
    assert_eq!(page.items[0].name, "vol1");
}

#[tokio::test]
async fn a_duplicate_name_carries_the_arrays_message_and_context() {
    let sim = start_sim().await;
    let client = bootstrap(&sim);
    client
        .create_volume("vol1", 1 << 20)
        .await
        .expect("created");
    let error = client.create_volume("VOL1", 1 << 20).await.unwrap_err();
    let Error::Array { status, errors, .. } = &error else {
        panic!("not an array error: {error}")
    };
    assert_eq!(*status, 400);
    assert_eq!(errors[0].context.as_deref(), Some("VOL1"));
    assert_eq!(errors[0].message, "Volume already exists.");
}

#[tokio::test]
async fn pages_with_limit_and_offset() {
    let sim = start_sim().await;
    let client = bootstrap(&sim);
    for name in ["a1", "a2", "a3"] {
        client.create_volume(name, 1 << 20).await.expect("created");
    }
    let page = client
        .list_volumes(&VolumeQuery {
            limit: Some(2),
            offset: Some(1),
            ..VolumeQuery::default()
        })
        .await
        .expect("listed");
    let names: Vec<&str> = page
        .items
        .iter()
        .map(|volume| volume.name.as_str())
        .collect();
    assert_eq!(names, ["a2", "a3"]);
    assert_eq!(page.more_items_remaining, Some(false));
}

#[tokio::test]
async fn all_volumes_streams_every_page_by_token_or_by_offset() {
    use futures_util::TryStreamExt;
    let sim = start_sim().await;
    let client = bootstrap(&sim);
    let names: Vec<String> = (1..=25).map(|n| format!("vol-{n:02}")).collect();
    for name in &names {
        client.create_volume(name, 1 << 20).await.expect("created");
    }
    let by_token: Vec<String> = client
        .all_volumes(VolumeQuery::default(), 10)
        .map_ok(|volume| volume.name)
        .try_collect()
        .await
        .expect("streamed");
    assert_eq!(by_token, names);

    let sorted = VolumeQuery {
        sort: Some("-name".into()),
        ..VolumeQuery::default()
    };
    let by_offset: Vec<String> = client
        .all_volumes(sorted, 7)
        .map_ok(|volume| volume.name)
        .try_collect()
        .await
        .expect("streamed");
    let descending: Vec<String> = names.iter().rev().cloned().collect();
    assert_eq!(by_offset, descending);

    let filtered = VolumeQuery {
        filter: Some("name='vol-1*'".into()),
        ..VolumeQuery::default()
    };
    let teens: Vec<String> = client
        .all_volumes(filtered, 4)
        .map_ok(|volume| volume.name)
        .try_collect()
        .await
        .expect("streamed");
    assert_eq!(teens, names[9..19]);
}

#[tokio::test]
async fn the_protection_of_many_volumes_is_asked_a_few_names_at_a_time() {
    let sim = start_sim().await;
    let client = bootstrap(&sim);
    let names: Vec<String> = (0..120).map(|index| format!("many-{index:03}")).collect();
    client
        .create_volumes(&names, 1 << 20)
        .await
        .expect("created");
    client
        .create_protection_group("pg-many")
        .await
        .expect("group");
    client
        .add_group_members(flasharray::MemberKind::Volumes, "pg-many", &names)
        .await
        .expect("members");
    let found = client
        .volume_protection_groups(&names)
        .await
        .expect("asked");
    let mut members: Vec<&str> = found
        .iter()
        .filter(|membership| membership.group.name.as_deref() == Some("pg-many"))
        .filter_map(|membership| membership.member.name.as_deref())
        .collect();
    members.sort_unstable();
    assert_eq!(
        members,
        names.iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert!(
        client
            .volume_protection_groups::<&str>(&[])
            .await
            .expect("nothing asked")
            .is_empty()
    );
}
