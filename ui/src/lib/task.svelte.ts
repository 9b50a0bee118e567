import { errorCode } from './api';
import { errorText } from './errors';

/**
 * The progress line of a screen: what is running (`busy`), what went wrong
 * (`failed`) and what just succeeded (`done`). One call at a time per screen.
 */
export class Task {
  busy = $state<string | null>(null);
  failed = $state<string | null>(null);
  done = $state<string | null>(null);
  /** The code of the last failure, for screens that offer a way on (e.g. a confirmation). */
  failedCode = $state<string | null>(null);

  /** Runs `action` showing `label`; on failure keeps the cashier's words and answers undefined. */
  async run<T>(label: string, action: () => Promise<T>): Promise<T | undefined> {
    this.busy = label;
    this.failed = null;
    this.failedCode = null;
    this.done = null;
    try {
      return await action();
    } catch (e) {
      this.failed = errorText(e);
      this.failedCode = errorCode(e);
    } finally {
      this.busy = null;
    }
  }
}
