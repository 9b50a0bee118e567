import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import App from '../App.svelte';
import type { Secucard } from '../lib/api';
import { backend, cardSale, cashLine, completedSale, deferred, resetTill } from '../test/backend';
import type { CardPaymentResult } from '../lib/api';

beforeEach(resetTill);
afterEach(cleanup);

const card = (over: Partial<Secucard> = {}): Secucard => ({
  card_number: '9276004429942845',
  group_name: 'Geschenkgutschein',
  customer_name: 'Max Mustermann',
  balance: 500,
  cash_balance: 400,
  bonus_balance: 100,
  points: 12,
  lock_status: 'unlocked',
  stock_status: 'active',
  passcode_required: false,
  last_usage: null,
  expiry_date: null,
  ...over,
});

const secucardLine = (amount: number) => ({ label: 'Kundenkarte', amount_cents: amount, tendered_cents: null, change_cents: null });

async function lookUp(number = '9276004429942845') {
  render(App);
  await fireEvent.click(await screen.findByTestId('nav-secucard'));
  await fireEvent.input(screen.getByTestId('card-number'), { target: { value: number } });
  await fireEvent.keyDown(screen.getByTestId('card-number'), { key: 'Enter' });
}

describe('secucard', () => {
  it('shows balance, bonus, points, lock and stock status', async () => {
    const b = backend({ secucard_lookup: () => card() });
    await lookUp();
    expect((await screen.findByTestId('card-balance')).textContent).toBe('5,00 €');
    expect(screen.getByTestId('card-cash-balance').textContent).toBe('4,00 €');
    expect(screen.getByTestId('card-bonus-balance').textContent).toBe('1,00 €');
    expect(screen.getByTestId('card-points').textContent).toBe('12');
    expect(screen.getByTestId('card-lock').textContent).toBe('nicht gesperrt');
    expect(screen.getByTestId('card-stock').textContent).toBe('aktiv');
    expect(b.called('secucard_lookup')).toEqual([{ cardNumber: '9276004429942845' }]);
  });

  it('refuses a locked card: no way to use or load it', async () => {
    backend({ secucard_lookup: () => card({ lock_status: 'locked' }) });
    await lookUp();
    expect((await screen.findByTestId('card-refused')).textContent).toContain('Karte gesperrt – nicht annehmen');
    expect(screen.queryByTestId('use-card')).toBeNull();
    expect(screen.queryByTestId('load-cash')).toBeNull();
  });

  it('refuses a card that is not active', async () => {
    backend({ secucard_lookup: () => card({ stock_status: 'inactive' }) });
    await lookUp();
    expect((await screen.findByTestId('card-refused')).textContent).toContain('nicht aktiv');
    expect(screen.queryByTestId('use-card')).toBeNull();
    expect(screen.queryByTestId('load-cash')).toBeNull();
  });

  it('lets a card from stock be loaded (which issues it) but not pay', async () => {
    backend({ secucard_lookup: () => card({ stock_status: 'stored', balance: 0, cash_balance: 0, bonus_balance: 0 }) });
    await lookUp();
    expect((await screen.findByTestId('card-not-issued')).textContent).toContain('zuerst aufladen');
    expect(screen.queryByTestId('card-refused')).toBeNull();
    expect(screen.queryByTestId('use-card')).toBeNull();
    expect(screen.getByTestId('load-cash')).toBeTruthy();
  });

  it('asks for the passcode where the card needs one, and only then lets it be used', async () => {
    const b = backend({
      secucard_lookup: () => card({ passcode_required: true }),
      secucard_check_passcode: (a) => ({ valid: a.passcode === '4711' }),
      secucard_split: () => ({ total: 349, from_card: 349, rest: 0 }),
      pay_secucard: () => completedSale({ receipt_number: 2, total: 349, receipt_text: 'Kundenkarte 3,49', payments: [secucardLine(349)] }),
    });
    await lookUp();
    await screen.findByTestId('passcode-prompt');
    expect(screen.queryByTestId('use-card')).toBeNull();

    await fireEvent.input(screen.getByTestId('passcode-input'), { target: { value: '1111' } });
    await fireEvent.click(screen.getByTestId('passcode-ok'));
    expect(await screen.findByTestId('passcode-wrong')).toBeTruthy();
    expect(screen.queryByTestId('use-card')).toBeNull();

    // The customer types it on the touch pad.
    for (const d of '4711') await fireEvent.click(screen.getByTestId(`card-numpad-${d}`));
    expect((screen.getByTestId('passcode-input') as HTMLInputElement).value).toBe('4711');
    await fireEvent.click(screen.getByTestId('passcode-ok'));
    await fireEvent.click(await screen.findByTestId('use-card'));

    // Back on the sale screen with the card attached; its balance pays the sale.
    expect((await screen.findByTestId('attached-card')).textContent).toContain('9276004429942845');
    await fireEvent.click(screen.getByTestId('article-30037'));
    await fireEvent.click(screen.getByTestId('pay-secucard'));
    expect((await screen.findByTestId('split-card')).textContent).toBe('−3,49 €');
    expect(screen.getByTestId('cash-due').textContent).toBe('0,00 €');
    await fireEvent.click(screen.getByTestId('pay-exact'));
    await screen.findByTestId('receipt-screen');
    const [args] = b.called('pay_secucard');
    expect(args).toMatchObject({ cardNumber: '9276004429942845', passcode: '4711', tendered: 0 });
  });

  it('pays the rest in cash when the balance does not cover the sale', async () => {
    const b = backend({
      secucard_lookup: () => card(),
      secucard_split: () => ({ total: 847, from_card: 500, rest: 347 }),
      pay_secucard: () => completedSale({ receipt_number: 3, total: 847, receipt_text: 'x', payments: [secucardLine(500), cashLine(347, 500)] }),
    });
    await lookUp();
    await fireEvent.click(await screen.findByTestId('use-card'));
    await fireEvent.click(await screen.findByTestId('article-30037'));
    await fireEvent.click(screen.getByTestId('pay-secucard'));
    expect((await screen.findByTestId('split-rest')).textContent).toBe('3,47 €');
    await fireEvent.input(screen.getByTestId('tendered'), { target: { value: '5' } });
    expect(screen.getByTestId('change').textContent).toBe('1,53 €');
    await fireEvent.click(screen.getByTestId('confirm-cash'));
    await screen.findByTestId('receipt-screen');
    expect(b.called('pay_secucard')[0].tendered).toBe(500);
  });

  it('loads a card with cash and shows the receipt', async () => {
    const b = backend({
      secucard_lookup: () => card(),
      load_secucard: () => ({ outcome: 'paid', message: null, sale: cardSale({ receipt_number: 4, total: 2000, receipt_text: 'Kartenaufladung 20,00', merchant_receipt_text: null, payments: [cashLine(2000)] }, false) }),
    });
    await lookUp();
    await fireEvent.click(await screen.findByTestId('load-2000'));
    await fireEvent.click(screen.getByTestId('load-cash'));
    expect((await screen.findByTestId('receipt')).textContent).toBe('Kartenaufladung 20,00');
    expect(b.called('load_secucard')).toEqual([{ cardNumber: '9276004429942845', amount: 2000, method: 'cash', tendered: null }]);
  });

  it('says an unknown card in words', async () => {
    backend({
      secucard_lookup: () => {
        throw { code: 'card_not_found', message: 'not found' };
      },
    });
    await lookUp('123');
    await waitFor(() => expect(screen.getByTestId('secucard-error').textContent).toContain('Kundenkarte ist unbekannt'));
  });
});

describe('secucard scanned on the sale screen', () => {
  it('looks the card up at once and attaches it to the sale', async () => {
    const b = backend({ secucard_lookup: () => card() });
    render(App);
    await screen.findByTestId('article-51');
    for (const key of '9276004429942845') await fireEvent.keyDown(window, { key });
    await fireEvent.keyDown(window, { key: 'Enter' });
    expect((await screen.findByTestId('card-balance')).textContent).toBe('5,00 €');
    expect(b.called('secucard_lookup')).toEqual([{ cardNumber: '9276004429942845' }]);
    await fireEvent.click(screen.getByTestId('use-card'));
    expect((await screen.findByTestId('attached-card')).textContent).toContain('Geschenkgutschein');
  });
});

describe('loading a secucard on the terminal', () => {
  it('waits with a way to give up, and says when the terminal aborted', async () => {
    const answer = deferred<CardPaymentResult>();
    const b = backend({
      secucard_lookup: () => card(),
      load_secucard: () => answer.promise,
      abort_card_payment: () => {
        setTimeout(() => answer.resolve({ outcome: 'aborted', message: null, sale: null }), 10);
        return { requested: true };
      },
    });
    await lookUp();
    await fireEvent.click(await screen.findByTestId('load-5000'));
    await fireEvent.click(screen.getByTestId('load-card'));
    await fireEvent.click(await screen.findByTestId('abort-load'));
    expect((await screen.findByTestId('load-outcome')).textContent).toContain('Zahlung abgebrochen');
    expect(b.called('load_secucard')[0]).toMatchObject({ amount: 5000, method: 'card' });
    expect(b.called('abort_card_payment')).toHaveLength(1);
    expect(screen.queryByTestId('abort-load')).toBeNull();
  });
});
