//! The data sheet for the tax office's notice (§146a (4) AO): which
//! recording system the shop uses and which TSE secures it. Printed on the
//! receipt printer and saved as PDF, from Settings → TSE.
//!
//! The BSI certificate id is the one the TSE reports for its TSS
//! (`bsi_certification_id` of `TssResponse`, SIGN DE API 2.1.6+, given for
//! UNINITIALIZED, INITIALIZED and DISABLED TSSs); the till keeps it in its
//! settings. Where the TSE reported none, the sheet says to ask fiskaly.

use receipt::{InfoSection, InfoSheet, ShopHeader};

/// The software as the notice names it.
pub const SOFTWARE_NAME: &str = "Smart Till";
/// The cloud TSE the till uses.
pub const TSE_PRODUCT: &str = "fiskaly SIGN DE (Cloud-TSE)";

/// Everything the sheet states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataSheetFacts {
    pub shop: ShopHeader,
    pub tax_number: Option<String>,
    pub vat_id: Option<String>,
    pub software_version: String,
    pub till_id: String,
    /// The till's serial number as registered with the TSE.
    pub client_serial: Option<String>,
    pub tse_serial: Option<String>,
    pub bsi_certification_id: Option<String>,
    /// `TEST` or `LIVE`; a TEST TSE is not for the notice.
    pub fiskaly_env: super::FiskalyEnv,
    /// YYYY-MM-DD, as entered.
    pub purchase_date: Option<String>,
    /// YYYY-MM-DD: as entered, else the day of the first signed sale.
    pub start_of_use: Option<String>,
    /// The start of use comes from the journal's first signed sale.
    pub start_from_journal: bool,
    pub demo: bool,
    /// When the sheet is made, as printed.
    pub issued_at: String,
}

fn german_date(iso: &str) -> String {
    chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map(|d| d.format("%d.%m.%Y").to_string())
        .unwrap_or_else(|_| iso.to_string())
}

const MISSING: &str = "— bitte eintragen —";

/// The sheet itself (German: it goes to the German tax office).
pub fn data_sheet(f: &DataSheetFacts) -> InfoSheet {
    let or_missing = |v: &Option<String>| v.clone().unwrap_or_else(|| MISSING.to_string());
    let mut taxpayer = vec![("Name".to_string(), f.shop.name.clone())];
    for line in &f.shop.address_lines {
        // The tax number travels in the header's address lines; it has its own row.
        if !line.starts_with("St.-Nr.") {
            taxpayer.push(("Anschrift".to_string(), line.clone()));
        }
    }
    taxpayer.push(("Steuernummer".into(), or_missing(&f.tax_number)));
    if let Some(vat) = &f.vat_id {
        taxpayer.push(("USt-IdNr.".into(), vat.clone()));
    }
    let start = match (&f.start_of_use, f.start_from_journal) {
        (Some(d), true) => format!("{} (erster signierter Beleg)", german_date(d)),
        (Some(d), false) => german_date(d),
        (None, _) => MISSING.to_string(),
    };
    let system = vec![
        (
            "Art".into(),
            "Elektronische Registrierkasse (PC-Kasse)".into(),
        ),
        ("Software".into(), SOFTWARE_NAME.into()),
        ("Softwareversion".into(), f.software_version.clone()),
        ("Kassennummer".into(), f.till_id.clone()),
        (
            "Seriennummer der Kasse".into(),
            or_missing(&f.client_serial),
        ),
        (
            "Anschaffungsdatum".into(),
            f.purchase_date
                .as_deref()
                .map(german_date)
                .unwrap_or_else(|| MISSING.into()),
        ),
        ("Inbetriebnahme".into(), start),
    ];
    let tse = vec![
        ("Art der TSE".into(), TSE_PRODUCT.into()),
        ("Hersteller".into(), "fiskaly GmbH".into()),
        ("Seriennummer der TSE".into(), or_missing(&f.tse_serial)),
        (
            "BSI-Zertifizierungs-ID".into(),
            f.bsi_certification_id
                .clone()
                .unwrap_or_else(|| "von der TSE nicht gemeldet – bei fiskaly erfragen".into()),
        ),
        (
            "Umgebung".into(),
            match f.fiskaly_env {
                super::FiskalyEnv::Live => "LIVE".into(),
                super::FiskalyEnv::Test => "TEST".into(),
            },
        ),
    ];
    let mut notes = vec![
        "Mitteilung an das Finanzamt nach § 146a Abs. 4 AO, elektronisch über Mein ELSTER. Dieses Blatt mit den Unterlagen der Kasse aufbewahren.".to_string(),
    ];
    if f.demo {
        notes.push("DEMO – Übungsdaten, keine gültige Mitteilung.".into());
    } else if f.fiskaly_env == super::FiskalyEnv::Test {
        notes.push(
            "TEST-TSE: nur zum Ausprobieren, nicht für die Mitteilung. Für den Betrieb eine LIVE-TSE einrichten.".into(),
        );
    }
    InfoSheet {
        shop: f.shop.clone(),
        title: "Angaben zum elektronischen Aufzeichnungssystem (§ 146a Abs. 4 AO)".into(),
        sections: vec![
            InfoSection {
                heading: "Steuerpflichtiger".into(),
                rows: taxpayer,
            },
            InfoSection {
                heading: "Kassensystem".into(),
                rows: system,
            },
            InfoSection {
                heading: "TSE".into(),
                rows: tse,
            },
        ],
        notes,
        issued_at: f.issued_at.clone(),
    }
}

/// The local day (YYYY-MM-DD) of the first sale in `journal` that `tse_serial` signed.
pub fn first_signed_sale(
    journal: &till::Journal,
    tse_serial: Option<&str>,
) -> Result<Option<String>, till::JournalError> {
    let first = journal
        .entries(Some(till::journal::kind::SALE))?
        .into_iter()
        .find(|e| {
            let tse = &e.body["tse"];
            tse["status"] == "signed"
                && tse_serial.is_none_or(|s| tse["tss_serial"].as_str() == Some(s))
        });
    Ok(first.and_then(|e| {
        chrono::DateTime::parse_from_rfc3339(&e.created_at)
            .ok()
            .map(|t| {
                t.with_timezone(&chrono::Local)
                    .format("%Y-%m-%d")
                    .to_string()
            })
    }))
}
