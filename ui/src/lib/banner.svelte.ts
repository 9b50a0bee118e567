// The one line under the top bar: an error in words (with what to do next) or a short notice.
// Kept as messages, worded when shown (see message.ts).
import { failure, isMessage, type Message } from './message';

export const banner = $state<{ error: Message | null; info: Message | null }>({ error: null, info: null });

/** A caught error (worded by its code) or a message of the UI's own. */
export function showError(e: unknown): void {
  banner.info = null;
  banner.error = isMessage(e) ? e : failure(e);
}

export function showInfo(m: Message): void {
  banner.error = null;
  banner.info = m;
}

export function clearBanner(): void {
  banner.error = null;
  banner.info = null;
}
