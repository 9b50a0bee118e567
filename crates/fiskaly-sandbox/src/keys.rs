//! A TSS's key pair: ECDSA over NIST P-256 with SHA-256, signatures as plain
//! `r || s` (BSI TR-03111 "ecdsa-plain-SHA256"), the serial number derived
//! from the public key, and a self-signed certificate for the key.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use sha2::{Digest, Sha256};

use crate::der;

/// ecdsa-with-SHA256 (RFC 5758), for the certificate's own signature.
const ECDSA_WITH_SHA256: &str = "1.2.840.10045.4.3.2";
const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const PRIME256V1: &str = "1.2.840.10045.3.1.7";
const COMMON_NAME: &str = "2.5.4.3";

/// The signing key of one TSS. No `Debug`: it is the secret of the simulated TSE.
#[derive(Clone)]
pub struct TssKey {
    key: SigningKey,
}

impl TssKey {
    /// A fresh random key.
    pub fn generate() -> Self {
        loop {
            // A random 32-byte string is a valid scalar unless it is 0 or ≥ n (odds ~2^-32).
            if let Ok(key) = SigningKey::from_slice(&rand::random::<[u8; 32]>()) {
                return Self { key };
            }
        }
    }

    /// The key kept in the state file (hex of the private scalar).
    pub fn from_hex(hex_scalar: &str) -> Option<Self> {
        let bytes = hex::decode(hex_scalar).ok()?;
        SigningKey::from_slice(&bytes).ok().map(|key| Self { key })
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.key.to_bytes())
    }

    /// The public key as an uncompressed point: `0x04 || x || y`, 65 bytes.
    pub fn public_key_point(&self) -> Vec<u8> {
        self.key
            .verifying_key()
            .to_encoded_point(false)
            .as_bytes()
            .to_vec()
    }

    /// The public key as the API and the QR code show it: base64 of the point.
    pub fn public_key_base64(&self) -> String {
        BASE64.encode(self.public_key_point())
    }

    /// SHA-256 of the public key point (TR-03151 `serialNumber`).
    pub fn serial_number_bytes(&self) -> [u8; 32] {
        Sha256::digest(self.public_key_point()).into()
    }

    /// The TSS serial number as the API shows it: lower-case hex of [`Self::serial_number_bytes`].
    pub fn serial_number(&self) -> String {
        hex::encode(self.serial_number_bytes())
    }

    /// Signs `message` (hashed with SHA-256); `r || s`, 64 bytes.
    pub fn sign_plain(&self, message: &[u8]) -> [u8; 64] {
        let signature: Signature = self.key.sign(message);
        signature.to_bytes().into()
    }

    /// A self-signed X.509 v3 certificate of the key, DER, valid from
    /// `not_before` (unix seconds) for ten years. CN = the serial number.
    pub fn certificate_der(&self, not_before: i64) -> Vec<u8> {
        let name = der::sequence(&[der::tlv(
            0x31,
            &der::sequence(&[
                der::oid(COMMON_NAME),
                der::tlv(0x0c, self.serial_number().as_bytes()),
            ]),
        )]);
        let validity = der::sequence(&[
            utc_time(not_before),
            utc_time(not_before + 10 * 365 * 86_400),
        ]);
        let mut bit_string = vec![0u8];
        bit_string.extend(self.public_key_point());
        let spki = der::sequence(&[
            der::sequence(&[der::oid(EC_PUBLIC_KEY), der::oid(PRIME256V1)]),
            der::tlv(0x03, &bit_string),
        ]);
        let serial =
            u64::from_be_bytes(self.serial_number_bytes()[..8].try_into().unwrap_or([1; 8]));
        let algorithm = der::sequence(&[der::oid(ECDSA_WITH_SHA256)]);
        let tbs = der::sequence(&[
            der::tlv(0xa0, &der::integer(2)),
            der::integer(serial >> 1),
            algorithm.clone(),
            name.clone(),
            validity,
            name,
            spki,
        ]);
        let signature: Signature = self.key.sign(&tbs);
        let mut signature_bits = vec![0u8];
        signature_bits.extend_from_slice(signature.to_der().as_bytes());
        der::sequence(&[tbs, algorithm, der::tlv(0x03, &signature_bits)])
    }
}

/// UTCTime `YYMMDDHHMMSSZ` (valid up to 2049, far beyond a demo TSS).
fn utc_time(unix: i64) -> Vec<u8> {
    let time = chrono::DateTime::from_timestamp(unix, 0).unwrap_or_default();
    der::tlv(0x17, time.format("%y%m%d%H%M%SZ").to_string().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::Verifier;
    use p256::ecdsa::VerifyingKey;

    #[test]
    fn a_key_survives_its_hex_form_and_signs_verifiably() {
        let key = TssKey::generate();
        let again = TssKey::from_hex(&key.to_hex()).expect("valid hex");
        assert_eq!(key.public_key_point(), again.public_key_point());
        assert_eq!(key.public_key_point().len(), 65);
        assert_eq!(key.public_key_point()[0], 0x04);
        assert_eq!(key.serial_number().len(), 64);

        let signature = again.sign_plain(b"message");
        let verifying = VerifyingKey::from_sec1_bytes(&key.public_key_point()).unwrap();
        let signature = Signature::from_slice(&signature).unwrap();
        verifying.verify(b"message", &signature).unwrap();
        assert!(verifying.verify(b"other message", &signature).is_err());
    }
}
