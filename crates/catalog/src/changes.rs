//! Every change to master data as an event: who, when, what, old → new.
//!
//! Events are kept in the `changes` table and returned to the caller, in a JSON
//! shape the till's journal can store as it is, so that the journal explains
//! every price a receipt shows.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::error::Result;

/// Who made a change: a cashier, or a named process (an import, the demo data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Actor {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cashier_id: Option<Uuid>,
    pub name: String,
}

impl Actor {
    pub fn cashier(id: Uuid, name: &str) -> Self {
        Actor {
            cashier_id: Some(id),
            name: name.into(),
        }
    }

    /// A change not made by a person at the till, e.g. "CSV-Import".
    pub fn system(name: &str) -> Self {
        Actor {
            cashier_id: None,
            name: name.into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Article,
    Group,
    Cashier,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ChangeAction {
    Created,
    Updated,
    Deactivated,
    Reactivated,
}

/// One field's value before and after (`null` before a creation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct FieldChange {
    pub field: String,
    pub old: Value,
    pub new: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct ChangeEvent {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub by: Actor,
    pub entity: Entity,
    pub entity_id: Uuid,
    /// What people call the thing: the article number, the group's or cashier's name.
    pub label: String,
    pub action: ChangeAction,
    /// The row's revision after this change.
    pub revision: i64,
    pub fields: Vec<FieldChange>,
}

/// Collects the fields that differ between two states of a row.
#[derive(Default)]
pub(crate) struct Diff(pub Vec<FieldChange>);

impl Diff {
    pub fn field<T: Serialize + PartialEq>(&mut self, name: &str, old: Option<&T>, new: &T) {
        if old != Some(new) {
            self.0.push(FieldChange {
                field: name.into(),
                old: old.map_or(Value::Null, to_value),
                new: to_value(new),
            });
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn to_value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// The action a change is, from the `active` flag before and after.
pub(crate) fn action_for(old_active: Option<bool>, new_active: bool) -> ChangeAction {
    match (old_active, new_active) {
        (None, _) => ChangeAction::Created,
        (Some(true), false) => ChangeAction::Deactivated,
        (Some(false), true) => ChangeAction::Reactivated,
        _ => ChangeAction::Updated,
    }
}

/// Stores an event in the change table (inside the caller's transaction).
pub(crate) fn record(conn: &Connection, event: &ChangeEvent) -> Result<()> {
    let json = serde_json::to_string(event).map_err(|e| {
        rusqlite::Error::ToSqlConversionFailure(Box::new(e)) // cannot happen for these types
    })?;
    conn.prepare_cached(
        "INSERT INTO changes (id, at, entity, entity_id, event) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        event.id.to_string(),
        event.at.to_rfc3339(),
        entity_name(event.entity),
        event.entity_id.to_string(),
        json
    ])?;
    Ok(())
}

fn entity_name(e: Entity) -> &'static str {
    match e {
        Entity::Article => "article",
        Entity::Group => "group",
        Entity::Cashier => "cashier",
    }
}

/// A change event with its place in the change table (for catching up: "everything after seq").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct StoredChange {
    pub seq: i64,
    pub event: ChangeEvent,
}

/// The history of one article, group or cashier, oldest first.
pub(crate) fn history(conn: &Connection, entity_id: Uuid) -> Result<Vec<ChangeEvent>> {
    let mut stmt =
        conn.prepare_cached("SELECT event FROM changes WHERE entity_id = ?1 ORDER BY seq")?;
    let rows = stmt.query_map([entity_id.to_string()], |r| r.get::<_, String>(0))?;
    rows.map(|json| parse(&json?)).collect()
}

/// Every change after `seq`, oldest first, at most `limit`.
pub(crate) fn since(conn: &Connection, seq: i64, limit: u32) -> Result<Vec<StoredChange>> {
    let mut stmt =
        conn.prepare_cached("SELECT seq, event FROM changes WHERE seq > ?1 ORDER BY seq LIMIT ?2")?;
    let rows = stmt.query_map(params![seq, limit], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
    })?;
    rows.map(|row| {
        let (seq, json) = row?;
        Ok(StoredChange {
            seq,
            event: parse(&json)?,
        })
    })
    .collect()
}

fn parse(json: &str) -> Result<ChangeEvent> {
    serde_json::from_str(json).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
            .into()
    })
}
