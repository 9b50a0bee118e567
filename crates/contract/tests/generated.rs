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
    let fresh = contract::typescript();
    if std::env::var("UPDATE_CONTRACT").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &fresh).expect("write the generated contract file");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != fresh {
        let first = committed
            .lines()
            .zip(fresh.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(fresh.lines().count()));
        panic!(
            "{} is stale: the Rust contract types changed (first difference at line {}).\n\
             Regenerate it with `UPDATE_CONTRACT=1 cargo test -p contract` and commit it.",
            contract::GENERATED_FILE,
            first + 1
        );
    }
}

#[test]
fn every_name_is_declared_once() {
    assert_eq!(contract::problems(), Vec::<String>::new());
}
