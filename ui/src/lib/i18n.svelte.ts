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

export function hasMessage(key: string): key is MessageKey {
  return key in de;
}

/** Integer cents as the language writes money: 1,99 € / €1.99. */
export function money(cents: number): string {
  return formatCents(cents, i18n.lang);
}

const tags: Record<Language, string> = { de: 'de-DE', en: 'en-GB' };

/** A date (ISO 8601 or YYYY-MM-DD) as the language writes it: 21.11.2026 / 21 Nov 2026. */
export function date(iso: string): string {
  const d = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? new Date(`${iso}T12:00:00`) : new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(tags[i18n.lang], { day: '2-digit', month: i18n.lang === 'de' ? '2-digit' : 'short', year: 'numeric' }).format(d);
}

/** Date and time: 21.11.2026, 14:03 / 21 Nov 2026, 14:03. */
export function dateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(tags[i18n.lang], {
    day: '2-digit',
    month: i18n.lang === 'de' ? '2-digit' : 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(d);
}

export function time(d: Date): string {
  return new Intl.DateTimeFormat(tags[i18n.lang], { hour: '2-digit', minute: '2-digit' }).format(d);
}
