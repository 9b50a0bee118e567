import { afterEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { api, errorMessage } from './api';

afterEach(() => clearMocks());

describe('api', () => {
  it('sends the basket and tendered amount to pay_cash', async () => {
    let seen: unknown = null;
    mockIPC((cmd, args) => {
      if (cmd === 'pay_cash') {
        seen = args;
        return { sale_id: 's', receipt_number: 1, transaction_id: 'STX_1', total: 99, receipt_text: 'x' };
      }
    });
    const basket = { lines: [{ article_number: '51', ean: null, text: 'Wasser', quantity: 1, unit_price: 99, vat: 'standard' as const }] };
    const sale = await api.payCash(basket, 500);
    expect(sale.transaction_id).toBe('STX_1');
    expect(seen).toEqual({ basket, tendered: 500 });
  });

  it('passes the command error message to the cashier', async () => {
    mockIPC(() => {
      throw { code: 'offline', message: 'The payment service cannot be reached.' };
    });
    const e = await api.payCash({ lines: [] }, null).catch((e) => e);
    expect(errorMessage(e)).toBe('The payment service cannot be reached.');
  });
});
