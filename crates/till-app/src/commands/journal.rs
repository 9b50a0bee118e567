//! The journal screen: find sales, show one, cancel it, preview its receipts.

use serde::Serialize;
use tracing::instrument;
use ts_rs::TS;

use crate::documents::{sale_document, Copy};
use crate::error::{CommandError, ErrorCode};
use crate::state::AppState;
use secuconnect::CancellationToken;
use till::cancellation::{cancel_blocked, CancelBlocked};
pub use till::journal::{JournalEntry, JournalPage, ListedState};
use till::journal::{JournalFilter, SaleRecord, CANCELLATION_PREFIX};
use till::{BasketLine, Cents, CheckoutError, JournalError};

#[derive(Debug, Serialize, TS)]
pub struct SaleDetail {
    #[serde(flatten)]
    pub entry: JournalEntry,
    pub lines: Vec<BasketLine>,
    pub payments: Vec<receipt::PaymentLine>,
    pub transaction_id: Option<String>,
    pub customer_receipt: String,
    pub merchant_receipt: Option<String>,
    pub can_cancel: bool,
    /// Why it cannot be cancelled, as a code the UI words in the cashier's language
    /// (`journal.blocked.<code>`).
    pub cancel_blocked_reason: Option<CancelBlocked>,
    pub z_number: Option<i64>,
}

#[derive(Debug, Serialize, TS)]
pub struct ReceiptPreview {
    pub sale_id: String,
    #[ts(type = "\"customer\" | \"merchant\"")]
    pub copy: String,
    pub text: String,
    pub signature_required: bool,
}

#[derive(Debug, Serialize, TS)]
pub struct CancellationDone {
    pub sale_id: String,
    pub receipt_number: i64,
    pub transaction_id: String,
    pub total: Cents,
    pub receipt_text: String,
}

/// Finds sales by receipt number, amount (either sign) and business day;
/// newest first. The journal answers from its index, not by reading every sale.
#[instrument(skip_all)]
pub async fn journal_search(
    state: &AppState,
    receipt_number: Option<i64>,
    amount: Option<i64>,
    date: Option<String>,
    offset: usize,
    limit: usize,
) -> Result<JournalPage, CommandError> {
    let filter = JournalFilter {
        receipt_number,
        amount: amount.map(Cents),
        date,
    };
    Ok(state.journal().search(&filter, offset, limit)?)
}

fn entry_of(state: &AppState, sale_id: &str) -> Result<JournalEntry, CommandError> {
    state
        .journal()
        .journal_entry(sale_id)?
        .ok_or_else(|| CommandError::new(ErrorCode::NotFound, "This sale is not in the journal."))
}

fn record_of(state: &AppState, receipt_number: i64) -> Result<SaleRecord, CommandError> {
    Ok(state.journal().sale_by_receipt(receipt_number)?)
}

fn customer_text(record: &SaleRecord) -> String {
    let mut text = till::receipt_doc::rebuild(record)
        .map(|r| receipt::render_text(&r, till::checkout::JOURNAL_RECEIPT_WIDTH))
        .unwrap_or_default();
    if let Some(card) = &record.paid.customer_receipt {
        text.push('\n');
        text.push_str(&card.text);
    }
    text
}

/// One sale with its lines, payments and receipts, and whether it may be cancelled.
#[instrument(skip_all)]
pub async fn journal_sale(state: &AppState, sale_id: &str) -> Result<SaleDetail, CommandError> {
    let entry = entry_of(state, sale_id)?;
    if matches!(entry.state, ListedState::Return | ListedState::CashReceipt) {
        return drawer_detail(state, entry);
    }
    let original = match &entry.cancels_sale_id {
        Some(id) => entry_of(state, id)?.receipt_number,
        None => entry.receipt_number,
    };
    let record = record_of(state, original)?;
    let receipt = till::receipt_doc::rebuild(&record);
    let blocked = cancel_blocked(&entry, &record);
    // A cancellation's row shows its own receipt (negative amounts, its own number),
    // the one a reprint from the row prints.
    let (customer_receipt, merchant_receipt) = if entry.state == ListedState::Cancellation {
        let document = sale_document(&state.journal(), &entry.sale_id, Copy::Customer)?;
        let text = match document {
            receipt::Document::Receipt { receipt, .. } => {
                receipt::render_text(&receipt, till::checkout::JOURNAL_RECEIPT_WIDTH)
            }
            _ => String::new(),
        };
        (text, None)
    } else {
        (
            customer_text(&record),
            record
                .paid
                .merchant_receipt
                .as_ref()
                .map(|r| r.text.clone()),
        )
    };
    Ok(SaleDetail {
        lines: record.intent.basket.lines.clone(),
        payments: receipt.map(|r| r.payments).unwrap_or_default(),
        transaction_id: record
            .paid
            .transaction_id
            .clone()
            .or(record.intent.transaction_id.clone()),
        customer_receipt,
        merchant_receipt,
        can_cancel: blocked.is_none(),
        cancel_blocked_reason: blocked,
        z_number: record.closed_in,
        entry,
    })
}

/// A return's or a cash receipt's row opened: its slip as it was issued (to
/// print again); it is cancelled by booking the opposite, never from here.
fn drawer_detail(state: &AppState, entry: JournalEntry) -> Result<SaleDetail, CommandError> {
    let document = sale_document(&state.journal(), &entry.sale_id, Copy::Customer)?;
    let payments = match &document {
        receipt::Document::Receipt { receipt, .. } => receipt.payments.clone(),
        _ => Vec::new(),
    };
    let text = receipt::render_document_text(&document, till::checkout::JOURNAL_RECEIPT_WIDTH);
    Ok(SaleDetail {
        entry,
        lines: Vec::new(),
        payments,
        transaction_id: None,
        customer_receipt: text,
        merchant_receipt: None,
        can_cancel: false,
        cancel_blocked_reason: None,
        z_number: None,
    })
}

/// Cancels a sale by a counter-booking (a card payment on the terminal first).
#[instrument(skip_all)]
pub async fn cancel_sale(
    state: &AppState,
    sale_id: &str,
    reason: Option<String>,
    manager_pin: Option<String>,
) -> Result<CancellationDone, CommandError> {
    let entry = entry_of(state, sale_id)?;
    crate::cashier::authorise(
        state,
        catalog::Action::CancelSale,
        till::Cents(entry.total.0.abs()),
        manager_pin.as_deref(),
    )?;
    match entry.state {
        ListedState::Cancellation => {
            return Err(CommandError::new(
                ErrorCode::NotCancellable,
                "A cancellation cannot be cancelled.",
            ))
        }
        ListedState::Cancelled => {
            return Err(CommandError::new(
                ErrorCode::AlreadyCancelled,
                "This sale is already cancelled.",
            ))
        }
        ListedState::Return | ListedState::CashReceipt => {
            return Err(CommandError::new(
                ErrorCode::NotCancellable,
                "A return or a cash receipt is not cancelled: book the opposite instead.",
            ))
        }
        ListedState::Paid => {}
    }
    // Lines already taken back were refunded: the rest goes back as a return.
    if !state.journal().returns_of(sale_id)?.is_empty() {
        return Err(CommandError::new(
            ErrorCode::NotCancellable,
            "Lines of this sale were taken back already: take the rest back as a return.",
        ));
    }
    let _work = state.provider_work.lock().await;
    let reason = reason
        .map(|r| till::basket::clean_text(&r))
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| "Storno".into());
    if reason.chars().count() > till::basket::MAX_TEXT {
        return Err(CommandError::new(
            ErrorCode::InvalidInput,
            format!(
                "The reason is too long (at most {} characters).",
                till::basket::MAX_TEXT
            ),
        ));
    }
    let done = match state
        .checkout()
        .cancel_sale(entry.receipt_number, &reason, &CancellationToken::new())
        .await
    {
        Ok(done) => done,
        Err(CheckoutError::Journal(JournalError::ClosedIn(z))) => {
            return Err(CommandError::new(
                ErrorCode::NotCancellable,
                format!(
                    "The sale is in closing Z {z}: the card payment can no longer be cancelled."
                ),
            ))
        }
        Err(CheckoutError::Journal(JournalError::Transition { .. })) => {
            return Err(CommandError::new(
                ErrorCode::AlreadyCancelled,
                "This sale cannot be cancelled (again).",
            ))
        }
        Err(e) => return Err(e.into()),
    };
    Ok(CancellationDone {
        sale_id: format!("{CANCELLATION_PREFIX}{}", done.receipt_number),
        receipt_number: done.receipt_number,
        transaction_id: record_of(state, entry.receipt_number)
            .ok()
            .and_then(|r| r.intent.transaction_id)
            .unwrap_or_default(),
        total: done.total,
        receipt_text: done.receipt_text.unwrap_or_default(),
    })
}

/// A receipt as plain text, as the printer would print it.
#[instrument(skip_all)]
pub async fn receipt_preview(
    state: &AppState,
    sale_id: String,
    copy: String,
) -> Result<ReceiptPreview, CommandError> {
    let detail = journal_sale(state, &sale_id).await?;
    let (text, signature_required) = match copy.as_str() {
        "merchant" => {
            let text = detail.merchant_receipt.ok_or_else(|| {
                CommandError::new(ErrorCode::NotFound, "This sale has no merchant copy.")
            })?;
            let sign = receipt::asks_for_signature(&text);
            (text, sign)
        }
        _ => (detail.customer_receipt, false),
    };
    Ok(ReceiptPreview {
        sale_id,
        copy,
        text,
        signature_required,
    })
}
