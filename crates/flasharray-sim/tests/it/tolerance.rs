//! The portal's models read answers from arrays on other releases: any field but an item's
//! name may be missing, and fields this build does not know may be added. The answers are the
//! simulator's own, cut and padded at random.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use shared::flasharray::{
    Alert, Array, ArraySpace, Connection, Controller, Drive, Hardware, Host, HostGroup,
    Performance, Port, ProtectionGroup, ProtectionGroupSnapshot, Volume, VolumeSnapshot,
};

use crate::Wire;
use flasharray_sim::{Seed, SimulatorConfig};

/// Reads `item` as `T`, or says why not.
fn reads<T: DeserializeOwned>(item: &Value) -> Result<(), String> {
    serde_json::from_value::<T>(item.clone())
        .map(|_| ())
        .map_err(|error| format!("{error}: {item}"))
}

type Reader = fn(&Value) -> Result<(), String>;

const COLLECTIONS: [(&str, Reader); 15] = [
    ("arrays", reads::<Array>),
    ("arrays/space", reads::<ArraySpace>),
    ("arrays/performance", reads::<Performance>),
    ("volumes", reads::<Volume>),
    ("hosts", reads::<Host>),
    ("host-groups", reads::<HostGroup>),
    ("connections", reads::<Connection>),
    ("volume-snapshots", reads::<VolumeSnapshot>),
    ("protection-groups", reads::<ProtectionGroup>),
    (
        "protection-group-snapshots",
        reads::<ProtectionGroupSnapshot>,
    ),
    ("alerts", reads::<Alert>),
    ("controllers", reads::<Controller>),
    ("drives", reads::<Drive>),
    ("hardware", reads::<Hardware>),
    ("ports", reads::<Port>),
];

/// The item with the fields `keep` says no to removed (its name always stays), and `extra`
/// added, some of them inside objects it holds.
fn reshaped(item: &Value, keep: &[bool], extra: &[(String, i64)]) -> Value {
    let Value::Object(fields) = item else {
        return item.clone();
    };
    let mut cut: Map<String, Value> = fields
        .iter()
        .zip(keep.iter().cycle())
        .filter(|((name, _), keep)| **keep || name.as_str() == "name")
        .map(|((name, value), _)| (name.clone(), value.clone()))
        .collect();
    for (index, (name, value)) in extra.iter().enumerate() {
        let added = json!({"nested": [value], "text": name});
        match cut
            .values_mut()
            .filter(|value| value.is_object())
            .nth(index)
        {
            Some(Value::Object(inner)) => {
                inner.insert(format!("x_{name}"), added);
            }
            _ => {
                cut.insert(format!("x_{name}"), added);
            }
        }
    }
    Value::Object(cut)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_model_reads_answers_with_fields_missing_and_unknown_ones_added() {
    let wire = Wire::with_config(SimulatorConfig::new("fa-tolerance").seed(Seed::Demo)).await;
    let token = wire.session().await;
    let mut samples = Vec::new();
    for (path, read) in COLLECTIONS {
        let (status, body) = wire
            .call(&token, Method::GET, &format!("{path}?limit=3"), None)
            .await;
        assert_eq!(status, 200, "{path}: {body}");
        let items = body["items"].as_array().expect("items").clone();
        assert!(!items.is_empty(), "{path} has items to cut");
        for item in items {
            read(&item).unwrap_or_else(|error| panic!("{path} as sent: {error}"));
            samples.push((path, read, item));
        }
    }
    let mut runner = TestRunner::new(Config {
        cases: 256,
        ..Config::default()
    });
    let strategy = (
        0..samples.len(),
        proptest::collection::vec(any::<bool>(), 1..24),
        proptest::collection::vec(("[a-z_]{1,10}", any::<i64>()), 0..4),
    );
    runner
        .run(&strategy, |(index, keep, extra)| {
            let (path, read, item) = &samples[index];
            let cut = reshaped(item, &keep, &extra);
            prop_assert!(read(&cut).is_ok(), "{path}: {}", read(&cut).unwrap_err());
            Ok(())
        })
        .unwrap_or_else(|failure| panic!("{failure}"));
}
