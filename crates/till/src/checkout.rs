//! Paying a sale: the provider's smart transaction, the intent in the
//! journal, the payment call, then the paid sale in the journal.
//!
//! Order matters: the intent to pay is durable before the provider is asked
//! to move money, and the cashier sees "paid" only after the sale, its
//! payments and receipts are durable. Whatever happens in between is settled
//! by reading the transaction back (`reconcile`), never by paying again.

use std::sync::Mutex;

use receipt::{ProviderLine, Receipt, ShopHeader};
use secuconnect::{
    Basket as ApiBasket, BasketInfo, CancellationToken, Client, Ident, Product, SmartTransaction,
    TransactionDraft,
};
use serde::{Deserialize, Serialize};
use tracing::{info, instrument, warn};

use crate::basket::{Basket, BasketError};
use crate::closing::PaymentMethod;
use crate::drill;
use crate::journal::{
    Issue, Journal, JournalError, PaidSale, Payment, PaymentIntent, StoredReceipt,
};
use crate::money::Cents;
use crate::receipt_doc::{self, ReceiptInput};
use crate::tse::{self, Started, Tse, TseRecord};

/// Width of the receipt text kept in the journal.
pub const JOURNAL_RECEIPT_WIDTH: usize = 42;

/// Why a sale could not be paid.
#[derive(Debug, thiserror::Error)]
pub enum CheckoutError {
    #[error(transparent)]
    Basket(#[from] BasketError),
    #[error("the cash given ({given}) is less than the total ({total})")]
    NotEnoughCash { given: Cents, total: Cents },
    #[error(transparent)]
    Api(#[from] secuconnect::Error),
    #[error("the payment service did not confirm the payment (status {0})")]
    NotPaid(String),
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// The answer was lost after the payment started. The sale stays in
    /// `paying` and is settled by reading it back; it must not be paid again.
    #[error("the outcome of the payment is not known yet; the till checks it with the payment service. Do not take the payment again.")]
    InDoubt { sale_id: String },
    /// Card payments need the payment service.
    #[error("the payment service cannot be reached: card payments are not possible offline. Take cash, or try again later.")]
    CardOffline,
    /// Pay by QR code needs the payment service (the customer pays there).
    #[error("the payment service cannot be reached: pay by QR code is not possible offline. Take cash, or try again later.")]
    QrOffline,
    /// The provider created the transaction but sent no checkout link to show.
    #[error(
        "the payment service sent no checkout link for the QR code. Take another payment method."
    )]
    NoCheckoutLink,
    /// A secucard's balance is applied at the till, not on the checkout page.
    #[error(
        "a basket with a customer card cannot be paid by QR code. Take cash or the card terminal."
    )]
    QrWithCard,
    /// The payment call went out, but its outcome could not be journaled.
    /// The sale stays in `paying` (its intent is durable) and catching up
    /// journals it as soon as the journal can write; it must not be paid again.
    #[error("the payment may have gone through, but the journal could not save it ({source}). Do not take the payment again: the till saves it as soon as the journal can write.")]
    Unjournaled {
        sale_id: String,
        source: JournalError,
    },
    /// A payment whose outcome is not known yet holds up new ones, so that
    /// nobody pays the same basket twice.
    #[error("{0} payment(s) are still in doubt: the till checks them with the payment service first. Do not take the payment again.")]
    PaymentsInDoubt(usize),
    /// The reversal was asked for, but its outcome is not known (or not
    /// journaled) yet: the till reads it back; the money must not be given back twice.
    #[error("the cancellation of receipt {receipt_number} is not confirmed yet: the till checks it with the payment service. Do not give the money back again.")]
    CancelInDoubt { receipt_number: i64 },
}

impl CheckoutError {
    /// After a payment call went out, a journal that cannot write leaves the
    /// sale in doubt; it is never "nothing booked".
    fn after_call(sale_id: &str) -> impl FnOnce(CheckoutError) -> CheckoutError + '_ {
        move |e| match e {
            CheckoutError::Journal(source) => CheckoutError::Unjournaled {
                sale_id: sale_id.to_string(),
                source,
            },
            other => other,
        }
    }
}

/// A paid sale as the cashier sees it after "paid".
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
pub struct CompletedSale {
    pub sale_id: String,
    pub receipt_number: u64,
    /// Empty while a sale paid offline waits for registration.
    pub transaction_id: String,
    pub total: Cents,
    pub receipt: Receipt,
    pub receipt_text: String,
    /// The merchant's copy of a card payment (to keep, and to sign where it says so).
    #[serde(default)]
    pub merchant_receipt_text: Option<String>,
    /// Paid while offline: registered with the provider when it is back.
    #[serde(default)]
    pub queued: bool,
    /// The TSE's QR code (DSFinV-K) as SVG, for the receipt on screen.
    #[serde(default)]
    pub qr_svg: Option<String>,
}

/// How one payment in doubt ended up.
#[derive(Debug)]
pub enum Settled {
    Paid(Box<CompletedSale>),
    Failed(String),
    /// Still open at the provider, or the provider cannot be asked now.
    Pending,
}

/// The till's settings a checkout needs.
pub struct Checkout<'a> {
    pub client: &'a Client,
    pub journal: &'a Mutex<Journal>,
    /// A copy, so the shop's data can change between sales without a restart.
    pub shop: ShopHeader,
    pub till_id: &'a str,
    pub demo: bool,
    /// The TSE that signs each sale and cancellation; `None`: no TSE set up.
    pub tse: Option<&'a Tse>,
}

/// How the provider's answer to a payment call is taken.
pub(crate) enum Outcome {
    Paid(Box<SmartTransaction>),
    /// The request never reached the provider: nothing happened.
    NotSent(String),
    /// The provider refused it, or the payment failed.
    NotPaid(String, Option<serde_json::Value>),
    /// Unknown: read it back later.
    Unknown,
}

/// Sorts an API error of a call that may move money.
pub(crate) fn outcome_of_error(e: &secuconnect::Error) -> Outcome {
    use secuconnect::{Error as E, Execution};
    match (e.execution(), e) {
        (Execution::NotExecuted, _) => Outcome::NotSent(e.to_string()),
        (Execution::MaybeExecuted, _) => Outcome::Unknown,
        // Carried out, but the answer does not decode: read back.
        (Execution::Executed, E::Decode { .. }) => Outcome::Unknown,
        (Execution::Executed, E::Api { status, body }) => Outcome::NotPaid(
            format!(
                "refused (HTTP {status}): {}",
                body.error_user
                    .as_deref()
                    .or(body.error_details.as_deref())
                    .unwrap_or("no details")
            ),
            serde_json::to_value(body).ok(),
        ),
        (Execution::Executed, _) => Outcome::NotPaid(e.to_string(), None),
    }
}

/// The provider did not take the request, or its answer is lost.
pub(crate) fn is_unreachable(e: &secuconnect::Error) -> bool {
    matches!(e, secuconnect::Error::NotExecuted(_))
        || matches!(outcome_of_error(e), Outcome::Unknown)
}

/// Sorts a transaction read back (or answered) by its status.
pub(crate) fn outcome_of_status(stx: SmartTransaction) -> Outcome {
    if stx.status.is_paid() {
        Outcome::Paid(Box::new(stx))
    } else if stx.status.is_failed() || stx.status.is_cancelled() {
        let status = stx.status.as_str().to_string();
        Outcome::NotPaid(status, serde_json::to_value(&stx).ok())
    } else {
        Outcome::Unknown
    }
}

fn provider_lines(lines: &[secuconnect::ReceiptLine]) -> Vec<ProviderLine> {
    lines
        .iter()
        .map(|l| ProviderLine {
            kind: l.kind.clone(),
            value: l.value.clone(),
        })
        .collect()
}

/// Everything a receipt needs besides the sale itself.
pub(crate) struct ReceiptSettings<'a> {
    pub shop: &'a ShopHeader,
    pub till_id: &'a str,
    pub demo: bool,
}

/// Builds what the journal stores for a paid sale and what the cashier sees.
pub(crate) fn complete(
    settings: &ReceiptSettings<'_>,
    issue: Issue,
    intent: &PaymentIntent,
    stx: Option<&SmartTransaction>,
    queued: bool,
    tse: Option<TseRecord>,
) -> (PaidSale, CompletedSale) {
    let receipt_number = issue.receipt_number;
    let total = intent.total;
    let mut payments = Vec::new();
    let mut payment_lines = Vec::new();
    if intent.from_card.0 > 0 {
        payments.push(Payment {
            method: PaymentMethod::Secucard,
            amount: intent.from_card,
            tendered: None,
            change: None,
            terminal_receipt: None,
            provider_method: None,
        });
        payment_lines.push(receipt_doc::secucard_payment(intent.from_card));
    }
    let rest = total - intent.from_card;
    match intent.method {
        PaymentMethod::Cash => {
            payments.push(Payment {
                method: PaymentMethod::Cash,
                amount: rest,
                tendered: intent.tendered,
                change: intent.tendered.map(|t| t - rest),
                terminal_receipt: None,
                provider_method: None,
            });
            payment_lines.push(receipt_doc::cash_payment(rest, intent.tendered));
        }
        PaymentMethod::Qr => {
            let reported = stx.and_then(|s| s.payment_method.clone());
            payment_lines.push(receipt_doc::qr_payment(rest, reported.as_deref()));
            payments.push(Payment {
                method: PaymentMethod::Qr,
                amount: rest,
                tendered: None,
                change: None,
                terminal_receipt: None,
                provider_method: reported,
            });
        }
        method => {
            payments.push(Payment {
                method,
                amount: rest,
                tendered: None,
                change: None,
                terminal_receipt: stx.and_then(|s| s.receipt_number),
                provider_method: None,
            });
            payment_lines.push(receipt_doc::card_payment(rest));
        }
    }
    let customer_lines = stx.map(|s| s.receipt.clone()).unwrap_or_default();
    let customer_text = (!customer_lines.is_empty())
        .then(|| receipt_doc::render_provider_only(&customer_lines, JOURNAL_RECEIPT_WIDTH));
    let receipt = receipt_doc::build(ReceiptInput {
        shop: settings.shop,
        till_id: settings.till_id,
        receipt_number: receipt_number as u64,
        issued_at: issue.issued_at,
        basket: &intent.basket,
        payments: payment_lines,
        transaction_id: stx.map(|s| s.id.as_str()),
        provider_lines: provider_lines(&customer_lines),
        demo: settings.demo,
        tse: tse.as_ref(),
        served_by: issue.served_by.as_deref(),
    });
    let receipt_text = receipt::render_text(&receipt, JOURNAL_RECEIPT_WIDTH);
    let merchant = stx
        .filter(|s| !s.receipt_merchant.is_empty())
        .map(|s| receipt_doc::render_provider_only(&s.receipt_merchant, JOURNAL_RECEIPT_WIDTH));
    let paid = PaidSale {
        transaction_id: stx.map(|s| s.id.clone()),
        trans_id: stx.and_then(|s| s.trans_id.clone()),
        payments,
        queued,
        tse,
        // The till's own part of the receipt is rebuilt from the sale
        // (`receipt_doc::rebuild`); what the provider sent is kept as received and as rendered.
        customer_receipt: customer_text.map(|text| StoredReceipt {
            received: serde_json::to_value(&customer_lines).unwrap_or_default(),
            text,
        }),
        merchant_receipt: stx.zip(merchant.as_ref()).map(|(s, text)| StoredReceipt {
            received: serde_json::to_value(&s.receipt_merchant).unwrap_or_default(),
            text: text.clone(),
        }),
    };
    let qr_svg = match &receipt.tse {
        Some(receipt::TseBlock::Signed { qr_code_data, .. }) => receipt::qr::svg(qr_code_data),
        _ => None,
    };
    let sale = CompletedSale {
        sale_id: intent.sale_id.clone(),
        receipt_number: receipt_number as u64,
        transaction_id: stx.map(|s| s.id.clone()).unwrap_or_default(),
        total,
        receipt,
        receipt_text,
        merchant_receipt_text: merchant,
        queued,
        qr_svg,
    };
    (paid, sale)
}

impl<'a> Checkout<'a> {
    pub(crate) fn settings(&self) -> ReceiptSettings<'_> {
        ReceiptSettings {
            shop: &self.shop,
            till_id: self.till_id,
            demo: self.demo,
        }
    }

    pub(crate) fn journal(&self) -> std::sync::MutexGuard<'_, Journal> {
        self.journal.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The settings a sale's receipt is printed with; journaled when they change.
    pub fn settings_value(&self) -> serde_json::Value {
        receipt_doc::settings_value(&self.shop, self.till_id, self.demo)
    }

    /// Pays a basket in cash: create the smart transaction, write the intent,
    /// register the cash payment, then write sale, payment and receipt.
    ///
    /// When the provider cannot be reached the sale completes locally (the
    /// cash is in the drawer) and is queued for registration by the outbox.
    #[instrument(skip_all)]
    pub async fn pay_cash(
        &self,
        basket: &Basket,
        tendered: Option<Cents>,
    ) -> Result<CompletedSale, CheckoutError> {
        basket.validate()?;
        self.refuse_while_in_doubt()?;
        let total = basket.total();
        let pays_from_card = basket.card.is_some() && basket.card_load_total() == Cents::ZERO;
        if let Some(given) = tendered.filter(|_| !pays_from_card) {
            if given < total {
                return Err(CheckoutError::NotEnoughCash { given, total });
            }
        }
        let event = self.claim_event_for_payment();
        let sale_id = event.sale_id.clone();
        let draft = draft_for(basket, &sale_id, self.demo);
        let created = match self.client.create_transaction(&draft).await {
            Ok(stx) => Some(stx),
            // Offline (or the answer lost): the outbox registers it later and
            // finds it by our sale id if the create did arrive.
            Err(e) if basket.card.is_none() && is_unreachable(&e) => {
                warn!(error = %e, "payment service unreachable: the cash sale completes offline");
                None
            }
            Err(e) => return Err(e.into()),
        };
        let mut intent = PaymentIntent::new(
            &sale_id,
            PaymentMethod::Cash,
            basket,
            created.as_ref().map(|s| s.id.as_str()),
            tendered,
        );
        if let (true, Some(stx)) = (pays_from_card, &created) {
            // The card's balance pays first; the till collects what is missing.
            let missing = match self.client.pre_transaction(&stx.id).await {
                Ok(pre) => Cents(pre.missing_sum.unwrap_or(total.0).clamp(0, total.0)),
                Err(e) => {
                    self.abandon(&stx.id).await;
                    return Err(e.into());
                }
            };
            if let Some(given) = tendered {
                if given < missing {
                    self.abandon(&stx.id).await;
                    return Err(CheckoutError::NotEnoughCash {
                        given,
                        total: missing,
                    });
                }
            }
            intent.from_card = total - missing;
        }
        let tse_receipt = tse::sale_receipt(&intent);
        let _running = self.begin(&intent)?;
        self.start_cash(&sale_id, created.as_ref(), &tse_receipt)
            .await
            .map_err(CheckoutError::after_call(&sale_id))
    }

    /// The cash payment once its intent is journaled.
    async fn start_cash(
        &self,
        sale_id: &str,
        created: Option<&SmartTransaction>,
        tse_receipt: &fiskaly::Receipt,
    ) -> Result<CompletedSale, CheckoutError> {
        let Some(created) = created else {
            let started = self.tse_start(sale_id).await;
            let tse = self.tse_finish(sale_id, started, tse_receipt).await;
            return self.complete_locally(sale_id, tse);
        };
        info!(stx = %created.id, "smart transaction created");
        drill::point("before_start");
        // The TSE transaction starts beside the payment (it adds no wait).
        let (started, answer) =
            tokio::join!(self.tse_start(sale_id), self.client.start_cash(&created.id));
        drill::point("after_answer");
        let outcome = match answer {
            Ok(stx) => outcome_of_status(stx),
            Err(e) => outcome_of_error(&e),
        };
        match outcome {
            Outcome::Paid(stx) => {
                let tse = self.tse_finish(sale_id, started, tse_receipt).await;
                let sale = self.journal_paid(sale_id, &stx, tse)?;
                info!(receipt = sale.receipt_number, "sale paid and journaled");
                Ok(sale)
            }
            Outcome::NotPaid(status, provider) => {
                warn!(%status, "cash payment not confirmed");
                self.tse_abort(sale_id, started, tse_receipt).await;
                self.journal()
                    .record_failed(sale_id, &status, provider.as_ref())?;
                Err(CheckoutError::NotPaid(status))
            }
            // The cash is in the drawer: the sale is paid; its registration waits.
            _ => {
                let tse = self.tse_finish(sale_id, started, tse_receipt).await;
                self.complete_locally(sale_id, tse)
            }
        }
    }

    /// Pays a basket on the payment terminal: create the smart transaction,
    /// write the intent, `start/cashless` (blocks until the customer has paid
    /// or it failed), then write sale, payment and both receipts.
    ///
    /// `cancel` stops waiting, not the terminal: the sale then stays in doubt
    /// and is settled by [`Checkout::reconcile`].
    #[instrument(skip_all)]
    pub async fn pay_card(
        &self,
        basket: &Basket,
        cancel: &CancellationToken,
    ) -> Result<CompletedSale, CheckoutError> {
        basket.validate()?;
        self.refuse_while_in_doubt()?;
        let event = self.claim_event_for_payment();
        let sale_id = event.sale_id.clone();
        let draft = draft_for(basket, &sale_id, self.demo);
        let created = match self.client.create_transaction(&draft).await {
            Ok(stx) => stx,
            Err(secuconnect::Error::NotExecuted(_)) => return Err(CheckoutError::CardOffline),
            Err(e) => return Err(e.into()),
        };
        info!(stx = %created.id, "smart transaction created");
        let mut intent = PaymentIntent::new(
            &sale_id,
            PaymentMethod::Card,
            basket,
            Some(&created.id),
            None,
        );
        if basket.card.is_some() && basket.card_load_total() == Cents::ZERO {
            // The card's balance pays first; the terminal takes the rest.
            let pre = self.client.pre_transaction(&created.id).await?;
            let total = basket.total();
            intent.from_card = total - Cents(pre.missing_sum.unwrap_or(total.0).clamp(0, total.0));
        }
        let tse_receipt = tse::sale_receipt(&intent);
        let _running = self.begin(&intent)?;
        self.start_card(&sale_id, &created.id, cancel, &tse_receipt)
            .await
            .map_err(CheckoutError::after_call(&sale_id))
    }

    /// The terminal payment once its intent is journaled.
    async fn start_card(
        &self,
        sale_id: &str,
        stx_id: &str,
        cancel: &CancellationToken,
        tse_receipt: &fiskaly::Receipt,
    ) -> Result<CompletedSale, CheckoutError> {
        drill::point("before_start");
        let (started, answer) = tokio::join!(
            self.tse_start(sale_id),
            self.client.start_cashless(stx_id, cancel)
        );
        drill::point("after_answer");
        let outcome = match answer {
            Ok(stx) => outcome_of_status(stx),
            Err(e) => {
                warn!(error = %e, "card payment call ended without an answer");
                outcome_of_error(&e)
            }
        };
        match outcome {
            Outcome::Paid(stx) => {
                let tse = self.tse_finish(sale_id, started, tse_receipt).await;
                let sale = self.journal_paid(sale_id, &stx, tse)?;
                info!(
                    receipt = sale.receipt_number,
                    "card sale paid and journaled"
                );
                Ok(sale)
            }
            Outcome::NotSent(reason) => {
                warn!(%reason, "card payment not sent");
                self.tse_abort(sale_id, started, tse_receipt).await;
                self.journal()
                    .record_failed(sale_id, &format!("not sent: {reason}"), None)?;
                Err(CheckoutError::CardOffline)
            }
            Outcome::NotPaid(status, provider) => {
                warn!(%status, "card payment not made");
                self.tse_abort(sale_id, started, tse_receipt).await;
                self.journal()
                    .record_failed(sale_id, &status, provider.as_ref())?;
                Err(CheckoutError::NotPaid(status))
            }
            // Read back once right away; if still open, it stays in doubt.
            Outcome::Unknown => match self.settle(sale_id).await? {
                Settled::Paid(sale) => Ok(*sale),
                Settled::Failed(status) => Err(CheckoutError::NotPaid(status)),
                Settled::Pending => Err(CheckoutError::InDoubt {
                    sale_id: sale_id.to_string(),
                }),
            },
        }
    }

    /// Refuses a new payment while an earlier one is in doubt (its call has
    /// returned without an outcome the journal holds): settle that first.
    pub(crate) fn refuse_while_in_doubt(&self) -> Result<(), CheckoutError> {
        let journal = self.journal();
        let open = journal
            .in_doubt()?
            .iter()
            .filter(|d| !journal.payment_running(&d.intent.sale_id))
            .count();
        if open > 0 {
            return Err(CheckoutError::PaymentsInDoubt(open));
        }
        Ok(())
    }

    /// Abandons a transaction nothing was paid on yet (best effort: an open
    /// one moves no money either).
    pub(crate) async fn abandon(&self, stx: &str) {
        if let Err(e) = self.client.abort_transaction(stx).await {
            warn!(%stx, error = %e, "an unpaid transaction could not be abandoned");
        }
    }

    /// Journals the settings in force (when they changed) and the intent to
    /// pay, and marks the payment as running (under the same lock, so catching
    /// up never sees it in between) until the returned guard is dropped.
    fn begin(&self, intent: &PaymentIntent) -> Result<Running<'_, 'a>, CheckoutError> {
        {
            let mut journal = self.journal();
            journal.record_settings(&self.settings_value())?;
            journal.begin_payment(intent)?;
            journal.payment_started(&intent.sale_id);
        }
        self.event_became_sale(&intent.sale_id);
        Ok(Running {
            checkout: self,
            sale_id: intent.sale_id.clone(),
        })
    }

    /// Journals a sale the provider confirmed as paid, with its receipts.
    pub(crate) fn journal_paid(
        &self,
        sale_id: &str,
        stx: &SmartTransaction,
        tse: Option<TseRecord>,
    ) -> Result<CompletedSale, CheckoutError> {
        let sale = self.journal().record_paid(sale_id, |issue, intent| {
            complete(&self.settings(), issue, intent, Some(stx), false, tse)
        })?;
        drill::point("after_paid");
        Ok(sale)
    }

    pub(crate) fn complete_locally(
        &self,
        sale_id: &str,
        tse: Option<TseRecord>,
    ) -> Result<CompletedSale, CheckoutError> {
        let sale = self.journal().record_paid(sale_id, |issue, intent| {
            complete(&self.settings(), issue, intent, None, true, tse)
        })?;
        info!(
            receipt = sale.receipt_number,
            "cash sale paid offline and queued"
        );
        Ok(sale)
    }
}

impl Checkout<'_> {
    /// Starts the sale's TSE transaction (its id is the sale's); `None` without a TSE.
    pub(crate) async fn tse_start(&self, sale_id: &str) -> Option<Started> {
        let started = self.tse?.start(tse::sale_tx_id(sale_id)).await;
        self.journal_tse_outage();
        Some(started)
    }

    /// Finishes the sale's TSE transaction as a `Beleg`; what the journal keeps of it.
    pub(crate) async fn tse_finish(
        &self,
        sale_id: &str,
        started: Option<Started>,
        receipt: &fiskaly::Receipt,
    ) -> Option<TseRecord> {
        let tse = self.tse?;
        let started = started.unwrap_or(Started::No(fiskaly::Error::NotExecuted(
            "not started".into(),
        )));
        let record = tse.finish(tse::sale_tx_id(sale_id), started, receipt).await;
        self.journal_tse_outage();
        // A kill here leaves a signature the journal lacks: catching up
        // finishes the sale again under its id and is answered with it.
        drill::point("after_tse_finish");
        Some(record)
    }

    /// A payment that did not happen ends its TSE transaction as
    /// `AVBelegabbruch` (DSFinV-K 2.6, BON_TYP), with the basket's amounts
    /// and nothing paid; best effort, the till goes on either way.
    pub(crate) async fn tse_abort(
        &self,
        sale_id: &str,
        started: Option<Started>,
        receipt: &fiskaly::Receipt,
    ) {
        if let (Some(tse), Some(Started::Yes)) = (self.tse, started) {
            let mut abort = receipt.clone();
            abort.receipt_type = fiskaly::ReceiptType::Abort;
            abort.amounts_per_payment_type.clear();
            if let TseRecord::Failed { reason, .. } = tse
                .finish(tse::sale_tx_id(sale_id), Started::Yes, &abort)
                .await
            {
                warn!(sale_id, %reason, "TSE: the aborted sale's transaction stays open");
            }
            self.journal_tse_outage();
        }
    }
}

/// The create body the guides show: basket, `basket_info`, our sale id as `transactionRef`.
pub(crate) fn draft_for(basket: &Basket, sale_id: &str, demo: bool) -> TransactionDraft {
    let products = basket
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            // The provider knows no line discount: a discounted line goes as one unit at its price.
            let discounted = l.discount.0 != 0;
            Product {
                id: Some(i as i64 + 1),
                parent: None,
                item_type: Some("article".into()),
                desc: Some(l.text.clone()),
                article_number: l.article_number.clone(),
                ean: l.ean.clone(),
                quantity: if discounted { 1 } else { l.quantity },
                price_one: if discounted {
                    l.total().0
                } else {
                    l.unit_price.0
                },
                tax: i64::from(l.vat.percent()),
                ..Product::default()
            }
        })
        .collect();
    TransactionDraft {
        is_demo: Some(demo),
        intent: Some("sale".into()),
        basket: Some(ApiBasket {
            products,
            ..ApiBasket::default()
        }),
        basket_info: Some(BasketInfo::eur(basket.total().0)),
        idents: basket
            .card
            .iter()
            .map(|c| Ident {
                kind: "card".into(),
                value: c.clone(),
                ..Ident::default()
            })
            .collect(),
        transaction_ref: Some(sale_id.to_string()),
        ..TransactionDraft::default()
    }
}

/// Marks a sale's payment call as running until it is dropped (returned,
/// failed or abandoned), so catching up never settles a sale under the call
/// that is about to answer it.
struct Running<'c, 'a> {
    checkout: &'c Checkout<'a>,
    sale_id: String,
}

impl Drop for Running<'_, '_> {
    fn drop(&mut self) {
        self.checkout.journal().payment_returned(&self.sale_id);
    }
}
