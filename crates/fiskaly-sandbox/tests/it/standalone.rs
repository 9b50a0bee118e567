//! The binary: its help, and a state file that carries TSSs, keys and
//! counters over a restart.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use crate::common;

use common::token;
use fiskaly_sandbox::{QrCode, DEMO_API_KEY, DEMO_API_SECRET, DEMO_TSS_ID};
use reqwest::Client;
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_fiskaly-sandbox");

struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(state: &std::path::Path) -> Server {
    let mut child = Command::new(BIN)
        .args(["--port", "0", "--state"])
        .arg(state)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the simulator binary starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("fiskaly-sandbox listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    Server { child, url }
}

/// One sale of 1,07 € (7 %) in cash.
async fn sale(http: &Client, url: &str, token: &str, tx: &str) -> Value {
    let receipt = json!({"receipt_type": "RECEIPT", "amounts_per_vat_rate": [{"vat_rate": "REDUCED_1", "amount": "1.07"}],
                         "amounts_per_payment_type": [{"payment_type": "CASH", "amount": "1.07"}]});
    common::sale(http, url, token, tx, &receipt).await
}

#[test]
fn help_lists_the_demo_credentials() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.lines()
            .any(|l| l.trim() == format!("api_key {DEMO_API_KEY}")),
        "{help}"
    );
    assert!(
        help.lines()
            .any(|l| l.trim() == format!("api_secret {DEMO_API_SECRET}")),
        "{help}"
    );
    assert!(help.contains("--state"), "{help}");
}

#[tokio::test]
async fn the_state_file_keeps_keys_and_counters_over_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("tse.json");
    let http = Client::new();

    let first = start(&state);
    let token_before = token(&http, &first.url).await;
    sale(
        &http,
        &first.url,
        &token_before,
        "11111111-1111-4111-8111-111111111111",
    )
    .await;
    let before = sale(
        &http,
        &first.url,
        &token_before,
        "22222222-2222-4222-8222-222222222222",
    )
    .await;
    drop(first); // killed, not shut down

    let second = start(&state);
    // Tokens do not survive a restart: the old one is refused, a new one works.
    let refused = http
        .get(format!("{}/api/v2/tss/{DEMO_TSS_ID}", second.url))
        .bearer_auth(&token_before)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 401);
    let token_after = token(&http, &second.url).await;

    // The signed transactions are there, and the same key signs on.
    let old_url = format!(
        "{}/api/v2/tss/{DEMO_TSS_ID}/tx/22222222-2222-4222-8222-222222222222",
        second.url
    );
    let old = common::get_json(&http, &old_url, Some(&token_after)).await;
    assert_eq!(old["signature"], before["signature"]);
    let after = sale(
        &http,
        &second.url,
        &token_after,
        "33333333-3333-4333-8333-333333333333",
    )
    .await;
    assert_eq!(
        after["signature"]["public_key"],
        before["signature"]["public_key"]
    );
    assert_eq!(after["tss_serial_number"], before["tss_serial_number"]);
    assert_eq!(
        after["number"].as_u64().unwrap(),
        before["number"].as_u64().unwrap() + 1
    );
    let counter = |tx: &Value| {
        tx["signature"]["counter"]
            .as_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
    };
    assert_eq!(
        counter(&after),
        counter(&before) + 2,
        "a start and a finish later"
    );
    assert!(after["log"]["timestamp"].as_i64() >= before["log"]["timestamp"].as_i64());
    assert!(QrCode::parse(after["qr_code_data"].as_str().unwrap())
        .unwrap()
        .verify());
    // A repeated finish from before the restart is still answered, not signed again.
    let repeat = sale(
        &http,
        &second.url,
        &token_after,
        "33333333-3333-4333-8333-333333333333",
    )
    .await;
    assert_eq!(repeat["signature"], after["signature"]);
}
