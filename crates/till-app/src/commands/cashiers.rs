//! The lock screen and the cashiers' accounts: log in by PIN, lock, the
//! owner at first start, and (a manager's) adding and changing cashiers.

use catalog::{Action, Cashier, Role};
use uuid::Uuid;

use crate::cashier::{self, CashierSettings, SessionInfo, KEY_CASHIERS, MAX_LOCK_AFTER_MINUTES};
use crate::error::{CommandError, ErrorCode};
use crate::state::AppState;

pub fn session(state: &AppState) -> Result<SessionInfo, CommandError> {
    cashier::session_info(state)
}

pub fn login(state: &AppState, pin: &str) -> Result<SessionInfo, CommandError> {
    cashier::login(state, pin)?;
    cashier::session_info(state)
}

pub fn lock(state: &AppState) -> Result<SessionInfo, CommandError> {
    cashier::lock(state)?;
    cashier::session_info(state)
}

pub fn create_owner(state: &AppState, name: &str, pin: &str) -> Result<SessionInfo, CommandError> {
    cashier::create_owner(state, name, pin)?;
    cashier::session_info(state)
}

/// Every cashier, active or not (a manager's list).
pub fn cashiers(state: &AppState) -> Result<Vec<Cashier>, CommandError> {
    Ok(state.catalog().cashiers()?)
}

/// Adds a cashier, or (with `id`) renames one, changes the role, or sets a new PIN.
pub fn save_cashier(
    state: &AppState,
    id: Option<Uuid>,
    name: &str,
    role: Role,
    pin: Option<String>,
    manager_pin: Option<String>,
) -> Result<Cashier, CommandError> {
    let auth = cashier::authorise(
        state,
        Action::Cashiers,
        till::Cents::ZERO,
        manager_pin.as_deref(),
    )?;
    let by = match auth {
        Some(a) => catalog::Actor::cashier(a.manager_id, &a.manager_name),
        None => state.cashier()?.actor(),
    };
    let saved = {
        let mut catalog = state.catalog();
        match id {
            None => {
                let pin = pin.ok_or_else(|| {
                    CommandError::new(ErrorCode::InvalidPin, "A new cashier needs a PIN.")
                })?;
                catalog.create_cashier(name, &pin, role, &by)?.0
            }
            Some(id) => {
                catalog.update_cashier(id, name, role, &by)?;
                if let Some(pin) = pin.filter(|p| !p.is_empty()) {
                    catalog.change_pin(id, &pin, &by)?;
                }
                catalog.cashier(id)?
            }
        }
    };
    state.journal_catalog_changes()?;
    Ok(saved)
}

pub fn deactivate_cashier(
    state: &AppState,
    id: Uuid,
    manager_pin: Option<String>,
) -> Result<(), CommandError> {
    let auth = cashier::authorise(
        state,
        Action::Cashiers,
        till::Cents::ZERO,
        manager_pin.as_deref(),
    )?;
    let by = match auth {
        Some(a) => catalog::Actor::cashier(a.manager_id, &a.manager_name),
        None => state.cashier()?.actor(),
    };
    state.catalog().deactivate_cashier(id, &by)?;
    state.journal_catalog_changes()
}

/// The idle lock and the limits (a setting: a manager's); what is not given stays.
pub fn save_cashier_settings(
    state: &AppState,
    lock_after_minutes: Option<u32>,
    limits: Option<catalog::Limits>,
    manager_pin: Option<String>,
) -> Result<CashierSettings, CommandError> {
    cashier::authorise(
        state,
        Action::Settings,
        till::Cents::ZERO,
        manager_pin.as_deref(),
    )?;
    let current = state.cashier_settings();
    let settings = CashierSettings {
        lock_after_minutes: lock_after_minutes.unwrap_or(current.lock_after_minutes),
        limits: limits.unwrap_or(current.limits),
    };
    if settings.lock_after_minutes > MAX_LOCK_AFTER_MINUTES {
        return Err(CommandError::new(
            ErrorCode::InvalidSettings,
            format!("The till locks after at most {MAX_LOCK_AFTER_MINUTES} minutes."),
        ));
    }
    state.settings.put(KEY_CASHIERS, &settings)?;
    Ok(state.cashier_settings())
}
