//! How the sandbox keeps a smart transaction: as a JSON tree while it is new
//! or its payment runs, as its JSON text once it rests.
//!
//! A paid one-article sale is about 7.4 kB as a tree and under 1 kB as text.
//! Inside the till's demo mode the sandbox keeps a day of sales: as text
//! that is a megabyte instead of seven. A rested transaction is read back
//! by parsing its text, and turned into a tree again when it changes.

use std::borrow::Cow;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::state::Transaction;

#[derive(Clone)]
pub(crate) enum Stored {
    Tree(Transaction),
    Text(Box<str>),
}

impl Stored {
    pub(crate) fn new(tx: Transaction) -> Self {
        Stored::Tree(tx)
    }

    /// The transaction, parsed when it rests as text.
    pub(crate) fn get(&self) -> Cow<'_, Transaction> {
        match self {
            Stored::Tree(tx) => Cow::Borrowed(tx),
            Stored::Text(text) => Cow::Owned(parse(text)),
        }
    }

    /// The transaction to change: a tree again from now on.
    pub(crate) fn get_mut(&mut self) -> &mut Transaction {
        if let Stored::Text(text) = self {
            *self = Stored::Tree(parse(text));
        }
        match self {
            Stored::Tree(tx) => tx,
            Stored::Text(_) => unreachable!("turned into a tree above"),
        }
    }

    /// Whether its payment runs (the terminal's answer may still change it).
    pub(crate) fn is_running(&self) -> bool {
        match self {
            Stored::Tree(tx) => tx.doc.get("status").and_then(Value::as_str) == Some("processing"),
            // Only a transaction that does not run is ever put to rest.
            Stored::Text(_) => false,
        }
    }

    /// Keeps it as text from now on, unless its payment runs.
    pub(crate) fn rest(&mut self) {
        if self.is_running() {
            return;
        }
        if let Stored::Tree(tx) = self {
            let text = serde_json::to_string(tx).expect("a transaction is plain JSON");
            *self = Stored::Text(text.into_boxed_str());
        }
    }
}

fn parse(text: &str) -> Transaction {
    serde_json::from_str(text).expect("the text was written from a transaction")
}

// In a state file a transaction is always its JSON object, rested or not.
impl Serialize for Stored {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.get().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Stored {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Transaction::deserialize(deserializer).map(Stored::Tree)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tx(status: &str) -> Transaction {
        let doc = json!({"id": "STX_1", "status": status, "amount": 250, "basket": {"products": [{"desc": "Brot"}]}});
        Transaction {
            doc: doc.as_object().cloned().unwrap(),
            settlement: None,
        }
    }

    #[test]
    fn a_rested_transaction_reads_back_and_changes_as_it_was() {
        let mut stored = Stored::new(tx("ok"));
        let before = serde_json::to_value(&stored).unwrap();
        stored.rest();
        assert!(matches!(stored, Stored::Text(_)));
        assert_eq!(serde_json::to_value(&stored).unwrap(), before);
        assert_eq!(stored.get().doc["basket"]["products"][0]["desc"], "Brot");
        stored
            .get_mut()
            .doc
            .insert("status".into(), json!("cancelled"));
        assert!(matches!(stored, Stored::Tree(_)));
        assert_eq!(stored.get().doc["status"], "cancelled");
    }

    #[test]
    fn a_running_payment_is_never_put_to_rest() {
        let mut stored = Stored::new(tx("processing"));
        stored.rest();
        assert!(matches!(stored, Stored::Tree(_)));
        assert!(stored.is_running());
    }
}
