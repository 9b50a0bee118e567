//! The answers of `POST /oauth/token`.

use serde::{Deserialize, Serialize};

/// A token answer: `{access_token, expires_in, token_type, scope, refresh_token?}`.
#[derive(Clone, PartialEq, Deserialize, Serialize)]
pub struct TokenAnswer {
    pub access_token: String,
    pub expires_in: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

impl std::fmt::Debug for TokenAnswer {
    // Tokens are secrets: never in a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenAnswer")
            .field("access_token", &"***")
            .field("expires_in", &self.expires_in)
            .field("token_type", &self.token_type)
            .field("scope", &self.scope)
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "***"))
            .finish()
    }
}

/// Step 1 of the device grant: what the person pairing the till needs.
#[derive(Clone, PartialEq, Deserialize, Serialize)]
pub struct DeviceCodeAnswer {
    pub device_code: String,
    pub user_code: String,
    pub verification_url: String,
    /// Seconds until the codes expire (1200 typical).
    pub expires_in: u64,
    /// Seconds to wait between two polls (5 typical).
    #[serde(default = "default_interval")]
    pub interval: u64,
}

fn default_interval() -> u64 {
    5
}

impl std::fmt::Debug for DeviceCodeAnswer {
    // The device code is as good as a password until it is used.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceCodeAnswer")
            .field("device_code", &"***")
            .field("user_code", &self.user_code)
            .field("verification_url", &self.verification_url)
            .field("expires_in", &self.expires_in)
            .field("interval", &self.interval)
            .finish()
    }
}

/// The OAuth error answer: `{error, error_description}`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct OAuthError {
    pub error: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}
