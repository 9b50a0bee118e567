//! A sale's receipts as documents, rebuilt from the journal exactly as they
//! were issued (for printing again, the PDF export and the journal screen).

use receipt::Document;
use till::journal::{kind, CANCELLATION_PREFIX};
use till::Journal;

use crate::error::{CommandError, ErrorCode};

/// Which copy of a sale's receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Copy {
    Customer,
    Merchant,
}

impl Copy {
    pub fn parse(copy: &str) -> Result<Self, CommandError> {
        match copy {
            "customer" => Ok(Copy::Customer),
            "merchant" => Ok(Copy::Merchant),
            other => Err(CommandError::new(
                ErrorCode::NotFound,
                format!("There is no \"{other}\" copy of a receipt."),
            )),
        }
    }
}

fn not_found() -> CommandError {
    CommandError::new(ErrorCode::NotFound, "This sale is not in the journal.")
}

/// The document of a sale's receipt, rebuilt from the journal exactly as it was issued.
pub fn sale_document(
    journal: &Journal,
    sale_id: &str,
    copy: Copy,
) -> Result<Document, CommandError> {
    if let Some(number) = sale_id
        .strip_prefix(CANCELLATION_PREFIX)
        .and_then(|n| n.parse::<i64>().ok())
    {
        if copy == Copy::Merchant {
            return Err(CommandError::new(
                ErrorCode::NotFound,
                "A cancellation has no merchant copy.",
            ));
        }
        let entry = journal
            .entries(Some(kind::CANCELLATION))?
            .into_iter()
            .find(|e| e.receipt_number == Some(number))
            .ok_or_else(not_found)?;
        let original = entry.body["cancels_receipt"]
            .as_i64()
            .ok_or_else(not_found)?;
        let record = journal.sale_by_receipt(original)?;
        let original = till::receipt_doc::rebuild(&record).ok_or_else(not_found)?;
        let issued_at = chrono::DateTime::parse_from_rfc3339(&entry.created_at)
            .map(|t| t.with_timezone(&chrono::Local))
            .unwrap_or_else(|_| chrono::Local::now());
        let tse: Option<till::TseRecord> = serde_json::from_value(entry.body["tse"].clone())
            .ok()
            .flatten();
        return Ok(Document::receipt(till::receipt_doc::cancellation(
            &original,
            number as u64,
            issued_at,
            tse.as_ref(),
        )));
    }
    let number = journal
        .entries(Some(kind::SALE))?
        .into_iter()
        .find(|e| e.sale_id.as_deref() == Some(sale_id))
        .and_then(|e| e.receipt_number)
        .ok_or_else(not_found)?;
    let record = journal.sale_by_receipt(number)?;
    let receipt = till::receipt_doc::rebuild(&record).ok_or_else(not_found)?;
    match copy {
        Copy::Customer => Ok(Document::receipt(receipt)),
        Copy::Merchant => {
            let stored = record.paid.merchant_receipt.as_ref().ok_or_else(|| {
                CommandError::new(ErrorCode::NotFound, "This sale has no merchant copy.")
            })?;
            let provider_lines =
                serde_json::from_value(stored.received.clone()).unwrap_or_default();
            Ok(Document::MerchantCopy(receipt::MerchantCopy {
                shop: receipt.shop,
                till_id: receipt.till_id,
                receipt_number: receipt.receipt_number,
                issued_at: receipt.issued_at,
                provider_lines,
                demo: receipt.demo,
                duplicate: false,
            }))
        }
    }
}
