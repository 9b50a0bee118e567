//! What the customer display shows, kept here and pushed out on every change.
//!
//! The display is a second window facing the customer: idle it shows the
//! shop's name and the owner's message; while the cashier books it shows the
//! basket as it grows and the total; during a payment the amount (and a QR
//! code to pay with, when a payment offers one); after it the amount paid, the
//! change and "Vielen Dank", until the next basket or a few seconds later.
//!
//! The cashier's window reports its basket ([`CustomerDisplay::basket`]); the
//! payment commands report their outcome ([`CustomerDisplay::paid`]). Every
//! change goes to a [`DisplaySink`]: the desktop shell's emits it to the
//! display's window, tests record it.

use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use till::{Basket, Cents, CompletedSale};
use ts_rs::TS;

use crate::error::{CommandError, ErrorCode};
use crate::settings::Language;

/// The event the display's window listens to; its payload is a [`CustomerView`].
pub const EVENT: &str = "customer-view";

/// How long "Vielen Dank" stays before the display goes back to idle.
pub const THANKS_FOR: Duration = Duration::from_secs(8);

/// The longest message the owner can set: two lines on the display.
const MAX_MESSAGE: usize = 120;

/// Where the customer display stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum DisplayPhase {
    /// No sale: the shop's name and message.
    Idle,
    /// The cashier books: the lines and the total.
    Basket,
    /// A payment runs: the amount due (and a QR code, when the payment has one).
    Paying,
    /// Paid: the amount given, the change, "Vielen Dank".
    Paid,
}

/// One basket line as the customer reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct DisplayLine {
    pub text: String,
    pub quantity: i64,
    /// The line's gross amount after its discount.
    pub amount: Cents,
}

/// A code the customer scans to pay with a phone, shown large with its
/// amount and the time left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct QrBlock {
    /// The payment page the code leads to.
    pub link: String,
    pub amount_cents: Cents,
    /// When the link stops working (RFC 3339), for the countdown.
    pub expires_at: String,
    /// The code as SVG, drawn as the receipt's TSE code is.
    pub svg: String,
}

/// Everything the display's window shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CustomerView {
    /// Grows with every change: the window keeps the newest view when an
    /// event and its own question at load cross.
    pub seq: u64,
    pub phase: DisplayPhase,
    pub lines: Vec<DisplayLine>,
    pub total: Cents,
    /// What the customer gave (cash tendered, or the amount paid otherwise).
    pub paid: Option<Cents>,
    /// The change, where cash was given.
    pub change: Option<Cents>,
    pub shop_name: String,
    /// The owner's message on the idle screen.
    pub message: Option<String>,
    pub language: Language,
    pub qr: Option<QrBlock>,
}

/// Where every new view goes: the shell emits it to the display's window.
pub trait DisplaySink: Send + Sync {
    fn show(&self, view: &CustomerView);
}

/// The customer display's settings, kept per machine (`settings.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default, deny_unknown_fields)]
pub struct CustomerDisplaySettings {
    /// The owner's message on the idle screen ("Heute frische Brötchen!").
    pub message: Option<String>,
    /// Opens the display when the till starts (on the remembered monitor,
    /// or on a second one when there is one).
    pub open_at_start: bool,
    /// The monitor the display was placed on last, by its name.
    pub monitor: Option<String>,
}

impl Default for CustomerDisplaySettings {
    fn default() -> Self {
        Self {
            message: None,
            open_at_start: true,
            monitor: None,
        }
    }
}

impl CustomerDisplaySettings {
    /// Trims the message and checks that the display can show it.
    pub fn validated(self) -> Result<Self, CommandError> {
        let message = self
            .message
            .map(|m| m.trim().to_string())
            .filter(|m| !m.is_empty());
        if let Some(m) = &message {
            if m.chars().count() > MAX_MESSAGE || m.chars().any(char::is_control) {
                return Err(CommandError::new(
                    ErrorCode::InvalidDisplayMessage,
                    format!(
                        "The message for the customer display may have at most {MAX_MESSAGE} characters on one line."
                    ),
                ));
            }
        }
        Ok(Self { message, ..self })
    }
}

/// A monitor as the desktop reports it: its name (when it has one) and the
/// position of its top left corner on the desktop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonitorSpot<'a> {
    pub name: Option<&'a str>,
    pub position: (i32, i32),
}

/// Which monitor the display goes to, by index: none with fewer than two
/// monitors (the till's window needs one); the one remembered when it is
/// still there, else the first that is not the primary (the till's).
pub fn pick_monitor(
    monitors: &[MonitorSpot<'_>],
    primary: Option<(i32, i32)>,
    remembered: Option<&str>,
) -> Option<usize> {
    if monitors.len() < 2 {
        return None;
    }
    if let Some(i) = remembered.and_then(|r| monitors.iter().position(|m| m.name == Some(r))) {
        return Some(i);
    }
    monitors
        .iter()
        .position(|m| primary.is_none_or(|p| p != m.position))
}

/// The display's state and its sink.
pub struct CustomerDisplay {
    view: Mutex<CustomerView>,
    sink: RwLock<Option<Arc<dyn DisplaySink>>>,
    thanks_for: Duration,
    /// Itself, for the timer that ends "Vielen Dank".
    me: Weak<CustomerDisplay>,
}

impl CustomerDisplay {
    /// Idle, with the shop's name and message, showing "Vielen Dank" for `thanks_for`.
    pub fn new(
        shop_name: String,
        message: Option<String>,
        language: Language,
        thanks_for: Duration,
    ) -> Arc<Self> {
        Arc::new_cyclic(|me| Self {
            view: Mutex::new(CustomerView {
                seq: 0,
                phase: DisplayPhase::Idle,
                lines: Vec::new(),
                total: Cents::ZERO,
                paid: None,
                change: None,
                shop_name,
                message,
                language,
                qr: None,
            }),
            sink: RwLock::new(None),
            thanks_for,
            me: me.clone(),
        })
    }

    /// From here on every change goes to `sink`; it gets the current view at once.
    pub fn connect(&self, sink: Arc<dyn DisplaySink>) {
        let view = self.view();
        sink.show(&view);
        *self.sink.write().unwrap_or_else(|p| p.into_inner()) = Some(sink);
    }

    /// What the display shows now (the window asks when it loads).
    pub fn view(&self) -> CustomerView {
        self.lock().clone()
    }

    /// The cashier's basket as it stands; `paying`: the payment screen is open.
    /// An empty basket after a payment leaves "Vielen Dank" standing.
    pub fn basket(&self, basket: &Basket, paying: bool) {
        self.change(|v| {
            if basket.lines.is_empty() {
                if v.phase == DisplayPhase::Paid {
                    return false;
                }
                to_idle(v);
                return true;
            }
            v.lines = basket
                .lines
                .iter()
                .map(|l| DisplayLine {
                    text: l.text.clone(),
                    quantity: l.quantity,
                    amount: l.total(),
                })
                .collect();
            v.total = basket.total();
            v.paid = None;
            v.change = None;
            if !paying {
                v.qr = None;
            }
            v.phase = if paying {
                DisplayPhase::Paying
            } else {
                DisplayPhase::Basket
            };
            true
        });
    }

    /// A payment started on the till's side (the terminal, a secucard).
    pub fn paying(&self) {
        self.change(|v| {
            if v.lines.is_empty() {
                return false;
            }
            v.phase = DisplayPhase::Paying;
            true
        });
    }

    /// A payment that did not go through (declined, aborted, failed): the basket again.
    pub fn not_paid(&self) {
        self.change(|v| {
            if v.phase != DisplayPhase::Paying {
                return false;
            }
            v.qr = None;
            v.phase = if v.lines.is_empty() {
                DisplayPhase::Idle
            } else {
                DisplayPhase::Basket
            };
            true
        });
    }

    /// The sale is paid: its lines and total as booked, what was given, the
    /// change and "Vielen Dank", back to idle after a few seconds unless
    /// the next basket comes first.
    pub fn paid(&self, sale: &CompletedSale) {
        let payments = &sale.receipt.payments;
        let given = payments
            .iter()
            .map(|p| Cents(p.tendered_cents.unwrap_or(p.amount_cents)));
        // A sale without payment lines (a provider that sent none) was paid in full.
        let paid = Cents::checked_sum(given)
            .filter(|_| !payments.is_empty())
            .unwrap_or(sale.total);
        let cash_given = payments.iter().any(|p| p.tendered_cents.is_some());
        let change = cash_given.then(|| {
            Cents::checked_sum(payments.iter().map(|p| Cents(p.change_cents.unwrap_or(0))))
                .unwrap_or(Cents::ZERO)
        });
        let mut seq = 0;
        self.change(|v| {
            v.lines = sale
                .receipt
                .lines
                .iter()
                .map(|l| DisplayLine {
                    text: l.text.clone(),
                    quantity: l.quantity,
                    amount: Cents(l.total_cents),
                })
                .collect();
            v.total = sale.total;
            v.paid = Some(paid);
            v.change = change;
            v.qr = None;
            v.phase = DisplayPhase::Paid;
            seq = v.seq + 1;
            true
        });
        self.idle_after_thanks(seq);
    }

    /// Shows a code to pay with (large, with the amount and a countdown);
    /// refused when the link does not fit a QR code.
    pub fn show_qr(
        &self,
        link: &str,
        amount_cents: Cents,
        expires_at: &str,
    ) -> Result<(), CommandError> {
        let svg = receipt::qr::svg(link).ok_or_else(|| {
            CommandError::new(
                ErrorCode::InvalidInput,
                "The payment link is too long for a QR code.",
            )
        })?;
        let qr = QrBlock {
            link: link.to_string(),
            amount_cents,
            expires_at: expires_at.to_string(),
            svg,
        };
        self.change(|v| {
            v.qr = Some(qr);
            v.phase = DisplayPhase::Paying;
            true
        });
        Ok(())
    }

    /// The code is gone (paid, cancelled, expired); the payment screen stays
    /// until its outcome says otherwise.
    pub fn clear_qr(&self) {
        self.change(|v| v.qr.take().is_some());
    }

    /// The shop's name and the owner's message changed in the settings.
    pub fn set_shop(&self, shop_name: String, message: Option<String>) {
        self.change(|v| {
            v.shop_name = shop_name;
            v.message = message;
            true
        });
    }

    pub fn set_language(&self, language: Language) {
        self.change(|v| {
            v.language = language;
            true
        });
    }

    /// After "Vielen Dank" (the view numbered `seq`) has stood for a while,
    /// idle again, unless something changed meanwhile. Without a runtime
    /// (plain tests) it stays until the next basket.
    fn idle_after_thanks(&self, seq: u64) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let me = self.me.clone();
        let wait = self.thanks_for;
        runtime.spawn(async move {
            tokio::time::sleep(wait).await;
            if let Some(display) = me.upgrade() {
                display.change(|v| {
                    if v.seq != seq {
                        return false;
                    }
                    to_idle(v);
                    true
                });
            }
        });
    }

    /// Applies `f`; when it changed something, numbers the view and sends it.
    fn change(&self, f: impl FnOnce(&mut CustomerView) -> bool) {
        let view = {
            let mut view = self.lock();
            if !f(&mut view) {
                return;
            }
            view.seq += 1;
            view.clone()
        };
        let sink = self.sink.read().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(sink) = sink {
            sink.show(&view);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CustomerView> {
        self.view.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn to_idle(v: &mut CustomerView) {
    v.phase = DisplayPhase::Idle;
    v.lines.clear();
    v.total = Cents::ZERO;
    v.paid = None;
    v.change = None;
    v.qr = None;
}

#[cfg(test)]
mod tests;
