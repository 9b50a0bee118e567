//! Who works the till: the cashier logged in on it (the session), logging in
//! and locking, the owner's first start, and the rights check every command
//! that may need a manager goes through ([`authorise`]).
//!
//! The rights table and the PINs are the catalogue's (`catalog::rights`,
//! `Catalog::login`, `Catalog::authorise`); this module applies them to the
//! one till: whoever is logged in here, the journal names on every entry.

use std::sync::Mutex;

use catalog::{Action, Authorisation, Cashier, Limits, Role};
use serde::{Deserialize, Serialize};
use till::journal::{kind, CashierRef};
use till::Cents;
use ts_rs::TS;

use crate::error::{CommandError, ErrorCode};
use crate::state::AppState;

/// The settings section of the cashiers: the idle lock and the limits.
pub const KEY_CASHIERS: &str = "cashiers";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct CashierSettings {
    /// The till locks after this many minutes without a touch; 0: never.
    pub lock_after_minutes: u32,
    /// The amounts a cashier may handle alone (cash out, discounts).
    pub limits: Limits,
}

impl Default for CashierSettings {
    fn default() -> Self {
        Self {
            lock_after_minutes: 5,
            limits: Limits::default(),
        }
    }
}

/// The longest idle time the settings accept (a working day).
pub const MAX_LOCK_AFTER_MINUTES: u32 = 12 * 60;

/// Which cashier is logged in on this till; nobody while it is locked.
#[derive(Debug, Default)]
pub struct Session {
    current: Mutex<Option<Cashier>>,
}

impl Session {
    pub fn current(&self) -> Option<Cashier> {
        self.current
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn set(&self, cashier: Option<Cashier>) {
        *self.current.lock().unwrap_or_else(|p| p.into_inner()) = cashier;
    }
}

/// What the lock screen and the status bar need.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SessionInfo {
    /// Who is logged in; `None`: the till is locked.
    pub cashier: Option<Cashier>,
    /// A testing or live till without a manager: the owner is asked for first.
    pub needs_owner: bool,
    pub lock_after_minutes: u32,
    /// The active cashiers' names, for the lock screen (never their PINs).
    pub names: Vec<String>,
}

impl AppState {
    /// The cashier logged in, or `not_logged_in` while the till is locked.
    pub fn cashier(&self) -> Result<Cashier, CommandError> {
        self.session.current().ok_or_else(|| {
            CommandError::new(
                ErrorCode::NotLoggedIn,
                "The till is locked. Log in with your PIN.",
            )
        })
    }

    pub fn cashier_settings(&self) -> CashierSettings {
        self.settings.section(KEY_CASHIERS, &mut Vec::new())
    }

    pub fn limits(&self) -> Limits {
        self.cashier_settings().limits
    }
}

/// The one rule for every command that books money (sales and their
/// payments, card loads, cash in and out, the opening float, returns and
/// cancellations): somebody is logged in. A locked till books nothing, and
/// refuses with `not_logged_in` before anything reaches the terminal, the
/// TSE or the journal.
pub fn on_duty(state: &AppState) -> Result<Cashier, CommandError> {
    state.cashier()
}

pub fn session_info(state: &AppState) -> Result<SessionInfo, CommandError> {
    let catalog = state.catalog();
    Ok(SessionInfo {
        cashier: state.session.current(),
        needs_owner: !catalog.has_manager()?,
        lock_after_minutes: state.cashier_settings().lock_after_minutes,
        names: catalog
            .cashiers()?
            .into_iter()
            .filter(|c| c.active)
            .map(|c| c.name)
            .collect(),
    })
}

/// Logs in the active cashier whose PIN this is. Wrong PINs slow the till down.
pub fn login(state: &AppState, pin: &str) -> Result<Cashier, CommandError> {
    let cashier = state.catalog().login(&state.till_id, pin)?;
    log_in(state, cashier.clone())?;
    Ok(cashier)
}

/// Locks the till: nobody is logged in until the next PIN.
pub fn lock(state: &AppState) -> Result<(), CommandError> {
    if let Some(cashier) = state.session.current() {
        let mut journal = state.journal();
        journal.record(
            kind::LOGOUT,
            &[serde_json::json!({ "cashier_id": cashier.id })],
        )?;
        journal.set_cashier(None)?;
    }
    state.session.set(None);
    Ok(())
}

/// The first start of a testing or live till: the owner (a manager), who is then logged in.
pub fn create_owner(state: &AppState, name: &str, pin: &str) -> Result<Cashier, CommandError> {
    let (owner, _) = state.catalog().create_owner(name, pin)?;
    state.journal_catalog_changes()?;
    log_in(state, owner.clone())?;
    Ok(owner)
}

/// Demo mode starts with the demo shop's manager logged in, so that every
/// screen can be tried at once; the lock screen names the demo PINs.
pub fn start_session(state: &AppState) -> Result<(), CommandError> {
    if !state.demo {
        return Ok(());
    }
    let manager = state
        .catalog()
        .cashiers()?
        .into_iter()
        .find(|c| c.active && c.role == Role::Manager);
    match manager {
        Some(m) => log_in(state, m),
        None => Ok(()),
    }
}

fn log_in(state: &AppState, cashier: Cashier) -> Result<(), CommandError> {
    let mut journal = state.journal();
    // The previous cashier's session ends in their name.
    if let Some(before) = state.session.current() {
        if before.id != cashier.id {
            journal.record(
                kind::LOGOUT,
                &[serde_json::json!({ "cashier_id": before.id })],
            )?;
        }
    }
    journal.set_cashier(Some(&CashierRef {
        id: cashier.id.to_string(),
        name: cashier.name.clone(),
    }))?;
    journal.record(
        kind::LOGIN,
        &[serde_json::json!({ "cashier_id": cashier.id, "role": cashier.role })],
    )?;
    drop(journal);
    state.session.set(Some(cashier));
    Ok(())
}

/// Whether the one logged in may change the till's settings (a manager's
/// right; a manager's PIN typed on the spot will do), as [`authorise`] says.
pub fn may_change_settings(
    state: &AppState,
    manager_pin: Option<&str>,
) -> Result<(), CommandError> {
    authorise(state, Action::Settings, Cents::ZERO, manager_pin).map(|_| ())
}

/// May the logged-in cashier do `action` over `amount`?
///
/// `Ok(None)`: yes, alone. `Ok(Some(auth))`: a manager's PIN typed on the
/// spot allowed it; the authorisation is journaled and belongs with the
/// action. Otherwise `manager_required` (no PIN given), `not_a_manager` (a
/// cashier's PIN), `wrong_pin` or `pin_locked` (wrong PINs slow the till down),
/// or `not_logged_in`.
pub fn authorise(
    state: &AppState,
    action: Action,
    amount: Cents,
    manager_pin: Option<&str>,
) -> Result<Option<Authorisation>, CommandError> {
    let cashier = on_duty(state)?;
    if cashier.may(action, amount, &state.limits()) {
        return Ok(None);
    }
    let Some(pin) = manager_pin.filter(|p| !p.is_empty()) else {
        return Err(CommandError::new(
            ErrorCode::ManagerRequired,
            "This needs a manager: a manager types their PIN to allow it.",
        ));
    };
    let auth = state
        .catalog()
        .authorise(&state.till_id, action, amount, pin)?;
    let body = serde_json::to_value(&auth)
        .map_err(|e| CommandError::new(ErrorCode::Journal, e.to_string()))?;
    state.journal().record(kind::AUTHORISATION, &[body])?;
    Ok(Some(auth))
}
