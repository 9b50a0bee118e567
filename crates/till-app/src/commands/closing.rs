//! End of day: the running day's figures, the terminal's end of day, the closing (Z report).

use serde::Serialize;
use serde_json::Value;
use tracing::instrument;
use ts_rs::TS;

use crate::error::{CommandError, ErrorCode};
use crate::state::AppState;
use secuconnect::{CancellationToken, Device};
use till::closing::DayFigures;
use till::{Cents, Closing as StoredClosing};

#[derive(Debug, Serialize, TS)]
pub struct MethodTotal {
    #[ts(type = "PaymentMethod")]
    pub method: &'static str,
    pub count: i64,
    pub amount: Cents,
}

#[derive(Debug, Serialize, TS)]
#[ts(rename = "DayVatTotal")]
pub struct VatTotal {
    pub rate_percent: u32,
    pub net: Cents,
    pub tax: Cents,
    pub gross: Cents,
}

#[derive(Debug, Serialize, TS)]
pub struct DaySummary {
    pub business_day: String,
    pub opened_at: Option<String>,
    pub sales_count: i64,
    pub cancellations_count: i64,
    pub cancellations_amount: Cents,
    pub total: Cents,
    pub by_method: Vec<MethodTotal>,
    pub by_vat: Vec<VatTotal>,
    pub first_receipt: Option<i64>,
    pub last_receipt: Option<i64>,
    pub cash_start: Cents,
    pub cash_expected: Cents,
    pub terminal_closed: bool,
    pub outbox_pending: usize,
    /// Times the drawer was opened without a sale.
    pub drawer_openings: i64,
    pub cash_in: Cents,
    pub cash_out: Cents,
    /// Cash in and out by reason, returns and discounts of the period.
    pub drawer: till::journal::DrawerFigures,
    /// Takings per cashier (sales less cancellations), by the names the journal carries.
    pub by_cashier: Vec<till::closing::CashierTakings>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct TerminalEndOfDay {
    pub ok: bool,
    pub at: String,
    pub count: i64,
    pub amount: Cents,
    pub receipt_text: String,
}

#[derive(Debug, Serialize, TS)]
pub struct Closing {
    pub z_number: i64,
    pub closed_at: String,
    pub business_day: String,
    pub summary: DaySummary,
    pub cash_counted: Cents,
    pub difference: Cents,
    pub note: Option<String>,
    pub terminal: Option<TerminalEndOfDay>,
    pub report_text: String,
    /// The cash kept in the drawer for the next day.
    pub retained: Option<Cents>,
}

#[derive(Debug, Serialize, TS)]
pub struct ClosingListItem {
    pub z_number: i64,
    pub closed_at: String,
    pub business_day: String,
    pub total: Cents,
    pub sales_count: i64,
    pub difference: Cents,
}

fn summary_of(
    f: &DayFigures,
    drawer: till::journal::DrawerFigures,
    business_day: String,
    opened_at: Option<String>,
    terminal_closed: bool,
    outbox_pending: usize,
    by_cashier: Vec<till::closing::CashierTakings>,
) -> DaySummary {
    let c = f.counts_by_method;
    let by_method = [
        ("cash", c.cash, f.by_method.cash),
        ("card", c.card, f.by_method.card),
        ("secucard", c.secucard, f.by_method.secucard),
        ("qr", c.qr, f.by_method.qr),
    ]
    .into_iter()
    .filter(|(_, count, amount)| *count != 0 || amount.0 != 0)
    .map(|(method, count, amount)| MethodTotal {
        method,
        count,
        amount,
    })
    .collect();
    DaySummary {
        business_day,
        opened_at,
        sales_count: f.sales,
        cancellations_count: f.cancellations,
        cancellations_amount: f.cancelled,
        total: f.total,
        by_method,
        by_vat: f
            .by_rate
            .iter()
            .map(|v| VatTotal {
                rate_percent: u32::from(v.rate.percent()),
                net: v.net,
                tax: v.tax,
                gross: v.gross,
            })
            .collect(),
        first_receipt: f.first_receipt,
        last_receipt: f.last_receipt,
        cash_start: f.opening_float,
        cash_expected: f.cash_expected,
        terminal_closed,
        outbox_pending,
        drawer_openings: f.drawer_openings,
        cash_in: f.cash_in,
        cash_out: f.cash_out,
        drawer,
        by_cashier,
    }
}

fn today() -> String {
    chrono::Local::now().format("%Y-%m-%d").to_string()
}

/// The business day of a stored closing: the date part of its time.
fn day_of(at: &str) -> String {
    at.get(..10).unwrap_or(at).to_string()
}

/// The running day since the last closing.
#[instrument(skip_all)]
pub async fn day_summary(state: &AppState) -> Result<DaySummary, CommandError> {
    let journal = state.journal();
    let figures = journal.day_figures()?;
    let outbox = journal.outbox_state()?;
    let terminal_closed = journal.terminal_end_of_day()?.is_some();
    let opened_at = journal.day_opened_at()?;
    Ok(summary_of(
        &figures,
        journal.drawer_figures()?,
        today(),
        opened_at,
        terminal_closed,
        outbox.count + outbox.failed.len(),
        journal.takings_by_cashier()?,
    ))
}

/// Runs the terminal's end of day; the answer goes into the next closing.
#[instrument(skip_all)]
pub async fn terminal_end_of_day(
    state: &AppState,
    manager_pin: Option<String>,
) -> Result<TerminalEndOfDay, CommandError> {
    crate::cashier::authorise(
        state,
        catalog::Action::CloseDay,
        till::Cents::ZERO,
        manager_pin.as_deref(),
    )?;
    let _work = state.provider_work.lock().await;
    // Journaled at once: a restart before the closing keeps it.
    let answer = state
        .checkout()
        .terminal_end_of_day(&Device::Me, &CancellationToken::new())
        .await?;
    Ok(terminal_of(&answer, &chrono::Local::now().to_rfc3339()))
}

/// The terminal's report as the UI shows it, from its answer as stored.
fn terminal_of(answer: &Value, at: &str) -> TerminalEndOfDay {
    let eod = &answer["end_of_day"];
    let lines: Vec<secuconnect::ReceiptLine> =
        serde_json::from_value(answer["receipt"].clone()).unwrap_or_default();
    TerminalEndOfDay {
        ok: answer["status"].as_str() != Some("failed"),
        at: at.to_string(),
        count: eod["count"].as_i64().unwrap_or(0),
        amount: Cents(eod["sum"].as_i64().unwrap_or(0)),
        receipt_text: till::receipt_doc::render_provider_only(&lines, 42),
    }
}

/// Writes the closing: the terminal's end of day first (unless it already ran), then the Z report.
#[instrument(skip_all)]
pub async fn close_day(
    state: &AppState,
    cash_counted: Cents,
    note: Option<String>,
    retained: Option<Cents>,
    manager_pin: Option<String>,
) -> Result<Closing, CommandError> {
    crate::cashier::authorise(
        state,
        catalog::Action::CloseDay,
        till::Cents::ZERO,
        manager_pin.as_deref(),
    )?;
    let _work = state.provider_work.lock().await;
    let nothing = {
        let journal = state.journal();
        let f = journal.day_figures()?;
        f.sales == 0 && f.cancellations == 0
    };
    if nothing {
        return Err(CommandError::new(
            ErrorCode::NothingToClose,
            "There is no sale since the last closing.",
        ));
    }
    // The terminal's end of day runs unless its answer is journaled since the last closing.
    let stored = state
        .checkout()
        .close_day_retaining(
            cash_counted,
            note.as_deref(),
            retained,
            Some(&Device::Me),
            &CancellationToken::new(),
        )
        .await?;
    Ok(closing_of(&stored, state))
}

fn closing_of(c: &StoredClosing, state: &AppState) -> Closing {
    let business_day = day_of(&c.closed_at);
    let summary = summary_of(
        &c.figures,
        c.drawer.clone().unwrap_or_default(),
        business_day.clone(),
        c.opened_at.clone(),
        c.terminal.is_some(),
        0,
        c.by_cashier.clone(),
    );
    let terminal = c.terminal.as_ref().map(|t| terminal_of(t, &c.closed_at));
    let report_text = receipt::render_document_text(&z_report_of(c, state), 42);
    Closing {
        z_number: c.z_number,
        closed_at: c.closed_at.clone(),
        business_day,
        summary,
        cash_counted: c.cash_counted,
        difference: c.difference,
        note: c.note.clone(),
        terminal,
        report_text,
        retained: c.retained,
    }
}

/// The Z report of a stored closing as a document (text, ESC/POS, PDF).
fn z_report_of(c: &StoredClosing, state: &AppState) -> receipt::Document {
    let shop = state.shop();
    till::z_report::document(
        c,
        &till::z_report::ZReportHeader {
            shop: &shop,
            till_id: &state.till_id,
            demo: state.demo,
        },
    )
}

/// The Z report of closing `z_number`, for printing and the PDF export.
pub fn z_report_document(
    state: &AppState,
    z_number: i64,
) -> Result<receipt::Document, CommandError> {
    let stored = stored_closing(state, z_number)?;
    Ok(z_report_of(&stored, state))
}

fn stored_closing(state: &AppState, z_number: i64) -> Result<StoredClosing, CommandError> {
    state.journal().closing(z_number)?.ok_or_else(|| {
        CommandError::new(
            ErrorCode::NotFound,
            format!("There is no closing Z {z_number}."),
        )
    })
}

/// Past closings, newest first.
#[instrument(skip_all)]
pub async fn closings(
    state: &AppState,
    offset: usize,
    limit: usize,
) -> Result<Vec<ClosingListItem>, CommandError> {
    let all = state.journal().closings()?;
    Ok(all
        .iter()
        .rev()
        .skip(offset)
        .take(limit)
        .map(|c| ClosingListItem {
            z_number: c.z_number,
            closed_at: c.closed_at.clone(),
            business_day: day_of(&c.closed_at),
            total: c.figures.total,
            sales_count: c.figures.sales,
            difference: c.difference,
        })
        .collect())
}

/// One closing as stored.
#[instrument(skip_all)]
pub async fn closing(state: &AppState, z_number: i64) -> Result<Closing, CommandError> {
    let stored = stored_closing(state, z_number)?;
    Ok(closing_of(&stored, state))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_day_summary_counts_payments_by_method() {
        let since = till::closing::RunningTotals {
            cash: 1_000,
            cash_count: 4,
            ..Default::default()
        };
        let mut now = since;
        now.sales = 3;
        now.cash += 500;
        now.cash_count += 2;
        // The running totals keep QR with the card: 450 by QR code.
        now.card = 799 + 450;
        now.card_count = 2;
        now.cancellations = 1;
        now.cancelled = 250;
        now.drawer_openings = 2;
        let f = DayFigures::between(&since, &now).with_qr(Cents(450), 1);
        let s = summary_of(
            &f,
            Default::default(),
            "2026-11-21".into(),
            None,
            false,
            0,
            vec![],
        );
        let methods: Vec<_> = s
            .by_method
            .iter()
            .map(|m| (m.method, m.count, m.amount))
            .collect();
        assert_eq!(
            methods,
            vec![
                ("cash", 2, Cents(500)),
                ("card", 1, Cents(799)),
                ("qr", 1, Cents(450))
            ]
        );
        assert_eq!(s.cancellations_amount, Cents(250));
        assert_eq!(s.drawer_openings, 2);
    }

    #[test]
    fn the_terminal_answer_gives_count_and_sum() {
        let answer = serde_json::json!({
            "status": "ok",
            "end_of_day": {"day": "2026-11-21", "count": 3, "sum": 1234},
            "receipt": []
        });
        let t = terminal_of(&answer, "2026-11-21T20:00:00+01:00");
        assert!(t.ok);
        assert_eq!(t.count, 3);
        assert_eq!(t.amount, Cents(1234));
    }
}
