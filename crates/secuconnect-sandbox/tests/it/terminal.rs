//! The simulated payment terminal: start/cashless, outcomes, receipts, abort,
//! canceltrx, end of day, diagnosis — and payments that outlive their caller.

use crate::common;

use std::time::{Duration, Instant};

use common::{
    assert_error_payload, basket, basket_with_card, schema, start, start_with, wait_for_status, STX,
};
use reqwest::{Method, StatusCode};
use secuconnect_sandbox::{
    demo, CardScheme, Fault, FaultKind, Outcome, SandboxConfig, TerminalNext,
};
use serde_json::{json, Value};

fn id(stx: &Value) -> String {
    stx["id"].as_str().unwrap().to_string()
}

fn line<'a>(receipt: &'a Value, name: &str) -> Option<&'a str> {
    receipt
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["value"]["name"] == name)
        .and_then(|l| l["value"]["value"].as_str())
}

fn has_text(receipt: &Value, text: &str) -> bool {
    receipt
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["value"]["text"] == text)
}

async fn pay_cashless(env: &common::Env, body: Value) -> Value {
    let stx = env.create(body).await;
    let (status, paid) = env
        .post_empty(&format!("{STX}/{}/start/cashless", id(&stx)))
        .await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    schema::assert_valid("SmartTransactionsProductModel", &paid);
    paid
}

#[tokio::test]
async fn a_paid_card_payment_has_guide_04_receipts_and_growing_numbers() {
    let env = start().await;
    let first = pay_cashless(&env, basket(1)).await;
    assert_eq!(first["status"], "ok");
    assert_eq!(first["payment_method"], "cashless");
    assert_eq!(first["receipt_number"], 1);
    assert_eq!(first["device_destination"]["id"], demo::TERMINAL_DEVICE_ID);
    let customer = &first["receipt"];
    let merchant = &first["receipt_merchant"];
    assert!(has_text(customer, "* * Kundenbeleg * *"));
    assert!(has_text(merchant, "* * Händlerbeleg * *"));
    assert!(has_text(customer, "girocard"));
    assert_eq!(line(customer, "Konto-Nr."), Some("######3836"));
    assert_eq!(line(customer, "BLZ"), Some("########"));
    assert_eq!(line(merchant, "Konto-Nr."), Some("1060093836"));
    assert_eq!(line(merchant, "BLZ"), Some("51100"));
    assert_eq!(line(customer, "Betrag EUR"), Some("0,01"));
    assert_eq!(line(customer, "Beleg-Nr."), Some("0001"));
    assert_eq!(line(customer, "Terminal-ID"), Some(demo::TERMINAL_TID));
    // girocard with PIN: nobody signs.
    assert!(!has_text(merchant, "Unterschrift umseitig"));
    assert_eq!(first["receipt_merchant_print"], false);

    // ELV (magic …16): the customer signs the merchant copy.
    let elv = pay_cashless(&env, basket(1216)).await;
    assert_eq!(elv["receipt_number"], 2);
    assert!(has_text(&elv["receipt"], "ec-Lastschrift"));
    assert!(has_text(&elv["receipt_merchant"], "Unterschrift umseitig"));
    assert!(!has_text(&elv["receipt"], "Unterschrift umseitig"));
    assert_eq!(elv["receipt_merchant_print"], true);
    assert_eq!(line(&elv["receipt"], "Betrag EUR"), Some("12,16"));

    let visa = pay_cashless(&env, basket(117)).await;
    assert_eq!(visa["receipt_number"], 3);
    assert_eq!(line(&visa["receipt"], "PAN"), Some("############4242"));
    assert_eq!(
        line(&visa["receipt_merchant"], "PAN"),
        Some("4111111111114242")
    );

    let ids: Vec<u64> = [&first, &elv, &visa]
        .iter()
        .map(|s| s["trans_id"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(ids[0] < ids[1] && ids[1] < ids[2], "{ids:?}");
    // Cash payments share the trans_id counter but get no terminal receipt number.
    let cash = env.create(basket(100)).await;
    let (_, cash) = env
        .post_empty(&format!("{STX}/{}/start/cash", id(&cash)))
        .await;
    assert_eq!(
        cash["trans_id"].as_str().unwrap().parse::<u64>().unwrap(),
        ids[2] + 1
    );
    assert!(cash.get("receipt_number").is_none());
}

#[tokio::test]
async fn magic_amounts_and_terminal_next_choose_failures() {
    let env = start().await;
    for (sum, reason) in [
        (113, "Zahlung abgelehnt"),
        (214, "Abbruch durch Kunde"),
        (315, "Zeitüberschreitung"),
    ] {
        let failed = pay_cashless(&env, basket(sum)).await;
        assert_eq!(failed["status"], "failed", "{sum}");
        assert!(has_text(&failed["receipt"], reason), "{sum}: {failed}");
        assert!(failed.get("receipt_number").is_none());
        // A failed payment can be tried again; terminal/next overrides the magic amount.
        let (status, _) = env
            .control("/_sandbox/terminal/next", json!({"outcome": "ok"}))
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, paid) = env
            .post_empty(&format!("{STX}/{}/start/cashless", id(&failed)))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(paid["status"], "ok", "{paid}");
    }
    // A queue, in order, with the card chosen too.
    env.state().next_terminal_outcome(Outcome::Declined);
    env.state().next_terminal(TerminalNext {
        outcome: Outcome::Ok,
        card: Some(CardScheme::Mastercard),
    });
    let declined = pay_cashless(&env, basket(100)).await;
    assert_eq!(declined["status"], "failed");
    let paid = pay_cashless(&env, basket(100)).await;
    assert!(has_text(&paid["receipt"], "Mastercard"));
    let (status, answer) = env
        .control("/_sandbox/terminal/next", json!({"outcome": "maybe"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error_payload(&answer);
}

#[tokio::test]
async fn the_terminal_charges_what_the_card_does_not_cover_and_a_failure_gives_it_back() {
    let env = start().await;
    env.state().next_terminal_outcome(Outcome::Declined);
    let failed = pay_cashless(&env, basket_with_card(796, demo::CARD_GUIDE)).await;
    assert_eq!(failed["status"], "failed");
    assert_eq!(
        env.card_balance(demo::CARD_GUIDE),
        500,
        "the held balance is back"
    );

    let (_, paid) = env
        .post_empty(&format!("{STX}/{}/start/cashless", id(&failed)))
        .await;
    assert_eq!(paid["status"], "ok");
    assert_eq!(line(&paid["receipt"], "Betrag EUR"), Some("2,96"));
    assert_eq!(env.card_balance(demo::CARD_GUIDE), 0);
    assert_eq!(paid["transactions"][0]["object"], "loyalty.transactions");
    assert!(paid["receipt"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["value"]["caption"] == "Kundenkarte"));

    // Fully covered by the card: nothing for the terminal to do.
    let covered = env.create(basket_with_card(100, demo::CARD_BONUS)).await;
    let (status, answer) = env
        .post_empty(&format!("{STX}/{}/start/cashless", id(&covered)))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_error_payload(&answer);
    assert_eq!(env.card_balance(demo::CARD_BONUS), 1250);
}

#[tokio::test]
async fn guide_03_and_04_loading_a_card_by_card_payment() {
    let env = start().await;
    let request = common::fixture("guides/03-load-request.json");
    let paid = pay_cashless(&env, request).await;
    assert_eq!(paid["status"], "ok");
    assert_eq!(line(&paid["receipt"], "Betrag EUR"), Some("15,00"));
    assert_eq!(env.card_balance(demo::CARD_GUIDE), 2000);
    assert_eq!(paid["idents"][0]["merchantcard"]["balance"], 2000);
}

#[tokio::test]
async fn the_transaction_reads_processing_while_the_customer_pays_and_abort_stops_it() {
    let env = start_with(SandboxConfig {
        terminal_delay_ms: Some(120_000),
        ..SandboxConfig::default()
    })
    .await;
    let stx = env.create(basket_with_card(796, demo::CARD_GUIDE)).await;
    let stx_id = id(&stx);
    let http = env.http.clone();
    let url = env.url(&format!("{STX}/{stx_id}/start/cashless"));
    let token = env.token.clone();
    let waiting = tokio::spawn(async move {
        let resp = http.post(url).bearer_auth(token).send().await.unwrap();
        (resp.status(), resp.json::<Value>().await.unwrap())
    });
    let processing = wait_for_status(&env, &stx_id, "processing").await;
    assert_eq!(
        processing["idents"][0]["merchantcard"]["balance"], 0,
        "the card share is held"
    );
    let (status, answer) = env.post_empty(&format!("{STX}/{stx_id}/start/cash")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    let (status, answer) = env.put(&format!("{STX}/{stx_id}"), basket(100)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    let (status, answer) = env.post_empty(&format!("{STX}/{stx_id}/cancel")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");

    let (status, aborted) = env.post_empty(&format!("{STX}/{stx_id}/abort")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(aborted["status"], "failed");
    let (status, answered) = waiting.await.unwrap();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answered["status"], "failed");
    assert!(has_text(&answered["receipt"], "Abbruch durch Kunde"));
    assert_eq!(env.card_balance(demo::CARD_GUIDE), 500);
}

#[tokio::test]
async fn a_payment_completes_even_when_its_caller_is_gone() {
    let env = start_with(SandboxConfig {
        terminal_delay_ms: Some(1500),
        ..SandboxConfig::default()
    })
    .await;
    // The answer is lost on the way back (drop_after): the terminal still paid.
    env.state()
        .inject(Fault::new(
            "POST /api/v2/Smart/Transactions/*/start/cashless",
            FaultKind::DropAfter,
        ))
        .unwrap();
    let stx = env.create(basket(500)).await;
    let err = env
        .http
        .post(env.url(&format!("{STX}/{}/start/cashless", id(&stx))))
        .bearer_auth(&env.token)
        .send()
        .await
        .expect_err("dropped");
    assert!(err.status().is_none());
    let (_, read) = env.get(&format!("{STX}/{}", id(&stx))).await;
    assert_eq!(read["status"], "ok");
    assert_eq!(read["receipt_number"], 1);

    // The caller gives up (its request is dropped, the connection closes) while
    // the customer is still paying.
    let stx = env.create(basket(600)).await;
    let call = {
        let req = env
            .http
            .post(env.url(&format!("{STX}/{}/start/cashless", id(&stx))))
            .bearer_auth(&env.token);
        tokio::spawn(async move { req.send().await })
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while env.get(&format!("{STX}/{}", id(&stx))).await.1["status"] == "created" {
        assert!(Instant::now() < deadline, "the terminal never started");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    call.abort();
    assert!(call.await.unwrap_err().is_cancelled());
    let done = wait_for_status(&env, &id(&stx), "ok").await;
    assert_eq!(done["receipt_number"], 2);
}

#[tokio::test]
async fn canceltrx_reverses_girocard_and_elv_only_before_the_end_of_day() {
    let env = start().await;
    let giro = pay_cashless(&env, basket_with_card(796, demo::CARD_GUIDE)).await;
    assert_eq!(env.card_balance(demo::CARD_GUIDE), 0);
    let number = giro["receipt_number"].as_u64().unwrap();
    let (status, cancelled) = env.post_empty(&format!("{STX}/{number}/canceltrx")).await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    schema::assert_valid("SmartTransactionsProductModel", &cancelled);
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["id"], giro["id"]);
    assert!(has_text(&cancelled["receipt"], "STORNO"));
    assert_eq!(line(&cancelled["receipt"], "Betrag EUR"), Some("-2,96"));
    assert_eq!(line(&cancelled["receipt"], "Konto-Nr."), Some("######3836"));
    assert_eq!(
        line(&cancelled["receipt_merchant"], "Konto-Nr."),
        Some("1060093836")
    );
    assert_eq!(
        env.card_balance(demo::CARD_GUIDE),
        500,
        "the card got its share back"
    );
    let (status, again) = env.post_empty(&format!("{STX}/{number}/cancelTrx")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_error_payload(&again);

    let visa = pay_cashless(&env, basket(1017)).await;
    let (status, answer) = env
        .post_empty(&format!("{STX}/{}/canceltrx", visa["receipt_number"]))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(answer["error_user"]
        .as_str()
        .unwrap()
        .contains("Kreditkarte"));

    let elv = pay_cashless(&env, basket(216)).await;
    let late = pay_cashless(&env, basket(300)).await;
    let (status, _) = env
        .post_empty(&format!("{STX}/{}/canceltrx", elv["receipt_number"]))
        .await;
    assert_eq!(status, StatusCode::OK);

    let (status, eod) = env.post_empty(&format!("{STX}/me/endOfDay")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, answer) = env
        .post_empty(&format!("{STX}/{}/canceltrx", late["receipt_number"]))
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "after the end of day: {answer} {eod}"
    );
    assert!(answer["error_user"]
        .as_str()
        .unwrap()
        .contains("Kassenschnitt"));
    let (status, answer) = env.post_empty(&format!("{STX}/{}/cancel", id(&late))).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
}

#[tokio::test]
async fn end_of_day_closes_the_terminal_day_with_totals() {
    let env = start().await;
    pay_cashless(&env, basket(1000)).await;
    pay_cashless(&env, basket(250)).await;
    pay_cashless(&env, basket(516)).await; // ELV
    let cancelled = pay_cashless(&env, basket(700)).await;
    env.post_empty(&format!("{STX}/{}/canceltrx", cancelled["receipt_number"]))
        .await;
    let failed = pay_cashless(&env, basket(913)).await;
    assert_eq!(failed["status"], "failed");

    let (status, eod) = env
        .post_empty(&format!("{STX}/{}/endOfDay", demo::TERMINAL_DEVICE_ID))
        .await;
    assert_eq!(status, StatusCode::OK, "{eod}");
    schema::assert_valid("SmartTransactionsProductModel", &eod);
    assert_eq!(eod["status"], "ok");
    let totals = &eod["end_of_day"];
    assert_eq!(totals["day"], 1);
    assert_eq!(totals["count"], 3);
    assert_eq!(totals["sum"], 1766);
    assert_eq!(totals["cancelled_count"], 1);
    assert_eq!(totals["cancelled_sum"], 700);
    assert_eq!(
        totals["schemes"],
        json!([
            {"scheme": "girocard", "count": 2, "sum": 1250},
            {"scheme": "elv", "count": 1, "sum": 516}
        ])
    );
    assert_eq!(eod["receipt"][0]["value"]["caption"], "Kassenschnitt");
    assert_eq!(line(&eod["receipt"], "Gesamt EUR"), Some("17,66"));

    let (_, next) = env
        .post_empty(&format!("{STX}/{}/endOfDay", demo::DEVICE_ID))
        .await;
    assert_eq!(next["end_of_day"]["day"], 2);
    assert_eq!(next["end_of_day"]["count"], 0);
    assert_eq!(env.state().snapshot()["terminal"]["day"], 3);

    let (status, diag) = env.post_empty(&format!("{STX}/me/diagnosis")).await;
    assert_eq!(status, StatusCode::OK);
    schema::assert_valid("SmartTransactionsProductModel", &diag);
    assert!(has_text(&diag["receipt"], "Diagnose erfolgreich"));
    let (status, answer) = env
        .call(Method::POST, &format!("{STX}/SDV_OTHER/diagnosis"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error_payload(&answer);
}
