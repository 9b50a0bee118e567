//! Cash put into or taken out of the drawer that is not a sale, each with a
//! reason named as DSFinV-K names the business case (`GV_TYP`), and the
//! opening float (`Anfangsbestand`).
//!
//! A movement is a receipt of its own: it takes the next receipt number (the
//! sales' sequence), is signed by the TSE as an `AVTransfer` and prints a slip.

use serde::{Deserialize, Serialize};

use crate::money::Cents;

/// DSFinV-K's name of the opening float.
pub const FLOAT_BUSINESS_CASE: &str = "Anfangsbestand";
/// DSFinV-K's name of the counting difference at a closing.
pub const DIFFERENCE_BUSINESS_CASE: &str = "DifferenzSollIst";
/// The largest single movement (guards against typos and overflow): 100,000 €.
pub const MAX_MOVEMENT: Cents = Cents(10_000_000);
/// The longest note a movement keeps.
pub const MAX_NOTE: usize = 200;

/// Why cash goes in or out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum CashReason {
    /// The owner puts private money in (`Privateinlage`).
    PrivateDeposit,
    /// The owner takes money out for private use (`Privatentnahme`).
    PrivateWithdrawal,
    /// Cash taken to the bank (`Geldtransit`).
    ToBank,
    /// Paid out of the drawer for the shop, with a note saying what for (`Auszahlung`).
    Expense,
    /// Change fetched from the bank or the safe put in (`Einzahlung`).
    ChangeFetched,
}

/// In or out of the drawer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    In,
    Out,
}

impl CashReason {
    pub const ALL: [CashReason; 5] = [
        CashReason::PrivateDeposit,
        CashReason::PrivateWithdrawal,
        CashReason::ToBank,
        CashReason::Expense,
        CashReason::ChangeFetched,
    ];

    /// DSFinV-K's `GV_TYP` (index.xml `Z_GV_Typ`, `Bonpos`; the names of
    /// DSFinV-K 2.3 chapter 3.1.2's list).
    pub fn business_case(self) -> &'static str {
        match self {
            CashReason::PrivateDeposit => "Privateinlage",
            CashReason::PrivateWithdrawal => "Privatentnahme",
            CashReason::ToBank => "Geldtransit",
            CashReason::Expense => "Auszahlung",
            CashReason::ChangeFetched => "Einzahlung",
        }
    }

    pub fn direction(self) -> Direction {
        match self {
            CashReason::PrivateDeposit | CashReason::ChangeFetched => Direction::In,
            CashReason::PrivateWithdrawal | CashReason::ToBank | CashReason::Expense => {
                Direction::Out
            }
        }
    }

    /// As the slip names it.
    pub fn printed(self) -> &'static str {
        match self {
            CashReason::PrivateDeposit => "Privateinlage",
            CashReason::PrivateWithdrawal => "Privatentnahme",
            CashReason::ToBank => "Geldtransit zur Bank",
            CashReason::Expense => "Auszahlung",
            CashReason::ChangeFetched => "Wechselgeld eingelegt",
        }
    }

    /// The amount as it moves the drawer: positive in, negative out.
    pub fn signed(self, amount: Cents) -> Cents {
        match self.direction() {
            Direction::In => amount,
            Direction::Out => -amount,
        }
    }
}

/// A movement as the journal keeps it (entry kind `cash_receipt`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CashReceipt {
    /// Also the TSE transaction's id.
    #[serde(skip)]
    pub id: String,
    #[serde(skip)]
    pub receipt_number: i64,
    #[serde(skip)]
    pub created_at: String,
    pub reason: CashReason,
    /// DSFinV-K's `GV_TYP` (see [`CashReason::business_case`]).
    pub business_case: String,
    pub direction: Direction,
    /// Positive; `direction` says which way.
    pub amount: Cents,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// The TSE's signature of the `AVTransfer`, or why there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tse: Option<crate::tse::TseRecord>,
    /// A manager's authorisation, where the amount needed one (as the app gave it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorised_by: Option<serde_json::Value>,
}

/// What is wrong with a movement the UI sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MovementError {
    #[error("the amount must be more than 0,00 € and at most 100.000,00 €")]
    Amount,
    #[error("an expense needs a note saying what it was for")]
    NoteMissing,
    #[error("the note is longer than {MAX_NOTE} characters")]
    NoteTooLong,
}

impl CashReceipt {
    /// A new movement (not yet numbered), checked.
    pub fn new(reason: CashReason, amount: Cents, note: &str) -> Result<Self, MovementError> {
        if amount.0 <= 0 || amount > MAX_MOVEMENT {
            return Err(MovementError::Amount);
        }
        let note = crate::basket::clean_text(note);
        if note.chars().count() > MAX_NOTE {
            return Err(MovementError::NoteTooLong);
        }
        if reason == CashReason::Expense && note.is_empty() {
            return Err(MovementError::NoteMissing);
        }
        Ok(Self {
            id: uuid::Uuid::new_v4().to_string(),
            receipt_number: 0,
            created_at: String::new(),
            reason,
            business_case: reason.business_case().into(),
            direction: reason.direction(),
            amount,
            note,
            tse: None,
            authorised_by: None,
        })
    }

    /// Positive in, negative out.
    pub fn signed(&self) -> Cents {
        self.reason.signed(self.amount)
    }
}

/// The TSE's process data of a movement: DSFinV-K BON_TYP `AVTransfer`
/// (fiskaly `receipt_type` TRANSFER; SIGN-DE-NOTES "Transactions",
/// `ProcessDataStandardV1Receipt.receipt_type`; DSFinV-K 2.3 ch. 3.2.1
/// Bonkopf BON_TYP "AVTransfer" for Geldtransit, Privateinlage/-entnahme,
/// Ein- and Auszahlungen): the amount untaxed (0 %) as cash, out negative.
pub fn tse_receipt(movement: &CashReceipt) -> fiskaly::Receipt {
    let amount = movement.signed().0;
    fiskaly::Receipt::new(fiskaly::ReceiptType::Transfer)
        .vat(fiskaly::VatRate::Null, amount)
        .paid(fiskaly::PaymentType::Cash, amount)
}

/// The TSE's process data of a change of the opening float
/// (`Anfangsbestand`): like a movement, an `AVTransfer` (fiskaly
/// `receipt_type` TRANSFER) of cash, untaxed. DSFinV-K 2.3 ch. 3.2.1
/// (Bonkopf `BON_TYP` "AVTransfer": cash moved without a sale) and
/// ch. 3.1.2 (`GV_TYP` "Anfangsbestand"); KassenSichV §2 secures every
/// other business event (andere Vorgänge) the till records, and the
/// float is one. `change` is what this entry moves (a float set again
/// before the first sale signs the difference; out negative).
pub fn float_tse_receipt(change: Cents) -> fiskaly::Receipt {
    fiskaly::Receipt::new(fiskaly::ReceiptType::Transfer)
        .vat(fiskaly::VatRate::Null, change.0)
        .paid(fiskaly::PaymentType::Cash, change.0)
}

/// The slip: the reason and the note as the receipt's line, the cash as its payment.
pub fn slip(
    movement: &CashReceipt,
    shop: &receipt::ShopHeader,
    till_id: &str,
    demo: bool,
) -> receipt::Receipt {
    let amount = movement.signed().0;
    let text = if movement.note.is_empty() {
        movement.reason.printed().to_string()
    } else {
        format!("{}: {}", movement.reason.printed(), movement.note)
    };
    receipt::Receipt {
        shop: shop.clone(),
        till_id: till_id.into(),
        receipt_number: movement.receipt_number.max(0) as u64,
        issued_at: printed_local(&movement.created_at),
        lines: vec![receipt::ReceiptLine {
            quantity: 1,
            text,
            unit_price_cents: amount,
            total_cents: amount,
            vat_mark: crate::money::VatRate::Zero.mark(),
            discounts: vec![],
        }],
        total_cents: amount,
        vat: vec![],
        payments: vec![receipt::PaymentLine {
            label: "Bar".into(),
            amount_cents: amount,
            tendered_cents: None,
            change_cents: None,
        }],
        transaction_id: None,
        provider_lines: vec![],
        demo,
        served_by: None,
        tse: movement.tse.as_ref().map(crate::receipt_doc::tse_block),
    }
}

/// "21.11.2026 18:31" from a stored RFC 3339 time, as on the till's clock.
pub(crate) fn printed_local(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| t.format("%d.%m.%Y %H:%M").to_string())
        .unwrap_or_else(|_| at.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reason_has_its_dsfinvk_name_and_direction() {
        let names: Vec<_> = CashReason::ALL
            .iter()
            .map(|r| (r.business_case(), r.direction()))
            .collect();
        assert_eq!(
            names,
            vec![
                ("Privateinlage", Direction::In),
                ("Privatentnahme", Direction::Out),
                ("Geldtransit", Direction::Out),
                ("Auszahlung", Direction::Out),
                ("Einzahlung", Direction::In),
            ]
        );
    }

    #[test]
    fn a_movement_is_checked_and_signed_as_a_transfer() {
        assert_eq!(
            CashReceipt::new(CashReason::ToBank, Cents(0), ""),
            Err(MovementError::Amount)
        );
        assert_eq!(
            CashReceipt::new(CashReason::Expense, Cents(500), " \n"),
            Err(MovementError::NoteMissing)
        );
        let m = CashReceipt::new(CashReason::ToBank, Cents(5000), "").unwrap();
        assert_eq!(m.signed(), Cents(-5000));
        let r = serde_json::to_value(tse_receipt(&m)).unwrap();
        assert_eq!(r["receipt_type"], "TRANSFER");
        assert_eq!(
            r["amounts_per_payment_type"],
            serde_json::json!([{"payment_type": "CASH", "amount": "-50.00"}])
        );
    }
}
