// Errors in words for the cashier, with what to do next.
import { errorCode, errorMessage } from './api';
import { hasMessage, t } from './i18n.svelte';

/**
 * Known codes get the UI's own sentence in the current language (it says what to do next);
 * the provider's own words (`provider`) and unknown codes pass through as the command sent them.
 */
export function errorText(e: unknown): string {
  const code = errorCode(e);
  const key = `error.${code}`;
  if (code !== 'provider' && hasMessage(key)) return t(key);
  if (code === 'unknown' && typeof e !== 'string') return t('error.unknown');
  return errorMessage(e);
}
