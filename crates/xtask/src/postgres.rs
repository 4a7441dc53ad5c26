//! The PostgreSQL server the backend's tests also run against: the local one at
//! 127.0.0.1:5432 (trust authentication, database `test`), installed from Debian and set up
//! that way when it is missing and we are root.

use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::tools::{apt_install, is_root, run};

/// Where the tests find the server unless `FLASHDECK_TEST_POSTGRES` says otherwise.
const ADDRESS: ([u8; 4], u16) = ([127, 0, 0, 1], 5432);
const DATABASE: &str = "test";

/// The server's URL, after making sure one answers.
pub fn ensure() -> Result<String, String> {
    if let Ok(url) = std::env::var("FLASHDECK_TEST_POSTGRES") {
        return Ok(url);
    }
    if !listening() {
        install()?;
    }
    let user = whoami()?;
    drop_old_test_schemas(&user);
    Ok(format!(
        "postgres://{user}@127.0.0.1:{}/{DATABASE}",
        ADDRESS.1
    ))
}

fn listening() -> bool {
    TcpStream::connect_timeout(&SocketAddr::from(ADDRESS), Duration::from_secs(2)).is_ok()
}

fn whoami() -> Result<String, String> {
    let output = Command::new("id")
        .arg("-un")
        .output()
        .map_err(|error| format!("cannot run id: {error}"))?;
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Installs Debian's PostgreSQL, trusts local TCP connections, and makes this user a
/// superuser with a `test` database.
fn install() -> Result<(), String> {
    if !is_root() {
        return Err(
            "the backend's tests need PostgreSQL at 127.0.0.1:5432 with trust authentication and \
             a database named test (or FLASHDECK_TEST_POSTGRES=postgres://USER@HOST/DB)"
                .to_owned(),
        );
    }
    apt_install(&["postgresql"])?;
    let version = std::fs::read_dir("/etc/postgresql")
        .map_err(|error| format!("no /etc/postgresql after installing: {error}"))?
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .max()
        .ok_or("no PostgreSQL cluster after installing")?;
    let hba = Path::new("/etc/postgresql")
        .join(&version)
        .join("main/pg_hba.conf");
    let rules = std::fs::read_to_string(&hba)
        .map_err(|error| format!("cannot read {}: {error}", hba.display()))?;
    let trust = "host all all 127.0.0.1/32 trust\n";
    if !rules.starts_with(trust) {
        std::fs::write(&hba, format!("{trust}{rules}"))
            .map_err(|error| format!("cannot write {}: {error}", hba.display()))?;
    }
    run(Command::new("pg_ctlcluster").args([&version, "main", "restart"]))?;
    let user = whoami()?;
    let as_postgres = |sql: String| {
        // Already there on a second run; that is fine.
        let _ = Command::new("su")
            .args(["postgres", "-c", &format!("psql -c \"{sql}\"")])
            .status();
    };
    as_postgres(format!("CREATE ROLE {user} SUPERUSER LOGIN"));
    as_postgres(format!("CREATE DATABASE {DATABASE} OWNER {user}"));
    if listening() {
        Ok(())
    } else {
        Err("PostgreSQL was installed but does not answer at 127.0.0.1:5432".to_owned())
    }
}

/// Each test makes a `flashdeck_test_*` schema; the previous run's go before this run, each
/// in a transaction of its own (a hundred schemas' tables at once exceed the server's lock
/// table).
fn drop_old_test_schemas(user: &str) {
    let sql = "DO $$DECLARE s text; BEGIN \
               FOR s IN SELECT nspname FROM pg_namespace WHERE nspname LIKE 'flashdeck\\_test\\_%' \
               LOOP EXECUTE 'DROP SCHEMA ' || quote_ident(s) || ' CASCADE'; COMMIT; END LOOP; END$$;";
    let dropped = Command::new("psql")
        .args([
            "-h",
            "127.0.0.1",
            "-U",
            user,
            "-d",
            DATABASE,
            "-q",
            "-c",
            sql,
        ])
        .env("PGOPTIONS", "-c client_min_messages=warning")
        .status();
    if !dropped.is_ok_and(|status| status.success()) {
        eprintln!("xtask: could not drop old flashdeck_test_* schemas (psql missing?); continuing");
    }
}
