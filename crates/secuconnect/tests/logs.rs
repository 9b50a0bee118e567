//! No secret (client secret, access token, refresh token) in any log line or
//! `Debug` output, through a pairing, token use and calls.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;
use secuconnect::CancellationToken;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::prelude::*;

/// A `tracing` writer into memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_secret_in_log_lines_or_debug_output() {
    let captured = Captured::default();
    let sink = captured.clone();
    // Everything but the simulator's own lines, at every level; the only test
    // in this binary, so the subscriber can be global.
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(move || sink.clone())
        .with_ansi(false)
        .with_filter(filter_fn(|meta| {
            !meta.target().starts_with("secuconnect_sandbox")
        }));
    tracing_subscriber::registry().with(layer).init();

    let sim = Sim::start().await;
    let client = sim.client();
    let pairing = client
        .start_device_pairing("/vendor/smart-till/serial/0003")
        .await
        .unwrap();
    let cancel = CancellationToken::new();
    let (refresh_token, ()) =
        tokio::join!(client.finish_device_pairing(&pairing, &cancel), async {
            sim.confirm(&pairing.user_code).await;
        });
    let refresh_token = refresh_token.unwrap();
    let access_token = client.access_token().await.unwrap();
    let stx = client.create_transaction(&sale(100, "logs")).await.unwrap();
    client.start_cash(&stx.id).await.unwrap();
    let _ = client.get_transaction("STX_MISSING").await;

    let config = sim
        .config()
        .with_device_refresh_token(refresh_token.clone());
    let debug = format!(
        "{:?} {:?} {:?} {:?} {:?} {:?}",
        client,
        config,
        pairing,
        refresh_token,
        access_token,
        client.refresh_token_updates().borrow().clone()
    );
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("secuconnect answered"),
        "logging was captured"
    );
    for secret in [CLIENT_SECRET, refresh_token.expose(), access_token.expose()] {
        assert!(!debug.contains(secret), "secret in Debug output: {debug}");
        assert!(!logs.contains(secret), "secret in a log line");
    }
}
