//! The TSE of a real till outside demo mode, through the app's commands:
//! the guided setup against `fiskaly-sandbox` on loopback, the sales signed
//! afterwards (and after a restart), the data sheet on paper and as PDF; and
//! `receipt-pdf` from a real journal, read back with `pdftotext`.
//!
//! One test sets `SMART_TILL_PROVIDER_URL` and `SMART_TILL_TSE_URL` for this
//! test binary (the debug-only overrides); the other runs in demo mode, where
//! neither applies.

mod common;

use std::io::Read;
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use common::basket;
use till::Cents;
use till_app::commands::{journal, printers, sale, status, tse};
use till_app::documents::{receipt_pdf_from_journal, ReceiptPdfError};
use till_app::secrets::{MemorySecrets, SecretKind, SecretStore};
use till_app::settings::{
    AuthMode, ConnectionSettings, Environment, MemoryStore, PrinterConfig, PrinterKind,
    PrinterTransport, SettingsStore, KEY_CONNECTION,
};
use till_app::startup::{start, Dirs};
use till_app::tse::setup::TseStep;
use till_app::tse::FiskalyEnv;
use till_app::ErrorCode;

fn pdf_text(path: &Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// Accepts connections until one brings an ESC/POS job (not the status
/// check's bare `DLE EOT`); returns its bytes.
fn printer_job(listener: TcpListener) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || loop {
        let (mut conn, _) = listener.accept().unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let mut got = Vec::new();
        let _ = conn.read_to_end(&mut got);
        if got.windows(2).any(|w| w == [0x1B, b'@']) {
            return got;
        }
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_testing_till_sets_up_its_tse_in_the_settings_and_signs_its_sales_with_it() {
    let provider = secuconnect_sandbox::serve(
        ([127, 0, 0, 1], 0).into(),
        Arc::new(secuconnect_sandbox::Sandbox::with_demo_data()),
    )
    .await
    .unwrap();
    let tse_service = fiskaly_sandbox::serve(
        ([127, 0, 0, 1], 0).into(),
        Arc::new(fiskaly_sandbox::Sandbox::new()),
    )
    .await
    .unwrap();
    // This binary's only test that reads them; set before anything asks.
    std::env::set_var(till_app::connection::ENV_PROVIDER_URL, provider.url());
    std::env::set_var(till_app::tse::ENV_TSE_URL, tse_service.url());

    let dir = tempfile::tempdir().unwrap();
    let dirs = Dirs {
        data: dir.path().to_path_buf(),
        logs: dir.path().join("logs"),
    };
    let store = Arc::new(MemoryStore::default());
    store
        .save(
            KEY_CONNECTION,
            serde_json::to_value(ConnectionSettings {
                environment: Environment::Testing,
                auth_mode: AuthMode::ClientCredentials,
                client_id: Some(secuconnect_sandbox::demo::DEMO_CLIENT_ID.into()),
                ..Default::default()
            })
            .unwrap(),
        )
        .unwrap();
    let secrets = Arc::new(MemorySecrets::default());
    secrets
        .set(
            Environment::Testing,
            SecretKind::ClientSecret,
            &secuconnect::Secret::new(secuconnect_sandbox::demo::DEMO_CLIENT_SECRET),
        )
        .unwrap();
    let state = start(&dirs, store.clone(), secrets.clone()).await.unwrap();
    // A testing till asks for its owner first (a manager: settings and printers are theirs).
    till_app::cashier::create_owner(&state, "Inhaberin", "2580").unwrap();
    assert!(!state.demo);

    // No TSE yet: the sales are not signed, the settings ask for the access data.
    assert_eq!(
        status::till_status(&state).await.unwrap().tse.state,
        status::TseState::None
    );
    let view = tse::tse_status(&state).await.unwrap();
    assert_eq!(view.step, TseStep::Credentials);
    let unsigned = sale::pay_cash(&state, basket(120), None).await.unwrap();
    assert_eq!(unsigned.receipt.tse, None);
    let e = tse::data_sheet_document(&state).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::TseNotSetUp);

    // The guided setup, as the settings screen runs it.
    tse::tse_save_credentials(
        &state,
        Some(fiskaly_sandbox::DEMO_API_KEY.into()),
        Some(fiskaly_sandbox::DEMO_API_SECRET.into()),
        FiskalyEnv::Test,
    )
    .await
    .unwrap();
    let view = tse::tse_setup_run(&state, Some("135790".into()), None)
        .await
        .unwrap();
    assert_eq!(view.step, TseStep::Done);
    assert!(view.signing, "signs from the next sale on, no restart");
    assert_eq!(view.tss_state.as_deref(), Some("INITIALIZED"));
    assert!(view.puk.is_some());
    assert!(tse::tse_puk_noted(&state).await.unwrap().puk.is_none());
    let serial = view.serial.clone().unwrap();
    let client_serial = view.client_serial.clone().unwrap();

    let signed = sale::pay_cash(&state, basket(250), None).await.unwrap();
    let Some(receipt::TseBlock::Signed {
        tss_serial,
        client_serial: on_receipt,
        ..
    }) = &signed.receipt.tse
    else {
        panic!("not signed: {:?}", signed.receipt.tse);
    };
    assert_eq!((tss_serial, on_receipt), (&serial, &client_serial));
    let now = status::till_status(&state).await.unwrap();
    assert_eq!(now.tse.state, status::TseState::Ready);

    // The data sheet: as PDF, and on the receipt printer.
    let pdf = tse::data_sheet_pdf(&state).await.unwrap();
    let path = dir.path().join(&pdf.file_name);
    std::fs::write(&path, &pdf.bytes).unwrap();
    let text = pdf_text(&path);
    let today = chrono::Local::now().format("%d.%m.%Y").to_string();
    for expected in [
        "§ 146a Abs. 4 AO",
        "Smart Till",
        till_app::VERSION,
        &client_serial,
        "BSI-K-TR-0000-SIMULATED",
        "TEST-TSE",
        &format!("{today} (erster signierter Beleg)"),
        "bitte eintragen",
    ] {
        assert!(text.contains(expected), "{expected:?} missing in:\n{text}");
    }
    // The TSE's serial (64 hex) wraps on the roll: its halves are there.
    assert!(text.contains(&serial[..30]), "{text}");
    tse::tse_save_dates(&state, Some("2026-11-30".into()), Some("2026-12-01".into()))
        .await
        .unwrap();
    let e = tse::tse_save_dates(&state, Some("30.11.2026".into()), None)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidSettings);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let job = printer_job(listener);
    printers::save_printer(
        &state,
        PrinterConfig {
            id: "bon".into(),
            name: "Bondrucker".into(),
            transport: PrinterTransport::Network {
                host: "127.0.0.1".into(),
                port,
            },
            kind: PrinterKind::Thermal,
            code_page: "cp858".into(),
            width: 42,
            drawer: false,
        },
        true,
        None,
        None,
    )
    .await
    .unwrap();
    tse::print_data_sheet(&state).await.unwrap();
    let printed = String::from_utf8_lossy(&job.join().unwrap()).into_owned();
    for expected in [
        "Anschaffungsdatum",
        "30.11.2026",
        "01.12.2026",
        &client_serial,
    ] {
        assert!(printed.contains(expected), "{expected:?} not printed");
    }

    // The next start signs at once.
    drop(state);
    let again = start(&dirs, store, secrets).await.unwrap();
    assert!(again.tse().is_some());
    // A testing till starts locked: the owner logs in to sell.
    till_app::cashier::login(&again, "2580").unwrap();
    let signed = sale::pay_cash(&again, basket(300), None).await.unwrap();
    assert!(matches!(
        signed.receipt.tse,
        Some(receipt::TseBlock::Signed { .. })
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn receipt_pdf_writes_a_receipt_of_a_real_journal_and_names_an_unknown_number() {
    let (dir, state) = common::start_demo().await.into_parts();
    let sale = sale::pay_cash(&state, basket(1234), Some(Cents(2000)))
        .await
        .unwrap();
    journal::cancel_sale(&state, &sale.sale_id, Some("Kunde".into()), None)
        .await
        .unwrap();
    let journal_path = till_app::startup::journal_path(dir.path());
    let out = dir.path().join("Beleg-1.pdf");
    let written = receipt_pdf_from_journal(&journal_path, 1, &out).unwrap();
    assert_eq!((written.receipt_number, written.cancellation), (1, false));
    let text = pdf_text(&out);
    for expected in [
        "Kaffee",
        "12,34",
        "Bar",
        "TSE-Seriennummer",
        "Signaturzähler",
    ] {
        assert!(text.contains(expected), "{expected:?} missing in:\n{text}");
    }
    assert!(text.contains("Beleg") && text.contains('1'), "{text}");

    let out2 = dir.path().join("Storno.pdf");
    let written = receipt_pdf_from_journal(&journal_path, 2, &out2).unwrap();
    assert!(written.cancellation);
    assert!(pdf_text(&out2).contains("-12,34"), "{}", pdf_text(&out2));

    let missing = dir.path().join("Beleg-99.pdf");
    let e = receipt_pdf_from_journal(&journal_path, 99, &missing).unwrap_err();
    assert!(matches!(e, ReceiptPdfError::UnknownReceipt(99, 2)), "{e:?}");
    assert_eq!(
        e.to_string(),
        "receipt 99 is not in the journal (its receipts are 1 to 2)"
    );
    assert!(!missing.exists());
    let e = receipt_pdf_from_journal(&dir.path().join("none.sqlite3"), 1, &missing).unwrap_err();
    assert!(matches!(e, ReceiptPdfError::NoJournal(_)));
}
