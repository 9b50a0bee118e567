//! ESC/POS bytes for thermal printers, through the `escpos` crate.
//!
//! The crate builds the commands (init, emphasis, size, justification, QR, cut);
//! the text is encoded by [`CodePage`] and the code page is switched with the
//! `ESC t n` number of the printer model, since that number differs between
//! makers. The cash drawer kick is the full `ESC p m t1 t2`.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::OnceLock;

use ::escpos::driver::Driver;
use ::escpos::printer::Printer;
use ::escpos::printer_options::PrinterOptions;
use ::escpos::utils::{JustifyMode, Protocol, QRCodeCorrectionLevel, QRCodeModel, QRCodeOption};
use serde::{Deserialize, Serialize};

use crate::codepage::CodePage;
use crate::compose::layout_document;
use crate::document::Document;
use crate::error::PrintError;
use crate::layout::{Align, Block, Layout, Style};

/// The maker's command set, which decides the `ESC t` numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum PrinterModel {
    /// Epson TM series and printers that follow Epson's numbering.
    #[default]
    Epson,
    /// Star printers in ESC/POS emulation.
    Star,
    /// Unbranded 58/80 mm printers (Xprinter, HOIN, …) with their own numbering.
    Generic,
}

impl PrinterModel {
    /// The `n` of `ESC t n` that selects `page` on this model.
    pub fn code_page_number(self, page: CodePage) -> u8 {
        match (self, page) {
            (_, CodePage::Pc437) => 0,
            (PrinterModel::Star, CodePage::Pc858 | CodePage::Pc850) => 4,
            (PrinterModel::Star, CodePage::Wpc1252) => 32,
            (_, CodePage::Pc850) => 2,
            (PrinterModel::Epson, CodePage::Pc858) => 19,
            (PrinterModel::Generic, CodePage::Pc858) => 53,
            (_, CodePage::Wpc1252) => 16,
            (_, CodePage::Iso8859_15) => 40,
        }
    }
}

/// Which drawer connector pin the kick pulses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum DrawerPin {
    #[default]
    Pin2,
    Pin5,
}

/// The cash drawer kick: `ESC p m t1 t2` (pulse on for t1 × 2 ms, off for t2 × 2 ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DrawerKick {
    pub pin: DrawerPin,
    pub on_ms: u16,
    pub off_ms: u16,
}

impl Default for DrawerKick {
    fn default() -> Self {
        Self {
            pin: DrawerPin::Pin2,
            on_ms: 50,
            off_ms: 500,
        }
    }
}

impl DrawerKick {
    /// The five bytes of the command.
    pub fn bytes(&self) -> [u8; 5] {
        let m = match self.pin {
            DrawerPin::Pin2 => 0,
            DrawerPin::Pin5 => 1,
        };
        let units = |ms: u16| (ms / 2).clamp(1, 255) as u8;
        [0x1B, b'p', m, units(self.on_ms), units(self.off_ms)]
    }
}

/// How the roll is cut at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum CutMode {
    #[default]
    Full,
    Partial,
    /// Printers without a cutter: feed only.
    None,
}

/// Everything about a thermal printer that changes the bytes sent to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EscPosSettings {
    pub model: PrinterModel,
    pub code_page: CodePage,
    /// Overrides the model's `ESC t` number for `code_page`.
    pub code_page_number: Option<u8>,
    /// Characters per line: 32 (58 mm), 42 or 48 (80 mm).
    pub columns: u8,
    pub cut: CutMode,
    /// Extra lines fed before the cut.
    pub feed_before_cut: u8,
    /// QR codes as real codes; off for printers that cannot print them (the content is printed as text).
    pub qr: bool,
    /// QR module size in dots (1–16).
    pub qr_size: u8,
    pub drawer: DrawerKick,
}

impl Default for EscPosSettings {
    fn default() -> Self {
        Self {
            model: PrinterModel::Epson,
            code_page: CodePage::Pc858,
            code_page_number: None,
            columns: 42,
            cut: CutMode::Full,
            feed_before_cut: 0,
            qr: true,
            qr_size: 6,
            drawer: DrawerKick::default(),
        }
    }
}

impl EscPosSettings {
    /// The `n` sent with `ESC t`.
    pub fn esc_t(&self) -> u8 {
        self.code_page_number
            .unwrap_or_else(|| self.model.code_page_number(self.code_page))
    }
}

/// Collects what the `escpos` printer writes.
#[derive(Clone, Default)]
struct Sink(Rc<RefCell<Vec<u8>>>);

impl Driver for Sink {
    fn name(&self) -> String {
        "memory".into()
    }

    fn write(&self, data: &[u8]) -> ::escpos::errors::Result<()> {
        self.0.borrow_mut().extend_from_slice(data);
        Ok(())
    }

    fn read(&self, _buf: &mut [u8]) -> ::escpos::errors::Result<usize> {
        Ok(0)
    }

    fn flush(&self) -> ::escpos::errors::Result<()> {
        Ok(())
    }
}

fn render_err(err: ::escpos::errors::PrinterError) -> PrintError {
    PrintError::Render(err.to_string())
}

/// Renders a document for a thermal printer; `open_drawer` puts the kick first,
/// so that the drawer opens while the receipt prints.
pub fn document_escpos(
    document: &Document,
    settings: &EscPosSettings,
    open_drawer: bool,
) -> Result<Vec<u8>, PrintError> {
    let layout = layout_document(document, settings.columns as usize);
    render_escpos(&layout, settings, open_drawer)
}

/// Renders a laid-out document as ESC/POS bytes.
pub fn render_escpos(
    layout: &Layout,
    settings: &EscPosSettings,
    open_drawer: bool,
) -> Result<Vec<u8>, PrintError> {
    let cmd = commands()?;
    let mut out = Vec::with_capacity(layout.blocks.len() * (layout.width + 4) + 64);
    out.extend_from_slice(&cmd.init);
    out.extend_from_slice(&[0x1B, b't', settings.esc_t()]);
    if open_drawer {
        out.extend_from_slice(&settings.drawer.bytes());
    }
    let mut style = Style::PLAIN;
    let mut align = Align::Left;
    for block in &layout.blocks {
        match block {
            Block::Line {
                text,
                align: a,
                style: s,
            } => {
                cmd.set_style(&mut out, &mut style, *s);
                cmd.set_align(&mut out, &mut align, *a);
                let text = match a {
                    Align::Left => text.trim_end(),
                    Align::Center | Align::Right => text.trim(),
                };
                settings.code_page.encode_into(text, &mut out);
                out.push(b'\n');
            }
            Block::Blank => {
                cmd.set_style(&mut out, &mut style, Style::PLAIN);
                out.push(b'\n');
            }
            Block::Image(logo) => {
                // `GS v 0`: a raster as wide as the printer can take, else left out.
                if logo.is_valid() && logo.width as usize <= settings.columns as usize * 12 {
                    cmd.set_style(&mut out, &mut style, Style::PLAIN);
                    cmd.set_align(&mut out, &mut align, Align::Center);
                    let x = logo.row_bytes() as u16;
                    let y = logo.height.min(u16::MAX as u32) as u16;
                    out.extend_from_slice(&[0x1D, b'v', b'0', 0]);
                    out.extend_from_slice(&x.to_le_bytes());
                    out.extend_from_slice(&y.to_le_bytes());
                    out.extend_from_slice(&logo.bits[..logo.row_bytes() * y as usize]);
                }
            }
            Block::Qr(content) => {
                cmd.set_style(&mut out, &mut style, Style::PLAIN);
                cmd.set_align(&mut out, &mut align, Align::Center);
                let code = if settings.qr {
                    let option = QRCodeOption::new(
                        QRCodeModel::Model2,
                        settings.qr_size.clamp(1, 16),
                        QRCodeCorrectionLevel::M,
                    );
                    // Content too long for a QR code is printed as text instead.
                    with_printer(|p| {
                        p.qrcode_option(content, option)?;
                        Ok(())
                    })
                    .ok()
                } else {
                    None
                };
                if let Some(code) = code {
                    out.extend(code);
                } else {
                    for row in crate::layout::wrap(content, layout.width) {
                        settings.code_page.encode_into(&row, &mut out);
                        out.push(b'\n');
                    }
                }
            }
        }
    }
    cmd.set_style(&mut out, &mut style, Style::PLAIN);
    cmd.set_align(&mut out, &mut align, Align::Left);
    if settings.feed_before_cut > 0 {
        out.extend(with_printer(|p| {
            p.feeds(settings.feed_before_cut)?;
            Ok(())
        })?);
    }
    match settings.cut {
        CutMode::Full => out.extend_from_slice(&cmd.cut_full),
        CutMode::Partial => out.extend_from_slice(&cmd.cut_partial),
        // No cutter: feed the last line past the tear bar.
        CutMode::None => out.extend_from_slice(&cmd.feed_4),
    }
    Ok(out)
}

/// Runs `f` on an `escpos` printer that writes into memory; returns the bytes.
fn with_printer(
    f: impl FnOnce(&mut Printer<Sink>) -> ::escpos::errors::Result<()>,
) -> Result<Vec<u8>, PrintError> {
    let sink = Sink::default();
    let mut printer = Printer::new(
        sink.clone(),
        Protocol::default(),
        Some(PrinterOptions::default()),
    );
    f(&mut printer).map_err(render_err)?;
    printer.print().map_err(render_err)?;
    drop(printer);
    Ok(sink.0.take())
}

/// The fixed commands, as the `escpos` crate spells them, made once: a receipt
/// is mostly text, and copying these is cheaper than a printer object per receipt.
struct Commands {
    init: Vec<u8>,
    bold_on: Vec<u8>,
    bold_off: Vec<u8>,
    tall_on: Vec<u8>,
    tall_off: Vec<u8>,
    left: Vec<u8>,
    center: Vec<u8>,
    right: Vec<u8>,
    cut_full: Vec<u8>,
    cut_partial: Vec<u8>,
    feed_4: Vec<u8>,
}

fn commands() -> Result<&'static Commands, PrintError> {
    static COMMANDS: OnceLock<Result<Commands, PrintError>> = OnceLock::new();
    COMMANDS
        .get_or_init(|| {
            Ok(Commands {
                init: with_printer(|p| p.init().map(drop))?,
                bold_on: with_printer(|p| p.bold(true).map(drop))?,
                bold_off: with_printer(|p| p.bold(false).map(drop))?,
                tall_on: with_printer(|p| p.size(1, 2).map(drop))?,
                tall_off: with_printer(|p| p.size(1, 1).map(drop))?,
                left: with_printer(|p| p.justify(JustifyMode::LEFT).map(drop))?,
                center: with_printer(|p| p.justify(JustifyMode::CENTER).map(drop))?,
                right: with_printer(|p| p.justify(JustifyMode::RIGHT).map(drop))?,
                cut_full: with_printer(|p| p.cut().map(drop))?,
                cut_partial: with_printer(|p| p.partial_cut().map(drop))?,
                feed_4: with_printer(|p| p.feeds(4).map(drop))?,
            })
        })
        .as_ref()
        .map_err(Clone::clone)
}

impl Commands {
    fn set_style(&self, out: &mut Vec<u8>, current: &mut Style, wanted: Style) {
        if current.bold != wanted.bold {
            out.extend_from_slice(if wanted.bold {
                &self.bold_on
            } else {
                &self.bold_off
            });
        }
        if current.tall != wanted.tall {
            out.extend_from_slice(if wanted.tall {
                &self.tall_on
            } else {
                &self.tall_off
            });
        }
        *current = wanted;
    }

    fn set_align(&self, out: &mut Vec<u8>, current: &mut Align, wanted: Align) {
        if *current != wanted {
            out.extend_from_slice(match wanted {
                Align::Left => &self.left,
                Align::Center => &self.center,
                Align::Right => &self.right,
            });
            *current = wanted;
        }
    }
}

/// Shows ESC/POS bytes as text for golden files and test failures: printable
/// ASCII as itself, everything else as `\xNN`, a line break after each LF.
pub fn escape_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        match b {
            b'\n' => out.push_str("\\x0a\n"),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7E => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out
}
