//! Cancelling a paid sale: a counter-booking in the journal, after the
//! provider has reversed what it holds.
//!
//! - card payment: `canceltrx` by the terminal's receipt number, only before
//!   the terminal's end of day (refused once the sale is in a closing);
//! - a sale with a secucard: the smart transaction is cancelled, which gives
//!   the card back what it paid and takes a load back;
//! - cash: the counter-booking alone; with a TSE, its transaction is
//!   journaled (`tse_start`, naming the receipt) before the TSE signs it, so
//!   a crash after the signature is read back at the restart and the
//!   cancellation journaled with what the TSE signed
//!   ([`Checkout::finish_cash_cancellation`]).
//!
//! Where the provider moves money back, the intent to cancel is journaled
//! first (`cancelling`), exactly like the intent to pay: whatever fails after
//! the call went out (a lost answer, a 409 "already cancelled", a journal that
//! cannot write, a crash) is settled by reading the transaction back, here
//! or when catching up — never by asking the provider again.

use secuconnect::{CancellationToken, Execution, SmartTransaction};
use serde::{Deserialize, Serialize};
use tracing::{info, instrument, warn};

use crate::checkout::{Checkout, CheckoutError, JOURNAL_RECEIPT_WIDTH};
use crate::closing::PaymentMethod;
use crate::drill;
use crate::journal::{JournalEntry, JournalError, ListedState, SaleRecord, TseStartOf};
use crate::money::Cents;
use crate::receipt_doc;
use crate::sale::{SaleEvent, SaleState, TransitionError};
use crate::tse::{Tse, TseRecord};
use crate::tse_event::lock;

/// A cancellation as the cashier sees it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CancelledSale {
    /// The cancellation's own receipt number.
    pub receipt_number: i64,
    pub cancels_receipt: i64,
    /// Negative: what goes back to the customer.
    pub total: Cents,
    pub provider: Option<serde_json::Value>,
    /// The cancellation receipt (negative amounts, naming the original).
    pub receipt_text: Option<String>,
}

/// How a paid sale's money goes back at the provider.
enum Reversal {
    /// `canceltrx` on the terminal, by its receipt number.
    Terminal(i64),
    /// Cancelling the smart transaction (a secucard paid or was loaded).
    Transaction(String),
}

/// What the provider did with a reversal.
enum Reversed {
    Yes(serde_json::Value),
    /// It did not reverse the payment: the sale stays paid.
    No(secuconnect::Error),
    /// Not known yet: read back later.
    Unknown,
}

/// Why a row of the journal cannot be cancelled, as a code the UI words in
/// the cashier's language (`journal.blocked.<code>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum CancelBlocked {
    /// The row is a cancellation itself.
    Cancellation,
    /// A cancellation of the sale is under way at the provider.
    Cancelling,
    /// The sale is cancelled already.
    AlreadyCancelled,
    /// A card payment in a closing: the terminal has ended its day and can
    /// no longer reverse it.
    TerminalClosed,
}

impl CancelBlocked {
    /// The code as the UI knows it.
    pub fn code(self) -> &'static str {
        match self {
            CancelBlocked::Cancellation => "cancellation",
            CancelBlocked::Cancelling => "cancelling",
            CancelBlocked::AlreadyCancelled => "already_cancelled",
            CancelBlocked::TerminalClosed => "terminal_closed",
        }
    }
}

/// Whether the journal's row `row` can be cancelled, and if not, why;
/// `sale` is the sale the row is (or, for a cancellation, reverses).
pub fn cancel_blocked(row: &JournalEntry, sale: &SaleRecord) -> Option<CancelBlocked> {
    if row.state == ListedState::Cancellation {
        Some(CancelBlocked::Cancellation)
    } else if sale.state == SaleState::Cancelling {
        Some(CancelBlocked::Cancelling)
    } else if sale.state != SaleState::Paid {
        Some(CancelBlocked::AlreadyCancelled)
    } else if terminal_closed_in(sale).is_some() {
        Some(CancelBlocked::TerminalClosed)
    } else {
        None
    }
}

/// The closing a sale paid by card is in: the terminal's end of day has
/// settled the card payment, so the terminal can no longer reverse it.
fn terminal_closed_in(record: &SaleRecord) -> Option<i64> {
    let by_card = record
        .paid
        .payments
        .iter()
        .any(|p| p.method == PaymentMethod::Card);
    record.closed_in.filter(|_| by_card)
}

/// How a paid sale is reversed at the provider; `None` for cash alone.
fn reversal_of(record: &SaleRecord) -> Result<Option<Reversal>, CheckoutError> {
    let card = record
        .paid
        .payments
        .iter()
        .find(|p| p.method == PaymentMethod::Card);
    if let Some(card) = card {
        if let Some(z) = terminal_closed_in(record) {
            return Err(JournalError::ClosedIn(z).into());
        }
        let number = card.terminal_receipt.ok_or_else(|| {
            JournalError::Other("the card payment has no terminal receipt number".into())
        })?;
        return Ok(Some(Reversal::Terminal(number)));
    }
    // A QR payment was made on the provider's page: the provider gives it back.
    let by_qr = record
        .paid
        .payments
        .iter()
        .any(|p| p.method == PaymentMethod::Qr);
    Ok(
        match (&record.intent.basket.card, &record.paid.transaction_id) {
            (Some(_), Some(id)) => Some(Reversal::Transaction(id.clone())),
            (None, Some(id)) if by_qr => Some(Reversal::Transaction(id.clone())),
            _ => None,
        },
    )
}

/// The sale's state refuses a cancellation: say so before touching the provider.
fn refused(record: &SaleRecord, receipt_number: i64) -> Result<(), CheckoutError> {
    match record.state.apply(SaleEvent::BeginCancel) {
        Ok(_) => Ok(()),
        Err(TransitionError::CancelInDoubt) => Err(CheckoutError::CancelInDoubt { receipt_number }),
        Err(source) => Err(JournalError::Transition {
            sale_id: record.sale_id.clone(),
            source,
        }
        .into()),
    }
}

impl Checkout<'_> {
    #[instrument(skip(self, cancel))]
    pub async fn cancel_sale(
        &self,
        receipt_number: i64,
        reason: &str,
        cancel: &CancellationToken,
    ) -> Result<CancelledSale, CheckoutError> {
        let record = self.journal().sale_by_receipt(receipt_number)?;
        refused(&record, receipt_number)?;
        let Some(reversal) = reversal_of(&record)? else {
            return self.cancel_cash(&record, reason).await;
        };
        // The intent first: from here a failure is a cancellation in doubt.
        {
            let mut journal = self.journal();
            journal.begin_cancellation(receipt_number, reason)?;
            journal.payment_started(&record.sale_id);
        }
        let answer = self.reverse(&record, &reversal, cancel).await;
        self.journal().payment_returned(&record.sale_id);
        let in_doubt = CheckoutError::CancelInDoubt { receipt_number };
        match answer {
            Reversed::Yes(provider) => self
                .book_cancellation(&record, reason, Some(provider))
                .await
                .map_err(|e| {
                    warn!(error = %e, "the reversal is done but not journaled yet");
                    in_doubt
                }),
            Reversed::No(e) => {
                warn!(error = %e, "the provider did not reverse the payment");
                let provider = serde_json::to_value(e.user_message()).ok();
                match self.journal().record_cancel_failed(
                    &record.sale_id,
                    &e.to_string(),
                    provider.as_ref(),
                ) {
                    Ok(()) => Err(e.into()),
                    Err(j) => {
                        warn!(error = %j, "the refused reversal is not journaled yet");
                        Err(in_doubt)
                    }
                }
            }
            Reversed::Unknown => Err(in_doubt),
        }
    }

    /// Asks the provider to give the money back and sorts its answer; an
    /// answer that is not a clear yes or no is read back.
    async fn reverse(
        &self,
        record: &SaleRecord,
        reversal: &Reversal,
        cancel: &CancellationToken,
    ) -> Reversed {
        drill::point("before_cancel");
        let answer = match reversal {
            Reversal::Terminal(number) => {
                self.client.cancel_terminal_payment(*number, cancel).await
            }
            Reversal::Transaction(id) => self.client.cancel_transaction(id).await,
        };
        drill::point("after_cancel_answer");
        match answer {
            Ok(stx) => Reversed::Yes(serde_json::to_value(&stx).unwrap_or_default()),
            Err(e) if e.execution() == Execution::NotExecuted => Reversed::No(e),
            // A 409 ("already cancelled"), a lost answer, a 5xx: what the
            // provider holds now tells.
            Err(e) => match self.read_back(record).await {
                Some(stx) if stx.status.is_cancelled() => {
                    Reversed::Yes(serde_json::to_value(&stx).unwrap_or_default())
                }
                Some(_) if e.execution() == Execution::Executed => Reversed::No(e),
                _ => {
                    warn!(error = %e, "the reversal is not confirmed yet");
                    Reversed::Unknown
                }
            },
        }
    }

    async fn read_back(&self, record: &SaleRecord) -> Option<SmartTransaction> {
        let id = record.paid.transaction_id.as_deref()?;
        match self.client.get_transaction(id).await {
            Ok(stx) => Some(stx),
            Err(e) => {
                warn!(error = %e, stx = %id, "cannot read the cancelled sale back yet");
                None
            }
        }
    }

    /// A cash sale's cancellation: nothing to reverse at a provider, so its
    /// TSE transaction is the only thing a crash could leave behind; it is
    /// journaled before the TSE is asked, like a cash movement's.
    async fn cancel_cash(
        &self,
        record: &SaleRecord,
        reason: &str,
    ) -> Result<CancelledSale, CheckoutError> {
        let Some(tse) = self.tse else {
            return self.book_cancellation(record, reason, None).await;
        };
        let tx_id = crate::tse::cancellation_tx_id(&record.sale_id);
        self.journal().record_tse_start_of(
            &tx_id,
            &TseStartOf {
                cancels_receipt: Some(record.receipt_number),
                reason: Some(reason.into()),
            },
        )?;
        // The clean-up of open events leaves it alone while it is signed here.
        lock(&tse.in_flight).insert(tx_id.clone());
        let booked = self.book_cancellation(record, reason, None).await;
        lock(&tse.in_flight).remove(&tx_id);
        booked
    }

    /// A cash sale's cancellation found open at start (`tse_start` naming
    /// `receipt_number`, no cancellation entry): the TSE is asked again
    /// under the same transaction id, which answers what it signed before
    /// the crash or signs it now, and the cancellation is journaled with
    /// that. `false` when the TSE cannot sign now (tried again next round:
    /// it may hold a signature that cannot be read now); `None` when the
    /// sale is no longer paid (then the transaction is aborted as any other).
    pub(crate) async fn finish_cash_cancellation(
        &self,
        tse: &Tse,
        tx_id: &str,
        receipt_number: i64,
        reason: &str,
    ) -> Result<Option<bool>, CheckoutError> {
        let record = self.journal().sale_by_receipt(receipt_number)?;
        if record.state != SaleState::Paid {
            warn!(
                receipt = receipt_number,
                "a cancellation found open for a sale no longer paid"
            );
            return Ok(None);
        }
        let signed = tse
            .sign(tx_id, &crate::tse::cancellation_receipt(&record))
            .await;
        self.journal_tse_outage();
        if !matches!(signed, TseRecord::Signed(_)) {
            return Ok(Some(false));
        }
        let (number, _) = self.journal().record_cancellation_signed(
            receipt_number,
            reason,
            None,
            Some(signed),
        )?;
        info!(
            receipt = number,
            cancels = receipt_number,
            "cancellation left open by a stop: journaled with what the TSE signed"
        );
        Ok(Some(true))
    }

    /// The counter-booking, with its receipt.
    /// The cancellation is signed by the TSE first (its own `Beleg`), so its
    /// signature goes into the journal entry.
    async fn book_cancellation(
        &self,
        record: &SaleRecord,
        reason: &str,
        provider: Option<serde_json::Value>,
    ) -> Result<CancelledSale, CheckoutError> {
        let tse = match self.tse {
            Some(tse) => Some(
                tse.sign(
                    &crate::tse::cancellation_tx_id(&record.sale_id),
                    &crate::tse::cancellation_receipt(record),
                )
                .await,
            ),
            None => None,
        };
        // The crash drill stops here: signed by the TSE, not yet journaled.
        drill::point(if provider.is_some() {
            "cancellation_signed"
        } else {
            "cash_cancellation_signed"
        });
        self.journal_tse_outage();
        let (number, c) = self.journal().record_cancellation_signed(
            record.receipt_number,
            reason,
            provider,
            tse,
        )?;
        drill::point("after_cancelled");
        info!(
            receipt = number,
            cancels = record.receipt_number,
            "sale cancelled"
        );
        let receipt_text = receipt_doc::rebuild(record).map(|original| {
            let storno = receipt_doc::cancellation(
                &original,
                number as u64,
                chrono::Local::now(),
                c.tse.as_ref(),
            );
            receipt::render_text(&storno, JOURNAL_RECEIPT_WIDTH)
        });
        Ok(CancelledSale {
            receipt_number: number,
            cancels_receipt: record.receipt_number,
            total: c.total,
            provider: c.provider,
            receipt_text,
        })
    }

    /// Settles the cancellations left `cancelling` (a crash, a lost answer,
    /// a journal that could not write): the transaction read back says
    /// whether the money went back. Their calls have returned, so a
    /// transaction still paid was not reversed.
    pub(crate) async fn settle_cancellations(&self) -> Result<(usize, usize), CheckoutError> {
        let pending: Vec<_> = {
            let journal = self.journal();
            journal
                .pending_cancellations()?
                .into_iter()
                .filter(|p| !journal.payment_running(&p.sale_id))
                .collect()
        };
        let (mut settled, mut open) = (0, 0);
        for p in pending {
            let record = self.journal().sale_by_receipt(p.receipt_number)?;
            match self.read_back(&record).await {
                Some(stx) if stx.status.is_cancelled() => {
                    let provider = serde_json::to_value(&stx).unwrap_or_default();
                    self.book_cancellation(&record, &p.reason, Some(provider))
                        .await?;
                    settled += 1;
                }
                Some(stx) => {
                    info!(receipt = p.receipt_number, status = %stx.status.as_str(), "the cancellation did not happen: the sale stays paid");
                    self.journal().record_cancel_failed(
                        &p.sale_id,
                        &format!(
                            "not reversed at the provider (status {})",
                            stx.status.as_str()
                        ),
                        None,
                    )?;
                    settled += 1;
                }
                None => open += 1,
            }
        }
        Ok((settled, open))
    }
}
