import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import ReceiptView from './ReceiptView.svelte';
import { backend, completedSale, onlineStatus, resetTill } from '../test/backend';
import { status } from '../lib/status.svelte';
import { setLanguage } from '../lib/i18n.svelte';
import { tick } from 'svelte';

beforeEach(resetTill);
afterEach(cleanup);

const sale = completedSale({ receipt_number: 5, total: 999, receipt_text: 'SUMME EUR 9,99', merchant_receipt_text: 'Händlerbeleg' });

describe('receipt', () => {
  it('previews, prints, saves as PDF and shows the merchant copy on demand', async () => {
    const b = backend({
      print_receipt: () => null,
      export_receipt_pdf: () => ({ path: '/home/kasse/Beleg-5.pdf' }),
      receipt_preview: (a) => ({ sale_id: a.saleId, copy: a.copy, text: 'Händlerbeleg – Unterschrift', signature_required: true }),
    });
    render(ReceiptView, { sale, onNewSale: () => {} });
    expect(screen.getByTestId('receipt').textContent).toBe('SUMME EUR 9,99');

    await fireEvent.click(screen.getByTestId('print-receipt'));
    expect((await screen.findByTestId('receipt-done')).textContent).toBe('Beleg gedruckt.');
    await fireEvent.click(screen.getByTestId('export-pdf'));
    expect((await screen.findByTestId('receipt-done')).textContent).toContain('/home/kasse/Beleg-5.pdf');
    await fireEvent.click(screen.getByTestId('show-merchant'));
    expect((await screen.findByTestId('merchant-receipt')).textContent).toContain('Unterschrift');
    expect(b.calls.map((c) => [c.cmd, c.args.copy])).toEqual([
      ['print_receipt', 'customer'],
      ['export_receipt_pdf', 'customer'],
      ['receipt_preview', 'merchant'],
    ]);
  });

  it('says what to do when the printer is out of paper', async () => {
    backend({
      print_receipt: () => {
        throw { code: 'printer_paper_out', message: 'paper' };
      },
    });
    render(ReceiptView, { sale, onNewSale: () => {} });
    await fireEvent.click(screen.getByTestId('print-receipt'));
    expect((await screen.findByTestId('receipt-failed')).textContent).toBe('Papier ist leer. Neue Rolle einlegen, dann nochmal drucken.');
  });

  it('a cancelled save dialog is not an error', async () => {
    backend({ export_receipt_pdf: () => null });
    render(ReceiptView, { sale, onNewSale: () => {} });
    await fireEvent.click(screen.getByTestId('export-pdf'));
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.queryByTestId('receipt-failed')).toBeNull();
    expect(screen.queryByTestId('receipt-done')).toBeNull();
  });

  it('says nothing of a failed print while this receipt did not fail, even with the printer away', async () => {
    backend({});
    status.till = { ...onlineStatus, printer: { state: 'offline', name: 'Bondrucker', message: null, unprinted: [4], offered: [] } };
    render(ReceiptView, { sale, onNewSale: () => {} });
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.queryByTestId('receipt-not-printed')).toBeNull();
    expect(screen.getByTestId('print-receipt').textContent).toBe('Beleg drucken');
    status.till = null;
  });

  it('says when the automatic print failed and offers to print again, without moving the buttons', async () => {
    backend({ print_receipt: () => null });
    status.till = { ...onlineStatus, printer: { state: 'offline', name: 'Bondrucker', message: null, unprinted: [5], offered: [] } };
    render(ReceiptView, { sale, onNewSale: () => {} });
    expect((await screen.findByTestId('receipt-not-printed')).textContent).toBe(
      'Der Beleg wurde nicht gedruckt (Drucker: Drucker nicht erreichbar). Drucker prüfen, dann „Nochmal drucken“.',
    );
    expect(screen.getByTestId('print-receipt').textContent).toBe('Nochmal drucken');
    await fireEvent.click(screen.getByTestId('print-receipt'));
    expect((await screen.findByTestId('receipt-done')).textContent).toBe('Beleg gedruckt.');
    expect(screen.queryByTestId('receipt-not-printed')).toBeNull();
    status.till = null;
  });

  it('re-words what it shows when the language is switched', async () => {
    backend({
      print_receipt: () => {
        throw { code: 'printer_paper_out', message: 'paper' };
      },
    });
    status.till = { ...onlineStatus, printer: { state: 'offline', name: 'Bondrucker', message: null, unprinted: [5], offered: [] } };
    render(ReceiptView, { sale, onNewSale: () => {} });
    await fireEvent.click(screen.getByTestId('print-receipt'));
    expect((await screen.findByTestId('receipt-failed')).textContent).toBe('Papier ist leer. Neue Rolle einlegen, dann nochmal drucken.');
    setLanguage('en');
    await tick();
    expect(screen.getByTestId('receipt-failed').textContent).toBe('Out of paper. Put in a new roll, then print again.');
    expect(screen.getByTestId('print-receipt').textContent).toBe('Print again');
    status.till = null;
  });
});
