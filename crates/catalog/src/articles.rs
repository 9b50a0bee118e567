//! Articles: number, EANs, text, gross price, VAT rate, group, open price, active.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use till::money::{Cents, VatRate};
use uuid::Uuid;

use crate::changes::{self, action_for, Actor, ChangeEvent, Diff, Entity};
use crate::codes::{self, EmbeddedKind};
use crate::error::{CatalogError, Result};
use crate::groups::{time_from_db, uuid_from_db, vat_from_db};
use crate::text::{char_len, fold};
use crate::Catalog;

/// DSFinV-K ART_NR is a string of up to 50 characters.
pub const MAX_NUMBER: usize = 50;
/// Long enough for any shelf label, short enough for two receipt lines.
pub const MAX_TEXT: usize = 80;
/// At most this many EANs per article.
pub const MAX_EANS: usize = 20;
/// The largest price an article may have: 1.000.000,00 € (as the basket's largest total).
pub const MAX_PRICE: Cents = Cents(100_000_000);

/// What the price is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A price per piece.
    #[default]
    Piece,
    /// A price per kilogram: weighed, or sold by a scale's weight-embedded label.
    Kg,
}

impl Unit {
    pub(crate) fn as_db(self) -> &'static str {
        match self {
            Unit::Piece => "piece",
            Unit::Kg => "kg",
        }
    }

    fn from_db(s: &str) -> rusqlite::Result<Unit> {
        match s {
            "piece" => Ok(Unit::Piece),
            "kg" => Ok(Unit::Kg),
            _ => Err(rusqlite::Error::InvalidColumnType(
                0,
                s.into(),
                rusqlite::types::Type::Text,
            )),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(rename = "CatalogArticle")]
pub struct Article {
    pub id: Uuid,
    pub number: String,
    /// Normalised EANs (see [`codes::normalize`]), in the order they were given.
    pub eans: Vec<String>,
    pub text: String,
    /// Gross price per [`Unit`]; for an open-price article the price suggested at the till.
    pub price: Cents,
    pub unit: Unit,
    pub vat: VatRate,
    pub group: Option<Uuid>,
    /// The price is typed at the till.
    pub open_price: bool,
    pub active: bool,
    pub revision: i64,
    pub updated_at: DateTime<Utc>,
}

/// An article's fields as entered; `create_article` and `update_article` take it whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ArticleDraft {
    pub number: String,
    pub eans: Vec<String>,
    pub text: String,
    pub price: Cents,
    pub unit: Unit,
    pub vat: VatRate,
    pub group: Option<Uuid>,
    pub open_price: bool,
    pub active: bool,
}

impl ArticleDraft {
    /// An active piece article without EAN or group.
    pub fn new(number: &str, text: &str, price: Cents, vat: VatRate) -> Self {
        ArticleDraft {
            number: number.into(),
            eans: Vec::new(),
            text: text.into(),
            price,
            unit: Unit::Piece,
            vat,
            group: None,
            open_price: false,
            active: true,
        }
    }

    /// Trims, normalises the EANs and checks every rule that needs no database.
    pub fn checked(mut self) -> Result<Self> {
        self.number = self.number.trim().to_string();
        self.text = self.text.trim().to_string();
        if self.number.is_empty() {
            return Err(CatalogError::Missing("article number"));
        }
        if self.text.is_empty() {
            return Err(CatalogError::Missing("article text"));
        }
        if char_len(&self.number) > MAX_NUMBER {
            return Err(CatalogError::TooLong {
                field: "article number",
                max: MAX_NUMBER,
            });
        }
        if char_len(&self.text) > MAX_TEXT {
            return Err(CatalogError::TooLong {
                field: "article text",
                max: MAX_TEXT,
            });
        }
        if self.price.is_negative() || self.price > MAX_PRICE {
            return Err(CatalogError::PriceOutOfRange);
        }
        let mut eans: Vec<String> = Vec::with_capacity(self.eans.len());
        for raw in &self.eans {
            let ean = codes::normalize(raw)?;
            check_unit(&ean, self.unit)?;
            if !eans.contains(&ean) {
                eans.push(ean);
            }
        }
        if eans.len() > MAX_EANS {
            return Err(CatalogError::TooLong {
                field: "list of EANs",
                max: MAX_EANS,
            });
        }
        self.eans = eans;
        Ok(self)
    }
}

/// A scale's weight label needs a price per kg; a count label a price per piece.
fn check_unit(ean: &str, unit: Unit) -> Result<()> {
    let d: Vec<u8> = ean.bytes().map(|b| b - b'0').collect();
    let ok = match codes::embedded_kind(if d.len() == 13 { &d } else { &[] }) {
        Some(EmbeddedKind::Weight) => unit == Unit::Kg,
        Some(EmbeddedKind::Count) => unit == Unit::Piece,
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(CatalogError::LabelUnit(ean.into()))
    }
}

pub(crate) const SELECT: &str = "SELECT a.id, a.number, a.text, a.price, a.unit, a.vat, \
    a.group_id, a.open_price, a.active, a.revision, a.updated_at, \
    (SELECT group_concat(e.ean, ' ' ORDER BY e.position) FROM article_eans e \
     WHERE e.article_id = a.id) FROM articles a";

pub(crate) fn from_row(r: &Row) -> rusqlite::Result<Article> {
    let group: Option<String> = r.get(6)?;
    let eans: Option<String> = r.get(11)?;
    Ok(Article {
        id: uuid_from_db(&r.get::<_, String>(0)?)?,
        number: r.get(1)?,
        text: r.get(2)?,
        price: Cents(r.get(3)?),
        unit: Unit::from_db(&r.get::<_, String>(4)?)?,
        vat: vat_from_db(r.get(5)?)?,
        group: group.as_deref().map(uuid_from_db).transpose()?,
        open_price: r.get(7)?,
        active: r.get(8)?,
        revision: r.get(9)?,
        updated_at: time_from_db(&r.get::<_, String>(10)?)?,
        eans: eans
            .map(|s| s.split(' ').map(str::to_string).collect())
            .unwrap_or_default(),
    })
}

pub(crate) fn by_id(conn: &Connection, id: Uuid) -> Result<Option<Article>> {
    let sql = format!("{SELECT} WHERE a.id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id.to_string()], from_row)
        .optional()?)
}

pub(crate) fn by_number(conn: &Connection, number: &str) -> Result<Option<Article>> {
    let sql = format!("{SELECT} WHERE a.number = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([number], from_row)
        .optional()?)
}

/// The id of the article with this number, without reading the article.
pub(crate) fn id_by_number(conn: &Connection, number: &str) -> Result<Option<Uuid>> {
    let id: Option<String> = conn
        .prepare_cached("SELECT id FROM articles WHERE number = ?1")?
        .query_row([number], |r| r.get(0))
        .optional()?;
    Ok(id.as_deref().map(uuid_from_db).transpose()?)
}

/// The active article a normalised EAN belongs to.
pub(crate) fn by_ean(conn: &Connection, ean: &str) -> Result<Option<Article>> {
    let sql = format!(
        "{SELECT} WHERE a.id = (SELECT article_id FROM article_eans WHERE ean = ?1 AND active = 1)"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([ean], from_row)
        .optional()?)
}

/// The number of the other active article that has `ean`, if any.
pub(crate) fn ean_owner(conn: &Connection, ean: &str, except: Uuid) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT a.number FROM article_eans e JOIN articles a ON a.id = e.article_id
             WHERE e.ean = ?1 AND e.active = 1 AND e.article_id <> ?2",
        )?
        .query_row(params![ean, except.to_string()], |r| r.get(0))
        .optional()?)
}

/// What differs between a stored article and a (checked) draft.
pub(crate) fn diff(old: Option<&Article>, d: &ArticleDraft) -> Diff {
    let mut diff = Diff::default();
    diff.field("number", old.map(|a| &a.number), &d.number);
    diff.field("eans", old.map(|a| &a.eans), &d.eans);
    diff.field("text", old.map(|a| &a.text), &d.text);
    diff.field("price", old.map(|a| &a.price), &d.price);
    diff.field("unit", old.map(|a| &a.unit), &d.unit);
    diff.field("vat", old.map(|a| &a.vat), &d.vat);
    diff.field("group", old.map(|a| &a.group), &d.group);
    diff.field("open_price", old.map(|a| &a.open_price), &d.open_price);
    diff.field("active", old.map(|a| &a.active), &d.active);
    diff
}

/// When the text search index learns of a written article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SearchIndex {
    /// With the write.
    Now,
    /// The caller rebuilds it (see [`rebuild_search_index`]) before its transaction ends.
    RebuildLater,
}

/// Indexes every article's text anew: an import's 20,000 articles in a fraction of
/// the time that single inserts into the trigram index take.
pub(crate) fn rebuild_search_index(conn: &Connection) -> Result<()> {
    conn.execute(
        "INSERT INTO article_search(article_search) VALUES ('rebuild')",
        [],
    )?;
    Ok(())
}

/// Writes an article's new state and its change event inside the caller's transaction;
/// `None` for the event when nothing changed (no new revision either).
pub(crate) fn write(
    conn: &Connection,
    old: Option<&Article>,
    draft: ArticleDraft,
    by: &Actor,
    now: DateTime<Utc>,
    index: SearchIndex,
) -> Result<(Article, Option<ChangeEvent>)> {
    let d = draft.checked()?;
    let diff = diff(old, &d);
    if let (Some(old), true) = (old, diff.is_empty()) {
        return Ok((old.clone(), None));
    }
    let id = old.map_or_else(Uuid::new_v4, |a| a.id);
    if id_by_number(conn, &d.number)?.is_some_and(|other| other != id) {
        return Err(CatalogError::NumberTaken(d.number));
    }
    if let Some(group) = d.group {
        let exists: Option<i64> = conn
            .prepare_cached("SELECT 1 FROM groups WHERE id = ?1")?
            .query_row([group.to_string()], |r| r.get(0))
            .optional()?;
        if exists.is_none() {
            return Err(CatalogError::GroupNotFound(group.to_string()));
        }
    }
    if d.active {
        for ean in &d.eans {
            if let Some(number) = ean_owner(conn, ean, id)? {
                return Err(CatalogError::EanTaken {
                    ean: ean.clone(),
                    number,
                });
            }
        }
    }
    let article = Article {
        id,
        number: d.number,
        eans: d.eans,
        text: d.text,
        price: d.price,
        unit: d.unit,
        vat: d.vat,
        group: d.group,
        open_price: d.open_price,
        active: d.active,
        revision: old.map_or(1, |a| a.revision + 1),
        updated_at: now,
    };
    let reindex = index == SearchIndex::Now && old.is_none_or(|o| o.text != article.text);
    if reindex && old.is_some() {
        // an external-content FTS5 index forgets a row by being told its old values
        conn.prepare_cached(
            "INSERT INTO article_search(article_search, rowid, search_key)
             SELECT 'delete', row, search_key FROM articles WHERE id = ?1",
        )?
        .execute([id.to_string()])?;
    }
    conn.prepare_cached(
        "INSERT INTO articles (id, number, text, search_key, price, unit, vat, group_id,
             open_price, active, revision, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT(id) DO UPDATE SET number = ?2, text = ?3, search_key = ?4, price = ?5,
             unit = ?6, vat = ?7, group_id = ?8, open_price = ?9, active = ?10,
             revision = ?11, updated_at = ?12",
    )?
    .execute(params![
        id.to_string(),
        article.number,
        article.text,
        fold(&article.text),
        article.price.0,
        article.unit.as_db(),
        article.vat.percent(),
        article.group.map(|g| g.to_string()),
        article.open_price,
        article.active,
        article.revision,
        now.to_rfc3339()
    ])?;
    if reindex {
        conn.prepare_cached(
            "INSERT INTO article_search(rowid, search_key)
             SELECT row, search_key FROM articles WHERE id = ?1",
        )?
        .execute([id.to_string()])?;
    }
    if old.is_none_or(|o| o.eans != article.eans || o.active != article.active) {
        write_eans(conn, &article)?;
    }
    let event = ChangeEvent {
        id: Uuid::new_v4(),
        at: now,
        by: by.clone(),
        entity: Entity::Article,
        entity_id: id,
        label: article.number.clone(),
        action: action_for(old.map(|a| a.active), article.active),
        revision: article.revision,
        fields: diff.0,
    };
    changes::record(conn, &event)?;
    Ok((article, Some(event)))
}

pub(crate) fn write_eans(conn: &Connection, article: &Article) -> Result<()> {
    let id = article.id.to_string();
    conn.prepare_cached("DELETE FROM article_eans WHERE article_id = ?1")?
        .execute([&id])?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO article_eans (article_id, position, ean, active) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (position, ean) in article.eans.iter().enumerate() {
        insert.execute(params![id, position as i64, ean, article.active])?;
    }
    Ok(())
}

impl Catalog {
    pub fn create_article(
        &mut self,
        draft: ArticleDraft,
        by: &Actor,
    ) -> Result<(Article, ChangeEvent)> {
        let now = self.now();
        let tx = self.conn.transaction()?;
        let (article, event) = write(&tx, None, draft, by, now, SearchIndex::Now)?;
        tx.commit()?;
        Ok((article, event.expect("a creation is a change")))
    }

    /// Changes an article; `None` for the event when the draft equals the stored article.
    pub fn update_article(
        &mut self,
        id: Uuid,
        draft: ArticleDraft,
        by: &Actor,
    ) -> Result<(Article, Option<ChangeEvent>)> {
        let now = self.now();
        let tx = self.conn.transaction()?;
        let old = by_id(&tx, id)?.ok_or_else(|| CatalogError::ArticleNotFound(id.to_string()))?;
        let out = write(&tx, Some(&old), draft, by, now, SearchIndex::Now)?;
        tx.commit()?;
        Ok(out)
    }

    /// Soft delete: the article stays (receipts and the journal name it) but is no longer sold.
    pub fn deactivate_article(&mut self, id: Uuid, by: &Actor) -> Result<Option<ChangeEvent>> {
        self.set_article_active(id, false, by)
    }

    /// Sells a deactivated article again (refused if another active article took its EAN).
    pub fn reactivate_article(&mut self, id: Uuid, by: &Actor) -> Result<Option<ChangeEvent>> {
        self.set_article_active(id, true, by)
    }

    fn set_article_active(
        &mut self,
        id: Uuid,
        active: bool,
        by: &Actor,
    ) -> Result<Option<ChangeEvent>> {
        let article = self
            .article(id)?
            .ok_or_else(|| CatalogError::ArticleNotFound(id.to_string()))?;
        let draft = ArticleDraft {
            active,
            ..article.draft()
        };
        Ok(self.update_article(id, draft, by)?.1)
    }

    pub fn article(&self, id: Uuid) -> Result<Option<Article>> {
        by_id(&self.conn, id)
    }

    pub fn article_by_number(&self, number: &str) -> Result<Option<Article>> {
        by_number(&self.conn, number.trim())
    }

    /// The default VAT rate for a new article of `group`.
    pub fn default_vat(&self, group: Uuid) -> Result<VatRate> {
        Ok(self
            .group(group)?
            .ok_or_else(|| CatalogError::GroupNotFound(group.to_string()))?
            .default_vat)
    }
}

impl Article {
    /// The article as a draft, to change a field and write it back.
    pub fn draft(&self) -> ArticleDraft {
        ArticleDraft {
            number: self.number.clone(),
            eans: self.eans.clone(),
            text: self.text.clone(),
            price: self.price,
            unit: self.unit,
            vat: self.vat,
            group: self.group,
            open_price: self.open_price,
            active: self.active,
        }
    }
}
