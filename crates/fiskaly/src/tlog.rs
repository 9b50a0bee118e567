//! The transaction log message a TSE signs (BSI TR-03151, `TransactionLog`)
//! and the receipt's QR code (DSFinV-K Anhang I, `V0`).
//!
//! The signature covers the DER encodings of the log message's elements from
//! `version` to `logTime`, one after the other, without an enclosing SEQUENCE
//! and without `signatureValue`; the README lists every byte. A verifier that
//! has only the QR code rebuilds them: `FinishTransaction` is the operation,
//! the serial number is SHA-256 of the QR code's public key, the log time is
//! the QR code's finish time as unix seconds.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::der;

/// `id-SE-API-transaction-log` (TR-03151): the log message certifies a transaction.
pub const TRANSACTION_LOG_OID: &str = "0.4.0.127.0.7.3.7.1.1";
/// `ecdsa-plain-SHA256` (BSI TR-03111).
pub const ECDSA_PLAIN_SHA256_OID: &str = "0.4.0.127.0.7.1.1.4.1.3";
pub const ALGORITHM_NAME: &str = "ecdsa-plain-SHA256";
pub const TIME_FORMAT: &str = "unixTime";

/// The elements of one transaction log message that the signature covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionLog {
    /// `StartTransaction`, `UpdateTransaction` or `FinishTransaction`.
    pub operation: String,
    /// The client's serial number (the till's), as registered.
    pub client_id: String,
    pub process_data: Vec<u8>,
    /// e.g. `Kassenbeleg-V1`; empty at the start.
    pub process_type: String,
    pub transaction_number: u64,
    /// SHA-256 of the TSS's public key point.
    pub serial_number: [u8; 32],
    pub signature_counter: u64,
    /// Unix seconds.
    pub log_time: u64,
}

impl TransactionLog {
    /// The exact bytes the TSE signs.
    pub fn signed_bytes(&self) -> Vec<u8> {
        [
            der::integer(2),
            der::oid(TRANSACTION_LOG_OID),
            der::tlv(0x80, self.operation.as_bytes()),
            der::tlv(0x81, self.client_id.as_bytes()),
            der::tlv(0x82, &self.process_data),
            der::tlv(0x83, self.process_type.as_bytes()),
            der::tlv(0x85, &der::integer_content(self.transaction_number)),
            der::tlv(0x04, &self.serial_number),
            der::sequence(&[der::oid(ECDSA_PLAIN_SHA256_OID)]),
            der::integer(self.signature_counter),
            der::integer(self.log_time),
        ]
        .concat()
    }
}

/// The fields of a DSFinV-K `V0` QR code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrCode {
    pub client_serial_number: String,
    pub process_type: String,
    pub process_data: String,
    pub transaction_number: u64,
    pub signature_counter: u64,
    /// Unix seconds of the start and of the finish (the log time).
    pub start_time: i64,
    pub log_time: i64,
    /// Base64 of `r || s`.
    pub signature: String,
    /// Base64 of the uncompressed public key point.
    pub public_key: String,
}

/// `YYYY-MM-DDThh:mm:ss.fffZ` in UTC, as DSFinV-K Anhang I writes times.
pub fn qr_time(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S.000Z")
        .to_string()
}

impl QrCode {
    /// `V0;client;process type;process data;tx number;signature counter;start;log time;ecdsa-plain-SHA256;unixTime;signature;public key`
    pub fn render(&self) -> String {
        [
            "V0".to_string(),
            self.client_serial_number.clone(),
            self.process_type.clone(),
            self.process_data.clone(),
            self.transaction_number.to_string(),
            self.signature_counter.to_string(),
            qr_time(self.start_time),
            qr_time(self.log_time),
            ALGORITHM_NAME.into(),
            TIME_FORMAT.into(),
            self.signature.clone(),
            self.public_key.clone(),
        ]
        .join(";")
    }

    /// Reads a `V0` QR code; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        let f: Vec<&str> = text.trim().split(';').collect();
        if f.len() != 12 || f[0] != "V0" || f[8] != ALGORITHM_NAME || f[9] != TIME_FORMAT {
            return None;
        }
        let time = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .ok()
                .map(|t| t.timestamp())
        };
        Some(Self {
            client_serial_number: f[1].into(),
            process_type: f[2].into(),
            process_data: f[3].into(),
            transaction_number: f[4].parse().ok()?,
            signature_counter: f[5].parse().ok()?,
            start_time: time(f[6])?,
            log_time: time(f[7])?,
            signature: f[10].into(),
            public_key: f[11].into(),
        })
    }

    /// The finish log message this QR code stands for.
    pub fn transaction_log(&self) -> Option<TransactionLog> {
        let public_key = BASE64.decode(&self.public_key).ok()?;
        Some(TransactionLog {
            operation: "FinishTransaction".into(),
            client_id: self.client_serial_number.clone(),
            process_data: self.process_data.as_bytes().to_vec(),
            process_type: self.process_type.clone(),
            transaction_number: self.transaction_number,
            serial_number: Sha256::digest(&public_key).into(),
            signature_counter: self.signature_counter,
            log_time: u64::try_from(self.log_time).ok()?,
        })
    }

    /// Whether the signature is the TSE's over the rebuilt log message.
    pub fn verify(&self) -> bool {
        let (Ok(key), Ok(signature), Some(log)) = (
            BASE64.decode(&self.public_key),
            BASE64.decode(&self.signature),
            self.transaction_log(),
        ) else {
            return false;
        };
        let (Ok(key), Ok(signature)) = (
            VerifyingKey::from_sec1_bytes(&key),
            Signature::from_slice(&signature),
        ) else {
            return false;
        };
        key.verify(&log.signed_bytes(), &signature).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::Signer;
    use p256::ecdsa::SigningKey;

    /// A fixed P-256 key: its public point (base64) and the serial number.
    fn key() -> (SigningKey, String, [u8; 32]) {
        let key = SigningKey::from_slice(&[7u8; 32]).unwrap();
        let point = key.verifying_key().to_encoded_point(false);
        let serial = Sha256::digest(point.as_bytes()).into();
        (key, BASE64.encode(point.as_bytes()), serial)
    }

    fn log() -> TransactionLog {
        TransactionLog {
            operation: "FinishTransaction".into(),
            client_id: "TILL-1".into(),
            process_data: b"Beleg^1.19_0.00_0.00_0.00_0.00^1.19:Bar".to_vec(),
            process_type: "Kassenbeleg-V1".into(),
            transaction_number: 200,
            serial_number: [0xab; 32],
            signature_counter: 1,
            log_time: 1_577_833_200,
        }
    }

    #[test]
    fn the_signed_bytes_follow_tr_03151_element_by_element() {
        let bytes = log().signed_bytes();
        let mut expected = vec![0x02, 0x01, 0x02];
        expected.extend([
            0x06, 0x09, 0x04, 0x00, 0x7f, 0x00, 0x07, 0x03, 0x07, 0x01, 0x01,
        ]);
        expected.extend([0x80, 17]);
        expected.extend(b"FinishTransaction");
        expected.extend([0x81, 6]);
        expected.extend(b"TILL-1");
        expected.extend([0x82, 39]);
        expected.extend(b"Beleg^1.19_0.00_0.00_0.00_0.00^1.19:Bar");
        expected.extend([0x83, 14]);
        expected.extend(b"Kassenbeleg-V1");
        expected.extend([0x85, 0x02, 0x00, 0xc8]); // 200 needs a leading zero
        expected.extend([0x04, 0x20]);
        expected.extend([0xab; 32]);
        expected.extend([
            0x30, 0x0c, 0x06, 0x0a, 0x04, 0x00, 0x7f, 0x00, 0x07, 0x01, 0x01, 0x04, 0x01, 0x03,
        ]);
        expected.extend([0x02, 0x01, 0x01]);
        expected.extend([0x02, 0x04, 0x5e, 0x0b, 0xd2, 0xf0]);
        assert_eq!(bytes, expected);
    }

    #[test]
    fn a_qr_code_round_trips_and_verifies_only_unchanged() {
        let (key, public_key, serial) = key();
        let mut log = log();
        log.serial_number = serial;
        let signature: Signature = key.sign(&log.signed_bytes());
        let signature = signature.to_bytes();
        let qr = QrCode {
            client_serial_number: log.client_id.clone(),
            process_type: log.process_type.clone(),
            process_data: String::from_utf8(log.process_data.clone()).unwrap(),
            transaction_number: log.transaction_number,
            signature_counter: log.signature_counter,
            start_time: 1_577_833_190,
            log_time: log.log_time as i64,
            signature: BASE64.encode(signature),
            public_key,
        };
        let text = qr.render();
        assert!(text.starts_with("V0;TILL-1;Kassenbeleg-V1;Beleg^1.19_0.00_0.00_0.00_0.00^1.19:Bar;200;1;2019-12-31T22:59:50.000Z;2019-12-31T23:00:00.000Z;ecdsa-plain-SHA256;unixTime;"), "{text}");
        let parsed = QrCode::parse(&text).unwrap();
        assert_eq!(parsed, qr);
        assert!(parsed.verify());
        let forged = text.replace("1.19:Bar", "0.19:Bar");
        assert!(!QrCode::parse(&forged).unwrap().verify());
    }
}
