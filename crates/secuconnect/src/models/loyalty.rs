//! Secucards: idents on a transaction, merchant cards, their customers and bookings.

use super::codec::model;
use super::{open_enum, Contact, ObjectRef, ReceiptLine, Timestamp};

model! {
    /// A card on a transaction: `{type: "card", value: "<card number>"}`; the
    /// answer adds the merchant card.
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct Ident {
        /// `card`, or `create_card` to issue one on the fly.
        kind: String = "type",
        /// The card number (or a card group id for `create_card`).
        value: String = "value",
        valid: Option<bool> = "valid",
        object: Option<String> = "object",
        id: Option<String> = "id",
        prefix: Option<String> = "prefix",
        /// The card group's name, e.g. "secucard Kundenkarte".
        name: Option<String> = "name",
        merchantcard: Option<MerchantCard> = "merchantcard",
        customer: Option<LoyaltyCustomer> = "customer",
    }
}

impl Ident {
    /// The ident of a secucard, by its number.
    pub fn card(number: impl Into<String>) -> Self {
        Self {
            kind: "card".into(),
            value: number.into(),
            ..Self::default()
        }
    }
}

open_enum! {
    /// Life cycle of a card.
    pub enum StockStatus {
        Stored = "stored",
        Active = "active",
        Inactive = "inactive",
    }
}

open_enum! {
    pub enum LockStatus {
        Locked = "locked",
        Unlocked = "unlocked",
    }
}

model! {
    /// The physical card (`loyalty.cards`, `CRD_…`).
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct Card {
        object: Option<String> = "object",
        id: Option<String> = "id",
        /// Text, even where it looks like a number (leading zeros matter).
        cardnumber: Option<String> = "cardnumber" as StrOrNum,
        created: Option<Timestamp> = "created",
    }
}

model! {
    /// The card group (`loyalty.cardgroups`, `CRG_…`).
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct CardGroup {
        object: Option<String> = "object",
        id: Option<String> = "id",
        display_name: Option<String> = "display_name",
        display_name_raw: Option<String> = "display_name_raw",
        /// Cents; warn the cashier below this balance.
        stock_warn_limit: Option<i64> = "stock_warn_limit",
        picture: Option<String> = "picture",
    }
}

model! {
    /// The card holder (`loyalty.customers`, `CUS_…`).
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct LoyaltyCustomer {
        object: Option<String> = "object",
        id: Option<String> = "id",
        contact: Option<Contact> = "contact",
        created: Option<Timestamp> = "created",
        customernumber: Option<String> = "customernumber",
        /// A boolean in the guides, a string in the SDK models: kept as received.
        consent_for_communication: Option<serde_json::Value> = "consent_for_communication",
    }
}

model! {
    /// A secucard as one merchant sees it (`loyalty.merchantcards`, `MCD_…`).
    /// Balances are cents.
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct MerchantCard {
        object: Option<String> = "object",
        id: Option<String> = "id",
        merchant: Option<ObjectRef> = "merchant",
        created_for_merchant: Option<ObjectRef> = "created_for_merchant",
        created_for_store: Option<ObjectRef> = "created_for_store",
        card: Option<Card> = "card",
        cardgroup: Option<CardGroup> = "cardgroup",
        customer: Option<LoyaltyCustomer> = "customer",
        is_base_card: Option<bool> = "is_base_card",
        points: Option<i64> = "points",
        /// Credit loaded with money.
        cash_balance: Option<i64> = "cash_balance",
        /// Credit received as a bonus.
        bonus_balance: Option<i64> = "bonus_balance",
        /// Cash and bonus together: what the customer can spend.
        balance: Option<i64> = "balance",
        last_usage: Option<Timestamp> = "last_usage",
        last_charge: Option<Timestamp> = "last_charge",
        stock_status: Option<StockStatus> = "stock_status",
        lock_status: Option<LockStatus> = "lock_status",
        /// 0: no check; anything else: ask for the passcode.
        passcode: Option<i64> = "passcode",
        expiry_date: Option<Timestamp> = "expiry_date",
    }
}

impl MerchantCard {
    /// The card number, from the nested card.
    pub fn cardnumber(&self) -> Option<&str> {
        self.card.as_ref()?.cardnumber.as_deref()
    }

    /// The cashier must ask for the passcode before the card is used.
    pub fn needs_passcode(&self) -> bool {
        self.passcode.is_some_and(|p| p != 0)
    }

    pub fn is_locked(&self) -> bool {
        self.lock_status == Some(LockStatus::Locked)
    }
}

model! {
    /// A booking on a card (`loyalty.transactions`, `LTX_…`); amounts in cents.
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct LoyaltyTransaction {
        object: Option<String> = "object",
        id: Option<String> = "id",
        created: Option<Timestamp> = "created",
        merchant: Option<ObjectRef> = "merchant",
        store: Option<ObjectRef> = "store",
        merchantcard: Option<MerchantCard> = "merchantcard",
        card: Option<Card> = "card",
        cardgroup: Option<CardGroup> = "cardgroup",
        status: Option<String> = "status",
        amount: Option<i64> = "amount",
        currency: Option<String> = "currency",
        balance: Option<i64> = "balance",
        description: Option<String> = "description",
        trans_id: Option<String> = "trans_id" as StrOrNum,
        /// Terminal id of the device that booked it.
        tid: Option<String> = "tid",
        receipt: Vec<ReceiptLine> = "receipt",
    }
}

model! {
    /// A page of merchant cards (`{count, data[]}`).
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct MerchantCardList {
        count: Option<i64> = "count",
        data: Vec<MerchantCard> = "data",
    }
}

/// The body of `validateMerchantcard`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ValidateMerchantCard {
    pub cardnumber: String,
    /// The merchant id (`MRC_…`).
    pub merchant: String,
}

model! {
    /// The answer of `validateMerchantcard`.
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct CardValidation {
        is_valid: Option<bool> = "isValid",
        has_passcode: Option<bool> = "hasPasscode",
        is_locked: Option<bool> = "isLocked",
    }
}

/// The body of `checkPasscode`: the number on the card and the passcode the
/// customer typed. Its `Debug` never shows the passcode.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CheckPasscode {
    pub cardnumber: String,
    pub pin: u64,
}

impl std::fmt::Debug for CheckPasscode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckPasscode")
            .field("pin", &"***")
            .finish_non_exhaustive()
    }
}

model! {
    /// The answer of `checkPasscode` (`ResultBoolean`): `true` when the passcode is right.
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct PasscodeCheck {
        result: Option<bool> = "result",
    }
}
