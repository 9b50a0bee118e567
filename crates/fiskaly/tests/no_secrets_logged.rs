//! No secret (API secret, PUK, admin PIN) in a log line or `Debug` output,
//! through the whole setup, a wrong PIN, a sale and a failed call.

use std::sync::{Arc, Mutex};

use fiskaly::*;
use tracing_subscriber::fmt::MakeWriter;

/// Log lines kept in memory.
#[derive(Clone, Default)]
struct Lines(Arc<Mutex<Vec<u8>>>);

struct LineWriter(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LineWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Lines {
    type Writer = LineWriter;
    fn make_writer(&'a self) -> LineWriter {
        LineWriter(self.0.clone())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn secrets_stay_out_of_logs_and_debug() {
    let lines = Lines::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(lines.clone())
        .finish();
    // This runtime has one thread: every log line of the test lands here.
    let _guard = tracing::subscriber::set_default(subscriber);

    let sb = fiskaly_sandbox::serve(
        ([127, 0, 0, 1], 0).into(),
        Arc::new(fiskaly_sandbox::Sandbox::new()),
    )
    .await
    .unwrap();
    let config = ClientConfig::new(
        sb.url(),
        Credentials {
            api_key: fiskaly_sandbox::DEMO_API_KEY.into(),
            api_secret: Secret::new(fiskaly_sandbox::DEMO_API_SECRET),
        },
    );
    let tse = Client::new(config.clone()).unwrap();
    let (tss, till, tx) = (
        uuid::Uuid::new_v4().to_string(),
        uuid::Uuid::new_v4().to_string(),
        uuid::Uuid::new_v4().to_string(),
    );
    let pin = Secret::new("pin-4711-secret");
    let setup = tse.set_up_tss(&tss, &pin).await.unwrap();
    let _ = tse
        .admin_login(&tss, &Secret::new("wrong-pin-0815"))
        .await
        .unwrap_err();
    tse.register_till(&tss, &pin, &till, "TILL-LOGS")
        .await
        .unwrap();
    tse.start_transaction(&tss, &till, &tx).await.unwrap();
    let receipt = Receipt::new(ReceiptType::Receipt)
        .vat(VatRate::Normal, 100)
        .paid(PaymentType::NonCash, 100);
    let done = tse
        .finish_transaction(&tss, &till, &tx, 2, &receipt)
        .await
        .unwrap();
    // A failed call, and one with a wrong PUK, log their errors.
    let _ = tse
        .change_admin_pin(&tss, &Secret::new("WRONG-PUK-9"), &pin)
        .await
        .unwrap_err();
    sb.set_offline(true).await;
    let unreachable = tse.get_tss(&tss).await.unwrap_err();

    let debug = format!("{tse:?} {config:?} {setup:?} {done:?} {unreachable:?} {pin:?}");
    let logs = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("TSE answered"),
        "logging was captured: {logs}"
    );
    for secret in [
        fiskaly_sandbox::DEMO_API_SECRET,
        setup.admin_puk.expose(),
        pin.expose(),
        "wrong-pin-0815",
        "WRONG-PUK-9",
    ] {
        assert!(!debug.contains(secret), "{secret} in Debug output: {debug}");
        assert!(!logs.contains(secret), "{secret} in a log line");
    }
    assert!(!logs.contains("Bearer"), "a token in a log line");
}
