//! Writes: every event is one IMMEDIATE transaction that checks the sale's
//! state machine first, appends its entries to the chain and keeps the work
//! list of open sales in step.

use rusqlite::{params, OptionalExtension, Transaction};

use super::error::JournalError;
use super::query::{
    first_entry_after, last_closing, latest_totals, read_intent, settings_before, state_of,
    takings_by_cashier, terminal_since_closing, totals_at,
};
use super::records::*;
use super::schema::{kind, GENESIS, MAX_COUNTED, MAX_NOTE, RECORDED_AS_GIVEN};
use super::verify::entry_hash;
use super::Journal;
use crate::basket::VatTotal;
use crate::closing::{CashMovement, Closing, DayFigures, RunningTotals};
use crate::money::Cents;
use crate::sale::{SaleEvent, SaleState, TransitionError};

thread_local! {
    /// A time that writes on this thread are stamped with instead of the
    /// clock's (`testing::set_clock`: days and midnights in tests).
    pub(super) static CLOCK: std::cell::Cell<Option<chrono::DateTime<chrono::Local>>> =
        const { std::cell::Cell::new(None) };
}

/// The time a write is stamped with.
fn now() -> chrono::DateTime<chrono::Local> {
    CLOCK.with(|c| c.get()).unwrap_or_else(chrono::Local::now)
}

fn transition(sale_id: &str, from: SaleState, event: SaleEvent) -> Result<SaleState, JournalError> {
    from.apply(event)
        .map_err(|source| JournalError::Transition {
            sale_id: sale_id.to_string(),
            source,
        })
}

/// Refuses `event` unless the sale waits in the outbox (queued for registration).
fn queued_for(
    tx: &Transaction<'_>,
    sale_id: &str,
    event: &'static str,
) -> Result<(), JournalError> {
    let queued: bool = tx
        .prepare_cached("SELECT 1 FROM open_sales WHERE sale_id = ?1 AND state = 'queued'")?
        .exists([sale_id])?;
    if queued {
        return Ok(());
    }
    Err(JournalError::Transition {
        sale_id: sale_id.into(),
        source: TransitionError::Illegal {
            from: state_of(tx, sale_id)?.as_str(),
            event,
        },
    })
}

/// The cashier logged in on this connection (`Journal::set_cashier`), as stored.
pub(super) fn session_json(conn: &rusqlite::Connection) -> Result<Option<String>, JournalError> {
    Ok(conn
        .prepare_cached("SELECT cashier FROM temp.session WHERE id = 1")?
        .query_row([], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten())
}

fn session_cashier(conn: &rusqlite::Connection) -> Result<Option<CashierRef>, JournalError> {
    Ok(session_json(conn)?.and_then(|c| serde_json::from_str(&c).ok()))
}

/// The cashier (as stored) of the entry that opened `sale_id`'s open work
/// item, when the item is in one of `states`; `None` when there is none.
///
/// Entries that settle a work item name this cashier, not whoever is logged
/// in when it settles: catching up and the outbox settle sales in the
/// background, long after (and whoever) started them. The intent names the
/// cashier of a payment, the `cancelling` entry the one who cancelled.
fn work_cashier(
    tx: &Transaction<'_>,
    sale_id: &str,
    states: &[&str],
) -> Result<Option<Option<String>>, JournalError> {
    let row = tx
        .prepare_cached(
            "SELECT o.state, e.cashier FROM open_sales o JOIN entries e ON e.seq = o.since_seq
             WHERE o.sale_id = ?1",
        )?
        .query_row([sale_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
        })
        .optional()?;
    Ok(row
        .filter(|(state, _)| states.contains(&state.as_str()))
        .map(|(_, cashier)| cashier))
}

/// Appends entries inside one transaction, keeping the chain's head.
pub(super) struct Appender<'t> {
    tx: &'t Transaction<'t>,
    seq: i64,
    prev: [u8; 32],
    pub(super) created_at: String,
    /// The cashier logged in on this till (`Journal::set_cashier`), as stored.
    cashier: Option<String>,
}

impl<'t> Appender<'t> {
    pub(super) fn new(tx: &'t Transaction<'t>) -> Result<Self, JournalError> {
        Self::at(tx, now())
    }

    pub(super) fn at(
        tx: &'t Transaction<'t>,
        now: chrono::DateTime<chrono::Local>,
    ) -> Result<Self, JournalError> {
        let (seq, prev) = tx
            .query_row(
                "SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)),
            )
            .optional()?
            .unwrap_or((0, GENESIS.to_vec()));
        let cashier = session_json(tx)?;
        Ok(Self {
            tx,
            seq,
            prev: prev.try_into().map_err(|_| JournalError::Corrupt)?,
            created_at: now.to_rfc3339_opts(chrono::SecondsFormat::Millis, false),
            cashier,
        })
    }

    /// Names `cashier` (as stored) on the entries appended from now on, when
    /// given: the cashier of the work item they settle ([`work_cashier`]).
    pub(super) fn name_work_cashier(&mut self, cashier: Option<Option<String>>) {
        if let Some(c) = cashier {
            self.cashier = c;
        }
    }

    /// Stamps the entries appended from now on with `at` (bulk writes in benches).
    pub(super) fn set_time(&mut self, at: chrono::DateTime<chrono::Local>) {
        self.created_at = at.to_rfc3339_opts(chrono::SecondsFormat::Millis, false);
    }

    pub(super) fn append(
        &mut self,
        kind: &str,
        sale_id: Option<&str>,
        receipt_number: Option<i64>,
        body: &str,
        totals: Option<&RunningTotals>,
    ) -> Result<i64, JournalError> {
        let seq = self.seq + 1;
        let totals_arr = totals.map(|t| (t.to_array(), t.extra_array()));
        let hash = entry_hash(
            &self.prev,
            seq,
            kind,
            sale_id,
            receipt_number,
            &self.created_at,
            body,
            totals_arr.as_ref().map(|(a, e)| (a, Some(e))),
            self.cashier.as_deref(),
        );
        self.tx
            .prepare_cached(
                "INSERT INTO entries (seq, kind, sale_id, receipt_number, created_at, body, prev_hash, hash, cashier)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                seq,
                kind,
                sale_id,
                receipt_number,
                self.created_at,
                body,
                &self.prev[..],
                &hash[..],
                self.cashier
            ])?;
        if let Some((a, e)) = totals_arr {
            self.tx
                .prepare_cached(&format!(
                    "INSERT INTO totals (seq, {}, {}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)",
                    RunningTotals::COLUMNS,
                    RunningTotals::EXTRA_COLUMNS
                ))?
                .execute(params![
                    seq, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11],
                    a[12], a[13], a[14], a[15], a[16], e[0], e[1], e[2], e[3]
                ])?;
        }
        self.seq = seq;
        self.prev = hash;
        Ok(seq)
    }
}

impl Journal {
    /// Records the settings receipts are printed with (shop header, till id),
    /// when they differ from the last recorded ones. Returns whether it wrote.
    pub fn record_settings(&mut self, settings: &serde_json::Value) -> Result<bool, JournalError> {
        let body = settings.to_string();
        if self.settings.as_deref() == Some(body.as_str()) {
            return Ok(false);
        }
        let tx = self.write_tx()?;
        let last = settings_before(&tx, i64::MAX)?;
        let changed = last.as_deref() != Some(body.as_str());
        if changed {
            Appender::new(&tx)?.append(kind::SETTINGS, None, None, &body, None)?;
        }
        tx.commit()?;
        self.settings = Some(body);
        Ok(changed)
    }

    /// Writes entries of one of the kinds in [`RECORDED_AS_GIVEN`] (a login,
    /// an authorisation, catalogue changes), one per body as it is, in one
    /// transaction: all of them or none.
    pub fn record(
        &mut self,
        entry: &str,
        bodies: &[serde_json::Value],
    ) -> Result<(), JournalError> {
        let Some(&entry) = RECORDED_AS_GIVEN.iter().find(|k| **k == entry) else {
            return Err(JournalError::Other(format!(
                "`{entry}` is not a kind of entry recorded as given"
            )));
        };
        let tx = self.write_tx()?;
        let mut app = Appender::new(&tx)?;
        for body in bodies {
            app.append(entry, None, None, &body.to_string(), None)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The body of the newest entry of `entry`'s kind, if there is one.
    pub fn last_recorded(&self, entry: &str) -> Result<Option<serde_json::Value>, JournalError> {
        let body: Option<String> = self
            .conn
            .prepare_cached("SELECT body FROM entries WHERE kind = ?1 ORDER BY seq DESC LIMIT 1")?
            .query_row([entry], |r| r.get(0))
            .optional()?;
        Ok(body.and_then(|b| serde_json::from_str(&b).ok()))
    }

    /// Writes the intent to pay: from here the sale is `paying` until the
    /// provider's answer (or reading the transaction back) settles it.
    pub fn begin_payment(&mut self, intent: &PaymentIntent) -> Result<i64, JournalError> {
        let tx = self.write_tx()?;
        let from = state_of(&tx, &intent.sale_id)?;
        transition(&intent.sale_id, from, SaleEvent::BeginPayment)?;
        let body = serde_json::to_string(intent)?;
        let mut app = Appender::new(&tx)?;
        let seq = app.append(kind::INTENT, Some(&intent.sale_id), None, &body, None)?;
        tx.prepare_cached(
            "INSERT INTO open_sales (sale_id, state, since_seq, since) VALUES (?1, 'paying', ?2, ?3)",
        )?
        .execute(params![intent.sale_id, seq, app.created_at])?;
        tx.commit()?;
        Ok(seq)
    }

    /// Completes a sale in `paying`: gives it the next receipt number and
    /// writes the sale, its payments and receipts in one transaction.
    ///
    /// `build` gets the receipt number, the time and the intent, so that the
    /// receipt printed and the entry that stores it can never disagree.
    pub fn record_paid<T>(
        &mut self,
        sale_id: &str,
        build: impl FnOnce(Issue, &PaymentIntent) -> (PaidSale, T),
    ) -> Result<T, JournalError> {
        let tx = self.write_tx()?;
        let from = state_of(&tx, sale_id)?;
        transition(sale_id, from, SaleEvent::Paid)?;
        let intent = read_intent(&tx, sale_id)?;
        let mut totals = latest_totals(&tx)?;
        let receipt_number = totals.last_receipt + 1;
        let issued_at = now();
        // The receipt names who took the payment, also when catching up completes it.
        let work = work_cashier(&tx, sale_id, &["paying"])?;
        let served_by = match &work {
            Some(c) => c
                .as_deref()
                .and_then(|c| serde_json::from_str::<CashierRef>(c).ok()),
            None => session_cashier(&tx)?,
        }
        .map(|c| c.name);
        let (paid, out) = build(
            Issue {
                receipt_number,
                issued_at,
                served_by,
            },
            &intent,
        );
        let paid_sum: Cents = paid.payments.iter().map(|p| p.amount).sum();
        if paid_sum != intent.total {
            return Err(JournalError::Other(format!(
                "the payments ({paid_sum}) do not add up to the total ({})",
                intent.total
            )));
        }
        totals.sales += 1;
        totals.last_receipt = receipt_number;
        totals.add_vat(&intent.vat(), 1);
        totals.card_loads += intent.basket.card_load_total().0;
        for p in &paid.payments {
            totals.add_payment(p.method, p.amount);
        }
        let mut app = Appender::at(&tx, issued_at)?;
        app.name_work_cashier(work);
        let body = serde_json::to_string(&paid)?;
        let seq = app.append(
            kind::SALE,
            Some(sale_id),
            Some(receipt_number),
            &body,
            Some(&totals),
        )?;
        for (k, receipt) in [
            (kind::RECEIPT_CUSTOMER, &paid.customer_receipt),
            (kind::RECEIPT_MERCHANT, &paid.merchant_receipt),
        ] {
            if let Some(r) = receipt {
                app.append(k, Some(sale_id), None, &serde_json::to_string(r)?, None)?;
            }
        }
        if paid.queued {
            tx.prepare_cached(
                "UPDATE open_sales SET state = 'queued', since_seq = ?2, since = ?3 WHERE sale_id = ?1",
            )?
            .execute(params![sale_id, seq, app.created_at])?;
        } else {
            tx.prepare_cached("DELETE FROM open_sales WHERE sale_id = ?1")?
                .execute([sale_id])?;
        }
        tx.commit()?;
        Ok(out)
    }

    /// The payment of a sale in `paying` did not happen.
    pub fn record_failed(
        &mut self,
        sale_id: &str,
        reason: &str,
        provider: Option<&serde_json::Value>,
    ) -> Result<(), JournalError> {
        self.settle_open(sale_id, SaleEvent::Failed, kind::FAILED, reason, provider)
    }

    /// Ends a sale's open work item (`paying`, `cancelling`) with one entry
    /// saying why, after checking `event` against the sale's state.
    pub(super) fn settle_open(
        &mut self,
        sale_id: &str,
        event: SaleEvent,
        entry: &str,
        reason: &str,
        provider: Option<&serde_json::Value>,
    ) -> Result<(), JournalError> {
        let tx = self.write_tx()?;
        let from = state_of(&tx, sale_id)?;
        transition(sale_id, from, event)?;
        let body = serde_json::json!({"reason": reason, "provider": provider}).to_string();
        let mut app = Appender::new(&tx)?;
        app.name_work_cashier(work_cashier(&tx, sale_id, &["paying", "cancelling"])?);
        app.append(entry, Some(sale_id), None, &body, None)?;
        tx.prepare_cached("DELETE FROM open_sales WHERE sale_id = ?1")?
            .execute([sale_id])?;
        tx.commit()?;
        Ok(())
    }

    /// A sale paid offline is now registered with the provider: it leaves the outbox.
    pub fn record_registered(
        &mut self,
        sale_id: &str,
        transaction_id: &str,
        provider: &serde_json::Value,
    ) -> Result<(), JournalError> {
        let tx = self.write_tx()?;
        queued_for(&tx, sale_id, "registered from the outbox")?;
        let body =
            serde_json::json!({"transaction_id": transaction_id, "provider": provider}).to_string();
        let mut app = Appender::new(&tx)?;
        app.name_work_cashier(work_cashier(&tx, sale_id, &["queued"])?);
        app.append(kind::REGISTERED, Some(sale_id), None, &body, None)?;
        tx.prepare_cached("DELETE FROM open_sales WHERE sale_id = ?1")?
            .execute([sale_id])?;
        tx.commit()?;
        Ok(())
    }

    /// Books a cancellation of a paid sale as a new entry with its own receipt
    /// number; the original stays as it was. `provider` is the provider's
    /// answer to the reversal, where there was one (`canceltrx`, `cancel`).
    pub fn record_cancellation(
        &mut self,
        receipt_number: i64,
        reason: &str,
        provider: Option<serde_json::Value>,
    ) -> Result<(i64, Cancellation), JournalError> {
        self.record_cancellation_signed(receipt_number, reason, provider, None)
    }

    /// A cancellation with what the TSE made of it (its signature, or why there is none).
    pub fn record_cancellation_signed(
        &mut self,
        receipt_number: i64,
        reason: &str,
        provider: Option<serde_json::Value>,
        tse: Option<crate::tse::TseRecord>,
    ) -> Result<(i64, Cancellation), JournalError> {
        let original = self.sale_by_receipt(receipt_number)?;
        let tx = self.write_tx()?;
        let from = state_of(&tx, &original.sale_id)?;
        transition(&original.sale_id, from, SaleEvent::Cancel)?;
        let mut totals = latest_totals(&tx)?;
        let number = totals.last_receipt + 1;
        let cancellation = Cancellation {
            cancels_receipt: receipt_number,
            payments: original
                .paid
                .payments
                .iter()
                .map(|p| Payment {
                    method: p.method,
                    amount: -p.amount,
                    tendered: None,
                    change: None,
                    terminal_receipt: p.terminal_receipt,
                    provider_method: p.provider_method.clone(),
                })
                .collect(),
            vat: original
                .intent
                .vat()
                .iter()
                .map(|v| VatTotal {
                    rate: v.rate,
                    net: -v.net,
                    tax: -v.tax,
                    gross: -v.gross,
                })
                .collect(),
            total: -original.intent.total,
            reason: reason.into(),
            provider,
            tse,
        };
        totals.cancellations += 1;
        totals.cancelled += original.intent.total.0;
        totals.last_receipt = number;
        totals.add_vat(&original.intent.vat(), -1);
        totals.card_loads -= original.intent.basket.card_load_total().0;
        for p in &original.paid.payments {
            totals.add_payment(p.method, -p.amount);
        }
        let body = serde_json::to_string(&cancellation)?;
        let mut app = Appender::new(&tx)?;
        // Settling a cancellation under way: in the name of who began it.
        app.name_work_cashier(work_cashier(&tx, &original.sale_id, &["cancelling"])?);
        app.append(
            kind::CANCELLATION,
            Some(&original.sale_id),
            Some(number),
            &body,
            Some(&totals),
        )?;
        // A sale cancelled before it was registered need not be registered any
        // more; a cancellation under way is settled.
        tx.prepare_cached(
            "DELETE FROM open_sales WHERE sale_id = ?1 AND state IN ('queued', 'failed', 'cancelling')",
        )?
        .execute([&original.sale_id])?;
        // A cash sale's cancellation journaled its TSE transaction before
        // the TSE signed it (`tse_start`): this entry ends it.
        tx.prepare_cached("DELETE FROM open_tse WHERE tx_id = ?1")?
            .execute([crate::tse::cancellation_tx_id(&original.sale_id)])?;
        tx.commit()?;
        Ok((number, cancellation))
    }

    /// Writes the intent to cancel a paid sale before the provider is asked
    /// to reverse it: from here the sale is `cancelling` until the
    /// provider's answer (or reading the transaction back) settles it.
    pub fn begin_cancellation(
        &mut self,
        receipt_number: i64,
        reason: &str,
    ) -> Result<SaleRecord, JournalError> {
        let original = self.sale_by_receipt(receipt_number)?;
        let tx = self.write_tx()?;
        let from = state_of(&tx, &original.sale_id)?;
        transition(&original.sale_id, from, SaleEvent::BeginCancel)?;
        let open: bool = tx
            .prepare_cached("SELECT 1 FROM open_sales WHERE sale_id = ?1")?
            .exists([&original.sale_id])?;
        if open {
            // Waiting for registration: nothing at the provider to reverse yet.
            return Err(JournalError::Transition {
                sale_id: original.sale_id.clone(),
                source: TransitionError::Illegal {
                    from: "queued",
                    event: "reversed at the provider",
                },
            });
        }
        let body =
            serde_json::json!({"cancels_receipt": receipt_number, "reason": reason}).to_string();
        let mut app = Appender::new(&tx)?;
        let seq = app.append(kind::CANCELLING, Some(&original.sale_id), None, &body, None)?;
        tx.prepare_cached(
            "INSERT INTO open_sales (sale_id, state, since_seq, since) VALUES (?1, 'cancelling', ?2, ?3)",
        )?
        .execute(params![original.sale_id, seq, app.created_at])?;
        tx.commit()?;
        Ok(original)
    }

    /// The provider did not reverse the payment of a sale in `cancelling`:
    /// it stays paid (and can be cancelled again).
    pub fn record_cancel_failed(
        &mut self,
        sale_id: &str,
        reason: &str,
        provider: Option<&serde_json::Value>,
    ) -> Result<(), JournalError> {
        self.settle_open(
            sale_id,
            SaleEvent::CancelFailed,
            kind::CANCEL_FAILED,
            reason,
            provider,
        )
    }

    /// Records that the journal was restored from a backup, as the first
    /// entry after the copy's own.
    pub fn record_restored(&mut self, what: &serde_json::Value) -> Result<(), JournalError> {
        let tx = self.write_tx()?;
        Appender::new(&tx)?.append(kind::RESTORED, None, None, &what.to_string(), None)?;
        tx.commit()?;
        Ok(())
    }

    /// Float, cash in or cash out.
    pub fn record_cash_movement(
        &mut self,
        movement: CashMovement,
        amount: Cents,
        note: &str,
    ) -> Result<(), JournalError> {
        if amount.0 <= 0 {
            return Err(JournalError::Amount);
        }
        let tx = self.write_tx()?;
        let mut totals = latest_totals(&tx)?;
        movement.apply(&mut totals, amount);
        let body =
            serde_json::json!({"movement": movement, "amount": amount, "note": note}).to_string();
        Appender::new(&tx)?.append(kind::CASH_MOVEMENT, None, None, &body, Some(&totals))?;
        tx.commit()?;
        Ok(())
    }

    /// The drawer was opened without a sale.
    pub fn record_drawer_opened(&mut self, reason: &str) -> Result<(), JournalError> {
        let tx = self.write_tx()?;
        let mut totals = latest_totals(&tx)?;
        totals.drawer_openings += 1;
        let body = serde_json::json!({ "reason": reason }).to_string();
        Appender::new(&tx)?.append(kind::DRAWER_OPENED, None, None, &body, Some(&totals))?;
        tx.commit()?;
        Ok(())
    }

    /// Closes the day: the next Z number, the figures, the cash counted and
    /// the terminal's end-of-day answer. Refused while a payment is in doubt.
    pub fn close_day(
        &mut self,
        cash_counted: Cents,
        terminal: Option<serde_json::Value>,
    ) -> Result<Closing, JournalError> {
        self.close_day_noted(cash_counted, terminal, None)
    }

    /// Stores the terminal's end-of-day answer as its own entry, so that the
    /// closing finds it even after a restart.
    pub fn record_terminal_end_of_day(
        &mut self,
        answer: &serde_json::Value,
    ) -> Result<(), JournalError> {
        let tx = self.write_tx()?;
        Appender::new(&tx)?.append(
            kind::TERMINAL_END_OF_DAY,
            None,
            None,
            &answer.to_string(),
            None,
        )?;
        tx.commit()?;
        Ok(())
    }

    /// [`Journal::close_day`] with the cashier's note. Without `terminal`,
    /// the terminal's answer recorded since the last closing is stored.
    pub fn close_day_noted(
        &mut self,
        cash_counted: Cents,
        terminal: Option<serde_json::Value>,
        note: Option<&str>,
    ) -> Result<Closing, JournalError> {
        self.close_day_retaining(cash_counted, terminal, note, None)
    }

    /// [`Journal::close_day_noted`] with the cash kept in the drawer for the
    /// next day (`retained`, at most what was counted; the next float's
    /// suggestion). A counting difference is journaled as its own entry
    /// (`cash_difference`, DSFinV-K `DifferenzSollIst`) before the closing.
    pub fn close_day_retaining(
        &mut self,
        cash_counted: Cents,
        terminal: Option<serde_json::Value>,
        note: Option<&str>,
        retained: Option<Cents>,
    ) -> Result<Closing, JournalError> {
        if !(0..=MAX_COUNTED).contains(&cash_counted.0) {
            return Err(JournalError::CountedCash);
        }
        if retained.is_some_and(|r| r.0 < 0 || r > cash_counted) {
            return Err(JournalError::Amount);
        }
        let note = note.map(crate::basket::clean_text);
        if note.as_ref().is_some_and(|n| n.chars().count() > MAX_NOTE) {
            return Err(JournalError::NoteTooLong);
        }
        let tx = self.write_tx()?;
        let in_doubt: i64 = tx.query_row(
            "SELECT COUNT(*) FROM open_sales WHERE state IN ('paying', 'cancelling')",
            [],
            |r| r.get(0),
        )?;
        if in_doubt > 0 {
            return Err(JournalError::PaymentsInDoubt(in_doubt as usize));
        }
        let previous = last_closing(&tx)?;
        let since = match &previous {
            Some((seq, _)) => totals_at(&tx, Some(*seq))?,
            None => RunningTotals::default(),
        };
        let now = latest_totals(&tx)?;
        let since_seq = previous.as_ref().map_or(0, |(seq, _)| *seq);
        let (qr, qr_count) = super::query::qr_payments(&tx, since_seq)?;
        let figures = DayFigures::between(&since, &now).with_qr(qr, qr_count);
        let terminal = match terminal {
            Some(t) => Some(t),
            None => terminal_since_closing(&tx)?.map(|(_, t)| t),
        };
        let opened_at = first_entry_after(&tx, since_seq)?;
        let tse = super::tse_events::tse_summary(&tx, since_seq)?;
        let drawer = super::cash_day::drawer_figures(&tx, since_seq, i64::MAX)?;
        let by_cashier = takings_by_cashier(&tx, since_seq)?;
        let mut app = Appender::new(&tx)?;
        let difference = cash_counted - figures.cash_expected;
        if difference != Cents::ZERO {
            let body = serde_json::json!({
                "business_case": crate::cash_movement::DIFFERENCE_BUSINESS_CASE,
                "amount": difference,
                "expected": figures.cash_expected,
                "counted": cash_counted,
            });
            app.append(kind::CASH_DIFFERENCE, None, None, &body.to_string(), None)?;
        }
        let closing = Closing {
            z_number: previous.map(|(_, c)| c.z_number).unwrap_or(0) + 1,
            closed_at: app.created_at.clone(),
            difference,
            figures,
            cash_counted,
            terminal,
            chain_head: hex::encode(app.prev),
            note: note.filter(|n| !n.is_empty()),
            opened_at,
            tse,
            retained,
            drawer: Some(drawer),
            by_cashier,
        };
        // The closing carries the totals it closed at: the next day starts from them.
        app.append(
            kind::CLOSING,
            None,
            None,
            &serde_json::to_string(&closing)?,
            Some(&now),
        )?;
        tx.commit()?;
        Ok(closing)
    }

    /// The provider refused, for good, to register a sale paid offline: it
    /// leaves the queue so that the sales after it go on, and waits for the
    /// merchant with the provider's words (`problem`). The sale stays paid.
    pub fn record_outbox_refused(
        &mut self,
        sale_id: &str,
        problem: &str,
        provider: Option<&serde_json::Value>,
    ) -> Result<(), JournalError> {
        let tx = self.write_tx()?;
        queued_for(&tx, sale_id, "refused by the provider from the outbox")?;
        let body = serde_json::json!({"problem": problem, "provider": provider}).to_string();
        let mut app = Appender::new(&tx)?;
        app.name_work_cashier(work_cashier(&tx, sale_id, &["queued"])?);
        app.append(kind::OUTBOX_REFUSED, Some(sale_id), None, &body, None)?;
        tx.prepare_cached(
            "UPDATE open_sales SET state = 'failed', problem = ?2 WHERE sale_id = ?1",
        )?
        .execute(params![sale_id, problem])?;
        tx.commit()?;
        Ok(())
    }
}
