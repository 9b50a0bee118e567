import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import JournalScreen from './JournalScreen.svelte';
import type { JournalEntry, SaleDetail } from '../lib/api';
import { backend, resetTill } from '../test/backend';

beforeEach(resetTill);
afterEach(cleanup);

const entry = (n: number, total: number, over: Partial<JournalEntry> = {}): JournalEntry => ({
  sale_id: `sale-${n}`,
  receipt_number: n,
  issued_at: '2026-11-20T10:15:00+01:00',
  total,
  methods: ['card'],
  state: 'paid',
  cancels_sale_id: null,
  cancelled_by_sale_id: null,
  synced: true,
  ...over,
});

const detail = (e: JournalEntry, over: Partial<SaleDetail> = {}): SaleDetail => ({
  ...e,
  lines: [],
  payments: [],
  transaction_id: 'STX_9',
  customer_receipt: `Kundenbeleg ${e.receipt_number}`,
  merchant_receipt: `Händlerbeleg ${e.receipt_number}`,
  can_cancel: true,
  cancel_blocked_reason: null,
  z_number: null,
  ...over,
});

describe('journal', () => {
  it('searches by receipt number, amount and date', async () => {
    const b = backend({
      journal_search: (a) => {
        const all = [entry(12, 1250), entry(13, 499)];
        const hits = all.filter((e) => (a.receiptNumber == null || e.receipt_number === a.receiptNumber) && (a.amount == null || e.total === a.amount));
        return { total_count: hits.length, entries: hits };
      },
    });
    render(JournalScreen);
    await waitFor(() => expect(screen.getAllByTestId('journal-row')).toHaveLength(2));

    await fireEvent.input(screen.getByTestId('search-amount'), { target: { value: '12,50' } });
    await fireEvent.input(screen.getByTestId('search-date'), { target: { value: '20.11.2026' } });
    await fireEvent.click(screen.getByTestId('search'));
    await waitFor(() => expect(screen.getAllByTestId('journal-row')).toHaveLength(1));
    expect(screen.getByTestId('journal-row').textContent).toContain('12,50 €');
    expect(b.called('journal_search').at(-1)).toEqual({ receiptNumber: null, amount: 1250, date: '2026-11-20', offset: 0, limit: 50 });

    await fireEvent.input(screen.getByTestId('search-amount'), { target: { value: '' } });
    await fireEvent.input(screen.getByTestId('search-receipt'), { target: { value: '13' } });
    await fireEvent.click(screen.getByTestId('search'));
    await waitFor(() => expect(screen.getByTestId('journal-row').textContent).toContain('4,99 €'));
    expect(b.called('journal_search').at(-1)).toMatchObject({ receiptNumber: 13, amount: null });
  });

  it('refuses a search it cannot read without asking the backend', async () => {
    const b = backend({ journal_search: () => ({ total_count: 0, entries: [] }) });
    render(JournalScreen);
    await waitFor(() => expect(b.called('journal_search')).toHaveLength(1));
    await fireEvent.input(screen.getByTestId('search-amount'), { target: { value: 'zwölf' } });
    await fireEvent.click(screen.getByTestId('search'));
    expect((await screen.findByTestId('journal-error')).textContent).toContain('Betrag wie 12,50');
    expect(b.called('journal_search')).toHaveLength(1);
  });

  it('opens a sale with both receipts, cancels it and reprints', async () => {
    let cancelled = false;
    const e = entry(12, 1250);
    const b = backend({
      journal_search: () => ({ total_count: 1, entries: [cancelled ? { ...e, state: 'cancelled' } : e] }),
      journal_sale: () => detail(cancelled ? { ...e, state: 'cancelled' } : e, { can_cancel: !cancelled }),
      cancel_sale: () => {
        cancelled = true;
        return { sale_id: 'sale-14', receipt_number: 14, transaction_id: 'STX_9', total: -1250, receipt_text: 'Storno' };
      },
      reprint_receipt: () => null,
    });
    render(JournalScreen);
    await fireEvent.click(await screen.findByTestId('journal-row'));
    expect((await screen.findByTestId('detail-customer-receipt')).textContent).toBe('Kundenbeleg 12');
    expect(screen.getByTestId('detail-merchant-receipt').textContent).toBe('Händlerbeleg 12');

    await fireEvent.click(screen.getByTestId('reprint-merchant'));
    await waitFor(() => expect(b.called('reprint_receipt')).toEqual([{ saleId: 'sale-12', copy: 'merchant' }]));

    await fireEvent.click(screen.getByTestId('cancel-sale'));
    expect(screen.getByTestId('cancel-confirm').textContent).toContain('Beleg 12 über 12,50 € stornieren?');
    await fireEvent.input(screen.getByTestId('cancel-reason'), { target: { value: 'Falsch gebucht' } });
    await fireEvent.click(screen.getByTestId('cancel-confirm-yes'));
    expect((await screen.findByTestId('journal-done')).textContent).toContain('Storno-Beleg Nr. 14');
    expect(b.called('cancel_sale')).toEqual([{ saleId: 'sale-12', reason: 'Falsch gebucht', managerPin: null }]);
    await waitFor(() => expect(screen.queryByTestId('cancel-sale')).toBeNull());
  });

  it('says why a card sale can no longer be cancelled', async () => {
    const e = entry(12, 1250);
    backend({
      journal_search: () => ({ total_count: 1, entries: [e] }),
      journal_sale: () => detail(e, { can_cancel: false, cancel_blocked_reason: 'terminal_closed' }),
    });
    render(JournalScreen);
    await fireEvent.click(await screen.findByTestId('journal-row'));
    expect((await screen.findByTestId('cancel-blocked')).textContent).toBe('Der Tagesabschluss des Terminals ist gelaufen: Die Kartenzahlung kann am Terminal nicht mehr storniert werden.');
    expect((screen.getByTestId('cancel-sale') as HTMLButtonElement).disabled).toBe(true);
  });
});

describe('journal paging', () => {
  it('loads the next page of the same search', async () => {
    const b = backend({
      journal_search: (a) => ({
        total_count: 3,
        entries: (a.offset as number) === 0 ? [entry(3, 300), entry(2, 200)] : [entry(1, 100)],
      }),
    });
    render(JournalScreen);
    await waitFor(() => expect(screen.getAllByTestId('journal-row')).toHaveLength(2));
    await fireEvent.click(screen.getByTestId('journal-more'));
    await waitFor(() => expect(screen.getAllByTestId('journal-row')).toHaveLength(3));
    expect(b.called('journal_search').at(-1)).toMatchObject({ offset: 2 });
    expect(screen.queryByTestId('journal-more')).toBeNull();
  });

  it('lists returns with their sale and cash in or out with its reason; opened, they print again and are not cancelled', async () => {
    const ret = entry(15, -220, { sale_id: 'return-15', methods: ['cash'], state: 'return', original_receipt: 12 });
    const cashOut = entry(14, -5000, { sale_id: 'cash-14', methods: ['cash'], state: 'cash_receipt', cash_reason: 'to_bank' });
    const cashIn = entry(13, 2000, { sale_id: 'cash-13', methods: ['cash'], state: 'cash_receipt', cash_reason: 'change_fetched' });
    const b = backend({
      journal_search: (a) => {
        const all = [ret, cashOut, cashIn, entry(12, 1250)];
        const hits = all.filter((e) => a.amount == null || Math.abs(e.total) === a.amount);
        return { total_count: hits.length, entries: hits };
      },
      journal_sale: (a) => detail([ret, cashOut, cashIn].find((e) => e.sale_id === a.saleId)!, {
        merchant_receipt: null, can_cancel: false, customer_receipt: 'RÜCKGABE zu Beleg 12',
      }),
      reprint_receipt: () => null,
    });
    render(JournalScreen);
    await waitFor(() => expect(screen.getAllByTestId('journal-row')).toHaveLength(4));
    const rows = screen.getAllByTestId('journal-row').map((r) => r.textContent ?? '');
    expect(rows[0]).toContain('15');
    expect(rows[0]).toContain('Rückgabe zu Beleg 12');
    expect(rows[0]).toContain('-2,20 €');
    expect(rows[1]).toContain('Geldtransit zur Bank');
    expect(rows[1]).toContain('Entnahme');
    expect(rows[2]).toContain('Wechselgeld eingelegt');
    expect(rows[2]).toContain('Einlage');
    // Found by their amount, as sales are.
    await fireEvent.input(screen.getByTestId('search-amount'), { target: { value: '50,00' } });
    await fireEvent.click(screen.getByTestId('search'));
    await waitFor(() => expect(screen.getAllByTestId('journal-row')).toHaveLength(1));
    expect(screen.getByTestId('journal-row').textContent).toContain('Geldtransit zur Bank');
    await fireEvent.input(screen.getByTestId('search-amount'), { target: { value: '' } });
    await fireEvent.click(screen.getByTestId('search'));
    await waitFor(() => expect(screen.getAllByTestId('journal-row')).toHaveLength(4));
    await fireEvent.click(screen.getAllByTestId('journal-row')[0]);
    await waitFor(() => expect(screen.getByTestId('sale-detail').textContent).toContain('Rückgabe zu Beleg 12'));
    expect(screen.queryByTestId('cancel-sale')).toBeNull();
    expect(screen.queryByTestId('reprint-merchant')).toBeNull();
    expect(screen.getByTestId('reprint-customer').textContent).toBe('Beleg nachdrucken');
    await fireEvent.click(screen.getByTestId('reprint-customer'));
    await waitFor(() => expect(b.called('reprint_receipt')).toEqual([{ saleId: 'return-15', copy: 'customer' }]));
  });
});
