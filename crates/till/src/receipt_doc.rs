//! Builds the receipt document of a sale.

use receipt::{PaymentLine, ProviderLine, Receipt, ReceiptLine, ShopHeader, VatLine};

use crate::basket::{Basket, VatTotal};
use crate::money::Cents;

/// Everything about a paid sale that goes on its receipt.
pub struct ReceiptInput<'a> {
    pub shop: &'a ShopHeader,
    pub till_id: &'a str,
    pub receipt_number: u64,
    pub issued_at: chrono::DateTime<chrono::Local>,
    pub basket: &'a Basket,
    pub payments: Vec<PaymentLine>,
    pub transaction_id: Option<&'a str>,
    pub provider_lines: Vec<ProviderLine>,
    pub demo: bool,
    /// The TSE's signature of the sale, or why there is none.
    pub tse: Option<&'a crate::tse::TseRecord>,
    /// The cashier's name ("Es bediente Sie: …").
    pub served_by: Option<&'a str>,
}

pub fn build(input: ReceiptInput<'_>) -> Receipt {
    let lines = input
        .basket
        .lines
        .iter()
        .map(|l| ReceiptLine {
            quantity: l.quantity,
            text: l.text.clone(),
            unit_price_cents: l.unit_price.0,
            total_cents: l.total().0,
            vat_mark: l.vat.mark(),
            // Only discounts given with a rule are named (sales journaled
            // before rules existed rebuild exactly as they were printed).
            discounts: l
                .discount_rule
                .as_ref()
                .map(crate::discount::LineDiscount::printed)
                .unwrap_or_default(),
        })
        .collect();
    let vat = input.basket.vat_totals().iter().map(vat_line).collect();
    Receipt {
        shop: input.shop.clone(),
        till_id: input.till_id.to_string(),
        receipt_number: input.receipt_number,
        issued_at: input.issued_at.format("%d.%m.%Y %H:%M").to_string(),
        lines,
        total_cents: input.basket.total().0,
        vat,
        payments: input.payments,
        transaction_id: input.transaction_id.map(str::to_string),
        provider_lines: input.provider_lines,
        demo: input.demo,
        tse: input.tse.map(tse_block),
        served_by: input.served_by.map(str::to_string),
    }
}

/// The cash payment line with tendered and change.
/// A row of the VAT table, on a receipt and on the Z report alike.
pub fn vat_line(v: &VatTotal) -> VatLine {
    VatLine {
        mark: v.rate.mark(),
        rate_percent: v.rate.percent(),
        net_cents: v.net.0,
        tax_cents: v.tax.0,
        gross_cents: v.gross.0,
    }
}

pub fn cash_payment(total: Cents, tendered: Option<Cents>) -> PaymentLine {
    PaymentLine {
        label: "Bar".into(),
        amount_cents: total.0,
        tendered_cents: tendered.map(|t| t.0),
        change_cents: tendered.map(|t| (t - total).0),
    }
}

/// The settings a receipt depends on besides the sale, as journaled.
pub fn settings_value(shop: &receipt::ShopHeader, till_id: &str, demo: bool) -> serde_json::Value {
    serde_json::json!({"shop": shop, "till_id": till_id, "demo": demo})
}

/// Rebuilds the receipt of a journaled sale, exactly as it was printed.
pub fn rebuild(record: &crate::journal::SaleRecord) -> Option<Receipt> {
    let settings = record.settings.as_ref()?;
    let shop: receipt::ShopHeader = serde_json::from_value(settings.get("shop")?.clone()).ok()?;
    let till_id = settings.get("till_id")?.as_str()?;
    let demo = settings
        .get("demo")
        .and_then(|d| d.as_bool())
        .unwrap_or(false);
    let issued_at = chrono::DateTime::parse_from_rfc3339(&record.created_at)
        .ok()?
        .with_timezone(&chrono::Local);
    let intent = &record.intent;
    let payments = record
        .paid
        .payments
        .iter()
        .map(|p| match p.method {
            crate::closing::PaymentMethod::Cash => cash_payment(p.amount, p.tendered),
            crate::closing::PaymentMethod::Secucard => secucard_payment(p.amount),
            crate::closing::PaymentMethod::Card => card_payment(p.amount),
            crate::closing::PaymentMethod::Qr => qr_payment(p.amount, p.provider_method.as_deref()),
        })
        .collect();
    let provider_lines = record
        .paid
        .customer_receipt
        .as_ref()
        .and_then(|r| serde_json::from_value::<Vec<ProviderLine>>(r.received.clone()).ok())
        .unwrap_or_default();
    Some(build(ReceiptInput {
        shop: &shop,
        till_id,
        receipt_number: record.receipt_number as u64,
        issued_at,
        basket: &intent.basket,
        payments,
        transaction_id: record.paid.transaction_id.as_deref(),
        provider_lines,
        demo,
        tse: record.paid.tse.as_ref(),
        served_by: record.cashier.as_ref().map(|c| c.name.as_str()),
    }))
}

/// The receipt's TSE block: times in local time, as the receipt's own.
pub fn tse_block(record: &crate::tse::TseRecord) -> receipt::TseBlock {
    use crate::tse::TseRecord;
    let time = |unix: i64| {
        chrono::DateTime::from_timestamp(unix, 0)
            .map(|t| {
                t.with_timezone(&chrono::Local)
                    .format("%d.%m.%Y %H:%M:%S")
                    .to_string()
            })
            .unwrap_or_default()
    };
    match record {
        TseRecord::Signed(s) => receipt::TseBlock::Signed {
            tss_serial: s.tss_serial.clone(),
            client_serial: s.client_serial.clone(),
            tx_number: s.tx_number,
            start: time(s.time_start),
            end: time(s.time_end),
            signature_counter: s.signature_counter,
            signature: s.signature.clone(),
            qr_code_data: s.qr_code_data.clone(),
        },
        TseRecord::Failed { .. } => receipt::TseBlock::Failed,
    }
}

/// The receipt of a cancellation: the original's lines, VAT and payments
/// with negative amounts, under its own number, naming the original.
pub fn cancellation(
    original: &Receipt,
    receipt_number: u64,
    issued_at: chrono::DateTime<chrono::Local>,
    tse: Option<&crate::tse::TseRecord>,
) -> Receipt {
    let mut r = original.clone();
    // The cancellation's own TSE transaction, not the original's.
    r.tse = tse.map(tse_block);
    r.receipt_number = receipt_number;
    r.issued_at = issued_at.format("%d.%m.%Y %H:%M").to_string();
    for l in &mut r.lines {
        l.quantity = -l.quantity;
        l.total_cents = -l.total_cents;
    }
    for v in &mut r.vat {
        v.net_cents = -v.net_cents;
        v.tax_cents = -v.tax_cents;
        v.gross_cents = -v.gross_cents;
    }
    r.total_cents = -r.total_cents;
    for p in &mut r.payments {
        p.amount_cents = -p.amount_cents;
        p.tendered_cents = None;
        p.change_cents = None;
    }
    r.provider_lines = vec![ProviderLine {
        kind: "textline".into(),
        value: serde_json::json!({
            "text": format!("STORNO zu Beleg {}", original.receipt_number),
            "decoration": ["align-center", "important"],
        }),
    }];
    r
}

/// The part paid from the secucard's balance.
pub fn secucard_payment(amount: Cents) -> PaymentLine {
    PaymentLine {
        label: "Kundenkarte".into(),
        amount_cents: amount.0,
        tendered_cents: None,
        change_cents: None,
    }
}

/// The card payment line.
pub fn card_payment(total: Cents) -> PaymentLine {
    PaymentLine {
        label: "Karte".into(),
        amount_cents: total.0,
        tendered_cents: None,
        change_cents: None,
    }
}

/// A payment by QR code, named with the method the provider reports.
pub fn qr_payment(total: Cents, provider_method: Option<&str>) -> PaymentLine {
    let label = match provider_method.map(method_name) {
        Some(name) => format!("QR-Code ({name})"),
        None => "QR-Code".into(),
    };
    PaymentLine {
        label,
        amount_cents: total.0,
        tendered_cents: None,
        change_cents: None,
    }
}

/// A provider's payment method (`paypal`, `creditcard`, …) as a receipt names it.
pub fn method_name(method: &str) -> String {
    match method {
        "paypal" => "PayPal".into(),
        "creditcard" => "Kreditkarte".into(),
        "debit" => "Lastschrift".into(),
        "giropay" => "giropay".into(),
        "sofort" => "Sofort".into(),
        "eps" => "eps".into(),
        "invoice" => "Rechnung".into(),
        "prepaid" => "Vorkasse".into(),
        other => other.to_string(),
    }
}

/// Renders provider receipt lines alone (the merchant's copy of a card payment).
pub fn render_provider_only(lines: &[secuconnect::ReceiptLine], width: usize) -> String {
    let receipt = Receipt {
        shop: receipt::ShopHeader {
            name: String::new(),
            address_lines: vec![],
            vat_id: None,
            footer: None,
        },
        till_id: String::new(),
        receipt_number: 0,
        issued_at: String::new(),
        lines: vec![],
        total_cents: 0,
        vat: vec![],
        payments: vec![],
        transaction_id: None,
        provider_lines: lines
            .iter()
            .map(|l| ProviderLine {
                kind: l.kind.clone(),
                value: l.value.clone(),
            })
            .collect(),
        demo: false,
        tse: None,
        served_by: None,
    };
    let text = receipt::render_text(&receipt, width);
    // Only the provider's part: it follows the till's (empty) header and VAT table.
    match text.find('\n').and(first_provider_line(&text, lines)) {
        Some(i) => text[i..].to_string(),
        None => text,
    }
}

fn first_provider_line(text: &str, lines: &[secuconnect::ReceiptLine]) -> Option<usize> {
    let first = lines.first()?;
    let needle = first
        .value
        .get("caption")
        .or_else(|| first.value.get("text"))
        .or_else(|| first.value.get("name"))
        .and_then(|v| v.as_str())?;
    text.find(needle)
        .map(|i| text[..i].rfind('\n').map_or(0, |n| n + 1))
}
