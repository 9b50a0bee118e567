//! The crash drill's till: runs sales against a secuconnect endpoint until the
//! journal holds the wanted number, settling what a crash left first.
//!
//! `till-crash-drill <base-url> <journal> <sales> [--stop-at POINT:N] [--timeout-ms MS]
//!  [--busy-ms MS] [--lock-every K] [--tse URL]`
//!
//! Every drill point (see `till::drill`) is printed as `point NAME` on
//! standard output. With `--stop-at`, the till stops dead at the N-th
//! occurrence of POINT, prints `stopped NAME` and waits to be killed. Sales
//! alternate card and cash; the baskets follow from the sale's number; sales
//! 0, 10, 20, … (card) and 5, 15, 25, … (cash) are cancelled right after
//! they are paid; before every
//! seventh, change is put into the drawer (a cash movement, its own receipt).
//!
//! With `--tse URL` (a fiskaly SIGN DE endpoint with the simulator's demo
//! TSS), each basket's TSE transaction starts with its first line and the
//! sale is signed under it; every seventh sale's basket is first filled and
//! cleared once (an `AVBelegabbruch`).
//!
//! With `--lock-every K`, at every K-th moment the provider has answered a
//! payment or a cancellation (`after_answer`, `after_cancel_answer`) a second
//! connection takes the journal's write lock and holds it longer than the
//! till waits (`--busy-ms`): the journal cannot write what the provider did,
//! as when another program holds the file.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use receipt::ShopHeader;
use secuconnect::{CancellationToken, Client, ClientConfig, Credentials, Secret};
use till::basket::{Basket, BasketLine};
use till::cash_movement::CashReason;
use till::journal::kind;
use till::{Cents, Checkout, Journal, Tse, VatRate};

const CLIENT_ID: &str = "demo-till";
const CLIENT_SECRET: &str = "demo-secret";

fn basket(i: u64) -> Basket {
    // Varied totals; some end in …13/…14 and are declined or aborted by the terminal.
    let price = 100 + (i * 37) % 900;
    Basket {
        lines: vec![
            BasketLine::article("Brötchen", 1 + (i % 3) as i64, Cents(45), VatRate::Reduced),
            BasketLine::article("Kaffee", 1, Cents(price as i64), VatRate::Standard),
        ],
        card: None,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: till-crash-drill <base-url> <journal> <sales> [--stop-at POINT:N] [--timeout-ms MS]");
        std::process::exit(2);
    }
    let url = args[1].clone();
    let path = PathBuf::from(&args[2]);
    let sales: usize = args[3].parse().expect("sales must be a number");
    let mut stop_at: Option<(String, u64)> = None;
    let mut timeout = Duration::from_millis(2000);
    let mut busy: Option<Duration> = None;
    let mut lock_every = 0u64;
    let mut tse_url: Option<String> = None;
    let mut rest = args[4..].iter();
    while let Some(a) = rest.next() {
        match a.as_str() {
            "--stop-at" => {
                let spec = rest.next().expect("--stop-at POINT:N");
                let (p, n) = spec.split_once(':').expect("--stop-at POINT:N");
                stop_at = Some((p.to_string(), n.parse().expect("N")));
            }
            "--timeout-ms" => {
                timeout = Duration::from_millis(rest.next().expect("MS").parse().expect("MS"))
            }
            "--busy-ms" => busy = Some(Duration::from_millis(number(rest.next()))),
            "--lock-every" => lock_every = number(rest.next()),
            "--tse" => tse_url = Some(rest.next().expect("--tse URL").clone()),
            other => panic!("unknown argument {other}"),
        }
    }
    let seen = AtomicU64::new(0);
    let answers = AtomicU64::new(0);
    let lock_path = path.clone();
    let hold = busy.unwrap_or(Duration::from_secs(2)) + Duration::from_millis(300);
    till::drill::install(Box::new(move |point| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "point {point}");
        let _ = out.flush();
        let answered = matches!(point, "after_answer" | "after_cancel_answer");
        if answered
            && lock_every > 0
            && (answers.fetch_add(1, Ordering::SeqCst) + 1).is_multiple_of(lock_every)
        {
            hold_write_lock(&lock_path, hold);
            let _ = writeln!(out, "locked {point}");
            let _ = out.flush();
        }
        if let Some((p, n)) = &stop_at {
            if p == point && seen.fetch_add(1, Ordering::SeqCst) + 1 == *n {
                let _ = writeln!(out, "stopped {point}");
                let _ = out.flush();
                drop(out);
                loop {
                    std::thread::sleep(Duration::from_secs(60));
                }
            }
        }
    }));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(run(url, path, sales, timeout, busy, tse_url));
}

fn number(arg: Option<&String>) -> u64 {
    arg.and_then(|a| a.parse().ok()).expect("a number")
}

/// Another connection takes the journal's write lock now and keeps it for
/// `hold`, as another program holding the file would.
fn hold_write_lock(path: &std::path::Path, hold: Duration) {
    let conn = rusqlite::Connection::open(path).expect("a second connection");
    conn.execute_batch("BEGIN IMMEDIATE")
        .expect("the write lock");
    std::thread::spawn(move || {
        std::thread::sleep(hold);
        let _ = conn.execute_batch("COMMIT");
    });
}

/// The simulator's demo TSS and till, reached at `url`.
fn demo_tse(url: &str, timeout: Duration) -> Tse {
    let client = fiskaly::Client::new(
        fiskaly::ClientConfig::new(
            url,
            fiskaly::Credentials {
                api_key: "test_demo_api_key_smart_till".into(),
                api_secret: fiskaly::Secret::new("demo-api-secret-smart-till"),
            },
        )
        .with_timeout(timeout),
    )
    .expect("TSE client");
    Tse::new(
        client,
        "b8b0a7a2-1c55-4c7e-9a51-0d6c1a3f0e01",
        "3f1e9c0d-7b2a-4e55-8c11-5a6b7c8d9e02",
    )
}

async fn run(
    url: String,
    path: PathBuf,
    sales: usize,
    timeout: Duration,
    busy: Option<Duration>,
    tse_url: Option<String>,
) {
    let tse = tse_url.map(|u| demo_tse(&u, timeout));
    let client = Client::new(
        ClientConfig::new(
            &url,
            Credentials {
                client_id: CLIENT_ID.into(),
                client_secret: Secret::new(CLIENT_SECRET),
            },
        )
        .with_timeout(timeout)
        .with_terminal_timeout(timeout),
    )
    .expect("client");
    let journal = Journal::open(&path).expect("journal");
    if let Some(busy) = busy {
        journal.set_busy_timeout(busy).expect("busy timeout");
    }
    let journal = Mutex::new(journal);
    let shop = ShopHeader {
        name: "Bäckerei Müller".into(),
        address_lines: vec!["Hauptstraße 1".into()],
        vat_id: None,
        footer: None,
    };
    let checkout = Checkout {
        client: &client,
        journal: &journal,
        shop: shop.clone(),
        till_id: "KASSE-1",
        demo: true,
        tse: tse.as_ref(),
    };
    let cancel = CancellationToken::new();
    loop {
        // What a crash left behind is settled before anything new starts.
        if let Err(e) = checkout.reconcile().await {
            println!("reconcile: {e}");
        }
        if let Err(e) = checkout.sync_outbox().await {
            println!("outbox: {e}");
        }
        let (started, open) = {
            let j = journal.lock().unwrap_or_else(|e| e.into_inner());
            let started = j.entries(Some(kind::INTENT)).expect("journal").len();
            let open = j.in_doubt().expect("journal").len()
                + j.outbox_state().expect("journal").count
                + j.pending_cancellations().expect("journal").len();
            (started, open)
        };
        if open > 0 {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        }
        if started >= sales {
            println!("done {started}");
            return;
        }
        // Change is put in before every seventh sale (3, 10, 17, …): a
        // receipt of its own, from the sales' sequence. One killed before it
        // was journaled is booked again; one journaled is not.
        let movements = journal
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entries(Some(kind::CASH_RECEIPT))
            .expect("journal")
            .len();
        if movements < (started + 4) / 7 {
            match checkout
                .cash_movement(CashReason::ChangeFetched, Cents(100), "", None)
                .await
            {
                Ok(m) => println!("movement {}", m.record.receipt_number),
                Err(e) => println!("movement not booked: {e}"),
            }
            continue;
        }
        let i = started as u64;
        let b = basket(i);
        if tse.is_some() {
            if i % 7 == 3 {
                // A basket filled and cleared without a sale.
                if let Err(e) = checkout.basket_started().await {
                    println!("basket {i}: {e}");
                }
                if let Err(e) = checkout.basket_cleared().await {
                    println!("basket {i} not cleared: {e}");
                }
            }
            // The first line enters the basket: its TSE transaction starts.
            if let Err(e) = checkout.basket_started().await {
                println!("basket {i}: {e}");
            }
        }
        let result = if i.is_multiple_of(2) {
            checkout
                .pay_card(&b, &cancel)
                .await
                .map(|s| s.receipt_number)
        } else {
            checkout
                .pay_cash(&b, Some(Cents(5000)))
                .await
                .map(|s| s.receipt_number)
        };
        match result {
            Ok(n) if i.is_multiple_of(5) => {
                println!("sale {i} paid {n}");
                match checkout.cancel_sale(n as i64, "drill", &cancel).await {
                    Ok(c) => println!("sale {i} cancelled by {}", c.receipt_number),
                    Err(e) => println!("sale {i} not cancelled: {e}"),
                }
            }
            Ok(n) => println!("sale {i} paid {n}"),
            Err(e) => println!("sale {i} not paid: {e}"),
        }
    }
}
