//! `export-dsfinvk --from DAY --to DAY OUT`: the work is `commands::tax_export`'s.

use std::path::{Path, PathBuf};

use super::{
    data_dir, say, Console, EXIT_FAILED, EXIT_NO_CLOSING, EXIT_OK, EXIT_TARGET_TAKEN, EXIT_USAGE,
};
use crate::commands::tax_export;
use crate::startup::{journal_path, shop_settings};
use crate::ErrorCode;

pub(super) fn export_dsfinvk(
    data: Option<PathBuf>,
    args: &[&str],
    console: &mut Console<'_>,
) -> u8 {
    let (from, to, out) = match args {
        ["--from", from, "--to", to, out] | ["--to", to, "--from", from, out] => (*from, *to, *out),
        _ => return super::usage(console),
    };
    let (from, to) = match (tax_export::parse_day(from), tax_export::parse_day(to)) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(e), _) | (_, Err(e)) => {
            say!(console.err, "smart-till export-dsfinvk: {}", e.message);
            return EXIT_USAGE;
        }
    };
    let Some(data) = data_dir(data, console.err) else {
        return EXIT_FAILED;
    };
    let journal = journal_path(&data);
    if !journal.exists() {
        say!(
            console.err,
            "smart-till export-dsfinvk: there is no journal at {}.",
            journal.display()
        );
        return EXIT_FAILED;
    }
    let shop = shop_settings(&data);
    let mut shown = 0;
    let err = &mut *console.err;
    let result = tax_export::export(&journal, &shop, from, to, Path::new(out), &mut |percent| {
        // A line every 10 % on a terminal that waits.
        if percent >= shown + 10 || percent == 100 {
            shown = percent;
            say!(err, "{percent:>3} %");
        }
    });
    match result {
        Ok(done) => {
            say!(
                console.out,
                "DSFinV-K export written to {}: {} closing(s) (Z {}), {} receipts, {} bytes.",
                done.path,
                done.closings.len(),
                done.closings
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                done.receipts,
                done.bytes
            );
            EXIT_OK
        }
        Err(e) => {
            say!(console.err, "smart-till export-dsfinvk: {}", e.message);
            match e.code {
                ErrorCode::ExportNoClosing => EXIT_NO_CLOSING,
                ErrorCode::ExportTargetTaken => EXIT_TARGET_TAKEN,
                ErrorCode::InvalidInput => EXIT_USAGE,
                _ => EXIT_FAILED,
            }
        }
    }
}
