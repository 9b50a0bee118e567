import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import PrinterSettings from './PrinterSettings.svelte';
import { backend } from '../test/backend';
import { Task } from '../lib/task.svelte';
import type { Settings } from '../lib/api';

const settings = (): Settings =>
  ({
    shop: { name: 'Café', address_lines: [], vat_id: null, tax_number: null, footer: null, till_id: 'KASSE-1' },
    connection: { environment: 'demo', auth_mode: 'client_credentials', client_id: null, has_client_secret: false, device_uuid: null, device_paired: false },
    printers: [],
    receipt_printer_id: null,
    language: 'de',
    customer_display: { message: null, open_at_start: true, monitor: null },
    log_dir: '/tmp/logs',
    problems: [],
  }) as Settings;

describe('PrinterSettings', () => {
  it('saves a network printer for receipts only once host and port are there', async () => {
    const b = backend({
      printers_discover: () => ({ serial_ports: [], os_queues: ['Büro'] }),
      save_printer: (a) => ({ ...settings(), printers: [a.printer], receipt_printer_id: (a.printer as { id: string }).id }),
    });
    let changed: Settings | null = null;
    render(PrinterSettings, { settings: settings(), task: new Task(), onChange: (s: Settings) => (changed = s) });
    await fireEvent.click(await screen.findByTestId('add-printer'));
    await fireEvent.input(screen.getByTestId('printer-name'), { target: { value: 'Bon' } });
    expect((screen.getByTestId('save-printer') as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.input(screen.getByTestId('printer-host'), { target: { value: '192.168.1.50' } });
    await fireEvent.input(screen.getByTestId('printer-tcp-port'), { target: { value: '' } });
    expect((screen.getByTestId('test-print') as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.input(screen.getByTestId('printer-tcp-port'), { target: { value: '9100' } });
    await fireEvent.click(screen.getByTestId('save-printer'));
    await waitFor(() => expect(changed).not.toBeNull());
    const [args] = b.called('save_printer');
    expect(args.useForReceipts).toBe(true);
    expect(args.printer).toMatchObject({ name: 'Bon', transport: { kind: 'network', host: '192.168.1.50', port: 9100 }, kind: 'thermal', drawer: true });
  });

  it('an office printer on an OS queue has no cash drawer', async () => {
    const b = backend({
      printers_discover: () => ({ serial_ports: [], os_queues: ['Büro'] }),
      save_printer: (a) => ({ ...settings(), printers: [a.printer] }),
    });
    render(PrinterSettings, { settings: settings(), task: new Task(), onChange: () => {} });
    await fireEvent.click(await screen.findByTestId('add-printer'));
    await fireEvent.input(screen.getByTestId('printer-name'), { target: { value: 'Büro' } });
    await fireEvent.change(screen.getByTestId('printer-transport'), { target: { value: 'os' } });
    await waitFor(() => expect((screen.getByTestId('printer-queue') as HTMLSelectElement).value).toBe('Büro'));
    await fireEvent.change(screen.getByTestId('printer-kind'), { target: { value: 'office' } });
    expect((screen.getByTestId('printer-drawer') as HTMLInputElement).checked).toBe(false);
    await fireEvent.click(screen.getByTestId('save-printer'));
    await waitFor(() => expect(b.called('save_printer')).toHaveLength(1));
    expect(b.called('save_printer')[0].printer).toMatchObject({ kind: 'office', drawer: false, transport: { kind: 'os', queue: 'Büro' } });
  });

  it('removes a printer only after a yes', async () => {
    const printer = { id: 'p1', name: 'Bon', transport: { kind: 'network', host: '192.168.1.50', port: 9100 }, kind: 'thermal', code_page: 'cp858', width: 42, drawer: true };
    const b = backend({
      printers_discover: () => ({ serial_ports: [], os_queues: [] }),
      remove_printer: () => settings(),
    });
    render(PrinterSettings, { settings: { ...settings(), printers: [printer] } as Settings, task: new Task(), onChange: () => {} });
    await fireEvent.click(await screen.findByTestId('remove-printer-p1'));
    expect(screen.getByTestId('remove-question').textContent).toBe('Drucker „Bon“ entfernen?');
    expect(b.called('remove_printer')).toHaveLength(0);
    await fireEvent.click(screen.getByTestId('remove-no-p1'));
    expect(screen.queryByTestId('remove-question')).toBeNull();
    await fireEvent.click(screen.getByTestId('remove-printer-p1'));
    await fireEvent.click(screen.getByTestId('remove-yes-p1'));
    await waitFor(() => expect(b.called('remove_printer')).toEqual([{ printerId: 'p1' }]));
  });
});
