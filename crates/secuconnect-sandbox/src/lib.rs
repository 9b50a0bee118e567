//! A simulator of the secuconnect API: the embedded backend of demo mode, and a
//! standalone server for tests and integrators.
//!
//! It keeps state (transactions, secucards, tokens), simulates the payment
//! terminal and injects faults; see `docs/sandbox-control.md` for the control
//! surface and the README for the demo data.

mod basket;
pub mod cards;
pub mod checkout;
pub mod config;
pub mod demo;
pub mod error;
pub mod faults;
mod loyalty;
mod payments;
pub mod query;
pub mod receipts;
pub mod routes;
mod server;
pub mod state;
mod stored;
pub mod terminal;
mod transactions;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use cards::CardSpec;
pub use config::SandboxConfig;
pub use error::ApiError;
pub use faults::{Fault, FaultKind};
pub use state::Sandbox;
pub use terminal::{CardScheme, Outcome, TerminalNext};

/// A sandbox serving on a socket until it is dropped or shut down.
pub struct RunningSandbox {
    pub addr: SocketAddr,
    pub state: Arc<Sandbox>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl RunningSandbox {
    /// `http://127.0.0.1:PORT`, the base URL clients use.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops serving: the listener closes, idle connections close, requests in
    /// flight are answered first.
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

/// Binds `addr` (port 0 for a free one) and serves the sandbox on the current tokio runtime.
pub async fn serve(addr: SocketAddr, state: Arc<Sandbox>) -> std::io::Result<RunningSandbox> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let (tx, rx) = oneshot::channel::<()>();
    let app = routes::router(state.clone());
    state.set_public_url(&format!("http://{addr}"));
    let task = tokio::spawn(server::run(listener, app, rx));
    tracing::info!(%addr, "secuconnect sandbox listening");
    Ok(RunningSandbox {
        addr,
        state,
        shutdown: Some(tx),
        task: Some(task),
    })
}

/// Starts a sandbox with the demo data on a free loopback port.
pub async fn start_demo() -> std::io::Result<RunningSandbox> {
    serve(
        SocketAddr::from(([127, 0, 0, 1], 0)),
        Arc::new(Sandbox::with_demo_data()),
    )
    .await
}
