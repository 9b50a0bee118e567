//! The simulated payment terminal: outcomes, the bank cards it "reads", and the
//! receipts it prints.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::demo;
use crate::receipts::{eur, name_value, name_value_important, separator, space, text};

/// What the customer does at the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Ok,
    Declined,
    Aborted,
    Timeout,
}

/// The bank card the customer presents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CardScheme {
    /// girocard with PIN: no signature, can be cancelled before the end of day.
    Girocard,
    /// ec-Lastschrift (ELV): signature on the merchant receipt, can be cancelled.
    Elv,
    /// Credit cards: cannot be cancelled by `canceltrx`.
    Visa,
    Mastercard,
}

impl CardScheme {
    pub fn label(self) -> &'static str {
        match self {
            CardScheme::Girocard => "girocard",
            CardScheme::Elv => "ec-Lastschrift",
            CardScheme::Visa => "VISA",
            CardScheme::Mastercard => "Mastercard",
        }
    }

    /// girocard and ELV receipts can be cancelled with `canceltrx`.
    pub fn cancellable(self) -> bool {
        matches!(self, CardScheme::Girocard | CardScheme::Elv)
    }

    /// The customer signs the merchant receipt.
    pub fn signature(self) -> bool {
        matches!(self, CardScheme::Elv)
    }
}

/// The terminal's choice for the next payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TerminalNext {
    pub outcome: Outcome,
    #[serde(default)]
    pub card: Option<CardScheme>,
}

/// The outcome and card chosen by a magic amount (`basket_info.sum`):
/// cents ending in 13 declined, 14 aborted, 15 timed out; 16 paid by ELV,
/// 17 paid by VISA; anything else paid by girocard.
pub fn by_magic_amount(sum: i64) -> TerminalNext {
    let (outcome, card) = match sum.rem_euclid(100) {
        13 => (Outcome::Declined, None),
        14 => (Outcome::Aborted, None),
        15 => (Outcome::Timeout, None),
        16 => (Outcome::Ok, Some(CardScheme::Elv)),
        17 => (Outcome::Ok, Some(CardScheme::Visa)),
        _ => (Outcome::Ok, None),
    };
    TerminalNext { outcome, card }
}

/// A payment the terminal made, kept for `canceltrx` and the end of day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TerminalPayment {
    pub receipt_number: u64,
    pub trace: u64,
    pub stx_id: String,
    pub scheme: CardScheme,
    pub amount: i64,
    /// The terminal day (incremented by each end of day).
    pub day: u64,
    pub cancelled: bool,
}

/// What a receipt header needs.
pub struct Slip<'a> {
    pub when: chrono::DateTime<chrono::Local>,
    pub receipt_number: u64,
    pub trace: u64,
    pub scheme: CardScheme,
    pub amount: i64,
    pub title: &'a str,
}

/// The head of a terminal slip; the customer's copy is the masked one.
fn header(lines: &mut Vec<Value>, slip: &Slip<'_>, masked: bool) {
    let copy = if masked {
        "* * Kundenbeleg * *"
    } else {
        "* * Händlerbeleg * *"
    };
    lines.push(separator(slip.title));
    lines.push(text(copy, &[]));
    lines.push(text(&demo::MERCHANT_NAME.to_uppercase(), &[]));
    lines.push(text(demo::STORE_NAME, &[]));
    lines.push(space());
    lines.push(name_value(
        "Datum:",
        &slip.when.format("%d.%m.%Y").to_string(),
    ));
    lines.push(name_value(
        "Uhrzeit:",
        &format!("{} Uhr", slip.when.format("%H:%M:%S")),
    ));
    lines.push(name_value(
        "Beleg-Nr.",
        &format!("{:04}", slip.receipt_number),
    ));
    lines.push(name_value("Trace-Nr.", &format!("{:06}", slip.trace)));
    lines.push(space());
}

/// The account lines of the card: masked on the customer copy, full on the merchant's.
fn account(lines: &mut Vec<Value>, scheme: CardScheme, masked: bool) {
    match scheme {
        CardScheme::Girocard | CardScheme::Elv => {
            lines.push(name_value("BLZ", if masked { "########" } else { "51100" }));
            lines.push(name_value(
                "Konto-Nr.",
                if masked { "######3836" } else { "1060093836" },
            ));
        }
        CardScheme::Visa | CardScheme::Mastercard => {
            lines.push(name_value(
                "PAN",
                if masked {
                    "############4242"
                } else {
                    "4111111111114242"
                },
            ));
        }
    }
    lines.push(text(
        if masked {
            "Karte 1 gültig bis ##/##"
        } else {
            "Karte 1 gültig bis 12/29"
        },
        &[],
    ));
    lines.push(name_value("Terminal-ID", demo::TERMINAL_TID));
    lines.push(space());
}

/// Customer and merchant receipt of a payment that went through (guide 04).
pub fn payment_receipts(slip: &Slip<'_>) -> (Vec<Value>, Vec<Value>) {
    let build = |masked: bool| {
        let mut lines = Vec::new();
        header(&mut lines, slip, masked);
        lines.push(text("Kartenzahlung", &[]));
        lines.push(text(slip.scheme.label(), &[]));
        lines.push(space());
        account(&mut lines, slip.scheme, masked);
        lines.push(name_value("Betrag EUR", &eur(slip.amount)));
        lines.push(space());
        lines.push(text(
            if slip.scheme.signature() {
                "Karte akzeptiert"
            } else {
                "Zahlung erfolgt"
            },
            &["align-center", "important"],
        ));
        if !masked && slip.scheme.signature() {
            lines.push(space());
            lines.push(text("Unterschrift umseitig", &[]));
        }
        lines
    };
    (build(true), build(false))
}

/// The customer's receipt of a payment that did not go through.
pub fn failure_receipt(
    when: chrono::DateTime<chrono::Local>,
    amount: i64,
    outcome: Outcome,
) -> Vec<Value> {
    let reason = match outcome {
        Outcome::Declined => "Zahlung abgelehnt",
        Outcome::Aborted => "Abbruch durch Kunde",
        Outcome::Timeout => "Zeitüberschreitung",
        Outcome::Ok => "Zahlung erfolgt",
    };
    vec![
        separator("Kartenzahlung"),
        text("* * Kundenbeleg * *", &[]),
        text(&demo::MERCHANT_NAME.to_uppercase(), &[]),
        space(),
        name_value("Datum:", &when.format("%d.%m.%Y").to_string()),
        name_value("Uhrzeit:", &format!("{} Uhr", when.format("%H:%M:%S"))),
        name_value("Terminal-ID", demo::TERMINAL_TID),
        name_value("Betrag EUR", &eur(amount)),
        space(),
        text(reason, &["align-center", "important"]),
        text("Bitte Karte entnehmen", &["align-center"]),
    ]
}

/// Customer and merchant receipt of a cancelled terminal payment.
pub fn cancellation_receipts(slip: &Slip<'_>, original: u64) -> (Vec<Value>, Vec<Value>) {
    let build = |masked: bool| {
        let mut lines = Vec::new();
        header(&mut lines, slip, masked);
        lines.push(text("STORNO", &["important", "align-center"]));
        lines.push(text(slip.scheme.label(), &[]));
        lines.push(name_value(
            "Storno von Beleg-Nr.",
            &format!("{original:04}"),
        ));
        lines.push(space());
        account(&mut lines, slip.scheme, masked);
        lines.push(name_value("Betrag EUR", &format!("-{}", eur(slip.amount))));
        lines.push(space());
        lines.push(text("Storno erfolgt", &["align-center", "important"]));
        lines
    };
    (build(true), build(false))
}

/// Totals of one terminal day, per card scheme.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayTotals {
    pub count: u64,
    pub sum: i64,
    pub cancelled_count: u64,
    pub cancelled_sum: i64,
    pub schemes: Vec<SchemeTotal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemeTotal {
    pub scheme: CardScheme,
    pub count: u64,
    pub sum: i64,
}

pub fn day_totals(payments: &[&TerminalPayment]) -> DayTotals {
    let mut totals = DayTotals::default();
    for p in payments {
        if p.cancelled {
            totals.cancelled_count += 1;
            totals.cancelled_sum += p.amount;
            continue;
        }
        totals.count += 1;
        totals.sum += p.amount;
        match totals.schemes.iter_mut().find(|s| s.scheme == p.scheme) {
            Some(s) => {
                s.count += 1;
                s.sum += p.amount;
            }
            None => totals.schemes.push(SchemeTotal {
                scheme: p.scheme,
                count: 1,
                sum: p.amount,
            }),
        }
    }
    totals
}

/// The end-of-day receipt ("Kassenschnitt").
pub fn end_of_day_receipt(
    when: chrono::DateTime<chrono::Local>,
    day: u64,
    totals: &DayTotals,
) -> Vec<Value> {
    let mut lines = vec![
        separator("Kassenschnitt"),
        text(&demo::MERCHANT_NAME.to_uppercase(), &[]),
        text(demo::STORE_NAME, &[]),
        space(),
        name_value("Terminal-ID", demo::TERMINAL_TID),
        name_value("Datum:", &when.format("%d.%m.%Y").to_string()),
        name_value("Uhrzeit:", &format!("{} Uhr", when.format("%H:%M:%S"))),
        name_value("Abschluss-Nr.", &format!("{day:04}")),
        space(),
    ];
    for s in &totals.schemes {
        lines.push(text(s.scheme.label(), &[]));
        lines.push(name_value("Anzahl", &s.count.to_string()));
        lines.push(name_value("Betrag EUR", &eur(s.sum)));
    }
    if totals.cancelled_count > 0 {
        lines.push(text("Stornos", &[]));
        lines.push(name_value("Anzahl", &totals.cancelled_count.to_string()));
        lines.push(name_value("Betrag EUR", &eur(totals.cancelled_sum)));
    }
    lines.push(space());
    lines.push(name_value_important("Gesamt EUR", &eur(totals.sum)));
    lines.push(name_value("Anzahl gesamt", &totals.count.to_string()));
    lines.push(space());
    lines.push(text(
        "Kassenschnitt erfolgreich",
        &["align-center", "important"],
    ));
    lines
}

/// The diagnosis receipt.
pub fn diagnosis_receipt(when: chrono::DateTime<chrono::Local>) -> Vec<Value> {
    vec![
        separator("Diagnose"),
        text(&demo::MERCHANT_NAME.to_uppercase(), &[]),
        space(),
        name_value("Terminal-ID", demo::TERMINAL_TID),
        name_value("Datum:", &when.format("%d.%m.%Y").to_string()),
        name_value("Uhrzeit:", &format!("{} Uhr", when.format("%H:%M:%S"))),
        space(),
        text("Verbindung zum Netzbetreiber OK", &[]),
        text("Diagnose erfolgreich", &["align-center", "important"]),
    ]
}
