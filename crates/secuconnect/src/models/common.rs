//! Pieces shared by several objects: references, contacts, timestamps.

use std::fmt;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::codec::model;

model! {
    /// `{object, id}` and whatever else a reference carries (e.g. `companyname`).
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct ObjectRef {
        object: Option<String> = "object",
        id: Option<String> = "id",
    }
}

impl ObjectRef {
    pub fn id(id: impl Into<String>) -> Self {
        Self {
            id: Some(id.into()),
            ..Self::default()
        }
    }

    /// The merchant's name on a `general.merchants` reference.
    pub fn companyname(&self) -> Option<&str> {
        self.extra.get("companyname").and_then(|v| v.as_str())
    }
}

model! {
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct Address {
        street: Option<String> = "street",
        street_number: Option<String> = "street_number",
        additional_address_data: Option<String> = "additional_address_data",
        postal_code: Option<String> = "postal_code",
        city: Option<String> = "city",
        country: Option<String> = "country",
    }
}

model! {
    /// A person's contact details. `dob` is a date in requests and a timestamp
    /// in answers, so it stays text.
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct Contact {
        name: Option<String> = "name",
        salutation: Option<String> = "salutation",
        title: Option<String> = "title",
        forename: Option<String> = "forename",
        surname: Option<String> = "surname",
        companyname: Option<String> = "companyname",
        email: Option<String> = "email",
        phone: Option<String> = "phone",
        mobile: Option<String> = "mobile",
        dob: Option<String> = "dob",
        address: Option<Address> = "address",
    }
}

model! {
    /// A payment customer (`payment.customers`, `PCU_…`).
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct Customer {
        object: Option<String> = "object",
        id: Option<String> = "id",
        contact: Option<Contact> = "contact",
        created: Option<Timestamp> = "created",
        updated: Option<Timestamp> = "updated",
    }
}

/// A provider timestamp with its UTC offset (`2020-09-22T13:53:44+02:00`).
/// The text is kept as received so that it re-encodes unchanged.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Timestamp {
    raw: String,
    at: DateTime<FixedOffset>,
}

impl Timestamp {
    /// Parses RFC 3339 and the provider's `YYYY-MM-DD hh:mm:ss±hh:mm` variant.
    pub fn parse(text: &str) -> Result<Self, chrono::ParseError> {
        let at = DateTime::parse_from_rfc3339(text)
            .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%:z"))
            .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%z"))?;
        Ok(Self {
            raw: text.to_string(),
            at,
        })
    }

    pub fn from_datetime(at: DateTime<FixedOffset>) -> Self {
        Self {
            raw: at.to_rfc3339(),
            at,
        }
    }

    /// The instant, with the offset it was given in.
    pub fn at(&self) -> DateTime<FixedOffset> {
        self.at
    }

    pub fn as_str(&self) -> &str {
        &self.raw
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Timestamp::parse(&text)
            .map_err(|e| serde::de::Error::custom(format!("timestamp {text:?}: {e}")))
    }
}
