//! The crash drill: a till in a child process runs sales against the
//! simulator, is killed with SIGKILL at chosen and at random points, is
//! started again, reconciles, and in the end its journal and the simulator
//! agree exactly: no sale lost or duplicated, nobody charged twice, no refund
//! given that the journal lacks, the chain verifies, every cash movement is
//! booked once with its receipt number in the sequence. Every fifth sale is
//! cancelled, card and cash in turn (kills land before and after the
//! terminal's refund, and between a cash cancellation's TSE signature and
//! its entry), and now
//! and then another connection holds the journal's write lock right after the
//! provider answered. The same check runs with the simulator's faults.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use secuconnect_sandbox::{Fault, FaultKind, RunningSandbox, SandboxConfig};
use serde_json::Value;
use till::journal::kind;
use till::{Journal, SaleState};

const DRILL: &str = env!("CARGO_BIN_EXE_till-crash-drill");

/// A small deterministic generator: the plan is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// How one run of the child ends.
#[derive(Debug, Clone)]
enum Kill {
    /// The child stops dead at the n-th occurrence of a drill point; then SIGKILL.
    AtPoint(&'static str, u64),
    /// SIGKILL a little after the n-th payment call went out (during `start/cashless`).
    DuringCall(u64, Duration),
    /// SIGKILL a while after the first payment call went out, wherever it is then.
    After(Duration),
    /// Let it finish.
    Never,
}

struct Outcome {
    exited: bool,
    kills: usize,
    /// How often another connection held the journal's lock right after an answer.
    locks: usize,
    /// From the first payment call to the end of the run.
    selling: Option<Duration>,
}

/// Runs the child once with the given kill plan.
fn run_child(
    url: &str,
    tse: Option<&str>,
    journal: &Path,
    sales: usize,
    timeout_ms: u64,
    kill: &Kill,
) -> Outcome {
    let mut cmd = Command::new(DRILL);
    cmd.arg(url)
        .arg(journal)
        .arg(sales.to_string())
        .arg("--timeout-ms")
        .arg(timeout_ms.to_string())
        // The journal's lock is taken from under the till now and then.
        .args(["--busy-ms", "200", "--lock-every", "37"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(tse) = tse {
        cmd.arg("--tse").arg(tse);
    }
    if let Kill::AtPoint(point, n) = kill {
        cmd.arg("--stop-at").arg(format!("{point}:{n}"));
    }
    let mut child = cmd.spawn().expect("the drill binary starts");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let started = Instant::now();
    // A whole run may take long on a loaded machine; a hang is still found.
    let limit = Duration::from_secs(600);
    let mut calls = 0u64;
    let mut locks = 0;
    let mut first_call: Option<Instant> = None;
    let mut kill_at: Option<Instant> = None;
    let killed = loop {
        if kill_at.is_some_and(|t| Instant::now() >= t) {
            child.kill().expect("SIGKILL");
            break true;
        }
        match rx.recv_timeout(Duration::from_millis(5)) {
            Ok(line) => {
                if line.starts_with("locked ") {
                    locks += 1;
                }
                if line.starts_with("stopped ") {
                    child.kill().expect("SIGKILL");
                    break true;
                }
                if line == "point before_start" {
                    calls += 1;
                    let now = Instant::now();
                    // The child's start-up is not part of the plan's time.
                    if first_call.is_none() {
                        first_call = Some(now);
                        if let Kill::After(d) = kill {
                            kill_at = Some(now + *d);
                        }
                    }
                    if let Kill::DuringCall(n, delay) = kill {
                        if calls == *n {
                            kill_at = Some(now + *delay);
                        }
                    }
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                assert!(started.elapsed() < limit, "the drill hangs");
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break false,
        }
    };
    let status = child.wait().unwrap();
    reader.join().unwrap();
    Outcome {
        exited: !killed && status.success(),
        kills: usize::from(killed),
        locks,
        selling: first_call.map(|t| t.elapsed()),
    }
}

/// Sales the journal has started so far (the child is not running).
fn started(journal: &Path) -> usize {
    if !journal.exists() {
        return 0;
    }
    Journal::open_read_only(journal)
        .unwrap()
        .entries(Some(kind::INTENT))
        .unwrap()
        .len()
}

/// Kills the child `kills` times at points drawn from `rng`, then lets it
/// finish all `sales`. Each run to be killed gets a share of the sales left
/// that leaves enough for every kill still to come, and its kill point lies
/// within that share; a timed kill is drawn from how fast the last runs sold,
/// so a fast machine does not sell everything before the kills are spent.
fn drill(
    sandbox: &RunningSandbox,
    tse: Option<&fiskaly_sandbox::RunningSandbox>,
    journal: &Path,
    sales: usize,
    kills: usize,
    seed: u64,
    faults: bool,
) -> usize {
    let mut rng = Rng(seed);
    let url = sandbox.url();
    let tse_url = tse.map(|t| t.url());
    let tse_url = tse_url.as_deref();
    let timeout_ms = if faults { 600 } else { 2000 };
    let mut done_kills = 0;
    let mut locks = 0;
    let mut cash_kills = 0;
    let mut cancel_kills = 0;
    let mut micros_per_sale = 10_000u64;
    for _ in 0..kills * 5 + 20 {
        if faults {
            inject_faults(sandbox, &mut rng);
        }
        let before = started(journal);
        if done_kills >= kills || before >= sales {
            let outcome = run_child(&url, tse_url, journal, sales, timeout_ms, &Kill::Never);
            assert!(outcome.exited, "the last run finishes");
            locks += outcome.locks;
            assert!(
                locks > 0,
                "the journal's lock was taken from under the till"
            );
            eprintln!("{done_kills} kills ({cash_kills} between a cash movement's signing and its journaling, {cancel_kills} between a cash cancellation's), {locks} times the journal locked after an answer");
            assert!(
                faults || cash_kills > 0,
                "a kill landed between a cash movement's signing and its journaling"
            );
            assert!(
                faults || cancel_kills > 0,
                "a kill landed between a cash cancellation's signing and its journaling"
            );
            return done_kills;
        }
        let share = ((sales - before) / (kills - done_kills + 1)).clamp(1, 60) as u64;
        // Every tenth sale is cancelled by card and every tenth by cash: a run
        // of `share` sales has about a tenth as many of each.
        let cancels = share / 10 + 1;
        // With a TSE: also between its finish and the journal write, and
        // between an abandoned basket's abort and its entry.
        let plan = match rng.below(if tse.is_some() { 10 } else { 7 }) {
            // Between a cash cancellation's TSE signature and its entry.
            8 if tse.is_some() => Kill::AtPoint("cash_cancellation_signed", 1 + rng.below(cancels)),
            // A cash movement comes before every seventh sale.
            5 => Kill::AtPoint("cash_signed", 1 + rng.below(share / 7 + 1)),
            6 if tse.is_some() => Kill::AtPoint("after_tse_finish", 1 + rng.below(share)),
            7 => Kill::AtPoint("after_tse_abort", 1 + rng.below(share / 7 + 1)),
            0 => Kill::AtPoint("after_answer", 1 + rng.below(share)),
            1 => Kill::AtPoint("before_start", 1 + rng.below(share)),
            2 => Kill::DuringCall(1 + rng.below(share), Duration::from_millis(rng.below(25))),
            3 => Kill::AtPoint("after_cancel_answer", 1 + rng.below(cancels)),
            4 => Kill::AtPoint("before_cancel", 1 + rng.below(cancels)),
            _ => Kill::After(Duration::from_micros(rng.below(share * micros_per_sale))),
        };
        // One sale more than the latest kill point: a kill a little after a
        // call still finds the child running.
        let target = (before + share as usize + 1).min(sales);
        let outcome = run_child(&url, tse_url, journal, target, timeout_ms, &plan);
        done_kills += outcome.kills;
        if matches!(plan, Kill::AtPoint("cash_signed", _)) {
            cash_kills += outcome.kills;
        }
        if matches!(plan, Kill::AtPoint("cash_cancellation_signed", _)) {
            cancel_kills += outcome.kills;
        }
        locks += outcome.locks;
        let sold = started(journal).saturating_sub(before) as u64;
        if let (Some(selling), true) = (outcome.selling, sold > 0) {
            micros_per_sale = (selling.as_micros() as u64 / sold).max(100);
        }
    }
    panic!("the drill does not finish");
}

/// A handful of the simulator's faults for the next run: lost answers after
/// processing, server errors, answers too slow for the till's timeout.
fn inject_faults(sandbox: &RunningSandbox, rng: &mut Rng) {
    let routes = [
        "POST /api/v2/Smart/Transactions",
        "POST /api/v2/Smart/Transactions/*/start/cashless",
        "POST /api/v2/Smart/Transactions/*/start/cash",
        "GET /api/v2/Smart/Transactions/*",
    ];
    for _ in 0..3 {
        let route = routes[rng.below(routes.len() as u64) as usize];
        let mut fault = Fault::new(
            route,
            match rng.below(3) {
                0 => FaultKind::DropAfter,
                1 => FaultKind::Error5xx,
                _ => FaultKind::Latency,
            },
        );
        fault.count = 1 + rng.below(2) as u32;
        if fault.kind == FaultKind::Latency {
            // Longer than the till waits (600 ms): the answer is lost.
            fault.latency_ms = Some(900);
        }
        sandbox.state.inject(fault).unwrap();
    }
}

/// Journal and simulator agree exactly.
fn check_agreement(sandbox: &RunningSandbox, path: &Path, sales: usize) {
    let journal = Journal::open(path).unwrap();
    assert_eq!(journal.verify().unwrap(), None, "the chain verifies");
    assert!(
        journal.in_doubt().unwrap().is_empty(),
        "nothing left in doubt"
    );
    assert!(
        journal.pending_cancellations().unwrap().is_empty(),
        "no cancellation left under way"
    );
    assert_eq!(journal.outbox_state().unwrap().count, 0, "outbox drained");

    let intents = journal.entries(Some(kind::INTENT)).unwrap();
    assert_eq!(intents.len(), sales, "every sale started once");
    let snapshot = sandbox.state.snapshot();
    let stx: Vec<&Value> = snapshot["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    let mut by_ref: HashMap<&str, Vec<&Value>> = HashMap::new();
    for t in &stx {
        if let Some(r) = t["transactionRef"].as_str() {
            by_ref.entry(r).or_default().push(t);
        }
    }
    let paid_at_provider = |sale_id: &str| -> Vec<&Value> {
        by_ref
            .get(sale_id)
            .map(|v| v.iter().copied().filter(|t| t["status"] == "ok").collect())
            .unwrap_or_default()
    };

    let mut journal_paid: HashSet<String> = HashSet::new();
    let (mut paid, mut failed, mut cancelled) = (0, 0, 0);
    let mut card_total = 0i64;
    for intent in &intents {
        let sale_id = intent.sale_id.as_deref().unwrap();
        let state = journal.sale_state(sale_id).unwrap();
        let at_provider = paid_at_provider(sale_id);
        match state {
            SaleState::Paid => {
                paid += 1;
                journal_paid.insert(sale_id.to_string());
                assert_eq!(
                    at_provider.len(),
                    1,
                    "sale {sale_id} is paid once at the provider"
                );
                let total = intent.body["total"].as_i64().unwrap();
                assert_eq!(at_provider[0]["basket_info"]["sum"], total);
                if intent.body["method"] == "card" {
                    assert_eq!(at_provider[0]["id"], intent.body["transaction_id"]);
                    card_total += total;
                }
            }
            SaleState::Failed => {
                failed += 1;
                assert!(
                    at_provider.is_empty(),
                    "failed sale {sale_id} was not paid at the provider"
                );
            }
            SaleState::Cancelled if intent.body["method"] == "cash" => {
                // Cash goes back from the drawer: the provider keeps the sale,
                // unless it was still queued (offline) when it was cancelled:
                // then it is never registered (journal::write, cancellation).
                cancelled += 1;
                journal_paid.insert(sale_id.to_string());
                assert!(
                    at_provider.len() <= 1,
                    "cash sale {sale_id} is registered at most once: {at_provider:?}"
                );
            }
            SaleState::Cancelled => {
                cancelled += 1;
                assert!(
                    at_provider.is_empty(),
                    "cancelled sale {sale_id} is no longer paid at the provider"
                );
                let reversed = by_ref
                    .get(sale_id)
                    .is_some_and(|v| v.iter().any(|t| t["status"] == "cancelled"));
                assert!(
                    reversed,
                    "cancelled sale {sale_id} was reversed at the provider"
                );
            }
            other => panic!("sale {sale_id} ended {other:?}"),
        }
    }
    // Nothing was paid at the provider that the journal does not have.
    for t in &stx {
        if t["status"] == "ok" {
            let r = t["transactionRef"].as_str().unwrap_or_default();
            assert!(
                journal_paid.contains(r),
                "paid at the provider only: {}",
                t["id"]
            );
        }
    }
    // The terminal charged each card sale once.
    let payments = snapshot["terminal"]["payments"].as_array().unwrap();
    let charged: Vec<&Value> = payments.iter().filter(|p| p["cancelled"] != true).collect();
    let distinct: HashSet<&str> = charged
        .iter()
        .map(|p| p["stx_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        distinct.len(),
        charged.len(),
        "no transaction charged twice"
    );
    let charged_total: i64 = charged.iter().map(|p| p["amount"].as_i64().unwrap()).sum();
    assert_eq!(
        charged_total, card_total,
        "the terminal took what the journal says"
    );
    let figures = journal.day_figures().unwrap();
    assert_eq!(figures.by_method.card.0, card_total);
    assert_eq!(figures.sales, paid + cancelled);
    assert_eq!(paid + failed + cancelled, sales as i64);
    assert!(cancelled > 0, "the drill cancelled sales");
    // Every cash movement due was booked once, whatever the kills hit.
    let movements = journal.entries(Some(kind::CASH_RECEIPT)).unwrap().len() as i64;
    assert_eq!(
        movements,
        (sales as i64 + 3) / 7,
        "one movement per seven sales"
    );
    assert_eq!(figures.cash_in.0, movements * 100);
    // Receipt numbers are gapless across sales, cancellations and movements.
    let mut numbers: Vec<i64> = [kind::SALE, kind::CANCELLATION, kind::CASH_RECEIPT]
        .iter()
        .flat_map(|k| journal.entries(Some(k)).unwrap())
        .map(|e| e.receipt_number.unwrap())
        .collect();
    numbers.sort_unstable();
    assert_eq!(
        numbers,
        (1..=paid + 2 * cancelled + movements).collect::<Vec<_>>()
    );
    eprintln!("{sales} sales: {paid} paid, {failed} failed, {cancelled} cancelled");
}

/// Journal and TSE agree: every transaction the TSE finished belongs to a
/// journaled sale (signed as the journal says), a cancellation, a cash
/// movement (or one read back as not booked after a kill), an
/// abandoned basket or a failed payment; none is left ACTIVE; the journal's
/// signatures verify (`verify`: the signature, one key, no number or counter twice).
fn check_tse_agreement(tse: &fiskaly_sandbox::RunningSandbox, path: &Path) {
    let journal = Journal::open_read_only(path).unwrap();
    assert_eq!(journal.verify().unwrap(), None, "the signatures verify");
    assert!(
        journal.open_tse().unwrap().is_empty(),
        "no business event left open"
    );
    let signed_in = |e: &till::journal::Entry| -> Option<(String, u64, u64)> {
        let t = &e.body["tse"];
        (t["status"] == "signed").then(|| {
            (
                t["tx_id"].as_str().unwrap().to_string(),
                t["tx_number"].as_u64().unwrap(),
                t["signature_counter"].as_u64().unwrap(),
            )
        })
    };
    // tx id → (what it is, the journal's number and counter where signed)
    type Known<'a> = HashMap<String, (&'a str, Option<(u64, u64)>)>;
    let mut known: Known = HashMap::new();
    for e in journal.entries(Some(kind::SALE)).unwrap() {
        let sale_id = e.sale_id.clone().unwrap();
        let signed = signed_in(&e).map(|(id, n, c)| {
            assert_eq!(id, sale_id, "the sale's TSE transaction is its own id");
            (n, c)
        });
        known.insert(sale_id, ("Beleg", signed));
    }
    for e in journal.entries(Some(kind::CANCELLATION)).unwrap() {
        if let Some((id, n, c)) = signed_in(&e) {
            known.insert(id, ("Beleg", Some((n, c))));
        }
    }
    for e in journal.entries(Some(kind::CASH_RECEIPT)).unwrap() {
        let signed = signed_in(&e).map(|(_, n, c)| (n, c));
        known.insert(e.sale_id.clone().unwrap(), ("AVTransfer", signed));
    }
    for k in [kind::FAILED, kind::TSE_ABORT] {
        for e in journal.entries(Some(k)).unwrap() {
            let signed = signed_in(&e).map(|(_, n, c)| (n, c));
            // A cash movement signed just before a kill is read back at the
            // restart and journaled as not booked, with what the TSE signed.
            let what = if e.body["tse"]["qr_code_data"]
                .as_str()
                .is_some_and(|q| q.contains(";AVTransfer^"))
            {
                "AVTransfer"
            } else {
                "AVBelegabbruch"
            };
            known.insert(e.sale_id.clone().unwrap(), (what, signed));
        }
    }
    let txs = tse.state.transactions();
    assert!(!txs.is_empty());
    let (mut sales, mut aborts) = (0, 0);
    for t in &txs {
        assert_ne!(t.state, "ACTIVE", "TSE transaction {} left open", t.id);
        let Some((what, signed)) = known.get(&t.id) else {
            panic!(
                "TSE transaction {} ({:?}) is not in the journal",
                t.id, t.process_data
            );
        };
        let bon = t.process_data.as_deref().unwrap_or_default();
        assert!(
            bon.starts_with(&format!("{what}^")),
            "{}: {bon} is not {what}",
            t.id
        );
        if let Some((number, counter)) = signed {
            assert_eq!(
                (*number, *counter),
                (t.number, t.signature_counter),
                "{}",
                t.id
            );
        }
        if *what == "Beleg" {
            sales += 1;
        } else {
            aborts += 1;
        }
    }
    assert!(aborts > 0, "baskets were abandoned");
    eprintln!(
        "TSE: {} transactions, {sales} receipts, {aborts} aborts, none open",
        txs.len()
    );
}

/// A cash cancellation stopped dead between the TSE's signature and its
/// entry: the restart journals it with what the TSE signed, so journal and
/// TSE agree (before, the TSE held a signed cancellation the journal lacked).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cash_cancellation_killed_after_its_signature_is_journaled_at_the_restart() {
    let sandbox = sandbox().await;
    let tse = fiskaly_sandbox::start_demo().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    tokio::task::spawn_blocking(move || {
        let (url, tse_url) = (sandbox.url(), tse.url());
        // Sale 5 is the first paid in cash and cancelled.
        let stop = Kill::AtPoint("cash_cancellation_signed", 1);
        let killed = run_child(&url, Some(&tse_url), &path, 8, 2000, &stop);
        assert_eq!(killed.kills, 1, "stopped after the TSE signed");
        let cancellation_tx = {
            let j = Journal::open_read_only(&path).unwrap();
            let intents = j.entries(Some(kind::INTENT)).unwrap();
            let sale5 = intents[5].sale_id.as_deref().unwrap();
            assert_eq!(intents[5].body["method"], "cash");
            assert_eq!(j.sale_state(sale5).unwrap(), SaleState::Paid);
            let tx_id = till::tse::cancellation_tx_id(sale5);
            assert_eq!(j.open_tse().unwrap(), vec![tx_id.clone()]);
            tx_id
        };
        let signed = tse
            .state
            .transactions()
            .into_iter()
            .find(|t| t.id == cancellation_tx)
            .expect("the TSE signed the cancellation before the stop");
        assert_eq!(signed.state, "FINISHED");

        let rest = run_child(&url, Some(&tse_url), &path, 8, 2000, &Kill::Never);
        assert!(rest.exited);
        check_agreement(&sandbox, &path, 8);
        check_tse_agreement(&tse, &path);
        let j = Journal::open_read_only(&path).unwrap();
        let booked = j
            .entries(Some(kind::CANCELLATION))
            .unwrap()
            .into_iter()
            .find(|e| e.body["tse"]["tx_id"] == cancellation_tx.as_str())
            .expect("the cancellation is journaled with its TSE transaction");
        assert_eq!(booked.body["tse"]["tx_number"], signed.number);
        assert_eq!(
            booked.body["tse"]["signature_counter"],
            signed.signature_counter
        );
    })
    .await
    .unwrap();
}

async fn sandbox() -> RunningSandbox {
    let sandbox = secuconnect_sandbox::start_demo().await.unwrap();
    sandbox
        .state
        .configure(SandboxConfig {
            terminal_delay_ms: Some(15),
            ..SandboxConfig::default()
        })
        .unwrap();
    sandbox
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_sales_killed_at_random_points_agree_with_the_provider() {
    let sandbox = sandbox().await;
    let tse = fiskaly_sandbox::start_demo().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    let (sandbox, kills) = tokio::task::spawn_blocking(move || {
        let kills = drill(&sandbox, Some(&tse), &path, 1000, 30, 0x5eed_cafe, false);
        check_agreement(&sandbox, &path, 1000);
        check_tse_agreement(&tse, &path);
        (sandbox, kills)
    })
    .await
    .unwrap();
    assert_eq!(kills, 30);
    drop(sandbox);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sales_under_the_simulators_faults_and_kills_agree_with_the_provider() {
    let sandbox = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    let tse = fiskaly_sandbox::start_demo().await.unwrap();
    let (sandbox, _) = tokio::task::spawn_blocking(move || {
        let kills = drill(&sandbox, Some(&tse), &path, 300, 10, 0xfa17_0001, true);
        sandbox.state.clear_faults();
        check_agreement(&sandbox, &path, 300);
        check_tse_agreement(&tse, &path);
        (sandbox, kills)
    })
    .await
    .unwrap();
    drop(sandbox);
}
