// A scripted backend for component tests: mockIPC with per-command handlers and a call log.
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import type { Article, TillStatus } from '../lib/api';
import { resetSession } from '../lib/session.svelte';
import { nav } from '../lib/nav.svelte';
import { clearBanner } from '../lib/banner.svelte';
import { setLanguage } from '../lib/i18n.svelte';
import { status } from '../lib/status.svelte';

export type Handler = (args: Record<string, unknown>) => unknown;

export const articles: Article[] = [
  { article_number: '30037', ean: null, text: 'Sandwich Romano', price: 349, vat: 'reduced' },
  { article_number: '51', ean: '4999012345678', text: 'Wasser 0,25 l', price: 99, vat: 'standard' },
];

export const onlineStatus: TillStatus = {
  online: true,
  environment: 'demo',
  demo: true,
  outbox_pending: 0,
  outbox_failed: 0,
  last_sync: null,
  printer: { state: 'ready', name: 'Bondrucker', message: null, unprinted: [], offered: [] },
  pending_card_payment: false,
  journal_problem: null,
};

export interface Backend {
  calls: { cmd: string; args: Record<string, unknown> }[];
  called: (cmd: string) => Record<string, unknown>[];
}

/** Installs handlers; commands without one fail like an unknown command would. */
export function backend(handlers: Record<string, Handler>): Backend {
  const calls: Backend['calls'] = [];
  const base: Record<string, Handler> = {
    app_info: () => ({ version: '0.1.0', demo: true, shop_name: 'Testladen', till_id: 'KASSE-1' }),
    articles: () => articles,
    till_status: () => onlineStatus,
    settings: () => {
      throw { code: 'not_found', message: 'no settings' };
    },
  };
  const all = { ...base, ...handlers };
  mockIPC(async (cmd, payload) => {
    const args = (payload ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    const h = all[cmd];
    if (!h) throw { code: 'unknown_command', message: `no handler for ${cmd}` };
    return h(args);
  });
  return { calls, called: (cmd) => calls.filter((c) => c.cmd === cmd).map((c) => c.args) };
}

/** Every test starts from a fresh till: empty sale, sale screen, German, no banner. */
export function resetTill(): void {
  clearMocks();
  resetSession();
  nav.screen = 'sale';
  nav.locked = false;
  clearBanner();
  setLanguage('de');
  status.till = null;
  status.info = null;
  status.reachable = true;
}

/** A promise the test resolves when it wants the pretend backend to answer. */
export function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
