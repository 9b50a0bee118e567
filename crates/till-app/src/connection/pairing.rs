//! The device pairing of this till (the OAuth device grant): started from
//! the settings screen, polled in the background, and a small state machine
//! the screen asks about (`pairing_status`).

use std::sync::{Arc, Mutex};
use std::time::Instant;

use secuconnect::{Client, ClientConfig, Credentials};
use serde::Serialize;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};
use ts_rs::TS;

use super::{login_error, CHECK_TIMEOUT};
use crate::error::CommandError;
use crate::secrets::{SecretKind, SecretStore};
use crate::settings::Environment;

/// Step 1's answer, for the screen: the code and where to enter it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, TS)]
pub struct PairingStart {
    pub user_code: String,
    pub verification_url: String,
    pub expires_in: u64,
    pub interval: u64,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, TS)]
#[serde(rename_all = "lowercase")]
#[ts(rename_all = "lowercase")]
pub enum PairingState {
    Idle,
    Waiting,
    Paired,
    Expired,
    Failed,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, TS)]
pub struct PairingStatus {
    pub state: PairingState,
    pub seconds_left: u64,
    pub message: Option<String>,
}

enum Phase {
    Idle,
    Waiting {
        deadline: Instant,
        cancel: CancellationToken,
    },
    Paired,
    Expired,
    Failed(String),
}

/// The one device pairing of this till (a new start replaces a running one).
#[derive(Clone)]
pub struct Pairing {
    inner: Arc<Mutex<(u64, Phase)>>,
}

impl Default for Pairing {
    fn default() -> Self {
        Self {
            inner: Arc::new(Mutex::new((0, Phase::Idle))),
        }
    }
}

/// What a pairing needs to know about where it pairs.
pub struct PairingRequest {
    pub environment: Environment,
    pub base_url: String,
    pub credentials: Credentials,
    /// The till's device id at the provider, e.g. `/vendor/smart-till/serial/…`.
    pub uuid: String,
}

impl Pairing {
    fn lock(&self) -> std::sync::MutexGuard<'_, (u64, Phase)> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Step 1 of the device grant; then polls in the background at the
    /// provider's interval. On success the client secret and the refresh
    /// token go to `secrets` and `on_paired` saves the connection settings.
    pub async fn start(
        &self,
        request: PairingRequest,
        secrets: Arc<dyn SecretStore>,
        on_paired: impl FnOnce() -> Result<(), CommandError> + Send + 'static,
    ) -> Result<PairingStart, CommandError> {
        self.cancel();
        let client_secret = request.credentials.client_secret.clone();
        let client = Client::new(
            ClientConfig::new(request.base_url, request.credentials).with_timeout(CHECK_TIMEOUT),
        )?;
        let pairing = client
            .start_device_pairing(&request.uuid)
            .await
            .map_err(login_error)?;
        let answer = PairingStart {
            user_code: pairing.user_code.clone(),
            verification_url: pairing.verification_url.clone(),
            expires_in: pairing.expires_in.as_secs(),
            interval: pairing.interval.as_secs(),
        };
        let cancel = CancellationToken::new();
        let generation = {
            let mut inner = self.lock();
            inner.0 += 1;
            inner.1 = Phase::Waiting {
                deadline: pairing.deadline(),
                cancel: cancel.clone(),
            };
            inner.0
        };
        let env = request.environment;
        let this = self.clone();
        tokio::spawn(async move {
            let result = client.finish_device_pairing(&pairing, &cancel).await;
            if cancel.is_cancelled() {
                return;
            }
            let phase = match result {
                Ok(refresh_token) => {
                    let kept = secrets
                        .set(env, SecretKind::ClientSecret, &client_secret)
                        .and_then(|()| secrets.set(env, SecretKind::RefreshToken, &refresh_token));
                    match kept {
                        Err(e) => {
                            warn!(error = %e, "the pairing succeeded but its secrets cannot be kept");
                            Phase::Failed(
                                "The till was paired, but the keychain refused to keep the pairing. Check the keychain (or the app-data folder) and pair again.".into(),
                            )
                        }
                        Ok(()) => match on_paired() {
                            Ok(()) => {
                                info!(environment = env.name(), "the till is paired");
                                Phase::Paired
                            }
                            Err(e) => Phase::Failed(e.message),
                        },
                    }
                }
                Err(e) => {
                    let expired = matches!(e, secuconnect::Error::PairingExpired)
                        || Instant::now() + pairing.interval >= pairing.deadline();
                    if expired {
                        info!("the pairing code expired before it was confirmed");
                        Phase::Expired
                    } else {
                        warn!(error = %e, "the device pairing failed");
                        Phase::Failed(
                            "The payment service refused the pairing. Start it again; if it fails again, check the client ID and secret.".into(),
                        )
                    }
                }
            };
            let mut inner = this.lock();
            if inner.0 == generation {
                inner.1 = phase;
            }
        });
        Ok(answer)
    }

    pub fn status(&self) -> PairingStatus {
        let inner = self.lock();
        let (state, seconds_left, message) = match &inner.1 {
            Phase::Idle => (PairingState::Idle, 0, None),
            Phase::Waiting { deadline, .. } => (
                PairingState::Waiting,
                deadline.saturating_duration_since(Instant::now()).as_secs(),
                None,
            ),
            Phase::Paired => (PairingState::Paired, 0, None),
            Phase::Expired => (
                PairingState::Expired,
                0,
                Some("The code expired before it was confirmed. Start the pairing again.".into()),
            ),
            Phase::Failed(m) => (PairingState::Failed, 0, Some(m.clone())),
        };
        PairingStatus {
            state,
            seconds_left,
            message,
        }
    }

    /// Stops a running pairing; nothing is saved.
    pub fn cancel(&self) {
        let mut inner = self.lock();
        if let Phase::Waiting { cancel, .. } = &inner.1 {
            cancel.cancel();
            info!("device pairing cancelled");
        }
        inner.0 += 1;
        inner.1 = Phase::Idle;
    }
}
