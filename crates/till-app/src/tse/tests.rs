//! The guided TSE setup against `fiskaly-sandbox` on loopback: end to end, a
//! setup that stopped half-way resumed, words for the owner, and no secret in
//! `settings.json`, the logs or what the UI gets.

use std::sync::Arc;
use std::time::Duration;

use fiskaly_sandbox::{serve, Fault, FaultKind, RunningSandbox, Sandbox};

use super::setup::{self, SetupContext, SetupMemory, TseStep};
use super::*;
use crate::secrets::FileSecrets;
use crate::settings::{JsonFileStore, STORE_FILE};

const PIN: &str = "246810";

struct Shop {
    dir: tempfile::TempDir,
    settings: SettingsFile,
    secrets: FileSecrets,
    running: RunningSandbox,
}

impl Shop {
    /// A till with empty settings and secrets, and a TSE account with no TSS yet.
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let settings = SettingsFile::new(Arc::new(JsonFileStore::new(dir.path().join(STORE_FILE))));
        let secrets = FileSecrets::new(dir.path());
        let running = serve(([127, 0, 0, 1], 0).into(), Arc::new(Sandbox::new()))
            .await
            .unwrap();
        Self {
            dir,
            settings,
            secrets,
            running,
        }
    }

    fn ctx(&self, setup_timeout: Duration) -> SetupContext<'_> {
        SetupContext {
            settings: &self.settings,
            secrets: &self.secrets,
            environment: Environment::Testing,
            till_id: "KASSE-1",
            base_url: self.running.url(),
            setup_timeout,
        }
    }

    fn sandbox(&self) -> &Sandbox {
        &self.running.state
    }

    /// Every file the till wrote (settings, secrets file aside).
    fn settings_text(&self) -> String {
        std::fs::read_to_string(self.dir.path().join(STORE_FILE)).unwrap_or_default()
    }

    fn tss_states(&self) -> Vec<String> {
        self.sandbox().snapshot()["tss"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["state"].as_str().unwrap().to_string())
            .collect()
    }
}

/// Every log line of this test binary, from every thread. A global
/// subscriber, not a scoped one: a scoped one misses lines whose call site
/// another test's thread met first (tracing caches that no one listened).
struct CapturedLog(Arc<std::sync::Mutex<Vec<u8>>>);

impl CapturedLog {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for CapturedLog {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn captured_log() -> CapturedLog {
    static LOG: std::sync::OnceLock<Arc<std::sync::Mutex<Vec<u8>>>> = std::sync::OnceLock::new();
    let buffer = LOG.get_or_init(|| {
        let buffer = Arc::new(std::sync::Mutex::new(Vec::new()));
        let writer = buffer.clone();
        // Everything the till's own crates say; the HTTP stack's chatter only
        // from `debug` up, which keeps the other tests' timing as it was.
        let filter = tracing_subscriber::EnvFilter::new(
            "debug,till_app=trace,till=trace,fiskaly=trace,fiskaly_sandbox=trace,secuconnect=trace,hyper=info,hyper_util=info,h2=info,rustls=info",
        );
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(false)
            .with_writer(move || CapturedLog(writer.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .expect("no other global subscriber in till-app's unit tests");
        buffer
    });
    CapturedLog(buffer.clone())
}

fn short() -> Duration {
    Duration::from_secs(10)
}

#[tokio::test(flavor = "current_thread")]
async fn the_guided_setup_runs_end_to_end_and_the_till_then_signs_with_its_tse() {
    let log = captured_log();

    let shop = Shop::new().await;
    let ctx = shop.ctx(short());
    let memory = SetupMemory::default();
    let key = || Some(fiskaly_sandbox::DEMO_API_KEY.to_string());

    // Nothing kept yet: the first step is the access data.
    let view = setup::view(&ctx, &memory, false, true).await;
    assert_eq!(view.step, TseStep::Credentials);
    assert!(!view.has_credentials);

    // A wrong secret is refused in words, and nothing is kept.
    let e = setup::save_credentials(
        &ctx,
        key(),
        Some("wrong-secret-4711".into()),
        FiskalyEnv::Test,
    )
    .await
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::TseAuth);
    assert!(e.message.contains("API key or secret"), "{}", e.message);
    assert!(!e.message.contains("wrong-secret"), "{}", e.message);
    assert!(credentials(&shop.secrets, Environment::Testing)
        .unwrap()
        .is_none());

    setup::save_credentials(
        &ctx,
        key(),
        Some(format!(" {} ", fiskaly_sandbox::DEMO_API_SECRET)),
        FiskalyEnv::Test,
    )
    .await
    .unwrap();
    let view = setup::view(&ctx, &memory, false, true).await;
    assert_eq!(view.step, TseStep::Create);
    assert!(view.has_credentials);
    assert!(view.problem.is_none(), "{:?}", view.problem);

    // A PIN too short is refused before anything happens at the TSE.
    let e = setup::run(&ctx, &memory, Some("123".into()), None)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidSettings);
    assert!(shop.tss_states().is_empty());

    let tss = setup::run(&ctx, &memory, Some(PIN.into()), None)
        .await
        .unwrap();
    assert_eq!(tss.state, fiskaly::TssState::Initialized);
    assert_eq!(shop.tss_states(), ["INITIALIZED"]);
    assert_eq!(shop.sandbox().snapshot()["clients"], 1);

    let view = setup::view(&ctx, &memory, false, true).await;
    assert_eq!(view.step, TseStep::Done);
    assert_eq!(view.tss_state.as_deref(), Some("INITIALIZED"));
    assert_eq!(view.serial.as_deref(), Some(tss.serial_number.as_str()));
    assert_eq!(view.serial.as_ref().unwrap().len(), 64, "hex of SHA-256");
    assert!(view.bsi_certification_id.is_some());
    let serial = view.client_serial.clone().unwrap();
    assert!(
        serial.starts_with("KASSE-1-") && !serial.contains('_'),
        "{serial}"
    );
    // The PUK is shown until the owner noted it, then forgotten.
    let puk = view.puk.clone().expect("the PUK, once");
    assert_eq!(puk.len(), 10);
    let ui = serde_json::to_string(&view).unwrap();
    memory.forget_puk();
    assert!(setup::view(&ctx, &memory, false, false).await.puk.is_none());

    // A second run changes nothing: no second TSS, no second client.
    setup::run(&ctx, &memory, None, None).await.unwrap();
    assert_eq!(shop.tss_states(), ["INITIALIZED"]);
    assert_eq!(shop.sandbox().snapshot()["clients"], 1);

    // What the till starts with: its TSE signs a sale, naming this till.
    let tse = signing_tse(
        &shop.settings,
        &shop.secrets,
        Environment::Testing,
        &shop.running.url(),
    )
    .expect("the TSE signs");
    let receipt = fiskaly::Receipt::new(fiskaly::ReceiptType::Receipt)
        .vat(fiskaly::VatRate::Normal, 1190)
        .paid(fiskaly::PaymentType::Cash, 1190);
    match tse.sign(&uuid::Uuid::new_v4().to_string(), &receipt).await {
        till::TseRecord::Signed(s) => {
            assert_eq!(s.client_serial, serial);
            assert_eq!(Some(s.tss_serial), view.serial);
            assert!(s
                .qr_code_data
                .starts_with(&format!("V0;{serial};Kassenbeleg-V1;Beleg^11.90")));
        }
        other => panic!("not signed: {other:?}"),
    }
    // Demo has no TSE of this kind; testing's is not live's.
    assert!(signing_tse(
        &shop.settings,
        &shop.secrets,
        Environment::Live,
        &shop.running.url()
    )
    .is_none());

    // No secret in settings.json, the logs or what the UI got.
    let secrets_file =
        std::fs::read_to_string(shop.dir.path().join(crate::secrets::FALLBACK_FILE)).unwrap();
    assert!(
        secrets_file.contains(PIN),
        "the admin PIN is kept in the secret store"
    );
    assert!(!secrets_file.contains(&puk), "the PUK is never kept");
    let settings = shop.settings_text();
    let logs = log.text();
    assert!(logs.contains("TSE: this till is registered"), "{logs}");
    for secret in [
        fiskaly_sandbox::DEMO_API_SECRET,
        fiskaly_sandbox::DEMO_API_KEY,
        PIN,
        &puk,
        "wrong-secret-4711",
    ] {
        assert!(
            !settings.contains(secret),
            "{secret} in settings.json: {settings}"
        );
        assert!(!logs.contains(secret), "{secret} in the log");
    }
    for secret in [
        fiskaly_sandbox::DEMO_API_SECRET,
        fiskaly_sandbox::DEMO_API_KEY,
        PIN,
    ] {
        assert!(!ui.contains(secret), "{secret} reaches the UI: {ui}");
    }
    assert!(
        settings.contains(&serial) && settings.contains(&tss.id),
        "{settings}"
    );
}

#[tokio::test]
async fn a_setup_that_stopped_half_way_goes_on_where_it_stopped() {
    let shop = Shop::new().await;
    let memory = SetupMemory::default();
    setup::save_credentials(
        &shop.ctx(short()),
        Some(fiskaly_sandbox::DEMO_API_KEY.into()),
        Some(fiskaly_sandbox::DEMO_API_SECRET.into()),
        FiskalyEnv::Test,
    )
    .await
    .unwrap();

    // 1. The TSS is created, but every answer is lost until the deadline.
    shop.sandbox()
        .inject(Fault::new("PUT /api/v2/tss/*", FaultKind::DropAfter).times(1000))
        .unwrap();
    let e = setup::run(
        &shop.ctx(Duration::from_millis(800)),
        &memory,
        Some(PIN.into()),
        None,
    )
    .await
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::TseUnreachable, "{e:?}");
    assert!(
        e.message.contains("goes on where it stopped"),
        "{}",
        e.message
    );
    assert_eq!(shop.tss_states(), ["CREATED"]);
    shop.sandbox().clear_faults();

    // 2. Again: the same TSS (its PUK given again), deployed; setting the PIN fails.
    shop.sandbox()
        .inject(
            Fault::new("PATCH /api/v2/tss/*/admin", FaultKind::Error5xx)
                .status(503)
                .times(3),
        )
        .unwrap();
    let e = setup::run(&shop.ctx(short()), &memory, None, None)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::TseUnreachable, "{e:?}");
    assert_eq!(
        shop.tss_states(),
        ["UNINITIALIZED"],
        "one TSS, never a second"
    );
    let view = setup::view(&shop.ctx(short()), &memory, false, true).await;
    assert_eq!(view.step, TseStep::AdminPin);
    assert!(!view.needs_puk, "the till still holds the PUK");
    let puk = view
        .puk
        .expect("the PUK is shown while the setup is not done");

    // 3. The till was closed meanwhile: the PUK is gone from memory, the owner types it.
    let restarted = SetupMemory::default();
    let view = setup::view(&shop.ctx(short()), &restarted, false, true).await;
    assert_eq!((view.step, view.needs_puk), (TseStep::AdminPin, true));
    let e = setup::run(&shop.ctx(short()), &restarted, None, None)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::TsePukNeeded);
    let e = setup::run(
        &shop.ctx(short()),
        &restarted,
        None,
        Some("WRONGPUK00".into()),
    )
    .await
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::TsePukWrong);

    // 4. With the PUK it goes on; registering the till fails this time.
    shop.sandbox()
        .inject(
            Fault::new("PUT /api/v2/tss/*/client/*", FaultKind::Error5xx)
                .status(502)
                .times(3),
        )
        .unwrap();
    let e = setup::run(&shop.ctx(short()), &restarted, None, Some(puk))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::TseUnreachable);
    assert_eq!(shop.tss_states(), ["INITIALIZED"]);
    let view = setup::view(&shop.ctx(short()), &restarted, false, true).await;
    assert_eq!(view.step, TseStep::Register);

    // 5. And the last run finishes: one TSS, one till registered.
    setup::run(&shop.ctx(short()), &restarted, None, None)
        .await
        .unwrap();
    assert_eq!(shop.tss_states(), ["INITIALIZED"]);
    assert_eq!(shop.sandbox().snapshot()["clients"], 1);
    assert_eq!(
        setup::view(&shop.ctx(short()), &restarted, false, true)
            .await
            .step,
        TseStep::Done
    );
    assert!(signing_tse(
        &shop.settings,
        &shop.secrets,
        Environment::Testing,
        &shop.running.url()
    )
    .is_some());
}

#[tokio::test]
async fn a_tse_out_of_reach_or_switched_off_is_said_in_words() {
    let shop = Shop::new().await;
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let ctx = SetupContext {
        base_url: closed,
        ..shop.ctx(short())
    };
    let e = setup::save_credentials(
        &ctx,
        Some(fiskaly_sandbox::DEMO_API_KEY.into()),
        Some(fiskaly_sandbox::DEMO_API_SECRET.into()),
        FiskalyEnv::Live,
    )
    .await
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::TseUnreachable);
    assert!(!e.message.contains("127.0.0.1"), "{}", e.message);

    // Set up, then switched off at fiskaly: the screen says so, sales fail in words.
    let ctx = shop.ctx(short());
    let memory = SetupMemory::default();
    setup::save_credentials(
        &ctx,
        Some(fiskaly_sandbox::DEMO_API_KEY.into()),
        Some(fiskaly_sandbox::DEMO_API_SECRET.into()),
        FiskalyEnv::Live,
    )
    .await
    .unwrap();
    let tss = setup::run(&ctx, &memory, Some(PIN.into()), None)
        .await
        .unwrap();
    assert!(shop.sandbox().disable_tss(&tss.id));
    let view = setup::view(&ctx, &memory, false, true).await;
    assert_eq!(view.tss_state.as_deref(), Some("DISABLED"));
    assert_eq!(view.fiskaly_env, FiskalyEnv::Live);
    let tse = signing_tse(
        &shop.settings,
        &shop.secrets,
        Environment::Testing,
        &shop.running.url(),
    )
    .unwrap();
    let receipt = fiskaly::Receipt::new(fiskaly::ReceiptType::Receipt)
        .vat(fiskaly::VatRate::Normal, 100)
        .paid(fiskaly::PaymentType::Cash, 100);
    let id = uuid::Uuid::new_v4().to_string();
    let fiskaly_error = tse
        .client()
        .start_transaction(&tss.id, "x", &id)
        .await
        .unwrap_err();
    let e = tse_error(fiskaly_error);
    assert_eq!(e.code, ErrorCode::TseDisabled);
    assert!(e.message.contains("switched off for good"), "{}", e.message);
    assert!(matches!(
        tse.sign(&id, &receipt).await,
        till::TseRecord::Failed { .. }
    ));
}
