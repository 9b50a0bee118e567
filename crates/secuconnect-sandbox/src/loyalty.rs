//! Merchant cards: lookup by card number, read, validate, check a passcode.

use serde_json::{json, Map, Value};

use crate::demo;
use crate::error::ApiError;
use crate::query::{page, Query};
use crate::state::Sandbox;

impl Sandbox {
    /// `GET /Loyalty/MerchantCards?q=card.cardnumber:…` → `{count, data}`.
    pub fn list_cards(
        &self,
        q: Option<&str>,
        count: Option<usize>,
        offset: Option<usize>,
    ) -> Result<Value, ApiError> {
        let query = Query::parse(q.unwrap_or("")).map_err(ApiError::bad_request)?;
        let inner = self.lock();
        let all: Vec<Value> = inner
            .data
            .cards
            .values()
            .map(|c| c.to_json())
            .filter(|c| query.matches(c))
            .collect();
        Ok(page(all, count, offset))
    }

    /// A merchant card by its id (`MCD_…`).
    pub fn get_card(&self, id: &str) -> Result<Value, ApiError> {
        let inner = self.lock();
        inner
            .data
            .cards
            .values()
            .find(|c| c.id == id)
            .map(|c| c.to_json())
            .ok_or_else(|| ApiError::not_found("merchant card", id))
    }

    /// `validateMerchantcard` with `{cardnumber, merchant}` → `{isValid, hasPasscode, isLocked}`.
    pub fn validate_card(&self, body: &Map<String, Value>) -> Result<Value, ApiError> {
        let number = body
            .get("cardnumber")
            .and_then(Value::as_str)
            .ok_or_else(|| ApiError::bad_request("cardnumber must be a string"))?;
        let merchant_ok = match body.get("merchant") {
            None | Some(Value::Null) => true,
            Some(Value::String(m)) => m == demo::MERCHANT_ID,
            Some(_) => return Err(ApiError::bad_request("merchant must be a string")),
        };
        let inner = self.lock();
        Ok(match inner.data.cards.get(number) {
            Some(card) => json!({
                "isValid": merchant_ok && card.is_valid(),
                "hasPasscode": card.needs_passcode(),
                "isLocked": card.is_locked(),
            }),
            None => json!({"isValid": false, "hasPasscode": false, "isLocked": false}),
        })
    }

    /// `checkPasscode` with `{cardnumber?, pin}` → `{result}`. A correct passcode
    /// lets the card be used by the next payment.
    pub fn check_passcode(&self, id: &str, body: &Map<String, Value>) -> Result<Value, ApiError> {
        let pin = body
            .get("pin")
            .and_then(|p| {
                p.as_u64()
                    .or_else(|| p.as_str().and_then(|s| s.parse().ok()))
            })
            .ok_or_else(|| ApiError::bad_request("pin must be an integer"))?;
        let number = match body.get("cardnumber") {
            None | Some(Value::Null) => None,
            Some(Value::String(n)) => Some(n.clone()),
            Some(_) => return Err(ApiError::bad_request("cardnumber must be a string")),
        };
        let mut inner = self.lock();
        let card = inner
            .data
            .cards
            .values_mut()
            .find(|c| c.id == id || number.as_deref() == Some(c.cardnumber.as_str()))
            .ok_or_else(|| ApiError::not_found("merchant card", id))?;
        let ok = card.pin.is_some_and(|p| u64::from(p) == pin) || card.passcode == 0;
        card.passcode_verified = ok;
        Ok(json!({"result": ok}))
    }
}
