// Why a line of an article list (CSV) cannot be imported: the Rust side sends
// typed reasons (`LineProblem`, with the column's value and the other line),
// the UI words them in the shop's language as `import.problem.<problem>` (an
// EAN's own fault as `import.ean.<problem>`). A test holds these lists to the
// generated contract and to both languages.
import type { CodeError, LineProblem } from './generated/contract';
import { t } from './i18n.svelte';

export const LINE_PROBLEMS = [
  'missing_number',
  'number_too_long',
  'missing_text',
  'text_too_long',
  'price_not_a_number',
  'price_too_large',
  'unknown_vat',
  'no_vat',
  'unknown_group',
  'invalid_ean',
  'label_unit',
  'unknown_unit',
  'not_yes_no',
  'duplicate_number',
  'duplicate_ean_in_file',
  'ean_of_other_article',
] as const satisfies readonly LineProblem['problem'][];

export const EAN_PROBLEMS = ['not_an_ean', 'check_digit', 'value_check_digit'] as const satisfies readonly CodeError['problem'][];

/** One reason in words, with its details filled in. */
export function problemText(p: LineProblem): string {
  if (p.problem === 'invalid_ean') {
    const { problem, ...details } = p.error;
    return t(`import.ean.${problem}`, details);
  }
  const { problem, ...details } = p;
  return t(`import.problem.${problem}`, details);
}

// Every reason sent is listed: a type error here names the one missing.
type NotListed = Exclude<LineProblem['problem'], (typeof LINE_PROBLEMS)[number]>;
export const EVERY_PROBLEM_LISTED: [NotListed] extends [never] ? true : NotListed = true;
type EanNotListed = Exclude<CodeError['problem'], (typeof EAN_PROBLEMS)[number]>;
export const EVERY_EAN_PROBLEM_LISTED: [EanNotListed] extends [never] ? true : EanNotListed = true;
