//! What a test or demo can tune: token lifetime, the answer to a rejected token,
//! how long the terminal waits for the customer.

use std::time::Duration;

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// A partial change of the settings: `None` leaves a setting as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SandboxConfig {
    /// Lifetime of new access tokens (default 1200 s).
    #[serde(default)]
    pub token_lifetime_secs: Option<u64>,
    /// HTTP status of a rejected token: 403 (default, code 2003) or 401.
    #[serde(default)]
    pub auth_failure_status: Option<u16>,
    /// How long the terminal "waits for the customer" in `start/cashless`,
    /// `canceltrx`, `endOfDay` and `diagnosis`.
    #[serde(default)]
    pub terminal_delay_ms: Option<u64>,
    /// Lifetime of a device code of the device grant (default 1200 s).
    #[serde(default)]
    pub device_code_lifetime_secs: Option<u64>,
    /// How long the checkout page's `slow` method takes to pay (default 4000 ms).
    #[serde(default)]
    pub checkout_delay_ms: Option<u64>,
}

/// The settings in effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub token_lifetime: Duration,
    pub auth_failure_status: StatusCode,
    pub terminal_delay: Duration,
    pub device_code_lifetime: Duration,
    pub checkout_delay: Duration,
}

/// The provider's polling interval for the device grant, in seconds.
pub const DEVICE_POLL_INTERVAL_SECS: u64 = 5;

impl Default for Settings {
    fn default() -> Self {
        Self {
            token_lifetime: Duration::from_secs(crate::demo::TOKEN_LIFETIME_SECS),
            auth_failure_status: StatusCode::FORBIDDEN,
            terminal_delay: Duration::from_millis(crate::demo::TERMINAL_DELAY_MS),
            device_code_lifetime: Duration::from_secs(1200),
            checkout_delay: Duration::from_millis(crate::demo::CHECKOUT_DELAY_MS),
        }
    }
}

impl Settings {
    /// Applies the given fields; an invalid value changes nothing.
    pub fn apply(&mut self, change: &SandboxConfig) -> Result<(), ApiError> {
        let mut next = self.clone();
        if let Some(secs) = change.token_lifetime_secs {
            next.token_lifetime = Duration::from_secs(secs);
        }
        if let Some(status) = change.auth_failure_status {
            next.auth_failure_status = match status {
                401 => StatusCode::UNAUTHORIZED,
                403 => StatusCode::FORBIDDEN,
                other => {
                    return Err(ApiError::bad_request(format!(
                        "auth_failure_status must be 401 or 403, not {other}"
                    )))
                }
            };
        }
        if let Some(ms) = change.terminal_delay_ms {
            next.terminal_delay = Duration::from_millis(ms);
        }
        if let Some(secs) = change.device_code_lifetime_secs {
            next.device_code_lifetime = Duration::from_secs(secs);
        }
        if let Some(ms) = change.checkout_delay_ms {
            next.checkout_delay = Duration::from_millis(ms);
        }
        *self = next;
        Ok(())
    }

    pub fn to_config(&self) -> SandboxConfig {
        SandboxConfig {
            token_lifetime_secs: Some(self.token_lifetime.as_secs()),
            auth_failure_status: Some(self.auth_failure_status.as_u16()),
            terminal_delay_ms: Some(self.terminal_delay.as_millis() as u64),
            device_code_lifetime_secs: Some(self.device_code_lifetime.as_secs()),
            checkout_delay_ms: Some(self.checkout_delay.as_millis() as u64),
        }
    }
}
