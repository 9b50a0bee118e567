//! The client against the simulator over loopback HTTP.

use std::time::{Duration, Instant};

use fiskaly::*;
use fiskaly_sandbox::{Fault, FaultKind, QrCode, RunningSandbox, Sandbox, SandboxConfig};

const PIN: &str = "654321";

async fn sandbox(with_demo: bool) -> RunningSandbox {
    let state = if with_demo {
        Sandbox::with_demo_tss()
    } else {
        Sandbox::new()
    };
    fiskaly_sandbox::serve(([127, 0, 0, 1], 0).into(), std::sync::Arc::new(state))
        .await
        .expect("a free loopback port")
}

fn client(sandbox: &RunningSandbox) -> Client {
    let credentials = Credentials {
        api_key: fiskaly_sandbox::DEMO_API_KEY.into(),
        api_secret: Secret::new(fiskaly_sandbox::DEMO_API_SECRET),
    };
    Client::new(ClientConfig::new(sandbox.url(), credentials)).unwrap()
}

fn id() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn receipt(cents: i64) -> Receipt {
    Receipt::new(ReceiptType::Receipt)
        .vat(VatRate::Normal, cents)
        .paid(PaymentType::Cash, cents)
}

/// The demo TSS and till: a start and a finish.
async fn sale(tse: &Client, cents: i64) -> Result<Transaction, Error> {
    let tx = id();
    let (tss, till) = (
        fiskaly_sandbox::DEMO_TSS_ID,
        fiskaly_sandbox::DEMO_CLIENT_ID,
    );
    tse.start_transaction(tss, till, &tx).await?;
    tse.finish_transaction(tss, till, &tx, 2, &receipt(cents))
        .await
}

#[tokio::test]
async fn a_new_tss_is_set_up_a_till_registered_and_sales_signed() {
    let sb = sandbox(false).await;
    let tse = client(&sb);
    let (tss_id, till) = (id(), id());

    let setup = tse.set_up_tss(&tss_id, &Secret::new(PIN)).await.unwrap();
    assert_eq!(setup.tss.state, TssState::Initialized);
    assert_eq!(setup.admin_puk.expose().len(), 10);
    let shown = format!("{setup:?}");
    assert!(
        !shown.contains(setup.admin_puk.expose()),
        "the PUK leaks into Debug: {shown}"
    );
    assert_eq!(setup.tss.serial_number.len(), 64);
    assert!(
        setup.tss.admin_puk.is_none(),
        "the PUK shows only while CREATED"
    );

    // Registering the same till twice is harmless; a wrong PIN is refused in words.
    let client = tse
        .register_till(&tss_id, &Secret::new(PIN), &till, "TILL 1")
        .await
        .unwrap();
    assert_eq!(
        (client.state, client.serial_number.as_str()),
        (ClientState::Registered, "TILL 1")
    );
    tse.register_till(&tss_id, &Secret::new(PIN), &till, "TILL 1")
        .await
        .unwrap();
    let wrong = tse
        .admin_login(&tss_id, &Secret::new("000000"))
        .await
        .unwrap_err();
    assert_eq!(wrong.code(), "tse_admin_pin_wrong", "{wrong}");
    assert!(wrong.to_string().contains("admin PIN is wrong"), "{wrong}");

    let mut last: Option<Transaction> = None;
    for cents in [1190, 250] {
        let tx = id();
        let started = tse.start_transaction(&tss_id, &till, &tx).await.unwrap();
        assert_eq!(
            (
                started.state,
                started.revision,
                started.log.operation.as_str()
            ),
            (TxState::Active, 1, "Start")
        );
        let done = tse
            .finish_transaction(&tss_id, &till, &tx, 2, &receipt(cents))
            .await
            .unwrap();
        assert_eq!(
            (done.state, done.revision, done.log.operation.as_str()),
            (TxState::Finished, 2, "Finish")
        );
        assert_eq!(done.number, started.number);
        assert!(done.signature.counter > started.signature.counter);
        assert!(done.time_end.unwrap() >= done.time_start);
        if let Some(previous) = &last {
            assert!(done.number > previous.number, "transaction numbers rise");
            assert!(
                started.signature.counter > previous.signature.counter,
                "signature counters rise"
            );
        }
        let qr = done
            .qr_code_data
            .clone()
            .expect("a finished transaction has its QR code");
        let parsed = QrCode::parse(&qr).expect("a V0 QR code");
        assert!(parsed.verify(), "{qr}");
        assert_eq!(parsed.client_serial_number, "TILL 1");
        assert_eq!(parsed.transaction_number, done.number);
        assert_eq!(parsed.public_key, setup.tss.public_key);
        // Read back: the same signed step.
        let read = tse.get_transaction(&tss_id, &tx, None).await.unwrap();
        assert_eq!((read.revision, read.latest_revision), (2, 2));
        assert_eq!(read.signature, done.signature);
        let first = tse.get_transaction(&tss_id, &tx, Some(1)).await.unwrap();
        assert_eq!(first.signature, started.signature);
        last = Some(done);
    }
    let tss = tse.get_tss(&tss_id).await.unwrap();
    assert_eq!(tss.transaction_counter, Some(2));
    assert_eq!(tss.signature_counter, Some(4));
}

#[tokio::test]
async fn tokens_are_renewed_before_expiry_and_after_a_401() {
    let sb = sandbox(true).await;
    sb.state.configure(&SandboxConfig {
        token_lifetime_secs: Some(2),
    });
    let tse = client(&sb);
    sale(&tse, 100).await.unwrap();
    assert_eq!(
        tse.token_requests(),
        TokenRequests {
            api_key: 1,
            refresh_token: 0
        }
    );

    // Half the lifetime gone: the client renews with the refresh token.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    sale(&tse, 100).await.unwrap();
    assert_eq!(
        tse.token_requests(),
        TokenRequests {
            api_key: 1,
            refresh_token: 1
        }
    );
    assert_eq!(sb.state.auth_counts().refresh_token, 1);

    // The TSE revokes the token: one 401, one renewal, the step goes through.
    sb.state.configure(&SandboxConfig {
        token_lifetime_secs: Some(3600),
    });
    sale(&tse, 100).await.unwrap(); // a long-lived token
    let before = tse.token_requests();
    sb.state.expire_tokens();
    sale(&tse, 100).await.unwrap();
    let after = tse.token_requests();
    assert_eq!(
        after.api_key + after.refresh_token,
        before.api_key + before.refresh_token + 1
    );
    assert_eq!(sb.state.auth_counts().rejected_tokens, 1);

    // A wrong secret: a clear error that says nothing was done.
    let bad = Client::new(ClientConfig::new(
        sb.url(),
        Credentials {
            api_key: fiskaly_sandbox::DEMO_API_KEY.into(),
            api_secret: Secret::new("wrong"),
        },
    ))
    .unwrap();
    let e = sale(&bad, 100).await.unwrap_err();
    assert_eq!(
        (e.code(), e.execution()),
        ("tse_auth_refused", Execution::NotExecuted),
        "{e}"
    );
}

#[tokio::test]
async fn a_lost_answer_is_repeated_or_read_back_never_signed_twice() {
    let sb = sandbox(true).await;
    let tse = client(&sb);
    let (tss, till) = (
        fiskaly_sandbox::DEMO_TSS_ID,
        fiskaly_sandbox::DEMO_CLIENT_ID,
    );
    let counter = || {
        sb.state.snapshot()["tss"][0]["signature_counter"]
            .as_u64()
            .unwrap()
    };
    let tx = id();
    tse.start_transaction(tss, till, &tx).await.unwrap();
    let before = counter();

    // The TSE signs the finish, the answer is lost; the client repeats the same revision.
    sb.state
        .inject(Fault::new("PUT /api/v2/tss/*/tx/*", FaultKind::DropAfter))
        .unwrap();
    let done = tse
        .finish_transaction(tss, till, &tx, 2, &receipt(990))
        .await
        .unwrap();
    assert_eq!(done.state, TxState::Finished);
    assert_eq!(counter(), before + 1, "signed once");

    // Repeating the finish later answers the same signature; nothing new is signed.
    let again = tse
        .finish_transaction(tss, till, &tx, 2, &receipt(990))
        .await
        .unwrap();
    assert_eq!(again.signature, done.signature);
    assert_eq!(again.qr_code_data, done.qr_code_data);
    assert_eq!(counter(), before + 1);
    // The same revision with another receipt is refused: a signed step never changes.
    let e = tse
        .finish_transaction(tss, till, &tx, 2, &receipt(991))
        .await
        .unwrap_err();
    assert_eq!(e.api_code(), Some("E_TX_UPSERT"), "{e}");

    // Every repeat lost too: the step is read back.
    let tx = id();
    tse.start_transaction(tss, till, &tx).await.unwrap();
    sb.state
        .inject(Fault::new("PUT /api/v2/tss/*/tx/*", FaultKind::DropAfter).times(5))
        .unwrap();
    let done = tse
        .finish_transaction(tss, till, &tx, 2, &receipt(10))
        .await
        .unwrap();
    assert_eq!((done.state, done.revision), (TxState::Finished, 2));
    sb.state.clear_faults();
}

#[tokio::test]
async fn faults_end_quickly_in_clear_errors() {
    let sb = sandbox(true).await;
    let fast = Client::new(
        ClientConfig::new(
            sb.url(),
            Credentials {
                api_key: fiskaly_sandbox::DEMO_API_KEY.into(),
                api_secret: Secret::new(fiskaly_sandbox::DEMO_API_SECRET),
            },
        )
        .with_timeout(Duration::from_millis(400)),
    )
    .unwrap();
    sale(&fast, 1).await.unwrap(); // authenticated

    // Slow: the client gives up within its deadline; the outcome is unknown.
    let (tss, till) = (
        fiskaly_sandbox::DEMO_TSS_ID,
        fiskaly_sandbox::DEMO_CLIENT_ID,
    );
    sb.state
        .inject(Fault::new("PUT /api/v2/tss/*/tx/*", FaultKind::Latency).latency_ms(3000))
        .unwrap();
    let started = Instant::now();
    let e = fast.start_transaction(tss, till, &id()).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_millis(1000),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(
        (e.code(), e.execution()),
        ("tse_no_answer", Execution::MaybeExecuted),
        "{e}"
    );
    sb.state.clear_faults();

    // One 5xx is repeated; a TSE that keeps failing gives a server error.
    sb.state
        .inject(Fault::new("PUT /api/v2/tss/*/tx/*", FaultKind::Error5xx).status(503))
        .unwrap();
    sale(&fast, 2).await.unwrap();
    sb.state
        .inject(Fault::new("PUT /api/v2/tss/*/tx/*", FaultKind::Error5xx).times(1000))
        .unwrap();
    let e = sale(&fast, 3).await.unwrap_err();
    assert_eq!(e.code(), "tse_server_error", "{e}");
    // Asked three times, then reported: the faults left show how often it asked.
    let left = sb.state.pending_faults()[0].count;
    assert_eq!(1000 - left, 3, "three tries of the start");
    assert!(e.to_string().contains("fault"), "{e}");
    sb.state.clear_faults();

    // Unreachable: refused at once, nothing executed; back online, sales are signed again.
    sb.set_offline(true).await;
    let started = Instant::now();
    let e = sale(&fast, 4).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_millis(400),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(
        (e.code(), e.execution()),
        ("tse_unreachable", Execution::NotExecuted),
        "{e}"
    );
    sb.set_offline(false).await;
    sale(&fast, 5).await.unwrap();

    // The TSS switched off: a clear, final error.
    assert!(sb.state.disable_tss(tss));
    let e = sale(&fast, 6).await.unwrap_err();
    assert_eq!(
        (e.code(), e.api_code()),
        ("tse_disabled", Some("E_TSS_DISABLED")),
        "{e}"
    );
    assert!(e.to_string().contains("switched off for good"), "{e}");
}

#[tokio::test]
async fn the_embedded_demo_needs_no_setup() {
    let sb = fiskaly_sandbox::start_demo().await.unwrap();
    let tse = client(&sb);
    let done = sale(&tse, 4711).await.unwrap();
    let qr = done.qr_code_data.unwrap();
    assert!(
        qr.starts_with(&format!(
            "V0;{};Kassenbeleg-V1;Beleg^47.11_0.00_0.00_0.00_0.00^47.11:Bar;",
            fiskaly_sandbox::DEMO_CLIENT_SERIAL
        )),
        "{qr}"
    );
    assert!(QrCode::parse(&qr).unwrap().verify());
}
