//! A real SMTP server for tests (`aiosmtpd` from PyPI, in a virtual environment of its own made
//! once), keeping every mail it takes in a maildir.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The release the tests were written against.
const AIOSMTPD: &str = "aiosmtpd==1.4.6";

/// A test binary's tests share one virtual environment: one makes it while the others wait.
static VENV: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[derive(Debug)]
pub struct SmtpReceiver {
    child: Child,
    /// Plain SMTP on 127.0.0.1.
    pub port: u16,
    maildir: tempfile::TempDir,
}

impl Drop for SmtpReceiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn smtp_python(venv: &Path) -> PathBuf {
    let _made_once = VENV
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    crate::python::venv_python(venv, AIOSMTPD)
}

impl SmtpReceiver {
    /// Started from the virtual environment in `venv` (made there first if need be).
    pub async fn start(venv: &Path) -> Self {
        let venv = venv.to_owned();
        let python = tokio::task::spawn_blocking(move || smtp_python(&venv))
            .await
            .expect("venv");
        let port = crate::portal::free_port();
        let maildir = tempfile::tempdir().expect("maildir");
        let receiver = Self {
            child: Command::new(python)
                .args(["-m", "aiosmtpd", "-n", "-l"])
                .arg(format!("127.0.0.1:{port}"))
                .args(["-c", "aiosmtpd.handlers.Mailbox"])
                .arg(maildir.path().join("mail"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("aiosmtpd starts"),
            port,
            maildir,
        };
        assert!(
            crate::portal::wait_until_listening(port).await,
            "aiosmtpd did not start on port {port}"
        );
        receiver
    }

    /// Every mail taken so far, as its raw text.
    pub fn mails(&self) -> Vec<String> {
        let mut mails: Vec<(std::time::SystemTime, String)> = ["new", "cur"]
            .iter()
            .filter_map(|sub| std::fs::read_dir(self.maildir.path().join("mail").join(sub)).ok())
            .flatten()
            .filter_map(Result::ok)
            .filter_map(|entry| {
                let modified = entry.metadata().and_then(|meta| meta.modified()).ok()?;
                Some((modified, std::fs::read_to_string(entry.path()).ok()?))
            })
            .collect();
        mails.sort();
        mails.into_iter().map(|(_, mail)| mail).collect()
    }

    /// Waits (up to a minute) until `count` mails have come.
    pub async fn wait_for(&self, count: usize) -> Vec<String> {
        for _ in 0..600 {
            let mails = self.mails();
            if mails.len() >= count {
                return mails;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{count} mails expected, got {:?}", self.mails());
    }
}

/// The decoded text of the attachment called `file_name` in a raw `mail` (whose name lettre
/// may fold as RFC 2231 does), in base64, quoted-printable or as it is.
pub fn attachment(mail: &str, file_name: &str) -> String {
    use base64::Engine;
    let mail = mail.replace("\r\n", "\n");
    let start = mail
        .find(&format!("\"{file_name}\""))
        .unwrap_or_else(|| panic!("no {file_name} in {mail}"));
    let headers_end = start + mail[start..].find("\n\n").expect("part headers end");
    let part_start = mail[..start].rfind("\n--").expect("part boundary");
    let headers = &mail[part_start..headers_end];
    let body_end = headers_end + mail[headers_end..].find("\n--").expect("part end");
    let body = &mail[headers_end + 2..body_end];
    if headers.contains("Content-Transfer-Encoding: base64") {
        let packed: String = body.split_whitespace().collect();
        String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(packed)
                .expect("base64"),
        )
        .expect("UTF-8")
    } else if headers.contains("quoted-printable") {
        body.replace("=\n", "").replace("=3D", "=")
    } else {
        body.to_owned()
    }
}
