//! What the export's tests share: reading a table back, the project's own
//! validator (`tests/validate.py`), the till's master data.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use dsfinvk::{Cashpoint, Register};
use till::Closing;

pub type Record = BTreeMap<String, String>;

/// The rows of one table file as column → field (quotes removed).
pub fn read(dir: &Path, file: &str) -> Vec<Record> {
    let mut r = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_path(dir.join(file))
        .unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

/// "12,34" / "-0,33000" → cents, without floats.
pub fn cents(field: &str) -> i64 {
    let (neg, digits) = match field.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, field),
    };
    let (whole, frac) = digits.split_once(',').unwrap();
    let frac = format!("{frac:0<2}");
    assert!(
        frac[2..].chars().all(|c| c == '0'),
        "{field} has sub-cent digits"
    );
    let v: i64 = whole.parse::<i64>().unwrap() * 100 + frac[..2].parse::<i64>().unwrap();
    if neg {
        -v
    } else {
        v
    }
}

pub fn sum_by(rows: &[Record], key: &str, amount: &str) -> BTreeMap<String, i64> {
    let mut m = BTreeMap::new();
    for r in rows {
        *m.entry(r[key].clone()).or_insert(0) += cents(&r[amount]);
    }
    m
}

/// The Z reports' cash figures as the validator reads them (cents).
pub fn z_reports(closings: &[Closing]) -> serde_json::Value {
    closings
        .iter()
        .map(|c| {
            let f = &c.figures;
            serde_json::json!({
                "z_number": c.z_number,
                "opening_float": f.opening_float.0,
                "cash": f.by_method.cash.0,
                "cash_in": f.cash_in.0,
                "cash_out": f.cash_out.0,
                "difference": c.difference.0,
                "cash_counted": c.cash_counted.0,
            })
        })
        .collect()
}

/// Runs the project's own validator (`tests/validate.py`, Python's csv and
/// xml modules, none of the export code) on an export, with the Z reports'
/// figures where given; `None` without Python.
pub fn validate_against(out: &Path, closings: Option<&[Closing]>) -> Option<Result<(), String>> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/validate.py");
    let mut cmd = Command::new("python3");
    cmd.arg(script).arg(out);
    let z_file = out.with_extension("z-reports.json");
    if let Some(closings) = closings {
        std::fs::write(&z_file, z_reports(closings).to_string()).unwrap();
        cmd.arg(&z_file);
    }
    let o = cmd.output().ok()?;
    Some(if o.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&o.stderr).into_owned())
    })
}

pub fn validate(out: &Path) -> Option<Result<(), String>> {
    validate_against(out, None)
}

pub fn assert_valid(out: &Path) {
    match validate(out) {
        Some(r) => r.unwrap(),
        None => eprintln!("no python3 here: the export was not validated independently"),
    }
}

/// Valid, and each closing's cash tied out against its Z report.
pub fn assert_valid_against(out: &Path, closings: &[Closing]) {
    match validate_against(out, Some(closings)) {
        Some(r) => r.unwrap(),
        None => eprintln!("no python3 here: the export was not validated independently"),
    }
}

pub fn cashpoint() -> Cashpoint {
    Cashpoint {
        till_id: "KASSE-1".into(),
        name: "Bäckerei Müller".into(),
        street: "Hauptstraße 1".into(),
        postcode: "10115".into(),
        city: "Berlin".into(),
        country: "DEU".into(),
        tax_number: "12/345/67890".into(),
        vat_id: "DE123456789".into(),
        register: Register {
            brand: "Smart Till".into(),
            model: "Desktop".into(),
            serial: "ST-0001".into(),
            software: "Smart Till".into(),
            version: "0.1.0".into(),
        },
    }
}
