//! A simulator of the fiskaly SIGN DE v2 cloud TSE: the embedded TSE of demo
//! mode, and a standalone server for tests and integrators.
//!
//! It keeps TSSs with real ECDSA P-256 key pairs, clients and transactions,
//! signs every transaction step over its BSI TR-03151 log message, writes
//! the DSFinV-K QR code, and injects faults. The README documents the bytes
//! signed and the control surface.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let tse = fiskaly_sandbox::start_demo().await?; // demo TSS ready, free loopback port
//! let base_url = tse.url();
//! # Ok(()) }
//! ```

// The DER encodings and the signed log message are the client crate's, so
// the till verifies exactly the bytes this simulator signs.
pub(crate) use fiskaly::der;
pub mod error;
pub mod faults;
pub mod keys;
pub mod process_data;
mod records;
mod routes;
mod server;
pub mod state;
pub use fiskaly::tlog;
pub mod tss;
mod tx;
pub use tx::TxSummary;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};

pub use error::ApiError;
pub use faults::{Fault, FaultKind};
pub use state::{
    AuthCounts, Sandbox, SandboxConfig, StateFileError, DEMO_API_KEY, DEMO_API_SECRET,
};
pub use tlog::{QrCode, TransactionLog};
pub use tss::{DEMO_ADMIN_PIN, DEMO_CLIENT_ID, DEMO_CLIENT_SERIAL, DEMO_TSS_ID};

/// A simulator serving on a socket until it is dropped or shut down.
pub struct RunningSandbox {
    pub addr: SocketAddr,
    pub state: Arc<Sandbox>,
    /// Whether the port is closed, once the server has done what `offline` asks.
    applied: watch::Receiver<bool>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl RunningSandbox {
    /// `http://127.0.0.1:PORT`, the base URL clients use.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Goes offline (the port closes, connections are refused) or online
    /// again, and returns once the server has done it.
    pub async fn set_offline(&self, offline: bool) {
        self.state.set_offline(offline);
        let mut applied = self.applied.clone();
        let _ = applied.wait_for(|closed| *closed == offline).await;
    }

    /// Stops serving; requests in flight are answered first.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Binds `addr` (port 0 for a free one) and serves on the current tokio runtime.
pub async fn serve(addr: SocketAddr, state: Arc<Sandbox>) -> std::io::Result<RunningSandbox> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let (tx, rx) = oneshot::channel();
    let (applied_tx, applied) = watch::channel(false);
    let app = routes::router(state.clone());
    let offline = state.offline_updates();
    let task = tokio::spawn(server::run(addr, listener, app, offline, applied_tx, rx));
    tracing::info!(%addr, "fiskaly simulator listening");
    Ok(RunningSandbox {
        addr,
        state,
        applied,
        shutdown: Some(tx),
        task: Some(task),
    })
}

/// Starts a simulator with the demo TSS and till on a free loopback port.
pub async fn start_demo() -> std::io::Result<RunningSandbox> {
    serve(
        SocketAddr::from(([127, 0, 0, 1], 0)),
        Arc::new(Sandbox::with_demo_tss()),
    )
    .await
}
