import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import App from '../App.svelte';
import type { QrPaymentResult, QrPaymentStarted } from '../lib/api';
import { setLanguage } from '../lib/i18n.svelte';
import { say } from '../lib/message';
import { backend, completedSale, deferred, onlineStatus, resetTill } from '../test/backend';

beforeEach(resetTill);
afterEach(cleanup);

const started: QrPaymentStarted = {
  sale_id: 'sale-9',
  link: 'http://127.0.0.1:4711/checkout?stx=STX_1&server=sandbox',
  amount_cents: 349,
  expires_at: '2026-12-03T10:03:00+01:00',
  timeout_secs: 125,
  qr_svg: '<svg xmlns="http://www.w3.org/2000/svg" data-testid="qr-svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>',
};

const paidSale = completedSale({
  receipt_number: 9,
  total: 349,
  receipt_text: 'QR-Code (PayPal) 3,49',
  payments: [{ label: 'QR-Code (PayPal)', amount_cents: 349, tendered_cents: null, change_cents: null }],
});

async function startQrPayment() {
  render(App);
  await fireEvent.click(await screen.findByTestId('article-30037'));
  await fireEvent.click(screen.getByTestId('pay-qr'));
}

describe('pay by QR code', () => {
  it('shows the QR code, the amount and a countdown, then "Bezahlt" with the receipt', async () => {
    const answer = deferred<QrPaymentResult>();
    const b = backend({ start_qr_payment: () => started, wait_qr_payment: () => answer.promise });
    await startQrPayment();

    expect(await screen.findByTestId('qr-svg')).toBeTruthy();
    expect(screen.getByTestId('qr-amount').textContent).toBe('3,49 €');
    expect(screen.getByTestId('qr-countdown').textContent).toBe('Noch 2:05');
    expect(b.called('start_qr_payment')).toHaveLength(1);
    // Nothing else can be started while the customer pays.
    expect((screen.getByTestId('nav-journal') as HTMLButtonElement).disabled).toBe(true);

    answer.resolve({ outcome: 'paid', sale: paidSale });
    expect((await screen.findByTestId('receipt')).textContent).toBe('QR-Code (PayPal) 3,49');
    expect(document.body.textContent).toContain('Bezahlt');
    expect((screen.getByTestId('nav-journal') as HTMLButtonElement).disabled).toBe(false);
  });

  it('"Abbrechen" asks the till to abort and shows what the provider answered', async () => {
    const answer = deferred<QrPaymentResult>();
    const b = backend({
      start_qr_payment: () => started,
      wait_qr_payment: () => answer.promise,
      abort_qr_payment: () => {
        setTimeout(() => answer.resolve({ outcome: 'aborted', sale: null }), 10);
        return { requested: true };
      },
    });
    await startQrPayment();
    await fireEvent.click(await screen.findByTestId('abort-qr'));
    expect(b.called('abort_qr_payment')).toHaveLength(1);
    const outcome = await screen.findByTestId('qr-outcome');
    expect(outcome.textContent).toContain('Zahlung abgebrochen');
    expect(outcome.textContent).toContain('Nichts wurde abgebucht');
    await fireEvent.click(screen.getByTestId('qr-to-cash'));
    expect(screen.getByTestId('cash-due').textContent).toBe('3,49 €');
  });

  it('says when the customer cancelled, in English too', async () => {
    setLanguage('en');
    backend({ start_qr_payment: () => started, wait_qr_payment: () => ({ outcome: 'cancelled', sale: null }) });
    await startQrPayment();
    expect((await screen.findByTestId('qr-outcome')).textContent).toContain('Cancelled by the customer');
  });

  it('a payment under way after the abort is waited for and shown once it arrives', async () => {
    let checks = 0;
    backend({
      start_qr_payment: () => started,
      wait_qr_payment: () => ({ outcome: 'in_doubt', sale: null }),
      check_qr_payment: () => (++checks < 1 ? null : { outcome: 'paid', sale: paidSale }),
    });
    await startQrPayment();
    expect((await screen.findByTestId('qr-outcome')).textContent).toContain('Nicht noch einmal kassieren');
    expect((await screen.findByTestId('receipt', {}, { timeout: 6000 })).textContent).toBe('QR-Code (PayPal) 3,49');
    expect((await screen.findByTestId('info')).textContent).toContain('Beleg Nr. 9');
  }, 10000);

  it('says why it cannot start, in the cashier’s words', async () => {
    backend({
      start_qr_payment: () => {
        throw { code: 'qr_offline', message: 'offline' };
      },
    });
    await startQrPayment();
    expect((await screen.findByTestId('qr-outcome')).textContent).toContain('Zahlung per QR-Code geht nur online');
  });

  it('is not offered offline', async () => {
    backend({ till_status: () => ({ ...onlineStatus, online: false }) });
    render(App);
    await waitFor(() => expect(screen.getByTestId('online-state').textContent).toContain('Offline'));
    await fireEvent.click(screen.getByTestId('article-51'));
    expect(screen.queryByTestId('pay-qr')).toBeNull();
  });
});

describe('the settings of pay by QR code', () => {
  it('loads, saves and says in words what does not hold', async () => {
    const saved: unknown[] = [];
    backend({
      settings: () => {
        throw { code: 'not_found', message: 'no settings' };
      },
      qr_settings: () => ({ checkout_template: 'COT_WD0DE66HN2XWJHW8JM88003YG0NEA2', language: null, timeout_secs: 120 }),
      save_qr_settings: (a) => {
        const s = a.settings as { timeout_secs: number; checkout_template: string | null };
        if (s.checkout_template && !s.checkout_template.startsWith('COT_')) throw { code: 'qr_template', message: 'template' };
        if (s.timeout_secs < 5) throw { code: 'qr_timeout', message: 'time' };
        saved.push(a.settings);
        return a.settings;
      },
    });
    const { default: QrSettings } = await import('../components/QrSettings.svelte');
    const { Task } = await import('../lib/task.svelte');
    const task = new Task();
    render(QrSettings, { task });
    await waitFor(() => expect((screen.getByTestId('qr-template') as HTMLInputElement).value).toBe('COT_WD0DE66HN2XWJHW8JM88003YG0NEA2'));
    expect((screen.getByTestId('qr-timeout') as HTMLInputElement).value).toBe('120');
    await fireEvent.input(screen.getByTestId('qr-timeout'), { target: { value: '2' } });
    await fireEvent.click(screen.getByTestId('save-qr-settings'));
    await waitFor(() => expect(task.failedCode).toBe('qr_timeout'));
    // The reason in words, in the language shown (not a general sentence).
    expect(say(task.failed)).toBe('Die Zeit zum Bezahlen muss zwischen 5 und 900 Sekunden liegen. In den Einstellungen korrigieren.');
    setLanguage('en');
    expect(say(task.failed)).toBe('The time to pay must be between 5 and 900 seconds. Correct it in the settings.');
    setLanguage('de');
    await fireEvent.input(screen.getByTestId('qr-template'), { target: { value: 'WD0DE66' } });
    await fireEvent.click(screen.getByTestId('save-qr-settings'));
    await waitFor(() => expect(task.failedCode).toBe('qr_template'));
    expect(say(task.failed)).toMatch(/^Die Vorlage der Bezahlseite ist keine Vorlagen-ID: Sie beginnt mit COT_/);
    await fireEvent.input(screen.getByTestId('qr-template'), { target: { value: 'COT_WD0DE66HN2XWJHW8JM88003YG0NEA2' } });
    await fireEvent.input(screen.getByTestId('qr-timeout'), { target: { value: '90' } });
    await fireEvent.change(screen.getByTestId('qr-language'), { target: { value: 'en' } });
    await fireEvent.click(screen.getByTestId('save-qr-settings'));
    await waitFor(() => expect(saved).toHaveLength(1));
    expect(saved[0]).toEqual({ checkout_template: 'COT_WD0DE66HN2XWJHW8JM88003YG0NEA2', language: 'en', timeout_secs: 90 });
  });
});
