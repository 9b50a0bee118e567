//! A sale's receipts as documents, rebuilt from the journal exactly as they
//! were issued (for printing again, the PDF export and the journal screen).

use receipt::Document;
use till::journal::{kind, CANCELLATION_PREFIX, CASH_RECEIPT_PREFIX, RETURN_PREFIX};
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
    if let Some(document) = drawer_document(journal, sale_id, copy)? {
        return Ok(document);
    }
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

/// The slip of a return (`return-<n>`) or of cash in or out (`cash-<n>`),
/// rebuilt with the shop's header in force when it was issued; `None` for
/// any other id.
fn drawer_document(
    journal: &Journal,
    id: &str,
    copy: Copy,
) -> Result<Option<Document>, CommandError> {
    let (entry_kind, number) = match [
        (RETURN_PREFIX, kind::RETURN),
        (CASH_RECEIPT_PREFIX, kind::CASH_RECEIPT),
    ]
    .into_iter()
    .find_map(|(prefix, k)| Some((k, id.strip_prefix(prefix)?.parse::<i64>().ok()?)))
    {
        Some(found) => found,
        None => return Ok(None),
    };
    if copy == Copy::Merchant {
        return Err(CommandError::new(
            ErrorCode::NotFound,
            "A return or a cash receipt has no merchant copy.",
        ));
    }
    let entry = journal
        .entries(Some(entry_kind))?
        .into_iter()
        .find(|e| e.receipt_number == Some(number))
        .ok_or_else(not_found)?;
    let settings = journal.settings_at(entry.seq)?.unwrap_or_default();
    let shop: receipt::ShopHeader =
        serde_json::from_value(settings["shop"].clone()).map_err(|_| not_found())?;
    let till_id = settings["till_id"].as_str().unwrap_or_default();
    let demo = settings["demo"].as_bool().unwrap_or(false);
    let receipt = if entry_kind == kind::RETURN {
        let mut record: till::returns::ReturnRecord =
            serde_json::from_value(entry.body).map_err(|_| not_found())?;
        record.receipt_number = number;
        record.created_at = entry.created_at;
        till::returns::receipt_of(&record, &shop, till_id, demo)
    } else {
        let mut movement: till::cash_movement::CashReceipt =
            serde_json::from_value(entry.body).map_err(|_| not_found())?;
        movement.receipt_number = number;
        movement.created_at = entry.created_at;
        till::cash_movement::slip(&movement, &shop, till_id, demo)
    };
    Ok(Some(Document::receipt(receipt)))
}

/// Why `smart-till receipt-pdf` could not write a receipt.
#[derive(Debug, thiserror::Error)]
pub enum ReceiptPdfError {
    #[error("there is no journal at {0}")]
    NoJournal(String),
    #[error("receipt {0} is not in the journal (its receipts are 1 to {1})")]
    UnknownReceipt(i64, i64),
    #[error("receipt {0} is not in the journal, which holds no receipt yet")]
    NoReceipts(i64),
    #[error("the journal cannot be read: {0}")]
    Journal(String),
    #[error("the PDF could not be made: {0}")]
    Pdf(String),
    #[error("{path} cannot be written: {reason}")]
    Write { path: String, reason: String },
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptPdfWritten {
    pub receipt_number: i64,
    pub bytes: usize,
    /// A cancellation's own receipt (negative amounts).
    pub cancellation: bool,
}

/// Writes receipt `number` of the journal at `journal_path` as an 80 mm PDF
/// to `out`, exactly as it was issued (the command line's `receipt-pdf`).
/// The journal is opened read-only: the till may be running and selling.
pub fn receipt_pdf_from_journal(
    journal_path: &std::path::Path,
    number: i64,
    out: &std::path::Path,
) -> Result<ReceiptPdfWritten, ReceiptPdfError> {
    if !journal_path.exists() {
        return Err(ReceiptPdfError::NoJournal(
            journal_path.display().to_string(),
        ));
    }
    let journal = Journal::open_read_only(journal_path)
        .map_err(|e| ReceiptPdfError::Journal(e.to_string()))?;
    let entries = journal
        .entries(None)
        .map_err(|e| ReceiptPdfError::Journal(e.to_string()))?;
    let listed = [
        kind::SALE,
        kind::CANCELLATION,
        kind::RETURN,
        kind::CASH_RECEIPT,
    ];
    let Some(entry) = entries
        .iter()
        .find(|e| e.receipt_number == Some(number) && listed.contains(&e.kind.as_str()))
    else {
        let last = entries.iter().filter_map(|e| e.receipt_number).max();
        return Err(match last {
            Some(last) => ReceiptPdfError::UnknownReceipt(number, last),
            None => ReceiptPdfError::NoReceipts(number),
        });
    };
    let cancellation = entry.kind == kind::CANCELLATION;
    let sale_id = match entry.kind.as_str() {
        kind::CANCELLATION => format!("{CANCELLATION_PREFIX}{number}"),
        kind::RETURN => format!("{RETURN_PREFIX}{number}"),
        kind::CASH_RECEIPT => format!("{CASH_RECEIPT_PREFIX}{number}"),
        _ => entry.sale_id.clone().unwrap_or_default(),
    };
    let document = sale_document(&journal, &sale_id, Copy::Customer)
        .map_err(|e| ReceiptPdfError::Journal(e.message))?;
    let bytes = receipt::pdf::document_pdf(&document, till::checkout::JOURNAL_RECEIPT_WIDTH)
        .map_err(|e| ReceiptPdfError::Pdf(e.to_string()))?;
    let write_error = |e: std::io::Error| ReceiptPdfError::Write {
        path: out.display().to_string(),
        reason: e.to_string(),
    };
    // Whole or not at all: a script never finds half a PDF under the name.
    let tmp = out.with_extension("pdf.part");
    std::fs::write(&tmp, &bytes).map_err(write_error)?;
    std::fs::rename(&tmp, out).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        write_error(e)
    })?;
    Ok(ReceiptPdfWritten {
        receipt_number: number,
        bytes: bytes.len(),
        cancellation,
    })
}
