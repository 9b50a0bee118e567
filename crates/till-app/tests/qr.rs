//! Pay by QR code through the app, against the demo till's simulator on
//! loopback: the customer's browser is plain HTTP on the checkout page the
//! QR code's link opens; the journal is a real SQLite file.

mod common;

use std::time::{Duration, Instant};

use common::basket;
use secuconnect_sandbox::SandboxConfig;
use serde_json::json;
use till::PaymentMethod;
use till_app::commands::qr::{self as qr_cmd};
use till_app::commands::status;
use till_app::qr::{QrOutcome, QrPaymentStarted, KEY_QR};
use till_app::settings::SettingsStore;
use till_app::ErrorCode;

/// A demo till whose checkout page's slow method takes 1.5 s.
struct Host;

impl Host {
    async fn start() -> common::DemoTill {
        let till = common::start_demo().await;
        till.sandbox()
            .configure(SandboxConfig {
                checkout_delay_ms: Some(1500),
                ..Default::default()
            })
            .unwrap();
        till
    }
}

fn stx_of(link: &str) -> String {
    link.split(['?', '&'])
        .find_map(|p| p.strip_prefix("stx="))
        .expect("the link names its transaction")
        .to_string()
}

/// The customer opens the link (as the phone does after scanning) and acts there.
async fn customer(
    started: &QrPaymentStarted,
    action: &str,
    method: Option<&str>,
) -> reqwest::StatusCode {
    let http = reqwest::Client::new();
    let page = http.get(&started.link).send().await.unwrap();
    assert_eq!(page.status(), reqwest::StatusCode::OK);
    let base = started.link.split("/checkout").next().unwrap();
    let stx = stx_of(&started.link);
    let mut form = vec![("stx", stx.as_str())];
    if let Some(m) = method {
        form.push(("method", m));
    }
    http.post(format!("{base}/checkout/{action}"))
        .form(&form)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test(flavor = "multi_thread")]
async fn paid_by_the_customer_the_sale_is_journaled_with_the_method_the_provider_reports() {
    let host = Host::start().await;
    assert!(qr_cmd::qr_available(&host.state).await.unwrap().available);
    let started = qr_cmd::start_qr_payment(&host.state, basket(1250))
        .await
        .unwrap();
    assert_eq!(started.amount_cents, 1250);
    assert!(started
        .link
        .starts_with(&format!("{}/checkout?", host.sandbox_url())));
    assert!(started.qr_svg.starts_with("<svg"));
    assert_eq!(started.timeout_secs, 180);
    // The customer display shows the same link, large, with the amount.
    assert_eq!(host.state.qr.current().unwrap().link, started.link);
    let shown = host.state.display.view();
    let qr = shown
        .qr
        .as_ref()
        .expect("the QR code on the customer display");
    assert_eq!(qr.link, started.link);
    assert_eq!(qr.amount_cents, till::Cents(1250));
    assert_eq!(qr.expires_at, started.expires_at);
    // The intent is journaled before anyone could pay.
    let open = host.state.journal().in_doubt().unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].intent.method, PaymentMethod::Qr);
    // No restart while the customer pays.
    let e = till_app::commands::connection::restart_allowed(&host.state).unwrap_err();
    assert_eq!(e.code, ErrorCode::SwitchCardRunning);
    // A second QR payment waits for this one.
    let e = qr_cmd::start_qr_payment(&host.state, basket(100))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::QrBusy);

    assert!(customer(&started, "pay", Some("paypal")).await.is_success());
    let result = qr_cmd::wait_qr_payment(&host.state).await.unwrap();
    assert_eq!(result.outcome, QrOutcome::Paid);
    let sale = result.sale.expect("the paid sale");
    assert_eq!(sale.total.0, 1250);
    assert!(
        sale.receipt_text.contains("QR-Code (PayPal)"),
        "{}",
        sale.receipt_text
    );
    let record = host
        .state
        .journal()
        .sale_by_receipt(sale.receipt_number as i64)
        .unwrap();
    let payment = &record.paid.payments[0];
    assert_eq!(payment.method, PaymentMethod::Qr);
    assert_eq!(payment.provider_method.as_deref(), Some("paypal"));
    assert!(host.state.journal().in_doubt().unwrap().is_empty());
    assert!(host.state.qr.current().is_none());
    // The display thanks the customer, the code gone.
    let shown = host.state.display.view();
    assert!(shown.qr.is_none());
    assert_eq!(shown.phase, till_app::customer_display::DisplayPhase::Paid);
    // Paid once: the page refuses a second payment.
    assert_eq!(
        customer(&started, "pay", Some("creditcard")).await,
        reqwest::StatusCode::CONFLICT
    );
    // Cancelled later: the provider gives the money back.
    till_app::commands::journal::cancel_sale(
        &host.state,
        &sale.sale_id,
        Some("Irrtum".into()),
        None,
    )
    .await
    .unwrap();
    let stx = host
        .sandbox()
        .get_transaction(&stx_of(&started.link))
        .unwrap();
    assert_eq!(stx["status"], "cancelled");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_customer_cancelling_or_a_failing_payment_books_nothing() {
    let host = Host::start().await;
    let started = qr_cmd::start_qr_payment(&host.state, basket(500))
        .await
        .unwrap();
    assert!(customer(&started, "cancel", None).await.is_success());
    let result = qr_cmd::wait_qr_payment(&host.state).await.unwrap();
    assert_eq!(result.outcome, QrOutcome::Cancelled);
    assert!(result.sale.is_none());
    assert!(
        host.state.display.view().qr.is_none(),
        "the code leaves the customer display"
    );
    assert!(host.state.journal().in_doubt().unwrap().is_empty());

    let started = qr_cmd::start_qr_payment(&host.state, basket(600))
        .await
        .unwrap();
    assert!(customer(&started, "pay", Some("failing"))
        .await
        .is_success());
    let result = qr_cmd::wait_qr_payment(&host.state).await.unwrap();
    assert_eq!(result.outcome, QrOutcome::Failed);
    assert!(host.state.journal().in_doubt().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cashier_aborting_first_ends_it_at_the_provider_so_the_customer_can_no_longer_pay() {
    let host = Host::start().await;
    let started = qr_cmd::start_qr_payment(&host.state, basket(700))
        .await
        .unwrap();
    assert!(
        qr_cmd::abort_qr_payment(&host.state)
            .await
            .unwrap()
            .requested
    );
    let result = qr_cmd::wait_qr_payment(&host.state).await.unwrap();
    assert_eq!(result.outcome, QrOutcome::Aborted);
    assert!(result.sale.is_none());
    let stx = host
        .sandbox()
        .get_transaction(&stx_of(&started.link))
        .unwrap();
    assert_eq!(stx["status"], "cancelled");
    assert_eq!(
        customer(&started, "pay", Some("paypal")).await,
        reqwest::StatusCode::CONFLICT
    );
    assert!(host.state.journal().in_doubt().unwrap().is_empty());
    // Nothing runs now: an abort asks nothing.
    assert!(
        !qr_cmd::abort_qr_payment(&host.state)
            .await
            .unwrap()
            .requested
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_payment_under_way_when_the_cashier_aborts_is_settled_later_and_the_cashier_told() {
    let host = Host::start().await;
    let started = qr_cmd::start_qr_payment(&host.state, basket(880))
        .await
        .unwrap();
    // The customer's payment is under way (1.5 s) when the cashier aborts.
    assert!(customer(&started, "pay", Some("slow")).await.is_success());
    assert!(
        qr_cmd::abort_qr_payment(&host.state)
            .await
            .unwrap()
            .requested
    );
    let result = qr_cmd::wait_qr_payment(&host.state).await.unwrap();
    assert_eq!(result.outcome, QrOutcome::InDoubt);
    // In doubt: no new payment until it is settled.
    assert_eq!(host.state.journal().in_doubt().unwrap().len(), 1);
    let e = qr_cmd::start_qr_payment(&host.state, basket(100))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::PaymentInDoubt);
    assert!(qr_cmd::check_qr_payment(&host.state)
        .await
        .unwrap()
        .is_none());

    // Catching up settles it once the payment went through.
    let deadline = Instant::now() + Duration::from_secs(30);
    let late = loop {
        status::sync_now(&host.state).await.unwrap();
        if let Some(late) = qr_cmd::check_qr_payment(&host.state).await.unwrap() {
            break late;
        }
        assert!(
            Instant::now() < deadline,
            "the late payment was never settled"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(late.outcome, QrOutcome::Paid);
    let sale = late.sale.expect("the late sale with its receipt");
    assert_eq!(sale.total.0, 880);
    assert!(sale.receipt_text.contains("QR-Code (PayPal)"));
    assert!(host.state.journal().in_doubt().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_crash_between_the_intent_and_the_answer_is_reconciled_paid_or_aborted() {
    let host = Host::start().await;
    let context = secuconnect::ApplicationContext {
        language: Some("de".into()),
        ..Default::default()
    };
    // The intent is journaled, then the till "crashes": nobody follows the
    // payment, and the journal's memory of running payments is gone.
    let checkout = host.state.checkout();
    let paid = checkout
        .start_qr(&basket(300), context.clone())
        .await
        .unwrap();
    checkout.qr_returned(&paid.sale_id);
    // The customer pays meanwhile.
    let shown = QrPaymentStarted {
        sale_id: paid.sale_id.clone(),
        link: paid.link.clone(),
        amount_cents: 300,
        expires_at: String::new(),
        timeout_secs: 0,
        qr_svg: String::new(),
    };
    assert!(customer(&shown, "pay", Some("giropay")).await.is_success());
    let report = checkout.reconcile().await.unwrap();
    assert_eq!(report.completed.len(), 1);
    assert!(report.completed[0]
        .receipt_text
        .contains("QR-Code (giropay)"));

    // The next one nobody paid: catching up aborts it, and the link is dead.
    let unpaid = checkout.start_qr(&basket(400), context).await.unwrap();
    checkout.qr_returned(&unpaid.sale_id);
    let report = checkout.reconcile().await.unwrap();
    assert_eq!((report.completed.len(), report.failed), (0, 1));
    assert_eq!(
        host.sandbox()
            .get_transaction(&stx_of(&unpaid.link))
            .unwrap()["status"],
        "cancelled"
    );
    assert!(host.state.journal().in_doubt().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn offline_the_method_is_not_offered() {
    let host = Host::start().await;
    host.sandbox().set_offline(true);
    status::sync_now(&host.state).await.unwrap();
    assert!(!qr_cmd::qr_available(&host.state).await.unwrap().available);
    let e = qr_cmd::start_qr_payment(&host.state, basket(500))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::QrOffline);
    assert!(host.state.journal().in_doubt().unwrap().is_empty());
    host.sandbox().set_offline(false);
    status::sync_now(&host.state).await.unwrap();
    assert!(qr_cmd::qr_available(&host.state).await.unwrap().available);
}

#[tokio::test(flavor = "multi_thread")]
async fn nobody_paying_in_time_times_out_and_the_settings_are_checked_in_words() {
    let host = Host::start().await;
    host.store
        .save(KEY_QR, json!({"timeout_secs": 5, "language": "en"}))
        .unwrap();
    let started = qr_cmd::start_qr_payment(&host.state, basket(200))
        .await
        .unwrap();
    let page = reqwest::get(&started.link)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Cancel"),
        "the page speaks the settings' language: {page}"
    );
    let result = qr_cmd::wait_qr_payment(&host.state).await.unwrap();
    assert_eq!(result.outcome, QrOutcome::TimedOut);
    assert_eq!(
        customer(&started, "pay", Some("paypal")).await,
        reqwest::StatusCode::CONFLICT
    );

    host.store
        .save(
            KEY_QR,
            json!({"checkout_template": "COT_nope", "timeout_secs": 60}),
        )
        .unwrap();
    let e = qr_cmd::start_qr_payment(&host.state, basket(200))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::QrTemplate);
    assert!(e.message.contains("COT_nope"), "{}", e.message);
    let e = qr_cmd::save_qr_settings(
        &host.state,
        till_app::qr::QrSettings {
            timeout_secs: 2,
            ..Default::default()
        },
        None,
    )
    .await
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::QrTimeout);
    let saved = qr_cmd::save_qr_settings(
        &host.state,
        till_app::qr::QrSettings {
            checkout_template: Some(" COT_WD0DE66HN2XWJHW8JM88003YG0NEA2 ".into()),
            timeout_secs: 120,
            ..Default::default()
        },
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        saved.checkout_template.as_deref(),
        Some("COT_WD0DE66HN2XWJHW8JM88003YG0NEA2")
    );
}
