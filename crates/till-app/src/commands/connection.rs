//! The settings screen's connection part: environment, credentials, device
//! pairing, and the check before the restart that applies a new environment.

use std::sync::Arc;

use tracing::info;

use crate::connection::pairing::{PairingRequest, PairingStart, PairingStatus};
use crate::connection::{
    check_switch, connect_with_credentials, credentials, new_device_uuid, provider_url, OpenWork,
};
use crate::error::{CommandError, ErrorCode};
use crate::settings::{AuthMode, ConnectionSettings, Environment, Settings, KEY_CONNECTION};
use crate::state::AppState;

/// What the running till has not finished, from the journal.
fn open_work(state: &AppState) -> Result<OpenWork, CommandError> {
    let card_payment_running = state.card_running();
    let journal = state.journal();
    Ok(OpenWork {
        card_payment_running,
        // A refund under way is money in doubt too.
        payments_in_doubt: journal.in_doubt()?.len() + journal.pending_cancellations()?.len(),
        outbox: journal.outbox_state()?.count,
    })
}

/// Switches to demo, or to testing/live with client credentials: a token is
/// fetched with them first, and only then is anything saved. Applies after
/// a restart (`restart_app`).
pub async fn set_environment(
    state: &AppState,
    environment: Environment,
    client_id: Option<String>,
    client_secret: Option<String>,
    manager_pin: Option<String>,
) -> Result<Settings, CommandError> {
    crate::cashier::may_change_settings(state, manager_pin.as_deref())?;
    check_switch(state.environment, environment, open_work(state)?)?;
    let current = state.settings.connection();
    let saved = match provider_url(environment) {
        None => ConnectionSettings {
            environment,
            ..current
        },
        Some(url) => {
            connect_with_credentials(
                state.secrets.as_ref(),
                environment,
                &url,
                client_id,
                client_secret,
                current,
            )
            .await?
        }
    };
    state.pairing.cancel();
    state.settings.put(KEY_CONNECTION, &saved)?;
    info!(
        environment = environment.name(),
        "connection saved; it applies from the next start"
    );
    Ok(crate::commands::settings::load(state))
}

/// Starts pairing this till with the device grant (step 1) and polls in the
/// background; `pairing_status` tells how it goes.
pub async fn pairing_start(
    state: &AppState,
    environment: Environment,
    client_id: Option<String>,
    client_secret: Option<String>,
) -> Result<PairingStart, CommandError> {
    let Some(url) = provider_url(environment) else {
        return Err(CommandError::new(
            ErrorCode::InvalidSettings,
            "The demo needs no pairing. Choose testing or live to pair the till.",
        ));
    };
    check_switch(state.environment, environment, open_work(state)?)?;
    let (credentials, _) = credentials(
        state.secrets.as_ref(),
        environment,
        client_id,
        client_secret,
    )?;
    let current = state.settings.connection();
    let uuid = current
        .device_uuid
        .clone()
        .unwrap_or_else(|| new_device_uuid(&state.till_id));
    let saved = ConnectionSettings {
        environment,
        auth_mode: AuthMode::Device,
        client_id: Some(credentials.client_id.clone()),
        has_client_secret: false,
        device_uuid: Some(uuid.clone()),
        device_paired: false,
    };
    let settings = state.settings.clone();
    state
        .pairing
        .start(
            PairingRequest {
                environment,
                base_url: url,
                credentials,
                uuid,
            },
            Arc::clone(&state.secrets),
            move || settings.put(KEY_CONNECTION, &saved),
        )
        .await
}

pub fn pairing_status(state: &AppState) -> PairingStatus {
    state.pairing.status()
}

pub fn pairing_cancel(state: &AppState) {
    state.pairing.cancel();
}

/// Whether the app may start again now (a new environment applies then):
/// not while a card payment runs on the terminal.
pub fn restart_allowed(state: &AppState) -> Result<(), CommandError> {
    if state.card_running() {
        return Err(CommandError::new(
            ErrorCode::SwitchCardRunning,
            "A card payment is running on the terminal. Finish it first, then restart.",
        ));
    }
    if state.qr.is_running() {
        return Err(CommandError::new(
            ErrorCode::SwitchCardRunning,
            "A payment by QR code waits for the customer. Finish or cancel it first, then restart.",
        ));
    }
    info!("restarting to apply the connection settings");
    Ok(())
}
