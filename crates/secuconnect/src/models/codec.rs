//! Lossless decoding of the provider's objects.
//!
//! The provider adds fields over time, sends `null` for fields it has no value
//! for and writes some numbers sometimes as strings. A till reads a transaction,
//! changes it and sends it back, so every model must re-encode exactly what it
//! received. The [`model!`] macro generates structs whose `Deserialize` keeps
//! unknown fields in `extra` and, for a known field whose typed value cannot
//! reproduce the original (an explicit `null`, a number decoded as text, a
//! value equal to the default), the original too; `Serialize` writes that
//! original back as long as the typed value was not changed.

use serde_json::Value;

use super::Timestamp;

/// Reads a typed value out of an owned JSON value, moving strings and maps
/// instead of copying them (a nested model takes its map as it is).
pub trait FromJson: Sized {
    fn from_json(value: Value) -> Result<Self, String>;
}

macro_rules! from_json_via_serde {
    ($($t:ty),*) => {$(
        impl FromJson for $t {
            fn from_json(value: Value) -> Result<Self, String> {
                <$t as serde::Deserialize>::deserialize(value).map_err(|e| e.to_string())
            }
        }
    )*};
}

from_json_via_serde!(i64, u64, bool, String, Timestamp);

/// What a JSON value is, for error messages that must not echo it.
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl FromJson for Value {
    fn from_json(value: Value) -> Result<Self, String> {
        Ok(value)
    }
}

impl<T: FromJson> FromJson for Option<T> {
    fn from_json(value: Value) -> Result<Self, String> {
        match value {
            Value::Null => Ok(None),
            v => T::from_json(v).map(Some),
        }
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: Value) -> Result<Self, String> {
        match value {
            Value::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| T::from_json(v).map_err(|e| format!("[{i}]: {e}")))
                .collect(),
            other => Err(format!("expected an array, got {}", kind(&other))),
        }
    }
}

/// How one field is read from its JSON value (`None` = the key is missing).
pub trait Codec<T> {
    /// True when `to_value(decode(v)) == v` for every value that decodes, so no
    /// comparison is needed to know whether the original must be kept.
    const EXACT: bool;
    fn decode(value: Option<Value>) -> Result<T, String>;
}

/// Missing or `null` → the type's default.
pub struct Opt;

impl<T: FromJson + Default> Codec<T> for Opt {
    const EXACT: bool = true;
    fn decode(value: Option<Value>) -> Result<T, String> {
        match value {
            None | Some(Value::Null) => Ok(T::default()),
            Some(v) => T::from_json(v),
        }
    }
}

/// Must be present (may be `null` only where the type accepts it).
pub struct Req;

impl<T: FromJson> Codec<T> for Req {
    const EXACT: bool = true;
    fn decode(value: Option<Value>) -> Result<T, String> {
        match value {
            None => Err("missing".into()),
            Some(v) => T::from_json(v),
        }
    }
}

/// `"123"`, `123` or `null` → text; the original form is kept for re-encoding.
pub struct StrOrNum;

impl Codec<Option<String>> for StrOrNum {
    const EXACT: bool = false;
    fn decode(value: Option<Value>) -> Result<Option<String>, String> {
        match value {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(other) => Err(format!(
                "expected a string or a number, got {}",
                kind(&other)
            )),
        }
    }
}

/// A copy of the original kept for the decision after decoding: values that
/// may decode to the type's default (null, false, 0, "", [] and {}), which the
/// encoder would otherwise leave out, and anything a lossy codec reads. All
/// other values are moved into the typed field without a copy.
pub fn spare<T, C: Codec<T>>(raw: &Value) -> Option<Value> {
    let default_like = match raw {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
    };
    (default_like || !C::EXACT).then(|| raw.clone())
}

/// The original to keep next to the typed value, if the typed value cannot
/// reproduce it.
pub fn to_keep<T, C>(typed: &T, spare: Option<Value>) -> Option<Value>
where
    T: PartialEq + serde::Serialize,
    C: Codec<T>,
{
    // Equal to the missing-key value: the encoder would leave the key out.
    if matches!(C::decode(None), Ok(ref d) if d == typed) {
        // An exact codec re-encodes to the original, so this is only a fallback.
        return spare.or_else(|| serde_json::to_value(typed).ok());
    }
    if C::EXACT {
        return None;
    }
    let spare = spare?;
    (serde_json::to_value(typed).ok().as_ref() != Some(&spare)).then_some(spare)
}

/// What to write for a field: the kept original if the typed value is unchanged,
/// nothing if the typed value means "missing", else the typed value.
pub fn encode<T, C>(typed: &T, kept: Option<&Value>) -> Result<Option<Value>, serde_json::Error>
where
    T: PartialEq + serde::Serialize,
    C: Codec<T>,
{
    if let Some(raw) = kept {
        if matches!(C::decode(Some(raw.clone())), Ok(ref d) if d == typed) {
            return Ok(Some(raw.clone()));
        }
    }
    if matches!(C::decode(None), Ok(ref d) if d == typed) {
        return Ok(None);
    }
    serde_json::to_value(typed).map(Some)
}

/// Declares a model: a struct with the listed fields plus `extra`, and the
/// lossless `Serialize`/`Deserialize` described in the module docs.
///
/// Each field is `name: Type = "json key"` with an optional `as Codec`
/// (default [`Opt`]).
macro_rules! model {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[$fmeta:meta])*
                $field:ident : $ty:ty = $key:literal $(as $codec:ident)?
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
            /// Fields this model does not know, and originals of known fields
            /// that the typed value cannot reproduce; written back unchanged.
            pub extra: $crate::models::Extra,
        }

        impl $name {
            /// The JSON keys this model types.
            pub const KNOWN_KEYS: &'static [&'static str] = &[$($key),*];
        }

        impl $name {
            fn from_map(mut map: $crate::models::Extra) -> Result<Self, String> {
                $(
                    let raw = map.remove($key);
                    let present = raw.is_some();
                    let spare = raw.as_ref().and_then($crate::models::codec::spare::<$ty, $crate::models::codec::model!(@codec $($codec)?)>);
                    let $field: $ty = <$crate::models::codec::model!(@codec $($codec)?) as $crate::models::codec::Codec<$ty>>::decode(raw)
                        .map_err(|e| format!("{}.{}: {}", stringify!($name), $key, e))?;
                    if present {
                        if let Some(kept) = $crate::models::codec::to_keep::<$ty, $crate::models::codec::model!(@codec $($codec)?)>(&$field, spare) {
                            map.insert($key.to_string(), kept);
                        }
                    }
                )*
                Ok(Self { $($field,)* extra: map })
            }
        }

        impl $crate::models::codec::FromJson for $name {
            fn from_json(value: serde_json::Value) -> Result<Self, String> {
                match value {
                    serde_json::Value::Object(map) => Self::from_map(map),
                    other => Err(format!("expected an object, got {}", $crate::models::codec::kind(&other))),
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let map = <$crate::models::Extra as serde::Deserialize>::deserialize(d)?;
                Self::from_map(map).map_err(serde::de::Error::custom)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut out = $crate::models::Extra::new();
                $(
                    if let Some(v) = $crate::models::codec::encode::<$ty, $crate::models::codec::model!(@codec $($codec)?)>(&self.$field, self.extra.get($key))
                        .map_err(serde::ser::Error::custom)?
                    {
                        out.insert($key.to_string(), v);
                    }
                )*
                for (k, v) in &self.extra {
                    if !Self::KNOWN_KEYS.contains(&k.as_str()) {
                        out.insert(k.clone(), v.clone());
                    }
                }
                serde::Serialize::serialize(&out, s)
            }
        }
    };
    (@codec) => { $crate::models::codec::Opt };
    (@codec $codec:ident) => { $crate::models::codec::$codec };
}

pub(crate) use model;
