//! What the TSE signed, checked against the journal: the hash chain alone
//! does not stop someone who rewrites the file and hashes it again, but the
//! TSE's signature is made with a key outside the till.
//!
//! For every signed sale, cancellation, return, cash receipt (cash in or
//! out) and opening float: the signature holds
//! over the TR-03151 log message rebuilt from its QR code
//! (`fiskaly::tlog`, the very bytes the simulator signs), the QR code and
//! the stored TSE data agree, the serial number is the hash of the key, and
//! the amounts the TSE signed are the entry's (payments per `Bar`/`Unbar`
//! and the total; for the cash-only events, the cash they moved). Across the journal, per TSE: one key, and no transaction
//! number or signature counter used twice (a signature copied onto another
//! sale). Counters are not demanded to rise in the journal's order: a
//! basket's transaction starts with its first line, so a cancellation made
//! meanwhile takes a later number but is journaled first, and a sale
//! settled after a crash is journaled with the signature it got before.

use std::collections::{HashMap, HashSet};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::records::{BreakKind, ChainBreak};
use crate::closing::PaymentMethod;
use crate::money::Cents;
use crate::tse::{TseRecord, TseSignature};

/// What the journal-wide checks need of one signed entry.
#[derive(Debug, Clone)]
pub(super) struct TseFact {
    pub seq: i64,
    pub tss_serial: String,
    pub public_key: String,
    pub tx_number: u64,
    pub counter: u64,
}

/// Whether an entry of `kind` with `body` carries a TSE signature to check
/// (a quick look at the stored bytes; most entries are passed over here).
pub(super) fn carries_signature(kind: &[u8], body: &[u8]) -> bool {
    matches!(
        kind,
        b"sale" | b"cancellation" | b"return" | b"cash_receipt" | b"cash_movement"
    ) && memchr::memmem::find(body, br#""status":"signed""#).is_some()
}

#[derive(Deserialize)]
struct PaymentPart {
    method: PaymentMethod,
    amount: Cents,
}

#[derive(Deserialize)]
struct SignedEntry {
    /// A sale's or cancellation's; the cash-only events have none.
    #[serde(default)]
    payments: Option<Vec<PaymentPart>>,
    #[serde(default)]
    tse: Option<TseRecord>,
}

/// The cash a signed entry without payments moved, as the TSE was asked to
/// sign it: a float's change, a return's refund (negative), a cash
/// receipt's amount in its direction.
fn moved_cash(seq: i64, body: &[u8]) -> Result<Cents, ChainBreak> {
    let unreadable = || altered(seq, "its amounts cannot be read".into());
    let v: serde_json::Value = serde_json::from_slice(body).map_err(|_| unreadable())?;
    let cents = |key: &str| v.get(key).and_then(serde_json::Value::as_i64).map(Cents);
    let moved = if v.get("movement").and_then(serde_json::Value::as_str) == Some("float") {
        cents("amount")
    } else if v.get("original_receipt").is_some() {
        cents("total")
    } else {
        serde_json::from_value::<crate::cash_movement::CashReceipt>(v.clone())
            .ok()
            .map(|m| m.signed())
    };
    moved.ok_or_else(unreadable)
}

fn altered(seq: i64, reason: String) -> ChainBreak {
    ChainBreak {
        seq,
        kind: BreakKind::Altered,
        reason,
    }
}

/// Checks one signed entry on its own; its facts for the journal-wide checks.
pub(super) fn check_entry(seq: i64, body: &[u8]) -> Result<Option<TseFact>, ChainBreak> {
    let entry: SignedEntry = serde_json::from_slice(body)
        .map_err(|e| altered(seq, format!("its TSE data cannot be read ({e})")))?;
    let Some(TseRecord::Signed(s)) = entry.tse else {
        return Ok(None);
    };
    check_signature(seq, &s)?;
    let payments = match entry.payments {
        Some(payments) => payments,
        None => vec![PaymentPart {
            method: PaymentMethod::Cash,
            amount: moved_cash(seq, body)?,
        }],
    };
    check_amounts(seq, &s, &payments)?;
    Ok(Some(TseFact {
        seq,
        tss_serial: s.tss_serial,
        public_key: s.public_key,
        tx_number: s.tx_number,
        counter: s.signature_counter,
    }))
}

fn check_signature(seq: i64, s: &TseSignature) -> Result<(), ChainBreak> {
    let bad = |what: &str| altered(seq, format!("the TSE did not sign this: {what}"));
    let qr = fiskaly::QrCode::parse(&s.qr_code_data).ok_or_else(|| bad("no readable QR code"))?;
    if qr.signature != s.signature
        || qr.public_key != s.public_key
        || qr.transaction_number != s.tx_number
        || qr.signature_counter != s.signature_counter
        || qr.client_serial_number != s.client_serial
    {
        return Err(bad("the TSE data differs from its QR code"));
    }
    let key = BASE64
        .decode(&s.public_key)
        .map_err(|_| bad("the TSE's key cannot be read"))?;
    if hex::encode(Sha256::digest(&key)) != s.tss_serial {
        return Err(bad("the TSE serial number is not its key's"));
    }
    if !signature_holds(&qr, &key) {
        return Err(bad("the signature does not match what the TSE signed"));
    }
    Ok(())
}

/// Whether the QR code's signature (`ecdsa-plain-SHA256`: r‖s) is `key`'s
/// over the TR-03151 log message it stands for. The same check as
/// `fiskaly::QrCode::verify` (p256), through `ring`, whose P-256 is several
/// times faster (the `tse_sale` bench prints both); `verify` makes one per
/// signed entry.
pub fn signature_holds(qr: &fiskaly::QrCode, key: &[u8]) -> bool {
    let (Some(log), Ok(signature)) = (qr.transaction_log(), BASE64.decode(&qr.signature)) else {
        return false;
    };
    ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_FIXED, key)
        .verify(&log.signed_bytes(), &signature)
        .is_ok()
}

/// `12.34` / `-0.50` as cents; `None` for anything else.
fn cents(text: &str) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.')?;
    let fraction = fraction.get(..2).filter(|_| {
        // More decimals are allowed where they are zeros.
        fraction[2..].bytes().all(|b| b == b'0')
    })?;
    let value = whole.parse::<i64>().ok()?.checked_mul(100)? + fraction.parse::<i64>().ok()?;
    Some(if negative { -value } else { value })
}

/// The amounts in the signed process data (`Beleg^vat…^amount:Bar_amount:Unbar`)
/// against the entry's payments.
fn check_amounts(seq: i64, s: &TseSignature, payments: &[PaymentPart]) -> Result<(), ChainBreak> {
    let qr = fiskaly::QrCode::parse(&s.qr_code_data).ok_or_else(|| altered(seq, "no QR".into()))?;
    let differs = |what: &str| {
        altered(
            seq,
            format!(
                "its {what} differ from what the TSE signed ({})",
                qr.process_data
            ),
        )
    };
    let mut parts = qr.process_data.split('^');
    let (Some(_bon_typ), Some(vat), Some(paid)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(differs("amounts"));
    };
    let signed_total: Option<i64> = vat.split('_').map(cents).sum();
    let (mut cash, mut non_cash) = (0i64, 0i64);
    for p in paid.split('_').filter(|p| !p.is_empty()) {
        let (amount, kind) = p.split_once(':').ok_or_else(|| differs("payments"))?;
        let amount = cents(amount).ok_or_else(|| differs("payments"))?;
        match kind {
            "Bar" => cash += amount,
            "Unbar" => non_cash += amount,
            _ => return Err(differs("payments")),
        }
    }
    let (mut own_cash, mut own_non_cash) = (0i64, 0i64);
    for p in payments {
        match p.method {
            PaymentMethod::Cash => own_cash += p.amount.0,
            PaymentMethod::Card | PaymentMethod::Secucard | PaymentMethod::Qr => {
                own_non_cash += p.amount.0
            }
        }
    }
    if (cash, non_cash) != (own_cash, own_non_cash) {
        return Err(differs("payments"));
    }
    if signed_total != Some(own_cash + own_non_cash) {
        return Err(differs("total"));
    }
    Ok(())
}

/// The journal-wide checks over the facts of all signed entries (any order):
/// per TSE one key, no transaction number and no signature counter twice.
pub(super) fn check_facts(mut facts: Vec<TseFact>) -> Option<ChainBreak> {
    facts.sort_by_key(|f| f.seq);
    let mut keys: HashMap<&str, &str> = HashMap::new();
    let mut numbers: HashSet<(&str, u64)> = HashSet::with_capacity(facts.len());
    let mut counters: HashSet<(&str, u64)> = HashSet::with_capacity(facts.len());
    for f in &facts {
        let tss = f.tss_serial.as_str();
        if *keys.entry(tss).or_insert(&f.public_key) != f.public_key {
            return Some(altered(
                f.seq,
                "signed with another key than the TSE's other signatures".into(),
            ));
        }
        if !numbers.insert((tss, f.tx_number)) {
            return Some(altered(
                f.seq,
                format!(
                    "TSE transaction number {} is used twice (a signature copied)",
                    f.tx_number
                ),
            ));
        }
        if !counters.insert((tss, f.counter)) {
            return Some(altered(
                f.seq,
                format!(
                    "TSE signature counter {} is used twice (a signature copied)",
                    f.counter
                ),
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A QR code as the TSE makes it: `key` signs the log message it stands for.
    fn signed_qr(key: &fiskaly_sandbox::keys::TssKey, process_data: &str) -> fiskaly::QrCode {
        let mut qr = fiskaly::QrCode {
            client_serial_number: "KASSE-1".into(),
            process_type: "Kassenbeleg-V1".into(),
            process_data: process_data.into(),
            transaction_number: 17,
            signature_counter: 40,
            start_time: 1_764_000_000,
            log_time: 1_764_000_002,
            signature: String::new(),
            public_key: key.public_key_base64(),
        };
        let log = qr.transaction_log().unwrap();
        qr.signature = BASE64.encode(key.sign_plain(&log.signed_bytes()));
        qr
    }

    #[test]
    fn ring_holds_exactly_what_p256_holds() {
        let key = fiskaly_sandbox::keys::TssKey::generate();
        let point = key.public_key_point();
        let qr = signed_qr(&key, "Beleg^11.90_0.00_0.00_0.00_0.00^11.90:Bar");
        assert!(qr.verify() && signature_holds(&qr, &point));
        let mut forged = qr.clone();
        forged.process_data = "Beleg^1.90_0.00_0.00_0.00_0.00^1.90:Bar".into();
        assert!(!forged.verify() && !signature_holds(&forged, &point));
        let mut counter = qr.clone();
        counter.signature_counter += 1;
        assert!(!counter.verify() && !signature_holds(&counter, &point));
        let other = fiskaly_sandbox::keys::TssKey::generate();
        assert!(!signature_holds(&qr, &other.public_key_point()));
        let mut garbled = qr;
        garbled.signature = "AAAA".into();
        assert!(!garbled.verify() && !signature_holds(&garbled, &point));
    }

    #[test]
    fn process_data_amounts_read_as_cents() {
        assert_eq!(cents("11.90"), Some(1190));
        assert_eq!(cents("-2.50"), Some(-250));
        assert_eq!(cents("0.00"), Some(0));
        assert_eq!(cents("1.10000"), Some(110));
        assert_eq!(cents("1.105"), None);
        assert_eq!(cents("x"), None);
    }
}
