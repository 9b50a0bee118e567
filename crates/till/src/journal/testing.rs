//! Bulk writes and a fixed clock, for benches and tests.

use chrono::{DateTime, Local};

use super::query::latest_totals;
use super::write::{Appender, CLOCK};
use super::*;
use crate::PaymentMethod;

/// Stamps this thread's journal writes with `at` instead of the clock's time
/// (`None`: the clock again), so that tests can write sales at midnight.
pub fn set_clock(at: Option<DateTime<Local>>) {
    CLOCK.with(|c| c.set(at));
}

/// Appends `n` paid cash sales of `intent`'s basket in one transaction: the
/// same entries as a real sale, written fast.
pub fn append_sales_bulk(
    journal: &mut Journal,
    n: usize,
    make: impl Fn(usize, i64) -> (PaymentIntent, PaidSale),
) -> Result<(), JournalError> {
    let now = Local::now();
    append_sales_bulk_at(journal, n, |i, r| {
        let (intent, paid) = make(i, r);
        (now, intent, paid)
    })
}

/// [`append_sales_bulk`], each sale issued at the time `make` gives.
pub fn append_sales_bulk_at(
    journal: &mut Journal,
    n: usize,
    make: impl Fn(usize, i64) -> (DateTime<Local>, PaymentIntent, PaidSale),
) -> Result<(), JournalError> {
    let tx = journal.write_tx()?;
    let mut totals = latest_totals(&tx)?;
    let mut app = Appender::new(&tx)?;
    for i in 0..n {
        let receipt_number = totals.last_receipt + 1;
        let (at, intent, paid) = make(i, receipt_number);
        app.set_time(at);
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

/// What a sale of one payment of `method` over the intent's total records as
/// paid (no terminal receipt): the common case tests write.
pub fn paid_in_one(intent: &PaymentIntent, method: PaymentMethod, queued: bool) -> PaidSale {
    PaidSale {
        transaction_id: intent.transaction_id.clone(),
        trans_id: None,
        payments: vec![Payment {
            method,
            amount: intent.total,
            tendered: None,
            change: None,
            terminal_receipt: None,
        }],
        queued,
        customer_receipt: None,
        merchant_receipt: None,
        tse: None,
    }
}

/// Writes one sale of `basket` the way the checkout does (intent, then paid)
/// and returns its receipt number; a queued one has no smart transaction yet.
pub fn sell(
    journal: &mut Journal,
    sale_id: &str,
    basket: &crate::Basket,
    method: PaymentMethod,
    queued: bool,
) -> Result<i64, JournalError> {
    let stx = (!queued).then_some("STX_1");
    let intent = PaymentIntent::new(sale_id, method, basket, stx, None);
    journal.begin_payment(&intent)?;
    journal.record_paid(sale_id, |issue, intent| {
        (paid_in_one(intent, method, queued), issue.receipt_number)
    })
}
