//! PDFs through `printpdf`: a receipt as an 80 mm roll exactly as tall as its
//! content, and A4 pages for the closing report.
//!
//! The text is set in DejaVu Sans Mono (cut down to Latin and €, embedded and
//! subset again per file), so the columns of the layout are the columns of the
//! printout and umlauts and € come out and copy out right.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use allsorts::binary::read::ReadScope;
use allsorts::font_data::FontData;
use allsorts::subset::{CmapTarget, SubsetProfile};

use printpdf::{
    FontId, Mm, Op, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt,
    RawImage, RawImageData, RawImageFormat, TextItem, XObjectId, XObjectTransform,
};
use qrcodegen::{QrCode, QrCodeEcc};

use crate::compose::layout_document;
use crate::document::Document;
use crate::error::PrintError;
use crate::layout::{Block, Layout};

static REGULAR_TTF: &[u8] = include_bytes!("../fonts/DejaVuSansMono-Latin.ttf");
static BOLD_TTF: &[u8] = include_bytes!("../fonts/DejaVuSansMono-Bold-Latin.ttf");

/// Advance width of every glyph of DejaVu Sans Mono, in em (1233 / 2048).
const ADVANCE_EM: f32 = 1233.0 / 2048.0;
/// Line height as a multiple of the font size.
const LEADING: f32 = 1.3;

struct Fonts {
    regular: ParsedFont,
    bold: ParsedFont,
}

fn fonts() -> Result<&'static Fonts, PrintError> {
    static FONTS: OnceLock<Option<Fonts>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let regular = ParsedFont::from_bytes(REGULAR_TTF, 0, &mut Vec::new())?;
            let bold = ParsedFont::from_bytes(BOLD_TTF, 0, &mut Vec::new())?;
            Some(Fonts { regular, bold })
        })
        .as_ref()
        .ok_or_else(|| PrintError::Render("embedded font unreadable".into()))
}

/// The face cut down to the glyphs of `chars`, so that a receipt embeds a few
/// kilobytes of font (printpdf subsets only with its HTML layout stack, which
/// this crate leaves out). Falls back to the whole face if subsetting fails.
fn subset(ttf: &[u8], parsed: &ParsedFont, chars: &BTreeSet<char>) -> ParsedFont {
    let mut ids: Vec<u16> = chars
        .iter()
        .filter_map(|c| parsed.lookup_glyph_index(*c as u32))
        .chain(std::iter::once(0))
        .collect();
    // .notdef (0) first, no duplicates: what allsorts requires.
    ids.sort_unstable();
    ids.dedup();
    let subset = (|| {
        let data = ReadScope::new(ttf).read::<FontData<'_>>().ok()?;
        let provider = data.table_provider(0).ok()?;
        let bytes =
            allsorts::subset::subset(&provider, &ids, &SubsetProfile::Pdf, CmapTarget::Unicode)
                .ok()?;
        ParsedFont::from_bytes(&bytes, 0, &mut Vec::new())
    })();
    subset.unwrap_or_else(|| {
        tracing::warn!("font subsetting failed; embedding the whole face");
        parsed.clone()
    })
}

/// The paper a PDF is set on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Paper {
    /// A receipt roll this wide (mm), the page exactly as tall as the content.
    Roll { width_mm: f32 },
    /// A4 portrait pages.
    A4,
}

impl Paper {
    pub const ROLL_80: Paper = Paper::Roll { width_mm: 80.0 };
}

/// The columns an A4 closing report is laid out in.
pub const A4_COLUMNS: usize = 80;

/// Renders a document: receipts and merchant copies on an 80 mm roll laid out in
/// `columns`, the closing report on A4.
pub fn document_pdf(document: &Document, columns: usize) -> Result<Vec<u8>, PrintError> {
    match document {
        Document::ZReport(_) => render_pdf(
            &layout_document(document, A4_COLUMNS),
            Paper::A4,
            &document.title(),
        ),
        _ => render_pdf(
            &layout_document(document, columns),
            Paper::ROLL_80,
            &document.title(),
        ),
    }
}

/// Geometry of the text area in points.
struct Frame {
    page_w: f32,
    page_h: f32,
    left: f32,
    top: f32,
    bottom: f32,
    advance: f32,
    size: f32,
}

impl Frame {
    fn line_height(&self) -> f32 {
        self.size * LEADING
    }
}

fn mm(v: f32) -> f32 {
    v * 72.0 / 25.4
}

/// Renders a laid-out document as a PDF.
pub fn render_pdf(layout: &Layout, paper: Paper, title: &str) -> Result<Vec<u8>, PrintError> {
    let fonts = fonts()?;
    let mut doc = PdfDocument::new(title);
    // Every character any page shows, per face.
    let mut plain = BTreeSet::new();
    let mut heavy = BTreeSet::new();
    for block in &layout.blocks {
        match block {
            Block::Line { text, style, .. } => {
                let set = if style.bold { &mut heavy } else { &mut plain };
                set.extend(printable(text).chars());
            }
            Block::Qr(content) => plain.extend(printable(content).chars()),
            Block::Blank | Block::Image(_) => {}
        }
    }
    if paper == Paper::A4 {
        plain.extend(printable(&format!("{title} · Seite 0123456789 von")).chars());
    }
    let regular = doc.add_font(&subset(REGULAR_TTF, &fonts.regular, &plain));
    let bold = doc.add_font(&subset(BOLD_TTF, &fonts.bold, &heavy));
    let faces = Faces { regular, bold };
    // QR codes as 1-bit-looking greyscale images: a few hundred bytes each
    // instead of hundreds of rectangles in the content stream.
    let mut qr_images = layout
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Qr(content) => Some(qr_image(content).map(|img| {
                let px = img.width;
                (doc.add_image(&img), px)
            })),
            Block::Image(logo) => Some(logo_image(logo).map(|img| {
                let px = img.width;
                (doc.add_image(&img), px)
            })),
            _ => None,
        })
        .collect::<Vec<_>>()
        .into_iter();

    let width = layout.width as f32;
    let pages = match paper {
        Paper::Roll { width_mm } => {
            let margin = mm(4.0);
            let page_w = mm(width_mm);
            let advance = (page_w - 2.0 * margin) / width;
            let mut frame = Frame {
                page_w,
                page_h: 0.0,
                left: margin,
                top: mm(5.0),
                bottom: mm(6.0),
                advance,
                size: advance / ADVANCE_EM,
            };
            let content: f32 = layout
                .blocks
                .iter()
                .map(|b| block_height(b, &frame, layout.width))
                .sum();
            frame.page_h = frame.top + content + frame.bottom;
            let mut ops = Vec::with_capacity(layout.blocks.len() * 6);
            let mut y = frame.page_h - frame.top;
            for block in &layout.blocks {
                y = draw_block(&mut ops, block, layout, &frame, &faces, &mut qr_images, y);
            }
            vec![PdfPage::new(
                Mm(width_mm),
                Mm(frame.page_h * 25.4 / 72.0),
                ops,
            )]
        }
        Paper::A4 => {
            let page_w = mm(210.0);
            let margin = mm(20.0);
            let advance = (page_w - 2.0 * margin) / width;
            let frame = Frame {
                page_w,
                page_h: mm(297.0),
                left: margin,
                top: mm(20.0),
                bottom: mm(22.0),
                advance,
                size: advance / ADVANCE_EM,
            };
            // Break into pages first, so each can say "Seite i von n".
            let room = frame.page_h - frame.top - frame.bottom;
            let mut chunks: Vec<Vec<&Block>> = vec![Vec::new()];
            let mut used = 0.0;
            for block in &layout.blocks {
                let h = block_height(block, &frame, layout.width);
                if used + h > room && !chunks.last().is_some_and(Vec::is_empty) {
                    chunks.push(Vec::new());
                    used = 0.0;
                }
                used += h;
                chunks.last_mut().expect("one page at least").push(block);
            }
            let total = chunks.len();
            chunks
                .into_iter()
                .enumerate()
                .map(|(i, blocks)| {
                    let mut ops = Vec::with_capacity(blocks.len() * 6 + 6);
                    let mut y = frame.page_h - frame.top;
                    for block in blocks {
                        y = draw_block(&mut ops, block, layout, &frame, &faces, &mut qr_images, y);
                    }
                    let footer = format!("{title} · Seite {} von {total}", i + 1);
                    let x =
                        (frame.page_w - footer.chars().count() as f32 * frame.advance * 0.8) / 2.0;
                    text_op(
                        &mut ops,
                        &faces.regular,
                        frame.size * 0.8,
                        false,
                        x,
                        mm(12.0),
                        &footer,
                    );
                    PdfPage::new(Mm(210.0), Mm(297.0), ops)
                })
                .collect()
        }
    };
    let mut warnings = Vec::new();
    let options = PdfSaveOptions {
        optimize: false,
        // The QR image is already as small as it gets; no re-encoding.
        image_optimization: None,
        ..PdfSaveOptions::default()
    };
    let mut pdf = doc
        .with_pages(pages)
        .to_lopdf_document(&options, &mut warnings);
    compress_streams(&mut pdf);
    let mut bytes = Vec::with_capacity(16 * 1024);
    pdf.save_to(&mut bytes)
        .map_err(|e| PrintError::Render(format!("PDF not written: {e}")))?;
    Ok(bytes)
}

/// Deflates every stream at the fast level. printpdf's own `optimize` uses the
/// slowest level, which took most of the time of a receipt (4–5 ms of 6) for a
/// few hundred bytes less.
fn compress_streams(pdf: &mut lopdf::Document) {
    use std::io::Write;
    for object in pdf.objects.values_mut() {
        let lopdf::Object::Stream(stream) = object else {
            continue;
        };
        if !stream.allows_compression || stream.dict.get(b"Filter").is_ok() {
            continue;
        }
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        if encoder.write_all(&stream.content).is_err() {
            continue;
        }
        if let Ok(compressed) = encoder.finish() {
            if compressed.len() + 19 < stream.content.len() {
                stream.dict.set("Filter", "FlateDecode");
                stream.set_content(compressed);
            }
        }
    }
}

struct Faces {
    regular: FontId,
    bold: FontId,
}

fn block_height(block: &Block, frame: &Frame, width: usize) -> f32 {
    match block {
        Block::Line { style, .. } if style.tall => 2.0 * frame.line_height(),
        Block::Line { .. } | Block::Blank => frame.line_height(),
        Block::Qr(content) if content.len() > QR_MAX_BYTES => {
            crate::layout::wrap(content, width).len() as f32 * frame.line_height()
        }
        Block::Qr(content) => qr_side(content, frame) + frame.line_height(),
        Block::Image(logo) if logo.is_valid() => {
            logo_size(logo, frame).1 + frame.line_height() / 2.0
        }
        Block::Image(_) => 0.0,
    }
}

/// Width and height of the logo in points: the printer's 8 dots a millimetre,
/// shrunk to the text width where wider.
fn logo_size(logo: &crate::document::Logo, frame: &Frame) -> (f32, f32) {
    let width = mm(logo.width as f32 / 8.0);
    let scale = ((frame.page_w - 2.0 * frame.left) / width).min(1.0);
    (width * scale, mm(logo.height as f32 / 8.0) * scale)
}

/// The logo as a greyscale image.
fn logo_image(logo: &crate::document::Logo) -> Option<RawImage> {
    if !logo.is_valid() {
        return None;
    }
    let (w, h) = (logo.width as usize, logo.height as usize);
    let mut pixels = vec![255u8; w * h];
    for y in 0..h {
        for x in 0..w {
            if logo.is_black(x, y) {
                pixels[y * w + x] = 0;
            }
        }
    }
    Some(RawImage {
        pixels: RawImageData::U8(pixels),
        width: w,
        height: h,
        data_format: RawImageFormat::R8,
        tag: Vec::new(),
    })
}

/// The most bytes a QR code of level M holds (version 40, byte mode).
const QR_MAX_BYTES: usize = 2331;

/// Side of the QR code with its quiet zone; at most 30 mm, never wider than the text.
fn qr_side(content: &str, frame: &Frame) -> f32 {
    if content.len() <= QR_MAX_BYTES {
        mm(30.0).min(frame.page_w - 2.0 * frame.left)
    } else {
        // Too long for a QR code: printed as text instead.
        0.0
    }
}

/// The QR code with its quiet zone of four modules, two pixels a module, so
/// that viewers that smooth images still show sharp edges.
fn qr_image(content: &str) -> Option<RawImage> {
    const PX: usize = 2;
    if content.len() > QR_MAX_BYTES {
        return None;
    }
    let qr = QrCode::encode_text(content, QrCodeEcc::Medium).ok()?;
    let modules = qr.size() as usize + 8;
    let width = modules * PX;
    let mut pixels = vec![255u8; width * width];
    for row in 0..qr.size() {
        for col in 0..qr.size() {
            if qr.get_module(col, row) {
                let (x0, y0) = ((col as usize + 4) * PX, (row as usize + 4) * PX);
                for y in y0..y0 + PX {
                    pixels[y * width + x0..y * width + x0 + PX].fill(0);
                }
            }
        }
    }
    Some(RawImage {
        pixels: RawImageData::U8(pixels),
        width,
        height: width,
        data_format: RawImageFormat::R8,
        tag: Vec::new(),
    })
}

/// Draws one block below `y` (the top of its row) and returns the next row's top.
fn draw_block(
    ops: &mut Vec<Op>,
    block: &Block,
    layout: &Layout,
    frame: &Frame,
    faces: &Faces,
    qr_images: &mut impl Iterator<Item = Option<(XObjectId, usize)>>,
    y: f32,
) -> f32 {
    let lh = frame.line_height();
    match block {
        Block::Blank => y - lh,
        Block::Line { text, align, style } => {
            let row = layout.place(text, *align);
            let trimmed = row.trim_start();
            let indent = (row.chars().count() - trimmed.chars().count()) as f32;
            let x = frame.left + indent * frame.advance;
            let height = if style.tall { 2.0 * lh } else { lh };
            // The baseline sits where the descenders still fit in the row.
            let baseline = y - height + height * 0.25;
            let face = if style.bold {
                &faces.bold
            } else {
                &faces.regular
            };
            if !trimmed.is_empty() {
                text_op(ops, face, frame.size, style.tall, x, baseline, trimmed);
            }
            y - height
        }
        Block::Image(logo) => match qr_images.next().flatten() {
            Some((id, px)) => {
                let (w, h) = logo_size(logo, frame);
                ops.push(Op::UseXobject {
                    id,
                    transform: XObjectTransform {
                        translate_x: Some(Pt((frame.page_w - w) / 2.0)),
                        translate_y: Some(Pt(y - h)),
                        dpi: Some(px as f32 * 72.0 / w),
                        ..XObjectTransform::default()
                    },
                });
                y - h - lh / 2.0
            }
            None => y,
        },
        Block::Qr(content) => match qr_images.next().flatten() {
            Some((id, px)) => {
                let side = qr_side(content, frame);
                ops.push(Op::UseXobject {
                    id,
                    transform: XObjectTransform {
                        translate_x: Some(Pt((frame.page_w - side) / 2.0)),
                        translate_y: Some(Pt(y - lh / 2.0 - side)),
                        // The image's pixels spread over exactly `side` points.
                        dpi: Some(px as f32 * 72.0 / side),
                        ..XObjectTransform::default()
                    },
                });
                y - side - lh
            }
            None => {
                let mut y = y;
                for row in crate::layout::wrap(content, layout.width) {
                    let x = frame.left;
                    text_op(
                        ops,
                        &faces.regular,
                        frame.size,
                        false,
                        x,
                        y - lh * 0.75,
                        &row,
                    );
                    y -= lh;
                }
                y
            }
        },
    }
}

/// The text with every character the embedded font lacks replaced by `?`, so
/// that nothing silently disappears and the columns stay where they are.
fn printable(text: &str) -> String {
    let Ok(fonts) = fonts() else {
        return text.to_string();
    };
    text.chars()
        .map(|c| {
            if fonts.regular.lookup_glyph_index(c as u32).is_some() {
                c
            } else {
                '?'
            }
        })
        .collect()
}

/// One run of text; `tall` draws it double height at the same width, like the
/// printer's double-height mode.
fn text_op(ops: &mut Vec<Op>, font: &FontId, size: f32, tall: bool, x: f32, y: f32, text: &str) {
    ops.push(Op::StartTextSection);
    ops.push(Op::SetFont {
        font: PdfFontHandle::External(font.clone()),
        size: Pt(if tall { size * 2.0 } else { size }),
    });
    ops.push(Op::SetHorizontalScaling {
        percent: if tall { 50.0 } else { 100.0 },
    });
    ops.push(Op::SetTextCursor {
        pos: Point { x: Pt(x), y: Pt(y) },
    });
    ops.push(Op::ShowText {
        items: vec![TextItem::Text(printable(text))],
    });
    ops.push(Op::EndTextSection);
}
