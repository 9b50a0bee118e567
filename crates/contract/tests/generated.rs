//! The committed TypeScript file is the one the Rust types give.

use std::path::PathBuf;

fn generated_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(contract::GENERATED_FILE)
}

#[test]
fn generated_types_are_current() {
    let path = generated_file();
    if std::env::var("UPDATE_CONTRACT").is_ok_and(|v| v == "1") {
        std::fs::write(&path, contract::typescript()).expect("write the generated contract file");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if let Err(e) = contract::check_current(&committed) {
        panic!("{e}");
    }
}

#[test]
fn every_name_is_declared_once() {
    assert_eq!(contract::problems(), Vec::<String>::new());
}
