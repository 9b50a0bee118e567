//! Money and journal never drift apart: what the customer's money did and
//! what the journal says end up the same whatever fails in between — a
//! journal locked by another program or on a full disk right after the
//! provider answered, a refund whose answer is lost or already done, a queued
//! sale whose transaction was cancelled at the provider. The real client, the
//! simulator over loopback HTTP, real SQLite files.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::Till;
use rusqlite::Connection;
use secuconnect::CancellationToken;
use secuconnect_sandbox::{Fault, FaultKind, SandboxConfig};
use till::basket::{Basket, BasketLine};
use till::journal::kind;
use till::{Cents, CheckoutError, JournalError, SaleState, VatRate};

fn basket(coffee: i64) -> Basket {
    Basket {
        lines: vec![
            BasketLine::article("Sandwich Romano", 1, Cents(349), VatRate::Reduced),
            BasketLine::article("Kaffee", 1, Cents(coffee), VatRate::Standard),
        ],
        card: None,
    }
}

/// A till whose terminal (and `start/cash`, through a latency fault) takes
/// `delay` to answer, and whose journal waits 150 ms for a lock.
async fn slow_till(delay: Duration) -> Till {
    let till = Till::new().await;
    till.sandbox
        .state
        .configure(SandboxConfig {
            terminal_delay_ms: Some(delay.as_millis() as u64),
            ..SandboxConfig::default()
        })
        .unwrap();
    till.journal()
        .set_busy_timeout(Duration::from_millis(150))
        .unwrap();
    till
}

fn count(path: &Path, kind: &str) -> i64 {
    let conn = Connection::open(path).unwrap();
    conn.query_row(
        "SELECT COUNT(*) FROM entries WHERE kind = ?1",
        [kind],
        |r| r.get(0),
    )
    .unwrap()
}

/// Waits until the journal holds `n` entries of `kind` (written by the till under test).
async fn wait_for(path: &Path, kind: &str, n: i64) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while count(path, kind) < n {
        assert!(Instant::now() < deadline, "no {kind} entry appeared");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// Another program takes the journal's write lock and holds it until dropped.
struct WriteLock(Option<Connection>);

impl WriteLock {
    fn take(path: &Path) -> Self {
        let conn = Connection::open(path).unwrap();
        conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        Self(Some(conn))
    }
}

impl Drop for WriteLock {
    fn drop(&mut self) {
        if let Some(conn) = self.0.take() {
            conn.execute_batch("COMMIT").unwrap();
        }
    }
}

impl Till {
    fn paid_at_provider(&self) -> usize {
        self.sandbox.state.snapshot()["transactions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["status"] == "ok")
            .count()
    }

    fn stx_statuses(&self, sale_id: &str) -> Vec<String> {
        self.stx_by_ref(sale_id)
            .iter()
            .map(|t| t["status"].as_str().unwrap_or_default().to_string())
            .collect()
    }
}

#[tokio::test]
async fn a_card_charged_while_the_journal_is_locked_is_in_doubt_and_never_charged_twice() {
    let till = slow_till(Duration::from_millis(400)).await;
    let cancel = CancellationToken::new();
    let checkout = till.checkout();
    let sold = basket(198);
    // The terminal answers `ok` while another program holds the journal.
    let (paid, lock) = tokio::join!(checkout.pay_card(&sold, &cancel), async {
        wait_for(&till.path, kind::INTENT, 1).await;
        WriteLock::take(&till.path)
    });
    let err = paid.unwrap_err();
    assert!(
        matches!(
            &err,
            CheckoutError::Unjournaled {
                source: JournalError::Locked,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("Do not take the payment again"));
    assert_eq!(
        till.terminal_payments().len(),
        1,
        "the card was charged once"
    );

    // "Card again" for the same basket: refused while the first is in doubt.
    let again = till
        .checkout()
        .pay_card(&basket(198), &cancel)
        .await
        .unwrap_err();
    assert!(
        matches!(again, CheckoutError::PaymentsInDoubt(1)),
        "{again:?}"
    );
    let cash = till
        .checkout()
        .pay_cash(&basket(198), None)
        .await
        .unwrap_err();
    assert!(
        matches!(cash, CheckoutError::PaymentsInDoubt(1)),
        "{cash:?}"
    );
    assert_eq!(till.terminal_payments().len(), 1, "still charged once");

    // While the lock is held, catching up cannot write either: the sale stays in doubt.
    assert!(till.checkout().reconcile().await.is_err());
    drop(lock);
    let report = till.checkout().reconcile().await.unwrap();
    assert_eq!(report.completed.len(), 1);
    assert_eq!(report.completed[0].receipt_number, 1);
    {
        let j = till.journal();
        assert!(j.in_doubt().unwrap().is_empty());
        assert_eq!(j.day_figures().unwrap().by_method.card, Cents(547));
        assert_eq!(j.entries(Some(kind::SALE)).unwrap().len(), 1);
    }
    assert_eq!(till.paid_at_provider(), 1);
    // Settled: the next sale goes through.
    let next = till
        .checkout()
        .pay_card(&basket(250), &cancel)
        .await
        .unwrap();
    assert_eq!(next.receipt_number, 2);
    assert_eq!(till.terminal_payments().len(), 2);
}

#[tokio::test]
async fn a_cash_sale_whose_journal_write_fails_is_booked_once_by_catching_up() {
    let till = slow_till(Duration::from_millis(20)).await;
    let mut slow = Fault::new(
        "POST /api/v2/Smart/Transactions/*/start/cash",
        FaultKind::Latency,
    );
    slow.latency_ms = Some(400);
    till.sandbox.state.inject(slow).unwrap();
    let checkout = till.checkout();
    let sold = basket(198);
    let (paid, lock) = tokio::join!(checkout.pay_cash(&sold, Some(Cents(1000))), async {
        wait_for(&till.path, kind::INTENT, 1).await;
        WriteLock::take(&till.path)
    });
    assert!(
        matches!(paid, Err(CheckoutError::Unjournaled { .. })),
        "{paid:?}"
    );
    let again = till
        .checkout()
        .pay_cash(&basket(198), Some(Cents(1000)))
        .await;
    assert!(
        matches!(again, Err(CheckoutError::PaymentsInDoubt(1))),
        "{again:?}"
    );
    drop(lock);
    let report = till.checkout().reconcile().await.unwrap();
    assert_eq!(report.completed.len(), 1);
    let j = till.journal();
    let figures = j.day_figures().unwrap();
    assert_eq!((figures.sales, figures.by_method.cash), (1, Cents(547)));
    assert_eq!(till.paid_at_provider(), 1);
}

/// A tmpfs of `size` mounted at a new folder, unmounted when dropped; `None`
/// where this machine does not let the test mount one (not root, no tmpfs).
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(size: &str) -> Option<(tempfile::TempDir, Self)> {
        let dir = tempfile::tempdir().unwrap();
        let mounted = match Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output()
        {
            Ok(out) => out,
            Err(e) => {
                eprintln!("skipped: no mount command to make a small file system ({e})");
                return None;
            }
        };
        if !mounted.status.success() {
            eprintln!(
                "skipped: cannot mount a tmpfs here ({})",
                String::from_utf8_lossy(&mounted.stderr).trim()
            );
            return None;
        }
        let path = dir.path().to_path_buf();
        Some((dir, Self(path)))
    }

    /// Fills the file system up with a ballast file.
    fn fill(&self) -> PathBuf {
        use std::io::Write;
        let ballast = self.0.join("ballast");
        let mut f = std::fs::File::create(&ballast).unwrap();
        let block = vec![0u8; 4096];
        while f.write_all(&block).is_ok() {}
        let _ = f.sync_all();
        ballast
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

#[tokio::test]
async fn a_card_charged_when_the_disk_is_full_is_booked_once_space_is_back() {
    let Some((dir, disk)) = Tmpfs::mount("4m") else {
        return;
    };
    let path = disk.0.join("journal.sqlite3");
    let till = Till::at(dir, &path, Duration::from_secs(30)).await;
    till.sandbox
        .state
        .configure(SandboxConfig {
            terminal_delay_ms: Some(400),
            ..SandboxConfig::default()
        })
        .unwrap();
    let cancel = CancellationToken::new();
    let checkout = till.checkout();
    let sold = basket(198);
    // The disk fills up while the terminal takes the card.
    let (paid, ballast) = tokio::join!(checkout.pay_card(&sold, &cancel), async {
        wait_for(&path, kind::INTENT, 1).await;
        disk.fill()
    });
    let err = paid.unwrap_err();
    assert!(
        matches!(
            &err,
            CheckoutError::Unjournaled {
                source: JournalError::DiskFull,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("the disk is full"));
    let again = till.checkout().pay_card(&basket(198), &cancel).await;
    assert!(
        matches!(again, Err(CheckoutError::PaymentsInDoubt(1))),
        "{again:?}"
    );
    assert_eq!(till.terminal_payments().len(), 1);

    std::fs::remove_file(ballast).unwrap();
    let report = till.checkout().reconcile().await.unwrap();
    assert_eq!(report.completed.len(), 1);
    let j = till.journal();
    assert_eq!(j.verify().unwrap(), None);
    assert_eq!(j.day_figures().unwrap().by_method.card, Cents(547));
    drop(j);
    drop(till);
    drop(disk);
}

#[tokio::test]
async fn a_refund_whose_journal_write_fails_is_booked_once_and_never_refunded_twice() {
    let till = slow_till(Duration::from_millis(400)).await;
    let cancel = CancellationToken::new();
    let sale = till
        .checkout()
        .pay_card(&basket(198), &cancel)
        .await
        .unwrap();
    let checkout = till.checkout();
    let (cancelled, lock) = tokio::join!(
        checkout.cancel_sale(sale.receipt_number as i64, "Kunde storniert", &cancel),
        async {
            wait_for(&till.path, kind::CANCELLING, 1).await;
            WriteLock::take(&till.path)
        }
    );
    assert!(
        matches!(
            cancelled,
            Err(CheckoutError::CancelInDoubt { receipt_number: 1 })
        ),
        "{cancelled:?}"
    );
    // The terminal has refunded; the journal still has the sale, under way.
    assert_eq!(till.terminal_payments()[0]["cancelled"], true);
    assert_eq!(
        till.journal().sale_state(&sale.sale_id).unwrap(),
        SaleState::Cancelling
    );
    // Asking again does not refund again.
    let again = till
        .checkout()
        .cancel_sale(1, "nochmal", &cancel)
        .await
        .unwrap_err();
    assert!(
        matches!(again, CheckoutError::CancelInDoubt { .. }),
        "{again:?}"
    );
    // No closing while a refund is in doubt.
    assert!(matches!(
        till.journal().close_day(Cents(0), None),
        Err(JournalError::PaymentsInDoubt(1)) | Err(JournalError::Locked)
    ));
    drop(lock);
    assert!(matches!(
        till.journal().close_day(Cents(0), None),
        Err(JournalError::PaymentsInDoubt(1))
    ));
    let report = till.checkout().reconcile().await.unwrap();
    assert_eq!(report.cancellations_settled, 1);
    let j = till.journal();
    assert_eq!(j.sale_state(&sale.sale_id).unwrap(), SaleState::Cancelled);
    let cancellations = j.entries(Some(kind::CANCELLATION)).unwrap();
    assert_eq!(cancellations.len(), 1);
    assert_eq!(cancellations[0].receipt_number, Some(2));
    let figures = j.day_figures().unwrap();
    assert_eq!(
        (figures.by_method.card, figures.cancellations),
        (Cents(0), 1)
    );
}

#[tokio::test]
async fn a_refund_already_done_at_the_provider_is_read_back_and_booked() {
    let till = Till::new().await;
    let cancel = CancellationToken::new();
    let sale = till
        .checkout()
        .pay_card(&basket(198), &cancel)
        .await
        .unwrap();
    let terminal_receipt = till.journal().sale_by_receipt(1).unwrap().paid.payments[0]
        .terminal_receipt
        .unwrap();
    // The refund was done on the terminal behind the till's back (or its
    // answer was lost): the provider now answers 409 "already cancelled".
    till.client
        .cancel_terminal_payment(terminal_receipt, &cancel)
        .await
        .unwrap();
    let c = till
        .checkout()
        .cancel_sale(1, "Kunde storniert", &cancel)
        .await
        .unwrap();
    assert_eq!((c.receipt_number, c.total), (2, Cents(-547)));
    assert_eq!(
        till.journal().sale_state(&sale.sale_id).unwrap(),
        SaleState::Cancelled
    );
    assert_eq!(till.refunds(), 1);
}

#[tokio::test]
async fn a_refund_the_provider_refuses_or_never_got_leaves_the_sale_paid_and_cancellable() {
    let till = Till::new().await;
    let cancel = CancellationToken::new();
    let sale = till
        .checkout()
        .pay_card(&basket(198), &cancel)
        .await
        .unwrap();
    // Refused for good: nothing was refunded, the sale stays paid.
    till.sandbox
        .state
        .inject(Fault::new(
            "POST /api/v2/Smart/Transactions/*/canceltrx",
            FaultKind::Refuse,
        ))
        .unwrap();
    let err = till
        .checkout()
        .cancel_sale(1, "Kunde storniert", &cancel)
        .await
        .unwrap_err();
    assert!(matches!(err, CheckoutError::Api(_)), "{err:?}");
    assert_eq!(
        till.journal().sale_state(&sale.sale_id).unwrap(),
        SaleState::Paid
    );
    assert_eq!(
        till.journal()
            .entries(Some(kind::CANCEL_FAILED))
            .unwrap()
            .len(),
        1
    );

    // The connection drops after the request went out: not known, so in doubt.
    till.sandbox.state.set_offline(true);
    let err = till
        .checkout()
        .cancel_sale(1, "Kunde storniert", &cancel)
        .await
        .unwrap_err();
    assert!(
        matches!(err, CheckoutError::CancelInDoubt { .. }),
        "{err:?}"
    );
    let report = till.checkout().reconcile().await.unwrap();
    assert_eq!(report.cancellations_pending, 1);
    // Back online, the transaction read back is still paid: the refund never happened.
    till.sandbox.state.set_offline(false);
    let report = till.checkout().reconcile().await.unwrap();
    assert_eq!(report.cancellations_settled, 1);
    assert_eq!(
        till.journal().sale_state(&sale.sale_id).unwrap(),
        SaleState::Paid
    );
    let c = till
        .checkout()
        .cancel_sale(1, "Kunde storniert", &cancel)
        .await
        .unwrap();
    assert_eq!(c.receipt_number, 2);
    assert_eq!(till.refunds(), 1);
}

#[tokio::test]
async fn a_cancelled_transaction_at_the_head_of_the_outbox_does_not_block_the_sales_behind_it() {
    let till = Till::new().await;
    // Two cash sales whose `start/cash` fails (nothing processed): paid, queued
    // with their smart transactions still `created`.
    let mut failing = Fault::new(
        "POST /api/v2/Smart/Transactions/*/start/cash",
        FaultKind::Error5xx,
    );
    failing.count = 2;
    till.sandbox.state.inject(failing).unwrap();
    let first = till.checkout().pay_cash(&basket(198), None).await.unwrap();
    let second = till.checkout().pay_cash(&basket(250), None).await.unwrap();
    assert!(first.queued && second.queued);
    // The first one's transaction is cancelled at the provider meanwhile.
    let first_stx = till
        .journal()
        .intent(&first.sale_id)
        .unwrap()
        .transaction_id
        .unwrap();
    till.client.cancel_transaction(&first_stx).await.unwrap();

    let report = till.checkout().sync_outbox().await.unwrap();
    assert_eq!((report.registered, report.remaining), (2, 0), "{report:?}");
    // Each sale is paid once at the provider: the first on a fresh transaction.
    let first_statuses = till.stx_statuses(&first.sale_id);
    assert_eq!(
        first_statuses.iter().filter(|s| *s == "ok").count(),
        1,
        "{first_statuses:?}"
    );
    assert!(first_statuses.iter().any(|s| s == "cancelled"));
    assert_eq!(till.stx_statuses(&second.sale_id), vec!["ok".to_string()]);
    let j = till.journal();
    assert_eq!(j.outbox_state().unwrap().count, 0);
    assert_eq!(j.entries(Some(kind::REGISTERED)).unwrap().len(), 2);
}

#[tokio::test]
async fn the_check_at_start_covers_what_came_since_the_last_verified_point() {
    let till = Till::new().await;
    for coffee in [198, 250, 300] {
        till.checkout()
            .pay_cash(&basket(coffee), None)
            .await
            .unwrap();
    }
    let point = {
        let mut j = till.journal();
        assert_eq!(j.verified_point().unwrap(), None);
        assert_eq!(j.verify_since_checkpoint().unwrap(), None);
        let point = j.verified_point().unwrap().unwrap();
        assert_eq!(Some(point.seq), j.head().unwrap().map(|(seq, _)| seq));
        point
    };
    till.checkout().pay_cash(&basket(350), None).await.unwrap();
    {
        let mut j = till.journal();
        assert_eq!(j.verify_since_checkpoint().unwrap(), None);
        assert!(j.verified_point().unwrap().unwrap().seq > point.seq);
    }

    // An entry after the verified point is altered behind the journal's back.
    let conn = Connection::open(&till.path).unwrap();
    conn.execute_batch("DROP TRIGGER entries_append_only_update")
        .unwrap();
    drop(conn);
    till.checkout().pay_cash(&basket(400), None).await.unwrap();
    let conn = Connection::open(&till.path).unwrap();
    conn.execute(
        "UPDATE entries SET body = replace(body, '400', '100') WHERE seq = (SELECT MAX(seq) FROM entries WHERE kind = 'intent')",
        [],
    )
    .unwrap();
    drop(conn);
    let mut j = till.journal();
    let brk = j
        .verify_since_checkpoint()
        .unwrap()
        .expect("the change is found");
    assert_eq!(brk.kind, till::journal::BreakKind::Altered);
    // The point does not move past a break.
    assert!(j.verified_point().unwrap().unwrap().seq < brk.seq);
}

#[tokio::test]
async fn a_closing_refuses_inputs_no_cashier_types_and_keeps_the_day_open() {
    let till = Till::new().await;
    till.checkout().pay_cash(&basket(198), None).await.unwrap();
    let mut j = till.journal();
    for counted in [Cents(-1), Cents(i64::MIN), Cents(100_000_001)] {
        assert!(
            matches!(j.close_day(counted, None), Err(JournalError::CountedCash)),
            "{counted:?}"
        );
    }
    let long = "x".repeat(1 << 20);
    assert!(matches!(
        j.close_day_noted(Cents(547), None, Some(&long)),
        Err(JournalError::NoteTooLong)
    ));
    assert!(j.closings().unwrap().is_empty(), "nothing was closed");
    // Control characters are taken out of the note that is kept.
    let closing = j
        .close_day_noted(Cents(547), None, Some("Kasse\u{1b}[2J stimmt\n"))
        .unwrap();
    assert_eq!(closing.note.as_deref(), Some("Kasse[2J stimmt"));
}
