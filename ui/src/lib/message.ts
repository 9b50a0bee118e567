// A message on screen is kept as what it says — a message key with its parameters, or an
// error as the command sent it — and worded only when shown: a language switch re-words
// every message already on screen, not just the ones that come after it.
import { errorText } from './errors';
import { money, t } from './i18n.svelte';

export type Message =
  /** `t(key, params)`; a parameter may itself be a message (a reason, an amount). */
  | { key: string; params?: Record<string, Param> }
  /** A failure as the command sent it: its code worded in the language shown. */
  | { error: unknown }
  /** Integer cents as the language writes money. */
  | { money: number }
  /** Words that are not the UI's (a file path, the provider's text): shown as they are. */
  | { text: string }
  /** Several messages in a row. */
  | { all: Message[]; sep: string };

export type Param = string | number | Message;

export const msg = (key: string, params?: Record<string, Param>): Message => ({ key, params });
export const failure = (error: unknown): Message => ({ error });
export const amount = (cents: number): Message => ({ money: cents });
export const joined = (sep: string, ...all: Message[]): Message => ({ all, sep });

export function isMessage(m: unknown): m is Message {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as Record<string, unknown>;
  return typeof o.key === 'string' || 'error' in o || typeof o.money === 'number' || typeof o.text === 'string' || Array.isArray(o.all);
}

/** The message in the language shown now; called in the template, so it follows a switch. */
export function say(m: Message | null | undefined): string {
  if (!m) return '';
  if ('key' in m) {
    const params: Record<string, string | number> = {};
    for (const [name, p] of Object.entries(m.params ?? {})) params[name] = typeof p === 'object' ? say(p) : p;
    return t(m.key, params);
  }
  if ('error' in m) return errorText(m.error);
  if ('money' in m) return money(m.money);
  if ('text' in m) return m.text;
  return m.all.map(say).join(m.sep);
}
