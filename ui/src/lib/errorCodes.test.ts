import { afterEach, describe, expect, it } from 'vitest';
import { CANCEL_BLOCKED_CODES, ERROR_CODES, PASS_THROUGH_CODES } from './errorCodes';
import { de } from './messages/de';
import { en } from './messages/en';
import { errorText } from './errors';
import { setLanguage, t } from './i18n.svelte';

// The Rust sources, read as text: the codes the commands can send are found there.
const rust = import.meta.glob('../../../src-tauri/src/**/*.rs', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

afterEach(() => setLanguage('de'));

describe('error codes', () => {
  it('lists every code the Rust side sends', () => {
    const sent = new Set<string>();
    for (const text of Object.values(rust)) {
      for (const m of text.matchAll(/(?:CommandError|Self)::new\(\s*"([a-z_]+)"/g)) sent.add(m[1]);
    }
    expect(sent.size).toBeGreaterThan(20);
    const known = new Set<string>([...ERROR_CODES, ...PASS_THROUGH_CODES]);
    expect([...sent].filter((c) => !known.has(c))).toEqual([]);
  });

  it('words every code in German and English, each in its own sentence', () => {
    for (const lang of ['de', 'en'] as const) {
      setLanguage(lang);
      const seen = new Set<string>();
      for (const code of ERROR_CODES) {
        const key = `error.${code}`;
        expect(key in de && key in en, key).toBe(true);
        const text = errorText({ code, message: 'RUST-SIDE-TEXT' });
        expect(text, `${lang} ${code}`).not.toContain('RUST-SIDE-TEXT');
        expect(text, `${lang} ${code}`).toBe((lang === 'de' ? de : en)[key as keyof typeof de]);
        seen.add(text);
      }
      expect(seen.size, lang).toBe(ERROR_CODES.length);
    }
  });

  it('words why a sale cannot be cancelled in both languages, for every reason the Rust side gives', () => {
    const journal = Object.entries(rust).find(([path]) => path.endsWith('commands/journal.rs'))![1];
    const block = journal.slice(journal.indexOf('let blocked ='), journal.indexOf('let (customer_receipt'));
    const reasons = [...block.matchAll(/Some\("([a-z_]+)"\)/g)].map((m) => m[1]);
    expect(reasons.sort()).toEqual([...CANCEL_BLOCKED_CODES].sort());
    for (const code of CANCEL_BLOCKED_CODES) {
      const key = `journal.blocked.${code}`;
      expect(key in de && key in en, key).toBe(true);
      setLanguage('de');
      const german = t(key);
      setLanguage('en');
      expect(t(key)).not.toBe(german);
    }
  });
});
