//! Smart transactions: create, read, list, update, and the payments that move
//! money on secucards (guides 02, 03, 05).

use std::borrow::Cow;

use serde_json::{json, Map, Value};

use crate::basket::{self, Draft};
use crate::cards::{unknown_ident_json, Card};
use crate::demo;
use crate::error::ApiError;
use crate::query::{compare_docs, page, parse_sort, Query};
use crate::receipts::{eur, name_value, name_value_important, separator, space};
use crate::state::{new_id, now, Data, Inner, Sandbox, Settlement, Transaction};
use crate::stored::Stored;

/// How a payment splits between the secucard and the till (or terminal).
#[derive(Debug, Clone, Default)]
pub(crate) struct Plan {
    pub cardnumber: Option<String>,
    /// Paid from the card's balance.
    pub debit: i64,
    /// Loaded onto the card once paid.
    pub load: i64,
    /// What the till (or terminal) has to collect.
    pub missing: i64,
}

pub(crate) fn status(doc: &Map<String, Value>) -> &str {
    doc.get("status").and_then(Value::as_str).unwrap_or("")
}

pub(crate) fn sum_of(doc: &Map<String, Value>) -> i64 {
    doc.get("basket_info")
        .and_then(|b| b.get("sum"))
        .and_then(Value::as_i64)
        .unwrap_or(0)
}

fn not_payable(status: &str) -> ApiError {
    ApiError::conflict(
        format!("transaction is {status}, a payment cannot start"),
        match status {
            "processing" => "Die Zahlung läuft bereits.",
            "cancelled" => "Dieser Vorgang wurde storniert.",
            _ => "Dieser Vorgang wurde bereits bezahlt.",
        },
    )
}

/// The secucard named first in the transaction's idents.
pub(crate) fn card_number_of(tx: &Transaction) -> Option<String> {
    tx.doc
        .get("idents")
        .and_then(Value::as_array)
        .and_then(|ids| ids.first())
        .and_then(|i| i.get("value"))
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// The split of a payment, checked against the card's state.
pub(crate) fn plan(
    inner: &Inner,
    doc: &Map<String, Value>,
    cardnumber: Option<String>,
) -> Result<Plan, ApiError> {
    let total = sum_of(doc);
    let basket = doc.get("basket");
    let load = basket::load_total(basket);
    let pay_from_card = basket::pay_from_card_total(basket);
    let Some(number) = cardnumber else {
        if load > 0 || pay_from_card > 0 {
            return Err(ApiError::card(
                "a card-load or pay-from-card article needs a secucard on the transaction",
                "Bitte zuerst die Kundenkarte scannen.",
            ));
        }
        return Ok(Plan {
            missing: total,
            ..Plan::default()
        });
    };
    let card = inner.data.cards.get(&number).ok_or_else(|| {
        ApiError::card(
            format!("card {number} is unknown"),
            "Die Karte ist unbekannt.",
        )
    })?;
    let debit = if pay_from_card > 0 {
        pay_from_card
    } else {
        card.balance().min(total - load).max(0)
    };
    card.check_usable(debit, load)?;
    Ok(Plan {
        cardnumber: Some(number),
        debit,
        load,
        missing: total - debit,
    })
}

/// The secucard part of a receipt (guide 05).
pub(crate) fn card_receipt(card: &Card, trans_id: u64, debit: i64, load: i64) -> Vec<Value> {
    let mut lines = vec![
        separator("Kundenkarte"),
        name_value("Kartennummer:", &card.cardnumber),
        name_value("TA Code:", &trans_id.to_string()),
        space(),
    ];
    if debit > 0 {
        lines.push(name_value(
            "Zahlung mit Guthaben:",
            &format!("{} EUR", eur(debit)),
        ));
    }
    if load > 0 {
        lines.push(name_value("Aufladung:", &format!("{} EUR", eur(load))));
    }
    lines.push(name_value_important(
        "Aktuelles Guthaben:",
        &format!("{} EUR", eur(card.balance())),
    ));
    lines.push(name_value("Aktuelle Punkte:", &card.points.to_string()));
    lines
}

impl Data {
    /// The secucard a payment names, if it names one the sandbox knows.
    pub(crate) fn card(&self, number: Option<&str>) -> Option<&Card> {
        number.and_then(|n| self.cards.get(n))
    }

    pub(crate) fn card_mut(&mut self, number: Option<&str>) -> Option<&mut Card> {
        number.and_then(|n| self.cards.get_mut(n))
    }

    /// The smart transaction `id`, or the provider's not-found answer.
    pub(crate) fn transaction(&self, id: &str) -> Result<Cow<'_, Transaction>, ApiError> {
        self.transactions
            .get(id)
            .map(Stored::get)
            .ok_or_else(|| ApiError::not_found("smart transaction", id))
    }

    pub(crate) fn transaction_mut(&mut self, id: &str) -> Result<&mut Transaction, ApiError> {
        let stored = self
            .transactions
            .get_mut(id)
            .ok_or_else(|| ApiError::not_found("smart transaction", id))?;
        if matches!(stored, Stored::Text(_)) {
            self.woken.push(id.to_string());
        }
        Ok(stored.get_mut())
    }
}

/// The split of the payment of a transaction that can still be paid.
fn payable_plan(inner: &Inner, id: &str) -> Result<Plan, ApiError> {
    let tx = inner.data.transaction(id)?;
    let st = status(&tx.doc);
    if st != "created" && st != "failed" {
        return Err(not_payable(st));
    }
    plan(inner, &tx.doc, card_number_of(&tx))
}

impl Sandbox {
    /// The document as answered: idents show the cards' current state.
    pub(crate) fn render(inner: &Inner, tx: &Transaction) -> Value {
        let mut doc = tx.doc.clone();
        crate::checkout::decorate(&mut doc, inner.public_url.as_deref());
        if let Some(Value::Array(idents)) = doc.get_mut("idents") {
            for (i, ident) in idents.iter_mut().enumerate() {
                let number = ident
                    .get("value")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                *ident = match inner.data.cards.get(&number) {
                    Some(card) => card.ident_json(i),
                    None => unknown_ident_json(&number, i),
                };
            }
        }
        Value::Object(doc)
    }

    pub(crate) fn render_id(inner: &Inner, id: &str) -> Result<Value, ApiError> {
        inner
            .data
            .transaction(id)
            .map(|tx| Self::render(inner, &tx))
    }

    /// Creates a smart transaction (guides 01–03).
    pub fn create_transaction(&self, body: Map<String, Value>) -> Result<Value, ApiError> {
        let draft = basket::check(&body, None)?;
        let id = new_id("STX");
        let mut doc = Map::new();
        doc.insert("object".into(), json!("smart.transactions"));
        doc.insert("id".into(), json!(id));
        doc.insert(
            "merchant".into(),
            json!({"object": "general.merchants", "id": demo::MERCHANT_ID, "companyname": demo::MERCHANT_NAME}),
        );
        if let Some(contract) = body
            .get("contract")
            .and_then(|c| c.get("id"))
            .and_then(Value::as_str)
        {
            doc.insert(
                "contract".into(),
                json!({"object": "general.contracts", "id": contract}),
            );
        }
        let source = body
            .get("device_source")
            .and_then(|d| d.get("id"))
            .and_then(Value::as_str)
            .unwrap_or(demo::DEVICE_ID);
        doc.insert(
            "device_source".into(),
            json!({"object": "smart.devices", "id": source}),
        );
        if let Some(customer) = body.get("customer").and_then(Value::as_object) {
            doc.insert("customer".into(), payment_customer(customer));
        }
        doc.insert("transactions".into(), json!([]));
        doc.insert("created".into(), json!(now()));
        doc.insert("status".into(), json!("created"));
        doc.insert(
            "merchantRef".into(),
            body.get("merchantRef").cloned().unwrap_or(Value::Null),
        );
        doc.insert(
            "transactionRef".into(),
            body.get("transactionRef").cloned().unwrap_or(Value::Null),
        );
        doc.insert(
            "intent".into(),
            body.get("intent").cloned().unwrap_or(json!("sale")),
        );
        doc.insert(
            "basket".into(),
            draft
                .basket
                .clone()
                .unwrap_or_else(|| json!({"products": [], "texts": [], "type": "default"})),
        );
        doc.insert(
            "basket_info".into(),
            draft
                .basket_info
                .clone()
                .unwrap_or_else(|| json!({"sum": 0, "gratuity": null, "currency": "EUR"})),
        );
        doc.insert("idents".into(), idents_doc(&draft));
        doc.insert(
            "is_demo".into(),
            body.get("is_demo").cloned().unwrap_or(json!(true)),
        );
        doc.insert(
            "application_context".into(),
            body.get("application_context")
                .cloned()
                .unwrap_or(Value::Null),
        );
        doc.insert("checkout_links".into(), Value::Null);
        doc.insert("payment_links".into(), Value::Null);
        let tx = Transaction {
            doc,
            settlement: None,
        };
        let mut inner = self.lock();
        let answer = Self::render(&inner, &tx);
        inner.data.order.push(id.clone());
        inner.data.transactions.insert(id, Stored::new(tx));
        self.forget_beyond_limit(&mut inner);
        Self::rest_settled(&mut inner);
        self.persist(&inner);
        Ok(answer)
    }

    /// Changes a transaction as long as its payment has not been executed.
    pub fn update_transaction(
        &self,
        id: &str,
        body: Map<String, Value>,
    ) -> Result<Value, ApiError> {
        let mut inner = self.lock();
        let tx = inner.data.transaction_mut(id)?;
        let st = status(&tx.doc);
        if st != "created" && st != "failed" {
            return Err(ApiError::conflict(
                format!("transaction is {st}, it can only be changed before the payment"),
                "Der Vorgang kann nach der Zahlung nicht mehr geändert werden.",
            ));
        }
        let current_basket = tx.doc.get("basket").cloned();
        let has_basket = body.get("basket").is_some_and(|b| !b.is_null());
        let has_info = body.get("basket_info").is_some_and(|b| !b.is_null());
        let draft = basket::check(&body, current_basket.as_ref())?;
        if has_basket && !has_info {
            return Err(ApiError::bad_request(
                "basket_info is required with a basket",
            ));
        }
        if let Some(b) = draft.basket.clone() {
            tx.doc.insert("basket".into(), b);
        }
        if let Some(info) = draft.basket_info.clone() {
            tx.doc.insert("basket_info".into(), info);
        }
        if draft.cards.is_some() {
            tx.doc.insert("idents".into(), idents_doc(&draft));
        }
        for key in [
            "merchantRef",
            "transactionRef",
            "intent",
            "is_demo",
            "application_context",
        ] {
            if let Some(v) = body.get(key) {
                tx.doc.insert(key.into(), v.clone());
            }
        }
        if let Some(customer) = body.get("customer").and_then(Value::as_object) {
            tx.doc.insert("customer".into(), payment_customer(customer));
        }
        tx.doc.insert("updated".into(), json!(now()));
        let answer = Self::render_id(&inner, id)?;
        self.persist(&inner);
        Ok(answer)
    }

    pub fn get_transaction(&self, id: &str) -> Result<Value, ApiError> {
        Self::render_id(&self.lock(), id)
    }

    /// `GET /Smart/Transactions?q=&count=&offset=&sort=` → `{count, data}`.
    pub fn list_transactions(
        &self,
        q: Option<&str>,
        count: Option<usize>,
        offset: Option<usize>,
        sort: Option<&str>,
    ) -> Result<Value, ApiError> {
        let query = Query::parse(q.unwrap_or("")).map_err(ApiError::bad_request)?;
        let keys = parse_sort(sort.unwrap_or("")).map_err(ApiError::bad_request)?;
        let inner = self.lock();
        let mut docs: Vec<Value> = inner
            .data
            .order
            .iter()
            .filter_map(|id| inner.data.transactions.get(id))
            .map(|tx| Self::render(&inner, &tx.get()))
            .filter(|doc| query.matches(doc))
            .collect();
        drop(inner);
        if !keys.is_empty() {
            docs.sort_by(|a, b| compare_docs(a, b, &keys));
        }
        Ok(page(docs, count, offset))
    }

    /// The ids of all transactions, oldest first.
    pub fn transaction_ids(&self) -> Vec<String> {
        self.lock().data.order.clone()
    }

    /// What the till still has to collect once the card's balance is applied.
    pub fn pre_transaction(&self, id: &str) -> Result<Value, ApiError> {
        let plan = payable_plan(&self.lock(), id)?;
        Ok(json!({"missing_sum": plan.missing, "bonus_products": []}))
    }

    /// Registers the till's own payment of the missing sum; the card pays the rest (guide 05).
    pub fn start_cash(&self, id: &str) -> Result<Value, ApiError> {
        let mut inner = self.lock();
        let plan = payable_plan(&inner, id)?;
        inner.data.last_trans_id += 1;
        let trans_id = inner.data.last_trans_id;
        let stamp = now();
        let mut settlement = Settlement {
            cardnumber: plan.cardnumber.clone(),
            collected: plan.missing,
            ..Settlement::default()
        };
        let mut receipt = Vec::new();
        if let Some(card) = inner.data.card_mut(plan.cardnumber.as_deref()) {
            let (bonus, cash) = card.debit(plan.debit, &stamp);
            card.load(plan.load, &stamp);
            card.passcode_verified = false;
            settlement.from_bonus = bonus;
            settlement.from_cash = cash;
            settlement.loaded = plan.load;
            receipt = card_receipt(card, trans_id, plan.debit, plan.load);
        }
        let tx = inner.data.transaction_mut(id)?;
        if plan.cardnumber.is_some() {
            push_loyalty_transaction(&mut tx.doc);
        }
        tx.doc.insert("status".into(), json!("ok"));
        tx.doc.insert("updated".into(), json!(stamp));
        tx.doc.insert("payment_method".into(), json!("cash"));
        tx.doc
            .insert("trans_id".into(), json!(trans_id.to_string()));
        tx.doc.insert("receipt".into(), json!(receipt));
        tx.settlement = Some(settlement);
        let answer = Self::render_id(&inner, id)?;
        self.persist(&inner);
        Ok(answer)
    }
}

pub(crate) fn push_loyalty_transaction(doc: &mut Map<String, Value>) {
    let entry = json!({"object": "loyalty.transactions", "id": new_id("LTX")});
    match doc.get_mut("transactions") {
        Some(Value::Array(list)) => list.push(entry),
        _ => {
            doc.insert("transactions".into(), json!([entry]));
        }
    }
}

fn idents_doc(draft: &Draft) -> Value {
    Value::Array(
        draft
            .cards
            .iter()
            .flatten()
            .map(|n| json!({"type": "card", "value": n}))
            .collect(),
    )
}

/// The `payment.customers` object for a customer given in a request.
fn payment_customer(customer: &Map<String, Value>) -> Value {
    let mut out = Map::new();
    out.insert("object".into(), json!("payment.customers"));
    out.insert(
        "id".into(),
        customer
            .get("id")
            .filter(|v| v.is_string())
            .cloned()
            .unwrap_or_else(|| json!(new_id("PCU"))),
    );
    if let Some(Value::Object(contact)) = customer.get("contact") {
        let mut contact = contact.clone();
        let forename = contact
            .get("forename")
            .and_then(Value::as_str)
            .unwrap_or("");
        let surname = contact.get("surname").and_then(Value::as_str).unwrap_or("");
        let name = format!("{forename} {surname}").trim().to_string();
        if !name.is_empty() {
            contact.entry("name").or_insert(json!(name));
        }
        out.insert("contact".into(), Value::Object(contact));
    }
    Value::Object(out)
}
