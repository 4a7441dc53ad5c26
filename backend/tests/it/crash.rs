//! A `flashdeck` process killed during a burst of changes leaves no change unrecorded: every
//! volume the array made has its audit row after a restart.

use std::time::Duration;

use flasharray::{ArrayClient, ClientConfig, Credentials, TrustAnchor, VolumeQuery};
use flasharray_sim::{ADMIN_PASSWORD, ADMIN_USERNAME};
use serde_json::{Value, json};
use shared::api::CSRF_HEADER;
use test_support::tls::plain_client;

use crate::ARRAY;
use crate::process::{array_and_config, start};

#[tokio::test]
async fn a_portal_killed_mid_burst_leaves_every_change_the_array_made_audited() {
    let (_dir, sim, config) = array_and_config().await;
    let array_admin = ArrayClient::new(ClientConfig::new(
        ARRAY,
        sim.url(),
        Credentials::Password {
            username: ADMIN_USERNAME.into(),
            password: ADMIN_PASSWORD.into(),
        },
        TrustAnchor::CaPem(sim.certificate_pem().into()),
    ))
    .expect("client");
    let http = plain_client();
    let mut portal = start(&config);
    let cookie = portal.sign_in(&http).await;
    let burst: Vec<_> = (0..60)
        .map(|index| {
            let request = http
                .post(format!("{}/api/arrays/{ARRAY}/volumes", portal.url))
                .header(CSRF_HEADER, "1")
                .header("cookie", &cookie)
                .json(&json!({"name": format!("burst-{index}"), "provisioned": 1u64 << 30}));
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(index * 10)).await;
                request.send().await.map(|response| response.status())
            })
        })
        .collect();
    // Kill it while the burst is under way: some changes done, some in flight, some not sent.
    while sim.simulator.volume("burst-3").is_none() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    portal.kill();
    let mut answered = 0;
    for call in burst {
        if call.await.expect("task").is_ok() {
            answered += 1;
        }
    }

    let restarted = start(&config);
    let cookie = restarted.sign_in(&http).await;
    let audit: Vec<Value> = http
        .get(format!(
            "{}/api/audit?action=volume.create&limit=500",
            restarted.url
        ))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("audit")
        .json()
        .await
        .expect("audit JSON");
    let made: Vec<String> = array_admin
        .list_volumes(&VolumeQuery::default())
        .await
        .expect("volumes")
        .items
        .into_iter()
        .map(|volume| volume.name)
        .filter(|name| name.starts_with("burst-"))
        .collect();
    assert!(answered < 60, "the kill came before the burst ended");
    let pending = audit
        .iter()
        .filter(|entry| entry["outcome"] == "pending")
        .count();
    eprintln!(
        "{} volumes made, {answered} answers, {} audit rows ({pending} left pending by the kill)",
        made.len(),
        audit.len()
    );
    for name in &made {
        let target = format!("name={name}");
        let entry = audit
            .iter()
            .find(|entry| entry["target"] == target.as_str())
            .unwrap_or_else(|| panic!("{name} is on the array but not in the audit log"));
        assert!(
            ["success", "pending"].contains(&entry["outcome"].as_str().unwrap_or_default()),
            "{entry}"
        );
    }
    for entry in audit.iter().filter(|entry| entry["outcome"] == "success") {
        let name = entry["target"]
            .as_str()
            .and_then(|target| target.strip_prefix("name="))
            .unwrap_or_default();
        assert!(made.iter().any(|made| made == name), "{entry}");
    }
    sim.shutdown().await;
}
