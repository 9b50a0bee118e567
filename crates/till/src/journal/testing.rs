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
            provider_method: None,
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

/// What an insider with the file can do: replace entry `seq`'s body and
/// hash it and every entry after it again (triggers dropped, the head
/// row rewritten), so the chain alone holds again.
pub fn rewrite_and_rehash(path: &std::path::Path, seq: i64, body: &str) {
    let conn = rusqlite::Connection::open(path).expect("the journal file");
    conn.execute_batch(
        "DROP TRIGGER entries_append_only_update; DROP TRIGGER entries_append_only_delete;",
    )
    .expect("drop the triggers");
    conn.execute(
        "UPDATE entries SET body = ?1 WHERE seq = ?2",
        rusqlite::params![body, seq],
    )
    .expect("rewrite");
    let mut prev: [u8; 32] = conn
        .query_row(
            "SELECT hash FROM entries WHERE seq < ?1 ORDER BY seq DESC LIMIT 1",
            [seq],
            |r| r.get::<_, Vec<u8>>(0),
        )
        .map(|h| h.try_into().expect("32 bytes"))
        .unwrap_or(super::schema::GENESIS);
    type Row = (
        i64,
        String,
        Option<String>,
        Option<i64>,
        String,
        String,
        Option<String>,
    );
    let rows: Vec<Row> = conn
        .prepare(
            "SELECT seq, kind, sale_id, receipt_number, created_at, body, cashier FROM entries
             WHERE seq >= ?1 ORDER BY seq",
        )
        .unwrap()
        .query_map([seq], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (s, kind, sale_id, receipt, at, body, cashier) in rows {
        let totals: Option<([i64; 17], Option<[i64; 4]>)> = conn
            .query_row(
                &format!(
                    "SELECT {}, {} FROM totals WHERE seq = ?1",
                    crate::closing::RunningTotals::COLUMNS,
                    crate::closing::RunningTotals::EXTRA_COLUMNS
                ),
                [s],
                |r| {
                    let mut t = [0i64; 17];
                    for (i, v) in t.iter_mut().enumerate() {
                        *v = r.get(i)?;
                    }
                    let extra: Option<i64> = r.get(17)?;
                    let e = match extra {
                        Some(_) => {
                            let mut e = [0i64; 4];
                            for (i, v) in e.iter_mut().enumerate() {
                                *v = r.get(17 + i)?;
                            }
                            Some(e)
                        }
                        None => None,
                    };
                    Ok((t, e))
                },
            )
            .ok();
        let hash = super::verify::entry_hash(
            &prev,
            s,
            &kind,
            sale_id.as_deref(),
            receipt,
            &at,
            &body,
            totals.as_ref().map(|(t, e)| (t, e.as_ref())),
            cashier.as_deref(),
        );
        conn.execute(
            "UPDATE entries SET prev_hash = ?1, hash = ?2 WHERE seq = ?3",
            rusqlite::params![&prev[..], &hash[..], s],
        )
        .unwrap();
        prev = hash;
    }
    conn.execute(
        "UPDATE head SET hash = ?1 WHERE id = 1",
        rusqlite::params![&prev[..]],
    )
    .unwrap();
}

/// Creates the journal file `path` as a Smart Till of schema `version`
/// (1 up to the current one) created it: its migrations up to that one, from
/// the SQL the migrations keep, and nothing in it.
pub fn create_at_schema(path: &std::path::Path, version: usize) -> Result<(), JournalError> {
    assert!(
        (1..=super::schema::MIGRATIONS.len()).contains(&version),
        "no schema {version}"
    );
    let conn = rusqlite::Connection::open(path)?;
    for sql in &super::schema::MIGRATIONS[..version] {
        conn.execute_batch(sql)?;
    }
    conn.pragma_update(None, "user_version", version as i64)?;
    Ok(())
}
