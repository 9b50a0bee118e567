//! Shared helpers: a sandbox on loopback, an HTTP client with a token, fixtures
//! and a check of answers against the provider's schemas.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use secuconnect_sandbox::{demo, serve, RunningSandbox, Sandbox, SandboxConfig};
use serde_json::{json, Value};

pub mod schema;

pub const STX: &str = "/api/v2/Smart/Transactions";
pub const CARDS: &str = "/api/v2/Loyalty/MerchantCards";

pub struct Env {
    pub sandbox: RunningSandbox,
    pub http: reqwest::Client,
    pub token: String,
}

/// Generous: the machine running the tests may be busy.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// A sandbox whose terminal answers after 20 ms, and a client token.
pub async fn start() -> Env {
    start_with(SandboxConfig {
        terminal_delay_ms: Some(20),
        ..SandboxConfig::default()
    })
    .await
}

pub async fn start_with(config: SandboxConfig) -> Env {
    start_sandbox(Sandbox::with_config(&config).unwrap()).await
}

/// `sandbox` on loopback, and a client token.
pub async fn start_sandbox(sandbox: Sandbox) -> Env {
    let sandbox = serve(([127, 0, 0, 1], 0).into(), Arc::new(sandbox))
        .await
        .unwrap();
    let http = http();
    let mut env = Env {
        sandbox,
        http,
        token: String::new(),
    };
    env.token = env.client_token().await;
    env
}

impl Env {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.sandbox.url(), path)
    }

    pub fn state(&self) -> &Sandbox {
        &self.sandbox.state
    }

    pub async fn client_token(&self) -> String {
        let (status, body) = self
            .oauth(json!({
                "grant_type": "client_credentials",
                "client_id": demo::DEMO_CLIENT_ID,
                "client_secret": demo::DEMO_CLIENT_SECRET,
            }))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["access_token"].as_str().unwrap().to_string()
    }

    pub async fn oauth(&self, body: Value) -> (StatusCode, Value) {
        self.post_without_token("/oauth/token", body).await
    }

    /// A request with the env's token; the answer must be JSON.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.call_with(&self.token, method, path, body).await
    }

    pub async fn call_with(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.http.request(method, self.url(path)).bearer_auth(token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        let value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("answer to {path} is not JSON ({e}): {text}"));
        (status, value)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn post_empty(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::POST, path, None).await
    }

    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PUT, path, Some(body)).await
    }

    /// Creates a transaction; panics unless it is created.
    pub async fn create(&self, body: Value) -> Value {
        let (status, stx) = self.post(STX, body).await;
        assert_eq!(status, StatusCode::OK, "{stx}");
        assert_eq!(stx["status"], "created");
        stx
    }

    pub async fn control(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.post_without_token(path, body).await
    }

    /// A JSON POST that carries no bearer token (the token endpoint, the control API).
    async fn post_without_token(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let resp = self
            .http
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = resp.status();
        (status, resp.json().await.unwrap())
    }

    pub fn card_balance(&self, number: &str) -> i64 {
        self.state().card(number).unwrap()["balance"]
            .as_i64()
            .unwrap()
    }
}

/// A basket of one article at `price` cents, with `basket_info` to match.
pub fn basket(price: i64) -> Value {
    json!({
        "basket": {"products": [
            {"id": 1, "desc": "Artikel", "quantity": 1, "priceOne": price, "tax": 19}
        ]},
        "basket_info": {"sum": price, "currency": "EUR"}
    })
}

/// The same with a secucard on the transaction.
pub fn basket_with_card(price: i64, card: &str) -> Value {
    let mut b = basket(price);
    b["idents"] = json!([{"type": "card", "value": card}]);
    b
}

pub fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// Asserts an error answer is the provider's payload.
pub fn assert_error_payload(body: &Value) {
    assert_eq!(body["status"], "error", "{body}");
    for key in ["error", "error_details", "error_user", "supportId"] {
        assert!(body[key].is_string(), "{key} in {body}");
    }
    assert!(body["code"].is_u64(), "{body}");
    schema::assert_valid("ProductExceptionPayload", body);
}

/// Polls until the transaction has `status` (generous deadline).
pub async fn wait_for_status(env: &Env, id: &str, status: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, stx) = env.get(&format!("{STX}/{id}")).await;
        if stx["status"] == status {
            return stx;
        }
        assert!(Instant::now() < deadline, "never became {status}: {stx}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
