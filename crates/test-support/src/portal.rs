//! `flashdeck serve` as a process of a test's or a bench's own: its configuration file, its
//! start on a free loopback port, its first admin, signing in, and its end when dropped.

use std::ffi::OsStr;
use std::fmt::Display;
use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::json;
use shared::api::CSRF_HEADER;
use tempfile::TempDir;

/// The first admin's name; [`Launch::serve`] takes the password.
pub const ADMIN: &str = "admin";

/// How long a portal may take to start answering.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A port on the loopback nothing listens on right now.
/// Waits (up to 20 s) until something takes TCP connections on `port` of this machine;
/// `false` if nothing does.
pub async fn wait_until_listening(port: u16) -> bool {
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    false
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("free port")
        .port()
}

/// A portal's configuration file and the files it names, written into a directory.
pub struct ConfigFile {
    dir: PathBuf,
    settings: String,
    arrays: String,
}

impl ConfigFile {
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_owned(),
            settings: String::new(),
            arrays: String::new(),
        }
    }

    /// A line of TOML (a setting, or a table and its settings), before the arrays.
    pub fn setting(mut self, toml: impl Display) -> Self {
        self.settings.push_str(&format!("{toml}\n"));
        self
    }

    /// An array at `url` reached with `api_token`, its certificate `ca_pem` trusted: the token
    /// and the certificate in files of their own beside the configuration.
    pub fn array(mut self, name: &str, url: &str, ca_pem: &str, api_token: &str) -> Self {
        let token = self.dir.join(format!("{name}.token"));
        let ca = self.dir.join(format!("{name}.pem"));
        std::fs::write(&token, api_token).expect("token file");
        std::fs::write(&ca, ca_pem).expect("CA file");
        self.arrays.push_str(&format!(
            "\n[[array]]\nname = \"{name}\"\nurl = \"{url}\"\nca_file = \"{ca}\"\n\
             auth = {{ method = \"api_token\", api_token_file = \"{token}\" }}\n",
            ca = ca.display(),
            token = token.display(),
        ));
        self
    }

    /// An array at an address where nothing listens, as when an array is down: connections
    /// are refused.
    pub fn unreachable_array(self, name: &str, ca_pem: &str) -> Self {
        let url = format!("https://127.0.0.1:{}", free_port());
        self.array(name, &url, ca_pem, "unused")
    }

    /// Writes `flashdeck.toml`; its path.
    pub fn write(self) -> PathBuf {
        let path = self.dir.join("flashdeck.toml");
        std::fs::write(&path, self.settings + &self.arrays).expect("config");
        path
    }
}

/// A portal about to start.
pub struct Launch {
    command: Command,
    url: String,
    admin_password: String,
    capture_log: bool,
    dir: Option<TempDir>,
}

impl Launch {
    /// `binary --config CONFIG serve` on a free loopback port, logging warnings; the first
    /// admin, made on first start, is [`ADMIN`] with `admin_password`.
    pub fn serve(binary: impl AsRef<OsStr>, config: &Path, admin_password: &str) -> Self {
        let port = free_port();
        let mut command = Command::new(binary);
        command
            .arg("--config")
            .arg(config)
            .arg("serve")
            .env("FLASHDECK_LISTEN", format!("127.0.0.1:{port}"))
            .env("FLASHDECK_ADMIN_USERNAME", ADMIN)
            .env("FLASHDECK_ADMIN_PASSWORD", admin_password)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null());
        Self {
            command,
            url: format!("http://127.0.0.1:{port}"),
            admin_password: admin_password.to_owned(),
            capture_log: false,
            dir: None,
        }
    }

    /// A portal as the benches run it: a directory of its own, kept while it runs, holds its
    /// data and the configuration `config` fills in; it logs errors only.
    pub fn bench(
        binary: impl AsRef<OsStr>,
        admin_password: &str,
        config: impl FnOnce(ConfigFile) -> ConfigFile,
    ) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let data_dir = format!("data_dir = \"{}\"", dir.path().display());
        let config = config(ConfigFile::new(dir.path()).setting(data_dir)).write();
        let mut launch = Self::serve(binary, &config, admin_password).env("RUST_LOG", "error");
        launch.dir = Some(dir);
        launch
    }

    /// Reached over HTTPS, which the configuration serves.
    pub fn https(mut self) -> Self {
        self.url = self.url.replacen("http://", "https://", 1);
        self
    }

    /// With the environment variable `key` set to `value` (`RUST_LOG` too).
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.command.env(key, value);
        self
    }

    /// With its log (and what it writes to standard output after it) kept for
    /// [`Portal::stop`] rather than passed on to this process's.
    pub fn capture_log(mut self) -> Self {
        self.capture_log = true;
        self
    }

    pub fn spawn(mut self) -> Portal {
        if self.capture_log {
            self.command.stderr(Stdio::piped()).stdout(Stdio::piped());
        }
        let mut child = self.command.spawn().expect("flashdeck starts");
        // Read as it is written: a debug log fills a pipe nobody empties, and the portal stalls.
        let stderr = child.stderr.take().map(read_all);
        let stdout = child.stdout.take().map(read_all);
        let log = stderr.map(|stderr| {
            std::thread::spawn(move || {
                let mut log = stderr.join().expect("the log was read");
                if let Some(stdout) = stdout {
                    log.push_str(&stdout.join().expect("the output was read"));
                }
                log
            })
        });
        Portal {
            child,
            url: self.url,
            admin_password: self.admin_password,
            log,
            _dir: self.dir,
        }
    }
}

/// A running portal, killed when dropped.
pub struct Portal {
    child: Child,
    pub url: String,
    admin_password: String,
    log: Option<JoinHandle<String>>,
    _dir: Option<TempDir>,
}

impl Portal {
    /// The process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Kills it at once, as a crash would.
    pub fn kill(&mut self) {
        self.child.kill().expect("killed");
        self.child.wait().expect("reaped");
    }

    /// Waits until it exits by itself.
    pub fn wait(&mut self) -> ExitStatus {
        self.child.wait().expect("exits")
    }

    /// Kills it; what it logged, when started with [`Launch::capture_log`].
    pub fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.log
            .take()
            .map(|reader| reader.join().expect("the log was read"))
            .unwrap_or_default()
    }

    /// Waits until `/healthz` answers that it is up.
    pub async fn wait_until_healthy(&self, http: &reqwest::Client) {
        wait_until_healthy(http, &self.url).await;
    }

    /// Signs in as [`ADMIN`] once it is up; the `name=value` of the session cookie.
    pub async fn sign_in(&self, http: &reqwest::Client) -> String {
        cookie_pair(&self.sign_in_set_cookie(http).await)
    }

    /// As [`Portal::sign_in`], but the whole `Set-Cookie`, attributes included.
    pub async fn sign_in_set_cookie(&self, http: &reqwest::Client) -> String {
        self.wait_until_healthy(http).await;
        sign_in_set_cookie(http, &self.url, ADMIN, &self.admin_password).await
    }
}

impl Drop for Portal {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until the portal at `url` (a process, a container) answers `/healthz` with success.
pub async fn wait_until_healthy(http: &reqwest::Client, url: &str) {
    let started = Instant::now();
    while !http
        .get(format!("{url}/healthz"))
        .send()
        .await
        .is_ok_and(|answer| answer.status().is_success())
    {
        assert!(
            started.elapsed() < START_TIMEOUT,
            "the portal never answered {url}/healthz"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Signs in at the portal at `url`, which must accept; the `name=value` of the session cookie.
pub async fn sign_in(http: &reqwest::Client, url: &str, username: &str, password: &str) -> String {
    cookie_pair(&sign_in_set_cookie(http, url, username, password).await)
}

/// As [`sign_in`], but the whole `Set-Cookie`, attributes included.
pub async fn sign_in_set_cookie(
    http: &reqwest::Client,
    url: &str,
    username: &str,
    password: &str,
) -> String {
    let answer = http
        .post(format!("{url}/api/auth/login"))
        .header(CSRF_HEADER, "1")
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .expect("sign-in answered");
    assert!(
        answer.status().is_success(),
        "{username}: {}",
        answer.status()
    );
    answer
        .headers()
        .get("set-cookie")
        .and_then(|value| value.to_str().ok())
        .expect("session cookie")
        .to_owned()
}

fn cookie_pair(set_cookie: &str) -> String {
    set_cookie
        .split(';')
        .next()
        .expect("session cookie")
        .to_owned()
}

fn read_all(mut from: impl Read + Send + 'static) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        from.read_to_string(&mut text).expect("read");
        text
    })
}
