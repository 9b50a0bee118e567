import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import SettingsScreen from './SettingsScreen.svelte';
import type { PairingStatus, Settings } from '../lib/api';
import { i18n } from '../lib/i18n.svelte';
import { backend, resetTill } from '../test/backend';

beforeEach(resetTill);
afterEach(cleanup);

const settings = (): Settings => ({
  shop: { name: 'Café Mitte', address_lines: ['Musterstr. 55', '09123 Musterstadt'], vat_id: null, tax_number: null, footer: null, till_id: 'KASSE-1' },
  connection: { environment: 'demo', auth_mode: 'client_credentials', client_id: null, has_client_secret: false, device_uuid: null, device_paired: false },
  printers: [],
  receipt_printer_id: null,
  language: 'de',
  customer_display: { message: null, open_at_start: true, monitor: null },
  log_dir: '/data/logs',
  problems: [],
});

describe('settings', () => {
  it('saves the shop header for the receipt', async () => {
    const b = backend({ settings, save_shop: (a) => ({ ...settings(), shop: a.shop }) });
    render(SettingsScreen);
    const name = await screen.findByTestId('shop-name');
    await waitFor(() => expect((name as HTMLInputElement).value).toBe('Café Mitte'));
    await fireEvent.input(name, { target: { value: 'Café Ost' } });
    await fireEvent.input(screen.getByTestId('shop-address'), { target: { value: 'Ostring 1\n\n01234 Dresden ' } });
    await fireEvent.click(screen.getByTestId('save-shop'));
    await screen.findByTestId('settings-done');
    expect(b.called('save_shop')[0].shop).toMatchObject({ name: 'Café Ost', address_lines: ['Ostring 1', '01234 Dresden'], till_id: 'KASSE-1' });
  });

  it('pairs the device: shows the user code and address large, with progress, until confirmed', async () => {
    const answers: PairingStatus[] = [
      { state: 'waiting', seconds_left: 1195, message: null },
      { state: 'paired', seconds_left: 1190, message: null },
    ];
    const b = backend({
      settings,
      pairing_start: () => ({ user_code: 'KXWD-7PQM', verification_url: 'https://connect-testing.secuconnect.com/device', expires_in: 1200, interval: 1 }),
      pairing_status: () => answers.shift() ?? { state: 'paired', seconds_left: 0, message: null },
    });
    render(SettingsScreen, { initialTab: 'connection' });
    await fireEvent.click(await screen.findByTestId('env-testing'));
    await fireEvent.click(screen.getByTestId('auth-device'));
    await fireEvent.input(screen.getByTestId('client-id'), { target: { value: 'client-1' } });
    await fireEvent.input(screen.getByTestId('client-secret'), { target: { value: 's3cret' } });
    await fireEvent.click(screen.getByTestId('pairing-start'));

    expect((await screen.findByTestId('pairing-code')).textContent).toBe('KXWD-7PQM');
    expect(screen.getByTestId('pairing-url').textContent).toBe('https://connect-testing.secuconnect.com/device');
    expect(screen.getByTestId('pairing-progress').textContent).toContain('20:00');
    // The secret field is emptied once it has been handed over.
    expect(b.called('pairing_start')).toEqual([{ environment: 'testing', clientId: 'client-1', clientSecret: 's3cret' }]);

    await waitFor(() => expect(screen.getByTestId('pairing-progress').textContent).toContain('19:55'), { timeout: 4000 });
    expect((await screen.findByTestId('pairing-done', {}, { timeout: 4000 })).textContent).toContain('Gekoppelt');
  });

  it('says when the pairing code expired', async () => {
    backend({
      settings,
      pairing_start: () => ({ user_code: 'AAAA-BBBB', verification_url: 'https://x', expires_in: 1200, interval: 1 }),
      pairing_status: () => ({ state: 'expired', seconds_left: 0, message: null }),
    });
    render(SettingsScreen, { initialTab: 'connection' });
    await fireEvent.click(await screen.findByTestId('env-live'));
    await fireEvent.click(screen.getByTestId('auth-device'));
    await fireEvent.input(screen.getByTestId('client-id'), { target: { value: 'c' } });
    await fireEvent.input(screen.getByTestId('client-secret'), { target: { value: 's' } });
    await fireEvent.click(screen.getByTestId('pairing-start'));
    expect((await screen.findByTestId('pairing-failed', {}, { timeout: 4000 })).textContent).toContain('abgelaufen');
  });

  it('sets up a serial printer with code page and width, and test-prints it', async () => {
    const b = backend({
      settings,
      printers_discover: () => ({ serial_ports: ['/dev/ttyUSB0'], os_queues: ['Büro'] }),
      test_print: () => {
        throw { code: 'printer_offline', message: 'timeout' };
      },
      save_printer: (a) => ({ ...settings(), printers: [a.printer], receipt_printer_id: (a.printer as { id: string }).id }),
    });
    render(SettingsScreen, { initialTab: 'printers' });
    await fireEvent.click(await screen.findByTestId('tab-printers'));
    await fireEvent.click(await screen.findByTestId('add-printer'));
    await fireEvent.input(screen.getByTestId('printer-name'), { target: { value: 'Bon' } });
    await fireEvent.change(screen.getByTestId('printer-transport'), { target: { value: 'serial' } });
    await waitFor(() => expect((screen.getByTestId('printer-port') as HTMLSelectElement).value).toBe('/dev/ttyUSB0'));
    await fireEvent.change(screen.getByTestId('printer-width'), { target: { value: '32' } });

    await fireEvent.click(screen.getByTestId('test-print'));
    expect((await screen.findByTestId('settings-error')).textContent).toContain('Drucker antwortet nicht');

    await fireEvent.click(screen.getByTestId('save-printer'));
    await screen.findByTestId('printer-list');
    const [args] = b.called('save_printer');
    expect(args.useForReceipts).toBe(true);
    expect(args.printer).toMatchObject({ name: 'Bon', transport: { kind: 'serial', port: '/dev/ttyUSB0', baud: 19200 }, code_page: 'cp858', width: 32, kind: 'thermal' });
  });

  it('switches the language from the settings', async () => {
    const b = backend({ settings, set_language: (a) => ({ ...settings(), language: a.language }) });
    render(SettingsScreen, { initialTab: 'language' });
    await fireEvent.click(await screen.findByTestId('lang-en'));
    expect(i18n.lang).toBe('en');
    expect(screen.getByTestId('tab-shop').textContent).toBe('Shop');
    expect(b.called('set_language')).toEqual([{ language: 'en' }]);
  });
  it('names unreadable parts of the settings file and shows where the logs are', async () => {
    backend({
      settings: () => ({ ...settings(), log_dir: '/var/lib/till/logs', problems: ['The setting "shop" in settings.json cannot be read (expected a string).'] }),
    });
    render(SettingsScreen);
    expect((await screen.findByTestId('settings-problems')).textContent).toContain('"shop"');
    expect((await screen.findByTestId('log-dir')).textContent).toBe('/var/lib/till/logs');
  });

  it('after connecting to another environment it offers the restart that applies it', async () => {
    const b = backend({
      settings,
      set_environment: (a) => ({ ...settings(), connection: { ...settings().connection, environment: a.environment, client_id: a.clientId, has_client_secret: true } }),
      restart_app: () => null,
    });
    render(SettingsScreen, { initialTab: 'connection' });
    await fireEvent.click(await screen.findByTestId('env-testing'));
    expect(screen.queryByTestId('restart-needed')).toBeNull();
    await fireEvent.input(screen.getByTestId('client-id'), { target: { value: 'client-1' } });
    await fireEvent.input(screen.getByTestId('client-secret'), { target: { value: 's3cret' } });
    await fireEvent.click(screen.getByTestId('save-connection'));
    await screen.findByTestId('restart-needed');
    expect(b.called('set_environment')).toEqual([{ environment: 'testing', clientId: 'client-1', clientSecret: 's3cret' }]);
    expect((screen.getByTestId('client-secret') as HTMLInputElement).value).toBe('');
    await fireEvent.click(screen.getByTestId('restart-app'));
    await waitFor(() => expect(b.called('restart_app')).toHaveLength(1));
  });

  it('shows why a switch is refused', async () => {
    backend({
      settings,
      set_environment: () => {
        throw { code: 'switch_outbox', message: '2 sale(s) paid offline are not yet registered.' };
      },
    });
    render(SettingsScreen, { initialTab: 'connection' });
    await fireEvent.click(await screen.findByTestId('env-live'));
    await fireEvent.input(screen.getByTestId('client-id'), { target: { value: 'c' } });
    await fireEvent.input(screen.getByTestId('client-secret'), { target: { value: 's' } });
    await fireEvent.click(screen.getByTestId('save-connection'));
    expect((await screen.findByTestId('settings-error')).textContent).toContain('noch nicht beim Zahlungsdienst registriert');
    expect(screen.queryByTestId('restart-needed')).toBeNull();
  });
});
