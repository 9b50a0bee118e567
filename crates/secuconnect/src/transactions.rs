//! Smart transaction calls (`/api/v2/Smart/Transactions`).
//!
//! Nothing here that moves money is repeated after it may have reached the
//! provider: when such a call ends in [`Error::OutcomeUnknown`], read the
//! transaction back with [`Client::get_transaction`] to learn what happened.

use reqwest::Method;
use tokio_util::sync::CancellationToken;
use tracing::instrument;

use crate::client::{segment, Client, Kind};
use crate::error::Error;
use crate::models::{
    Basket, BasketInfo, ListQuery, PreTransaction, SmartTransaction, TransactionDraft,
    TransactionList,
};

/// Which terminal an end of day or a diagnosis runs on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Device {
    /// The device this client is authenticated as (a paired till).
    Me,
    /// A smart device id (`SDV_…`).
    Id(String),
}

impl Device {
    fn path(&self) -> String {
        match self {
            Device::Me => "me".into(),
            Device::Id(id) => segment(id),
        }
    }
}

impl Client {
    /// Creates a smart transaction (`POST /Smart/Transactions`).
    #[instrument(skip_all)]
    pub async fn create_transaction(
        &self,
        draft: &TransactionDraft,
    ) -> Result<SmartTransaction, Error> {
        self.call(
            Kind::Write,
            Method::POST,
            "Smart/Transactions",
            &[],
            Some(draft),
            None,
        )
        .await
    }

    /// Reads a smart transaction back (`GET /Smart/Transactions/{id}`).
    #[instrument(skip(self))]
    pub async fn get_transaction(&self, id: &str) -> Result<SmartTransaction, Error> {
        self.call::<(), _>(
            Kind::Read,
            Method::GET,
            &format!("Smart/Transactions/{}", segment(id)),
            &[],
            None,
            None,
        )
        .await
    }

    /// Finds smart transactions (`GET /Smart/Transactions?q=&count=&offset=&sort=`).
    #[instrument(skip(self))]
    pub async fn list_transactions(&self, query: &ListQuery) -> Result<TransactionList, Error> {
        self.call::<(), _>(
            Kind::Read,
            Method::GET,
            "Smart/Transactions",
            &query.pairs(),
            None,
            None,
        )
        .await
    }

    /// Changes a transaction before payment (`PUT /Smart/Transactions/{id}`).
    /// The provider wants `basket` and `basket_info` in every update, so they
    /// are arguments here and replace whatever `draft` holds.
    #[instrument(skip(self, basket, basket_info, draft))]
    pub async fn update_transaction(
        &self,
        id: &str,
        basket: &Basket,
        basket_info: &BasketInfo,
        draft: &TransactionDraft,
    ) -> Result<SmartTransaction, Error> {
        let mut body = draft.clone();
        body.basket = Some(basket.clone());
        body.basket_info = Some(basket_info.clone());
        self.call(
            Kind::Write,
            Method::PUT,
            &format!("Smart/Transactions/{}", segment(id)),
            &[],
            Some(&body),
            None,
        )
        .await
    }

    /// Applies the secucard's balance (`POST …/{id}/preTransaction`): what is
    /// left to pay, and the bonus products added to the basket.
    #[instrument(skip(self))]
    pub async fn pre_transaction(&self, id: &str) -> Result<PreTransaction, Error> {
        self.post_action(id, "preTransaction", Kind::Write, None)
            .await
    }

    /// Registers the till's own payment (`POST …/{id}/start/cash`); the card credit pays the rest.
    #[instrument(skip(self))]
    pub async fn start_cash(&self, id: &str) -> Result<SmartTransaction, Error> {
        self.post_action(id, "start/cash", Kind::Write, None).await
    }

    /// Card payment on the terminal (`POST …/{id}/start/cashless`). Blocks
    /// until the customer has paid or it failed (status `ok` / `failed`), up to
    /// the terminal timeout. Cancelling stops waiting, not the terminal: the
    /// call then ends in [`Error::OutcomeUnknown`].
    #[instrument(skip(self, cancel))]
    pub async fn start_cashless(
        &self,
        id: &str,
        cancel: &CancellationToken,
    ) -> Result<SmartTransaction, Error> {
        self.post_action(id, "start/cashless", Kind::Terminal, Some(cancel))
            .await
    }

    /// Abandons a transaction that has not been started (`POST …/{id}/abort`).
    #[instrument(skip(self))]
    pub async fn abort_transaction(&self, id: &str) -> Result<SmartTransaction, Error> {
        self.post_action(id, "abort", Kind::Write, None).await
    }

    /// Cancels a smart transaction (`POST …/{id}/cancel`).
    #[instrument(skip(self))]
    pub async fn cancel_transaction(&self, id: &str) -> Result<SmartTransaction, Error> {
        self.post_action(id, "cancel", Kind::Write, None).await
    }

    /// Cancels a terminal payment by its `receipt_number` (`POST
    /// …/{receipt_number}/canceltrx`): girocard/ELV only, before the terminal's
    /// end of day. Blocks like [`Client::start_cashless`].
    #[instrument(skip(self, cancel))]
    pub async fn cancel_terminal_payment(
        &self,
        receipt_number: i64,
        cancel: &CancellationToken,
    ) -> Result<SmartTransaction, Error> {
        self.post_action(
            &receipt_number.to_string(),
            "canceltrx",
            Kind::Terminal,
            Some(cancel),
        )
        .await
    }

    /// The terminal's end of day (`POST …/{device}/endOfDay`); blocks. The
    /// answer carries the terminal's report as receipt lines.
    #[instrument(skip(self, cancel))]
    pub async fn end_of_day(
        &self,
        device: &Device,
        cancel: &CancellationToken,
    ) -> Result<SmartTransaction, Error> {
        self.post_action(&device.path(), "endOfDay", Kind::Terminal, Some(cancel))
            .await
    }

    /// The terminal's diagnosis (`POST …/{device}/diagnosis`); blocks.
    #[instrument(skip(self, cancel))]
    pub async fn diagnosis(
        &self,
        device: &Device,
        cancel: &CancellationToken,
    ) -> Result<SmartTransaction, Error> {
        self.post_action(&device.path(), "diagnosis", Kind::Terminal, Some(cancel))
            .await
    }

    async fn post_action<T: serde::de::DeserializeOwned>(
        &self,
        id: &str,
        action: &str,
        kind: Kind,
        cancel: Option<&CancellationToken>,
    ) -> Result<T, Error> {
        self.call::<(), _>(
            kind,
            Method::POST,
            &format!("Smart/Transactions/{}/{action}", segment(id)),
            &[],
            None,
            cancel,
        )
        .await
    }
}
