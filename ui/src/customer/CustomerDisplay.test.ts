import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen, waitFor, fireEvent } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import CustomerDisplay from './CustomerDisplay.svelte';
import App from '../App.svelte';
import { CUSTOMER_VIEW_EVENT, type CustomerView } from '../lib/api';
import { setLanguage } from '../lib/i18n.svelte';
import { backend, resetTill } from '../test/backend';

let seq = 0;
function view(fields: Partial<CustomerView> = {}): CustomerView {
  seq += 1;
  return {
    seq,
    phase: 'idle',
    lines: [],
    total: 0,
    paid: null,
    change: null,
    shop_name: 'Bäckerei Sonne',
    message: 'Heute frische Brötchen',
    language: 'de',
    qr: null,
    ...fields,
  };
}

const water = { text: 'Wasser 0,5 l', quantity: 2, amount: 198 };
const pretzel = { text: 'Brezel', quantity: 1, amount: 349 };

/** The display's window with a till that answers `current` when asked, and events as the till sends them. */
function showDisplay(current: CustomerView) {
  mockIPC(
    (cmd) => {
      if (cmd === 'customer_view') return current;
      throw { code: 'unknown_command', message: cmd };
    },
    { shouldMockEvents: true },
  );
  render(CustomerDisplay);
}

const push = (v: CustomerView) => emit(CUSTOMER_VIEW_EVENT, v);
const text = (id: string) => screen.getByTestId(id).textContent?.trim();

beforeEach(() => setLanguage('de'));
afterEach(() => {
  cleanup();
  clearMocks();
});

describe('the customer display', () => {
  it('shows the shop and its message when idle, as the till answers at load', async () => {
    showDisplay(view());
    expect((await screen.findByTestId('customer-shop')).textContent).toBe('Bäckerei Sonne');
    expect(text('customer-message')).toBe('Heute frische Brötchen');
    expect(screen.queryByTestId('customer-total')).toBeNull();
    // No controls for the customer.
    expect(screen.queryAllByRole('button')).toHaveLength(0);
  });

  it('follows the basket line by line, then paid, change and thanks', async () => {
    showDisplay(view());
    await screen.findByTestId('customer-idle');
    await push(view({ phase: 'basket', lines: [{ ...water, quantity: 1, amount: 99 }], total: 99 }));
    await waitFor(() => expect(screen.getAllByTestId('customer-line')).toHaveLength(1));
    expect(text('customer-total')).toBe('0,99 €');

    await push(view({ phase: 'basket', lines: [water, pretzel], total: 547 }));
    await waitFor(() => expect(screen.getAllByTestId('customer-line')).toHaveLength(2));
    const lines = screen.getAllByTestId('customer-line').map((l) => l.textContent?.replace(/\s+/g, ' ').trim());
    expect(lines).toEqual(['2 × Wasser 0,5 l 1,98 €', '1 × Brezel 3,49 €']);
    expect(text('customer-total')).toBe('5,47 €');

    await push(view({ phase: 'paying', lines: [water, pretzel], total: 547 }));
    await waitFor(() => expect(screen.getByTestId('customer-display').dataset.phase).toBe('paying'));
    expect(screen.getByText('Zu zahlen')).toBeTruthy();

    await push(view({ phase: 'paid', lines: [water, pretzel], total: 547, paid: 1000, change: 453 }));
    expect((await screen.findByTestId('customer-thanks')).textContent).toBe('Vielen Dank!');
    expect(text('customer-paid')).toBe('10,00 €');
    expect(text('customer-change')).toBe('4,53 €');

    await push(view());
    expect((await screen.findByTestId('customer-shop')).textContent).toBe('Bäckerei Sonne');
  });

  it('keeps the newer view when an older one arrives late', async () => {
    showDisplay(view({ phase: 'basket', lines: [pretzel], total: 349 }));
    const older = view({ phase: 'basket', lines: [water], total: 198 });
    const newer = view({ phase: 'basket', lines: [water, pretzel], total: 547 });
    await push(newer);
    await waitFor(() => expect(text('customer-total')).toBe('5,47 €'));
    await push(older);
    await new Promise((r) => setTimeout(r, 20));
    expect(text('customer-total')).toBe('5,47 €');
  });

  it('speaks English when the till does', async () => {
    showDisplay(view({ phase: 'paid', lines: [pretzel], total: 349, paid: 500, change: 151, language: 'en' }));
    expect((await screen.findByTestId('customer-thanks')).textContent).toBe('Thank you!');
    expect(text('customer-change')).toBe('€1.51');
    expect(screen.getByText('Change')).toBeTruthy();
  });

  it('shows a QR code large with its amount and the time left, and takes it away', async () => {
    showDisplay(view({ phase: 'paying', lines: [pretzel], total: 349 }));
    await screen.findByTestId('customer-total');
    const expires = new Date(Date.now() + 125_000).toISOString();
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 29 29"><path d="M4 4h1v1h-1z"/></svg>';
    await push(view({ phase: 'paying', lines: [pretzel], total: 349, qr: { link: 'http://127.0.0.1/pay/1', amount_cents: 349, expires_at: expires, svg } }));
    const qr = await screen.findByTestId('customer-qr');
    expect(qr.querySelector('svg')?.getAttribute('viewBox')).toBe('0 0 29 29');
    expect(text('customer-qr-amount')).toBe('3,49 €');
    expect(text('customer-qr-countdown')).toMatch(/^Noch 2:0[45]$/);

    const gone = new Date(Date.now() - 1000).toISOString();
    await push(view({ phase: 'paying', lines: [pretzel], total: 349, qr: { link: 'http://127.0.0.1/pay/1', amount_cents: 349, expires_at: gone, svg } }));
    await waitFor(() => expect(text('customer-qr-countdown')).toBe('Der Code ist abgelaufen'));

    await push(view({ phase: 'paying', lines: [pretzel], total: 349 }));
    await waitFor(() => expect(screen.queryByTestId('customer-qr')).toBeNull());
    expect(text('customer-total')).toBe('3,49 €');
  });
});

describe("the cashier's window", () => {
  beforeEach(resetTill);

  it('reports its basket to the display as it grows, and the payment screen as paying', async () => {
    const b = backend({});
    render(App);
    await fireEvent.click(await screen.findByTestId('article-51'));
    await fireEvent.click(screen.getByTestId('article-51'));
    await waitFor(() => {
      const last = b.called('customer_basket').at(-1) as { basket: { lines: { quantity: number }[] }; paying: boolean };
      expect(last.basket.lines.map((l) => l.quantity)).toEqual([2]);
      expect(last.paying).toBe(false);
    });
    await fireEvent.click(screen.getByTestId('pay-cash'));
    await waitFor(() => expect(b.called('customer_basket').at(-1)?.paying).toBe(true));
  });
});
