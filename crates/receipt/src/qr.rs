//! A QR code as SVG, for the receipt on screen (the printer draws its own,
//! the PDF an image): one path of the dark modules, a quiet zone of four.

use qrcodegen::{QrCode, QrCodeEcc};

/// The SVG of `content`'s QR code (level M, as printed), `None` when it does not fit one.
pub fn svg(content: &str) -> Option<String> {
    let qr = QrCode::encode_text(content, QrCodeEcc::Medium).ok()?;
    let side = qr.size() + 8;
    let mut path = String::new();
    for y in 0..qr.size() {
        for x in 0..qr.size() {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{} {}h1v1h-1z", x + 4, y + 4));
            }
        }
    }
    Some(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" shape-rendering="crispEdges"><rect width="{side}" height="{side}" fill="#fff"/><path d="{path}" fill="#000"/></svg>"##
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_svg_of_the_modules_with_a_quiet_zone() {
        let svg = super::svg("V0;KASSE-1").unwrap();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        // Version 1 (21 modules) plus 4 on each side.
        assert!(svg.contains(r#"viewBox="0 0 29 29""#), "{svg}");
        assert!(svg.contains("M4 4h1v1h-1z"), "the finder pattern's corner");
        assert!(super::svg(&"X".repeat(8_000)).is_none());
    }
}
