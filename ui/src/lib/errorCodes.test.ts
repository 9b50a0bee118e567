import { afterEach, describe, expect, it } from 'vitest';
import { CANCEL_BLOCKED_CODES, ERROR_CODES, PASS_THROUGH_CODES } from './errorCodes';
import { de } from './messages/de';
import { en } from './messages/en';
import { errorText } from './errors';
import { setLanguage, t } from './i18n.svelte';

// The generated contract, read as text: the codes the commands can send are the Rust
// `ErrorCode` enum's, the reasons a sale cannot be cancelled `CancelBlocked`'s.
import contract from './generated/contract.ts?raw';

/** The members of a generated union of strings, by the union's name. */
function union(name: string): string[] {
  const start = contract.indexOf(`export type ${name} =`);
  expect(start, name).toBeGreaterThanOrEqual(0);
  const decl = contract.slice(start, contract.indexOf(';', start));
  return [...decl.matchAll(/"([a-z_]+)"/g)].map((m) => m[1]);
}

afterEach(() => setLanguage('de'));

describe('error codes', () => {
  it('lists every code the Rust side sends', () => {
    const sent = union('ErrorCode');
    expect(sent.length).toBeGreaterThan(20);
    const known = new Set<string>([...ERROR_CODES, ...PASS_THROUGH_CODES]);
    expect(sent.filter((c) => !known.has(c))).toEqual([]);
    expect([...known].filter((c) => c !== 'unknown' && !sent.includes(c))).toEqual([]);
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
    expect(union('CancelBlocked').sort()).toEqual([...CANCEL_BLOCKED_CODES].sort());
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
