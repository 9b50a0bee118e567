//! Typed models of the provider's JSON.
//!
//! Every model keeps what it does not know in `extra` and re-encodes exactly
//! what it received (see [`codec`]), so that a read-modify-write never drops a
//! field the provider added. Money is integer cents; card numbers are text.

pub mod codec;
mod common;
mod loyalty;
mod oauth;
mod receipt;
mod transaction;

pub use common::*;
pub use loyalty::*;
pub use oauth::*;
pub use receipt::*;
pub use transaction::*;

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

/// Unknown fields, kept as received.
pub type Extra = Map<String, Value>;

/// Accepts `"123"`, `123` or `null` and yields text.
pub fn de_opt_string_or_number<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    let value = Option::<Value>::deserialize(d)?;
    <codec::StrOrNum as codec::Codec<Option<String>>>::decode(value)
        .map_err(serde::de::Error::custom)
}

/// Declares an open set of provider strings: known values as variants, anything
/// else kept in `Other` and written back as received.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this client does not know yet.
            Other(String),
        }

        impl $name {
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $text, )*
                    Self::Other(s) => s,
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $( $text => Self::$variant, )*
                    other => Self::Other(other.to_string()),
                }
            }
        }

        impl $crate::models::codec::FromJson for $name {
            fn from_json(value: serde_json::Value) -> Result<Self, String> {
                match value {
                    serde_json::Value::String(s) => Ok(Self::from(s.as_str())),
                    other => Err(format!("expected a string, got {}", $crate::models::codec::kind(&other))),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        // For the UI: the known values, and any other string the provider may send.
        impl ts_rs::TS for $name {
            type WithoutGenerics = Self;
            type OptionInnerType = Self;
            fn name(_: &ts_rs::Config) -> String {
                stringify!($name).to_owned()
            }
            fn inline(_: &ts_rs::Config) -> String {
                let known: &[&str] = &[$( concat!("\"", $text, "\"") ),*];
                format!("{} | (string & {{}})", known.join(" | "))
            }
            fn decl(cfg: &ts_rs::Config) -> String {
                format!("type {} = {};", stringify!($name), <Self as ts_rs::TS>::inline(cfg))
            }
            fn decl_concrete(cfg: &ts_rs::Config) -> String {
                <Self as ts_rs::TS>::decl(cfg)
            }
            fn output_path() -> Option<std::path::PathBuf> {
                Some(concat!(stringify!($name), ".ts").into())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Ok(Self::from(s.as_str()))
            }
        }
    };
}

pub(crate) use open_enum;
