//! The process type and process data a TSE signs for a transaction's schema
//! (DSFinV-K Anhang I; fiskaly's `standard_v1`).
//!
//! A receipt (`Kassenbeleg-V1`) becomes
//! `BON_TYP^<19 %>_<7 %>_<10.7 %>_<5.5 %>_<0 %>^<amount>:<Bar|Unbar>[:<currency>]_…`:
//! gross amounts per VAT rate in this fixed order, then one entry per payment
//! type (the currency only when it is not EUR).

use serde_json::Value;

/// Amounts are kept in units of 10^-5, the finest the API accepts.
const SCALE: i128 = 100_000;

/// `(process_type, process_data)` of a `schema` as sent in a transaction request.
pub fn from_schema(schema: &Value) -> Result<(String, String), String> {
    let standard = schema
        .get("standard_v1")
        .ok_or("only the standard_v1 schema is simulated")?;
    if let Some(receipt) = standard.get("receipt") {
        return receipt_data(receipt).map(|data| ("Kassenbeleg-V1".to_string(), data));
    }
    if standard.get("other").is_some() {
        return Ok(("SonstigerVorgang".into(), String::new()));
    }
    Err("standard_v1 needs a receipt or other".into())
}

fn receipt_data(receipt: &Value) -> Result<String, String> {
    let bon_typ = match receipt.get("receipt_type").and_then(Value::as_str) {
        Some("RECEIPT") => "Beleg",
        Some("TRAINING") => "AVTraining",
        Some("TRANSFER") => "AVTransfer",
        Some("ORDER") => "AVBestellung",
        Some("CANCELLATION") | Some("ABORT") => "AVBelegabbruch",
        Some("BENEFIT_IN_KIND") => "AVSachbezug",
        Some("INVOICE") => "AVRechnung",
        Some("OTHER") => "AVSonstige",
        Some("ANNULATION") => "AVBelegstorno",
        other => return Err(format!("unknown receipt_type {other:?}")),
    };
    let mut per_rate = [0i128; 5];
    let rates = receipt
        .get("amounts_per_vat_rate")
        .and_then(Value::as_array)
        .ok_or("amounts_per_vat_rate is required")?;
    for entry in rates {
        let slot = match entry.get("vat_rate").and_then(Value::as_str) {
            Some("NORMAL") | Some("19") => 0,
            Some("REDUCED_1") | Some("7") => 1,
            Some("SPECIAL_RATE_1") | Some("10.7") => 2,
            Some("SPECIAL_RATE_2") | Some("5.5") => 3,
            Some("NULL") | Some("0") => 4,
            other => return Err(format!("unknown vat_rate {other:?}")),
        };
        per_rate[slot] = per_rate[slot]
            .checked_add(amount(entry)?)
            .ok_or("amount too large")?;
    }
    // One entry per payment type and currency, in the order first seen.
    let mut payments: Vec<(String, i128)> = Vec::new();
    let empty = Vec::new();
    let types = receipt
        .get("amounts_per_payment_type")
        .and_then(Value::as_array)
        .unwrap_or(&empty);
    for entry in types {
        let kind = match entry.get("payment_type").and_then(Value::as_str) {
            Some("CASH") => "Bar",
            Some("NON_CASH") => "Unbar",
            other => return Err(format!("unknown payment_type {other:?}")),
        };
        let currency = entry
            .get("currency_code")
            .and_then(Value::as_str)
            .unwrap_or("EUR")
            .to_ascii_uppercase();
        let key = if currency == "EUR" {
            kind.to_string()
        } else {
            format!("{kind}:{currency}")
        };
        let value = amount(entry)?;
        match payments.iter_mut().find(|(k, _)| *k == key) {
            Some((_, sum)) => *sum = sum.checked_add(value).ok_or("amount too large")?,
            None => payments.push((key, value)),
        }
    }
    let rates: Vec<String> = per_rate.iter().map(|a| format_amount(*a)).collect();
    let payments: Vec<String> = payments
        .iter()
        .map(|(key, sum)| format!("{}:{key}", format_amount(*sum)))
        .collect();
    Ok(format!(
        "{bon_typ}^{}^{}",
        rates.join("_"),
        payments.join("_")
    ))
}

/// The `amount` of an entry: `^-?\d+(\.\d{2,5})$`, in 10^-5 units.
fn amount(entry: &Value) -> Result<i128, String> {
    let text = entry
        .get("amount")
        .and_then(Value::as_str)
        .ok_or("amount is required and a string")?;
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let bad = || format!("amount {text:?} must look like \"12.34\"");
    let (whole, fraction) = digits.split_once('.').ok_or_else(bad)?;
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(whole)
        || !all_digits(fraction)
        || !(2..=5).contains(&fraction.len())
        || whole.len() > 15
    {
        return Err(bad());
    }
    let whole: i128 = whole.parse().map_err(|_| bad())?;
    let fraction: i128 = format!("{fraction:0<5}").parse().map_err(|_| bad())?;
    let value = whole * SCALE + fraction;
    Ok(if negative { -value } else { value })
}

/// Two decimals, more only where the amount has them.
fn format_amount(value: i128) -> String {
    let sign = if value < 0 { "-" } else { "" };
    let abs = value.abs();
    let mut fraction = format!("{:05}", abs % SCALE);
    while fraction.len() > 2 && fraction.ends_with('0') {
        fraction.pop();
    }
    format!("{sign}{}.{fraction}", abs / SCALE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_receipt_becomes_dsfinvk_process_data() {
        let schema = json!({"standard_v1": {"receipt": {
            "receipt_type": "RECEIPT",
            "amounts_per_vat_rate": [
                {"vat_rate": "NORMAL", "amount": "10.00"},
                {"vat_rate": "REDUCED_1", "amount": "2.55"},
                {"vat_rate": "NORMAL", "amount": "1.19"},
            ],
            "amounts_per_payment_type": [
                {"payment_type": "CASH", "amount": "5.00"},
                {"payment_type": "NON_CASH", "amount": "8.74"},
                {"payment_type": "CASH", "amount": "-0.00"},
            ],
        }}});
        let (process_type, data) = from_schema(&schema).unwrap();
        assert_eq!(process_type, "Kassenbeleg-V1");
        assert_eq!(data, "Beleg^11.19_2.55_0.00_0.00_0.00^5.00:Bar_8.74:Unbar");
    }

    #[test]
    fn foreign_currency_fine_amounts_and_an_abort() {
        let schema = json!({"standard_v1": {"receipt": {
            "receipt_type": "ABORT",
            "amounts_per_vat_rate": [{"vat_rate": "NULL", "amount": "-1.23456"}],
            "amounts_per_payment_type": [{"payment_type": "CASH", "amount": "3.10", "currency_code": "chf"}],
        }}});
        let (_, data) = from_schema(&schema).unwrap();
        assert_eq!(
            data,
            "AVBelegabbruch^0.00_0.00_0.00_0.00_-1.23456^3.10:Bar:CHF"
        );
    }

    #[test]
    fn bad_amounts_and_types_are_refused() {
        for bad in ["1", "1.2", "1.234567", "1,20", "", "-", "a.bc"] {
            let schema = json!({"standard_v1": {"receipt": {
                "receipt_type": "RECEIPT",
                "amounts_per_vat_rate": [{"vat_rate": "NORMAL", "amount": bad}],
            }}});
            assert!(from_schema(&schema).is_err(), "{bad}");
        }
        assert!(from_schema(&json!({"raw": {}})).is_err());
        assert!(from_schema(&json!({"standard_v1": {"receipt": {"receipt_type": "SALE", "amounts_per_vat_rate": []}}})).is_err());
    }
}
