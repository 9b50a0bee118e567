// The one line under the top bar: an error in words (with what to do next) or a short notice.
import { errorText } from './errors';

export const banner = $state<{ error: string | null; info: string | null }>({ error: null, info: null });

export function showError(e: unknown): void {
  banner.info = null;
  banner.error = typeof e === 'string' ? e : errorText(e);
}

export function showInfo(text: string): void {
  banner.error = null;
  banner.info = text;
}

export function clearBanner(): void {
  banner.error = null;
  banner.info = null;
}
