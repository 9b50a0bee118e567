import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import App from './App.svelte';
import type { Basket } from './lib/api';
import { backend, cardSale, cashLine, completedSale, onlineStatus, resetTill } from './test/backend';

beforeEach(resetTill);
afterEach(cleanup);

const sale = (total: number, tendered: number | null) => completedSale({ total, payments: [cashLine(total, tendered)] });

async function typeKeys(keys: string) {
  for (const key of keys) await fireEvent.keyDown(window, { key });
}

describe('sale screen', () => {
  it('sells for cash and shows the change on the receipt screen', async () => {
    const b = backend({ pay_cash: (a) => sale(547, a.tendered as number) });
    render(App);
    await fireEvent.click(await screen.findByTestId('article-51'));
    await fireEvent.click(screen.getByTestId('article-51'));
    await fireEvent.click(screen.getByTestId('article-30037'));
    expect(screen.getByTestId('basket-total').textContent).toBe('5,47 €');

    await fireEvent.click(screen.getByTestId('pay-cash'));
    await fireEvent.input(screen.getByTestId('tendered'), { target: { value: '10' } });
    expect(screen.getByTestId('change').textContent).toBe('4,53 €');
    await fireEvent.click(screen.getByTestId('confirm-cash'));

    expect((await screen.findByTestId('receipt')).textContent).toBe('SUMME EUR 547');
    expect(screen.getByTestId('receipt-change').textContent).toContain('4,53 €');
    const [args] = b.called('pay_cash');
    expect(args.tendered).toBe(1000);
    expect((args.basket as Basket).lines.map((l) => [l.article_number, l.quantity])).toEqual([
      ['51', 2],
      ['30037', 1],
    ]);

    // Enter starts the next sale with an empty basket.
    await fireEvent.keyDown(window, { key: 'Enter' });
    expect((await screen.findByTestId('basket-total')).textContent).toBe('0,00 €');
  });

  it('adds the article a scanner types as EAN + Enter; Enter pays; Esc goes back', async () => {
    backend({});
    render(App);
    await screen.findByTestId('article-51');
    await typeKeys('4999012345678');
    expect(screen.getByTestId('keypad-code').textContent).toBe('4999012345678');
    await fireEvent.keyDown(window, { key: 'Enter' });
    expect(screen.getAllByTestId('basket-line')).toHaveLength(1);
    expect(screen.getByTestId('basket-total').textContent).toBe('0,99 €');

    await fireEvent.keyDown(window, { key: 'Enter' });
    expect(await screen.findByTestId('cash-panel')).toBeTruthy();
    await fireEvent.keyDown(window, { key: 'Escape' });
    expect(await screen.findByTestId('sale-screen')).toBeTruthy();
  });

  it('Enter does what the display shows: an amount becomes a line at the rate used last, an article number adds the article', async () => {
    backend({});
    render(App);
    await screen.findByTestId('article-51');
    await typeKeys('250');
    expect(screen.getByTestId('keypad-display').textContent).toContain('2,50 €');
    expect(screen.getByTestId('keypad-hint').textContent).toBe('↵ bucht den Betrag (Betrag 19 %)');
    await fireEvent.keyDown(window, { key: 'Enter' });
    expect(screen.getAllByTestId('basket-line')).toHaveLength(1);
    expect(screen.getByTestId('basket-total').textContent).toBe('2,50 €');

    // After a 7 % amount, Enter adds the next amount at 7 %; the 0 % key books 0 %.
    await typeKeys('100');
    await fireEvent.click(screen.getByTestId('amount-7'));
    await typeKeys('50');
    expect(screen.getByTestId('keypad-hint').textContent).toBe('↵ bucht den Betrag (Betrag 7 %)');
    await fireEvent.keyDown(window, { key: 'Enter' });
    await typeKeys('500');
    await fireEvent.click(screen.getByTestId('amount-0'));
    expect(screen.getByTestId('basket-total').textContent).toBe('9,00 €');
    const lines = screen.getAllByTestId('basket-line').map((l) => l.textContent ?? '');
    expect(lines.filter((l) => l.includes('Warengruppe 7 %'))).toHaveLength(2);
    expect(lines.filter((l) => l.includes('Warengruppe 0 %'))).toHaveLength(1);

    // A number that is an article's: the display names it and Enter adds it.
    await typeKeys('51');
    expect(screen.getByTestId('keypad-code').textContent).toBe('51');
    expect(screen.getByTestId('keypad-hint').textContent).toContain('Artikel');
    await fireEvent.keyDown(window, { key: 'Enter' });
    expect(screen.getByTestId('basket-total').textContent).toBe('9,99 €');
  });

  it('shows the first steps on a fresh install in the basket\'s place; a step opens its settings tab, skip hides them', async () => {
    backend({
      app_info: () => ({ version: '0.1.0', demo: true, shop_name: 'Testladen', till_id: 'KASSE-1', first_start: true }),
      settings: () => ({
        shop: { name: 'Testladen', address_lines: [], vat_id: null, tax_number: null, footer: null, till_id: 'KASSE-1' },
        connection: { environment: 'demo', auth_mode: 'client_credentials', client_id: null, has_client_secret: false, device_uuid: null, device_paired: false },
        printers: [],
        receipt_printer_id: null,
        language: 'de',
        log_dir: '/tmp/logs',
        problems: [],
      }),
      printers_discover: () => ({ serial_ports: [], os_queues: [] }),
    });
    render(App);
    expect((await screen.findByTestId('first-steps')).textContent).toContain('Willkommen bei Smart Till');
    await fireEvent.click(screen.getByTestId('guide-printers'));
    expect((await screen.findByTestId('tab-printers')).classList.contains('active')).toBe(true);
    await fireEvent.click(screen.getByTestId('tab-shop'));
    await fireEvent.click(await screen.findByTestId('show-guide'));
    await fireEvent.click(await screen.findByTestId('guide-skip'));
    expect(screen.queryByTestId('first-steps')).toBeNull();
    expect(screen.getByTestId('basket-total').textContent).toBe('0,00 €');
  });

  it('asks the backend for a code it does not know and says when there is no such article', async () => {
    const b = backend({ article_by_code: () => null });
    render(App);
    await screen.findByTestId('article-51');
    await typeKeys('40000000000');
    await fireEvent.keyDown(window, { key: 'Enter' });
    expect((await screen.findByTestId('error')).textContent).toContain('Kein Artikel mit der Nummer 40000000000');
    expect(b.called('article_by_code')).toEqual([{ code: '40000000000' }]);
    expect(screen.queryAllByTestId('basket-line')).toHaveLength(0);
  });

  it('takes a quantity typed before an article, and lines can be changed', async () => {
    backend({});
    render(App);
    await screen.findByTestId('article-30037');
    await typeKeys('3*');
    expect(screen.getByTestId('keypad-quantity').textContent).toBe('3 ×');
    await fireEvent.click(screen.getByTestId('article-30037'));
    expect(screen.getByTestId('line-qty-0').textContent).toBe('3');
    await fireEvent.click(screen.getByTestId('line-minus-0'));
    expect(screen.getByTestId('basket-total').textContent).toBe('6,98 €');
    await fireEvent.click(screen.getByTestId('line-remove-0'));
    expect(screen.queryAllByTestId('basket-line')).toHaveLength(0);
  });

  it('keeps the basket and says what to do when the payment service is offline', async () => {
    backend({
      pay_cash: () => {
        throw { code: 'offline', message: 'The payment service cannot be reached.' };
      },
    });
    render(App);
    await fireEvent.click(await screen.findByTestId('article-51'));
    await fireEvent.click(screen.getByTestId('pay-cash'));
    await fireEvent.click(screen.getByTestId('pay-exact'));
    const error = await screen.findByTestId('error');
    expect(error.textContent).toContain('Zahlungsdienst ist nicht erreichbar');
    expect(error.textContent).toContain('Netzwerk prüfen');
    expect(screen.getByTestId('cash-due').textContent).toBe('0,99 €');
  });

  it('shows online state, outbox, printer and DEMO in the status bar; no card payment offline', async () => {
    backend({
      till_status: () => ({ ...onlineStatus, online: false, outbox_pending: 3, printer: { state: 'paper_out', name: 'Bon', message: null, unprinted: [], offered: [] } }),
    });
    render(App);
    await waitFor(() => expect(screen.getByTestId('outbox-count').textContent).toBe('3'));
    expect(screen.getByTestId('online-state').textContent).toContain('Offline');
    expect(screen.getByTestId('printer-state').textContent).toContain('Papier leer');
    expect(screen.getByTestId('demo-marker').textContent).toBe('DEMO');
    await fireEvent.click(screen.getByTestId('article-51'));
    expect((screen.getByTestId('pay-card') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('card-offline-hint')).toBeTruthy();
  });

  it('switches the language: words, money and the stored setting', async () => {
    const b = backend({ set_language: (a) => ({ language: a.language }) });
    render(App);
    await fireEvent.click(await screen.findByTestId('article-30037'));
    expect(screen.getByTestId('nav-sale').textContent).toContain('Verkauf');
    expect(screen.getByTestId('basket-total').textContent).toBe('3,49 €');

    await fireEvent.click(screen.getByTestId('lang-switch'));
    expect(screen.getByTestId('nav-sale').textContent).toContain('Sale');
    expect(screen.getByTestId('basket-total').textContent).toBe('€3.49');
    expect(screen.getByTestId('pay-cash').textContent).toContain('Pay cash');
    expect(document.documentElement.lang).toBe('en');
    expect(b.called('set_language')).toEqual([{ language: 'en' }]);
  });

  it('re-words the messages already on screen when the language is switched', async () => {
    backend({
      article_by_code: () => null,
      set_language: (a) => ({ language: a.language }),
      pay_cash: () => {
        throw { code: 'offline', message: 'The payment service cannot be reached.' };
      },
    });
    render(App);
    await screen.findByTestId('article-51');
    // A message of the UI's own, with its parameter.
    await typeKeys('40000000000');
    await fireEvent.keyDown(window, { key: 'Enter' });
    expect((await screen.findByTestId('error')).textContent).toContain('Kein Artikel mit der Nummer 40000000000');
    await fireEvent.click(screen.getByTestId('lang-switch'));
    expect(screen.getByTestId('error').textContent).toContain('No article with number 40000000000');
    await fireEvent.click(screen.getByTestId('lang-switch'));
    expect(screen.getByTestId('error').textContent).toContain('Kein Artikel mit der Nummer 40000000000');
    // An error a command sent, worded by its code.
    await fireEvent.click(screen.getByTestId('article-51'));
    await fireEvent.click(screen.getByTestId('pay-cash'));
    await fireEvent.click(screen.getByTestId('pay-exact'));
    expect((await screen.findByTestId('error')).textContent).toContain('Zahlungsdienst ist nicht erreichbar');
    await fireEvent.click(screen.getByTestId('lang-switch'));
    expect(screen.getByTestId('error').textContent).toContain('payment service cannot be reached');
    expect(screen.getByTestId('error').textContent).not.toContain('Zahlungsdienst');
    // A notice: the DEMO badge's explanation.
    await fireEvent.click(screen.getByTestId('demo-marker'));
    expect(screen.getByTestId('info').textContent).toMatch(/^Demo mode: a built-in simulator/);
    await fireEvent.click(screen.getByTestId('lang-switch'));
    expect(screen.getByTestId('info').textContent).toMatch(/^Demo-Modus: Ein eingebauter Simulator/);
  });

  it('offers a receipt that did not print once the printer is back; one answer, and it is gone', async () => {
    let offered = [7, 8];
    const b = backend({
      till_status: () => ({ ...onlineStatus, printer: { ...onlineStatus.printer, unprinted: [...offered], offered: [...offered] } }),
      print_missed_receipt: (a) => {
        offered = offered.filter((n) => n !== a.receiptNumber);
        return null;
      },
      dismiss_missed_receipt: (a) => {
        offered = offered.filter((n) => n !== a.receiptNumber);
        return null;
      },
    });
    render(App);
    expect((await screen.findByTestId('missed-title')).textContent).toBe('Beleg Nr. 7 wurde nicht gedruckt.');
    await fireEvent.click(screen.getByTestId('missed-print-now'));
    expect((await screen.findByTestId('info')).textContent).toContain('Beleg Nr. 7 gedruckt.');
    await waitFor(() => expect(screen.getByTestId('missed-title').textContent).toBe('Beleg Nr. 8 wurde nicht gedruckt.'));
    await fireEvent.click(screen.getByTestId('missed-dismiss'));
    await waitFor(() => expect(screen.queryByTestId('missed-print')).toBeNull());
    expect(b.called('print_missed_receipt')).toEqual([{ receiptNumber: 7 }]);
    expect(b.called('dismiss_missed_receipt')).toEqual([{ receiptNumber: 8 }]);
  });

  it('starts in the language kept in the settings', async () => {
    backend({ settings: () => ({ language: 'en' }) });
    render(App);
    await waitFor(() => expect(screen.getByTestId('nav-journal').textContent).toContain('Journal'));
    await waitFor(() => expect(screen.getByTestId('nav-closing').textContent).toContain('End of day'));
  });
});

describe('a card payment cut off by a restart', () => {
  it('is read back from the status bar, never paid again', async () => {
    let pending = true;
    const b = backend({
      till_status: () => ({ ...onlineStatus, pending_card_payment: pending }),
      check_card_payment: () => {
        pending = false;
        return { outcome: 'paid', message: null, sale: cardSale({ receipt_number: 9, total: 1250, receipt_text: '' }, false) };
      },
    });
    render(App);
    await fireEvent.click(await screen.findByTestId('pending-card'));
    expect((await screen.findByTestId('info')).textContent).toContain('Beleg 9 über 12,50 €');
    await waitFor(() => expect(screen.queryByTestId('pending-card')).toBeNull());
    expect(b.called('pay_card')).toHaveLength(0);
  });
});
