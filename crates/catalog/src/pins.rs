//! PINs: the rules a PIN follows, its Argon2id hash, and the slow-down after wrong PINs.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::error::{CatalogError, Result};
use crate::groups::time_from_db;

/// Argon2id with 19 MiB, 2 passes, 1 lane (OWASP's minimum for Argon2id): a verify takes
/// some tens of milliseconds on a till, so a login that tries every cashier stays quick
/// while a stolen catalogue file costs a PIN guesser that much per guess and salt.
/// A PIN has at most 10^6 values, so the hash slows an offline attack but cannot stop it:
/// the catalogue file belongs on the till's own disk, readable by the till's user only.
pub fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// 4 to 6 digits, and not one everybody tries first.
pub fn check_pin(pin: &str) -> Result<()> {
    let d: Vec<i16> = pin
        .bytes()
        .map(|b| i16::from(b) - i16::from(b'0'))
        .collect();
    if !(4..=6).contains(&d.len()) || d.iter().any(|x| !(0..=9).contains(x)) {
        return Err(CatalogError::InvalidPin);
    }
    let steps: Vec<i16> = d.windows(2).map(|w| w[1] - w[0]).collect();
    if steps.iter().all(|s| *s == 0)
        || steps.iter().all(|s| *s == 1)
        || steps.iter().all(|s| *s == -1)
    {
        return Err(CatalogError::WeakPin);
    }
    Ok(())
}

pub fn hash_pin(pin: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| CatalogError::PinHash(e.to_string()))
}

/// Whether `pin` is the one `hash` was made from (the parameters come from the hash).
pub fn verify_pin(pin: &str, hash: &str) -> Result<bool> {
    let parsed = PasswordHash::new(hash).map_err(|e| CatalogError::PinHash(e.to_string()))?;
    Ok(hasher().verify_password(pin.as_bytes(), &parsed).is_ok())
}

/// How long a till waits after wrong PINs: the first few are free, then the wait
/// doubles with each further wrong PIN, up to a ceiling. A right PIN resets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Backoff {
    pub free_attempts: u32,
    pub first_wait_secs: i64,
    pub max_wait_secs: i64,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            free_attempts: 3,
            first_wait_secs: 1,
            max_wait_secs: 300,
        }
    }
}

impl Backoff {
    /// Seconds to wait after the `failures`-th wrong PIN in a row.
    pub fn wait_after(&self, failures: u32) -> i64 {
        if failures < self.free_attempts {
            return 0;
        }
        let doublings = (failures - self.free_attempts).min(30);
        self.first_wait_secs
            .saturating_mul(1i64 << doublings)
            .min(self.max_wait_secs)
    }
}

/// Refuses while the till is locked by earlier wrong PINs.
pub(crate) fn check_not_locked(conn: &Connection, till: &str, now: DateTime<Utc>) -> Result<()> {
    let until: Option<Option<String>> = conn
        .prepare_cached("SELECT locked_until FROM pin_attempts WHERE till_id = ?1")?
        .query_row([till], |r| r.get(0))
        .optional()?;
    if let Some(until) = until.flatten() {
        let until = time_from_db(&until)?;
        if until > now {
            let wait = until - now;
            // round up: "wait 0 seconds" would be a lie
            let secs = (wait + Duration::milliseconds(999)).num_seconds();
            return Err(CatalogError::PinLocked {
                retry_after_secs: secs,
            });
        }
    }
    Ok(())
}

/// Counts a wrong PIN at `till` and locks it for the policy's wait.
pub(crate) fn record_failure(
    conn: &Connection,
    till: &str,
    now: DateTime<Utc>,
    policy: &Backoff,
) -> Result<()> {
    let failures: u32 = conn
        .prepare_cached("SELECT failures FROM pin_attempts WHERE till_id = ?1")?
        .query_row([till], |r| r.get(0))
        .optional()?
        .unwrap_or(0)
        + 1;
    let wait = policy.wait_after(failures);
    let until = (wait > 0).then(|| (now + Duration::seconds(wait)).to_rfc3339());
    conn.prepare_cached(
        "INSERT INTO pin_attempts (till_id, failures, locked_until) VALUES (?1, ?2, ?3)
         ON CONFLICT(till_id) DO UPDATE SET failures = ?2, locked_until = ?3",
    )?
    .execute(params![till, failures, until])?;
    Ok(())
}

pub(crate) fn reset(conn: &Connection, till: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM pin_attempts WHERE till_id = ?1")?
        .execute([till])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pin_rules() {
        for ok in ["1357", "2468", "90210", "135790", "0815"] {
            assert!(check_pin(ok).is_ok(), "{ok}");
        }
        for bad in ["", "123", "1234567", "12a4", " 1357", "١٢٣٤"] {
            assert!(
                matches!(check_pin(bad), Err(CatalogError::InvalidPin)),
                "{bad}"
            );
        }
        for weak in ["0000", "1111", "1234", "4321", "123456", "987654"] {
            assert!(
                matches!(check_pin(weak), Err(CatalogError::WeakPin)),
                "{weak}"
            );
        }
    }

    #[test]
    fn backoff_doubles_after_the_free_attempts_up_to_the_ceiling() {
        let b = Backoff::default();
        let waits: Vec<i64> = (1..=13).map(|n| b.wait_after(n)).collect();
        assert_eq!(waits, [0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
        assert_eq!(b.wait_after(u32::MAX), 300);
    }
}
