//! The connection and the pairing against the simulator on loopback.

use super::pairing::*;
use super::*;
use crate::secrets::{FileSecrets, SecretKind, SecretStore};
use crate::settings::{AuthMode, ConnectionSettings, Environment};
use crate::ErrorCode;
use secuconnect::{Client, ClientConfig, Credentials, Secret};
use secuconnect_sandbox::{demo, serve, RunningSandbox, Sandbox, SandboxConfig};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

async fn sandbox(config: SandboxConfig) -> (Arc<Sandbox>, RunningSandbox) {
    let sandbox = Arc::new(Sandbox::with_config(&config).unwrap());
    let running = serve(SocketAddr::from(([127, 0, 0, 1], 0)), sandbox.clone())
        .await
        .unwrap();
    (sandbox, running)
}

fn credentials(secret: &str) -> Credentials {
    Credentials {
        client_id: demo::DEMO_CLIENT_ID.into(),
        client_secret: Secret::new(secret),
    }
}

/// A secret store in a temporary directory of its own (the file a till without a keychain uses).
fn file_secrets() -> (tempfile::TempDir, Arc<dyn SecretStore>) {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(FileSecrets::new(dir.path()));
    (dir, secrets)
}

/// Pairing "KASSE-1" with the demo client id and `secret` against `running`.
fn pairing_request(
    environment: Environment,
    running: &RunningSandbox,
    secret: &str,
) -> PairingRequest {
    PairingRequest {
        environment,
        base_url: running.url(),
        credentials: credentials(secret),
        uuid: new_device_uuid("KASSE-1"),
    }
}

/// Polls `pairing` until it leaves `waiting` (generous: a loaded machine).
async fn settled(pairing: &Pairing) -> PairingStatus {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let s = pairing.status();
        if s.state != PairingState::Waiting || Instant::now() > deadline {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn good_credentials_pass_and_a_wrong_secret_is_refused_in_words() {
    let (_sandbox, running) = sandbox(SandboxConfig::default()).await;
    verify_credentials(&running.url(), credentials(demo::DEMO_CLIENT_SECRET))
        .await
        .unwrap();
    let e = verify_credentials(&running.url(), credentials("wrong-secret"))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Auth);
    assert!(!e.message.contains("wrong-secret"), "{}", e.message);
    assert!(!e.message.contains("127.0.0.1"), "{}", e.message);

    // Nothing answers on a closed port: offline, not auth.
    drop(running);
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let e = verify_credentials(&closed, credentials(demo::DEMO_CLIENT_SECRET))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Offline);
}

#[tokio::test]
async fn new_credentials_are_kept_only_after_the_provider_accepted_them() {
    let (_sandbox, running) = sandbox(SandboxConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let secrets = FileSecrets::new(dir.path());
    let id = || Some(demo::DEMO_CLIENT_ID.to_string());

    let e = connect_with_credentials(
        &secrets,
        Environment::Live,
        &running.url(),
        id(),
        Some("wrong-secret".into()),
        ConnectionSettings::default(),
    )
    .await
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::Auth);
    assert!(!e.message.contains("wrong-secret"));
    assert!(
        !dir.path().join(crate::secrets::FALLBACK_FILE).exists(),
        "nothing kept"
    );

    // No secret typed and none kept: said in words, nothing asked of the provider.
    let e = connect_with_credentials(
        &secrets,
        Environment::Live,
        &running.url(),
        id(),
        None,
        ConnectionSettings::default(),
    )
    .await
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidSettings);

    let saved = connect_with_credentials(
        &secrets,
        Environment::Live,
        &running.url(),
        id(),
        Some(format!(" {} ", demo::DEMO_CLIENT_SECRET)),
        ConnectionSettings::default(),
    )
    .await
    .unwrap();
    assert_eq!(saved.environment, Environment::Live);
    assert_eq!(saved.auth_mode, AuthMode::ClientCredentials);
    assert_eq!(saved.client_id.as_deref(), Some(demo::DEMO_CLIENT_ID));
    let json = serde_json::to_string(&saved).unwrap();
    assert!(!json.contains(demo::DEMO_CLIENT_SECRET), "{json}");
    assert!(with_secrets(saved, &secrets).has_client_secret);

    // The kept secret is used when none is typed; testing has none of its own.
    connect_with_credentials(
        &secrets,
        Environment::Live,
        &running.url(),
        id(),
        None,
        ConnectionSettings::default(),
    )
    .await
    .unwrap();
    assert!(!secrets.has(Environment::Testing, SecretKind::ClientSecret));
}

#[tokio::test]
async fn a_confirmed_pairing_puts_the_refresh_token_into_the_secret_store() {
    let (sandbox, running) = sandbox(SandboxConfig::default()).await;
    let (_dir, secrets) = file_secrets();
    let pairing = Pairing::default();
    let saved = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let saved2 = saved.clone();
    let start = pairing
        .start(
            pairing_request(Environment::Testing, &running, demo::DEMO_CLIENT_SECRET),
            secrets.clone(),
            move || {
                saved2.store(true, std::sync::atomic::Ordering::SeqCst);
                Ok(())
            },
        )
        .await
        .unwrap();
    assert!(!start.user_code.is_empty());
    assert!(start.interval >= 1);
    let s = pairing.status();
    assert_eq!(s.state, PairingState::Waiting);
    assert!(s.seconds_left > 0 && s.seconds_left <= start.expires_in);
    // Nothing is kept before the pairing is confirmed.
    assert!(!secrets.has(Environment::Testing, SecretKind::RefreshToken));
    assert!(!secrets.has(Environment::Testing, SecretKind::ClientSecret));

    assert!(sandbox.confirm_user_code(&start.user_code));
    let s = settled(&pairing).await;
    assert_eq!(s.state, PairingState::Paired, "{s:?}");
    assert!(saved.load(std::sync::atomic::Ordering::SeqCst));

    let rt = secrets
        .get(Environment::Testing, SecretKind::RefreshToken)
        .unwrap()
        .expect("the refresh token is kept");
    assert_eq!(
        secrets
            .get(Environment::Testing, SecretKind::ClientSecret)
            .unwrap()
            .unwrap()
            .expose(),
        demo::DEMO_CLIENT_SECRET
    );
    // The kept token logs the till in at the next start.
    let conn = ConnectionSettings {
        environment: Environment::Testing,
        auth_mode: AuthMode::Device,
        client_id: Some(demo::DEMO_CLIENT_ID.into()),
        ..Default::default()
    };
    assert!(with_secrets(conn.clone(), secrets.as_ref()).device_paired);
    let client = Client::new(
        ClientConfig::new(running.url(), credentials(demo::DEMO_CLIENT_SECRET))
            .with_device_refresh_token(rt),
    )
    .unwrap();
    client.access_token().await.unwrap();
    assert_eq!(client.token_requests().refresh_token, 1);
    assert_eq!(client.token_requests().client_credentials, 0);
}

#[tokio::test]
async fn a_wrong_secret_starts_no_pairing() {
    let (_sandbox, running) = sandbox(SandboxConfig::default()).await;
    let (dir, secrets) = file_secrets();
    let pairing = Pairing::default();
    let e = pairing
        .start(
            pairing_request(Environment::Live, &running, "nope"),
            secrets.clone(),
            || Ok(()),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Auth);
    assert_eq!(pairing.status().state, PairingState::Idle);
    assert!(!dir.path().join(crate::secrets::FALLBACK_FILE).exists());
}

#[tokio::test]
async fn a_cancelled_pairing_keeps_nothing_even_if_confirmed_later() {
    let (sandbox, running) = sandbox(SandboxConfig::default()).await;
    let (_dir, secrets) = file_secrets();
    let pairing = Pairing::default();
    let start = pairing
        .start(
            pairing_request(Environment::Testing, &running, demo::DEMO_CLIENT_SECRET),
            secrets.clone(),
            || panic!("a cancelled pairing saves nothing"),
        )
        .await
        .unwrap();
    assert_eq!(pairing.status().state, PairingState::Waiting);
    pairing.cancel();
    assert_eq!(pairing.status().state, PairingState::Idle);
    assert!(sandbox.confirm_user_code(&start.user_code));
    // Give a poll that was not stopped more than one interval to show up.
    tokio::time::sleep(Duration::from_secs(start.interval + 2)).await;
    assert_eq!(pairing.status().state, PairingState::Idle);
    assert!(!secrets.has(Environment::Testing, SecretKind::RefreshToken));
}

#[tokio::test]
async fn an_unconfirmed_code_expires() {
    let (_sandbox, running) = sandbox(SandboxConfig {
        device_code_lifetime_secs: Some(3),
        ..Default::default()
    })
    .await;
    let (_dir, secrets) = file_secrets();
    let pairing = Pairing::default();
    pairing
        .start(
            pairing_request(Environment::Testing, &running, demo::DEMO_CLIENT_SECRET),
            secrets.clone(),
            || panic!("an expired pairing saves nothing"),
        )
        .await
        .unwrap();
    let s = settled(&pairing).await;
    assert_eq!(s.state, PairingState::Expired, "{s:?}");
    assert!(s.message.is_some());
    assert!(!secrets.has(Environment::Testing, SecretKind::RefreshToken));
}

#[test]
fn a_switch_waits_for_open_work_but_new_credentials_for_the_same_environment_do_not() {
    let open = OpenWork {
        outbox: 2,
        ..Default::default()
    };
    let e = check_switch(Environment::Demo, Environment::Live, open).unwrap_err();
    assert_eq!(e.code, ErrorCode::SwitchOutbox);
    assert!(e.message.contains("2 sale(s)"), "{}", e.message);
    check_switch(Environment::Live, Environment::Live, open).unwrap();
    let doubt = OpenWork {
        payments_in_doubt: 1,
        ..Default::default()
    };
    assert!(check_switch(Environment::Testing, Environment::Demo, doubt).is_err());
    let card = OpenWork {
        card_payment_running: true,
        ..Default::default()
    };
    assert!(check_switch(Environment::Live, Environment::Live, card).is_err());
    check_switch(Environment::Demo, Environment::Testing, OpenWork::default()).unwrap();
}

#[test]
fn each_environment_has_its_own_journal_and_demo_keeps_the_old_name() {
    assert_eq!(journal_file(Environment::Demo), "journal.sqlite3");
    let files = [Environment::Demo, Environment::Testing, Environment::Live].map(journal_file);
    assert!(files[0] != files[1] && files[1] != files[2] && files[0] != files[2]);
    assert_eq!(provider_url(Environment::Demo), None);
}

#[test]
fn the_provider_url_override_is_for_debug_builds_and_safe_addresses_only() {
    let debug = |u: &str| overridden(Some(u), true);
    assert_eq!(
        debug("http://127.0.0.1:8787"),
        Some("http://127.0.0.1:8787".into())
    );
    assert_eq!(
        debug(" http://localhost:1/ "),
        Some("http://localhost:1/".into())
    );
    assert_eq!(debug("http://[::1]:9"), Some("http://[::1]:9".into()));
    assert_eq!(
        debug("https://connect-testing.example"),
        Some("https://connect-testing.example".into())
    );
    assert_eq!(debug("http://192.168.1.9:8787"), None);
    assert_eq!(debug("http://evil.example"), None);
    assert_eq!(debug("ftp://127.0.0.1"), None);
    assert_eq!(debug("not a url"), None);
    assert_eq!(overridden(Some("http://127.0.0.1:8787"), false), None);
    assert_eq!(
        overridden(Some("https://connect-testing.example"), false),
        None
    );
    assert_eq!(overridden(None, true), None);
}
