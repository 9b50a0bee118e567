//! End of day: the running day's figures, the terminal's end of day, the closing (Z report).

use serde::Serialize;
use serde_json::Value;
use tauri::State;
use tracing::instrument;

use crate::error::CommandError;
use crate::state::AppState;
use secuconnect::{CancellationToken, Device};
use till::closing::DayFigures;
use till::{Cents, Closing as StoredClosing};

#[derive(Debug, Serialize)]
pub struct MethodTotal {
    pub method: &'static str,
    pub count: i64,
    pub amount: Cents,
}

#[derive(Debug, Serialize)]
pub struct VatTotal {
    pub rate_percent: u32,
    pub net: Cents,
    pub tax: Cents,
    pub gross: Cents,
}

#[derive(Debug, Serialize)]
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
}

#[derive(Debug, Clone, Serialize)]
pub struct TerminalEndOfDay {
    pub ok: bool,
    pub at: String,
    pub count: i64,
    pub amount: Cents,
    pub receipt_text: String,
}

#[derive(Debug, Serialize)]
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
}

#[derive(Debug, Serialize)]
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
    business_day: String,
    terminal_closed: bool,
    outbox_pending: usize,
) -> DaySummary {
    // The running totals keep amounts per method, not counts.
    let by_method = [
        ("cash", f.by_method.cash),
        ("card", f.by_method.card),
        ("secucard", f.by_method.secucard),
    ]
    .into_iter()
    .filter(|(_, amount)| amount.0 != 0)
    .map(|(method, amount)| MethodTotal {
        method,
        count: 0,
        amount,
    })
    .collect();
    DaySummary {
        business_day,
        opened_at: None,
        sales_count: f.sales,
        cancellations_count: f.cancellations,
        cancellations_amount: Cents::ZERO,
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
#[tauri::command]
#[instrument(skip_all)]
pub async fn day_summary(state: State<'_, AppState>) -> Result<DaySummary, CommandError> {
    let (figures, outbox) = {
        let journal = state.journal.lock().unwrap_or_else(|p| p.into_inner());
        (journal.day_figures()?, journal.outbox_state()?)
    };
    let terminal_closed = state.terminal_answer().is_some();
    Ok(summary_of(&figures, today(), terminal_closed, outbox.count))
}

/// Runs the terminal's end of day; the answer goes into the next closing.
#[tauri::command]
#[instrument(skip_all)]
pub async fn terminal_end_of_day(
    state: State<'_, AppState>,
) -> Result<TerminalEndOfDay, CommandError> {
    let _work = state.provider_work.lock().await;
    let stx = state
        .client
        .end_of_day(&Device::Me, &CancellationToken::new())
        .await?;
    let answer = serde_json::to_value(&stx).unwrap_or_default();
    let result = terminal_of(&answer, &chrono::Local::now().to_rfc3339());
    state.set_terminal_answer(Some(answer));
    Ok(result)
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
#[tauri::command]
#[instrument(skip_all)]
pub async fn close_day(
    state: State<'_, AppState>,
    cash_counted: Cents,
    note: Option<String>,
) -> Result<Closing, CommandError> {
    let _work = state.provider_work.lock().await;
    let nothing = {
        let journal = state.journal.lock().unwrap_or_else(|p| p.into_inner());
        let f = journal.day_figures()?;
        f.sales == 0 && f.cancellations == 0
    };
    if nothing {
        return Err(CommandError::new(
            "nothing_to_close",
            "There is no sale since the last closing.",
        ));
    }
    let stored = match state.terminal_answer() {
        Some(answer) => {
            let in_doubt = state
                .journal
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .in_doubt()?
                .len();
            if in_doubt > 0 {
                return Err(till::JournalError::PaymentsInDoubt(in_doubt).into());
            }
            state
                .journal
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .close_day(cash_counted, Some(answer))?
        }
        None => {
            state
                .checkout()
                .close_day(cash_counted, Some(&Device::Me), &CancellationToken::new())
                .await?
        }
    };
    state.set_terminal_answer(None);
    Ok(closing_of(&stored, note, &state))
}

fn closing_of(c: &StoredClosing, note: Option<String>, state: &AppState) -> Closing {
    let business_day = day_of(&c.closed_at);
    let summary = summary_of(&c.figures, business_day.clone(), c.terminal.is_some(), 0);
    let terminal = c.terminal.as_ref().map(|t| terminal_of(t, &c.closed_at));
    let report_text = z_report(c, &summary, note.as_deref(), state);
    Closing {
        z_number: c.z_number,
        closed_at: c.closed_at.clone(),
        business_day,
        summary,
        cash_counted: c.cash_counted,
        difference: c.difference,
        note,
        terminal,
        report_text,
    }
}

fn eur(c: Cents) -> String {
    let sign = if c.0 < 0 { "-" } else { "" };
    format!("{sign}{},{:02}", c.0.abs() / 100, c.0.abs() % 100)
}

/// The Z report as plain text (42 columns, like the receipts).
fn z_report(c: &StoredClosing, s: &DaySummary, note: Option<&str>, state: &AppState) -> String {
    let row = |name: &str, value: String| format!("{name:<28}{value:>14}\n");
    let mut out = String::new();
    out.push_str(&format!("{:^42}\n", state.shop().name));
    out.push_str(&format!(
        "{:^42}\n",
        format!("Tagesabschluss Z {}", c.z_number)
    ));
    out.push_str(&row("Kasse", state.till_id.clone()));
    out.push_str(&row(
        "Datum",
        c.closed_at
            .get(..16)
            .unwrap_or(&c.closed_at)
            .replace('T', " "),
    ));
    out.push_str(&"-".repeat(42));
    out.push('\n');
    out.push_str(&row("Verkäufe", s.sales_count.to_string()));
    out.push_str(&row("Stornos", s.cancellations_count.to_string()));
    if let (Some(first), Some(last)) = (s.first_receipt, s.last_receipt) {
        out.push_str(&row("Belege", format!("{first}–{last}")));
    }
    out.push_str(&row("Umsatz EUR", eur(s.total)));
    for m in &s.by_method {
        let name = match m.method {
            "cash" => "  bar",
            "card" => "  Karte",
            _ => "  secucard",
        };
        out.push_str(&row(name, eur(m.amount)));
    }
    for v in &s.by_vat {
        out.push_str(&row(
            &format!("MwSt {} % netto/Steuer", v.rate_percent),
            format!("{}/{}", eur(v.net), eur(v.tax)),
        ));
    }
    out.push_str(&"-".repeat(42));
    out.push('\n');
    out.push_str(&row("Anfangsbestand", eur(s.cash_start)));
    out.push_str(&row("Bargeld Soll", eur(s.cash_expected)));
    out.push_str(&row("Bargeld gezählt", eur(c.cash_counted)));
    out.push_str(&row("Differenz", eur(c.difference)));
    if let Some(note) = note {
        out.push_str(&format!("Notiz: {note}\n"));
    }
    if state.demo {
        out.push_str(&format!("{:^42}\n", "DEMO – kein echter Abschluss"));
    }
    out
}

/// Past closings, newest first.
#[tauri::command]
#[instrument(skip_all)]
pub async fn closings(
    state: State<'_, AppState>,
    offset: usize,
    limit: usize,
) -> Result<Vec<ClosingListItem>, CommandError> {
    let all = state
        .journal
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .closings()?;
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
#[tauri::command]
#[instrument(skip_all)]
pub async fn closing(state: State<'_, AppState>, z_number: i64) -> Result<Closing, CommandError> {
    let stored = state
        .journal
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .closing(z_number)?
        .ok_or_else(|| {
            CommandError::new("not_found", format!("There is no closing Z {z_number}."))
        })?;
    Ok(closing_of(&stored, None, &state))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_the_z_report_are_euros_with_a_comma() {
        assert_eq!(eur(Cents(0)), "0,00");
        assert_eq!(eur(Cents(547)), "5,47");
        assert_eq!(eur(Cents(-99)), "-0,99");
        assert_eq!(eur(Cents(123_405)), "1234,05");
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
