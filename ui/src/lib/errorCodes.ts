// Every error code a command can send, in one place: the UI words each one in the
// cashier's language (`error.<code>` in messages/de.ts and messages/en.ts), and a
// test checks this list against the Rust sources and both languages.
//
// The codes the Rust side sends are its `ErrorCode` enum, generated into
// ./generated/contract.ts; the compile-time check at the end holds this list to it,
// both ways.

import type { ErrorCode } from './generated/contract';

export const ERROR_CODES = [
  'already_cancelled',
  'already_printed',
  'article_not_found',
  'auth',
  'bad_answer',
  'bad_file',
  'basket',
  'cancel_in_doubt',
  'card_inactive',
  'card_locked',
  'card_not_found',
  'card_offline',
  'disk_full',
  'export_failed',
  'export_no_closing',
  'export_target_taken',
  'float_locked',
  'cashier_not_found',
  'catalog',
  'ean_taken',
  'group_code_taken',
  'group_not_found',
  'import_has_bad_lines',
  'import_stale',
  'invalid_address_line',
  'invalid_colour',
  'invalid_ean',
  'invalid_input',
  'invalid_pin',
  'invalid_settings',
  'invalid_shop_name',
  'invalid_tax_number',
  'invalid_display_message',
  'invalid_till_id',
  'invalid_vat_id',
  'io',
  'journal',
  'manager_required',
  'label_unit',
  'last_manager',
  'missing_field',
  'no_printer',
  'no_vat_rate',
  'not_a_manager',
  'not_cancellable',
  'not_enough_cash',
  'not_found',
  'not_in_drawer',
  'not_logged_in',
  'not_paid',
  'not_returnable',
  'nothing_to_close',
  'number_taken',
  'offline',
  'outcome_unknown',
  'owner_exists',
  'passcode_required',
  'payment_in_doubt',
  'pin_locked',
  'pin_taken',
  'price_out_of_range',
  'printer_address_public',
  'printer_error',
  'printer_offline',
  'printer_paper_out',
  'switch_card_running',
  'switch_outbox',
  'switch_payment_in_doubt',
  'qr_busy',
  'qr_not_possible',
  'qr_offline',
  'qr_template',
  'qr_timeout',
  'terminal_busy',
  'tse_admin_pin',
  'tse_auth',
  'tse_disabled',
  'tse_not_set_up',
  'tse_puk_needed',
  'tse_puk_wrong',
  'tse_refused',
  'tse_unreachable',
  'too_long',
  'unjournaled',
  'weak_pin',
  'wrong_pin',
  'unknown',
] as const;

/** The provider's own words for the cashier (`error_user`): shown as sent. */
export const PASS_THROUGH_CODES = ['provider'] as const;

/** Why a sale cannot be cancelled (`cancel_blocked_reason`), worded as `journal.blocked.<code>`. */
export const CANCEL_BLOCKED_CODES = ['cancellation', 'cancelling', 'already_cancelled', 'terminal_closed'] as const;

/** `unknown` is the UI's own: what it calls anything that is not a command's error. */
type ListedCode = (typeof ERROR_CODES)[number] | (typeof PASS_THROUGH_CODES)[number];

/** What a command's error carries in `code`; the UI branches on these. */
export type { ErrorCode };
type SentCode = ErrorCode;

// Every code sent is listed, and every code listed is sent: a type error here names the odd one
// ("Type 'true' is not assignable to type '"some_code"'").
type NotListed = Exclude<SentCode, ListedCode>;
type NotSent = Exclude<Exclude<ListedCode, 'unknown'>, SentCode>;
export const EVERY_SENT_CODE_LISTED: [NotListed] extends [never] ? true : NotListed = true;
export const EVERY_LISTED_CODE_SENT: [NotSent] extends [never] ? true : NotSent = true;
