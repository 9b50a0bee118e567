//! The TSE's certificate in the journal (entry kind `tse_certificate`): the
//! signatures name the TSE by its serial number and public key, but a tax
//! audit export also hands over its certificate (DSFinV-K `Stamm_TSE`,
//! `TSE_ZERTIFIKAT_I/II`). The till asks the TSE for it at each closing and
//! journals it once per TSE (again only when it changes).

use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use tracing::{info, warn};

use crate::journal::{kind, Journal, JournalError};
use crate::tse::Tse;

/// A TSE's identity as the journal keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TseCertificate {
    /// Hex of SHA-256 over the public key, as the signatures name the TSE.
    pub tss_serial: String,
    /// Base64 of the public key point.
    pub public_key: String,
    /// Base64 of the X.509 certificate (DER) of that key.
    pub certificate: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CertificateError {
    #[error(transparent)]
    Tse(#[from] fiskaly::Error),
    #[error(transparent)]
    Journal(#[from] JournalError),
}

/// Asks the TSE for its certificate and journals it unless the journal's
/// newest one is the same; answers whether it wrote an entry.
pub async fn journal_certificate(
    tse: &Tse,
    journal: &Mutex<Journal>,
) -> Result<bool, CertificateError> {
    let tss = tse.client().get_tss(tse.tss_id()).await?;
    if tss.certificate.is_empty() {
        return Ok(false);
    }
    let found = TseCertificate {
        tss_serial: tss.serial_number,
        public_key: tss.public_key,
        certificate: tss.certificate,
    };
    let mut journal = journal.lock().unwrap_or_else(|p| p.into_inner());
    let newest = journal
        .last_recorded(kind::TSE_CERTIFICATE)?
        .and_then(|b| serde_json::from_value::<TseCertificate>(b).ok());
    if newest.as_ref() == Some(&found) {
        return Ok(false);
    }
    let body = serde_json::to_value(&found).map_err(JournalError::from)?;
    journal.record(kind::TSE_CERTIFICATE, &[body])?;
    info!(tss_serial = %found.tss_serial, "the TSE's certificate journaled");
    Ok(true)
}

/// [`journal_certificate`] where a TSE is set up; a TSE that does not
/// answer never fails the closing (the next closing asks again), and one
/// whose last step failed is not asked (no wait for its timeout).
pub async fn journal_certificate_if_any(tse: Option<&Tse>, journal: &Mutex<Journal>) {
    if let Some(tse) = tse {
        let down = matches!(
            *tse.health.lock().unwrap_or_else(|p| p.into_inner()),
            Some(Err(_))
        );
        if down {
            return;
        }
        if let Err(e) = journal_certificate(tse, journal).await {
            warn!(error = %e, "the TSE's certificate could not be journaled now");
        }
    }
}
