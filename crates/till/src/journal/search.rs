//! The journal screen's list: sales, cancellations, returns and cash in or
//! out found by receipt number, amount and business day, newest first, a
//! page at a time.
//!
//! Answered by SQL over `listing` (schema 4: one row per receipt, kept by
//! the database with every entry) and its indexes, so a page costs the same
//! over a hundred sales or a million: the page's receipt numbers are found
//! first, then only those rows are read.

use chrono::{Local, NaiveDate, TimeZone};
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::error::JournalError;
use super::records::Payment;
use super::schema::{kind, ONCE_PER_SALE};
use super::Journal;
use crate::closing::PaymentMethod;
use crate::money::Cents;

/// A cancellation has no sale id of its own in the journal: the list names
/// it by this prefix and its receipt number (`storno-7`).
pub const CANCELLATION_PREFIX: &str = "storno-";
/// A return's row id: `return-<its receipt number>` (its entry carries the sale's id).
pub const RETURN_PREFIX: &str = "return-";
/// A cash receipt's row id: `cash-<its receipt number>`.
pub const CASH_RECEIPT_PREFIX: &str = "cash-";

/// What a listed row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ListedState {
    /// A paid sale.
    Paid,
    /// A paid sale a later cancellation reversed.
    Cancelled,
    /// The counter-booking itself.
    Cancellation,
    /// Lines of a sale taken back and refunded in cash.
    Return,
    /// Cash put in or taken out of the drawer, with its reason.
    CashReceipt,
}

/// One row of the journal screen: a sale or a cancellation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct JournalEntry {
    /// The sale's id; a cancellation's is `storno-<its receipt number>`.
    pub sale_id: String,
    pub receipt_number: i64,
    pub issued_at: String,
    /// What was paid; a cancellation's is negative.
    pub total: Cents,
    /// The payment methods, in the order the payments were made.
    pub methods: Vec<PaymentMethod>,
    pub state: ListedState,
    /// A cancellation: the sale it reverses.
    pub cancels_sale_id: Option<String>,
    /// A cancelled sale: the cancellation's id (`storno-<n>`).
    pub cancelled_by_sale_id: Option<String>,
    /// Registered with the provider (not waiting in the outbox).
    pub synced: bool,
    /// A return: the receipt number of the sale it takes lines back from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub original_receipt: Option<i64>,
    /// Cash in or out: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub cash_reason: Option<crate::cash_movement::CashReason>,
}

/// What the cashier searches by; every field given must match.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalFilter {
    pub receipt_number: Option<i64>,
    /// The total, either sign: 12,50 € finds a sale of 12,50 € and its cancellation.
    pub amount: Option<Cents>,
    /// The business day, `YYYY-MM-DD`, in the till's time zone as it is set now.
    pub date: Option<String>,
}

/// A page of the list and how many rows match in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct JournalPage {
    pub total_count: usize,
    pub entries: Vec<JournalEntry>,
}

/// The filter as SQL over `listing l`, or `None` when nothing can match
/// (a day that is no date, an amount without an absolute value).
fn conditions(filter: &JournalFilter) -> Option<(String, Vec<Value>)> {
    let mut terms: Vec<&str> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    if let Some(n) = filter.receipt_number {
        terms.push("l.receipt_number = ?");
        values.push(n.into());
    }
    if let Some(amount) = filter.amount {
        terms.push("abs(l.total) = ?");
        values.push(amount.0.checked_abs()?.into());
    }
    if let Some(day) = &filter.date {
        let (from, to) = day_bounds(day)?;
        terms.push("(l.at_ms >= ? AND l.at_ms < ? OR l.day = ?)");
        values.extend([from.into(), to.into(), day.clone().into()]);
    }
    let sql = if terms.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", terms.join(" AND "))
    };
    Some((sql, values))
}

/// How many rows match the conditions `sql` (from [`conditions`]).
fn count_sql(sql: &str) -> String {
    format!("SELECT COUNT(*) FROM listing l{sql}")
}

/// The receipt numbers of one page of the rows matching `sql`, newest first
/// (the limit and offset follow the conditions' values).
fn page_sql(sql: &str) -> String {
    format!("SELECT l.receipt_number FROM listing l{sql} ORDER BY l.receipt_number DESC LIMIT ? OFFSET ?")
}

/// The unfiltered page from receipt number `?1` down, `?2` rows.
const NEWEST_FROM: &str = "WHERE l.receipt_number <= ?1 ORDER BY l.receipt_number DESC LIMIT ?2";
/// The unfiltered page `?2` rows from the newest, `?1` rows.
const NEWEST_COUNTED_OFF: &str = "ORDER BY l.receipt_number DESC LIMIT ?1 OFFSET ?2";

/// The rows of one page of the rows matching `sql`.
fn page_rows(sql: &str) -> String {
    format!(
        "WHERE l.receipt_number IN ({}) ORDER BY l.receipt_number DESC",
        page_sql(sql)
    )
}

/// The listed rows `tail` selects from `listing l` beside their entries
/// `e`, with the receipt number of a sale's cancellation and whether the
/// sale waits in the outbox.
fn rows_sql(tail: &str) -> String {
    format!(
        "SELECT l.receipt_number, l.total, e.kind, e.sale_id, e.created_at, e.body,
            (SELECT c.receipt_number FROM entries c
             WHERE c.sale_id = e.sale_id AND c.{ONCE_PER_SALE} AND c.kind = '{}'),
            EXISTS (SELECT 1 FROM open_sales o WHERE o.sale_id = e.sale_id AND o.state = 'queued')
         FROM listing l JOIN entries e ON e.seq = l.seq {tail}",
        kind::CANCELLATION
    )
}

/// When local day `day` (`YYYY-MM-DD`) begins and when the next one begins,
/// in milliseconds since 1970: an entry belongs to the day exactly when it
/// was issued in between. The time zone is the till's as it is set now, as
/// the list always read it (the day of each entry converted to local time).
fn day_bounds(day: &str) -> Option<(i64, i64)> {
    let date = NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
    // Only the spelling the list shows matches (not `2026-3-1`).
    if date.format("%Y-%m-%d").to_string() != day {
        return None;
    }
    Some((day_start(date)?, day_start(date.succ_opt()?)?))
}

/// The first instant of a local day: midnight, or where the clocks skip
/// midnight, the first minute after the skip.
fn day_start(date: NaiveDate) -> Option<i64> {
    let midnight = date.and_hms_opt(0, 0, 0)?;
    (0..=24 * 60).find_map(|minute| {
        let local = midnight + chrono::Duration::minutes(minute);
        Local
            .from_local_datetime(&local)
            .earliest()
            .map(|t| t.timestamp_millis())
    })
}

/// The payment methods of a sale's or cancellation's body, each once, in
/// the order of its payments.
fn methods_of(body: &str) -> Vec<PaymentMethod> {
    #[derive(Deserialize)]
    struct Payments {
        payments: Vec<Payment>,
    }
    let payments = serde_json::from_str::<Payments>(body)
        .map(|p| p.payments)
        .unwrap_or_default();
    let mut methods: Vec<PaymentMethod> = Vec::new();
    for p in payments {
        if !methods.contains(&p.method) {
            methods.push(p.method);
        }
    }
    methods
}

fn usize_of(n: i64) -> usize {
    usize::try_from(n).unwrap_or(0)
}

fn i64_of(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Journal {
    /// The rows matching `filter`, newest first: `limit` of them after
    /// skipping `offset`, and how many match in all.
    pub fn search(
        &self,
        filter: &JournalFilter,
        offset: usize,
        limit: usize,
    ) -> Result<JournalPage, JournalError> {
        let Some((sql, values)) = conditions(filter) else {
            return Ok(JournalPage {
                total_count: 0,
                entries: Vec::new(),
            });
        };
        if sql.is_empty() {
            return self.newest(offset, limit);
        }
        let total_count: i64 = self
            .conn
            .prepare_cached(&count_sql(&sql))?
            .query_row(params_from_iter(values.iter()), |r| r.get(0))?;
        let mut page_values = values;
        page_values.extend([i64_of(limit).into(), i64_of(offset).into()]);
        let entries = self.rows(&page_rows(&sql), params_from_iter(page_values.iter()))?;
        Ok(JournalPage {
            total_count: usize_of(total_count),
            entries,
        })
    }

    /// A page of the unfiltered list. Receipt numbers are gapless, so the
    /// row `offset` places from the newest is the receipt `offset` below the
    /// newest: a deep page is one seek. Where they are not (a file edited by
    /// hand), the rows are counted off.
    fn newest(&self, offset: usize, limit: usize) -> Result<JournalPage, JournalError> {
        let (count, first, last): (i64, Option<i64>, Option<i64>) = self
            .conn
            .prepare_cached(
                "SELECT (SELECT COUNT(*) FROM listing),
                        (SELECT MIN(receipt_number) FROM listing),
                        (SELECT MAX(receipt_number) FROM listing)",
            )?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        let gapless = matches!((first, last), (Some(f), Some(l)) if l - f + 1 == count);
        let entries = match last {
            Some(last) if gapless => self.rows(
                NEWEST_FROM,
                params![last.saturating_sub(i64_of(offset)), i64_of(limit)],
            )?,
            _ => self.rows(NEWEST_COUNTED_OFF, params![i64_of(limit), i64_of(offset)])?,
        };
        Ok(JournalPage {
            total_count: usize_of(count),
            entries,
        })
    }

    /// The row of a sale by its id, or of a cancellation by `storno-<n>`.
    pub fn journal_entry(&self, sale_id: &str) -> Result<Option<JournalEntry>, JournalError> {
        let cancellation = sale_id
            .strip_prefix(CANCELLATION_PREFIX)
            .and_then(|n| n.parse::<i64>().ok())
            .filter(|n| format!("{CANCELLATION_PREFIX}{n}") == sale_id);
        let sale: Option<i64> = self
            .conn
            .prepare_cached(&format!(
                "SELECT receipt_number FROM entries WHERE sale_id = ?1 AND {ONCE_PER_SALE} AND kind = '{}'",
                kind::SALE
            ))?
            .query_row([sale_id], |r| r.get(0))
            .optional()?;
        let by_receipt = |n: i64| -> Result<Option<JournalEntry>, JournalError> {
            Ok(self
                .rows("WHERE l.receipt_number = ?1", [n])?
                .into_iter()
                .next())
        };
        for (prefix, state) in [
            (RETURN_PREFIX, ListedState::Return),
            (CASH_RECEIPT_PREFIX, ListedState::CashReceipt),
        ] {
            let drawer = sale_id
                .strip_prefix(prefix)
                .and_then(|n| n.parse::<i64>().ok())
                .filter(|n| format!("{prefix}{n}") == sale_id);
            if let Some(n) = drawer {
                if let Some(row) = by_receipt(n)?.filter(|e| e.state == state) {
                    return Ok(Some(row));
                }
            }
        }
        let mut found = None;
        if let Some(n) = cancellation {
            found = by_receipt(n)?.filter(|e| e.state == ListedState::Cancellation);
        }
        // Both (a sale whose id reads like a cancellation's): the newer, as the list shows it first.
        if let Some(n) = sale {
            if found.as_ref().is_none_or(|c| c.receipt_number < n) {
                found = by_receipt(n)?;
            }
        }
        Ok(found)
    }

    /// The listed rows `tail` selects (see [`rows_sql`]).
    fn rows(
        &self,
        tail: &str,
        values: impl rusqlite::Params,
    ) -> Result<Vec<JournalEntry>, JournalError> {
        let mut stmt = self.conn.prepare_cached(&rows_sql(tail))?;
        let rows = stmt.query_map(values, |r| {
            let receipt_number: i64 = r.get(0)?;
            let sale_id: String = r.get(3)?;
            let cancelled_by: Option<i64> = r.get(6)?;
            let queued: bool = r.get(7)?;
            let storno = |n: i64| format!("{CANCELLATION_PREFIX}{n}");
            let entry_kind = r.get_ref(2)?.as_str()?;
            if entry_kind == kind::RETURN || entry_kind == kind::CASH_RECEIPT {
                return drawer_row(
                    entry_kind,
                    receipt_number,
                    r.get(4)?,
                    Cents(r.get(1)?),
                    r.get_ref(5)?.as_str()?,
                );
            }
            let (sale_id, state, cancels_sale_id, cancelled_by_sale_id, synced) =
                if entry_kind == kind::CANCELLATION {
                    let id = storno(receipt_number);
                    (id, ListedState::Cancellation, Some(sale_id), None, true)
                } else if let Some(n) = cancelled_by {
                    (
                        sale_id,
                        ListedState::Cancelled,
                        None,
                        Some(storno(n)),
                        !queued,
                    )
                } else {
                    (sale_id, ListedState::Paid, None, None, !queued)
                };
            Ok(JournalEntry {
                sale_id,
                receipt_number,
                issued_at: r.get(4)?,
                total: Cents(r.get(1)?),
                methods: methods_of(r.get_ref(5)?.as_str()?),
                state,
                cancels_sale_id,
                cancelled_by_sale_id,
                synced,
                original_receipt: None,
                cash_reason: None,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// The row of a return or a cash receipt: paid in cash, never in the outbox
/// (the provider never hears of them), named by its own receipt number.
fn drawer_row(
    entry_kind: &str,
    receipt_number: i64,
    issued_at: String,
    total: Cents,
    body: &str,
) -> rusqlite::Result<JournalEntry> {
    let body: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let (sale_id, state, original_receipt, cash_reason) = if entry_kind == kind::RETURN {
        (
            format!("{RETURN_PREFIX}{receipt_number}"),
            ListedState::Return,
            body["original_receipt"].as_i64(),
            None,
        )
    } else {
        (
            format!("{CASH_RECEIPT_PREFIX}{receipt_number}"),
            ListedState::CashReceipt,
            None,
            serde_json::from_value(body["reason"].clone()).ok(),
        )
    };
    Ok(JournalEntry {
        sale_id,
        receipt_number,
        issued_at,
        total,
        methods: vec![PaymentMethod::Cash],
        state,
        cancels_sale_id: None,
        cancelled_by_sale_id: None,
        synced: true,
        original_receipt,
        cash_reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SQLite's plan for `sql`, one step a line.
    fn plan(journal: &Journal, sql: &str, values: usize) -> String {
        let mut stmt = journal
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        let rows = stmt
            .query_map(params_from_iter(vec![Value::Integer(1); values]), |r| {
                r.get::<_, String>(3)
            })
            .unwrap();
        rows.map(Result::unwrap).collect::<Vec<_>>().join("\n")
    }

    /// Every filter is answered through an index: no step reads the whole list.
    #[test]
    fn each_filter_is_looked_up_in_an_index() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::open(&dir.path().join("journal.sqlite3")).unwrap();
        let by_receipt = JournalFilter {
            receipt_number: Some(7),
            ..Default::default()
        };
        let by_amount = JournalFilter {
            amount: Some(Cents(1250)),
            ..Default::default()
        };
        let by_day = JournalFilter {
            date: Some("2026-12-03".into()),
            ..Default::default()
        };
        for (filter, index) in [
            (&by_receipt, "INTEGER PRIMARY KEY"),
            (&by_amount, "INDEX listing_amount"),
            (&by_day, "INDEX listing_time"),
        ] {
            let (sql, values) = conditions(filter).unwrap();
            for query in [count_sql(&sql), rows_sql(&page_rows(&sql))] {
                let n = values.len() + usize::from(query.contains("LIMIT")) * 2;
                let plan = plan(&journal, &query, n);
                assert!(plan.contains(index), "{filter:?}: {plan}");
                assert!(
                    !plan.contains("SCAN l\n") && !plan.ends_with("SCAN l"),
                    "{filter:?}: {plan}"
                );
            }
        }
        // The unfiltered page: down the primary key, nothing sorted.
        for tail in [NEWEST_FROM, NEWEST_COUNTED_OFF] {
            let plan = plan(&journal, &rows_sql(tail), 2);
            assert!(
                plan.starts_with("SEARCH l USING INTEGER PRIMARY KEY")
                    || plan.starts_with("SCAN l"),
                "{plan}"
            );
            assert!(!plan.contains("TEMP B-TREE"), "{plan}");
        }
        // The day's rows written before schema 4 with an unreadable time: their own index.
        let (sql, values) = conditions(&by_day).unwrap();
        assert!(plan(&journal, &count_sql(&sql), values.len()).contains("INDEX listing_day"));
    }
}
