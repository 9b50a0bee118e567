//! The tables filled from the journal: every closing whose business day lies
//! in the range, with its receipts (sales and cancellations), their lines,
//! VAT and payments.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDate};
use till::cash_movement::{CashReceipt, DIFFERENCE_BUSINESS_CASE, FLOAT_BUSINESS_CASE};
use till::journal::{
    kind, Cancellation, CashierRef, PaidSale, Payment, PaymentIntent, SaleRecord, TseAbort,
};
use till::returns::ReturnRecord;
use till::tse_certificate::TseCertificate;
use till::{Cents, Closing, Journal, JournalError, PaymentMethod, VatRate};

use crate::bon::{self, Bon, Reference};
use crate::business_case::CaseTotals;
use crate::tse::TseMaster;
use crate::writer::{Row, Value, WriteError, Writer};

/// The DFKA taxonomy version the tables follow.
pub const TAXONOMY_VERSION: &str = "2.3";

/// The till and the business as the master data tables name them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cashpoint {
    /// `Z_KASSE_ID`: the till's id (unique within the business).
    pub till_id: String,
    pub name: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    /// ISO 3166 alpha-3, e.g. `DEU`.
    pub country: String,
    /// Steuernummer.
    pub tax_number: String,
    /// USt-IdNr.
    pub vat_id: String,
    /// The till itself (`Stamm_Kassen`).
    pub register: Register,
}

/// The till as `cashregister.csv` describes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Register {
    pub brand: String,
    pub model: String,
    pub serial: String,
    pub software: String,
    pub version: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error("journal entry {seq}: {problem}")]
    Entry { seq: i64, problem: String },
    #[error("the sums overflow")]
    Overflow,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSummary {
    /// The Z numbers of the closings exported.
    pub closings: Vec<i64>,
    /// Data rows per table file, in the index's order.
    pub rows: Vec<(String, usize)>,
}

/// The DSFinV-K VAT key (`UST_SCHLUESSEL`) of a rate: 1 = 19 %, 2 = 7 %,
/// 5 = not taxable (the till's 0 %: voucher loads).
pub fn vat_key(rate: VatRate) -> i64 {
    match rate {
        VatRate::Standard => 1,
        VatRate::Reduced => 2,
        VatRate::Zero => 5,
    }
}

/// `ZAHLART_TYP` and `ZAHLART_NAME` of a payment method.
pub fn payment_type(method: PaymentMethod) -> (&'static str, &'static str) {
    match method {
        PaymentMethod::Cash => ("Bar", "Bar"),
        PaymentMethod::Card => ("Unbar", "Karte"),
        PaymentMethod::Secucard => ("Guthabenkarte", "secucard"),
        PaymentMethod::Qr => ("Unbar", "QR-Code"),
    }
}

/// The line text of a counting difference.
const DIFFERENCE_TEXT: &str = "Differenz Soll/Ist";

/// A closing as the export walks the journal: where it lies, and its
/// content where its business day is exported.
struct Period {
    seq: i64,
    z_number: i64,
    closed_at: String,
    cashier: Option<CashierRef>,
    wanted: Option<Closing>,
}

/// Where the receipts go: their tables, the TSE tables, the business cases.
struct Receipts<'w> {
    writer: &'w mut Writer,
    cashpoint: &'w Cashpoint,
    tse: TseMaster,
    cases: CaseTotals,
}

impl Receipts<'_> {
    fn write(&mut self, closing: &Closing, bon: &Bon<'_>) -> Result<(), ExportError> {
        let with_head = head(self.cashpoint, closing);
        bon::write(self.writer, &with_head, &self.cashpoint.till_id, bon)?;
        self.tse
            .receipt(self.writer, &with_head, closing.z_number, &bon.id, bon.tse)?;
        self.cases.add(closing.z_number, bon)
    }
}

fn payments(paid: &[Payment]) -> Vec<(PaymentMethod, Cents)> {
    paid.iter().map(|p| (p.method, p.amount)).collect()
}

/// The `BON_ID` of a receipt the journal gives no number (the float, the
/// counting difference): its entry's.
fn no_receipt_id(seq: i64) -> String {
    format!("J-{seq}")
}

/// A cancellation's or return's reference to the sale it takes back: the
/// closing that sale lies in (this one, if it is not closed yet).
fn reference(
    name: &'static str,
    original: &SaleRecord,
    closing: &Closing,
    closed_at: &HashMap<i64, String>,
) -> Reference {
    let z_number = original.closed_in.unwrap_or(closing.z_number);
    Reference {
        name,
        z_number,
        closed_at: closed_at
            .get(&z_number)
            .cloned()
            .unwrap_or_else(|| closing.closed_at.clone()),
        bon_id: original.receipt_number.to_string(),
    }
}

/// A `cash_movement` entry: the float (`Anfangsbestand`, its change) or,
/// in older journals, cash in or out without a reason.
fn movement(body: &serde_json::Value) -> Result<(&'static str, String, Cents), String> {
    let amount = Cents(
        body["amount"]
            .as_i64()
            .ok_or_else(|| format!("a cash movement without its amount: {body}"))?,
    );
    let note = body["note"].as_str().unwrap_or_default();
    let (gv, printed, amount) = match body["movement"].as_str() {
        Some("float") => (FLOAT_BUSINESS_CASE, "Anfangsbestand", amount),
        Some("cash_in") => ("Einzahlung", "Einzahlung", amount),
        Some("cash_out") => ("Auszahlung", "Auszahlung", -amount),
        other => return Err(format!("a cash movement of kind {other:?}")),
    };
    let text = match note {
        "" => printed.to_string(),
        note => format!("{printed}: {note}"),
    };
    Ok((gv, text, amount))
}

/// How far an export is: journal entries read of all there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
}

impl Progress {
    /// Whole percent, 0–100.
    pub fn percent(self) -> u8 {
        match self.total {
            0 => 100,
            t => (self.done.min(t) * 100 / t) as u8,
        }
    }
}

/// How many receipts' entries pass between two progress reports.
const PROGRESS_EVERY: i64 = 2_000;

/// Writes the export of every closing whose business day (the day it was
/// made) lies in `from..=to` into `out` (a folder).
pub fn export(
    journal: &Journal,
    from: NaiveDate,
    to: NaiveDate,
    cashpoint: &Cashpoint,
    out: &Path,
) -> Result<ExportSummary, ExportError> {
    export_with_progress(journal, from, to, cashpoint, out, &mut |_| {})
}

/// [`export`], telling `progress` how far it is now and then (and at the end).
pub fn export_with_progress(
    journal: &Journal,
    from: NaiveDate,
    to: NaiveDate,
    cashpoint: &Cashpoint,
    out: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<ExportSummary, ExportError> {
    let total = journal
        .head()?
        .map(|(seq, _)| seq.max(0) as u64)
        .unwrap_or(0);
    progress(Progress { done: 0, total });
    let mut writer = Writer::create(out)?;
    // First the closings (few): which periods are exported, and their rows.
    let mut periods: Vec<Period> = Vec::new();
    journal.for_each_entry(&[kind::CLOSING], |e| {
        let closing: Closing = serde_json::from_value(e.body).map_err(|x| ExportError::Entry {
            seq: e.seq,
            problem: x.to_string(),
        })?;
        let day = business_day(&closing.closed_at).map_err(|problem| ExportError::Entry {
            seq: e.seq,
            problem,
        })?;
        let wanted = (from..=to).contains(&day);
        if wanted {
            write_closing(&mut writer, cashpoint, &closing, day)?;
        }
        periods.push(Period {
            seq: e.seq,
            z_number: closing.z_number,
            closed_at: closing.closed_at.clone(),
            cashier: e.cashier,
            wanted: wanted.then_some(closing),
        });
        Ok::<(), ExportError>(())
    })?;
    let closings = periods
        .iter()
        .filter_map(|p| p.wanted.as_ref().map(|c| c.z_number))
        .collect();
    // Then the receipts, one at a time, each into the closing that covers it.
    let closed_at: HashMap<i64, String> = periods
        .iter()
        .map(|p| (p.z_number, p.closed_at.clone()))
        .collect();
    let mut intents: HashMap<String, (String, PaymentIntent)> = HashMap::new();
    let mut period = 0;
    let mut out = Receipts {
        writer: &mut writer,
        cashpoint,
        tse: TseMaster::default(),
        cases: CaseTotals::default(),
    };
    let kinds = [
        kind::INTENT,
        kind::SALE,
        kind::FAILED,
        kind::CANCELLATION,
        kind::RETURN,
        kind::CASH_RECEIPT,
        kind::CASH_MOVEMENT,
        kind::CASH_DIFFERENCE,
        kind::TSE_CERTIFICATE,
        kind::TSE_ABORT,
    ];
    // The TSEs' certificates by serial, wherever the journal has them.
    let mut certificates: HashMap<String, String> = HashMap::new();
    // The closings whose counting difference had an entry of its own.
    let mut differed: HashSet<i64> = HashSet::new();
    let mut reported = 0;
    journal.for_each_entry(&kinds, |e| {
        if e.seq - reported >= PROGRESS_EVERY {
            reported = e.seq;
            progress(Progress {
                done: e.seq as u64,
                total,
            });
        }
        while period < periods.len() && periods[period].seq < e.seq {
            period += 1;
        }
        let closing = periods.get(period).and_then(|p| p.wanted.as_ref());
        let bad = |problem: String| ExportError::Entry {
            seq: e.seq,
            problem,
        };
        let number = e.receipt_number.unwrap_or_default();
        match e.kind.as_str() {
            kind::INTENT => {
                let sale_id = e.sale_id.clone().unwrap_or_default();
                let mut intent: PaymentIntent =
                    serde_json::from_value(e.body).map_err(|x| bad(x.to_string()))?;
                intent.sale_id = sale_id.clone();
                intents.insert(sale_id, (e.created_at, intent));
            }
            kind::SALE => {
                let sale_id = e.sale_id.clone().unwrap_or_default();
                let (start, intent) = intents
                    .remove(&sale_id)
                    .ok_or_else(|| bad(format!("sale {sale_id} without its intent")))?;
                if let Some(closing) = closing {
                    let paid: PaidSale =
                        serde_json::from_value(e.body).map_err(|x| bad(x.to_string()))?;
                    let bon = Bon {
                        id: number.to_string(),
                        number,
                        typ: "Beleg",
                        storno: false,
                        start: &start,
                        end: &e.created_at,
                        cashier: e.cashier.as_ref(),
                        total: intent.total,
                        vat: intent.vat(),
                        payments: payments(&paid.payments),
                        lines: bon::basket_lines(&intent.basket, 1)?,
                        reference: None,
                        tse: paid.tse.as_ref(),
                    };
                    out.write(closing, &bon)?;
                }
            }
            kind::FAILED => {
                if let Some(id) = &e.sale_id {
                    intents.remove(id);
                }
            }
            kind::CANCELLATION => {
                if let Some(closing) = closing {
                    let c: Cancellation =
                        serde_json::from_value(e.body).map_err(|x| bad(x.to_string()))?;
                    let original = journal.sale_by_receipt(c.cancels_receipt)?;
                    let bon = Bon {
                        id: number.to_string(),
                        number,
                        typ: "Beleg",
                        storno: true,
                        start: &e.created_at,
                        end: &e.created_at,
                        cashier: e.cashier.as_ref(),
                        total: c.total,
                        vat: c.vat.clone(),
                        payments: payments(&c.payments),
                        // The original's lines with the signs turned.
                        lines: bon::basket_lines(&original.intent.basket, -1)?,
                        reference: Some(reference("Storno", &original, closing, &closed_at)),
                        tse: c.tse.as_ref(),
                    };
                    out.write(closing, &bon)?;
                }
            }
            kind::RETURN => {
                if let Some(closing) = closing {
                    let r: ReturnRecord =
                        serde_json::from_value(e.body).map_err(|x| bad(x.to_string()))?;
                    let original = journal.sale_by_receipt(r.original_receipt)?;
                    let bon = Bon {
                        id: number.to_string(),
                        number,
                        typ: "Beleg",
                        storno: false,
                        start: &e.created_at,
                        end: &e.created_at,
                        cashier: e.cashier.as_ref(),
                        total: r.total,
                        vat: r.vat.clone(),
                        // Returns are refunded in cash.
                        payments: vec![(PaymentMethod::Cash, r.total)],
                        lines: bon::return_lines(&r, &original.intent.basket),
                        reference: Some(reference("", &original, closing, &closed_at)),
                        tse: r.tse.as_ref(),
                    };
                    out.write(closing, &bon)?;
                }
            }
            kind::CASH_RECEIPT => {
                if let Some(closing) = closing {
                    let m: CashReceipt =
                        serde_json::from_value(e.body).map_err(|x| bad(x.to_string()))?;
                    let text = match m.note.as_str() {
                        "" => m.reason.printed().to_string(),
                        note => format!("{}: {note}", m.reason.printed()),
                    };
                    let mut bon = bon::transfer(
                        number.to_string(),
                        number,
                        &e.created_at,
                        m.reason.business_case(),
                        text,
                        m.signed(),
                    );
                    bon.cashier = e.cashier.as_ref();
                    bon.tse = m.tse.as_ref();
                    out.write(closing, &bon)?;
                }
            }
            kind::CASH_MOVEMENT => {
                if let Some(closing) = closing {
                    let (gv, text, amount) = movement(&e.body).map_err(bad)?;
                    // The float is signed by the TSE as an `AVTransfer` of its change.
                    let tse: Option<till::tse::TseRecord> = e
                        .body
                        .get("tse")
                        .map(|t| serde_json::from_value(t.clone()))
                        .transpose()
                        .map_err(|x| bad(x.to_string()))?;
                    if amount != Cents::ZERO {
                        let mut bon = bon::transfer(
                            no_receipt_id(e.seq),
                            e.seq,
                            &e.created_at,
                            gv,
                            text,
                            amount,
                        );
                        bon.cashier = e.cashier.as_ref();
                        bon.tse = tse.as_ref();
                        out.write(closing, &bon)?;
                    }
                }
            }
            kind::TSE_ABORT => {
                if let Some(closing) = closing {
                    let abort: TseAbort =
                        serde_json::from_value(e.body).map_err(|x| bad(x.to_string()))?;
                    let bon = bon::aborted(
                        no_receipt_id(e.seq),
                        e.seq,
                        &e.created_at,
                        abort.basket.as_ref(),
                    )?;
                    let bon = Bon {
                        cashier: e.cashier.as_ref(),
                        tse: abort.tse.as_ref(),
                        ..bon
                    };
                    out.write(closing, &bon)?;
                }
            }
            kind::TSE_CERTIFICATE => {
                let c: TseCertificate =
                    serde_json::from_value(e.body).map_err(|x| bad(x.to_string()))?;
                certificates.insert(c.tss_serial, c.certificate);
            }
            kind::CASH_DIFFERENCE => {
                if let Some(closing) = closing {
                    let amount = e.body["amount"]
                        .as_i64()
                        .ok_or_else(|| bad("a counting difference without its amount".into()))?;
                    let mut bon = bon::transfer(
                        no_receipt_id(e.seq),
                        e.seq,
                        &e.created_at,
                        DIFFERENCE_BUSINESS_CASE,
                        DIFFERENCE_TEXT.into(),
                        Cents(amount),
                    );
                    bon.cashier = e.cashier.as_ref();
                    out.write(closing, &bon)?;
                    differed.insert(closing.z_number);
                }
            }
            _ => {}
        }
        Ok::<(), ExportError>(())
    })?;
    // Per closing its business cases, and its counting difference as a
    // receipt where the journal (an older one) kept it only in the closing.
    for p in &periods {
        let Some(closing) = &p.wanted else { continue };
        if closing.difference != Cents::ZERO && !differed.contains(&closing.z_number) {
            let mut bon = bon::transfer(
                no_receipt_id(p.seq),
                p.seq,
                &closing.closed_at,
                DIFFERENCE_BUSINESS_CASE,
                DIFFERENCE_TEXT.into(),
                closing.difference,
            );
            bon.cashier = p.cashier.as_ref();
            out.write(closing, &bon)?;
        }
        let with_head = head(cashpoint, closing);
        out.cases.write(out.writer, &with_head, closing)?;
    }
    out.tse.finish(out.writer, &certificates)?;
    let rows = writer
        .counts()
        .into_iter()
        .map(|(f, n)| (f.to_string(), n))
        .collect();
    writer.finish()?;
    progress(Progress { done: total, total });
    Ok(ExportSummary { closings, rows })
}

pub(crate) fn business_day(closed_at: &str) -> Result<NaiveDate, String> {
    parse_time(closed_at).map(|t| t.date_naive())
}

fn parse_time(at: &str) -> Result<DateTime<FixedOffset>, String> {
    DateTime::parse_from_rfc3339(at).map_err(|e| format!("time {at:?}: {e}"))
}

/// A journal time as the export writes it: ISO 8601 to the second, with offset.
pub(crate) fn time(at: &str) -> Value {
    match parse_time(at) {
        Ok(t) => Value::text(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)),
        Err(_) => Value::text(at),
    }
}

/// The three columns every table starts with: till, closing time, Z number.
fn head<'a>(cp: &'a Cashpoint, closing: &'a Closing) -> impl Fn(Row<'static>) -> Row<'static> + 'a {
    move |mut rest| {
        let mut row = Vec::with_capacity(rest.len() + 3);
        row.push(("Z_KASSE_ID", Value::text(&cp.till_id)));
        row.push(("Z_ERSTELLUNG", time(&closing.closed_at)));
        row.push(("Z_NR", Value::Int(closing.z_number)));
        row.append(&mut rest);
        row
    }
}

/// The closing's own rows: the closing, its master data and its figures.
fn write_closing(
    w: &mut Writer,
    cp: &Cashpoint,
    closing: &Closing,
    day: NaiveDate,
) -> Result<(), ExportError> {
    let with_head = head(cp, closing);

    // The closing itself and its master data.
    let f = &closing.figures;
    // Every receipt's cash counts, the float's, the movements' and the
    // difference's too (receipts of their own): what was counted.
    let by_method = [
        (PaymentMethod::Cash, closing.cash_counted),
        (PaymentMethod::Card, f.by_method.card),
        (PaymentMethod::Secucard, f.by_method.secucard),
        // A row of its own, as each receipt names it (`Unbar`, `QR-Code`).
        (PaymentMethod::Qr, f.by_method.qr),
    ];
    let all_payments =
        Cents::checked_sum(by_method.iter().map(|(_, a)| *a)).ok_or(ExportError::Overflow)?;
    let (first, last) = (f.first_receipt, f.last_receipt);
    w.push(
        "Stamm_Abschluss",
        &with_head(vec![
            (
                "Z_BUCHUNGSTAG",
                Value::text(day.format("%Y-%m-%d").to_string()),
            ),
            ("TAXONOMIE_VERSION", Value::text(TAXONOMY_VERSION)),
            (
                "Z_START_ID",
                Value::text(first.map(|n| n.to_string()).unwrap_or_default()),
            ),
            (
                "Z_ENDE_ID",
                Value::text(last.map(|n| n.to_string()).unwrap_or_default()),
            ),
            ("NAME", Value::text(&cp.name)),
            ("STRASSE", Value::text(&cp.street)),
            ("PLZ", Value::text(&cp.postcode)),
            ("ORT", Value::text(&cp.city)),
            ("LAND", Value::text(&cp.country)),
            ("STNR", Value::text(&cp.tax_number)),
            ("USTID", Value::text(&cp.vat_id)),
            ("Z_SE_ZAHLUNGEN", Value::cents(all_payments)),
            ("Z_SE_BARZAHLUNGEN", Value::cents(closing.cash_counted)),
        ]),
    )?;
    w.push(
        "Stamm_Orte",
        &with_head(vec![
            ("LOC_NAME", Value::text(&cp.name)),
            ("LOC_STRASSE", Value::text(&cp.street)),
            ("LOC_PLZ", Value::text(&cp.postcode)),
            ("LOC_ORT", Value::text(&cp.city)),
            ("LOC_LAND", Value::text(&cp.country)),
            ("LOC_USTID", Value::text(&cp.vat_id)),
        ]),
    )?;
    let reg = &cp.register;
    w.push(
        "Stamm_Kassen",
        &with_head(vec![
            ("KASSE_BRAND", Value::text(&reg.brand)),
            ("KASSE_MODELL", Value::text(&reg.model)),
            ("KASSE_SERIENNR", Value::text(&reg.serial)),
            ("KASSE_SW_BRAND", Value::text(&reg.software)),
            ("KASSE_SW_VERSION", Value::text(&reg.version)),
            ("KASSE_BASISWAEH_CODE", Value::text("EUR")),
            ("KEINE_UST_ZUORDNUNG", Value::text("0")),
        ]),
    )?;
    if let Some((id, serial)) = payment_terminal(closing) {
        // The payment terminal the closing's end of day ran on.
        w.push(
            "Stamm_Terminals",
            &with_head(vec![
                ("TERMINAL_ID", Value::text(id)),
                ("TERMINAL_SERIENNR", Value::text(serial)),
            ]),
        )?;
    }
    for rate in VatRate::ALL {
        w.push(
            "Stamm_USt",
            &with_head(vec![
                ("UST_SCHLUESSEL", Value::Int(vat_key(rate))),
                ("UST_SATZ", Value::Int(i64::from(rate.percent()))),
                ("UST_BESCHR", Value::text(format!("{} %", rate.percent()))),
            ]),
        )?;
    }
    for (method, amount) in by_method {
        if amount.0 == 0 {
            continue;
        }
        let (typ, name) = payment_type(method);
        w.push(
            "Z_Zahlart",
            &with_head(vec![
                ("ZAHLART_TYP", Value::text(typ)),
                ("ZAHLART_NAME", Value::text(name)),
                ("Z_ZAHLART_BETRAG", Value::cents(amount)),
            ]),
        )?;
    }
    w.push(
        "Z_Waehrungen",
        &with_head(vec![
            ("ZAHLART_WAEH", Value::text("EUR")),
            ("ZAHLART_BETRAG_WAEH", Value::cents(closing.cash_counted)),
        ]),
    )?;
    Ok(())
}

/// The payment terminal of a closing, from the terminal's end-of-day answer
/// stored in it: its terminal id (TID, as its receipt names it) and its
/// device id at the provider. `None` where no end of day ran.
pub fn payment_terminal(closing: &Closing) -> Option<(String, String)> {
    let answer = closing.terminal.as_ref()?;
    let device = answer["device_destination"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let tid = answer["receipt"]
        .as_array()?
        .iter()
        .find(|l| l["value"]["name"] == "Terminal-ID")
        .and_then(|l| l["value"]["value"].as_str())
        .map(str::to_string)
        .unwrap_or_else(|| device.clone());
    (!tid.is_empty()).then_some((tid, device))
}
