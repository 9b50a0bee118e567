use serde::{Deserialize, Serialize};

/// The shop's header as set in the settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ShopHeader {
    pub name: String,
    pub address_lines: Vec<String>,
    pub vat_id: Option<String>,
    /// The shop's closing words under the customer receipt ("Vielen Dank …");
    /// absent in sales journaled before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub footer: Option<String>,
}

/// One article line of the receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ReceiptLine {
    pub quantity: i64,
    pub text: String,
    pub unit_price_cents: i64,
    pub total_cents: i64,
    /// The letter that ties the line to its row in the VAT table (A = 19 %, B = 7 %, C = 0 %).
    pub vat_mark: char,
    /// Discounts taken off the line (`total_cents` is after them): their
    /// words ("Rabatt 10 %") and amounts, printed under the line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub discounts: Vec<LineDiscountText>,
}

/// A line's discount as printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct LineDiscountText {
    pub label: String,
    /// Positive: what was taken off.
    pub amount_cents: i64,
}

/// One row of the VAT table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct VatLine {
    pub mark: char,
    pub rate_percent: u8,
    pub net_cents: i64,
    pub tax_cents: i64,
    pub gross_cents: i64,
}

/// How the sale was paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct PaymentLine {
    /// What the customer reads, e.g. "Bar".
    pub label: String,
    pub amount_cents: i64,
    /// Cash tendered and change, where cash was given.
    pub tendered_cents: Option<i64>,
    pub change_cents: Option<i64>,
}

/// A receipt line as the provider sends it (`receipt`, `receipt_merchant`), kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ProviderLine {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub value: serde_json::Value,
}

/// The customer receipt of one sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Receipt {
    pub shop: ShopHeader,
    pub till_id: String,
    pub receipt_number: u64,
    /// Local date and time as printed, e.g. "21.11.2026 14:03".
    pub issued_at: String,
    pub lines: Vec<ReceiptLine>,
    pub total_cents: i64,
    pub vat: Vec<VatLine>,
    pub payments: Vec<PaymentLine>,
    /// The provider's transaction id (`STX_…`), printed for support.
    pub transaction_id: Option<String>,
    pub provider_lines: Vec<ProviderLine>,
    /// Marks a receipt from demo mode, so it can never pass for a real one.
    pub demo: bool,
    /// What the TSE signed (§6 KassenSichV), or that it failed; absent on
    /// receipts from before the till had a TSE, or without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub tse: Option<TseBlock>,
    /// The cashier's name: "Es bediente Sie: …".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub served_by: Option<String>,
}

/// The TSE's part of a receipt (§6 KassenSichV, §146a AO).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum TseBlock {
    Signed {
        /// The TSE's serial number.
        tss_serial: String,
        /// The till's serial number as the TSE knows it.
        client_serial: String,
        tx_number: u64,
        /// Start and end of the transaction as printed (local time).
        start: String,
        end: String,
        signature_counter: u64,
        /// Base64 of the signature.
        signature: String,
        /// DSFinV-K Anhang I: printed as the QR code, exactly.
        qr_code_data: String,
    },
    /// The TSE could not sign: the receipt says "TSE ausgefallen".
    Failed,
}

/// What the customer receipt shows besides the sale itself; every part is optional,
/// so that a stored receipt without it still reads and prints.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ReceiptExtras {
    /// The secucard that paid part of the sale: balance used and what is left.
    pub secucard: Option<SecucardSummary>,
    /// Lines under the receipt, e.g. "Vielen Dank für Ihren Einkauf".
    pub footer_lines: Vec<String>,
    /// Printed as a QR code at the end (e.g. the signature data of the sale).
    pub qr: Option<String>,
    /// A reprint: marked so that it cannot pass for a second original.
    pub duplicate: bool,
    /// The shop's logo from the settings, printed above the header.
    pub logo: Option<Logo>,
}

/// A black-and-white picture for the top of the receipt, at the printer's
/// resolution (8 dots a millimetre: 384 dots fill a 58 mm roll, 576 an 80 mm one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Logo {
    pub width: u32,
    pub height: u32,
    /// Rows of `width.div_ceil(8)` bytes, leftmost dot in the highest bit, 1 = black;
    /// stored as hex.
    #[serde(with = "hex_bytes")]
    pub bits: Vec<u8>,
}

impl Logo {
    /// From 8-bit grey values (0 = black), row by row; darker than mid-grey prints.
    pub fn from_luma(width: u32, height: u32, luma: &[u8]) -> Option<Self> {
        let (w, h) = (width as usize, height as usize);
        if w == 0 || h == 0 || luma.len() != w * h {
            return None;
        }
        let row_bytes = w.div_ceil(8);
        let mut bits = vec![0u8; row_bytes * h];
        for y in 0..h {
            for x in 0..w {
                if luma[y * w + x] < 128 {
                    bits[y * row_bytes + x / 8] |= 0x80 >> (x % 8);
                }
            }
        }
        Some(Self {
            width,
            height,
            bits,
        })
    }

    pub fn row_bytes(&self) -> usize {
        (self.width as usize).div_ceil(8)
    }

    /// Whether the dot at (`x`, `y`) is black.
    pub fn is_black(&self, x: usize, y: usize) -> bool {
        self.bits
            .get(y * self.row_bytes() + x / 8)
            .is_some_and(|b| b & (0x80 >> (x % 8)) != 0)
    }

    /// Whether the bits match the size (a stored logo may have been edited).
    pub fn is_valid(&self) -> bool {
        self.width > 0
            && self.height > 0
            && self.bits.len() == self.row_bytes() * self.height as usize
    }
}

mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        hex::decode(text).map_err(serde::de::Error::custom)
    }
}

/// The secucard part of a payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecucardSummary {
    /// The card number as printed, usually masked (`9276 **** 2845`).
    pub card_number: String,
    pub balance_used_cents: i64,
    pub balance_left_cents: i64,
    #[serde(default)]
    pub points: Option<i64>,
}

/// The merchant copy of a card payment: the provider's `receipt_merchant` lines,
/// kept for the shop and signed by the customer where the lines ask for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantCopy {
    pub shop: ShopHeader,
    pub till_id: String,
    pub receipt_number: u64,
    pub issued_at: String,
    pub provider_lines: Vec<ProviderLine>,
    #[serde(default)]
    pub demo: bool,
    #[serde(default)]
    pub duplicate: bool,
}

impl MerchantCopy {
    /// The provider asks for a signature with a line like "Unterschrift umseitig"
    /// or "Bitte unterschreiben" (ELV and some credit card payments).
    pub fn needs_signature(&self) -> bool {
        self.provider_lines.iter().any(|line| {
            ["text", "name", "value"].iter().any(|field| {
                line.value
                    .get(field)
                    .and_then(|v| v.as_str())
                    .is_some_and(asks_for_signature)
            })
        })
    }
}

/// Whether the provider's merchant receipt text asks the customer to sign:
/// the one rule, for the receipt's lines and for its text as the till keeps it.
pub fn asks_for_signature(text: &str) -> bool {
    let t = text.to_lowercase();
    t.contains("unterschrift") || t.contains("unterschreiben")
}

/// A total per payment method in the closing report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentTotal {
    pub label: String,
    pub count: u64,
    pub amount_cents: i64,
}

/// The closing report (Z report) of one business day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZReport {
    pub shop: ShopHeader,
    pub till_id: String,
    /// The running Z number.
    pub z_number: u64,
    /// Local date and time of the first and the last entry, as printed.
    pub period_start: String,
    pub period_end: String,
    pub first_receipt: Option<u64>,
    pub last_receipt: Option<u64>,
    pub sales_count: u64,
    pub cancellations_count: u64,
    #[serde(default)]
    pub cancellations_cents: i64,
    pub payments: Vec<PaymentTotal>,
    pub vat: Vec<VatLine>,
    pub total_cents: i64,
    pub cash_expected_cents: i64,
    pub cash_counted_cents: Option<i64>,
    /// The payment terminal's own end-of-day answer, kept as received.
    #[serde(default)]
    pub terminal_lines: Vec<ProviderLine>,
    #[serde(default)]
    pub demo: bool,
    /// Times the drawer was opened without a sale.
    #[serde(default)]
    pub drawer_openings: u64,
    /// The change float put in, cash put in and taken out during the day.
    #[serde(default)]
    pub float_cents: i64,
    #[serde(default)]
    pub cash_in_cents: i64,
    #[serde(default)]
    pub cash_out_cents: i64,
    /// The cashier's note to the closing.
    #[serde(default)]
    pub note: Option<String>,
    /// The journal's chain head at the closing: printed, it anchors the
    /// journal outside its file.
    #[serde(default)]
    pub chain_head: Option<String>,
    /// An X report: the running period's figures, printed without closing it.
    #[serde(default)]
    pub interim: bool,
    /// Cash put in and taken out, by reason (DSFinV-K's names), signed.
    #[serde(default)]
    pub cash_by_reason: Vec<PaymentTotal>,
    #[serde(default)]
    pub returns_count: u64,
    /// Negative: what returns paid back.
    #[serde(default)]
    pub returns_cents: i64,
    /// Discounts given (positive).
    #[serde(default)]
    pub discounts_cents: i64,
    /// The cash kept in the drawer for the next day.
    #[serde(default)]
    pub retained_cents: Option<i64>,
    /// Takings per cashier: sales less cancellations, by the name the journal carries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cashiers: Vec<PaymentTotal>,
    /// What the TSE signed in the period and its outages (KassenSichV).
    #[serde(default)]
    pub tse: Option<ZReportTse>,
}

/// The TSE's part of a Z report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZReportTse {
    pub devices: Vec<ZReportTseDevice>,
    pub outages: Vec<ZReportOutage>,
}

/// One TSE's range of transaction numbers and signature counters in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZReportTseDevice {
    pub serial: String,
    pub signed: u64,
    pub tx_numbers: (u64, u64),
    pub signature_counters: (u64, u64),
}

/// An outage of the TSE: from, until (`None`: not over at the closing), why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZReportOutage {
    pub start: String,
    pub end: Option<String>,
    pub reason: String,
}

/// A sheet of facts under a title, in sections of label and value (e.g. the
/// TSE's data for the tax office's notice): printed on the roll and as PDF.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InfoSheet {
    pub shop: ShopHeader,
    pub title: String,
    pub sections: Vec<InfoSection>,
    /// Printed at the end, one paragraph each.
    #[serde(default)]
    pub notes: Vec<String>,
    /// When it was made, as printed.
    pub issued_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InfoSection {
    pub heading: String,
    /// Label and value; a long value goes on its own line(s) below its label.
    pub rows: Vec<(String, String)>,
}

/// Anything the till prints: what a print job carries and what is stored for a reprint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Document {
    Receipt {
        receipt: Receipt,
        #[serde(default)]
        extras: ReceiptExtras,
    },
    MerchantCopy(MerchantCopy),
    ZReport(ZReport),
    InfoSheet(InfoSheet),
}

impl Document {
    /// A customer receipt without extras.
    pub fn receipt(receipt: Receipt) -> Self {
        Document::Receipt {
            receipt,
            extras: ReceiptExtras::default(),
        }
    }

    /// Reads a stored document back: a `Document` as serialized here, a bare
    /// `Receipt`, or a journal entry body that holds one under `"document"`.
    pub fn from_stored(value: &serde_json::Value) -> Result<Self, serde_json::Error> {
        if let Some(inner) = value.get("document") {
            return Self::from_stored(inner);
        }
        if value.get("kind").is_some() {
            return serde_json::from_value(value.clone());
        }
        serde_json::from_value(value.clone()).map(Document::receipt)
    }

    /// The same document marked as a reprint.
    pub fn into_duplicate(self) -> Self {
        match self {
            Document::Receipt {
                receipt,
                mut extras,
            } => {
                extras.duplicate = true;
                Document::Receipt { receipt, extras }
            }
            Document::MerchantCopy(mut copy) => {
                copy.duplicate = true;
                Document::MerchantCopy(copy)
            }
            other @ (Document::ZReport(_) | Document::InfoSheet(_)) => other,
        }
    }

    /// The number of a customer receipt (an original or a copy); `None` for other documents.
    pub fn customer_receipt_number(&self) -> Option<u64> {
        match self {
            Document::Receipt { receipt, .. } => Some(receipt.receipt_number),
            _ => None,
        }
    }

    /// Whether the document is marked as a reprint.
    pub fn is_duplicate(&self) -> bool {
        match self {
            Document::Receipt { extras, .. } => extras.duplicate,
            Document::MerchantCopy(copy) => copy.duplicate,
            Document::ZReport(_) | Document::InfoSheet(_) => false,
        }
    }

    /// A short title for print jobs and file names.
    pub fn title(&self) -> String {
        match self {
            Document::Receipt { receipt, .. } => format!("Beleg {}", receipt.receipt_number),
            Document::MerchantCopy(copy) => format!("Händlerbeleg {}", copy.receipt_number),
            Document::ZReport(z) if z.interim => "X-Bericht".to_string(),
            Document::ZReport(z) => format!("Z-Bericht {}", z.z_number),
            Document::InfoSheet(sheet) => sheet.title.clone(),
        }
    }
}
