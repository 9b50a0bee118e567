//! The till's settings: the shop's data for the receipt header, the
//! connection to the payment service, the printers and the language.
//!
//! Kept in `settings.json` in the app-data directory, one key per section,
//! so a typo in one section costs only that section. Where the file lives
//! and how it is written is a [`SettingsStore`]: the desktop app gives
//! `tauri-plugin-store`'s, the command line and tests [`JsonFileStore`] and
//! [`MemoryStore`]. Never a secret: the client secret and tokens live in the
//! platform's keychain.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tracing::warn;
use ts_rs::TS;

use crate::error::{CommandError, ErrorCode};

/// The store's file, in the app-data directory.
pub const STORE_FILE: &str = "settings.json";

pub const KEY_SHOP: &str = "shop";
pub const KEY_CONNECTION: &str = "connection";
pub const KEY_PRINTERS: &str = "printers";
pub const KEY_RECEIPT_PRINTER: &str = "receipt_printer_id";
pub const KEY_LANGUAGE: &str = "language";
pub const KEY_CUSTOMER_DISPLAY: &str = "customer_display";

/// What the receipt header says, and which till this is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ShopSettings {
    pub name: String,
    pub address_lines: Vec<String>,
    pub vat_id: Option<String>,
    pub tax_number: Option<String>,
    pub footer: Option<String>,
    /// Part of every receipt; the journal is per till, so it applies from the next start.
    pub till_id: String,
}

impl Default for ShopSettings {
    fn default() -> Self {
        Self {
            name: "Smart Till Demo-Café".into(),
            address_lines: vec!["Musterstraße 1".into(), "09123 Chemnitz".into()],
            vat_id: Some("DE000000000".into()),
            tax_number: None,
            footer: None,
            till_id: "KASSE-1".into(),
        }
    }
}

/// The longest line a receipt header can carry on the narrowest (58 mm) paper.
const HEADER_WIDTH: usize = 32;
const MAX_ADDRESS_LINES: usize = 4;
/// How the receipt names the tax number (Steuernummer).
const TAX_NUMBER_LABEL: &str = "St.-Nr. ";

impl ShopSettings {
    /// Trims every field and checks what a receipt needs; the message says what to fix.
    pub fn validated(self) -> Result<Self, CommandError> {
        let trim = |s: String| s.trim().to_string();
        let optional = |s: Option<String>| s.map(trim).filter(|s| !s.is_empty());
        let shop = Self {
            name: trim(self.name),
            address_lines: self
                .address_lines
                .into_iter()
                .map(trim)
                .filter(|l| !l.is_empty())
                .collect(),
            vat_id: optional(self.vat_id).map(|v| v.replace(' ', "").to_uppercase()),
            tax_number: optional(self.tax_number),
            footer: optional(self.footer),
            till_id: trim(self.till_id),
        };
        // The code names the field, so the cashier reads which one to fix and how.
        let invalid = |code: ErrorCode, m: String| Err(CommandError::new(code, m));
        if shop.name.is_empty() {
            return invalid(
                ErrorCode::InvalidShopName,
                "The shop name is missing: it heads every receipt.".into(),
            );
        }
        for (code, what, text) in
            std::iter::once((ErrorCode::InvalidShopName, "The shop name", &shop.name)).chain(
                shop.address_lines
                    .iter()
                    .map(|l| (ErrorCode::InvalidAddressLine, "An address line", l)),
            )
        {
            if text.chars().count() > HEADER_WIDTH {
                return invalid(code, format!(
                    "{what} \"{text}\" is longer than {HEADER_WIDTH} characters and would not fit on a receipt."
                ));
            }
        }
        if shop.address_lines.len() > MAX_ADDRESS_LINES {
            return invalid(
                ErrorCode::InvalidAddressLine,
                format!("At most {MAX_ADDRESS_LINES} address lines fit on the receipt header."),
            );
        }
        if let Some(vat_id) = &shop.vat_id {
            if !is_vat_id(vat_id) {
                return invalid(
                    ErrorCode::InvalidVatId,
                    format!(
                        "\"{vat_id}\" is not a VAT ID: a German one is DE followed by 9 digits."
                    ),
                );
            }
        }
        if shop.till_id.is_empty()
            || shop.till_id.len() > 16
            || !shop
                .till_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return invalid(
                ErrorCode::InvalidTillId,
                "The till number may have 1 to 16 letters, digits, '-' or '_'.".to_string(),
            );
        }
        if let Some(n) = &shop.tax_number {
            if TAX_NUMBER_LABEL.len() + n.chars().count() > HEADER_WIDTH
                || !n.chars().all(|c| c.is_ascii_digit() || "/ -".contains(c))
            {
                return invalid(
                    ErrorCode::InvalidTaxNumber,
                    format!("\"{n}\" is not a tax number: digits and '/', e.g. 201/123/45678."),
                );
            }
        }
        Ok(shop)
    }

    /// The shop's part of the receipt: the header at the top, the footer at the bottom.
    /// The tax number (Steuernummer) prints as the header's last line; both travel
    /// in the header, so that a reprint from the journal, which keeps the header as
    /// printed, shows them too.
    pub fn header(&self) -> receipt::ShopHeader {
        let mut address_lines = self.address_lines.clone();
        if let Some(n) = &self.tax_number {
            address_lines.push(format!("{TAX_NUMBER_LABEL}{n}"));
        }
        receipt::ShopHeader {
            name: self.name.clone(),
            address_lines,
            vat_id: self.vat_id.clone(),
            footer: self.footer.clone(),
        }
    }
}

/// A VAT ID as the EU writes it: two letters and 2 to 13 letters or digits;
/// for Germany exactly DE and 9 digits.
fn is_vat_id(v: &str) -> bool {
    let (country, rest) = v.split_at(v.len().min(2));
    if country == "DE" {
        return rest.len() == 9 && rest.chars().all(|c| c.is_ascii_digit());
    }
    country.chars().all(|c| c.is_ascii_uppercase())
        && (2..=13).contains(&rest.len())
        && rest.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Where the till's payments go: the built-in simulator (`demo`), the
/// provider's testing system or the live one. Its names are spelled here only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, TS)]
#[ts(rename_all = "lowercase")]
pub enum Environment {
    #[default]
    Demo = 0,
    Testing = 1,
    Live = 2,
}

/// The names in the settings file, the status bar and the logs, in the order of [`Environment::ALL`].
const ENVIRONMENT_NAMES: [&str; 3] = ["demo", "testing", "live"];

impl Environment {
    pub const ALL: [Environment; 3] = [Environment::Demo, Environment::Testing, Environment::Live];

    /// The name in the settings file, the status bar and the logs.
    pub fn name(self) -> &'static str {
        ENVIRONMENT_NAMES[self as usize]
    }
}

impl Serialize for Environment {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Environment {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Environment::ALL
            .into_iter()
            .find(|e| e.name() == name)
            .ok_or_else(|| serde::de::Error::unknown_variant(&name, &ENVIRONMENT_NAMES))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum AuthMode {
    #[default]
    ClientCredentials,
    Device,
}

/// Which payment service, and how the till logs in. `has_client_secret` and
/// `device_paired` are looked up in the keychain when the settings are read.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct ConnectionSettings {
    pub environment: Environment,
    pub auth_mode: AuthMode,
    pub client_id: Option<String>,
    #[serde(default)]
    pub has_client_secret: bool,
    pub device_uuid: Option<String>,
    #[serde(default)]
    pub device_paired: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "lowercase")]
#[ts(tag = "kind", rename_all = "lowercase")]
pub enum PrinterTransport {
    Serial { port: String, baud: u32 },
    Network { host: String, port: u16 },
    Os { queue: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(rename_all = "lowercase")]
pub enum PrinterKind {
    /// ESC/POS thermal printer: raw bytes.
    Thermal,
    /// An office printer: a PDF job through the OS.
    Office,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PrinterConfig {
    pub id: String,
    pub name: String,
    pub transport: PrinterTransport,
    pub kind: PrinterKind,
    pub code_page: String,
    /// Characters per line: 32 (58 mm), 42 or 48 (80 mm).
    pub width: u8,
    /// Opens the cash drawer connected to it after a cash payment.
    pub drawer: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(rename_all = "lowercase")]
pub enum Language {
    #[default]
    De,
    En,
}

/// Everything the settings screen shows (docs/commands.md, "Settings").
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, TS)]
pub struct Settings {
    pub shop: ShopSettings,
    pub connection: ConnectionSettings,
    pub printers: Vec<PrinterConfig>,
    pub receipt_printer_id: Option<String>,
    pub language: Language,
    /// The customer display: the owner's message, where and whether it opens.
    pub customer_display: crate::customer_display::CustomerDisplaySettings,
    /// Where the log files are, so support can ask for them.
    pub log_dir: String,
    /// Sections of the settings file that could not be read, in words; their
    /// defaults are used and the file is left as it is until that section is saved.
    pub problems: Vec<String>,
}

/// Where the settings sections are kept: one JSON value per key.
pub trait SettingsStore: Send + Sync {
    /// The section under `key`, `None` when it was never saved.
    fn load(&self, key: &str) -> Result<Option<Value>, String>;
    /// Writes one section and makes it durable at once, so nothing is lost
    /// if the till is switched off.
    fn save(&self, key: &str, value: Value) -> Result<(), String>;
}

/// The settings in memory (tests).
#[derive(Default)]
pub struct MemoryStore(Mutex<BTreeMap<String, Value>>);

impl SettingsStore for MemoryStore {
    fn load(&self, key: &str) -> Result<Option<Value>, String> {
        Ok(self
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
            .cloned())
    }

    fn save(&self, key: &str, value: Value) -> Result<(), String> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key.to_string(), value);
        Ok(())
    }
}

/// `settings.json` read and written directly, in the store plugin's format
/// (one JSON object, a key per section): the command line and tests.
pub struct JsonFileStore {
    path: PathBuf,
    lock: Mutex<()>,
}

impl JsonFileStore {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            lock: Mutex::new(()),
        }
    }

    fn read(&self) -> Result<serde_json::Map<String, Value>, String> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| e.to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Default::default()),
            Err(e) => Err(e.to_string()),
        }
    }
}

impl SettingsStore for JsonFileStore {
    fn load(&self, key: &str) -> Result<Option<Value>, String> {
        let _held = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        Ok(self.read()?.remove(key))
    }

    fn save(&self, key: &str, value: Value) -> Result<(), String> {
        let _held = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut all = self.read()?;
        all.insert(key.to_string(), value);
        let body = serde_json::to_vec_pretty(&all).map_err(|e| e.to_string())?;
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        }
        let tmp = self.path.with_extension("json.tmp");
        std::fs::write(&tmp, body).map_err(|e| e.to_string())?;
        std::fs::rename(&tmp, &self.path).map_err(|e| e.to_string())
    }
}

/// The settings sections over a [`SettingsStore`]: typed, with defaults for
/// what is missing or unreadable.
#[derive(Clone)]
pub struct SettingsFile {
    store: Arc<dyn SettingsStore>,
}

impl SettingsFile {
    pub fn new(store: Arc<dyn SettingsStore>) -> Self {
        Self { store }
    }

    /// One section, or its default when it is missing or cannot be read
    /// (then `problems` says which and why).
    pub fn section<T: serde::de::DeserializeOwned + Default>(
        &self,
        key: &str,
        problems: &mut Vec<String>,
    ) -> T {
        self.get(key, problems).unwrap_or_default()
    }

    fn get<T: serde::de::DeserializeOwned>(
        &self,
        key: &str,
        problems: &mut Vec<String>,
    ) -> Option<T> {
        let value = match self.store.load(key) {
            Ok(v) => v?,
            Err(e) => {
                warn!(section = key, error = %e, "settings unreadable; using the defaults");
                problems.push(format!(
                    "The setting \"{key}\" in {STORE_FILE} cannot be read ({e}); the default is used until it is saved again."
                ));
                return None;
            }
        };
        match serde_json::from_value(value) {
            Ok(v) => Some(v),
            Err(e) => {
                warn!(section = key, error = %e, "settings section unreadable; using its defaults");
                problems.push(format!(
                    "The setting \"{key}\" in {STORE_FILE} cannot be read ({e}); the default is used until it is saved again."
                ));
                None
            }
        }
    }

    /// Everything, with defaults for what is missing or unreadable.
    pub fn load(&self, log_dir: &Path) -> Settings {
        let mut problems = Vec::new();
        Settings {
            shop: self.section(KEY_SHOP, &mut problems),
            connection: self.section(KEY_CONNECTION, &mut problems),
            printers: self.section(KEY_PRINTERS, &mut problems),
            receipt_printer_id: self.section(KEY_RECEIPT_PRINTER, &mut problems),
            language: self.section(KEY_LANGUAGE, &mut problems),
            customer_display: self.section(KEY_CUSTOMER_DISPLAY, &mut problems),
            log_dir: log_dir.display().to_string(),
            problems,
        }
    }

    /// The connection section alone (the environment decides the journal).
    pub fn connection(&self) -> ConnectionSettings {
        self.section(KEY_CONNECTION, &mut Vec::new())
    }

    /// Writes one section and saves it at once.
    pub fn put(&self, key: &str, value: impl Serialize) -> Result<(), CommandError> {
        let value: Value = serde_json::to_value(value)
            .map_err(|e| CommandError::new(ErrorCode::InvalidSettings, e.to_string()))?;
        self.store.save(key, value).map_err(|e| {
            CommandError::new(
                ErrorCode::Io,
                format!("The settings could not be saved ({e}). Check that the disk is not full."),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shop() -> ShopSettings {
        ShopSettings {
            name: "  Bäckerei Sonne ".into(),
            address_lines: vec!["Hauptstraße 5".into(), "  ".into(), "01067 Dresden".into()],
            vat_id: Some("de 123456789".into()),
            tax_number: Some("".into()),
            footer: Some("Danke!".into()),
            till_id: "KASSE-2".into(),
        }
    }

    #[test]
    fn the_receipt_header_carries_the_tax_number() {
        let s = ShopSettings {
            tax_number: Some(" 201/123/45678 ".into()),
            ..shop()
        }
        .validated()
        .unwrap();
        let header = s.header();
        assert_eq!(
            header.address_lines,
            ["Hauptstraße 5", "01067 Dresden", "St.-Nr. 201/123/45678"]
        );
        let receipt = receipt::Receipt {
            shop: header,
            till_id: s.till_id.clone(),
            receipt_number: 1,
            issued_at: "02.12.2026 10:00".into(),
            lines: vec![],
            total_cents: 0,
            vat: vec![],
            payments: vec![],
            transaction_id: None,
            provider_lines: vec![],
            demo: false,
            tse: None,
            served_by: None,
        };
        let text = receipt::render_text(&receipt, 42);
        assert!(text.contains("St.-Nr. 201/123/45678"), "{text}");
        assert!(text.contains("USt-IdNr. DE123456789"), "{text}");
        assert_eq!(header_footer(&text), Some("Danke!"), "{text}");
        let e = ShopSettings {
            tax_number: Some("Steuer 12".into()),
            ..shop()
        }
        .validated()
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidTaxNumber);
    }

    /// The receipt's last line, where the shop's footer prints.
    fn header_footer(text: &str) -> Option<&str> {
        text.lines().last().map(str::trim)
    }

    #[test]
    fn a_shop_is_trimmed_and_normalised() {
        let s = shop().validated().unwrap();
        assert_eq!(s.name, "Bäckerei Sonne");
        assert_eq!(s.address_lines, ["Hauptstraße 5", "01067 Dresden"]);
        assert_eq!(s.vat_id.as_deref(), Some("DE123456789"));
        assert_eq!(s.tax_number, None);
    }

    #[test]
    fn a_shop_the_receipt_cannot_carry_is_refused_in_words() {
        let cases = [
            ShopSettings {
                name: " ".into(),
                ..shop()
            },
            ShopSettings {
                name: "Ä".repeat(33),
                ..shop()
            },
            ShopSettings {
                vat_id: Some("DE12345678".into()),
                ..shop()
            },
            ShopSettings {
                till_id: "Kasse 1".into(),
                ..shop()
            },
            ShopSettings {
                address_lines: vec!["a".into(); 5],
                ..shop()
            },
        ];
        let codes = [
            ErrorCode::InvalidShopName,
            ErrorCode::InvalidShopName,
            ErrorCode::InvalidVatId,
            ErrorCode::InvalidTillId,
            ErrorCode::InvalidAddressLine,
        ];
        for (case, code) in cases.into_iter().zip(codes) {
            let e = case.clone().validated().unwrap_err();
            assert_eq!(e.code, code, "{case:?}");
            assert!(e.message.ends_with('.'), "{}", e.message);
        }
    }

    #[test]
    fn each_environment_reads_back_under_its_one_name() {
        for env in Environment::ALL {
            let json = serde_json::to_value(env).unwrap();
            assert_eq!(json, serde_json::json!(env.name()));
            assert_eq!(serde_json::from_value::<Environment>(json).unwrap(), env);
        }
        assert_eq!(Environment::Testing.name(), "testing");
        assert!(serde_json::from_value::<Environment>(serde_json::json!("prod")).is_err());
    }

    #[test]
    fn the_sections_read_what_the_ui_sends() {
        let p: PrinterConfig = serde_json::from_value(serde_json::json!({
            "id": "p1", "name": "Bon", "kind": "thermal", "code_page": "cp858",
            "width": 42, "drawer": true,
            "transport": {"kind": "network", "host": "192.168.1.50", "port": 9100}
        }))
        .unwrap();
        assert_eq!(
            p.transport,
            PrinterTransport::Network {
                host: "192.168.1.50".into(),
                port: 9100
            }
        );
        let c: ConnectionSettings = serde_json::from_value(serde_json::json!({
            "environment": "testing", "auth_mode": "device", "client_id": "x", "device_uuid": null
        }))
        .unwrap();
        assert_eq!(c.environment, Environment::Testing);
        assert_eq!(
            serde_json::to_value(Language::En).unwrap(),
            serde_json::json!("en")
        );
    }
}
