//! Password hashing and checking, off the async runtime and a few at a time.
//!
//! Argon2 is built to cost CPU and memory (19 MiB a check with the defaults). Run on the
//! runtime's worker threads, a handful of sign-ins stall every other request, health checks
//! included; run on fresh blocking threads, each thread's allocator keeps its 19 MiB, and a
//! burst of sign-ins grows the process by gigabytes. So a fixed set of threads does the work,
//! each reusing one block of memory, and callers queue for them.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::{Semaphore, oneshot};

use crate::error::AppError;

/// Hashes a password with Argon2id and a random salt, on the calling thread.
pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| AppError::Internal(format!("cannot hash a password: {error}")))
}

/// Checked against when a sign-in names no user, so that it takes as long as one that does.
/// Made with [`hash_password`] and the same parameters; it matches no password anyone uses.
pub const DUMMY_PASSWORD_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$6ZqWphysXCr5/BPfHChmiw$Q5B7VyplP33hqXROLqBRaMAM27rB/sliSZ5lOiZEgkM";

/// Hashes a password as [`hash_password`] does, using `memory` for Argon2's blocks.
fn hash_with_memory(password: &str, memory: &mut Vec<Block>) -> Result<String, AppError> {
    let failed = |error: String| AppError::Internal(format!("cannot hash a password: {error}"));
    let params = Params::default();
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt
        .as_salt()
        .decode_b64(&mut salt_bytes)
        .map_err(|error| failed(error.to_string()))?;
    let blocks = params.block_count();
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    let mut output = [0u8; Params::DEFAULT_OUTPUT_LEN];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(
            password.as_bytes(),
            salt_bytes,
            &mut output,
            &mut memory[..blocks],
        )
        .map_err(|error| failed(error.to_string()))?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: (&params)
            .try_into()
            .map_err(|error: argon2::password_hash::Error| failed(error.to_string()))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&output).map_err(|error| failed(error.to_string()))?),
    };
    Ok(hash.to_string())
}

/// Whether `password` is the one `hash` was made from, using `memory` for Argon2's blocks
/// (grown if the hash asks for more).
fn verify_with_memory(password: &str, hash: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params), Some(expected), Some(salt)) = (
        Algorithm::try_from(parsed.algorithm),
        Params::try_from(&parsed),
        parsed.hash,
        parsed.salt,
    ) else {
        return false;
    };
    let version = parsed
        .version
        .map_or(Ok(Version::V0x13), Version::try_from)
        .unwrap_or(Version::V0x13);
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let blocks = params.block_count();
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    let mut output = vec![0u8; expected.len()];
    let computed = Argon2::new(algorithm, version, params).hash_password_into_with_memory(
        password.as_bytes(),
        salt,
        &mut output,
        &mut memory[..blocks],
    );
    computed.is_ok()
        && output
            .iter()
            .zip(expected.as_bytes())
            .fold(0u8, |difference, (a, b)| difference | (a ^ b))
            == 0
}

/// Whether `password` matches `hash`, on the calling thread.
pub fn verify_password(password: &str, hash: &str) -> bool {
    verify_with_memory(password, hash, &mut Vec::new())
}

type Job = Box<dyn FnOnce(&mut Vec<Block>) + Send>;

/// The threads that hash and check passwords. Cheap to clone; the threads end when the last
/// clone is dropped.
#[derive(Debug, Clone)]
pub struct Passwords {
    jobs: mpsc::Sender<Job>,
    /// One permit per thread, so that at most one job waits in the channel per thread and
    /// callers queue here, where a dropped request stops waiting.
    permits: Arc<Semaphore>,
}

impl Passwords {
    /// `threads` threads, at least one.
    pub fn new(threads: usize) -> Self {
        let threads = threads.max(1);
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for index in 0..threads {
            let queue = Arc::clone(&queue);
            let spawned = std::thread::Builder::new()
                .name(format!("passwords-{index}"))
                .spawn(move || {
                    let mut memory = vec![Block::default(); Params::DEFAULT_M_COST as usize];
                    loop {
                        let job = match queue.lock() {
                            Ok(queue) => queue.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(&mut memory),
                            Err(_) => return,
                        }
                    }
                });
            if let Err(error) = spawned {
                tracing::error!(%error, "cannot start a password thread");
            }
        }
        Self {
            jobs,
            permits: Arc::new(Semaphore::new(threads)),
        }
    }

    /// One thread for every two cores: sign-ins never take the whole machine.
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        Self::new(cores / 2)
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let unavailable = || AppError::Internal("the password threads have stopped".into());
        let _permit = self.permits.acquire().await.map_err(|_| unavailable())?;
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |memory| {
            let _ = reply.send(work(memory));
        });
        self.jobs.send(job).map_err(|_| unavailable())?;
        answer.await.map_err(|_| unavailable())
    }

    pub async fn verify(&self, password: String, hash: String) -> Result<bool, AppError> {
        self.run(move |memory| verify_with_memory(&password, &hash, memory))
            .await
    }

    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        self.run(move |memory| hash_with_memory(&password, memory))
            .await?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let hash = hash_password("correct horse").expect("hashes");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
        assert!(!verify_password("correct horse", DUMMY_PASSWORD_HASH));
    }

    #[test]
    fn the_dummy_hash_has_the_real_hashes_cost() {
        let real = hash_password("x").expect("hashes");
        let params = |hash: &str| hash.split('$').nth(3).map(str::to_owned);
        assert_eq!(params(DUMMY_PASSWORD_HASH), params(&real));
        assert!(PasswordHash::new(DUMMY_PASSWORD_HASH).is_ok());
    }

    #[test]
    fn hashes_made_in_reused_memory_are_standard_argon2id() {
        let mut memory = Vec::new();
        let hash = hash_with_memory("correct horse", &mut memory).expect("hash");
        let params = |hash: &str| hash.split('$').nth(3).map(str::to_owned);
        assert_eq!(params(&hash), params(DUMMY_PASSWORD_HASH));
        assert!(hash.starts_with("$argon2id$v=19$"), "{hash}");
        assert!(
            PasswordHash::new(&hash).is_ok_and(|parsed| {
                use argon2::PasswordVerifier;
                Argon2::default()
                    .verify_password(b"correct horse", &parsed)
                    .is_ok()
            }),
            "argon2's own check accepts it"
        );
        assert!(!verify_with_memory("wrong", &hash, &mut memory));
    }

    #[test]
    fn hashes_made_with_other_parameters_still_verify() {
        let params = Params::new(8 * 1024, 1, 1, None).expect("params");
        let salt = SaltString::generate(&mut OsRng);
        let hash = Argon2::new(Algorithm::Argon2i, Version::V0x10, params)
            .hash_password(b"older password", &salt)
            .expect("hash")
            .to_string();
        assert!(verify_password("older password", &hash));
        assert!(!verify_password("older passwore", &hash));
    }

    #[tokio::test]
    async fn the_threads_hash_and_verify_many_at_once() {
        let passwords = Passwords::new(2);
        let hash = passwords.hash("shared secret".into()).await.expect("hash");
        let checks = (0..6).map(|index| {
            let passwords = passwords.clone();
            let hash = hash.clone();
            let guess = if index % 2 == 0 {
                "shared secret"
            } else {
                "guess"
            };
            async move { passwords.verify(guess.into(), hash).await }
        });
        let results = futures_util::future::join_all(checks).await;
        let accepted: Vec<bool> = results.into_iter().map(|r| r.expect("ran")).collect();
        assert_eq!(accepted, [true, false, true, false, true, false]);
    }
}
