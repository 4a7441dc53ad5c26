//! A portal instance of the test's own, and a browser session pointed at it.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use backend::config::{ApprovalsConfig, OidcConfig};
use backend::demo::{DEMO_PASSWORD, DEMO_USERNAME, Demo, DemoOptions};
use flasharray::{ArrayClient, ClientConfig, Credentials, TrustAnchor, VolumeQuery};
use flasharray_sim::{ADMIN_PASSWORD, ADMIN_USERNAME, RunningSimulator, Seed};
use shared::api::Action;
use shared::flasharray::{ArrayConnectionPost, Volume};
use tempfile::TempDir;
use thirtyfour::prelude::*;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// How long to wait for something to appear on the page before the test fails.
const PAGE_TIMEOUT: Duration = Duration::from_secs(20);

fn frontend_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../frontend/dist")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// chromedriver on a port of its own, stopped when dropped.
struct ChromeDriver {
    process: Child,
    port: u16,
}

impl ChromeDriver {
    fn start() -> Self {
        for binary in [CHROMIUM, CHROMEDRIVER] {
            assert!(
                Path::new(binary).exists(),
                "{binary} is missing: install Debian's chromium and chromium-driver packages, or run `cargo xtask test`, which does"
            );
        }
        let port = free_port();
        let process = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        let started = Instant::now();
        while TcpStream::connect(address).is_err() {
            assert!(
                started.elapsed() < PAGE_TIMEOUT,
                "chromedriver did not listen on {address}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { process, port }
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// axe-core's script, which `cargo xtask test` installs from npm and names in
/// `FLASHDECK_AXE_JS`.
fn axe_script() -> &'static str {
    static SCRIPT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SCRIPT.get_or_init(|| {
        let path = std::env::var("FLASHDECK_AXE_JS").unwrap_or_else(|_| {
            panic!("FLASHDECK_AXE_JS names no axe-core script: run `cargo xtask test`, which installs axe-core and sets it")
        });
        std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("cannot read {path}: {error}"))
    })
}

/// The array itself, over its REST API, as its administrator: what really happened there.
pub fn array_client(array: &RunningSimulator) -> ArrayClient {
    ArrayClient::new(ClientConfig::new(
        "check",
        array.url(),
        Credentials::Password {
            username: ADMIN_USERNAME.into(),
            password: ADMIN_PASSWORD.into(),
        },
        TrustAnchor::CaPem(array.certificate_pem().into()),
    ))
    .expect("client")
}

/// A volume as the array holds it, destroyed or not.
/// Connects the demo's production array to its DR array, on the arrays themselves:
/// `async-replication` unless `kind` says otherwise.
pub async fn connect_demo_arrays(session: &Session, kind: Option<&str>) {
    let (prod, dr) = (&session.demo().arrays[0], &session.demo().arrays[1]);
    let key = array_client(dr).connection_key().await.expect("key");
    array_client(prod)
        .connect_array(&ArrayConnectionPost {
            management_address: Some(dr.url().trim_start_matches("https://").to_owned()),
            connection_key: Some(key),
            kind: kind.map(str::to_owned),
            ..ArrayConnectionPost::default()
        })
        .await
        .expect("connected");
}

pub async fn volume_on(array: &RunningSimulator, name: &str) -> Option<Volume> {
    let query = VolumeQuery {
        names: vec![name.to_owned()],
        ..VolumeQuery::default()
    };
    array_client(array)
        .list_volumes(&query)
        .await
        .ok()
        .and_then(|page| page.items.into_iter().next())
}

/// The portal in demo mode on a random port, with its two simulated arrays, and a browser.
pub struct Session {
    pub demo: Option<Demo>,
    pub driver: WebDriver,
    _chromedriver: ChromeDriver,
    _profile: TempDir,
    _data: TempDir,
    /// Where the browser saves what a page downloads.
    downloads: TempDir,
}

impl Session {
    /// The demo with Pure1 connected, as `cargo xtask demo` runs it.
    pub async fn start() -> Self {
        Self::with_pure1(true).await
    }

    /// The demo with its simulated Pure1 connected or, for a test that connects it in the
    /// UI, left unconnected.
    pub async fn with_pure1(connect_pure1: bool) -> Self {
        Self::with_options(connect_pure1, ApprovalsConfig::default(), None).await
    }

    /// The demo signing people in through `provider`, on a port chosen first so that the
    /// callback address can be registered.
    pub async fn with_oidc(
        provider: &test_support::oidc_provider::Provider,
        local_passwords: bool,
    ) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("free port")
            .port();
        let callback = format!("http://127.0.0.1:{port}/api/auth/oidc/callback");
        let oidc = provider.config("fa-prod-01", &callback, local_passwords);
        Self::start_demo(false, ApprovalsConfig::default(), Some(oidc), port).await
    }

    /// The demo holding `actions` for a second person's approval.
    pub async fn with_approvals(actions: &[Action]) -> Self {
        let approvals = ApprovalsConfig {
            actions: actions.to_vec(),
            ..ApprovalsConfig::default()
        };
        Self::with_options(false, approvals, None).await
    }

    async fn with_options(
        connect_pure1: bool,
        approvals: ApprovalsConfig,
        oidc: Option<OidcConfig>,
    ) -> Self {
        Self::start_demo(connect_pure1, approvals, oidc, 0).await
    }

    async fn start_demo(
        connect_pure1: bool,
        approvals: ApprovalsConfig,
        oidc: Option<OidcConfig>,
        port: u16,
    ) -> Self {
        let frontend = frontend_dir();
        assert!(
            frontend.join("index.html").is_file(),
            "{} holds no built frontend: run `cargo xtask test`, which builds it first",
            frontend.display()
        );
        let data = tempfile::tempdir().expect("data dir");
        let options = DemoOptions {
            listen: SocketAddr::from(([127, 0, 0, 1], port)),
            data_dir: data.path().to_owned(),
            frontend_dir: frontend,
            seed: Seed::Demo,
            connect_pure1,
            approvals,
            oidc,
            // Quick, so that a rule's message follows the change the test makes.
            watch_every: std::time::Duration::from_secs(2),
        };
        let demo = Demo::start(options).await.expect("portal starts");

        // thirtyfour's HTTP client (to chromedriver, plain HTTP) still wants a process-wide
        // TLS provider; the portal's own array clients bring theirs explicitly.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let chromedriver = ChromeDriver::start();
        let profile = tempfile::tempdir().expect("browser profile");
        let mut capabilities = DesiredCapabilities::chrome();
        capabilities.set_binary(CHROMIUM).expect("binary");
        for arg in [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--no-default-browser-check",
            "--window-size=1280,900",
        ] {
            capabilities.add_arg(arg).expect("argument");
        }
        capabilities
            .add_arg(&format!("--user-data-dir={}", profile.path().display()))
            .expect("profile argument");
        let downloads = tempfile::tempdir().expect("downloads folder");
        capabilities
            .add_experimental_option(
                "prefs",
                serde_json::json!({
                    "download.default_directory": downloads.path(),
                    "download.prompt_for_download": false,
                }),
            )
            .expect("downloads allowed");
        let driver = WebDriver::new(
            format!("http://127.0.0.1:{}", chromedriver.port),
            capabilities,
        )
        .await
        .expect("browser session");
        Self {
            demo: Some(demo),
            driver,
            _chromedriver: chromedriver,
            _profile: profile,
            _data: data,
            downloads,
        }
    }

    pub fn demo(&self) -> &Demo {
        self.demo.as_ref().expect("portal running")
    }

    pub async fn open(&self, path: &str) {
        self.driver
            .goto(format!("{}{path}", self.demo().url))
            .await
            .expect("page opens");
    }

    pub async fn element(&self, css: &str) -> WebElement {
        self.driver
            .query(By::Css(css))
            .wait(PAGE_TIMEOUT, Duration::from_millis(100))
            .first()
            .await
            .unwrap_or_else(|error| panic!("{css} never appeared: {error}"))
    }

    /// Waits until the element's text contains `expected`, and returns the whole text.
    pub async fn text_containing(&self, css: &str, expected: &str) -> String {
        let started = Instant::now();
        loop {
            let text = match self.driver.find(By::Css(css)).await {
                Ok(element) => element.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if text.contains(expected) {
                return text;
            }
            assert!(
                started.elapsed() < PAGE_TIMEOUT,
                "{css} never showed {expected:?}; last text: {text:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Refreshes the page until `css` shows `expected` (the live refresh is slower), for
    /// what the arrays change by themselves.
    pub async fn refreshed_until(&self, css: &str, expected: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            self.click("#refresh").await;
            let text = match self.driver.find(By::Css(css)).await {
                Ok(element) => element.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if text.contains(expected) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{css} never showed {expected:?}; last {text:?}"
            );
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    /// Replaces an input's text as typing does, firing `input` even when `text` is empty
    /// (WebDriver's clear does not).
    /// The page may draw the input afresh (after an action, the live refresh) between finding
    /// it and typing: then it is found again.
    pub async fn fill(&self, css: &str, text: &str) {
        for attempt in 1.. {
            let input = self.element(css).await;
            let filled = match self
                .driver
                .execute(
                    "arguments[0].value = ''; arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
                    vec![input.to_json().expect("element")],
                )
                .await
            {
                Ok(_) if text.is_empty() => Ok(()),
                Ok(_) => input.send_keys(text).await,
                Err(error) => Err(error),
            };
            match filled {
                Ok(()) => return,
                Err(error) if attempt < 10 && format!("{error:?}").contains("StaleElement") => {}
                Err(error) => panic!("cannot fill {css}: {error:?}"),
            }
        }
    }

    /// Puts `text` into an input or textarea at once, as pasting does.
    pub async fn paste(&self, css: &str, text: &str) {
        let input = self.element(css).await;
        self.driver
            .execute(
                "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
                vec![
                    input.to_json().expect("element"),
                    serde_json::Value::String(text.to_owned()),
                ],
            )
            .await
            .expect("pasted");
    }

    /// Clicks the element. A button that opens a confirmation is clicked again until its
    /// question shows: a click while the page is still drawing what loads above it can land
    /// where the button was a moment before (opening is idempotent, so a second click is safe).
    pub async fn click(&self, css: &str) {
        let started = Instant::now();
        loop {
            let element = self.element(css).await;
            // As a person waits for a busy button: a click on a disabled one does nothing.
            while element
                .attr("disabled")
                .await
                .expect("attribute read")
                .is_some()
            {
                assert!(started.elapsed() < PAGE_TIMEOUT, "{css} stayed disabled");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            let opens = element.attr("data-confirm").await.expect("attribute read");
            element.click().await.expect("click");
            let Some(opens) = opens else { return };
            let clicked = Instant::now();
            while clicked.elapsed() < Duration::from_secs(2) {
                if self.count(&format!("#confirm-{opens}")).await > 0 {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            assert!(
                started.elapsed() < PAGE_TIMEOUT,
                "{css} never opened its confirmation"
            );
        }
    }

    /// Picks `value` in a `<select>`, as a person choosing an option does.
    pub async fn choose(&self, css: &str, value: &str) {
        let select = self.element(css).await;
        self.driver
            .execute(
                "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
                vec![
                    select.to_json().expect("element"),
                    serde_json::Value::String(value.to_owned()),
                ],
            )
            .await
            .expect("option chosen");
    }

    /// The browser's local time `seconds` from now, as a `datetime-local` input takes it
    /// (`2026-12-06T22:00:05`).
    pub async fn local_time_in(&self, seconds: i64) -> String {
        self.driver
            .execute(
                "const at = new Date(Date.now() + arguments[0] * 1000); \
                 const two = (n) => String(n).padStart(2, '0'); \
                 return `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())}T\
                 ${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}`;",
                vec![serde_json::Value::from(seconds)],
            )
            .await
            .expect("the browser's time")
            .json()
            .as_str()
            .expect("a string")
            .to_owned()
    }

    /// What the portal answers the signed-in browser at `path`, as the page's own request
    /// (with its session cookie) gets it: for what a link downloads.
    pub async fn fetch_text(&self, path: &str) -> String {
        self.driver
            .execute(
                "const request = new XMLHttpRequest(); \
                 request.open('GET', arguments[0], false); request.send(); \
                 return request.status + '\\n' + request.responseText;",
                vec![serde_json::Value::String(path.to_owned())],
            )
            .await
            .expect("fetched")
            .json()
            .as_str()
            .expect("text")
            .to_owned()
    }

    /// Clicks `css` and returns the file `name` the browser then saves, whole; the file is
    /// taken away, so the next download of that name is a new one.
    pub async fn download(&self, css: &str, name: &str) -> String {
        self.click(css).await;
        let folder = self.downloads.path();
        let path = folder.join(name);
        let started = Instant::now();
        loop {
            let partial = std::fs::read_dir(folder)
                .expect("downloads folder")
                .flatten()
                .any(|entry| entry.file_name().to_string_lossy().ends_with(".crdownload"));
            if !partial && let Ok(text) = std::fs::read_to_string(&path) {
                std::fs::remove_file(&path).expect("download taken");
                return text;
            }
            assert!(
                started.elapsed() < PAGE_TIMEOUT,
                "{name} was never downloaded after clicking {css}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Opens the signed-in person's menu in the header and clicks `css` in it.
    pub async fn click_in_user_menu(&self, css: &str) {
        self.click("#user-menu summary").await;
        self.click(css).await;
    }

    pub async fn sign_out(&self) {
        self.click_in_user_menu("#sign-out").await;
    }

    /// Whether the element matching `css` is drawn where it can be seen.
    pub async fn shown(&self, css: &str) -> bool {
        self.element(css)
            .await
            .is_displayed()
            .await
            .expect("visibility read")
    }

    /// Sizes the browser's window, as a phone's or a wide screen's.
    pub async fn resize(&self, width: u32, height: u32) {
        self.driver
            .set_window_rect(0, 0, width, height)
            .await
            .expect("window sized");
    }

    /// A number the page's script gives for `expression`.
    pub async fn measure(&self, expression: &str) -> f64 {
        self.driver
            .execute(&format!("return {expression};"), Vec::new())
            .await
            .expect("measured")
            .json()
            .as_f64()
            .expect("a number")
    }

    /// Whether the focused element matches `css`.
    async fn focused_is(&self, css: &str) -> bool {
        self.driver
            .execute(
                "return !!document.activeElement && document.activeElement.matches(arguments[0]);",
                vec![serde_json::Value::String(css.to_owned())],
            )
            .await
            .map(|found| found.json() == &serde_json::Value::Bool(true))
            .unwrap_or(false)
    }

    /// Presses Tab, as a keyboard user does, until the element matching `css` has the focus.
    pub async fn tab_to(&self, css: &str) {
        self.element(css).await;
        for _ in 0..300 {
            if self.focused_is(css).await {
                return;
            }
            self.type_keys(Key::Tab).await;
        }
        panic!("{css} was never reached with Tab");
    }

    /// Types into whatever has the focus.
    pub async fn type_keys(&self, keys: impl Into<TypingData>) {
        self.driver
            .action_chain()
            .send_keys(keys)
            .perform()
            .await
            .expect("keys typed");
    }

    /// Waits until the element matching `css` has the focus.
    pub async fn assert_focused(&self, css: &str) {
        let started = Instant::now();
        while !self.focused_is(css).await {
            assert!(
                started.elapsed() < PAGE_TIMEOUT,
                "{css} never took the focus"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Answers yes to the open confirmation (there is only ever one).
    pub async fn confirm(&self) {
        self.click(".confirm-dialog .confirm-yes").await;
        self.gone(".confirm-dialog").await;
    }

    /// Types `name` where an irreversible action asks for it, then answers yes.
    pub async fn confirm_typing(&self, name: &str) {
        self.fill(".confirm-dialog .confirm-name", name).await;
        self.confirm().await;
    }

    /// Whether the element is disabled right now.
    pub async fn is_disabled(&self, css: &str) -> bool {
        self.element(css)
            .await
            .attr("disabled")
            .await
            .expect("attribute read")
            .is_some()
    }

    /// Runs axe-core on the page as it is and fails on any serious or critical violation.
    pub async fn assert_accessible(&self, page: &str) {
        let violations = self.serious_violations().await;
        if !violations.is_empty() {
            self.screenshot(&format!("axe-{page}")).await;
        }
        assert!(
            violations.is_empty(),
            "{page}: axe found serious or critical violations: {}",
            serde_json::to_string_pretty(&violations).unwrap_or_default()
        );
    }

    /// What axe-core finds serious or critical on the page as it is: rule, help, where.
    pub async fn serious_violations(&self) -> Vec<serde_json::Value> {
        let script = axe_script();
        self.driver
            .execute(&format!("if (!window.axe) {{ {script} }}"), Vec::new())
            .await
            .expect("axe loads");
        let found = self
            .driver
            .execute(
                r#"return axe.run(document, {resultTypes: ['violations']}).then(result =>
                     result.violations
                       .filter(v => v.impact === 'serious' || v.impact === 'critical')
                       .map(v => ({rule: v.id, impact: v.impact, help: v.help,
                                   where: v.nodes.slice(0, 5).map(n => n.target.join(' '))})));"#,
                Vec::new(),
            )
            .await
            .expect("axe runs");
        found.json().as_array().cloned().unwrap_or_default()
    }

    /// Waits until nothing matches `css`.
    pub async fn gone(&self, css: &str) {
        let started = Instant::now();
        while !self
            .driver
            .find_all(By::Css(css))
            .await
            .unwrap_or_default()
            .is_empty()
        {
            assert!(started.elapsed() < PAGE_TIMEOUT, "{css} never went away");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// How many elements match `css` right now.
    pub async fn count(&self, css: &str) -> usize {
        self.driver
            .find_all(By::Css(css))
            .await
            .map(|found| found.len())
            .unwrap_or_default()
    }

    /// Signs in as a new user with `role`, made for this test.
    pub async fn sign_in_with_role(&self, role: shared::api::Role) {
        let name = role.as_str();
        self.demo()
            .add_user(name, "a test password", role)
            .await
            .expect("user added");
        self.sign_in(name, "a test password").await;
        self.text_containing("#signed-in-user", name).await;
    }

    pub async fn sign_in(&self, username: &str, password: &str) {
        self.fill("#login-username", username).await;
        self.fill("#login-password", password).await;
        self.click("#login-submit").await;
    }

    pub async fn sign_in_as_demo_admin(&self) {
        self.sign_in(DEMO_USERNAME, DEMO_PASSWORD).await;
        self.text_containing("#signed-in-user", DEMO_USERNAME).await;
    }

    /// Saves what the page shows, for a person to look at when a test fails.
    pub async fn screenshot(&self, name: &str) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-screenshots");
        if std::fs::create_dir_all(&dir).is_ok() {
            let _ = self
                .driver
                .screenshot(&dir.join(format!("{name}.png")))
                .await;
        }
    }

    pub async fn finish(mut self) {
        if let Some(demo) = self.demo.take() {
            demo.shutdown().await;
        }
        self.driver.clone().quit().await.expect("browser quits");
    }
}
