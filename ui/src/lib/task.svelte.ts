import { errorCode } from './api';
import { failure, type Message } from './message';

/**
 * The progress line of a screen: what is running (`busy`), what went wrong
 * (`failed`) and what just succeeded (`done`), kept as messages and worded when
 * shown (`say`), so they follow a language switch. One call at a time per screen.
 */
export class Task {
  busy = $state<Message | null>(null);
  failed = $state<Message | null>(null);
  done = $state<Message | null>(null);
  /** The code of the last failure, for screens that offer a way on (e.g. a confirmation). */
  failedCode = $state<string | null>(null);

  /** Runs `action` showing `label`; on failure keeps the error and answers undefined. */
  async run<T>(label: Message, action: () => Promise<T>): Promise<T | undefined> {
    this.busy = label;
    this.failed = null;
    this.failedCode = null;
    this.done = null;
    try {
      return await action();
    } catch (e) {
      this.failed = failure(e);
      this.failedCode = errorCode(e);
    } finally {
      this.busy = null;
    }
  }
}
