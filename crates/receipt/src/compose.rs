//! Lays the documents out in columns: what goes on a receipt, in which order.

use crate::document::{
    Document, InfoSheet, MerchantCopy, ProviderLine, Receipt, ReceiptExtras, ShopHeader, TseBlock,
    VatLine, ZReport, ZReportTse,
};
use crate::layout::{Align, Layout, Style};
use crate::money::{format_eur, push_eur};

/// Lays out any document at `width` columns.
pub fn layout_document(document: &Document, width: usize) -> Layout {
    match document {
        Document::Receipt { receipt, extras } => layout_receipt(receipt, extras, width),
        Document::MerchantCopy(copy) => layout_merchant_copy(copy, width),
        Document::ZReport(z) => layout_z_report(z, width),
        Document::InfoSheet(sheet) => layout_info_sheet(sheet, width),
    }
}

/// A sheet of facts: the shop, the title, each section's label and value
/// pairs (a value too long for the line goes below its label), the notes.
pub fn layout_info_sheet(sheet: &InfoSheet, width: usize) -> Layout {
    let mut out = Layout::new(width);
    shop_header(&mut out, &sheet.shop, false);
    out.blank();
    out.styled(Style::BOLD, |o| {
        for line in crate::layout::wrap(&sheet.title, width) {
            o.center(&line);
        }
    });
    out.center(&sheet.issued_at);
    for section in &sheet.sections {
        out.blank();
        out.caption(&section.heading);
        for (label, value) in &section.rows {
            if label.chars().count() + value.chars().count() < width {
                out.pair(label, value);
            } else {
                out.text(&format!("{label}:"));
                for line in crate::layout::wrap(value, width.saturating_sub(2).max(1)) {
                    out.text(&format!("  {line}"));
                }
            }
        }
    }
    for note in &sheet.notes {
        out.blank();
        for line in crate::layout::wrap(note, width) {
            out.text(&line);
        }
    }
    out
}

/// The customer receipt.
pub fn layout_receipt(receipt: &Receipt, extras: &ReceiptExtras, width: usize) -> Layout {
    let mut out = Layout::new(width);
    if let Some(logo) = extras.logo.as_ref().filter(|l| l.is_valid()) {
        out.image(std::sync::Arc::new(logo.clone()));
    }
    shop_header(&mut out, &receipt.shop, receipt.demo);
    if extras.duplicate {
        out.styled(Style::BOLD, |o| o.center("*** DUPLIKAT ***"));
    }
    out.rule('-');
    out.pair(
        &format!("Beleg {}", receipt.receipt_number),
        &receipt.issued_at,
    );
    out.pair("Kasse", &receipt.till_id);
    out.rule('-');
    for line in &receipt.lines {
        // A discounted line shows its price before the discount, the discount under it.
        let off: i64 = line.discounts.iter().map(|d| d.amount_cents).sum();
        let mut amount = String::with_capacity(16);
        push_eur(&mut amount, line.total_cents + off);
        amount.push(' ');
        amount.push(line.vat_mark);
        if line.quantity == 1 {
            out.pair(&line.text, &amount);
        } else {
            out.text(&line.text);
            out.pair(
                &format!(
                    "  {} x {}",
                    line.quantity,
                    format_eur(line.unit_price_cents)
                ),
                &amount,
            );
        }
        for d in &line.discounts {
            out.pair(
                &format!("  {}", d.label),
                &format!("{}  ", format_eur(-d.amount_cents)),
            );
        }
    }
    out.rule('-');
    out.styled(Style::IMPORTANT, |o| {
        o.pair("SUMME EUR", &format_eur(receipt.total_cents))
    });
    out.rule('-');
    for payment in &receipt.payments {
        out.pair(&payment.label, &format_eur(payment.amount_cents));
        if let Some(tendered) = payment.tendered_cents {
            out.pair("  Gegeben", &format_eur(tendered));
        }
        if let Some(change) = payment.change_cents {
            out.pair("  Rückgeld", &format_eur(change));
        }
    }
    if let Some(card) = &extras.secucard {
        out.blank();
        out.pair("secucard", &card.card_number);
        out.pair("  Guthaben verwendet", &format_eur(card.balance_used_cents));
        out.pair("  Restguthaben", &format_eur(card.balance_left_cents));
        if let Some(points) = card.points {
            out.pair("  Punkte", &points.to_string());
        }
    }
    // A cash movement's slip carries no VAT: no empty table.
    if !receipt.vat.is_empty() {
        out.blank();
        vat_table(&mut out, &receipt.vat);
    }
    if !receipt.provider_lines.is_empty() {
        out.blank();
        provider_lines(&mut out, &receipt.provider_lines);
    }
    if let Some(name) = &receipt.served_by {
        out.blank();
        out.text(&format!("Es bediente Sie: {name}"));
    }
    if let Some(id) = &receipt.transaction_id {
        out.blank();
        out.text(&format!("TA {id}"));
    }
    if let Some(tse) = &receipt.tse {
        tse_block(&mut out, tse);
    }
    if !extras.footer_lines.is_empty() {
        out.blank();
        for line in &extras.footer_lines {
            out.center(line);
        }
    }
    if let Some(qr) = &extras.qr {
        out.blank();
        out.qr(qr);
    }
    shop_footer(&mut out, &receipt.shop);
    out
}

/// The TSE's data as §6 KassenSichV asks for it, and the DSFinV-K QR code
/// (Anhang I: its content exactly as the TSE gave it).
fn tse_block(out: &mut Layout, tse: &TseBlock) {
    out.blank();
    match tse {
        TseBlock::Signed {
            tss_serial,
            client_serial,
            tx_number,
            start,
            end,
            signature_counter,
            signature,
            qr_code_data,
        } => {
            out.caption("TSE");
            out.text("TSE-Seriennummer:");
            out.text(tss_serial);
            out.pair("Kassen-Seriennr.", client_serial);
            out.pair("Transaktion", &tx_number.to_string());
            out.pair("Start", start);
            out.pair("Ende", end);
            out.pair("Signaturzähler", &signature_counter.to_string());
            out.text("Signatur:");
            out.text(signature);
            out.qr(qr_code_data);
        }
        TseBlock::Failed => {
            out.styled(Style::BOLD, |o| o.center("TSE ausgefallen"));
        }
    }
}

/// The shop's own closing words, last on the customer receipt; each line of
/// the setting centred (and wrapped where longer than the roll).
fn shop_footer(out: &mut Layout, shop: &ShopHeader) {
    let Some(footer) = shop.footer.as_deref().filter(|f| !f.trim().is_empty()) else {
        return;
    };
    out.blank();
    for line in footer.lines().map(str::trim).filter(|l| !l.is_empty()) {
        out.center(line);
    }
}

/// The merchant copy of a card payment, with the signature line where it asks for one.
pub fn layout_merchant_copy(copy: &MerchantCopy, width: usize) -> Layout {
    let mut out = Layout::new(width);
    shop_header(&mut out, &copy.shop, copy.demo);
    if copy.duplicate {
        out.styled(Style::BOLD, |o| o.center("*** DUPLIKAT ***"));
    }
    out.styled(Style::BOLD, |o| o.center("Händlerbeleg"));
    out.rule('-');
    out.pair(&format!("Beleg {}", copy.receipt_number), &copy.issued_at);
    out.pair("Kasse", &copy.till_id);
    out.blank();
    provider_lines(&mut out, &copy.provider_lines);
    if copy.needs_signature() {
        out.blank();
        out.blank();
        out.blank();
        let line: String = std::iter::once('X')
            .chain(std::iter::repeat_n('_', out.width - 1))
            .collect();
        out.text(&line);
        out.center("Unterschrift Karteninhaber");
    }
    out
}

/// The closing report (Z report).
pub fn layout_z_report(z: &ZReport, width: usize) -> Layout {
    let mut out = Layout::new(width);
    shop_header(&mut out, &z.shop, z.demo);
    out.blank();
    out.styled(Style::IMPORTANT, |o| {
        if z.interim {
            // The running period, not closed: no Z number is used up.
            o.center("X-Bericht (Zwischenbericht)")
        } else {
            o.center(&format!("Z-Bericht Nr. {}", z.z_number))
        }
    });
    out.rule('-');
    out.pair("Kasse", &z.till_id);
    out.pair("Von", &z.period_start);
    out.pair("Bis", &z.period_end);
    let receipts = match (z.first_receipt, z.last_receipt) {
        (Some(first), Some(last)) => format!("{first} - {last}"),
        _ => "keine".to_string(),
    };
    out.pair("Belege", &receipts);
    out.pair("Verkäufe", &z.sales_count.to_string());
    out.pair(
        "Stornos",
        &format!(
            "{} ({})",
            z.cancellations_count,
            format_eur(z.cancellations_cents)
        ),
    );
    if z.drawer_openings > 0 {
        out.pair("Schublade ohne Verkauf", &z.drawer_openings.to_string());
    }
    out.caption("Zahlarten");
    for payment in &z.payments {
        out.pair(
            &format!("{} ({}x)", payment.label, payment.count),
            &format_eur(payment.amount_cents),
        );
    }
    out.styled(Style::BOLD, |o| {
        o.pair("SUMME EUR", &format_eur(z.total_cents))
    });
    if !z.cashiers.is_empty() {
        out.caption("Umsatz je Kassierer");
        for c in &z.cashiers {
            out.pair(
                &format!("{} ({}x)", c.label, c.count),
                &format_eur(c.amount_cents),
            );
        }
    }
    out.caption("Umsatzsteuer");
    vat_table(&mut out, &z.vat);
    if z.returns_count != 0 {
        out.pair(
            &format!("Rückgaben ({}x)", z.returns_count),
            &format_eur(z.returns_cents),
        );
    }
    if z.discounts_cents != 0 {
        out.pair("Rabatte", &format_eur(-z.discounts_cents));
    }
    out.caption("Kassenbestand");
    out.pair("Anfangsbestand", &format_eur(z.float_cents));
    if z.cash_by_reason.is_empty() {
        if z.cash_in_cents != 0 {
            out.pair("Einlagen", &format_eur(z.cash_in_cents));
        }
        if z.cash_out_cents != 0 {
            out.pair("Entnahmen", &format_eur(-z.cash_out_cents));
        }
    }
    for r in &z.cash_by_reason {
        out.pair(
            &format!("{} ({}x)", r.label, r.count),
            &format_eur(r.amount_cents),
        );
    }
    out.pair("Soll", &format_eur(z.cash_expected_cents));
    match z.cash_counted_cents {
        Some(counted) => {
            out.pair("Gezählt", &format_eur(counted));
            out.styled(Style::BOLD, |o| {
                o.pair("Differenz", &format_eur(counted - z.cash_expected_cents))
            });
        }
        None => out.pair("Gezählt", "nicht gezählt"),
    }
    if let Some(kept) = z.retained_cents {
        out.pair("Verbleibt in der Kasse", &format_eur(kept));
    }
    if let Some(note) = z.note.as_deref().filter(|n| !n.trim().is_empty()) {
        out.caption("Notiz");
        for line in note.lines() {
            out.text(line);
        }
    }
    if !z.terminal_lines.is_empty() {
        out.caption("Kartenterminal");
        provider_lines(&mut out, &z.terminal_lines);
    }
    if let Some(tse) = &z.tse {
        z_report_tse(&mut out, tse);
    }
    if let Some(head) = &z.chain_head {
        out.rule('-');
        // The first 16 hex digits: enough to tell a journal cut short.
        out.pair("Prüfwert", head.get(..16).unwrap_or(head));
    }
    out
}

/// The TSE's part of the Z report: each TSE's serial number, the range of
/// its transaction numbers and signature counters, and the outages.
fn z_report_tse(out: &mut Layout, tse: &ZReportTse) {
    out.caption("TSE");
    for device in &tse.devices {
        out.text("Seriennummer:");
        out.text(&device.serial);
        out.pair("Signiert", &device.signed.to_string());
        let (first, last) = device.tx_numbers;
        out.pair("Transaktionen", &format!("{first} - {last}"));
        let (first, last) = device.signature_counters;
        out.pair("Signaturzähler", &format!("{first} - {last}"));
    }
    if tse.outages.is_empty() {
        out.pair("Ausfälle", "keine");
    }
    for outage in &tse.outages {
        out.text("TSE ausgefallen:");
        let until = outage.end.as_deref().unwrap_or("noch nicht behoben");
        out.pair("von", &outage.start);
        out.pair("bis", until);
        out.text(&outage.reason);
    }
}

fn shop_header(out: &mut Layout, shop: &ShopHeader, demo: bool) {
    out.styled(Style::BOLD, |o| o.center(&shop.name));
    for line in &shop.address_lines {
        out.center(line);
    }
    if let Some(vat_id) = &shop.vat_id {
        out.center(&format!("USt-IdNr. {vat_id}"));
    }
    if demo {
        out.styled(Style::BOLD, |o| {
            o.center("*** DEMO – KEIN GÜLTIGER BELEG ***")
        });
    }
}

fn vat_table(out: &mut Layout, vat: &[VatLine]) {
    // Wider than a roll (the A4 closing report): the table spans the page like the others.
    if out.width > 48 {
        let amount = out.width / 4;
        let rate = out.width - 3 * amount;
        out.text(&format!(
            "{:<rate$}{:>amount$}{:>amount$}{:>amount$}",
            "MwSt", "Netto", "Steuer", "Brutto"
        ));
        for vat in vat {
            out.text(&format!(
                "{:<rate$}{:>amount$}{:>amount$}{:>amount$}",
                format!("{} {:>2}%", vat.mark, vat.rate_percent),
                format_eur(vat.net_cents),
                format_eur(vat.tax_cents),
                format_eur(vat.gross_cents)
            ));
        }
        return;
    }
    // 35 columns from 42 up; a narrower table on 58 mm rolls.
    let (header, amount) = if out.width >= 35 {
        ("MwSt      Netto    Steuer    Brutto", 9)
    } else {
        ("MwSt    Netto   Steuer   Brutto", 8)
    };
    out.text(header);
    for vat in vat {
        let rate = format!("{} {:>2}%", vat.mark, vat.rate_percent);
        let row = if amount == 9 {
            format!(
                "{rate} {:>9} {:>9} {:>9}",
                format_eur(vat.net_cents),
                format_eur(vat.tax_cents),
                format_eur(vat.gross_cents)
            )
        } else {
            format!(
                "{rate}{:>8} {:>8} {:>8}",
                format_eur(vat.net_cents),
                format_eur(vat.tax_cents),
                format_eur(vat.gross_cents)
            )
        };
        out.text(&row);
    }
}

/// The provider's receipt lines, kept as received: `separator`, `textline`,
/// `name-value`, `space`, with `important` and the alignments.
pub fn provider_lines(out: &mut Layout, lines: &[ProviderLine]) {
    for line in lines {
        let value = &line.value;
        let field = |name: &str| value.get(name).and_then(|v| v.as_str()).unwrap_or("");
        let decorations = value.get("decoration").and_then(|d| d.as_array());
        let has = |d: &str| decorations.is_some_and(|all| all.iter().any(|x| x == d));
        let align = if has("align-center") {
            Align::Center
        } else if has("align-right") {
            Align::Right
        } else {
            Align::Left
        };
        let style = if has("important") {
            Style::IMPORTANT
        } else {
            Style::PLAIN
        };
        out.styled(style, |out| match line.kind.as_str() {
            "separator" => match value.get("caption").and_then(|c| c.as_str()) {
                Some(caption) => out.caption(caption),
                None => out.rule('-'),
            },
            "textline" => out.aligned(field("text"), align),
            "name-value" => out.pair(field("name"), field("value")),
            // `space` and anything newer than this renderer: a blank row keeps the layout.
            _ => out.blank(),
        });
    }
}
