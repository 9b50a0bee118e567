//! Network thermal printers on TCP (port 9100 in the shop; a free loopback port
//! here) and the print queue in front of them.

use crate::common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use receipt::escpos::document_escpos;
use receipt::printer::Connection;
use receipt::queue::JobState;
use receipt::{Document, PrintError, PrintQueue, PrinterConfig};

fn network_printer(addr: SocketAddr) -> PrinterConfig {
    PrinterConfig {
        name: "Bondrucker LAN".into(),
        connection: Connection::Network {
            host: addr.ip().to_string(),
            port: addr.port(),
        },
        escpos: Default::default(),
        check_status: false,
        timeout_ms: 10_000,
    }
}

/// A printer that takes one connection and returns everything sent on it.
fn fake_printer(listener: TcpListener) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let mut got = Vec::new();
        conn.read_to_end(&mut got).unwrap();
        got
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[test]
fn prints_over_tcp() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let config = network_printer(listener.local_addr().unwrap());
    let printer = fake_printer(listener);
    let document = Document::receipt(common::cash_receipt());
    config.print(&document, true).unwrap();
    let got = printer.join().unwrap();
    assert_eq!(
        got,
        document_escpos(&document, &config.escpos, true).unwrap()
    );
}

#[test]
fn status_over_tcp_reports_an_open_cover() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let config = network_printer(listener.local_addr().unwrap());
    let printer = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        // Offline, cover open, paper fine.
        for (n, answer) in [(1u8, 0x1Au8), (2, 0x16), (4, 0x12)] {
            let mut request = [0u8; 3];
            conn.read_exact(&mut request).unwrap();
            assert_eq!(request, [0x10, 0x04, n]);
            conn.write_all(&[answer]).unwrap();
        }
    });
    let status = config.status().unwrap();
    printer.join().unwrap();
    assert!(status.cover_open && !status.online && !status.paper_out);
    assert_eq!(status.ready(), Err(PrintError::CoverOpen));
}

#[test]
fn a_printer_that_is_off_is_offline() {
    let addr = free_port();
    let err = network_printer(addr)
        .print(&Document::receipt(common::cash_receipt()), false)
        .unwrap_err();
    assert!(matches!(err, PrintError::Offline(_)), "{err:?}");
    assert_eq!(err.code(), "printer_offline");
    assert!(err.message().contains("nicht erreichbar"));
}

/// A loopback port nothing listens on (until the test binds it again).
fn free_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

#[test]
fn a_failed_job_is_kept_and_prints_on_retry() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let queue = {
        let seen = Arc::clone(&seen);
        PrintQueue::with_listener(Some(Box::new(move |job: &receipt::JobInfo| {
            seen.lock().unwrap().push(job.state.clone());
        })))
    };
    let addr = free_port();
    let config = network_printer(addr);
    let document = Document::receipt(common::cash_receipt());

    let id = queue.submit(config.clone(), document.clone(), true);
    let job = queue.wait(id, Duration::from_secs(60)).unwrap();
    let JobState::Failed { error } = &job.state else {
        panic!("expected a failure, got {job:?}")
    };
    assert_eq!(error.code, "printer_offline");
    assert_eq!(job.attempts, 1);
    assert_eq!(queue.failed().len(), 1);
    assert_eq!(job.title, "Beleg 42");

    // The printer is switched on; the cashier presses "retry".
    let listener = TcpListener::bind(addr).unwrap();
    let printer = fake_printer(listener);
    queue.retry(id, None).unwrap();
    let job = queue.wait(id, Duration::from_secs(60)).unwrap();
    assert_eq!(job.state, JobState::Done);
    assert_eq!(job.attempts, 2);
    let got = printer.join().unwrap();
    // The retry prints the receipt but does not open the drawer a second time.
    assert_eq!(
        got,
        document_escpos(&document, &config.escpos, false).unwrap()
    );
    assert!(queue.failed().is_empty());
    assert_eq!(
        queue.dismiss(id),
        Err(receipt::queue::QueueError::NotFailed(id))
    );
    assert_eq!(
        queue.retry(id, None),
        Err(receipt::queue::QueueError::NotFailed(id))
    );
    // The listener runs on the print thread: give it the moment it may still need.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while seen.lock().unwrap().len() < 4 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(
        *seen.lock().unwrap(),
        [
            JobState::Printing,
            JobState::Failed {
                error: PrintError::Offline(format!("{addr}")).info()
            },
            JobState::Printing,
            JobState::Done
        ]
    );
}

#[test]
fn a_receipt_that_failed_after_the_sale_is_offered_and_prints_once() {
    let queue = PrintQueue::start();
    let addr = free_port();
    let config = network_printer(addr);
    let document = Document::receipt(common::cash_receipt());

    // After the sale, with the printer off: kept, not offered while it is away.
    let id = queue.submit_unattended(config.clone(), document.clone(), true);
    let job = queue.wait(id, Duration::from_secs(60)).unwrap();
    assert!(matches!(job.state, JobState::Failed { .. }), "{job:?}");
    assert_eq!(queue.missed(false).unprinted, [42]);
    assert!(queue.missed(false).offered.is_empty());
    // A print the cashier waited for and saw fail is not offered later.
    let other = Document::receipt(common::long_receipt());
    let by_hand = queue.submit(config.clone(), other.clone(), false);
    queue.wait(by_hand, Duration::from_secs(60)).unwrap();
    assert_eq!(queue.missed(true).offered, [42]);

    // The printer is back: the cashier prints the offer; a second tap prints nothing.
    let printer = fake_printer(TcpListener::bind(addr).unwrap());
    assert_eq!(queue.print_missed(42, None), Ok(id));
    assert_eq!(
        queue.print_missed(42, None),
        Err(receipt::queue::QueueError::NotMissed(42))
    );
    assert_eq!(
        queue.wait(id, Duration::from_secs(60)).unwrap().state,
        JobState::Done
    );
    assert_eq!(
        printer.join().unwrap(),
        document_escpos(&document, &config.escpos, false).unwrap(),
        "printed once, without opening the drawer again"
    );
    assert_eq!(queue.missed(true), receipt::MissedReceipts::default());
    // The job the cashier started by hand stays a failed job, not an offer.
    assert_eq!(queue.failed().len(), 1);
}

#[test]
fn the_receipt_screens_print_resumes_the_failed_job_and_a_dismissed_one_is_not_offered() {
    let queue = PrintQueue::start();
    let addr = free_port();
    let config = network_printer(addr);
    let first = Document::receipt(common::cash_receipt());
    let second = Document::receipt(common::long_receipt());
    let first_job = queue.submit_unattended(config.clone(), first.clone(), false);
    queue.wait(first_job, Duration::from_secs(60)).unwrap();
    let second_job = queue.submit_unattended(config.clone(), second.clone(), false);
    queue.wait(second_job, Duration::from_secs(60)).unwrap();
    let numbers = |d: &Document| d.customer_receipt_number().unwrap();
    assert_eq!(
        queue.missed(true).offered,
        [numbers(&first), numbers(&second)]
    );

    // "Print again" on the receipt screen of the first: its failed job prints, once.
    let printer = fake_printer(TcpListener::bind(addr).unwrap());
    let resumed = queue.submit_or_resume(config.clone(), first.clone());
    assert_eq!(resumed, first_job);
    assert_eq!(
        queue.wait(resumed, Duration::from_secs(60)).unwrap().state,
        JobState::Done
    );
    printer.join().unwrap();
    // The second is dismissed: not offered again, and a later print is a new job.
    queue.dismiss_missed(numbers(&second)).unwrap();
    assert_eq!(queue.missed(true), receipt::MissedReceipts::default());
    let printer = fake_printer(TcpListener::bind(addr).unwrap());
    let again = queue.submit_or_resume(config.clone(), second.clone());
    assert_ne!(again, second_job);
    assert_eq!(
        queue.wait(again, Duration::from_secs(60)).unwrap().state,
        JobState::Done
    );
    printer.join().unwrap();
}

#[test]
fn a_copy_that_prints_ends_the_offer_of_its_receipt() {
    let queue = PrintQueue::start();
    let addr = free_port();
    let config = network_printer(addr);
    let document = Document::receipt(common::cash_receipt());
    let id = queue.submit_unattended(config.clone(), document.clone(), false);
    queue.wait(id, Duration::from_secs(60)).unwrap();
    let printer = fake_printer(TcpListener::bind(addr).unwrap());
    // A reprint from the journal (a copy) is a job of its own.
    let copy = queue.submit_or_resume(config.clone(), document.into_duplicate());
    assert_ne!(copy, id);
    assert_eq!(
        queue.wait(copy, Duration::from_secs(60)).unwrap().state,
        JobState::Done
    );
    printer.join().unwrap();
    assert_eq!(queue.missed(true), receipt::MissedReceipts::default());
    assert_eq!(
        queue.print_missed(42, None),
        Err(receipt::queue::QueueError::NotMissed(42))
    );
}

#[test]
fn reprint_from_the_stored_journal_entry_is_marked_duplicate() {
    let queue = PrintQueue::start();
    let receipt = common::cash_receipt();
    // The body of the journal's customer receipt entry.
    let stored = serde_json::json!({
        "document": receipt,
        "text": receipt::render_text(&receipt, 42),
    });
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let config = network_printer(listener.local_addr().unwrap());
    let printer = fake_printer(listener);
    let id = queue.reprint(config, &stored).unwrap();
    let job = queue.wait(id, Duration::from_secs(60)).unwrap();
    assert_eq!(job.state, JobState::Done);
    let got = printer.join().unwrap();
    assert!(find(&got, b"*** DUPLIKAT ***\n").is_some());
    assert!(find(&got, b"SUMME EUR").is_some());
    assert!(
        find(&got, &[0x1B, b'p']).is_none(),
        "no drawer kick on a reprint"
    );

    assert!(matches!(
        queue.reprint(
            network_printer(free_port()),
            &serde_json::json!({"document": 5})
        ),
        Err(receipt::queue::QueueError::BadDocument(_))
    ));
}

#[test]
fn jobs_queue_up_behind_each_other() {
    let queue = PrintQueue::start();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let config = network_printer(listener.local_addr().unwrap());
    let printer = std::thread::spawn(move || {
        let mut all = Vec::new();
        for _ in 0..3 {
            let (mut conn, _) = listener.accept().unwrap();
            conn.set_read_timeout(Some(Duration::from_secs(30)))
                .unwrap();
            let mut got = Vec::new();
            conn.read_to_end(&mut got).unwrap();
            all.push(got);
        }
        all
    });
    let ids: Vec<_> = [
        Document::receipt(common::cash_receipt()),
        Document::MerchantCopy(common::merchant_copy()),
        Document::ZReport(common::z_report()),
    ]
    .into_iter()
    .map(|doc| queue.submit(config.clone(), doc, false))
    .collect();
    for id in &ids {
        assert_eq!(
            queue.wait(*id, Duration::from_secs(60)).unwrap().state,
            JobState::Done
        );
    }
    let all = printer.join().unwrap();
    assert!(find(&all[0], b"Beleg 42").is_some());
    assert!(find(&all[1], b"H\x84ndlerbeleg").is_some());
    assert!(find(&all[2], b"Z-Bericht Nr. 17").is_some());
    assert_eq!(queue.jobs().len(), 3);
}

#[test]
fn a_failed_job_can_be_dismissed() {
    let queue = PrintQueue::start();
    let id = queue.submit(
        network_printer(free_port()),
        Document::receipt(common::cash_receipt()),
        false,
    );
    let job = queue.wait(id, Duration::from_secs(60)).unwrap();
    assert!(matches!(job.state, JobState::Failed { .. }));
    queue.dismiss(id).unwrap();
    assert!(queue.job(id).is_none() && queue.failed().is_empty());
    assert_eq!(
        queue.dismiss(id),
        Err(receipt::queue::QueueError::UnknownJob(id))
    );
}

#[test]
fn the_drawer_opens_alone_with_the_full_kick() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let config = network_printer(listener.local_addr().unwrap());
    let printer = fake_printer(listener);
    config.open_drawer().unwrap();
    assert_eq!(
        printer.join().unwrap(),
        [0x1B, b'@', 0x1B, b'p', 0, 25, 250]
    );
}

#[test]
fn check_tells_ready_paper_out_and_unreachable_apart() {
    // A printer that answers DLE EOT: paper out.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let config = network_printer(listener.local_addr().unwrap());
    let printer = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        for answer in [0x1Au8, 0x32, 0x72] {
            let mut request = [0u8; 3];
            conn.read_exact(&mut request).unwrap();
            conn.write_all(&[answer]).unwrap();
        }
    });
    assert_eq!(
        config.check(Duration::from_secs(10)),
        Err(PrintError::PaperOut)
    );
    printer.join().unwrap();

    // One that takes the connection but never answers a status request: ready.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let config = network_printer(listener.local_addr().unwrap());
    let silent = fake_printer(listener);
    assert_eq!(config.check(Duration::from_millis(300)), Ok(()));
    assert_eq!(silent.join().unwrap(), [0x10, 0x04, 1]);

    // Nobody listens any more: offline.
    let addr = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let err = network_printer(addr)
        .check(Duration::from_secs(2))
        .unwrap_err();
    assert_eq!(err.code(), "printer_offline");
}
