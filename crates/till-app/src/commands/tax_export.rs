//! The tax audit export (DSFinV-K) of the closings in a date range, into a
//! folder or a `.zip`: the same function for the command line
//! (`smart-till export-dsfinvk`) and the end-of-day screen. The export reads
//! the journal on its own read-only connection, so the till sells on.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use dsfinvk::{Cashpoint, PackageError, Progress, Register};
use serde::Serialize;
use tracing::{info, warn};
use ts_rs::TS;

use crate::error::{CommandError, ErrorCode};
use crate::settings::{ShopSettings, KEY_SHOP};
use crate::state::AppState;

/// What an export wrote, in words for the end-of-day screen.
#[derive(Debug, Clone, Serialize, TS)]
pub struct TaxExport {
    /// The zip file or folder written.
    pub path: String,
    pub zip: bool,
    /// The Z numbers of the closings in it.
    pub closings: Vec<i64>,
    /// Receipts (sales and cancellations) in it.
    pub receipts: usize,
    pub bytes: u64,
}

/// The master data of the export from the shop's settings: the address's
/// first line is the street, a line starting with a postcode gives postcode
/// and city.
pub fn cashpoint(shop: &ShopSettings) -> Cashpoint {
    let street = shop.address_lines.first().cloned().unwrap_or_default();
    let (postcode, city) = shop
        .address_lines
        .iter()
        .skip(1)
        .find_map(|l| {
            let (code, city) = l.trim().split_once(' ')?;
            (code.len() == 5 && code.chars().all(|c| c.is_ascii_digit()))
                .then(|| (code.to_string(), city.trim().to_string()))
        })
        .unwrap_or_default();
    let version = env!("CARGO_PKG_VERSION");
    Cashpoint {
        till_id: shop.till_id.clone(),
        name: shop.name.clone(),
        street,
        postcode,
        city,
        country: "DEU".into(),
        tax_number: shop.tax_number.clone().unwrap_or_default(),
        vat_id: shop.vat_id.clone().unwrap_or_default(),
        register: Register {
            brand: "Smart Till".into(),
            model: "Smart Till Desktop".into(),
            serial: shop.till_id.clone(),
            software: "Smart Till".into(),
            version: version.into(),
        },
    }
}

/// A day as the UI and the command line give it (`YYYY-MM-DD`).
pub fn parse_day(day: &str) -> Result<NaiveDate, CommandError> {
    NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d").map_err(|_| {
        CommandError::new(
            ErrorCode::InvalidInput,
            format!("\"{day}\" is not a date: write it as YYYY-MM-DD, e.g. 2026-12-03."),
        )
    })
}

/// The file name the save dialog suggests.
pub fn suggested_name(till_id: &str, from: NaiveDate, to: NaiveDate) -> String {
    format!("DSFinV-K_{till_id}_{from}_{to}.zip")
}

/// Exports the closings of `from..=to` of the journal at `journal` into
/// `out` (a folder, or a `.zip` file), telling `progress` the percent done.
pub fn export(
    journal: &Path,
    shop: &ShopSettings,
    from: NaiveDate,
    to: NaiveDate,
    out: &Path,
    progress: &mut dyn FnMut(u8),
) -> Result<TaxExport, CommandError> {
    let journal = till::Journal::open_read_only(journal)?;
    let mut last = None;
    let done = dsfinvk::export_to(
        &journal,
        from,
        to,
        &cashpoint(shop),
        out,
        &mut |p: Progress| {
            let percent = p.percent();
            if last != Some(percent) {
                last = Some(percent);
                progress(percent);
            }
        },
    )
    .map_err(command_error)?;
    let receipts = done
        .summary
        .rows
        .iter()
        .find(|(file, _)| file == "transactions.csv")
        .map_or(0, |(_, n)| *n);
    info!(path = %out.display(), closings = done.summary.closings.len(), receipts, "DSFinV-K export written");
    Ok(TaxExport {
        path: done.target.display().to_string(),
        zip: done.zip,
        closings: done.summary.closings,
        receipts,
        bytes: done.bytes,
    })
}

/// The export from the running till (the end-of-day screen): its journal,
/// its shop settings; the work runs beside the async runtime.
pub async fn export_from_app(
    state: &AppState,
    from: NaiveDate,
    to: NaiveDate,
    out: PathBuf,
    mut progress: impl FnMut(u8) + Send + 'static,
) -> Result<TaxExport, CommandError> {
    let journal = state.journal().path().ok_or_else(|| {
        CommandError::new(
            ErrorCode::Journal,
            "The journal is not a file: nothing to export.",
        )
    })?;
    let shop: ShopSettings = state.settings.section(KEY_SHOP, &mut Vec::new());
    tokio::task::spawn_blocking(move || export(&journal, &shop, from, to, &out, &mut progress))
        .await
        .map_err(|e| {
            CommandError::new(
                ErrorCode::ExportFailed,
                format!("The export stopped ({e})."),
            )
        })?
}

/// The end-of-day screen's export: the days as the UI sends them, the zip
/// where `pick` says (it is offered the suggested file name; `None`: the
/// cashier closed the save dialog, nothing is written).
pub async fn export_dsfinvk<Picked>(
    state: &AppState,
    from: &str,
    to: &str,
    pick: impl FnOnce(String) -> Picked,
    progress: impl FnMut(u8) + Send + 'static,
) -> Result<Option<TaxExport>, CommandError>
where
    Picked: std::future::Future<Output = Result<Option<PathBuf>, CommandError>>,
{
    let (from, to) = (parse_day(from)?, parse_day(to)?);
    let Some(out) = pick(suggested_name(&state.till_id, from, to)).await? else {
        return Ok(None);
    };
    export_from_app(state, from, to, out, progress)
        .await
        .map(Some)
}

fn command_error(e: PackageError) -> CommandError {
    let code = match &e {
        PackageError::NoClosing { .. } => ErrorCode::ExportNoClosing,
        PackageError::BadRange { .. } => ErrorCode::InvalidInput,
        PackageError::NotEmpty(_) => ErrorCode::ExportTargetTaken,
        PackageError::DiskFull(_) => ErrorCode::DiskFull,
        PackageError::Journal(_) => ErrorCode::Journal,
        PackageError::Io { .. } | PackageError::Export(_) => ErrorCode::ExportFailed,
    };
    if code == ErrorCode::ExportFailed {
        warn!(error = %e, "DSFinV-K export failed");
    }
    CommandError::new(code, e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shop_settings_give_the_master_data() {
        let shop = ShopSettings {
            tax_number: Some("201/123/45678".into()),
            ..ShopSettings::default()
        };
        let cp = cashpoint(&shop);
        assert_eq!(
            (cp.street.as_str(), cp.postcode.as_str(), cp.city.as_str()),
            ("Musterstraße 1", "09123", "Chemnitz")
        );
        assert_eq!(cp.till_id, "KASSE-1");
        assert_eq!(cp.tax_number, "201/123/45678");
        assert_eq!(parse_day("2026-12-03").unwrap().to_string(), "2026-12-03");
        assert_eq!(
            parse_day("3.12.2026").unwrap_err().code,
            ErrorCode::InvalidInput
        );
    }
}
