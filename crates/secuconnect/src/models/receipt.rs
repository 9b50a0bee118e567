//! Receipt lines as the provider sends them (`receipt`, `receipt_merchant`).

use serde_json::Value;

use super::codec::model;
use super::open_enum;

open_enum! {
    pub enum ReceiptLineType {
        /// A centred headline (`value.caption`), or a rule without caption.
        Separator = "separator",
        /// `value.text`.
        Textline = "textline",
        /// `value.name` left, `value.value` right.
        NameValue = "name-value",
        /// A blank line.
        Space = "space",
    }
}

model! {
    /// One receipt line: `{type, value}`, kept verbatim for the journal.
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct ReceiptLine {
        kind: String = "type",
        value: Value = "value",
    }
}

impl ReceiptLine {
    pub fn line_type(&self) -> ReceiptLineType {
        ReceiptLineType::from(self.kind.as_str())
    }

    fn field(&self, name: &str) -> Option<&str> {
        self.value.get(name).and_then(Value::as_str)
    }

    pub fn caption(&self) -> Option<&str> {
        self.field("caption")
    }

    pub fn text(&self) -> Option<&str> {
        self.field("text")
    }

    /// The left part of a `name-value` line.
    pub fn name(&self) -> Option<&str> {
        self.field("name")
    }

    /// The right part of a `name-value` line.
    pub fn value_text(&self) -> Option<&str> {
        self.field("value")
    }

    /// Subset of `important`, `align-left`, `align-center`, `align-right`.
    pub fn decoration(&self) -> Vec<&str> {
        self.value
            .get("decoration")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }
}

model! {
    /// A whole receipt as some provider answers carry it: `{header[], body[]}`.
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct ReceiptDocument {
        header: Vec<ReceiptLine> = "header",
        body: Vec<ReceiptLine> = "body",
    }
}
