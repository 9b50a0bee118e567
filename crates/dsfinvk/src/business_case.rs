//! `businesscases.csv` (`Z_GV_Typ`): per closing the amounts by business
//! case and VAT key, added up from the lines of the receipts exported into
//! it; the sales (`Umsatz`) per rate are the Z report's figures less the
//! other business cases at that rate, so sales, discounts and voucher loads
//! add up to the Z report's turnover per rate.

use std::collections::BTreeMap;

use till::basket::VatTotal;
use till::{Cents, Closing, VatRate};

use crate::bon::{Bon, SALE, VOUCHER_SOLD};
use crate::from_journal::{vat_key, ExportError};
use crate::writer::{Row, Value, Writer};

/// The business cases the Z report's turnover per rate holds besides `Umsatz`.
const TURNOVER: [&str; 2] = [VOUCHER_SOLD, till::discount::BUSINESS_CASE];

/// One closing's business cases: case and VAT key → rate and gross.
type Cases = BTreeMap<(&'static str, i64), (VatRate, Cents)>;

/// Per closing (Z number) its business cases.
#[derive(Default)]
pub(crate) struct CaseTotals(BTreeMap<i64, Cases>);

impl CaseTotals {
    /// Adds the lines of `bon`, exported into closing `z_number`.
    pub(crate) fn add(&mut self, z_number: i64, bon: &Bon<'_>) -> Result<(), ExportError> {
        let cases = self.0.entry(z_number).or_default();
        // An aborted receipt sold nothing: no business case of the closing.
        if bon.typ == crate::bon::ABORTED {
            return Ok(());
        }
        for line in &bon.lines {
            let e = cases
                .entry((line.gv, vat_key(line.rate)))
                .or_insert((line.rate, Cents::ZERO));
            e.1 = e.1.checked_add(line.gross).ok_or(ExportError::Overflow)?;
        }
        Ok(())
    }

    /// The closing's rows: `Umsatz` per rate from its figures, every other
    /// business case as its receipts' lines add up; rows of zero left out.
    pub(crate) fn write(
        &self,
        w: &mut Writer,
        with_head: &dyn Fn(Row<'static>) -> Row<'static>,
        closing: &Closing,
    ) -> Result<(), ExportError> {
        let empty = BTreeMap::new();
        let cases = self.0.get(&closing.z_number).unwrap_or(&empty);
        let mut rows: Vec<(&str, VatTotal)> = Vec::new();
        for sold in &closing.figures.by_rate {
            let key = vat_key(sold.rate);
            let mut sales = *sold;
            for ((gv, k), (rate, gross)) in cases {
                // Only what the turnover holds besides goods: not the cash movements.
                if *k != key || !TURNOVER.contains(gv) {
                    continue;
                }
                let tax = rate.tax_in_gross(*gross);
                sales.gross = sales
                    .gross
                    .checked_sub(*gross)
                    .ok_or(ExportError::Overflow)?;
                sales.tax = sales.tax.checked_sub(tax).ok_or(ExportError::Overflow)?;
            }
            sales.net = sales.gross - sales.tax;
            rows.push((SALE, sales));
        }
        for ((gv, _), (rate, gross)) in cases {
            if *gv == SALE {
                continue;
            }
            let tax = rate.tax_in_gross(*gross);
            rows.push((
                gv,
                VatTotal {
                    rate: *rate,
                    net: *gross - tax,
                    tax,
                    gross: *gross,
                },
            ));
        }
        for (gv, v) in rows.into_iter().filter(|(_, v)| v.gross.0 != 0) {
            w.push(
                "Z_GV_Typ",
                &with_head(vec![
                    ("GV_TYP", Value::text(gv)),
                    ("UST_SCHLUESSEL", Value::Int(vat_key(v.rate))),
                    ("Z_UMS_BRUTTO", Value::cents(v.gross)),
                    ("Z_UMS_NETTO", Value::cents(v.net)),
                    ("Z_UST", Value::cents(v.tax)),
                ]),
            )?;
        }
        Ok(())
    }
}
