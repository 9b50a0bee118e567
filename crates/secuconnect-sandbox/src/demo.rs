//! The demo data: the merchant, store and device of the provider's guides.

/// Client credentials the sandbox accepts (and the app uses in demo mode).
pub const DEMO_CLIENT_ID: &str = "demo-till";
pub const DEMO_CLIENT_SECRET: &str = "demo-secret";

pub const MERCHANT_ID: &str = "MRC_G8SE48FRHVITKILAPNCEDU0NUD55W8";
pub const MERCHANT_NAME: &str = "Secupay Test-Shop";
pub const DEVICE_ID: &str = "SDV_2YJDXYESB2YBHECVB5GQGSYPNM8UA6";

/// Lifetime of an access token, as the provider gives it.
pub const TOKEN_LIFETIME_SECS: u64 = 1200;
