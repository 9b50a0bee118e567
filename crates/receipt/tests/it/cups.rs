//! A real CUPS scheduler (started by `scripts/cups-test-setup.sh`) receives a PDF
//! job on the cups-pdf queue `PDF` and a raw ESC/POS job on the queue `THERMAL`,
//! which forwards to a listener of this test on 127.0.0.1:19100.
//! Skipped, with a message, where the CUPS client tools are not installed;
//! ignored on Windows and macOS, whose CI runners have no such queues.

use crate::common;

use std::io::Read;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use receipt::escpos::document_escpos;
use receipt::printer::{os_printers, Connection, OsFormat};
use receipt::{Document, PrintError, PrinterConfig};

static CUPS: Mutex<()> = Mutex::new(());

/// `None` (skip) when `lpstat` is not installed; a failure when it is but the
/// scheduler is not running, since then the setup step is missing.
fn cups() -> Option<std::sync::MutexGuard<'static, ()>> {
    let Ok(out) = Command::new("lpstat").arg("-r").output() else {
        eprintln!("SKIPPED: lpstat not found; install cups, cups-client, printer-driver-cups-pdf and run scripts/cups-test-setup.sh as root");
        return None;
    };
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("scheduler is running"),
        "CUPS is installed but not running ({said:?}): run scripts/cups-test-setup.sh as root first"
    );
    Some(CUPS.lock().unwrap_or_else(|e| e.into_inner()))
}

fn os_printer(queue: &str, format: OsFormat) -> PrinterConfig {
    PrinterConfig {
        name: queue.into(),
        connection: Connection::Os {
            queue: queue.into(),
            format,
        },
        escpos: Default::default(),
        check_status: false,
        timeout_ms: 10_000,
    }
}

/// A receipt number no earlier run used, so the job can be told apart.
fn unique_number() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    (nanos % 1_000_000_000) as u64 * 10 + (std::process::id() as u64 % 10)
}

/// Where cups-pdf puts the jobs of this user (`Out` in cups-pdf.conf).
fn cups_pdf_dir() -> PathBuf {
    // cups-pdf takes the home directory from the password database, not $HOME.
    let uid = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|v| v.split_whitespace().next().map(str::to_string))
        })
        .unwrap_or_else(|| "0".into());
    let entry = std::fs::read_to_string("/etc/passwd")
        .ok()
        .and_then(|passwd| {
            passwd
                .lines()
                .map(|l| l.split(':').map(str::to_string).collect::<Vec<_>>())
                .find(|f| f.len() > 5 && f[2] == uid)
        });
    let (user, home) = match entry {
        Some(f) => (f[0].clone(), f[5].clone()),
        None => (
            std::env::var("USER").unwrap_or_else(|_| "root".into()),
            std::env::var("HOME").unwrap_or_else(|_| "/root".into()),
        ),
    };
    let out = std::fs::read_to_string("/etc/cups/cups-pdf.conf")
        .ok()
        .and_then(|conf| {
            conf.lines()
                .find_map(|l| l.strip_prefix("Out ").map(|v| v.trim().to_string()))
        })
        .unwrap_or_else(|| "${HOME}/PDF".into());
    PathBuf::from(out.replace("${HOME}", &home).replace("${USER}", &user))
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "needs the CUPS test queues of scripts/cups-test-setup.sh (Linux)"
)]
fn lists_the_os_printers() {
    let Some(_guard) = cups() else { return };
    let names: Vec<String> = os_printers().into_iter().map(|p| p.name).collect();
    assert!(names.iter().any(|n| n == "PDF"), "{names:?}");
    assert!(names.iter().any(|n| n == "THERMAL"), "{names:?}");
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "needs the CUPS test queues of scripts/cups-test-setup.sh (Linux)"
)]
fn office_printer_gets_a_pdf() {
    let Some(_guard) = cups() else { return };
    let mut receipt = common::long_receipt();
    receipt.receipt_number = unique_number();
    let number = receipt.receipt_number.to_string();
    let config = os_printer("PDF", OsFormat::Pdf);
    config.print(&Document::receipt(receipt), false).unwrap();

    // cups-pdf writes asynchronously: poll for the file named after the job.
    let dir = cups_pdf_dir();
    let deadline = Instant::now() + Duration::from_secs(120);
    let file = loop {
        let found = std::fs::read_dir(&dir).ok().and_then(|entries| {
            entries.filter_map(Result::ok).map(|e| e.path()).find(|p| {
                p.to_string_lossy().contains(&number) && p.extension().is_some_and(|e| e == "pdf")
            })
        });
        if let Some(path) = found {
            // Wait until cups-pdf has finished writing it.
            let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            std::thread::sleep(Duration::from_millis(300));
            if size > 0 && size == std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) {
                break path;
            }
        }
        assert!(
            Instant::now() < deadline,
            "no PDF for job {number} in {}",
            dir.display()
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    // cups-pdf runs the job through PostScript and Ghostscript, which turns the
    // embedded font into Type 3 glyphs without a text mapping, so the content is
    // checked as a picture: one page with a receipt's worth of ink on it.
    let info = Command::new("pdfinfo").arg(&file).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(
        info.lines()
            .any(|l| l.starts_with("Pages:") && l.trim_end().ends_with(" 1")),
        "{info}"
    );
    let ink = ink_fraction(&file);
    assert!(ink > 0.005 && ink < 0.2, "ink on the page: {ink}");
    let _ = std::fs::remove_file(&file);
}

/// The share of dark pixels of the first page, from a greyscale raster.
fn ink_fraction(pdf: &std::path::Path) -> f64 {
    let out = Command::new("pdftoppm")
        .args(["-gray", "-r", "50", "-f", "1", "-l", "1"])
        .arg(pdf)
        .output()
        .expect("pdftoppm (poppler-utils)");
    let pgm = out.stdout;
    // Binary PGM: "P5\n<w> <h>\n<max>\n" then one byte per pixel.
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while pgm[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !pgm[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&pgm[start..at]).to_string());
    }
    assert_eq!(fields[0], "P5");
    let pixels = &pgm[at + 1..];
    let dark = pixels.iter().filter(|&&p| p < 128).count();
    dark as f64 / pixels.len() as f64
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "needs the CUPS test queues of scripts/cups-test-setup.sh (Linux)"
)]
fn thermal_queue_passes_raw_escpos_through() {
    let Some(_guard) = cups() else { return };
    let port: u16 = std::env::var("RECEIPT_THERMAL_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(19_100);
    // Jobs of an earlier, interrupted run would arrive first.
    let _ = Command::new("cancel").args(["-a", "THERMAL"]).status();
    let listener =
        TcpListener::bind(("127.0.0.1", port)).expect("the THERMAL queue's port is free");

    let mut receipt = common::card_receipt();
    receipt.receipt_number = unique_number();
    let number = receipt.receipt_number;
    let document = Document::receipt(receipt);
    let config = os_printer("THERMAL", OsFormat::EscPos);
    let expected = document_escpos(&document, &config.escpos, true).unwrap();
    config.print(&document, true).unwrap();

    // The socket backend connects, sends the job unfiltered and closes.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || loop {
        let (mut conn, _) = listener.accept().unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        let mut got = Vec::new();
        let _ = conn.read_to_end(&mut got);
        if tx.send(got).is_err() {
            return;
        }
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let got = rx
            .recv_timeout(left)
            .expect("CUPS delivered the raw job to the printer port");
        if got == expected {
            break;
        }
        // An older job is skipped; ours must arrive byte for byte.
        let ours = format!("Beleg {number}");
        assert!(
            !got.windows(ours.len()).any(|w| w == ours.as_bytes()),
            "the job arrived altered ({} bytes, expected {})",
            got.len(),
            expected.len()
        );
    }
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "needs the CUPS test queues of scripts/cups-test-setup.sh (Linux)"
)]
fn unknown_queue_is_not_found() {
    let Some(_guard) = cups() else { return };
    let err = os_printer("NO_SUCH_QUEUE", OsFormat::Pdf)
        .print(&Document::receipt(common::cash_receipt()), false)
        .unwrap_err();
    assert_eq!(err, PrintError::NotFound("NO_SUCH_QUEUE".into()));
}
