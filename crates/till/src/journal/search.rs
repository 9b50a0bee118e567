//! The journal screen's list: sales and cancellations found by receipt
//! number, amount and business day, newest first, a page at a time.
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

/// What a listed row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListedState {
    /// A paid sale.
    Paid,
    /// A paid sale a later cancellation reversed.
    Cancelled,
    /// The counter-booking itself.
    Cancellation,
}

/// One row of the journal screen: a sale or a cancellation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
        let (total_count, numbers) = if sql.is_empty() {
            self.newest_receipts(offset, limit)?
        } else {
            let total_count: i64 = self
                .conn
                .prepare_cached(&count_sql(&sql))?
                .query_row(params_from_iter(values.iter()), |r| r.get(0))?;
            let mut page_values = values;
            page_values.extend([i64_of(limit).into(), i64_of(offset).into()]);
            let numbers: Vec<i64> = self
                .conn
                .prepare_cached(&page_sql(&sql))?
                .query_map(params_from_iter(page_values.iter()), |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            (usize_of(total_count), numbers)
        };
        let entries = numbers
            .into_iter()
            .map(|n| self.listed(n)?.ok_or(JournalError::Corrupt))
            .collect::<Result<_, _>>()?;
        Ok(JournalPage {
            total_count,
            entries,
        })
    }

    /// The unfiltered list's count and the receipt numbers of one page.
    /// Receipt numbers are gapless, so the row `offset` places from the
    /// newest is the receipt `offset` below the newest: a deep page is one
    /// seek. Where they are not (a file edited by hand), the rows are counted off.
    fn newest_receipts(
        &self,
        offset: usize,
        limit: usize,
    ) -> Result<(usize, Vec<i64>), JournalError> {
        let (count, first, last): (i64, Option<i64>, Option<i64>) = self
            .conn
            .prepare_cached(
                "SELECT (SELECT COUNT(*) FROM listing),
                        (SELECT MIN(receipt_number) FROM listing),
                        (SELECT MAX(receipt_number) FROM listing)",
            )?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        let gapless = matches!((first, last), (Some(f), Some(l)) if l - f + 1 == count);
        let numbers = match last {
            Some(last) if gapless => {
                let top = last.saturating_sub(i64_of(offset));
                self.conn
                    .prepare_cached(
                        "SELECT receipt_number FROM listing WHERE receipt_number <= ?1
                         ORDER BY receipt_number DESC LIMIT ?2",
                    )?
                    .query_map(params![top, i64_of(limit)], |r| r.get(0))?
                    .collect::<Result<_, _>>()?
            }
            _ => self
                .conn
                .prepare_cached(
                    "SELECT receipt_number FROM listing
                     ORDER BY receipt_number DESC LIMIT ?1 OFFSET ?2",
                )?
                .query_map(params![i64_of(limit), i64_of(offset)], |r| r.get(0))?
                .collect::<Result<_, _>>()?,
        };
        Ok((usize_of(count), numbers))
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
        let mut found = None;
        if let Some(n) = cancellation {
            found = self
                .listed(n)?
                .filter(|e| e.state == ListedState::Cancellation);
        }
        // Both (a sale whose id reads like a cancellation's): the newer, as the list shows it first.
        if let Some(n) = sale {
            if found.as_ref().is_none_or(|c| c.receipt_number < n) {
                found = self.listed(n)?;
            }
        }
        Ok(found)
    }

    /// The listed row of receipt `receipt_number`, with whether it was
    /// cancelled and whether it waits in the outbox.
    fn listed(&self, receipt_number: i64) -> Result<Option<JournalEntry>, JournalError> {
        let row: Option<(i64, String, String, String, String)> = self
            .conn
            .prepare_cached(
                "SELECT l.total, e.kind, e.sale_id, e.created_at, e.body
                 FROM listing l JOIN entries e ON e.seq = l.seq WHERE l.receipt_number = ?1",
            )?
            .query_row([receipt_number], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .optional()?;
        let Some((total, entry_kind, sale_id, issued_at, body)) = row else {
            return Ok(None);
        };
        let methods = methods_of(&body);
        if entry_kind == kind::CANCELLATION {
            return Ok(Some(JournalEntry {
                sale_id: format!("{CANCELLATION_PREFIX}{receipt_number}"),
                receipt_number,
                issued_at,
                total: Cents(total),
                methods,
                state: ListedState::Cancellation,
                cancels_sale_id: Some(sale_id),
                cancelled_by_sale_id: None,
                synced: true,
            }));
        }
        let cancelled_by: Option<i64> = self
            .conn
            .prepare_cached(&format!(
                "SELECT receipt_number FROM entries WHERE sale_id = ?1 AND {ONCE_PER_SALE} AND kind = '{}'",
                kind::CANCELLATION
            ))?
            .query_row([&sale_id], |r| r.get(0))
            .optional()?;
        let queued: bool = self
            .conn
            .prepare_cached("SELECT 1 FROM open_sales WHERE sale_id = ?1 AND state = 'queued'")?
            .exists([&sale_id])?;
        Ok(Some(JournalEntry {
            sale_id,
            receipt_number,
            issued_at,
            total: Cents(total),
            methods,
            state: if cancelled_by.is_some() {
                ListedState::Cancelled
            } else {
                ListedState::Paid
            },
            cancels_sale_id: None,
            cancelled_by_sale_id: cancelled_by.map(|n| format!("{CANCELLATION_PREFIX}{n}")),
            synced: !queued,
        }))
    }
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
            for query in [count_sql(&sql), page_sql(&sql)] {
                let n = values.len() + usize::from(query.contains("LIMIT")) * 2;
                let plan = plan(&journal, &query, n);
                assert!(plan.contains(index), "{filter:?}: {plan}");
                assert!(
                    !plan.contains("SCAN l\n") && !plan.ends_with("SCAN l"),
                    "{filter:?}: {plan}"
                );
            }
        }
        // The day's rows written before schema 4 with an unreadable time: their own index.
        let (sql, values) = conditions(&by_day).unwrap();
        assert!(plan(&journal, &count_sql(&sql), values.len()).contains("INDEX listing_day"));
    }
}
