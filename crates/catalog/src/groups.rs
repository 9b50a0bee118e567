//! Product groups (DSFinV-K `WARENGR`): a code and a name, a default VAT rate
//! for new articles, and a colour for the sale screen's buttons.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use till::money::VatRate;
use uuid::Uuid;

use crate::changes::{self, action_for, Actor, ChangeEvent, Diff, Entity};
use crate::error::{CatalogError, Result};
use crate::text::char_len;
use crate::Catalog;

/// DSFinV-K: WARENGR_ID is a string of up to 40, WARENGR of up to 50 characters.
pub const MAX_CODE: usize = 40;
pub const MAX_NAME: usize = 50;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Group {
    pub id: Uuid,
    /// DSFinV-K WARENGR_ID, e.g. "10".
    pub code: String,
    /// DSFinV-K WARENGR, e.g. "Backwaren".
    pub name: String,
    pub default_vat: VatRate,
    /// `#RRGGBB`
    pub colour: String,
    pub active: bool,
    pub revision: i64,
    pub updated_at: DateTime<Utc>,
}

/// What a group is made of; `create_group` and `update_group` take it whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct GroupDraft {
    pub code: String,
    pub name: String,
    pub default_vat: VatRate,
    pub colour: String,
    pub active: bool,
}

impl GroupDraft {
    pub fn new(code: &str, name: &str, default_vat: VatRate, colour: &str) -> Self {
        GroupDraft {
            code: code.into(),
            name: name.into(),
            default_vat,
            colour: colour.into(),
            active: true,
        }
    }

    fn checked(mut self) -> Result<Self> {
        self.code = self.code.trim().to_string();
        self.name = self.name.trim().to_string();
        self.colour = self.colour.trim().to_ascii_uppercase();
        if self.code.is_empty() {
            return Err(CatalogError::Missing("group number"));
        }
        if self.name.is_empty() {
            return Err(CatalogError::Missing("group name"));
        }
        if char_len(&self.code) > MAX_CODE {
            return Err(CatalogError::TooLong {
                field: "group number",
                max: MAX_CODE,
            });
        }
        if char_len(&self.name) > MAX_NAME {
            return Err(CatalogError::TooLong {
                field: "group name",
                max: MAX_NAME,
            });
        }
        let hex = self.colour.strip_prefix('#').unwrap_or("");
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(CatalogError::InvalidColour(self.colour));
        }
        Ok(self)
    }
}

pub(crate) fn vat_from_db(percent: i64) -> rusqlite::Result<VatRate> {
    VatRate::from_percent(percent).ok_or(rusqlite::Error::IntegralValueOutOfRange(0, percent))
}

pub(crate) fn uuid_from_db(s: &str) -> rusqlite::Result<Uuid> {
    Uuid::parse_str(s).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

pub(crate) fn time_from_db(s: &str) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
        })
}

const COLUMNS: &str = "id, code, name, default_vat, colour, active, revision, updated_at";

fn from_row(r: &Row) -> rusqlite::Result<Group> {
    Ok(Group {
        id: uuid_from_db(&r.get::<_, String>(0)?)?,
        code: r.get(1)?,
        name: r.get(2)?,
        default_vat: vat_from_db(r.get(3)?)?,
        colour: r.get(4)?,
        active: r.get(5)?,
        revision: r.get(6)?,
        updated_at: time_from_db(&r.get::<_, String>(7)?)?,
    })
}

pub(crate) fn by_id(conn: &Connection, id: Uuid) -> Result<Option<Group>> {
    let sql = format!("SELECT {COLUMNS} FROM groups WHERE id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id.to_string()], from_row)
        .optional()?)
}

pub(crate) fn all(conn: &Connection) -> Result<Vec<Group>> {
    let sql = format!("SELECT {COLUMNS} FROM groups ORDER BY code");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Writes a group's new state with its change event; `None` when nothing changed.
/// A new group gets `new_id`.
pub(crate) fn write(
    conn: &Connection,
    old: Option<&Group>,
    draft: GroupDraft,
    by: &Actor,
    now: DateTime<Utc>,
    new_id: Uuid,
) -> Result<(Group, Option<ChangeEvent>)> {
    let draft = draft.checked()?;
    let taken: Option<String> = conn
        .prepare_cached("SELECT id FROM groups WHERE code = ?1")?
        .query_row([&draft.code], |r| r.get(0))
        .optional()?;
    if taken.is_some_and(|id| Some(id) != old.map(|g| g.id.to_string())) {
        return Err(CatalogError::GroupCodeTaken(draft.code));
    }
    let mut diff = Diff::default();
    diff.field("code", old.map(|g| &g.code), &draft.code);
    diff.field("name", old.map(|g| &g.name), &draft.name);
    diff.field(
        "default_vat",
        old.map(|g| &g.default_vat),
        &draft.default_vat,
    );
    diff.field("colour", old.map(|g| &g.colour), &draft.colour);
    diff.field("active", old.map(|g| &g.active), &draft.active);
    if let (Some(old), true) = (old, diff.is_empty()) {
        return Ok((old.clone(), None));
    }
    let group = Group {
        id: old.map_or(new_id, |g| g.id),
        code: draft.code,
        name: draft.name,
        default_vat: draft.default_vat,
        colour: draft.colour,
        active: draft.active,
        revision: old.map_or(1, |g| g.revision + 1),
        updated_at: now,
    };
    conn.prepare_cached(
        "INSERT INTO groups (id, code, name, default_vat, colour, active, revision, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT(id) DO UPDATE SET code = ?2, name = ?3, default_vat = ?4, colour = ?5,
             active = ?6, revision = ?7, updated_at = ?8",
    )?
    .execute(params![
        group.id.to_string(),
        group.code,
        group.name,
        group.default_vat.percent(),
        group.colour,
        group.active,
        group.revision,
        now.to_rfc3339()
    ])?;
    let event = ChangeEvent {
        id: Uuid::new_v4(),
        at: now,
        by: by.clone(),
        entity: Entity::Group,
        entity_id: group.id,
        label: group.name.clone(),
        action: action_for(old.map(|g| g.active), group.active),
        revision: group.revision,
        fields: diff.0,
    };
    changes::record(conn, &event)?;
    Ok((group, Some(event)))
}

impl Catalog {
    pub fn create_group(&mut self, draft: GroupDraft, by: &Actor) -> Result<(Group, ChangeEvent)> {
        let now = self.now();
        let tx = self.conn.transaction()?;
        let (group, event) = write(&tx, None, draft, by, now, Uuid::new_v4())?;
        tx.commit()?;
        Ok((group, event.expect("a creation is a change")))
    }

    /// Changes a group; `None` for the event when the draft equals the stored group.
    pub fn update_group(
        &mut self,
        id: Uuid,
        draft: GroupDraft,
        by: &Actor,
    ) -> Result<(Group, Option<ChangeEvent>)> {
        let now = self.now();
        let tx = self.conn.transaction()?;
        let old = by_id(&tx, id)?.ok_or_else(|| CatalogError::GroupNotFound(id.to_string()))?;
        let out = write(&tx, Some(&old), draft, by, now, id)?;
        tx.commit()?;
        Ok(out)
    }

    /// Soft delete: the group stays (old receipts name it) but is no longer offered.
    pub fn deactivate_group(&mut self, id: Uuid, by: &Actor) -> Result<Option<ChangeEvent>> {
        let group = self
            .group(id)?
            .ok_or_else(|| CatalogError::GroupNotFound(id.to_string()))?;
        let draft = GroupDraft {
            active: false,
            ..group.draft()
        };
        Ok(self.update_group(id, draft, by)?.1)
    }

    pub fn group(&self, id: Uuid) -> Result<Option<Group>> {
        by_id(&self.conn, id)
    }

    /// All groups, active and inactive, by code.
    pub fn groups(&self) -> Result<Vec<Group>> {
        all(&self.conn)
    }
}

impl Group {
    /// The group as a draft, to change a field and write it back.
    pub fn draft(&self) -> GroupDraft {
        GroupDraft {
            code: self.code.clone(),
            name: self.name.clone(),
            default_vat: self.default_vat,
            colour: self.colour.clone(),
            active: self.active,
        }
    }
}
