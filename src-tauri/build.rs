fn main() {
    // Every command the UI may call is declared here and granted in capabilities/.
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(
        tauri_build::AppManifest::new().commands(&[
            "app_info",
            "articles",
            "pay_cash",
            "till_status",
            "sync_now",
            "pay_card",
            "abort_card_payment",
            "check_card_payment",
            "day_summary",
            "terminal_end_of_day",
            "close_day",
            "closings",
            "closing",
            "journal_search",
            "journal_sale",
            "cancel_sale",
            "receipt_preview",
            "article_by_code",
            "settings",
            "save_shop",
            "set_language",
            "set_environment",
            "pairing_start",
            "pairing_status",
            "pairing_cancel",
            "restart_app",
        ]),
    ))
    .expect("tauri build step failed");
}
