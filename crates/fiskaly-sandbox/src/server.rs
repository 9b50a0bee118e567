//! The accept loop, on hyper directly: a fault can close one connection
//! without an answer, and going offline closes the port itself, so that
//! clients get "connection refused" as from a host that is down.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch, Notify};
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::routes::ConnectionKill;

/// What happens to the open connections.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cut {
    /// Serve on.
    Serve,
    /// Close at once (offline); the number tells one cut from the next.
    Drop(u64),
    /// Answer what is in flight, then close (shutdown).
    Graceful,
}

pub(crate) async fn run(
    addr: SocketAddr,
    listener: TcpListener,
    app: Router,
    mut offline: watch::Receiver<bool>,
    applied: watch::Sender<bool>,
    mut shutdown: oneshot::Receiver<()>,
) {
    let (cut_tx, _) = watch::channel(Cut::Serve);
    let mut listener = Some(listener);
    let mut drops = 0;
    let mut connections = JoinSet::new();
    loop {
        let accept = async {
            match &listener {
                Some(l) => l.accept().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = &mut shutdown => break,
            changed = offline.changed() => {
                if changed.is_err() {
                    break; // the simulator is gone
                }
                let is_offline = *offline.borrow_and_update();
                if is_offline && listener.is_some() {
                    listener = None;
                    drops += 1;
                    cut_tx.send_replace(Cut::Drop(drops));
                    tracing::info!(%addr, "offline: port closed");
                } else if !is_offline && listener.is_none() {
                    match TcpListener::bind(addr).await {
                        Ok(l) => listener = Some(l),
                        Err(e) => tracing::error!(%addr, error = %e, "cannot listen again"),
                    }
                    tracing::info!(%addr, "online again");
                }
                applied.send_replace(is_offline);
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = accept => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    connections.spawn(serve_connection(stream, app.clone(), cut_tx.subscribe()));
                }
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
            }
        }
    }
    drop(listener);
    cut_tx.send_replace(Cut::Graceful);
    while connections.join_next().await.is_some() {}
}

async fn serve_connection(stream: TcpStream, app: Router, mut cut: watch::Receiver<Cut>) {
    let kill = Arc::new(Notify::new());
    let request_kill = kill.clone();
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut()
            .insert(ConnectionKill(request_kill.clone()));
        app.clone().oneshot(req)
    });
    let conn =
        hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    loop {
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
                return;
            }
            // Dropping the connection closes the socket: the client gets no answer.
            _ = kill.notified() => return,
            changed = cut.changed() => {
                let now = *cut.borrow_and_update();
                match (changed, now) {
                    (Ok(()), Cut::Serve) => continue,
                    (Ok(()), Cut::Drop(_)) => return,
                    _ => {
                        conn.as_mut().graceful_shutdown();
                        let _ = conn.await;
                        return;
                    }
                }
            }
        }
    }
}
