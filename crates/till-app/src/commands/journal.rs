//! The journal screen: find sales, show one, cancel it, preview its receipts.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use serde_json::Value;
use tracing::instrument;
use ts_rs::TS;

use crate::documents::{sale_document, Copy, CANCELLATION_PREFIX};
use crate::error::{CommandError, ErrorCode};
use crate::state::AppState;
use secuconnect::CancellationToken;
use till::journal::{kind, SaleRecord};
use till::{BasketLine, Cents, CheckoutError, JournalError, PaymentMethod, SaleState};

/// A row of the journal screen: a sale, paid or cancelled, or a cancellation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum EntryState {
    Paid,
    Cancelled,
    Cancellation,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct JournalEntry {
    pub sale_id: String,
    pub receipt_number: i64,
    pub issued_at: String,
    #[ts(type = "number")]
    pub total: Cents,
    #[ts(type = "Array<PaymentMethod>")]
    pub methods: Vec<PaymentMethod>,
    pub state: EntryState,
    pub cancels_sale_id: Option<String>,
    pub cancelled_by_sale_id: Option<String>,
    pub synced: bool,
}

#[derive(Debug, Serialize, TS)]
pub struct JournalPage {
    pub total_count: usize,
    pub entries: Vec<JournalEntry>,
}

#[derive(Debug, Serialize, TS)]
pub struct SaleDetail {
    #[serde(flatten)]
    pub entry: JournalEntry,
    #[ts(type = "Array<BasketLine>")]
    pub lines: Vec<BasketLine>,
    #[ts(type = "Array<PaymentLine>")]
    pub payments: Vec<receipt::PaymentLine>,
    pub transaction_id: Option<String>,
    pub customer_receipt: String,
    pub merchant_receipt: Option<String>,
    pub can_cancel: bool,
    /// Why it cannot be cancelled, as a code the UI words in the cashier's language
    /// (`journal.blocked.<code>`).
    #[ts(
        type = "\"cancellation\" | \"cancelling\" | \"already_cancelled\" | \"terminal_closed\" | null"
    )]
    pub cancel_blocked_reason: Option<&'static str>,
    pub z_number: Option<i64>,
}

#[derive(Debug, Serialize, TS)]
pub struct ReceiptPreview {
    pub sale_id: String,
    pub copy: String,
    pub text: String,
    pub signature_required: bool,
}

#[derive(Debug, Serialize, TS)]
pub struct CancellationDone {
    pub sale_id: String,
    pub receipt_number: i64,
    pub transaction_id: String,
    #[ts(type = "number")]
    pub total: Cents,
    pub receipt_text: String,
}

fn payments_of(body: &Value) -> (Cents, Vec<PaymentMethod>) {
    let payments: Vec<till::journal::Payment> =
        serde_json::from_value(body["payments"].clone()).unwrap_or_default();
    let total = payments.iter().map(|p| p.amount).sum();
    let mut methods: Vec<PaymentMethod> = Vec::new();
    for p in &payments {
        if !methods.contains(&p.method) {
            methods.push(p.method);
        }
    }
    (total, methods)
}

/// Every sale and cancellation, newest first.
fn all_entries(state: &AppState) -> Result<Vec<JournalEntry>, CommandError> {
    let journal = state.journal();
    let sales = journal.entries(Some(kind::SALE))?;
    let cancellations = journal.entries(Some(kind::CANCELLATION))?;
    let queued: HashSet<String> = journal.outbox()?.into_iter().map(|q| q.sale_id).collect();
    drop(journal);
    let cancelled_by: HashMap<String, i64> = cancellations
        .iter()
        .filter_map(|c| Some((c.sale_id.clone()?, c.receipt_number?)))
        .collect();
    let mut out: Vec<(i64, JournalEntry)> = Vec::new();
    for s in sales {
        let (Some(sale_id), Some(number)) = (s.sale_id, s.receipt_number) else {
            continue;
        };
        let (total, methods) = payments_of(&s.body);
        let cancelled = cancelled_by.get(&sale_id);
        out.push((
            s.seq,
            JournalEntry {
                synced: !queued.contains(&sale_id),
                state: if cancelled.is_some() {
                    EntryState::Cancelled
                } else {
                    EntryState::Paid
                },
                cancelled_by_sale_id: cancelled.map(|n| format!("{CANCELLATION_PREFIX}{n}")),
                cancels_sale_id: None,
                sale_id,
                receipt_number: number,
                issued_at: s.created_at,
                total,
                methods,
            },
        ));
    }
    for c in cancellations {
        let (Some(sale_id), Some(number)) = (c.sale_id, c.receipt_number) else {
            continue;
        };
        let (_, methods) = payments_of(&c.body);
        out.push((
            c.seq,
            JournalEntry {
                sale_id: format!("{CANCELLATION_PREFIX}{number}"),
                receipt_number: number,
                issued_at: c.created_at,
                total: Cents(c.body["total"].as_i64().unwrap_or(0)),
                methods,
                state: EntryState::Cancellation,
                cancels_sale_id: Some(sale_id),
                cancelled_by_sale_id: None,
                synced: true,
            },
        ));
    }
    out.sort_by_key(|(seq, _)| std::cmp::Reverse(*seq));
    Ok(out.into_iter().map(|(_, e)| e).collect())
}

/// Finds sales by receipt number, amount (either sign) and business day; newest first.
#[instrument(skip_all)]
pub async fn journal_search(
    state: &AppState,
    receipt_number: Option<i64>,
    amount: Option<i64>,
    date: Option<String>,
    offset: usize,
    limit: usize,
) -> Result<JournalPage, CommandError> {
    let found: Vec<JournalEntry> = all_entries(state)?
        .into_iter()
        .filter(|e| receipt_number.is_none_or(|n| e.receipt_number == n))
        .filter(|e| amount.is_none_or(|a| e.total.0.abs() == a.abs()))
        .filter(|e| date.as_deref().is_none_or(|d| local_day(&e.issued_at) == d))
        .collect();
    Ok(JournalPage {
        total_count: found.len(),
        entries: found.into_iter().skip(offset).take(limit).collect(),
    })
}

fn local_day(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%Y-%m-%d")
                .to_string()
        })
        .unwrap_or_else(|_| at.get(..10).unwrap_or(at).to_string())
}

fn entry_of(state: &AppState, sale_id: &str) -> Result<JournalEntry, CommandError> {
    all_entries(state)?
        .into_iter()
        .find(|e| e.sale_id == sale_id)
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

/// The part of "may this be cancelled" the journal's row tells: a
/// cancellation cannot be cancelled, a cancelled sale not again. The sale's
/// own state says the rest (`journal_sale`), the checkout checks it again.
fn entry_blocks_cancel(entry: &JournalEntry) -> Option<&'static str> {
    match entry.state {
        EntryState::Cancellation => Some("cancellation"),
        EntryState::Cancelled => Some("already_cancelled"),
        EntryState::Paid => None,
    }
}

/// One sale with its lines, payments and receipts, and whether it may be cancelled.
#[instrument(skip_all)]
pub async fn journal_sale(state: &AppState, sale_id: &str) -> Result<SaleDetail, CommandError> {
    let entry = entry_of(state, sale_id)?;
    let original = match &entry.cancels_sale_id {
        Some(id) => entry_of(state, id)?.receipt_number,
        None => entry.receipt_number,
    };
    let record = record_of(state, original)?;
    let receipt = till::receipt_doc::rebuild(&record);
    let is_card = record
        .paid
        .payments
        .iter()
        .any(|p| p.method == PaymentMethod::Card);
    let blocked = entry_blocks_cancel(&entry).or(if record.state == SaleState::Cancelling {
        Some("cancelling")
    } else if record.state != SaleState::Paid {
        Some("already_cancelled")
    } else if is_card && record.closed_in.is_some() {
        Some("terminal_closed")
    } else {
        None
    });
    // A cancellation's row shows its own receipt (negative amounts, its own number),
    // the one a reprint from the row prints.
    let (customer_receipt, merchant_receipt) = if entry.state == EntryState::Cancellation {
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

/// Cancels a sale by a counter-booking (a card payment on the terminal first).
#[instrument(skip_all)]
pub async fn cancel_sale(
    state: &AppState,
    sale_id: &str,
    reason: Option<String>,
) -> Result<CancellationDone, CommandError> {
    let entry = entry_of(state, sale_id)?;
    match entry_blocks_cancel(&entry) {
        Some("cancellation") => {
            return Err(CommandError::new(
                ErrorCode::NotCancellable,
                "A cancellation cannot be cancelled.",
            ))
        }
        Some(_) => {
            return Err(CommandError::new(
                ErrorCode::AlreadyCancelled,
                "This sale is already cancelled.",
            ))
        }
        None => {}
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
