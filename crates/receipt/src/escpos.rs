//! ESC/POS bytes for thermal printers, through the `escpos` crate.
//!
//! The crate builds the commands (init, emphasis, size, justification, QR, cut);
//! the text is encoded by [`CodePage`] and the code page is switched with the
//! `ESC t n` number of the printer model, since that number differs between
//! makers. The cash drawer kick is the full `ESC p m t1 t2`.

use std::cell::RefCell;
use std::rc::Rc;

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
    let sink = Sink::default();
    let options = PrinterOptions::new(None, None, settings.columns);
    let mut printer = Printer::new(sink.clone(), Protocol::default(), Some(options));
    printer.init().map_err(render_err)?;
    printer
        .custom(&[0x1B, b't', settings.esc_t()])
        .map_err(render_err)?;
    if open_drawer {
        printer
            .custom(&settings.drawer.bytes())
            .map_err(render_err)?;
    }
    // Text rows go out in runs: one `custom` per run between two commands
    // rather than one per row keeps the printer's instruction list short.
    let mut out = Out {
        printer,
        style: Style::PLAIN,
        align: Align::Left,
        text: Vec::with_capacity(2048),
    };
    for block in &layout.blocks {
        match block {
            Block::Line { text, align, style } => {
                out.set_style(*style)?;
                out.set_align(*align)?;
                let text = match align {
                    Align::Left => text.trim_end(),
                    Align::Center | Align::Right => text.trim(),
                };
                settings.code_page.encode_into(text, &mut out.text);
                out.text.push(b'\n');
            }
            Block::Blank => {
                out.set_style(Style::PLAIN)?;
                out.text.push(b'\n');
            }
            Block::Qr(content) => {
                out.set_style(Style::PLAIN)?;
                out.set_align(Align::Center)?;
                if settings.qr {
                    out.flush_text()?;
                    let option = QRCodeOption::new(
                        QRCodeModel::Model2,
                        settings.qr_size.clamp(1, 16),
                        QRCodeCorrectionLevel::M,
                    );
                    out.printer
                        .qrcode_option(content, option)
                        .map_err(render_err)?;
                } else {
                    for row in crate::layout::wrap(content, layout.width) {
                        settings.code_page.encode_into(&row, &mut out.text);
                        out.text.push(b'\n');
                    }
                }
            }
        }
    }
    out.set_style(Style::PLAIN)?;
    out.set_align(Align::Left)?;
    out.flush_text()?;
    let mut printer = out.printer;
    if settings.feed_before_cut > 0 {
        printer
            .feeds(settings.feed_before_cut)
            .map_err(render_err)?;
    }
    match settings.cut {
        CutMode::Full => printer.cut().map_err(render_err)?,
        CutMode::Partial => printer.partial_cut().map_err(render_err)?,
        // No cutter: feed the last line past the tear bar.
        CutMode::None => printer.feeds(4).map_err(render_err)?,
    };
    printer.print().map_err(render_err)?;
    drop(printer);
    let bytes = sink.0.take();
    Ok(bytes)
}

/// The printer with the style and alignment it is in, and the text not yet handed to it.
struct Out {
    printer: Printer<Sink>,
    style: Style,
    align: Align,
    text: Vec<u8>,
}

impl Out {
    fn flush_text(&mut self) -> Result<(), PrintError> {
        if !self.text.is_empty() {
            self.printer.custom(&self.text).map_err(render_err)?;
            self.text.clear();
        }
        Ok(())
    }

    fn set_style(&mut self, wanted: Style) -> Result<(), PrintError> {
        if self.style == wanted {
            return Ok(());
        }
        self.flush_text()?;
        if self.style.bold != wanted.bold {
            self.printer.bold(wanted.bold).map_err(render_err)?;
        }
        if self.style.tall != wanted.tall {
            self.printer
                .size(1, if wanted.tall { 2 } else { 1 })
                .map_err(render_err)?;
        }
        self.style = wanted;
        Ok(())
    }

    fn set_align(&mut self, wanted: Align) -> Result<(), PrintError> {
        if self.align == wanted {
            return Ok(());
        }
        self.flush_text()?;
        let mode = match wanted {
            Align::Left => JustifyMode::LEFT,
            Align::Center => JustifyMode::CENTER,
            Align::Right => JustifyMode::RIGHT,
        };
        self.printer.justify(mode).map_err(render_err)?;
        self.align = wanted;
        Ok(())
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
