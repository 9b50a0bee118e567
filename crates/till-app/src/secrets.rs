//! Where the till keeps its secrets (the client secret, a paired till's
//! refresh token, the TSE's API key and secret and its admin PIN): the platform's keychain — the macOS Keychain, the Windows
//! Credential Manager, the Secret Service on Linux.
//!
//! A headless Linux till often has no Secret Service running. Then the secrets
//! go to `secrets.json` in the app-data directory, a file only the till's own
//! user may read (mode 0600); the log says so once, without any secret.
//! Never in `settings.json`, a log line, an error message or the web view.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use secuconnect::Secret;
use tracing::{info, warn};

use crate::settings::Environment;

/// The keychain's service name (the app's identifier).
pub const SERVICE: &str = crate::IDENTIFIER;
/// The fallback file in the app-data directory.
pub const FALLBACK_FILE: &str = "secrets.json";
/// Forces the file fallback (`file`), e.g. for tests on a desktop with a keychain.
pub const ENV_SECRET_STORE: &str = "SMART_TILL_SECRET_STORE";

/// Which secret, for which environment (testing and live have their own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    ClientSecret,
    RefreshToken,
    /// The TSE account's (fiskaly's) API key and secret.
    TseApiKey,
    TseApiSecret,
    /// The TSS's admin PIN, chosen by the owner in the TSE setup.
    TseAdminPin,
}

fn account(env: Environment, kind: SecretKind) -> String {
    let kind = match kind {
        SecretKind::ClientSecret => "client_secret",
        SecretKind::RefreshToken => "refresh_token",
        SecretKind::TseApiKey => "tse_api_key",
        SecretKind::TseApiSecret => "tse_api_secret",
        SecretKind::TseAdminPin => "tse_admin_pin",
    };
    format!("{}/{kind}", env.name())
}

/// Why a secret could not be read or kept; never contains the secret.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("the keychain refused: {0}")]
    Keychain(String),
    #[error("the secrets file {path} cannot be used: {reason}")]
    File { path: String, reason: String },
}

/// Where the till keeps its secrets, one per environment and kind.
pub trait SecretStore: Send + Sync + std::fmt::Debug {
    fn get(&self, env: Environment, kind: SecretKind) -> Result<Option<Secret>, SecretError>;
    fn set(&self, env: Environment, kind: SecretKind, secret: &Secret) -> Result<(), SecretError>;
    /// Deleting what is not there is fine.
    fn delete(&self, env: Environment, kind: SecretKind) -> Result<(), SecretError>;

    /// Whether a secret is kept (a store that cannot answer: no).
    fn has(&self, env: Environment, kind: SecretKind) -> bool {
        match self.get(env, kind) {
            Ok(s) => s.is_some(),
            Err(e) => {
                warn!(error = %e, "a secret cannot be looked up");
                false
            }
        }
    }
}

/// The keychain when one answers, otherwise the file in `data_dir`.
pub fn detect(data_dir: &Path) -> Arc<dyn SecretStore> {
    if std::env::var(ENV_SECRET_STORE).as_deref() == Ok("file") {
        info!(path = %data_dir.join(FALLBACK_FILE).display(), "secrets kept in a file readable only by this user ({ENV_SECRET_STORE}=file)");
        return Arc::new(FileSecrets::new(data_dir));
    }
    match keychain_answers() {
        Ok(()) => {
            info!("secrets kept in the platform keychain");
            Arc::new(Keychain)
        }
        Err(reason) => {
            warn!(
                path = %data_dir.join(FALLBACK_FILE).display(),
                %reason,
                "no keychain answers (no Secret Service running?); secrets are kept in a file readable only by this user"
            );
            Arc::new(FileSecrets::new(data_dir))
        }
    }
}

/// The platform's keychain.
#[derive(Debug)]
pub struct Keychain;

impl SecretStore for Keychain {
    fn get(&self, env: Environment, kind: SecretKind) -> Result<Option<Secret>, SecretError> {
        match entry(&account(env, kind))?.get_password() {
            Ok(s) => Ok(Some(Secret::new(s))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(e)),
        }
    }

    fn set(&self, env: Environment, kind: SecretKind, secret: &Secret) -> Result<(), SecretError> {
        entry(&account(env, kind))?
            .set_password(secret.expose())
            .map_err(keychain_error)
    }

    fn delete(&self, env: Environment, kind: SecretKind) -> Result<(), SecretError> {
        match entry(&account(env, kind))?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error(e)),
        }
    }
}

/// `secrets.json`, 0600; the lock keeps read-modify-write whole.
pub struct FileSecrets {
    path: PathBuf,
    lock: Mutex<()>,
}

impl std::fmt::Debug for FileSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FileSecrets({})", self.path.display())
    }
}

impl FileSecrets {
    pub fn new(data_dir: &Path) -> Self {
        Self {
            path: data_dir.join(FALLBACK_FILE),
            lock: Mutex::new(()),
        }
    }

    fn held(&self) -> std::sync::MutexGuard<'_, ()> {
        self.lock.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl SecretStore for FileSecrets {
    fn get(&self, env: Environment, kind: SecretKind) -> Result<Option<Secret>, SecretError> {
        let _held = self.held();
        Ok(read_file(&self.path)?
            .remove(&account(env, kind))
            .map(Secret::new))
    }

    fn set(&self, env: Environment, kind: SecretKind, secret: &Secret) -> Result<(), SecretError> {
        let _held = self.held();
        let mut all = read_file(&self.path)?;
        all.insert(account(env, kind), secret.expose().to_string());
        write_file(&self.path, &all)
    }

    fn delete(&self, env: Environment, kind: SecretKind) -> Result<(), SecretError> {
        let _held = self.held();
        let mut all = read_file(&self.path)?;
        if all.remove(&account(env, kind)).is_some() {
            write_file(&self.path, &all)?;
        }
        Ok(())
    }
}

/// Secrets in memory only (tests).
#[derive(Debug, Default)]
pub struct MemorySecrets(Mutex<BTreeMap<String, String>>);

impl SecretStore for MemorySecrets {
    fn get(&self, env: Environment, kind: SecretKind) -> Result<Option<Secret>, SecretError> {
        let all = self.0.lock().unwrap_or_else(|p| p.into_inner());
        Ok(all.get(&account(env, kind)).map(Secret::new))
    }

    fn set(&self, env: Environment, kind: SecretKind, secret: &Secret) -> Result<(), SecretError> {
        let mut all = self.0.lock().unwrap_or_else(|p| p.into_inner());
        all.insert(account(env, kind), secret.expose().to_string());
        Ok(())
    }

    fn delete(&self, env: Environment, kind: SecretKind) -> Result<(), SecretError> {
        let mut all = self.0.lock().unwrap_or_else(|p| p.into_inner());
        all.remove(&account(env, kind));
        Ok(())
    }
}

fn entry(account: &str) -> Result<keyring::Entry, SecretError> {
    keyring::Entry::new(SERVICE, account).map_err(keychain_error)
}

/// The keyring's own error texts name the failure, never the password.
fn keychain_error(e: keyring::Error) -> SecretError {
    SecretError::Keychain(e.to_string())
}

/// Looks up an entry that need not exist: "not found" means the keychain works.
fn keychain_answers() -> Result<(), String> {
    let probe = keyring::Entry::new(SERVICE, "probe").map_err(|e| e.to_string())?;
    match probe.get_password() {
        Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}

fn file_error(path: &Path, reason: impl std::fmt::Display) -> SecretError {
    SecretError::File {
        path: path.display().to_string(),
        reason: reason.to_string(),
    }
}

fn read_file(path: &Path) -> Result<BTreeMap<String, String>, SecretError> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
            // Only where it broke: serde_json's own message may quote the
            // value it did not expect, and that value can be a secret.
            file_error(
                path,
                format!(
                    "not readable ({:?} at line {}, column {})",
                    e.classify(),
                    e.line(),
                    e.column()
                ),
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(e) => Err(file_error(path, e)),
    }
}

/// Writes a new file with mode 0600 from the start, then renames it over the
/// old one, so the secrets are never readable by others, not even for a moment.
fn write_file(path: &Path, all: &BTreeMap<String, String>) -> Result<(), SecretError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| file_error(path, e))?;
    let tmp = path.with_extension("json.tmp");
    let _ = std::fs::remove_file(&tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp).map_err(|e| file_error(path, e))?;
    let body = serde_json::to_vec_pretty(all).map_err(|e| file_error(path, e))?;
    file.write_all(&body)
        .and_then(|_| file.sync_all())
        .map_err(|e| file_error(path, e))?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(|e| file_error(path, e))?;
    #[cfg(unix)]
    {
        // An older file may have been created with other permissions.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| file_error(path, e))?;
        // The rename is durable only once the directory is: a refresh token
        // rotated just before a power cut must not come back as the old one.
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| file_error(path, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_damaged_secrets_file_is_named_without_quoting_what_it_holds() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.json");
        for body in [
            "\"s3cr3t-refresh-token\"",
            "{\"testing/client_secret\": 42, \"x\": \"s3cr3t-refresh-token\"}",
            "[\"s3cr3t-refresh-token\"]",
            "{\"a\": \"s3cr3t-refresh-token",
        ] {
            std::fs::write(&path, body).unwrap();
            // The file's name may hold any characters (a temporary one, "…42…").
            let e = read_file(&path)
                .unwrap_err()
                .to_string()
                .replace(&path.display().to_string(), "<file>");
            assert!(!e.contains("s3cr3t"), "{e}");
            assert!(!e.contains("42"), "{e}");
            assert!(e.contains("line 1"), "{e}");
        }
    }

    #[test]
    fn the_file_fallback_keeps_secrets_per_environment_readable_only_by_the_user() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileSecrets::new(dir.path());
        assert!(store
            .get(Environment::Testing, SecretKind::ClientSecret)
            .unwrap()
            .is_none());

        store
            .set(
                Environment::Testing,
                SecretKind::ClientSecret,
                &Secret::new("t-secret"),
            )
            .unwrap();
        store
            .set(
                Environment::Live,
                SecretKind::ClientSecret,
                &Secret::new("l-secret"),
            )
            .unwrap();
        store
            .set(
                Environment::Testing,
                SecretKind::RefreshToken,
                &Secret::new("rt-1"),
            )
            .unwrap();

        // A new store on the same directory (the next start) reads them back.
        let again = FileSecrets::new(dir.path());
        let get = |env, kind| {
            again
                .get(env, kind)
                .unwrap()
                .map(|s| s.expose().to_string())
        };
        assert_eq!(
            get(Environment::Testing, SecretKind::ClientSecret).as_deref(),
            Some("t-secret")
        );
        assert_eq!(
            get(Environment::Live, SecretKind::ClientSecret).as_deref(),
            Some("l-secret")
        );
        assert_eq!(
            get(Environment::Testing, SecretKind::RefreshToken).as_deref(),
            Some("rt-1")
        );
        assert_eq!(get(Environment::Live, SecretKind::RefreshToken), None);

        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(FALLBACK_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "mode {mode:o}");
        }

        again
            .delete(Environment::Testing, SecretKind::RefreshToken)
            .unwrap();
        assert!(!again.has(Environment::Testing, SecretKind::RefreshToken));
        assert!(again.has(Environment::Testing, SecretKind::ClientSecret));
        // Deleting what is not there is fine.
        again
            .delete(Environment::Demo, SecretKind::RefreshToken)
            .unwrap();
        assert!(!dir.path().join("secrets.json.tmp").exists());
    }

    #[cfg(unix)]
    #[test]
    fn an_old_file_with_wider_permissions_is_narrowed_on_the_next_write() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FALLBACK_FILE);
        std::fs::write(&path, "{}").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let store = FileSecrets::new(dir.path());
        store
            .set(
                Environment::Live,
                SecretKind::ClientSecret,
                &Secret::new("x"),
            )
            .unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn a_damaged_file_is_reported_without_its_content() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(FALLBACK_FILE),
            "{\"live/client_secret\": \"hush",
        )
        .unwrap();
        let e = FileSecrets::new(dir.path())
            .get(Environment::Live, SecretKind::ClientSecret)
            .unwrap_err()
            .to_string();
        assert!(!e.contains("hush"), "{e}");
    }
}
