//! Pure1 in the browser: an admin connects it by registering the portal's public key, the
//! dashboard shows its busy meter, an array only Pure1 sees and its alerts; the capacity
//! forecast on the chart; a placement suggestion taken and the volume created there,
//! checked on the array.

use backend::demo::{DEMO_PURE1_APP_ID, PURE1_ONLY_ARRAY};
use shared::api::Role;
use shared::size::format_size;

use crate::support::{Session, array_client, volume_on};

const PROD: &str = "fa-prod-01";
const DR: &str = "fa-dr-01";

/// The percentage a busy-meter cell shows.
async fn busy(session: &Session, array: &str, cell: &str) -> f64 {
    let text = session
        .text_containing(
            &format!("#pure1-arrays tr[data-array='{array}'] {cell}"),
            "%",
        )
        .await;
    text.trim()
        .trim_end_matches('%')
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("{array} {cell}: {text:?} is not a percentage"))
}

#[tokio::test]
async fn an_admin_connects_pure1_by_registering_the_portals_public_key() {
    let session = Session::with_pure1(false).await;
    session.open("/").await;
    session.sign_in_as_demo_admin().await;
    session
        .text_containing("#pure1-not-connected", "Pure1 is not connected")
        .await;
    session.click("#pure1-not-connected a").await;
    session.click("#pure1-generate").await;
    let public_key = session
        .element("#pure1-public-key")
        .await
        .prop("value")
        .await
        .expect("read")
        .unwrap_or_default();
    assert!(
        public_key.starts_with("-----BEGIN PUBLIC KEY-----"),
        "{public_key}"
    );
    // What the admin does in Pure1: register the public key, get an application id.
    let pure1 = &session.demo().pure1;
    pure1
        .sim
        .register_application(DEMO_PURE1_APP_ID, &public_key)
        .expect("registered in Pure1");
    session.fill("#pure1-app-id-input", DEMO_PURE1_APP_ID).await;
    session.fill("#pure1-url", pure1.url()).await;
    session.paste("#pure1-ca", pure1.certificate_pem()).await;
    session.click("#pure1-test").await;
    session
        .text_containing("#pure1-outcome", "Pure1 answered: 5 array(s)")
        .await;
    session.click("#pure1-save").await;
    session
        .text_containing("#pure1-app-id", DEMO_PURE1_APP_ID)
        .await;

    session.open("/").await;
    session
        .text_containing("#pure1-summary", "1 only Pure1 sees")
        .await;
    session.click("#pure1-page-link").await;
    session
        .text_containing(
            &format!("#pure1-arrays tr[data-array='{PURE1_ONLY_ARRAY}'] .seen-by-pure1"),
            "seen by Pure1",
        )
        .await;
    assert_eq!(
        session
            .count(&format!(
                "#pure1-arrays tr[data-array='{PROD}'] .seen-by-pure1"
            ))
            .await,
        0,
        "{PROD} is managed by the portal"
    );
    // The edge array carries 1.8 times the demo's load: its busy meter reads higher.
    let prod = busy(&session, PROD, ".busy-now .load").await;
    let edge = busy(&session, PURE1_ONLY_ARRAY, ".busy-now .load").await;
    assert!(edge > prod, "edge {edge} % vs prod {prod} %");
    busy(&session, PROD, ".busy-p95 .load").await;
    session
        .text_containing("#pure1-alerts", "Array space usage is high")
        .await;
    session
        .driver
        .execute(
            "document.getElementById('pure1-sees').scrollIntoView();",
            Vec::new(),
        )
        .await
        .expect("scrolled");
    session.screenshot("pure1-page").await;
    session.finish().await;
}

#[tokio::test]
async fn a_viewer_reads_pure1s_view_on_its_page_and_its_alerts_beside_the_arrays() {
    let session = Session::with_pure1(true).await;
    session.open("/").await;
    session.sign_in_with_role(Role::Viewer).await;
    session.click("#pure1-link").await;
    session
        .text_containing(
            &format!("#pure1-arrays tr[data-array='{PURE1_ONLY_ARRAY}'] .seen-by-pure1"),
            "seen by Pure1",
        )
        .await;
    assert_eq!(session.count("#pure1-connection").await, 0, "admins only");
    // Sorted by the busy meter, busiest first.
    for _ in 0..2 {
        session
            .click("#pure1-arrays button[data-sort='busy_now']")
            .await;
    }
    session
        .element("#pure1-arrays th[aria-sort='descending'] button[data-sort='busy_now']")
        .await;
    let mut loads = Vec::new();
    for cell in session
        .driver
        .find_all(thirtyfour::By::Css("#pure1-arrays tbody .busy-now .load"))
        .await
        .expect("cells")
    {
        let text = cell.text().await.expect("text");
        loads.push(
            text.trim_end_matches('%')
                .trim()
                .parse::<f64>()
                .expect("a share"),
        );
    }
    assert!(loads.len() >= 3, "{loads:?}");
    assert!(loads.windows(2).all(|pair| pair[0] >= pair[1]), "{loads:?}");
    // Where a volume would fit, asked from this page.
    session.fill("#pure1-placement-size", "100G").await;
    session.click("#suggest-array").await;
    session.element("#placement .candidate[data-array]").await;
    // The array only Pure1 sees is weighed from Pure1's own figures, after the portal's
    // arrays, and cannot be picked from here.
    let edge = format!("#placement li[data-array='{PURE1_ONLY_ARRAY}'][data-managed='false']");
    session
        .text_containing(&edge, "Seen by Pure1 only: register it in the portal")
        .await;
    session.text_containing(&edge, "full after").await;
    session.text_containing(&edge, "load p95").await;
    assert_eq!(session.count(&format!("{edge} a.pick")).await, 0);
    let managed_flags: Vec<String> = {
        let mut flags = Vec::new();
        for item in session
            .driver
            .find_all(thirtyfour::By::Css(
                "#placement li.candidate[data-eligible='true']",
            ))
            .await
            .expect("candidates")
        {
            flags.push(
                item.attr("data-managed")
                    .await
                    .expect("read")
                    .unwrap_or_default(),
            );
        }
        flags
    };
    assert!(
        managed_flags.windows(2).all(|pair| pair[0] >= pair[1]),
        "the portal's own arrays first: {managed_flags:?}"
    );

    // The alerts page carries Pure1's alerts of the array only Pure1 sees, each of them.
    let answer = session.fetch_text("/api/fleet/pure1").await;
    let fleet: serde_json::Value =
        serde_json::from_str(answer.split_once('\n').expect("status").1).expect("json");
    let edge: Vec<&str> = fleet["alerts"]
        .as_array()
        .expect("alerts")
        .iter()
        .filter(|alert| alert["array"] == PURE1_ONLY_ARRAY)
        .map(|alert| alert["id"].as_str().expect("id"))
        .collect();
    assert!(
        !edge.is_empty(),
        "the demo's edge array raises alerts: {fleet}"
    );
    session.open("/alerts").await;
    for id in &edge {
        session
            .element(&format!(
                "#alerts tr.from-pure1[data-alert='{id}'][data-array='{PURE1_ONLY_ARRAY}']"
            ))
            .await;
    }
    assert_eq!(
        session
            .count(&format!(
                "#alerts tr.from-pure1:not([data-array='{PURE1_ONLY_ARRAY}'])"
            ))
            .await,
        0,
        "the managed arrays' alerts come from the arrays themselves"
    );
    session.finish().await;
}

#[tokio::test]
async fn a_placement_suggestion_is_taken_and_the_volume_created_on_that_array() {
    let session = Session::start().await;
    session
        .open(&format!("/arrays/{PROD}/overview?range=30d"))
        .await;
    session.sign_in_as_demo_admin().await;
    // 30 days of growth give a dated forecast, drawn on the capacity chart.
    session
        .text_containing(
            "#forecast[data-enough='true']",
            "Capacity forecast from the last",
        )
        .await;
    session.element("#chart-capacity .projection").await;
    session.screenshot("capacity-forecast").await;
    // The capacity line runs on as far as the forecast, drawn in a colour of its own.
    let capacity_end = session
        .measure("Math.max(...[...document.querySelector('#chart-capacity .limit').points].map((point) => point.x))")
        .await;
    let forecast_end = session
        .measure("Math.max(...['x1', 'x2'].map((end) => document.querySelector('#chart-capacity .projection').getAttribute(end)))")
        .await;
    assert!(
        capacity_end >= forecast_end - 0.5,
        "{capacity_end} < {forecast_end}"
    );
    // The fitted growth is drawn back over the history it was fitted to.
    let forecast_start = session
        .measure("Math.min(...['x1', 'x2'].map((end) => document.querySelector('#chart-capacity .projection').getAttribute(end)))")
        .await;
    let history_end = session
        .measure("Math.max(...[...document.querySelectorAll('#chart-capacity .area')].flatMap((area) => [...area.points].map((point) => point.x)))")
        .await;
    assert!(
        forecast_start < history_end / 2.0,
        "the fit starts at {forecast_start}, the history ends at {history_end}"
    );
    let forecast = session
        .measure("(() => { const colour = getComputedStyle(document.querySelector('#chart-capacity .projection')).stroke; return [...document.querySelectorAll('#chart-capacity .area')].filter((area) => getComputedStyle(area).fill === colour).length; })()")
        .await;
    assert_eq!(forecast, 0.0, "no series shares the forecast's colour");

    let dr = array_client(&session.demo().arrays[1]);
    let capacity = dr.array_space(None).await.expect("space")[0].capacity;
    // A tenth of the DR array: 84 % full, it would pass 90 %, so the portal looks elsewhere.
    let gib = (capacity / 10).div_ceil(1 << 30);
    let size = format!("{gib}G");
    session.open(&format!("/arrays/{DR}/volumes")).await;
    session.fill("#volume-name", "placed-by-advice").await;
    session.fill("#volume-size", &size).await;
    session.click("#suggest-array").await;
    session
        .text_containing(
            &format!("#placement li[data-array='{DR}'][data-eligible='false']"),
            "over 90 %",
        )
        .await;
    session
        .text_containing("#placement li.candidate:first-child", PROD)
        .await;
    session.screenshot("placement-advice").await;
    session
        .click(&format!("#placement li[data-array='{PROD}'] a.pick"))
        .await;
    session
        .text_containing("h1", &format!("Volumes on {PROD}"))
        .await;
    let name = session
        .element("#volume-name")
        .await
        .prop("value")
        .await
        .expect("read")
        .unwrap_or_default();
    assert_eq!(name, "placed-by-advice", "the form came along");
    session.click("#volume-create").await;
    session
        .text_containing("#volume-outcome", "Created 1 volume")
        .await;
    let created = volume_on(&session.demo().arrays[0], "placed-by-advice")
        .await
        .expect("the volume is on the suggested array");
    assert_eq!(format_size(created.provisioned), format_size(gib << 30));
    assert!(
        volume_on(&session.demo().arrays[1], "placed-by-advice")
            .await
            .is_none()
    );
    session.finish().await;
}
