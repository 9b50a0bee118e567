//! A receipt as the DSFinV-K tables see it (`Bon`): its head, VAT rows,
//! payments, lines (each with its business case, `GV_TYP`), references and
//! TSE record; built from the journal's sales, cancellations, returns, cash
//! movements and counting differences, and written into the receipt tables.

use std::collections::BTreeMap;

use till::basket::{Basket, LineKind, VatTotal, Weighed};
use till::journal::CashierRef;
use till::returns::ReturnRecord;
use till::{Cents, PaymentMethod, TseRecord, VatRate};

use crate::from_journal::{payment_type, time, vat_key, ExportError};
use crate::writer::{Row, Value, Writer};

/// DSFinV-K's business case of goods sold (`GV_TYP`).
pub(crate) const SALE: &str = "Umsatz";
/// A secucard load: a multi-purpose voucher sold.
pub(crate) const VOUCHER_SOLD: &str = "MehrzweckgutscheinKauf";

/// One receipt, ready to be written.
pub(crate) struct Bon<'a> {
    /// `BON_ID`: the receipt number, or `J-<entry>` for what has none (the
    /// float, the counting difference).
    pub id: String,
    pub number: i64,
    /// `Beleg` or `AVTransfer`.
    pub typ: &'static str,
    pub storno: bool,
    pub start: &'a str,
    pub end: &'a str,
    pub cashier: Option<&'a CashierRef>,
    pub total: Cents,
    pub vat: Vec<VatTotal>,
    pub payments: Vec<(PaymentMethod, Cents)>,
    pub lines: Vec<Line<'a>>,
    pub reference: Option<Reference>,
    pub tse: Option<&'a TseRecord>,
}

/// One line (`Bonpos`).
pub(crate) struct Line<'a> {
    pub gv: &'static str,
    pub text: std::borrow::Cow<'a, str>,
    pub article_number: Option<&'a str>,
    pub gtin: Option<&'a str>,
    /// Pieces, signed (a weighed line: ±1, its weight in `weighed`).
    pub quantity: i64,
    pub unit_price: Cents,
    /// Sold by weight: `MENGE` is the weight in kg, `STK_BR` the price per kg.
    pub weighed: Option<Weighed>,
    /// What the line adds to the receipt (signed).
    pub gross: Cents,
    pub rate: VatRate,
    /// The price before the line's own discount, where it had one
    /// (`itemamounts.csv`: base amount and discount).
    pub base: Option<Cents>,
}

/// The receipt another one refers to (`Bon_Referenzen`, `REF_TYP` `Transaktion`).
pub(crate) struct Reference {
    pub name: &'static str,
    pub z_number: i64,
    /// The time of that receipt's closing.
    pub closed_at: String,
    pub bon_id: String,
}

/// The lines of a basket, `sign` −1 for a cancellation: each line after
/// its own discount (the base price and the discount in `itemamounts`),
/// then per VAT rate one `Rabatt` line with the basket discount's shares,
/// so that the lines add up per rate to the receipt's VAT rows.
pub(crate) fn basket_lines(basket: &Basket, sign: i64) -> Result<Vec<Line<'_>>, ExportError> {
    let mut lines = Vec::with_capacity(basket.lines.len());
    let mut shares: BTreeMap<u8, (VatRate, Cents, String)> = BTreeMap::new();
    for line in &basket.lines {
        let (own, share) = match &line.discount_rule {
            Some(rule) => (rule.line_amount, rule.basket_share),
            None => (line.discount, Cents::ZERO),
        };
        let base = line
            .unit_price
            .checked_mul(line.quantity)
            .ok_or(ExportError::Overflow)?;
        let gross = base.checked_sub(own).ok_or(ExportError::Overflow)?;
        lines.push(Line {
            gv: match line.kind {
                LineKind::Article => SALE,
                LineKind::CardLoad => VOUCHER_SOLD,
            },
            text: (&line.text).into(),
            article_number: line.article_number.as_deref(),
            gtin: line.ean.as_deref(),
            quantity: line.quantity * sign,
            unit_price: line.unit_price,
            weighed: line.weighed,
            gross: gross.checked_mul(sign).ok_or(ExportError::Overflow)?,
            rate: line.vat,
            base: (own != Cents::ZERO)
                .then(|| base.checked_mul(sign))
                .flatten(),
        });
        if share != Cents::ZERO {
            let label = line
                .discount_rule
                .as_ref()
                .and_then(|r| r.basket)
                .map(|d| d.label())
                .unwrap_or_else(|| till::discount::BUSINESS_CASE.to_string());
            let e = shares
                .entry(line.vat.percent())
                .or_insert((line.vat, Cents::ZERO, label));
            e.1 = e.1.checked_add(share).ok_or(ExportError::Overflow)?;
        }
    }
    // Highest rate first, as the receipt's VAT table.
    for (_, (rate, share, label)) in shares.into_iter().rev() {
        let off = share.checked_mul(-sign).ok_or(ExportError::Overflow)?;
        lines.push(Line {
            gv: till::discount::BUSINESS_CASE,
            text: label.into(),
            article_number: None,
            gtin: None,
            quantity: sign,
            unit_price: -share,
            weighed: None,
            gross: off,
            rate,
            base: None,
        });
    }
    Ok(lines)
}

/// The lines of a return: each line taken back, negative, with the
/// original line's article number and GTIN.
pub(crate) fn return_lines<'a>(r: &'a ReturnRecord, original: &'a Basket) -> Vec<Line<'a>> {
    r.lines
        .iter()
        .map(|l| {
            let sold = original.lines.get(l.line);
            Line {
                gv: SALE,
                text: l.text.as_str().into(),
                article_number: sold.and_then(|s| s.article_number.as_deref()),
                gtin: sold.and_then(|s| s.ean.as_deref()),
                quantity: -l.quantity,
                unit_price: l.unit_price,
                weighed: sold.and_then(|s| s.weighed),
                gross: l.amount,
                rate: l.vat,
                base: None,
            }
        })
        .collect()
}

/// DSFinV-K's type of an aborted receipt (`BON_TYP`).
pub(crate) const ABORTED: &str = "AVBelegabbruch";

/// A basket cleared without a sale (`AVBelegabbruch`): its lines and
/// amounts as they stood, nothing paid; not part of the closing's business
/// cases or payments (only `Beleg` and the movements are). Without the
/// basket (a till that stopped with it open, older journals) a receipt of
/// no lines and no amount, as the TSE signed it.
pub(crate) fn aborted<'a>(
    id: String,
    number: i64,
    at: &'a str,
    basket: Option<&'a Basket>,
) -> Result<Bon<'a>, ExportError> {
    let (total, vat, lines) = match basket {
        Some(b) => (b.total(), b.vat_totals(), basket_lines(b, 1)?),
        None => (Cents::ZERO, Vec::new(), Vec::new()),
    };
    Ok(Bon {
        id,
        number,
        typ: ABORTED,
        storno: false,
        start: at,
        end: at,
        cashier: None,
        total,
        vat,
        payments: Vec::new(),
        lines,
        reference: None,
        tse: None,
    })
}

/// An untaxed cash receipt of one line: a movement, the float, the difference.
pub(crate) fn transfer<'a>(
    id: String,
    number: i64,
    at: &'a str,
    gv: &'static str,
    text: String,
    amount: Cents,
) -> Bon<'a> {
    Bon {
        id,
        number,
        typ: "AVTransfer",
        storno: false,
        start: at,
        end: at,
        cashier: None,
        total: amount,
        vat: vec![VatTotal {
            rate: VatRate::Zero,
            net: amount,
            tax: Cents::ZERO,
            gross: amount,
        }],
        payments: vec![(PaymentMethod::Cash, amount)],
        lines: vec![Line {
            gv,
            text: text.into(),
            article_number: None,
            gtin: None,
            quantity: 1,
            unit_price: amount,
            weighed: None,
            gross: amount,
            rate: VatRate::Zero,
            base: None,
        }],
        reference: None,
        tse: None,
    }
}

/// Writes the receipt's rows, except its TSE row (the caller's `TseMaster`).
pub(crate) fn write(
    w: &mut Writer,
    with_head: &dyn Fn(Row<'static>) -> Row<'static>,
    till_id: &str,
    bon: &Bon<'_>,
) -> Result<(), ExportError> {
    let id = || Value::text(&bon.id);
    let (cashier_id, cashier_name) = match bon.cashier {
        Some(c) => (c.id.as_str(), c.name.as_str()),
        None => ("", ""),
    };
    w.push(
        "Bonkopf",
        &with_head(vec![
            ("BON_ID", id()),
            ("BON_NR", Value::Int(bon.number)),
            ("BON_TYP", Value::text(bon.typ)),
            (
                "BON_STORNO",
                Value::text(if bon.storno { "1" } else { "0" }),
            ),
            ("BON_START", time(bon.start)),
            ("BON_ENDE", time(bon.end)),
            ("BEDIENER_ID", Value::text(cashier_id)),
            ("BEDIENER_NAME", Value::text(cashier_name)),
            ("UMS_BRUTTO", Value::cents(bon.total)),
        ]),
    )?;
    for v in &bon.vat {
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
    for (method, amount) in &bon.payments {
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
    for (i, line) in bon.lines.iter().enumerate() {
        write_line(w, with_head, &bon.id, i + 1, line)?;
    }
    if let Some(r) = &bon.reference {
        w.push(
            "Bon_Referenzen",
            &with_head(vec![
                ("BON_ID", id()),
                ("REF_TYP", Value::text("Transaktion")),
                ("REF_NAME", Value::text(r.name)),
                ("REF_DATUM", time(&r.closed_at)),
                ("REF_Z_KASSE_ID", Value::text(till_id)),
                ("REF_Z_NR", Value::Int(r.z_number)),
                ("REF_BON_ID", Value::text(&r.bon_id)),
            ]),
        )?;
    }
    Ok(())
}

fn write_line(
    w: &mut Writer,
    with_head: &dyn Fn(Row<'static>) -> Row<'static>,
    bon_id: &str,
    pos: usize,
    line: &Line<'_>,
) -> Result<(), ExportError> {
    let id = || Value::text(bon_id);
    let pos = pos.to_string();
    let key = vat_key(line.rate);
    let tax = line.rate.tax_in_gross(line.gross);
    // A weighed line: its weight in kg (3 decimals) at the price per kg, so
    // that MENGE × STK_BR, rounded half up to the cent, is the line's price.
    let (menge, unit, unit_price) = match line.weighed {
        Some(w) => (
            Value::Decimal {
                units: w
                    .grams
                    .checked_mul(line.quantity)
                    .ok_or(ExportError::Overflow)?,
                decimals: 3,
            },
            "kg",
            w.price_per_kg,
        ),
        None => (Value::Int(line.quantity), "Stück", line.unit_price),
    };
    w.push(
        "Bonpos",
        &with_head(vec![
            ("BON_ID", id()),
            ("POS_ZEILE", Value::text(&pos)),
            ("ARTIKELTEXT", Value::text(line.text.as_ref())),
            ("GV_TYP", Value::text(line.gv)),
            ("INHAUS", Value::text("0")),
            ("P_STORNO", Value::text("0")),
            (
                "ART_NR",
                Value::text(line.article_number.unwrap_or_default()),
            ),
            ("GTIN", Value::text(line.gtin.unwrap_or_default())),
            ("MENGE", menge),
            ("EINHEIT", Value::text(unit)),
            ("STK_BR", Value::cents(unit_price)),
        ]),
    )?;
    w.push(
        "Bonpos_USt",
        &with_head(vec![
            ("BON_ID", id()),
            ("POS_ZEILE", Value::text(&pos)),
            ("UST_SCHLUESSEL", Value::Int(key)),
            ("POS_BRUTTO", Value::cents(line.gross)),
            ("POS_NETTO", Value::cents(line.gross - tax)),
            ("POS_UST", Value::cents(tax)),
        ]),
    )?;
    if let Some(base) = line.base {
        // How the price was found: the base price, less the line's own
        // discount; the discount's tax is the rest, so both add up to the line.
        let base_tax = line.rate.tax_in_gross(base);
        let discount = line.gross.checked_sub(base).ok_or(ExportError::Overflow)?;
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
                    ("UST_SCHLUESSEL", Value::Int(key)),
                    ("PF_BRUTTO", Value::cents(gross)),
                    ("PF_NETTO", Value::cents(gross - tax)),
                    ("PF_UST", Value::cents(tax)),
                ]),
            )?;
        }
    }
    Ok(())
}
