//! The settings screen's connection part: environment, credentials, device
//! pairing, and the restart that applies a new environment.

use std::sync::Arc;

use tauri::{AppHandle, State};
use tracing::info;

use crate::connection::{
    check_switch, connect_with_credentials, credentials, environment_name, new_device_uuid,
    provider_url, ConnectionState, OpenWork, PairingRequest, PairingStart, PairingStatus,
};
use crate::error::CommandError;
use crate::settings::{
    AuthMode, ConnectionSettings, Environment, Settings, SettingsStore, KEY_CONNECTION,
};
use crate::state::AppState;

/// What the running till has not finished, from the journal and the card state.
fn open_work(state: &AppState) -> Result<OpenWork, CommandError> {
    let journal = state.journal.lock().unwrap_or_else(|p| p.into_inner());
    Ok(OpenWork {
        card_payment_running: state.card_running(),
        // A refund under way is money in doubt too.
        payments_in_doubt: journal.in_doubt()?.len() + journal.pending_cancellations()?.len(),
        outbox: journal.outbox_state()?.count,
    })
}

/// Switches to demo, or to testing/live with client credentials: a token is
/// fetched with them first, and only then is anything saved. Applies after
/// a restart (`restart_app`).
#[tauri::command]
pub async fn set_environment(
    app: AppHandle,
    state: State<'_, AppState>,
    conn: State<'_, ConnectionState>,
    environment: Environment,
    client_id: Option<String>,
    client_secret: Option<String>,
) -> Result<Settings, CommandError> {
    check_switch(state.environment, environment, open_work(&state)?)?;
    let store = SettingsStore::open(&app)?;
    let mut problems = Vec::new();
    let current: ConnectionSettings = store.section(KEY_CONNECTION, &mut problems);
    let saved = match provider_url(environment) {
        None => ConnectionSettings {
            environment,
            ..current
        },
        Some(url) => {
            connect_with_credentials(
                &conn.secrets,
                environment,
                &url,
                client_id,
                client_secret,
                current,
            )
            .await?
        }
    };
    conn.pairing.cancel();
    store.put(KEY_CONNECTION, &saved)?;
    info!(
        environment = environment_name(environment),
        "connection saved; it applies from the next start"
    );
    Ok(crate::commands::settings::load(&store, &state, &conn))
}

/// Starts pairing this till with the device grant (step 1) and polls in the
/// background; `pairing_status` tells how it goes.
#[tauri::command]
pub async fn pairing_start(
    app: AppHandle,
    state: State<'_, AppState>,
    conn: State<'_, ConnectionState>,
    environment: Environment,
    client_id: Option<String>,
    client_secret: Option<String>,
) -> Result<PairingStart, CommandError> {
    let Some(url) = provider_url(environment) else {
        return Err(CommandError::new(
            "invalid_settings",
            "The demo needs no pairing. Choose testing or live to pair the till.",
        ));
    };
    check_switch(state.environment, environment, open_work(&state)?)?;
    let (credentials, _) = credentials(&conn.secrets, environment, client_id, client_secret)?;
    let store = SettingsStore::open(&app)?;
    let mut problems = Vec::new();
    let current: ConnectionSettings = store.section(KEY_CONNECTION, &mut problems);
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
    let app2 = app.clone();
    conn.pairing
        .start(
            PairingRequest {
                environment,
                base_url: url,
                credentials,
                uuid,
            },
            Arc::clone(&conn.secrets),
            move || SettingsStore::open(&app2)?.put(KEY_CONNECTION, &saved),
        )
        .await
}

#[tauri::command]
pub fn pairing_status(conn: State<'_, ConnectionState>) -> PairingStatus {
    conn.pairing.status()
}

#[tauri::command]
pub fn pairing_cancel(conn: State<'_, ConnectionState>) {
    conn.pairing.cancel();
}

/// Starts the app again so a new environment applies; refused while a card
/// payment runs on the terminal.
#[tauri::command]
pub fn restart_app(app: AppHandle, state: State<'_, AppState>) -> Result<(), CommandError> {
    if state.card_running() {
        return Err(CommandError::new(
            "switch_card_running",
            "A card payment is running on the terminal. Finish it first, then restart.",
        ));
    }
    info!("restarting to apply the connection settings");
    app.restart()
}
