//! The drawer's day through the app's commands: a demo till (the simulators
//! on loopback, a real journal file), manager limits, returns of card sales
//! (whole: cancelled on the terminal; partial: cash, said on the receipt) and
//! a sale with returns that can no longer be cancelled.

mod common;

use common::demo_till;
use till::basket::{Basket, BasketLine};
use till::cash_movement::CashReason;
use till::discount::Discount;
use till::returns::ReturnLine;
use till::{Cents, VatRate};
use till_app::commands::cash_day::{self, DiscountRequest};
use till_app::commands::{card, cashiers, journal, sale};
use till_app::ErrorCode;

fn basket() -> Basket {
    Basket {
        lines: vec![
            BasketLine::article("Kaffee", 2, Cents(220), VatRate::Standard),
            BasketLine::article("Kuchen", 1, Cents(4_000), VatRate::Reduced),
        ],
        card: None,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn above_the_limits_a_manager_is_required() {
    let (_dir, state) = demo_till().await.into_parts();
    cash_day::set_float(&state, Cents(50_000)).await.unwrap();
    // The demo cashier (not a manager): cash out above 50 € and discounts
    // above 5 € need a manager's PIN.
    cashiers::login(&state, catalog::demo::DEMO_CASHIER_PIN).unwrap();
    let e = cash_day::cash_movement(&state, CashReason::ToBank, Cents(6_000), None, None)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::ManagerRequired);
    // Cash in needs no manager, 50 € out is within the limit.
    cash_day::cash_movement(&state, CashReason::ChangeFetched, Cents(2_000), None, None)
        .await
        .unwrap();
    let out = cash_day::cash_movement(&state, CashReason::ToBank, Cents(5_000), None, None)
        .await
        .unwrap();
    assert_eq!((out.receipt_number, out.amount), (2, Cents(-5_000)));
    // With the manager's PIN: booked, the authorisation journaled with the movement.
    let pin = Some(catalog::demo::DEMO_MANAGER_PIN.to_string());
    let out = cash_day::cash_movement(&state, CashReason::ToBank, Cents(6_000), None, pin)
        .await
        .unwrap();
    let m = state
        .journal()
        .cash_receipt(out.receipt_number)
        .unwrap()
        .unwrap();
    assert!(m.authorised_by.is_some(), "{m:?}");
    // 50 % off 44,40 €: 22,20 € off, above the 5 € limit.
    let half = DiscountRequest {
        lines: vec![],
        basket: Some(Discount::Percent { percent: 50 }),
    };
    let e = cash_day::apply_discounts(&state, basket(), half, None)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::ManagerRequired);
    let small = DiscountRequest {
        lines: vec![None, Some(Discount::Amount { amount: Cents(400) })],
        basket: None,
    };
    let priced = cash_day::apply_discounts(&state, basket(), small, None)
        .await
        .unwrap();
    assert_eq!(priced.total(), Cents(440 + 3_600));
    // The float stands once a sale is booked.
    sale::pay_cash(&state, priced, None).await.unwrap();
    let e = cash_day::set_float(&state, Cents(1)).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::FloatLocked);
    let f = cash_day::float_state(&state).await.unwrap();
    assert_eq!((f.amount, f.locked), (Some(Cents(50_000)), true));
    let x = cash_day::x_report_text(&state).await.unwrap();
    assert!(x.contains("X-Bericht") && x.contains("Rabatte"), "{x}");
}

#[tokio::test(flavor = "multi_thread")]
async fn card_sales_come_back_whole_on_the_card_and_in_part_in_cash() {
    let (_dir, state) = demo_till().await.into_parts();
    cash_day::set_float(&state, Cents(10_000)).await.unwrap();
    let whole = card::pay_card(&state, basket())
        .await
        .unwrap()
        .sale
        .unwrap();
    let part = card::pay_card(&state, basket())
        .await
        .unwrap()
        .sale
        .unwrap();

    // All of the first: the card payment is cancelled on the terminal.
    let all = [
        ReturnLine {
            line: 0,
            quantity: 2,
        },
        ReturnLine {
            line: 1,
            quantity: 1,
        },
    ];
    let done = cash_day::return_lines(&state, whole.sale.receipt_number as i64, all.to_vec(), None)
        .await
        .unwrap();
    assert!(done.card_cancelled);
    assert_eq!(done.amount, Cents(-4_440));
    let refunds = state.sandbox.as_ref().unwrap().state.snapshot()["terminal"]["payments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["cancelled"] == true)
        .count();
    assert_eq!(refunds, 1, "the terminal gave the first card payment back");

    // One coffee of the second: refunded in cash, and the receipt says so.
    let one = [ReturnLine {
        line: 0,
        quantity: 1,
    }];
    let number = part.sale.receipt_number as i64;
    let done = cash_day::return_lines(&state, number, one.to_vec(), None)
        .await
        .unwrap();
    assert!(!done.card_cancelled);
    assert_eq!(done.amount, Cents(-220));
    assert!(done
        .receipt_text
        .contains("Erstattung in bar (Kartenzahlung)"));
    assert!(done
        .receipt_text
        .contains(&format!("RÜCKGABE zu Beleg {number}")));
    // The rest can no longer be cancelled as a whole, and that coffee not returned again.
    let e = journal::cancel_sale(&state, &part.sale.sale_id, None, None)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NotCancellable);
    let both = [ReturnLine {
        line: 0,
        quantity: 2,
    }];
    let e = cash_day::return_lines(&state, number, both.to_vec(), None)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NotReturnable);
    let summary = till_app::commands::closing::day_summary(&state)
        .await
        .unwrap();
    assert_eq!(summary.drawer.returns_count, 1);
    assert_eq!(summary.cash_expected, Cents(10_000 - 220));

    // The journal screen lists the return with its own number, amount and the
    // sale it belongs to; opened, it shows its slip, which prints again and
    // is never cancelled from the list.
    let out = cash_day::cash_movement(
        &state,
        CashReason::Expense,
        Cents(300),
        Some("Briefmarken".into()),
        None,
    )
    .await
    .unwrap();
    let page = journal::journal_search(&state, None, None, None, 0, 10)
        .await
        .unwrap();
    let rows: Vec<_> = page
        .entries
        .iter()
        .take(2)
        .map(|e| {
            (
                e.receipt_number,
                e.total.0,
                e.state,
                e.original_receipt,
                e.cash_reason,
            )
        })
        .collect();
    use till::journal::ListedState;
    assert_eq!(
        rows,
        vec![
            (
                out.receipt_number,
                -300,
                ListedState::CashReceipt,
                None,
                Some(CashReason::Expense)
            ),
            (
                done.receipt_number,
                -220,
                ListedState::Return,
                Some(number),
                None
            ),
        ]
    );
    let by_amount = journal::journal_search(&state, None, Some(220), None, 0, 10)
        .await
        .unwrap();
    assert!(by_amount
        .entries
        .iter()
        .any(|e| e.state == ListedState::Return));
    let detail = journal::journal_sale(&state, &page.entries[1].sale_id)
        .await
        .unwrap();
    assert_eq!(detail.customer_receipt, done.receipt_text);
    assert!(!detail.can_cancel);
    let slip = journal::journal_sale(&state, &page.entries[0].sale_id)
        .await
        .unwrap();
    assert!(
        slip.customer_receipt.contains("Briefmarken"),
        "{}",
        slip.customer_receipt
    );
    assert_eq!(slip.customer_receipt, out.receipt_text);
    let pdf = till_app::commands::print::receipt_pdf(&state, &page.entries[0].sale_id, "customer")
        .await
        .unwrap();
    assert_eq!(pdf.file_name, format!("Beleg-{}.pdf", out.receipt_number));
    let e = journal::cancel_sale(&state, &page.entries[1].sale_id, None, None)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NotCancellable);
}
