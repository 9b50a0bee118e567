//! Printing through real transports: a TCP listener as a network printer,
//! a pty as a serial one, the CUPS queues of scripts/cups-test-setup.sh.

use std::io::Read;
use std::net::TcpListener;
use std::time::Instant;

use super::*;
use crate::error::ErrorCode;
use crate::settings::PrinterTransport;
use receipt::CodePage;

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

fn network(addr: std::net::SocketAddr, drawer: bool) -> PrinterConfig {
    PrinterConfig {
        id: "bon".into(),
        name: "Bondrucker".into(),
        transport: PrinterTransport::Network {
            host: addr.ip().to_string(),
            port: addr.port(),
        },
        kind: PrinterKind::Thermal,
        code_page: "cp858".into(),
        width: 42,
        drawer,
    }
}

fn settings_with(printer: PrinterConfig) -> Settings {
    Settings {
        receipt_printer_id: Some(printer.id.clone()),
        printers: vec![printer],
        ..Settings::default()
    }
}

fn sale_receipt() -> Document {
    Document::receipt(receipt::Receipt {
        shop: receipt::ShopHeader {
            name: "Bäckerei Müller".into(),
            address_lines: vec!["Hauptstraße 1".into()],
            vat_id: None,
            footer: None,
        },
        till_id: "KASSE-1".into(),
        receipt_number: 7,
        issued_at: "22.11.2026 09:15".into(),
        lines: vec![receipt::ReceiptLine {
            quantity: 2,
            text: "Brötchen".into(),
            unit_price_cents: 45,
            total_cents: 90,
            vat_mark: 'B',
            discounts: vec![],
        }],
        total_cents: 90,
        vat: vec![],
        payments: vec![],
        transaction_id: None,
        provider_lines: vec![],
        demo: false,
        tse: None,
        served_by: None,
    })
}

fn contains(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Accepts connections until one brings an ESC/POS job; returns its bytes.
fn printer_job(listener: TcpListener) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || loop {
        let (mut conn, _) = listener.accept().unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let mut got = Vec::new();
        let _ = conn.read_to_end(&mut got);
        // The status check's bare DLE EOT is not a job.
        if contains(&got, &[0x1B, b'@']).is_some() {
            return got;
        }
    })
}

fn wait_for_state(inner: &Inner, state: PrinterState) -> PrinterStatus {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let status = bar_status_of(inner);
        if status.state == state || Instant::now() > deadline {
            return status;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_cash_sale_receipt_reaches_the_network_printer_with_the_drawer_kick() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let printing = Printing::new(&settings_with(network(
        listener.local_addr().unwrap(),
        true,
    )));
    let job = printer_job(listener);
    printing.after_sale(sale_receipt(), true);
    let got = job.join().unwrap();
    let kick = contains(&got, &[0x1B, b'p', 0, 25, 250]).expect("drawer kick sent");
    // "Bäckerei" in CP858: ä is 0x84.
    let shop = contains(&got, b"B\x84ckerei M\x81ller").expect("shop name in CP858");
    assert!(kick < shop, "the drawer opens while the receipt prints");
    assert!(contains(&got, b"0,90").is_some(), "the total is printed");
    assert_eq!(
        wait_for_state(&printing.inner, PrinterState::Ready).state,
        PrinterState::Ready
    );
}

#[test]
fn a_card_sale_and_a_reprint_leave_the_drawer_shut_and_the_copy_is_marked() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let printing = Printing::new(&settings_with(network(
        listener.local_addr().unwrap(),
        true,
    )));
    let job = printer_job(listener);
    block_on(printing.print(sale_receipt().into_duplicate())).expect("printed");
    let got = job.join().unwrap();
    assert!(contains(&got, &[0x1B, b'p']).is_none(), "no drawer kick");
    assert!(contains(&got, b"*** DUPLIKAT ***").is_some());
}

#[test]
fn an_unplugged_printer_is_offline_and_printing_says_so_in_words() {
    let addr = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let printing = Printing::new(&settings_with(network(addr, true)));
    // Queued after a sale: nothing to wait for, nothing fails.
    printing.after_sale(sale_receipt(), true);
    let err = block_on(printing.print(sale_receipt())).unwrap_err();
    assert_eq!(err.code, ErrorCode::PrinterOffline);
    assert!(
        err.message.contains("Bondrucker") && err.message.contains("gespeichert"),
        "{}",
        err.message
    );
    let status = wait_for_state(&printing.inner, PrinterState::Offline);
    assert_eq!(status.state, PrinterState::Offline);
    assert_eq!(status.name.as_deref(), Some("Bondrucker"));
    // The status check finds it unplugged too.
    check(&printing.inner);
    assert_eq!(bar_status_of(&printing.inner).state, PrinterState::Offline);
}

#[test]
fn without_a_receipt_printer_there_is_no_printer() {
    let printing = Printing::new(&Settings::default());
    printing.after_sale(sale_receipt(), true);
    let err = block_on(printing.print(sale_receipt())).unwrap_err();
    assert_eq!(err.code, ErrorCode::NoPrinter);
    assert_eq!(bar_status_of(&printing.inner).state, PrinterState::None);
}

#[test]
fn a_paper_out_answer_shows_in_the_status_bar() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let printing = Printing::new(&settings_with(network(
        listener.local_addr().unwrap(),
        true,
    )));
    let answers = std::thread::spawn(move || {
        use std::io::Write;
        let (mut conn, _) = listener.accept().unwrap();
        for answer in [0x1Au8, 0x32, 0x72] {
            let mut request = [0u8; 3];
            conn.read_exact(&mut request).unwrap();
            conn.write_all(&[answer]).unwrap();
        }
    });
    check(&printing.inner);
    answers.join().unwrap();
    let status = bar_status_of(&printing.inner);
    assert_eq!(status.state, PrinterState::PaperOut);
    // The UI reads the state by these words.
    let json = serde_json::to_value(&status).unwrap();
    assert_eq!(json["state"], "paper_out");
    assert!(status.message.unwrap().contains("Papier leer"));
}

#[test]
fn the_printer_states_keep_the_words_the_ui_reads() {
    let words = [
        (PrinterState::None, "none"),
        (PrinterState::Ready, "ready"),
        (PrinterState::Offline, "offline"),
        (PrinterState::PaperOut, "paper_out"),
        (PrinterState::Error, "error"),
    ];
    for (state, word) in words {
        assert_eq!(serde_json::to_value(state).unwrap(), word);
    }
    // Every state the printing codes lead to is one of them.
    assert_eq!(state_of_code("printer_paper_out"), PrinterState::PaperOut);
    assert_eq!(state_of_code("printer_timeout"), PrinterState::Offline);
    assert_eq!(state_of_code("receipt_render"), PrinterState::Error);
}

#[cfg(unix)]
#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "a pty stands in for the port on Linux only: macOS ptys refuse a baud rate"
)]
fn the_test_page_goes_out_on_a_serial_port() {
    use serialport::SerialPort;
    let (mut master, slave) = serialport::TTYPort::pair().expect("pty pair");
    master.set_timeout(Duration::from_millis(100)).unwrap();
    let path = slave.name().expect("slave path");
    let printer = validated(PrinterConfig {
        id: "seriell".into(),
        name: "Seriell".into(),
        transport: PrinterTransport::Serial {
            port: path,
            baud: 38400,
        },
        kind: PrinterKind::Thermal,
        code_page: "CP858".into(),
        width: 32,
        drawer: false,
    })
    .expect("a pty is a serial port");
    let job = std::thread::spawn(move || block_on(test_print(&printer)));
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    while contains(&got, &[0x1D, b'V']).is_none() && Instant::now() < deadline {
        match master.read(&mut buf) {
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(e) => panic!("reading the pty: {e}"),
        }
    }
    job.join().unwrap().expect("test page printed");
    assert!(contains(&got, b"Testdruck").is_some());
    // 32 columns: the ruler ends at 2 (32 % 10) and is not longer.
    assert!(contains(&got, b"12345678901234567890123456789012\n").is_some());
    drop(slave);
}

/// An office printer behind a real CUPS queue (`PDF`, cups-pdf, from
/// scripts/cups-test-setup.sh) gets the test page as a PDF job. Skipped only
/// where the CUPS client tools are not installed.
#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "needs the CUPS test queues of scripts/cups-test-setup.sh (Linux)"
)]
fn an_office_printer_on_cups_gets_the_test_page() {
    let Ok(out) = std::process::Command::new("lpstat").arg("-r").output() else {
        eprintln!("SKIPPED: lpstat not found; install cups and printer-driver-cups-pdf and run scripts/cups-test-setup.sh");
        return;
    };
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("scheduler is running"),
        "CUPS is installed but not running ({said:?}): run scripts/cups-test-setup.sh as root first"
    );
    let unique = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
        % 1_000_000_000;
    let printer = validated(PrinterConfig {
        id: "buero".into(),
        name: format!("Buero {unique}"),
        transport: PrinterTransport::Os {
            queue: "PDF".into(),
        },
        kind: PrinterKind::Office,
        code_page: "cp858".into(),
        width: 42,
        drawer: false,
    })
    .unwrap();
    assert_eq!(known_device(&printer, false), Ok(()));
    let mut unknown = printer.clone();
    unknown.transport = PrinterTransport::Os {
        queue: "NoSuchQueue".into(),
    };
    let e = known_device(&unknown, false).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidSettings);
    assert!(e.message.contains("NoSuchQueue"));
    block_on(test_print(&printer)).expect("handed to CUPS");
    // cups-pdf writes into `Out` of cups-pdf.conf (${HOME}/PDF by default), named after the title.
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    let dir = std::fs::read_to_string("/etc/cups/cups-pdf.conf")
        .ok()
        .and_then(|c| {
            c.lines()
                .find_map(|l| l.strip_prefix("Out ").map(|v| v.trim().to_string()))
        })
        .unwrap_or_else(|| "${HOME}/PDF".into())
        .replace("${HOME}", &home);
    let deadline = Instant::now() + Duration::from_secs(120);
    let needle = unique.to_string();
    loop {
        let found = std::fs::read_dir(&dir).ok().and_then(|entries| {
            entries.filter_map(Result::ok).map(|e| e.path()).find(|p| {
                p.to_string_lossy().contains(&needle)
                    && p.extension().is_some_and(|e| e == "pdf")
                    && std::fs::metadata(p).is_ok_and(|m| m.len() > 1000)
            })
        });
        if let Some(path) = found {
            let head = std::fs::read(&path).unwrap();
            assert!(head.starts_with(b"%PDF"), "{} is a PDF", path.display());
            let _ = std::fs::remove_file(path);
            break;
        }
        assert!(Instant::now() < deadline, "no PDF for {needle} in {dir}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn the_till_connects_only_to_printers_in_the_shops_network_unless_confirmed() {
    let at = |host: &str| network_at(host, 9100);
    for local in [
        "192.168.1.50",
        "10.0.0.7",
        "172.16.4.2",
        "169.254.10.10",
        "127.0.0.1",
        "::1",
        "fd00::5",
        "fe80::1",
    ] {
        assert_eq!(known_device(&at(local), false), Ok(()), "{local}");
    }
    for public in ["8.8.8.8", "172.32.0.1", "100.64.0.1", "2001:db8::1"] {
        let e = known_device(&at(public), false).unwrap_err();
        assert_eq!(e.code, ErrorCode::PrinterAddressPublic, "{public}");
        assert_eq!(
            known_device(&at(public), true),
            Ok(()),
            "{public} confirmed"
        );
    }
}

#[test]
fn a_serial_printer_is_one_of_the_ports_this_till_has() {
    let mut p = network_at("127.0.0.1", 9100);
    for port in ["/dev/sda", "/dev/mem", "/etc/passwd", "COM999"] {
        p.transport = PrinterTransport::Serial {
            port: port.into(),
            baud: 9600,
        };
        let e = known_device(&p, true).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidSettings, "{port}");
        assert!(e.message.contains("no serial port"), "{}", e.message);
    }
}

fn network_at(host: &str, port: u16) -> PrinterConfig {
    PrinterConfig {
        id: "net".into(),
        name: "Netz".into(),
        transport: PrinterTransport::Network {
            host: host.into(),
            port,
        },
        kind: PrinterKind::Thermal,
        code_page: "CP858".into(),
        width: 42,
        drawer: false,
    }
}

#[test]
fn printer_settings_are_checked_in_words() {
    let good = network("192.168.1.50:9100".parse().unwrap(), true);
    assert_eq!(validated(good.clone()).unwrap(), good);
    let with = |f: &dyn Fn(&mut PrinterConfig)| {
        let mut p = good.clone();
        f(&mut p);
        validated(p)
    };
    let refused: Vec<(&str, CommandError)> = vec![
        ("width", with(&|p| p.width = 40).unwrap_err()),
        (
            "code page",
            with(&|p| p.code_page = "utf8".into()).unwrap_err(),
        ),
        ("name", with(&|p| p.name = "  ".into()).unwrap_err()),
        (
            "host",
            with(&|p| {
                p.transport = PrinterTransport::Network {
                    host: "drucker kasse".into(),
                    port: 9100,
                }
            })
            .unwrap_err(),
        ),
        (
            "port",
            with(&|p| {
                p.transport = PrinterTransport::Network {
                    host: "bon.local".into(),
                    port: 0,
                }
            })
            .unwrap_err(),
        ),
        (
            "serial port",
            with(&|p| {
                p.transport = PrinterTransport::Serial {
                    port: "ttyUSB0".into(),
                    baud: 9600,
                }
            })
            .unwrap_err(),
        ),
        (
            "baud",
            with(&|p| {
                p.transport = PrinterTransport::Serial {
                    port: "/dev/ttyUSB0".into(),
                    baud: 12345,
                }
            })
            .unwrap_err(),
        ),
        (
            "office on the network",
            with(&|p| p.kind = PrinterKind::Office).unwrap_err(),
        ),
        (
            "office with a drawer",
            with(&|p| {
                p.kind = PrinterKind::Office;
                p.transport = PrinterTransport::Os {
                    queue: "Büro".into(),
                };
            })
            .unwrap_err(),
        ),
    ];
    for (what, e) in refused {
        assert_eq!(e.code, ErrorCode::InvalidSettings, "{what}");
        assert!(e.message.ends_with('.'), "{what}: {}", e.message);
    }
    let com = with(&|p| {
        p.transport = PrinterTransport::Serial {
            port: " COM3 ".into(),
            baud: 19200,
        }
    })
    .unwrap();
    assert_eq!(
        com.transport,
        PrinterTransport::Serial {
            port: "COM3".into(),
            baud: 19200
        }
    );
    let device = device(&com).unwrap();
    assert_eq!(device.escpos.code_page, CodePage::Pc858);
    assert_eq!(device.escpos.columns, 42);
}

/// Polls the status bar's view until `done` holds (or 30 s pass).
fn wait_for_missed(
    printing: &Printing,
    done: impl Fn(&receipt::MissedReceipts) -> bool,
) -> receipt::MissedReceipts {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let missed = printing.bar_status().missed;
        if done(&missed) || Instant::now() > deadline {
            return missed;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_receipt_that_did_not_print_is_still_offered_after_a_restart_and_printed_once() {
    let dir = tempfile::tempdir().unwrap();
    let file = || {
        crate::settings::SettingsFile::new(std::sync::Arc::new(
            crate::settings::JsonFileStore::new(dir.path().join("settings.json")),
        ))
    };
    let unplugged = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let printing = Printing::new(&settings_with(network(unplugged, false)));
    printing.keep_missed_in(file());
    printing.after_sale(sale_receipt(), false);
    let missed = wait_for_missed(&printing, |m| m.unprinted == [7]);
    assert_eq!(missed.unprinted, [7], "the failed receipt is known");
    // The till crashes: its queue's memory is gone, the settings file is not.
    drop(printing);

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let printing = Printing::new(&settings_with(network(
        listener.local_addr().unwrap(),
        false,
    )));
    assert!(printing.bar_status().missed.unprinted.is_empty());
    printing.keep_missed_in(file());
    let missed = printing.bar_status().missed;
    assert_eq!(
        (missed.unprinted.as_slice(), missed.offered.as_slice()),
        (&[7][..], &[7][..])
    );
    let job = printer_job(listener);
    block_on(printing.print_missed(7)).expect("printed");
    let got = job.join().unwrap();
    assert!(contains(&got, b"B\x84ckerei M\x81ller").is_some());
    assert!(contains(&got, b"0,90").is_some());
    // Printed: not offered again, in this run nor after the next restart.
    assert!(printing.bar_status().missed.unprinted.is_empty());
    let e = block_on(printing.print_missed(7)).unwrap_err();
    assert_eq!(e.code, ErrorCode::AlreadyPrinted);
    drop(printing);
    let printing = Printing::new(&Settings::default());
    printing.keep_missed_in(file());
    assert!(printing.bar_status().missed.unprinted.is_empty());

    // One dismissed after a restart is not offered again either.
    let printing = Printing::new(&settings_with(network(unplugged, false)));
    printing.keep_missed_in(file());
    printing.after_sale(sale_receipt(), false);
    wait_for_missed(&printing, |m| m.unprinted == [7]);
    drop(printing);
    let printing = Printing::new(&settings_with(network(unplugged, false)));
    printing.keep_missed_in(file());
    assert_eq!(printing.bar_status().missed.unprinted, [7]);
    printing.dismiss_missed(7).unwrap();
    assert!(printing.bar_status().missed.unprinted.is_empty());
    let printing = Printing::new(&settings_with(network(unplugged, false)));
    printing.keep_missed_in(file());
    assert!(printing.bar_status().missed.unprinted.is_empty());
}
