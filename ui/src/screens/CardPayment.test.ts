import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import App from '../App.svelte';
import type { CardPaymentResult } from '../lib/api';
import { backend, cardSale, deferred, resetTill } from '../test/backend';

beforeEach(resetTill);
afterEach(cleanup);

const paidSale = cardSale({ receipt_number: 7, total: 349, receipt_text: 'Kartenzahlung 3,49' });

async function startCardPayment() {
  render(App);
  await fireEvent.click(await screen.findByTestId('article-30037'));
  await fireEvent.click(screen.getByTestId('pay-card'));
}

describe('card payment on the terminal', () => {
  it('waits while the terminal works, then shows the receipt and prints the merchant copy to sign', async () => {
    const answer = deferred<CardPaymentResult>();
    const b = backend({ pay_card: () => answer.promise, print_receipt: () => null });
    await startCardPayment();

    expect(await screen.findByTestId('card-waiting')).toBeTruthy();
    expect(screen.getByTestId('card-amount').textContent).toBe('3,49 €');
    // Nothing else can be started while the terminal works.
    expect((screen.getByTestId('nav-journal') as HTMLButtonElement).disabled).toBe(true);
    expect(b.called('pay_card')).toHaveLength(1);

    answer.resolve({ outcome: 'paid', message: null, sale: paidSale });
    expect((await screen.findByTestId('receipt')).textContent).toBe('Kartenzahlung 3,49');
    await waitFor(() => expect(b.called('print_receipt')).toEqual([{ saleId: 'sale-7', copy: 'merchant' }]));
    expect((await screen.findByTestId('info')).textContent).toContain('unterschreiben');
    expect((screen.getByTestId('nav-journal') as HTMLButtonElement).disabled).toBe(false);
  });

  it('says a declined card in plain words and keeps the basket for another way to pay', async () => {
    backend({ pay_card: () => ({ outcome: 'declined', message: 'Karte abgelehnt (05)', sale: null }) });
    await startCardPayment();
    const outcome = await screen.findByTestId('card-outcome');
    expect(outcome.textContent).toContain('Karte abgelehnt');
    expect(outcome.textContent).toContain('Nichts wurde abgebucht');
    await fireEvent.click(screen.getByTestId('card-to-cash'));
    expect(screen.getByTestId('cash-due').textContent).toBe('3,49 €');
  });

  it('gives up waiting safely: asks the terminal to abort and shows what the terminal answers', async () => {
    const answer = deferred<CardPaymentResult>();
    const b = backend({
      pay_card: () => answer.promise,
      abort_card_payment: () => {
        setTimeout(() => answer.resolve({ outcome: 'aborted', message: null, sale: null }), 10);
        return { requested: true };
      },
    });
    await startCardPayment();
    await screen.findByTestId('card-waiting');
    await fireEvent.keyDown(window, { key: 'Escape' });
    expect(await screen.findByTestId('card-state-aborting')).toBeTruthy();
    expect(b.called('abort_card_payment')).toHaveLength(1);
    expect((await screen.findByTestId('card-outcome')).textContent).toContain('Zahlung abgebrochen');
    // Giving up never books anything by itself.
    expect(b.called('pay_cash')).toHaveLength(0);
  });

  it('a customer who pays while the abort is asked for has paid', async () => {
    const answer = deferred<CardPaymentResult>();
    backend({
      pay_card: () => answer.promise,
      abort_card_payment: () => {
        setTimeout(() => answer.resolve({ outcome: 'paid', message: null, sale: { ...paidSale, merchant_receipt_print: false } }), 10);
        return { requested: true };
      },
    });
    await startCardPayment();
    await fireEvent.click(await screen.findByTestId('abort-card'));
    expect(await screen.findByTestId('receipt-screen')).toBeTruthy();
  });

  it('an unknown outcome never offers to pay again, only to check', async () => {
    let checks = 0;
    backend({
      pay_card: () => {
        throw { code: 'outcome_unknown', message: 'no answer' };
      },
      check_card_payment: () => (++checks === 1 ? null : { outcome: 'paid', message: null, sale: { ...paidSale, merchant_receipt_print: false } }),
    });
    await startCardPayment();
    const outcome = await screen.findByTestId('card-outcome');
    expect(outcome.textContent).toContain('Nicht noch einmal kassieren');
    expect(screen.queryByTestId('retry-card')).toBeNull();
    expect(screen.queryByTestId('card-to-cash')).toBeNull();

    await fireEvent.click(screen.getByTestId('check-card'));
    expect((await screen.findByTestId('card-detail')).textContent).toContain('noch nicht bekannt');
    await fireEvent.click(screen.getByTestId('check-card'));
    expect(await screen.findByTestId('receipt-screen')).toBeTruthy();
  });

  it('says that card payments need the network', async () => {
    backend({
      pay_card: () => {
        throw { code: 'card_offline', message: 'offline' };
      },
    });
    await startCardPayment();
    expect((await screen.findByTestId('card-outcome')).textContent).toContain('Kartenzahlung geht nur online');
  });
});
