//! Smart Checkout through the client, against the simulator on loopback:
//! create and update with an `application_context`, the links it answers,
//! and the status and payment method read back after the customer acted.

mod common;

use common::{sale, Sim};
use secuconnect::{ApplicationContext, TransactionStatus};

fn context(language: &str) -> ApplicationContext {
    ApplicationContext {
        checkout_template: Some("COT_WD0DE66HN2XWJHW8JM88003YG0NEA2".into()),
        language: Some(language.into()),
        ..ApplicationContext::default()
    }
}

/// The customer's browser submitting the checkout page's form.
async fn customer(sim: &Sim, action: &str, stx: &str, method: Option<&str>) -> reqwest::StatusCode {
    let mut form = vec![("stx", stx)];
    if let Some(m) = method {
        form.push(("method", m));
    }
    reqwest::Client::new()
        .post(format!("{}/checkout/{action}", sim.url()))
        .form(&form)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn a_checkout_transaction_answers_its_links_and_reads_back_paid_by_the_customers_method() {
    let sim = Sim::start().await;
    let client = sim.client();
    let mut draft = sale(1990, "qr-1");
    draft.application_context = Some(context("de"));
    let stx = client.create_transaction(&draft).await.unwrap();
    assert_eq!(stx.status, TransactionStatus::Created);
    assert_eq!(stx.application_context, Some(context("de")));
    let general = stx.checkout_link().expect("a general link");
    assert!(
        general.starts_with(&format!("{}/checkout?", sim.url())),
        "{general}"
    );
    assert!(general.contains(&stx.id));
    let links = stx.payment_links.as_ref().unwrap();
    assert!(links
        .paypal
        .as_deref()
        .unwrap()
        .contains("payment-method=paypal"));
    assert!(links.creditcard.is_some() && links.giropay.is_some() && links.sofort.is_some());
    // The page the link opens.
    let page = reqwest::get(general).await.unwrap().text().await.unwrap();
    assert!(page.contains("19,90 €"), "{page}");

    assert!(customer(&sim, "pay", &stx.id, Some("creditcard"))
        .await
        .is_success());
    let back = client.get_transaction(&stx.id).await.unwrap();
    assert!(back.status.is_paid());
    assert_eq!(back.payment_method.as_deref(), Some("creditcard"));
}

#[tokio::test]
async fn an_update_with_a_context_adds_the_links_and_a_cancel_reads_back_as_not_paid() {
    let sim = Sim::start().await;
    let client = sim.client();
    let draft = sale(500, "qr-2");
    let stx = client.create_transaction(&draft).await.unwrap();
    assert!(stx.checkout_link().is_none());
    let mut change = draft.clone();
    change.application_context = Some(context("en"));
    let updated = client
        .update_transaction(
            &stx.id,
            draft.basket.as_ref().unwrap(),
            draft.basket_info.as_ref().unwrap(),
            &change,
        )
        .await
        .unwrap();
    assert_eq!(
        updated
            .application_context
            .as_ref()
            .unwrap()
            .language
            .as_deref(),
        Some("en")
    );
    assert!(updated.checkout_link().is_some());

    assert!(customer(&sim, "cancel", &stx.id, None).await.is_success());
    let back = client.get_transaction(&stx.id).await.unwrap();
    assert!(
        back.status.is_failed() || back.status.is_cancelled(),
        "{:?}",
        back.status
    );
    assert!(!back.status.is_paid());
}
