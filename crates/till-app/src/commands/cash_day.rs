//! The drawer's day: the opening float, discounts, cash in and out, returns
//! and the X report. Thin: the rules live in `till`.

use serde::{Deserialize, Serialize};
use tracing::instrument;
use ts_rs::TS;

use crate::cashier::authorise;
use crate::error::{CommandError, ErrorCode};
use crate::printing::Pdf;
use crate::state::AppState;
use catalog::Action;
use till::cash_movement::CashReason;
use till::discount::{self, Discount};
use till::journal::FloatState;
use till::returns::ReturnLine;
use till::{Basket, Cents};

/// A movement or return booked: its receipt number and the slip.
#[derive(Debug, Serialize, TS)]
pub struct DrawerReceipt {
    pub receipt_number: i64,
    /// Signed: in positive, out (and refunds) negative.
    pub amount: Cents,
    pub receipt_text: String,
    /// The whole card sale was cancelled on the terminal instead (`canceltrx`).
    pub card_cancelled: bool,
}

/// The discounts the cashier gave: per line (by index) and on the basket.
#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct DiscountRequest {
    #[serde(default)]
    pub lines: Vec<Option<Discount>>,
    #[serde(default)]
    pub basket: Option<Discount>,
}

/// The running period's float, its suggestion and whether it can change.
#[instrument(skip_all)]
pub async fn float_state(state: &AppState) -> Result<FloatState, CommandError> {
    Ok(state.journal().float_state()?)
}

/// Sets the opening float (until the first sale), signed by the TSE.
#[instrument(skip_all)]
pub async fn set_float(state: &AppState, amount: Cents) -> Result<FloatState, CommandError> {
    crate::cashier::on_duty(state)?;
    Ok(state.checkout().set_opening_float(amount).await?)
}

/// The basket with the discounts turned into cents on its lines, ready to
/// pay; a discount above the limit needs a manager.
#[instrument(skip_all)]
pub async fn apply_discounts(
    state: &AppState,
    basket: Basket,
    discounts: DiscountRequest,
    manager_pin: Option<String>,
) -> Result<Basket, CommandError> {
    let priced = discount::apply(&basket.clean(), &discounts.lines, discounts.basket)
        .map_err(|e| CommandError::new(ErrorCode::InvalidInput, capitalised(&e.to_string())))?;
    let off: Cents = priced.lines.iter().map(|l| l.discount).sum();
    // A manager's authorisation is journaled by `authorise` itself (entry `authorisation`).
    authorise(state, Action::Discount, off, manager_pin.as_deref())?;
    Ok(priced)
}

/// Cash in or out for `reason`: a receipt of its own, the slip printed and the drawer opened.
#[instrument(skip_all)]
pub async fn cash_movement(
    state: &AppState,
    reason: CashReason,
    amount: Cents,
    note: Option<String>,
    manager_pin: Option<String>,
) -> Result<DrawerReceipt, CommandError> {
    crate::cashier::on_duty(state)?;
    let authorised = match reason.direction() {
        till::cash_movement::Direction::Out => {
            authorise(state, Action::CashOut, amount, manager_pin.as_deref())?
        }
        till::cash_movement::Direction::In => None,
    };
    let authorised = authorised.map(|a| serde_json::to_value(a).unwrap_or_default());
    let booked = state
        .checkout()
        .cash_movement(reason, amount, note.as_deref().unwrap_or(""), authorised)
        .await?;
    let document = receipt::Document::receipt(booked.receipt);
    let receipt_text =
        receipt::render_document_text(&document, till::checkout::JOURNAL_RECEIPT_WIDTH);
    state.printing.after_sale(document, true);
    Ok(DrawerReceipt {
        receipt_number: booked.record.receipt_number,
        amount: booked.record.signed(),
        receipt_text,
        card_cancelled: false,
    })
}

/// Takes lines of receipt `receipt_number` back. A whole sale paid on the
/// card is cancelled on the terminal (the cancellation); anything else is
/// refunded in cash as a return receipt, the drawer opened.
#[instrument(skip_all)]
pub async fn return_lines(
    state: &AppState,
    receipt_number: i64,
    lines: Vec<ReturnLine>,
    manager_pin: Option<String>,
) -> Result<DrawerReceipt, CommandError> {
    crate::cashier::on_duty(state)?;
    let checkout = state.checkout();
    if checkout.return_is_whole_card_sale(receipt_number, &lines)? {
        let sale_id = state.journal().sale_by_receipt(receipt_number)?.sale_id;
        // The cancellation asks for the right to cancel itself.
        let done = crate::commands::journal::cancel_sale(
            state,
            &sale_id,
            Some("Rückgabe".into()),
            manager_pin,
        )
        .await?;
        return Ok(DrawerReceipt {
            receipt_number: done.receipt_number,
            amount: done.total,
            receipt_text: done.receipt_text,
            card_cancelled: true,
        });
    }
    let booked = {
        let _work = state.provider_work.lock().await;
        let sale = state.journal().sale_by_receipt(receipt_number)?;
        let done = state.journal().returns_of(&sale.sale_id)?;
        let already = till::returns::returned_per_line(&sale.intent.basket, &done);
        let planned = till::returns::plan(&sale.intent.basket, &already, &lines)
            .map_err(|e| CommandError::from(till::journal::CashDayError::from(e)))?;
        let refund: Cents = planned.iter().map(|l| -l.amount).sum();
        // Money given back for a paid sale: the right to cancel (Storno).
        let authorised = authorise(state, Action::CancelSale, refund, manager_pin.as_deref())?
            .map(|a| serde_json::to_value(a).unwrap_or_default());
        checkout
            .take_back(receipt_number, &lines, authorised)
            .await?
    };
    let document = receipt::Document::receipt(booked.receipt);
    let receipt_text =
        receipt::render_document_text(&document, till::checkout::JOURNAL_RECEIPT_WIDTH);
    state.printing.after_sale(document, true);
    Ok(DrawerReceipt {
        receipt_number: booked.record.receipt_number,
        amount: booked.record.total,
        receipt_text,
        card_cancelled: false,
    })
}

/// The X report: the running period's figures, as the Z report shows them.
pub fn x_report_document(state: &AppState) -> Result<receipt::Document, CommandError> {
    let (figures, drawer, by_cashier, opened_at, tse) = {
        let journal = state.journal();
        (
            journal.day_figures()?,
            journal.drawer_figures()?,
            journal.takings_by_cashier()?,
            journal.day_opened_at()?,
            journal.running_tse_summary()?,
        )
    };
    let shop = state.shop();
    let now = chrono::Local::now().to_rfc3339();
    Ok(receipt::Document::ZReport(till::z_report::x_report(
        figures,
        drawer,
        by_cashier,
        opened_at,
        tse,
        &now,
        &till::z_report::ZReportHeader {
            shop: &shop,
            till_id: &state.till_id,
            demo: state.demo,
        },
    )))
}

/// The X report as text (for the screen).
#[instrument(skip_all)]
pub async fn x_report_text(state: &AppState) -> Result<String, CommandError> {
    Ok(receipt::render_document_text(
        &x_report_document(state)?,
        42,
    ))
}

/// Prints the X report on the receipt printer.
#[instrument(skip_all)]
pub async fn print_x_report(state: &AppState) -> Result<(), CommandError> {
    let document = x_report_document(state)?;
    state.printing.print(document).await
}

/// The X report as an A4 PDF.
#[instrument(skip_all)]
pub async fn x_report_pdf(state: &AppState) -> Result<Pdf, CommandError> {
    let document = x_report_document(state)?;
    let bytes = crate::printing::blocking(move || receipt::pdf::document_pdf(&document, 42))
        .await?
        .map_err(|e| {
            CommandError::new(ErrorCode::Io, format!("The PDF could not be made ({e})."))
        })?;
    Ok(Pdf {
        bytes,
        file_name: format!(
            "X-Bericht-{}.pdf",
            chrono::Local::now().format("%Y-%m-%d-%H%M")
        ),
    })
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
