//! Older smart transactions rest as text inside the sandbox (`stored`): read,
//! listed and cancelled they answer exactly as they did while they were new.

use crate::common;

use common::{basket, basket_with_card, start, STX};
use reqwest::StatusCode;
use secuconnect_sandbox::demo;
use serde_json::Value;

fn id(stx: &Value) -> String {
    stx["id"].as_str().unwrap().to_string()
}

async fn paid(env: &common::Env, body: Value) -> String {
    let stx = env.create(body).await;
    let (status, paid) = env
        .post_empty(&format!("{STX}/{}/start/cash", id(&stx)))
        .await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    id(&stx)
}

async fn sales(env: &common::Env, n: i64) {
    for cents in 1..=n {
        paid(env, basket(cents * 10)).await;
    }
}

#[tokio::test]
async fn a_rested_transaction_reads_lists_and_cancels_as_a_new_one() {
    let env = start().await;
    let card = demo::CARD_GUIDE;
    let before = env.card_balance(card);
    let first = paid(&env, basket_with_card(796, card)).await;
    let (_, as_new) = env.get(&format!("{STX}/{first}")).await;
    assert_eq!(as_new["status"], "ok", "{as_new}");
    assert_ne!(env.card_balance(card), before, "the card paid its share");

    // 30 later sales: the first is put to rest.
    sales(&env, 30).await;
    let (status, rested) = env.get(&format!("{STX}/{first}")).await;
    assert_eq!(status, StatusCode::OK, "{rested}");
    assert_eq!(rested, as_new);
    let (_, list) = env.get(&format!("{STX}?count=100")).await;
    let listed = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|doc| doc["id"] == first.as_str())
        .expect("the rested transaction is listed");
    assert_eq!(listed, &as_new);

    // Cancelled, it moves the card's money back as a new one would.
    let (status, cancelled) = env.post_empty(&format!("{STX}/{first}/cancel")).await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(env.card_balance(card), before);
    let (status, again) = env.post_empty(&format!("{STX}/{first}/cancel")).await;
    assert_ne!(status, StatusCode::OK, "cancelled twice: {again}");

    // Changed, it rests again at the next sale, and still reads as cancelled.
    sales(&env, 1).await;
    let (_, read) = env.get(&format!("{STX}/{first}")).await;
    assert_eq!(read["status"], "cancelled", "{read}");
    assert_eq!(env.card_balance(card), before);
}
