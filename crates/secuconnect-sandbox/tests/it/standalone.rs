//! The state file and the standalone binary.

use crate::common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{basket, basket_with_card, STX};
use reqwest::StatusCode;
use secuconnect_sandbox::{demo, serve, Sandbox, SandboxConfig};
use serde_json::{json, Value};

async fn token(http: &reqwest::Client, base: &str) -> String {
    let answer: Value = http
        .post(format!("{base}/oauth/token"))
        .json(&json!({"grant_type": "client_credentials", "client_id": demo::DEMO_CLIENT_ID, "client_secret": demo::DEMO_CLIENT_SECRET}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["access_token"].as_str().unwrap().to_string()
}

async fn post(
    http: &reqwest::Client,
    token: &str,
    url: String,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = http.post(url).bearer_auth(token);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().await.unwrap();
    (resp.status(), resp.json().await.unwrap())
}

fn fast() -> SandboxConfig {
    SandboxConfig {
        terminal_delay_ms: Some(10),
        ..SandboxConfig::default()
    }
}

#[tokio::test]
async fn the_state_file_keeps_a_demo_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sandbox.json");
    let http = common::http();

    let first = Sandbox::with_config(&fast())
        .unwrap()
        .persisted_to(&file)
        .unwrap();
    let running = serve(([127, 0, 0, 1], 0).into(), Arc::new(first))
        .await
        .unwrap();
    let base = running.url();
    let t = token(&http, &base).await;
    let (_, stx) = post(
        &http,
        &t,
        format!("{base}{STX}"),
        Some(basket_with_card(300, demo::CARD_GUIDE)),
    )
    .await;
    let paid_id = stx["id"].as_str().unwrap().to_string();
    let (status, _) = post(&http, &t, format!("{base}{STX}/{paid_id}/start/cash"), None).await;
    assert_eq!(status, StatusCode::OK);
    let (_, card) = post(&http, &t, format!("{base}{STX}"), Some(basket(400))).await;
    let (_, paid) = post(
        &http,
        &t,
        format!(
            "{base}{STX}/{}/start/cashless",
            card["id"].as_str().unwrap()
        ),
        None,
    )
    .await;
    assert_eq!(paid["receipt_number"], 1);
    running.shutdown().await;

    let second = Sandbox::with_config(&fast())
        .unwrap()
        .persisted_to(&file)
        .unwrap();
    assert_eq!(second.card(demo::CARD_GUIDE).unwrap()["balance"], 200);
    assert_eq!(second.get_transaction(&paid_id).unwrap()["status"], "ok");
    assert_eq!(second.transaction_ids().len(), 2);
    let running = serve(([127, 0, 0, 1], 0).into(), Arc::new(second))
        .await
        .unwrap();
    let base = running.url();
    let t = token(&http, &base).await;
    let (_, next) = post(&http, &t, format!("{base}{STX}"), Some(basket(500))).await;
    let (_, paid) = post(
        &http,
        &t,
        format!(
            "{base}{STX}/{}/start/cashless",
            next["id"].as_str().unwrap()
        ),
        None,
    )
    .await;
    assert_eq!(paid["receipt_number"], 2, "the terminal's numbers continue");
    running.shutdown().await;

    // Stopped while the terminal waits: after the restart the payment has failed
    // and the card has its held share back.
    let third = Sandbox::with_config(&SandboxConfig {
        terminal_delay_ms: Some(600_000),
        ..SandboxConfig::default()
    })
    .unwrap()
    .persisted_to(&file)
    .unwrap();
    let running = serve(([127, 0, 0, 1], 0).into(), Arc::new(third))
        .await
        .unwrap();
    let base = running.url();
    let t = token(&http, &base).await;
    let (_, stx) = post(
        &http,
        &t,
        format!("{base}{STX}"),
        Some(basket_with_card(1000, demo::CARD_GUIDE)),
    )
    .await;
    let stx_id = stx["id"].as_str().unwrap().to_string();
    let call = {
        let req = http
            .post(format!("{base}{STX}/{stx_id}/start/cashless"))
            .bearer_auth(&t);
        tokio::spawn(async move { req.send().await })
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while running.state.get_transaction(&stx_id).unwrap()["status"] != "processing" {
        assert!(Instant::now() < deadline, "the terminal never started");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(
        running.state.card(demo::CARD_GUIDE).unwrap()["balance"],
        0,
        "held"
    );
    call.abort();
    drop(running);
    let fourth = Sandbox::with_demo_data().persisted_to(&file).unwrap();
    assert_eq!(fourth.get_transaction(&stx_id).unwrap()["status"], "failed");
    assert_eq!(fourth.card(demo::CARD_GUIDE).unwrap()["balance"], 200);

    std::fs::write(&file, b"{ not a state").unwrap();
    assert!(Sandbox::with_demo_data().persisted_to(&file).is_err());
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn the_binary_serves_takes_cli_faults_and_confirms_codes_typed_on_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_secuconnect-sandbox"))
        .args(["--port", "0", "--terminal-delay-ms", "10", "--state-file"])
        .arg(&file)
        .args(["--fault", "POST /api/v2/Smart/Transactions=error_5xx:1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let server = Server(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let first = rx.recv_timeout(Duration::from_secs(60)).unwrap();
    let base = first
        .strip_prefix("secuconnect-sandbox listening on ")
        .unwrap_or_else(|| panic!("{first}"))
        .to_string();
    assert!(base.starts_with("http://127.0.0.1:"));

    let http = common::http();
    let t = token(&http, &base).await;
    let (status, answer) = post(&http, &t, format!("{base}{STX}"), Some(basket(100))).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{answer}");
    let (status, _) = post(&http, &t, format!("{base}{STX}"), Some(basket(100))).await;
    assert_eq!(status, StatusCode::OK);

    let step1: Value = http
        .post(format!("{base}/oauth/token"))
        .form(&[
            ("grant_type", "device"),
            ("client_id", demo::DEMO_CLIENT_ID),
            ("client_secret", demo::DEMO_CLIENT_SECRET),
            ("uuid", "/vendor/smart-till/serial/42"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    writeln!(stdin, "confirm {}", step1["user_code"].as_str().unwrap()).unwrap();
    stdin.flush().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let token_answer = loop {
        let resp = http
            .post(format!("{base}/oauth/token"))
            .json(&json!({"grant_type": "device", "client_id": demo::DEMO_CLIENT_ID, "client_secret": demo::DEMO_CLIENT_SECRET, "code": step1["device_code"]}))
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let body: Value = resp.json().await.unwrap();
        if status == StatusCode::OK {
            break body;
        }
        assert_eq!(body["error"], "authorization_pending");
        assert!(Instant::now() < deadline, "never confirmed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(token_answer["refresh_token"].is_string());
    let saved: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(saved["order"].as_array().unwrap().len(), 1);
    assert_eq!(saved["refresh_tokens"].as_object().unwrap().len(), 1);
    drop(server);

    let help = Command::new(env!("CARGO_BIN_EXE_secuconnect-sandbox"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    for needle in [
        demo::DEMO_CLIENT_ID,
        demo::DEMO_CLIENT_SECRET,
        demo::MERCHANT_ID,
        demo::CARD_GUIDE,
        demo::CARD_LOCKED,
        demo::CARD_PASSCODE,
        "--state-file",
        "4260447149502",
    ] {
        assert!(help.contains(needle), "--help lacks {needle}:\n{help}");
    }
}
