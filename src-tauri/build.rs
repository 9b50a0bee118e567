fn main() {
    // Every command the UI may call is declared here and granted in capabilities/.
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(
        tauri_build::AppManifest::new().commands(&["app_info", "articles", "pay_cash"]),
    ))
    .expect("tauri build step failed");
}
