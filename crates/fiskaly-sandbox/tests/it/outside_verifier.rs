//! Signatures checked outside the project's code: Python `cryptography`
//! (tests/verify_qr.py) and openssl, each from the receipt's QR code alone.

use std::path::Path;
use std::process::Command;

use reqwest::Client;
use serde_json::{json, Value};

use crate::common;

use common::token;

/// A sale with `receipt` under a fresh transaction id.
async fn sign_receipt(http: &Client, url: &str, token: &str, receipt: Value) -> Value {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let tx = format!(
        "00000000-0000-4000-8000-{:012x}",
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    common::sale(http, url, token, &tx, &receipt).await
}

/// Runs tests/verify_qr.py on QR codes; whether all are valid, and its lines.
fn python_verify(qrs: &[&str], out: Option<&Path>) -> (bool, String) {
    // `python3` on Linux and macOS; Windows installs often name it `python`.
    let python = ["python3", "python"]
        .into_iter()
        .find(|p| {
            Command::new(p)
                .args(["-c", "import cryptography"])
                .status()
                .is_ok_and(|s| s.success())
        })
        .expect(
            "Python with the `cryptography` package is needed for this test: pip install cryptography",
        );
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/verify_qr.py");
    let mut command = Command::new(python);
    command.arg(script);
    if let Some(out) = out {
        command.arg("--out").arg(out);
    }
    command.args(qrs);
    let output = command.output().expect("Python runs");
    let text = String::from_utf8_lossy(&output.stdout).trim().to_string();
    (output.status.success(), text)
}

#[tokio::test]
async fn python_cryptography_verifies_the_qr_code_alone_and_rejects_changes() {
    let sb = fiskaly_sandbox::start_demo().await.unwrap();
    let http = Client::new();
    let token = token(&http, &sb.url()).await;
    let receipts = [
        json!({"receipt_type": "RECEIPT",
               "amounts_per_vat_rate": [{"vat_rate": "NORMAL", "amount": "11.90"}, {"vat_rate": "REDUCED_1", "amount": "2.14"}],
               "amounts_per_payment_type": [{"payment_type": "CASH", "amount": "10.00"}, {"payment_type": "NON_CASH", "amount": "4.04"}]}),
        json!({"receipt_type": "ABORT", "amounts_per_vat_rate": [], "amounts_per_payment_type": []}),
        json!({"receipt_type": "ANNULATION",
               "amounts_per_vat_rate": [{"vat_rate": "NORMAL", "amount": "-11.90"}],
               "amounts_per_payment_type": [{"payment_type": "CASH", "amount": "-11.90"}]}),
    ];
    // Enough signatures that counters and transaction numbers pass 127 and 255
    // (their DER integers then need a second byte and a leading zero).
    let mut qrs = Vec::new();
    for _ in 0..45 {
        for receipt in &receipts {
            let tx = sign_receipt(&http, &sb.url(), &token, receipt.clone()).await;
            qrs.push(tx["qr_code_data"].as_str().unwrap().to_string());
        }
    }
    let all: Vec<&str> = qrs.iter().map(String::as_str).collect();
    let (ok, text) = python_verify(&all, None);
    assert!(ok, "{text}");
    assert_eq!(text.lines().filter(|l| *l == "valid").count(), qrs.len());
    let last_qr = qrs.last().unwrap();
    let fields: Vec<&str> = last_qr.split(';').collect();
    assert!(fields[4].parse::<u64>().unwrap() > 128 && fields[5].parse::<u64>().unwrap() > 256);

    // Any change to what the receipt says breaks the signature.
    let mut forged = fields.clone();
    forged[3] = "AVBelegstorno^-1.90_0.00_0.00_0.00_0.00^-11.90:Bar";
    let (ok, text) = python_verify(&[&forged.join(";")], None);
    assert!(!ok && text == "invalid signature", "{text}");
    let mut forged = fields.clone();
    let next = (fields[4].parse::<u64>().unwrap() + 1).to_string();
    forged[4] = &next;
    assert!(!python_verify(&[&forged.join(";")], None).0);
}

#[tokio::test]
async fn openssl_verifies_the_rebuilt_message_too() {
    if Command::new("openssl").arg("version").output().is_err() {
        eprintln!("openssl is not installed: skipping the second outside check");
        return;
    }
    let sb = fiskaly_sandbox::start_demo().await.unwrap();
    let http = Client::new();
    let token = token(&http, &sb.url()).await;
    let receipt = json!({"receipt_type": "RECEIPT",
        "amounts_per_vat_rate": [{"vat_rate": "NULL", "amount": "5.00"}],
        "amounts_per_payment_type": [{"payment_type": "NON_CASH", "amount": "5.00"}]});
    let tx = sign_receipt(&http, &sb.url(), &token, receipt).await;
    let qr = tx["qr_code_data"].as_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("receipt");
    assert!(python_verify(&[qr], Some(&base)).0);

    // The public key as PEM, from the QR code's point, through openssl itself.
    let point = qr.split(';').nth(11).unwrap();
    let mut spki_der = hex_decode("3059301306072a8648ce3d020106082a8648ce3d030107034200");
    spki_der.extend(base64_decode(point));
    std::fs::write(dir.path().join("key.der"), &spki_der).unwrap();
    let converted = Command::new("openssl")
        .args(["pkey", "-pubin", "-inform", "DER", "-in"])
        .arg(dir.path().join("key.der"))
        .arg("-out")
        .arg(dir.path().join("key.pem"))
        .status()
        .unwrap();
    assert!(converted.success());
    let verify = |msg: &Path| {
        Command::new("openssl")
            .args(["dgst", "-sha256", "-verify"])
            .arg(dir.path().join("key.pem"))
            .arg("-signature")
            .arg(base.with_extension("sig"))
            .arg(msg)
            .output()
            .unwrap()
    };
    let out = verify(&base.with_extension("msg"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "Verified OK");
    let mut changed = std::fs::read(base.with_extension("msg")).unwrap();
    let last = changed.len() - 1;
    changed[last] ^= 1; // another log time
    std::fs::write(dir.path().join("changed.msg"), changed).unwrap();
    assert!(!verify(&dir.path().join("changed.msg")).status.success());

    // The TSS certificate is a real X.509 certificate of the same key.
    let tss_url = format!("{}/api/v2/tss/{}", sb.url(), fiskaly_sandbox::DEMO_TSS_ID);
    let tss = common::get_json(&http, &tss_url, Some(&token)).await;
    std::fs::write(
        dir.path().join("cert.der"),
        base64_decode(tss["certificate"].as_str().unwrap()),
    )
    .unwrap();
    let cert = Command::new("openssl")
        .args(["x509", "-inform", "DER", "-noout", "-pubkey", "-in"])
        .arg(dir.path().join("cert.der"))
        .output()
        .unwrap();
    assert!(
        cert.status.success(),
        "{}",
        String::from_utf8_lossy(&cert.stderr)
    );
    let pem = std::fs::read_to_string(dir.path().join("key.pem")).unwrap();
    assert_eq!(String::from_utf8_lossy(&cert.stdout).trim(), pem.trim());
}

fn hex_decode(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}
