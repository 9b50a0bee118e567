import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import ClosingScreen from './ClosingScreen.svelte';
import type { Closing, DaySummary } from '../lib/api';
import { backend, resetTill } from '../test/backend';

beforeEach(resetTill);
afterEach(cleanup);

const day: DaySummary = {
  business_day: '2026-11-21',
  by_cashier: [],
  opened_at: '2026-11-21T07:00:00+01:00',
  sales_count: 42,
  cancellations_count: 1,
  cancellations_amount: 220,
  total: 31590,
  by_method: [
    { method: 'cash', count: 30, amount: 20590 },
    { method: 'card', count: 12, amount: 11000 },
  ],
  by_vat: [
    { rate_percent: 19, net: 12000, tax: 2280, gross: 14280 },
    { rate_percent: 7, net: 16178, tax: 1132, gross: 17310 },
  ],
  first_receipt: 101,
  last_receipt: 143,
  cash_start: 15000,
  cash_expected: 35590,
  terminal_closed: false,
  outbox_pending: 0,
  drawer_openings: 0,
  cash_in: 0,
  cash_out: 0,
  drawer: { by_reason: [], returns_count: 0, returns_total: 0, discounts: 0 },
};

describe('end of day', () => {
  it('shows the running day by method and VAT rate with the cash expected', async () => {
    backend({ day_summary: () => day });
    render(ClosingScreen);
    expect((await screen.findByTestId('day-total')).textContent).toBe('315,90 €');
    expect(screen.getByTestId('method-cash').textContent).toContain('205,90 €');
    expect(screen.getByTestId('vat-19').textContent).toContain('22,80 €');
    expect(screen.getByTestId('cash-expected').textContent).toBe('355,90 €');
  });

  it('counts the cash, shows the difference, wants a reason and closes with a Z number', async () => {
    const b = backend({
      day_summary: () => day,
      close_day: (a): Closing => ({
        z_number: 17,
        closed_at: '2026-11-21T19:00:00+01:00',
        business_day: day.business_day,
        summary: day,
        cash_counted: a.cashCounted as number,
        difference: (a.cashCounted as number) - day.cash_expected,
        note: a.note as string,
        terminal: null,
        retained: null,
        report_text: 'Z-BON 17',
      }),
      export_z_report_pdf: () => ({ path: '/tmp/Z-17.pdf' }),
    });
    render(ClosingScreen);
    await screen.findByTestId('day-summary');
    await fireEvent.input(screen.getByTestId('count-20000'), { target: { value: '1' } });
    await fireEvent.input(screen.getByTestId('count-5000'), { target: { value: '3' } });
    await fireEvent.input(screen.getByTestId('count-100'), { target: { value: '5' } });
    await fireEvent.input(screen.getByTestId('count-50'), { target: { value: '1' } });
    expect(screen.getByTestId('cash-counted').textContent).toBe('355,50 €');
    expect(screen.getByTestId('cash-difference').textContent).toContain('-0,40 €');
    expect(screen.getByTestId('cash-difference').textContent).toContain('Fehlbetrag');

    await fireEvent.click(screen.getByTestId('close-day'));
    const yes = screen.getByTestId('close-day-yes') as HTMLButtonElement;
    expect(yes.disabled).toBe(true);
    await fireEvent.input(screen.getByTestId('close-note'), { target: { value: 'Rückgeld falsch' } });
    expect(yes.disabled).toBe(false);
    await fireEvent.click(yes);

    expect((await screen.findByTestId('z-result')).textContent).toContain('Tagesabschluss Z 17');
    expect(screen.getByTestId('z-difference').textContent).toBe('-0,40 €');
    expect(b.called('close_day')).toEqual([
      { cashCounted: 35550, note: 'Rückgeld falsch', retained: null, managerPin: null },
    ]);

    await fireEvent.click(screen.getByTestId('z-pdf'));
    expect((await screen.findByTestId('closing-done')).textContent).toContain('/tmp/Z-17.pdf');
    expect(b.called('export_z_report_pdf')).toEqual([{ zNumber: 17 }]);
  });

  it('shows cash movements by reason, returns and discounts, the X report, and keeps cash for tomorrow', async () => {
    const b = backend({
      day_summary: () => ({
        ...day,
        drawer: {
          by_reason: [{ reason: 'to_bank', business_case: 'Geldtransit', count: 1, amount: -5000 }],
          returns_count: 1,
          returns_total: -212,
          discounts: 150,
        },
      }),
      x_report_text: () => 'X-Bericht (Zwischenbericht)',
      close_day: (a): Closing => ({
        z_number: 18,
        closed_at: '2026-11-21T19:00:00+01:00',
        business_day: day.business_day,
        summary: day,
        cash_counted: a.cashCounted as number,
        difference: 0,
        note: null,
        terminal: null,
        retained: a.retained as number,
        report_text: 'Z-BON 18',
      }),
    });
    render(ClosingScreen);
    await screen.findByTestId('day-summary');
    expect(screen.getByTestId('reason-to_bank').textContent).toBe('-50,00 €');
    expect(screen.getByTestId('returns-total').textContent).toBe('-2,12 €');
    expect(screen.getByTestId('discounts-total').textContent).toBe('-1,50 €');
    await fireEvent.click(screen.getByTestId('x-report'));
    expect((await screen.findByTestId('x-report-text')).textContent).toContain('X-Bericht');
    expect(b.called('x_report_text')).toHaveLength(1);
    await fireEvent.click(screen.getByText('✕', { selector: '[data-testid="x-result"] button' }));
    await fireEvent.input(screen.getByTestId('count-20000'), { target: { value: '1' } });
    await fireEvent.input(screen.getByTestId('count-10000'), { target: { value: '1' } });
    await fireEvent.input(screen.getByTestId('count-5000'), { target: { value: '1' } });
    await fireEvent.input(screen.getByTestId('count-500'), { target: { value: '1' } });
    await fireEvent.input(screen.getByTestId('count-50'), { target: { value: '1' } });
    await fireEvent.input(screen.getByTestId('count-20'), { target: { value: '2' } });
    await fireEvent.input(screen.getByTestId('close-retained'), { target: { value: '100,00' } });
    await fireEvent.click(screen.getByTestId('close-day'));
    await fireEvent.click(screen.getByTestId('close-day-yes'));
    expect((await screen.findByTestId('z-retained')).textContent).toBe('100,00 €');
    expect(b.called('close_day')).toEqual([{ cashCounted: 35590, note: null, retained: 10000, managerPin: null }]);
  });

  it('runs the terminal end of day with progress and shows its totals', async () => {
    let closed = false;
    backend({
      day_summary: () => ({ ...day, terminal_closed: closed }),
      terminal_end_of_day: () =>
        new Promise((resolve) =>
          setTimeout(() => {
            closed = true;
            resolve({ ok: true, at: '2026-11-21T18:55:00+01:00', count: 12, amount: 11000, receipt_text: '' });
          }, 30),
        ),
    });
    render(ClosingScreen);
    await fireEvent.click(await screen.findByTestId('terminal-eod'));
    expect(screen.getByTestId('progress').textContent).toContain('Terminal macht den Tagesabschluss');
    expect((await screen.findByTestId('terminal-result')).textContent).toContain('12 Zahlungen, 110,00 €');
    await waitFor(() => expect((screen.getByTestId('terminal-eod') as HTMLButtonElement).disabled).toBe(true));
  });

  it('after the closing the next day shows no terminal result of the day before, no empty 0 % row, and counts in words', async () => {
    let closed = false;
    const next: DaySummary = { ...day, sales_count: 1, cancellations_count: 0, cancellations_amount: 0, terminal_closed: false };
    backend({
      day_summary: () => (closed ? next : { ...day, by_vat: [...day.by_vat, { rate_percent: 0, net: 0, tax: 0, gross: 0 }] }),
      terminal_end_of_day: () => ({ ok: true, at: '2026-11-21T18:55:00+01:00', count: 1, amount: 11000, receipt_text: '' }),
      close_day: (): Closing => {
        closed = true;
        return { z_number: 17, closed_at: '2026-11-21T19:00:00+01:00', business_day: day.business_day, summary: day, cash_counted: day.cash_expected, difference: 0, note: null, terminal: null, report_text: 'Z-BON 17' } as Closing;
      },
    });
    render(ClosingScreen);
    await screen.findByTestId('day-summary');
    expect(screen.queryByTestId('vat-0')).toBeNull();
    await fireEvent.click(screen.getByTestId('terminal-eod'));
    expect((await screen.findByTestId('terminal-result')).textContent).toBe('Terminal: 1 Zahlung, 110,00 €');
    await fireEvent.input(screen.getByTestId('count-20000'), { target: { value: '1' } });
    await fireEvent.click(screen.getByTestId('close-day'));
    await fireEvent.input(screen.getByTestId('close-note'), { target: { value: 'x' } });
    await fireEvent.click(screen.getByTestId('close-day-yes'));
    await screen.findByTestId('z-result');
    await waitFor(() => expect(screen.getByTestId('day-summary').textContent).toContain('1 Verkauf, 0 Stornos'));
    expect(screen.queryByTestId('terminal-result')).toBeNull();
  });

  it('lists past closings', async () => {
    backend({
      day_summary: () => day,
      closings: () => [{ z_number: 16, closed_at: '2026-11-20T19:00:00+01:00', business_day: '2026-11-20', total: 29000, sales_count: 40, difference: 0 }],
    });
    render(ClosingScreen);
    await fireEvent.click(await screen.findByTestId('show-past'));
    expect((await screen.findByTestId('past-closings')).textContent).toContain('290,00 €');
    expect(screen.getByTestId('past-pdf-16')).toBeTruthy();
  });
});

describe('past closings', () => {
  it('opens a past closing with its Z report', async () => {
    backend({
      day_summary: () => day,
      closings: () => [{ z_number: 16, closed_at: '2026-11-20T19:00:00+01:00', business_day: '2026-11-20', total: 29000, sales_count: 40, difference: 0 }],
      closing: (a) => ({
        z_number: a.zNumber, closed_at: '2026-11-20T19:00:00+01:00', business_day: '2026-11-20', summary: day,
        cash_counted: 35590, difference: 0, note: null, terminal: null, report_text: 'Z-BON 16',
      }),
    });
    render(ClosingScreen);
    await fireEvent.click(await screen.findByTestId('show-past'));
    await fireEvent.click(await screen.findByTestId('past-open-16'));
    expect((await screen.findByTestId('z-report')).textContent).toBe('Z-BON 16');
  });
});

describe('export for the tax office', () => {
  it('exports the range picked and says what was written, or why not', async () => {
    let answer: () => unknown = () => ({
      path: '/media/usb/DSFinV-K_KASSE-1_2026-11-01_2026-11-30.zip',
      zip: true,
      closings: [4, 5, 6],
      receipts: 120,
      bytes: 48213,
    });
    const b = backend({ day_summary: () => day, export_dsfinvk: () => answer() });
    render(ClosingScreen);
    await fireEvent.click(await screen.findByTestId('show-tax-export'));
    await fireEvent.input(screen.getByTestId('tax-export-from'), { target: { value: '2026-11-01' } });
    await fireEvent.input(screen.getByTestId('tax-export-to'), { target: { value: '2026-11-30' } });
    await fireEvent.click(screen.getByTestId('tax-export-start'));
    const result = await screen.findByTestId('tax-export-result');
    expect(result.textContent).toContain('DSFinV-K_KASSE-1_2026-11-01_2026-11-30.zip');
    expect(result.textContent).toContain('3 Tagesabschlüsse (Z 4–6), 120 Belege, 47 kB');
    const args = b.called('export_dsfinvk')[0];
    expect([args.from, args.to]).toEqual(['2026-11-01', '2026-11-30']);

    answer = () => {
      throw { code: 'export_no_closing', message: 'There is no closing' };
    };
    await fireEvent.click(screen.getByTestId('tax-export-start'));
    await waitFor(() => expect(screen.getByTestId('tax-export-error').textContent).toContain('keinen Tagesabschluss'));
    expect(screen.queryByTestId('tax-export-result')).toBeNull();

    // A range backwards cannot be started.
    await fireEvent.input(screen.getByTestId('tax-export-from'), { target: { value: '2026-12-01' } });
    expect((screen.getByTestId('tax-export-start') as HTMLButtonElement).disabled).toBe(true);
  });
});
