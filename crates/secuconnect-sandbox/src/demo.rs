//! The demo data: the merchant, store, devices and secucards of the provider's
//! guides, plus cards for every state a till has to handle.

/// Client credentials the sandbox accepts (and the app uses in demo mode).
pub const DEMO_CLIENT_ID: &str = "demo-till";
pub const DEMO_CLIENT_SECRET: &str = "demo-secret";
/// The test client credentials printed in guide 01, accepted too so that the
/// guide's requests replay exactly as written.
pub const GUIDE_CLIENT_ID: &str = "00563697073442633035025909838580";
pub const GUIDE_CLIENT_SECRET: &str =
    "3382456441636938321687549172178382320163695870914358804052148567";

/// Whether the sandbox accepts these client credentials.
pub fn accepts_client(id: &str, secret: &str) -> bool {
    (id == DEMO_CLIENT_ID && secret == DEMO_CLIENT_SECRET)
        || (id == GUIDE_CLIENT_ID && secret == GUIDE_CLIENT_SECRET)
}

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
/// How long the checkout page's `slow` method takes to pay.
pub const CHECKOUT_DELAY_MS: u64 = 4000;
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
