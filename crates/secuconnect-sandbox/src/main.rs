//! `secuconnect-sandbox --port N`: the simulator as a standalone server.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use clap::Parser;
use secuconnect_sandbox::{demo, serve, Fault, FaultKind, Sandbox, SandboxConfig};
use tokio::io::AsyncBufReadExt;

/// A stateful simulator of the secuconnect API and its payment terminal, for
/// tests, demos and integrators. Control it over HTTP under /_sandbox/ (see
/// docs/sandbox-control.md) or by typing commands on standard input:
/// `confirm <user_code>`, `state`, `reset`, `offline on|off`.
#[derive(Parser)]
#[command(version, about, after_help = demo_help())]
struct Args {
    /// The port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8787)]
    port: u16,
    /// The address to bind; loopback unless you mean otherwise.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Keep the state in this JSON file so that it survives a restart.
    #[arg(long)]
    state_file: Option<PathBuf>,
    /// Lifetime of access tokens in seconds.
    #[arg(long)]
    token_lifetime_secs: Option<u64>,
    /// Status of a rejected token: 403 (code 2003) or 401.
    #[arg(long)]
    auth_failure_status: Option<u16>,
    /// How long the terminal waits for the customer, in milliseconds.
    #[arg(long)]
    terminal_delay_ms: Option<u64>,
    /// How long the checkout page's `slow` method takes to pay, in milliseconds.
    #[arg(long)]
    checkout_delay_ms: Option<u64>,
    /// Inject a fault: `ROUTE=KIND[:COUNT[:LATENCY_MS]]`, e.g.
    /// `"POST /api/v2/Smart/Transactions/*/start/cash=drop_after:1"` or
    /// `"*=latency:10:500"`. KIND: latency, error_5xx, drop_after, drop_before,
    /// malformed, expire_token, refuse.
    #[arg(long = "fault", value_parser = parse_fault)]
    faults: Vec<Fault>,
    /// Start offline: every API route drops the connection.
    #[arg(long)]
    offline: bool,
}

fn parse_fault(s: &str) -> Result<Fault, String> {
    let (route, rest) = s
        .rsplit_once('=')
        .ok_or("expected ROUTE=KIND[:COUNT[:LATENCY_MS]]")?;
    let mut parts = rest.split(':');
    let kind = parts.next().unwrap_or_default();
    let count = parts.next().unwrap_or("1");
    let latency = parts.next();
    let kind: FaultKind = serde_json::from_value(serde_json::Value::String(kind.into()))
        .map_err(|_| format!("unknown fault kind {kind:?}"))?;
    let count: u32 = count
        .parse()
        .map_err(|_| format!("count {count:?} is not a number"))?;
    let mut fault = Fault::new(route, kind).times(count);
    if let Some(ms) = latency {
        fault = fault.with_latency_ms(
            ms.parse()
                .map_err(|_| format!("latency {ms:?} is not a number of milliseconds"))?,
        );
    }
    fault.validate()?;
    Ok(fault)
}

fn demo_help() -> String {
    format!(
        "Demo data:\n  client_id      {}\n  client_secret  {}\n  (also guide 01's test client credentials)\n  merchant       {} ({})\n  store          {}\n  device (till)  {}\n  terminal       {} (TID {})\n\nSecucards:\n{}\n\nCard-load EAN 4260447149502 (also …519); pay-from-card EAN 4260447149533 (also …540).\nTerminal outcome by basket_info.sum cents: …13 declined, …14 aborted, …15 timeout,\n…16 paid by ELV (signature), …17 paid by VISA; anything else paid by girocard.",
        demo::DEMO_CLIENT_ID,
        demo::DEMO_CLIENT_SECRET,
        demo::MERCHANT_NAME,
        demo::MERCHANT_ID,
        demo::STORE_ID,
        demo::DEVICE_ID,
        demo::TERMINAL_DEVICE_ID,
        demo::TERMINAL_TID,
        demo::card_table(),
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
    let config = SandboxConfig {
        token_lifetime_secs: args.token_lifetime_secs,
        auth_failure_status: args.auth_failure_status,
        terminal_delay_ms: args.terminal_delay_ms,
        device_code_lifetime_secs: None,
        checkout_delay_ms: args.checkout_delay_ms,
    };
    let mut sandbox = Sandbox::with_config(&config)?;
    if let Some(path) = &args.state_file {
        sandbox = sandbox.persisted_to(path)?;
    }
    let sandbox = Arc::new(sandbox);
    for fault in args.faults {
        sandbox.inject(fault)?;
    }
    sandbox.set_offline(args.offline);
    let running = serve(SocketAddr::new(args.bind, args.port), sandbox.clone()).await?;
    // Tests read this line to learn the port.
    println!("secuconnect-sandbox listening on {}", running.url());
    println!("{}", demo_help());
    println!("State: {}", sandbox.snapshot());

    let console = tokio::spawn(console(sandbox));
    tokio::signal::ctrl_c().await?;
    console.abort();
    running.shutdown().await;
    Ok(())
}

/// Commands typed on standard input, as the merchant's back office would do them.
async fn console(sandbox: Arc<Sandbox>) {
    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some("confirm"), Some(code)) => {
                if sandbox.confirm_user_code(code) {
                    println!("user code {code} confirmed");
                } else {
                    println!("user code {code} is unknown or expired");
                }
            }
            (Some("state"), _) => println!("{}", sandbox.snapshot()),
            (Some("reset"), _) => {
                sandbox.reset();
                println!("reset to the demo data");
            }
            (Some("offline"), Some(on)) => {
                sandbox.set_offline(on == "on");
                println!("offline: {}", sandbox.is_offline());
            }
            (None, _) => {}
            _ => println!("commands: confirm <user_code> | state | reset | offline on|off"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_parsed_from_the_command_line() {
        let f = parse_fault("POST /api/v2/Smart/Transactions/*/start/cash=drop_after:2").unwrap();
        assert_eq!(f.route, "POST /api/v2/Smart/Transactions/*/start/cash");
        assert_eq!((f.kind, f.count), (FaultKind::DropAfter, 2));
        let f = parse_fault("*=latency:3:250").unwrap();
        assert_eq!(
            (f.kind, f.count, f.latency_ms),
            (FaultKind::Latency, 3, Some(250))
        );
        assert_eq!(parse_fault("*=malformed").unwrap().count, 1);
        for bad in [
            "*",
            "*=explode",
            "*=latency:x",
            "*=latency:1:soon",
            "nowhere=drop_before",
        ] {
            assert!(parse_fault(bad).is_err(), "{bad}");
        }
    }
}
