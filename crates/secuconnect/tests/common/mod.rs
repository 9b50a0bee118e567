//! A simulator per test on a free loopback port, steered through its HTTP
//! control surface (`/_sandbox/…`, see docs/sandbox-control.md).

#![allow(dead_code)]

use std::time::{Duration, Instant};

use secuconnect::{Client, ClientConfig, Credentials, Secret};
use secuconnect_sandbox::RunningSandbox;
use serde_json::{json, Value};

pub const CLIENT_ID: &str = "demo-till";
pub const CLIENT_SECRET: &str = "demo-secret";
/// The secucard of the guides (€5.00 credit in the demo data).
pub const CARD: &str = "9276004429942845";
pub const MERCHANT_ID: &str = "MRC_G8SE48FRHVITKILAPNCEDU0NUD55W8";

/// Generous bound for waits on a loaded machine.
pub const PATIENCE: Duration = Duration::from_secs(30);

pub struct Sim {
    pub running: RunningSandbox,
    control: reqwest::Client,
}

impl Sim {
    pub async fn start() -> Self {
        let running = secuconnect_sandbox::start_demo()
            .await
            .expect("the simulator starts");
        Self {
            running,
            control: reqwest::Client::new(),
        }
    }

    pub fn url(&self) -> String {
        self.running.url()
    }

    pub fn config(&self) -> ClientConfig {
        ClientConfig::new(self.url(), credentials())
    }

    pub fn client(&self) -> Client {
        Client::new(self.config()).expect("client")
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        let response = self
            .control
            .post(format!("{}/_sandbox/{path}", self.url()))
            .json(&body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("control {path}: {e}"));
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        assert!(
            status.is_success(),
            "control {path} {body}: {status} {text}"
        );
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    pub async fn state(&self) -> Value {
        self.control
            .get(format!("{}/_sandbox/state", self.url()))
            .send()
            .await
            .expect("state")
            .json()
            .await
            .expect("state JSON")
    }

    pub async fn configure(&self, config: Value) {
        self.post("config", config).await;
    }

    /// `route` like `"POST /api/v2/Smart/Transactions/*/start/cash"`.
    pub async fn fault(&self, route: &str, kind: &str, extra: Value) {
        let mut body = json!({"route": route, "kind": kind});
        if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
            b.extend(e);
        }
        self.post("faults", body).await;
    }

    pub async fn offline(&self, offline: bool) {
        self.post("offline", json!({ "offline": offline })).await;
    }

    pub async fn confirm(&self, user_code: &str) {
        self.post("device/confirm", json!({ "user_code": user_code }))
            .await;
    }

    pub async fn terminal_next(&self, outcome: &str) {
        self.post("terminal/next", json!({ "outcome": outcome }))
            .await;
    }

    /// The simulator's copy of a transaction.
    pub async fn transaction(&self, id: &str) -> Value {
        let state = self.state().await;
        state["transactions"]
            .as_array()
            .and_then(|all| all.iter().find(|t| t["id"] == id).cloned())
            .unwrap_or(Value::Null)
    }

    /// Waits until the simulator shows the transaction in `status`.
    pub async fn wait_for_status(&self, id: &str, status: &str) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if self.transaction(id).await["status"] == status {
                return;
            }
            assert!(Instant::now() < deadline, "{id} never reached {status}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

pub fn credentials() -> Credentials {
    Credentials {
        client_id: CLIENT_ID.into(),
        client_secret: Secret::new(CLIENT_SECRET),
    }
}

/// A sale of one article at `cents`, tagged with our own reference.
pub fn sale(cents: i64, reference: &str) -> secuconnect::TransactionDraft {
    use secuconnect::{Basket, BasketInfo, Product, TransactionDraft};
    let product = Product {
        id: Some(1),
        item_type: Some("article".into()),
        desc: Some(format!("Article {reference}")),
        quantity: 1,
        price_one: cents,
        tax: 19,
        ..Product::default()
    };
    TransactionDraft {
        is_demo: Some(true),
        intent: Some("sale".into()),
        basket: Some(Basket {
            products: vec![product],
            ..Basket::default()
        }),
        basket_info: Some(BasketInfo::eur(cents)),
        transaction_ref: Some(reference.into()),
        ..TransactionDraft::default()
    }
}
