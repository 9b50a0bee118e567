//! Bulk writes for benches and tests.

//! Writes many sales fast, for benches: the same entries as a real sale,
//! in one transaction.
use super::query::latest_totals;
use super::write::Appender;
use super::*;

/// Appends `n` paid cash sales of `intent`'s basket in one transaction.
pub fn append_sales_bulk(
    journal: &mut Journal,
    n: usize,
    make: impl Fn(usize, i64) -> (PaymentIntent, PaidSale),
) -> Result<(), JournalError> {
    let tx = journal.write_tx()?;
    let mut totals = latest_totals(&tx)?;
    let mut app = Appender::new(&tx)?;
    for i in 0..n {
        let receipt_number = totals.last_receipt + 1;
        let (intent, paid) = make(i, receipt_number);
        app.append(
            kind::INTENT,
            Some(&intent.sale_id),
            None,
            &serde_json::to_string(&intent)?,
            None,
        )?;
        totals.sales += 1;
        totals.last_receipt = receipt_number;
        totals.add_vat(&intent.vat(), 1);
        for p in &paid.payments {
            totals.add_payment(p.method, p.amount);
        }
        app.append(
            kind::SALE,
            Some(&intent.sale_id),
            Some(receipt_number),
            &serde_json::to_string(&paid)?,
            Some(&totals),
        )?;
        if let Some(r) = &paid.customer_receipt {
            app.append(
                kind::RECEIPT_CUSTOMER,
                Some(&intent.sale_id),
                None,
                &serde_json::to_string(r)?,
                None,
            )?;
        }
    }
    drop(app);
    tx.commit()?;
    Ok(())
}
