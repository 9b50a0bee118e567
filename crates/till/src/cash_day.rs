//! Cash movements and returns as the cashier books them: signed by the TSE
//! like a sale (a TSE that fails never holds the till: the record says why),
//! then journaled as receipts of their own.

use tracing::info;

use crate::cash_movement::{self, CashReason, CashReceipt};
use crate::checkout::Checkout;
use crate::closing::PaymentMethod;
use crate::journal::CashDayError;
use crate::money::Cents;
use crate::returns::{self, ReturnLine, ReturnRecord};

/// A booked movement or return with its receipt.
#[derive(Debug, Clone)]
pub struct Booked<T> {
    pub record: T,
    pub receipt: receipt::Receipt,
}

impl Checkout<'_> {
    fn lock(&self) -> std::sync::MutexGuard<'_, crate::Journal> {
        self.journal.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Puts cash in or takes it out for `reason`: checked, signed as an
    /// `AVTransfer`, journaled with the next receipt number; the slip.
    pub async fn cash_movement(
        &self,
        reason: CashReason,
        amount: Cents,
        note: &str,
        authorised_by: Option<serde_json::Value>,
    ) -> Result<Booked<CashReceipt>, CashDayError> {
        let mut movement = CashReceipt::new(reason, amount, note)?;
        movement.authorised_by = authorised_by;
        if reason.direction() == cash_movement::Direction::Out {
            // Refused before the TSE signs anything it would not book.
            let expected = self.lock().day_figures()?.cash_expected;
            if amount > expected {
                return Err(CashDayError::NotInDrawer(expected.max(Cents::ZERO)));
            }
        }
        if let Some(tse) = self.tse {
            // Journaled before the TSE signs: a crash after the signature
            // leaves the transaction in the journal's list of open events,
            // which the clean-up at start reads back from the TSE.
            self.lock().record_tse_start(&movement.id)?;
            crate::tse_event::lock(&tse.in_flight).insert(movement.id.clone());
            let record = tse
                .sign(&movement.id, &cash_movement::tse_receipt(&movement))
                .await;
            movement.tse = Some(record);
            self.journal_tse_outage();
        }
        crate::drill::point("cash_signed");
        let booked = self.lock().record_cash_receipt(&mut movement);
        if let Some(tse) = self.tse {
            crate::tse_event::lock(&tse.in_flight).remove(&movement.id);
        }
        booked?;
        crate::drill::point("cash_journaled");
        info!(
            receipt = movement.receipt_number,
            reason = movement.business_case,
            amount = movement.amount.0,
            "cash movement booked"
        );
        let receipt = cash_movement::slip(&movement, &self.shop, self.till_id, self.demo);
        Ok(Booked {
            record: movement,
            receipt,
        })
    }

    /// Sets the opening float (`Anfangsbestand`) until the first sale. With
    /// a TSE, the change is signed as an `AVTransfer`
    /// ([`cash_movement::float_tse_receipt`]) and journaled with the entry,
    /// in the cash movements' order: the TSE transaction journaled first
    /// (`tse_start`), so a crash after the signature is read back at the
    /// restart; a TSE that fails leaves the float journaled unsigned with
    /// why (and the outage), never refused.
    pub async fn set_opening_float(
        &self,
        amount: Cents,
    ) -> Result<crate::journal::FloatState, CashDayError> {
        // Refused before the TSE signs anything it would not book.
        let change = self.lock().float_change(amount)?;
        let Some(tse) = self.tse.filter(|_| change != Cents::ZERO) else {
            return self.lock().set_opening_float(amount);
        };
        let tx_id = crate::tse::new_event_id();
        self.lock().record_tse_start(&tx_id)?;
        crate::tse_event::lock(&tse.in_flight).insert(tx_id.clone());
        let record = tse
            .sign(&tx_id, &cash_movement::float_tse_receipt(change))
            .await;
        self.journal_tse_outage();
        crate::drill::point("float_signed");
        let booked = self
            .lock()
            .set_opening_float_signed(amount, Some((&tx_id, change, record)));
        crate::tse_event::lock(&tse.in_flight).remove(&tx_id);
        let state = booked?;
        info!(float = amount.0, change = change.0, "opening float set");
        Ok(state)
    }

    /// Whether taking `lines` back returns a whole sale paid on the card:
    /// then the card payment is cancelled (`canceltrx`) instead, through the
    /// cancellation.
    pub fn return_is_whole_card_sale(
        &self,
        original_receipt: i64,
        lines: &[ReturnLine],
    ) -> Result<bool, CashDayError> {
        let journal = self.lock();
        let sale = journal.sale_by_receipt(original_receipt)?;
        let done = journal.returns_of(&sale.sale_id)?;
        let already = returns::returned_per_line(&sale.intent.basket, &done);
        let card = sale
            .paid
            .payments
            .iter()
            .any(|p| p.method == PaymentMethod::Card);
        Ok(card && returns::is_whole(&sale.intent.basket, &already, lines))
    }

    /// Takes `lines` of receipt `original_receipt` back and refunds them in
    /// cash: a receipt of its own with negative lines, signed as a `Beleg`.
    pub async fn take_back(
        &self,
        original_receipt: i64,
        lines: &[ReturnLine],
        authorised_by: Option<serde_json::Value>,
    ) -> Result<Booked<ReturnRecord>, CashDayError> {
        let mut record = {
            let journal = self.lock();
            let sale = journal.sale_by_receipt(original_receipt)?;
            if sale.state != crate::SaleState::Paid {
                return Err(returns::ReturnError::NotPaid.into());
            }
            let done = journal.returns_of(&sale.sale_id)?;
            let already = returns::returned_per_line(&sale.intent.basket, &done);
            let planned = returns::plan(&sale.intent.basket, &already, lines)?;
            let vat = returns::vat_of(&planned);
            let total: Cents = planned.iter().map(|l| l.amount).sum();
            ReturnRecord {
                id: uuid::Uuid::new_v4().to_string(),
                receipt_number: 0,
                created_at: String::new(),
                original_receipt,
                original_sale_id: sale.sale_id.clone(),
                lines: planned,
                vat,
                total,
                cash_for_non_cash: sale
                    .paid
                    .payments
                    .iter()
                    .any(|p| p.method != PaymentMethod::Cash),
                tse: None,
                authorised_by,
            }
        };
        let expected = self.lock().day_figures()?.cash_expected;
        if -record.total > expected {
            return Err(CashDayError::NotInDrawer(expected.max(Cents::ZERO)));
        }
        if let Some(tse) = self.tse {
            // Journaled before the TSE signs, as a cash movement: a crash
            // after the signature is read back at the restart.
            self.lock().record_tse_start(&record.id)?;
            crate::tse_event::lock(&tse.in_flight).insert(record.id.clone());
            record.tse = Some(tse.sign(&record.id, &returns::tse_receipt(&record)).await);
            self.journal_tse_outage();
        }
        crate::drill::point("return_signed");
        let booked = self.lock().record_return(&mut record);
        if let Some(tse) = self.tse {
            crate::tse_event::lock(&tse.in_flight).remove(&record.id);
        }
        booked?;
        info!(
            receipt = record.receipt_number,
            original = original_receipt,
            total = record.total.0,
            "return booked"
        );
        let receipt = returns::receipt_of(&record, &self.shop, self.till_id, self.demo);
        Ok(Booked { record, receipt })
    }
}
