//! Secucard calls (`/api/v2/Loyalty/MerchantCards`).

use reqwest::Method;
use tracing::instrument;

use crate::client::{segment, Client, Kind};
use crate::error::Error;
use crate::models::{
    CardValidation, CheckPasscode, MerchantCard, MerchantCardList, PasscodeCheck,
    ValidateMerchantCard,
};

impl Client {
    /// Looks a card up by its number (`GET /Loyalty/MerchantCards?q=card.cardnumber:…`).
    /// `None` when this merchant has no such card.
    #[instrument(skip(self, cardnumber))]
    pub async fn find_merchant_card(
        &self,
        cardnumber: &str,
    ) -> Result<Option<MerchantCard>, Error> {
        // Card numbers are digits (maybe letters); anything else would change the query.
        if cardnumber.is_empty() || !cardnumber.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(Error::NotExecuted(format!(
                "{cardnumber:?} is not a card number"
            )));
        }
        let list: MerchantCardList = self
            .call::<(), _>(
                Kind::Read,
                Method::GET,
                "Loyalty/MerchantCards",
                &[("q", format!("card.cardnumber:{cardnumber}"))],
                None,
                None,
            )
            .await?;
        // The query matches the number; a card that names another one is not it.
        Ok(list
            .data
            .into_iter()
            .find(|card| card.cardnumber().is_none_or(|n| n == cardnumber)))
    }

    /// Reads a merchant card (`GET /Loyalty/MerchantCards/{id}`).
    #[instrument(skip(self))]
    pub async fn get_merchant_card(&self, id: &str) -> Result<MerchantCard, Error> {
        self.call::<(), _>(
            Kind::Read,
            Method::GET,
            &format!("Loyalty/MerchantCards/{}", segment(id)),
            &[],
            None,
            None,
        )
        .await
    }

    /// Whether a card number belongs to a merchant, needs a passcode or is
    /// locked (`POST /Loyalty/MerchantCards/{id}/validateMerchantcard`).
    #[instrument(skip(self, request))]
    pub async fn validate_merchant_card(
        &self,
        id: &str,
        request: &ValidateMerchantCard,
    ) -> Result<CardValidation, Error> {
        // Validation changes nothing, so it may be repeated like a read.
        self.call(
            Kind::Read,
            Method::POST,
            &format!("Loyalty/MerchantCards/{}/validateMerchantcard", segment(id)),
            &[],
            Some(request),
            None,
        )
        .await
    }

    /// Checks the passcode a customer typed (`POST /Loyalty/MerchantCards/{id}/checkPasscode`).
    /// A right passcode lets the card pay or be loaded by the next payment.
    #[instrument(skip(self, request))]
    pub async fn check_passcode(
        &self,
        id: &str,
        request: &CheckPasscode,
    ) -> Result<PasscodeCheck, Error> {
        // Not repeated blindly: the provider may count wrong attempts.
        self.call(
            Kind::Write,
            Method::POST,
            &format!("Loyalty/MerchantCards/{}/checkPasscode", segment(id)),
            &[],
            Some(request),
            None,
        )
        .await
    }
}
