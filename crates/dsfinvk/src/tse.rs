//! The TSE tables from the receipts' TSE records: `tse.csv` (`Stamm_TSE`,
//! one row per TSE that signed receipts of a closing, numbered within it)
//! and `transactions_tse.csv` (`TSE_Transaktionen`, per receipt its
//! transaction, or `TSE_TA_FEHLER` for one made while the TSE was down).

use std::collections::HashMap;

use chrono::DateTime;
use till::{TseRecord, TseSignature};

use crate::from_journal::ExportError;
use crate::writer::{Row, Value, Writer};

/// The text encoding of the process data the till hands its TSE.
const PROCESS_DATA_ENCODING: &str = "UTF-8";

/// The TSEs met in the closing being exported, and the master rows of all
/// closings so far: written at the end ([`TseMaster::finish`]), when the
/// certificates journaled (at the closings) are known.
#[derive(Default)]
pub(crate) struct TseMaster {
    z_number: Option<i64>,
    serials: Vec<String>,
    rows: Vec<(String, Row<'static>)>,
}

/// The longest part of a certificate per column (`TSE_ZERTIFIKAT_I`, `_II`).
const CERTIFICATE_PART: usize = 1000;

impl TseMaster {
    /// The receipt `bon_id`'s TSE row (none for a receipt without a TSE
    /// record: no TSE set up, or a journal older than the TSE). The first
    /// receipt a TSE signed in a closing writes that TSE's master row.
    pub(crate) fn receipt(
        &mut self,
        w: &mut Writer,
        with_head: &dyn Fn(Row<'static>) -> Row<'static>,
        z_number: i64,
        bon_id: &str,
        record: Option<&TseRecord>,
    ) -> Result<(), ExportError> {
        if self.z_number != Some(z_number) {
            self.z_number = Some(z_number);
            self.serials.clear();
        }
        let Some(record) = record else {
            return Ok(());
        };
        let row = match record {
            TseRecord::Signed(s) => {
                let id = self.id_of(with_head, s);
                let (process_type, process_data) = process_of(&s.qr_code_data);
                vec![
                    ("BON_ID", Value::text(bon_id)),
                    ("TSE_ID", Value::Int(id)),
                    ("TSE_TANR", Value::Int(counter(s.tx_number)?)),
                    ("TSE_TA_START", Value::text(log_time(s.time_start))),
                    ("TSE_TA_ENDE", Value::text(log_time(s.time_end))),
                    ("TSE_TA_VORGANGSART", Value::text(process_type)),
                    ("TSE_TA_SIGZ", Value::Int(counter(s.signature_counter)?)),
                    ("TSE_TA_SIG", Value::text(&s.signature)),
                    ("TSE_VORGANGSDATEN", Value::text(process_data)),
                ]
            }
            TseRecord::Failed { reason, .. } => vec![
                ("BON_ID", Value::text(bon_id)),
                (
                    "TSE_TA_FEHLER",
                    Value::text(
                        format!("TSE ausgefallen: {reason}")
                            .chars()
                            .take(200)
                            .collect::<String>(),
                    ),
                ),
            ],
        };
        w.push("TSE_Transaktionen", &with_head(row))?;
        Ok(())
    }

    /// The TSE's number within the closing, its master row written on first sight.
    fn id_of(&mut self, with_head: &dyn Fn(Row<'static>) -> Row<'static>, s: &TseSignature) -> i64 {
        if let Some(i) = self.serials.iter().position(|x| *x == s.tss_serial) {
            return i as i64 + 1;
        }
        self.serials.push(s.tss_serial.clone());
        let id = self.serials.len() as i64;
        self.rows.push((
            s.tss_serial.clone(),
            with_head(vec![
                ("TSE_ID", Value::Int(id)),
                ("TSE_SERIAL", Value::text(&s.tss_serial)),
                ("TSE_SIG_ALGO", Value::text(&s.signature_algorithm)),
                ("TSE_ZEITFORMAT", Value::text(time_format(&s.qr_code_data))),
                ("TSE_PD_ENCODING", Value::text(PROCESS_DATA_ENCODING)),
                ("TSE_PUBLIC_KEY", Value::text(&s.public_key)),
            ]),
        ));
        id
    }

    /// Writes the TSEs' master rows, each with its certificate (base64 of
    /// the DER) where the journal has it, split over the two columns.
    pub(crate) fn finish(
        self,
        w: &mut Writer,
        certificates: &HashMap<String, String>,
    ) -> Result<(), ExportError> {
        for (serial, mut row) in self.rows {
            if let Some(cert) = certificates.get(&serial) {
                // Base64 is ASCII: the split falls between characters.
                let first = cert.len().min(CERTIFICATE_PART);
                let (one, rest) = cert.split_at(first);
                row.push(("TSE_ZERTIFIKAT_I", Value::text(one)));
                row.push(("TSE_ZERTIFIKAT_II", Value::text(rest)));
            }
            w.push("Stamm_TSE", &row)?;
        }
        Ok(())
    }
}

fn counter(n: u64) -> Result<i64, ExportError> {
    i64::try_from(n).map_err(|_| ExportError::Overflow)
}

/// A TSE log time (unix seconds) as DSFinV-K writes it: ISO 8601 in UTC
/// with milliseconds (`2020-10-10T12:00:10.000Z`).
pub(crate) fn log_time(unix: i64) -> String {
    DateTime::from_timestamp(unix, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}

/// The QR code's fields (DSFinV-K Anhang I): `V0;client;processType;
/// processData;txNumber;sigCounter;start;end;algorithm;timeFormat;sig;key`.
fn qr_field(qr: &str, i: usize) -> &str {
    qr.split(';').nth(i).unwrap_or_default()
}

fn process_of(qr: &str) -> (&str, &str) {
    (qr_field(qr, 2), qr_field(qr, 3))
}

fn time_format(qr: &str) -> &str {
    match qr_field(qr, 9) {
        "" => "unixTime",
        f => f,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_qr_code_gives_process_and_time_format() {
        let qr = "V0;SMART-TILL-DEMO-1;Kassenbeleg-V1;Beleg^8.96_4.29_0.00_0.00_0.00^13.25:Bar;1;2;2026-12-01T08:32:43.000Z;2026-12-01T08:32:43.000Z;ecdsa-plain-SHA256;unixTime;c2ln;a2V5";
        assert_eq!(
            process_of(qr),
            ("Kassenbeleg-V1", "Beleg^8.96_4.29_0.00_0.00_0.00^13.25:Bar")
        );
        assert_eq!(time_format(qr), "unixTime");
        assert_eq!(log_time(1_602_331_210), "2020-10-10T12:00:10.000Z");
    }
}
