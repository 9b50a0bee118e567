//! A pty pair stands in for a serial receipt printer: the till opens the slave
//! side by its path like a real port, the test reads (and answers) on the master.
//! The tests hold one lock, so that only one pty conversation runs at a time.
//! Unix only (the pty pair); on macOS the pty tests are ignored, since a
//! macOS pty refuses to be set to a baud rate (serialport's `TTYPort` docs).

#![cfg(unix)]

use crate::common;

use std::io::{Read, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use receipt::escpos::document_escpos;
use receipt::printer::{Connection, FlowControl};
use receipt::{Document, PrintError, PrinterConfig};
use serialport::{SerialPort, TTYPort};

static PTY: Mutex<()> = Mutex::new(());

fn lock() -> std::sync::MutexGuard<'static, ()> {
    PTY.lock().unwrap_or_else(|e| e.into_inner())
}

/// Master and slave of a fresh pty; the slave stays open for the test's length
/// so that the master keeps reading while the till opens and closes its side.
fn pty() -> (TTYPort, TTYPort, String) {
    let (mut master, slave) = TTYPort::pair().expect("pty pair");
    master.set_timeout(Duration::from_millis(100)).unwrap();
    let path = slave.name().expect("slave path");
    (master, slave, path)
}

fn printer(path: &str, check_status: bool) -> PrinterConfig {
    PrinterConfig {
        name: "Bondrucker seriell".into(),
        connection: Connection::Serial {
            path: path.into(),
            baud_rate: 38_400,
            flow_control: FlowControl::None,
        },
        escpos: Default::default(),
        check_status,
        timeout_ms: 5_000,
    }
}

/// Reads until `len` bytes arrived or 30 s passed.
fn read_exact_len(master: &mut TTYPort, len: usize) -> Vec<u8> {
    read_within(master, len, Duration::from_secs(30))
}

/// What else arrives within `window` (for "nothing more was sent").
fn read_rest(master: &mut TTYPort, window: Duration) -> Vec<u8> {
    read_within(master, usize::MAX, window)
}

fn read_within(master: &mut TTYPort, len: usize, window: Duration) -> Vec<u8> {
    let deadline = Instant::now() + window;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while got.len() < len && Instant::now() < deadline {
        match master.read(&mut buf) {
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(e) => panic!("reading the master: {e}"),
        }
    }
    got
}

/// Plays the printer's side of the status conversation: answers each `DLE EOT n`.
fn answer_status(master: &mut TTYPort, printer: u8, cause: u8, paper: u8) {
    for (n, answer) in [(1u8, printer), (2, cause), (4, paper)] {
        let request = read_exact_len(master, 3);
        assert_eq!(request, [0x10, 0x04, n], "DLE EOT {n} expected");
        master.write_all(&[answer]).unwrap();
        master.flush().unwrap();
    }
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "a pty stands in for the port on Linux only: macOS ptys refuse a baud rate"
)]
fn receipt_bytes_arrive_on_the_other_side_of_the_port() {
    let _guard = lock();
    let (mut master, _slave, path) = pty();
    let config = printer(&path, false);
    let document = Document::receipt(common::card_receipt());
    let expected = document_escpos(&document, &config.escpos, true).unwrap();

    let till = std::thread::spawn(move || config.print(&document, true));
    let got = read_exact_len(&mut master, expected.len());
    till.join().unwrap().expect("print over the serial port");
    assert_eq!(got.len(), expected.len());
    assert!(
        got == expected,
        "bytes on the wire differ from the rendering"
    );
    // Nothing more follows (no echo, no newline translation).
    assert!(read_rest(&mut master, Duration::from_millis(500)).is_empty());
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "a pty stands in for the port on Linux only: macOS ptys refuse a baud rate"
)]
fn status_round_trip_reports_paper_out() {
    let _guard = lock();
    let (mut master, _slave, path) = pty();
    let config = printer(&path, false);
    let till = std::thread::spawn(move || config.status());
    // Offline (bit 3), paper end stop (bit 5 of cause), roll paper end (bits 5, 6).
    answer_status(&mut master, 0x1A, 0x32, 0x72);
    let status = till.join().unwrap().expect("status answered");
    assert!(status.paper_out && !status.online && !status.cover_open);
    assert_eq!(status.ready(), Err(PrintError::PaperOut));
    assert_eq!(
        PrintError::PaperOut.message(),
        "Papier leer. Bitte eine neue Rolle einlegen."
    );
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "a pty stands in for the port on Linux only: macOS ptys refuse a baud rate"
)]
fn a_job_checks_the_status_first_and_keeps_the_receipt_back_when_paper_is_out() {
    let _guard = lock();
    let (mut master, _slave, path) = pty();
    let config = printer(&path, true);
    let document = Document::receipt(common::cash_receipt());

    let job = {
        let (config, document) = (config.clone(), document.clone());
        std::thread::spawn(move || config.print(&document, false))
    };
    answer_status(&mut master, 0x1A, 0x32, 0x72);
    assert_eq!(job.join().unwrap(), Err(PrintError::PaperOut));
    assert!(
        read_rest(&mut master, Duration::from_millis(500)).is_empty(),
        "nothing printed"
    );

    // New roll: the status is fine and the receipt follows on the same port.
    let expected = document_escpos(&document, &config.escpos, false).unwrap();
    let job = std::thread::spawn(move || config.print(&document, false));
    answer_status(&mut master, 0x12, 0x12, 0x12);
    let got = read_exact_len(&mut master, expected.len());
    job.join()
        .unwrap()
        .expect("printed after the paper was changed");
    assert!(got == expected);
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "a pty stands in for the port on Linux only: macOS ptys refuse a baud rate"
)]
fn a_printer_that_does_not_answer_is_reported() {
    let _guard = lock();
    let (_master, _slave, path) = pty();
    let mut config = printer(&path, false);
    config.timeout_ms = 300;
    let started = Instant::now();
    assert_eq!(config.status(), Err(PrintError::NoStatus));
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn a_missing_port_is_not_found() {
    let config = printer("/dev/does-not-exist-receipt-printer", false);
    let err = config
        .print(&Document::receipt(common::cash_receipt()), false)
        .unwrap_err();
    assert_eq!(
        err,
        PrintError::NotFound("/dev/does-not-exist-receipt-printer".into())
    );
    assert_eq!(err.code(), "printer_not_found");
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "a pty stands in for the port on Linux only: macOS ptys refuse a baud rate"
)]
fn the_test_page_and_the_drawer_kick_go_out_on_the_port() {
    let _guard = lock();
    let (mut master, _slave, path) = pty();
    let config = printer(&path, false);
    let page = receipt::test_page::test_page("Bondrucker seriell", receipt::CodePage::Pc858, 42);
    let expected = receipt::escpos::render_escpos(&page, &config.escpos, false).unwrap();
    let till = {
        let config = config.clone();
        std::thread::spawn(move || config.print_layout(&page, "Testdruck"))
    };
    let got = read_exact_len(&mut master, expected.len());
    till.join().unwrap().expect("test page printed");
    assert!(got == expected);
    // PC858: ä is 0x84, € is 0xD5; never raw UTF-8.
    assert!(got.windows(2).any(|w| w == [b' ', 0x84]));
    assert!(got.contains(&0xD5));
    assert!(!got.windows(3).any(|w| w == "€".as_bytes()));

    let kick = std::thread::spawn(move || config.open_drawer());
    let got = read_exact_len(&mut master, 7);
    kick.join().unwrap().expect("drawer opened");
    assert_eq!(got, [0x1B, b'@', 0x1B, b'p', 0, 25, 250]);
    assert!(printer(&path, false).check(Duration::from_secs(1)).is_ok());
    assert_eq!(
        printer("/dev/does-not-exist-receipt-printer", false).check(Duration::from_secs(1)),
        Err(PrintError::NotFound(
            "/dev/does-not-exist-receipt-printer".into()
        ))
    );
}
