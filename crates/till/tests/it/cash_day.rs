//! The drawer's whole day on a real journal file with both simulators on
//! loopback: the opening float, a discounted sale, cash movements signed as
//! `AVTransfer`, a partial return (never twice, also after a restart), the
//! X report and the closing whose expected cash is what went into the drawer.

use crate::common;

use std::time::Duration;

use common::Till;
use till::cash_movement::CashReason;
use till::discount::{self, Discount};
use till::journal::{kind, CashDayError, Journal, JournalFilter, ListedState};
use till::returns::{ReturnError, ReturnLine};
use till::{Basket, BasketLine, Cents, Checkout, Tse, TseRecord, VatRate};

fn tse_client(url: &str) -> fiskaly::Client {
    fiskaly::Client::new(
        fiskaly::ClientConfig::new(
            url,
            fiskaly::Credentials {
                api_key: fiskaly_sandbox::DEMO_API_KEY.into(),
                api_secret: fiskaly::Secret::new(fiskaly_sandbox::DEMO_API_SECRET),
            },
        )
        .with_timeout(Duration::from_millis(800)),
    )
    .unwrap()
}

fn basket() -> Basket {
    Basket {
        lines: vec![
            BasketLine::article("Brot", 2, Cents(250), VatRate::Reduced),
            BasketLine::article("Wein", 1, Cents(1190), VatRate::Standard),
        ],
        card: None,
    }
}

#[tokio::test]
async fn a_day_with_float_discount_movements_and_a_return_closes_to_the_cent() {
    let tse_sandbox = fiskaly_sandbox::start_demo().await.unwrap();
    let tse = Tse::new(
        tse_client(&tse_sandbox.url()),
        fiskaly_sandbox::DEMO_TSS_ID,
        fiskaly_sandbox::DEMO_CLIENT_ID,
    );
    let till = Till::new().await;
    let checkout = Checkout {
        tse: Some(&tse),
        ..till.checkout()
    };

    // The float: asked for, changeable until the first sale.
    let f = till.journal().float_state().unwrap();
    assert_eq!((f.amount, f.suggestion, f.locked), (None, Cents(0), false));
    till.journal().set_opening_float(Cents(10_000)).unwrap();
    let f = till.journal().set_opening_float(Cents(15_000)).unwrap();
    assert_eq!(f.amount, Some(Cents(15_000)));

    // A sale with 10 % off the bread and 1,00 € off the basket.
    let priced = discount::apply(
        &basket(),
        &[Some(Discount::Percent { percent: 10 }), None],
        Some(Discount::Amount { amount: Cents(100) }),
    )
    .unwrap();
    // 5,00 − 0,50 = 4,50 and 11,90: 1,00 split 4,50 : 11,90 is 0,2744 and 0,7256 → 0,27 and 0,73.
    assert_eq!(priced.lines[0].discount, Cents(50 + 27));
    assert_eq!(priced.lines[1].discount, Cents(73));
    assert_eq!(priced.total(), Cents(1690 - 150));
    let sale = checkout.pay_cash(&priced, Some(Cents(2000))).await.unwrap();
    assert_eq!(sale.total, Cents(1540));
    assert!(
        sale.receipt_text.contains("Rabatt 10 %") && sale.receipt_text.contains("Rabatt Einkauf"),
        "{}",
        sale.receipt_text
    );
    let again = till.journal().set_opening_float(Cents(1));
    assert!(matches!(again, Err(CashDayError::FloatLocked)));

    // Cash to the bank and change fetched: receipts of their own, signed as transfers.
    let out = checkout
        .cash_movement(CashReason::ToBank, Cents(5_000), "", None)
        .await
        .unwrap();
    assert_eq!(out.record.receipt_number, sale.receipt_number as i64 + 1);
    let Some(TseRecord::Signed(s)) = &out.record.tse else {
        panic!("the movement is signed: {:?}", out.record.tse)
    };
    assert!(
        s.qr_code_data.contains("Kassenbeleg-V1;AVTransfer"),
        "{}",
        s.qr_code_data
    );
    let slip = receipt::render_document_text(&receipt::Document::receipt(out.receipt), 42);
    assert!(
        slip.contains("Geldtransit zur Bank") && slip.contains("-50,00"),
        "{slip}"
    );
    let into = checkout
        .cash_movement(CashReason::ChangeFetched, Cents(2_000), "Rollen 1 €", None)
        .await
        .unwrap();
    assert_eq!(into.record.receipt_number, out.record.receipt_number + 1);
    // More out than the drawer holds is refused before anything is signed.
    let too_much = checkout
        .cash_movement(CashReason::PrivateWithdrawal, Cents(1_000_000), "", None)
        .await;
    assert!(matches!(too_much, Err(CashDayError::NotInDrawer(_))));

    // A partial return: one bread of two (5,00 − 0,77 = 4,23 for two: 2,115 → 2,12).
    let back = [ReturnLine {
        line: 0,
        quantity: 1,
    }];
    let ret = checkout
        .take_back(sale.receipt_number as i64, &back, None)
        .await
        .unwrap();
    assert_eq!(ret.record.total, Cents(-212));
    assert_eq!(ret.record.receipt_number, into.record.receipt_number + 1);
    let text = receipt::render_document_text(&receipt::Document::receipt(ret.receipt), 42);
    assert!(
        text.contains(&format!("RÜCKGABE zu Beleg {}", sale.receipt_number)),
        "{text}"
    );
    assert!(matches!(ret.record.tse, Some(TseRecord::Signed(_))));

    // The journal screen's list shows them beside the sale, newest first, each
    // with its receipt number and signed amount, found by the same filters.
    let list = till
        .journal()
        .search(&JournalFilter::default(), 0, 10)
        .unwrap();
    let rows: Vec<_> = list
        .entries
        .iter()
        .map(|e| (e.receipt_number, e.total.0, e.state, e.sale_id.as_str()))
        .collect();
    let (n, o, i, r) = (
        sale.receipt_number as i64,
        out.record.receipt_number,
        into.record.receipt_number,
        ret.record.receipt_number,
    );
    assert_eq!(
        rows,
        vec![
            (r, -212, ListedState::Return, format!("return-{r}").as_str()),
            (
                i,
                2_000,
                ListedState::CashReceipt,
                format!("cash-{i}").as_str()
            ),
            (
                o,
                -5_000,
                ListedState::CashReceipt,
                format!("cash-{o}").as_str()
            ),
            (n, 1_540, ListedState::Paid, sale.sale_id.as_str()),
        ]
    );
    assert_eq!(list.entries[0].original_receipt, Some(n));
    assert_eq!(list.entries[1].cash_reason, Some(CashReason::ChangeFetched));
    assert_eq!(list.entries[2].cash_reason, Some(CashReason::ToBank));
    // The return does not mark its sale: it is still paid (and not in the outbox).
    assert!(list.entries.iter().all(|e| e.synced));
    let by_amount = till
        .journal()
        .search(
            &JournalFilter {
                amount: Some(Cents(5_000)),
                ..Default::default()
            },
            0,
            10,
        )
        .unwrap();
    assert_eq!(by_amount.total_count, 1);
    assert_eq!(by_amount.entries[0].receipt_number, o);
    let by_number = till
        .journal()
        .search(
            &JournalFilter {
                receipt_number: Some(r),
                ..Default::default()
            },
            0,
            10,
        )
        .unwrap();
    assert_eq!(by_number.entries[0].state, ListedState::Return);
    let one = till
        .journal()
        .journal_entry(&format!("return-{r}"))
        .unwrap();
    assert_eq!(one.map(|e| e.receipt_number), Some(r));
    let one = till.journal().journal_entry(&format!("cash-{i}")).unwrap();
    assert_eq!(one.map(|e| e.total), Some(Cents(2_000)));
    assert!(till
        .journal()
        .journal_entry(&format!("cash-{r}"))
        .unwrap()
        .is_none());

    // Figures: float + cash sale + in − out − refund.
    let expected = 15_000 + 1_540 + 2_000 - 5_000 - 212;
    let figures = till.journal().day_figures().unwrap();
    assert_eq!(figures.cash_expected, Cents(expected));
    let drawer = till.journal().drawer_figures().unwrap();
    assert_eq!(drawer.discounts, Cents(150));
    assert_eq!(
        (drawer.returns_count, drawer.returns_total),
        (1, Cents(-212))
    );
    let reasons: Vec<_> = drawer
        .by_reason
        .iter()
        .map(|r| (r.business_case.as_str(), r.count, r.amount.0))
        .collect();
    assert_eq!(
        reasons,
        vec![("Geldtransit", 1, -5_000), ("Einzahlung", 1, 2_000)]
    );
    // VAT after the return: 7 % gross 4,23 − 2,12 = 2,11; 19 % 11,90 − 0,73.
    assert_eq!(figures.by_rate[1].gross, Cents(211));
    assert_eq!(figures.by_rate[0].gross, Cents(1117));
    assert_eq!(figures.total, Cents(1540 - 212));

    // The X report: the same figures, nothing closed.
    let shop = common::shop();
    let header = till::z_report::ZReportHeader {
        shop: &shop,
        till_id: "KASSE-1",
        demo: true,
    };
    let x = till::z_report::x_report(
        figures.clone(),
        drawer,
        vec![],
        None,
        None,
        "2026-12-03T12:00:00+01:00",
        &header,
    );
    let x_text = receipt::render_document_text(&receipt::Document::ZReport(x), 42);
    for needle in ["X-Bericht", "Geldtransit (1x)", "Rückgaben (1x)", "Rabatte"] {
        assert!(x_text.contains(needle), "{needle} in\n{x_text}");
    }
    assert!(till.journal().closings().unwrap().is_empty());

    // The same line cannot go back twice, also after a restart.
    drop(checkout);
    let path = till.path.clone();
    *till.journal.lock().unwrap() = Journal::open(&path).unwrap();
    let checkout = till.checkout();
    let both = [ReturnLine {
        line: 0,
        quantity: 2,
    }];
    let twice = checkout
        .take_back(sale.receipt_number as i64, &both, None)
        .await;
    assert!(
        matches!(
            twice,
            Err(CashDayError::Return(ReturnError::TooMany {
                line: 1,
                left: 1
            }))
        ),
        "{twice:?}"
    );

    // The closing: counted 20 cents short, 100 € kept for tomorrow.
    let counted = Cents(expected - 20);
    let closing = till
        .journal()
        .close_day_retaining(counted, None, None, Some(Cents(10_000)))
        .unwrap();
    assert_eq!(closing.figures.cash_expected, Cents(expected));
    assert_eq!(closing.difference, Cents(-20));
    assert_eq!(closing.retained, Some(Cents(10_000)));
    // The takings per cashier add up to the day's, the return included.
    let by_cashier: i64 = closing.by_cashier.iter().map(|c| c.total.0).sum();
    assert_eq!(Cents(by_cashier), closing.figures.total);
    let diff = till.journal().entries(Some(kind::CASH_DIFFERENCE)).unwrap();
    assert_eq!(diff.len(), 1);
    assert_eq!(diff[0].body["business_case"], "DifferenzSollIst");
    let f = till.journal().float_state().unwrap();
    assert_eq!((f.amount, f.suggestion), (None, Cents(10_000)));
    assert!(till.journal().verify().unwrap().is_none());
}

#[tokio::test]
async fn a_tse_that_is_down_never_holds_a_cash_movement() {
    let tse_sandbox = fiskaly_sandbox::start_demo().await.unwrap();
    let tse = Tse::new(
        tse_client(&tse_sandbox.url()),
        fiskaly_sandbox::DEMO_TSS_ID,
        fiskaly_sandbox::DEMO_CLIENT_ID,
    );
    let till = Till::new().await;
    let checkout = Checkout {
        tse: Some(&tse),
        ..till.checkout()
    };
    tse_sandbox.set_offline(true).await;
    let m = checkout
        .cash_movement(CashReason::PrivateDeposit, Cents(3_000), "", None)
        .await
        .unwrap();
    assert!(matches!(m.record.tse, Some(TseRecord::Failed { .. })));
    assert_eq!(m.record.receipt_number, 1);
    assert_eq!(till.journal().day_figures().unwrap().cash_in, Cents(3_000));
}
