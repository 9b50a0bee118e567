//! A sandbox that keeps only its newest smart transactions (the till's demo
//! mode): older ones are forgotten, a running terminal payment never is.

use crate::common;

use common::{basket, start_sandbox, wait_for_status, STX};
use reqwest::StatusCode;
use secuconnect_sandbox::{Sandbox, SandboxConfig};
use serde_json::Value;

fn id(stx: &Value) -> String {
    stx["id"].as_str().unwrap().to_string()
}

fn sandbox(terminal_delay_ms: u64, keep: usize) -> Sandbox {
    Sandbox::with_config(&SandboxConfig {
        terminal_delay_ms: Some(terminal_delay_ms),
        ..SandboxConfig::default()
    })
    .unwrap()
    .keep_newest(keep)
}

async fn paid_cash_sale(env: &common::Env, cents: i64) -> String {
    let stx = env.create(basket(cents)).await;
    let (status, paid) = env
        .post_empty(&format!("{STX}/{}/start/cash", id(&stx)))
        .await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    assert_eq!(paid["status"], "ok");
    id(&stx)
}

#[tokio::test]
async fn the_oldest_transactions_are_forgotten_beyond_the_limit() {
    let env = start_sandbox(sandbox(0, 3)).await;
    let mut ids = Vec::new();
    for cents in 1..=5 {
        ids.push(paid_cash_sale(&env, cents * 100).await);
    }
    assert_eq!(env.state().transaction_ids(), ids[2..].to_vec());
    for forgotten in &ids[..2] {
        let (status, answer) = env.get(&format!("{STX}/{forgotten}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    }
    for kept in &ids[2..] {
        let (status, answer) = env.get(&format!("{STX}/{kept}")).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!(answer["status"], "ok");
    }
    // The list and the search see the same three.
    let (status, list) = env.get(&format!("{STX}?count=10")).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["count"], 3, "{list}");
    // A kept one can still be cancelled.
    let (status, cancelled) = env.post_empty(&format!("{STX}/{}/cancel", ids[4])).await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    assert_eq!(cancelled["status"], "cancelled");
}

#[tokio::test]
async fn a_running_terminal_payment_is_kept_and_completes() {
    let env = start_sandbox(sandbox(1_500, 2)).await;
    let stx = env.create(basket(1_234)).await;
    let running = id(&stx);
    let http = env.http.clone();
    let url = env.url(&format!("{STX}/{running}/start/cashless"));
    let token = env.token.clone();
    let waiting = tokio::spawn(async move {
        let resp = http.post(url).bearer_auth(token).send().await.unwrap();
        (resp.status(), resp.json::<Value>().await.unwrap())
    });
    wait_for_status(&env, &running, "processing").await;
    // Three more sales while the customer pays: the limit is passed, the
    // running payment stays; the oldest finished ones go instead.
    let mut later = Vec::new();
    for cents in 1..=3 {
        later.push(paid_cash_sale(&env, cents * 100).await);
    }
    let kept = env.state().transaction_ids();
    assert!(kept.contains(&running), "{kept:?}");
    assert!(!kept.contains(&later[0]), "{kept:?}");
    let (status, answered) = waiting.await.unwrap();
    assert_eq!(status, StatusCode::OK, "{answered}");
    assert_eq!(answered["status"], "ok");
    let (status, read_back) = env.get(&format!("{STX}/{running}")).await;
    assert_eq!(status, StatusCode::OK, "{read_back}");
    assert_eq!(read_back["status"], "ok");
}

#[tokio::test]
async fn without_a_limit_every_transaction_is_kept() {
    let env = start_sandbox(Sandbox::with_demo_data()).await;
    let mut ids = Vec::new();
    for cents in 1..=5 {
        ids.push(paid_cash_sale(&env, cents * 100).await);
    }
    assert_eq!(env.state().transaction_ids(), ids);
}
