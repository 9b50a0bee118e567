//! The till with a TSE: the demo till (`Till`) and the fiskaly simulator's
//! demo TSS on loopback, reached by the real client.

use std::time::Duration;

use fiskaly_sandbox::RunningSandbox;
use till::{Checkout, Tse, TseRecord, TseSignature};

use super::Till;

pub struct TseTill {
    pub till: Till,
    pub tse_sandbox: RunningSandbox,
    pub tse: Tse,
}

impl TseTill {
    /// The TSE's steps time out after 800 ms.
    pub async fn new() -> Self {
        let tse_sandbox = fiskaly_sandbox::start_demo().await.unwrap();
        let client = fiskaly::Client::new(
            fiskaly::ClientConfig::new(
                tse_sandbox.url(),
                fiskaly::Credentials {
                    api_key: fiskaly_sandbox::DEMO_API_KEY.into(),
                    api_secret: fiskaly::Secret::new(fiskaly_sandbox::DEMO_API_SECRET),
                },
            )
            .with_timeout(Duration::from_millis(800)),
        )
        .unwrap();
        Self {
            till: Till::new().await,
            tse: Tse::new(
                client,
                fiskaly_sandbox::DEMO_TSS_ID,
                fiskaly_sandbox::DEMO_CLIENT_ID,
            ),
            tse_sandbox,
        }
    }

    pub fn checkout(&self) -> Checkout<'_> {
        Checkout {
            tse: Some(&self.tse),
            ..self.till.checkout()
        }
    }

    /// The TSE data of the sale with `receipt_number`.
    pub fn sale_tse(&self, receipt_number: u64) -> Option<TseRecord> {
        self.till
            .journal()
            .sale_by_receipt(receipt_number as i64)
            .unwrap()
            .paid
            .tse
    }

    /// How many transactions the TSE holds.
    pub fn tse_transactions(&self) -> u64 {
        self.tse_sandbox.state.snapshot()["transactions"]
            .as_u64()
            .unwrap()
    }
}

/// The signature of a record that must be signed.
pub fn signed(record: Option<TseRecord>) -> TseSignature {
    match record {
        Some(TseRecord::Signed(s)) => s,
        other => panic!("not signed: {other:?}"),
    }
}
