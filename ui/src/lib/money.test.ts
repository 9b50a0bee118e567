import { describe, expect, it } from 'vitest';
import { formatCents, parseAmount } from './money';

describe('formatCents', () => {
  it('writes German amounts', () => {
    expect(formatCents(199)).toBe('1,99 €');
    expect(formatCents(5)).toBe('0,05 €');
    expect(formatCents(123456)).toBe('1.234,56 €');
    expect(formatCents(-50)).toBe('-0,50 €');
  });
  it('writes English amounts', () => {
    expect(formatCents(123456, 'en')).toBe('€1,234.56');
  });
  it('refuses a float', () => {
    expect(() => formatCents(1.5)).toThrow();
  });
});

describe('parseAmount', () => {
  it('reads what a cashier types', () => {
    expect(parseAmount('20')).toBe(2000);
    expect(parseAmount('4,5')).toBe(450);
    expect(parseAmount('4.50 €')).toBe(450);
    expect(parseAmount('0,99')).toBe(99);
  });
  it('rejects nonsense', () => {
    expect(parseAmount('')).toBeNull();
    expect(parseAmount('abc')).toBeNull();
    expect(parseAmount('1,999')).toBeNull();
    expect(parseAmount('-5')).toBeNull();
  });
});
