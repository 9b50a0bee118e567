import { afterEach, describe, expect, it } from 'vitest';
import { EAN_PROBLEMS, LINE_PROBLEMS, problemText } from './lineProblems';
import type { LineProblem } from './generated/contract';
import { de } from './messages/de';
import { en } from './messages/en';
import { setLanguage } from './i18n.svelte';
import contract from './generated/contract.ts?raw';

/** The tags of a generated union tagged by `problem`, by the union's name. */
function tags(name: string): string[] {
  const start = contract.indexOf(`export type ${name} =`);
  expect(start, name).toBeGreaterThanOrEqual(0);
  const decl = contract.slice(start, contract.indexOf(';', start));
  return [...decl.matchAll(/"problem": "([a-z_]+)"/g)].map((m) => m[1]);
}

afterEach(() => setLanguage('de'));

describe('why a CSV line is bad', () => {
  it('lists every reason the Rust side sends, and no other', () => {
    expect(tags('LineProblem').sort()).toEqual([...LINE_PROBLEMS].sort());
    expect(tags('CodeError').sort()).toEqual([...EAN_PROBLEMS].sort());
  });

  it('words every reason in German and English, each its own, with no placeholder left', () => {
    const keys = [...LINE_PROBLEMS.map((p) => `import.problem.${p}`), ...EAN_PROBLEMS.map((p) => `import.ean.${p}`)];
    for (const key of keys) {
      expect(key in de, `de ${key}`).toBe(true);
      expect(key in en, `en ${key}`).toBe(true);
      expect(de[key as keyof typeof de], key).not.toBe(en[key as keyof typeof en]);
    }
    expect(new Set(keys.map((k) => de[k as keyof typeof de])).size).toBe(keys.length);
    expect(new Set(keys.map((k) => en[k as keyof typeof en])).size).toBe(keys.length);
  });

  it('fills in the column, the value and the other line', () => {
    const price: LineProblem = { problem: 'price_not_a_number', value: 'zwei' };
    const twice: LineProblem = { problem: 'duplicate_ean_in_file', ean: '4006381333931', line: 4 };
    const ean: LineProblem = { problem: 'invalid_ean', error: { problem: 'check_digit', code: '4006381333932', expected: 1 } };
    const yesNo: LineProblem = { problem: 'not_yes_no', column: 'Aktiv', value: 'vielleicht' };
    expect(problemText(price)).toBe('Preis „zwei“ ist keine Zahl wie 2,50');
    expect(problemText(twice)).toBe('EAN 4006381333931 steht auch in Zeile 4');
    expect(problemText(ean)).toBe('EAN 4006381333932: Prüfziffer falsch (richtig wäre 1)');
    expect(problemText(yesNo)).toBe('Spalte Aktiv: „vielleicht“ ist nicht ja oder nein');
    setLanguage('en');
    expect(problemText(price)).toBe('the price "zwei" is not a number like 2,50');
    expect(problemText(ean)).toBe('the EAN 4006381333932 has a wrong check digit (it should be 1)');
    for (const text of [price, twice, ean, yesNo].map(problemText)) expect(text).not.toMatch(/[{}]/);
  });
});
