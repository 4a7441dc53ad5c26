//! A real syslog daemon for tests (Debian's `rsyslogd`, which `cargo xtask test` installs with
//! its TLS driver), taking RFC 5424 messages over TCP and UDP, or over TLS, and writing each
//! to a file as it received it.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const RSYSLOGD: &str = "/usr/sbin/rsyslogd";

#[derive(Debug)]
pub struct SyslogReceiver {
    child: Child,
    /// The same port number, for TCP and for UDP.
    pub port: u16,
    dir: tempfile::TempDir,
}

impl Drop for SyslogReceiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl SyslogReceiver {
    /// Started on a free port.
    pub async fn start() -> Self {
        Self::start_on(
            crate::portal::free_port(),
            tempfile::tempdir().expect("dir"),
        )
        .await
    }

    /// Stops it, as a receiver's outage would; [`SyslogReceiver::restart`] brings it back.
    pub fn stop(mut self) -> (u16, tempfile::TempDir) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let dir = std::mem::replace(&mut self.dir, tempfile::tempdir().expect("dir"));
        (self.port, dir)
    }

    /// Back on the port it had, keeping what it had received.
    pub async fn restart((port, dir): (u16, tempfile::TempDir)) -> Self {
        Self::start_on(port, dir).await
    }

    /// Started on a free port taking TLS only (RFC 5425), with the certificate `cert_pem` and
    /// its key `key_pem`.
    pub async fn start_tls(cert_pem: &str, key_pem: &str) -> Self {
        let dir = tempfile::tempdir().expect("dir");
        let port = crate::portal::free_port();
        let cert = dir.path().join("cert.pem");
        let key = dir.path().join("key.pem");
        std::fs::write(&cert, cert_pem).expect("certificate");
        std::fs::write(&key, key_pem).expect("key");
        let inputs = format!(
            "global(DefaultNetstreamDriver=\"gtls\" DefaultNetstreamDriverCAFile=\"{cert}\" \
             DefaultNetstreamDriverCertFile=\"{cert}\" DefaultNetstreamDriverKeyFile=\"{key}\")\n\
             module(load=\"imtcp\" StreamDriver.Name=\"gtls\" StreamDriver.Mode=\"1\" StreamDriver.AuthMode=\"anon\")\n\
             input(type=\"imtcp\" port=\"{port}\")\n",
            cert = cert.display(),
            key = key.display(),
        );
        Self::run(port, dir, &inputs).await
    }

    async fn start_on(port: u16, dir: tempfile::TempDir) -> Self {
        let inputs = format!(
            "module(load=\"imtcp\")\n\
             module(load=\"imudp\")\n\
             input(type=\"imtcp\" port=\"{port}\")\n\
             input(type=\"imudp\" port=\"{port}\")\n"
        );
        Self::run(port, dir, &inputs).await
    }

    /// rsyslogd with `inputs`, writing what it receives to a file in `dir`.
    async fn run(port: u16, dir: tempfile::TempDir, inputs: &str) -> Self {
        let config = dir.path().join("rsyslog.conf");
        std::fs::write(
            &config,
            format!(
                "global(workDirectory=\"{dir}\")\n\
                 {inputs}\
                 *.* action(type=\"omfile\" file=\"{messages}\" template=\"RSYSLOG_SyslogProtocol23Format\")\n",
                dir = dir.path().display(),
                messages = messages(&dir).display(),
            ),
        )
        .expect("configuration");
        let receiver = Self {
            child: Command::new(RSYSLOGD)
                .arg("-n")
                .arg("-f")
                .arg(&config)
                .arg("-i")
                .arg(dir.path().join("rsyslogd.pid"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("rsyslogd must be installed (cargo xtask test installs Debian's rsyslog)"),
            port,
            dir,
        };
        assert!(
            crate::portal::wait_until_listening(port).await,
            "rsyslogd did not start on port {port}"
        );
        receiver
    }

    /// Every message written so far, a line each.
    pub fn lines(&self) -> Vec<String> {
        std::fs::read_to_string(messages(&self.dir))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// Waits (up to a minute) until a line contains each of `expected`.
    pub async fn wait_for(&self, expected: &[&str]) -> Vec<String> {
        for _ in 0..600 {
            let lines = self.lines();
            if expected
                .iter()
                .all(|wanted| lines.iter().any(|line| line.contains(wanted)))
            {
                return lines;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{expected:?} expected, got {:?}", self.lines());
    }
}

fn messages(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("messages")
}
