// Money is integer cents. Formatting works on integers only: no float ever holds an amount.

/** 199 → "1,99 €" (German) or "€1.99" (English). */
export function formatCents(cents: number, locale: 'de' | 'en' = 'de'): string {
  if (!Number.isSafeInteger(cents)) throw new Error(`not an amount in cents: ${cents}`);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const euros = Math.floor(abs / 100).toString();
  const rest = (abs % 100).toString().padStart(2, '0');
  const thousands = locale === 'de' ? '.' : ',';
  const decimal = locale === 'de' ? ',' : '.';
  const grouped = euros.replace(/\B(?=(\d{3})+(?!\d))/g, thousands);
  return locale === 'de' ? `${sign}${grouped}${decimal}${rest} €` : `${sign}€${grouped}${decimal}${rest}`;
}

/**
 * Parses what a cashier types ("4,50", "4.50", "450" from the keypad as cents) into cents.
 * Returns null for anything that is not a plain amount.
 */
export function parseAmount(text: string): number | null {
  const t = text.trim().replace(/\s|€/g, '');
  const m = /^(\d{1,7})(?:[.,](\d{1,2}))?$/.exec(t);
  if (!m) return null;
  const euros = Number(m[1]);
  const cents = m[2] === undefined ? 0 : Number(m[2].padEnd(2, '0'));
  return euros * 100 + cents;
}
