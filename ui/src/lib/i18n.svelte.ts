// German (default) and English. `t()` reads the reactive language, so every template
// that calls it re-renders on a switch.
import type { Language } from './api';
import { formatCents } from './money';
import { de, type MessageKey } from './messages/de';
import { en } from './messages/en';

const dictionaries: Record<Language, Record<MessageKey, string>> = { de, en };

export const i18n = $state<{ lang: Language }>({ lang: 'de' });

export function setLanguage(lang: Language): void {
  i18n.lang = lang;
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
}

/** The message for `key`, with `{name}` placeholders filled in. */
export function t(key: MessageKey | (string & {}), params: Record<string, string | number> = {}): string {
  const k = key as MessageKey;
  const text = dictionaries[i18n.lang][k] ?? de[k] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => (name in params ? String(params[name]) : `{${name}}`));
}

/**
 * A count in words: `<key>.one` for exactly one where the language has it, else
 * `<key>.other` (or `<key>` itself), with `{n}` filled in: "1 Eintrag", "2 Einträge".
 */
export function tn(key: string, n: number, params: Record<string, string | number> = {}): string {
  const one = `${key}.one`;
  const other = `${key}.other`;
  const k = n === 1 && one in de ? one : other in de ? other : key;
  return t(k, { n, ...params });
}

export function hasMessage(key: string): key is MessageKey {
  return key in de;
}

/** Integer cents as the language writes money: 1,99 € / €1.99. */
export function money(cents: number): string {
  return formatCents(cents, i18n.lang);
}

// Dates and times are written by hand, not with Intl.DateTimeFormat: a
// formatter makes WebKit's web process load ICU's formatting code and data
// for three fixed patterns (its ICU pages after start: 2.9 MB, now 1.7).
const pad2 = (n: number) => String(n).padStart(2, '0');
const monthsEn = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The day of a local time: 21.11.2026 / 21 Nov 2026. */
function day(d: Date): string {
  return i18n.lang === 'de'
    ? `${pad2(d.getDate())}.${pad2(d.getMonth() + 1)}.${d.getFullYear()}`
    : `${pad2(d.getDate())} ${monthsEn[d.getMonth()]} ${d.getFullYear()}`;
}

/** A date (ISO 8601 or YYYY-MM-DD) as the language writes it: 21.11.2026 / 21 Nov 2026. */
export function date(iso: string): string {
  const d = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? new Date(`${iso}T12:00:00`) : new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return day(d);
}

/** Date and time: 21.11.2026, 14:03 / 21 Nov 2026, 14:03. */
export function dateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${day(d)}, ${time(d)}`;
}

/** The time of day, 24 hours in both languages: 14:03. */
export function time(d: Date): string {
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** How a day is typed in the language: the search field's hint. */
export function dayPattern(): string {
  return i18n.lang === 'de' ? 'TT.MM.JJJJ' : 'DD/MM/YYYY';
}

/**
 * A day typed as the language writes it (21.11.2026, 21/11/2026; ISO 2026-11-21
 * always) as YYYY-MM-DD; null when it is no real day. Never the OS's locale.
 */
export function parseDay(text: string): string | null {
  const s = text.trim();
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  let [y, mo, d] = m ? [m[1], m[2], m[3]] : ['', '', ''];
  if (!m) {
    m = (i18n.lang === 'de' ? /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/ : /^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$/).exec(s);
    if (!m) return null;
    [d, mo, y] = [m[1], m[2], m[3]];
  }
  const iso = `${y}-${mo.padStart(2, '0')}-${d.padStart(2, '0')}`;
  const check = new Date(`${iso}T12:00:00`);
  if (Number.isNaN(check.getTime()) || check.getDate() !== Number(d) || check.getMonth() + 1 !== Number(mo)) return null;
  return iso;
}
