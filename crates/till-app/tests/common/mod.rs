//! What several test files of this crate share.
// Each test file uses its own part of this module.
#![allow(dead_code)]

use std::sync::Arc;

use secuconnect_sandbox::SandboxConfig;
use till::basket::{Basket, BasketLine};
use till::{Cents, VatRate};
use till_app::secrets::MemorySecrets;
use till_app::settings::MemoryStore;
use till_app::startup::{start, Dirs};
use till_app::AppState;

/// A basket of one coffee at `cents`.
pub fn basket(cents: i64) -> Basket {
    Basket {
        lines: vec![BasketLine::article(
            "Kaffee",
            1,
            Cents(cents),
            VatRate::Standard,
        )],
        card: None,
    }
}

/// A demo till on a temporary folder: real SQLite journal and catalogue
/// files, the simulators on loopback, settings and secrets in memory, the
/// demo manager logged in.
pub struct DemoTill {
    pub dir: tempfile::TempDir,
    /// The settings it keeps, to look at what was saved.
    pub store: Arc<MemoryStore>,
    pub state: Arc<AppState>,
}

impl DemoTill {
    pub fn into_parts(self) -> (tempfile::TempDir, Arc<AppState>) {
        (self.dir, self.state)
    }

    /// The built-in secuconnect simulator.
    pub fn sandbox(&self) -> &Arc<secuconnect_sandbox::Sandbox> {
        &self.state.sandbox.as_ref().expect("demo mode").state
    }

    pub fn sandbox_url(&self) -> String {
        self.state.sandbox.as_ref().expect("demo mode").url()
    }
}

/// Starts a [`DemoTill`] as the app starts one (the simulator's defaults).
pub async fn start_demo() -> DemoTill {
    let dir = tempfile::tempdir().unwrap();
    let dirs = Dirs {
        data: dir.path().to_path_buf(),
        logs: dir.path().join("logs"),
    };
    let store = Arc::new(MemoryStore::default());
    let state = start(&dirs, store.clone(), Arc::new(MemorySecrets::default()))
        .await
        .expect("the demo till starts");
    DemoTill {
        dir,
        store,
        state: Arc::new(state),
    }
}

/// Starts a [`DemoTill`] whose card terminal answers within 10 ms.
pub async fn demo_till() -> DemoTill {
    let till = start_demo().await;
    till.sandbox()
        .configure(SandboxConfig {
            terminal_delay_ms: Some(10),
            ..Default::default()
        })
        .unwrap();
    till
}
