//! Reads: a sale, its state and intent, the work lists, the day's figures,
//! closings and entries.

use rusqlite::{params, Connection, OptionalExtension};

use super::error::JournalError;
use super::records::*;
use super::schema::kind;
use super::Journal;
use crate::closing::{Closing, DayFigures, RunningTotals};
use crate::money::Cents;
use crate::sale::SaleState;

pub(super) fn latest_totals(conn: &Connection) -> Result<RunningTotals, JournalError> {
    totals_at(conn, None)
}

/// The running totals as of entry `seq` (the latest when `None`).
pub(super) fn totals_at(
    conn: &Connection,
    seq: Option<i64>,
) -> Result<RunningTotals, JournalError> {
    let sql = format!(
        "SELECT {}, {} FROM totals WHERE seq <= ?1 ORDER BY seq DESC LIMIT 1",
        RunningTotals::COLUMNS,
        RunningTotals::EXTRA_COLUMNS
    );
    let row = conn
        .prepare_cached(&sql)?
        .query_row([seq.unwrap_or(i64::MAX)], |r| {
            let mut a = [0i64; 17];
            for (i, v) in a.iter_mut().enumerate() {
                *v = r.get(i)?;
            }
            // NULL before schema 2: the counts start from zero there.
            let mut e = [0i64; 4];
            for (i, v) in e.iter_mut().enumerate() {
                *v = r.get::<_, Option<i64>>(17 + i)?.unwrap_or(0);
            }
            Ok((a, e))
        })
        .optional()?;
    Ok(row
        .map(|(a, e)| RunningTotals::from_array(a).with_extra(e))
        .unwrap_or_default())
}

/// The QR payments of the period after entry `since_seq`: their sum and
/// count, cancelled ones taken off (a cancellation's payments are negative).
/// The running totals keep them with the card payments (one column for
/// both since before QR payments), so the period's entries tell them apart.
pub(super) fn qr_payments(conn: &Connection, since_seq: i64) -> Result<(Cents, i64), JournalError> {
    let (amount, count): (i64, i64) = conn
        .prepare_cached(
            "SELECT COALESCE(SUM(json_extract(p.value, '$.amount')), 0),
                    COALESCE(SUM(CASE WHEN json_extract(p.value, '$.amount') < 0 THEN -1 ELSE 1 END), 0)
             FROM entries e, json_each(e.body, '$.payments') p
             WHERE e.seq > ?1 AND e.kind IN ('sale', 'cancellation')
               AND json_extract(p.value, '$.method') = 'qr'",
        )?
        .query_row([since_seq], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok((Cents(amount), count))
}

/// The last closing: its entry's seq and its body.
pub(super) fn last_closing(conn: &Connection) -> Result<Option<(i64, Closing)>, JournalError> {
    let row: Option<(i64, String)> = conn
        .prepare_cached(
            "SELECT seq, body FROM entries WHERE kind = 'closing' ORDER BY seq DESC LIMIT 1",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match row {
        Some((seq, body)) => Ok(Some((seq, serde_json::from_str(&body)?))),
        None => Ok(None),
    }
}

/// The terminal's end-of-day answer recorded after the last closing.
pub(super) fn terminal_since_closing(
    conn: &Connection,
) -> Result<Option<(String, serde_json::Value)>, JournalError> {
    let row: Option<(String, String, String)> = conn
        .prepare_cached(
            "SELECT kind, created_at, body FROM entries
             WHERE kind IN ('terminal_end_of_day', 'closing') ORDER BY seq DESC LIMIT 1",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    match row {
        Some((k, at, body)) if k == kind::TERMINAL_END_OF_DAY => {
            Ok(Some((at, serde_json::from_str(&body)?)))
        }
        _ => Ok(None),
    }
}

/// The time of the first entry after entry `seq`.
pub(super) fn first_entry_after(
    conn: &Connection,
    seq: i64,
) -> Result<Option<String>, JournalError> {
    Ok(conn
        .prepare_cached("SELECT created_at FROM entries WHERE seq > ?1 ORDER BY seq LIMIT 1")?
        .query_row([seq], |r| r.get(0))
        .optional()?)
}

/// The settings in force at entry `seq`.
pub(super) fn settings_before(conn: &Connection, seq: i64) -> Result<Option<String>, JournalError> {
    Ok(conn
        .prepare_cached(
            "SELECT body FROM entries WHERE kind = 'settings' AND seq < ?1 ORDER BY seq DESC LIMIT 1",
        )?
        .query_row([seq], |r| r.get(0))
        .optional()?)
}

/// The state of a sale as the journal knows it (`Open` when it knows nothing).
pub(super) fn state_of(conn: &Connection, sale_id: &str) -> Result<SaleState, JournalError> {
    let open: Option<String> = conn
        .prepare_cached("SELECT state FROM open_sales WHERE sale_id = ?1")?
        .query_row([sale_id], |r| r.get(0))
        .optional()?;
    match open.as_deref() {
        Some("paying") => return Ok(SaleState::Paying),
        Some("cancelling") => return Ok(SaleState::Cancelling),
        Some(_) => return Ok(SaleState::Paid),
        None => {}
    }
    let mut stmt = conn.prepare_cached(
        "SELECT kind FROM entries WHERE sale_id = ?1
         AND kind IN ('intent', 'sale', 'failed', 'cancellation', 'registered')",
    )?;
    let kinds: Vec<String> = stmt
        .query_map([sale_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let has = |k: &str| kinds.iter().any(|x| x == k);
    Ok(if has(kind::CANCELLATION) {
        SaleState::Cancelled
    } else if has(kind::SALE) {
        SaleState::Paid
    } else if has(kind::FAILED) {
        SaleState::Failed
    } else if has(kind::INTENT) {
        // An intent not settled is always in open_sales; without it the file was edited.
        return Err(JournalError::Corrupt);
    } else {
        SaleState::Open
    })
}

pub(super) fn read_intent(conn: &Connection, sale_id: &str) -> Result<PaymentIntent, JournalError> {
    let body: String = conn
        .prepare_cached(
            "SELECT body FROM entries WHERE sale_id = ?1 AND kind IN ('intent', 'sale', 'failed', 'cancellation', 'registered') AND kind = 'intent'",
        )?
        .query_row([sale_id], |r| r.get(0))?;
    let mut intent: PaymentIntent = serde_json::from_str(&body)?;
    intent.sale_id = sale_id.to_string();
    Ok(intent)
}

impl Journal {
    /// The intent a sale's payment was started with.
    pub fn intent(&self, sale_id: &str) -> Result<PaymentIntent, JournalError> {
        read_intent(&self.conn, sale_id)
    }

    /// The sale's state as far as the journal knows it.
    pub fn sale_state(&self, sale_id: &str) -> Result<SaleState, JournalError> {
        state_of(&self.conn, sale_id)
    }

    /// The settings in force when entry `seq` was written: the shop's header
    /// and the till a receipt of that entry was issued with.
    pub fn settings_at(&self, seq: i64) -> Result<Option<serde_json::Value>, JournalError> {
        settings_before(&self.conn, seq)?
            .map(|body| Ok(serde_json::from_str(&body)?))
            .transpose()
    }

    /// The paid sale with this receipt number.
    pub fn sale_by_receipt(&self, receipt_number: i64) -> Result<SaleRecord, JournalError> {
        type Row = (i64, String, String, String, Option<String>);
        let row: Option<Row> = self
            .conn
            .prepare_cached(
                "SELECT seq, sale_id, body, created_at, cashier FROM entries WHERE receipt_number = ?1 AND kind = 'sale'",
            )?
            .query_row([receipt_number], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .optional()?;
        let (seq, sale_id, body, created_at, cashier) =
            row.ok_or(JournalError::UnknownReceipt(receipt_number))?;
        let mut paid: PaidSale = serde_json::from_str(&body)?;
        let intent = read_intent(&self.conn, &sale_id)?;
        paid.transaction_id = match &intent.transaction_id {
            Some(id) => Some(id.clone()),
            // Paid offline: the transaction is named where it was registered.
            None => self
                .conn
                .prepare_cached(
                    "SELECT body FROM entries WHERE sale_id = ?1 AND kind IN ('intent', 'sale', 'failed', 'cancellation', 'registered') AND kind = 'registered'",
                )?
                .query_row([&sale_id], |r| r.get::<_, String>(0))
                .optional()?
                .and_then(|b| serde_json::from_str::<serde_json::Value>(&b).ok())
                .and_then(|v| v["transaction_id"].as_str().map(str::to_string)),
        };
        // The receipts were written right after the sale, in the same transaction.
        let mut stmt = self.conn.prepare_cached(
            "SELECT kind, body FROM entries WHERE seq > ?1 AND seq <= ?1 + 2 AND sale_id = ?2
             AND kind IN ('receipt_customer', 'receipt_merchant')",
        )?;
        let receipts: Vec<(String, String)> = stmt
            .query_map(params![seq, sale_id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (k, body) in receipts {
            let r: StoredReceipt = serde_json::from_str(&body)?;
            match k.as_str() {
                kind::RECEIPT_CUSTOMER => paid.customer_receipt = Some(r),
                kind::RECEIPT_MERCHANT => paid.merchant_receipt = Some(r),
                _ => {}
            }
        }
        let closed_in = match last_closing(&self.conn)? {
            Some((closing_seq, _)) if closing_seq > seq => Some(self.closing_covering(seq)?),
            _ => None,
        };
        let settings = match settings_before(&self.conn, seq)? {
            Some(s) => Some(serde_json::from_str(&s)?),
            None => None,
        };
        Ok(SaleRecord {
            cashier: cashier.and_then(|c| serde_json::from_str(&c).ok()),
            created_at,
            settings,
            intent,
            state: state_of(&self.conn, &sale_id)?,
            sale_id,
            seq,
            receipt_number,
            paid,
            closed_in,
        })
    }

    /// The Z number of the first closing after entry `seq`.
    pub(super) fn closing_covering(&self, seq: i64) -> Result<i64, JournalError> {
        let body: String = self
            .conn
            .prepare_cached(
                "SELECT body FROM entries WHERE kind = 'closing' AND seq > ?1 ORDER BY seq LIMIT 1",
            )?
            .query_row([seq], |r| r.get(0))?;
        Ok(serde_json::from_str::<Closing>(&body)?.z_number)
    }

    /// Cancellations started and not settled (after a crash, a lost answer or
    /// a journal that could not write), oldest first.
    pub fn pending_cancellations(&self) -> Result<Vec<PendingCancellation>, JournalError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT o.sale_id, o.since, e.body FROM open_sales o
             JOIN entries e ON e.seq = o.since_seq
             WHERE o.state = 'cancelling' ORDER BY o.since_seq",
        )?;
        let rows: Vec<(String, String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        rows.into_iter()
            .map(|(sale_id, since, body)| {
                let v: serde_json::Value = serde_json::from_str(&body)?;
                Ok(PendingCancellation {
                    sale_id,
                    receipt_number: v["cancels_receipt"].as_i64().ok_or(JournalError::Corrupt)?,
                    reason: v["reason"].as_str().unwrap_or_default().to_string(),
                    since,
                })
            })
            .collect()
    }

    /// The newest entry: its position and hash (`None` for an empty journal).
    pub fn head(&self) -> Result<Option<(i64, [u8; 32])>, JournalError> {
        let row: Option<(i64, Vec<u8>)> = self
            .conn
            .query_row(
                "SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        row.map(|(seq, h)| Ok((seq, h.try_into().map_err(|_| JournalError::Corrupt)?)))
            .transpose()
    }

    /// The hash stored with entry `seq`.
    pub fn hash_at(&self, seq: i64) -> Result<Option<[u8; 32]>, JournalError> {
        let h: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT hash FROM entries WHERE seq = ?1")?
            .query_row([seq], |r| r.get(0))
            .optional()?;
        h.map(|h| h.try_into().map_err(|_| JournalError::Corrupt))
            .transpose()
    }

    /// The last receipt number issued (0 before the first).
    pub fn last_receipt_number(&self) -> Result<i64, JournalError> {
        Ok(latest_totals(&self.conn)?.last_receipt)
    }

    /// The figures since the last closing, as they stand now.
    pub fn day_figures(&self) -> Result<DayFigures, JournalError> {
        let since = match last_closing(&self.conn)? {
            Some((seq, _)) => totals_at(&self.conn, Some(seq))?,
            None => RunningTotals::default(),
        };
        let since_seq = last_closing(&self.conn)?.map_or(0, |(seq, _)| seq);
        let (qr, count) = qr_payments(&self.conn, since_seq)?;
        Ok(DayFigures::between(&since, &latest_totals(&self.conn)?).with_qr(qr, count))
    }

    /// The terminal's end-of-day answer recorded since the last closing (the
    /// latest), with when it was recorded.
    pub fn terminal_end_of_day(&self) -> Result<Option<(String, serde_json::Value)>, JournalError> {
        terminal_since_closing(&self.conn)
    }

    /// When the running day began: the time of its first entry.
    pub fn day_opened_at(&self) -> Result<Option<String>, JournalError> {
        let since = last_closing(&self.conn)?.map_or(0, |(seq, _)| seq);
        first_entry_after(&self.conn, since)
    }

    /// A past closing, as it was stored.
    pub fn closing(&self, z_number: i64) -> Result<Option<Closing>, JournalError> {
        Ok(self
            .closings()?
            .into_iter()
            .find(|c| c.z_number == z_number))
    }

    /// All closings, oldest first.
    pub fn closings(&self) -> Result<Vec<Closing>, JournalError> {
        let mut stmt = self
            .conn
            .prepare("SELECT body FROM entries WHERE kind = 'closing' ORDER BY seq")?;
        let bodies: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        bodies
            .iter()
            .map(|b| Ok(serde_json::from_str(b)?))
            .collect()
    }

    /// Payments started but not settled (after a crash or a lost answer).
    pub fn in_doubt(&self) -> Result<Vec<InDoubt>, JournalError> {
        let mut stmt = self.conn.prepare(
            "SELECT sale_id, since FROM open_sales WHERE state = 'paying' ORDER BY since_seq",
        )?;
        let rows: Vec<(String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        rows.into_iter()
            .map(|(id, since)| {
                Ok(InDoubt {
                    intent: read_intent(&self.conn, &id)?,
                    since,
                })
            })
            .collect()
    }

    /// Sales paid offline and not yet registered, in the order they were paid.
    pub fn outbox(&self) -> Result<Vec<QueuedSale>, JournalError> {
        let mut stmt = self.conn.prepare(
            "SELECT o.sale_id, o.since, e.receipt_number FROM open_sales o
             JOIN entries e ON e.seq = o.since_seq
             WHERE o.state = 'queued' ORDER BY o.since_seq",
        )?;
        let rows: Vec<(String, String, i64)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        rows.into_iter()
            .map(|(id, since, receipt_number)| {
                Ok(QueuedSale {
                    intent: read_intent(&self.conn, &id)?,
                    sale_id: id,
                    receipt_number,
                    since,
                })
            })
            .collect()
    }

    /// How many sales wait for registration, and since when; and the ones
    /// the provider refused.
    pub fn outbox_state(&self) -> Result<OutboxState, JournalError> {
        let (count, oldest): (i64, Option<String>) = self.conn.query_row(
            "SELECT COUNT(*), MIN(since) FROM open_sales WHERE state = 'queued'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT o.sale_id, e.receipt_number, o.since, o.problem FROM open_sales o
             JOIN entries e ON e.seq = o.since_seq
             WHERE o.state = 'failed' ORDER BY o.since_seq",
        )?;
        let failed = stmt
            .query_map([], |r| {
                Ok(RefusedSale {
                    sale_id: r.get(0)?,
                    receipt_number: r.get(1)?,
                    since: r.get(2)?,
                    problem: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(OutboxState {
            count: count as usize,
            oldest,
            failed,
        })
    }

    /// Entries of one kind (all when `None`), oldest first.
    pub fn entries(&self, kind: Option<&str>) -> Result<Vec<Entry>, JournalError> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, kind, sale_id, receipt_number, created_at, body, hash, cashier
             FROM entries WHERE (?1 IS NULL OR kind = ?1) ORDER BY seq",
        )?;
        let rows = stmt.query_map(params![kind], entry_of)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Entries of the given kinds, oldest first, handed to `f` one at a
    /// time: reading a long journal this way keeps one entry in memory.
    pub fn for_each_entry<E: From<JournalError>>(
        &self,
        kinds: &[&str],
        mut f: impl FnMut(Entry) -> Result<(), E>,
    ) -> Result<(), E> {
        let marks: Vec<String> = (1..=kinds.len()).map(|i| format!("?{i}")).collect();
        let sql = format!(
            "SELECT seq, kind, sale_id, receipt_number, created_at, body, hash, cashier
             FROM entries WHERE kind IN ({}) ORDER BY seq",
            marks.join(", ")
        );
        let mut stmt = self.conn.prepare(&sql).map_err(JournalError::from)?;
        let mut rows = stmt
            .query(rusqlite::params_from_iter(kinds))
            .map_err(JournalError::from)?;
        while let Some(row) = rows.next().map_err(JournalError::from)? {
            f(entry_of(row).map_err(JournalError::from)?)?;
        }
        Ok(())
    }
}

/// Sales, cancellations and returns after entry `after_seq`, added up per
/// cashier (by the name each entry carries), in the order each cashier first
/// appears: the parts add up to the period's takings.
pub(super) fn takings_by_cashier(
    conn: &rusqlite::Connection,
    after_seq: i64,
) -> Result<Vec<crate::closing::CashierTakings>, JournalError> {
    let mut stmt = conn.prepare_cached(
        "SELECT cashier,
                SUM(kind = 'sale'), SUM(kind = 'cancellation'),
                SUM(CASE WHEN NOT json_valid(body) THEN 0
                         WHEN kind IN ('cancellation', 'return')
                              THEN COALESCE(json_extract(body, '$.total'), 0)
                         ELSE (SELECT COALESCE(SUM(json_extract(p.value, '$.amount')), 0)
                               FROM json_each(body, '$.payments') p) END),
                MIN(seq)
         FROM entries
         WHERE kind IN ('sale', 'cancellation', 'return') AND seq > ?1
         GROUP BY cashier ORDER BY MIN(seq)",
    )?;
    let rows = stmt.query_map([after_seq], |r| {
        let who: Option<CashierRef> = r
            .get::<_, Option<String>>(0)?
            .and_then(|c| serde_json::from_str(&c).ok());
        Ok(crate::closing::CashierTakings {
            cashier_id: who.as_ref().map(|c| c.id.clone()),
            name: who.map(|c| c.name),
            sales: r.get(1)?,
            cancellations: r.get(2)?,
            total: Cents(r.get(3)?),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

impl Journal {
    /// Takings per cashier since the last closing (the end-of-day review).
    pub fn takings_by_cashier(&self) -> Result<Vec<crate::closing::CashierTakings>, JournalError> {
        let after = last_closing(&self.conn)?.map_or(0, |(seq, _)| seq);
        takings_by_cashier(&self.conn, after)
    }
}

fn entry_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<Entry> {
    let body: String = r.get(5)?;
    Ok(Entry {
        seq: r.get(0)?,
        kind: r.get(1)?,
        sale_id: r.get(2)?,
        receipt_number: r.get(3)?,
        created_at: r.get(4)?,
        body: serde_json::from_str(&body).unwrap_or(serde_json::Value::String(body)),
        hash: hex::encode(r.get::<_, Vec<u8>>(6)?),
        cashier: r
            .get::<_, Option<String>>(7)?
            .and_then(|c| serde_json::from_str(&c).ok()),
    })
}
