//! The basket's business event as the desktop drives it: the UI says when
//! the basket fills and empties, the demo till (both simulators on loopback,
//! a real SQLite journal in a temporary folder) starts and ends the TSE
//! transaction, and the sale is signed under the event's id.

use std::sync::Arc;

use till::basket::{Basket, BasketLine};
use till::journal::kind;
use till::{Cents, VatRate};
use till_app::commands::{sale, status};
use till_app::secrets::MemorySecrets;
use till_app::settings::MemoryStore;
use till_app::startup::{start, Dirs};
use till_app::AppState;

async fn start_in(dir: &std::path::Path) -> Arc<AppState> {
    let dirs = Dirs {
        data: dir.to_path_buf(),
        logs: dir.join("logs"),
    };
    let state = start(
        &dirs,
        Arc::new(MemoryStore::default()),
        Arc::new(MemorySecrets::default()),
    )
    .await
    .expect("the demo till starts");
    Arc::new(state)
}

fn basket() -> Basket {
    Basket {
        lines: vec![BasketLine::article(
            "Kaffee",
            1,
            Cents(250),
            VatRate::Standard,
        )],
        card: None,
    }
}

fn entries(state: &AppState, k: &str) -> Vec<till::journal::Entry> {
    state.journal().entries(Some(k)).unwrap()
}

fn active_at_tse(state: &AppState) -> u64 {
    let tse = state.tse_sandbox.as_ref().expect("demo mode");
    tse.state.snapshot()["tss"][0]["active_transactions"]
        .as_u64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_first_line_starts_the_tse_transaction_and_the_sale_is_signed_under_it() {
    let dir = tempfile::tempdir().unwrap();
    let state = start_in(dir.path()).await;
    sale::basket_changed(&state, true).await.unwrap();
    let started = entries(&state, kind::TSE_START);
    assert_eq!(started.len(), 1);
    assert_eq!(active_at_tse(&state), 1);
    let sale = sale::pay_cash(&state, basket(), None).await.unwrap();
    assert_eq!(Some(&sale.sale_id), started[0].sale_id.as_ref());
    assert!(sale.qr_svg.is_some(), "signed");
    // The UI empties the basket after the sale: nothing more to end.
    sale::basket_changed(&state, false).await.unwrap();
    assert!(entries(&state, kind::TSE_ABORT).is_empty());
    assert_eq!(active_at_tse(&state), 0);

    // A basket cleared without a sale.
    sale::basket_changed(&state, true).await.unwrap();
    sale::basket_changed(&state, false).await.unwrap();
    let aborts = entries(&state, kind::TSE_ABORT);
    assert_eq!(aborts.len(), 1);
    assert_eq!(aborts[0].body["reason"], "basket_cleared");
    let qr = aborts[0].body["tse"]["qr_code_data"].as_str().unwrap();
    assert!(qr.contains(";AVBelegabbruch^"), "{qr}");
    assert!(aborts[0].body.get("basket").is_none(), "no lines told");
    assert_eq!(active_at_tse(&state), 0);

    // Cleared with the lines it had: the journal keeps them with the abort
    // (the tax export's AVBelegabbruch lines); after a sale nothing happens.
    sale::basket_changed(&state, true).await.unwrap();
    sale::basket_abandoned(&state, basket()).await.unwrap();
    let aborts = entries(&state, kind::TSE_ABORT);
    assert_eq!(aborts.len(), 2);
    let kept: Basket = serde_json::from_value(aborts[1].body["basket"].clone()).unwrap();
    assert_eq!(kept, basket());
    sale::basket_changed(&state, true).await.unwrap();
    sale::pay_cash(&state, basket(), None).await.unwrap();
    sale::basket_abandoned(&state, basket()).await.unwrap();
    assert_eq!(entries(&state, kind::TSE_ABORT).len(), 2);
    assert_eq!(active_at_tse(&state), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_basket_left_filled_when_the_app_closed_is_ended_when_it_starts_again() {
    let dir = tempfile::tempdir().unwrap();
    {
        let state = start_in(dir.path()).await;
        sale::basket_changed(&state, true).await.unwrap();
        assert_eq!(active_at_tse(&state), 1);
    }
    // The demo TSE starts afresh with the app (no state file): the journal
    // closes the event the TSE no longer knows.
    let state = start_in(dir.path()).await;
    assert_eq!(state.journal().open_tse().unwrap().len(), 1);
    status::sync_now(&state).await.unwrap();
    assert!(state.journal().open_tse().unwrap().is_empty());
    let aborts = entries(&state, kind::TSE_ABORT);
    assert_eq!(aborts.len(), 1);
    assert_eq!(aborts[0].body["reason"], "left_open");
}
