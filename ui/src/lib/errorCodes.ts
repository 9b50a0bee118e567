// Every error code a command can send, in one place: the UI words each one in the
// cashier's language (`error.<code>` in messages/de.ts and messages/en.ts), and a
// test checks this list against the Rust sources and both languages.

export const ERROR_CODES = [
  'already_cancelled',
  'already_printed',
  'auth',
  'bad_answer',
  'basket',
  'cancel_in_doubt',
  'card_inactive',
  'card_locked',
  'card_not_found',
  'card_offline',
  'invalid_address_line',
  'invalid_input',
  'invalid_settings',
  'invalid_shop_name',
  'invalid_tax_number',
  'invalid_till_id',
  'invalid_vat_id',
  'io',
  'journal',
  'no_printer',
  'not_cancellable',
  'not_enough_cash',
  'not_found',
  'not_paid',
  'nothing_to_close',
  'offline',
  'outcome_unknown',
  'pairing_expired',
  'passcode_required',
  'passcode_wrong',
  'payment_in_doubt',
  'printer_address_public',
  'printer_error',
  'printer_offline',
  'printer_paper_out',
  'switch_card_running',
  'switch_outbox',
  'switch_payment_in_doubt',
  'terminal_busy',
  'terminal_offline',
  'unjournaled',
  'unknown',
] as const;

/** The provider's own words for the cashier (`error_user`): shown as sent. */
export const PASS_THROUGH_CODES = ['provider'] as const;

/** Why a sale cannot be cancelled (`cancel_blocked_reason`), worded as `journal.blocked.<code>`. */
export const CANCEL_BLOCKED_CODES = ['cancellation', 'cancelling', 'already_cancelled', 'terminal_closed'] as const;
