//! Finding articles: by number, EAN or text, and page by page within a group.

use rusqlite::params;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::articles::{from_row, Article, SELECT};
use crate::codes;
use crate::error::Result;
use crate::text::fold;
use crate::Catalog;

/// Which articles a search or list looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "ArticleFilter")]
pub enum Filter {
    /// What the till sells.
    #[default]
    Active,
    /// Also the deactivated ones (the back office's article list).
    All,
}

impl Filter {
    fn sql(self) -> &'static str {
        match self {
            Filter::Active => "a.active = 1",
            Filter::All => "1 = 1",
        }
    }
}

/// One page of a group's articles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(rename = "ArticlePage")]
pub struct Page {
    pub articles: Vec<Article>,
    /// From 0.
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
}

impl Page {
    pub fn pages(&self) -> u64 {
        self.total.div_ceil(u64::from(self.per_page.max(1)))
    }
}

/// The most results a search returns, and the largest page.
pub const MAX_RESULTS: u32 = 200;

/// `s` as a literal inside a `LIKE … ESCAPE '\'` pattern.
fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

impl Catalog {
    /// Articles whose number or EAN is `query`, then whose number starts with it, then whose
    /// text contains every word of it (case-insensitive, "Brötchen" = "broetchen").
    pub fn search(&self, query: &str, filter: Filter, limit: u32) -> Result<Vec<Article>> {
        let query = query.trim();
        let limit = limit.min(MAX_RESULTS) as usize;
        let mut found: Vec<Article> = Vec::new();
        if query.is_empty() || limit == 0 {
            return Ok(found);
        }
        let add = |batch: Vec<Article>, found: &mut Vec<Article>| {
            for a in batch {
                if found.len() < limit && !found.iter().any(|f| f.id == a.id) {
                    found.push(a);
                }
            }
        };
        let active = filter.sql();

        let exact = format!(
            "{SELECT} WHERE {active} AND a.row IN (SELECT row FROM articles WHERE number = ?1 \
             UNION SELECT b.row FROM article_eans e JOIN articles b ON b.id = e.article_id \
             WHERE e.ean = ?2) ORDER BY a.number"
        );
        let ean = codes::normalize(query).unwrap_or_default();
        let mut stmt = self.conn.prepare_cached(&exact)?;
        let batch = stmt
            .query_map(params![query, ean], from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        add(batch, &mut found);

        // number prefix, by the number's index: number >= q AND number < q + U+10FFFF
        let prefix = format!(
            "{SELECT} WHERE {active} AND a.number >= ?1 AND a.number < ?1 || char(1114111) \
             ORDER BY a.number LIMIT ?2"
        );
        let mut stmt = self.conn.prepare_cached(&prefix)?;
        let batch = stmt
            .query_map(params![query, limit as i64], from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        add(batch, &mut found);

        if found.len() < limit {
            let batch = self.search_text(&fold(query), active, limit)?;
            add(batch, &mut found);
        }
        Ok(found)
    }

    /// Text search on the folded text. Words of three or more characters go through the
    /// trigram index; shorter ones filter what it found (or scan, when all words are short).
    fn search_text(&self, folded: &str, active: &str, limit: usize) -> Result<Vec<Article>> {
        let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
        let long: Vec<String> = words
            .iter()
            .filter(|w| w.chars().count() >= 3)
            .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
            .collect();
        // The matching rows are chosen and sorted on their keys alone; only the page of
        // them that is returned is read whole (with its EANs).
        let mut inner = String::from("SELECT a.row AS r, a.search_key AS k, a.number AS n");
        let mut args: Vec<String> = Vec::new();
        // texts that start with the query first
        args.push(format!("{}%", escape_like(folded)));
        inner.push_str(", a.search_key LIKE ?1 ESCAPE '\\' AS starts FROM articles a");
        if long.is_empty() {
            inner.push_str(" WHERE 1 = 1");
        } else {
            args.push(long.join(" AND "));
            inner.push_str(&format!(
                " JOIN article_search s ON s.rowid = a.row WHERE article_search MATCH ?{}",
                args.len()
            ));
        }
        for w in &words {
            args.push(format!("%{}%", escape_like(w)));
            inner.push_str(&format!(
                " AND a.search_key LIKE ?{} ESCAPE '\\'",
                args.len()
            ));
        }
        args.push(limit.to_string());
        inner.push_str(&format!(
            " AND {active} ORDER BY starts DESC, k, n LIMIT ?{}",
            args.len()
        ));
        let sql = format!(
            "{SELECT} JOIN ({inner}) hit ON hit.r = a.row ORDER BY hit.starts DESC, hit.k, hit.n"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The active articles of a group (`None`: those without a group) by text, one page.
    pub fn list_group(&self, group: Option<Uuid>, page: u32, per_page: u32) -> Result<Page> {
        let per_page = per_page.clamp(1, MAX_RESULTS);
        let group = group.map(|g| g.to_string());
        let total: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM articles WHERE group_id IS ?1 AND active = 1")?
            .query_row([&group], |r| r.get(0))?;
        let sql = format!(
            "{SELECT} WHERE a.group_id IS ?1 AND a.active = 1 \
             ORDER BY a.search_key, a.number LIMIT ?2 OFFSET ?3"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let offset = i64::from(page) * i64::from(per_page);
        let articles = stmt
            .query_map(params![group, per_page, offset], from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Page {
            articles,
            page,
            per_page,
            total: total.unsigned_abs(),
        })
    }

    /// Every article, active or not, by number (export, back office).
    pub fn all_articles(&self) -> Result<Vec<Article>> {
        let sql = format!("{SELECT} ORDER BY a.number");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}
