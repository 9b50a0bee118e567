import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import SettingsScreen from '../screens/SettingsScreen.svelte';
import type { Settings, TseView } from '../lib/api';
import { backend, resetTill } from '../test/backend';

beforeEach(resetTill);
afterEach(cleanup);

const settings = (): Settings => ({
  shop: { name: 'Café Mitte', address_lines: [], vat_id: null, tax_number: null, footer: null, till_id: 'KASSE-1' },
  connection: { environment: 'testing', auth_mode: 'client_credentials', client_id: 'c', has_client_secret: true, device_uuid: null, device_paired: false },
  printers: [],
  receipt_printer_id: null,
  language: 'de',
  customer_display: { message: null, open_at_start: true, monitor: null },
  log_dir: '/data/logs',
  problems: [],
});

const fresh = (): TseView => ({
  environment: 'testing',
  demo: false,
  fiskaly_env: 'test',
  has_credentials: false,
  has_admin_pin: false,
  step: 'credentials',
  needs_puk: false,
  tss_id: null,
  client_serial: null,
  tss_state: null,
  serial: null,
  bsi_certification_id: null,
  puk: null,
  signing: false,
  problem: null,
  purchase_date: null,
  start_of_use: null,
});

describe('Settings → TSE', () => {
  it('takes the access data, runs the setup, shows the PUK once and the TSE it set up', async () => {
    let view = fresh();
    const b = backend({
      settings,
      tse_status: () => view,
      tse_save_credentials: () => (view = { ...view, has_credentials: true, step: 'create' }),
      tse_setup_run: () =>
        (view = {
          ...view,
          has_admin_pin: true,
          step: 'done',
          tss_id: 'tss-1',
          tss_state: 'INITIALIZED',
          serial: 'ab'.repeat(32),
          client_serial: 'KASSE-1-3F1E9C0D',
          bsi_certification_id: 'BSI-K-TR-0000-SIMULATED',
          puk: 'PUK4711XYZ',
          signing: true,
        }),
      tse_puk_noted: () => (view = { ...view, puk: null }),
    });
    render(SettingsScreen, { initialTab: 'tse' });
    await fireEvent.input(await screen.findByTestId('tse-api-key'), { target: { value: ' test_key ' } });
    await fireEvent.input(screen.getByTestId('tse-api-secret'), { target: { value: 'sec' } });
    await fireEvent.click(screen.getByTestId('tse-save-key'));
    await waitFor(() => expect(screen.getByTestId('tse-settings').dataset.step).toBe('create'));
    expect(b.called('tse_save_credentials')).toEqual([{ apiKey: 'test_key', apiSecret: 'sec', fiskalyEnv: 'test' }]);
    // Handed over, never kept in the form.
    expect((screen.getByTestId('tse-api-secret') as HTMLInputElement).value).toBe('');

    const run = screen.getByTestId('tse-run') as HTMLButtonElement;
    await fireEvent.input(screen.getByTestId('tse-admin-pin'), { target: { value: '123' } });
    expect(run.disabled).toBe(true);
    await fireEvent.input(screen.getByTestId('tse-admin-pin'), { target: { value: '246810' } });
    await fireEvent.click(run);
    expect((await screen.findByTestId('tse-puk')).textContent).toBe('PUK4711XYZ');
    expect(b.called('tse_setup_run')).toEqual([{ adminPin: '246810', adminPuk: null }]);
    expect(screen.getByTestId('tse-serial').textContent).toBe('ab'.repeat(32));
    expect(screen.getByTestId('tse-state-value').textContent).toContain('INITIALIZED');
    expect(screen.getByTestId('settings-done').textContent).toContain('eingerichtet');
    await fireEvent.click(screen.getByTestId('tse-puk-noted'));
    await waitFor(() => expect(screen.queryByTestId('tse-puk')).toBeNull());
    expect(screen.getByTestId('tse-sheet')).toBeTruthy();
  });

  it('asks for the PUK when a setup resumes without it, and says in words why a step failed', async () => {
    let view: TseView = { ...fresh(), has_credentials: true, has_admin_pin: true, step: 'admin_pin', needs_puk: true, tss_id: 'tss-1', tss_state: 'UNINITIALIZED' };
    const b = backend({
      settings,
      tse_status: () => view,
      tse_setup_run: () => {
        view = { ...view, needs_puk: true };
        throw { code: 'tse_puk_wrong', message: 'The TSE refused the PUK.' };
      },
    });
    render(SettingsScreen, { initialTab: 'tse' });
    const run = (await screen.findByTestId('tse-run')) as HTMLButtonElement;
    expect(run.textContent).toContain('fortsetzen');
    expect(run.disabled).toBe(true);
    await fireEvent.input(screen.getByTestId('tse-admin-puk'), { target: { value: 'WRONG' } });
    await fireEvent.click(run);
    expect((await screen.findByTestId('settings-error')).textContent).toContain('PUK abgelehnt');
    expect(b.called('tse_setup_run')).toEqual([{ adminPin: null, adminPuk: 'WRONG' }]);
    expect(screen.getByTestId('tse-step-admin_pin').className).toContain('current');
  });

  it('offers a new TSE when the TSE is out of service for good, and a restart once the new one is set up', async () => {
    let view: TseView = { ...fresh(), has_credentials: true, has_admin_pin: true, step: 'done', tss_id: 'tss-1', tss_state: 'DISABLED', signing: true };
    const b = backend({
      settings,
      tse_status: () => view,
      tse_start_over: () => (view = { ...fresh(), has_credentials: true, has_admin_pin: true, step: 'create' }),
      tse_setup_run: () => (view = { ...view, step: 'done', tss_id: 'tss-2', tss_state: 'INITIALIZED', signing: false }),
    });
    render(SettingsScreen, { initialTab: 'tse' });
    await fireEvent.click(await screen.findByTestId('tse-start-over'));
    await waitFor(() => expect(screen.getByTestId('tse-settings').dataset.step).toBe('create'));
    expect(b.called('tse_start_over')).toHaveLength(1);
    expect(screen.queryByTestId('tse-out-of-service')).toBeNull();
    await fireEvent.click(screen.getByTestId('tse-run'));
    expect((await screen.findByTestId('tse-restart-needed')).textContent).toContain('Neustart');
  });
});
