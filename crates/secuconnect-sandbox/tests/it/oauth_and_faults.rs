//! OAuth grants, token expiry and the fault injection, over HTTP on loopback.

use crate::common;

use std::time::{Duration, Instant};

use common::{assert_error_payload, basket, basket_with_card, start, STX};
use reqwest::{Method, StatusCode};
use secuconnect_sandbox::{demo, Fault, FaultKind, SandboxConfig};
use serde_json::{json, Value};

fn creds() -> Value {
    json!({"client_id": demo::DEMO_CLIENT_ID, "client_secret": demo::DEMO_CLIENT_SECRET})
}

fn with(mut base: Value, extra: Value) -> Value {
    for (k, v) in extra.as_object().unwrap() {
        base[k] = v.clone();
    }
    base
}

#[tokio::test]
async fn client_credentials_in_json_and_form_give_working_tokens() {
    let env = start().await;
    let (status, answer) = env
        .oauth(with(creds(), json!({"grant_type": "client_credentials"})))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["expires_in"], 1200);
    assert_eq!(answer["token_type"], "bearer");
    assert_eq!(answer["scope"], "https://scope.secucard.com/e/api");
    assert!(answer.get("refresh_token").is_none());

    let form = env
        .http
        .post(env.url("/oauth/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=client_credentials&client_id={}&client_secret={}",
            demo::DEMO_CLIENT_ID,
            demo::DEMO_CLIENT_SECRET
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::OK);
    let form: Value = form.json().await.unwrap();
    for token in [&answer["access_token"], &form["access_token"]] {
        let (status, list) = env
            .call_with(token.as_str().unwrap(), Method::GET, STX, None)
            .await;
        assert_eq!(status, StatusCode::OK, "{list}");
    }
}

#[tokio::test]
async fn bad_token_requests_get_oauth_errors() {
    let env = start().await;
    let cases = [
        (
            json!({"grant_type": "client_credentials", "client_id": demo::DEMO_CLIENT_ID, "client_secret": "wrong"}),
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (creds(), StatusCode::BAD_REQUEST, "invalid_request"),
        (
            with(creds(), json!({"grant_type": "password"})),
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
        ),
        (
            with(creds(), json!({"grant_type": "device"})),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            with(creds(), json!({"grant_type": "refresh_token"})),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            with(
                creds(),
                json!({"grant_type": "refresh_token", "refresh_token": "nope"}),
            ),
            StatusCode::BAD_REQUEST,
            "invalid_grant",
        ),
    ];
    for (body, status, error) in cases {
        let (got, answer) = env.oauth(body.clone()).await;
        assert_eq!(got, status, "{body} → {answer}");
        assert_eq!(answer["error"], error, "{body} → {answer}");
        assert!(answer["error_description"].is_string());
    }
    for raw in ["{not json", "[1,2]", ""] {
        let resp = env
            .http
            .post(env.url("/oauth/token"))
            .header("content-type", "application/json")
            .body(raw)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{raw}");
        let answer: Value = resp.json().await.unwrap();
        assert_eq!(answer["error"], "invalid_request");
    }
}

async fn device_step1(env: &common::Env, uuid: &str) -> Value {
    let (status, answer) = env
        .oauth(with(creds(), json!({"grant_type": "device", "uuid": uuid})))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

async fn device_poll(env: &common::Env, code: &Value) -> (StatusCode, Value) {
    env.oauth(with(creds(), json!({"grant_type": "device", "code": code})))
        .await
}

#[tokio::test]
async fn the_device_grant_waits_for_the_merchant_and_then_gives_a_refreshable_token() {
    let env = start().await;
    let step1 = device_step1(&env, "/vendor/smart-till/serial/0001").await;
    assert_eq!(step1["interval"], 5);
    assert_eq!(step1["expires_in"], 1200);
    assert!(step1["verification_url"]
        .as_str()
        .unwrap()
        .starts_with("https://"));
    let user_code = step1["user_code"].as_str().unwrap().to_string();
    assert_eq!(user_code.len(), 9, "{user_code}");

    for _ in 0..2 {
        let (status, answer) = device_poll(&env, &step1["device_code"]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(answer["error"], "authorization_pending");
    }
    let snapshot = env.state().snapshot();
    assert_eq!(snapshot["device_codes"][0]["user_code"], user_code.as_str());
    assert_eq!(snapshot["device_codes"][0]["confirmed"], false);

    let (status, answer) = env
        .control(
            "/_sandbox/device/confirm",
            json!({"user_code": "NOPE-NOPE"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error_payload(&answer);
    // The merchant types it in lower case without the dash.
    let typed = user_code.replace('-', "").to_lowercase();
    let (status, _) = env
        .control("/_sandbox/device/confirm", json!({"user_code": typed}))
        .await;
    assert_eq!(status, StatusCode::OK);

    let (status, token) = device_poll(&env, &step1["device_code"]).await;
    assert_eq!(status, StatusCode::OK, "{token}");
    let first = token["access_token"].as_str().unwrap().to_string();
    let refresh = token["refresh_token"].as_str().unwrap().to_string();
    assert_eq!(token["expires_in"], 1200);
    assert_eq!(
        env.call_with(&first, Method::GET, STX, None).await.0,
        StatusCode::OK
    );

    // A device code is redeemed once.
    let (status, answer) = device_poll(&env, &step1["device_code"]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["error"], "invalid_device");

    // Refreshing (form-encoded) gives a new token and kills the device's old one.
    let resp = env
        .http
        .post(env.url("/oauth/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", demo::DEMO_CLIENT_ID),
            ("client_secret", demo::DEMO_CLIENT_SECRET),
            ("refresh_token", refresh.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let refreshed: Value = resp.json().await.unwrap();
    let second = refreshed["access_token"].as_str().unwrap().to_string();
    assert_ne!(second, first);
    assert_eq!(refreshed["refresh_token"], refresh.as_str());
    let (status, answer) = env.call_with(&first, Method::GET, STX, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(answer["code"], 2003);
    assert_eq!(
        env.call_with(&second, Method::GET, STX, None).await.0,
        StatusCode::OK
    );

    // Client tokens are not tied to the device and stay valid.
    assert_eq!(env.get(STX).await.0, StatusCode::OK);
}

#[tokio::test]
async fn an_unconfirmed_device_code_expires() {
    let env = common::start_with(SandboxConfig {
        device_code_lifetime_secs: Some(0),
        ..SandboxConfig::default()
    })
    .await;
    let step1 = device_step1(&env, "/vendor/smart-till/serial/0002").await;
    assert_eq!(step1["expires_in"], 0);
    assert!(!env
        .state()
        .confirm_user_code(step1["user_code"].as_str().unwrap()));
    let (status, answer) = device_poll(&env, &step1["device_code"]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["error"], "expired_token");
}

#[tokio::test]
async fn expired_and_missing_tokens_get_403_code_2003_or_401_when_configured() {
    let env = start().await;
    let (status, answer) = env.call_with("", Method::GET, STX, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(answer["error_details"], "Valid auth token required");
    assert_error_payload(&answer);

    let resp = env.http.get(env.url(STX)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);

    env.state()
        .configure(SandboxConfig {
            token_lifetime_secs: Some(0),
            ..SandboxConfig::default()
        })
        .unwrap();
    let short = env.client_token().await;
    let (status, answer) = env.call_with(&short, Method::GET, STX, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(answer["code"], 2003);

    let (status, config) = env
        .control("/_sandbox/config", json!({"auth_failure_status": 401}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(config["auth_failure_status"], 401);
    let (status, answer) = env.call_with(&short, Method::GET, STX, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer["code"], 2003);

    let (status, answer) = env
        .control("/_sandbox/config", json!({"auth_failure_status": 402}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error_payload(&answer);
    let (status, _) = env
        .control("/_sandbox/config", json!({"terminal_delay_ms": "soon"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Reset: the token lifetime and the status are back.
    env.control("/_sandbox/reset", json!({})).await;
    let token = env.client_token().await;
    assert_eq!(
        env.call_with(&token, Method::GET, STX, None).await.0,
        StatusCode::OK
    );
    assert_eq!(
        env.call_with("x", Method::GET, STX, None).await.0,
        StatusCode::FORBIDDEN
    );
}

async fn inject(env: &common::Env, fault: Value) {
    let (status, answer) = env.control("/_sandbox/faults", fault).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

/// Sends a request that must fail without any HTTP answer.
async fn assert_dropped(env: &common::Env, method: Method, path: &str, body: Option<Value>) {
    let mut req = env
        .http
        .request(method, env.url(path))
        .bearer_auth(&env.token);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let err = req
        .send()
        .await
        .expect_err("the connection must be dropped");
    assert!(err.status().is_none(), "{err:?}");
    assert!(!err.is_timeout(), "{err:?}");
    assert!(err.is_request() || err.is_connect(), "{err:?}");
}

#[tokio::test]
async fn drop_after_processes_the_payment_then_closes_without_an_answer() {
    let env = start().await;
    let stx = env.create(basket_with_card(796, demo::CARD_GUIDE)).await;
    let id = stx["id"].as_str().unwrap();
    let path = format!("{STX}/{id}/start/cash");
    inject(
        &env,
        json!({"route": "POST /api/v2/Smart/Transactions/*/start/cash", "kind": "drop_after"}),
    )
    .await;
    assert_dropped(&env, Method::POST, &path, None).await;

    // The payment happened: reading it back shows it paid, the card was used.
    let (status, read) = env.get(&format!("{STX}/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read["status"], "ok");
    assert_eq!(env.card_balance(demo::CARD_GUIDE), 0);
    // The fault is used up: paying again is refused, with an answer.
    let (status, answer) = env.post_empty(&path).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_error_payload(&answer);
}

#[tokio::test]
async fn drop_before_and_offline_close_without_processing() {
    let env = start().await;
    inject(
        &env,
        json!({"route": "POST /api/v2/Smart/Transactions", "kind": "drop_before", "count": 2}),
    )
    .await;
    for _ in 0..2 {
        assert_dropped(&env, Method::POST, STX, Some(basket(100))).await;
    }
    assert!(env.state().transaction_ids().is_empty());
    env.create(basket(100)).await;

    let (status, _) = env
        .control("/_sandbox/offline", json!({"offline": true}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_dropped(&env, Method::POST, STX, Some(basket(100))).await;
    assert_dropped(&env, Method::GET, STX, None).await;
    let err = env
        .http
        .post(env.url("/oauth/token"))
        .json(&with(creds(), json!({"grant_type": "client_credentials"})))
        .send()
        .await
        .expect_err("offline");
    assert!(err.status().is_none());
    // The control routes still answer.
    assert_eq!(env.state().snapshot()["offline"], true);
    let (status, state) = env
        .control("/_sandbox/offline", json!({"offline": false}))
        .await;
    assert_eq!(status, StatusCode::OK, "{state}");
    assert_eq!(env.state().transaction_ids().len(), 1);
    assert_eq!(env.get(STX).await.1["count"], 1);
}

#[tokio::test]
async fn error_5xx_answers_the_payload_without_processing_for_n_calls() {
    let env = start().await;
    inject(&env, json!({"route": "POST /api/v2/Smart/Transactions", "kind": "error_5xx", "count": 2, "status": 503})).await;
    for _ in 0..2 {
        let (status, answer) = env.post(STX, basket(100)).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_error_payload(&answer);
    }
    assert!(env.state().transaction_ids().is_empty());
    env.create(basket(100)).await;

    env.state()
        .inject(Fault::new("*", FaultKind::Error5xx))
        .unwrap();
    let (status, answer) = env.get(STX).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_error_payload(&answer);
    assert_eq!(env.get(STX).await.0, StatusCode::OK);
}

#[tokio::test]
async fn malformed_answers_are_not_json_but_the_request_was_processed() {
    let env = start().await;
    inject(
        &env,
        json!({"route": "POST /api/v2/Smart/Transactions", "kind": "malformed"}),
    )
    .await;
    let resp = env
        .http
        .post(env.url(STX))
        .bearer_auth(&env.token)
        .json(&basket(250))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let text = resp.text().await.unwrap();
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");
    assert!(text.starts_with('{'), "{text}");
    assert_eq!(env.state().transaction_ids().len(), 1);
}

#[tokio::test]
async fn latency_delays_only_the_matching_route() {
    let env = start().await;
    inject(
        &env,
        json!({"route": "GET /api/v2/Smart/Transactions", "kind": "latency", "latency_ms": 400}),
    )
    .await;
    let stx = env.create(basket(100)).await;
    assert_eq!(
        env.state().pending_faults().len(),
        1,
        "create must not use the GET fault"
    );
    let begun = Instant::now();
    assert_eq!(env.get(STX).await.0, StatusCode::OK);
    assert!(begun.elapsed() >= Duration::from_millis(400));
    assert!(env.state().pending_faults().is_empty());
    let (status, _) = env
        .get(&format!("{STX}/{}", stx["id"].as_str().unwrap()))
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn expire_token_rejects_the_call_and_the_token_stays_dead() {
    let env = start().await;
    env.state()
        .inject(Fault::new(
            "GET /api/v2/Smart/Transactions",
            FaultKind::ExpireToken,
        ))
        .unwrap();
    let (status, answer) = env.get(STX).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(answer["code"], 2003);
    assert_eq!(env.get(STX).await.0, StatusCode::FORBIDDEN);
    let fresh = env.client_token().await;
    assert_eq!(
        env.call_with(&fresh, Method::GET, STX, None).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn bad_faults_are_refused_and_reset_clears_everything() {
    let env = start().await;
    for bad in [
        json!({"route": "start/cash", "kind": "drop_after"}),
        json!({"route": "*", "kind": "explode"}),
        json!({"route": "*", "kind": "error_5xx", "status": 404}),
        json!({"route": "*", "kind": "latency", "count": 0}),
        json!({"kind": "latency"}),
    ] {
        let (status, answer) = env.control("/_sandbox/faults", bad.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_error_payload(&answer);
    }
    inject(
        &env,
        json!({"route": "*", "kind": "drop_before", "count": 5}),
    )
    .await;
    env.state().set_offline(true);
    let (status, state) = env.control("/_sandbox/state", json!({})).await;
    // GET only: POST on the state route is not allowed.
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{state}");
    let resp = env
        .http
        .get(env.url("/_sandbox/state"))
        .send()
        .await
        .unwrap();
    let state: Value = resp.json().await.unwrap();
    assert_eq!(state["faults"][0]["count"], 5);
    assert_eq!(state["offline"], true);
    let (status, _) = env.control("/_sandbox/reset", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let state = env.state().snapshot();
    assert_eq!(state["faults"], json!([]));
    assert_eq!(state["offline"], false);
    let token = env.client_token().await;
    let (status, _) = env
        .call_with(&token, Method::POST, STX, Some(basket(100)))
        .await;
    assert_eq!(status, StatusCode::OK);
}
