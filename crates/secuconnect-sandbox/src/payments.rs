//! The terminal's operations on smart transactions: `start/cashless` (blocks
//! while the customer pays), `abort`, `cancel`, `canceltrx`, `endOfDay`, `diagnosis`.

use std::sync::Arc;

use serde_json::{json, Map, Value};
use tokio::sync::{watch, Notify};

use crate::demo;
use crate::error::ApiError;
use crate::receipts;
use crate::state::{new_id, now, Inner, Running, Sandbox, Settlement};
use crate::terminal::{self, CardScheme, Outcome, Slip, TerminalPayment};
use crate::transactions::{
    card_number_of, card_receipt, plan, push_loyalty_transaction, status, sum_of,
};

impl Sandbox {
    /// Card payment on the simulated terminal: waits as the customer would, then
    /// answers `ok` with receipts or `failed`. The payment completes even if the
    /// caller goes away (as a real terminal does).
    pub async fn start_cashless(self: &Arc<Self>, id: &str) -> Result<Value, ApiError> {
        let (outcome, scheme, amount, abort, done_tx, delay) = {
            let mut inner = self.lock();
            let tx = inner.data.transaction(id)?;
            let st = status(&tx.doc);
            if st != "created" && st != "failed" {
                return Err(ApiError::conflict(
                    format!("transaction is {st}, a payment cannot start"),
                    if st == "processing" {
                        "Die Zahlung läuft bereits."
                    } else {
                        "Dieser Vorgang wurde bereits bezahlt oder storniert."
                    },
                ));
            }
            let plan = plan(&inner, &tx.doc, card_number_of(&tx))?;
            if plan.missing <= 0 {
                return Err(ApiError::conflict(
                    "nothing is left to pay on the terminal; use start/cash",
                    "Der Betrag ist vollständig durch Guthaben gedeckt.",
                ));
            }
            let sum = sum_of(&tx.doc);
            let (outcome, scheme) = Sandbox::choose_terminal(&mut inner, sum);
            let stamp = now();
            // The card's share is held while the terminal runs, so that no other
            // payment can spend it meanwhile.
            let mut settlement = Settlement {
                cardnumber: plan.cardnumber.clone(),
                loaded: plan.load,
                collected: plan.missing,
                ..Settlement::default()
            };
            if let Some(card) = inner.data.card_mut(plan.cardnumber.as_deref()) {
                let (bonus, cash) = card.debit(plan.debit, &stamp);
                card.passcode_verified = false;
                settlement.from_bonus = bonus;
                settlement.from_cash = cash;
            }
            let tx = inner.data.transaction_mut(id)?;
            tx.doc.insert("status".into(), json!("processing"));
            tx.doc.insert("updated".into(), json!(stamp));
            tx.doc.insert(
                "device_destination".into(),
                json!({"object": "smart.devices", "id": demo::TERMINAL_DEVICE_ID}),
            );
            tx.settlement = Some(settlement);
            let abort = Arc::new(Notify::new());
            let (done_tx, done_rx) = watch::channel(false);
            inner.running.insert(
                id.to_string(),
                Running {
                    abort: abort.clone(),
                    done: done_rx,
                },
            );
            let delay = inner.settings.terminal_delay;
            self.persist(&inner);
            (outcome, scheme, plan.missing, abort, done_tx, delay)
        };

        let sandbox = self.clone();
        let id = id.to_string();
        let task = tokio::spawn(async move {
            let aborted = tokio::select! {
                _ = tokio::time::sleep(delay) => false,
                _ = abort.notified() => true,
            };
            let outcome = if aborted { Outcome::Aborted } else { outcome };
            let result = sandbox.finish_cashless(&id, outcome, scheme, amount);
            let _ = done_tx.send(true);
            result
        });
        task.await
            .map_err(|_| ApiError::server(axum::http::StatusCode::INTERNAL_SERVER_ERROR))?
    }

    fn finish_cashless(
        &self,
        id: &str,
        outcome: Outcome,
        scheme: CardScheme,
        amount: i64,
    ) -> Result<Value, ApiError> {
        let mut inner = self.lock();
        inner.running.remove(id);
        let tx = inner.data.transaction(id)?;
        if status(&tx.doc) != "processing" {
            // Reset or reloaded meanwhile: nothing to finish.
            return Sandbox::render_id(&inner, id);
        }
        let settlement = tx.settlement.clone().unwrap_or_default();
        let when = chrono::Local::now();
        let stamp = now();
        if outcome != Outcome::Ok {
            // Give the held card share back.
            if let Some(card) = inner.data.card_mut(settlement.cardnumber.as_deref()) {
                card.give_back(settlement.from_bonus, settlement.from_cash);
            }
            let tx = inner.data.transaction_mut(id).expect("checked above");
            tx.settlement = None;
            tx.doc.insert("status".into(), json!("failed"));
            tx.doc.insert("updated".into(), json!(stamp));
            tx.doc.insert("payment_method".into(), json!("cashless"));
            tx.doc.insert(
                "receipt".into(),
                json!(terminal::failure_receipt(when, amount, outcome)),
            );
            tx.doc.insert("receipt_merchant".into(), json!([]));
            tx.doc.insert("receipt_merchant_print".into(), json!(false));
            let answer = Sandbox::render_id(&inner, id);
            self.persist(&inner);
            return answer;
        }

        inner.data.last_trans_id += 1;
        inner.data.last_receipt_number += 1;
        inner.data.last_trace += 1;
        let trans_id = inner.data.last_trans_id;
        let receipt_number = inner.data.last_receipt_number;
        let trace = inner.data.last_trace;
        let day = inner.data.terminal_day;
        let slip = Slip {
            when,
            receipt_number,
            trace,
            scheme,
            amount,
            title: "Kartenzahlung",
        };
        let (mut customer, merchant) = terminal::payment_receipts(&slip);
        if let Some(card) = inner.data.card_mut(settlement.cardnumber.as_deref()) {
            card.load(settlement.loaded, &stamp);
            customer.push(receipts::space());
            customer.extend(card_receipt(
                card,
                trans_id,
                settlement.from_bonus + settlement.from_cash,
                settlement.loaded,
            ));
        }
        inner.data.terminal_payments.push(TerminalPayment {
            receipt_number,
            trace,
            stx_id: id.to_string(),
            scheme,
            amount,
            day,
            cancelled: false,
        });
        let tx = inner.data.transaction_mut(id).expect("checked above");
        if settlement.cardnumber.is_some() {
            push_loyalty_transaction(&mut tx.doc);
        }
        tx.settlement = Some(Settlement {
            terminal_receipt: Some(receipt_number),
            ..settlement
        });
        tx.doc.insert("status".into(), json!("ok"));
        tx.doc.insert("updated".into(), json!(stamp));
        tx.doc.insert("payment_method".into(), json!("cashless"));
        tx.doc
            .insert("trans_id".into(), json!(trans_id.to_string()));
        tx.doc
            .insert("receipt_number".into(), json!(receipt_number));
        tx.doc.insert("receipt".into(), json!(customer));
        tx.doc.insert("receipt_merchant".into(), json!(merchant));
        tx.doc
            .insert("receipt_merchant_print".into(), json!(scheme.signature()));
        let answer = Sandbox::render_id(&inner, id);
        self.persist(&inner);
        answer
    }

    /// Cancels a transaction that was never paid: nothing to give back.
    fn cancel_unpaid(&self, inner: &mut Inner, id: &str) -> Result<Value, ApiError> {
        let tx = inner.data.transaction_mut(id)?;
        tx.doc.insert("status".into(), json!("cancelled"));
        tx.doc.insert("updated".into(), json!(now()));
        let answer = Sandbox::render_id(inner, id);
        self.persist(inner);
        answer
    }

    /// Abandons a transaction before it is paid; a running terminal payment is
    /// aborted (it then ends `failed`).
    pub async fn abort(&self, id: &str) -> Result<Value, ApiError> {
        let mut done = {
            let mut inner = self.lock();
            let tx = inner.data.transaction(id)?;
            match status(&tx.doc) {
                "created" | "failed" => return self.cancel_unpaid(&mut inner, id),
                "processing" => match inner.running.get(id) {
                    Some(running) => {
                        running.abort.notify_one();
                        running.done.clone()
                    }
                    None => return Sandbox::render_id(&inner, id),
                },
                st => {
                    return Err(ApiError::conflict(
                        format!("transaction is {st}, it cannot be aborted"),
                        "Der Vorgang ist abgeschlossen und kann nicht abgebrochen werden.",
                    ))
                }
            }
        };
        let _ = done.wait_for(|finished| *finished).await;
        self.get_transaction(id)
    }

    /// Cancels a transaction: unpaid ones are simply cancelled; a paid one gives
    /// the card its money back (and takes a load back), and a terminal payment
    /// is reversed like `canceltrx`.
    pub async fn cancel(&self, id: &str) -> Result<Value, ApiError> {
        let terminal = {
            let mut inner = self.lock();
            let tx = inner.data.transaction(id)?;
            match status(&tx.doc) {
                "created" | "failed" => return self.cancel_unpaid(&mut inner, id),
                "ok" => {}
                "processing" => {
                    return Err(ApiError::conflict(
                        "the terminal payment is running; use abort",
                        "Die Zahlung läuft noch.",
                    ))
                }
                st => {
                    return Err(ApiError::conflict(
                        format!("transaction is {st}, it cannot be cancelled"),
                        "Dieser Vorgang wurde bereits storniert.",
                    ))
                }
            }
            check_reversible(&inner, id)?
        };
        if terminal {
            let delay = self.terminal_delay();
            tokio::time::sleep(delay).await;
        }
        let mut inner = self.lock();
        let answer = reverse(&mut inner, id);
        self.persist(&inner);
        answer
    }

    /// Cancels a terminal payment by its receipt number: girocard and ELV only,
    /// only before the terminal's end of day. Blocks like the terminal does.
    pub async fn cancel_trx(&self, receipt_number: &str) -> Result<Value, ApiError> {
        let number: u64 = receipt_number.trim().parse().map_err(|_| {
            ApiError::bad_request(format!(
                "{receipt_number:?} is not a receipt number (an integer)"
            ))
        })?;
        let id = {
            let inner = self.lock();
            let payment = inner
                .data
                .terminal_payments
                .iter()
                .find(|p| p.receipt_number == number)
                .ok_or_else(|| ApiError::not_found("terminal receipt", receipt_number))?;
            let id = payment.stx_id.clone();
            check_reversible(&inner, &id)?;
            id
        };
        let delay = self.terminal_delay();
        tokio::time::sleep(delay).await;
        let mut inner = self.lock();
        let answer = reverse(&mut inner, &id);
        self.persist(&inner);
        answer
    }

    /// Closes the terminal's day: totals of its payments since the last end of day.
    pub async fn end_of_day(&self, device: &str) -> Result<Value, ApiError> {
        check_device(device)?;
        let delay = self.terminal_delay();
        tokio::time::sleep(delay).await;
        let mut inner = self.lock();
        let day = inner.data.terminal_day;
        let payments: Vec<&TerminalPayment> = inner
            .data
            .terminal_payments
            .iter()
            .filter(|p| p.day == day)
            .collect();
        let totals = terminal::day_totals(&payments);
        let when = chrono::Local::now();
        let lines = terminal::end_of_day_receipt(when, day, &totals);
        let mut doc = terminal_document(
            Some(json!({"sum": totals.sum, "gratuity": null, "currency": "EUR"})),
            &lines,
        );
        doc.insert(
            "end_of_day".into(),
            json!({
                "day": day,
                "count": totals.count,
                "sum": totals.sum,
                "cancelled_count": totals.cancelled_count,
                "cancelled_sum": totals.cancelled_sum,
                "schemes": totals.schemes,
            }),
        );
        let answer = Value::Object(doc);
        inner.data.terminal_day += 1;
        inner.data.closings.push(answer.clone());
        self.persist(&inner);
        Ok(answer)
    }

    /// The terminal's self-check.
    pub async fn diagnosis(&self, device: &str) -> Result<Value, ApiError> {
        check_device(device)?;
        let delay = self.terminal_delay();
        tokio::time::sleep(delay).await;
        let lines = terminal::diagnosis_receipt(chrono::Local::now());
        Ok(Value::Object(terminal_document(None, &lines)))
    }
}

/// The answer of a terminal operation that is no payment (end of day,
/// diagnosis): the terminal's slip as both receipts, in the key order the
/// provider answers.
fn terminal_document(basket_info: Option<Value>, lines: &[Value]) -> Map<String, Value> {
    let stamp = now();
    let mut doc = Map::new();
    doc.insert("object".into(), json!("smart.transactions"));
    doc.insert("id".into(), json!(new_id("STX")));
    doc.insert(
        "merchant".into(),
        json!({"object": "general.merchants", "id": demo::MERCHANT_ID, "companyname": demo::MERCHANT_NAME}),
    );
    doc.insert(
        "device_source".into(),
        json!({"object": "smart.devices", "id": demo::DEVICE_ID}),
    );
    doc.insert(
        "device_destination".into(),
        json!({"object": "smart.devices", "id": demo::TERMINAL_DEVICE_ID}),
    );
    doc.insert("created".into(), json!(stamp));
    doc.insert("updated".into(), json!(stamp));
    doc.insert("status".into(), json!("ok"));
    if let Some(info) = basket_info {
        doc.insert("basket_info".into(), info);
    }
    doc.insert("receipt".into(), json!(lines));
    doc.insert("receipt_merchant".into(), json!(lines));
    doc.insert("receipt_merchant_print".into(), json!(false));
    doc
}

fn check_device(device: &str) -> Result<(), ApiError> {
    if device == "me" || device == demo::DEVICE_ID || device == demo::TERMINAL_DEVICE_ID {
        Ok(())
    } else {
        Err(ApiError::not_found("smart device", device))
    }
}

/// Whether a paid transaction can be reversed; true when a terminal payment is involved.
fn check_reversible(inner: &Inner, id: &str) -> Result<bool, ApiError> {
    let tx = inner.data.transaction(id)?;
    let st = status(&tx.doc);
    if st != "ok" {
        return Err(ApiError::conflict(
            format!("transaction is {st}, it cannot be cancelled"),
            if st == "cancelled" {
                "Dieser Vorgang wurde bereits storniert."
            } else {
                "Der Vorgang ist nicht bezahlt."
            },
        ));
    }
    let settlement = tx.settlement.clone().unwrap_or_default();
    if let Some(number) = settlement.terminal_receipt {
        let payment = inner
            .data
            .terminal_payments
            .iter()
            .find(|p| p.receipt_number == number)
            .ok_or_else(|| ApiError::not_found("terminal receipt", &number.to_string()))?;
        if !payment.scheme.cancellable() {
            return Err(ApiError::conflict(
                format!(
                    "receipt {number} was paid by {}; only girocard and ELV payments can be cancelled",
                    payment.scheme.label()
                ),
                "Kreditkartenzahlungen können am Terminal nicht storniert werden.",
            ));
        }
        if payment.day != inner.data.terminal_day {
            return Err(ApiError::conflict(
                format!("receipt {number} is from a terminal day that is already closed"),
                "Nach dem Kassenschnitt ist kein Storno mehr möglich.",
            ));
        }
        if payment.cancelled {
            return Err(ApiError::conflict(
                format!("receipt {number} is already cancelled"),
                "Dieser Beleg wurde bereits storniert.",
            ));
        }
    }
    if let Some(card) = inner.data.card(settlement.cardnumber.as_deref()) {
        if card.cash_balance < settlement.loaded {
            return Err(ApiError::card(
                format!(
                    "card {} has spent the loaded amount; the load cannot be taken back",
                    card.cardnumber
                ),
                "Das aufgeladene Guthaben wurde bereits verbraucht.",
            ));
        }
    }
    Ok(settlement.terminal_receipt.is_some())
}

/// Moves a paid transaction's money back; checked again under the lock.
fn reverse(inner: &mut Inner, id: &str) -> Result<Value, ApiError> {
    check_reversible(inner, id)?;
    let settlement = inner
        .data
        .transaction(id)
        .ok()
        .and_then(|t| t.settlement.clone())
        .unwrap_or_default();
    let stamp = now();
    let mut card_lines = Vec::new();
    if let Some(card) = inner.data.card_mut(settlement.cardnumber.as_deref()) {
        card.give_back(settlement.from_bonus, settlement.from_cash);
        card.cash_balance -= settlement.loaded;
        card.last_usage = Some(stamp.clone());
        card_lines = vec![
            receipts::separator("Kundenkarte"),
            receipts::text("STORNO", &["important", "align-center"]),
            receipts::name_value("Kartennummer:", &card.cardnumber),
            receipts::name_value_important(
                "Aktuelles Guthaben:",
                &format!("{} EUR", receipts::eur(card.balance())),
            ),
        ];
    }
    let mut terminal_receipts = None;
    if let Some(number) = settlement.terminal_receipt {
        inner.data.last_receipt_number += 1;
        inner.data.last_trace += 1;
        let (storno_number, trace) = (inner.data.last_receipt_number, inner.data.last_trace);
        if let Some(p) = inner
            .data
            .terminal_payments
            .iter_mut()
            .find(|p| p.receipt_number == number)
        {
            p.cancelled = true;
            let slip = Slip {
                when: chrono::Local::now(),
                receipt_number: storno_number,
                trace,
                scheme: p.scheme,
                amount: p.amount,
                title: "Storno",
            };
            terminal_receipts = Some(terminal::cancellation_receipts(&slip, number));
        }
    }
    let tx = inner.data.transaction_mut(id)?;
    tx.doc.insert("status".into(), json!("cancelled"));
    tx.doc.insert("updated".into(), json!(stamp));
    let (mut customer, merchant) = terminal_receipts.unwrap_or_default();
    if !card_lines.is_empty() {
        if !customer.is_empty() {
            customer.push(receipts::space());
        }
        customer.extend(card_lines);
    }
    tx.doc.insert("receipt".into(), json!(customer));
    tx.doc.insert("receipt_merchant".into(), json!(merchant));
    tx.doc.insert("receipt_merchant_print".into(), json!(false));
    Sandbox::render_id(inner, id)
}
