//! Cashiers: name, PIN (as an Argon2id hash), role, active; login by PIN, and a
//! manager's PIN on the spot for an action a cashier may not do alone.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use till::money::Cents;
use uuid::Uuid;

use crate::changes::{self, action_for, Actor, ChangeEvent, Diff, Entity, FieldChange};
use crate::error::{CatalogError, Result};
use crate::groups::{time_from_db, uuid_from_db};
use crate::pins;
use crate::rights::{requires_manager, Action, Limits};
use crate::text::char_len;
use crate::Catalog;

/// The receipt prints "Es bediente Sie: <name>".
pub const MAX_NAME: usize = 40;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Cashier,
    Manager,
}

impl Role {
    fn as_db(self) -> &'static str {
        match self {
            Role::Cashier => "cashier",
            Role::Manager => "manager",
        }
    }
}

/// A cashier as the rest of the till sees one: the PIN hash never leaves this module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Cashier {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
    pub active: bool,
    pub revision: i64,
    pub updated_at: DateTime<Utc>,
}

impl Cashier {
    pub fn actor(&self) -> Actor {
        Actor::cashier(self.id, &self.name)
    }

    /// Whether this cashier may do `action` over `amount` without a manager's PIN.
    pub fn may(&self, action: Action, amount: Cents, limits: &Limits) -> bool {
        self.active && (self.role == Role::Manager || !requires_manager(action, amount, limits))
    }
}

/// A manager's PIN given on the spot for one action: store it with the action it allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Authorisation {
    pub id: Uuid,
    pub action: Action,
    pub amount: Cents,
    pub manager_id: Uuid,
    pub manager_name: String,
    pub at: DateTime<Utc>,
}

struct Stored {
    cashier: Cashier,
    pin_hash: String,
}

const COLUMNS: &str = "id, name, role, active, revision, updated_at, pin_hash";

fn from_row(r: &Row) -> rusqlite::Result<Stored> {
    let role = match r.get::<_, String>(2)?.as_str() {
        "manager" => Role::Manager,
        _ => Role::Cashier,
    };
    Ok(Stored {
        cashier: Cashier {
            id: uuid_from_db(&r.get::<_, String>(0)?)?,
            name: r.get(1)?,
            role,
            active: r.get(3)?,
            revision: r.get(4)?,
            updated_at: time_from_db(&r.get::<_, String>(5)?)?,
        },
        pin_hash: r.get(6)?,
    })
}

fn stored(conn: &Connection, id: Uuid) -> Result<Stored> {
    let sql = format!("SELECT {COLUMNS} FROM cashiers WHERE id = ?1");
    conn.prepare_cached(&sql)?
        .query_row([id.to_string()], from_row)
        .optional()?
        .ok_or(CatalogError::CashierNotFound)
}

fn active(conn: &Connection) -> Result<Vec<Stored>> {
    let sql = format!("SELECT {COLUMNS} FROM cashiers WHERE active = 1 ORDER BY row");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The active cashier whose PIN this is. Hashes are salted, so each one is tried:
/// a shop has few cashiers, and PINs are unique among the active ones.
fn holder_of(conn: &Connection, pin: &str, except: Option<Uuid>) -> Result<Option<Cashier>> {
    for s in active(conn)? {
        if Some(s.cashier.id) != except && pins::verify_pin(pin, &s.pin_hash)? {
            return Ok(Some(s.cashier));
        }
    }
    Ok(None)
}

fn check_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(CatalogError::Missing("cashier's name"));
    }
    if char_len(name) > MAX_NAME {
        return Err(CatalogError::TooLong {
            field: "cashier's name",
            max: MAX_NAME,
        });
    }
    Ok(name.to_string())
}

/// The PIN in change events: that it changed, never what it is.
fn pin_change(old: Option<()>) -> FieldChange {
    FieldChange {
        field: "pin".into(),
        old: old.map_or(Value::Null, |_| Value::from("••••")),
        new: Value::from("•••• (new)"),
    }
}

/// Writes a cashier's new state and its change event inside the caller's transaction.
fn write(
    conn: &Connection,
    old: Option<&Cashier>,
    new: Cashier,
    new_hash: Option<String>,
    by: &Actor,
) -> Result<(Cashier, ChangeEvent)> {
    let mut diff = Diff::default();
    diff.field("name", old.map(|c| &c.name), &new.name);
    diff.field("role", old.map(|c| &c.role), &new.role);
    diff.field("active", old.map(|c| &c.active), &new.active);
    if new_hash.is_some() {
        diff.0.push(pin_change(old.map(|_| ())));
    }
    let cashier = Cashier {
        revision: old.map_or(1, |c| c.revision + 1),
        ..new
    };
    if old.is_none() {
        conn.prepare_cached(
            "INSERT INTO cashiers (id, name, pin_hash, role, active, revision, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![
            cashier.id.to_string(),
            cashier.name,
            new_hash.as_deref().unwrap_or_default(),
            cashier.role.as_db(),
            cashier.active,
            cashier.revision,
            cashier.updated_at.to_rfc3339()
        ])?;
    } else {
        conn.prepare_cached(
            "UPDATE cashiers SET name = ?2, pin_hash = coalesce(?3, pin_hash), role = ?4,
                 active = ?5, revision = ?6, updated_at = ?7 WHERE id = ?1",
        )?
        .execute(params![
            cashier.id.to_string(),
            cashier.name,
            new_hash,
            cashier.role.as_db(),
            cashier.active,
            cashier.revision,
            cashier.updated_at.to_rfc3339()
        ])?;
    }
    let event = ChangeEvent {
        id: Uuid::new_v4(),
        at: cashier.updated_at,
        by: by.clone(),
        entity: Entity::Cashier,
        entity_id: cashier.id,
        label: cashier.name.clone(),
        action: action_for(old.map(|c| c.active), cashier.active),
        revision: cashier.revision,
        fields: diff.0,
    };
    changes::record(conn, &event)?;
    Ok((cashier, event))
}

fn active_managers(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT count(*) FROM cashiers WHERE active = 1 AND role = 'manager'")?
        .query_row([], |r| r.get(0))?)
}

impl Catalog {
    /// Whether the shop has an active manager; a till without one asks for the owner first.
    pub fn has_manager(&self) -> Result<bool> {
        Ok(active_managers(&self.conn)? > 0)
    }

    /// The first manager (the owner), allowed only while the shop has no active manager.
    pub fn create_owner(&mut self, name: &str, pin: &str) -> Result<(Cashier, ChangeEvent)> {
        if self.has_manager()? {
            return Err(CatalogError::OwnerExists);
        }
        let id = Uuid::new_v4();
        let name = check_name(name)?;
        let by = Actor::cashier(id, &name);
        self.add_cashier(id, &name, pin, Role::Manager, &by)
    }

    /// A new cashier or manager. Callers check that `by` may (see `Action::Cashiers`).
    pub fn create_cashier(
        &mut self,
        name: &str,
        pin: &str,
        role: Role,
        by: &Actor,
    ) -> Result<(Cashier, ChangeEvent)> {
        let name = check_name(name)?;
        self.add_cashier(Uuid::new_v4(), &name, pin, role, by)
    }

    fn add_cashier(
        &mut self,
        id: Uuid,
        name: &str,
        pin: &str,
        role: Role,
        by: &Actor,
    ) -> Result<(Cashier, ChangeEvent)> {
        pins::check_pin(pin)?;
        let now = self.now();
        let tx = self.conn.transaction()?;
        if holder_of(&tx, pin, None)?.is_some() {
            return Err(CatalogError::PinTaken);
        }
        let cashier = Cashier {
            id,
            name: name.into(),
            role,
            active: true,
            revision: 1,
            updated_at: now,
        };
        let out = write(&tx, None, cashier, Some(pins::hash_pin(pin)?), by)?;
        tx.commit()?;
        Ok(out)
    }

    /// Renames a cashier or changes the role; `None` when nothing changed.
    pub fn update_cashier(
        &mut self,
        id: Uuid,
        name: &str,
        role: Role,
        by: &Actor,
    ) -> Result<Option<ChangeEvent>> {
        let name = check_name(name)?;
        self.change_cashier(id, by, None, |c| Cashier { name, role, ..c })
    }

    /// Sets a new PIN (unique among the other active cashiers).
    pub fn change_pin(&mut self, id: Uuid, pin: &str, by: &Actor) -> Result<ChangeEvent> {
        pins::check_pin(pin)?;
        let event = self.change_cashier(id, by, Some(pin), |c| c)?;
        Ok(event.expect("a new PIN is a change"))
    }

    /// Soft delete: the cashier can no longer log in; old journal entries still name them.
    pub fn deactivate_cashier(&mut self, id: Uuid, by: &Actor) -> Result<Option<ChangeEvent>> {
        self.change_cashier(id, by, None, |c| Cashier { active: false, ..c })
    }

    /// A deactivated cashier comes back with a new PIN: the old one may meanwhile be another's.
    pub fn reactivate_cashier(&mut self, id: Uuid, pin: &str, by: &Actor) -> Result<ChangeEvent> {
        pins::check_pin(pin)?;
        let event = self.change_cashier(id, by, Some(pin), |c| Cashier { active: true, ..c })?;
        Ok(event.expect("a new PIN is a change"))
    }

    fn change_cashier(
        &mut self,
        id: Uuid,
        by: &Actor,
        new_pin: Option<&str>,
        change: impl FnOnce(Cashier) -> Cashier,
    ) -> Result<Option<ChangeEvent>> {
        let now = self.now();
        let tx = self.conn.transaction()?;
        let old = stored(&tx, id)?.cashier;
        let new = Cashier {
            updated_at: now,
            ..change(old.clone())
        };
        if new_pin.is_none()
            && (new.name == old.name && new.role == old.role && new.active == old.active)
        {
            return Ok(None);
        }
        let was_manager = old.active && old.role == Role::Manager;
        let is_manager = new.active && new.role == Role::Manager;
        if was_manager && !is_manager && active_managers(&tx)? <= 1 {
            return Err(CatalogError::LastManager);
        }
        let hash = match new_pin {
            Some(pin) => {
                if holder_of(&tx, pin, Some(id))?.is_some() {
                    return Err(CatalogError::PinTaken);
                }
                Some(pins::hash_pin(pin)?)
            }
            None => None,
        };
        let (_, event) = write(&tx, Some(&old), new, hash, by)?;
        tx.commit()?;
        Ok(Some(event))
    }

    pub fn cashier(&self, id: Uuid) -> Result<Cashier> {
        Ok(stored(&self.conn, id)?.cashier)
    }

    /// All cashiers, active and inactive, in the order they were created.
    pub fn cashiers(&self) -> Result<Vec<Cashier>> {
        let sql = format!("SELECT {COLUMNS} FROM cashiers ORDER BY row");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], |r| from_row(r).map(|s| s.cashier))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The active cashier with this PIN. Wrong PINs slow the till `till_id` down
    /// (see [`pins::Backoff`]); while it waits, no PIN is even tried.
    pub fn login(&mut self, till_id: &str, pin: &str) -> Result<Cashier> {
        let now = self.now();
        pins::check_not_locked(&self.conn, till_id, now)?;
        let found = match pins::check_pin(pin) {
            Ok(()) => holder_of(&self.conn, pin, None)?,
            Err(_) => None, // a malformed PIN is a wrong PIN, and counts as one
        };
        match found {
            Some(cashier) => {
                pins::reset(&self.conn, till_id)?;
                Ok(cashier)
            }
            None => {
                pins::record_failure(&self.conn, till_id, now, &self.backoff)?;
                Err(CatalogError::WrongPin)
            }
        }
    }

    /// A manager's PIN typed on the spot allows one `action` over `amount`.
    pub fn authorise(
        &mut self,
        till_id: &str,
        action: Action,
        amount: Cents,
        pin: &str,
    ) -> Result<Authorisation> {
        let manager = self.login(till_id, pin)?;
        if manager.role != Role::Manager {
            return Err(CatalogError::NotAManager);
        }
        Ok(Authorisation {
            id: Uuid::new_v4(),
            action,
            amount,
            manager_id: manager.id,
            manager_name: manager.name,
            at: self.now(),
        })
    }
}
