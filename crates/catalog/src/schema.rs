//! The catalogue's tables, created and migrated in code (`PRAGMA user_version`).
//!
//! Master data is shared by several tills one day: every row has a stable UUID,
//! a revision that counts its changes, and an `active` flag instead of deletes.

use rusqlite::Connection;

use crate::error::{CatalogError, Result};

/// Each entry migrates from version `index` to `index + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: groups, articles with their EANs, the change table, cashiers, wrong-PIN state
    r#"
    CREATE TABLE groups (
        row         INTEGER PRIMARY KEY,
        id          TEXT NOT NULL UNIQUE,
        code        TEXT NOT NULL UNIQUE,      -- DSFinV-K WARENGR_ID
        name        TEXT NOT NULL,             -- DSFinV-K WARENGR
        default_vat INTEGER NOT NULL,          -- percent: 19, 7 or 0
        colour      TEXT NOT NULL,
        active      INTEGER NOT NULL,
        revision    INTEGER NOT NULL,
        updated_at  TEXT NOT NULL
    );
    CREATE TABLE articles (
        row         INTEGER PRIMARY KEY,       -- stable rowid for the search index
        id          TEXT NOT NULL UNIQUE,
        number      TEXT NOT NULL UNIQUE,
        text        TEXT NOT NULL,
        search_key  TEXT NOT NULL,             -- text folded: lower case, umlauts spelled out
        price       INTEGER NOT NULL,          -- gross cents, per piece or per kg
        unit        TEXT NOT NULL,             -- 'piece' or 'kg'
        vat         INTEGER NOT NULL,          -- percent: 19, 7 or 0
        group_id    TEXT REFERENCES groups(id),
        open_price  INTEGER NOT NULL,
        active      INTEGER NOT NULL,
        revision    INTEGER NOT NULL,
        updated_at  TEXT NOT NULL
    );
    CREATE INDEX articles_by_group ON articles(group_id, active, search_key);
    CREATE INDEX articles_by_text ON articles(search_key);
    CREATE TABLE article_eans (
        article_id  TEXT NOT NULL REFERENCES articles(id),
        position    INTEGER NOT NULL,
        ean         TEXT NOT NULL,
        active      INTEGER NOT NULL,          -- the article's flag, so uniqueness covers active ones only
        PRIMARY KEY (article_id, position)
    );
    CREATE UNIQUE INDEX article_eans_active ON article_eans(ean) WHERE active = 1;
    CREATE INDEX article_eans_by_ean ON article_eans(ean);
    -- trigrams of the folded text: substring search without reading every row
    CREATE VIRTUAL TABLE article_search USING fts5(
        search_key, content = 'articles', content_rowid = 'row', tokenize = 'trigram'
    );
    -- kept up to date by articles::write, or rebuilt whole after an import (much
    -- faster than 20,000 single inserts into a trigram index)
    CREATE TABLE changes (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        id          TEXT NOT NULL UNIQUE,
        at          TEXT NOT NULL,
        entity      TEXT NOT NULL,
        entity_id   TEXT NOT NULL,
        event       TEXT NOT NULL              -- the whole ChangeEvent as JSON
    );
    CREATE INDEX changes_by_entity ON changes(entity_id, seq);
    CREATE TABLE cashiers (
        row         INTEGER PRIMARY KEY,
        id          TEXT NOT NULL UNIQUE,
        name        TEXT NOT NULL,
        pin_hash    TEXT NOT NULL,             -- Argon2id PHC string, never the PIN
        role        TEXT NOT NULL,             -- 'cashier' or 'manager'
        active      INTEGER NOT NULL,
        revision    INTEGER NOT NULL,
        updated_at  TEXT NOT NULL
    );
    CREATE TABLE pin_attempts (
        till_id     TEXT PRIMARY KEY,
        failures    INTEGER NOT NULL,
        locked_until TEXT
    );
    "#,
    // 2: facts about the catalogue file itself (e.g. that the demo shop was seeded).
    // A catalogue with cashiers was seeded already when it was the demo's (only
    // the demo seeds cashiers without an owner's first start).
    r#"
    CREATE TABLE meta (
        key         TEXT PRIMARY KEY,
        value       TEXT NOT NULL
    );
    INSERT INTO meta (key, value)
        SELECT 'demo_seeded', 'before schema 2' WHERE EXISTS (SELECT 1 FROM cashiers);
    "#,
];

/// The schema version this code writes.
pub const VERSION: i64 = MIGRATIONS.len() as i64;

/// Opens settings and brings the schema up to date, each step in its own transaction.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // an import of 20,000 articles is one transaction: keep its pages in memory (KiB)
    conn.pragma_update(None, "cache_size", -32768)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    let mut version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > VERSION {
        return Err(CatalogError::SchemaTooNew(version));
    }
    while version < VERSION {
        let tx = conn.transaction()?;
        tx.execute_batch(MIGRATIONS[version as usize])?;
        version += 1;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
    }
    Ok(())
}
