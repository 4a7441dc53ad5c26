//! Issue 17: the frontend's foundations — the array always in view, list state in the URL,
//! Recover from an outcome, live data, pickers, accessibility checked by axe-core on every
//! page, and a workflow done with the keyboard alone.

use shared::size::GIB;
use thirtyfour::Key;

use crate::support::{Session, array_client, volume_on};

const PROD: &str = "fa-prod-01";
const DR: &str = "fa-dr-01";

#[tokio::test]
async fn every_array_page_names_its_array_and_switches_to_the_same_page_elsewhere() {
    let session = Session::start().await;
    session.open(&format!("/arrays/{PROD}/volumes")).await;
    session.sign_in_as_demo_admin().await;
    for (path, section) in [
        ("volumes", "Volumes"),
        ("volumes/sql-fin-db", "Volumes"),
        ("hosts", "Hosts"),
        ("hosts/esx-01", "Hosts"),
        ("protection", "Protection groups"),
        ("protection/pg-oracle", "Protection groups"),
    ] {
        session.open(&format!("/arrays/{PROD}/{path}")).await;
        session.text_containing("#array-name", PROD).await;
        let title = session.driver.title().await.expect("title");
        assert!(
            title.starts_with(&format!("{PROD} · {section}")) && title.ends_with("· Flashdeck"),
            "{path}: title {title:?}"
        );
        if let Some((_, object)) = path.split_once('/') {
            session.text_containing("#breadcrumb-current", object).await;
        }
    }

    session.open(&format!("/arrays/{PROD}/hosts")).await;
    session
        .element(&format!("#array-switcher option[value='{DR}']"))
        .await;
    session.choose("#array-switcher", DR).await;
    session.text_containing("#array-name", DR).await;
    let url = session.driver.current_url().await.expect("url");
    assert!(
        url.path().ends_with(&format!("/arrays/{DR}/hosts")),
        "{url}"
    );
    session
        .text_containing("h1", &format!("Hosts on {DR}"))
        .await;
    session.finish().await;
}

#[tokio::test]
async fn back_restores_a_searched_sorted_paged_table() {
    let session = Session::start().await;
    let names: Vec<String> = (1..=60).map(|n| format!("back-{n:02}")).collect();
    array_client(&session.demo().arrays[0])
        .create_volumes(&names, GIB)
        .await
        .expect("volumes made on the array");
    session.open(&format!("/arrays/{PROD}/volumes")).await;
    session.sign_in_as_demo_admin().await;
    session.element("#volumes").await;

    session.fill("#volume-search", "back-").await;
    session.text_containing("#volume-count", "60 volumes").await;
    session.click("button[data-sort='name']").await;
    session
        .text_containing("#volumes tbody tr:first-child .name", "back-60")
        .await;
    session.click("#page-next").await;
    session.text_containing("#page-info", "51–60 of 60").await;
    let url = session.driver.current_url().await.expect("url");
    let query = url.query().unwrap_or_default().to_owned();
    assert!(
        query.contains("search=back-")
            && query.contains("sort=-name")
            && query.contains("offset=50"),
        "state in the URL: {query}"
    );

    session.click("nav.tabs a[href$='/hosts']").await;
    session.element("#hosts").await;
    session.driver.back().await.expect("back");
    session.text_containing("#page-info", "51–60 of 60").await;
    session
        .text_containing("#volumes tbody tr:first-child .name", "back-10")
        .await;
    let search = session
        .element("#volume-search")
        .await
        .prop("value")
        .await
        .expect("value")
        .unwrap_or_default();
    assert_eq!(search, "back-");
    let sorted = session
        .element("#volumes th[aria-sort='descending'] button")
        .await;
    assert_eq!(
        sorted.attr("data-sort").await.expect("attr").as_deref(),
        Some("name")
    );

    session.driver.back().await.expect("back");
    session.text_containing("#page-info", "1–50 of 60").await;

    // The same link, opened fresh, shows the same page.
    session
        .open(&format!("/arrays/{PROD}/volumes?{query}"))
        .await;
    session.text_containing("#page-info", "51–60 of 60").await;
    session.finish().await;
}

#[tokio::test]
async fn a_destroyed_volume_is_recovered_from_its_outcome_line() {
    let session = Session::start().await;
    session
        .open(&format!("/arrays/{PROD}/volumes/scratch-etl"))
        .await;
    session.sign_in_as_demo_admin().await;
    session.click("#destroy-volume").await;
    session
        .text_containing(
            ".confirm-dialog .question",
            "Destroy scratch-etl on fa-prod-01?",
        )
        .await;
    session
        .text_containing(
            ".confirm-dialog .details",
            "keeps a destroyed volume for 1 day",
        )
        .await;
    session.confirm().await;
    session
        .text_containing("#destroy-outcome", "Destroyed scratch-etl on fa-prod-01")
        .await;
    session.text_containing("#fact-state", "destroyed").await;
    // Space as Purity breaks it down.
    for fact in [
        "#space-unique",
        "#space-snapshots",
        "#space-shared",
        "#space-reduction",
    ] {
        session.element(fact).await;
    }
    let reduction = session
        .element("#space-reduction")
        .await
        .text()
        .await
        .expect("text");
    assert!(reduction.ends_with("to 1"), "{reduction}");
    let array = &session.demo().arrays[0];
    assert!(
        volume_on(array, "scratch-etl")
            .await
            .expect("volume")
            .destroyed
    );

    session.click("#destroy-outcome .recover-now").await;
    session
        .text_containing("#destroy-outcome", "Recovered scratch-etl on fa-prod-01.")
        .await;
    session.text_containing("#fact-state", "in use").await;
    assert!(
        !volume_on(array, "scratch-etl")
            .await
            .expect("volume")
            .destroyed
    );

    // The audit log names each as the admin did it, as Purity's own audit trail does.
    session.open("/audit").await;
    for (searched, action) in [("destroy", "volume.destroy"), ("recover", "recover")] {
        session.fill("#audit-action", searched).await;
        session.click("#audit-search").await;
        let row = session
            .text_containing("#audit tbody tr[data-outcome='success']", action)
            .await;
        assert!(row.contains("scratch-etl"), "{row}");
    }
    session.fill("#audit-action", "volume.change").await;
    session.click("#audit-search").await;
    session.gone("#audit tbody tr").await;

    // A bulk destroy's results carry a Recover link per volume.
    session.open(&format!("/arrays/{PROD}/volumes")).await;
    session.click("#select-all").await;
    let rows = session.count("#volumes tbody tr").await;
    session
        .text_containing("#bulk-count", &format!("{rows} volumes"))
        .await;
    session.click("#bulk-clear").await;
    session
        .click("tr[data-volume='scratch-etl'] .select-volume")
        .await;
    session.click("#bulk-destroy").await;
    session.confirm().await;
    let item = "#bulk-results li[data-volume='scratch-etl']";
    session.text_containing(item, "destroyed").await;
    assert!(
        volume_on(array, "scratch-etl")
            .await
            .expect("volume")
            .destroyed
    );
    session.click(&format!("{item} .recover-now")).await;
    session.text_containing(item, "Recovered scratch-etl").await;
    assert!(
        !volume_on(array, "scratch-etl")
            .await
            .expect("volume")
            .destroyed
    );
    session.finish().await;
}

#[tokio::test]
async fn pages_refresh_on_demand_and_pickers_offer_the_arrays_names() {
    let session = Session::start().await;
    session.open(&format!("/arrays/{PROD}/volumes")).await;
    session.sign_in_as_demo_admin().await;
    session.element("#volumes").await;
    session.text_containing("#updated-ago", "Updated").await;

    // A change made on the array behind the portal's back shows after Refresh.
    array_client(&session.demo().arrays[0])
        .create_volume("made-elsewhere", GIB)
        .await
        .expect("volume");
    session.click("#refresh").await;
    session.element("tr[data-volume='made-elsewhere']").await;
    // The age ticks by itself.
    let before = session
        .element("#updated-ago")
        .await
        .text()
        .await
        .expect("text");
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let after = session
        .element("#updated-ago")
        .await
        .text()
        .await
        .expect("text");
    assert_ne!(before, after, "the clock ticks");
    session.click("#pause-refresh").await;
    assert!(
        session
            .element("#pause-refresh")
            .await
            .is_selected()
            .await
            .expect("checked")
    );

    session
        .open(&format!("/arrays/{PROD}/volumes/made-elsewhere"))
        .await;
    session.choose("#connect-kind", "host").await;
    session
        .element("#connect-target-options option[value='esx-01']")
        .await;
    session.choose("#connect-kind", "host_group").await;
    session
        .element("#connect-target-options option[value='esx-cluster']")
        .await;
    assert_eq!(
        session
            .count("#connect-target-options option[value='esx-01']")
            .await,
        0
    );

    // A protection group's members picker offers what the chosen kind names on the array.
    session
        .open(&format!("/arrays/{PROD}/protection/pg-oracle"))
        .await;
    session
        .element("#member-names-options option[value='made-elsewhere']")
        .await;
    session.choose("#member-kind", "host_groups").await;
    session
        .element("#member-names-options option[value='esx-cluster']")
        .await;
    session.finish().await;
}

#[tokio::test]
async fn axe_finds_no_serious_violation_on_any_page_in_either_theme() {
    let session = Session::start().await;
    session.open("/").await;
    session.element("#login-username").await;
    // The checker can fail: a button without a name is caught.
    session
        .driver
        .execute(
            "const b = document.createElement('button'); b.id = 'nameless'; document.body.append(b);",
            Vec::new(),
        )
        .await
        .expect("injected");
    let found = session.serious_violations().await;
    assert!(
        found
            .iter()
            .any(|violation| violation["rule"] == "button-name"),
        "axe missed a nameless button: {found:?}"
    );
    session
        .driver
        .execute("document.getElementById('nameless').remove();", Vec::new())
        .await
        .expect("removed");
    session.assert_accessible("sign-in").await;
    session.sign_in_as_demo_admin().await;
    let pages = [
        ("fleet", "/".to_owned(), "#fleet tbody tr"),
        ("arrays", "/arrays".to_owned(), "#arrays"),
        ("alerts", "/alerts".to_owned(), "#alerts tbody tr"),
        (
            "search",
            "/search?q=sql".to_owned(),
            "#search-results tbody tr",
        ),
        (
            "overview",
            format!("/arrays/{PROD}/overview"),
            "#chart-capacity",
        ),
        ("volumes", format!("/arrays/{PROD}/volumes"), "#volumes"),
        (
            "destroyed",
            format!("/arrays/{PROD}/volumes?destroyed=true"),
            "#volume-count",
        ),
        (
            "volume",
            format!("/arrays/{PROD}/volumes/sql-fin-db"),
            "#volume-space",
        ),
        ("hosts", format!("/arrays/{PROD}/hosts"), "#host-groups"),
        (
            "host",
            format!("/arrays/{PROD}/hosts/esx-01"),
            "#host-ports",
        ),
        (
            "protection",
            format!("/arrays/{PROD}/protection"),
            "#protection-groups",
        ),
        (
            "protection-group",
            format!("/arrays/{PROD}/protection/pg-oracle"),
            "#pg-facts",
        ),
        (
            "recycle-bin",
            "/recycle-bin".to_owned(),
            "#recycle-bin, #recycle-empty",
        ),
        ("users", "/users".to_owned(), "#users"),
        ("audit", "/audit".to_owned(), "#audit-filters"),
        ("pure1", "/pure1".to_owned(), "#pure1-connected"),
        ("tokens", "/tokens".to_owned(), "#create-token"),
        ("requests", "/requests".to_owned(), "#held-actions"),
    ];
    for theme in ["light", "dark"] {
        session.open("/").await;
        session.choose("#theme-choice", theme).await;
        for (name, path, ready) in &pages {
            session.open(path).await;
            session.element(ready).await;
            // The theme chosen once holds on every page load.
            let background = session
                .driver
                .execute(
                    "return getComputedStyle(document.body).backgroundColor;",
                    Vec::new(),
                )
                .await
                .expect("style read");
            let expected = if theme == "dark" {
                "rgb(22, 24, 29)"
            } else {
                "rgb(247, 248, 250)"
            };
            assert_eq!(background.json(), expected, "{name} in the {theme} theme");
            session.assert_accessible(&format!("{name}-{theme}")).await;
        }
    }
    // A confirmation open counts too (a connected volume's: disconnect, then destroy).
    session
        .open(&format!("/arrays/{PROD}/volumes/sql-fin-db"))
        .await;
    session.click("#destroy-disconnect").await;
    session.element(".confirm-dialog").await;
    session.assert_accessible("confirmation").await;
    session.finish().await;
}

#[tokio::test]
async fn a_volume_is_created_destroyed_and_recovered_with_the_keyboard_alone() {
    let session = Session::start().await;
    session.open(&format!("/arrays/{PROD}/volumes")).await;
    session.sign_in_as_demo_admin().await;
    session.element("#volumes").await;

    session.tab_to("#volume-name").await;
    session.type_keys("kb vol").await;
    session.tab_to("#volume-size").await;
    session.type_keys("3G").await;
    session.type_keys(Key::Enter).await;
    // The message goes under the name, and the focus with it.
    session.element("#volume-name-error").await;
    session.assert_focused("#volume-name").await;
    for _ in 0.."kb vol".len() {
        session.type_keys(Key::Backspace).await;
    }
    session.type_keys("kb-vol").await;
    session.type_keys(Key::Enter).await;
    session
        .text_containing("#volume-outcome", "Created 1 volume")
        .await;
    session.assert_focused("#volume-outcome").await;
    assert_eq!(
        volume_on(&session.demo().arrays[0], "kb-vol")
            .await
            .expect("made")
            .provisioned,
        3 * GIB
    );

    session.tab_to("tr[data-volume='kb-vol'] .name a").await;
    session.type_keys(Key::Enter).await;
    session.text_containing("#volume-title", "kb-vol").await;
    session.tab_to("#destroy-volume").await;
    session.type_keys(Key::Enter).await;
    session.assert_focused(".confirm-dialog .confirm-yes").await;
    session.type_keys(Key::Enter).await;
    session
        .text_containing("#destroy-outcome", "Destroyed kb-vol")
        .await;
    session.assert_focused("#destroy-outcome").await;
    assert!(
        volume_on(&session.demo().arrays[0], "kb-vol")
            .await
            .expect("volume")
            .destroyed
    );

    session.tab_to("#destroy-outcome .recover-now").await;
    session.type_keys(Key::Enter).await;
    session
        .text_containing("#destroy-outcome", "Recovered kb-vol")
        .await;
    assert!(
        !volume_on(&session.demo().arrays[0], "kb-vol")
            .await
            .expect("volume")
            .destroyed
    );
    session.finish().await;
}

#[tokio::test]
async fn the_hosts_table_is_searched_and_sorted_by_the_array_and_kept_in_the_url() {
    let session = Session::start().await;
    session.open(&format!("/arrays/{PROD}/hosts")).await;
    session.sign_in_as_demo_admin().await;
    session.element("#hosts tbody tr").await;
    let all = session.count("#hosts tbody tr").await;

    session.fill("#host-search", "ESX").await;
    session.gone("#hosts tr[data-host='sql-01']").await;
    let found = session.count("#hosts tbody tr").await;
    assert!(found > 0 && found < all, "{found} of {all} hosts match esx");
    session.click("button[data-sort='name']").await;
    session
        .text_containing("#hosts tbody tr:first-child .name", "esx-03")
        .await;
    let url = session.driver.current_url().await.expect("url");
    let query = url.query().unwrap_or_default();
    assert!(
        query.contains("search=ESX") && query.contains("sort=-name"),
        "{query}"
    );

    session.fill("#host-search", "no-such-host").await;
    session.element("#hosts-empty").await;
    session.finish().await;
}

/// How many rows the header's visible items stand in: items whose middles are within a few
/// pixels of each other share one.
const HEADER_ROWS: &str = "[...document.querySelectorAll('header > *, header .header-menu > *, header nav.primary > *')]\
    .filter((item) => item.offsetParent !== null && !['contents', 'flex'].includes(getComputedStyle(item).display) || item.matches('nav.primary'))\
    .map((item) => { const box = item.getBoundingClientRect(); return box.top + box.height / 2; })\
    .sort((a, b) => a - b)\
    .reduce((rows, middle, index, all) => rows + (index > 0 && middle - all[index - 1] > 12 ? 1 : 0), 1)";

#[tokio::test]
async fn the_header_fits_a_wide_screen_in_one_row_and_folds_on_a_phone() {
    let session = Session::start().await;
    session.open("/").await;
    // Before signing in there is nowhere to go.
    session.element("#login-username").await;
    assert_eq!(session.count("#arrays-link").await, 0);
    assert_eq!(session.count("#menu-toggle").await, 0);

    session.resize(1400, 900).await;
    session.sign_in_as_demo_admin().await;
    session.element("#notifications-link").await;
    session.element("#signed-in-user").await;
    let rows = session.measure(HEADER_ROWS).await;
    session.screenshot("header-1400").await;
    assert_eq!(rows, 1.0, "the admin's header in one row at 1400 px");
    session.resize(1280, 900).await;
    let rows = session.measure(HEADER_ROWS).await;
    session.screenshot("header-1280").await;
    assert_eq!(rows, 1.0, "the admin's header in one row at 1280 px");

    session.resize(400, 800).await;
    session.open(&format!("/arrays/{PROD}/volumes")).await;
    session.element("#volumes tbody tr").await;
    let header = session
        .measure("document.querySelector('header').getBoundingClientRect().height")
        .await;
    let screen = session.measure("window.innerHeight").await;
    assert!(header <= screen / 8.0, "header {header} px of {screen}");
    let sideways = session
        .measure("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        .await;
    session.screenshot("volumes-phone").await;
    assert!(sideways <= 0.0, "the page scrolls {sideways} px sideways");
    assert!(!session.shown("#arrays-link").await, "folded");
    session.click("#menu-toggle").await;
    session.click("#alerts-link").await;
    session.text_containing("h1", "Alerts").await;
    assert!(
        !session.shown("#arrays-link").await,
        "folded again once a page is opened"
    );
    session.finish().await;
}
