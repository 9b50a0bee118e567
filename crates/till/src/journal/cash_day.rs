//! The drawer's day in the journal: the opening float, cash movements as
//! receipts of their own, returns, and the figures the closing and the X
//! report show beside the running totals (movements by reason, returns,
//! discounts), read from the period's entries.

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::error::JournalError;
use super::query::{last_closing, latest_totals, state_of, totals_at};
use super::schema::kind;
use super::write::Appender;
use super::Journal;
use crate::cash_movement::{CashReason, CashReceipt, Direction, FLOAT_BUSINESS_CASE};
use crate::closing::RunningTotals;
use crate::money::Cents;
use crate::returns::{self, ReturnError, ReturnRecord};
use crate::sale::SaleState;

/// Why a float, movement or return was not booked.
#[derive(Debug, thiserror::Error)]
pub enum CashDayError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error("the opening float can no longer be changed: the first sale of the day is booked")]
    FloatLocked,
    #[error("the float must be between 0,00 € and 100.000,00 €")]
    FloatAmount,
    #[error("only {0} is in the drawer: that much cannot be taken out")]
    NotInDrawer(Cents),
    #[error(transparent)]
    Return(#[from] ReturnError),
    #[error(transparent)]
    Movement(#[from] crate::cash_movement::MovementError),
}

/// The opening float of the running period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct FloatState {
    /// The float set for this period (`None`: not asked yet).
    pub amount: Option<Cents>,
    /// What the last closing left in the drawer.
    pub suggestion: Cents,
    /// A sale is booked: the float stands.
    pub locked: bool,
}

/// Movements of one reason in a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ReasonTotal {
    pub reason: CashReason,
    pub business_case: String,
    pub count: i64,
    /// Signed: in positive, out negative.
    pub amount: Cents,
}

/// What a period's running totals do not tell: movements by reason,
/// returns, discounts. Stored in the closing, so a Z report reprints the same.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
pub struct DrawerFigures {
    pub by_reason: Vec<ReasonTotal>,
    pub returns_count: i64,
    /// Negative: what returns paid back.
    pub returns_total: Cents,
    /// Discounts given on the period's sales (positive; cancelled sales' taken off).
    pub discounts: Cents,
}

fn period_start(conn: &Connection) -> Result<(i64, RunningTotals), JournalError> {
    match last_closing(conn)? {
        Some((seq, _)) => Ok((seq, totals_at(conn, Some(seq))?)),
        None => Ok((0, RunningTotals::default())),
    }
}

fn discount_of_intent(body: &str) -> i64 {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            v["basket"]["lines"].as_array().map(|lines| {
                lines
                    .iter()
                    .filter_map(|l| l["discount"].as_i64())
                    .sum::<i64>()
            })
        })
        .unwrap_or(0)
}

/// The figures of the entries after `from` up to `to` (inclusive).
pub(super) fn drawer_figures(
    conn: &Connection,
    from: i64,
    to: i64,
) -> Result<DrawerFigures, JournalError> {
    let mut f = DrawerFigures::default();
    let mut stmt = conn.prepare_cached(
        "SELECT kind, body FROM entries WHERE seq > ?1 AND seq <= ?2 AND kind IN ('cash_receipt', 'return')",
    )?;
    let rows: Vec<(String, String)> = stmt
        .query_map(params![from, to], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (k, body) in rows {
        if k == kind::CASH_RECEIPT {
            let m: CashReceipt = serde_json::from_str(&body)?;
            match f.by_reason.iter_mut().find(|r| r.reason == m.reason) {
                Some(r) => {
                    r.count += 1;
                    r.amount = r.amount + m.signed();
                }
                None => f.by_reason.push(ReasonTotal {
                    reason: m.reason,
                    business_case: m.business_case.clone(),
                    count: 1,
                    amount: m.signed(),
                }),
            }
        } else {
            let r: ReturnRecord = serde_json::from_str(&body)?;
            f.returns_count += 1;
            f.returns_total = f.returns_total + r.total;
        }
    }
    f.by_reason
        .sort_by_key(|r| CashReason::ALL.iter().position(|x| *x == r.reason));
    // Discounts of the period's sales, less those of the sales it cancelled.
    for (k, sign) in [("sale", 1), ("cancellation", -1)] {
        let mut stmt = conn.prepare_cached(
            "SELECT i.body FROM entries s JOIN entries i ON i.sale_id = s.sale_id
               AND i.kind IN ('intent', 'sale', 'failed', 'cancellation', 'registered') AND i.kind = 'intent'
             WHERE s.seq > ?1 AND s.seq <= ?2 AND s.kind = ?3",
        )?;
        let bodies: Vec<String> = stmt
            .query_map(params![from, to, k], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for b in bodies {
            f.discounts = f.discounts + Cents(sign * discount_of_intent(&b));
        }
    }
    Ok(f)
}

fn returns_of(conn: &Connection, sale_id: &str) -> Result<Vec<ReturnRecord>, JournalError> {
    let mut stmt =
        conn.prepare_cached("SELECT body FROM entries WHERE kind = 'return' AND sale_id = ?1")?;
    let bodies: Vec<String> = stmt
        .query_map([sale_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    bodies
        .iter()
        .map(|b| Ok(serde_json::from_str(b)?))
        .collect()
}

impl Journal {
    /// The running period's float, the suggestion for it and whether it can still change.
    pub fn float_state(&self) -> Result<FloatState, JournalError> {
        let conn = &self.conn;
        let (since_seq, since) = period_start(conn)?;
        let now = latest_totals(conn)?;
        let set: bool = conn
            .prepare_cached("SELECT 1 FROM entries WHERE seq > ?1 AND kind = 'cash_movement'")?
            .exists([since_seq])?;
        let suggestion = match last_closing(conn)? {
            Some((_, c)) => c.retained.unwrap_or(c.cash_counted),
            None => Cents::ZERO,
        };
        Ok(FloatState {
            amount: set.then_some(Cents(now.float - since.float)),
            suggestion,
            locked: now.sales > since.sales,
        })
    }

    /// Sets the running period's opening float (`Anfangsbestand`); it may be
    /// set again until the first sale, each time as an entry of its own
    /// carrying the change.
    pub fn set_opening_float(&mut self, amount: Cents) -> Result<FloatState, CashDayError> {
        self.set_opening_float_signed(amount, None)
    }

    /// The change of the float `amount` makes now (`Err` when it may no
    /// longer change): what the TSE is asked to sign before it is journaled.
    pub fn float_change(&self, amount: Cents) -> Result<Cents, CashDayError> {
        if !(0..=crate::cash_movement::MAX_MOVEMENT.0).contains(&amount.0) {
            return Err(CashDayError::FloatAmount);
        }
        let (_, since) = period_start(&self.conn)?;
        let totals = latest_totals(&self.conn)?;
        if totals.sales > since.sales {
            return Err(CashDayError::FloatLocked);
        }
        Ok(Cents(amount.0 - (totals.float - since.float)))
    }

    /// [`Journal::set_opening_float`] with the TSE's transaction of the
    /// change: its id (a `tse_start` journaled before it was signed, which
    /// this entry ends) and what the TSE signed, or why it did not. Refused
    /// when the change is no longer the one signed.
    pub fn set_opening_float_signed(
        &mut self,
        amount: Cents,
        signed: Option<(&str, Cents, crate::tse::TseRecord)>,
    ) -> Result<FloatState, CashDayError> {
        if !(0..=crate::cash_movement::MAX_MOVEMENT.0).contains(&amount.0) {
            return Err(CashDayError::FloatAmount);
        }
        let tx = self.write_tx()?;
        let (_, since) = period_start(&tx)?;
        let mut totals = latest_totals(&tx)?;
        if totals.sales > since.sales {
            return Err(CashDayError::FloatLocked);
        }
        let change = amount.0 - (totals.float - since.float);
        totals.float += change;
        let mut body = serde_json::json!({
            "movement": "float",
            "business_case": FLOAT_BUSINESS_CASE,
            "amount": change,
            "float": amount,
            "note": "",
        });
        let tx_id = match signed {
            Some((tx_id, signed_change, record)) => {
                if signed_change.0 != change {
                    return Err(JournalError::Other(
                        "the float was changed meanwhile; set it again".into(),
                    )
                    .into());
                }
                body["tse"] = serde_json::to_value(record).map_err(JournalError::from)?;
                tx.prepare_cached("DELETE FROM open_tse WHERE tx_id = ?1")
                    .and_then(|mut s| s.execute([tx_id]))
                    .map_err(JournalError::from)?;
                Some(tx_id)
            }
            None => None,
        };
        Appender::new(&tx)?.append(
            kind::CASH_MOVEMENT,
            tx_id,
            None,
            &body.to_string(),
            Some(&totals),
        )?;
        tx.commit().map_err(JournalError::from)?;
        Ok(self.float_state()?)
    }

    /// Books a cash movement as a receipt: the next receipt number, the
    /// running totals' cash in or out. Cash out is refused beyond what the
    /// drawer should hold.
    pub fn record_cash_receipt(&mut self, movement: &mut CashReceipt) -> Result<(), CashDayError> {
        let tx = self.write_tx()?;
        let (_, since) = period_start(&tx)?;
        let mut totals = latest_totals(&tx)?;
        match movement.direction {
            Direction::In => totals.cash_in += movement.amount.0,
            Direction::Out => {
                let f = crate::closing::DayFigures::between(&since, &totals);
                if movement.amount > f.cash_expected {
                    return Err(CashDayError::NotInDrawer(f.cash_expected.max(Cents::ZERO)));
                }
                totals.cash_out += movement.amount.0;
            }
        }
        let (number, at) = append_receipt(
            &tx,
            kind::CASH_RECEIPT,
            &movement.id,
            &*movement,
            &mut totals,
        )?;
        tx.commit().map_err(JournalError::from)?;
        movement.receipt_number = number;
        movement.created_at = at;
        Ok(())
    }

    /// A cash movement by its receipt number.
    pub fn cash_receipt(&self, receipt_number: i64) -> Result<Option<CashReceipt>, JournalError> {
        let row: Option<(String, String, String)> = self
            .conn
            .prepare_cached(
                "SELECT sale_id, body, created_at FROM entries WHERE receipt_number = ?1 AND kind = 'cash_receipt'",
            )?
            .query_row([receipt_number], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        row.map(|(id, body, at)| {
            let mut m: CashReceipt = serde_json::from_str(&body)?;
            m.id = id;
            m.receipt_number = receipt_number;
            m.created_at = at;
            Ok(m)
        })
        .transpose()
    }

    /// The returns already booked against a sale.
    pub fn returns_of(&self, sale_id: &str) -> Result<Vec<ReturnRecord>, JournalError> {
        returns_of(&self.conn, sale_id)
    }

    /// Books a return: checked again inside the write transaction against
    /// the sale's state and what was already taken back (so two tills, or
    /// two taps, never return a line twice), then the next receipt number,
    /// the VAT and the cash paid out taken off the running totals.
    pub fn record_return(&mut self, record: &mut ReturnRecord) -> Result<(), CashDayError> {
        let original = self.sale_by_receipt(record.original_receipt)?;
        let tx = self.write_tx()?;
        if state_of(&tx, &original.sale_id)? != SaleState::Paid {
            return Err(ReturnError::NotPaid.into());
        }
        let done = returns_of(&tx, &original.sale_id)?;
        let already = returns::returned_per_line(&original.intent.basket, &done);
        let request: Vec<returns::ReturnLine> = record
            .lines
            .iter()
            .map(|l| returns::ReturnLine {
                line: l.line,
                quantity: l.quantity,
            })
            .collect();
        let lines = returns::plan(&original.intent.basket, &already, &request)?;
        if lines != record.lines {
            return Err(JournalError::Other(
                "the return's lines changed while it was being booked".into(),
            )
            .into());
        }
        let mut totals = latest_totals(&tx)?;
        totals.add_vat(&record.vat, 1);
        // Cash paid out; not a cancelled payment, so the payments' count stays.
        totals.cash += record.total.0;
        let (number, at) =
            append_receipt(&tx, kind::RETURN, &original.sale_id, &*record, &mut totals)?;
        // Its TSE transaction was journaled before it was signed (`tse_start`
        // under the return's id): this entry ends it.
        tx.prepare_cached("DELETE FROM open_tse WHERE tx_id = ?1")
            .and_then(|mut s| s.execute([&record.id]))
            .map_err(JournalError::from)?;
        tx.commit().map_err(JournalError::from)?;
        record.receipt_number = number;
        record.created_at = at;
        record.original_sale_id = original.sale_id;
        Ok(())
    }

    /// Movements by reason, returns and discounts since the last closing.
    pub fn drawer_figures(&self) -> Result<DrawerFigures, JournalError> {
        let (since_seq, _) = period_start(&self.conn)?;
        drawer_figures(&self.conn, since_seq, i64::MAX)
    }
}

/// Appends `body` as a receipt of its own: the next receipt number (the
/// sales' sequence) and `totals` with it; answers the number and the time.
fn append_receipt(
    tx: &rusqlite::Transaction<'_>,
    kind: &str,
    sale_id: &str,
    body: &impl Serialize,
    totals: &mut RunningTotals,
) -> Result<(i64, String), JournalError> {
    let number = totals.last_receipt + 1;
    totals.last_receipt = number;
    let body = serde_json::to_string(body).map_err(JournalError::from)?;
    let mut app = Appender::new(tx)?;
    app.append(kind, Some(sale_id), Some(number), &body, Some(totals))?;
    Ok((number, app.created_at.clone()))
}
