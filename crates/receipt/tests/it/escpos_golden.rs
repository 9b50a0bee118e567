//! ESC/POS bytes of representative receipts against reviewed golden files
//! (`tests/golden/*.escpos.txt`, bytes escaped by `escape_bytes`). After an
//! intended change, regenerate with `UPDATE_GOLDEN=1 cargo test -p receipt --test escpos_golden`
//! and review the diff.

use crate::common;

use receipt::escpos::{document_escpos, escape_bytes, CutMode, EscPosSettings, PrinterModel};
use receipt::{CodePage, Document};

fn golden_path(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.escpos.txt"))
}

fn check_golden(name: &str, bytes: &[u8]) {
    let path = golden_path(name);
    let actual = escape_bytes(bytes);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "{} missing: run with UPDATE_GOLDEN=1 and review it",
            path.display()
        )
    });
    if expected != actual {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "{name}: ESC/POS bytes differ from {} at line {}:\n  expected {:?}\n  actual   {:?}",
            path.display(),
            first + 1,
            expected.lines().nth(first),
            actual.lines().nth(first)
        );
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[test]
fn golden_bytes_for_representative_documents() {
    let settings = EscPosSettings::default();
    for (name, document) in common::all_documents() {
        let open_drawer = name == "cash";
        let bytes = document_escpos(&document, &settings, open_drawer).unwrap();
        check_golden(name, &bytes);
    }
    // A 58 mm printer of another make, with another code page.
    let narrow = EscPosSettings {
        model: PrinterModel::Generic,
        code_page: CodePage::Wpc1252,
        columns: 32,
        cut: CutMode::Partial,
        ..EscPosSettings::default()
    };
    let bytes = document_escpos(&common::secucard_receipt(), &narrow, false).unwrap();
    check_golden("secucard-58mm-wpc1252", &bytes);
}

#[test]
fn starts_with_init_and_the_models_code_page() {
    let doc = Document::receipt(common::cash_receipt());
    for (model, page, n) in [
        (PrinterModel::Epson, CodePage::Pc858, 19),
        (PrinterModel::Generic, CodePage::Pc858, 53),
        (PrinterModel::Star, CodePage::Pc858, 4),
        (PrinterModel::Epson, CodePage::Wpc1252, 16),
    ] {
        let settings = EscPosSettings {
            model,
            code_page: page,
            ..EscPosSettings::default()
        };
        let bytes = document_escpos(&doc, &settings, false).unwrap();
        assert_eq!(
            &bytes[..5],
            &[0x1B, b'@', 0x1B, b't', n],
            "{model:?} {page:?}"
        );
    }
    let settings = EscPosSettings {
        code_page_number: Some(99),
        ..EscPosSettings::default()
    };
    let bytes = document_escpos(&doc, &settings, false).unwrap();
    assert_eq!(&bytes[..5], &[0x1B, b'@', 0x1B, b't', 99]);
}

#[test]
fn umlauts_sharp_s_and_euro_come_out_in_the_code_page() {
    let doc = Document::receipt(common::long_receipt());
    let bytes = document_escpos(&doc, &EscPosSettings::default(), false).unwrap();
    // "Bäckerei Müller", "Hauptstraße" in PC858.
    assert!(find(&bytes, b"B\x84ckerei M\x81ller").is_some());
    assert!(find(&bytes, b"Hauptstra\xe1e").is_some());
    // "2,99 \u{20ac}" with the euro at 0xD5.
    assert!(find(&bytes, b"2,99 \xd5").is_some());
    // Never raw UTF-8: no lead byte of a two- or three-byte sequence followed by a continuation byte.
    for pair in bytes.windows(2) {
        assert!(
            !((0xC2..=0xF4).contains(&pair[0]) && (0x80..=0xBF).contains(&pair[1])),
            "UTF-8 sequence {pair:02x?} in the output"
        );
    }
    // Characters the page lacks are replaced visibly: quotes, dash, CJK, check mark.
    assert!(find(&bytes, b"\"Erzgebirgische").is_some());
    assert!(find(&bytes, b"10 \xd5 - ?? ?").is_some());
    // On PC437 (no euro) the euro becomes a visible stand-in, not UTF-8.
    let pc437 = EscPosSettings {
        code_page: CodePage::Pc437,
        ..EscPosSettings::default()
    };
    let bytes = document_escpos(&doc, &pc437, false).unwrap();
    assert!(find(&bytes, b"2,99 E").is_some());
    assert!(find(&bytes, "€".as_bytes()).is_none());
}

#[test]
fn the_shops_footer_prints_last_in_the_code_page_before_the_cut() {
    let mut receipt = common::cash_receipt();
    receipt.shop.footer = Some("Vielen Dank für Ihren Einkauf!".into());
    let bytes = document_escpos(
        &Document::receipt(receipt),
        &EscPosSettings::default(),
        false,
    )
    .unwrap();
    // "für" in PC858: ü is 0x81.
    let footer = find(&bytes, b"Vielen Dank f\x81r Ihren Einkauf!").expect("footer printed");
    let total = find(&bytes, b"SUMME EUR").unwrap();
    let vat = find(&bytes, b"MwSt").unwrap();
    assert!(
        footer > total && footer > vat,
        "the footer closes the receipt"
    );
    // Only commands (feed, cut) follow it: no printed text after the footer.
    let after = strip_commands(&bytes[footer + 31..]);
    assert!(
        after.iter().all(|b| !b.is_ascii_alphanumeric()),
        "text after the footer: {after:?}"
    );
}

#[test]
fn important_lines_are_bold_double_height_and_aligned() {
    let doc = Document::receipt(common::card_receipt());
    let bytes = document_escpos(&doc, &EscPosSettings::default(), false).unwrap();
    // ESC E 1 (bold), GS ! 0x01 (double height), ESC a 1 (centre), then the text.
    let at = find(&bytes, b"Karte akzeptiert\n").expect("line printed");
    let before = &bytes[..at];
    let tail = &before[before.len() - 9..];
    assert_eq!(tail, b"\x1bE\x01\x1d!\x01\x1ba\x01");
    // And back to plain, left-aligned afterwards.
    let after = &bytes[at..];
    assert!(find(after, b"\x1bE\x00").is_some());
    assert!(find(after, b"\x1d!\x00").is_some());
    assert!(find(after, b"\x1ba\x00").is_some());
    // Right alignment from the provider's decoration.
    let doc = common::secucard_receipt();
    let bytes = document_escpos(&doc, &EscPosSettings::default(), false).unwrap();
    let at = find(&bytes, b"19,00 EUR\n").unwrap();
    assert_eq!(&bytes[at - 3..at], b"\x1ba\x02");
}

#[test]
fn drawer_kick_is_the_full_five_byte_command() {
    let doc = Document::receipt(common::cash_receipt());
    let settings = EscPosSettings::default();
    let with = document_escpos(&doc, &settings, true).unwrap();
    let without = document_escpos(&doc, &settings, false).unwrap();
    // ESC p 0 25 250: pin 2, 50 ms on, 500 ms off, right after the set-up.
    assert_eq!(&with[5..10], &[0x1B, b'p', 0, 25, 250]);
    assert!(find(&without, &[0x1B, b'p']).is_none());
    assert_eq!(with.len(), without.len() + 5);
}

#[test]
fn qr_code_and_cut() {
    let doc = common::secucard_receipt();
    let bytes = document_escpos(&doc, &EscPosSettings::default(), false).unwrap();
    // GS ( k: model 2, size 6, level M, store data, print.
    assert!(find(&bytes, b"\x1d(k\x04\x001A2\x00").is_some());
    assert!(find(&bytes, b"\x1d(k\x03\x001C\x06").is_some());
    assert!(find(&bytes, b"1P0V0;KASSE-1;").is_some());
    assert!(find(&bytes, b"\x1d(k\x03\x001Q0").is_some());
    assert!(bytes.ends_with(b"\x1dVA\x00"), "ends with a full cut");

    // A printer without QR support gets the content as text.
    let no_qr = EscPosSettings {
        qr: false,
        cut: CutMode::None,
        ..EscPosSettings::default()
    };
    let bytes = document_escpos(&doc, &no_qr, false).unwrap();
    assert!(find(&bytes, b"\x1d(k").is_none());
    assert!(find(&bytes, b"V0;KASSE-1;Kassenbeleg-V1;").is_some());
    assert!(find(&bytes, b"\x1dV").is_none());
}

#[test]
fn the_tse_block_and_its_qr_code_in_the_printers_own_command() {
    let doc = Document::receipt(common::tse_receipt());
    let bytes = document_escpos(&doc, &EscPosSettings::default(), false).unwrap();
    // GS ( k, function 180 (store): pL pH = len + 3, then `1 P 0` and the data, exactly.
    let len = common::TSE_QR.len() + 3;
    let mut store = vec![
        0x1d,
        b'(',
        b'k',
        (len % 256) as u8,
        (len / 256) as u8,
        b'1',
        b'P',
        b'0',
    ];
    store.extend_from_slice(common::TSE_QR.as_bytes());
    assert!(
        find(&bytes, &store).is_some(),
        "the QR code's data stored as it is"
    );
    assert!(find(&bytes, b"\x1d(k\x03\x001Q0").is_some(), "and printed");
    for text in [
        "TSE-Seriennummer:",
        "Kassen-Seriennr.",
        "SMART-TILL-DEMO-1",
        "Transaktion",
        "Signaturz",
    ] {
        assert!(find(&bytes, text.as_bytes()).is_some(), "{text}");
    }
    let failed = Document::receipt(common::tse_failed_receipt());
    let bytes = document_escpos(&failed, &EscPosSettings::default(), false).unwrap();
    assert!(find(&bytes, b"TSE ausgefallen").is_some());
    assert!(
        find(&bytes, b"\x1d(k").is_none(),
        "no QR code without a signature"
    );
}

#[test]
fn every_printed_line_fits_the_columns() {
    for columns in [32u8, 42, 48] {
        let settings = EscPosSettings {
            columns,
            qr: false,
            ..EscPosSettings::default()
        };
        for (name, doc) in common::all_documents() {
            let bytes = document_escpos(&doc, &settings, false).unwrap();
            // Strip the commands the renderer uses, then count bytes per line:
            // one byte per printed character.
            let text = strip_commands(&bytes);
            for line in text.split(|b| *b == b'\n') {
                assert!(
                    line.len() <= columns as usize,
                    "{name} at {columns}: {:?}",
                    String::from_utf8_lossy(line)
                );
            }
        }
    }
}

/// Removes ESC @, ESC t n, ESC E n, GS ! n, ESC a n, ESC d n, GS V A n.
fn strip_commands(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            0x1B if bytes[i + 1] == b'@' => i += 2,
            0x1B => i += 3,
            0x1D if bytes[i + 1] == b'V' => i += 4,
            0x1D => i += 3,
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

#[test]
fn qr_content_too_long_for_the_printer_is_printed_as_text() {
    let mut doc = common::secucard_receipt();
    if let Document::Receipt { extras, .. } = &mut doc {
        extras.qr = Some("X".repeat(8_000));
    }
    let bytes = document_escpos(&doc, &EscPosSettings::default(), false).unwrap();
    assert!(find(&bytes, b"\x1d(k").is_none());
    assert!(find(&bytes, &[b'X'; 42]).is_some());
}

fn with_logo(width: u32, height: u32) -> Document {
    let mut doc = Document::receipt(common::cash_receipt());
    if let Document::Receipt { extras, .. } = &mut doc {
        // A black frame one dot wide.
        let luma: Vec<u8> = (0..width * height)
            .map(|i| {
                let (x, y) = (i % width, i / width);
                if x == 0 || y == 0 || x == width - 1 || y == height - 1 {
                    0
                } else {
                    255
                }
            })
            .collect();
        extras.logo = receipt::Logo::from_luma(width, height, &luma);
    }
    doc
}

#[test]
fn logo_is_a_raster_image_above_the_header() {
    let bytes = document_escpos(&with_logo(20, 3), &EscPosSettings::default(), false).unwrap();
    // GS v 0, normal size, 3 bytes a row, 3 rows; then the rows.
    let at = find(&bytes, b"\x1dv0\x00\x03\x00\x03\x00").expect("raster command");
    assert_eq!(
        &bytes[at + 8..at + 17],
        &[0xFF, 0xFF, 0xF0, 0x80, 0x00, 0x10, 0xFF, 0xFF, 0xF0]
    );
    // Centred, before the shop's name.
    assert_eq!(&bytes[at - 3..at], b"\x1ba\x01");
    assert!(find(&bytes, b"B\x84ckerei").unwrap() > at);

    // Wider than a 58 mm printer's 384 dots: left out rather than garbled.
    let narrow = EscPosSettings {
        columns: 32,
        ..EscPosSettings::default()
    };
    let bytes = document_escpos(&with_logo(400, 10), &narrow, false).unwrap();
    assert!(find(&bytes, b"\x1dv0").is_none());
    assert!(find(&bytes, b"B\x84ckerei").is_some());
}

#[test]
fn logo_is_stored_as_hex_and_reads_back() {
    let doc = with_logo(20, 3);
    let json = serde_json::to_value(&doc).unwrap();
    assert_eq!(json["extras"]["logo"]["bits"], "fffff0800010fffff0");
    assert_eq!(Document::from_stored(&json).unwrap(), doc);
}
