import { afterEach, describe, expect, it } from 'vitest';
import { date, dateTime, money, setLanguage, t } from './i18n.svelte';
import { de } from './messages/de';
import { en } from './messages/en';
import { errorText } from './errors';

afterEach(() => setLanguage('de'));

describe('i18n', () => {
  it('writes money and dates as the language does', () => {
    expect(money(199)).toBe('1,99 €');
    expect(date('2026-11-21')).toBe('21.11.2026');
    expect(dateTime('2026-11-21T14:03:00')).toBe('21.11.2026, 14:03');
    setLanguage('en');
    expect(money(199)).toBe('€1.99');
    expect(date('2026-11-21')).toBe('21 Nov 2026');
  });

  it('fills placeholders', () => {
    expect(t('receipt.number', { n: 42 })).toBe('Beleg Nr. 42');
    setLanguage('en');
    expect(t('receipt.number', { n: 42 })).toBe('Receipt no. 42');
  });

  it('has every German message in English too, with the same placeholders', () => {
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(de) as (keyof typeof de)[]) {
      expect(en[key], key).toBeTruthy();
      expect(names(en[key]), key).toEqual(names(de[key]));
    }
  });

  it('turns error codes into words with what to do next, and passes the provider’s words through', () => {
    expect(errorText({ code: 'printer_offline', message: 'io timeout' })).toContain('Kabel prüfen');
    expect(errorText({ code: 'provider', message: 'Karte gesperrt' })).toBe('Karte gesperrt');
    expect(errorText({ code: 'something_new', message: 'Neu.' })).toBe('Neu.');
    setLanguage('en');
    expect(errorText({ code: 'offline', message: 'x' })).toContain('cash sales still work');
  });
});
