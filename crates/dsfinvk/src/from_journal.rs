//! The tables filled from the journal: every closing whose business day lies
//! in the range, with its receipts (sales and cancellations), their lines,
//! VAT and payments.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDate};
use till::basket::{LineKind, VatTotal};
use till::journal::{kind, Cancellation, PaidSale, Payment, PaymentIntent, SaleRecord};
use till::{Cents, Closing, Journal, JournalError, PaymentMethod, VatRate};

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

enum Receipt {
    Sale {
        number: i64,
        start: String,
        end: String,
        intent: PaymentIntent,
        paid: Box<PaidSale>,
    },
    Cancellation {
        number: i64,
        at: String,
        body: Box<Cancellation>,
        original: Box<SaleRecord>,
    },
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
    let mut periods: Vec<(i64, Option<Closing>)> = Vec::new();
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
        periods.push((e.seq, wanted.then_some(closing)));
        Ok::<(), ExportError>(())
    })?;
    let closings = periods
        .iter()
        .filter_map(|(_, c)| c.as_ref().map(|c| c.z_number))
        .collect();
    // Then the receipts, one at a time, each into the closing that covers it.
    let mut intents: HashMap<String, (String, PaymentIntent)> = HashMap::new();
    let mut period = 0;
    let mut tse = TseMaster::default();
    let kinds = [kind::INTENT, kind::SALE, kind::FAILED, kind::CANCELLATION];
    let mut reported = 0;
    journal.for_each_entry(&kinds, |e| {
        if e.seq - reported >= PROGRESS_EVERY {
            reported = e.seq;
            progress(Progress {
                done: e.seq as u64,
                total,
            });
        }
        while period < periods.len() && periods[period].0 < e.seq {
            period += 1;
        }
        let closing = periods.get(period).and_then(|(_, c)| c.as_ref());
        let bad = |problem: String| ExportError::Entry {
            seq: e.seq,
            problem,
        };
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
                    let receipt = Receipt::Sale {
                        number: e.receipt_number.unwrap_or_default(),
                        start,
                        end: e.created_at,
                        intent,
                        paid: Box::new(paid),
                    };
                    write_receipt(&mut writer, cashpoint, closing, &receipt, &mut tse)?;
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
                    let receipt = Receipt::Cancellation {
                        number: e.receipt_number.unwrap_or_default(),
                        at: e.created_at,
                        body: Box::new(c),
                        original: Box::new(original),
                    };
                    write_receipt(&mut writer, cashpoint, closing, &receipt, &mut tse)?;
                }
            }
            _ => {}
        }
        Ok::<(), ExportError>(())
    })?;
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
fn time(at: &str) -> Value {
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
    let by_method = [
        (PaymentMethod::Cash, f.by_method.cash),
        (PaymentMethod::Card, f.by_method.card),
        (PaymentMethod::Secucard, f.by_method.secucard),
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
            ("Z_SE_BARZAHLUNGEN", Value::cents(f.by_method.cash)),
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
    for (gv, key, v) in business_cases(closing)? {
        w.push(
            "Z_GV_Typ",
            &with_head(vec![
                ("GV_TYP", Value::text(gv)),
                ("UST_SCHLUESSEL", Value::Int(key)),
                ("Z_UMS_BRUTTO", Value::cents(v.gross)),
                ("Z_UMS_NETTO", Value::cents(v.net)),
                ("Z_UST", Value::cents(v.tax)),
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
            ("ZAHLART_BETRAG_WAEH", Value::cents(f.by_method.cash)),
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

/// The closing's figures by business case and VAT key: sales (`Umsatz`)
/// per rate, voucher loads, the float, cash in and out, and the counting
/// difference; rows of zero are left out.
pub fn business_cases(
    closing: &Closing,
) -> Result<Vec<(&'static str, i64, VatTotal)>, ExportError> {
    let f = &closing.figures;
    let untaxed = |gross: Cents| VatTotal {
        rate: VatRate::Zero,
        net: gross,
        tax: Cents::ZERO,
        gross,
    };
    let mut rows = Vec::new();
    for v in &f.by_rate {
        // The 0 % figures hold the voucher loads, booked as their own case.
        let v = if v.rate == VatRate::Zero {
            let gross = v
                .gross
                .checked_sub(f.card_loads)
                .ok_or(ExportError::Overflow)?;
            untaxed(gross)
        } else {
            *v
        };
        rows.push(("Umsatz", vat_key(v.rate), v));
    }
    let key = vat_key(VatRate::Zero);
    rows.push(("MehrzweckgutscheinKauf", key, untaxed(f.card_loads)));
    rows.push(("Anfangsbestand", key, untaxed(f.opening_float)));
    rows.push(("Einzahlung", key, untaxed(f.cash_in)));
    rows.push(("Auszahlung", key, untaxed(-f.cash_out)));
    rows.push(("DifferenzSollIst", key, untaxed(closing.difference)));
    rows.retain(|(_, _, v)| v.gross.0 != 0);
    Ok(rows)
}

fn write_receipt(
    w: &mut Writer,
    cp: &Cashpoint,
    closing: &Closing,
    r: &Receipt,
    tse: &mut TseMaster,
) -> Result<(), ExportError> {
    let with_head = head(cp, closing);
    // A cancellation repeats the original's lines with the signs turned.
    let (number, start, end, intent, payments, vat, total, sign, storno) = match r {
        Receipt::Sale {
            number,
            start,
            end,
            intent,
            paid,
        } => (
            *number,
            start,
            end,
            intent,
            &paid.payments,
            intent.vat(),
            intent.total,
            1,
            "0",
        ),
        Receipt::Cancellation {
            number,
            at,
            body,
            original,
        } => (
            *number,
            at,
            at,
            &original.intent,
            &body.payments,
            body.vat.clone(),
            body.total,
            -1,
            "1",
        ),
    };
    let bon_id = number.to_string();
    let id = || Value::text(&bon_id);
    w.push(
        "Bonkopf",
        &with_head(vec![
            ("BON_ID", id()),
            ("BON_NR", Value::Int(number)),
            ("BON_TYP", Value::text("Beleg")),
            ("BON_STORNO", Value::text(storno)),
            ("BON_START", time(start)),
            ("BON_ENDE", time(end)),
            ("UMS_BRUTTO", Value::cents(total)),
        ]),
    )?;
    let tse_record = match r {
        Receipt::Sale { paid, .. } => paid.tse.as_ref(),
        Receipt::Cancellation { body, .. } => body.tse.as_ref(),
    };
    tse.receipt(w, &with_head, closing.z_number, &bon_id, tse_record)?;
    for v in &vat {
        w.push(
            "Bonkopf_USt",
            &with_head(vec![
                ("BON_ID", id()),
                ("UST_SCHLUESSEL", Value::Int(vat_key(v.rate))),
                ("BON_BRUTTO", Value::cents(v.gross)),
                ("BON_NETTO", Value::cents(v.net)),
                ("BON_UST", Value::cents(v.tax)),
            ]),
        )?;
    }
    // One row per kind of payment (DSFinV-K: type, name and currency).
    let mut by_type: BTreeMap<(&str, &str), Cents> = BTreeMap::new();
    for Payment { method, amount, .. } in payments {
        let sum = by_type.entry(payment_type(*method)).or_insert(Cents::ZERO);
        *sum = sum.checked_add(*amount).ok_or(ExportError::Overflow)?;
    }
    for ((typ, name), amount) in by_type {
        w.push(
            "Bonkopf_Zahlarten",
            &with_head(vec![
                ("BON_ID", id()),
                ("ZAHLART_TYP", Value::text(typ)),
                ("ZAHLART_NAME", Value::text(name)),
                ("BASISWAEH_BETRAG", Value::cents(amount)),
            ]),
        )?;
    }
    for (i, line) in intent.basket.lines.iter().enumerate() {
        let pos = (i + 1).to_string();
        let gross = line
            .total()
            .checked_mul(sign)
            .ok_or(ExportError::Overflow)?;
        let tax = line.vat.tax_in_gross(gross);
        let gv = match line.kind {
            LineKind::Article => "Umsatz",
            LineKind::CardLoad => "MehrzweckgutscheinKauf",
        };
        w.push(
            "Bonpos",
            &with_head(vec![
                ("BON_ID", id()),
                ("POS_ZEILE", Value::text(&pos)),
                ("ARTIKELTEXT", Value::text(&line.text)),
                ("GV_TYP", Value::text(gv)),
                ("INHAUS", Value::text("0")),
                ("P_STORNO", Value::text("0")),
                (
                    "ART_NR",
                    Value::text(line.article_number.clone().unwrap_or_default()),
                ),
                ("GTIN", Value::text(line.ean.clone().unwrap_or_default())),
                ("MENGE", Value::Int(line.quantity * sign)),
                ("EINHEIT", Value::text("Stück")),
                ("STK_BR", Value::cents(line.unit_price)),
            ]),
        )?;
        w.push(
            "Bonpos_USt",
            &with_head(vec![
                ("BON_ID", id()),
                ("POS_ZEILE", Value::text(&pos)),
                ("UST_SCHLUESSEL", Value::Int(vat_key(line.vat))),
                ("POS_BRUTTO", Value::cents(gross)),
                ("POS_NETTO", Value::cents(gross - tax)),
                ("POS_UST", Value::cents(tax)),
            ]),
        )?;
        if line.discount != Cents::ZERO {
            // How the price was found: the base price, less the line discount;
            // the discount's tax is the rest, so that both add up to the line.
            let base = line
                .unit_price
                .checked_mul(line.quantity)
                .and_then(|b| b.checked_mul(sign))
                .ok_or(ExportError::Overflow)?;
            let base_tax = line.vat.tax_in_gross(base);
            let discount = gross.checked_sub(base).ok_or(ExportError::Overflow)?;
            let discount_tax = tax.checked_sub(base_tax).ok_or(ExportError::Overflow)?;
            for (typ, gross, tax) in [
                ("base_amount", base, base_tax),
                ("discount", discount, discount_tax),
            ] {
                w.push(
                    "Bonpos_Preisfindung",
                    &with_head(vec![
                        ("BON_ID", id()),
                        ("POS_ZEILE", Value::text(&pos)),
                        ("TYP", Value::text(typ)),
                        ("UST_SCHLUESSEL", Value::Int(vat_key(line.vat))),
                        ("PF_BRUTTO", Value::cents(gross)),
                        ("PF_NETTO", Value::cents(gross - tax)),
                        ("PF_UST", Value::cents(tax)),
                    ]),
                )?;
            }
        }
    }
    if let Receipt::Cancellation { original, .. } = r {
        w.push(
            "Bon_Referenzen",
            &with_head(vec![
                ("BON_ID", id()),
                ("REF_TYP", Value::text("Transaktion")),
                ("REF_NAME", Value::text("Storno")),
                ("REF_DATUM", time(&original.created_at)),
                ("REF_Z_KASSE_ID", Value::text(&cp.till_id)),
                (
                    "REF_Z_NR",
                    Value::Int(original.closed_in.unwrap_or(closing.z_number)),
                ),
                (
                    "REF_BON_ID",
                    Value::text(original.receipt_number.to_string()),
                ),
            ]),
        )?;
    }
    Ok(())
}
