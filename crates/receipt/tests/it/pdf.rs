//! PDFs read back with poppler: text (umlauts and € must round-trip), page size,
//! and a raster of each page to look at. Set `RECEIPT_PNG_DIR` to keep the PNGs.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use receipt::pdf::{document_pdf, render_pdf, Paper};
use receipt::Document;

fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} (Debian package poppler-utils) is needed: {e}"));
    assert!(
        out.status.success(),
        "{name} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn write_pdf(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(format!("{name}.pdf"));
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Page size in points from `pdfinfo`.
fn page_size(pdf: &Path) -> (f32, f32, usize) {
    let info = tool("pdfinfo", &[pdf.to_str().unwrap()]);
    let size = info
        .lines()
        .find_map(|l| l.strip_prefix("Page size:"))
        .expect("page size");
    let mut nums = size
        .split_whitespace()
        .filter_map(|w| w.parse::<f32>().ok());
    let pages = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|p| p.trim().parse().ok())
        .expect("pages");
    (nums.next().unwrap(), nums.next().unwrap(), pages)
}

fn png_dir() -> (Option<tempfile::TempDir>, PathBuf) {
    match std::env::var_os("RECEIPT_PNG_DIR") {
        Some(dir) => {
            std::fs::create_dir_all(&dir).unwrap();
            (None, PathBuf::from(dir))
        }
        None => {
            let tmp = tempfile::tempdir().unwrap();
            let path = tmp.path().to_path_buf();
            (Some(tmp), path)
        }
    }
}

#[test]
fn receipts_are_80_mm_rolls_whose_text_round_trips() {
    let (_keep, dir) = png_dir();
    for (name, doc) in common::all_documents() {
        if matches!(doc, Document::ZReport(_)) {
            continue;
        }
        let bytes = document_pdf(&doc, 42).unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        assert!(bytes.len() < 40_000, "{name}: {} bytes", bytes.len());
        let pdf = write_pdf(&dir, name, &bytes);
        let (w, h, pages) = page_size(&pdf);
        assert!(
            (w - 226.77).abs() < 0.5,
            "{name}: width {w} pt is not 80 mm"
        );
        assert_eq!(pages, 1);
        let text = tool("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]);
        assert!(text.contains("Bäckerei Müller"), "{name}:\n{text}");
        assert!(text.contains("Hauptstraße 1"), "{name}:\n{text}");
        // As tall as the content: more lines, a longer page.
        let rows = receipt::render_document_text(&doc, 42).lines().count() as f32;
        assert!(
            h > rows * 10.0 && h < rows * 14.0 + 150.0,
            "{name}: {h} pt for {rows} rows"
        );
        tool(
            "pdftoppm",
            &[
                "-png",
                "-r",
                "100",
                pdf.to_str().unwrap(),
                dir.join(name).to_str().unwrap(),
            ],
        );
        let png = dir.join(format!("{name}-1.png"));
        assert!(
            std::fs::metadata(&png).unwrap().len() > 1_000,
            "{name}: empty raster"
        );
    }
}

#[test]
fn the_shops_footer_is_at_the_foot_of_the_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let mut receipt = common::cash_receipt();
    receipt.shop.footer = Some("Vielen Dank für Ihren Einkauf!".into());
    let pdf = write_pdf(
        dir.path(),
        "footer",
        &document_pdf(&Document::receipt(receipt), 42).unwrap(),
    );
    let text = tool("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]);
    let last = text.lines().rev().find(|l| !l.trim().is_empty()).unwrap();
    assert_eq!(last.trim(), "Vielen Dank für Ihren Einkauf!", "{text}");
}

#[test]
fn umlauts_sharp_s_and_euro_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let doc = Document::receipt(common::long_receipt());
    let pdf = write_pdf(dir.path(), "long", &document_pdf(&doc, 42).unwrap());
    let text = tool("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]);
    for needle in [
        "Äpfel Öko (Süßkirsch-Sorte) 1 kg à 2,99 €",
        // Characters the font lacks become `?`, like on the printer.
        "Gutschein 10 € – ?? ?",
        "„Erzgebirgische Weihnacht“ –",
        "Rückgeld",
        "DEMO – KEIN GÜLTIGER BELEG",
        "SUMME EUR",
        "95,87",
    ] {
        assert!(text.contains(needle), "{needle:?} not in:\n{text}");
    }
    // The PDF's columns are the printout's: the amount ends at the right margin
    // like in the text rendering.
    let line = text.lines().find(|l| l.contains("12 x 2,99")).unwrap();
    assert!(line.trim_end().ends_with("35,88 B"), "{line:?}");
}

#[test]
fn card_receipt_keeps_the_provider_lines() {
    let dir = tempfile::tempdir().unwrap();
    let doc = Document::receipt(common::card_receipt());
    let pdf = write_pdf(dir.path(), "card", &document_pdf(&doc, 42).unwrap());
    let text = tool("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]);
    for needle in [
        "Kartenzahlung",
        "* * Kundenbeleg * *",
        "Karte 1 gültig bis ##/##",
        "######3836",
        "Karte akzeptiert",
    ] {
        assert!(text.contains(needle), "{needle:?} not in:\n{text}");
    }
}

#[test]
fn z_report_is_a4() {
    let (_keep, dir) = png_dir();
    let doc = Document::ZReport(common::z_report());
    let bytes = document_pdf(&doc, 42).unwrap();
    let pdf = write_pdf(&dir, "z-report", &bytes);
    let (w, h, pages) = page_size(&pdf);
    assert!(
        (w - 595.28).abs() < 0.5 && (h - 841.89).abs() < 0.5,
        "{w} x {h}"
    );
    assert_eq!(pages, 1);
    let text = tool("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]);
    for needle in [
        "Z-Bericht Nr. 17",
        "Gezählt",
        "631,50",
        "Differenz",
        "-0,60",
        "Seite 1 von 1",
    ] {
        assert!(text.contains(needle), "{needle:?} not in:\n{text}");
    }
    tool(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "100",
            pdf.to_str().unwrap(),
            dir.join("z-report").to_str().unwrap(),
        ],
    );
}

#[test]
fn long_reports_break_into_pages() {
    let dir = tempfile::tempdir().unwrap();
    let mut layout = receipt::layout::Layout::new(80);
    for i in 0..150 {
        layout.pair(&format!("Zeile {i}"), "1,00 €");
    }
    let pdf = write_pdf(
        dir.path(),
        "long",
        &render_pdf(&layout, Paper::A4, "Test").unwrap(),
    );
    let (_, _, pages) = page_size(&pdf);
    assert!(pages >= 2, "{pages} pages");
    let text = tool("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]);
    assert!(text.contains("Zeile 0") && text.contains("Zeile 149"));
    assert!(text.contains(&format!("Seite {pages} von {pages}")));
}

#[test]
fn content_too_long_for_a_qr_code_is_printed_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let mut layout = receipt::layout::Layout::new(42);
    layout.text("Vorher");
    let payload = "ABCDEFGHIJ".repeat(300);
    layout.qr(&payload);
    layout.text("Nachher");
    let pdf = write_pdf(
        dir.path(),
        "qr-text",
        &render_pdf(&layout, Paper::ROLL_80, "QR").unwrap(),
    );
    let text = tool("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]);
    assert!(
        text.contains("Vorher") && text.contains("Nachher"),
        "{text}"
    );
    assert!(text.contains("ABCDEFGHIJABCDEFGHIJ"), "{text}");
}

/// Share of dark pixels in the top `rows` rows of the first page at 50 dpi.
fn top_ink(pdf: &Path, rows: usize) -> f64 {
    let out = Command::new("pdftoppm")
        .args(["-gray", "-r", "50", "-f", "1", "-l", "1"])
        .arg(pdf)
        .output()
        .unwrap();
    let pgm = out.stdout;
    let header: Vec<&[u8]> = pgm.splitn(4, |b| *b == b'\n').collect();
    let dims = String::from_utf8_lossy(header[1]);
    let width: usize = dims.split_whitespace().next().unwrap().parse().unwrap();
    let pixels = header[3];
    let top = &pixels[..(rows * width).min(pixels.len())];
    top.iter().filter(|&&p| p < 128).count() as f64 / top.len() as f64
}

#[test]
fn logo_sits_above_the_header() {
    let (_keep, dir) = png_dir();
    let plain = Document::receipt(common::cash_receipt());
    let mut with_logo = plain.clone();
    if let Document::Receipt { extras, .. } = &mut with_logo {
        // A solid bar 240 x 64 dots: 30 mm x 8 mm.
        extras.logo = receipt::Logo::from_luma(240, 64, &vec![0; 240 * 64]);
    }
    let a = write_pdf(&dir, "plain", &document_pdf(&plain, 42).unwrap());
    let b = write_pdf(&dir, "logo", &document_pdf(&with_logo, 42).unwrap());
    // The top 12 mm (24 rows at 50 dpi): the logo's ink, not just the shop's name.
    let (without, with) = (top_ink(&a, 24), top_ink(&b, 24));
    assert!(
        with > without + 0.1,
        "top ink {without} without, {with} with the logo"
    );
    let text = tool("pdftotext", &["-layout", b.to_str().unwrap(), "-"]);
    assert!(text.contains("Bäckerei Müller"));
    let (_, h_plain, _) = page_size(&a);
    let (_, h_logo, _) = page_size(&b);
    assert!(h_logo > h_plain + 20.0, "{h_plain} -> {h_logo}");
}

#[test]
fn the_z_reports_vat_table_spans_the_a4_page_like_its_other_rows() {
    let doc = Document::ZReport(common::z_report());
    let text = receipt::render_document_text(&doc, receipt::pdf::A4_COLUMNS);
    let width_of = |start: &str| {
        text.lines()
            .find(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("no line {start:?} in {text}"))
            .trim_end()
            .chars()
            .count()
    };
    assert_eq!(width_of("SUMME EUR"), receipt::pdf::A4_COLUMNS);
    assert_eq!(width_of("MwSt"), receipt::pdf::A4_COLUMNS);
    assert_eq!(width_of("A 19%"), receipt::pdf::A4_COLUMNS);
}

/// The TSE's QR code in the PDF, read back by a scanner (zbarimg, Debian
/// package zbar-tools) from a raster of the page: exactly `qr_code_data`.
#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "needs poppler-utils and zbar-tools (scripts/setup.sh, Linux)"
)]
fn the_tse_qr_code_scans_back_to_exactly_its_data() {
    let (_keep, dir) = png_dir();
    let doc = Document::receipt(common::tse_receipt());
    let pdf = write_pdf(&dir, "tse", &document_pdf(&doc, 42).unwrap());
    let text = tool("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]);
    for part in [
        "TSE-Seriennummer:",
        "Kassen-Seriennr.",
        "Signaturzähler",
        "Signatur:",
    ] {
        assert!(text.contains(part), "{part}:\n{text}");
    }
    let prefix = dir.join("tse-scan");
    tool(
        "pdftoppm",
        &[
            "-r",
            "200",
            "-png",
            "-singlefile",
            pdf.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    let png = prefix.with_extension("png");
    let scanned = tool("zbarimg", &["--quiet", "--raw", png.to_str().unwrap()]);
    assert_eq!(scanned.trim_end_matches('\n'), common::TSE_QR);

    let failed = Document::receipt(common::tse_failed_receipt());
    let pdf = write_pdf(&dir, "tse-failed", &document_pdf(&failed, 42).unwrap());
    let text = tool("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]);
    assert!(text.contains("TSE ausgefallen"), "{text}");
}
