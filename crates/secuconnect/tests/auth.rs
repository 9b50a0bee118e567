//! The token source against the simulator: every grant, reuse and expiry,
//! the re-authentication after a rejected token, and no secret in any output.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use secuconnect::{CancellationToken, Client, Credentials, Error, Execution, Secret};
use serde_json::json;

#[tokio::test]
async fn client_credentials_token_is_reused() {
    let sim = Sim::start().await;
    let client = sim.client();
    for _ in 0..3 {
        let err = client.get_transaction("STX_NOPE").await.unwrap_err();
        assert!(matches!(err, Error::Api { status: 404, .. }), "{err:?}");
    }
    assert_eq!(client.token_requests().client_credentials, 1);
}

#[tokio::test]
async fn concurrent_calls_share_one_token_request() {
    let sim = Sim::start().await;
    let client = Arc::new(sim.client());
    let calls: Vec<_> = (0..16)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.access_token().await })
        })
        .collect();
    let mut tokens = Vec::new();
    for call in calls {
        tokens.push(call.await.unwrap().expect("token").expose().to_string());
    }
    tokens.dedup();
    assert_eq!(tokens.len(), 1, "every caller got the same token");
    assert_eq!(client.token_requests().client_credentials, 1);
}

#[tokio::test]
async fn calls_rejected_together_renew_the_token_once() {
    let sim = Sim::start().await;
    let client = Arc::new(sim.client());
    let stx = client
        .create_transaction(&sale(150, "together"))
        .await
        .unwrap();
    // The shared token expires under the next call; the others hold it too.
    sim.fault(
        "GET /api/v2/Smart/Transactions/*",
        "expire_token",
        json!({}),
    )
    .await;
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let client = client.clone();
            let id = stx.id.clone();
            tokio::spawn(async move { client.get_transaction(&id).await })
        })
        .collect();
    for call in calls {
        call.await
            .unwrap()
            .expect("every call succeeds after re-auth");
    }
    assert_eq!(client.token_requests().client_credentials, 2);
}

#[tokio::test]
async fn callers_waiting_for_a_failed_token_request_share_its_failure() {
    let sim = Sim::start().await;
    sim.fault("POST /oauth/token", "latency", json!({"latency_ms": 3000}))
        .await;
    let client =
        Arc::new(Client::new(sim.config().with_timeout(Duration::from_millis(500))).unwrap());
    let calls: Vec<_> = (0..4)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.get_transaction("STX_ANY").await })
        })
        .collect();
    for call in calls {
        let err = call.await.unwrap().unwrap_err();
        assert!(matches!(err, Error::NotExecuted(_)), "{err:?}");
    }
    // One slow token request, not one after another for every caller.
    assert_eq!(client.token_requests().client_credentials, 1);
    // The next call tries again.
    client.get_transaction("STX_ANY").await.unwrap_err();
    assert_eq!(client.token_requests().client_credentials, 2);
}

#[tokio::test]
async fn a_token_is_renewed_ten_seconds_before_it_expires() {
    let sim = Sim::start().await;
    // Valid 11 s at the provider: the client keeps it for 1 s.
    sim.configure(json!({"token_lifetime_secs": 11})).await;
    let client = sim.client();
    let first = client.access_token().await.unwrap();
    assert_eq!(
        client.access_token().await.unwrap(),
        first,
        "reused at once"
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let second = client.access_token().await.unwrap();
    assert_ne!(second, first, "renewed after expires_in − 10 s");
    assert_eq!(client.token_requests().client_credentials, 2);
}

#[tokio::test]
async fn an_expired_token_answered_403_2003_is_renewed_and_the_call_retried_once() {
    let sim = Sim::start().await;
    let client = sim.client();
    let stx = client
        .create_transaction(&sale(500, "reauth-403"))
        .await
        .unwrap();
    sim.fault(
        "POST /api/v2/Smart/Transactions/*/start/cash",
        "expire_token",
        json!({}),
    )
    .await;
    let paid = client
        .start_cash(&stx.id)
        .await
        .expect("paid after re-auth");
    assert!(paid.status.is_paid());
    assert_eq!(client.token_requests().client_credentials, 2);
}

#[tokio::test]
async fn an_expired_token_answered_401_is_renewed_and_the_call_retried_once() {
    let sim = Sim::start().await;
    sim.configure(json!({"auth_failure_status": 401})).await;
    let client = sim.client();
    let stx = client
        .create_transaction(&sale(700, "reauth-401"))
        .await
        .unwrap();
    sim.fault(
        "GET /api/v2/Smart/Transactions/*",
        "expire_token",
        json!({}),
    )
    .await;
    let read = client
        .get_transaction(&stx.id)
        .await
        .expect("read after re-auth");
    assert_eq!(read.id, stx.id);
    assert_eq!(client.token_requests().client_credentials, 2);
}

#[tokio::test]
async fn a_token_rejected_twice_is_an_authentication_error_and_nothing_ran() {
    let sim = Sim::start().await;
    let client = sim.client();
    let stx = client
        .create_transaction(&sale(900, "reauth-twice"))
        .await
        .unwrap();
    sim.fault(
        "POST /api/v2/Smart/Transactions/*/start/cash",
        "expire_token",
        json!({"count": 2}),
    )
    .await;
    let err = client.start_cash(&stx.id).await.unwrap_err();
    assert!(matches!(err, Error::Auth(_)), "{err:?}");
    assert_eq!(err.execution(), Execution::NotExecuted);
    assert_eq!(sim.transaction(&stx.id).await["status"], "created");
    assert_eq!(
        client.token_requests().client_credentials,
        2,
        "one retry only"
    );
}

#[tokio::test]
async fn wrong_client_credentials_are_an_authentication_error_without_the_secret() {
    let sim = Sim::start().await;
    let client = Client::new(secuconnect::ClientConfig::new(
        sim.url(),
        Credentials {
            client_id: CLIENT_ID.into(),
            client_secret: Secret::new("not-the-secret-4711"),
        },
    ))
    .unwrap();
    let err = client.get_transaction("STX_X").await.unwrap_err();
    assert!(matches!(err, Error::Auth(_)), "{err:?}");
    assert!(err.to_string().contains("invalid_client"), "{err}");
    assert!(!format!("{err} {err:?}").contains("not-the-secret-4711"));
}

/// Pairs a fresh client through the simulator's back office.
async fn pair(sim: &Sim, client: &Client) -> Secret {
    let pairing = client
        .start_device_pairing("/vendor/smart-till/serial/0001")
        .await
        .expect("pairing starts");
    assert!(!pairing.user_code.is_empty());
    assert!(!pairing.verification_url.is_empty());
    assert!(pairing.interval >= Duration::from_secs(1));
    let cancel = CancellationToken::new();
    let (result, ()) = tokio::join!(client.finish_device_pairing(&pairing, &cancel), async {
        // The merchant types the code in a little later.
        tokio::time::sleep(Duration::from_millis(300)).await;
        sim.confirm(&pairing.user_code).await;
    });
    result.expect("pairing confirmed")
}

#[tokio::test]
async fn device_pairing_polls_until_confirmed_and_hands_out_the_refresh_token() {
    let sim = Sim::start().await;
    let client = sim.client();
    let mut updates = client.refresh_token_updates();
    assert!(updates.borrow().is_none());

    let refresh_token = pair(&sim, &client).await;
    let requests = client.token_requests();
    assert_eq!(requests.device_start, 1);
    assert!(requests.device_poll >= 1);
    assert_eq!(requests.client_credentials, 0);
    assert!(updates.has_changed().unwrap());
    assert_eq!(updates.borrow_and_update().as_ref(), Some(&refresh_token));

    // Calls now run as the device, on the pairing's token.
    let stx = client
        .create_transaction(&sale(250, "paired"))
        .await
        .unwrap();
    assert_eq!(
        client.start_cash(&stx.id).await.unwrap().status.as_str(),
        "ok"
    );
    assert_eq!(client.token_requests().client_credentials, 0);
}

#[tokio::test]
async fn device_pairing_stops_when_the_code_expires() {
    let sim = Sim::start().await;
    // Shorter than the poll interval: no poll can come in time.
    sim.configure(json!({"device_code_lifetime_secs": 2})).await;
    let client = sim.client();
    let pairing = client
        .start_device_pairing("/vendor/smart-till/serial/0004")
        .await
        .unwrap();
    assert_eq!(pairing.expires_in, Duration::from_secs(2));
    let err = tokio::time::timeout(
        PATIENCE,
        client.finish_device_pairing(&pairing, &CancellationToken::new()),
    )
    .await
    .expect("gives up")
    .unwrap_err();
    assert!(matches!(err, Error::PairingExpired), "{err:?}");
}

#[tokio::test]
async fn device_pairing_stops_when_cancelled() {
    let sim = Sim::start().await;
    let client = sim.client();
    let pairing = client
        .start_device_pairing("/vendor/smart-till/serial/0002")
        .await
        .unwrap();
    let cancel = CancellationToken::new();
    let canceller = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        canceller.cancel();
    });
    let err = tokio::time::timeout(PATIENCE, client.finish_device_pairing(&pairing, &cancel))
        .await
        .expect("returns after the cancel")
        .unwrap_err();
    assert!(
        matches!(err, Error::Auth(ref m) if m.contains("cancelled")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_paired_till_uses_its_refresh_token_before_any_new_grant() {
    let sim = Sim::start().await;
    let refresh_token = pair(&sim, &sim.client()).await;
    // Valid 11 s at the provider: the client keeps each token for 1 s.
    sim.configure(json!({"token_lifetime_secs": 11})).await;

    // The app restarts with the stored refresh token.
    let client = Client::new(sim.config().with_device_refresh_token(refresh_token)).unwrap();
    let stx = client
        .create_transaction(&sale(300, "refresh"))
        .await
        .unwrap();
    assert_eq!(client.token_requests().refresh_token, 1);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    client.get_transaction(&stx.id).await.unwrap();
    let requests = client.token_requests();
    assert_eq!(
        requests.refresh_token, 2,
        "expired token renewed by refresh"
    );
    assert_eq!(
        requests.client_credentials, 0,
        "no new grant while the refresh token works"
    );
}

#[tokio::test]
async fn a_refused_refresh_token_asks_for_a_new_pairing() {
    let sim = Sim::start().await;
    let client = Client::new(
        sim.config()
            .with_device_refresh_token(Secret::new("rt-that-was-never-issued")),
    )
    .unwrap();
    let updates = client.refresh_token_updates();
    let err = client.get_transaction("STX_X").await.unwrap_err();
    assert!(
        matches!(err, Error::Auth(ref m) if m.contains("pair")),
        "{err:?}"
    );
    assert!(updates.borrow().is_none(), "the app is told to forget it");
    assert!(!format!("{err} {err:?}").contains("rt-that-was-never-issued"));
    // A device does not fall back to client credentials on its own.
    assert_eq!(client.token_requests().client_credentials, 0);
}

#[tokio::test]
async fn token_service_unreachable_is_not_executed() {
    let sim = Sim::start().await;
    let url = sim.url();
    sim.running.shutdown().await;
    let client = Client::new(secuconnect::ClientConfig::new(url, credentials())).unwrap();
    let err = client.start_cash("STX_ANY").await.unwrap_err();
    assert!(matches!(err, Error::NotExecuted(_)), "{err:?}");
    assert_eq!(err.execution(), Execution::NotExecuted);
}

#[tokio::test]
async fn a_token_answer_that_does_not_decode_is_kept_for_the_log_with_the_token_masked() {
    let sim = Sim::start().await;
    // The token answer is cut in half, after the access token.
    sim.fault("POST /oauth/token", "malformed", json!({})).await;
    let client = sim.client();
    let err = client.access_token().await.unwrap_err();
    let Error::Decode { ref body, .. } = err else {
        panic!("{err:?}")
    };
    assert!(body.starts_with(r#"{"access_token":"***""#), "{body}");
    // The next answer is whole: the client recovers by itself.
    client.access_token().await.expect("a token");
    assert_eq!(client.token_requests().client_credentials, 2);
}
