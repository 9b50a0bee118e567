//! `fiskaly-sandbox --port N [--state FILE]`: the simulator as a standalone server.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use clap::Parser;
use fiskaly_sandbox::{serve, Sandbox, SandboxConfig};

/// A simulator of the fiskaly SIGN DE v2 cloud TSE (real ECDSA P-256
/// signatures over the BSI TR-03151 transaction log) for tests, demos and
/// integrators. Control it over HTTP under /_sandbox/ (see the README).
#[derive(Parser)]
#[command(version, about, after_help = demo_help())]
struct Args {
    /// The port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8788)]
    port: u16,
    /// The address to bind; loopback unless you mean otherwise.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Keep TSSs, clients, transactions and counters in this JSON file so
    /// that they survive a restart.
    #[arg(long)]
    state: Option<PathBuf>,
    /// Lifetime of access tokens in seconds.
    #[arg(long)]
    token_lifetime_secs: Option<u64>,
    /// Do not set up the demo TSS and till.
    #[arg(long)]
    no_demo_tss: bool,
}

fn demo_help() -> String {
    use fiskaly_sandbox::*;
    format!(
        "Demo credentials:\n  api_key {DEMO_API_KEY}\n  api_secret {DEMO_API_SECRET}\n\nDemo TSS (INITIALIZED):\n  tss_id {DEMO_TSS_ID}\n  admin_pin {DEMO_ADMIN_PIN}\n  client_id {DEMO_CLIENT_ID}\n  client serial_number {DEMO_CLIENT_SERIAL}"
    )
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let mut sandbox = Sandbox::new();
    if let Some(path) = &args.state {
        sandbox = sandbox.persisted_to(path)?;
    }
    sandbox.configure(&SandboxConfig {
        token_lifetime_secs: args.token_lifetime_secs,
    });
    if !args.no_demo_tss {
        sandbox.ensure_demo_tss();
    }
    let sandbox = Arc::new(sandbox);
    let running = serve(SocketAddr::new(args.bind, args.port), sandbox.clone()).await?;
    // Tests read this line to learn the port.
    println!("fiskaly-sandbox listening on {}", running.url());
    println!("{}", demo_help());
    tokio::signal::ctrl_c().await?;
    running.shutdown().await;
    Ok(())
}
