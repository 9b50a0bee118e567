import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import CashPayment from './CashPayment.svelte';

describe('CashPayment', () => {
  it('shows the change and pays the tendered amount', async () => {
    const onPay = vi.fn();
    render(CashPayment, { total: 547, busy: false, onPay, onCancel: () => {} });
    await fireEvent.input(screen.getByTestId('tendered'), { target: { value: '10' } });
    expect(screen.getByTestId('change').textContent).toBe('4,53 €');
    await fireEvent.click(screen.getByTestId('confirm-cash'));
    expect(onPay).toHaveBeenCalledWith(1000);
  });

  it('refuses too little cash and nonsense', async () => {
    const onPay = vi.fn();
    render(CashPayment, { total: 547, busy: false, onPay, onCancel: () => {} });
    const input = screen.getByTestId('tendered');
    await fireEvent.input(input, { target: { value: '5' } });
    expect(screen.getByText('Der Betrag reicht nicht.')).toBeTruthy();
    expect((screen.getByTestId('confirm-cash') as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.input(input, { target: { value: 'zehn' } });
    expect(screen.getByText(/Bitte einen Betrag/)).toBeTruthy();
    await fireEvent.click(screen.getByTestId('confirm-cash'));
    expect(onPay).not.toHaveBeenCalled();
  });

  it('does not pay twice while a payment is running', async () => {
    const onPay = vi.fn();
    render(CashPayment, { total: 100, busy: true, onPay, onCancel: () => {} });
    await fireEvent.click(screen.getByTestId('pay-exact'));
    expect(onPay).not.toHaveBeenCalled();
  });
});
