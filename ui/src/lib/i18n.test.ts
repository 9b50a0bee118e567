import { afterEach, describe, expect, it } from 'vitest';
import { date, dateTime, money, parseDay, setLanguage, t, time, tn } from './i18n.svelte';
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

  it('writes days and times in the patterns the UI always used (no Intl formatter behind them)', () => {
    expect(date('2026-03-05')).toBe('05.03.2026');
    expect(dateTime('2026-12-03T00:05:00')).toBe('03.12.2026, 00:05');
    expect(time(new Date(2026, 0, 9, 7, 4))).toBe('07:04');
    expect(date('kein Datum')).toBe('kein Datum');
    setLanguage('en');
    expect(date('2026-03-05')).toBe('05 Mar 2026');
    expect(dateTime('2026-11-21T14:03:00')).toBe('21 Nov 2026, 14:03');
    expect(dateTime('2026-01-31T23:59:00')).toBe('31 Jan 2026, 23:59');
    expect(time(new Date(2026, 0, 9, 19, 30))).toBe('19:30');
  });

  it('reads a typed day as the app\'s language writes it, whatever the OS says', () => {
    expect(parseDay('02.12.2026')).toBe('2026-12-02');
    expect(parseDay('2.12.2026')).toBe('2026-12-02');
    expect(parseDay('2026-12-02')).toBe('2026-12-02');
    expect(parseDay('12/02/2026')).toBeNull();
    expect(parseDay('31.02.2026')).toBeNull();
    setLanguage('en');
    expect(parseDay('02/12/2026')).toBe('2026-12-02');
  });

  it('counts in the singular for one', () => {
    expect(tn('journal.count', 1)).toBe('1 Eintrag');
    expect(tn('journal.count', 2)).toBe('2 Einträge');
    expect(tn('closing.cancellations', 1)).toBe('1 Storno');
    expect(tn('closing.terminalResult', 1, { count: 1, amount: '5,00 €' })).toBe('Terminal: 1 Zahlung, 5,00 €');
    setLanguage('en');
    expect(tn('closing.sales', 1)).toBe('1 sale');
    expect(tn('closing.sales', 3)).toBe('3 sales');
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
