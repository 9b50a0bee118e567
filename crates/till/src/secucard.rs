//! Secucards at the till: look a card up, check its passcode, split a sale
//! between the card's balance and cash, pay it, and load a card.
//!
//! The till refuses a locked or not-active card itself before anything is
//! sent that could move money; the provider checks again when it books.
//! Card numbers appear in logs only masked ([`mask`]).

use secuconnect::{CheckPasscode, LockStatus, MerchantCard, StockStatus};
use serde::{Deserialize, Serialize};
use tracing::{info, instrument, warn};

use crate::basket::{Basket, BasketError, BasketLine, LineKind};
use crate::checkout::{draft_for, Checkout, CheckoutError, CompletedSale};
use crate::money::Cents;

/// Why a secucard cannot be used (or the payment with it failed).
// The checkout's error is carried as it is (callers match on it); errors are rare.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, thiserror::Error)]
pub enum SecucardError {
    #[error("the payment service does not know this card")]
    NotFound,
    #[error("the card is locked and cannot be used")]
    Locked,
    #[error("the card is not active and cannot be used")]
    Inactive,
    /// The card asks for its passcode and none was given, or a wrong one.
    #[error("{}", if *.wrong { "the passcode is wrong" } else { "the card needs its passcode" })]
    PasscodeRequired { wrong: bool },
    #[error(transparent)]
    Checkout(#[from] CheckoutError),
}

impl From<secuconnect::Error> for SecucardError {
    fn from(e: secuconnect::Error) -> Self {
        Self::Checkout(CheckoutError::Api(e))
    }
}

impl From<BasketError> for SecucardError {
    fn from(e: BasketError) -> Self {
        Self::Checkout(CheckoutError::Basket(e))
    }
}

/// A secucard as the cashier sees it (balances in cents).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Secucard {
    /// Always text: leading digits matter.
    pub card_number: String,
    pub group_name: Option<String>,
    pub customer_name: Option<String>,
    pub balance: Cents,
    pub cash_balance: Cents,
    pub bonus_balance: Cents,
    pub points: i64,
    /// `locked` or `unlocked`.
    #[ts(as = "LockStatus")]
    pub lock_status: String,
    /// `stored`, `active` or `inactive`.
    #[ts(as = "StockStatus")]
    pub stock_status: String,
    pub passcode_required: bool,
    pub last_usage: Option<String>,
    pub expiry_date: Option<String>,
}

impl Secucard {
    /// The till's view of the provider's merchant card.
    pub fn from_merchant_card(number: &str, card: &MerchantCard) -> Self {
        let cash = card.cash_balance.unwrap_or(0);
        let bonus = card.bonus_balance.unwrap_or(0);
        let customer_name = card
            .customer
            .as_ref()
            .and_then(|c| c.contact.as_ref())
            .and_then(|c| {
                c.name.clone().filter(|n| !n.trim().is_empty()).or_else(|| {
                    let full = [c.forename.as_deref(), c.surname.as_deref()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" ");
                    (!full.trim().is_empty()).then_some(full)
                })
            });
        Self {
            card_number: card.cardnumber().unwrap_or(number).to_string(),
            group_name: card.cardgroup.as_ref().and_then(|g| g.display_name.clone()),
            customer_name,
            balance: Cents(card.balance.unwrap_or(cash + bonus)),
            cash_balance: Cents(cash),
            bonus_balance: Cents(bonus),
            points: card.points.unwrap_or(0),
            // A card that does not say is taken as the safe case for each.
            lock_status: card
                .lock_status
                .as_ref()
                .map_or("unlocked", LockStatus::as_str)
                .to_string(),
            stock_status: card
                .stock_status
                .as_ref()
                .map_or("inactive", StockStatus::as_str)
                .to_string(),
            passcode_required: card.needs_passcode(),
            last_usage: card.last_usage.as_ref().map(|t| t.as_str().to_string()),
            expiry_date: card.expiry_date.as_ref().map(|t| t.as_str().to_string()),
        }
    }

    pub fn is_locked(&self) -> bool {
        self.lock_status == "locked"
    }
}

/// How a sale splits between the card's balance and the till.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct CardSplit {
    pub total: Cents,
    /// Paid from the card's balance.
    pub from_card: Cents,
    /// Left for the till to collect.
    pub rest: Cents,
}

/// What the card is used for: paying draws on it, loading adds to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardUse {
    Pay,
    Load,
}

/// A card number for the log: all but the last four digits hidden.
pub fn mask(number: &str) -> String {
    let shown = number.chars().count().saturating_sub(4);
    number
        .chars()
        .enumerate()
        .map(|(i, c)| if i < shown { '*' } else { c })
        .collect()
}

/// Refuses a card the till must not use for `what`: locked, or not active
/// (a card from stock may be loaded, which issues it).
pub fn check_usable(card: &Secucard, what: CardUse) -> Result<(), SecucardError> {
    if card.is_locked() {
        return Err(SecucardError::Locked);
    }
    match (card.stock_status.as_str(), what) {
        ("active", _) | ("stored", CardUse::Load) => Ok(()),
        _ => Err(SecucardError::Inactive),
    }
}

/// The basket that loads `amount` onto `card` (the provider's special article).
pub fn load_basket(card: &str, amount: Cents) -> Basket {
    Basket {
        lines: vec![BasketLine::card_load(amount)],
        card: Some(card.to_string()),
    }
}

/// A passcode as the provider takes it: digits only.
fn pin(passcode: &str) -> Option<u64> {
    let p = passcode.trim();
    (!p.is_empty() && p.len() <= 12 && p.chars().all(|c| c.is_ascii_digit()))
        .then(|| p.parse().ok())
        .flatten()
}

impl Checkout<'_> {
    async fn merchant_card(&self, number: &str) -> Result<MerchantCard, SecucardError> {
        let number = number.trim();
        if !crate::basket::valid_card_number(number) {
            return Err(SecucardError::NotFound);
        }
        self.client
            .find_merchant_card(number)
            .await?
            .ok_or(SecucardError::NotFound)
    }

    /// Looks a secucard up by its number: balances, points, lock and stock status.
    #[instrument(skip_all, fields(card = %mask(number)))]
    pub async fn secucard(&self, number: &str) -> Result<Secucard, SecucardError> {
        let card = self.merchant_card(number).await?;
        Ok(Secucard::from_merchant_card(number.trim(), &card))
    }

    /// Checks the passcode the customer typed. A right one lets the card be
    /// used by the next payment.
    #[instrument(skip_all, fields(card = %mask(number)))]
    pub async fn check_passcode(
        &self,
        number: &str,
        passcode: &str,
    ) -> Result<bool, SecucardError> {
        let card = self.merchant_card(number).await?;
        self.passcode_valid(number.trim(), &card, passcode).await
    }

    async fn passcode_valid(
        &self,
        number: &str,
        card: &MerchantCard,
        passcode: &str,
    ) -> Result<bool, SecucardError> {
        let Some(pin) = pin(passcode) else {
            return Ok(false);
        };
        let id = card.id.as_deref().ok_or(SecucardError::NotFound)?;
        let answer = self
            .client
            .check_passcode(
                id,
                &CheckPasscode {
                    cardnumber: number.to_string(),
                    pin,
                },
            )
            .await?;
        let valid = answer.result == Some(true);
        if !valid {
            warn!("wrong secucard passcode");
        }
        Ok(valid)
    }

    /// The card, refused when the till must not use it for `what`; its
    /// passcode is checked where it has one.
    async fn usable_card(
        &self,
        number: &str,
        passcode: Option<&str>,
        what: CardUse,
    ) -> Result<Secucard, SecucardError> {
        let card = self.merchant_card(number).await?;
        let view = Secucard::from_merchant_card(number, &card);
        check_usable(&view, what)?;
        if view.passcode_required {
            let Some(passcode) = passcode.filter(|p| !p.trim().is_empty()) else {
                return Err(SecucardError::PasscodeRequired { wrong: false });
            };
            if !self.passcode_valid(number, &card, passcode).await? {
                return Err(SecucardError::PasscodeRequired { wrong: true });
            }
        }
        Ok(view)
    }

    /// How much of `basket` the card's balance pays and what is left, as the
    /// provider's `preTransaction` says. The transaction asked is abandoned
    /// at once: the sale is created anew when it is paid.
    #[instrument(skip_all, fields(card = %mask(number), total = basket.total().0))]
    pub async fn secucard_split(
        &self,
        basket: &Basket,
        number: &str,
        passcode: Option<&str>,
    ) -> Result<CardSplit, SecucardError> {
        let number = number.trim();
        let mut basket = basket.clone();
        basket.card = Some(number.to_string());
        basket.validate()?;
        self.usable_card(number, passcode, CardUse::Pay).await?;
        let total = basket.total();
        let mut draft = draft_for(&basket, "", self.demo);
        draft.transaction_ref = None;
        let stx = self.client.create_transaction(&draft).await?;
        let pre = self.client.pre_transaction(&stx.id).await;
        self.abandon(&stx.id).await;
        let rest = Cents(pre?.missing_sum.unwrap_or(total.0).clamp(0, total.0));
        Ok(CardSplit {
            total,
            from_card: total - rest,
            rest,
        })
    }

    /// Pays `basket` from the card's balance, the rest in cash (`tendered`:
    /// what the customer gave for the rest; `None` = exact).
    #[instrument(skip_all, fields(card = %mask(number), total = basket.total().0))]
    pub async fn pay_secucard(
        &self,
        basket: &Basket,
        number: &str,
        passcode: Option<&str>,
        tendered: Option<Cents>,
    ) -> Result<CompletedSale, SecucardError> {
        let number = number.trim();
        let mut basket = basket.clone();
        basket.card = Some(number.to_string());
        basket.validate()?;
        if let Some(i) = basket
            .lines
            .iter()
            .position(|l| l.kind == LineKind::CardLoad)
        {
            // Loading and paying from one card in one sale is not allowed.
            return Err(BasketError::CardLoad(i + 1).into());
        }
        self.usable_card(number, passcode, CardUse::Pay).await?;
        let sale = self.pay_cash(&basket, tendered).await?;
        info!(receipt = sale.receipt_number, "sale paid with a secucard");
        Ok(sale)
    }

    /// Checks that `number` may be loaded and builds the sale that loads it
    /// with `amount` (paid in cash, or on the terminal).
    #[instrument(skip_all, fields(card = %mask(number), amount = amount.0))]
    pub async fn card_load(&self, number: &str, amount: Cents) -> Result<Basket, SecucardError> {
        let number = number.trim();
        let basket = load_basket(number, amount);
        basket.validate()?;
        if amount <= Cents::ZERO {
            return Err(BasketError::Price(1).into());
        }
        match self.usable_card(number, None, CardUse::Load).await {
            // The passcode was checked on the card's screen (`check_passcode`);
            // the provider holds that for the load and refuses it otherwise.
            Ok(_) | Err(SecucardError::PasscodeRequired { wrong: false }) => Ok(basket),
            Err(e) => Err(e),
        }
    }

    /// Loads `amount` onto the card, paid in cash (`tendered`; `None` = exact).
    pub async fn load_secucard_cash(
        &self,
        number: &str,
        amount: Cents,
        tendered: Option<Cents>,
    ) -> Result<CompletedSale, SecucardError> {
        let basket = self.card_load(number, amount).await?;
        let sale = self.pay_cash(&basket, tendered).await?;
        info!(
            receipt = sale.receipt_number,
            card = %mask(number),
            "secucard loaded in cash"
        );
        Ok(sale)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_number_shows_only_its_last_four_digits() {
        assert_eq!(mask("9276004429942845"), "************2845");
        assert_eq!(mask("123"), "123");
    }

    #[test]
    fn a_passcode_is_digits() {
        assert_eq!(pin("1234"), Some(1234));
        assert_eq!(pin(" 0042 "), Some(42));
        assert_eq!(pin(""), None);
        assert_eq!(pin("12a4"), None);
    }

    fn card(lock: &str, stock: &str) -> Secucard {
        Secucard {
            card_number: "9276000000000011".into(),
            group_name: None,
            customer_name: None,
            balance: Cents(100),
            cash_balance: Cents(100),
            bonus_balance: Cents(0),
            points: 0,
            lock_status: lock.into(),
            stock_status: stock.into(),
            passcode_required: false,
            last_usage: None,
            expiry_date: None,
        }
    }

    #[test]
    fn locked_and_inactive_cards_are_refused_a_stored_one_may_be_loaded() {
        use CardUse::*;
        assert!(check_usable(&card("unlocked", "active"), Pay).is_ok());
        assert!(matches!(
            check_usable(&card("locked", "active"), Load),
            Err(SecucardError::Locked)
        ));
        assert!(matches!(
            check_usable(&card("unlocked", "inactive"), Load),
            Err(SecucardError::Inactive)
        ));
        assert!(matches!(
            check_usable(&card("unlocked", "stored"), Pay),
            Err(SecucardError::Inactive)
        ));
        assert!(check_usable(&card("unlocked", "stored"), Load).is_ok());
    }
}
