//! The demo data: the merchant, store, devices and secucards of the provider's
//! guides, plus cards for every state a till has to handle.

use serde_json::json;

use crate::cards::Card;

/// Client credentials the sandbox accepts (and the app uses in demo mode).
pub const DEMO_CLIENT_ID: &str = "demo-till";
pub const DEMO_CLIENT_SECRET: &str = "demo-secret";

pub const MERCHANT_ID: &str = "MRC_G8SE48FRHVITKILAPNCEDU0NUD55W8";
pub const MERCHANT_NAME: &str = "Secupay Test-Shop";
pub const STORE_ID: &str = "STO_2ZCZRU9V6U8QA7B49K94667UP6C4PJ";
pub const STORE_NAME: &str = "Test";
pub const CONTRACT_ID: &str = "GCR_9OIH9JOL8KIV5PFJBEOS2NN8TCM1DF";
/// The till (the source device of the guides).
pub const DEVICE_ID: &str = "SDV_2YJDXYESB2YBHECVB5GQGSYPNM8UA6";
/// The payment terminal (the destination device of guide 04).
pub const TERMINAL_DEVICE_ID: &str = "SDV_N3C58PPZA2NUXX67A0ST289A6JEYA2";
/// The terminal's TID, printed on its receipts.
pub const TERMINAL_TID: &str = "72015255";

/// Lifetime of an access token, as the provider gives it.
pub const TOKEN_LIFETIME_SECS: u64 = 1200;
/// How long the simulated terminal waits for the customer in demo mode.
pub const TERMINAL_DELAY_MS: u64 = 3000;
/// The first `trans_id` (TA code) handed out is one above this (guide 05).
pub const FIRST_TRANS_ID: u64 = 29_008_410;

/// The card of the guides: active, 5,00 € cash balance.
pub const CARD_GUIDE: &str = "9276004429942845";
/// Active, 10,00 € cash and 2,50 € bonus balance, 340 points.
pub const CARD_BONUS: &str = "9276000000000011";
/// Active, no balance at all.
pub const CARD_EMPTY: &str = "9276000000000029";
/// Locked (8,00 € balance that cannot be used).
pub const CARD_LOCKED: &str = "9276000000000037";
/// Inactive (3,00 € balance that cannot be used).
pub const CARD_INACTIVE: &str = "9276000000000045";
/// In stock, not issued yet: becomes active when it is first loaded.
pub const CARD_STORED: &str = "9276000000000052";
/// Needs its passcode checked (PIN `1234`); 20,00 € balance.
pub const CARD_PASSCODE: &str = "9276000000000060";
pub const CARD_PASSCODE_PIN: u32 = 1234;
/// A card number the provider does not know.
pub const CARD_UNKNOWN: &str = "9276999999999999";

/// One line per demo card, for `--help` and the README.
pub fn card_table() -> String {
    [
        (CARD_GUIDE, "active, cash 5,00 € (the guides' card)"),
        (
            CARD_BONUS,
            "active, cash 10,00 € + bonus 2,50 €, 340 points",
        ),
        (CARD_EMPTY, "active, no balance"),
        (CARD_LOCKED, "locked, 8,00 € (cannot be used)"),
        (CARD_INACTIVE, "inactive, 3,00 € (cannot be used)"),
        (CARD_STORED, "stored (not issued); a card load activates it"),
        (CARD_PASSCODE, "needs passcode 1234, 20,00 €"),
        (CARD_UNKNOWN, "unknown to the provider"),
    ]
    .iter()
    .map(|(n, what)| format!("  {n}  {what}"))
    .collect::<Vec<_>>()
    .join("\n")
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
pub fn cards() -> Vec<Card> {
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
