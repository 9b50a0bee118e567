//! `secuconnect-sandbox --port N`: the simulator as a standalone server.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use clap::Parser;
use secuconnect_sandbox::{demo, serve, Sandbox};

/// A stateful simulator of the secuconnect API for tests, demos and integrators.
#[derive(Parser)]
#[command(version, about, after_help = demo_help())]
struct Args {
    /// The port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8787)]
    port: u16,
    /// The address to bind; loopback unless you mean otherwise.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
}

fn demo_help() -> String {
    format!(
        "Demo data:\n  client_id      {}\n  client_secret  {}\n  merchant       {} ({})",
        demo::DEMO_CLIENT_ID,
        demo::DEMO_CLIENT_SECRET,
        demo::MERCHANT_NAME,
        demo::MERCHANT_ID
    )
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();
    let running = serve(
        SocketAddr::new(args.bind, args.port),
        Arc::new(Sandbox::with_demo_data()),
    )
    .await?;
    // Tests read this line to learn the port.
    println!("secuconnect-sandbox listening on {}", running.url());
    println!("{}", demo_help());
    tokio::signal::ctrl_c().await?;
    running.shutdown().await;
    Ok(())
}
