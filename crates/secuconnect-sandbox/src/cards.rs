//! Secucards (loyalty merchant cards): balances, status, passcode.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::demo::{
    self, CARD_BONUS, CARD_EMPTY, CARD_GUIDE, CARD_INACTIVE, CARD_LOCKED, CARD_PASSCODE,
    CARD_PASSCODE_PIN, CARD_STORED,
};
use crate::error::ApiError;

/// The card-load article: paying it raises the card's balance (guide 03).
pub const LOAD_EANS: [&str; 2] = ["4260447149502", "4260447149519"];
/// The pay-from-card article: its amount is paid from the card's credit.
pub const PAY_FROM_CARD_EANS: [&str; 2] = ["4260447149533", "4260447149540"];

/// A merchant card (`MCD_…`) with its balances in cents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    pub id: String,
    pub card_id: String,
    pub cardnumber: String,
    pub created: String,
    pub cardgroup_id: String,
    pub cardgroup_name: String,
    /// The loyalty customer (`loyalty.customers`), if the card is registered.
    pub customer: Option<Value>,
    pub cash_balance: i64,
    pub bonus_balance: i64,
    pub points: i64,
    /// `stored`, `active` or `inactive`.
    pub stock_status: String,
    /// `locked` or `unlocked`.
    pub lock_status: String,
    /// 0: no check; otherwise the passcode must be checked before the card is used.
    pub passcode: u8,
    /// The passcode the customer knows (never shown in answers).
    #[serde(default)]
    pub pin: Option<u32>,
    pub last_usage: Option<String>,
    pub last_charge: Option<String>,
    pub expiry_date: Option<String>,
    /// A correct passcode was entered; consumed by the next use of the card.
    #[serde(default)]
    pub passcode_verified: bool,
}

impl Card {
    pub fn balance(&self) -> i64 {
        self.cash_balance + self.bonus_balance
    }

    /// The `valid` flag of an ident: usable at this merchant right now.
    pub fn is_valid(&self) -> bool {
        self.stock_status == "active" && self.lock_status != "locked"
    }

    pub fn is_locked(&self) -> bool {
        self.lock_status == "locked"
    }

    pub fn needs_passcode(&self) -> bool {
        self.passcode != 0
    }

    /// Checks that the card may be used to pay `debit` and be loaded with `load`.
    pub fn check_usable(&self, debit: i64, load: i64) -> Result<(), ApiError> {
        if self.is_locked() {
            return Err(ApiError::card(
                format!("card {} is locked", self.cardnumber),
                "Die Karte ist gesperrt.",
            ));
        }
        match self.stock_status.as_str() {
            "active" => {}
            // A card from stock becomes active when it is first loaded.
            "stored" if debit == 0 && load > 0 => {}
            "stored" => {
                return Err(ApiError::card(
                    format!("card {} is not issued yet (stored)", self.cardnumber),
                    "Die Karte ist noch nicht ausgegeben. Bitte zuerst aufladen.",
                ))
            }
            _ => {
                return Err(ApiError::card(
                    format!("card {} is inactive", self.cardnumber),
                    "Die Karte ist nicht aktiv.",
                ))
            }
        }
        if self.needs_passcode() && (debit > 0 || load > 0) && !self.passcode_verified {
            return Err(ApiError::new(
                axum::http::StatusCode::FORBIDDEN,
                1005,
                "ProductLoyaltyException",
                format!(
                    "card {} needs its passcode checked (checkPasscode) before it is used",
                    self.cardnumber
                ),
                "Bitte den Passcode der Karte eingeben.",
            ));
        }
        if debit > self.balance() {
            return Err(ApiError::card(
                format!(
                    "card {} has a balance of {} cents, {} requested",
                    self.cardnumber,
                    self.balance(),
                    debit
                ),
                "Das Guthaben der Karte reicht nicht aus.",
            ));
        }
        Ok(())
    }

    /// Takes `amount` from the card, bonus first (it is the money the customer did
    /// not pay for); returns what was taken from (bonus, cash).
    pub fn debit(&mut self, amount: i64, now: &str) -> (i64, i64) {
        let from_bonus = amount.min(self.bonus_balance).max(0);
        let from_cash = (amount - from_bonus).min(self.cash_balance).max(0);
        self.bonus_balance -= from_bonus;
        self.cash_balance -= from_cash;
        if amount > 0 {
            self.last_usage = Some(now.to_string());
        }
        (from_bonus, from_cash)
    }

    /// Puts back what `debit` took: its bonus and cash shares.
    pub(crate) fn give_back(&mut self, from_bonus: i64, from_cash: i64) {
        self.bonus_balance += from_bonus;
        self.cash_balance += from_cash;
    }

    pub fn load(&mut self, amount: i64, now: &str) {
        if amount > 0 {
            self.cash_balance += amount;
            self.last_charge = Some(now.to_string());
            if self.stock_status == "stored" {
                self.stock_status = "active".into();
            }
        }
    }

    /// The `loyalty.merchantcards` representation.
    pub fn to_json(&self) -> Value {
        json!({
            "object": "loyalty.merchantcards",
            "id": self.id,
            "merchant": {"object": "general.merchants", "id": demo::MERCHANT_ID},
            "created_for_merchant": {"object": "general.merchants", "id": demo::MERCHANT_ID},
            "card": {
                "object": "loyalty.cards",
                "id": self.card_id,
                "cardnumber": self.cardnumber,
                "created": self.created,
            },
            "cardgroup": {
                "object": "loyalty.cardgroups",
                "id": self.cardgroup_id,
                "display_name": self.cardgroup_name,
                "display_name_raw": self.cardgroup_name,
                "stock_warn_limit": 0,
                "picture": "https://connect.secucard.com/ds_g/8e79737df1e2513db48908b342c3cc436edf501a",
            },
            "created_for_store": {"object": "general.stores", "id": demo::STORE_ID},
            "customer": self.customer.clone().unwrap_or(Value::Null),
            "is_base_card": true,
            "points": self.points,
            "cash_balance": self.cash_balance,
            "bonus_balance": self.bonus_balance,
            "balance": self.balance(),
            "last_usage": self.last_usage,
            "last_charge": self.last_charge,
            "stock_status": self.stock_status,
            "lock_status": self.lock_status,
            "passcode": self.passcode,
            "expiry_date": self.expiry_date,
        })
    }

    /// The `smart.idents` entry of a transaction for this card.
    pub fn ident_json(&self, index: usize) -> Value {
        json!({
            "object": "smart.idents",
            "id": format!("smi_{}", index + 1),
            "prefix": prefix(&self.cardnumber),
            "name": "secucard Kundenkarte",
            "type": "card",
            "value": self.cardnumber,
            "valid": self.is_valid(),
            "merchantcard": self.to_json(),
            "customer": self.customer.clone().unwrap_or(Value::Null),
        })
    }
}

/// The ident of a card number the provider does not know.
pub fn unknown_ident_json(cardnumber: &str, index: usize) -> Value {
    json!({
        "object": "smart.idents",
        "id": format!("smi_{}", index + 1),
        "prefix": prefix(cardnumber),
        "name": "secucard Kundenkarte",
        "type": "card",
        "value": cardnumber,
        "valid": false,
        "merchantcard": null,
        "customer": null,
    })
}

fn prefix(cardnumber: &str) -> String {
    cardnumber.chars().take(4).collect()
}

/// A change to a card, for tests and demos (`POST /_sandbox/cards`): creates the
/// card when the number is new.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardSpec {
    pub cardnumber: String,
    #[serde(default)]
    pub cash_balance: Option<i64>,
    #[serde(default)]
    pub bonus_balance: Option<i64>,
    #[serde(default)]
    pub points: Option<i64>,
    #[serde(default)]
    pub stock_status: Option<String>,
    #[serde(default)]
    pub lock_status: Option<String>,
    #[serde(default)]
    pub passcode: Option<u8>,
    #[serde(default)]
    pub pin: Option<u32>,
}

impl CardSpec {
    pub fn validate(&self) -> Result<(), String> {
        if self.cardnumber.is_empty() || !self.cardnumber.chars().all(|c| c.is_ascii_digit()) {
            return Err("cardnumber must be a string of digits".into());
        }
        for (name, v) in [
            ("cash_balance", self.cash_balance),
            ("bonus_balance", self.bonus_balance),
            ("points", self.points),
        ] {
            if v.is_some_and(|v| v < 0) {
                return Err(format!("{name} must be >= 0"));
            }
        }
        if let Some(s) = &self.stock_status {
            if !["stored", "active", "inactive"].contains(&s.as_str()) {
                return Err("stock_status must be stored, active or inactive".into());
            }
        }
        if let Some(s) = &self.lock_status {
            if !["locked", "unlocked"].contains(&s.as_str()) {
                return Err("lock_status must be locked or unlocked".into());
            }
        }
        Ok(())
    }

    /// Applies the given fields to `card`.
    pub fn apply(&self, card: &mut Card) {
        if let Some(v) = self.cash_balance {
            card.cash_balance = v;
        }
        if let Some(v) = self.bonus_balance {
            card.bonus_balance = v;
        }
        if let Some(v) = self.points {
            card.points = v;
        }
        if let Some(v) = &self.stock_status {
            card.stock_status = v.clone();
        }
        if let Some(v) = &self.lock_status {
            card.lock_status = v.clone();
        }
        if let Some(v) = self.passcode {
            card.passcode = v;
        }
        if let Some(v) = self.pin {
            card.pin = Some(v);
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn card(
    id: &str,
    card_id: &str,
    cardnumber: &str,
    cash: i64,
    bonus: i64,
    points: i64,
    stock: &str,
    lock: &str,
) -> Card {
    Card {
        id: id.into(),
        card_id: card_id.into(),
        cardnumber: cardnumber.into(),
        created: "2015-09-28T16:01:20+02:00".into(),
        cardgroup_id: "CRG_GO7GQ6DHW3TJYGDF64WD16PUIDHQ8Y".into(),
        cardgroup_name: "Geschenkgutschein".into(),
        customer: None,
        cash_balance: cash,
        bonus_balance: bonus,
        points,
        stock_status: stock.into(),
        lock_status: lock.into(),
        passcode: 0,
        pin: None,
        last_usage: None,
        last_charge: None,
        expiry_date: None,
        passcode_verified: false,
    }
}

/// The demo cards, in a fresh state.
pub fn demo_cards() -> Vec<Card> {
    let mut guide = card(
        "MCD_2RXTNXPRM2YG9922UMBHHAEWEGN6AJ",
        "CRD_2U7MTNAMM3PMBPAB50C9G2AEHA9GPJ",
        CARD_GUIDE,
        500,
        0,
        0,
        "active",
        "unlocked",
    );
    guide.customer = Some(json!({
        "object": "loyalty.customers",
        "id": "CUS_2YBREKK0A2MNAXJ752TSDD9DH3PKAJ",
        "contact": {
            "name": "Max Mustermann",
            "forename": "Max",
            "surname": "Mustermann",
            "dob": "1981-02-14T00:00:00+00:00"
        },
        "created": "2018-05-03T10:14:06+02:00",
        "consent_for_communication": true
    }));
    guide.last_usage = Some("2020-03-17T07:22:36+01:00".into());
    guide.last_charge = Some("2019-12-10T12:56:08+01:00".into());
    let mut passcode = card(
        "MCD_7PQ2K9D4XW8ZC6NB3TY5RV1HJ0LM6G",
        "CRD_7PQ2K9D4XW8ZC6NB3TY5RV1HJ0LM6G",
        CARD_PASSCODE,
        2000,
        0,
        0,
        "active",
        "unlocked",
    );
    passcode.passcode = 1;
    passcode.pin = Some(CARD_PASSCODE_PIN);
    vec![
        guide,
        card(
            "MCD_3BWX5K8N2TQ7YH4RZ6DC9V1FJ0PM2A",
            "CRD_3BWX5K8N2TQ7YH4RZ6DC9V1FJ0PM2A",
            CARD_BONUS,
            1000,
            250,
            340,
            "active",
            "unlocked",
        ),
        card(
            "MCD_4CXY6L9P3UR8ZJ5SA7ED0W2GK1QN3B",
            "CRD_4CXY6L9P3UR8ZJ5SA7ED0W2GK1QN3B",
            CARD_EMPTY,
            0,
            0,
            0,
            "active",
            "unlocked",
        ),
        card(
            "MCD_5DYZ7M0Q4VS9AK6TB8FE1X3HL2RP4C",
            "CRD_5DYZ7M0Q4VS9AK6TB8FE1X3HL2RP4C",
            CARD_LOCKED,
            800,
            0,
            0,
            "active",
            "locked",
        ),
        card(
            "MCD_6EZA8N1R5WT0BL7UC9GF2Y4JM3SQ5D",
            "CRD_6EZA8N1R5WT0BL7UC9GF2Y4JM3SQ5D",
            CARD_INACTIVE,
            300,
            0,
            0,
            "inactive",
            "unlocked",
        ),
        card(
            "MCD_8GBC0Q3T7YV2DN9WE1JH4A6LP5UT7F",
            "CRD_8GBC0Q3T7YV2DN9WE1JH4A6LP5UT7F",
            CARD_STORED,
            0,
            0,
            0,
            "stored",
            "unlocked",
        ),
        passcode,
    ]
}
