//! Fifty tills paying at once against one secucard: balances stay consistent,
//! receipt numbers and TA codes stay unique.
//!
//! Even clients pay 10,00 € of goods in cash, odd ones pay 10,00 € of goods and
//! a 5,00 € card load on the terminal (a load is never paid from the card, so
//! the terminal always has something to charge). All use the same card.

use crate::common;

use std::collections::BTreeSet;

use common::{basket_with_card, start, STX};
use reqwest::{Method, StatusCode};
use secuconnect_sandbox::CardSpec;
use serde_json::{json, Value};

const CARD: &str = "9276555500000001";
const CLIENTS: usize = 50;
const LOAD: i64 = 500;

/// "12,34 EUR" or "12,34" → 1234.
fn cents(text: &str) -> i64 {
    let digits: String = text
        .trim_end_matches(" EUR")
        .chars()
        .filter(|c| c.is_ascii_digit())
        .collect();
    digits.parse().unwrap()
}

fn line_value(receipt: &Value, name: &str) -> Option<i64> {
    receipt
        .as_array()?
        .iter()
        .find(|l| l["value"]["name"] == name)
        .and_then(|l| l["value"]["value"].as_str())
        .map(cents)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_clients_paying_at_once_keep_balances_and_numbers_consistent() {
    let env = start().await;
    env.state()
        .put_card(CardSpec {
            cardnumber: CARD.into(),
            cash_balance: Some(10_000),
            bonus_balance: Some(0),
            ..CardSpec::default()
        })
        .unwrap();

    let mut tasks = Vec::new();
    for i in 0..CLIENTS {
        let http = common::http();
        let base = env.sandbox.url();
        let token_env = env.client_token().await;
        tasks.push(tokio::spawn(async move {
            let mut body = basket_with_card(1000, CARD);
            if i % 2 == 1 {
                body["basket"]["products"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({
                        "id": 2, "ean": "4260447149502", "desc": "Kartenaufladung",
                        "quantity": 1, "priceOne": LOAD, "tax": 0
                    }));
                body["basket_info"]["sum"] = json!(1000 + LOAD);
            }
            let create = http
                .post(format!("{base}{STX}"))
                .bearer_auth(&token_env)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(create.status(), StatusCode::OK);
            let stx: Value = create.json().await.unwrap();
            let method = if i % 2 == 0 { "cash" } else { "cashless" };
            let paid = http
                .request(
                    Method::POST,
                    format!("{base}{STX}/{}/start/{method}", stx["id"].as_str().unwrap()),
                )
                .bearer_auth(&token_env)
                .send()
                .await
                .unwrap();
            let status = paid.status();
            (method, status, paid.json::<Value>().await.unwrap())
        }));
    }

    let mut card_paid = 0;
    let mut receipt_numbers = BTreeSet::new();
    let mut trans_ids = BTreeSet::new();
    for task in tasks {
        let (method, status, answer) = task.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!(answer["status"], "ok", "{answer}");
        let from_card = line_value(&answer["receipt"], "Zahlung mit Guthaben:").unwrap_or(0);
        assert!((0..=1000).contains(&from_card));
        card_paid += from_card;
        assert!(trans_ids.insert(answer["trans_id"].as_str().unwrap().to_string()));
        if method == "cashless" {
            let on_terminal = line_value(&answer["receipt"], "Betrag EUR").unwrap();
            assert_eq!(on_terminal + from_card, 1000 + LOAD, "{answer}");
            assert!(receipt_numbers.insert(answer["receipt_number"].as_u64().unwrap()));
        }
    }
    let loads = LOAD * (CLIENTS as i64 / 2);
    assert!(
        card_paid >= 10_000,
        "the first payments found the balance: {card_paid}"
    );
    assert!(card_paid <= 10_000 + loads);
    let card = env.state().card(CARD).unwrap();
    assert_eq!(
        card["balance"],
        10_000 + loads - card_paid,
        "no cent lost or made"
    );
    assert!(card["cash_balance"].as_i64().unwrap() >= 0);
    assert_eq!(trans_ids.len(), CLIENTS);
    assert_eq!(receipt_numbers.len(), CLIENTS / 2);
    let expected: BTreeSet<u64> = (1..=receipt_numbers.len() as u64).collect();
    assert_eq!(receipt_numbers, expected, "unique and without gaps");

    let snapshot = env.state().snapshot();
    let payments = snapshot["terminal"]["payments"].as_array().unwrap();
    assert_eq!(payments.len(), receipt_numbers.len());
    let (_, ok) = env.get(&format!("{STX}?q=status:ok&count=0")).await;
    assert_eq!(ok["count"].as_u64().unwrap() as usize, CLIENTS);
}
