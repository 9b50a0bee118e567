// A manager's PIN on the spot: a command that answers `manager_required` is
// asked again with the PIN a manager types into the dialog (App.svelte shows
// it while `manager.asking` is set). The rights are the Rust side's; this only asks.

import { errorCode } from './api';

export const manager = $state<{ asking: boolean; error: unknown }>({ asking: false, error: null });

let answer: ((pin: string | null) => void) | null = null;

/** The dialog's answer: the PIN typed, or `null` when it was closed. */
export function answerManager(pin: string | null) {
  manager.asking = false;
  const a = answer;
  answer = null;
  a?.(pin);
}

function askPin(error: unknown): Promise<string | null> {
  manager.error = error;
  manager.asking = true;
  return new Promise((resolve) => {
    answer = resolve;
  });
}

const ASK_AGAIN = new Set(['manager_required', 'not_a_manager', 'wrong_pin']);

/** Runs `call` alone first; when it needs a manager, asks for the PIN and runs it with it. */
export async function withManager<T>(call: (managerPin: string | null) => Promise<T>): Promise<T> {
  try {
    return await call(null);
  } catch (e) {
    if (errorCode(e) !== 'manager_required') throw e;
    let last: unknown = e;
    for (;;) {
      const pin = await askPin(last === e ? null : last);
      if (pin === null) throw e;
      try {
        return await call(pin);
      } catch (again) {
        if (!ASK_AGAIN.has(errorCode(again))) throw again;
        last = again;
      }
    }
  }
}
